//! Who may do what in the workspace: three roles in a strict order, so that "at least an
//! editor" is a comparison. Shared by the store (a role column), the CLI and the workspace.
use std::fmt;
use std::str::FromStr;

/// A workspace role. `Viewer < Editor < Admin`: each can do everything the one below it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads campaigns, results and history.
    Viewer,
    /// Also edits, publishes, pauses and archives campaigns.
    Editor,
    /// Also manages users and API tokens and reads the audit log.
    Admin,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Self; 3] = [Self::Viewer, Self::Editor, Self::Admin];

    /// The stored and typed spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Editor => "editor",
            Self::Admin => "admin",
        }
    }

    /// The role just below this one, if any (what a "too low" test uses).
    pub fn below(self) -> Option<Self> {
        match self {
            Self::Viewer => None,
            Self::Editor => Some(Self::Viewer),
            Self::Admin => Some(Self::Editor),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of `admin`, `editor`, `viewer`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected admin, editor or viewer")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

impl<'de> serde::Deserialize<'de> for Role {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_round_trip() {
        assert!(Role::Viewer < Role::Editor && Role::Editor < Role::Admin);
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert_eq!(
            "owner".parse::<Role>().unwrap_err().to_string(),
            "unknown role \"owner\": expected admin, editor or viewer"
        );
        assert_eq!(Role::Admin.below(), Some(Role::Editor));
        assert_eq!(Role::Viewer.below(), None);
    }
}
