//! `certvault demo [DIR]`: the whole story on a throwaway certificate.
//!
//! 1. A test CA and a clinic certificate (ECDSA P-256, a Japanese clinic name, a 10-digit
//!    institution code) are made in memory by [`make_clinic_certificate`], and written as a
//!    PKCS#12 file protected by a random 4-digit PIN, the way OpenSSL 3 writes them (PBES2
//!    AES-256-CBC, PBKDF2-HMAC-SHA256, SHA-256 MAC), into a pretend terminal's Downloads
//!    folder, with a renamed copy on its desktop.
//! 2. `inspect`, `init`, `add`, `sheet`, `scan`, `clean`, `restore` and `status` then run as
//!    separate `certvault` processes, exactly as a user would type them, each explained first.
//!
//! Everything happens under `DIR/playground/`: the pretend USB stick, terminal and new
//! computer, the throwaway passphrase and PIN, and the logs (through
//! [`crate::state::STATE_DIR_VAR`]), so no real certificate, secret, store or record of the
//! user is touched. `DIR/recovery-sheet.pdf` and `DIR/report.txt` are left to look at.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use der::asn1::ObjectIdentifier as Oid;
use der::Encode;
use hmac::{KeyInit, Mac};
use p256::ecdsa::signature::Signer;
use rand::RngCore;
use sha2::Digest;
use zeroize::Zeroizing;

use crate::error::{CliError, EXIT_OK};
use crate::t;

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Folder for the demo (created; must be new or empty). Default: certvault-demo in the
    /// current folder.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// The clinic of the demo certificate.
pub const DEMO_CLINIC: &str = "医療法人社団 デモ会 さくら内科クリニック (certvault demo)";
/// Its 10-digit medical institution code (a made-up one).
pub const DEMO_INSTITUTION_CODE: &str = "1399999999";
/// The file name, numbered like the online-qualification download.
pub const DEMO_FILE_NAME: &str = "202601010000999.p12";

// ---------------------------------------------------------------------------------------------
// DER, just what a certificate and a PKCS#12 file need.

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn set(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x31, &parts.concat())
}

fn oid(dotted: &str) -> Vec<u8> {
    Oid::new_unwrap(dotted).to_der().expect("an OID encodes")
}

/// A non-negative INTEGER from big-endian bytes.
fn uint(bytes: &[u8]) -> Vec<u8> {
    let skip = bytes.iter().take_while(|&&b| b == 0).count().min(bytes.len().saturating_sub(1));
    let mut v = bytes[skip..].to_vec();
    if v.first().is_some_and(|b| b & 0x80 != 0) {
        v.insert(0, 0);
    }
    tlv(0x02, &v)
}

fn int(n: u32) -> Vec<u8> {
    uint(&n.to_be_bytes())
}

fn octets(bytes: &[u8]) -> Vec<u8> {
    tlv(0x04, bytes)
}

fn bits(bytes: &[u8]) -> Vec<u8> {
    tlv(0x03, &[&[0u8][..], bytes].concat())
}

fn explicit(n: u8, content: &[u8]) -> Vec<u8> {
    tlv(0xA0 | n, content)
}

fn utf8(s: &str) -> Vec<u8> {
    tlv(0x0C, s.as_bytes())
}

fn bmp(s: &str) -> Vec<u8> {
    let units: Vec<u8> = s.encode_utf16().flat_map(u16::to_be_bytes).collect();
    tlv(0x1E, &units)
}

/// UTCTime (years 1950–2049) or GeneralizedTime, as RFC 5280 §4.1.2.5 asks.
fn x509_time(unix: i64) -> Vec<u8> {
    let t = time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let rest =
        format!("{:02}{:02}{:02}{:02}{:02}Z", u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second());
    if (1950..2050).contains(&t.year()) {
        tlv(0x17, format!("{:02}{rest}", t.year() % 100).as_bytes())
    } else {
        tlv(0x18, format!("{:04}{rest}", t.year()).as_bytes())
    }
}

