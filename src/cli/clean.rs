//! `certvault clean`: the call into the cleanup and its report, as a table for people or as JSON.

use certvault_core::scan::classify::Class;

use super::scan::{pad, print_notes};
use crate::clean::{self, Action, CleanOptions, CleanReport, Outcome};
use crate::error::CliError;
use crate::t;
use crate::terminal_text::{escaped, escaped_keeping_lines};

/// Cleans (or, without `--apply`, says what it would clean) and prints the report; exit code
/// 1 when copies are still on disk.
pub fn run(opts: &CleanOptions) -> Result<u8, CliError> {
    let sealing = opts.apply && opts.seal_unknown;
    let mut vault =
        crate::scan::open_vault(Some(&opts.vault), &opts.unlock, sealing, &crate::terminal::Terminal)?
            .expect("a vault folder is given");
    let clean = clean::clean_vault(&mut vault, opts)?;
    drop(vault);
    if opts.json {
        println!("{}", serde_json::to_string_pretty(&clean).expect("the report serialises"));
    } else {
        print_report(&clean);
    }
    Ok(clean::exit_code(&clean))
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
        let classes: Vec<String> =
            report.outcomes.iter().map(|o| crate::i18n::render(&o.hit.class.message())).collect();
        let w0 = labels.iter().map(|l| unicode_width::UnicodeWidthStr::width(l.as_str())).max().unwrap_or(0);
        let w1 = classes.iter().map(|l| unicode_width::UnicodeWidthStr::width(l.as_str())).max().unwrap_or(0);
        println!();
        for ((o, label), class) in report.outcomes.iter().zip(&labels).zip(&classes) {
            let entry = o.hit.entry.as_deref().unwrap_or("-");
            println!(
                "{}  {}  {:12}  {}",
                pad(label, w0),
                pad(class, w1),
                entry,
                escaped(&o.hit.display_path())
            );
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
