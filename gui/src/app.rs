//! What the window remembers and how it moves from screen to screen. Nothing here draws
//! (`view`) or decides about certificates (the core): `update` turns the user's clicks and the
//! jobs' events into the next screen, and returns the work to start as an [`Effect`], so that
//! tests drive the same code without a display.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use certvault_core::clean::{clean_vault, CleanOptions, CleanReport};
use certvault_core::conversation::{AlreadyConfirmed, Conversation, Level, Progress};
use certvault_core::install::restore::RestoreReport;
use certvault_core::install::{RestoreOptions, Target};
use certvault_core::rescue;
use certvault_core::scan::{self, classify::Class};
use certvault_core::sheet::{Preview, SheetLang, Split};
use certvault_core::status::Status;
use certvault_core::vault::create::{self, InitOptions};
use certvault_core::vault::entries::{self, SealOptions, SealSummary, Sealed, VerifiedCertificate};
use certvault_core::vault::{self, AskFor, OpenVault, Unlock, UnlockSource};
use certvault_core::{msg, Error, ErrorKind, Message};
use certvault_i18n::{render, Lang};
use iced::futures::channel::mpsc::UnboundedReceiver;
use secrecy::{ExposeSecret, SecretString};
use vault_format::Purpose;
use zeroize::Zeroizing;

use crate::job::{self, Answer, JobEvent, Question, Reply, Running};

/// The folder a new vault gets on a stick (what `restore` and the guide look for).
pub const VAULT_FOLDER: &str = "CERTVAULT";

/// What the user came to do (the first screen's choices).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    Backup,
    Sheet,
    Clean,
    Restore,
    Status,
    /// A second stick: copy the vault to it, check the copies, bring them in line.
    Copies,
    /// Show a PIN kept in the vault (with the sheet's PIN code).
    RevealPin,
    /// A new passphrase (also after a forgotten one, with the recovery code).
    Passwd,
    /// A renewed certificate into the existing vault (the old one is marked superseded).
    Renewed,
}

impl Moment {
    pub fn title(self) -> String {
        certvault_i18n::message(
            match self {
                Moment::Backup => "gui-backup",
                Moment::Sheet => "gui-sheet",
                Moment::Clean => "gui-clean",
                Moment::Restore => "gui-restore",
                Moment::Status => "gui-status",
                Moment::Copies => "gui-copies",
                Moment::RevealPin => "gui-reveal-pin",
                Moment::Passwd => "gui-passwd",
                Moment::Renewed => "gui-renewed",
            },
            &[],
        )
    }
}

/// A certificate file found on this computer, offered for sealing.
#[derive(Debug, Clone)]
pub struct FoundFile {
    pub path: PathBuf,
    pub who: Option<String>,
    pub until: Option<String>,
}

/// Where restore installs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreTo {
    ThisComputer,
    NssFolder,
    File,
}

/// The screens. Each holds what it shows; inputs the user types are in [`Inputs`].
pub enum Screen {
    Home,
    /// Which stick or folder holds (or will hold) the vault.
    Place {
        moment: Moment,
        sticks: Vec<PathBuf>,
    },
    /// The two codes of a new vault, shown once.
    Codes {
        dir: PathBuf,
        recovery_code: Zeroizing<String>,
        pin_code: Zeroizing<String>,
    },
    /// Certificate files to seal: found ones, or one typed / dropped.
    Certificates {
        dir: PathBuf,
        found: Vec<FoundFile>,
        sealed: Vec<String>,
    },
    /// What is about to be sealed, with purpose, hint and whether to keep the PIN.
    Summary {
        dir: PathBuf,
        /// The file being sealed (it leaves the list once sealed).
        path: PathBuf,
        summary: SealSummary,
        purpose: Purpose,
        found: Vec<FoundFile>,
        sealed: Vec<String>,
    },
    /// The recovery sheet: where to save it, split or not.
    Sheet {
        dir: PathBuf,
    },
    SheetDone {
        files: Vec<PathBuf>,
        with_pin_code: bool,
        /// After a reprint: what to do with the old sheets (never to destroy the only PIN code).
        advice: Vec<String>,
        /// What printing or deleting said (sent to the printer, deleted, or why not).
        done: Vec<String>,
        /// The first sheet as printed, codes blanked (the codes belong on paper only).
        preview: Option<Preview>,
    },
    /// A clean-up's dry run: what was found and what would go.
    CleanFound {
        dir: PathBuf,
        report: CleanReport<String>,
    },
    CleanDone {
        report: CleanReport<String>,
    },
    /// Where to restore to, and how to open the vault.
    RestoreStart {
        dir: PathBuf,
    },
    RestoreDone {
        report: RestoreReport,
    },
    Status {
        status: Status<String>,
        /// The vault the checklist read, when one was found.
        dir: Option<PathBuf>,
        /// Client certificates installed on this computer that the vault does not hold (they
        /// may exist nowhere else): offered for rescue.
        outside: Vec<String>,
        /// The vault's ids and generation, each certificate's entry (what `certvault list`
        /// prints), shown only when asked for (issue 16, item 8): lines with their indent.
        details: Vec<(u8, String)>,
        show_details: bool,
    },
    /// The vault's copies: make one on another stick, check them, bring them in line.
    Copies {
        dir: PathBuf,
        others: Vec<PathBuf>,
    },
    /// The vault's certificates, to choose the one whose PIN to show.
    Entries {
        dir: PathBuf,
        entries: Vec<(String, String)>,
    },
    /// A PIN on screen until the user leaves (zeroized then).
    PinShown {
        label: String,
        pin: Zeroizing<String>,
    },
    /// An operation's result in lines (copies, a new passphrase).
    Done {
        title: String,
        lines: Vec<String>,
    },
    /// An operation failed: what, and the hint. "Back" returns to the screen it came from.
    Failed {
        error: String,
        hint: Option<String>,
        back: Box<Screen>,
    },
}

impl Screen {
    /// The screen's name (screenshots, test messages).
    pub fn name(&self) -> &'static str {
        match self {
            Screen::Home => "home",
            Screen::Place { .. } => "place",
            Screen::Codes { .. } => "codes",
            Screen::Certificates { .. } => "certificates",
            Screen::Summary { .. } => "summary",
            Screen::Sheet { .. } => "sheet",
            Screen::SheetDone { .. } => "sheet-done",
            Screen::CleanFound { .. } => "clean-found",
            Screen::CleanDone { .. } => "clean-done",
            Screen::RestoreStart { .. } => "restore-start",
            Screen::RestoreDone { .. } => "restore-done",
            Screen::Status { .. } => "status",
            Screen::Copies { .. } => "copies",
            Screen::Entries { .. } => "entries",
            Screen::PinShown { .. } => "pin-shown",
            Screen::Done { .. } => "done",
            Screen::Failed { .. } => "failed",
        }
    }
}

/// Text the user is typing, kept across screens of one moment. Secrets are zeroized.
#[derive(Default)]
pub struct Inputs {
    pub place: String,
    pub file: String,
    pub hint: String,
    pub store_pin: bool,
    pub sheet_out: String,
    pub sheet_split: bool,
    pub pin_code: Zeroizing<String>,
    pub forgot_passphrase: bool,
    pub restore_to: Option<RestoreTo>,
    pub restore_path: String,
    pub copy_dest: String,
}

/// What a question on screen holds while the user answers.
pub struct OpenQuestion {
    pub question: Question,
    pub answer: Answer,
    pub input: Zeroizing<String>,
}

