//! 「保管した PIN を表示する」 (`certvault reveal-pin`, the PIN code from the recovery sheet
//! asked by the core) and 「パスフレーズを変更する」 (`certvault passwd`, opened with the
//! passphrase or, when it is forgotten, the recovery code).

use certvault_core::vault::entries;
use certvault_core::vault::{AskFor, OpenVault, UnlockSource};
use certvault_i18n::t;
use dialoguer::console;
use secrecy::ExposeSecret;
use zeroize::Zeroizing;

use super::{choose_vault, open_vault, Session, Ui};
use crate::error::CliError;
use crate::terminal::Terminal;

pub(crate) fn reveal_pin(ui: &Ui, session: &mut Session) -> Result<(), CliError> {
    ui.heading(&t!("wizard-menu-reveal-pin"));
    ui.say(&t!("wizard-reveal-pin-intro"));
    ui.step(&t!("wizard-step-stick"), &t!("wizard-step-vault-why"));
    let Some(dir) = choose_vault(ui)? else { return Ok(()) };
    let vault = open_vault(ui, session, &dir, false)?;
    let listing = entries::list(&vault, certvault_core::dates::now_unix())?;
    let stored: Vec<(String, String)> = listing
        .entries
        .iter()
        .filter(|e| e.entry.pin_stored)
        .map(|e| {
            let purpose = certvault_i18n::message(
                &format!("purpose-{}", certvault_core::certificate::x509::purpose_id(e.entry.purpose)),
                &[],
            );
            (
                e.entry.id.clone(),
                t!(
                    "wizard-pin-entry",
                    purpose = purpose,
                    file = e.entry.original_file_name.clone(),
                    id = e.entry.id.clone()
                ),
            )
        })
        .collect();
    if stored.is_empty() {
        ui.say(&t!("wizard-no-stored-pin"));
        return Ok(());
    }
    let mut items: Vec<String> = stored.iter().map(|(_, label)| label.clone()).collect();
    items.push(t!("wizard-back"));
    let Some(i) = ui.select(&t!("wizard-choose-pin-entry"), &items)?.filter(|&i| i < stored.len()) else {
        return Ok(());
    };
    ui.say(&t!("wizard-reveal-pin-code-why"));
    let pin = entries::reveal_pin(&vault, &stored[i].0, None, &Terminal)?;
    drop(vault);
    let line = Zeroizing::new(t!("wizard-pin-shown", pin = pin.expose_secret().to_string()));
    println!();
    println!("  {}", console::style(line.as_str()).bold());
    println!();
    ui.pause(&t!("wizard-pin-hide"));
    // Off the screen again: the PIN line, the blank lines and the prompt.
    let _ = console::Term::stdout().clear_last_lines(4);
    ui.say(&t!("wizard-pin-hidden"));
    Ok(())
}

pub(crate) fn passwd(ui: &Ui, session: &mut Session) -> Result<(), CliError> {
    ui.heading(&t!("wizard-menu-passwd"));
    ui.say(&t!("wizard-passwd-intro"));
    ui.step(&t!("wizard-step-stick"), &t!("wizard-step-vault-why"));
    let Some(dir) = choose_vault(ui)? else { return Ok(()) };
    ui.step(&t!("wizard-step-unlock"), &t!("wizard-step-unlock-why"));
    let ways = [t!("wizard-unlock-passphrase"), t!("wizard-unlock-recovery-code")];
    let ask = match ui.select(&t!("wizard-unlock-prompt"), &ways)? {
        Some(0) => AskFor::Passphrase,
        Some(1) => AskFor::RecoveryCode,
        _ => return Ok(()),
    };
    // The old passphrase typed earlier in this session is not asked again.
    let given = match (ask, session.passphrase_for(&dir)) {
        (AskFor::Passphrase, Some(p)) => Some(certvault_core::vault::Unlock::Passphrase(p.clone())),
        _ => None,
    };
    println!();
    let source = UnlockSource { ask, given, ask_again: true, ..UnlockSource::default() };
    let (vault, old) = OpenVault::open_asking(&dir, &source, true, &Terminal)?;
    for w in vault.warnings() {
        eprintln!("{}", certvault_i18n::render(&w));
    }
    ui.step(&t!("wizard-step-passphrase"), &t!("wizard-step-passphrase-why"));
    entries::passwd(&vault, &old, None, &Terminal)?;
    drop(vault);
    // The old one no longer opens the vault; the new one is asked when next needed.
    session.passphrase = None;
    println!();
    ui.say(&t!("passwd-done", dir = dir.display()));
    ui.next_steps(
        &t!("wizard-next-title"),
        &[t!("wizard-next-passwd-sheet"), t!("wizard-next-check-after-change")],
    );
    Ok(())
}
