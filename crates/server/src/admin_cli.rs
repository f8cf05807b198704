//! `touchpoint admin ...`: the accounts an operator creates before anyone can sign in —
//! users (with a password read from the terminal without echo, or from stdin in scripts) and
//! API tokens (printed once, stored as a hash). Each change is written to the audit log as
//! actor `cli`.
use crate::role::Role;
use crate::store::{AuditEntry, NewToken, NewUser, Store, StoreError};
use crate::workspace::admin::valid_email;
use crate::workspace::secret::{hash_password, new_api_token, sha256_hex, PasswordError};

/// A command of `touchpoint admin`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminCommand {
    /// Add a user.
    CreateUser {
        /// Their email.
        email: String,
        /// Their role.
        role: Role,
    },
    /// List users.
    ListUsers,
    /// Give a user a new password (their sessions end).
    ResetPassword {
        /// Their email.
        email: String,
    },
    /// Create an API token.
    CreateToken {
        /// Its name.
        name: String,
        /// Its role.
        role: Role,
    },
}

/// Why an admin command failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Not an email address.
    #[error("{0:?} is not an email address")]
    BadEmail(String),
    /// No user with this email.
    #[error("no user {0}")]
    NoUser(String),
    /// A token name that is empty or too long.
    #[error("a token needs a name of 1 to 100 characters")]
    BadName,
    /// The password cannot be used.
    #[error(transparent)]
    Password(#[from] PasswordError),
    /// The password could not be read.
    #[error("cannot read the password: {0}")]
    ReadPassword(#[source] std::io::Error),
    /// Storage failed or a name is taken.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Run one command; `password` is asked for only by the commands that set one. Returns what
/// to print.
///
/// # Errors
/// See [`AdminError`].
pub async fn run(
    store: &dyn Store,
    command: AdminCommand,
    now: i64,
    password: &dyn Fn() -> std::io::Result<String>,
) -> Result<String, AdminError> {
    let audit = |action: &str, subject: &str, detail: serde_json::Value| AuditEntry {
        at: now,
        actor: "cli".into(),
        action: action.into(),
        subject: subject.into(),
        detail: detail.to_string(),
    };
    match command {
        AdminCommand::CreateUser { email, role } => {
            let email = email.trim().to_lowercase();
            if !valid_email(&email) {
                return Err(AdminError::BadEmail(email));
            }
            let hash = hash_password(&password().map_err(AdminError::ReadPassword)?)?;
            let user = store
                .create_user(&NewUser {
                    email: email.clone(),
                    role,
                    password_hash: hash,
                    created_at: now,
                })
                .await?;
            store
                .append_audit(&audit(
                    "user.create",
                    &email,
                    serde_json::json!({ "role": role }),
                ))
                .await?;
            Ok(format!("created {} ({})", user.email, user.role))
        }
        AdminCommand::ListUsers => {
            let users = store.list_users().await?;
            let mut out = String::new();
            for u in users {
                let status = if u.disabled { "disabled" } else { "active" };
                out.push_str(&format!("{}\t{}\t{status}\n", u.email, u.role));
            }
            Ok(out.trim_end().to_owned())
        }
        AdminCommand::ResetPassword { email } => {
            let email = email.trim().to_lowercase();
            let user = store
                .user_by_email(&email)
                .await?
                .ok_or_else(|| AdminError::NoUser(email.clone()))?;
            let hash = hash_password(&password().map_err(AdminError::ReadPassword)?)?;
            store.set_password(user.id, &hash).await?;
            let ended = store.delete_user_sessions(user.id).await?;
            store
                .append_audit(&audit(
                    "user.reset_password",
                    &email,
                    serde_json::json!({ "sessions_ended": ended }),
                ))
                .await?;
            Ok(format!("password of {email} reset; {ended} sessions ended"))
        }
        AdminCommand::CreateToken { name, role } => {
            let name = name.trim().to_owned();
            if name.is_empty() || name.len() > 100 {
                return Err(AdminError::BadName);
            }
            let token = new_api_token();
            store
                .create_token(&NewToken {
                    name: name.clone(),
                    role,
                    token_sha256: sha256_hex(&token),
                    created_at: now,
                })
                .await?;
            store
                .append_audit(&audit(
                    "token.create",
                    &name,
                    serde_json::json!({ "role": role }),
                ))
                .await?;
            Ok(token)
        }
    }
}
