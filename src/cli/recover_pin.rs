//! `certvault recover-pin FILE` on the terminal: the core searches; here Ctrl-C asks it to
//! stop, the terminal's progress bar shows how far it is, and the result is printed (the PIN alone on
//! standard output, or `--json`).

use std::path::PathBuf;

use certvault_core::certificate::pin_search::{self, PinSearchOptions, PinSearchResult, Prepared};
use serde::Serialize;

use super::progress::WithProgress;
use crate::error::{CliError, EXIT_FOUND, EXIT_OK};
use crate::terminal::Terminal;
use certvault_i18n::t;
use certvault_i18n::{group_digits, human_duration};

#[derive(Serialize)]
struct JsonResult<'a> {
    file: &'a str,
    found: bool,
    pin: Option<&'a str>,
    tried: u64,
    seconds: f64,
}

#[derive(Debug, clap::Args)]
pub struct RecoverPinArgs {
    /// The certificate file.
    pub file: PathBuf,
    /// Longest PIN to try (1-8).
    #[arg(long, value_name = "N", default_value_t = pin_search::DEFAULT_MAX_DIGITS)]
    pub max_digits: u8,
    /// Print a JSON result for scripts.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: RecoverPinArgs) -> Result<u8, CliError> {
    let RecoverPinArgs { file, max_digits, json } = args;
    // Ctrl-C only raises the flag the search polls between candidates, so it stops at once and
    // says how far it got.
    crate::terminal::interrupt::watch();
    crate::terminal::interrupt::clear();
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
    let talk = WithProgress::on_terminal(&Terminal, json);
    let result = search.run(&talk);
    talk.clear();
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
