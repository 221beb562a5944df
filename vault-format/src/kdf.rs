//! Identity derivation from a typed code (SPEC.md §4).
//!
//! ```text
//! scalar   = Argon2id(password = canonical code bytes (13),
//!                     salt     = label(kind) || vault_id (16),
//!                     m, t, p from the header, version 0x13, output 32 bytes)
//! identity = uppercase Bech32("age-secret-key-", scalar)
//! ```

use std::str::FromStr;

use age::x25519::Identity;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::code::Code;
use crate::id::VaultId;

/// Largest accepted `m_cost`: 1 GiB, in KiB (SPEC.md §4.2).
pub const MAX_M_COST_KIB: u32 = 1024 * 1024;
/// Largest accepted `t_cost` (SPEC.md §4.2).
pub const MAX_T_COST: u32 = 16;
/// Largest accepted `p_cost` (SPEC.md §4.2).
pub const MAX_P_COST: u32 = 16;
/// Largest accepted `m_cost × t_cost`, in KiB passes: 4 GiB of memory traffic, about
/// 2.7 times the default (SPEC.md §4.2).
pub const MAX_WORK_KIB_PASSES: u64 = 4 * 1024 * 1024;
/// Argon2 version 1.3, the only one used (SPEC.md §4).
pub const ARGON2_VERSION: u32 = 0x13;
/// Length of an X25519 identity string `AGE-SECRET-KEY-1…`.
pub const IDENTITY_STRING_LEN: usize = 74;
/// Length of the derived X25519 scalar.
pub const OUTPUT_LEN: u32 = 32;

/// The KDF algorithm name; only `"argon2id"` exists (SPEC.md §4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Argon2Algorithm {
    /// Argon2id (RFC 9106).
    #[serde(rename = "argon2id")]
    Argon2id,
}

/// Argon2id parameters of one code kind, as recorded in `vault.json` and the manifest
/// (SPEC.md §4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Argon2Params {
    /// Always [`Argon2Algorithm::Argon2id`].
    pub algorithm: Argon2Algorithm,
    /// Argon2 version; must be 19 (0x13).
    pub version: u32,
    /// Memory in KiB.
    pub m_cost: u32,
    /// Passes over memory.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
    /// Output length in bytes; must be 32.
    pub output_len: u32,
}

impl Argon2Params {
    /// The parameters every writer uses (SPEC.md §4.2): 512 MiB, 3 passes, 1 lane.
    pub const DEFAULT: Argon2Params = Argon2Params::new(512 * 1024, 3, 1);

    /// Parameters with the given costs (Argon2id, version 0x13, 32-byte output).
    /// Small values are for tests and test vectors only.
    pub const fn new(m_cost: u32, t_cost: u32, p_cost: u32) -> Argon2Params {
        Argon2Params {
            algorithm: Argon2Algorithm::Argon2id,
            version: ARGON2_VERSION,
            m_cost,
            t_cost,
            p_cost,
            output_len: OUTPUT_LEN,
        }
    }

    /// Checks the limits every reader enforces before running Argon2id (SPEC.md §4.2).
    pub fn validate(&self) -> Result<(), KdfError> {
        if self.version != ARGON2_VERSION || self.output_len != OUTPUT_LEN {
            return Err(KdfError::Unsupported);
        }
        let p_ok = (1..=MAX_P_COST).contains(&self.p_cost);
        let t_ok = (1..=MAX_T_COST).contains(&self.t_cost);
        let m_ok = p_ok && self.m_cost >= 8 * self.p_cost && self.m_cost <= MAX_M_COST_KIB;
        let work_ok = u64::from(self.m_cost) * u64::from(self.t_cost) <= MAX_WORK_KIB_PASSES;
        if p_ok && t_ok && m_ok && work_ok {
            Ok(())
        } else {
            Err(KdfError::OutOfRange { m_cost: self.m_cost, t_cost: self.t_cost, p_cost: self.p_cost })
        }
    }
}

impl Default for Argon2Params {
    fn default() -> Self {
        Argon2Params::DEFAULT
    }
}

/// The Argon2id parameters of both code kinds (SPEC.md §4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct KdfParams {
    /// For the recovery code R.
    pub recovery: Argon2Params,
    /// For the PIN code C.
    pub pin_code: Argon2Params,
}

impl KdfParams {
    /// Both kinds with the same parameters.
    pub const fn both(p: Argon2Params) -> KdfParams {
        KdfParams { recovery: p, pin_code: p }
    }

    /// The parameters for one code kind.
    pub const fn for_kind(&self, kind: crate::code::CodeKind) -> &Argon2Params {
        match kind {
            crate::code::CodeKind::Recovery => &self.recovery,
            crate::code::CodeKind::PinCode => &self.pin_code,
        }
    }

    /// Validates both (SPEC.md §4.2).
    pub fn validate(&self) -> Result<(), KdfError> {
        self.recovery.validate()?;
        self.pin_code.validate()
    }
}

