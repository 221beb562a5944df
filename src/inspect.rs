//! `certvault inspect FILE`: what a PKCS#12 file holds, and whether its PIN is right.

use std::path::PathBuf;
use std::time::Instant;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use crate::cert::{CertInfo, KeyMatch, Purpose};
use crate::certfile::{self, Analysis, CertificateFile};
use crate::error::CliError;
use crate::i18n::{group_digits, human_duration};
use crate::pkcs12::{PasswordCheck, PasswordForm, Pkcs12Error, Structure};
use crate::secret_input;
use crate::t;

pub struct InspectOptions {
    pub file: PathBuf,
    pub pin_file: Option<PathBuf>,
    pub json: bool,
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

pub use certvault_core::dates::{human_date, now_unix};

pub fn run(opts: &InspectOptions) -> Result<u8, CliError> {
    let file = CertificateFile::load(&opts.file)?;
    if let Some(what) = file.pkcs12.unsupported_algorithm() {
        return Err(certfile::pkcs12_error(&file.path, &Pkcs12Error::Unsupported(what)).into());
    }
    let (state, pin) = obtain_pin(&file, opts)?;
    let analysis = match &pin {
        Some(pin) => {
            let opened =
                file.pkcs12.open(pin.expose_secret()).map_err(|e| certfile::pkcs12_error(&file.path, &e))?;
            Some(certfile::analyse(&file.path, &opened)?)
        }
        // Without the PIN, show what the unencrypted parts hold.
        None => {
            let visible = file.pkcs12.visible();
            (!visible.certificates.is_empty()).then(|| certfile::analyse(&file.path, &visible)).transpose()?
        }
    };
    let brute_force = match (&pin, state) {
        (Some(pin), PinState::Correct) => measure_brute_force(&file, pin.expose_secret()),
        _ => None,
    };
    let report = build_report(&file, state, analysis.as_ref(), brute_force);
    if opts.json {
        println!("{}", serde_json::to_string_pretty(&report).expect("report serialises"));
    } else {
        print!("{}", render_human(&report));
    }
    Ok(crate::error::EXIT_OK)
}

/// Gets the PIN from `--pin-file`, a prompt, or not at all. A file that opens with an empty or
/// absent password needs no question.
fn obtain_pin(
    file: &CertificateFile,
    opts: &InspectOptions,
) -> Result<(PinState, Option<SecretString>), CliError> {
    let p12 = &file.pkcs12;
    let check = |pin: &str| p12.check_pin(pin).map_err(|e| certfile::pkcs12_error(&file.path, &e));
    if !p12.needs_password() {
        note_pin_file_not_used(file, opts.pin_file.as_deref());
        return Ok((PinState::NotNeeded, Some(SecretString::from(String::new()))));
    }
    if let PasswordCheck::Correct(form) = check("")? {
        note_pin_file_not_used(file, opts.pin_file.as_deref());
        let state = if form == PasswordForm::Absent { PinState::Absent } else { PinState::Empty };
        return Ok((state, Some(SecretString::from(String::new()))));
    }
    if let Some(path) = &opts.pin_file {
        let pin = certvault_core::secret_file::read_secret_file(path).map_err(|e| {
            CliError::new(t!("err-pin-file", file = path.display(), reason = crate::i18n::render(&e)))
        })?;
        return match check(pin.expose_secret())? {
            PasswordCheck::Wrong => Err(wrong_pin_error(file, pin.expose_secret())),
            _ => Ok((PinState::Correct, Some(pin))),
        };
    }
    if !secret_input::stdin_is_terminal() || opts.json {
        return Ok((PinState::NotGiven, None));
    }
    let mut prompt = t!("inspect-enter-pin", file = file.display_name());
    loop {
        let pin = secret_input::prompt_secret(&prompt)
            .map_err(|e| CliError::new(t!("err-read", file = "terminal", reason = e)))?;
        if pin.expose_secret().is_empty() {
            return Ok((PinState::NotGiven, None));
        }
        match check(pin.expose_secret())? {
            PasswordCheck::Wrong => {
                // A damaged file is not a wrong PIN: asking again would not help.
                if let Err(Pkcs12Error::MacMismatch) = p12.open(pin.expose_secret()) {
                    return Err(certfile::pkcs12_error(&file.path, &Pkcs12Error::MacMismatch).into());
                }
                prompt = t!("inspect-pin-retry")
            }
            _ => return Ok((PinState::Correct, Some(pin))),
        }
    }
}

/// A PIN file given for a file that has no password is not read: say so rather than ignore it
/// silently (on standard error, so `--json` output stays clean).
pub fn note_pin_file_not_used(file: &CertificateFile, pin_file: Option<&std::path::Path>) {
    if let Some(pin_file) = pin_file {
        eprintln!(
            "{}",
            t!("note-pin-file-not-used", file = file.display_name(), pin_file = pin_file.display())
        );
    }
}

/// The precise reason a PIN failed: wrong, or right but the file is damaged.
fn wrong_pin_error(file: &CertificateFile, pin: &str) -> CliError {
    let error = file.pkcs12.open(pin).err().unwrap_or(Pkcs12Error::WrongPassword);
    certfile::pkcs12_error(&file.path, &error).into()
}

/// Times real PIN checks on this file and extrapolates to every PIN of the same length.
fn measure_brute_force(file: &CertificateFile, pin: &str) -> Option<BruteForce> {
    let digits = pin.len();
    if digits == 0 || digits > 8 || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let checker = file.pkcs12.pin_checker().ok()?;
    let start = Instant::now();
    let mut checks = 0u32;
    // Enough checks for a stable figure, bounded so inspect stays quick.
    while checks < 64 && (checks < 4 || start.elapsed().as_millis() < 150) {
        // A probe may be the real PIN: held like one.
        let probe = zeroize::Zeroizing::new(format!("{:0width$}", checks, width = digits));
        let _ = checker.check(&probe);
        checks += 1;
    }
    let per_check = start.elapsed().as_secs_f64() / f64::from(checks);
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
        purpose: analysis
            .map_or_else(|| crate::cert::guess_purpose(None, &file_name), |a| a.purpose(&file_name)),
        leaf: analysis.and_then(|a| a.leaf.as_ref()).map(summary),
        chain: analysis.map(|a| a.chain.iter().map(summary).collect()).unwrap_or_default(),
        ca_root_sha1: analysis.and_then(|a| a.root()).map(|r| r.sha1.clone()),
        brute_force,
    }
}

