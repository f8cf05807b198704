//! The workspace's secrets: random tokens (session cookies, CSRF tokens, API tokens), their
//! SHA-256 as stored, and argon2id password hashes. Nothing else in the crate touches
//! randomness or password hashing.
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::Argon2;
use base64::Engine as _;
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use std::sync::LazyLock;

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// A password that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Too short.
    #[error("the password must have at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    /// Hashing failed (the parameters are fixed, so this does not happen in practice).
    #[error("cannot hash the password: {0}")]
    Hash(String),
}

/// 32 random bytes as unpadded base64url (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A new API token: a recognisable prefix, then a random token.
pub fn new_api_token() -> String {
    format!("tp_{}", random_token())
}

/// Hex SHA-256, how tokens and session keys are stored and looked up.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// An argon2id PHC string for a password (OWASP's default parameters, a random salt).
///
/// # Errors
/// [`PasswordError::TooShort`] below [`MIN_PASSWORD_CHARS`].
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// A hash nobody's password matches, verified against when the email is unknown so that a
/// wrong email takes as long as a wrong password.
static DECOY: LazyLock<String> =
    LazyLock::new(|| hash_password(&random_token()).unwrap_or_default());

/// Whether `password` matches the PHC string `hash` (with `None`, the decoy: always false,
/// at the same cost).
pub fn verify_password(password: &str, hash: Option<&str>) -> bool {
    let phc = hash.unwrap_or(DECOY.as_str());
    let ok = PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    });
    ok && hash.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_to_argon2id_and_verify() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse battery", Some(&h)));
        assert!(!verify_password("wrong horse battery", Some(&h)));
        assert!(!verify_password("correct horse battery", None));
        assert_eq!(hash_password("short"), Err(PasswordError::TooShort));
    }

    #[test]
    fn tokens_are_random_and_url_safe() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert!(new_api_token().starts_with("tp_"));
        assert_eq!(sha256_hex("abc").len(), 64);
    }
}
