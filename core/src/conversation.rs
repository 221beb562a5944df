//! The one way an operation asks the user something or tells them how it goes. Each front-end
//! implements [`Conversation`] (the terminal, the window, a script of answers in tests); the
//! core never reads a terminal or writes to one.

use std::collections::VecDeque;
use std::sync::Mutex;

use secrecy::SecretString;

use crate::error::{Error, ErrorKind};
use crate::message::Message;
use crate::msg;

/// Why a question got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unanswered {
    /// Nobody can be asked (no terminal, a script): the operation says which `*-file` flag or
    /// `--yes` gives the answer instead.
    NoTerminal,
    /// The user cancelled (Ctrl-C, Escape, the window's Cancel).
    Cancelled,
    /// Asking failed (the OS's reason).
    Failed(String),
}

/// How much a note matters to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
}

/// Where a long task is: `done` of `total` units (unknown total for a spinner).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub task: Message,
    pub done: u64,
    pub total: Option<u64>,
    /// The task has ended (the front-end clears its bar).
    pub finished: bool,
}

pub trait Conversation {
    /// A secret (passphrase, PIN, recovery code, share), never echoed.
    fn secret(&self, question: &Message) -> Result<SecretString, Unanswered>;
    /// A recovery code or PIN code typed from the printed sheet. The code is on the paper in
    /// the typist's hand, so a front-end may show it as it is typed, grouped as the sheet
    /// prints it, and say at once which group is wrong ([`crate::codes::check_as_typed`]). By
    /// default it is asked like any other secret.
    fn code(&self, question: &Message, _kind: vault_format::CodeKind) -> Result<SecretString, Unanswered> {
        self.secret(question)
    }
    /// Yes or no; the safe answer is no.
    fn confirm(&self, question: &Message) -> Result<bool, Unanswered>;
    /// One of `choices` (at least one), by index.
    fn choose(&self, question: &Message, choices: &[Message]) -> Result<usize, Unanswered>;
    /// A line of text (a hint, a folder).
    fn text(&self, question: &Message) -> Result<String, Unanswered>;
    /// Something the user should know while the operation goes on (a warning about a damaged
    /// copy, a step done). The operation's result says the rest.
    fn tell(&self, level: Level, note: Message);
    /// Progress of a long task; may be called from worker threads' owner only.
    fn progress(&self, _progress: &Progress) {}
    /// Whether the user asked to stop the current operation (Ctrl-C, Cancel). Long tasks poll it.
    fn cancel_requested(&self) -> bool {
        false
    }
}

/// The error for a question that got no answer: `what` is what was asked for, `flag` the
/// option that gives it without asking (`--passphrase-file`, `--yes`).
pub fn unanswered(e: Unanswered, what: Message, flag: &'static str) -> Error {
    match e {
        Unanswered::NoTerminal => {
            Error::new(ErrorKind::NoTerminal, msg!("err-no-terminal", what = what, flag = flag))
        }
        Unanswered::Cancelled => Error::new(ErrorKind::Cancelled, msg!("cancelled")),
        Unanswered::Failed(reason) => Error::new(ErrorKind::Io, msg!("err-terminal", reason = reason)),
    }
}

/// `talk`, with the yes-or-no question `question` (a message id) already answered yes: the
/// front-end showed what is about to happen and the user pressed its button (the window's
/// seal button, a rescue the user chose). Everything else goes to `talk`.
pub struct AlreadyConfirmed<'a> {
    pub talk: &'a dyn Conversation,
    pub question: &'static str,
}

