//! `certvault recover-pin FILE`: finds a forgotten numeric PIN of one's own file by trying
//! every candidate on all cores. Candidates live only in memory and are never written.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use zeroize::Zeroizing;

use crate::certfile::{self, CertificateFile};
use crate::error::{CliError, EXIT_FOUND, EXIT_OK};
use crate::i18n::{group_digits, human_duration};
use crate::pkcs12::PinChecker;
use crate::t;

pub const DEFAULT_MAX_DIGITS: u8 = 6;
pub const MAX_DIGITS: u8 = 8;
/// Candidates a worker takes at a time: small enough that Ctrl-C stops within milliseconds.
const BATCH: u64 = 16;

pub struct RecoverOptions {
    pub file: PathBuf,
    pub max_digits: u8,
    pub json: bool,
}

/// The order PINs are tried in: 4 digits first (the online-qualification download asks for
/// exactly four), then the other lengths from short to long.
pub fn lengths(max_digits: u8) -> Vec<u32> {
    let mut v: Vec<u32> = Vec::new();
    if max_digits >= 4 {
        v.push(4);
    }
    v.extend((1..=u32::from(max_digits)).filter(|&l| l != 4));
    v
}

/// All candidates, numbered 0..total in trying order.
pub struct CandidateSpace {
    lengths: Vec<u32>,
}

impl CandidateSpace {
    pub fn new(max_digits: u8) -> Self {
        CandidateSpace { lengths: lengths(max_digits) }
    }

    pub fn total(&self) -> u64 {
        self.lengths.iter().map(|&l| 10u64.pow(l)).sum()
    }

    /// Writes candidate `index` into `buf` (zero-padded to its length).
    pub fn candidate(&self, mut index: u64, buf: &mut String) -> bool {
        for &len in &self.lengths {
            let count = 10u64.pow(len);
            if index < count {
                buf.clear();
                use std::fmt::Write;
                let _ = write!(buf, "{:0width$}", index, width = len as usize);
                return true;
            }
            index -= count;
        }
        false
    }
}

/// The outcome of a search.
pub struct Search {
    pub found: Option<Zeroizing<String>>,
    pub tried: u64,
    pub elapsed: Duration,
    pub interrupted: bool,
}

/// Tries every candidate on `threads` threads until one opens the file, all are tried, or
/// `stop` is set. `on_progress` is called from the calling thread about ten times a second.
pub fn search(
    checker: &PinChecker<'_>,
    space: &CandidateSpace,
    threads: usize,
    stop: &AtomicBool,
    mut on_progress: impl FnMut(u64),
) -> Search {
    let total = space.total();
    let next = AtomicU64::new(0);
    let tried = AtomicU64::new(0);
    let done = AtomicBool::new(false);
    let found: Mutex<Option<Zeroizing<String>>> = Mutex::new(None);
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut pin = Zeroizing::new(String::with_capacity(8));
                while !done.load(Ordering::Relaxed) && !stop.load(Ordering::Relaxed) {
                    let first = next.fetch_add(BATCH, Ordering::Relaxed);
                    if first >= total {
                        break;
                    }
                    for index in first..(first + BATCH).min(total) {
                        if done.load(Ordering::Relaxed) || stop.load(Ordering::Relaxed) {
                            break;
                        }
                        space.candidate(index, &mut pin);
                        tried.fetch_add(1, Ordering::Relaxed);
                        if checker.check(&pin) {
                            let mut slot = found.lock().unwrap_or_else(|e| e.into_inner());
                            if slot.is_none() {
                                *slot = Some(Zeroizing::new(pin.to_string()));
                            }
                            done.store(true, Ordering::Relaxed);
                            break;
                        }
                    }
                }
            });
        }
        // The calling thread reports progress until the workers finish.
        loop {
            let n = tried.load(Ordering::Relaxed);
            on_progress(n);
            if done.load(Ordering::Relaxed) || stop.load(Ordering::Relaxed) || n >= total {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let found = found.into_inner().unwrap_or_else(|e| e.into_inner());
    Search {
        interrupted: found.is_none() && stop.load(Ordering::Relaxed),
        found,
        tried: tried.load(Ordering::Relaxed),
        elapsed: start.elapsed(),
    }
}

#[derive(Serialize)]
struct JsonResult<'a> {
    file: String,
    found: bool,
    pin: Option<&'a str>,
    tried: u64,
    seconds: f64,
}

