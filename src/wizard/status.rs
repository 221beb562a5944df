//! 「状態を確認する」: `certvault status` on the vault the user picks (opened with the
//! passphrase typed once), or on this computer's records alone when no stick is at hand. The
//! checklist comes from the same core functions as the command's.

use certvault_core::records::Logs;
use certvault_core::status;

use super::{choose_vault, Ui};
use crate::error::CliError;
use crate::t;

pub(crate) fn run(ui: &Ui, session: &mut super::Session) -> Result<(), CliError> {
    ui.heading(&t!("wizard-menu-status"));
    ui.say(&t!("wizard-status-intro"));
    ui.step(&t!("wizard-step-stick"), &t!("wizard-step-status-vault-why"));
    let logs = Logs::read();
    let now = certvault_core::dates::now_unix();
    let report = match choose_vault(ui)? {
        Some(dir) => {
            let vault = super::open_vault(ui, session, &dir, false)?;
            status::of_opened_vault(&dir, &vault, &logs, now)
        }
        None => {
            ui.say(&t!("wizard-status-logs-only"));
            status::collect(None, &logs, now)
        }
    };
    let report = report.phrased(&crate::i18n::render);
    println!();
    crate::cli::status::print(&report);
    if !report.needs_attention {
        ui.say(&t!("wizard-status-all-good"));
    }
    Ok(())
}
