//! The terminal's one rendering of a core operation's [`Progress`], for every command and the
//! wizard: a bar with count and time left when the task knows its total (the PIN search), a
//! spinner when it does not (scan, clean), on standard error, shown only where standard error
//! is a terminal and the output is for people (not `--json`). Notes told while a bar is shown
//! are printed above it.

use std::sync::Mutex;
use std::time::Duration;

use certvault_core::conversation::{Conversation, Level, Progress, Unanswered};
use certvault_core::message::Arg;
use certvault_core::Message;
use secrecy::SecretString;
use unicode_width::UnicodeWidthStr;

use certvault_i18n::render;

/// Asks and tells through `talk`; renders progress when `show` is set.
pub struct WithProgress<'a> {
    talk: &'a dyn Conversation,
    show: bool,
    shown: Mutex<Option<Shown>>,
}

/// The bar on screen and the task it belongs to (a new task gets a new bar).
struct Shown {
    bar: indicatif::ProgressBar,
    task_id: &'static str,
}

impl<'a> WithProgress<'a> {
    pub fn new(talk: &'a dyn Conversation, show: bool) -> WithProgress<'a> {
        WithProgress { talk, show, shown: Mutex::new(None) }
    }

    /// Shown when standard error is a terminal and `--json` was not asked for.
    pub fn on_terminal(talk: &'a dyn Conversation, json: bool) -> WithProgress<'a> {
        use std::io::IsTerminal;
        WithProgress::new(talk, !json && std::io::stderr().is_terminal())
    }

    /// Runs `work`, which reports nothing itself, with a spinner that says `task` (the wizard's
    /// waits: opening a vault, writing a generation).
    pub fn while_working<T>(&self, task: Message, work: impl FnOnce() -> T) -> T {
        self.progress(&Progress { task: task.clone(), done: 0, total: None, finished: false });
        if let Ok(shown) = self.shown.lock() {
            if let Some(shown) = shown.as_ref() {
                shown.bar.enable_steady_tick(Duration::from_millis(100));
            }
        }
        let result = work();
        self.progress(&Progress { task, done: 0, total: None, finished: true });
        result
    }

    /// Clears the bar (also when the operation ended with an error and never said `finished`).
    pub fn clear(&self) {
        if let Ok(mut shown) = self.shown.lock() {
            if let Some(shown) = shown.take() {
                shown.bar.finish_and_clear();
            }
        }
    }
}

impl Drop for WithProgress<'_> {
    fn drop(&mut self) {
        self.clear();
    }
}

fn new_bar(progress: &Progress) -> indicatif::ProgressBar {
    let (bar, template) = match progress.total {
        Some(total) => (indicatif::ProgressBar::new(total), "{msg} {wide_bar} {pos}/{len} ({rate}, {eta})"),
        None => (indicatif::ProgressBar::new_spinner(), "{spinner} {msg} {elapsed}"),
    };
    let style = indicatif::ProgressStyle::with_template(template).unwrap_or_else(|_| match progress.total {
        Some(_) => indicatif::ProgressStyle::default_bar(),
        None => indicatif::ProgressStyle::default_spinner(),
    });
    // Whole candidates per second: indicatif's own `per_sec` shows four decimals.
    let style = style.with_key("rate", |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
        let _ = write!(w, "{}/s", certvault_i18n::group_digits(state.per_sec() as u64));
    });
    bar.set_style(style);
    bar
}

impl Conversation for WithProgress<'_> {
    fn secret(&self, question: &Message) -> Result<SecretString, Unanswered> {
        self.clear();
        self.talk.secret(question)
    }
    fn code(&self, question: &Message, kind: vault_format::CodeKind) -> Result<SecretString, Unanswered> {
        self.clear();
        self.talk.code(question, kind)
    }
    fn confirm(&self, question: &Message) -> Result<bool, Unanswered> {
        self.clear();
        self.talk.confirm(question)
    }
    fn choose(&self, question: &Message, choices: &[Message]) -> Result<usize, Unanswered> {
        self.clear();
        self.talk.choose(question, choices)
    }
    fn text(&self, question: &Message) -> Result<String, Unanswered> {
        self.clear();
        self.talk.text(question)
    }
    fn tell(&self, level: Level, note: Message) {
        match self.shown.lock().ok().as_deref() {
            Some(Some(shown)) => shown.bar.suspend(|| self.talk.tell(level, note)),
            _ => self.talk.tell(level, note),
        }
    }
    fn cancel_requested(&self) -> bool {
        self.talk.cancel_requested()
    }

    fn progress(&self, progress: &Progress) {
        if !self.show {
            return;
        }
        if progress.finished {
            self.clear();
            return;
        }
        let Ok(mut shown) = self.shown.lock() else { return };
        if shown.as_ref().is_some_and(|s| s.task_id != progress.task.id) {
            if let Some(old) = shown.take() {
                old.bar.finish_and_clear();
            }
        }
        let shown = shown.get_or_insert_with(|| Shown { bar: new_bar(progress), task_id: progress.task.id });
        if let Some(total) = progress.total {
            if shown.bar.length() != Some(total) {
                shown.bar.set_length(total);
            }
        }
        shown.bar.set_message(render(&with_short_dir(&progress.task)));
        shown.bar.set_position(progress.done);
        if progress.total.is_none() {
            shown.bar.tick();
        }
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
    use certvault_core::conversation::Scripted;
    use certvault_core::msg;

    #[test]
    fn long_folders_keep_their_tail() {
        let short = shorten("/home/u/ダウンロード/x", 8);
        assert!(
            short.starts_with('…') && short.ends_with("/x") && (7..=8).contains(&short.width()),
            "{short}"
        );
        let task = msg!("scan-progress", files = 1, found = 0, dir = "/a/".repeat(40));
        assert!(with_short_dir(&task).text_arg("dir").is_some_and(|d| d.width() <= 60));
    }

    #[test]
    fn a_bar_follows_its_task_and_questions_clear_it() {
        let script = Scripted::new(vec![]);
        let talk = WithProgress::new(&script, true);
        let step = |done, total| Progress { task: msg!("recover-progress"), done, total, finished: false };
        talk.progress(&step(5, Some(100)));
        {
            let shown = talk.shown.lock().unwrap();
            let bar = &shown.as_ref().expect("a bar is shown").bar;
            assert_eq!((bar.position(), bar.length()), (5, Some(100)));
        }
        // Another task replaces the bar by a spinner of its own.
        talk.progress(&Progress {
            task: msg!("scan-progress", files = 1, found = 0, dir = "/"),
            ..step(1, None)
        });
        assert_eq!(talk.shown.lock().unwrap().as_ref().map(|s| s.task_id), Some("scan-progress"));
        // A question is never asked under a bar.
        let _ = talk.confirm(&msg!("recover-progress"));
        assert!(talk.shown.lock().unwrap().is_none());
        // Hidden (`--json`, no terminal): nothing is drawn at all.
        let hidden = WithProgress::new(&script, false);
        hidden.progress(&step(1, Some(2)));
        assert!(hidden.shown.lock().unwrap().is_none());
    }

    #[test]
    fn while_working_ends_with_the_bar_cleared() {
        let script = Scripted::new(vec![]);
        let talk = WithProgress::new(&script, true);
        assert_eq!(talk.while_working(msg!("recover-progress"), || 7), 7);
        assert!(talk.shown.lock().unwrap().is_none());
    }
}
