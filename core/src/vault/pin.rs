//! The one path that opens a PIN stored in the vault: the PIN code C from the first recovery
//! sheet derives the PIN identity (Argon2id, slow), which opens the entry's sealed PIN
//! (SPEC.md §6.4). `reveal-pin`, `restore` and `sheet` (which checks a typed C belongs to the
//! vault) all go through here.

use secrecy::{ExposeSecret, SecretString};
use vault_format::{Code, CodeError, CodeKind, Entry, Identity, VaultHeader};

use super::OpenVault;
use crate::error::{Error, ErrorKind};
use crate::message::Message;
use crate::msg;
use crate::pkcs12::{PasswordCheck, Pkcs12File};

/// The PIN code as typed from the first sheet.
pub fn parse_pin_code(text: &str) -> Result<Code, Error> {
    Code::parse(CodeKind::PinCode, text)
        .map_err(|e| Error::new(ErrorKind::InvalidInput, msg!("err-pin-code", reason = pin_code_reason(e))))
}

fn pin_code_reason(e: CodeError) -> Message {
    match e {
        // Said from the PIN code's side ("this is the recovery code, not the PIN code").
        CodeError::WrongKind { .. } => msg!("err-code-is-recovery-code"),
        // Every other mistake in the words the recovery code and shares use, in both languages.
        other => crate::codes::code_error_message(&other),
    }
}

/// Derives the PIN identity from `code` with the vault's KDF settings (as the manifest states
/// them). Slow (Argon2id): callers that time or announce the wait call it on its own.
pub fn derive_pin_identity(header: &VaultHeader, code: &Code) -> Result<Identity, Error> {
    vault_format::derive_identity(code, &header.vault_id, &header.kdf.pin_code)
        .map_err(|e| Error::new(ErrorKind::Internal, msg!("err-seal", detail = e)))
}

/// Whether `identity` (derived from a typed PIN code) is this vault's PIN identity: the sheet
/// checks it before printing C, since a wrong C on paper would open nothing.
pub fn is_vault_pin_identity(header: &VaultHeader, identity: &Identity) -> bool {
    identity.to_public().to_string() == header.pin_recipient.to_string()
}

/// The error for an entry without a stored PIN: the hint is the user's own hint when there is
/// one, else `recover-pin`.
pub fn no_stored_pin(entry: &Entry) -> Error {
    let hint: Message = match &entry.hint {
        Some(h) => msg!("hint-hint", hint = h),
        None => msg!("hint-recover-pin"),
    };
    Error::new(ErrorKind::NotFound, msg!("err-no-stored-pin", id = entry.id)).with_hint(hint)
}

/// Opens the PIN stored with `entry` with the PIN identity (from [`derive_pin_identity`]).
/// The PIN is not checked against the certificate: see [`check_stored_pin`].
pub fn unseal_pin(vault: &OpenVault, entry: &Entry, pin_identity: &Identity) -> Result<SecretString, Error> {
    let sealed = vault.payload.pins.get(&entry.id).ok_or_else(|| no_stored_pin(entry))?;
    vault_format::open_pin(sealed, pin_identity)
        .map_err(|_| Error::new(ErrorKind::WrongSecret, msg!("err-wrong-pin-code")))
}

/// Checks that `pin` still opens the certificate of `entry` stored in the vault (a PIN sealed
/// before the file was replaced would not).
pub fn check_stored_pin(vault: &OpenVault, entry: &Entry, pin: &SecretString) -> Result<(), Error> {
    let opens =
        vault.payload.certs.get(&entry.id).and_then(|bytes| Pkcs12File::parse(bytes).ok()).is_some_and(
            |file| {
                matches!(
                    file.check_pin(pin.expose_secret()),
                    Ok(PasswordCheck::Correct(_) | PasswordCheck::NotNeeded)
                )
            },
        );
    match opens {
        true => Ok(()),
        false => Err(Error::new(ErrorKind::VaultDamaged, msg!("err-stored-pin-stale", id = entry.id))),
    }
}

/// The stored PIN of `entry`, opened with the PIN code `code` and proven to open its
/// certificate: derive, unseal, check.
pub fn stored_pin(vault: &OpenVault, entry: &Entry, code: &Code) -> Result<SecretString, Error> {
    // The cheap refusal first: no point in the slow derivation for an entry without a PIN.
    if !vault.payload.pins.contains_key(&entry.id) {
        return Err(no_stored_pin(entry));
    }
    let identity = derive_pin_identity(&vault.header, code)?;
    let pin = unseal_pin(vault, entry, &identity)?;
    check_stored_pin(vault, entry, &pin)?;
    Ok(pin)
}
