//! The terminal's rendering of a core operation's [`Progress`]: an `indicatif` spinner on
//! standard error, shown only where standard error is a terminal and the output is for people.

use std::sync::Mutex;

use certvault_core::conversation::{Conversation, Level, Progress, Unanswered};
use certvault_core::message::Arg;
use certvault_core::Message;
use secrecy::SecretString;
use unicode_width::UnicodeWidthStr;

use crate::i18n::render;

/// Asks and tells through `talk`; renders progress as a spinner when `show` is set.
pub struct WithSpinner<'a> {
    talk: &'a dyn Conversation,
    show: bool,
    bar: Mutex<Option<indicatif::ProgressBar>>,
}

impl<'a> WithSpinner<'a> {
    pub fn new(talk: &'a dyn Conversation, show: bool) -> WithSpinner<'a> {
        WithSpinner { talk, show, bar: Mutex::new(None) }
    }

    /// Shown when standard error is a terminal and `--json` was not asked for.
    pub fn on_terminal(talk: &'a dyn Conversation, json: bool) -> WithSpinner<'a> {
        use std::io::IsTerminal;
        WithSpinner::new(talk, !json && std::io::stderr().is_terminal())
    }
}

impl Conversation for WithSpinner<'_> {
    fn secret(&self, question: &Message) -> Result<SecretString, Unanswered> {
        self.talk.secret(question)
    }
    fn confirm(&self, question: &Message) -> Result<bool, Unanswered> {
        self.talk.confirm(question)
    }
    fn choose(&self, question: &Message, choices: &[Message]) -> Result<usize, Unanswered> {
        self.talk.choose(question, choices)
    }
    fn text(&self, question: &Message) -> Result<String, Unanswered> {
        self.talk.text(question)
    }
    fn tell(&self, level: Level, note: Message) {
        self.talk.tell(level, note)
    }
    fn cancel_requested(&self) -> bool {
        self.talk.cancel_requested()
    }

    fn progress(&self, progress: &Progress) {
        if !self.show {
            return;
        }
        let Ok(mut bar) = self.bar.lock() else { return };
        if progress.finished {
            if let Some(bar) = bar.take() {
                bar.finish_and_clear();
            }
            return;
        }
        let bar = bar.get_or_insert_with(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            bar
        });
        bar.set_message(render(&with_short_dir(&progress.task)));
        bar.tick();
    }
}

/// The task with its `dir` argument (a long path) cut to its last 60 columns: the spinner keeps
/// to one line.
fn with_short_dir(task: &Message) -> Message {
    let mut task = task.clone();
    for (name, arg) in task.args.iter_mut() {
        match arg {
            Arg::Text(dir) if *name == "dir" => *dir = shorten(dir, 60),
            _ => {}
        }
    }
    task
}

/// `…tail` of `s` in at most `max` columns.
pub fn shorten(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    let mut tail: Vec<char> = Vec::new();
    let mut width = 1;
    for c in s.chars().rev() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if width + w > max {
            break;
        }
        width += w;
        tail.push(c);
    }
    std::iter::once('…').chain(tail.into_iter().rev()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_folders_keep_their_tail() {
        let short = shorten("/home/u/ダウンロード/x", 8);
        assert!(
            short.starts_with('…') && short.ends_with("/x") && (7..=8).contains(&short.width()),
            "{short}"
        );
        let task = certvault_core::msg!("scan-progress", files = 1, found = 0, dir = "/a/".repeat(40));
        assert!(with_short_dir(&task).text_arg("dir").is_some_and(|d| d.width() <= 60));
    }
}
