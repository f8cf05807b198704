//! The built widget (`dist/`) as a vendor's pages load it: from another origin, so with CORS
//! (`Access-Control-Allow-Origin: *`, `Cross-Origin-Resource-Policy: cross-origin`; the files
//! are public), cached for a year under content-hashed names and for five minutes under the
//! stable names the snippet uses, revalidated by a strong `ETag`, and precompressed.
//!
//! `dist/` is small (under 1 MB with its `.br` and `.gz` twins), so it is read into memory
//! once at start: no disk read per request, and a rebuild does not change a running
//! collector's files halfway through a page load. [`WidgetFiles::respond`] is a pure function
//! of the request's method, path and headers, tested without a server.
use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why `dist/` could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum WidgetFilesError {
    /// The folder or one of its files could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The folder or file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

/// How long a file may be cached, by the kind of its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caching {
    /// A content-hashed name (`touchpoint_widget.3f2a9c0d1e4b.js`): a new build is a new
    /// name, so the bytes under this one never change.
    Immutable,
    /// A stable name the snippet or a tool asks for (`touchpoint.js`, `stub.js`,
    /// `manifest.json`): cached briefly, so a release reaches pages within minutes.
    Short,
}

impl Caching {
    /// The kind of `name`: immutable when one of its dot-separated parts between the stem
    /// and the extension is 8 to 16 lowercase hex digits, the form the build gives.
    pub fn of(name: &str) -> Self {
        let parts: Vec<&str> = name.split('.').collect();
        let hashed = parts.len() >= 3
            && parts[1..parts.len() - 1].iter().any(|p| {
                (8..=16).contains(&p.len())
                    && p.bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            });
        if hashed {
            Self::Immutable
        } else {
            Self::Short
        }
    }

    fn header(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::Immutable => "public, max-age=31536000, immutable",
            Self::Short => "public, max-age=300",
        })
    }
}

/// A content coding the files come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Brotli,
    Gzip,
    Identity,
}

impl Coding {
    /// Preference among equally acceptable codings: smallest first.
    const PREFERENCE: [Self; 3] = [Self::Brotli, Self::Gzip, Self::Identity];

    fn token(self) -> &'static str {
        match self {
            Self::Brotli => "br",
            Self::Gzip => "gzip",
            Self::Identity => "identity",
        }
    }

    fn etag_suffix(self) -> &'static str {
        match self {
            Self::Brotli => "-br",
            Self::Gzip => "-gz",
            Self::Identity => "",
        }
    }
}

#[derive(Debug)]
struct Variant {
    bytes: Bytes,
    etag: HeaderValue,
}

#[derive(Debug)]
struct File {
    content_type: HeaderValue,
    caching: Caching,
    /// Indexed like [`Coding::PREFERENCE`]; identity is always there.
    variants: [Option<Variant>; 3],
}

/// The widget files, in memory; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct WidgetFiles {
    files: Arc<HashMap<String, File>>,
}