fn name(org: &str, cn: &str) -> Vec<u8> {
    let rdn = |o: &str, value: Vec<u8>| set(&[&seq(&[&oid(o), &value])]);
    seq(&[&rdn("2.5.4.6", tlv(0x13, b"JP")), &rdn("2.5.4.10", utf8(org)), &rdn("2.5.4.3", utf8(cn))])
}

fn extension(id: &str, critical: bool, value: &[u8]) -> Vec<u8> {
    if critical {
        seq(&[&oid(id), &tlv(0x01, &[0xFF]), &octets(value)])
    } else {
        seq(&[&oid(id), &octets(value)])
    }
}

const ECDSA_WITH_SHA256: &str = "1.2.840.10045.4.3.2";
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const PRIME256V1: &str = "1.2.840.10045.3.1.7";

struct KeyPair {
    key: p256::ecdsa::SigningKey,
    /// Uncompressed SEC1 point.
    public: Vec<u8>,
}

impl KeyPair {
    fn generate() -> KeyPair {
        let key = p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
        let public = key.verifying_key().to_encoded_point(false).as_bytes().to_vec();
        KeyPair { key, public }
    }

    fn spki(&self) -> Vec<u8> {
        seq(&[&seq(&[&oid(EC_PUBLIC_KEY), &oid(PRIME256V1)]), &bits(&self.public)])
    }

    /// RFC 5280 §4.2.1.2 method 1: SHA-1 of the public key bits.
    fn key_id(&self) -> Vec<u8> {
        sha1::Sha1::digest(&self.public).to_vec()
    }

    /// PKCS#8 PrivateKeyInfo holding an RFC 5915 ECPrivateKey with its public key.
    fn pkcs8(&self) -> Zeroizing<Vec<u8>> {
        let scalar = Zeroizing::new(self.key.to_bytes().to_vec());
        let ec_key = Zeroizing::new(seq(&[&int(1), &octets(&scalar), &explicit(1, &bits(&self.public))]));
        Zeroizing::new(seq(&[&int(0), &seq(&[&oid(EC_PUBLIC_KEY), &oid(PRIME256V1)]), &octets(&ec_key)]))
    }

    fn sign(&self, tbs: &[u8]) -> Vec<u8> {
        let signature: p256::ecdsa::Signature = self.key.sign(tbs);
        seq(&[tbs, &seq(&[&oid(ECDSA_WITH_SHA256)]), &bits(signature.to_der().as_bytes())])
    }
}

struct CertSpec<'a> {
    subject: Vec<u8>,
    issuer: Vec<u8>,
    key: &'a KeyPair,
    signer: &'a KeyPair,
    not_before: i64,
    not_after: i64,
    ca: bool,
}

fn certificate(spec: &CertSpec<'_>) -> Vec<u8> {
    let mut serial = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut serial);
    serial[0] &= 0x7F;
    serial[0] |= 0x01;
    let mut extensions = vec![
        extension("2.5.29.19", true, &if spec.ca { seq(&[&tlv(0x01, &[0xFF])]) } else { seq(&[]) }),
        // keyCertSign + cRLSign for the CA, digitalSignature for the client.
        extension(
            "2.5.29.15",
            true,
            &if spec.ca { tlv(0x03, &[0x01, 0x06]) } else { tlv(0x03, &[0x07, 0x80]) },
        ),
        extension("2.5.29.14", false, &octets(&spec.key.key_id())),
    ];
    if !spec.ca {
        extensions.push(extension("2.5.29.37", false, &seq(&[&oid("1.3.6.1.5.5.7.3.2")])));
        extensions.push(extension("2.5.29.35", false, &seq(&[&tlv(0x80, &spec.signer.key_id())])));
    }
    let ext_refs: Vec<&[u8]> = extensions.iter().map(Vec::as_slice).collect();
    let tbs = seq(&[
        &explicit(0, &int(2)),
        &uint(&serial),
        &seq(&[&oid(ECDSA_WITH_SHA256)]),
        &spec.issuer,
        &seq(&[&x509_time(spec.not_before), &x509_time(spec.not_after)]),
        &spec.subject,
        &spec.key.spki(),
        &explicit(3, &seq(&ext_refs)),
    ]);
    spec.signer.sign(&tbs)
}