fn print_json(file: &CertificateFile, pin: Option<&str>, tried: u64, seconds: f64) {
    let out = JsonResult { file: file.display_name(), found: pin.is_some(), pin, tried, seconds };
    println!("{}", serde_json::to_string_pretty(&out).expect("serialises"));
}

pub fn run(opts: &RecoverOptions) -> Result<u8, CliError> {
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        // Installed first, so Ctrl-C never meets the default (kill); it only sets a flag that
        // the workers check between candidates, so they stop at once.
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst));
    }
    if opts.max_digits == 0 || opts.max_digits > MAX_DIGITS {
        return Err(CliError::new(t!("err-max-digits", value = opts.max_digits)));
    }
    let file = CertificateFile::load(&opts.file)?;
    let unprotected = matches!(
        file.pkcs12.check_pin(""),
        Ok(crate::pkcs12::PasswordCheck::NotNeeded | crate::pkcs12::PasswordCheck::Correct(_))
    );
    if unprotected {
        eprintln!("{}", t!("recover-no-pin-needed", file = file.display_name()));
        return Ok(EXIT_OK);
    }
    let checker = file.pkcs12.pin_checker().map_err(|e| certfile::pkcs12_error(&file.path, &e))?;
    let space = CandidateSpace::new(opts.max_digits);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());

    // Estimate from a few real checks before starting.
    let probe = Instant::now();
    let mut probe_pin = Zeroizing::new(String::new());
    for i in 0..4 {
        space.candidate(i, &mut probe_pin);
        let _ = checker.check(&probe_pin);
    }
    let estimate = probe.elapsed().as_secs_f64() / 4.0 * space.total() as f64 / threads as f64;
    if !opts.json {
        eprintln!(
            "{}",
            t!(
                "recover-start",
                digits = opts.max_digits,
                count = group_digits(space.total()),
                threads = threads,
                duration = human_duration(estimate)
            )
        );
    }

    let bar = indicatif::ProgressBar::new(space.total());
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({per_sec}, {eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(t!("recover-progress"));
    if opts.json {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let result = search(&checker, &space, threads, &stop, |n| bar.set_position(n));
    bar.finish_and_clear();

    if result.interrupted {
        return Err(CliError::new(t!("err-interrupted")));
    }
    let seconds = result.elapsed.as_secs_f64();
    match &result.found {
        Some(pin) => {
            // A MAC-less file could, in theory, pass the padding check by chance: confirm.
            if file.pkcs12.open(pin).is_err() {
                return Err(
                    certfile::pkcs12_error(&file.path, &crate::pkcs12::Pkcs12Error::WrongPassword).into()
                );
            }
            if opts.json {
                print_json(&file, Some(pin), result.tried, seconds);
            } else {
                eprintln!(
                    "{}",
                    t!(
                        "recover-found",
                        tried = group_digits(result.tried),
                        duration = human_duration(seconds)
                    )
                );
                println!("{}", pin.as_str());
            }
            Ok(EXIT_OK)
        }
        None => {
            if opts.json {
                print_json(&file, None, result.tried, seconds);
            } else {
                eprintln!(
                    "{}",
                    t!(
                        "recover-not-found",
                        digits = opts.max_digits,
                        file = file.display_name(),
                        tried = group_digits(result.tried),
                        duration = human_duration(seconds)
                    )
                );
            }
            Ok(EXIT_FOUND)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_digits_come_first_then_short_to_long() {
        assert_eq!(lengths(6), vec![4, 1, 2, 3, 5, 6]);
        assert_eq!(lengths(3), vec![1, 2, 3]);
        assert_eq!(lengths(8), vec![4, 1, 2, 3, 5, 6, 7, 8]);
    }

    #[test]
    fn candidate_space_enumerates_every_pin_once() {
        let space = CandidateSpace::new(4);
        assert_eq!(space.total(), 10_000 + 10 + 100 + 1000);
        let mut pin = String::new();
        let mut seen = std::collections::HashSet::new();
        for i in 0..space.total() {
            assert!(space.candidate(i, &mut pin));
            assert!(seen.insert(pin.clone()), "duplicate {pin}");
        }
        assert!(!space.candidate(space.total(), &mut pin));
        space.candidate(0, &mut pin);
        assert_eq!(pin, "0000");
        space.candidate(10_000, &mut pin);
        assert_eq!(pin, "0");
    }
}