impl WidgetFiles {
    /// Read every file of `dir` (not its subfolders) with its `.br` and `.gz` twins.
    ///
    /// # Errors
    /// When the folder or a file in it cannot be read.
    pub fn load(dir: &Path) -> Result<Self, WidgetFilesError> {
        let read_err = |path: &Path| {
            let path = path.to_owned();
            move |source| WidgetFilesError::Read { path, source }
        };
        let mut files = HashMap::new();
        for entry in std::fs::read_dir(dir).map_err(read_err(dir))? {
            let entry = entry.map_err(read_err(dir))?;
            let path = entry.path();
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if !entry.file_type().map_err(read_err(&path))?.is_file()
                || name.ends_with(".br")
                || name.ends_with(".gz")
            {
                continue;
            }
            let identity = std::fs::read(&path).map_err(read_err(&path))?;
            let twin = |ext: &str| -> Result<Option<Vec<u8>>, WidgetFilesError> {
                let p = dir.join(format!("{name}.{ext}"));
                match std::fs::read(&p) {
                    Ok(b) => Ok(Some(b)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(source) => Err(WidgetFilesError::Read { path: p, source }),
                }
            };
            let (br, gz) = (twin("br")?, twin("gz")?);
            files.insert(name.clone(), File::new(&name, identity, br, gz));
        }
        Ok(Self {
            files: Arc::new(files),
        })
    }

    /// The answer for a `GET` or `HEAD` of a widget file at `path` (`/touchpoint.js`), or
    /// `None` when `path` names no widget file or the method is another one: the request
    /// then goes on to the demo files.
    pub fn respond(&self, method: &Method, path: &str, headers: &HeaderMap) -> Option<Response> {
        if method != Method::GET && method != Method::HEAD {
            return None;
        }
        let file = self.files.get(path.strip_prefix('/')?)?;
        let mut res = Response::new(Body::empty());
        let h = res.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        h.insert(
            header::HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("cross-origin"),
        );
        h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        h.insert(header::CACHE_CONTROL, file.caching.header());
        let Some(coding) = choose(headers.get(header::ACCEPT_ENCODING), |c| {
            file.variant(c).is_some()
        }) else {
            *res.status_mut() = StatusCode::NOT_ACCEPTABLE;
            return Some(res);
        };
        let variant = file.variant(coding)?;
        res.headers_mut().insert(header::ETAG, variant.etag.clone());
        if none_match(headers.get(header::IF_NONE_MATCH), &variant.etag) {
            *res.status_mut() = StatusCode::NOT_MODIFIED;
            return Some(res);
        }
        let h = res.headers_mut();
        h.insert(header::CONTENT_TYPE, file.content_type.clone());
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        if coding != Coding::Identity {
            h.insert(
                header::CONTENT_ENCODING,
                HeaderValue::from_static(coding.token()),
            );
        }
        h.insert(header::CONTENT_LENGTH, variant.bytes.len().into());
        if method == Method::GET {
            *res.body_mut() = Body::from(variant.bytes.clone());
        }
        Some(res)
    }
}

impl File {
    fn new(name: &str, identity: Vec<u8>, br: Option<Vec<u8>>, gz: Option<Vec<u8>>) -> Self {
        // One hash of the content names every coding of it; the suffix keeps the ETags of
        // the codings apart, as a strong validator must (they are different bytes).
        let hash = Sha256::digest(&identity);
        let hex = hex::encode(&hash[..12]);
        let variant = |bytes: Vec<u8>, coding: Coding| Variant {
            bytes: Bytes::from(bytes),
            etag: HeaderValue::try_from(format!("\"{hex}{}\"", coding.etag_suffix()))
                .unwrap_or_else(|_| HeaderValue::from_static("\"\"")),
        };
        Self {
            content_type: HeaderValue::from_static(content_type(name)),
            caching: Caching::of(name),
            variants: [
                br.map(|b| variant(b, Coding::Brotli)),
                gz.map(|b| variant(b, Coding::Gzip)),
                Some(variant(identity, Coding::Identity)),
            ],
        }
    }

    fn variant(&self, coding: Coding) -> Option<&Variant> {
        let at = Coding::PREFERENCE.iter().position(|c| *c == coding)?;
        self.variants[at].as_ref()
    }
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("wasm") => "application/wasm",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("html") => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The coding to send for `accept` (an `Accept-Encoding` value) among those `available`, by
/// RFC 9110 §12.5.3: the highest q-value wins, `q=0` refuses, `*` stands for every coding not
/// named, identity is acceptable unless refused by name or by `*;q=0`; ties go to the
/// smaller coding. No header at all means identity (a client that sent none may not decode).
/// `None`: nothing acceptable is available (406).
fn choose(accept: Option<&HeaderValue>, available: impl Fn(Coding) -> bool) -> Option<Coding> {
    let Some(accept) = accept.and_then(|v| v.to_str().ok()) else {
        return Some(Coding::Identity);
    };
    // q in thousandths, per coding; `None` when the header does not name it.
    let mut named: [Option<u16>; 3] = [None; 3];
    let mut star: Option<u16> = None;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let token = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        if token.is_empty() {
            continue;
        }
        let q = parts
            .find_map(|p| {
                let (k, v) = p.split_once('=')?;
                (k.trim().eq_ignore_ascii_case("q")).then(|| qvalue(v.trim()))
            })
            .unwrap_or(Some(1000));
        let Some(q) = q else { continue }; // a malformed weight: ignore the item
        let slot = match token.as_str() {
            "br" => Some(0),
            "gzip" | "x-gzip" => Some(1),
            "identity" => Some(2),
            "*" => {
                star = Some(q);
                None
            }
            _ => None,
        };
        if let Some(i) = slot {
            named[i] = Some(named[i].map_or(q, |old: u16| old.max(q)));
        }
    }
    let weight = |i: usize, coding: Coding| -> u16 {
        match (named[i], star, coding) {
            (Some(q), _, _) => q,
            (None, Some(q), _) => q,
            (None, None, Coding::Identity) => 1,
            (None, None, _) => 0,
        }
    };
    let mut best: Option<(u16, Coding)> = None;
    for (i, coding) in Coding::PREFERENCE.into_iter().enumerate() {
        let q = weight(i, coding);
        if q > 0 && available(coding) && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, coding));
        }
    }
    best.map(|(_, c)| c)
}

