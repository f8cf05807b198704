//! A line diff between two versions of a campaign's source, for the version history: the
//! longest common subsequence of lines, read back as kept, removed and added lines, and
//! grouped into unified-diff hunks with a few lines of context. Campaign sources are a few
//! hundred lines at most, so the quadratic table is small; a source larger than
//! [`MAX_LINES`] lines on either side is shown as a whole replacement instead.
use std::fmt;

/// The most lines on one side the LCS table is built for.
pub const MAX_LINES: usize = 4_000;

/// Lines of unchanged context kept around each change.
pub const CONTEXT: usize = 3;

/// One line of a diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    /// In both sources.
    Kept(&'a str),
    /// Only in the old source.
    Removed(&'a str),
    /// Only in the new source.
    Added(&'a str),
}

impl Line<'_> {
    /// The marker a unified diff puts before the line.
    pub fn marker(&self) -> char {
        match self {
            Self::Kept(_) => ' ',
            Self::Removed(_) => '-',
            Self::Added(_) => '+',
        }
    }

    /// The line's text.
    pub fn text(&self) -> &str {
        match self {
            Self::Kept(t) | Self::Removed(t) | Self::Added(t) => t,
        }
    }

    /// A CSS class for the page (`kept`, `removed`, `added`).
    pub fn class(&self) -> &'static str {
        match self {
            Self::Kept(_) => "kept",
            Self::Removed(_) => "removed",
            Self::Added(_) => "added",
        }
    }
}

/// Every line of `old` and `new` in order, each kept, removed or added; removals come
/// before additions where both happen at one place.
pub fn lines<'a>(old: &'a str, new: &'a str) -> Vec<Line<'a>> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    if a.len() > MAX_LINES || b.len() > MAX_LINES {
        let mut out: Vec<Line<'a>> = a.into_iter().map(Line::Removed).collect();
        out.extend(b.into_iter().map(Line::Added));
        return out;
    }
    // lcs[i][j]: the length of the longest common subsequence of a[i..] and b[j..].
    let width = b.len() + 1;
    let mut lcs = vec![0u32; (a.len() + 1) * width];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i * width + j] = if a[i] == b[j] {
                lcs[(i + 1) * width + j + 1] + 1
            } else {
                lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push(Line::Kept(a[i]));
            i += 1;
            j += 1;
        } else if lcs[(i + 1) * width + j] >= lcs[i * width + j + 1] {
            out.push(Line::Removed(a[i]));
            i += 1;
        } else {
            out.push(Line::Added(b[j]));
            j += 1;
        }
    }
    out.extend(a[i..].iter().copied().map(Line::Removed));
    out.extend(b[j..].iter().copied().map(Line::Added));
    out
}

/// A run of changed lines with their context, as a unified diff shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk<'a> {
    /// 1-based first line in the old source (0 when the hunk has no old lines).
    pub old_start: usize,
    /// Old lines in the hunk.
    pub old_len: usize,
    /// 1-based first line in the new source (0 when the hunk has no new lines).
    pub new_start: usize,
    /// New lines in the hunk.
    pub new_len: usize,
    /// The lines.
    pub lines: Vec<Line<'a>>,
}

impl Hunk<'_> {
    /// `@@ -old_start,old_len +new_start,new_len @@`.
    pub fn header(&self) -> String {
        format!(
            "@@ -{},{} +{},{} @@",
            self.old_start, self.old_len, self.new_start, self.new_len
        )
    }
}

