//! The old path of `inspect`'s pieces that other commands still use (`vault_commands`,
//! `restore`, `status`, the wizard): the operation is `certvault_core::certificate::inspect`,
//! its terminal side `crate::cli::inspect`.

pub use crate::cli::inspect::{note_pin_file_not_used, purpose_text, render_human};
pub use certvault_core::certificate::inspect::{
    BruteForce, CertSummary, InspectOptions, InspectReport, KeyReport, PinState,
};
pub use certvault_core::dates::{human_date, now_unix};
