//! `certvault clean`: the flags, the call into the core's cleanup
//! ([`certvault_core::clean::clean`]) and its report, as a table for people or as JSON.

use std::path::PathBuf;

use certvault_core::clean::{self, Action, CleanOptions};
use certvault_core::scan::classify::Class;

use super::progress::WithProgress;
use super::scan::{pad, print_notes};
use crate::cli::VaultArgs;
use crate::error::{CliError, EXIT_FOUND, EXIT_OK};
use crate::terminal::Terminal;
use certvault_i18n::render;
use certvault_i18n::t;
use certvault_i18n::text::{escaped, escaped_keeping_lines};

/// The cleanup's report with its reasons phrased: what is printed, as a table or as JSON.
pub type CleanReport = clean::CleanReport<String>;
type Outcome = clean::Outcome<String>;

/// `certvault clean [PATH…] --vault DIR [--apply] [--seal-unknown [--pin-file F]]`
#[derive(Debug, clap::Args)]
pub struct CleanArgs {
    /// Folders or files to clean. Default: the same places as scan.
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub vault: VaultArgs,
    /// Remove the copies (overwrite, rename, truncate, delete). Without it, only list them.
    #[arg(long)]
    pub apply: bool,
    /// Seal copies that are not in the vault into it first (their PIN is checked), so that
    /// they can be removed too.
    #[arg(long)]
    pub seal_unknown: bool,
    /// With --seal-unknown: read the PIN of those copies from this file (- = standard
    /// input) instead of asking for each.
    #[arg(long, value_name = "F")]
    pub pin_file: Option<PathBuf>,
    /// Read every file, also those whose name says they are something else (the default, as
    /// for scan).
    #[arg(long, conflicts_with = "trust_names")]
    pub all_files: bool,
    /// Trust file names: do not open files whose name says they are something else (as
    /// scan --trust-names).
    #[arg(long)]
    pub trust_names: bool,
    /// Print a JSON report for scripts.
    #[arg(long)]
    pub json: bool,
}

impl CleanArgs {
    /// The core's options for these flags: `--apply` is the answer, nothing more is asked
    /// (but the PIN of copies to seal, without `--pin-file`).
    pub fn options(&self) -> CleanOptions {
        CleanOptions {
            paths: self.paths.clone(),
            apply: self.apply,
            ask_first: false,
            seal_unknown: self.seal_unknown,
            pin_file: self.pin_file.clone(),
            trust_names: self.trust_names,
            show_before_sealing: Some(super::add::print_summary),
        }
    }
}

/// Cleans (or, without `--apply`, says what it would clean) and prints the report; exit code
/// 1 when copies are still on disk.
pub fn run(args: &CleanArgs) -> Result<u8, CliError> {
    let talk = WithProgress::on_terminal(&Terminal, args.json);
    let report = clean::clean(&args.vault.vault, &args.vault.unlock.source(), &args.options(), &talk)?;
    let report = report.phrased(&render);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report).expect("the report serialises"));
    } else {
        print_report(&report);
    }
    Ok(exit_code(&report))
}

/// 1 when copies are (still) on disk: all of them after a dry run, those left after `--apply`.
pub fn exit_code(report: &CleanReport) -> u8 {
    match report.copies_on_disk() {
        0 => EXIT_OK,
        _ => EXIT_FOUND,
    }
}

fn action_label(o: &Outcome) -> String {
    match o.action {
        Action::Removed if o.sealed => t!("clean-action-sealed-removed"),
        Action::Removed => t!("clean-action-removed"),
        Action::WouldRemove => t!("clean-action-would-remove"),
        Action::WouldSealAndRemove => t!("clean-action-would-seal"),
        Action::Left => t!("clean-action-left"),
    }
}

/// The report for the command line: the table, what to type next, and the limits of
/// overwriting.
pub fn print_report(report: &CleanReport) {
    print_table(report);
    let s = &report.summary;
    if report.dry_run && s.would_remove > 0 {
        println!("{}", t!("clean-advice-apply"));
    }
    if report.outcomes.iter().any(|o| o.action == Action::Left && o.hit.class == Class::Unknown) {
        println!("{}", t!("scan-advice-unknown"));
    }
    println!();
    println!("{}", report.notice);
}

/// The vault, each copy with what was (or would be) done, and the counts (the wizard shows
/// this, with its own advice instead of command lines).
pub fn print_table(report: &CleanReport) {
    let v = &report.vault;
    println!("{}", t!("clean-vault", dir = v.dir.display(), generation = v.generation, entries = v.entries));
    if report.outcomes.is_empty() {
        println!("{}", t!("scan-none-found"));
    } else {
        let labels: Vec<String> = report.outcomes.iter().map(action_label).collect();
        let classes: Vec<String> = report.outcomes.iter().map(|o| render(&o.hit.class.message())).collect();
        let w0 = labels.iter().map(|l| unicode_width::UnicodeWidthStr::width(l.as_str())).max().unwrap_or(0);
        let w1 = classes.iter().map(|l| unicode_width::UnicodeWidthStr::width(l.as_str())).max().unwrap_or(0);
        println!();
        // The entry ids are for the command line; the wizard keeps them for its details view.
        let ids = certvault_i18n::voice() == certvault_i18n::Voice::CommandLine;
        for ((o, label), class) in report.outcomes.iter().zip(&labels).zip(&classes) {
            let entry =
                if ids { format!("{:12}  ", o.hit.entry.as_deref().unwrap_or("-")) } else { String::new() };
            println!("{}  {}  {entry}{}", pad(label, w0), pad(class, w1), escaped(&o.hit.display_path()));
            if let Some(why) = &o.why {
                println!("    {}", escaped_keeping_lines(why));
            }
            if let Some(index) = &o.trash_index_removed {
                println!("    {}", t!("clean-index-removed", file = index));
            }
        }
    }
    print_notes(&t!("scan-errors-title"), &report.scan.errors, 10);
    print_notes(&t!("scan-skipped-title"), &report.scan.skipped, 10);
    let s = &report.summary;
    println!();
    if report.dry_run {
        println!("{}", t!("clean-summary-dry-run", would = s.would_remove, left = s.left));
    } else {
        println!("{}", t!("clean-summary", removed = s.removed, left = s.left, sealed = s.sealed));
    }
}
