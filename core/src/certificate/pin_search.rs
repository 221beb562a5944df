//! `certvault recover-pin FILE`: finds a forgotten numeric PIN of one's own file by trying
//! every candidate on all cores. Candidates live only in memory and are never written.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use crate::certificate::file::CertificateFile;
use crate::conversation::{Conversation, Progress};
use crate::error::{Error, ErrorKind, Result};
use crate::msg;
use crate::pkcs12::{Password, PasswordCheck, PasswordForm, PinChecker, Pkcs12Error};

pub const DEFAULT_MAX_DIGITS: u8 = 6;
pub const MAX_DIGITS: u8 = 8;
/// Candidates a worker takes at a time: small enough that a cancel stops within milliseconds.
const BATCH: u64 = 16;

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
/// `stop` is set. `on_progress` is called from the calling thread about ten times a second
/// (it may set `stop`: the workers look at it between candidates).
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
    let found_pin = |pin: &str| {
        let mut slot = found.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Some(Zeroizing::new(pin.to_string()));
        }
        done.store(true, Ordering::Relaxed);
    };
    let lanes = checker.lanes();
    // With lanes, a worker takes one candidate per lane at a time.
    let batch = lanes.map_or(BATCH, |l| l.lanes() as u64);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut pins: Vec<Zeroizing<String>> =
                    (0..batch).map(|_| Zeroizing::new(String::with_capacity(8))).collect();
                while !done.load(Ordering::Relaxed) && !stop.load(Ordering::Relaxed) {
                    let first = next.fetch_add(batch, Ordering::Relaxed);
                    if first >= total {
                        break;
                    }
                    let count = ((first + batch).min(total) - first) as usize;
                    if let Some(lanes) = lanes {
                        for (pin, index) in pins.iter_mut().zip(first..).take(count) {
                            space.candidate(index, pin);
                        }
                        let passwords: Vec<Password> =
                            pins[..count].iter().map(|pin| Password::new(pin, PasswordForm::Bmp)).collect();
                        let bytes: Vec<&[u8]> = passwords.iter().map(Password::pkcs12_bytes).collect();
                        let hits = lanes.matches(&bytes);
                        tried.fetch_add(count as u64, Ordering::Relaxed);
                        // A lane's hit is confirmed by the ordinary check before it counts.
                        if let Some(pin) = (0..count)
                            .filter(|i| hits & (1 << i) != 0)
                            .map(|i| &pins[i])
                            .find(|p| checker.check(p))
                        {
                            found_pin(pin);
                        }
                        continue;
                    }
                    let pin = &mut pins[0];
                    for index in first..first + count as u64 {
                        if done.load(Ordering::Relaxed) || stop.load(Ordering::Relaxed) {
                            break;
                        }
                        space.candidate(index, pin);
                        tried.fetch_add(1, Ordering::Relaxed);
                        if checker.check(pin) {
                            found_pin(pin);
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

/// What `recover-pin` is asked to do.
#[derive(Debug, Clone)]
pub struct PinSearchOptions {
    pub file: PathBuf,
    /// Longest PIN tried, 1..=[`MAX_DIGITS`].
    pub max_digits: u8,
}

/// A file whose PIN search can start: [`prepare`] checked it and measured the cost, so a
/// front-end can say how long it will take before [`PreparedSearch::run`] spends it.
pub struct PreparedSearch {
    file: CertificateFile,
    space: CandidateSpace,
    max_digits: u8,
    pub threads: usize,
    /// Estimated seconds for the whole space, from a few real checks.
    pub estimate_seconds: f64,
}

/// Before any search: the file, or that it needs no PIN at all.
pub enum Prepared {
    /// Opens with an empty or absent password: nothing to search (the file's name).
    NoPinNeeded(String),
    Ready(Box<PreparedSearch>),
}

/// How a search ended that was not cancelled.
pub struct PinSearchResult {
    pub file: String,
    pub max_digits: u8,
    /// The PIN, verified by opening the file; `None` when no candidate opened it.
    pub found: Option<Zeroizing<String>>,
    pub tried: u64,
    pub seconds: f64,
}

/// Loads `options.file` and gets it ready for a search (bad `max_digits`, a file that is not
/// PKCS#12, an unsupported algorithm are errors before any work).
pub fn prepare(options: &PinSearchOptions) -> Result<Prepared> {
    if options.max_digits == 0 || options.max_digits > MAX_DIGITS {
        return Err(Error::new(ErrorKind::InvalidInput, msg!("err-max-digits", value = options.max_digits)));
    }
    let file = CertificateFile::load(&options.file)?;
    if matches!(file.pkcs12.check_pin(""), Ok(PasswordCheck::NotNeeded | PasswordCheck::Correct(_))) {
        return Ok(Prepared::NoPinNeeded(file.display_name()));
    }
    let space = CandidateSpace::new(options.max_digits);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let estimate_seconds = {
        let checker =
            file.pkcs12.pin_checker().map_err(|e| crate::certificate::file::pkcs12_error(&file.path, &e))?;
        let per_candidate = checker.seconds_per_candidate(usize::from(options.max_digits), Duration::ZERO);
        per_candidate * space.total() as f64 / threads as f64
    };
    Ok(Prepared::Ready(Box::new(PreparedSearch {
        file,
        space,
        max_digits: options.max_digits,
        threads,
        estimate_seconds,
    })))
}

impl PreparedSearch {
    pub fn file_name(&self) -> String {
        self.file.display_name()
    }

    /// Every candidate, in [`lengths`] order.
    pub fn candidates(&self) -> u64 {
        self.space.total()
    }

    /// Runs the search on all cores, telling `talk` how far it is and stopping (an error of
    /// kind `Cancelled`) when `talk.cancel_requested()`.
    pub fn run(&self, talk: &dyn Conversation) -> Result<PinSearchResult> {
        let file = &self.file;
        let checker =
            file.pkcs12.pin_checker().map_err(|e| crate::certificate::file::pkcs12_error(&file.path, &e))?;
        let total = self.space.total();
        let stop = AtomicBool::new(false);
        let progress = |done: u64, finished: bool| Progress {
            task: msg!("recover-progress"),
            done,
            total: Some(total),
            finished,
        };
        let result = search(&checker, &self.space, self.threads, &stop, |n| {
            if talk.cancel_requested() {
                stop.store(true, Ordering::Relaxed);
            }
            talk.progress(&progress(n, false));
        });
        talk.progress(&progress(result.tried, true));
        if result.interrupted {
            return Err(Error::new(ErrorKind::Cancelled, msg!("err-interrupted")));
        }
        // A MAC-less file could, in theory, pass the padding check by chance: confirm.
        if let Some(pin) = &result.found {
            if file.pkcs12.open(pin).is_err() {
                return Err(crate::certificate::file::pkcs12_error(&file.path, &Pkcs12Error::WrongPassword));
            }
        }
        Ok(PinSearchResult {
            file: file.display_name(),
            max_digits: self.max_digits,
            found: result.found,
            tried: result.tried,
            seconds: result.elapsed.as_secs_f64(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certificate::test_files;
    use crate::conversation::{Level, Scripted, Unanswered};
    use crate::message::Message;
    use secrecy::SecretString;

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

    fn ready(file: PathBuf, max_digits: u8) -> Box<PreparedSearch> {
        match prepare(&PinSearchOptions { file, max_digits }).unwrap() {
            Prepared::Ready(search) => search,
            Prepared::NoPinNeeded(_) => panic!("the file has a PIN"),
        }
    }

    #[test]
    fn finds_a_four_digit_pin_and_reports_progress_to_the_end() {
        let tmp = tempfile::tempdir().unwrap();
        let file = test_files::pkcs12(tmp.path(), "clinic", "0042");
        let search = ready(file, 4);
        assert_eq!(search.candidates(), 11_110);
        let talk = Recording::default();
        let result = search.run(&talk).unwrap();
        assert_eq!(result.found.as_deref().map(String::as_str), Some("0042"));
        // Other workers may stop before trying every smaller candidate: only some were tried.
        assert!(result.tried > 0 && result.tried < search.candidates());
        let progress = talk.progress.lock().unwrap();
        assert!(progress.last().is_some_and(|p| p.finished && p.task.id == "recover-progress"));
    }

    /// The SIMD lanes (where this CPU has them) and the scalar check find the same PIN, also
    /// as the very last candidate (a batch that does not fill the lanes).
    #[test]
    fn the_lanes_and_the_scalar_check_find_the_same_pins() {
        let tmp = tempfile::tempdir().unwrap();
        let space = CandidateSpace::new(3);
        // The last candidate in trying order is "999"; 1110 is not a multiple of 8 or 16.
        assert_eq!(space.total(), 1110);
        for (name, pin, legacy) in [("sha1", "999", true), ("sha256", "07", false), ("sha1b", "0", true)] {
            let file = test_files::pkcs12_with(tmp.path(), name, pin, legacy);
            let bytes = std::fs::read(&file).unwrap();
            let parsed = crate::pkcs12::Pkcs12File::parse(&bytes).unwrap();
            let checker = parsed.pin_checker().unwrap();
            assert!(checker.checks_the_mac());
            // Lanes wherever the CPU has them (without, both searches are the scalar one).
            assert_eq!(
                checker.lanes().is_some(),
                crate::pkcs12::mac_lanes::LaneWidth::detect().is_some(),
                "{name}"
            );
            let stop = AtomicBool::new(false);
            let fast = search(&checker, &space, 2, &stop, |_| {});
            let slow = search(&checker.without_lanes(), &space, 2, &stop, |_| {});
            for result in [fast, slow] {
                assert_eq!(result.found.as_deref().map(String::as_str), Some(pin), "{name}");
            }
        }
    }

    #[test]
    fn a_pin_longer_than_the_search_is_not_found() {
        let tmp = tempfile::tempdir().unwrap();
        let file = test_files::pkcs12(tmp.path(), "clinic", "4821");
        let result = ready(file, 2).run(&Scripted::new([])).unwrap();
        assert!(result.found.is_none());
        assert_eq!((result.tried, result.max_digits), (110, 2));
    }

    #[test]
    fn a_cancel_stops_the_search() {
        let tmp = tempfile::tempdir().unwrap();
        let file = test_files::pkcs12(tmp.path(), "clinic", "99999999");
        let talk = Recording { cancel: true, ..Recording::default() };
        let err = ready(file, 8).run(&talk).err().unwrap();
        assert_eq!((err.kind, err.message.id), (ErrorKind::Cancelled, "err-interrupted"));
    }

    #[test]
    fn refuses_bad_lengths_and_needs_no_search_without_a_pin() {
        let tmp = tempfile::tempdir().unwrap();
        let file = test_files::pkcs12(tmp.path(), "open", "");
        for max_digits in [0, 9] {
            let err = prepare(&PinSearchOptions { file: file.clone(), max_digits }).err().unwrap();
            assert_eq!(err.message.id, "err-max-digits");
        }
        assert!(matches!(prepare(&PinSearchOptions { file, max_digits: 4 }), Ok(Prepared::NoPinNeeded(_))));
    }

    /// Records progress; asks to stop when `cancel`.
    #[derive(Default)]
    struct Recording {
        cancel: bool,
        progress: std::sync::Mutex<Vec<Progress>>,
    }

    impl Conversation for Recording {
        fn secret(&self, _: &Message) -> std::result::Result<SecretString, Unanswered> {
            Err(Unanswered::NoTerminal)
        }
        fn confirm(&self, _: &Message) -> std::result::Result<bool, Unanswered> {
            Err(Unanswered::NoTerminal)
        }
        fn choose(&self, _: &Message, _: &[Message]) -> std::result::Result<usize, Unanswered> {
            Err(Unanswered::NoTerminal)
        }
        fn text(&self, _: &Message) -> std::result::Result<String, Unanswered> {
            Err(Unanswered::NoTerminal)
        }
        fn tell(&self, _: Level, _: Message) {}
        fn progress(&self, progress: &Progress) {
            self.progress.lock().unwrap().push(progress.clone());
        }
        fn cancel_requested(&self) -> bool {
            self.cancel
        }
    }
}
