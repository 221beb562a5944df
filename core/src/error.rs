//! The one error type of every operation: what kind of failure it is (for exit codes, `--json`
//! and the window's choices) and what to tell the user, as messages a front-end phrases.

use crate::message::Message;

/// What went wrong, in the terms a front-end acts on. `as_str` is the `kind` of `--json`
/// errors (`docs/cli-contract.md`); names are stable once published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file or value is not what it must be (not PKCS#12, not a share, a bad `--split`).
    InvalidInput,
    /// A named file, folder, entry or certificate does not exist.
    NotFound,
    /// A PIN, password, passphrase or recovery code did not open what it should.
    WrongSecret,
    /// A secret or confirmation is needed and there is nobody to ask (no terminal): the
    /// message names the `*-file` flag that gives it.
    NoTerminal,
    /// The user said no, or pressed Ctrl-C.
    Cancelled,
    /// certvault will not do this, to keep something safe (not a removable disk, a folder
    /// that is not empty, a write on top of a damaged generation, …).
    Refused,
    /// The vault's files are damaged or were tampered with.
    VaultDamaged,
    /// Another certvault is using the vault.
    VaultBusy,
    /// Made by a newer certvault, or an algorithm, platform or store this build cannot use.
    Unsupported,
    /// Reading or writing a file failed (the OS said why).
    Io,
    /// The certificate store or its tool refused or failed.
    StoreFailed,
    /// A bug in certvault.
    Internal,
    /// The command line is wrong: an unknown command or flag, a missing or invalid value.
    Usage,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::NotFound => "not_found",
            ErrorKind::WrongSecret => "wrong_secret",
            ErrorKind::NoTerminal => "no_terminal",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Refused => "refused",
            ErrorKind::VaultDamaged => "vault_damaged",
            ErrorKind::VaultBusy => "vault_busy",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Io => "io",
            ErrorKind::StoreFailed => "store_failed",
            ErrorKind::Internal => "internal",
            ErrorKind::Usage => "usage",
        }
    }

    pub const ALL: [ErrorKind; 13] = [
        ErrorKind::InvalidInput,
        ErrorKind::NotFound,
        ErrorKind::WrongSecret,
        ErrorKind::NoTerminal,
        ErrorKind::Cancelled,
        ErrorKind::Refused,
        ErrorKind::VaultDamaged,
        ErrorKind::VaultBusy,
        ErrorKind::Unsupported,
        ErrorKind::Io,
        ErrorKind::StoreFailed,
        ErrorKind::Internal,
        ErrorKind::Usage,
    ];
}

/// A failed operation: its kind, the message and perhaps a hint on what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: Message,
    pub hint: Option<Message>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: Message) -> Error {
        Error { kind, message, hint: None }
    }

    pub fn with_hint(mut self, hint: Message) -> Error {
        self.hint = Some(hint);
        self
    }

    pub fn is(&self, kind: ErrorKind) -> bool {
        self.kind == kind
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A failure of file `path`, with the OS's reason (a full disk and a read-only stick get
/// their own words: they are what a clinic meets).
pub fn io_error(path: &std::path::Path, e: &std::io::Error) -> Error {
    let (kind, id) = match e.kind() {
        std::io::ErrorKind::StorageFull => (ErrorKind::Io, "err-disk-full"),
        std::io::ErrorKind::ReadOnlyFilesystem => (ErrorKind::Io, "err-read-only"),
        std::io::ErrorKind::NotFound => (ErrorKind::NotFound, "err-io"),
        _ => (ErrorKind::Io, "err-io"),
    };
    Error::new(kind, crate::msg!(id, file = path.display(), reason = io_reason(e)))
}

/// An I/O error whose reason is ours (not the OS's), kept as a message so that the front-end
/// phrases it: see [`io_reason`].
pub fn io_message(kind: std::io::ErrorKind, reason: Message) -> std::io::Error {
    std::io::Error::new(kind, MessageError(reason))
}

/// The reason of an I/O error as a message argument: ours (from [`io_message`]) or the OS's text.
pub fn io_reason(e: &std::io::Error) -> crate::message::Arg {
    use crate::message::IntoArg;
    match e.get_ref().and_then(|inner| inner.downcast_ref::<MessageError>()) {
        Some(MessageError(m)) => m.clone().into_arg(),
        None => e.to_string().into_arg(),
    }
}

#[derive(Debug)]
struct MessageError(Message);

impl std::fmt::Display for MessageError {
    // Only reached when a caller bypasses `io_reason`: the id still says what it was.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.id)
    }
}

impl std::error::Error for MessageError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_are_unique_snake_case() {
        let names: std::collections::BTreeSet<_> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), ErrorKind::ALL.len());
        assert!(names.iter().all(|n| n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')));
    }
}