/// Why an identity could not be derived (SPEC.md §4).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KdfError {
    /// The parameters exceed the reader limits of SPEC.md §4.2 (or are below Argon2's
    /// minimums); nothing was computed.
    #[error(
        "Argon2id parameters out of the accepted range (m_cost={m_cost} KiB, t_cost={t_cost}, p_cost={p_cost})"
    )]
    OutOfRange {
        /// Requested memory (KiB).
        m_cost: u32,
        /// Requested passes.
        t_cost: u32,
        /// Requested lanes.
        p_cost: u32,
    },
    /// A version other than 0x13 or an output length other than 32.
    #[error("unsupported Argon2 version or output length")]
    Unsupported,
    /// Argon2 itself failed (for example, memory could not be allocated).
    #[error("Argon2id failed: {0}")]
    Argon2(String),
}

/// Derives the age X25519 identity of a code for a vault (SPEC.md §4).
///
/// Costs one Argon2id run with `params` (about a second with the defaults).
pub fn derive_identity(code: &Code, vault_id: &VaultId, params: &Argon2Params) -> Result<Identity, KdfError> {
    let scalar = derive_scalar(code, vault_id, params)?;
    identity_from_scalar(&scalar)
}

/// The raw 32-byte Argon2id output (SPEC.md §4, `scalar`).
pub fn derive_scalar(
    code: &Code,
    vault_id: &VaultId,
    params: &Argon2Params,
) -> Result<Zeroizing<[u8; 32]>, KdfError> {
    params.validate()?;
    let p = argon2::Params::new(params.m_cost, params.t_cost, params.p_cost, Some(OUTPUT_LEN as usize))
        .map_err(|e| KdfError::Argon2(e.to_string()))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, p);
    let label = code.kind().salt_label();
    let mut salt = Vec::with_capacity(label.len() + 16);
    salt.extend_from_slice(label);
    salt.extend_from_slice(vault_id.as_bytes());
    let mut out = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(code.expose_canonical_bytes(), &salt, &mut out[..])
        .map_err(|e| KdfError::Argon2(e.to_string()))?;
    Ok(out)
}

/// The age identity string of a 32-byte scalar: `AGE-SECRET-KEY-1…` (SPEC.md §4, `identity`).
pub fn encode_identity(scalar: &[u8; 32]) -> SecretString {
    const HRP: bech32::Hrp = bech32::Hrp::parse_unchecked("age-secret-key-");
    // 16 (HRP and separator) + 52 (data) + 6 (checksum) = 74 characters. The exact
    // capacity means neither writing nor the conversion to a boxed str reallocates and
    // leaves an unzeroized copy behind.
    let mut s = String::with_capacity(IDENTITY_STRING_LEN);
    // Writing to a String cannot fail, and 74 characters is within Bech32's 90 limit.
    let _ = bech32::encode_upper_to_fmt::<bech32::Bech32, _>(&mut s, HRP, scalar);
    SecretString::from(s)
}

/// Builds an identity from a scalar through its string form, exactly as a stock age
/// reader would (SPEC.md §4, `identity`).
pub fn identity_from_scalar(scalar: &[u8; 32]) -> Result<Identity, KdfError> {
    let s = encode_identity(scalar);
    Identity::from_str(s.expose_secret()).map_err(|e| KdfError::Argon2(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::CodeKind;

    #[test]
    fn limits() {
        assert!(Argon2Params::DEFAULT.validate().is_ok());
        assert!(Argon2Params::new(8, 1, 1).validate().is_ok());
        assert!(Argon2Params::new(7, 1, 1).validate().is_err());
        assert!(Argon2Params::new(16, 1, 4).validate().is_err());
        assert!(Argon2Params::new(MAX_M_COST_KIB, 4, 1).validate().is_ok());
        assert!(Argon2Params::new(MAX_M_COST_KIB + 1, 1, 1).validate().is_err());
        assert!(Argon2Params::new(MAX_M_COST_KIB, 5, 1).validate().is_err());
        assert!(Argon2Params::new(64, 0, 1).validate().is_err());
        assert!(Argon2Params::new(64, 17, 1).validate().is_err());
        assert!(Argon2Params::new(64, 1, 0).validate().is_err());
        let mut p = Argon2Params::new(64, 1, 1);
        p.output_len = 64;
        assert_eq!(p.validate(), Err(KdfError::Unsupported));
    }

    #[test]
    fn identity_string_round_trips_through_age() {
        let scalar = [7u8; 32];
        let s = encode_identity(&scalar);
        assert!(s.expose_secret().starts_with("AGE-SECRET-KEY-1"));
        assert_eq!(s.expose_secret().len(), 74);
        let id = identity_from_scalar(&scalar).unwrap();
        assert_eq!(id.to_string().expose_secret(), s.expose_secret());
    }

    #[test]
    fn kinds_and_vaults_are_separated() {
        let p = Argon2Params::new(8, 1, 1);
        let bytes = [0u8; 13];
        let r = Code::from_canonical_bytes(CodeKind::Recovery, &bytes).unwrap();
        let c = Code::from_canonical_bytes(CodeKind::PinCode, &bytes).unwrap();
        let v1 = VaultId::from_bytes([1; 16]);
        let v2 = VaultId::from_bytes([2; 16]);
        let a = derive_scalar(&r, &v1, &p).unwrap();
        let b = derive_scalar(&c, &v1, &p).unwrap();
        let d = derive_scalar(&r, &v2, &p).unwrap();
        assert_ne!(*a, *b);
        assert_ne!(*a, *d);
        assert_eq!(*a, *derive_scalar(&r, &v1, &p).unwrap());
    }
}
