//! `certvault restore`: the flags, and their translation into the core's plain
//! [`RestoreOptions`] (the wizard fills the same struct from its questions).

use std::path::PathBuf;

use certvault_core::install::{RestoreOptions, RootTrust, Target};

use crate::cli::UnlockArgs;
use crate::error::CliError;

/// `certvault restore [ENTRY…] [--vault DIR] [--pin-file F] [--to windows|nss:DIR|macos|file:PATH]`
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// Entries to restore (ids from `certvault list`; a unique beginning is enough). Default:
    /// the current certificate of each purpose.
    #[arg(value_name = "ENTRY")]
    pub entries: Vec<String>,
    /// The vault folder. Default: found on the mounted USB sticks and other removable media
    /// (and in the folders listed in the CERTVAULT_MEDIA_ROOTS variable); asked when there
    /// are several.
    #[arg(long, value_name = "DIR")]
    pub vault: Option<PathBuf>,
    #[command(flatten)]
    pub unlock: UnlockArgs,
    /// Read the certificate's PIN from this file (- = standard input) instead of asking. It is
    /// checked here first: a wrong PIN never reaches the store.
    #[arg(long, value_name = "F")]
    pub pin_file: Option<PathBuf>,
    /// Use the PIN stored in the vault, opened with the PIN code of the recovery sheet read from
    /// this file (- = standard input).
    #[arg(long, value_name = "F")]
    pub pin_code_file: Option<PathBuf>,
    /// Where to install: windows (the current user's "My" store; default on Windows), nss:DIR
    /// (an NSS database as Firefox and Chromium use; default on Linux: sql:~/.pki/nssdb), macos
    /// (the login keychain; default on macOS), or file:PATH (the original .p12, for a vendor).
    #[arg(long, value_name = "TARGET", value_parser = parse_target)]
    pub to: Option<Target>,
    /// Let the private key be exported again later (Windows; default: not exportable).
    #[arg(long)]
    pub exportable: bool,
    /// Add the CA root to the trusted roots without asking (its SHA-1 thumbprint is still
    /// shown). Without it, a terminal asks; a script leaves the root out.
    #[arg(long, conflicts_with = "no_root")]
    pub trust_root: bool,
    /// Never add the CA root to the trusted roots.
    #[arg(long)]
    pub no_root: bool,
    /// Go on without asking when a certificate is expired or superseded.
    #[arg(long)]
    pub yes: bool,
    /// Read the password of the NSS database (Firefox's primary password) from this file
    /// instead of asking; only needed when the database has one.
    #[arg(long, value_name = "F")]
    pub store_password_file: Option<PathBuf>,
    /// Print a JSON report for scripts.
    #[arg(long)]
    pub json: bool,
}

impl RestoreArgs {
    /// The core's options for these flags.
    pub fn options(&self) -> RestoreOptions {
        RestoreOptions {
            entries: self.entries.clone(),
            vault: self.vault.clone(),
            unlock: self.unlock.source(),
            pin_file: self.pin_file.clone(),
            pin_code_file: self.pin_code_file.clone(),
            target: self.to.clone().unwrap_or_else(Target::default_here),
            exportable: self.exportable,
            root: match (self.trust_root, self.no_root) {
                (true, _) => RootTrust::Always,
                (_, true) => RootTrust::Never,
                _ => RootTrust::Ask,
            },
            yes: self.yes,
            store_password_file: self.store_password_file.clone(),
        }
    }
}

/// `--to`'s value: windows, macos, nss, nss:DIR (`sql:` accepted in front), file:PATH.
pub fn parse_target(s: &str) -> Result<Target, String> {
    let (kind, rest) = match s.split_once(':') {
        Some((k, r)) => (k, Some(r)),
        None => (s, None),
    };
    match (kind.to_ascii_lowercase().as_str(), rest) {
        ("windows", None) => Ok(Target::Windows),
        ("macos", None) => Ok(Target::Macos),
        ("nss", None) => Ok(Target::Nss(None)),
        ("nss", Some(dir)) => {
            // NSS tools write the database type in front of the folder: accept it.
            let dir = dir.strip_prefix("sql:").unwrap_or(dir);
            if dir.is_empty() {
                return Err("nss:DIR needs a folder, e.g. nss:/home/me/.pki/nssdb".into());
            }
            Ok(Target::Nss(Some(PathBuf::from(dir))))
        }
        ("file", Some(path)) if !path.is_empty() => Ok(Target::File(PathBuf::from(path))),
        _ => Err(format!("unknown target {s:?}: use windows, nss:DIR, macos or file:PATH")),
    }
}

/// `certvault restore …`.
pub fn run(args: &RestoreArgs) -> Result<u8, CliError> {
    crate::restore::run(&args.options(), args.json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse() {
        assert_eq!(parse_target("windows"), Ok(Target::Windows));
        assert_eq!(parse_target("macos"), Ok(Target::Macos));
        assert_eq!(parse_target("nss"), Ok(Target::Nss(None)));
        assert_eq!(parse_target("nss:sql:/a/b"), Ok(Target::Nss(Some("/a/b".into()))));
        assert_eq!(parse_target("nss:/a/b"), Ok(Target::Nss(Some("/a/b".into()))));
        assert_eq!(parse_target("file:C:\\out\\x.p12"), Ok(Target::File("C:\\out\\x.p12".into())));
        assert!(parse_target("nss:").is_err());
        assert!(parse_target("file:").is_err());
        assert!(parse_target("keychain").is_err());
    }
}
