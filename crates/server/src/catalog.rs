//! The campaign catalog the collector serves: campaigns-as-code loaded from a folder of TOML
//! files, validated by `touchpoint-authoring`, with the vendor's policy (the configuration's
//! `[policy]`), serialised once into the compiled JSON the widget fetches
//! (`touchpoint_core::campaign::compiled`), with an ETag so unchanged catalogs cost a 304.
//! A preview or simulation on the server decides under [`Catalog::policy`], as the widget
//! does under the policy it reads from the JSON.
use sha2::{Digest, Sha256};
use std::path::Path;
use touchpoint_core::campaign::compiled;
use touchpoint_core::{Campaign, Policy};

/// Validated campaigns and their wire form.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// The validated campaigns.
    pub campaigns: Vec<Campaign>,
    /// The vendor's decision policy, sent with the campaigns.
    pub policy: Policy,
    /// The compiled catalog, `{"version": 1, "policy": {...}, "campaigns": [...]}`, as
    /// served to widgets.
    pub json: std::sync::Arc<str>,
    /// Strong ETag of `json`.
    pub etag: String,
}

/// Why a folder of campaigns could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A file or the folder could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The path.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// One or more campaigns are invalid; the message lists every problem.
    #[error("{0}")]
    Invalid(String),
}

impl Catalog {
    /// Build a catalog from validated campaigns, under the default policy.
    pub fn new(campaigns: Vec<Campaign>) -> Self {
        Self::compile(campaigns, touchpoint_authoring::policy::defaults())
    }

    /// The same campaigns under `policy` (the configuration's).
    #[must_use]
    pub fn with_policy(self, policy: Policy) -> Self {
        Self::compile(self.campaigns, policy)
    }

    fn compile(campaigns: Vec<Campaign>, policy: Policy) -> Self {
        // The model's and the policy's `Serialize` write strings, numbers, lists and maps
        // with string keys only, so serde_json cannot refuse them.
        let json = serde_json::to_string(&compiled::Catalog::new(&campaigns).with_policy(&policy))
            .expect("a catalog serialises");
        let etag = format!("\"{:x}\"", Sha256::digest(json.as_bytes()));
        Self {
            campaigns,
            policy,
            json: json.into(),
            etag,
        }
    }

    /// Build a catalog from stored sources `(campaign id, TOML)` under `policy`. The sources
    /// were validated when they were published, but a newer release may validate more
    /// strictly: a source that no longer passes is left out alone, and its diagnostics are
    /// returned so the caller can log them.
    pub fn from_sources(
        sources: &[(String, String)],
        policy: Policy,
    ) -> (Self, Vec<touchpoint_authoring::diagnostic::Diagnostic>) {
        let names: Vec<String> = sources.iter().map(|(id, _)| format!("{id}.toml")).collect();
        let report = touchpoint_authoring::files::check_files(
            names
                .iter()
                .zip(sources)
                .map(|(n, (_, text))| (n.as_str(), text.as_str())),
        );
        let campaigns = report.campaigns.into_iter().map(|(_, c)| c).collect();
        (Self::compile(campaigns, policy), report.diagnostics)
    }

    /// Load every `*.toml` file of `dir`, in name order, validating each.
    ///
    /// # Errors
    /// When the folder or a file cannot be read, or any campaign is invalid: every problem of
    /// every file is reported together, compiler-style (file:line:col, field path, caret).
    pub fn load_dir(dir: &Path) -> Result<Self, CatalogError> {
        let files = read_dir_files(dir)?;
        let report = touchpoint_authoring::files::check_files(
            files.iter().map(|(n, t)| (n.as_str(), t.as_str())),
        );
        if report.is_ok() {
            Ok(Self::new(
                report.campaigns.into_iter().map(|(_, c)| c).collect(),
            ))
        } else {
            Err(CatalogError::Invalid(report_text(&report.diagnostics, dir)))
        }
    }
}

/// Every `*.toml` file of `dir` as `(path, text)`, in name order.
///
/// # Errors
/// When the folder or a file cannot be read.
pub fn read_dir_files(dir: &Path) -> Result<Vec<(String, String)>, CatalogError> {
    let read_err = |path: &Path| {
        let path = path.display().to_string();
        move |source| CatalogError::Read { path, source }
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(read_err(dir))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(read_err(&path))?;
        files.push((path.display().to_string(), text));
    }
    Ok(files)
}

/// The report `touchpoint check` prints: every diagnostic, then `N errors in DIR`.
pub fn report_text(
    diagnostics: &[touchpoint_authoring::diagnostic::Diagnostic],
    dir: &Path,
) -> String {
    let n = diagnostics.len();
    let mut text: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    text.push(format!(
        "{n} error{} in {}",
        if n == 1 { "" } else { "s" },
        dir.display()
    ));
    text.join("\n")
}
