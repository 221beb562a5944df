//! 「端末に残ったコピーを掃除する」: `certvault clean`'s core function, a dry run first, then
//! the removal, which asks the user (through the terminal's conversation) before anything goes.

use certvault_core::clean::{clean_vault, CleanOptions};
use certvault_core::ErrorKind;

use super::{choose_vault, open_vault, Session, Ui};
use crate::cli::clean::print_table;
use crate::cli::progress::WithProgress;
use crate::error::CliError;
use crate::terminal::Terminal;
use certvault_i18n::render;
use certvault_i18n::t;

pub(crate) fn run(ui: &Ui, session: &mut Session) -> Result<(), CliError> {
    ui.heading(&t!("wizard-menu-clean"));
    ui.say(&t!("wizard-clean-intro"));
    ui.step(&t!("wizard-step-stick"), &t!("wizard-step-clean-vault-why"));
    let Some(dir) = choose_vault(ui)? else { return Ok(()) };
    let mut vault = open_vault(ui, session, &dir, false)?;

    ui.step(&t!("wizard-step-search"), &t!("wizard-step-search-why"));
    let talk = WithProgress::on_terminal(&Terminal, false);
    let dry_run = CleanOptions::default();
    let dry_run = clean_vault(&mut vault, &dry_run, &talk)?.phrased(&render);
    print_table(&dry_run);
    let removable = dry_run.summary.would_remove;
    // What is left, by kind: copies not in the vault (to keep safe first), and zip archives
    // kept because they also hold other files (to look into and delete by hand). A zip of
    // nothing but vault copies goes with the other copies.
    let unknown_left = dry_run.outcomes.iter().any(|o| {
        o.hit.archive_entry.is_none() && o.hit.class != certvault_core::scan::classify::Class::InVault
    });
    let zip_kept = dry_run.outcomes.iter().any(|o| {
        o.hit.archive_entry.is_some()
            && o.hit.class == certvault_core::scan::classify::Class::InVault
            && o.action == certvault_core::clean::Action::Left
    });
    if removable > 0 {
        // What overwriting can and cannot do, before the user decides (the core asks).
        println!();
        ui.say(&dry_run.notice);
        println!();
        let apply = CleanOptions { apply: true, ask_first: true, ..CleanOptions::default() };
        match clean_vault(&mut vault, &apply, &talk) {
            Ok(done) => {
                println!();
                print_table(&done.phrased(&render));
            }
            Err(e) if e.is(ErrorKind::Cancelled) => ui.say(&t!("cancelled")),
            Err(e) => return Err(e.into()),
        }
    }
    // Recovery sheet PDFs the search came across: with the stick, each opens everything
    // (issue 16, item 4). Removed here when the user says they are printed.
    let sheets: Vec<std::path::PathBuf> =
        dry_run.scan.recovery_sheets.iter().map(|s| s.path.clone()).collect();
    if !sheets.is_empty() {
        println!();
        ui.say(&t!("wizard-clean-sheets-found", count = sheets.len()));
        for path in &sheets {
            println!("  {}", certvault_i18n::text::escaped(&path.display().to_string()));
        }
        if ui.confirm(&t!("wizard-clean-sheets-confirm")) {
            for path in &sheets {
                match certvault_core::sheet::pdf_file::remove_sheet_pdf(path) {
                    Ok(()) => ui.say(&t!("wizard-sheet-removed", file = path.display())),
                    Err(e) => ui.error(&e.into()),
                }
            }
        } else {
            ui.say(&t!("wizard-clean-sheets-kept"));
        }
    }
    let mut steps = Vec::new();
    if unknown_left {
        steps.push(t!("wizard-next-seal-unknown"));
    }
    if zip_kept {
        steps.push(t!("wizard-next-zip-kept"));
    }
    steps.push(t!("wizard-next-clean-other-places"));
    steps.push(t!("wizard-next-stick-home"));
    ui.next_steps(&t!("wizard-next-title"), &steps);
    Ok(())
}
