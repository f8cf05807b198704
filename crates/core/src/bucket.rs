//! Stable bucketing for holdouts and A/B variants.
//!
//! The widget and the server must put a user in the same bucket on every device, so the
//! hash is fixed and documented here (and pinned by test vectors):
//!
//! ```text
//! key    = salt ++ ":" ++ campaign_id ++ ":" ++ unit_id        (UTF-8 bytes)
//! h      = FNV-1a 64 (offset 0xcbf29ce484222325, prime 0x100000001b3) over key
//! h      = fmix64(h)   (MurmurHash3 finaliser: x ^= x>>33; x *= 0xff51afd7ed558ccd;
//!                       x ^= x>>33; x *= 0xc4ceb9fe1a85ec53; x ^= x>>33)
//! bucket = h mod 10_000                                          (basis points)
//! ```
//!
//! The salt is `holdout` for holdout assignment and `variant` for variant assignment, so
//! the two are independent. FNV-1a alone has weak low bits on near-identical keys such as
//! `user-1`, `user-2`; the finaliser spreads them.
//!
//! The unit is a [`Unit`], never empty: users without any id cannot all fall into the bucket
//! of `""` (see [`User::bucketing_id`](crate::context::User::bucketing_id)).

/// Buckets per unit: assignment works in basis points (1/100 of a percent).
pub const BUCKETS: u32 = 10_000;

/// Salt for holdout assignment.
pub const HOLDOUT_SALT: &str = "holdout";
/// Salt for variant assignment.
pub const VARIANT_SALT: &str = "variant";

/// FNV-1a 64-bit hash.
pub const fn fnv1a64(bytes: &[u8]) -> u64 {
    fnv1a64_more(0xcbf2_9ce4_8422_2325, bytes)
}

/// An FNV-1a 64-bit hash `h` continued over `bytes` (hashing a key in parts gives the hash
/// of the whole key).
pub const fn fnv1a64_more(mut h: u64, bytes: &[u8]) -> u64 {
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    h
}

/// The hash that indexes a campaign id in the history (FNV-1a 64 and the finaliser, no
/// salt); campaigns keep theirs, so finding one in the history need not read its id.
pub(crate) fn id_hash(id: &str) -> u64 {
    fmix64(fnv1a64(id.as_bytes()))
}

/// MurmurHash3's 64-bit finaliser.
pub const fn fmix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^= x >> 33;
    x
}

/// The bucket (0..10 000) of `unit_id` for `campaign_id` under `salt`.
///
/// # Example
/// ```
/// use touchpoint_core::bucket::{bucket, HOLDOUT_SALT};
/// let b = bucket(HOLDOUT_SALT, "nps-quarterly", "user-42");
/// assert!(b < 10_000);
/// assert_eq!(b, bucket(HOLDOUT_SALT, "nps-quarterly", "user-42"));
/// ```
pub fn bucket(salt: &str, campaign_id: &str, unit_id: &str) -> u32 {
    // Hash incrementally: same result as hashing the concatenated key, without allocating.
    let mut h = fnv1a64(salt.as_bytes());
    for part in [b":", campaign_id.as_bytes(), b":", unit_id.as_bytes()] {
        h = fnv1a64_more(h, part);
    }
    (fmix64(h) % u64::from(BUCKETS)) as u32
}

/// The id a user is bucketed by: a user id or an anonymous id, never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unit<'a>(&'a str);

impl<'a> Unit<'a> {
    /// `id` as a bucketing unit; `None` for the empty string, which would put every user
    /// without an id in one shared bucket.
    ///
    /// # Example
    /// ```
    /// use touchpoint_core::bucket::Unit;
    /// assert_eq!(Unit::new("user-42").map(Unit::as_str), Some("user-42"));
    /// assert_eq!(Unit::new(""), None);
    /// ```
    pub fn new(id: &'a str) -> Option<Unit<'a>> {
        (!id.is_empty()).then_some(Unit(id))
    }

    /// The id.
    pub fn as_str(self) -> &'a str {
        self.0
    }
}

/// Whether `unit` is in the holdout of a campaign holding out `holdout_bp` basis points.
pub fn in_holdout(campaign_id: &str, unit: Unit<'_>, holdout_bp: u32) -> bool {
    holdout_bp > 0 && bucket(HOLDOUT_SALT, campaign_id, unit.0) < holdout_bp
}

/// Pick a variant index from weights (any positive scale): the bucket falls into the
/// cumulative weight ranges scaled to 10 000. Returns 0 for an empty or all-zero list.
pub fn pick_variant(campaign_id: &str, unit: Unit<'_>, weights: &[u32]) -> usize {
    let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
    if total == 0 {
        return 0;
    }
    let b = u64::from(bucket(VARIANT_SALT, campaign_id, unit.0));
    let mut acc = 0u64;
    for (i, &w) in weights.iter().enumerate() {
        acc += u64::from(w);
        if b * total < acc * u64::from(BUCKETS) {
            return i;
        }
    }
    weights.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn fnv_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn pinned_buckets() {
        // The server and the widget compute these same numbers; never change them.
        let key = "holdout:nps-quarterly:user-42";
        assert_eq!(
            bucket("holdout", "nps-quarterly", "user-42"),
            (fmix64(fnv1a64(key.as_bytes())) % 10_000) as u32
        );
        assert_eq!(bucket("holdout", "nps-quarterly", "user-42"), PINNED[0]);
        assert_eq!(bucket("variant", "nps-quarterly", "user-42"), PINNED[1]);
        assert_eq!(bucket("holdout", "renewal-reminder", "u_1"), PINNED[2]);
        assert_eq!(bucket("variant", "", ""), PINNED[3]);
    }

    // Computed independently (Python) from the spec in the module docs.
    const PINNED: [u32; 4] = [6263, 1979, 3646, 9846];

    fn unit(id: &str) -> Unit<'_> {
        Unit::new(id).expect("a non-empty id")
    }

    #[test]
    fn variant_ranges() {
        assert_eq!(pick_variant("c", unit("u"), &[]), 0);
        assert_eq!(pick_variant("c", unit("u"), &[100]), 0);
        assert_eq!(pick_variant("c", unit("u"), &[0, 100]), 1);
        let mut counts = [0u32; 2];
        for i in 0..10_000 {
            counts[pick_variant("c", unit(&format!("user-{i}")), &[50, 50])] += 1;
        }
        assert!((4_800..5_200).contains(&counts[0]), "{counts:?}");
    }
}
