//! The unlock file `unlock.age` (SPEC.md §6).
//!
//! An age file encrypted with the passphrase (scrypt, work factor 2^18) whose plaintext
//! is an age identity file:
//!
//! ```text
//! # certvault unlock file, vault 5f0c…
//! # RECOVERY-CODE: XXXXX-XXXXX-XXXXX-XXXXX-XXXXX
//! AGE-SECRET-KEY-1…
//! ```

use std::fmt;
use std::str::FromStr;

use age::x25519::Identity;
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::code::{Code, CodeError, CodeKind};
use crate::generation::{AgeFailure, SealError, age_decrypt, age_encrypt};
use crate::id::VaultId;
use crate::kdf::{Argon2Params, KdfError, derive_identity};

/// The scrypt work factor (log2 N) every writer uses (SPEC.md §6.2).
pub const UNLOCK_WORK_FACTOR: u8 = 18;
/// The largest scrypt work factor a reader accepts (SPEC.md §6.2).
pub const MAX_UNLOCK_WORK_FACTOR: u8 = 22;
/// Largest unlock plaintext a reader accepts, in bytes (SPEC.md §6.3).
pub const MAX_UNLOCK_PLAINTEXT_BYTES: u64 = 4096;

/// Start of the first comment line, followed by the vault id (SPEC.md §6.1).
pub const VAULT_LINE_PREFIX: &str = "# certvault unlock file, vault ";
/// Start of the recovery code comment line (SPEC.md §6.1).
pub const RECOVERY_LINE_PREFIX: &str = "# RECOVERY-CODE: ";
/// Start of an age X25519 identity line.
pub const IDENTITY_PREFIX: &str = "AGE-SECRET-KEY-1";

/// The decrypted unlock file: the vault id, the recovery code R, and the identity
/// derived from R (SPEC.md §6). Secrets are zeroized on drop; no `Display`, redacted
/// `Debug`.
pub struct UnlockFile {
    vault_id: VaultId,
    recovery_code: Code,
    identity: Identity,
}

impl fmt::Debug for UnlockFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnlockFile")
            .field("vault_id", &self.vault_id)
            .field("recovery_code", &self.recovery_code)
            .field("identity", &"[REDACTED]")
            .finish()
    }
}

/// Why `unlock.age` could not be opened or decoded (SPEC.md §6.3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnlockError {
    /// Not an age file, or its header is damaged.
    #[error("unlock.age is not a valid age file")]
    Malformed,
    /// An age file, but not encrypted with a passphrase.
    #[error("unlock.age is not passphrase-encrypted")]
    NotPassphraseEncrypted,
    /// The passphrase is wrong (or the file was modified).
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// The file demands more scrypt work than [`MAX_UNLOCK_WORK_FACTOR`].
    #[error("unlock.age demands an excessive scrypt work factor (2^{log_n})")]
    ExcessiveWork {
        /// The file's log2 N.
        log_n: u8,
    },
    /// The payload was truncated or modified after the header.
    #[error("unlock.age is damaged")]
    Corrupt,
    /// The plaintext is not a certvault unlock file.
    #[error("unlock.age does not hold a valid unlock file: {0}")]
    InvalidPlaintext(&'static str),
    /// The recovery code line does not hold a valid recovery code.
    #[error("unlock.age holds an invalid recovery code: {0}")]
    RecoveryCode(CodeError),
}

/// Why [`UnlockFile::verify`] failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The identity line is not the derivation of the recovery code line (SPEC.md §6.3).
    #[error("the identity in unlock.age does not match its recovery code")]
    Mismatch,
    /// The derivation could not run.
    #[error(transparent)]
    Kdf(#[from] KdfError),
}

impl UnlockFile {
    /// Assembles an unlock file. `recovery_code` must be of kind
    /// [`CodeKind::Recovery`]; `identity` should be its derivation (see
    /// [`UnlockFile::derive`]).
    pub fn new(vault_id: VaultId, recovery_code: Code, identity: Identity) -> Result<UnlockFile, SealError> {
        if recovery_code.kind() != CodeKind::Recovery {
            return Err(SealError::NotRecoveryCode);
        }
        Ok(UnlockFile { vault_id, recovery_code, identity })
    }