impl Conversation for AlreadyConfirmed<'_> {
    fn secret(&self, q: &Message) -> Result<SecretString, Unanswered> {
        self.talk.secret(q)
    }
    fn confirm(&self, q: &Message) -> Result<bool, Unanswered> {
        if q.id == self.question {
            return Ok(true);
        }
        self.talk.confirm(q)
    }
    fn choose(&self, q: &Message, choices: &[Message]) -> Result<usize, Unanswered> {
        self.talk.choose(q, choices)
    }
    fn text(&self, q: &Message) -> Result<String, Unanswered> {
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

/// Nobody to ask: every question is `NoTerminal`, notes are kept for the caller.
#[derive(Debug, Default)]
pub struct NoOne {
    notes: Mutex<Vec<(Level, Message)>>,
}

impl NoOne {
    pub fn notes(&self) -> Vec<(Level, Message)> {
        self.notes.lock().map(|n| n.clone()).unwrap_or_default()
    }
}

impl Conversation for NoOne {
    fn secret(&self, _: &Message) -> Result<SecretString, Unanswered> {
        Err(Unanswered::NoTerminal)
    }
    fn confirm(&self, _: &Message) -> Result<bool, Unanswered> {
        Err(Unanswered::NoTerminal)
    }
    fn choose(&self, _: &Message, _: &[Message]) -> Result<usize, Unanswered> {
        Err(Unanswered::NoTerminal)
    }
    fn text(&self, _: &Message) -> Result<String, Unanswered> {
        Err(Unanswered::NoTerminal)
    }
    fn tell(&self, level: Level, note: Message) {
        if let Ok(mut notes) = self.notes.lock() {
            notes.push((level, note));
        }
    }
}

/// One prepared answer of a [`Scripted`] conversation.
#[derive(Debug, Clone)]
pub enum Answer {
    Secret(String),
    Confirm(bool),
    Choose(usize),
    Text(String),
    Cancel,
    /// Ctrl-C at this question: it is cancelled, and `cancel_requested` is true from then on.
    CtrlC,
}

/// Answers from a list, in order, and a record of every question and note: operations run
/// without a terminal in tests and batch use. A question that finds no answer, or an answer of
/// the wrong type, is `NoTerminal`.
#[derive(Debug, Default)]
pub struct Scripted {
    answers: Mutex<VecDeque<Answer>>,
    pub asked: Mutex<Vec<Message>>,
    pub notes: Mutex<Vec<(Level, Message)>>,
    /// Set by an [`Answer::CtrlC`]: what `cancel_requested` says.
    pub cancelled: std::sync::atomic::AtomicBool,
}

impl Scripted {
    pub fn new(answers: impl IntoIterator<Item = Answer>) -> Scripted {
        Scripted { answers: Mutex::new(answers.into_iter().collect()), ..Scripted::default() }
    }

    /// The ids of the questions asked so far, in order.
    pub fn asked_ids(&self) -> Vec<&'static str> {
        self.asked.lock().map(|a| a.iter().map(|m| m.id).collect()).unwrap_or_default()
    }

    /// The ids of the notes told so far, in order.
    pub fn note_ids(&self) -> Vec<&'static str> {
        self.notes.lock().map(|n| n.iter().map(|(_, m)| m.id).collect()).unwrap_or_default()
    }

    pub fn answers_left(&self) -> usize {
        self.answers.lock().map(|a| a.len()).unwrap_or(0)
    }

    fn next(&self, question: &Message) -> Result<Answer, Unanswered> {
        if let Ok(mut asked) = self.asked.lock() {
            asked.push(question.clone());
        }
        match self.answers.lock().ok().and_then(|mut a| a.pop_front()) {
            Some(Answer::Cancel) => Err(Unanswered::Cancelled),
            Some(Answer::CtrlC) => {
                self.cancelled.store(true, std::sync::atomic::Ordering::SeqCst);
                Err(Unanswered::Cancelled)
            }
            Some(answer) => Ok(answer),
            None => Err(Unanswered::NoTerminal),
        }
    }
}

impl Conversation for Scripted {
    fn secret(&self, question: &Message) -> Result<SecretString, Unanswered> {
        match self.next(question)? {
            Answer::Secret(s) => Ok(SecretString::from(s)),
            _ => Err(Unanswered::NoTerminal),
        }
    }
    fn confirm(&self, question: &Message) -> Result<bool, Unanswered> {
        match self.next(question)? {
            Answer::Confirm(b) => Ok(b),
            _ => Err(Unanswered::NoTerminal),
        }
    }
    fn choose(&self, question: &Message, choices: &[Message]) -> Result<usize, Unanswered> {
        match self.next(question)? {
            Answer::Choose(i) if i < choices.len() => Ok(i),
            _ => Err(Unanswered::NoTerminal),
        }
    }
    fn text(&self, question: &Message) -> Result<String, Unanswered> {
        match self.next(question)? {
            Answer::Text(t) => Ok(t),
            _ => Err(Unanswered::NoTerminal),
        }
    }
    fn tell(&self, level: Level, note: Message) {
        if let Ok(mut notes) = self.notes.lock() {
            notes.push((level, note));
        }
    }
    fn cancel_requested(&self) -> bool {
        self.cancelled.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn scripted_answers_in_order_and_records_questions() {
        let s = Scripted::new([Answer::Secret("pw".into()), Answer::Confirm(true), Answer::Cancel]);
        assert_eq!(s.secret(&msg!("q-secret")).unwrap().expose_secret(), "pw");
        assert!(s.confirm(&msg!("q-confirm")).unwrap());
        assert_eq!(s.text(&msg!("q-text")), Err(Unanswered::Cancelled));
        assert_eq!(s.choose(&msg!("q-choose"), &[msg!("q-a")]), Err(Unanswered::NoTerminal));
        assert_eq!(s.asked_ids(), ["q-secret", "q-confirm", "q-text", "q-choose"]);
    }
}
