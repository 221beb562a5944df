//! `certvault status` moved: the checklist is computed by [`certvault_core::status`] and
//! printed by [`crate::cli::status`]. What remains is the log writer that `scan` and `clean`
//! still call by this path.

pub use certvault_core::records::record_scan;
