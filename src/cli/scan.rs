//! `certvault scan`: the call into the core and the report, as a table for people or as JSON.

use certvault_core::scan::classify::Class;
use certvault_core::scan::walk::Note;
use certvault_core::scan::{self, Hit, ScanOptions, ScanReport};
use unicode_width::UnicodeWidthStr;

use std::path::PathBuf;

use super::progress::WithProgress;
use super::OptionalVaultArgs;
use crate::error::{CliError, EXIT_FOUND, EXIT_OK};
use crate::terminal::Terminal;
use certvault_i18n::t;
use certvault_i18n::text::{escaped, escaped_keeping_lines};
use certvault_i18n::{group_digits, render};

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Folders or files to scan. Default: the places where downloads, mail attachments and
    /// deleted files end up for this user, and every mounted removable volume.
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub vault: OptionalVaultArgs,
    /// Read every file, also those whose name says they are something else (photo.jpg,
    /// notes.txt…). The default; kept for scripts written when it was not.
    #[arg(long, conflicts_with = "trust_names")]
    pub all_files: bool,
    /// Trust file names: do not open files whose name says they are something else
    /// (photo.jpg, notes.txt…). Faster, but a certificate renamed photo.jpg is not found.
    #[arg(long)]
    pub trust_names: bool,
    /// Print a JSON report for scripts.
    #[arg(long)]
    pub json: bool,
}

/// Scans, records the scan in this computer's log, prints the report; exit code 1 when copies
/// were found.
pub fn run(args: ScanArgs) -> Result<u8, CliError> {
    let json = args.json;
    let opts = &ScanOptions {
        paths: args.paths,
        vault: args.vault.vault,
        unlock: args.vault.unlock.source(),
        trust_names: args.trust_names,
    };
    let talk = WithProgress::on_terminal(&Terminal, json);
    let report = scan::scan_for_copies(opts, &talk)?;
    let report = report.phrased(&render);
    certvault_core::records::record_scan(
        "scan",
        report.roots.iter().map(|r| r.path.display().to_string()).collect(),
        report.hits.iter().map(Hit::display_path).collect(),
        report.vault.as_ref().map(|_| report.hits.iter().filter(|h| h.class == Class::Unknown).count()),
        Vec::new(),
        &Terminal,
    );
    if json {
        println!("{}", serde_json::to_string_pretty(&report).expect("the report serialises"));
    } else {
        print_report(&report);
    }
    // A recovery sheet left here is found something too: with the stick it opens the vault.
    Ok(if report.hits.is_empty() && report.recovery_sheets.is_empty() { EXIT_OK } else { EXIT_FOUND })
}

/// Pads `s` with spaces to `width` display columns (Japanese characters take two).
pub fn pad(s: &str, width: usize) -> String {
    let w = s.width();
    if w >= width {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(width - w))
    }
}

/// `2026-04-01T09:30:00Z` → `2026-04-01 09:30`.
pub fn short_time(rfc3339: Option<&str>) -> String {
    match rfc3339 {
        Some(t) if t.len() >= 16 => format!("{} {}", &t[..10], &t[11..16]),
        _ => "-".to_string(),
    }
}

