//! The guided wizard: `certvault` with no arguments, on a terminal.
//!
//! A menu of the moments of the story (keep a certificate safe, print the recovery sheet,
//! clean leftover copies, restore on a new computer, check the status) and of what a clinic
//! needs besides, without the command line (issue 16): keep a renewed certificate, make a
//! second stick, check the sticks (and bring them in line), show a stored PIN, change the
//! passphrase. Each step says in one
//! or two sentences what happens and why, asks only what it must, shows progress on slow
//! work, and ends with what to do next.
//!
//! The wizard holds no logic of its own: it finds the stick and the certificate files with the
//! core's media discovery and scan, and then calls the same core functions as the commands
//! (`vault::create`, `vault::entries::{verify_for_sealing, seal_verified}`, `sheet`,
//! `clean::clean_vault`, `install::restore`, `status`), mostly through the commands' own
//! front-end modules in `crate::cli`. It asks through the terminal's one way of asking
//! ([`crate::terminal::Terminal`]): secrets without echo, yes/no, lists with the arrow keys.

mod backup;
mod copies;
mod keys;
mod restore;
mod status;
mod tidy;

use crate::terminal::wrap::wrap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use dialoguer::console;
use secrecy::SecretString;
use vault_format::Code;

use certvault_core::conversation::Unanswered;

use crate::error::{CliError, EXIT_ERROR, EXIT_OK};
use crate::terminal::Terminal;
use certvault_core::media as discover;
use certvault_core::sheet::SheetLang;
use certvault_core::vault::{OpenVault, Unlock, UnlockSource};
use certvault_i18n::t;
use certvault_i18n::text::escaped_keeping_lines;

/// The wizard needs a person: standard input, output and error on a terminal.
pub fn can_run() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal() && std::io::stderr().is_terminal()
}

/// Runs the menu until the user quits. Exit code 0, or 2 when the terminal went away.
pub fn run(sheet_lang: SheetLang) -> u8 {
    // The core's advice names the menu's items, not commands.
    certvault_i18n::set_voice(certvault_i18n::Voice::Wizard);
    let ui = Ui::new();
    let mut session = Session { sheet_lang, passphrase: None, pin_code: None };
    println!();
    println!("{}", console::style(t!("wizard-title")).bold());
    ui.say(&t!("wizard-intro"));
    let code = loop {
        let items = [
            t!("wizard-menu-backup"),
            t!("wizard-menu-sheet"),
            t!("wizard-menu-clean"),
            t!("wizard-menu-restore"),
            t!("wizard-menu-status"),
            t!("wizard-menu-renewed"),
            t!("wizard-menu-second-stick"),
            t!("wizard-menu-check-sticks"),
            t!("wizard-menu-reveal-pin"),
            t!("wizard-menu-passwd"),
            t!("wizard-menu-quit"),
        ];
        println!();
        let choice = match ui.select(&t!("wizard-menu-prompt"), &items) {
            Ok(c) => c,
            Err(e) => {
                ui.error(&e);
                break EXIT_ERROR;
            }
        };
        let result = match choice {
            Some(0) => backup::run(&ui, &mut session),
            Some(1) => backup::sheet(&ui, &mut session),
            Some(2) => tidy::run(&ui, &mut session),
            Some(3) => restore::run(&ui),
            Some(4) => status::run(&ui, &mut session),
            Some(5) => backup::renewed(&ui, &mut session),
            Some(6) => copies::second_stick(&ui, &mut session),
            Some(7) => copies::check_sticks(&ui, &mut session),
            Some(8) => keys::reveal_pin(&ui, &mut session),
            Some(9) => keys::passwd(&ui, &mut session),
            _ => break EXIT_OK,
        };
        if let Err(e) = result {
            ui.error(&e);
        }
        // A Ctrl-C ended that moment, not the wizard.
        crate::terminal::interrupt::clear();
        ui.pause(&t!("wizard-back-to-menu"));
        crate::terminal::interrupt::clear();
    };
    let _ = console::Term::stderr().show_cursor();
    println!("{}", t!("wizard-bye"));
    code
}

