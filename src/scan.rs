//! The scan moved to `certvault_core::scan`; its report is printed by `crate::cli::scan`.
//! This module keeps the old paths for the callers that still use them (clean, the wizard's
//! certificate search, `tests/clean.rs`): the same scan, with its reasons phrased.

pub use certvault_core::scan::*;

use std::path::Path;

use crate::cli::progress::WithProgress;
use crate::i18n::render;
use crate::terminal::Terminal;

/// A scan report with its reasons phrased in the user's language.
pub type ScanReport = certvault_core::scan::ScanReport<String>;
/// A copy found, with its reason phrased.
pub type Hit = certvault_core::scan::Hit<String>;

/// How to walk (old form): `show_progress` puts the spinner on standard error.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings {
    pub show_progress: bool,
    pub all_files: bool,
}

/// [`certvault_core::scan::scan`] on the terminal, with its reasons phrased.
pub fn scan(
    roots: &[places::Root],
    index: Option<&classify::VaultIndex>,
    _vault_dir: Option<&Path>,
    settings: Settings,
) -> ScanReport {
    let talk = WithProgress::new(&Terminal, settings.show_progress);
    let core_settings = certvault_core::scan::Settings { all_files: settings.all_files };
    certvault_core::scan::scan(roots, index, core_settings, &talk)
        .expect("the terminal never asks to stop a scan")
        .phrased(&render)
}

/// Why a file could not be read, phrased.
pub fn io_reason(e: &std::io::Error) -> String {
    render(&walk::io_reason(e))
}
