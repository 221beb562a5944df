//! `certvault recover-pin FILE` on the terminal: the core searches; here Ctrl-C asks it to
//! stop, a progress bar shows how far it is, and the result is printed (the PIN alone on
//! standard output, or `--json`).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use certvault_core::certificate::pin_search::{self, PinSearchOptions, PinSearchResult, Prepared};
use certvault_core::conversation::{Conversation, Level, Progress, Unanswered};
use certvault_core::Message;
use secrecy::SecretString;
use serde::Serialize;

use crate::error::{CliError, EXIT_FOUND, EXIT_OK};
use crate::i18n::{group_digits, human_duration, render};
use crate::t;
use crate::terminal::Terminal;

/// The terminal, with a progress bar (hidden for `--json`) and Ctrl-C as the cancel button.
struct SearchTerminal {
    bar: indicatif::ProgressBar,
    stop: Arc<AtomicBool>,
}

impl Conversation for SearchTerminal {
    fn secret(&self, question: &Message) -> Result<SecretString, Unanswered> {
        Terminal.secret(question)
    }
    fn confirm(&self, question: &Message) -> Result<bool, Unanswered> {
        Terminal.confirm(question)
    }
    fn choose(&self, question: &Message, choices: &[Message]) -> Result<usize, Unanswered> {
        Terminal.choose(question, choices)
    }
    fn text(&self, question: &Message) -> Result<String, Unanswered> {
        Terminal.text(question)
    }
    fn tell(&self, level: Level, note: Message) {
        self.bar.suspend(|| Terminal.tell(level, note));
    }
    fn progress(&self, progress: &Progress) {
        if progress.finished {
            self.bar.finish_and_clear();
            return;
        }
        if self.bar.length() != progress.total {
            self.bar.set_message(render(&progress.task));
            if let Some(total) = progress.total {
                self.bar.set_length(total);
            }
        }
        self.bar.set_position(progress.done);
    }
    fn cancel_requested(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

#[derive(Serialize)]
struct JsonResult<'a> {
    file: &'a str,
    found: bool,
    pin: Option<&'a str>,
    tried: u64,
    seconds: f64,
}

pub fn run(file: PathBuf, max_digits: u8, json: bool) -> Result<u8, CliError> {
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        // Installed first, so Ctrl-C never meets the default (kill); it only sets a flag that
        // the search polls between candidates, so it stops at once.
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst));
    }
    let search = match pin_search::prepare(&PinSearchOptions { file, max_digits })? {
        Prepared::NoPinNeeded(file) => {
            eprintln!("{}", t!("recover-no-pin-needed", file = file));
            return Ok(EXIT_OK);
        }
        Prepared::Ready(search) => search,
    };
    if !json {
        eprintln!(
            "{}",
            t!(
                "recover-start",
                digits = max_digits,
                count = group_digits(search.candidates()),
                threads = search.threads,
                duration = human_duration(search.estimate_seconds)
            )
        );
    }
    let bar = indicatif::ProgressBar::new(search.candidates());
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({per_sec}, {eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(t!("recover-progress"));
    if json {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let talk = SearchTerminal { bar, stop };
    let result = search.run(&talk);
    talk.bar.finish_and_clear();
    let result = result?;
    print_result(&result, json);
    Ok(if result.found.is_some() { EXIT_OK } else { EXIT_FOUND })
}

fn print_result(result: &PinSearchResult, json: bool) {
    let pin = result.found.as_ref().map(|p| p.as_str());
    if json {
        let out = JsonResult {
            file: &result.file,
            found: pin.is_some(),
            pin,
            tried: result.tried,
            seconds: result.seconds,
        };
        println!("{}", serde_json::to_string_pretty(&out).expect("serialises"));
        return;
    }
    match pin {
        Some(pin) => {
            eprintln!(
                "{}",
                t!(
                    "recover-found",
                    tried = group_digits(result.tried),
                    duration = human_duration(result.seconds)
                )
            );
            println!("{pin}");
        }
        None => eprintln!(
            "{}",
            t!(
                "recover-not-found",
                digits = result.max_digits,
                file = result.file,
                tried = group_digits(result.tried),
                duration = human_duration(result.seconds)
            )
        ),
    }
}
