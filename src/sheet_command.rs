//! The old home of `certvault sheet`. The sheet of a vault is built and written by the core
//! (`certvault_core::sheet`), the command's output is `crate::cli::sheet`; these names stay for
//! the modules that still call them (restore, `cli.rs`'s `--split` parser).

use vault_format::Code;

use crate::error::CliError;
pub use crate::sheet::{check_out_path, parse_split, split_paths, subject_attribute, Split};

/// The PIN code as typed from the first sheet ([`certvault_core::vault::pin::parse_pin_code`]).
pub fn parse_pin_code(text: &str) -> Result<Code, CliError> {
    Ok(crate::vault::pin::parse_pin_code(text)?)
}