/// A job in progress: its title, progress, what it told, and an open question.
pub struct JobView {
    pub title: String,
    pub progress: Option<Progress>,
    pub notes: Vec<(Level, String)>,
    pub question: Option<OpenQuestion>,
    /// The notes told since the last answer (the open question's context) start here.
    pub context_from: usize,
    running: Running,
}

/// A vault and what opened it (remembered while the window is open).
pub type OpenedWith = (PathBuf, Unlock);
/// An entry's id and how it is shown.
pub type EntryChoice = (String, String);

/// A written sheet: its files, whether the PIN code is on it, the advice after a reprint.
pub struct SheetWritten {
    pub files: Vec<PathBuf>,
    pub with_pin_code: bool,
    pub advice: Vec<Message>,
    /// What the sheet looks like, codes blanked.
    pub preview: Option<Preview>,
    pub unlock: Option<Unlock>,
}

/// The checklist, and what the status check found in this computer's store.
pub struct StatusFound {
    pub status: Status,
    pub vault: Option<OpenedWith>,
    pub outside: Vec<Message>,
    pub details: Option<certvault_core::vault::entries::Listing>,
}

/// What a job ends with.
pub enum Outcome {
    Created(Result<(PathBuf, Box<vault_format::NewVault>, Unlock), Error>),
    Found(Result<(PathBuf, Vec<FoundFile>, Option<Unlock>), Error>),
    Verified(Result<Box<VerifiedCertificate>, Error>),
    Sealed(Result<(String, Sealed, Option<Unlock>), Error>),
    SheetWritten(Result<SheetWritten, Error>),
    CleanChecked(Result<(PathBuf, CleanReport, Option<Unlock>), Error>),
    Cleaned(Result<CleanReport, Error>),
    Restored(Result<(RestoreReport, Option<Unlock>), Error>),
    Status(Result<StatusFound, Error>),
    /// A result to show as lines under a title (clone, verify, sync, passwd).
    Lines(Result<(String, Vec<String>, Option<OpenedWith>), Error>),
    Entries(Result<(PathBuf, Vec<EntryChoice>, Unlock), Error>),
    Pin(Result<(String, Zeroizing<String>), Error>),
}

/// What the window asks of the runtime after an update.
pub enum Effect {
    None,
    /// Start listening to a job's events.
    Job(UnboundedReceiver<JobEvent<Outcome>>),
    /// Put the keyboard in this field.
    Focus(&'static str),
    /// Open a file with the system's program for it (the PDF viewer, to print the sheet).
    Open(PathBuf),
    /// Show the system's file or folder dialog (Windows); its answer comes back as `Msg::Picked`.
    Pick(Pick),
}

/// What a system dialog is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// The stick or folder of the vault.
    VaultFolder,
    /// A certificate file to seal.
    Certificate,
    /// Where to save the recovery sheet.
    SheetFile,
    /// Where a copy of the vault goes.
    CopyFolder,
}

#[derive(Clone)]
pub enum Msg {
    Go(Moment),
    Home,
    SetLang(Lang),
    PlaceInput(String),
    PlaceChosen(PathBuf),
    PlaceTyped,
    FileDropped(PathBuf),
    CodesWritten,
    FileInput(String),
    FileChosen(PathBuf),
    FileTyped,
    PurposeChosen(Purpose),
    HintInput(String),
    StorePin(bool),
    Seal,
    ToSheet,
    SheetOutInput(String),
    SheetSplit(bool),
    PinCodeInput(String),
    WriteSheet,
    CleanApply,
    /// Opens a written file (the sheet) with the program the system uses for it.
    OpenFile(PathBuf),
    /// Sends the sheet to the default printer.
    PrintFile(PathBuf),
    /// Overwrites and deletes the printed sheet's PDF.
    DeleteFile(PathBuf),
    ForgotPassphrase(bool),
    RestoreTo(RestoreTo),
    RestorePathInput(String),
    CopyTo(PathBuf),
    CopyTyped,
    CheckCopies,
    SyncCopies,
    RevealFor(String),
    /// Back up the certificates installed here that the vault does not hold.
    Rescue,
    /// Shows or hides the status screen's details (ids, generation).
    ToggleDetails,
    /// Removes the entry of a replaced certificate past its last day (the status's step).
    RemoveEntry(String),
    CopyDestInput(String),
    /// "Browse…": the system's dialog for `Pick`.
    Browse(Pick),
    /// The dialog's answer (None: closed without a choice).
    Picked(Pick, Option<PathBuf>),
    Restore,
    Back,
    /// A job's event (from its worker thread).
    Job(Arc<std::sync::Mutex<Option<JobEvent<Outcome>>>>),
    AnswerInput(String),
    AnswerSubmit,
    AnswerChoose(usize),
    AnswerConfirm(bool),
    Cancel,
    TabPressed {
        shift: bool,
    },
    /// Enter that no field took: presses the focused button.
    EnterPressed,
    EscapePressed,
}

pub struct App {
    pub screen: Screen,
    pub inputs: Inputs,
    pub job: Option<JobView>,
    pub lang: Lang,
    /// The button or field the keyboard is on (an index into `view::keyboard_ring`).
    pub focused: Option<usize>,
    /// The vault opened in this window and how it was unlocked: asked once per window session,
    /// like the terminal wizard. Dropped (zeroized) when the window closes or another vault is
    /// chosen.
    unlocked: Option<(PathBuf, Unlock)>,
    /// The PIN code of a vault created in this window (printed on its sheet).
    new_pin_code: Option<(PathBuf, vault_format::Code)>,
    /// The certificate checked and shown on the summary, sealed when the user confirms.
    pending: Option<VerifiedCertificate>,
    /// What the last job told (shown on the screen it ended on).
    pub notes: Vec<(Level, String)>,
}

/// Opens `dir` with the remembered unlock, or asks for it through `talk` (passphrase, or the
/// recovery code when the user said the passphrase is forgotten). Returns the unlock to remember.
fn open(
    dir: &Path,
    known: Option<Unlock>,
    ask: AskFor,
    exclusive: bool,
    talk: &dyn Conversation,
) -> Result<(OpenVault, Unlock), Error> {
    let unlock = match known {
        Some(u) => u,
        None => UnlockSource { ask, ..Default::default() }.read(talk)?,
    };
    let vault = OpenVault::open(dir, &unlock, exclusive)?;
    for warning in vault.warnings() {
        talk.tell(Level::Warning, warning);
    }
    Ok((vault, unlock))
}

impl Default for App {
    fn default() -> Self {
        App::new(certvault_i18n::lang())
    }
}

impl App {
    pub fn new(lang: Lang) -> App {
        // The core's advice names this window's screens and buttons, not commands.
        certvault_i18n::set_voice(certvault_i18n::Voice::Window);
        App {
            screen: Screen::Home,
            inputs: Inputs { store_pin: true, ..Inputs::default() },
            job: None,
            lang,
            focused: None,
            unlocked: None,
            new_pin_code: None,
            pending: None,
            notes: Vec::new(),
        }
    }

    /// A vault made in this window: its PIN code goes on the sheet without being asked.
    pub fn has_new_pin_code(&self) -> bool {
        matches!((&self.screen, &self.new_pin_code), (Screen::Sheet { dir }, Some((d, _))) if d == dir)
    }

