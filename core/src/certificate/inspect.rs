//! `certvault inspect FILE`: what a PKCS#12 file holds, and whether its PIN is right.

use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use crate::certificate::file::{Analysis, CertificateFile};
use crate::certificate::x509::{CertInfo, KeyMatch, Purpose};
use crate::conversation::{unanswered, Conversation, Level, Unanswered};
use crate::dates::now_unix;
use crate::error::{Error, ErrorKind, Result};
use crate::msg;
use crate::pkcs12::{PasswordCheck, PasswordForm, Pkcs12Error, Structure};

/// What `inspect` is asked to look at.
#[derive(Debug, Clone)]
pub struct InspectOptions {
    pub file: PathBuf,
    pub pin_file: Option<PathBuf>,
    /// Whether the PIN may be asked for (the terminal's `--json` does not ask: its output is
    /// for scripts). An empty answer or nobody to ask means "inspect without the PIN".
    pub ask_pin: bool,
}

/// What we know of the PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PinState {
    Correct,
    /// Nothing in the file is protected.
    NotNeeded,
    /// The password is the empty string.
    Empty,
    /// There is no password at all (RFC 7292 "absent").
    Absent,
    /// Protected, but no PIN was given.
    NotGiven,
}

#[derive(Debug, Serialize)]
pub struct BruteForce {
    pub digits: usize,
    pub candidates: u64,
    /// Measured here, on all cores.
    pub seconds: f64,
    pub checks_per_second: f64,
}

#[derive(Debug, Serialize)]
pub struct CertSummary {
    #[serde(flatten)]
    pub info: CertInfo,
    pub days_left: i64,
}

/// Everything `inspect` found; `--json` prints it as it is.
#[derive(Debug, Serialize)]
pub struct InspectReport {
    pub file: String,
    pub size: u64,
    pub format: Structure,
    pub pin: PinState,
    pub private_key: Option<KeyReport>,
    pub certificate_count: Option<usize>,
    pub purpose: Purpose,
    pub leaf: Option<CertSummary>,
    pub chain: Vec<CertSummary>,
    pub ca_root_sha1: Option<String>,
    pub brute_force: Option<BruteForce>,
}

#[derive(Debug, Serialize)]
pub struct KeyReport {
    pub present: bool,
    pub count: usize,
    pub matches_certificate: Option<KeyMatch>,
}

/// Reads the file, gets its PIN (`--pin-file`, a question, or none) and reports what it holds;
/// with the right numeric PIN, also how long trying every PIN of its length would take here.
pub fn inspect(options: &InspectOptions, talk: &dyn Conversation) -> Result<InspectReport> {
    let file = CertificateFile::load(&options.file)?;
    if let Some(what) = file.pkcs12.unsupported_algorithm() {
        return Err(crate::certificate::file::pkcs12_error(&file.path, &Pkcs12Error::Unsupported(what)));
    }
    let (state, pin) = obtain_pin(&file, options, talk)?;
    let analysis = match &pin {
        Some(pin) => {
            let opened = file
                .pkcs12
                .open(pin.expose_secret())
                .map_err(|e| crate::certificate::file::pkcs12_error(&file.path, &e))?;
            Some(crate::certificate::file::analyse(&file.path, &opened)?)
        }
        // Without the PIN, show what the unencrypted parts hold.
        None => {
            let visible = file.pkcs12.visible();
            (!visible.certificates.is_empty())
                .then(|| crate::certificate::file::analyse(&file.path, &visible))
                .transpose()?
        }
    };
    let brute_force = match (&pin, state) {
        (Some(pin), PinState::Correct) => measure_brute_force(&file, pin.expose_secret()),
        _ => None,
    };
    Ok(build_report(&file, state, analysis.as_ref(), brute_force))
}

