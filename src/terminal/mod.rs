//! The terminal's side of the core's [`Conversation`]: questions on standard error and the
//! keyboard (secrets without echo), notes phrased in the user's language on standard error.
//! The one way the program asks on a terminal: the commands through [`Conversation`], the
//! wizard through the same [`Terminal::line`], [`Terminal::yes_no`] and [`Terminal::pick`].

// Ctrl-C as a request, secrets read without echo, and untrusted text made safe to print.
pub mod code_input;
pub mod interrupt;
pub mod secret_input;
pub mod wrap;

use std::io::{IsTerminal, Write};

use certvault_core::conversation::{Conversation, Level, Progress, Unanswered};
use certvault_core::Message;
use secrecy::SecretString;

use certvault_i18n::render;
use interrupt::LineError;
use secret_input::SecretInputError;

/// Asks and tells on this process's terminal. Without a terminal every question is
/// `NoTerminal` (the operation then names the flag that answers it).
#[derive(Debug, Default, Clone, Copy)]
pub struct Terminal;

impl Terminal {
    fn can_ask() -> bool {
        std::io::stdin().is_terminal()
    }

    /// The columns of the terminal, less one (a full line would wrap on some terminals).
    fn width() -> usize {
        usize::from(dialoguer::console::Term::stderr().size().1).max(20) - 1
    }

    /// One line typed after `question` (trimmed); Ctrl-C and end of input cancel it. The
    /// wizard's text questions and pauses use it too.
    pub fn line(question: &str) -> Result<String, Unanswered> {
        if !Self::can_ask() {
            return Err(Unanswered::NoTerminal);
        }
        eprint!("{question} ");
        let _ = std::io::stderr().flush();
        match crate::terminal::interrupt::read_line() {
            Ok(line) => Ok(line),
            Err(LineError::Closed | LineError::Interrupted) => Err(Unanswered::Cancelled),
            Err(LineError::Failed(e)) => Err(Unanswered::Failed(e.to_string())),
        }
    }

    /// Yes or no after `question`; only an explicit yes is yes.
    pub fn yes_no(question: &str) -> Result<bool, Unanswered> {
        let mut lines = wrap::wrap(&format!("{question} [y/N]"), Self::width());
        // Broken as a reader expects (no 「？」 or 「]」 at a line's start), the answer typed
        // after the last line.
        let last = lines.pop().unwrap_or_default();
        for line in &lines {
            eprintln!("{line}");
        }
        let answer = Self::line(&last)?;
        Ok(matches!(answer.to_lowercase().as_str(), "y" | "yes" | "はい"))
    }

    /// One of `items`, chosen with the arrow keys; Esc cancels.
    pub fn pick(question: &str, items: &[String]) -> Result<usize, Unanswered> {
        if !Self::can_ask() {
            return Err(Unanswered::NoTerminal);
        }
        dialoguer::Select::with_theme(&dialoguer::theme::ColorfulTheme::default())
            .with_prompt(question)
            .items(items)
            .default(0)
            .interact_opt()
            .map_err(|e| Unanswered::Failed(e.to_string()))?
            .ok_or(Unanswered::Cancelled)
    }
}

impl Conversation for Terminal {
    fn secret(&self, question: &Message) -> Result<SecretString, Unanswered> {
        secret_input::prompt_secret(&render(question)).map_err(|e| match e {
            SecretInputError::NoTerminal => Unanswered::NoTerminal,
            SecretInputError::Terminal(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                Unanswered::Cancelled
            }
            SecretInputError::Terminal(e) => Unanswered::Failed(e.to_string()),
        })
    }

    fn code(&self, question: &Message, kind: vault_format::CodeKind) -> Result<SecretString, Unanswered> {
        code_input::read_code(&render(question), kind)
    }

    fn confirm(&self, question: &Message) -> Result<bool, Unanswered> {
        Self::yes_no(&render(question))
    }

    fn choose(&self, question: &Message, choices: &[Message]) -> Result<usize, Unanswered> {
        let items: Vec<String> = choices.iter().map(render).collect();
        Self::pick(&render(question), &items)
    }

    fn text(&self, question: &Message) -> Result<String, Unanswered> {
        Self::line(&render(question))
    }

    fn tell(&self, _level: Level, note: Message) {
        eprintln!("{}", render(&note));
    }

    fn progress(&self, _progress: &Progress) {}

    fn cancel_requested(&self) -> bool {
        crate::terminal::interrupt::requested()
    }
}
