//! 「状態を確認する」: `certvault status` on the vault the user picks (opened with the
//! passphrase typed once), or on this computer's records alone when no stick is at hand. The
//! checklist comes from the same core functions as the command's.

use certvault_core::records::Logs;
use certvault_core::rescue::{self, Source};
use certvault_core::status::{self, NextStep};
use certvault_core::vault::entries;

use super::{choose_vault, Ui};
use crate::error::CliError;
use crate::terminal::Terminal;
use certvault_i18n::t;

pub(crate) fn run(ui: &Ui, session: &mut super::Session) -> Result<(), CliError> {
    ui.heading(&t!("wizard-menu-status"));
    ui.say(&t!("wizard-status-intro"));
    ui.step(&t!("wizard-step-stick"), &t!("wizard-step-status-vault-why"));
    let logs = Logs::read();
    let now = certvault_core::dates::now_unix();
    let mut outside = Vec::new();
    let dir = choose_vault(ui)?;
    let report = match &dir {
        Some(dir) => {
            let vault = super::open_vault(ui, session, dir, false)?;
            // Installed client certificates the vault does not hold: offered for rescue below.
            outside = rescue::not_in_vault(&Source::default_here(), &vault);
            status::of_opened_vault(dir, &vault, &logs, now)
        }
        None => {
            ui.say(&t!("wizard-status-logs-only"));
            status::of_this_computer(&logs, now)
        }
    };
    let report = report.phrased(&certvault_i18n::render);
    println!();
    // Names, dates and codes; the generation and entry ids are for `certvault status` and
    // `certvault list` (issue 16, item 8).
    let header =
        report.vault.as_ref().map(|v| t!("wizard-status-header", dir = v.dir.clone(), count = v.entries));
    crate::cli::status::print_checklist(&report, header, &menu_step);
    if !report.needs_attention && outside.is_empty() {
        ui.say(&t!("wizard-status-all-good"));
    }
    if let (Some(dir), false) = (&dir, outside.is_empty()) {
        offer_rescue(ui, session, dir, &outside)?;
    }
    // A replaced certificate past its last day: offered for removal here, as the checklist
    // said, rather than as a command.
    let stopped: Vec<String> = report
        .items
        .iter()
        .filter(|i| i.next == Some(NextStep::RemoveEntry))
        .filter_map(|i| i.entry.clone())
        .collect();
    if let Some(dir) = &dir {
        for id in &stopped {
            println!();
            let mut vault = super::open_vault(ui, session, dir, true)?;
            match entries::remove(&mut vault, id, &Terminal)? {
                entries::Removed::Removed { id, generation } => {
                    ui.say(&t!("remove-done", id = id, generation = generation))
                }
                entries::Removed::Cancelled => ui.say(&t!("wizard-remove-kept")),
            }
        }
    }
    // Ids and generations, kept off the screens above, for a vendor on the phone: read now,
    // after a rescue or a removal above.
    if let Some(dir) = &dir {
        println!();
        if ui.confirm(&t!("wizard-status-show-details")) {
            let vault = super::open_vault(ui, session, dir, false)?;
            println!();
            crate::cli::list::print_details(&entries::list(&vault, now)?);
        }
    }
    Ok(())
}

/// Issue 17: a client certificate installed here but not in the vault may exist nowhere else;
/// `rescue` exports it with its key into the vault (each one confirmed), or explains why it
/// cannot.
fn offer_rescue(
    ui: &Ui,
    session: &mut super::Session,
    dir: &std::path::Path,
    outside: &[rescue::StoreCertificate],
) -> Result<(), CliError> {
    println!();
    ui.say(&t!("wizard-rescue-offer", count = outside.len()));
    for c in outside {
        println!("  - {}", certvault_i18n::text::escaped(&certvault_i18n::render(&c.line())));
    }
    if !ui.confirm(&t!("wizard-rescue-confirm")) {
        return Ok(());
    }
    let mut store = rescue::store_for(&Source::default_here(), None)?;
    store.check(&Terminal)?;
    let mut vault = super::open_vault(ui, session, dir, true)?;
    vault.check_can_write(&Terminal)?;
    let report = rescue::rescue_into(&mut vault, store.as_mut(), &[], None, &Terminal)?;
    println!();
    crate::cli::rescue::print_report(&report);
    Ok(())
}

/// An item's next step as this menu's item (issue 16: the menu, never a command); removing
/// a replaced certificate's entry is asked right after the checklist.
fn menu_step(item: &status::Item<String>) -> Option<String> {
    let menu = match item.next? {
        NextStep::PrintSheet => t!("wizard-menu-sheet"),
        NextStep::Clean => t!("wizard-menu-clean"),
        NextStep::KeepRenewedCertificate => t!("wizard-menu-renewed"),
        NextStep::RestoreReplacement => t!("wizard-menu-restore"),
        NextStep::SecondStick => t!("wizard-menu-second-stick"),
        NextStep::CheckSticks => t!("wizard-menu-check-sticks"),
        // Copies not in the vault: kept in it first, then cleaned.
        NextStep::SealCopies => {
            return Some(t!(
                "wizard-status-menu-steps",
                first = t!("wizard-menu-backup"),
                then = t!("wizard-menu-clean")
            ))
        }
        // Asked right after the checklist (`run`).
        NextStep::RemoveEntry => return Some(t!("wizard-status-remove-below")),
        NextStep::OpenVault => t!("wizard-menu-status"),
    };
    Some(t!("wizard-status-menu-step", item = menu))
}