/// What the wizard remembers between steps, in memory only: the passphrase typed once (so the
/// next step does not ask again) and the PIN code of a vault created in this session (so the
/// sheet printed at the end of the backup can carry it).
pub(crate) struct Session {
    sheet_lang: SheetLang,
    passphrase: Option<(PathBuf, SecretString)>,
    pin_code: Option<(PathBuf, Code)>,
}

impl Session {
    fn remember_passphrase(&mut self, dir: &Path, passphrase: SecretString) {
        self.passphrase = Some((same_dir_key(dir), passphrase));
    }

    fn passphrase_for(&self, dir: &Path) -> Option<&SecretString> {
        let key = same_dir_key(dir);
        self.passphrase.as_ref().filter(|(d, _)| *d == key).map(|(_, p)| p)
    }

    fn pin_code_for(&self, dir: &Path) -> Option<&Code> {
        let key = same_dir_key(dir);
        self.pin_code.as_ref().filter(|(d, _)| *d == key).map(|(_, c)| c)
    }
}

fn same_dir_key(dir: &Path) -> PathBuf {
    dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf())
}

/// Printing in one style, and asking through the terminal's one way of asking.
pub(crate) struct Ui;

impl Ui {
    fn new() -> Ui {
        Ui
    }

    /// The title of a moment of the story.
    fn heading(&self, text: &str) {
        println!();
        println!("{}", console::style(format!("━━ {text} ━━")).bold().cyan());
    }

    /// A step inside a moment: its name, then what happens and why.
    fn step(&self, title: &str, explanation: &str) {
        println!();
        println!("{}", console::style(format!("▶ {title}")).bold());
        for line in explanation.lines() {
            for piece in wrap(line, self.width().saturating_sub(2)) {
                println!("  {piece}");
            }
        }
    }

    fn say(&self, text: &str) {
        let text = escaped_keeping_lines(text);
        for line in text.lines() {
            for piece in wrap(line, self.width()) {
                println!("{piece}");
            }
        }
    }

    /// Columns to fill: the terminal's width, at most 100 (long lines are hard to read).
    fn width(&self) -> usize {
        usize::from(console::Term::stdout().size().1).clamp(40, 100)
    }

    fn error(&self, e: &CliError) {
        let _ = console::Term::stderr().show_cursor();
        eprintln!();
        eprintln!(
            "{}: {}",
            console::style(t!("error-prefix")).red().bold(),
            escaped_keeping_lines(&e.message)
        );
        if let Some(hint) = &e.hint {
            eprintln!("{}: {}", t!("hint-prefix"), escaped_keeping_lines(hint));
        }
    }

    /// A list to choose from with the arrow keys; `None` when the user pressed Esc.
    fn select(&self, prompt: &str, items: &[String]) -> Result<Option<usize>, CliError> {
        match Terminal::pick(prompt, items) {
            Ok(choice) => Ok(Some(choice)),
            Err(Unanswered::Cancelled) => Ok(None),
            Err(e) => Err(terminal_error(e)),
        }
    }

    /// A line of text (a folder or a file).
    fn input(&self, prompt: &str) -> Result<String, CliError> {
        let answer =
            Terminal::line(&format!("{} ›", console::style(prompt).bold())).map_err(terminal_error)?;
        // Paths dropped onto a Windows console come quoted.
        Ok(answer.trim().trim_matches('"').to_string())
    }

    /// Yes or no; Ctrl-C or end of input is no.
    pub(crate) fn confirm(&self, question: &str) -> bool {
        Terminal::yes_no(question).unwrap_or(false)
    }

    /// Waits for Enter.
    fn pause(&self, prompt: &str) {
        let _ = Terminal::line(&console::style(prompt).dim().to_string());
    }

