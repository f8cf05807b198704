//! Substring search for the short texts the core and the widget look into (trait values,
//! Markdown bodies, token delimiters).
//!
//! `str::find(&str)` brings in the standard library's Two-Way searcher, about 3 KB of wasm
//! for texts that are rarely longer than a paragraph; this plain scan is a few dozen bytes.
//! Its worst case is O(n·m), which at these lengths is nothing.

/// The byte offset of the first `needle` in `hay` (a char boundary, since `needle` is whole
/// UTF-8), or `None`. An empty needle is found at 0, as with `str::find`.
///
/// # Example
/// ```
/// use touchpoint_core::text::find;
/// assert_eq!(find("Hello {{user.name}}", "{{"), Some(6));
/// assert_eq!(find("naïve ünïcode", "ün"), Some(7));
/// assert_eq!(find("abc", "abcd"), None);
/// ```
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.as_bytes()
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::find;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn agrees_with_the_standard_search() {
        let hays = [
            "",
            "a",
            "aaab",
            "abababc",
            "x{{y}}z}}",
            "ééé é",
            "日本語のテキスト",
            "ab](cd](e",
        ];
        let needles = [
            "", "a", "ab", "abc", "{{", "}}", "é", " é", "テキ", "](", "zz",
        ];
        for hay in hays {
            for needle in needles {
                assert_eq!(find(hay, needle), hay.find(needle), "{hay:?} / {needle:?}");
            }
        }
    }
}
