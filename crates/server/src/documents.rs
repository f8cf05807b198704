//! Campaigns as versioned documents: the rules every way of changing a campaign shares — the
//! workspace API, `touchpoint campaigns push` against a local database, and `serve
//! --campaigns` at start-up. A source is validated exactly as `touchpoint check` validates a
//! file, must carry the id it is published under, and becomes a version only when it differs
//! from the latest one; a rollback publishes an older version's source as a new version.
use crate::store::{
    CampaignState, NewVersion, PublishOutcome, Refusal, Store, StoreError, TransitionError,
};
use touchpoint_authoring::diagnostic::Diagnostic;
use touchpoint_core::Campaign;

/// Why a change to a campaign document was not made.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The source does not validate; every problem, as `touchpoint check` reports them.
    #[error("the campaign has {} error{}:\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" },
        .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Diagnostic>),
    /// The source's `id` is not the campaign it is published as.
    #[error("the source defines campaign `{found}`, not `{expected}`")]
    IdMismatch {
        /// The campaign in the request.
        expected: String,
        /// The `id` in the source.
        found: String,
    },
    /// No campaign has this id.
    #[error("no campaign `{0}`")]
    UnknownCampaign(String),
    /// The campaign has no such version.
    #[error("campaign `{campaign}` has no version {version}")]
    UnknownVersion {
        /// The campaign.
        campaign: String,
        /// The version asked for.
        version: i64,
    },
    /// The lifecycle does not allow it.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<Refusal> for DocumentError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::UnknownCampaign(id) => Self::UnknownCampaign(id),
            Refusal::Transition(t) => Self::Transition(t),
        }
    }
}

/// Validate one campaign source as `touchpoint check` would a file named `<name>.toml`.
///
/// # Errors
/// Every diagnostic.
pub fn check_source(name: &str, source: &str) -> Result<Campaign, Vec<Diagnostic>> {
    let file = format!("{name}.toml");
    let mut report = touchpoint_authoring::files::check_files([(file.as_str(), source)]);
    if report.is_ok() {
        Ok(report.campaigns.remove(0).1)
    } else {
        Err(report.diagnostics)
    }
}

/// Who publishes what, and why.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    /// The person or tool (the signed-in actor, once the workspace has sign-in).
    pub author: &'a str,
    /// A note kept with the version.
    pub note: &'a str,
    /// Unix millis.
    pub now: i64,
}

/// Validate `source` and publish it as campaign `id` (a new campaign is created). An
/// unchanged source creates no version.
///
/// # Errors
/// [`DocumentError::Invalid`] (nothing is stored), [`DocumentError::IdMismatch`],
/// [`DocumentError::Transition`] for an archived campaign, or a storage failure.
pub async fn publish(
    store: &dyn Store,
    id: &str,
    source: &str,
    change: Change<'_>,
) -> Result<PublishOutcome, DocumentError> {
    add(store, id, source, change, true).await
}

/// Validate `source` and save it as a new version of `id` without publishing it: a new
/// campaign is a draft, a published one keeps serving its live version.
///
/// # Errors
/// As [`publish`].
pub async fn save_draft(
    store: &dyn Store,
    id: &str,
    source: &str,
    change: Change<'_>,
) -> Result<PublishOutcome, DocumentError> {
    add(store, id, source, change, false).await
}

async fn add(
    store: &dyn Store,
    id: &str,
    source: &str,
    change: Change<'_>,
    publish: bool,
) -> Result<PublishOutcome, DocumentError> {
    let campaign = check_source(id, source).map_err(DocumentError::Invalid)?;
    if campaign.id != id {
        return Err(DocumentError::IdMismatch {
            expected: id.to_owned(),
            found: campaign.id.clone(),
        });
    }
    let new = NewVersion::new(id, source, change.author, change.note, change.now, publish);
    Ok(store.add_version(&new).await??)
}

/// Publish version `version`'s source again as a new version, noted `rollback to vN`.
///
/// # Errors
/// An unknown campaign or version, an archived campaign, or a storage failure.
pub async fn rollback(
    store: &dyn Store,
    id: &str,
    version: i64,
    change: Change<'_>,
) -> Result<PublishOutcome, DocumentError> {
    let old = store
        .version(id, version)
        .await?
        .ok_or_else(|| DocumentError::UnknownVersion {
            campaign: id.to_owned(),
            version,
        })?;
    let note = format!("rollback to v{version}");
    publish(
        store,
        id,
        &old.source,
        Change {
            note: &note,
            ..change
        },
    )
    .await
}

/// Pause, resume (`published`), archive or restore (`paused` from archived).
///
/// # Errors
/// An unknown campaign, an illegal transition, or a storage failure.
pub async fn set_state(
    store: &dyn Store,
    id: &str,
    to: CampaignState,
    now: i64,
) -> Result<crate::store::CampaignRecord, DocumentError> {
    Ok(store.set_campaign_state(id, to, now).await??)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_is_checked_as_a_file_of_its_name() {
        let bad = "id = \"x\"\nname = \"X\"\ngoal = \"adoption\"\n[trigger]\non = \"nope\"\n";
        let errs = check_source("x", bad).unwrap_err();
        assert!(!errs.is_empty());
        assert_eq!(errs[0].file, "x.toml");
    }
}
