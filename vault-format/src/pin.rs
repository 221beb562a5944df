//! The PIN seal `pins/<id>.age` (SPEC.md §10).

use age::x25519::{Identity, Recipient};
use secrecy::{ExposeSecret, SecretString};

use crate::generation::{AgeFailure, SealError, age_decrypt, age_encrypt};
use crate::payload::MAX_PIN_FILE_BYTES;

/// Longest PIN that can be sealed, in UTF-8 bytes (SPEC.md §10).
pub const MAX_PIN_BYTES: usize = 1024;

/// Why a sealed PIN could not be opened (SPEC.md §10).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PinError {
    /// Larger than a PIN file may be (SPEC.md §8.3).
    #[error("the sealed PIN file is too large")]
    TooLarge,
    /// Not an age file, or its header is damaged.
    #[error("the sealed PIN is not a valid age file")]
    Malformed,
    /// Not sealed to this PIN identity: the PIN code belongs to another vault, or was
    /// replaced.
    #[error("this PIN code does not open this PIN")]
    WrongKey,
    /// Authentication failed: the file was truncated or modified.
    #[error("the sealed PIN is damaged")]
    Corrupt,
    /// The plaintext is longer than [`MAX_PIN_BYTES`] or not UTF-8.
    #[error("the sealed PIN does not hold a valid PIN")]
    InvalidPin,
}

/// Seals a PIN to the PIN recipient (SPEC.md §10): an age file whose plaintext is the
/// PIN's UTF-8 bytes, nothing else.
pub fn seal_pin(pin: &SecretString, recipient: &Recipient) -> Result<Vec<u8>, SealError> {
    let bytes = pin.expose_secret().as_bytes();
    if bytes.len() > MAX_PIN_BYTES {
        return Err(SealError::PinTooLong);
    }
    age_encrypt(recipient, bytes)
}

/// Opens a sealed PIN with the PIN identity (SPEC.md §10).
pub fn open_pin(sealed: &[u8], identity: &Identity) -> Result<SecretString, PinError> {
    if sealed.len() as u64 > MAX_PIN_FILE_BYTES {
        return Err(PinError::TooLarge);
    }
    let pt = age_decrypt(sealed, identity, MAX_PIN_BYTES as u64).map_err(|e| match e {
        AgeFailure::WrongKey => PinError::WrongKey,
        AgeFailure::Corrupt | AgeFailure::Unwrap => PinError::Corrupt,
        AgeFailure::TooLarge => PinError::InvalidPin,
        AgeFailure::Malformed | AgeFailure::ExcessiveWork(_) => PinError::Malformed,
    })?;
    let s = std::str::from_utf8(&pt).map_err(|_| PinError::InvalidPin)?;
    Ok(SecretString::from(s.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wrong_identity_and_limits() {
        let id = Identity::generate();
        let sealed = seal_pin(&SecretString::from("1234"), &id.to_public()).unwrap();
        assert_eq!(open_pin(&sealed, &Identity::generate()).unwrap_err(), PinError::WrongKey);
        assert_eq!(open_pin(b"1234", &id).unwrap_err(), PinError::Malformed);
        let long = SecretString::from("9".repeat(MAX_PIN_BYTES + 1));
        assert!(matches!(seal_pin(&long, &id.to_public()), Err(SealError::PinTooLong)));
        let bad = age_encrypt(&id.to_public(), &[0xff, 0xfe]).unwrap();
        assert_eq!(open_pin(&bad, &id).unwrap_err(), PinError::InvalidPin);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn seal_open_round_trip(pin in "\\PC{0,40}") {
            let id = Identity::generate();
            let sealed = seal_pin(&SecretString::from(pin.clone()), &id.to_public()).unwrap();
            prop_assert!(sealed.starts_with(b"age-encryption.org/v1\n"));
            let opened = open_pin(&sealed, &id).unwrap();
            prop_assert_eq!(opened.expose_secret(), pin.as_str());
        }
    }
}