    /// Runs `work` with a spinner that says `task` on the terminal (the work must not print).
    fn spin<T>(&self, task: certvault_core::Message, work: impl FnOnce() -> T) -> T {
        crate::cli::progress::WithProgress::on_terminal(&crate::terminal::Terminal, false)
            .while_working(task, work)
    }

    /// The closing advice of a moment.
    fn next_steps(&self, title: &str, steps: &[String]) {
        println!();
        println!("{}", console::style(title).bold().green());
        for (i, s) in steps.iter().enumerate() {
            for (j, piece) in wrap(s, self.width().saturating_sub(5)).iter().enumerate() {
                if j == 0 {
                    println!("  {}. {piece}", i + 1);
                } else {
                    println!("     {piece}");
                }
            }
        }
    }

    /// A path proposed on its own line (a long path would not fit in the prompt); the answer
    /// is another path, or empty for the proposal.
    fn ask_path(&self, proposal_message: &str, prompt: &str, proposal: &Path) -> Result<PathBuf, CliError> {
        self.say(proposal_message);
        let answer = self.input(prompt)?;
        Ok(if answer.is_empty() { proposal.to_path_buf() } else { PathBuf::from(answer) })
    }
}

fn terminal_error(e: Unanswered) -> CliError {
    match e {
        Unanswered::Cancelled => CliError::from(certvault_core::Error::new(
            certvault_core::ErrorKind::Cancelled,
            certvault_core::msg!("cancelled"),
        )),
        Unanswered::NoTerminal => CliError::new(t!("wizard-terminal-error", reason = "no terminal")),
        Unanswered::Failed(reason) => CliError::new(t!("wizard-terminal-error", reason = reason)),
    }
}

/// Where the wizard found (or was told) a vault, or a medium to create one on.
pub(crate) enum Place {
    Vault(PathBuf),
    /// A removable volume (or a folder of `CERTVAULT_MEDIA_ROOTS`) without a vault; `declared`
    /// when it came from that variable, which says "treat this folder as a stick".
    Medium {
        root: PathBuf,
        declared: bool,
    },
    /// A folder the user typed where a new vault goes (the `CERTVAULT` of a stick's top
    /// folder, or the folder itself: [`discover::place_for_vault`]).
    NewVault(PathBuf),
}

fn declared_roots() -> Vec<PathBuf> {
    std::env::var_os(discover::MEDIA_ROOTS_VAR)
        .map(|v| std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()).collect())
        .unwrap_or_default()
}

/// Finds the vault (and, with `allow_new`, the sticks a vault could be created on): the
/// removable volumes are searched as `restore` searches them; the user picks one, searches
/// again after plugging the stick in, or types a folder. `None`: the user went back.
pub(crate) fn choose_place(ui: &Ui, allow_new: bool) -> Result<Option<Place>, CliError> {
    choose_place_asking(ui, allow_new, true, "wizard-choose-place", "wizard-place-medium")
}

