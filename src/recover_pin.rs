//! The old path of the PIN search, still used by `restore`: the search is
//! `certvault_core::certificate::pin_search`, the command's terminal side `crate::cli::recover_pin`.

pub use certvault_core::certificate::pin_search::{
    lengths, search, CandidateSpace, Search, DEFAULT_MAX_DIGITS, MAX_DIGITS,
};
