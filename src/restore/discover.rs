//! Finding the vault when `--vault` is not given is the core's (`certvault_core::media` lists
//! the removable volumes and the vaults on them, `install::find_vault` decides). Here: the old
//! paths of the media functions, and the terminal's way of choosing among several vaults.

pub use certvault_core::media::{media_roots, vaults_in, MEDIA_ROOTS_VAR};

use certvault_core::conversation::{Conversation, Level, Progress, Unanswered};
use certvault_core::Message;
use secrecy::SecretString;

use crate::i18n::render;
use crate::t;
use crate::terminal::Terminal;

/// The terminal as restore talks on it: choices are a numbered list and a typed number (what
/// scripts driving a terminal type), everything else as [`Terminal`].
#[derive(Debug, Default, Clone, Copy)]
pub struct NumberedChoices;

impl Conversation for NumberedChoices {
    fn secret(&self, question: &Message) -> Result<SecretString, Unanswered> {
        Terminal.secret(question)
    }

    fn confirm(&self, question: &Message) -> Result<bool, Unanswered> {
        Terminal.confirm(question)
    }

    fn choose(&self, question: &Message, choices: &[Message]) -> Result<usize, Unanswered> {
        for (i, choice) in choices.iter().enumerate() {
            eprintln!("  {}: {}", i + 1, render(choice));
        }
        if !crate::secret_input::stdin_is_terminal() {
            return Err(Unanswered::NoTerminal);
        }
        loop {
            match super::ask_line(&render(question)) {
                Ok(Some(answer)) => match answer.parse::<usize>() {
                    Ok(k) if (1..=choices.len()).contains(&k) => return Ok(k - 1),
                    _ => eprintln!("{}", t!("restore-choose-again", count = choices.len())),
                },
                // The input ended, or Ctrl-C (the conversation's cancel flag says which).
                Ok(None) | Err(_) => return Err(Unanswered::Cancelled),
            }
        }
    }

    fn text(&self, question: &Message) -> Result<String, Unanswered> {
        Terminal.text(question)
    }

    fn tell(&self, level: Level, note: Message) {
        Terminal.tell(level, note)
    }

    fn progress(&self, progress: &Progress) {
        Terminal.progress(progress)
    }

    fn cancel_requested(&self) -> bool {
        Terminal.cancel_requested()
    }
}