/// [`choose_place`] with its own question (`prompt`) and its own label for a stick without a
/// vault (`medium`, with `$dir`), the vaults found listed or not (`list_vaults`): where a
/// second copy goes is a stick without a vault, not where the vault is.
pub(crate) fn choose_place_asking(
    ui: &Ui,
    allow_new: bool,
    list_vaults: bool,
    prompt: &str,
    medium: &str,
) -> Result<Option<Place>, CliError> {
    loop {
        let roots = discover::media_roots();
        let declared = declared_roots();
        let vaults = discover::vaults_in(&roots);
        let mut places: Vec<Place> =
            vaults.iter().filter(|_| list_vaults).cloned().map(Place::Vault).collect();
        if allow_new {
            for root in &roots {
                let has_vault = vaults.iter().any(|v| v.starts_with(root));
                if !has_vault && root.is_dir() {
                    places.push(Place::Medium { root: root.clone(), declared: declared.contains(root) });
                }
            }
        }
        if places.is_empty() {
            ui.say(&t!(if allow_new { "wizard-no-stick" } else { "wizard-no-vault" }));
        }
        let mut items: Vec<String> = places
            .iter()
            .map(|p| match p {
                Place::Vault(dir) => t!("wizard-place-vault", dir = dir.display()),
                Place::Medium { root, .. } => {
                    certvault_i18n::message(medium, &[("dir", root.display().to_string().into())])
                }
                Place::NewVault(dir) => {
                    certvault_i18n::message(medium, &[("dir", dir.display().to_string().into())])
                }
            })
            .collect();
        items.push(t!("wizard-search-again"));
        items.push(t!("wizard-type-folder"));
        items.push(t!("wizard-back"));
        let n = places.len();
        match ui.select(&certvault_i18n::message(prompt, &[]), &items)? {
            Some(i) if i < n => return Ok(Some(places.swap_remove(i))),
            Some(i) if i == n => continue,
            Some(i) if i == n + 1 => {
                let answer = ui.input(&t!("wizard-ask-folder"))?;
                if answer.is_empty() {
                    continue;
                }
                let dir = PathBuf::from(answer);
                match discover::place_for_vault(&dir) {
                    Ok(discover::VaultPlace::Existing(vault)) => return Ok(Some(Place::Vault(vault))),
                    Ok(discover::VaultPlace::New(new)) if allow_new => return Ok(Some(Place::NewVault(new))),
                    Ok(discover::VaultPlace::New(_)) => {
                        ui.error(&CliError::new(t!("wizard-no-vault-there", dir = dir.display())))
                    }
                    Err(e) => ui.error(&e.into()),
                }
            }
            _ => return Ok(None),
        }
    }
}

/// [`choose_place`] for the moments that need an existing vault.
pub(crate) fn choose_vault(ui: &Ui) -> Result<Option<PathBuf>, CliError> {
    Ok(match choose_place(ui, false)? {
        Some(Place::Vault(dir)) => Some(dir),
        _ => None,
    })
}

/// Opens `dir` with the passphrase typed earlier in this session, or asks for it (no echo,
/// as every command does); a mistyped passphrase can be typed again.
pub(crate) fn open_vault(
    ui: &Ui,
    session: &mut Session,
    dir: &Path,
    exclusive: bool,
) -> Result<OpenVault, CliError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let unlock = match session.passphrase_for(dir) {
            Some(p) => Unlock::Passphrase(p.clone()),
            None => UnlockSource::default().read(&crate::terminal::Terminal)?,
        };
        match ui.spin(certvault_core::msg!("wizard-opening"), || {
            OpenVault::open(dir, &unlock, exclusive).map_err(CliError::from)
        }) {
            Ok(vault) => {
                if let Unlock::Passphrase(p) = unlock {
                    session.remember_passphrase(dir, p);
                }
                for w in vault.warnings() {
                    eprintln!("{}", certvault_i18n::render(&w));
                }
                return Ok(vault);
            }
            Err(e) => {
                session.passphrase = None;
                if attempt >= 3 {
                    return Err(e);
                }
                ui.error(&e);
                if !ui.confirm(&t!("wizard-try-again")) {
                    return Err(CliError::new(t!("cancelled")));
                }
            }
        }
    }
}

/// Today's date, for file names.
fn today() -> String {
    vault_format::time::now().get(..10).unwrap_or("today").to_string()
}

/// A folder the user can find again: Documents, else the Desktop, else home, else here.
fn documents_folder() -> PathBuf {
    let home = dirs::home_dir();
    [
        dirs::document_dir(),
        home.as_ref().map(|h| h.join("Documents")),
        dirs::desktop_dir(),
        home.as_ref().map(|h| h.join("Desktop")),
        home.clone(),
    ]
    .into_iter()
    .flatten()
    .find(|d| d.is_dir())
    .unwrap_or_else(|| PathBuf::from("."))
}
