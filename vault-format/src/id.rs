//! The vault id (SPEC.md §2.4).

use std::fmt;
use std::str::FromStr;

use rand::RngCore;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::hex;

/// A vault's identifier: 16 random bytes, written as 32 lowercase hex digits
/// (SPEC.md §2.4). Not secret; it salts both code derivations (SPEC.md §4).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VaultId([u8; 16]);

/// The string is not 32 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a vault id is 32 lowercase hexadecimal digits")]
pub struct InvalidVaultId;

impl VaultId {
    /// Draws a fresh vault id from the operating system's CSPRNG.
    pub fn generate() -> Self {
        let mut b = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut b);
        VaultId(b)
    }

    /// Wraps raw bytes.
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        VaultId(bytes)
    }

    /// The raw bytes, as used in the Argon2id salt (SPEC.md §4).
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl FromStr for VaultId {
    type Err = InvalidVaultId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        hex::decode_array::<16>(s).map(VaultId).ok_or(InvalidVaultId)
    }
}

impl fmt::Display for VaultId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(&self.0))
    }
}

impl fmt::Debug for VaultId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VaultId({self})")
    }
}

impl Serialize for VaultId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for VaultId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Serde helper: an age X25519 recipient as its `age1…` string.
pub(crate) mod recipient_serde {
    use age::x25519::Recipient;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(r: &Recipient, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(r)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Recipient, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        if !s.starts_with("age1") {
            return Err(serde::de::Error::custom("pin_recipient: not an age X25519 recipient"));
        }
        s.parse::<Recipient>().map_err(|e| serde::de::Error::custom(format_args!("pin_recipient: {e}")))
    }
}
