//! Generation files `vault-<N>.age` (SPEC.md §7), and the age plumbing shared by every
//! encrypted file of the format.

use std::io::{Read, Write};

use age::x25519::{Identity, Recipient};
use zeroize::Zeroizing;

use crate::id::VaultId;
use crate::payload::{MAX_PAYLOAD_BYTES, Payload, PayloadError};

/// The file name of generation `n`: `vault-<n>.age` (SPEC.md §7.1). Generation numbers
/// start at 1; `0` gives a name that [`parse_generation_file_name`] rejects.
pub fn generation_file_name(n: u64) -> String {
    format!("vault-{n}.age")
}

/// The generation number of a file name, or `None` if it is not a generation file
/// (SPEC.md §7.1): `vault-` + decimal without leading zeros, ≥ 1, < 2^64 + `.age`, ASCII
/// case-insensitive.
pub fn parse_generation_file_name(name: &str) -> Option<u64> {
    let b = name.as_bytes();
    if b.len() < 11 || b.len() > 30 {
        return None;
    }
    let (prefix, rest) = b.split_at(6);
    let (digits, suffix) = rest.split_at(rest.len() - 4);
    if !prefix.eq_ignore_ascii_case(b"vault-") || !suffix.eq_ignore_ascii_case(b".age") {
        return None;
    }
    if digits.is_empty() || digits[0] == b'0' || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Why an encrypted file could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// The payload breaks a rule readers enforce (SPEC.md §8.4); nothing was encrypted.
    #[error("refusing to write an invalid generation: {0}")]
    InvalidPayload(#[from] PayloadError),
    /// The PIN is longer than [`crate::pin::MAX_PIN_BYTES`] (SPEC.md §10).
    #[error("the PIN is too long to seal")]
    PinTooLong,
    /// The unlock file's code is not a recovery code.
    #[error("the unlock file must hold the recovery code")]
    NotRecoveryCode,
    /// age failed to encrypt.
    #[error("encryption failed: {0}")]
    Age(#[from] age::EncryptError),
    /// Writing the ciphertext failed.
    #[error("encryption failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Why a generation could not be opened (SPEC.md §7.3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// Not an age file, or its header is damaged.
    #[error("not a valid age file (damaged, or not a vault generation)")]
    Malformed,
    /// The file is not encrypted to this identity: wrong vault or wrong key.
    #[error("this generation is not encrypted to this vault's key")]
    WrongKey,
    /// Authentication failed: the file was truncated or modified.
    #[error("the generation is damaged (truncated or modified)")]
    Corrupt,
    /// The decrypted archive exceeds [`MAX_PAYLOAD_BYTES`].
    #[error("the generation is larger than the format allows")]
    TooLarge,
    /// The archive or its manifest is invalid.
    #[error(transparent)]
    Payload(#[from] PayloadError),
    /// The manifest belongs to another vault.
    #[error("the generation belongs to vault {found}, not {expected}")]
    VaultIdMismatch {
        /// The id in `vault.json`.
        expected: VaultId,
        /// The id in the manifest.
        found: VaultId,
    },
    /// The manifest's generation differs from the file name's.
    #[error("the file is named generation {expected} but its manifest says {found}")]
    GenerationMismatch {
        /// N from `vault-<N>.age`.
        expected: u64,
        /// The manifest's `generation`.
        found: u64,
    },
}

/// How an age decryption failed, before it is mapped to an operation's error.
pub(crate) enum AgeFailure {
    Malformed,
    WrongKey,
    /// A stanza's key could not be unwrapped (for scrypt: the wrong passphrase).
    Unwrap,
    /// The header MAC or the payload failed authentication, or the payload is truncated.
    Corrupt,
    TooLarge,
    ExcessiveWork(u8),
}

impl From<age::DecryptError> for AgeFailure {
    fn from(e: age::DecryptError) -> Self {
        use age::DecryptError as D;
        match e {
            D::NoMatchingKeys => AgeFailure::WrongKey,
            D::ExcessiveWork { required, .. } => AgeFailure::ExcessiveWork(required),
            D::DecryptionFailed | D::KeyDecryptionFailed => AgeFailure::Unwrap,
            D::InvalidMac => AgeFailure::Corrupt,
            _ => AgeFailure::Malformed,
        }
    }
}

/// Encrypts `plaintext` to one age recipient.
pub(crate) fn age_encrypt(recipient: &dyn age::Recipient, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
    let enc = age::Encryptor::with_recipients(std::iter::once(recipient))?;
    let mut out = Vec::with_capacity(plaintext.len() + 256);
    let mut w = enc.wrap_output(&mut out)?;
    w.write_all(plaintext)?;
    w.finish()?;
    Ok(out)
}

/// Decrypts an age file with one identity, reading at most `max` plaintext bytes.
pub(crate) fn age_decrypt(
    ciphertext: &[u8],
    identity: &dyn age::Identity,
    max: u64,
) -> Result<Zeroizing<Vec<u8>>, AgeFailure> {
    let d = age::Decryptor::new(ciphertext).map_err(AgeFailure::from)?;
    let r = d.decrypt(std::iter::once(identity)).map_err(AgeFailure::from)?;
    let mut out = Zeroizing::new(Vec::new());
    r.take(max + 1).read_to_end(&mut out).map_err(|_| AgeFailure::Corrupt)?;
    if out.len() as u64 > max {
        return Err(AgeFailure::TooLarge);
    }
    Ok(out)
}

/// Encrypts a payload to the vault recipient (SPEC.md §7.2). The payload is validated
/// first, so a writer cannot produce a generation readers reject.
pub fn seal_generation(payload: &Payload, recipient: &Recipient) -> Result<Vec<u8>, SealError> {
    let tar = Zeroizing::new(payload.to_tar()?);
    age_encrypt(recipient, &tar)
}

/// Decrypts and validates generation `generation` of the vault `vault_id`
/// (SPEC.md §7.3).
pub fn open_generation(
    ciphertext: &[u8],
    identity: &Identity,
    vault_id: &VaultId,
    generation: u64,
) -> Result<Payload, OpenError> {
    let tar = age_decrypt(ciphertext, identity, MAX_PAYLOAD_BYTES).map_err(|e| match e {
        AgeFailure::WrongKey => OpenError::WrongKey,
        AgeFailure::Corrupt | AgeFailure::Unwrap => OpenError::Corrupt,
        AgeFailure::TooLarge => OpenError::TooLarge,
        AgeFailure::Malformed | AgeFailure::ExcessiveWork(_) => OpenError::Malformed,
    })?;
    let payload = Payload::from_tar(&tar)?;
    let m = &payload.manifest;
    if m.vault_id != *vault_id {
        return Err(OpenError::VaultIdMismatch { expected: *vault_id, found: m.vault_id });
    }
    if m.generation != generation {
        return Err(OpenError::GenerationMismatch { expected: generation, found: m.generation });
    }
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        assert_eq!(generation_file_name(1), "vault-1.age");
        assert_eq!(parse_generation_file_name("vault-1.age"), Some(1));
        assert_eq!(parse_generation_file_name("VAULT-12.AGE"), Some(12));
        assert_eq!(parse_generation_file_name("vault-18446744073709551615.age"), Some(u64::MAX));
        for bad in [
            "vault-0.age",
            "vault-01.age",
            "vault-.age",
            "vault-1.age.tmp",
            "vault-1a.age",
            "vault-+1.age",
            "vault-18446744073709551616.age",
            "unlock.age",
            "vault-1.ag",
            "vault-１.age",
        ] {
            assert_eq!(parse_generation_file_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn seal_and_open() {
        let id = Identity::generate();
        let other = Identity::generate();
        let p = crate::payload::tests::sample_payload(&[b"a p12"]);
        let vid = p.manifest.vault_id;
        let ct = seal_generation(&p, &id.to_public()).unwrap();
        assert_eq!(open_generation(&ct, &id, &vid, 1).unwrap(), p);
        assert_eq!(open_generation(&ct, &other, &vid, 1), Err(OpenError::WrongKey));
        assert!(matches!(
            open_generation(&ct, &id, &vid, 2),
            Err(OpenError::GenerationMismatch { expected: 2, found: 1 })
        ));
        let other_vault = VaultId::from_bytes([9; 16]);
        assert!(matches!(open_generation(&ct, &id, &other_vault, 1), Err(OpenError::VaultIdMismatch { .. })));
        assert_eq!(open_generation(&ct[..ct.len() - 10], &id, &vid, 1), Err(OpenError::Corrupt));
        let mut flipped = ct.clone();
        let n = flipped.len() - 20;
        flipped[n] ^= 0x40;
        assert_eq!(open_generation(&flipped, &id, &vid, 1), Err(OpenError::Corrupt));
        assert_eq!(open_generation(b"garbage", &id, &vid, 1), Err(OpenError::Malformed));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            // X25519 only, no KDF: cheap, so a few dozen cases.
            #![proptest_config(ProptestConfig::with_cases(48))]

            /// Any valid payload seals and opens back equal, for its own identity, vault id and
            /// generation only; any single changed byte of the file makes it fail to open.
            #[test]
            fn seal_then_open_round_trips_and_any_change_is_caught(
                p12s in proptest::collection::btree_set(proptest::collection::vec(any::<u8>(), 1..3000), 0..4),
                generation in 1u64..1_000_000,
                flip_at in any::<proptest::sample::Index>(),
                flip in 1u8..=255,
            ) {
                let refs: Vec<&[u8]> = p12s.iter().map(|v| &v[..]).collect();
                let mut p = crate::payload::tests::sample_payload(&refs);
                p.manifest.generation = generation;
                prop_assume!(p.validate().is_ok());
                let id = Identity::generate();
                let vid = p.manifest.vault_id;
                let ct = seal_generation(&p, &id.to_public()).unwrap();
                prop_assert_eq!(open_generation(&ct, &id, &vid, generation).unwrap(), p);
                prop_assert_eq!(open_generation(&ct, &Identity::generate(), &vid, generation), Err(OpenError::WrongKey));
                prop_assert!(open_generation(&ct, &id, &vid, generation + 1).is_err());
                let mut changed = ct.clone();
                let i = flip_at.index(changed.len());
                changed[i] ^= flip;
                prop_assert!(open_generation(&changed, &id, &vid, generation).is_err(), "byte {} changed", i);
            }
        }
    }
}