fn row(out: &mut String, label: &str, value: &str) {
    let width = unicode_width(label);
    let pad = 22usize.saturating_sub(width);
    // Values hold outside text (file name, subject, issuer, serial): never raw to a terminal.
    out.push_str(&format!("{label}{:pad$}  {}\n", "", crate::terminal_text::escaped(value)));
}

/// Display width: CJK characters take two terminal columns.
fn unicode_width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) >= 0x1100 && !matches!(c as u32, 0x2000..=0x206F) { 2 } else { 1 }).sum()
}

fn algorithm_text(alg: &crate::pkcs12::AlgorithmInfo) -> String {
    let mut s = match alg.iterations {
        Some(n) => t!("inspect-algorithm-iterations", name = alg.name, count = group_digits(n)),
        None => alg.name.clone(),
    };
    if !alg.supported {
        s.push(' ');
        s.push_str(&t!("inspect-unsupported-mark"));
    }
    s
}

pub fn purpose_text(p: Purpose) -> String {
    t!(&format!("purpose-{}", crate::cert::purpose_id(p)))
}

fn validity_text(c: &CertSummary) -> String {
    let date = human_date(&c.info.not_after);
    if c.days_left < 0 {
        format!("{date}  ({})", t!("inspect-expired", days = -c.days_left))
    } else {
        format!("{date}  ({})", t!("inspect-days-left", days = c.days_left))
    }
}

