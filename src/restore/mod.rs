//! Old paths of the restore, which is the core's now (`certvault_core::install`: the operation
//! in `install::restore`, the stores in `install::{file, nss, windows, macos}`) with its
//! terminal side in `crate::cli::restore`. Kept for modules that still import from here.

pub mod discover;

pub use certvault_core::install::file;