    /// Tab / Shift+Tab: the next or previous stop of the screen; a field gets the keyboard,
    /// a button is outlined (and pressed by Enter).
    fn move_focus(&mut self, back: bool) -> Effect {
        let ring = crate::view::keyboard_ring(self);
        if ring.is_empty() {
            return Effect::None;
        }
        let n = ring.len();
        let next = match (self.focused, back) {
            (None, false) => 0,
            (None, true) => n - 1,
            (Some(i), false) => (i + 1) % n,
            (Some(i), true) => (i + n - 1) % n,
        };
        self.focused = Some(next);
        match &ring[next] {
            crate::view::Stop::Field(id) => Effect::Focus(id),
            // No field has this id: every field lets go of the keyboard, so Enter reaches us.
            crate::view::Stop::Button(_) => Effect::Focus("no-field"),
        }
    }

    fn known_unlock(&self, dir: &Path) -> Option<Unlock> {
        self.unlocked.as_ref().filter(|(d, _)| d == dir).map(|(_, u)| u.clone())
    }

    /// What to ask for when the core opens the vault: what opened it before in this window,
    /// else the passphrase, or the recovery code when the user said it is forgotten.
    fn ask_for(&self) -> AskFor {
        match self.unlocked.as_ref().map(|(_, u)| u) {
            Some(Unlock::RecoveryCode(_)) => return AskFor::RecoveryCode,
            Some(Unlock::Shares(_)) => return AskFor::Shares,
            Some(Unlock::Passphrase(_)) => return AskFor::Passphrase,
            None => {}
        }
        if self.inputs.forgot_passphrase {
            AskFor::RecoveryCode
        } else {
            AskFor::Passphrase
        }
    }

    fn remember(&mut self, dir: &Path, unlock: Option<Unlock>) {
        if let Some(u) = unlock {
            self.unlocked = Some((dir.to_path_buf(), u));
        }
    }

    /// Starts `work` as a job titled `title`.
    fn start(
        &mut self,
        title: Message,
        work: impl FnOnce(&dyn Conversation) -> Outcome + Send + 'static,
    ) -> Effect {
        let (send, receive) = iced::futures::channel::mpsc::unbounded();
        let running = job::start(move |talk| work(talk), move |event| drop(send.unbounded_send(event)));
        self.job = Some(JobView {
            title: render(&title),
            progress: None,
            notes: Vec::new(),
            question: None,
            context_from: 0,
            running,
        });
        Effect::Job(receive)
    }

    pub fn update(&mut self, msg: Msg) -> Effect {
        match msg {
            Msg::TabPressed { shift } => return self.move_focus(shift),
            Msg::EnterPressed => {
                let ring = crate::view::keyboard_ring(self);
                return match self.focused.and_then(|i| ring.get(i).cloned()) {
                    Some(crate::view::Stop::Button(msg)) => self.update(msg),
                    _ => Effect::None,
                };
            }
            Msg::Job(_) => {}
            // Anything else may change the screen: the keyboard starts again from its top.
            _ => self.focused = None,
        }
        if let Msg::Job(event) = msg {
            let event = event.lock().ok().and_then(|mut e| e.take());
            return match event {
                Some(event) => self.job_event(event),
                None => Effect::None,
            };
        }
        if self.job.is_some() {
            return self.job_input(msg);
        }
        match msg {
            Msg::Home | Msg::EscapePressed => {
                self.screen = Screen::Home;
                self.inputs = Inputs { store_pin: true, ..Inputs::default() };
            }
            Msg::Back => {
                if let Screen::Failed { back, .. } = std::mem::replace(&mut self.screen, Screen::Home) {
                    self.screen = *back;
                }
            }
            Msg::SetLang(lang) => {
                self.lang = lang;
                certvault_i18n::set_lang(lang);
            }
            Msg::Go(Moment::Status) => return self.status(),
            Msg::Rescue => return self.rescue(),
            Msg::RemoveEntry(id) => return self.remove_entry(id),
            Msg::ToggleDetails => {
                if let Screen::Status { show_details, .. } = &mut self.screen {
                    *show_details = !*show_details;
                }
            }
            Msg::Go(moment) => {
                let sticks = certvault_core::media::media_roots();
                self.screen = Screen::Place { moment, sticks };
            }
            Msg::PlaceInput(s) => self.inputs.place = s,
            Msg::PlaceChosen(p) => return self.place_chosen(p),
            Msg::PlaceTyped => {
                let typed = self.inputs.place.trim().to_string();
                if !typed.is_empty() {
                    return self.place_chosen(PathBuf::from(typed));
                }
            }
            Msg::FileDropped(path) => match &self.screen {
                Screen::Place { .. } => self.inputs.place = path.display().to_string(),
                Screen::Certificates { dir, .. } => {
                    let dir = dir.clone();
                    return self.verify(dir, path);
                }
                _ => {}
            },
            Msg::CodesWritten => {
                if let Screen::Codes { dir, .. } = &self.screen {
                    let dir = dir.clone();
                    return self.find_certificates(dir);
                }
            }
            Msg::FileInput(s) => self.inputs.file = s,
            Msg::FileChosen(path) => {
                if let Screen::Certificates { dir, .. } = &self.screen {
                    let dir = dir.clone();
                    return self.verify(dir, path);
                }
            }
            Msg::FileTyped => {
                let typed = self.inputs.file.trim().to_string();
                if let (Screen::Certificates { dir, .. }, false) = (&self.screen, typed.is_empty()) {
                    let dir = dir.clone();
                    return self.verify(dir, PathBuf::from(typed));
                }
            }
            Msg::PurposeChosen(p) => {
                if let Screen::Summary { purpose, .. } = &mut self.screen {
                    *purpose = p;
                }
            }
            Msg::HintInput(s) => self.inputs.hint = s,
            Msg::StorePin(b) => self.inputs.store_pin = b,
            Msg::Seal => return self.seal(),
            Msg::ToSheet => {
                if let Screen::Certificates { dir, .. } | Screen::Summary { dir, .. } = &self.screen {
                    let dir = dir.clone();
                    self.open_sheet_screen(dir);
                }
            }
            Msg::SheetOutInput(s) => self.inputs.sheet_out = s,
            Msg::SheetSplit(b) => self.inputs.sheet_split = b,
            Msg::PinCodeInput(s) => self.inputs.pin_code = Zeroizing::new(s),
            Msg::WriteSheet => return self.write_sheet(),
            Msg::CleanApply => return self.clean_apply(),
            Msg::OpenFile(path) => return Effect::Open(path),
            Msg::PrintFile(path) => {
                let said = match certvault_core::sheet::pdf_file::print_pdf(&path) {
                    Ok(()) => render(&msg!("wizard-print-sent", file = path.display())),
                    Err(e) => render(&e.message),
                };
                if let Screen::SheetDone { done, .. } = &mut self.screen {
                    done.push(said);
                }
            }
            Msg::DeleteFile(path) => {
                let said = match certvault_core::sheet::pdf_file::remove_sheet_pdf(&path) {
                    Ok(()) => render(&msg!("wizard-sheet-removed", file = path.display())),
                    Err(e) => render(&e.message),
                };
                match &mut self.screen {
                    Screen::SheetDone { done, files, .. } => {
                        done.push(said);
                        if !path.exists() {
                            files.retain(|f| *f != path);
                        }
                    }
                    // A sheet PDF the clean found: off the list once gone, the result a note.
                    Screen::CleanFound { report, .. } | Screen::CleanDone { report } => {
                        report.scan.recovery_sheets.retain(|s| s.path.exists());
                        self.notes.push((certvault_core::conversation::Level::Info, said));
                    }
                    _ => {}
                }
            }
            Msg::ForgotPassphrase(b) => self.inputs.forgot_passphrase = b,
            Msg::RestoreTo(t) => self.inputs.restore_to = Some(t),
            Msg::RestorePathInput(s) => self.inputs.restore_path = s,
            Msg::Restore => return self.restore(),
            Msg::CopyDestInput(s) => self.inputs.copy_dest = s,
            Msg::CopyTo(dest) => return self.copies(CopyJob::Clone(dest)),
            Msg::CopyTyped => {
                let typed = self.inputs.copy_dest.trim().to_string();
                if !typed.is_empty() {
                    return self.copies(CopyJob::Clone(PathBuf::from(typed)));
                }
            }
            Msg::CheckCopies => return self.copies(CopyJob::Verify),
            Msg::SyncCopies => return self.copies(CopyJob::Sync),
            Msg::RevealFor(id) => return self.reveal(id),
            Msg::Browse(what) => return Effect::Pick(what),
            Msg::Picked(_, None) => {}
            Msg::Picked(what, Some(path)) => {
                let shown = path.display().to_string();
                return match what {
                    Pick::VaultFolder => {
                        self.inputs.place = shown;
                        self.place_chosen(path)
                    }
                    Pick::Certificate => {
                        self.inputs.file = shown;
                        self.update(Msg::FileChosen(path))
                    }
                    Pick::SheetFile => {
                        self.inputs.sheet_out = shown;
                        Effect::None
                    }
                    Pick::CopyFolder => {
                        self.inputs.copy_dest = shown;
                        self.update(Msg::CopyTyped)
                    }
                };
            }
            _ => {}
        }
        Effect::None
    }

