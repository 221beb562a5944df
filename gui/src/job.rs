//! Long work off the window's thread: an operation of the core runs on a worker thread with a
//! [`WindowTalk`] as its `Conversation`. What it asks, tells and reports arrives at the window
//! as [`JobEvent`]s; the window answers a question by sending a [`Reply`] back, which the worker
//! waits for. Cancel sets a flag the operation polls (`cancel_requested`) and answers any open
//! question with "cancelled", so the operation ends the way Ctrl-C ends it on a terminal.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};

use certvault_core::conversation::{Conversation, Level, Progress, Unanswered};
use certvault_core::Message;
use secrecy::SecretString;

/// What an operation asks, as the window shows it.
#[derive(Debug, Clone)]
pub enum Question {
    /// Typed without echo (passphrase, PIN); the recovery code is shown as typed (see `ui`).
    Secret(Message),
    Confirm(Message),
    Choose(Message, Vec<Message>),
    Text(Message),
}

impl Question {
    pub fn prompt(&self) -> &Message {
        match self {
            Question::Secret(m) | Question::Confirm(m) | Question::Choose(m, _) | Question::Text(m) => m,
        }
    }
}

/// The window's answer to a [`Question`].
#[derive(Debug)]
pub enum Reply {
    Secret(SecretString),
    Confirm(bool),
    Choose(usize),
    Text(String),
    Cancelled,
}

/// Where the answer to an open question goes (the worker waits on the other end).
#[derive(Debug, Clone)]
pub struct Answer(mpsc::Sender<Reply>);

impl Answer {
    pub fn send(&self, reply: Reply) {
        // The worker is gone only when its operation ended; nobody waits for the answer then.
        let _ = self.0.send(reply);
    }
}

/// What a running job sends to the window.
#[derive(Debug)]
pub enum JobEvent<T> {
    Ask(Question, Answer),
    Tell(Level, Message),
    Progress(Progress),
    Done(T),
}

/// The worker's side of the conversation.
pub struct WindowTalk<T> {
    events: Box<dyn Fn(JobEvent<T>) + Send + Sync>,
    cancel: Arc<AtomicBool>,
}

impl<T> WindowTalk<T> {
    fn ask(&self, question: Question) -> Result<Reply, Unanswered> {
        if self.cancel.load(Ordering::SeqCst) {
            return Err(Unanswered::Cancelled);
        }
        let (send, receive) = mpsc::channel();
        (self.events)(JobEvent::Ask(question, Answer(send)));
        match receive.recv() {
            Ok(Reply::Cancelled) | Err(_) => Err(Unanswered::Cancelled),
            Ok(reply) => Ok(reply),
        }
    }
}

fn wrong_reply() -> Unanswered {
    Unanswered::Failed("the window answered a different question".into())
}

impl<T> Conversation for WindowTalk<T> {
    fn secret(&self, question: &Message) -> Result<SecretString, Unanswered> {
        match self.ask(Question::Secret(question.clone()))? {
            Reply::Secret(s) => Ok(s),
            _ => Err(wrong_reply()),
        }
    }

    fn confirm(&self, question: &Message) -> Result<bool, Unanswered> {
        match self.ask(Question::Confirm(question.clone()))? {
            Reply::Confirm(yes) => Ok(yes),
            _ => Err(wrong_reply()),
        }
    }

    fn choose(&self, question: &Message, choices: &[Message]) -> Result<usize, Unanswered> {
        match self.ask(Question::Choose(question.clone(), choices.to_vec()))? {
            Reply::Choose(i) if i < choices.len() => Ok(i),
            _ => Err(wrong_reply()),
        }
    }

    fn text(&self, question: &Message) -> Result<String, Unanswered> {
        match self.ask(Question::Text(question.clone()))? {
            Reply::Text(t) => Ok(t),
            _ => Err(wrong_reply()),
        }
    }

    fn tell(&self, level: Level, note: Message) {
        (self.events)(JobEvent::Tell(level, note));
    }

    fn progress(&self, progress: &Progress) {
        (self.events)(JobEvent::Progress(progress.clone()));
    }

    fn cancel_requested(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }
}

/// A running job: its cancel flag.
#[derive(Debug, Clone, Default)]
pub struct Running {
    cancel: Arc<AtomicBool>,
}

impl Running {
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }
}

/// Starts `work` on a worker thread; every event goes to `events` (from that thread), the
/// last one being `Done` with the work's result.
pub fn start<T: Send + 'static>(
    work: impl FnOnce(&WindowTalk<T>) -> T + Send + 'static,
    events: impl Fn(JobEvent<T>) + Send + Sync + 'static,
) -> Running {
    let running = Running::default();
    let talk = WindowTalk { events: Box::new(events), cancel: running.cancel.clone() };
    std::thread::spawn(move || {
        let result = work(&talk);
        (talk.events)(JobEvent::Done(result));
    });
    running
}

#[cfg(test)]
mod tests {
    use super::*;
    use certvault_core::msg;
    use secrecy::ExposeSecret;

    #[test]
    fn questions_reach_the_window_and_answers_the_worker() {
        let (send, receive) = mpsc::channel();
        start(
            |talk| {
                let pin = talk.secret(&msg!("vault-enter-passphrase")).map(|s| s.expose_secret().to_string());
                let yes = talk.confirm(&msg!("wizard-add-another"));
                talk.tell(Level::Info, msg!("cancelled"));
                (pin, yes)
            },
            move |e| send.send(e).unwrap(),
        );
        match receive.recv().unwrap() {
            JobEvent::Ask(Question::Secret(m), answer) => {
                assert_eq!(m.id, "vault-enter-passphrase");
                answer.send(Reply::Secret(SecretString::from("1234")));
            }
            other => panic!("expected a secret question, got {other:?}"),
        }
        match receive.recv().unwrap() {
            JobEvent::Ask(Question::Confirm(_), answer) => answer.send(Reply::Confirm(true)),
            other => panic!("expected a confirmation, got {other:?}"),
        }
        assert!(matches!(receive.recv().unwrap(), JobEvent::Tell(Level::Info, m) if m.id == "cancelled"));
        match receive.recv().unwrap() {
            JobEvent::Done((pin, yes)) => {
                assert_eq!(pin.unwrap(), "1234");
                assert_eq!(yes, Ok(true));
            }
            other => panic!("expected the result, got {other:?}"),
        }
    }

    #[test]
    fn cancel_answers_the_open_question_and_later_ones() {
        let (send, receive) = mpsc::channel();
        let running = start(
            |talk| {
                let first = talk.confirm(&msg!("wizard-add-another"));
                let second = talk.confirm(&msg!("wizard-add-another"));
                (first, second, talk.cancel_requested())
            },
            move |e| send.send(e).unwrap(),
        );
        match receive.recv().unwrap() {
            JobEvent::Ask(_, answer) => {
                running.cancel();
                answer.send(Reply::Cancelled);
            }
            other => panic!("expected a question, got {other:?}"),
        }
        match receive.recv().unwrap() {
            JobEvent::Done((first, second, cancelled)) => {
                assert_eq!(first, Err(Unanswered::Cancelled));
                assert_eq!(second, Err(Unanswered::Cancelled), "no second question after Cancel");
                assert!(cancelled);
            }
            other => panic!("expected the result, got {other:?}"),
        }
    }
}
