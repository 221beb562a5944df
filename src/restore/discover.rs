//! Finding the vault on removable media is the core's (`certvault_core::media`); the old
//! paths of its functions, for modules that still import them from here.

pub use certvault_core::media::{media_roots, vaults_in, MEDIA_ROOTS_VAR};