    /// While a job runs, only its question and Cancel take input.
    fn job_input(&mut self, msg: Msg) -> Effect {
        let Some(job) = &mut self.job else { return Effect::None };
        if matches!(msg, Msg::AnswerSubmit | Msg::AnswerChoose(_) | Msg::AnswerConfirm(_)) {
            job.context_from = job.notes.len();
        }
        match msg {
            Msg::Cancel | Msg::EscapePressed => {
                job.running.cancel();
                if let Some(q) = job.question.take() {
                    q.answer.send(Reply::Cancelled);
                }
            }
            Msg::AnswerInput(s) => {
                if let Some(q) = &mut job.question {
                    q.input = Zeroizing::new(s);
                }
            }
            Msg::AnswerSubmit => {
                if let Some(q) = job.question.take() {
                    let reply = match &q.question {
                        Question::Secret(_) => Reply::Secret(SecretString::from(q.input.to_string())),
                        Question::Text(_) => Reply::Text(q.input.to_string()),
                        _ => {
                            job.question = Some(q);
                            return Effect::None;
                        }
                    };
                    q.answer.send(reply);
                }
            }
            Msg::AnswerChoose(i) => {
                if let Some(q) = job.question.take() {
                    q.answer.send(Reply::Choose(i));
                }
            }
            Msg::AnswerConfirm(yes) => {
                if let Some(q) = job.question.take() {
                    q.answer.send(Reply::Confirm(yes));
                }
            }
            _ => {}
        }
        Effect::None
    }

    fn job_event(&mut self, event: JobEvent<Outcome>) -> Effect {
        match event {
            JobEvent::Ask(question, answer) => {
                if let Some(job) = &mut self.job {
                    job.question = Some(OpenQuestion { question, answer, input: Zeroizing::default() });
                    return Effect::Focus(crate::view::ANSWER);
                }
                answer.send(Reply::Cancelled);
            }
            JobEvent::Tell(level, note) => {
                if let Some(job) = &mut self.job {
                    job.notes.push((level, render(&note)));
                }
            }
            JobEvent::Progress(p) => {
                if let Some(job) = &mut self.job {
                    job.progress = (!p.finished).then_some(p);
                }
            }
            JobEvent::Done(outcome) => {
                let notes = self.job.take().map(|j| j.notes).unwrap_or_default();
                return self.finished(outcome, notes);
            }
        }
        Effect::None
    }

    fn fail(&mut self, error: &Error, back: Screen) {
        if error.is(ErrorKind::Cancelled) {
            self.screen = back;
            return;
        }
        self.screen = Screen::Failed {
            error: render(&error.message),
            hint: error.hint.as_ref().map(render),
            back: Box::new(back),
        };
    }

    fn finished(&mut self, outcome: Outcome, notes: Vec<(Level, String)>) -> Effect {
        let here = std::mem::replace(&mut self.screen, Screen::Home);
        self.notes = notes;
        match outcome {
            Outcome::Created(Ok((dir, new, unlock))) => {
                self.unlocked = Some((dir.clone(), unlock));
                self.new_pin_code = Some((dir.clone(), new.pin_code.clone()));
                self.screen = Screen::Codes {
                    dir,
                    recovery_code: Zeroizing::new(
                        new.unlock.recovery_code().to_grouped_string().expose_secret().to_string(),
                    ),
                    pin_code: Zeroizing::new(new.pin_code.to_grouped_string().expose_secret().to_string()),
                };
            }
            Outcome::Found(Ok((dir, found, unlock))) => {
                self.remember(&dir, unlock);
                let sealed = match here {
                    Screen::Certificates { sealed, .. } => sealed,
                    _ => Vec::new(),
                };
                self.screen = Screen::Certificates { dir, found, sealed };
            }
            Outcome::Verified(Ok(cert)) => {
                let summary = cert.summary(&SealOptions::default(), certvault_core::dates::now_unix());
                let purpose = summary.purpose;
                let path = cert.file.path.clone();
                self.pending = Some(*cert);
                self.inputs.hint.clear();
                self.inputs.store_pin = true;
                if let Screen::Certificates { dir, found, sealed } = here {
                    self.screen = Screen::Summary { dir, path, summary, purpose, found, sealed };
                }
            }
            Outcome::Sealed(Ok((file, sealed, unlock))) => {
                if let Screen::Summary { dir, mut found, sealed: mut done, path, .. } = here {
                    found.retain(|f| f.path != path);
                    self.remember(&dir, unlock);
                    done.push(render(&match sealed {
                        Sealed::Added { id, .. } => msg!("gui-sealed-added", file = file, id = id),
                        Sealed::Already { id } => msg!("add-already", file = file, id = id),
                        Sealed::Cancelled => msg!("cancelled"),
                    }));
                    self.inputs.file.clear();
                    self.screen = Screen::Certificates { dir, found, sealed: done };
                }
            }
            Outcome::SheetWritten(Ok(written)) => {
                if let Screen::Sheet { dir } = &here {
                    self.remember(dir, written.unlock);
                }
                self.screen = Screen::SheetDone {
                    files: written.files,
                    with_pin_code: written.with_pin_code,
                    advice: written.advice.iter().map(render).collect(),
                    done: Vec::new(),
                    preview: written.preview,
                };
            }
            Outcome::CleanChecked(Ok((dir, report, unlock))) => {
                self.remember(&dir, unlock);
                self.screen = Screen::CleanFound { dir, report: report.phrased(&render) };
            }
            Outcome::Cleaned(Ok(report)) => {
                self.screen = Screen::CleanDone { report: report.phrased(&render) }
            }
            Outcome::Restored(Ok((report, typed))) => {
                let dir = report.vault.clone();
                self.remember(&dir, typed);
                self.screen = Screen::RestoreDone { report };
            }
            Outcome::Status(Ok(found)) => {
                let dir = found.vault.as_ref().map(|(d, _)| d.clone());
                if let Some((d, unlock)) = found.vault {
                    self.unlocked = Some((d, unlock));
                }
                let details = found.details.map(|listing| {
                    let (header, entries) = listing.details();
                    let mut lines = vec![(0, render(&header))];
                    for e in entries {
                        lines.push((0, render(&e.title)));
                        lines.extend(e.fields.iter().map(|f| (1, render(f))));
                    }
                    lines
                });
                self.screen = Screen::Status {
                    status: found.status.phrased(&render),
                    dir,
                    outside: found.outside.iter().map(render).collect(),
                    details: details.unwrap_or_default(),
                    show_details: false,
                };
            }
            Outcome::Lines(Ok((title, lines, unlocked))) => {
                if let Some((dir, unlock)) = unlocked {
                    self.unlocked = Some((dir, unlock));
                }
                self.screen = Screen::Done { title, lines };
            }
            Outcome::Entries(Ok((dir, entries, unlock))) => {
                self.unlocked = Some((dir.clone(), unlock));
                self.screen = Screen::Entries { dir, entries };
            }
            Outcome::Pin(Ok((label, pin))) => self.screen = Screen::PinShown { label, pin },
            Outcome::Sealed(Err(e)) => {
                let back = match here {
                    Screen::Summary { dir, found, sealed, .. } => Screen::Certificates { dir, found, sealed },
                    other => other,
                };
                self.fail(&e, back)
            }
            Outcome::Created(Err(e))
            | Outcome::Found(Err(e))
            | Outcome::Verified(Err(e))
            | Outcome::SheetWritten(Err(e))
            | Outcome::CleanChecked(Err(e))
            | Outcome::Cleaned(Err(e))
            | Outcome::Restored(Err(e))
            | Outcome::Status(Err(e))
            | Outcome::Lines(Err(e))
            | Outcome::Entries(Err(e))
            | Outcome::Pin(Err(e)) => {
                if e.is(ErrorKind::WrongSecret) {
                    self.unlocked = None;
                }
                self.fail(&e, here)
            }
        }
        Effect::None
    }