/// A q-value (`0`, `0.5`, `1.000`) in thousandths; `None` when malformed.
fn qvalue(text: &str) -> Option<u16> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac_value: u16 = format!("{frac:0<3}").parse().ok()?;
    match int {
        "0" => Some(frac_value),
        "1" if frac_value == 0 => Some(1000),
        _ => None,
    }
}

/// Whether `If-None-Match` lists `etag` (weak comparison, as RFC 9110 §13.1.2 asks) or `*`.
fn none_match(header: Option<&HeaderValue>, etag: &HeaderValue) -> bool {
    let Some(list) = header.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let ours = etag.to_str().unwrap_or_default();
    list.split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == ours)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> WidgetFiles {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, bytes) in [
            ("touchpoint_widget_bg.0123456789ab.wasm", "wasm"),
            ("touchpoint_widget_bg.0123456789ab.wasm.br", "wasm-br"),
            ("touchpoint_widget_bg.0123456789ab.wasm.gz", "wasm-gz"),
            ("touchpoint.js", "loader"),
            ("touchpoint.js.br", "l-br"),
            ("manifest.json", "{}"),
        ] {
            std::fs::write(dir.path().join(name), bytes).expect("write");
        }
        std::fs::create_dir(dir.path().join("sub")).expect("a subfolder is skipped");
        WidgetFiles::load(dir.path()).expect("load")
    }

    fn get(path: &str, headers: &[(&str, &str)]) -> Option<Response> {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(
                header::HeaderName::from_bytes(k.as_bytes()).expect("name"),
                HeaderValue::from_str(v).expect("value"),
            );
        }
        files().respond(&Method::GET, path, &map)
    }

    fn header<'a>(res: &'a Response, name: &str) -> &'a str {
        res.headers()
            .get(name)
            .map_or("", |v| v.to_str().expect("text"))
    }

    fn coding(accept: &str) -> Option<Coding> {
        choose(Some(&HeaderValue::from_str(accept).expect("value")), |_| {
            true
        })
    }

    #[test]
    fn accept_encoding_follows_q_values_and_identity_rules() {
        assert_eq!(choose(None, |_| true), Some(Coding::Identity));
        assert_eq!(coding("gzip, deflate, br"), Some(Coding::Brotli));
        assert_eq!(coding("br;q=0.5, gzip"), Some(Coding::Gzip));
        assert_eq!(coding("br;q=0, gzip;q=0"), Some(Coding::Identity));
        assert_eq!(coding("br;q=0, gzip;q=0, identity;q=0"), None);
        assert_eq!(coding("*;q=0"), None);
        assert_eq!(coding("*;q=0, gzip"), Some(Coding::Gzip));
        assert_eq!(coding("identity;q=1, gzip;q=0.5"), Some(Coding::Identity));
        assert_eq!(coding("*"), Some(Coding::Brotli));
        assert_eq!(coding("deflate"), Some(Coding::Identity));
        assert_eq!(coding("x-gzip"), Some(Coding::Gzip));
        assert_eq!(coding("BR;Q=1.0"), Some(Coding::Brotli));
        assert_eq!(
            coding("br;q=2, gzip"),
            Some(Coding::Gzip),
            "a malformed q drops the item"
        );
        assert_eq!(
            choose(Some(&HeaderValue::from_static("br, identity;q=0")), |c| c
                != Coding::Brotli),
            None,
            "only refused codings are available"
        );
    }

    #[test]
    fn q_values_parse_to_thousandths() {
        assert_eq!(qvalue("1"), Some(1000));
        assert_eq!(qvalue("0.5"), Some(500));
        assert_eq!(qvalue("0.125"), Some(125));
        assert_eq!(qvalue("0"), Some(0));
        assert_eq!(qvalue("1.001"), None);
        assert_eq!(qvalue("0.1234"), None);
        assert_eq!(qvalue("x"), None);
    }

    #[test]
    fn hashed_names_are_immutable_and_stable_names_short_lived() {
        assert_eq!(
            Caching::of("touchpoint_widget.0123456789ab.js"),
            Caching::Immutable
        );
        assert_eq!(
            Caching::of("touchpoint_widget_bg.deadbeef.wasm"),
            Caching::Immutable
        );
        assert_eq!(Caching::of("touchpoint.js"), Caching::Short);
        assert_eq!(Caching::of("manifest.json"), Caching::Short);
        assert_eq!(
            Caching::of("a.DEADBEEF.js"),
            Caching::Short,
            "lowercase only"
        );
        assert_eq!(Caching::of("a.0123456.js"), Caching::Short, "7 digits");
    }

    #[test]
    fn the_chosen_coding_has_its_own_etag_and_revalidates_to_304() {
        let res = get(
            "/touchpoint_widget_bg.0123456789ab.wasm",
            &[("accept-encoding", "gzip")],
        )
        .expect("a widget file");
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(header(&res, "content-encoding"), "gzip");
        assert_eq!(header(&res, "content-type"), "application/wasm");
        assert_eq!(header(&res, "content-length"), "7");
        assert_eq!(header(&res, "access-control-allow-origin"), "*");
        assert_eq!(header(&res, "cross-origin-resource-policy"), "cross-origin");
        assert_eq!(header(&res, "vary"), "Accept-Encoding");
        assert_eq!(
            header(&res, "cache-control"),
            "public, max-age=31536000, immutable"
        );
        let etag = header(&res, "etag").to_owned();
        assert!(etag.starts_with('"') && etag.ends_with("-gz\""), "{etag}");

        let again = get(
            "/touchpoint_widget_bg.0123456789ab.wasm",
            &[("accept-encoding", "gzip"), ("if-none-match", &etag)],
        )
        .expect("a widget file");
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(header(&again, "etag"), etag);
        assert_eq!(header(&again, "access-control-allow-origin"), "*");

        // The brotli bytes are another representation: the gzip tag does not validate them.
        let br = get(
            "/touchpoint_widget_bg.0123456789ab.wasm",
            &[("accept-encoding", "br"), ("if-none-match", &etag)],
        )
        .expect("a widget file");
        assert_eq!(br.status(), StatusCode::OK);
        assert_eq!(header(&br, "content-encoding"), "br");
        let weak = format!("W/{etag}, \"other\"");
        let listed = get(
            "/touchpoint_widget_bg.0123456789ab.wasm",
            &[("accept-encoding", "gzip"), ("if-none-match", &weak)],
        )
        .expect("a widget file");
        assert_eq!(listed.status(), StatusCode::NOT_MODIFIED);
    }

    #[test]
    fn a_missing_twin_falls_back_and_unknown_files_fall_through() {
        let res = get("/touchpoint.js", &[("accept-encoding", "gzip")]).expect("a widget file");
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            header(&res, "content-encoding"),
            "",
            "no gzip twin: identity"
        );
        assert_eq!(
            header(&res, "content-type"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(header(&res, "cache-control"), "public, max-age=300");
        let refused = get("/manifest.json", &[("accept-encoding", "identity;q=0, br")])
            .expect("a widget file");
        assert_eq!(refused.status(), StatusCode::NOT_ACCEPTABLE);
        assert!(get("/app/index.html", &[]).is_none());
        assert!(get("/touchpoint_widget.js", &[]).is_none());
        assert!(
            get("/touchpoint.js.br", &[]).is_none(),
            "twins are not files"
        );
        assert!(get("/sub", &[]).is_none());
        assert!(get("touchpoint.js", &[]).is_none(), "not a path");
        let post = files().respond(&Method::POST, "/touchpoint.js", &HeaderMap::new());
        assert!(post.is_none());
    }
}