/// Prints the hits as a table: class, entry, size, modified, path; with a line under a row
/// for its reason, the trash's original location or the certificate.
pub fn print_hits_table(hits: &[Hit<String>]) {
    let headers = [t!("scan-col-class"), t!("scan-col-entry"), t!("scan-col-size"), t!("scan-col-modified")];
    let rows: Vec<[String; 4]> = hits
        .iter()
        .map(|h| {
            [
                render(&h.class.message()),
                h.entry.clone().unwrap_or_else(|| "-".into()),
                group_digits(h.size),
                short_time(h.modified.as_deref()),
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..4)
        .map(|i| rows.iter().map(|r| r[i].width()).chain([headers[i].width()]).max().unwrap_or(0))
        .collect();
    let line = |cells: &[String; 4], path: &str| {
        let size = format!("{}{}", " ".repeat(widths[2].saturating_sub(cells[2].width())), cells[2]);
        println!(
            "{}  {}  {}  {}  {}",
            pad(&cells[0], widths[0]),
            pad(&cells[1], widths[1]),
            size,
            pad(&cells[3], widths[3]),
            path
        );
    };
    line(&headers, &t!("scan-col-path"));
    for (hit, row) in hits.iter().zip(&rows) {
        line(row, &escaped(&hit.display_path()));
        let indent = "    ";
        if let Some(c) = &hit.certificate {
            let code = c.institution_code.as_deref().map(|c| format!(" [{c}]")).unwrap_or_default();
            println!(
                "{indent}{}{}, {}",
                escaped(&c.subject),
                escaped(&code),
                t!("scan-valid-until", date = short_time(Some(&c.not_after)))
            );
        }
        if let Some(trash) = &hit.trash {
            if let Some(orig) = &trash.original_path {
                println!(
                    "{indent}{}",
                    t!("scan-deleted-from", path = orig, date = trash.deleted.as_deref().unwrap_or("-"))
                );
            }
        }
        if let Some(reason) = &hit.reason {
            println!("{indent}{}", escaped_keeping_lines(reason));
        }
    }
}

/// The recovery sheet PDFs found, with what to do about them.
fn print_sheets(report: &ScanReport<String>) {
    if report.recovery_sheets.is_empty() {
        return;
    }
    println!();
    println!("{}", t!("scan-sheets-title"));
    for s in &report.recovery_sheets {
        println!(
            "  {}  {}  {}",
            pad(&short_time(s.modified.as_deref()), 16),
            pad(&render(&s.place.message()), 8),
            escaped(&s.path.display().to_string())
        );
    }
    println!("{}", render(&scan::SheetHit::advice()));
}

/// Prints at most `limit` notes under a title.
pub fn print_notes(title: &str, notes: &[Note<String>], limit: usize) {
    if notes.is_empty() {
        return;
    }
    println!();
    println!("{title}");
    for n in notes.iter().take(limit) {
        let path = match &n.archive_entry {
            Some(e) => format!("{}!/{e}", n.path.display()),
            None => n.path.display().to_string(),
        };
        println!("  {}: {}", escaped(&path), escaped_keeping_lines(&n.reason));
    }
    if notes.len() > limit {
        println!("  {}", t!("scan-more", count = notes.len() - limit));
    }
}

fn print_report(report: &ScanReport<String>) {
    let s = &report.summary;
    if report.hits.is_empty() {
        println!("{}", t!("scan-none-found"));
    } else {
        print_hits_table(&report.hits);
    }
    print_sheets(report);
    print_notes(&t!("scan-not-pkcs12-title"), &report.not_pkcs12, 20);
    print_notes(&t!("scan-errors-title"), &report.errors, 10);
    print_notes(&t!("scan-skipped-title"), &report.skipped, 10);
    if !report.installed.is_empty() || !report.installed_notes.is_empty() {
        println!();
        println!("{}", t!("scan-installed-title"));
        for i in &report.installed {
            let key = match (i.has_private_key, i.exportable) {
                (false, _) => t!("scan-installed-no-key"),
                (true, Some(true)) => t!("scan-installed-exportable"),
                (true, Some(false)) => t!("scan-installed-not-exportable"),
                (true, None) => t!("scan-installed-key"),
            };
            let entry = i
                .entry
                .as_deref()
                .map(|e| format!(" ({})", t!("scan-installed-entry", entry = e)))
                .unwrap_or_default();
            println!("  {}: {} — {key}{entry}", escaped(&i.store), escaped(&i.name));
            if i.strong_protection == Some(true) {
                println!("    {}", t!("scan-installed-strong-protection"));
            }
        }
        for n in &report.installed_notes {
            println!("  {}", escaped_keeping_lines(n));
        }
    }
    println!();
    println!("{}", t!("scan-places-title"));
    for r in &report.roots {
        println!("  {}: {}", render(&r.place.message()), escaped(&r.path.display().to_string()));
    }
    println!();
    println!(
        "{}",
        t!(
            "scan-summary-scanned",
            files = group_digits(s.files),
            folders = group_digits(s.folders),
            seconds = format!("{:.1}", s.seconds)
        )
    );
    if s.files_not_opened > 0 {
        println!("{}", t!("scan-summary-not-opened", count = group_digits(s.files_not_opened)));
    }
    if report.hits.is_empty() {
        return;
    }
    match &report.vault {
        None => {
            println!("{}", t!("scan-summary-found", count = s.hits));
            println!("{}", t!("scan-advice-vault"));
        }
        Some(v) => {
            println!(
                "{}",
                t!(
                    "scan-summary-classified",
                    count = s.hits,
                    in_vault = s.in_vault,
                    same = s.same_certificate,
                    unknown = s.unknown,
                    unreadable = s.not_readable,
                    generation = v.generation
                )
            );
            if s.in_vault > 0 {
                println!("{}", t!("scan-advice-clean", dir = v.dir.display()));
            }
            if s.unknown > 0 {
                println!("{}", t!("scan-advice-unknown"));
            }
            if s.same_certificate > 0 {
                println!("{}", t!("scan-advice-same"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_counts_wide_characters() {
        assert_eq!(pad("保管庫", 8), "保管庫  ");
        assert_eq!(pad("abc", 2), "abc");
        assert_eq!(short_time(Some("2026-04-01T09:30:00Z")), "2026-04-01 09:30");
    }
}