    /// The stick or folder the user chose: an existing vault there (or in its `CERTVAULT`
    /// folder) is used; for a backup, a new one is created in `CERTVAULT` on a stick's root,
    /// or in the folder named when it does not exist yet.
    fn place_chosen(&mut self, place: PathBuf) -> Effect {
        let Screen::Place { moment, .. } = &self.screen else { return Effect::None };
        let moment = *moment;
        let existing =
            [place.clone(), place.join(VAULT_FOLDER)].into_iter().find(|d| vault::read_header(d).is_ok());
        if self.unlocked.as_ref().is_some_and(|(d, _)| Some(d) != existing.as_ref()) {
            self.unlocked = None;
        }
        match (moment, existing) {
            (Moment::Backup | Moment::Renewed, Some(dir)) => self.find_certificates(dir),
            (Moment::Backup, None) => {
                let dir = if place.is_dir() && place.file_name().is_some_and(|n| n != VAULT_FOLDER) {
                    place.join(VAULT_FOLDER)
                } else {
                    place
                };
                self.create(dir)
            }
            (_, None) => {
                let back = std::mem::replace(&mut self.screen, Screen::Home);
                let e = Error::new(ErrorKind::NotFound, msg!("gui-no-vault-here", dir = place.display()));
                self.fail(&e, back);
                Effect::None
            }
            (Moment::Sheet, Some(dir)) => {
                self.open_sheet_screen(dir);
                Effect::None
            }
            (Moment::Clean, Some(dir)) => self.clean_check(dir),
            (Moment::Restore, Some(dir)) => {
                self.inputs.restore_to.get_or_insert(RestoreTo::ThisComputer);
                self.screen = Screen::RestoreStart { dir };
                Effect::None
            }
            (Moment::Status, Some(_)) => Effect::None,
            (Moment::Copies, Some(dir)) => {
                let others = certvault_core::media::media_roots()
                    .into_iter()
                    .filter(|r| !dir.starts_with(r))
                    .map(|r| r.join(VAULT_FOLDER))
                    .collect();
                self.screen = Screen::Copies { dir, others };
                Effect::None
            }
            (Moment::RevealPin, Some(dir)) => self.list_entries(dir),
            (Moment::Passwd, Some(dir)) => self.passwd(dir),
        }
    }

    /// The sheet screen, with a file name proposed in a folder that no cloud service syncs
    /// (the user may change it; it is deleted after printing when asked).
    fn open_sheet_screen(&mut self, dir: PathBuf) {
        if self.inputs.sheet_out.is_empty() {
            if let Some(folder) = certvault_core::sheet::pdf_file::local_sheet_folder() {
                let name = format!("certvault-sheet-{}.pdf", &vault_format::time::now().to_string()[..10]);
                self.inputs.sheet_out = folder.join(name).display().to_string();
            }
        }
        self.screen = Screen::Sheet { dir };
    }

    fn create(&mut self, dir: PathBuf) -> Effect {
        let declared = certvault_core::media::configured_roots().iter().any(|r| dir.starts_with(r));
        self.start(msg!("gui-creating"), move |talk| {
            let opts = InitOptions {
                dir: dir.clone(),
                passphrase_file: None,
                recovery_out: None,
                sheet_out: None,
                sheet_lang: sheet_lang(),
                allow_fixed_disk: declared,
                codes_shown: true,
                programs: true,
            };
            let created = create::check_init(&opts, talk)
                .and_then(|()| vault::passphrase::new_passphrase(None, talk))
                .and_then(|passphrase| {
                    talk.tell(Level::Info, msg!("init-working"));
                    let new = create::create_vault(&opts, &passphrase, talk)?;
                    Ok((dir, Box::new(new), Unlock::Passphrase(passphrase)))
                });
            Outcome::Created(created)
        })
    }

    /// Certificate files on this computer (by content, in the usual places, as `scan`), the
    /// vault opened first so that those already in it are not offered again.
    fn find_certificates(&mut self, dir: PathBuf) -> Effect {
        let known = self.known_unlock(&dir);
        let ask = self.ask_for();
        self.start(msg!("gui-searching"), move |talk| {
            let found = (|| {
                let (vault, unlock) = open(&dir, known, ask, false, talk)?;
                drop(vault);
                let roots = scan::resolve_roots(&[], Some(&dir))?;
                let report = scan::scan_for_copies(
                    &scan::ScanOptions {
                        paths: roots.iter().map(|r| r.path.clone()).collect(),
                        vault: Some(dir.clone()),
                        unlock: UnlockSource::default(),
                        trust_names: false,
                    },
                    &Unlocked::new(talk, Some(&unlock)),
                )?;
                let mut hits: Vec<_> = report
                    .hits
                    .into_iter()
                    .filter(|h| h.archive_entry.is_none() && matches!(h.class, Class::Unknown | Class::Found))
                    .collect();
                hits.sort_by(|a, b| b.modified.cmp(&a.modified));
                let found = hits
                    .into_iter()
                    .map(|h| FoundFile {
                        who: h.certificate.as_ref().map(|c| {
                            certvault_core::sheet::subject_attribute(&c.subject, "O")
                                .or_else(|| certvault_core::sheet::subject_attribute(&c.subject, "CN"))
                                .unwrap_or_else(|| c.subject.clone())
                        }),
                        until: h
                            .certificate
                            .as_ref()
                            .map(|c| certvault_core::dates::human_date(&c.not_after)),
                        path: h.path,
                    })
                    .collect();
                Ok((dir, found, Some(unlock)))
            })();
            Outcome::Found(found)
        })
    }

