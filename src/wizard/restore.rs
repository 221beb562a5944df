//! 「新しい端末に復元する」: `certvault restore` with the vault, the target and the way to
//! open the vault chosen here; everything else (which certificates, the PIN, the CA root, the
//! read-back check, the log) is `restore`'s own dialogue.

use std::path::PathBuf;

use certvault_core::install::{RestoreOptions, Target};

use super::{choose_vault, Ui};
use crate::error::CliError;
use certvault_core::vault::{AskFor, OpenVault, UnlockSource};
use certvault_i18n::t;

pub(crate) fn run(ui: &Ui) -> Result<(), CliError> {
    ui.heading(&t!("wizard-menu-restore"));
    ui.say(&t!("wizard-restore-intro"));

    ui.step(&t!("wizard-step-stick"), &t!("wizard-step-restore-vault-why"));
    let Some(dir) = choose_vault(ui)? else { return Ok(()) };

    ui.step(&t!("wizard-step-target"), &t!("wizard-step-target-why"));
    let Some(target) = choose_target(ui)? else { return Ok(()) };

    ui.step(&t!("wizard-step-unlock"), &t!("wizard-step-unlock-why"));
    let ways =
        [t!("wizard-unlock-passphrase"), t!("wizard-unlock-recovery-code"), t!("wizard-unlock-shares")];
    let ask = match ui.select(&t!("wizard-unlock-prompt"), &ways)? {
        Some(0) => AskFor::Passphrase,
        Some(1) => AskFor::RecoveryCode,
        Some(2) => {
            ui.say(&t!("wizard-shares-how"));
            AskFor::Shares
        }
        _ => return Ok(()),
    };
    let forgotten = ask != AskFor::Passphrase;

    // The vault is opened here first: a mistyped passphrase or recovery code is asked again in
    // place (the folder, the target and the way to open stay chosen), and what opened it
    // serves the restore and the new passphrase after it without being typed again.
    println!();
    let source = UnlockSource { ask, ask_again: true, ..Default::default() };
    let (vault, unlock) = OpenVault::open_asking(&dir, &source, false, &crate::terminal::Terminal)?;
    drop(vault);
    let given = UnlockSource { given: Some(unlock), ..Default::default() };

    // The same restore as `certvault restore --vault DIR --to TARGET`, everything else asked.
    let options =
        RestoreOptions { vault: Some(dir.clone()), unlock: given.clone(), ..RestoreOptions::new(target) };
    crate::cli::restore::restore(&options, false)?;
    let mut steps = Vec::new();
    if forgotten {
        // The forgotten passphrase: replaced now as `certvault passwd` does, with the code.
        println!();
        if ui.confirm(&t!("wizard-new-passphrase-now")) {
            crate::cli::passwd::change_passphrase(&dir, &given, None)?;
        } else {
            steps.push(t!("wizard-next-new-passphrase", dir = dir.display()));
        }
    }
    steps.push(t!("wizard-next-stick-home"));
    // restore has said what to check on this computer; these come on top.
    ui.next_steps(&t!("wizard-next-also-title"), &steps);
    Ok(())
}

/// This computer's store (the default of `restore`), another NSS database, or a file.
fn choose_target(ui: &Ui) -> Result<Option<Target>, CliError> {
    let here = Target::default_here();
    let here_label = match &here {
        Target::Windows => t!("wizard-target-windows"),
        Target::Macos => t!("wizard-target-macos"),
        _ => t!("wizard-target-nss-default", dir = restore_nss_default().display()),
    };
    let mut items = vec![here_label];
    let nss_other = cfg!(unix);
    if nss_other {
        items.push(t!("wizard-target-nss-other"));
    }
    items.push(t!("wizard-target-file"));
    items.push(t!("wizard-back"));
    let choice = ui.select(&t!("wizard-target-prompt"), &items)?;
    let file_index = if nss_other { 2 } else { 1 };
    Ok(match choice {
        Some(0) => Some(here),
        Some(1) if nss_other => {
            let dir = ui.input(&t!("wizard-ask-nss-dir"))?;
            (!dir.is_empty()).then(|| Target::Nss(Some(PathBuf::from(dir))))
        }
        Some(i) if i == file_index => {
            let proposal = super::documents_folder().join(format!("certificate-{}.p12", super::today()));
            let path = ui.ask_path(
                &t!("wizard-export-proposal", file = proposal.display()),
                &t!("wizard-ask-other-path"),
                &proposal,
            )?;
            Some(Target::File(path))
        }
        _ => None,
    })
}

#[cfg(unix)]
fn restore_nss_default() -> PathBuf {
    certvault_core::install::nss::default_dir()
}

#[cfg(not(unix))]
fn restore_nss_default() -> PathBuf {
    PathBuf::new()
}
