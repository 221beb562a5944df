//! Command-line definitions (`docs/cli-contract.md` is the contract: names, flags, exit codes,
//! secret input, JSON shapes).

// One module per command: its arguments, the call into the core, its human and JSON output.
pub mod add;
pub mod clean;
pub mod clone;
pub mod demo;
pub mod export;
pub mod init;
pub mod inspect;
pub mod list;
pub mod passwd;
pub mod recover_pin;
pub mod remove;
pub mod rescue;
pub mod restore;
pub mod reveal_pin;
pub mod scan;
pub mod sheet;
pub mod shell_integration;
pub mod status;
pub mod sync;
pub mod verify;

// Shared by the commands: progress on the terminal, notes about the vault, help and clap's
// own errors in the user's language.
pub mod notes;
pub mod progress;
pub mod translated;
pub mod usage_error;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use certvault_core::certificate::x509::Purpose;
use certvault_i18n::Lang;

/// How a command that reads the vault opens it.
#[derive(Debug, clap::Args)]
pub struct VaultArgs {
    /// The vault folder (e.g. E:\CERTVAULT).
    #[arg(long, value_name = "DIR")]
    pub vault: PathBuf,
    #[command(flatten)]
    pub unlock: UnlockArgs,
}

#[derive(Debug, clap::Args)]
pub struct UnlockArgs {
    /// Read the vault passphrase from this file (- = standard input) instead of asking.
    #[arg(long, value_name = "F", conflicts_with = "recovery_code_file")]
    pub passphrase_file: Option<PathBuf>,
    /// Open with the recovery code from the sheet, read from this file (- = standard input).
    #[arg(long, value_name = "F")]
    pub recovery_code_file: Option<PathBuf>,
    /// Open with the share codes of a split recovery sheet: give this once per share sheet
    /// (K times for K-of-N), each file holding one share code.
    #[arg(long = "share-file", value_name = "F", conflicts_with_all = ["passphrase_file", "recovery_code_file"])]
    pub share_files: Vec<PathBuf>,
    /// Not a flag: what to ask for on the terminal when no file is given (the wizard sets it
    /// when the passphrase is forgotten).
    #[arg(skip)]
    pub ask: certvault_core::vault::AskFor,
}

impl UnlockArgs {
    pub fn source(&self) -> certvault_core::vault::UnlockSource {
        certvault_core::vault::UnlockSource {
            passphrase_file: self.passphrase_file.clone(),
            recovery_code_file: self.recovery_code_file.clone(),
            share_files: self.share_files.clone(),
            ask: self.ask,
            ..Default::default()
        }
    }
}

/// Like [`VaultArgs`], for commands that work without a vault too (`scan`).
#[derive(Debug, clap::Args)]
pub struct OptionalVaultArgs {
    /// The vault folder: with it, every copy found is compared with the vault's entries.
    #[arg(long, value_name = "DIR")]
    pub vault: Option<PathBuf>,
    #[command(flatten)]
    pub unlock: UnlockArgs,
}

/// The purposes `--purpose` accepts.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum PurposeArg {
    OnlineQualification,
    HpkiSecond,
    Other,
}

impl From<PurposeArg> for Purpose {
    fn from(p: PurposeArg) -> Purpose {
        match p {
            PurposeArg::OnlineQualification => Purpose::OnlineQualification,
            PurposeArg::HpkiSecond => Purpose::HpkiSecond,
            PurposeArg::Other => Purpose::Other,
        }
    }
}

/// `certvault --version`: the program's version, the commit it was built from (build.rs) and
/// the vault format versions it reads and writes (vault-format/SPEC.md §2.3).
pub fn version_text() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        // Readers accept every version from 1 up to the one they implement (SPEC.md §2.3).
        let reads = match vault_format::FORMAT_VERSION {
            1 => "1".to_string(),
            v => format!("1 to {v}"),
        };
        // The commit on a line of its own: the first line stays as the contract gives it.
        format!(
            "{} (vault format: reads version {reads}, writes version {})\ncommit {}",
            env!("CARGO_PKG_VERSION"),
            vault_format::FORMAT_VERSION,
            env!("CERTVAULT_COMMIT"),
        )
    })
}