    /// Checks the file's PIN offline (asked until right: no lockout) and shows the summary.
    fn verify(&mut self, _dir: PathBuf, path: PathBuf) -> Effect {
        self.start(msg!("gui-checking-file"), move |talk| {
            Outcome::Verified(entries::verify_for_sealing(&path, None, talk).map(Box::new))
        })
    }

    fn seal(&mut self) -> Effect {
        let (Screen::Summary { dir, purpose, .. }, Some(cert)) = (&self.screen, self.pending.take()) else {
            return Effect::None;
        };
        let dir = dir.clone();
        let opts = SealOptions {
            hint: Some(self.inputs.hint.trim().to_string()).filter(|h| !h.is_empty()),
            purpose: Some(*purpose),
            no_store_pin: !self.inputs.store_pin,
        };
        let known = self.known_unlock(&dir);
        let ask = self.ask_for();
        self.start(msg!("gui-sealing"), move |talk| {
            let sealed = (|| {
                let (mut vault, unlock) = open(&dir, known, ask, true, talk)?;
                vault.check_can_write(talk)?;
                let sealed = entries::seal_verified(
                    &mut vault,
                    &cert,
                    &opts,
                    &AlreadyConfirmed { talk, question: "add-confirm" },
                )?;
                Ok((cert.file.display_name(), sealed, Some(unlock)))
            })();
            Outcome::Sealed(sealed)
        })
    }

    fn write_sheet(&mut self) -> Effect {
        let Screen::Sheet { dir } = &self.screen else { return Effect::None };
        let dir = dir.clone();
        let out = PathBuf::from(self.inputs.sheet_out.trim());
        let split = self.inputs.sheet_split.then_some(Split { threshold: 2, total: 3 });
        let typed_pin_code = self.inputs.pin_code.trim().to_string();
        let new_pin_code = self.new_pin_code.as_ref().filter(|(d, _)| *d == dir).map(|(_, c)| c.clone());
        let known = self.known_unlock(&dir);
        let ask = self.ask_for();
        self.start(msg!("gui-writing-sheet"), move |talk| {
            let written = (|| {
                if out.as_os_str().is_empty() {
                    return Err(Error::new(ErrorKind::Usage, msg!("gui-sheet-choose-file")));
                }
                let planned = match split {
                    Some(s) => certvault_core::sheet::split_paths(&out, s.total),
                    None => vec![out.clone()],
                };
                planned.iter().try_for_each(|p| certvault_core::sheet::check_out_path(p, &dir))?;
                let new_vault = new_pin_code.clone();
                let pin_code = match new_pin_code {
                    Some(c) => Some(c),
                    None if typed_pin_code.is_empty() => None,
                    None => Some(vault::pin::parse_pin_code(&typed_pin_code)?),
                };
                let reprint = new_vault.is_none();
                let (vault, unlock) = open(&dir, known, ask, false, talk)?;
                let files = certvault_core::sheet::write_sheets(
                    &vault,
                    &unlock,
                    pin_code.as_ref(),
                    &out,
                    sheet_lang(),
                    split,
                    talk,
                )?;
                let advice = match reprint {
                    true => certvault_core::sheet::advice_after_reprint(pin_code.is_some(), split),
                    false => Vec::new(),
                };
                // Written already: a preview that fails (it lays out what was just printed)
                // only leaves the picture out.
                let preview = certvault_core::sheet::preview_sheets(
                    &vault,
                    &unlock,
                    pin_code.as_ref(),
                    sheet_lang(),
                    split,
                )
                .ok();
                Ok(SheetWritten {
                    files,
                    with_pin_code: pin_code.is_some(),
                    advice,
                    preview,
                    unlock: Some(unlock),
                })
            })();
            Outcome::SheetWritten(written)
        })
    }

    /// A dry run: what is on this computer and what would be removed.
    fn clean_check(&mut self, dir: PathBuf) -> Effect {
        let known = self.known_unlock(&dir);
        let ask = self.ask_for();
        self.start(msg!("gui-searching"), move |talk| {
            let checked = (|| {
                let (mut vault, unlock) = open(&dir, known, ask, false, talk)?;
                let report = clean_vault(&mut vault, &CleanOptions::default(), talk)?;
                Ok((dir, report, Some(unlock)))
            })();
            Outcome::CleanChecked(checked)
        })
    }

    /// Removes the copies that are safely in the vault (the core asks once before anything goes).
    fn clean_apply(&mut self) -> Effect {
        let Screen::CleanFound { dir, .. } = &self.screen else { return Effect::None };
        let dir = dir.clone();
        let known = self.known_unlock(&dir);
        let ask = self.ask_for();
        self.start(msg!("gui-cleaning"), move |talk| {
            let cleaned = (|| {
                let (mut vault, _) = open(&dir, known, ask, false, talk)?;
                let apply = CleanOptions { apply: true, ask_first: true, ..CleanOptions::default() };
                clean_vault(&mut vault, &apply, talk)
            })();
            Outcome::Cleaned(cleaned)
        })
    }

    /// The checklist of the vault on the stick (or of this computer's records alone), and the
    /// certificates installed here that the vault does not hold.
    fn status(&mut self) -> Effect {
        let dir = certvault_core::media::vaults_on_media().into_iter().next();
        let known = dir.as_deref().and_then(|d| self.known_unlock(d));
        let ask = self.ask_for();
        self.start(msg!("gui-status-working"), move |talk| {
            let logs = certvault_core::records::Logs::read();
            let now = certvault_core::dates::now_unix();
            let found = (|| {
                let Some(dir) = dir else {
                    let status = certvault_core::status::of_this_computer(&logs, now);
                    return Ok(StatusFound { status, vault: None, outside: Vec::new(), details: None });
                };
                let (vault, unlock) = open(&dir, known, ask, false, talk)?;
                let status = certvault_core::status::of_opened_vault(&dir, &vault, &logs, now);
                let outside = rescue::not_in_vault(&rescue::Source::default_here(), &vault)
                    .iter()
                    .map(|c| c.line())
                    .collect();
                let details = Some(certvault_core::vault::entries::list(&vault, now)?);
                Ok(StatusFound { status, vault: Some((dir, unlock)), outside, details })
            })();
            Outcome::Status(found)
        })
    }

    /// Removes a replaced certificate's entry once it stopped working (the core asks first).
    fn remove_entry(&mut self, id: String) -> Effect {
        let Screen::Status { dir: Some(dir), .. } = &self.screen else { return Effect::None };
        let dir = dir.clone();
        let known = self.known_unlock(&dir);
        let ask = self.ask_for();
        self.start(msg!("gui-removing"), move |talk| {
            let removed = (|| {
                let (mut vault, unlock) = open(&dir, known, ask, true, talk)?;
                let said = match certvault_core::vault::entries::remove(&mut vault, &id, talk)? {
                    certvault_core::vault::entries::Removed::Removed { id, generation } => {
                        msg!("remove-done", id = id, generation = generation)
                    }
                    certvault_core::vault::entries::Removed::Cancelled => msg!("wizard-remove-kept"),
                };
                Ok((render(&msg!("gui-status")), vec![render(&said)], Some((dir, unlock))))
            })();
            Outcome::Lines(removed)
        })
    }