/// PKCS#12 as OpenSSL 3 writes it: certificates in a PBES2-encrypted safe, the key in a
/// shrouded key bag, both AES-256-CBC with PBKDF2-HMAC-SHA256 (2048 iterations), and an
/// HMAC-SHA-256 MAC keyed by the RFC 7292 appendix B KDF.
fn pkcs12(
    leaf: &[u8],
    ca: &[u8],
    pkcs8: &[u8],
    pin: &str,
    friendly: &str,
    key_id: &[u8],
) -> Result<Vec<u8>, String> {
    const ITERATIONS: u32 = 2048;
    let pbes2 = |plaintext: &[u8]| -> Result<(Vec<u8>, Vec<u8>), String> {
        let mut salt = [0u8; 16];
        let mut iv = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        rand::rngs::OsRng.fill_bytes(&mut iv);
        let params = pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(ITERATIONS, &salt, iv)
            .map_err(|e| e.to_string())?;
        let ciphertext = params.encrypt(pin.as_bytes(), plaintext).map_err(|e| e.to_string())?;
        let alg = pkcs5::EncryptionScheme::from(params).to_der().map_err(|e| e.to_string())?;
        Ok((alg, ciphertext))
    };
    let attributes = set(&[
        &seq(&[&oid("1.2.840.113549.1.9.20"), &set(&[&bmp(friendly)])]),
        &seq(&[&oid("1.2.840.113549.1.9.21"), &set(&[&octets(key_id)])]),
    ]);
    let cert_bag = |der: &[u8]| seq(&[&oid("1.2.840.113549.1.9.22.1"), &explicit(0, &octets(der))]);
    let cert_safe = seq(&[
        &seq(&[&oid("1.2.840.113549.1.12.10.1.3"), &explicit(0, &cert_bag(leaf)), &attributes]),
        &seq(&[&oid("1.2.840.113549.1.12.10.1.3"), &explicit(0, &cert_bag(ca))]),
    ]);
    let (cert_alg, cert_ct) = pbes2(&cert_safe)?;
    let encrypted_data =
        seq(&[&int(0), &seq(&[&oid("1.2.840.113549.1.7.1"), &cert_alg, &tlv(0x80, &cert_ct)])]);
    let certs_info = seq(&[&oid("1.2.840.113549.1.7.6"), &explicit(0, &encrypted_data)]);

    let (key_alg, key_ct) = pbes2(pkcs8)?;
    let shrouded = seq(&[&key_alg, &octets(&key_ct)]);
    let key_safe = seq(&[&seq(&[&oid("1.2.840.113549.1.12.10.1.2"), &explicit(0, &shrouded), &attributes])]);
    let key_info = seq(&[&oid("1.2.840.113549.1.7.1"), &explicit(0, &octets(&key_safe))]);

    let auth_safe = seq(&[&certs_info, &key_info]);
    let mut mac_salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut mac_salt);
    let mac_key = Zeroizing::new(
        pkcs12::kdf::derive_key_utf8::<sha2::Sha256>(
            pin,
            &mac_salt,
            pkcs12::kdf::Pkcs12KeyType::Mac,
            ITERATIONS as i32,
            32,
        )
        .map_err(|e| e.to_string())?,
    );
    let mut mac =
        <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&mac_key).map_err(|e| e.to_string())?;
    mac.update(&auth_safe);
    let digest = mac.finalize().into_bytes();
    let mac_data = seq(&[
        &seq(&[&seq(&[&oid("2.16.840.1.101.3.4.2.1"), &tlv(0x05, &[])]), &octets(&digest)]),
        &octets(&mac_salt),
        &int(ITERATIONS),
    ]);
    Ok(seq(&[&int(3), &seq(&[&oid("1.2.840.113549.1.7.1"), &explicit(0, &octets(&auth_safe))]), &mac_data]))
}