pub fn render_human(r: &InspectReport) -> String {
    let mut out = String::new();
    row(
        &mut out,
        &t!("inspect-file"),
        &format!("{}  ({})", r.file, t!("inspect-size", size = group_digits(r.size))),
    );
    row(&mut out, &t!("inspect-format"), &t!("inspect-format-value", encoding = r.format.encoding));
    let mac = r.format.mac.as_ref().map_or_else(|| t!("inspect-integrity-none"), algorithm_text);
    row(&mut out, &t!("inspect-integrity"), &mac);
    out.push_str(&format!("{}\n", t!("inspect-contents")));
    for (i, part) in r.format.parts.iter().enumerate() {
        let head = match (part.kind, &part.encryption) {
            ("encrypted", Some(alg)) => {
                t!("inspect-part-encrypted", algorithm = algorithm_text(alg))
            }
            ("unsupported", Some(alg)) => t!("inspect-part-unsupported", algorithm = alg.name),
            _ => t!("inspect-part-plain"),
        };
        out.push_str(&format!("  {}. {head}\n", i + 1));
        match &part.bags {
            None => out.push_str(&format!("     - {}\n", t!("inspect-part-locked"))),
            Some(bags) => {
                for bag in bags {
                    let text = match (bag.kind.as_str(), &bag.encryption) {
                        ("certificate", _) => t!("inspect-bag-certificate"),
                        ("private-key", _) => t!("inspect-bag-private-key"),
                        ("shrouded-private-key", Some(alg)) => {
                            t!("inspect-bag-shrouded-private-key", algorithm = algorithm_text(alg))
                        }
                        (kind, _) => t!("inspect-bag-other", kind = kind),
                    };
                    out.push_str(&format!("     - {text}\n"));
                }
            }
        }
    }
    let pin = match r.pin {
        PinState::Correct => t!("inspect-pin-correct"),
        PinState::NotNeeded => t!("inspect-pin-not-needed"),
        PinState::Empty => t!("inspect-pin-empty"),
        PinState::Absent => t!("inspect-pin-absent"),
        PinState::NotGiven => t!("inspect-pin-not-given"),
    };
    row(&mut out, &t!("inspect-pin"), &pin);
    let key = match &r.private_key {
        None => t!("inspect-key-hidden"),
        Some(k) if !k.present => t!("inspect-key-none"),
        Some(k) => match k.matches_certificate {
            Some(KeyMatch::Matches) => t!("inspect-key-matches"),
            Some(KeyMatch::DoesNotMatch) => t!("inspect-key-mismatch"),
            _ => t!("inspect-key-unknown"),
        },
    };
    row(&mut out, &t!("inspect-private-key"), &key);
    if let Some(n) = r.certificate_count {
        row(&mut out, &t!("inspect-certificates"), &n.to_string());
    }
    row(&mut out, &t!("inspect-purpose"), &purpose_text(r.purpose));

    if let Some(leaf) = &r.leaf {
        out.push_str(&format!("\n{}\n", t!("inspect-leaf")));
        let c = &leaf.info;
        row(&mut out, &format!("  {}", t!("inspect-subject")), &c.subject);
        if let Some(code) = &c.institution_code {
            row(&mut out, &format!("  {}", t!("inspect-institution")), code);
        }
        row(&mut out, &format!("  {}", t!("inspect-issuer")), &c.issuer);
        row(&mut out, &format!("  {}", t!("inspect-serial")), &c.serial);
        row(&mut out, &format!("  {}", t!("inspect-valid-from")), &human_date(&c.not_before));
        row(&mut out, &format!("  {}", t!("inspect-valid-until")), &validity_text(leaf));
        let key = match c.key_bits {
            Some(bits) if !c.key_type.contains(&bits.to_string()) => {
                format!("{} {bits}", c.key_type)
            }
            _ => c.key_type.clone(),
        };
        row(&mut out, &format!("  {}", t!("inspect-key")), &key);
        row(&mut out, &format!("  {}", t!("inspect-sha1")), &c.sha1);
        row(&mut out, &format!("  {}", t!("inspect-sha256")), &c.sha256);
    }
    if r.leaf.is_some() {
        out.push_str(&format!("\n{}\n", t!("inspect-chain")));
        if r.chain.is_empty() {
            out.push_str(&format!("  {}\n", t!("inspect-chain-none")));
        }
        for c in &r.chain {
            // As the JSON's is_ca: a certificate that is not a CA is never called one.
            let label = match (c.info.is_ca, c.info.self_signed) {
                (false, _) => t!("inspect-chain-not-ca"),
                (true, true) => t!("inspect-chain-root"),
                (true, false) => t!("inspect-chain-ca"),
            };
            out.push_str(&format!(
                "  {label}\n    {}\n    SHA-1 {}\n",
                crate::terminal_text::escaped(&c.info.subject),
                c.info.sha1
            ));
        }
    }
    if let Some(bf) = &r.brute_force {
        out.push_str(&format!(
            "\n{}\n",
            t!(
                "inspect-brute-force",
                digits = bf.digits,
                count = group_digits(bf.candidates),
                duration = human_duration(bf.seconds)
            )
        ));
    }
    out
}