    /// Exports each certificate installed here that the vault lacks (each one confirmed, a key
    /// that cannot leave the store explained) and seals it as `add` would.
    fn rescue(&mut self) -> Effect {
        let Screen::Status { dir: Some(dir), .. } = &self.screen else { return Effect::None };
        let dir = dir.clone();
        let known = self.known_unlock(&dir);
        let ask = self.ask_for();
        self.start(msg!("gui-rescuing"), move |talk| {
            let rescued = (|| {
                let (mut vault, _) = open(&dir, known, ask, true, talk)?;
                vault.check_can_write(talk)?;
                let mut store = rescue::store_for(&rescue::Source::default_here(), None)?;
                store.check(talk)?;
                let report = rescue::rescue_into(&mut vault, store.as_mut(), &[], None, talk)?;
                let mut lines: Vec<String> = report.results.iter().map(|r| render(&r.message())).collect();
                if report.results.iter().any(|r| matches!(r.outcome, rescue::Outcome::Rescued { .. })) {
                    lines.push(render(&msg!("rescue-next-print-sheet")));
                }
                Ok((render(&msg!("gui-rescue")), lines, None))
            })();
            Outcome::Lines(rescued)
        })
    }

    /// Another copy of the vault, a check of every copy, or bringing them in line.
    fn copies(&mut self, what: CopyJob) -> Effect {
        let Screen::Copies { dir, .. } = &self.screen else { return Effect::None };
        let dir = dir.clone();
        let known = self.known_unlock(&dir);
        let source = UnlockSource { ask: self.ask_for(), ..Default::default() };
        let title = match &what {
            CopyJob::Clone(_) => msg!("gui-copying"),
            CopyJob::Verify | CopyJob::Sync => msg!("gui-checking-copies"),
        };
        self.start(title, move |talk| {
            let unlocked = Unlocked::new(talk, known.as_ref());
            let talk: &dyn Conversation = &unlocked;
            let lines = |exam: &certvault_core::vault::copies::Examination| {
                let mut lines: Vec<String> = Vec::new();
                for c in &exam.copies {
                    lines.push(render(&exam.copy_line(c)));
                    lines.extend(c.problems.iter().map(|p| format!("  {}", render(p))));
                }
                // In the window's voice: its buttons, not commands (issue 16).
                lines.extend(exam.advice().iter().map(render));
                lines
            };
            let result = match what {
                CopyJob::Clone(dest) => {
                    let dest = if dest.file_name().is_some_and(|n| n == VAULT_FOLDER)
                        || dest.join(VAULT_FOLDER).exists()
                    {
                        dest
                    } else {
                        dest.join(VAULT_FOLDER)
                    };
                    let declared =
                        certvault_core::media::configured_roots().iter().any(|r| dest.starts_with(r));
                    let opts = certvault_core::vault::copies::CloneOptions {
                        source: dir.clone(),
                        unlock: source,
                        dest: dest.clone(),
                        allow_fixed_disk: declared,
                        programs: true,
                    };
                    certvault_core::vault::copies::clone(&opts, talk).map(|done| {
                        let mut l = vec![render(&msg!("gui-copied", dir = dest.display()))];
                        l.extend(lines(&done.copies));
                        (render(&msg!("gui-copies")), l)
                    })
                }
                CopyJob::Verify => certvault_core::vault::copies::verify(&[], &source, talk)
                    .map(|exam| (render(&msg!("gui-copies")), lines(&exam))),
                CopyJob::Sync => certvault_core::vault::copies::sync(&[], &source, true, talk).map(|done| {
                    let mut l: Vec<String> = done.actions.iter().map(render).collect();
                    l.extend(lines(&done.copies));
                    (render(&msg!("gui-copies")), l)
                }),
            };
            let typed = unlocked.typed().map(|u| (dir.clone(), u));
            Outcome::Lines(result.map(|(title, lines)| (title, lines, typed)))
        })
    }

    /// The vault's certificates, to choose whose PIN to show.
    fn list_entries(&mut self, dir: PathBuf) -> Effect {
        let known = self.known_unlock(&dir);
        let ask = self.ask_for();
        self.start(msg!("gui-opening"), move |talk| {
            let listed = (|| {
                let (vault, unlock) = open(&dir, known, ask, false, talk)?;
                let listing = entries::list(&vault, certvault_core::dates::now_unix())?;
                let rows = listing
                    .entries
                    .iter()
                    .filter(|e| e.entry.pin_stored)
                    .map(|e| {
                        let purpose = certvault_i18n::message(
                            &format!(
                                "purpose-{}",
                                certvault_core::certificate::x509::purpose_id(e.entry.purpose)
                            ),
                            &[],
                        );
                        (e.entry.id.clone(), format!("{purpose} — {}", e.entry.original_file_name))
                    })
                    .collect();
                Ok((dir, rows, unlock))
            })();
            Outcome::Entries(listed)
        })
    }

    /// Shows the stored PIN of `id` (the core asks for the sheet's PIN code).
    fn reveal(&mut self, id: String) -> Effect {
        let Screen::Entries { dir, entries } = &self.screen else { return Effect::None };
        let dir = dir.clone();
        let label = entries.iter().find(|(i, _)| *i == id).map(|(_, l)| l.clone()).unwrap_or_default();
        let known = self.known_unlock(&dir);
        let ask = self.ask_for();
        self.start(msg!("gui-opening"), move |talk| {
            let shown = (|| {
                let (vault, _) = open(&dir, known, ask, false, talk)?;
                let pin = entries::reveal_pin(&vault, &id, None, talk)?;
                Ok((label, Zeroizing::new(pin.expose_secret().to_string())))
            })();
            Outcome::Pin(shown)
        })
    }

    /// A new passphrase: the vault opened with the old one (or the recovery code), the new one
    /// asked twice with its strength shown.
    fn passwd(&mut self, dir: PathBuf) -> Effect {
        let known = self.known_unlock(&dir);
        let ask = self.ask_for();
        self.start(msg!("gui-passwd-working"), move |talk| {
            let changed = (|| {
                let (vault, old) = open(&dir, known, ask, true, talk)?;
                entries::passwd(&vault, &old, None, talk)?;
                Ok((
                    render(&msg!("gui-passwd")),
                    vec![render(&msg!("passwd-done", dir = dir.display()))],
                    None,
                ))
            })();
            Outcome::Lines(changed)
        })
    }

    fn restore(&mut self) -> Effect {
        let Screen::RestoreStart { dir } = &self.screen else { return Effect::None };
        let target = match self.inputs.restore_to.clone().unwrap_or(RestoreTo::ThisComputer) {
            RestoreTo::ThisComputer => Target::default_here(),
            RestoreTo::NssFolder => Target::Nss(Some(PathBuf::from(self.inputs.restore_path.trim()))),
            RestoreTo::File => Target::File(PathBuf::from(self.inputs.restore_path.trim())),
        };
        let options = RestoreOptions {
            vault: Some(dir.clone()),
            unlock: UnlockSource { ask: self.ask_for(), ..Default::default() },
            ..RestoreOptions::new(target)
        };
        let known = self.known_unlock(dir);
        self.start(msg!("gui-restoring"), move |talk| {
            let unlocked = Unlocked::new(talk, known.as_ref());
            let report = certvault_core::install::restore::run(&options, &unlocked);
            Outcome::Restored(report.map(|r| (r, unlocked.typed())))
        })
    }
}