/// A throwaway clinic certificate: the PKCS#12 bytes (protected by `pin`) and the CA
/// certificate's DER. Valid from `not_before` to `not_after` (Unix seconds).
pub fn make_clinic_certificate(
    pin: &str,
    not_before: i64,
    not_after: i64,
) -> Result<(Vec<u8>, Vec<u8>), String> {
    let ca_key = KeyPair::generate();
    let ca_name = name("certvault demo", "certvault デモ認証局 (TEST ONLY)");
    let ca = certificate(&CertSpec {
        subject: ca_name.clone(),
        issuer: ca_name.clone(),
        key: &ca_key,
        signer: &ca_key,
        not_before: not_before - 86_400,
        not_after: not_after + 365 * 86_400,
        ca: true,
    });
    let leaf_key = KeyPair::generate();
    let leaf = certificate(&CertSpec {
        subject: name(DEMO_CLINIC, DEMO_INSTITUTION_CODE),
        issuer: ca_name,
        key: &leaf_key,
        signer: &ca_key,
        not_before,
        not_after,
        ca: false,
    });
    let p12 = pkcs12(&leaf, &ca, &leaf_key.pkcs8(), pin, "certvault demo", &leaf_key.key_id())?;
    Ok((p12, ca))
}

// ---------------------------------------------------------------------------------------------
// The run.

fn io(path: &Path) -> impl Fn(std::io::Error) -> CliError + '_ {
    move |e| crate::vault::io_error(path, &e).into()
}

/// Writes a new file only the user can read.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io(path))?;
    file.write_all(bytes).map_err(io(path))?;
    Ok(())
}

fn mkdir(path: &Path) -> Result<(), CliError> {
    std::fs::create_dir_all(path).map_err(io(path))
}

/// One step of the story: what it does, the command, what came of it.
struct Step {
    title: String,
    command: String,
    code: i32,
    expected: &'static [i32],
}

struct Runner {
    exe: PathBuf,
    state: PathBuf,
    lang: String,
    steps: Vec<Step>,
}

fn quote(arg: &str) -> String {
    if arg.is_empty() || arg.contains([' ', '"', '\'']) {
        format!("\"{arg}\"")
    } else {
        arg.to_string()
    }
}

impl Runner {
    /// Explains, shows and runs `certvault ARGS`; fails when its exit code is not expected.
    fn run(
        &mut self,
        title: String,
        why: String,
        args: &[String],
        expected: &'static [i32],
    ) -> Result<i32, CliError> {
        let n = self.steps.len() + 1;
        println!();
        println!("━━ {n}. {title}");
        println!("{why}");
        let shown = args.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" ");
        println!("$ certvault {shown}");
        let _ = std::io::stdout().flush();
        let status = Command::new(&self.exe)
            .args(args)
            .arg("--lang")
            .arg(&self.lang)
            .env(crate::state::STATE_DIR_VAR, &self.state)
            // Only the demo's own stick is looked for.
            .env(crate::restore::discover::MEDIA_ROOTS_VAR, "")
            .stdin(Stdio::null())
            .status()
            .map_err(|e| CliError::new(t!("err-demo-spawn", detail = e.to_string())))?;
        let code = status.code().unwrap_or(-1);
        self.steps.push(Step { title: title.clone(), command: format!("certvault {shown}"), code, expected });
        if !expected.contains(&code) {
            return Err(CliError::new(t!("err-demo-step", step = title, code = code)));
        }
        Ok(code)
    }
}