/// Gets the PIN from `--pin-file`, a question, or not at all. A file that opens with an empty
/// or absent password needs no question.
fn obtain_pin(
    file: &CertificateFile,
    options: &InspectOptions,
    talk: &dyn Conversation,
) -> Result<(PinState, Option<SecretString>)> {
    let p12 = &file.pkcs12;
    let check =
        |pin: &str| p12.check_pin(pin).map_err(|e| crate::certificate::file::pkcs12_error(&file.path, &e));
    if !p12.needs_password() {
        note_pin_file_not_used(file, options.pin_file.as_deref(), talk);
        return Ok((PinState::NotNeeded, Some(SecretString::from(String::new()))));
    }
    if let PasswordCheck::Correct(form) = check("")? {
        note_pin_file_not_used(file, options.pin_file.as_deref(), talk);
        let state = if form == PasswordForm::Absent { PinState::Absent } else { PinState::Empty };
        return Ok((state, Some(SecretString::from(String::new()))));
    }
    if let Some(path) = &options.pin_file {
        let pin = crate::secret_file::read_secret_file(path).map_err(|reason| {
            Error::new(ErrorKind::InvalidInput, msg!("err-pin-file", file = path.display(), reason = reason))
        })?;
        return match check(pin.expose_secret())? {
            PasswordCheck::Wrong => Err(wrong_pin_error(file, pin.expose_secret())),
            _ => Ok((PinState::Correct, Some(pin))),
        };
    }
    if !options.ask_pin {
        return Ok((PinState::NotGiven, None));
    }
    let mut question = msg!("inspect-enter-pin", file = file.display_name());
    loop {
        let pin = match talk.secret(&question) {
            Ok(pin) => pin,
            Err(Unanswered::NoTerminal) => return Ok((PinState::NotGiven, None)),
            Err(Unanswered::Failed(reason)) => {
                return Err(Error::new(ErrorKind::Io, msg!("err-read", file = "terminal", reason = reason)))
            }
            Err(e) => {
                return Err(unanswered(
                    e,
                    msg!("inspect-enter-pin", file = file.display_name()),
                    "--pin-file",
                ))
            }
        };
        if pin.expose_secret().is_empty() {
            return Ok((PinState::NotGiven, None));
        }
        match check(pin.expose_secret())? {
            PasswordCheck::Wrong => {
                // A damaged file is not a wrong PIN: asking again would not help.
                if let Err(Pkcs12Error::MacMismatch) = p12.open(pin.expose_secret()) {
                    return Err(crate::certificate::file::pkcs12_error(
                        &file.path,
                        &Pkcs12Error::MacMismatch,
                    ));
                }
                question = msg!("inspect-pin-retry");
            }
            _ => return Ok((PinState::Correct, Some(pin))),
        }
    }
}

/// A PIN file given for a file that has no password is not read: say so rather than ignore it
/// silently.
pub fn note_pin_file_not_used(file: &CertificateFile, pin_file: Option<&Path>, talk: &dyn Conversation) {
    if let Some(pin_file) = pin_file {
        talk.tell(
            Level::Info,
            msg!("note-pin-file-not-used", file = file.display_name(), pin_file = pin_file.display()),
        );
    }
}

/// The precise reason a PIN failed: wrong, or right but the file is damaged.
fn wrong_pin_error(file: &CertificateFile, pin: &str) -> Error {
    let error = file.pkcs12.open(pin).err().unwrap_or(Pkcs12Error::WrongPassword);
    crate::certificate::file::pkcs12_error(&file.path, &error)
}

/// Times real PIN checks on this file and extrapolates to every PIN of the same length.
fn measure_brute_force(file: &CertificateFile, pin: &str) -> Option<BruteForce> {
    let digits = pin.len();
    if digits == 0 || digits > 8 || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let checker = file.pkcs12.pin_checker().ok()?;
    // Enough checks for a stable figure, bounded so inspect stays quick.
    let per_check = checker.seconds_per_candidate(digits, Duration::from_millis(150));
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let candidates = 10u64.pow(digits as u32);
    Some(BruteForce {
        digits,
        candidates,
        seconds: per_check * candidates as f64 / threads,
        checks_per_second: threads / per_check,
    })
}

