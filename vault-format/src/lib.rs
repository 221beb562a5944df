//! The on-disk format of a certvault vault.
//!
//! This crate is the executable form of [`SPEC.md`](../SPEC.md). It knows bytes and
//! nothing else: no prompts, no files, no removable media, no CLI. Every section of the
//! spec has a module here:
//!
//! | SPEC.md section | module |
//! |---|---|
//! | §3 Typable codes | [`code`] |
//! | §3.5–3.6 Check values, split recovery codes | [`share`] |
//! | §4 Identity derivation | [`kdf`] |
//! | §5 Vault header (`vault.json`) | [`header`] |
//! | §6 Unlock file (`unlock.age`) | [`unlock`] |
//! | §7 Generation files (`vault-<N>.age`) | [`generation`] |
//! | §8 Payload archive | [`payload`] |
//! | §9 Manifest (`manifest.json`) | [`manifest`] |
//! | §10 PIN seal (`pins/<id>.age`) | [`pin`] |
//!
//! Secrets (codes, identities, PINs, passphrases) are held in [`secrecy`] types and
//! never implement `Display`; their `Debug` output is redacted.
//!
//! Errors: one `#[non_exhaustive]` enum per operation, coarse enough that every test
//! vector in `vectors/` maps to exactly one variant.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod code;
pub mod create;
pub mod generation;
pub mod header;
pub mod kdf;
pub mod manifest;
pub mod payload;
pub mod pin;
pub mod share;
pub mod time;
pub mod unlock;

mod hex;
mod id;

pub use age;
pub use age::x25519::{Identity, Recipient};
pub use code::{Code, CodeError, CodeKind};
pub use create::NewVault;
pub use generation::{
    OpenError, SealError, generation_file_name, open_generation, parse_generation_file_name, seal_generation,
};
pub use header::{HeaderError, VaultHeader};
pub use id::{InvalidVaultId, VaultId};
pub use kdf::{Argon2Algorithm, Argon2Params, KdfError, KdfParams, derive_identity};
pub use manifest::{
    CertificateInfo, Entry, Manifest, ManifestError, ProgramFile, Purpose, Superseded, entry_id,
    is_program_path, sha256_hex,
};
/// The folder beside the vault files that holds the program files (SPEC.md §2.2).
pub const PROGRAM_DIR_NAME: &str = "program";
pub use payload::{Payload, PayloadError};
pub use pin::{PinError, open_pin, seal_pin};
pub use secrecy;
pub use share::{Share, ShareError};
pub use unlock::{UnlockError, UnlockFile, VerifyError};

/// The value of `format` in `vault.json` (SPEC.md §5).
pub const FORMAT_NAME: &str = "certvault-vault";

/// The format version this crate reads and writes, in `vault.json` and `manifest.json`
/// (SPEC.md §2.3).
pub const FORMAT_VERSION: u32 = 1;

/// Name of the public header file in the vault folder (SPEC.md §2.2).
pub const HEADER_FILE_NAME: &str = "vault.json";

/// Name of the passphrase-encrypted unlock file in the vault folder (SPEC.md §2.2).
pub const UNLOCK_FILE_NAME: &str = "unlock.age";

/// Name of the plain-text note in the vault folder (SPEC.md §2.2).
pub const README_FILE_NAME: &str = "README.txt";