    /// Derives the vault identity from `recovery_code` and assembles the unlock file
    /// (one Argon2id run).
    pub fn derive(
        vault_id: VaultId,
        recovery_code: Code,
        params: &Argon2Params,
    ) -> Result<UnlockFile, KdfError> {
        if recovery_code.kind() != CodeKind::Recovery {
            return Err(KdfError::Unsupported);
        }
        let identity = derive_identity(&recovery_code, &vault_id, params)?;
        Ok(UnlockFile { vault_id, recovery_code, identity })
    }

    /// The vault id named in the file; compare it with `vault.json`'s.
    pub fn vault_id(&self) -> VaultId {
        self.vault_id
    }

    /// The recovery code R.
    pub fn recovery_code(&self) -> &Code {
        &self.recovery_code
    }

    /// The vault identity.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// Consumes the file, keeping the vault identity.
    pub fn into_identity(self) -> Identity {
        self.identity
    }

    /// The plaintext (SPEC.md §6.1): three LF-terminated lines.
    pub fn to_plaintext(&self) -> SecretString {
        let code = self.recovery_code.to_grouped_string();
        let key = self.identity.to_string();
        let vault_id = self.vault_id.to_string();
        // Exact capacity: no reallocation, so no unzeroized copy is left behind.
        let len = VAULT_LINE_PREFIX.len()
            + vault_id.len()
            + RECOVERY_LINE_PREFIX.len()
            + code.expose_secret().len()
            + key.expose_secret().len()
            + 3;
        let mut s = String::with_capacity(len);
        s.push_str(VAULT_LINE_PREFIX);
        s.push_str(&vault_id);
        s.push('\n');
        s.push_str(RECOVERY_LINE_PREFIX);
        s.push_str(code.expose_secret());
        s.push('\n');
        s.push_str(key.expose_secret());
        s.push('\n');
        SecretString::from(s)
    }