fn build_report(
    file: &CertificateFile,
    pin: PinState,
    analysis: Option<&Analysis>,
    brute_force: Option<BruteForce>,
) -> InspectReport {
    let now = now_unix();
    let summary = |c: &CertInfo| CertSummary { info: c.clone(), days_left: c.days_left(now) };
    let file_name = file.file_name();
    InspectReport {
        file: file.display_name(),
        size: file.bytes.len() as u64,
        format: file.pkcs12.structure(),
        pin,
        private_key: analysis.map(|a| KeyReport {
            present: a.key_count > 0,
            count: a.key_count,
            matches_certificate: a.key_match,
        }),
        certificate_count: analysis.map(|a| a.certificate_count),
        purpose: analysis.map_or_else(
            || crate::certificate::x509::guess_purpose(None, &file_name),
            |a| a.purpose(&file_name),
        ),
        leaf: analysis.and_then(|a| a.leaf.as_ref()).map(summary),
        chain: analysis.map(|a| a.chain.iter().map(summary).collect()).unwrap_or_default(),
        ca_root_sha1: analysis.and_then(|a| a.root()).map(|r| r.sha1.clone()),
        brute_force,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certificate::test_files;
    use crate::conversation::{Answer, Scripted};

    fn options(file: PathBuf) -> InspectOptions {
        InspectOptions { file, pin_file: None, ask_pin: true }
    }

    #[test]
    fn asks_again_after_a_wrong_pin_and_reports_the_key_and_certificate() {
        let tmp = tempfile::tempdir().unwrap();
        let file = test_files::pkcs12(tmp.path(), "clinic", "4821");
        let talk = Scripted::new([Answer::Secret("1111".into()), Answer::Secret("4821".into())]);
        let report = inspect(&options(file), &talk).unwrap();
        assert_eq!(talk.asked_ids(), ["inspect-enter-pin", "inspect-pin-retry"]);
        assert_eq!(report.pin, PinState::Correct);
        let key = report.private_key.unwrap();
        assert_eq!((key.present, key.matches_certificate), (true, Some(KeyMatch::Matches)));
        let leaf = report.leaf.unwrap();
        assert_eq!(leaf.info.institution_code.as_deref(), Some("1312345678"));
        assert!(leaf.days_left >= 29);
        // A 4-digit PIN: the time to try them all is measured.
        assert_eq!(report.brute_force.unwrap().candidates, 10_000);
    }

    #[test]
    fn without_an_answer_it_reports_what_is_visible_without_the_pin() {
        let tmp = tempfile::tempdir().unwrap();
        let file = test_files::pkcs12(tmp.path(), "clinic", "4821");
        let talk = Scripted::new([]);
        let report = inspect(&options(file.clone()), &talk).unwrap();
        assert_eq!(report.pin, PinState::NotGiven);
        assert!(report.private_key.is_none() && report.brute_force.is_none());
        // --json does not ask at all.
        let talk = Scripted::new([Answer::Secret("4821".into())]);
        let report = inspect(&InspectOptions { ask_pin: false, ..options(file) }, &talk).unwrap();
        assert_eq!(report.pin, PinState::NotGiven);
        assert!(talk.asked_ids().is_empty());
    }

    #[test]
    fn a_pin_file_is_checked_and_a_wrong_one_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let file = test_files::pkcs12(tmp.path(), "clinic", "4821");
        let talk = Scripted::new([]);
        let with_pin = InspectOptions { pin_file: Some(tmp.path().join("pin.txt")), ..options(file.clone()) };
        assert_eq!(inspect(&with_pin, &talk).unwrap().pin, PinState::Correct);
        std::fs::write(tmp.path().join("wrong.txt"), "0000\n").unwrap();
        let wrong = InspectOptions { pin_file: Some(tmp.path().join("wrong.txt")), ..options(file) };
        assert_eq!(inspect(&wrong, &talk).unwrap_err().kind, ErrorKind::WrongSecret);
        assert!(talk.asked_ids().is_empty());
    }

    #[test]
    fn a_file_with_an_empty_password_needs_no_question_and_an_unread_pin_file_is_told() {
        let tmp = tempfile::tempdir().unwrap();
        let file = test_files::pkcs12(tmp.path(), "open", "");
        let talk = Scripted::new([]);
        let opts = InspectOptions { pin_file: Some(tmp.path().join("pin.txt")), ..options(file) };
        let report = inspect(&opts, &talk).unwrap();
        assert_eq!(report.pin, PinState::Empty);
        assert!(talk.asked_ids().is_empty());
        assert_eq!(talk.note_ids(), ["note-pin-file-not-used"]);
    }

    #[test]
    fn cancelling_the_question_cancels_and_a_file_that_is_not_pkcs12_is_invalid() {
        let tmp = tempfile::tempdir().unwrap();
        let file = test_files::pkcs12(tmp.path(), "clinic", "4821");
        let err = inspect(&options(file), &Scripted::new([Answer::Cancel])).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Cancelled);
        let text = tmp.path().join("notes.p12");
        std::fs::write(&text, "not a certificate").unwrap();
        assert_eq!(inspect(&options(text), &Scripted::new([])).unwrap_err().kind, ErrorKind::InvalidInput);
    }
}
