//! Campaigns as code, both ways: `touchpoint campaigns push DIR` publishes a folder of
//! campaign files as new versions (only the changed ones), `touchpoint campaigns pull DIR`
//! writes each published campaign's live source back as `<id>.toml`, byte for byte, so a
//! pull followed by a push changes nothing. Both run against the database directly
//! ([`Target::Local`]) or against a running server's workspace API ([`Target::Remote`]), and
//! `serve --campaigns DIR` pushes its folder at start-up through the same [`push`].
use crate::catalog::{read_dir_files, report_text, CatalogError};
use crate::documents::{self, Change, DocumentError};
use crate::store::{CampaignState, PublishOutcome, Store};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where campaigns are pushed to and pulled from.
#[derive(Clone)]
pub enum Target {
    /// The database itself.
    Local(Arc<dyn Store>),
    /// A running server's workspace API.
    Remote(Remote),
}

/// A running server: its base URL and an API token.
#[derive(Debug, Clone)]
pub struct Remote {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Remote {
    /// A client of the server at `base` (`http://host:port`) with `token`.
    pub fn new(base: &str, token: &str) -> Self {
        Self {
            client: reqwest::Client::new(),
            base: base.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
        }
    }
}

/// Why a push or pull stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The folder could not be read.
    #[error(transparent)]
    Read(#[from] CatalogError),
    /// Some files do not validate: the report `touchpoint check` prints. Nothing was pushed.
    #[error("{0}\nnothing was pushed")]
    Invalid(String),
    /// A change was refused (locally).
    #[error("{id}: {source}")]
    Document {
        /// The campaign.
        id: String,
        /// Why.
        #[source]
        source: DocumentError,
    },
    /// Reading the database failed (a local pull).
    #[error("reading the campaigns: {0}")]
    Local(#[source] DocumentError),
    /// A pulled file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The server could not be reached, or answered something that is not the API.
    #[error("{url}: {source}")]
    Http {
        /// The request's URL.
        url: String,
        /// The client's error.
        #[source]
        source: reqwest::Error,
    },
    /// The server refused a request.
    #[error("{url}: {status}: {message}")]
    Refused {
        /// The request's URL.
        url: String,
        /// Its status.
        status: reqwest::StatusCode,
        /// The server's message (and diagnostics, one per line).
        message: String,
    },
}

/// What a push did to one campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// The campaign.
    pub id: String,
    /// The file it came from.
    pub file: String,
    /// Created or unchanged, with the version and state.
    pub outcome: PublishOutcome,
}

impl std::fmt::Display for Pushed {
    /// `tips: unchanged (v2)`, `tips: v3 published`, `tips: v3 stored (paused)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.outcome {
            PublishOutcome::Unchanged { version, .. } => {
                write!(f, "{}: unchanged (v{version})", self.id)
            }
            PublishOutcome::Created {
                version,
                state: CampaignState::Published,
            } => write!(f, "{}: v{version} published", self.id),
            PublishOutcome::Created { version, state } => {
                write!(f, "{}: v{version} stored ({state})", self.id)
            }
        }
    }
}

/// Validate every file of `dir` as `touchpoint check` does and, only when all pass, publish
/// each campaign whose source changed. Campaigns in the database but not in the folder are
/// left as they are.
///
/// # Errors
/// An unreadable folder, any invalid file (nothing is pushed), or a refused or failed
/// publish (the campaigns before it were pushed).
pub async fn push(
    target: &Target,
    dir: &Path,
    author: &str,
    note: &str,
    now: i64,
) -> Result<Vec<Pushed>, SyncError> {
    let files = read_dir_files(dir)?;
    let report = touchpoint_authoring::files::check_files(
        files.iter().map(|(n, t)| (n.as_str(), t.as_str())),
    );
    if !report.is_ok() {
        return Err(SyncError::Invalid(report_text(&report.diagnostics, dir)));
    }
    let mut pushed = Vec::with_capacity(report.campaigns.len());
    for (file, campaign) in report.campaigns {
        let source = files
            .iter()
            .find(|(n, _)| *n == file)
            .map_or("", |(_, t)| t.as_str());
        let outcome = match target {
            Target::Local(store) => {
                let change = Change { author, note, now };
                documents::publish(store.as_ref(), &campaign.id, source, change)
                    .await
                    .map_err(|source| SyncError::Document {
                        id: campaign.id.clone(),
                        source,
                    })?
            }
            Target::Remote(r) => {
                let url = format!(
                    "{}/workspace/api/campaigns/{}/versions",
                    r.base, campaign.id
                );
                // The server records the token's actor as the author.
                let body = serde_json::json!({ "source": source, "note": note });
                let req = r.client.post(&url).bearer_auth(&r.token).json(&body);
                answer(req, &url).await?
            }
        };
        pushed.push(Pushed {
            id: campaign.id.clone(),
            file,
            outcome,
        });
    }
    Ok(pushed)
}