    /// Decodes the plaintext (SPEC.md §6.3). Does not run the derivation: call
    /// [`UnlockFile::verify`] for that.
    pub fn from_plaintext(text: &str) -> Result<UnlockFile, UnlockError> {
        let mut vault_id = None;
        let mut code = None;
        let mut identity = None;
        for line in text.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim().is_empty() {
                continue;
            }
            if let Some(rest) = line.strip_prefix(VAULT_LINE_PREFIX) {
                if vault_id.is_some() {
                    return Err(UnlockError::InvalidPlaintext("two vault lines"));
                }
                let id = VaultId::from_str(rest.trim_end())
                    .map_err(|_| UnlockError::InvalidPlaintext("invalid vault id"))?;
                vault_id = Some(id);
            } else if let Some(rest) = line.strip_prefix(RECOVERY_LINE_PREFIX) {
                if code.is_some() {
                    return Err(UnlockError::InvalidPlaintext("two recovery code lines"));
                }
                code = Some(Code::parse(CodeKind::Recovery, rest).map_err(UnlockError::RecoveryCode)?);
            } else if line.starts_with('#') {
                // Other comments are allowed and ignored, as in any age identity file.
            } else if line.starts_with(IDENTITY_PREFIX) {
                if identity.is_some() {
                    return Err(UnlockError::InvalidPlaintext("two identity lines"));
                }
                let key = Zeroizing::new(line.trim_end().to_owned());
                identity = Some(
                    Identity::from_str(&key)
                        .map_err(|_| UnlockError::InvalidPlaintext("invalid identity line"))?,
                );
            } else {
                return Err(UnlockError::InvalidPlaintext("unexpected line"));
            }
        }
        Ok(UnlockFile {
            vault_id: vault_id.ok_or(UnlockError::InvalidPlaintext("no vault line"))?,
            recovery_code: code.ok_or(UnlockError::InvalidPlaintext("no recovery code line"))?,
            identity: identity.ok_or(UnlockError::InvalidPlaintext("no identity line"))?,
        })
    }

    /// Checks that the identity is the derivation of the recovery code for this vault
    /// with `params` (from the header or manifest) (SPEC.md §6.3). Costs one Argon2id run.
    pub fn verify(&self, params: &Argon2Params) -> Result<(), VerifyError> {
        let derived = derive_identity(&self.recovery_code, &self.vault_id, params)?;
        let a = derived.to_string();
        let b = self.identity.to_string();
        if a.expose_secret() == b.expose_secret() { Ok(()) } else { Err(VerifyError::Mismatch) }
    }

    /// Encrypts the plaintext with `passphrase`, scrypt work factor
    /// [`UNLOCK_WORK_FACTOR`] (SPEC.md §6.2).
    pub fn encrypt(&self, passphrase: &SecretString) -> Result<Vec<u8>, SealError> {
        self.encrypt_with_work_factor(passphrase, UNLOCK_WORK_FACTOR)
    }

    /// Like [`UnlockFile::encrypt`] with another work factor. Writers pass
    /// [`UNLOCK_WORK_FACTOR`] (SPEC.md §6.2); smaller values are for tests (certvault's
    /// debug-only cheap-KDF switch, `core/src/durable.rs`).
    #[doc(hidden)]
    pub fn encrypt_with_work_factor(
        &self,
        passphrase: &SecretString,
        log_n: u8,
    ) -> Result<Vec<u8>, SealError> {
        let mut r = age::scrypt::Recipient::new(nfc_passphrase(passphrase));
        r.set_work_factor(log_n.clamp(1, MAX_UNLOCK_WORK_FACTOR));
        let pt = self.to_plaintext();
        age_encrypt(&r, pt.expose_secret().as_bytes())
    }

    /// Decrypts `unlock.age` with `passphrase` and decodes it (SPEC.md §6.3), accepting
    /// any scrypt work factor up to [`MAX_UNLOCK_WORK_FACTOR`].
    pub fn decrypt(ciphertext: &[u8], passphrase: &SecretString) -> Result<UnlockFile, UnlockError> {
        let is_scrypt = age::Decryptor::new(ciphertext).map_err(|_| UnlockError::Malformed)?.is_scrypt();
        if !is_scrypt {
            return Err(UnlockError::NotPassphraseEncrypted);
        }
        let attempt = |p: SecretString| {
            let mut id = age::scrypt::Identity::new(p);
            id.set_max_work_factor(MAX_UNLOCK_WORK_FACTOR);
            age_decrypt(ciphertext, &id, MAX_UNLOCK_PLAINTEXT_BYTES)
        };
        // NFC first (what writers encrypt with), then the bytes as typed, for a file whose
        // passphrase was set un-normalised (SPEC.md §6.2).
        let nfc = nfc_passphrase(passphrase);
        let differs = nfc.expose_secret() != passphrase.expose_secret();
        let pt = match attempt(nfc) {
            Err(AgeFailure::Unwrap) if differs => attempt(passphrase.clone()),
            r => r,
        }
        .map_err(|e| match e {
            AgeFailure::Malformed => UnlockError::Malformed,
            AgeFailure::WrongKey => UnlockError::NotPassphraseEncrypted,
            AgeFailure::ExcessiveWork(log_n) => UnlockError::ExcessiveWork { log_n },
            AgeFailure::Unwrap => UnlockError::WrongPassphrase,
            AgeFailure::Corrupt => UnlockError::Corrupt,
            AgeFailure::TooLarge => UnlockError::InvalidPlaintext("too large"),
        })?;
        let text = std::str::from_utf8(&pt).map_err(|_| UnlockError::InvalidPlaintext("not UTF-8"))?;
        UnlockFile::from_plaintext(text)
    }
}

