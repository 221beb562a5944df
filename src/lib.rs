//! certvault: keeps a clinic's PKCS#12 client certificates safe.
//!
//! The binary (`src/main.rs`) only parses arguments and calls the operations here, one module
//! per capability, so the wizard, the subcommands, tests and benchmarks share the same code.

pub mod cert;
pub mod certfile;
pub mod clean;
pub mod cli;
pub mod copies;
pub mod demo;
pub mod durable;
pub mod error;
pub mod hardening;
pub mod i18n;
pub mod inspect;
pub mod pkcs12;
pub mod recover_pin;
pub mod restore;
pub mod scan;
pub mod secret_input;
pub mod sheet;
pub mod sheet_command;
pub mod shell_integration;
pub mod state;
pub mod status;
pub mod terminal_text;
pub mod vault;
pub mod vault_commands;
#[cfg(windows)]
pub mod windows_key;
pub mod wizard;