/// NSS's certutil, for a throwaway database. Windows has a different tool of that name, and
/// the demo never touches the Windows store: there the restore writes a file.
fn have_certutil() -> bool {
    !cfg!(windows)
        && Command::new("certutil").arg("-H").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// `certvault demo`.
pub fn run(args: &DemoArgs) -> Result<u8, CliError> {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("certvault-demo"));
    if dir.exists() && std::fs::read_dir(&dir).map_err(io(&dir))?.next().is_some() {
        return Err(
            CliError::new(t!("err-demo-dir-not-empty", dir = dir.display())).with_hint(t!("hint-demo-dir"))
        );
    }
    mkdir(&dir)?;
    let dir = std::fs::canonicalize(&dir).map_err(io(&dir))?;
    let play = dir.join("playground");
    let stick = play.join("USB-STICK");
    let vault = stick.join("CERTVAULT");
    let terminal = play.join("old-terminal");
    let downloads = terminal.join("Downloads");
    let desktop = terminal.join("Desktop");
    let new_terminal = play.join("new-terminal");
    let secrets = play.join("secrets");
    let state = play.join("state");
    for d in [&stick, &downloads, &desktop, &new_terminal, &secrets, &state] {
        mkdir(d)?;
    }
    let exe =
        std::env::current_exe().map_err(|e| CliError::new(t!("err-demo-spawn", detail = e.to_string())))?;
    let lang = t!("demo-lang-code");

    println!("{}", t!("demo-intro", dir = dir.display()));

    // The certificate, as the clinic would have downloaded it.
    let mut pin_bytes = [0u8; 2];
    rand::rngs::OsRng.fill_bytes(&mut pin_bytes);
    let pin = Zeroizing::new(format!("{:04}", u16::from_be_bytes(pin_bytes) % 10_000));
    let now = crate::inspect::now_unix();
    let (p12, _ca) = make_clinic_certificate(&pin, now - 86_400, now + 730 * 86_400)
        .map_err(|e| CliError::new(t!("err-demo-certificate", detail = e)))?;
    let cert_file = downloads.join(DEMO_FILE_NAME);
    write_private(&cert_file, &p12)?;
    // A renamed copy without extension, as Windows Explorer hides it.
    let stray = desktop.join("証明書のコピー");
    write_private(&stray, &p12)?;
    let pin_file = secrets.join("pin.txt");
    write_private(&pin_file, format!("{}\n", pin.as_str()).as_bytes())?;
    // A throwaway passphrase, random so that it passes the strength check.
    let mut pass = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut pass);
    let passphrase: String =
        pass.iter().map(|b| char::from(b"abcdefghijkmnpqrstuvwxyz23456789"[usize::from(b % 32)])).collect();
    let passphrase_file = secrets.join("passphrase.txt");
    write_private(&passphrase_file, format!("demo-{passphrase}-sakura\n").as_bytes())?;
    let recovery_file = secrets.join("recovery.txt");
    let pin_code_file = secrets.join("pin-code.txt");
    let sheet = dir.join("recovery-sheet.pdf");
    println!();
    println!(
        "{}",
        t!("demo-made-certificate", file = cert_file.display(), pin = pin.as_str(), clinic = DEMO_CLINIC)
    );

    let mut r = Runner { exe, state: state.clone(), lang, steps: Vec::new() };
    let pass_flag = |v: &mut Vec<String>| {
        v.push("--passphrase-file".into());
        v.push(s(&passphrase_file));
    };

    r.run(
        t!("demo-step-inspect"),
        t!("demo-why-inspect"),
        &["inspect".into(), s(&cert_file), "--pin-file".into(), s(&pin_file)],
        &[0],
    )?;
    r.run(
        t!("demo-step-init"),
        t!("demo-why-init"),
        &[
            "init".into(),
            s(&vault),
            "--passphrase-file".into(),
            s(&passphrase_file),
            "--recovery-out".into(),
            s(&recovery_file),
            "--allow-fixed-disk".into(),
        ],
        &[0],
    )?;
    // The PIN code line of the recovery output, for printing it on the sheet.
    let recovery = Zeroizing::new(std::fs::read_to_string(&recovery_file).map_err(io(&recovery_file))?);
    let code = recovery.lines().find_map(|l| l.strip_prefix("PIN-CODE:")).map(str::trim).unwrap_or_default();
    write_private(&pin_code_file, format!("{code}\n").as_bytes())?;

    let mut add =
        vec!["add".into(), s(&cert_file), "--vault".into(), s(&vault), "--pin-file".into(), s(&pin_file)];
    add.extend(["--hint".into(), t!("demo-hint")]);
    pass_flag(&mut add);
    r.run(t!("demo-step-add"), t!("demo-why-add"), &add, &[0])?;

    let mut sheet_args = vec![
        "sheet".into(),
        "--vault".into(),
        s(&vault),
        "--out".into(),
        s(&sheet),
        "--pin-code-file".into(),
        s(&pin_code_file),
    ];
    pass_flag(&mut sheet_args);
    r.run(t!("demo-step-sheet"), t!("demo-why-sheet"), &sheet_args, &[0])?;

    let mut scan = vec!["scan".into(), s(&terminal), "--vault".into(), s(&vault)];
    pass_flag(&mut scan);
    r.run(t!("demo-step-scan"), t!("demo-why-scan"), &scan, &[1])?;

    let mut clean = vec!["clean".into(), s(&terminal), "--vault".into(), s(&vault), "--apply".into()];
    pass_flag(&mut clean);
    r.run(t!("demo-step-clean"), t!("demo-why-clean"), &clean, &[0])?;

    let target = if have_certutil() {
        let db = new_terminal.join("nssdb");
        mkdir(&db)?;
        let made = Command::new("certutil")
            .args(["-N", "--empty-password", "-d"])
            .arg(format!("sql:{}", db.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !made {
            return Err(CliError::new(t!("err-demo-nssdb", dir = db.display())));
        }
        format!("nss:{}", db.display())
    } else {
        println!();
        println!("{}", t!("demo-no-certutil"));
        format!("file:{}", new_terminal.join(DEMO_FILE_NAME).display())
    };
    let mut restore = vec![
        "restore".into(),
        "--vault".into(),
        s(&vault),
        "--pin-code-file".into(),
        s(&pin_code_file),
        "--to".into(),
        target.clone(),
        "--trust-root".into(),
    ];
    pass_flag(&mut restore);
    r.run(t!("demo-step-restore"), t!("demo-why-restore"), &restore, &[0])?;

    let mut status = vec!["status".into(), "--vault".into(), s(&vault)];
    pass_flag(&mut status);
    r.run(t!("demo-step-status"), t!("demo-why-status"), &status, &[0, 1])?;

    // The report.
    let left_on_terminal = [&cert_file, &stray].iter().filter(|p| p.exists()).count();
    let mut report = String::new();
    report.push_str(&t!("demo-report-title"));
    report.push_str("\n\n");
    for (i, step) in r.steps.iter().enumerate() {
        report.push_str(&format!(
            "{}. {}\n   $ {}\n   exit {} ({})\n",
            i + 1,
            step.title,
            step.command,
            step.code,
            if step.expected.contains(&step.code) { "ok" } else { "unexpected" }
        ));
    }
    report.push('\n');
    report.push_str(&t!(
        "demo-report-files",
        sheet = sheet.display(),
        vault = vault.display(),
        target = target,
        left = left_on_terminal,
        secrets = secrets.display()
    ));
    report.push('\n');
    let report_file = dir.join("report.txt");
    std::fs::write(&report_file, &report).map_err(io(&report_file))?;

    println!();
    println!(
        "{}",
        t!("demo-done", sheet = sheet.display(), report = report_file.display(), dir = play.display())
    );
    Ok(EXIT_OK)
}
