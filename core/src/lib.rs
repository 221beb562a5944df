//! certvault's core: every operation on certificates, the vault on media, the recovery sheet,
//! scan and cleanup, and installing, as functions that return values and typed errors.
//!
//! The rule (docs/architecture.md): the core never prints, prompts or exits. It says things as
//! [`Message`]s that a front-end phrases, asks through the one [`Conversation`] trait, and
//! fails with an [`Error`] whose [`ErrorKind`] a front-end maps to an exit code. The build
//! holds it to this: the print lints are denied here and in `core/clippy.toml`.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::dbg_macro)]

pub mod conversation;
pub mod error;
pub mod message;

pub mod certificate;
pub mod clean;
pub mod codes;
pub mod dates;
pub mod demo;
pub mod durable;
pub mod hardening;
pub mod install;
pub mod media;
pub mod pkcs12;
pub mod records;
pub mod rescue;
pub mod scan;
pub mod secret_file;
pub mod sheet;
pub mod status;
pub mod vault;
#[cfg(windows)]
pub mod windows_key;

#[cfg(test)]
mod testing;

pub use conversation::{Conversation, Level, Progress, Unanswered};
pub use error::{Error, ErrorKind, Result};
pub use message::Message;