/// The changes between `old` and `new` as hunks with [`CONTEXT`] lines of context; empty
/// when the sources have the same lines.
pub fn hunks<'a>(old: &'a str, new: &'a str) -> Vec<Hunk<'a>> {
    let all = lines(old, new);
    // Which lines to show: every change and the context around it.
    let mut shown = vec![false; all.len()];
    for (k, line) in all.iter().enumerate() {
        if !matches!(line, Line::Kept(_)) {
            let from = k.saturating_sub(CONTEXT);
            let to = (k + CONTEXT + 1).min(all.len());
            shown[from..to].iter_mut().for_each(|s| *s = true);
        }
    }
    let mut out = Vec::new();
    let (mut old_no, mut new_no) = (1, 1);
    let mut current: Option<Hunk<'a>> = None;
    for (k, line) in all.iter().enumerate() {
        if shown[k] {
            let hunk = current.get_or_insert_with(|| Hunk {
                old_start: old_no,
                old_len: 0,
                new_start: new_no,
                new_len: 0,
                lines: Vec::new(),
            });
            match line {
                Line::Kept(_) => {
                    hunk.old_len += 1;
                    hunk.new_len += 1;
                }
                Line::Removed(_) => hunk.old_len += 1,
                Line::Added(_) => hunk.new_len += 1,
            }
            hunk.lines.push(*line);
        } else if let Some(done) = current.take() {
            out.push(done);
        }
        match line {
            Line::Kept(_) => {
                old_no += 1;
                new_no += 1;
            }
            Line::Removed(_) => old_no += 1,
            Line::Added(_) => new_no += 1,
        }
    }
    out.extend(current);
    for h in &mut out {
        // As `diff -u` spells an empty side: the line before it, length 0.
        if h.old_len == 0 {
            h.old_start -= 1;
        }
        if h.new_len == 0 {
            h.new_start -= 1;
        }
    }
    out
}

/// The unified diff of two sources under the names `old` and `new` (no output when equal).
pub struct Unified<'a> {
    /// The old side's label (`v3`).
    pub old_name: &'a str,
    /// The new side's label (`v4`).
    pub new_name: &'a str,
    /// The hunks.
    pub hunks: &'a [Hunk<'a>],
}

impl fmt::Display for Unified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.hunks.is_empty() {
            return Ok(());
        }
        writeln!(f, "--- {}\n+++ {}", self.old_name, self.new_name)?;
        for h in self.hunks {
            writeln!(f, "{}", h.header())?;
            for l in &h.lines {
                writeln!(f, "{}{}", l.marker(), l.text())?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unified(old: &str, new: &str) -> String {
        let h = hunks(old, new);
        Unified {
            old_name: "a",
            new_name: "b",
            hunks: &h,
        }
        .to_string()
    }

    #[test]
    fn equal_sources_have_no_diff() {
        assert!(hunks("a\nb\n", "a\nb\n").is_empty());
        assert_eq!(unified("a\nb", "a\nb"), "");
        assert!(lines("a\nb", "a\nb")
            .iter()
            .all(|l| matches!(l, Line::Kept(_))));
    }

    #[test]
    fn a_changed_line_is_removed_then_added_with_context() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        assert_eq!(
            unified(old, new),
            "--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn the_diff_is_a_longest_common_subsequence() {
        let got = lines("a\nb\nc\nd", "b\nc\nx\nd");
        assert_eq!(
            got,
            vec![
                Line::Removed("a"),
                Line::Kept("b"),
                Line::Kept("c"),
                Line::Added("x"),
                Line::Kept("d"),
            ]
        );
    }

    #[test]
    fn distant_changes_make_separate_hunks_and_near_ones_merge() {
        let numbered = |change: &dyn Fn(u32) -> Option<&'static str>| -> String {
            (1..=20)
                .map(|n| change(n).map_or_else(|| format!("{n}\n"), |t| format!("{t}\n")))
                .collect()
        };
        let old = numbered(&|_| None);
        let new = numbered(&|n| match n {
            2 => Some("two"),
            18 => Some("eighteen"),
            _ => None,
        });
        let h = hunks(&old, &new);
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].header(), "@@ -1,5 +1,5 @@");
        assert_eq!(h[1].header(), "@@ -15,6 +15,6 @@");
        let near = numbered(&|n| match n {
            5 => Some("five"),
            9 => Some("nine"),
            _ => None,
        });
        assert_eq!(hunks(&old, &near).len(), 1);
    }

    #[test]
    fn adding_to_an_empty_source_and_emptying_one() {
        assert_eq!(
            unified("", "x\ny\n"),
            "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n"
        );
        assert_eq!(unified("x\n", ""), "--- a\n+++ b\n@@ -1,1 +0,0 @@\n-x\n");
    }

    #[test]
    fn a_huge_source_is_a_whole_replacement() {
        let old = "a\n".repeat(MAX_LINES + 1);
        let got = lines(&old, "a\n");
        assert_eq!(got.len(), MAX_LINES + 2);
        assert_eq!(got.last(), Some(&Line::Added("a")));
    }
}