/// The passphrase as scrypt receives it (SPEC.md §6.2): Unicode NFC, encoded as UTF-8, nothing
/// trimmed.
pub fn nfc_passphrase(passphrase: &SecretString) -> SecretString {
    use unicode_normalization::UnicodeNormalization;
    let s = passphrase.expose_secret();
    if unicode_normalization::is_nfc(s) {
        return passphrase.clone();
    }
    SecretString::from(s.nfc().collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: Argon2Params = Argon2Params::new(8, 1, 1);

    fn sample() -> UnlockFile {
        let code = Code::generate(CodeKind::Recovery);
        UnlockFile::derive(VaultId::from_bytes([3; 16]), code, &TINY).unwrap()
    }

    #[test]
    fn plaintext_round_trip_and_verify() {
        let u = sample();
        let pt = u.to_plaintext();
        let lines: Vec<&str> = pt.expose_secret().lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], format!("{VAULT_LINE_PREFIX}{}", "03".repeat(16)));
        let back = UnlockFile::from_plaintext(pt.expose_secret()).unwrap();
        assert_eq!(back.to_plaintext().expose_secret(), pt.expose_secret());
        back.verify(&TINY).unwrap();
        assert_eq!(back.verify(&Argon2Params::new(16, 1, 1)), Err(VerifyError::Mismatch));
        let crlf = pt.expose_secret().replace('\n', "\r\n") + "\r\n# more\n";
        assert!(UnlockFile::from_plaintext(&crlf).is_ok());
    }

    #[test]
    fn plaintext_rejections() {
        let u = sample();
        let pt = u.to_plaintext();
        let s = pt.expose_secret();
        let lines: Vec<&str> = s.lines().collect();
        let without = |i: usize| {
            lines
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, l)| format!("{l}\n"))
                .collect::<String>()
        };
        for i in 0..3 {
            assert!(matches!(UnlockFile::from_plaintext(&without(i)), Err(UnlockError::InvalidPlaintext(_))));
        }
        let twice = format!("{s}{}\n", lines[2]);
        assert!(UnlockFile::from_plaintext(&twice).is_err());
        let junk = format!("{s}hello\n");
        assert!(UnlockFile::from_plaintext(&junk).is_err());
        let pin = Code::generate(CodeKind::PinCode).to_grouped_string();
        let wrong_kind = s.replace(lines[1], &format!("{RECOVERY_LINE_PREFIX}{}", pin.expose_secret()));
        assert!(matches!(
            UnlockFile::from_plaintext(&wrong_kind),
            Err(UnlockError::RecoveryCode(CodeError::WrongKind { .. }))
        ));
    }

    #[test]
    fn encrypt_decrypt() {
        let u = sample();
        let pass = SecretString::from("correct horse battery staple");
        let ct = u.encrypt_with_work_factor(&pass, 10).unwrap();
        let back = UnlockFile::decrypt(&ct, &pass).unwrap();
        assert_eq!(back.vault_id(), u.vault_id());
        assert_eq!(
            UnlockFile::decrypt(&ct, &SecretString::from("wrong")).unwrap_err(),
            UnlockError::WrongPassphrase
        );
        let x = crate::generation::age_encrypt(&Identity::generate().to_public(), b"x").unwrap();
        assert_eq!(UnlockFile::decrypt(&x, &pass).unwrap_err(), UnlockError::NotPassphraseEncrypted);
        assert_eq!(UnlockFile::decrypt(b"nope", &pass).unwrap_err(), UnlockError::Malformed);
    }

    #[test]
    fn excessive_work_is_refused_without_running_scrypt() {
        let u = sample();
        let pass = SecretString::from("pw");
        let ct = u.encrypt_with_work_factor(&pass, 10).unwrap();
        // Rewrite the stanza's work factor to 23; the header MAC no longer matches, but
        // the work factor check comes first.
        let text = String::from_utf8_lossy(&ct).into_owned();
        let start = text.find("-> scrypt ").unwrap();
        let end = start + text[start..].find('\n').unwrap();
        let line = &text[start..end];
        let new_line = format!("{} 23", line.rsplit_once(' ').unwrap().0);
        let mut hostile = Vec::new();
        hostile.extend_from_slice(&ct[..start]);
        hostile.extend_from_slice(new_line.as_bytes());
        hostile.extend_from_slice(&ct[end..]);
        assert_eq!(
            UnlockFile::decrypt(&hostile, &pass).unwrap_err(),
            UnlockError::ExcessiveWork { log_n: 23 }
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            // scrypt at work factor 2 and Argon2 at 8 KiB: cheap enough for a few cases.
            #![proptest_config(ProptestConfig::with_cases(12))]

            /// Any passphrase seals the unlock file and opens it back to the same recovery
            /// code, identity and vault id; any other passphrase is told apart.
            #[test]
            fn encrypt_then_decrypt_round_trips(
                passphrase in "\\PC{1,40}",
                other in "\\PC{1,40}",
                vid in any::<[u8; 16]>(),
            ) {
                prop_assume!(passphrase != other);
                let u = UnlockFile::derive(VaultId::from_bytes(vid), Code::generate(CodeKind::Recovery), &TINY).unwrap();
                let pass = SecretString::from(passphrase);
                let ct = u.encrypt_with_work_factor(&pass, 2).unwrap();
                let back = UnlockFile::decrypt(&ct, &pass).unwrap();
                let (got, want) = (back.to_plaintext(), u.to_plaintext());
                prop_assert_eq!(got.expose_secret(), want.expose_secret());
                prop_assert_eq!(back.vault_id(), u.vault_id());
                back.verify(&TINY).unwrap();
                prop_assert_eq!(
                    UnlockFile::decrypt(&ct, &SecretString::from(other)).unwrap_err(),
                    UnlockError::WrongPassphrase
                );
            }
        }
    }
}
