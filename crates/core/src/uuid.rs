//! UUIDv7 event ids (RFC 9562), without a random generator inside the crate.
//!
//! Event ids are made by the client (so retries deduplicate) and checked by the collector.
//! The caller supplies the clock reading and the random bytes; this module only lays out
//! the bits, formats and parses.
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A UUID (any version parses; [`Uuid::is_v7`] tells whether it is a v7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Uuid([u8; 16]);

/// Why a text is not a UUID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UuidError {
    /// Not 36 characters in the 8-4-4-4-12 layout.
    #[error("expected a UUID like 0190b6e5-7c3a-7def-8a12-3456789abcde, found \"{0}\"")]
    Format(String),
    /// A UUID, but not version 7 with the RFC 9562 variant.
    #[error("expected a version 7 UUID, found version {0}")]
    NotV7(u8),
}

impl Uuid {
    /// Build a v7 UUID from a Unix time in milliseconds (48 bits used) and 10 random bytes
    /// (74 bits used: `rand[0]` low 4 bits, `rand[1]`, `rand[2]` low 6 bits, `rand[3..10]`).
    ///
    /// # Example
    /// ```
    /// use touchpoint_core::uuid::Uuid;
    /// let id = Uuid::v7(0x0190_b6e5_7c3a, [0xff; 10]);
    /// assert_eq!(id.to_string(), "0190b6e5-7c3a-7fff-bfff-ffffffffffff");
    /// assert_eq!(id.timestamp_ms(), 0x0190_b6e5_7c3a);
    /// ```
    pub const fn v7(unix_ms: u64, rand: [u8; 10]) -> Uuid {
        let t = unix_ms.to_be_bytes();
        Uuid([
            t[2],
            t[3],
            t[4],
            t[5],
            t[6],
            t[7],
            0x70 | (rand[0] & 0x0f),
            rand[1],
            0x80 | (rand[2] & 0x3f),
            rand[3],
            rand[4],
            rand[5],
            rand[6],
            rand[7],
            rand[8],
            rand[9],
        ])
    }

    /// The 16 bytes.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The version nibble.
    pub const fn version(&self) -> u8 {
        self.0[6] >> 4
    }

    /// Whether this is a version 7 UUID with the RFC 9562 variant.
    pub const fn is_v7(&self) -> bool {
        self.version() == 7 && self.0[8] & 0xc0 == 0x80
    }

    /// The embedded Unix milliseconds (meaningful for v7).
    pub const fn timestamp_ms(&self) -> u64 {
        let b = self.0;
        u64::from_be_bytes([0, 0, b[0], b[1], b[2], b[3], b[4], b[5]])
    }

    /// Parse the hyphenated form (case-insensitive), any version.
    ///
    /// # Errors
    /// [`UuidError::Format`] for anything else.
    pub fn parse(text: &str) -> Result<Uuid, UuidError> {
        let bad = || UuidError::Format(text.chars().take(64).collect());
        let b = text.as_bytes();
        if b.len() != 36 {
            return Err(bad());
        }
        let mut out = [0u8; 16];
        let mut n = 0;
        let mut i = 0;
        while i < 36 {
            if matches!(i, 8 | 13 | 18 | 23) {
                if b[i] != b'-' {
                    return Err(bad());
                }
                i += 1;
                continue;
            }
            let hi = hex(b[i]).ok_or_else(bad)?;
            let lo = hex(b[i + 1]).ok_or_else(bad)?;
            out[n] = hi << 4 | lo;
            n += 1;
            i += 2;
        }
        Ok(Uuid(out))
    }

    /// Parse and require a v7 UUID.
    ///
    /// # Errors
    /// [`UuidError::Format`] or [`UuidError::NotV7`].
    pub fn parse_v7(text: &str) -> Result<Uuid, UuidError> {
        let id = Uuid::parse(text)?;
        if id.is_v7() {
            Ok(id)
        } else {
            Err(UuidError::NotV7(id.version()))
        }
    }
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, byte) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl FromStr for Uuid {
    type Err = UuidError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse(s)
    }
}

impl Serialize for Uuid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Uuid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Uuid::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn v7_layout_vector() {
        // RFC 9562 appendix A.6 example: 017F22E2-79B0-7CC3-98C4-DC0C0C07398F.
        let id = Uuid::v7(
            0x017F_22E2_79B0,
            [0x0C, 0xC3, 0x18, 0xC4, 0xDC, 0x0C, 0x0C, 0x07, 0x39, 0x8F],
        );
        assert_eq!(id.to_string(), "017f22e2-79b0-7cc3-98c4-dc0c0c07398f");
        assert!(id.is_v7());
        assert_eq!(
            Uuid::parse_v7("017F22E2-79B0-7CC3-98C4-DC0C0C07398F"),
            Ok(id)
        );
    }

    #[test]
    fn rejects_bad_text_and_other_versions() {
        assert!(matches!(Uuid::parse("nope"), Err(UuidError::Format(_))));
        assert!(matches!(
            Uuid::parse("017f22e2x79b0-7cc3-98c4-dc0c0c07398f"),
            Err(UuidError::Format(_))
        ));
        assert!(matches!(
            Uuid::parse("017f22e2-79b0-7cc3-98c4-dc0c0c07398g"),
            Err(UuidError::Format(_))
        ));
        assert_eq!(
            Uuid::parse_v7("550e8400-e29b-41d4-a716-446655440000"),
            Err(UuidError::NotV7(4))
        );
        assert!(Uuid::parse("é".repeat(18).as_str()).is_err());
    }

    #[test]
    fn serde_is_the_string_form() {
        let id = Uuid::v7(1, [0; 10]);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"00000000-0001-7000-8000-000000000000\"");
        assert_eq!(serde_json::from_str::<Uuid>(&json).unwrap(), id);
    }
}
