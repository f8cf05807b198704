//! Identity verification: the vendor's backend signs each user id with
//! `HMAC-SHA256(secret, user_id)` (hex), the widget passes it along, and the collector checks
//! it, so nobody can post engagements or read history as another user.
use crate::config::{Identity, Secret};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The verdict on one event's identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Accept.
    Ok,
    /// A user id without a hash where one is required.
    Missing,
    /// A hash that does not match.
    Wrong,
}

/// Check `user_hash` for `user_id` under the environment's policy. Events without a user id
/// (anonymous) need no signature.
pub fn verify(identity: &Identity, user_id: Option<&str>, user_hash: Option<&str>) -> Verdict {
    let Some(user_id) = user_id else {
        return Verdict::Ok;
    };
    match (identity, user_hash) {
        (Identity::Off, _) | (Identity::Optional(_), None) => Verdict::Ok,
        (Identity::Enforced(_), None) => Verdict::Missing,
        (Identity::Optional(secret) | Identity::Enforced(secret), Some(hash)) => {
            if matches(secret, user_id, hash) {
                Verdict::Ok
            } else {
                Verdict::Wrong
            }
        }
    }
}

fn matches(secret: &Secret, user_id: &str, hash_hex: &str) -> bool {
    let Ok(given) = hex::decode(hash_hex) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.0.as_bytes()) else {
        return false;
    };
    mac.update(user_id.as_bytes());
    mac.verify_slice(&given).is_ok()
}

/// `HMAC-SHA256(secret, user_id)` as lowercase hex: what a vendor's backend computes.
pub fn sign(secret: &str, user_id: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(user_id.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            sign("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn policies() {
        let s = Secret("k".into());
        let good = sign("k", "u1");
        assert_eq!(
            verify(&Identity::Enforced(s.clone()), Some("u1"), Some(&good)),
            Verdict::Ok
        );
        assert_eq!(
            verify(&Identity::Enforced(s.clone()), Some("u1"), None),
            Verdict::Missing
        );
        assert_eq!(
            verify(&Identity::Enforced(s.clone()), Some("u2"), Some(&good)),
            Verdict::Wrong
        );
        assert_eq!(
            verify(&Identity::Enforced(s.clone()), None, None),
            Verdict::Ok,
            "anonymous"
        );
        assert_eq!(
            verify(&Identity::Optional(s.clone()), Some("u1"), None),
            Verdict::Ok
        );
        assert_eq!(
            verify(&Identity::Optional(s), Some("u1"), Some("zz")),
            Verdict::Wrong
        );
        assert_eq!(verify(&Identity::Off, Some("u1"), Some("zz")), Verdict::Ok);
    }
}