/// Write the live version of every published or paused campaign as `dir/<id>.toml`
/// (creating `dir`), exactly as stored; returns `(id, version)` of each file written.
///
/// # Errors
/// A failed read or a file that cannot be written.
pub async fn pull(target: &Target, dir: &Path) -> Result<Vec<(String, i64)>, SyncError> {
    let sources = match target {
        Target::Local(store) => {
            local_sources(store.as_ref())
                .await
                .map_err(|source| SyncError::Document {
                    id: "*".into(),
                    source,
                })?
        }
        Target::Remote(r) => remote_sources(r).await?,
    };
    std::fs::create_dir_all(dir).map_err(|source| SyncError::Write {
        path: dir.to_owned(),
        source,
    })?;
    let mut written = Vec::with_capacity(sources.len());
    for (id, version, source) in sources {
        let path = dir.join(format!("{id}.toml"));
        std::fs::write(&path, source.as_bytes()).map_err(|source| SyncError::Write {
            path: path.clone(),
            source,
        })?;
        written.push((id, version));
    }
    Ok(written)
}

fn pulled(state: CampaignState) -> bool {
    matches!(state, CampaignState::Published | CampaignState::Paused)
}

async fn local_sources(store: &dyn Store) -> Result<Vec<(String, i64, String)>, DocumentError> {
    let mut out = Vec::new();
    for c in store.campaigns().await? {
        let Some(live) = c.live_version.filter(|_| pulled(c.state)) else {
            continue;
        };
        if let Some(v) = store.version(&c.id, live).await? {
            out.push((c.id, live, v.source));
        }
    }
    Ok(out)
}

#[derive(Deserialize)]
struct ListBody {
    campaigns: Vec<ListedBody>,
}

#[derive(Deserialize)]
struct ListedBody {
    id: String,
    state: CampaignState,
    live_version: Option<i64>,
}

#[derive(Deserialize)]
struct VersionBody {
    source: String,
}

async fn remote_sources(r: &Remote) -> Result<Vec<(String, i64, String)>, SyncError> {
    let url = format!("{}/workspace/api/campaigns", r.base);
    let list: ListBody = answer(r.client.get(&url).bearer_auth(&r.token), &url).await?;
    let mut out = Vec::new();
    for c in list.campaigns {
        let Some(live) = c.live_version.filter(|_| pulled(c.state)) else {
            continue;
        };
        let url = format!(
            "{}/workspace/api/campaigns/{}/versions/{live}",
            r.base, c.id
        );
        let v: VersionBody = answer(r.client.get(&url).bearer_auth(&r.token), &url).await?;
        out.push((c.id, live, v.source));
    }
    Ok(out)
}

/// Send a request and read its JSON answer, or the server's error message and diagnostics.
async fn answer<T: serde::de::DeserializeOwned>(
    req: reqwest::RequestBuilder,
    url: &str,
) -> Result<T, SyncError> {
    let http = |source| SyncError::Http {
        url: url.to_owned(),
        source,
    };
    let res = req.send().await.map_err(http)?;
    let status = res.status();
    if status.is_success() {
        return res.json().await.map_err(http);
    }
    let body: serde_json::Value = res.json().await.unwrap_or_default();
    let mut message = body["error"]["message"]
        .as_str()
        .unwrap_or("no message")
        .to_owned();
    if let Some(diags) = body["error"]["diagnostics"].as_array() {
        for d in diags {
            message.push_str(&format!(
                "\n{}:{}:{}: {}: {}",
                d["file"].as_str().unwrap_or(""),
                d["line"],
                d["column"],
                d["path"].as_str().unwrap_or(""),
                d["message"].as_str().unwrap_or("")
            ));
        }
    }
    Err(SyncError::Refused {
        url: url.to_owned(),
        status,
        message,
    })
}