#[derive(Debug, Parser)]
#[command(
    name = "certvault",
    version = version_text(),
    about = "Keeps a clinic's client certificates safe: an encrypted vault on a USB stick, a printed recovery sheet, cleanup of leftover copies, restore onto new hardware.",
    after_help = "Exit codes: 0 success / nothing to report, 1 found something (scan hits, status needs attention, PIN not found), 2 error.\nSecrets are read from a no-echo prompt on a terminal or from a file named by a *-file flag (- = standard input), never from arguments or environment variables."
)]
pub struct Cli {
    /// Language of messages (default: from the system locale) and of the recovery sheet
    /// (default: Japanese with English subtitles).
    #[arg(long, global = true, value_enum)]
    pub lang: Option<Lang>,

    /// None: no arguments, which on a terminal starts the guided wizard.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read a PKCS#12 file (.p12/.pfx) and verify its PIN offline.
    Inspect(inspect::InspectArgs),
    /// Find a forgotten numeric PIN of your own certificate file by trying every candidate.
    RecoverPin(recover_pin::RecoverPinArgs),
    /// Create a vault folder on a USB stick.
    Init(init::InitArgs),
    /// Seal a certificate file (and its PIN) into the vault.
    Add(add::AddArgs),
    /// List the certificates in the vault.
    List(list::ListArgs),
    /// Remove an entry from the vault (writes a new generation).
    Remove(remove::RemoveArgs),
    /// Show a stored PIN (needs the PIN code from the recovery sheet).
    RevealPin(reveal_pin::RevealPinArgs),
    /// Write the original .p12 file of an entry (for a vendor).
    Export(export::ExportArgs),
    /// Print the recovery sheet again (PDF; Japanese with English subtitles unless --lang en).
    Sheet(sheet::SheetArgs),
    /// Change the vault passphrase (open with the old one, or with the recovery code).
    Passwd(passwd::PasswdArgs),
    /// Install certificates from the vault on this computer (new hardware): the PIN is checked
    /// here first, the store is read back to confirm the SHA-1 thumbprint, nothing is left on
    /// disk.
    Restore(restore::RestoreArgs),
    /// Back up a certificate that is only in this computer's certificate store (no .p12
    /// anywhere): export it with its key into the vault, or say plainly why it cannot be.
    /// Exit code 1 when a certificate with its key in the store is still not in the vault.
    Rescue(rescue::RescueArgs),
    /// Find copies of certificate files (PKCS#12) by their content, also without or with a
    /// changed extension and inside .zip archives; with --vault, tell which are in the vault.
    /// Exit code 1 when copies were found.
    Scan(scan::ScanArgs),
    /// Remove copies that are byte-identical to an entry of the vault (a dry run unless
    /// --apply). Copies that are not in the vault are never removed. Exit code 1 when copies
    /// are (still) on disk afterwards.
    Clean(clean::CleanArgs),
    /// Write another copy of the vault onto another stick (a new or empty folder DEST), and
    /// verify it.
    Clone(clone::CloneArgs),
    /// Open every copy of the vault, check each generation, and tell which copy is newest,
    /// which is stale and which is damaged. Exit code 0 only when every copy is complete and
    /// current, 1 otherwise.
    Verify(verify::VerifyArgs),
    /// Bring stale or damaged copies up to date from the newest good one (same vault only).
    /// Exit code 0 when every copy is current afterwards, 1 otherwise.
    Sync(sync::SyncArgs),
    /// What needs attention, most urgent first.
    ///
    /// Certificates expiring (90, 60, 30, 15 and 7 days before, then daily) or expired, the
    /// last working day of a replaced certificate, a vault with only one copy or not verified
    /// for six months, a recovery sheet not printed for the vault as it is now, copies left on
    /// this computer, and what was installed here. Exit code 0 when nothing needs attention, 1
    /// when something does.
    Status(status::StatusArgs),
    /// The whole story on a throwaway certificate, explained step by step.
    ///
    /// Makes a test CA and a clinic certificate with a 4-digit PIN, then runs init, add,
    /// sheet, scan, clean and restore in a folder of its own, and leaves the recovery sheet and
    /// a report in DIR. Nothing of the user's is touched.
    Demo(demo::DemoArgs),
    /// Print the completion script for a shell (bash, zsh, fish, powershell, elvish).
    Completions(shell_integration::CompletionsArgs),
    /// Print the manual page (roff); with --out-dir, write certvault.1 and one page per
    /// command into that folder.
    Man(shell_integration::ManArgs),
}
