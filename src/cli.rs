//! Command-line definitions (`docs/cli-contract.md` is the contract: names, flags, exit codes,
//! secret input, JSON shapes).

pub mod clean;
pub mod progress;
pub mod scan;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::cert::Purpose;
use crate::i18n::Lang;

// One module per command: the call into the core and the printing of its result.
pub mod demo;
pub mod inspect;
pub mod recover_pin;
pub mod restore;

// Help and clap's own errors in the user's language.
pub mod translated;
pub mod usage_error;

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
    pub ask: crate::vault::AskFor,
}

impl UnlockArgs {
    pub fn source(&self) -> crate::vault::UnlockSource {
        crate::vault::UnlockSource {
            passphrase_file: self.passphrase_file.clone(),
            recovery_code_file: self.recovery_code_file.clone(),
            share_files: self.share_files.clone(),
            ask: self.ask,
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

/// `certvault --version`: the program's version and the vault format versions it reads and
/// writes (vault-format/SPEC.md §2.3).
pub fn version_text() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        // Readers accept every version from 1 up to the one they implement (SPEC.md §2.3).
        let reads = match vault_format::FORMAT_VERSION {
            1 => "1".to_string(),
            v => format!("1 to {v}"),
        };
        format!(
            "{} (vault format: reads version {reads}, writes version {})",
            env!("CARGO_PKG_VERSION"),
            vault_format::FORMAT_VERSION
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
    Inspect {
        /// The certificate file.
        file: PathBuf,
        /// Read the PIN from this file (- = standard input) instead of asking.
        #[arg(long, value_name = "F")]
        pin_file: Option<PathBuf>,
        /// Print a JSON report for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Find a forgotten numeric PIN of your own certificate file by trying every candidate.
    RecoverPin {
        /// The certificate file.
        file: PathBuf,
        /// Longest PIN to try (1-8).
        #[arg(long, value_name = "N", default_value_t = crate::recover_pin::DEFAULT_MAX_DIGITS)]
        max_digits: u8,
        /// Print a JSON result for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Create a vault folder on a USB stick.
    Init {
        /// The new vault folder (created; must be new or empty).
        dir: PathBuf,
        /// Read the new passphrase from this file (- = standard input) instead of asking twice.
        #[arg(long, value_name = "F")]
        passphrase_file: Option<PathBuf>,
        /// Write RECOVERY-CODE, RECOVERY-IDENTITY and PIN-CODE lines to this new 0600 file
        /// (outside the vault folder) for scripted setups.
        #[arg(long, value_name = "F")]
        recovery_out: Option<PathBuf>,
        /// Write the recovery sheet (PDF, with the PIN code, which is shown only now) to this
        /// new 0600 file outside the vault folder. Language: --lang, default Japanese.
        #[arg(long, value_name = "PDF")]
        sheet_out: Option<PathBuf>,
        /// Create the vault even though the folder is not on removable media.
        #[arg(long)]
        allow_fixed_disk: bool,
    },
    /// Seal a certificate file (and its PIN) into the vault.
    Add {
        /// The certificate file (.p12/.pfx).
        file: PathBuf,
        #[command(flatten)]
        vault: VaultArgs,
        /// Read the certificate's PIN from this file (- = standard input) instead of asking.
        #[arg(long, value_name = "F")]
        pin_file: Option<PathBuf>,
        /// Your own reminder for the PIN, kept with the entry (visible with the passphrase).
        #[arg(long, value_name = "TEXT")]
        hint: Option<String>,
        /// What the certificate is for (default: guessed from issuer and file name).
        #[arg(long, value_enum, value_name = "P")]
        purpose: Option<PurposeArg>,
        /// Do not store the PIN (keep only the hint).
        #[arg(long)]
        no_store_pin: bool,
    },
    /// List the certificates in the vault.
    List {
        #[command(flatten)]
        vault: VaultArgs,
        /// Print a JSON report for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Remove an entry from the vault (writes a new generation).
    Remove {
        /// The entry id (see list).
        entry: String,
        #[command(flatten)]
        vault: VaultArgs,
    },
    /// Show a stored PIN (needs the PIN code from the recovery sheet).
    RevealPin {
        /// The entry id (see list).
        entry: String,
        #[command(flatten)]
        vault: VaultArgs,
        /// Read the PIN code from this file (- = standard input) instead of asking.
        #[arg(long, value_name = "F")]
        pin_code_file: Option<PathBuf>,
    },
    /// Write the original .p12 file of an entry (for a vendor).
    Export {
        /// The entry id (see list).
        entry: String,
        #[command(flatten)]
        vault: VaultArgs,
        /// The file to write (created 0600; never overwritten).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Print the recovery sheet again (PDF; Japanese with English subtitles unless --lang en).
    Sheet {
        #[command(flatten)]
        vault: VaultArgs,
        /// The PDF to write (created 0600, outside the vault folder; never overwritten). With
        /// --split, FILE-1-of-N.pdf … FILE-N-of-N.pdf instead.
        #[arg(long, value_name = "PDF")]
        out: PathBuf,
        /// Read the PIN code from the first sheet from this file (- = standard input) to print
        /// it again; without it the sheet says where the PIN code is.
        #[arg(long, value_name = "F")]
        pin_code_file: Option<PathBuf>,
        /// Split the recovery code into N share sheets, any K of which open the vault
        /// (e.g. 2-of-3; 2 <= K <= N <= 9).
        #[arg(long, value_name = "K-of-N", value_parser = crate::sheet_command::parse_split)]
        split: Option<crate::sheet_command::Split>,
    },
    /// Change the vault passphrase (open with the old one, or with the recovery code).
    Passwd {
        #[command(flatten)]
        vault: VaultArgs,
        /// Read the new passphrase from this file (- = standard input) instead of asking twice.
        #[arg(long, value_name = "F")]
        new_passphrase_file: Option<PathBuf>,
    },
    /// Install certificates from the vault on this computer (new hardware): the PIN is checked
    /// here first, the store is read back to confirm the SHA-1 thumbprint, nothing is left on
    /// disk.
    Restore(restore::RestoreArgs),
    /// Find copies of certificate files (PKCS#12) by their content, also without or with a
    /// changed extension and inside .zip archives; with --vault, tell which are in the vault.
    /// Exit code 1 when copies were found.
    Scan {
        /// Folders or files to scan. Default: the places where downloads, mail attachments and
        /// deleted files end up for this user, and every mounted removable volume.
        paths: Vec<PathBuf>,
        #[command(flatten)]
        vault: OptionalVaultArgs,
        /// Also read files whose name says they are something else (photo.jpg, notes.txt…),
        /// which are not opened by default. Slower.
        #[arg(long)]
        all_files: bool,
        /// Print a JSON report for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Remove copies that are byte-identical to an entry of the vault (a dry run unless
    /// --apply). Copies that are not in the vault are never removed. Exit code 1 when copies
    /// are (still) on disk afterwards.
    Clean(clean::CleanArgs),
    /// Write another copy of the vault onto another stick (a new or empty folder DEST), and
    /// verify it.
    Clone {
        #[command(flatten)]
        vault: VaultArgs,
        /// The new copy's folder (created; must be new or empty).
        dest: PathBuf,
        /// Write the copy even though DEST is not on removable media.
        #[arg(long)]
        allow_fixed_disk: bool,
        /// Print a JSON report for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Open every copy of the vault, check each generation, and tell which copy is newest,
    /// which is stale and which is damaged. Exit code 0 only when every copy is complete and
    /// current, 1 otherwise.
    Verify {
        /// The copies' folders. Default: the vault folders on the mounted removable volumes.
        dirs: Vec<PathBuf>,
        #[command(flatten)]
        unlock: UnlockArgs,
        /// Print a JSON report for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Bring stale or damaged copies up to date from the newest good one (same vault only).
    /// Exit code 0 when every copy is current afterwards, 1 otherwise.
    Sync {
        /// The copies' folders. Default: the vault folders on the mounted removable volumes.
        dirs: Vec<PathBuf>,
        #[command(flatten)]
        unlock: UnlockArgs,
        /// Print a JSON report for scripts.
        #[arg(long)]
        json: bool,
    },
    /// What needs attention, most urgent first.
    ///
    /// Certificates expiring (90, 60, 30, 15 and 7 days before, then daily) or expired, the
    /// last working day of a replaced certificate, a vault with only one copy or not verified
    /// for six months, a recovery sheet not printed for the vault as it is now, copies left on
    /// this computer, and what was installed here. Exit code 0 when nothing needs attention, 1
    /// when something does.
    Status(crate::status::StatusArgs),
    /// The whole story on a throwaway certificate, explained step by step.
    ///
    /// Makes a test CA and a clinic certificate with a 4-digit PIN, then runs init, add,
    /// sheet, scan, clean and restore in a folder of its own, and leaves the recovery sheet and
    /// a report in DIR. Nothing of the user's is touched.
    Demo(demo::DemoArgs),
    /// Print the completion script for a shell (bash, zsh, fish, powershell, elvish).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff); with --out-dir, write certvault.1 and one page per
    /// command into that folder.
    Man {
        /// Write the pages into this folder instead of printing certvault.1.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

// The front-ends of the vault and sheet commands: each calls the core and prints its result.
pub mod add;
pub mod export;
pub mod init;
pub mod list;
pub mod notes;
pub mod passwd;
pub mod remove;
pub mod reveal_pin;
pub mod sheet;