/// The moment of this window that takes a status item's next step (issue 16: the window names
/// its own screens, not commands); `None` for a step it has no screen for.
pub fn moment_for(step: certvault_core::status::NextStep) -> Option<Moment> {
    use certvault_core::status::NextStep;
    Some(match step {
        NextStep::KeepRenewedCertificate => Moment::Renewed,
        NextStep::RestoreReplacement => Moment::Restore,
        NextStep::SecondStick | NextStep::CheckSticks => Moment::Copies,
        NextStep::PrintSheet => Moment::Sheet,
        NextStep::Clean => Moment::Clean,
        // Copies not in the vault are kept first (the certificates screen finds them).
        NextStep::SealCopies => Moment::Backup,
        NextStep::RemoveEntry | NextStep::OpenVault => return None,
    })
}

/// What the copies screen asked for.
enum CopyJob {
    Clone(PathBuf),
    Verify,
    Sync,
}

/// The sheet in the window's language.
fn sheet_lang() -> SheetLang {
    match certvault_i18n::lang() {
        Lang::Ja => SheetLang::Ja,
        Lang::En => SheetLang::En,
    }
}

/// The scan opens the vault itself: it gets the unlock the window already has instead of
/// asking again.
struct Unlocked<'a> {
    talk: &'a dyn Conversation,
    unlock: Option<&'a Unlock>,
    /// The passphrase or recovery code the user typed when none was known, to remember once
    /// the operation succeeded with it.
    typed: std::sync::Mutex<Option<Unlock>>,
}

impl<'a> Unlocked<'a> {
    fn new(talk: &'a dyn Conversation, unlock: Option<&'a Unlock>) -> Self {
        Unlocked { talk, unlock, typed: std::sync::Mutex::new(None) }
    }

    fn typed(&self) -> Option<Unlock> {
        self.typed.lock().ok().and_then(|mut t| t.take())
    }
}

impl Conversation for Unlocked<'_> {
    fn secret(&self, q: &Message) -> Result<SecretString, certvault_core::conversation::Unanswered> {
        match (q.id, self.unlock) {
            ("vault-enter-passphrase", Some(Unlock::Passphrase(p))) => Ok(p.clone()),
            ("unlock-enter-recovery-code", Some(Unlock::RecoveryCode(c))) => Ok(c.clone()),
            (id @ ("vault-enter-passphrase" | "unlock-enter-recovery-code"), None) => {
                let secret = self.talk.secret(q)?;
                if let Ok(mut typed) = self.typed.lock() {
                    *typed = Some(if id == "vault-enter-passphrase" {
                        Unlock::Passphrase(secret.clone())
                    } else {
                        Unlock::RecoveryCode(secret.clone())
                    });
                }
                Ok(secret)
            }
            _ => self.talk.secret(q),
        }
    }
    fn confirm(&self, q: &Message) -> Result<bool, certvault_core::conversation::Unanswered> {
        self.talk.confirm(q)
    }
    fn choose(&self, q: &Message, c: &[Message]) -> Result<usize, certvault_core::conversation::Unanswered> {
        self.talk.choose(q, c)
    }
    fn text(&self, q: &Message) -> Result<String, certvault_core::conversation::Unanswered> {
        self.talk.text(q)
    }
    fn tell(&self, level: Level, note: Message) {
        self.talk.tell(level, note)
    }
    fn progress(&self, p: &Progress) {
        self.talk.progress(p)
    }
    fn cancel_requested(&self) -> bool {
        self.talk.cancel_requested()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::{keyboard_ring, Stop};

    /// A replaced certificate past its last day: the status screen offers its removal as a
    /// button (not the command the core's item carries), and the button starts the job that
    /// opens the vault and removes that entry (the core asks first; tests/wizard.rs runs the
    /// same core removal end to end).
    #[test]
    fn a_stopped_replaced_certificate_is_removed_with_a_button() {
        use certvault_core::status::{Item, Kind, Level, NextStep};
        certvault_i18n::init(Lang::Ja);
        let mut app = App::new(Lang::Ja);
        let item = Item {
            kind: Kind::SupersededStopped,
            level: Level::Info,
            message: "replaced".to_string(),
            command: Some("certvault remove 0123456789ab --vault E:\\CERTVAULT".into()),
            next: Some(NextStep::RemoveEntry),
            days: None,
            date: None,
            reminder: None,
            entry: Some("0123456789ab".into()),
            purpose: None,
            institution_code: None,
            paths: Vec::new(),
        };
        app.screen = Screen::Status {
            status: Status { vault: None, needs_attention: false, items: vec![item], time: String::new() },
            dir: Some(PathBuf::from("E:\\CERTVAULT")),
            outside: Vec::new(),
            details: Vec::new(),
            show_details: false,
        };
        let removal = keyboard_ring(&app).into_iter().find_map(|s| match s {
            Stop::Button(Msg::RemoveEntry(id)) => Some(id),
            _ => None,
        });
        assert_eq!(removal.as_deref(), Some("0123456789ab"), "a removal button for the entry");
        assert!(matches!(app.update(Msg::RemoveEntry("0123456789ab".into())), Effect::Job(_)));
        assert!(app.job.is_some(), "the removal runs as a job");
    }

    /// Tab walks the screen's buttons in the order they are drawn, Enter presses the outlined
    /// one, Escape goes back to the first screen: the window works without a mouse.
    #[test]
    fn the_keyboard_alone_reaches_every_moment() {
        certvault_i18n::init(Lang::Ja);
        let mut app = App::new(Lang::Ja);
        let ring = keyboard_ring(&app);
        let moments: Vec<Moment> = ring
            .iter()
            .filter_map(|s| match s {
                Stop::Button(Msg::Go(m)) => Some(*m),
                _ => None,
            })
            .collect();
        assert_eq!(
            moments,
            [
                Moment::Backup,
                Moment::Sheet,
                Moment::Clean,
                Moment::Restore,
                Moment::Renewed,
                Moment::Status,
                Moment::Copies,
                Moment::RevealPin,
                Moment::Passwd
            ]
        );
        assert!(matches!(ring[0], Stop::Button(Msg::Go(Moment::Backup))), "the first moment comes first");

        for (tabs, moment) in
            [(1, Moment::Backup), (2, Moment::Sheet), (3, Moment::Clean), (4, Moment::Restore)]
        {
            for _ in 0..tabs {
                app.update(Msg::TabPressed { shift: false });
            }
            assert!(matches!(app.update(Msg::EnterPressed), Effect::None));
            assert!(
                matches!(app.screen, Screen::Place { moment: m, .. } if m == moment),
                "Enter opened {moment:?}"
            );
            // On the place screen the folder field is a stop: Tab into it gives it the keyboard.
            let ring = keyboard_ring(&app);
            let field =
                ring.iter().position(|s| matches!(s, Stop::Field("place"))).expect("the folder field");
            app.focused = Some(field - 1);
            assert!(matches!(app.update(Msg::TabPressed { shift: false }), Effect::Focus("place")));
            app.update(Msg::EscapePressed);
            assert!(matches!(app.screen, Screen::Home));
            assert_eq!(app.focused, None);
        }
        // Shift+Tab from nothing is the last stop (the language switch).
        app.update(Msg::TabPressed { shift: true });
        let ring = keyboard_ring(&app);
        assert!(matches!(ring[app.focused.unwrap()], Stop::Button(Msg::SetLang(Lang::En))));
    }
}
