//! `certvault inspect FILE` on the terminal: asks for the PIN there and prints the core's
//! report, as text for people or as `--json`.

use std::path::PathBuf;

use certvault_core::certificate::file::CertificateFile;
use certvault_core::certificate::inspect::{self, CertSummary, InspectOptions, InspectReport, PinState};
use unicode_width::UnicodeWidthStr;

use crate::error::CliError;
use crate::terminal::Terminal;
use certvault_core::certificate::x509::{KeyMatch, Purpose};
use certvault_core::dates::human_date;
use certvault_i18n::t;
use certvault_i18n::{group_digits, human_duration};

#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// The certificate file.
    pub file: PathBuf,
    /// Read the PIN from this file (- = standard input) instead of asking.
    #[arg(long, value_name = "F")]
    pub pin_file: Option<PathBuf>,
    /// Print a JSON report for scripts.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: InspectArgs) -> Result<u8, CliError> {
    let InspectArgs { file, pin_file, json } = args;
    // `--json` is for scripts: it never asks.
    let report = inspect::inspect(&InspectOptions { file, pin_file, ask_pin: !json }, &Terminal)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report).expect("report serialises"));
    } else {
        print!("{}", render_human(&report));
    }
    Ok(crate::error::EXIT_OK)
}

/// A PIN file given for a file that has no password is not read: said on standard error, so
/// `--json` output stays clean.
pub fn note_pin_file_not_used(file: &CertificateFile, pin_file: Option<&std::path::Path>) {
    inspect::note_pin_file_not_used(file, pin_file, &Terminal);
}

fn row(out: &mut String, label: &str, value: &str) {
    // Display width: CJK characters take two terminal columns.
    let pad = 22usize.saturating_sub(label.width());
    // Values hold outside text (file name, subject, issuer, serial): never raw to a terminal.
    out.push_str(&format!("{label}{:pad$}  {}\n", "", certvault_i18n::text::escaped(value)));
}

fn algorithm_text(alg: &certvault_core::pkcs12::AlgorithmInfo) -> String {
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
    t!(&format!("purpose-{}", certvault_core::certificate::x509::purpose_id(p)))
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
                certvault_i18n::text::escaped(&c.info.subject),
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
