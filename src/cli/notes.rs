//! What the vault commands print in common.

use certvault_core::vault::OpenVault;

/// The warnings of an opened vault (a fallback generation, a changed vault.json, …), on
/// standard error.
pub fn warn_fallbacks(vault: &OpenVault) {
    for w in vault.warnings() {
        eprintln!("{}", certvault_i18n::render(&w));
    }
}
