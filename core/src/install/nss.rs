//! `--to nss:DIR`: an NSS database, the certificate store of Firefox, Chromium and other Linux
//! programs (`sql:$HOME/.pki/nssdb` is the one Chromium and many others share). Uses
//! `pk12util` and `certutil` from Debian's `libnss3-tools`.
//!
//! Secrets never travel in argv: the PIN and the database password go through pipes, the
//! `.p12` through an anonymous memory file (see [`super::handoff`]). The database is created
//! (empty password, like Chromium's) when it does not exist.
//!
//! Finding a certificate again: `certutil -L` lists the user certificates (trust `u`), `-r`
//! dumps each nickname's certificates whose SHA-1 we compute; the private key is matched by
//! NSS's key id (SHA-1 of the RSA modulus or the EC point) in `certutil -K`.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use secrecy::{ExposeSecret, SecretString};
use sha1::Digest;

use super::handoff::{pass_to, Handoff};
use super::{Backend, InstallItem, Presence, VerifiedPin};
use crate::certificate::x509::colon_hex;
use crate::conversation::{Conversation, Level, Unanswered};
use crate::error::{io_error, Error, ErrorKind};
use crate::message::Message;
use crate::msg;
use crate::pkcs12::PasswordForm;

pub struct NssBackend {
    dir: PathBuf,
    /// The database password (empty for most, as Chromium creates them).
    password: SecretString,
    password_file: Option<PathBuf>,
    pk12util: PathBuf,
    certutil: PathBuf,
}

/// `~/.pki/nssdb`.
pub fn default_dir() -> PathBuf {
    dirs::home_dir().unwrap_or_default().join(".pki").join("nssdb")
}

/// Whether `dir` is a Firefox profile (`~/.mozilla/firefox/….default`, the snap's, macOS's and
/// Windows' `…/Firefox/Profiles/…`): only there is a database password Firefox's primary
/// password, and only Firefox reads it. The shared `~/.pki/nssdb` is Chromium's and Chrome's.
pub fn is_firefox_profile(dir: &Path) -> bool {
    dir.components().any(|c| c.as_os_str().to_string_lossy().eq_ignore_ascii_case("firefox"))
}

/// An executable named `name` on PATH.
fn find_tool(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
}

fn writable(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else { return false };
    // SAFETY: a valid NUL-terminated path.
    unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
}

/// The last meaningful line of a tool's error output.
fn tool_error(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    lines
        .iter()
        .rev()
        .find(|l| l.contains("SEC_ERROR") || l.contains("error"))
        .or(lines.last())
        .map_or_else(|| format!("exit status {}", out.status.code().unwrap_or(-1)), |l| l.to_string())
}

fn bad_password(out: &Output) -> bool {
    String::from_utf8_lossy(&out.stderr).contains("SEC_ERROR_BAD_PASSWORD")
}

/// Splits concatenated DER certificates (`certutil -L -r` of a nickname with several).
fn split_der(mut bytes: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while bytes.len() >= 2 && bytes[0] == 0x30 {
        let (header, len) = match bytes[1] {
            n if n < 0x80 => (2, n as usize),
            n @ 0x81..=0x84 => {
                let k = (n & 0x7f) as usize;
                if bytes.len() < 2 + k {
                    break;
                }
                (2 + k, bytes[2..2 + k].iter().fold(0usize, |acc, b| (acc << 8) | *b as usize))
            }
            _ => break,
        };
        let Some(end) = header.checked_add(len).filter(|&e| e <= bytes.len()) else { break };
        out.push(&bytes[..end]);
        bytes = &bytes[end..];
    }
    out
}

/// NSS's key id (CKA_ID) for a certificate's public key: SHA-1 of the RSA modulus without
/// leading zeros, or of the EC point. `None` for other key types.
pub fn nss_key_id(der: &[u8]) -> Option<[u8; 20]> {
    use der::Decode;
    let info = crate::certificate::x509::parse(der).ok()?;
    let public: Vec<u8> = if info.key_type == "RSA" {
        let key = pkcs1::RsaPublicKeyRef::from_der(&info.spki_key).ok()?;
        let n = key.modulus.as_bytes();
        n[n.iter().take_while(|b| **b == 0).count()..].to_vec()
    } else if info.key_type.starts_with("ECDSA") {
        info.spki_key.clone()
    } else {
        return None;
    };
    Some(sha1::Sha1::digest(&public).into())
}

/// `certutil -L`'s listing: (nickname, trust flags).
fn parse_listing(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim_end();
            let (nick, trust) = line.rsplit_once(char::is_whitespace)?;
            let is_trust =
                trust.matches(',').count() == 2 && trust.chars().all(|c| c == ',' || c.is_ascii_alphabetic());
            let nick = nick.trim_end();
            (is_trust && !nick.is_empty()).then(|| (nick.to_string(), trust.to_string()))
        })
        .collect()
}

impl NssBackend {
    pub fn new(dir: PathBuf, password_file: Option<PathBuf>) -> NssBackend {
        NssBackend {
            dir,
            password: SecretString::from(String::new()),
            password_file,
            pk12util: PathBuf::from("pk12util"),
            certutil: PathBuf::from("certutil"),
        }
    }

    fn db(&self) -> OsString {
        let mut s = OsString::from("sql:");
        s.push(&self.dir);
        s
    }

    fn exists(&self) -> bool {
        ["cert9.db", "cert8.db"].iter().any(|f| self.dir.join(f).is_file())
    }

    /// Runs `tool` with `args` and the database, handing over `handoffs`; no standard input,
    /// so a tool never waits for a prompt.
    fn run(&self, tool: &Path, args: &[&OsStr], handoffs: &[&Handoff]) -> Result<Output, Error> {
        let mut cmd = Command::new(tool);
        cmd.arg("-d")
            .arg(self.db())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        pass_to(&mut cmd, handoffs);
        cmd.output().map_err(|e| {
            Error::new(ErrorKind::StoreFailed, msg!("err-restore-tool", tool = tool.display(), reason = e))
        })
    }

    fn password_handoff(&self) -> Result<Handoff, Error> {
        Handoff::password(self.password.expose_secret()).map_err(|e| {
            Error::new(ErrorKind::InvalidInput, msg!("err-restore-nss-password-form", reason = e))
        })
    }

    /// `certutil -K`: the private keys' ids (needs the database password).
    fn key_listing(&self) -> Result<Output, Error> {
        let pw = self.password_handoff()?;
        self.run(&self.certutil, &[OsStr::new("-K"), OsStr::new("-f"), pw.path().as_os_str()], &[&pw])
    }

    /// Finds out whether the database has a password and gets it (file or `talk`; NSS has no
    /// lockout for it, so it may be asked again).
    fn log_in(&mut self, talk: &dyn Conversation) -> Result<(), Error> {
        let out = self.key_listing()?;
        if out.status.success() || !bad_password(&out) {
            return Ok(());
        }
        if let Some(path) = &self.password_file {
            self.password = crate::vault::read_secret(path)?;
            let out = self.key_listing()?;
            if out.status.success() || !bad_password(&out) {
                return Ok(());
            }
            return Err(Error::new(
                ErrorKind::WrongSecret,
                msg!("err-restore-nss-password-wrong", dir = self.dir.display()),
            ));
        }
        let needs_password = || {
            Error::new(
                ErrorKind::NoTerminal,
                if is_firefox_profile(&self.dir) {
                    msg!("err-restore-nss-needs-password", dir = self.dir.display())
                } else {
                    msg!("err-restore-nss-needs-password-db", dir = self.dir.display())
                },
            )
        };
        let question = if is_firefox_profile(&self.dir) {
            msg!("restore-nss-enter-password", dir = self.dir.display())
        } else {
            msg!("restore-nss-enter-password-db", dir = self.dir.display())
        };
        loop {
            self.password = match talk.secret(&question) {
                Ok(password) => password,
                Err(Unanswered::NoTerminal) => {
                    return Err(needs_password().with_hint(msg!("hint-restore-store-password-file")))
                }
                Err(Unanswered::Cancelled) if talk.cancel_requested() => return Err(super::interrupted()),
                Err(_) => return Err(needs_password()),
            };
            let out = self.key_listing()?;
            if out.status.success() || !bad_password(&out) {
                return Ok(());
            }
            talk.tell(Level::Warning, msg!("restore-nss-password-retry"));
        }
    }

    /// Creates the database (empty password) when there is none.
    fn ensure_database(&mut self, talk: &dyn Conversation) -> Result<(), Error> {
        if self.exists() {
            return Ok(());
        }
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
            .map_err(|e| io_error(&self.dir, &e))?;
        let out = self.run(&self.certutil, &[OsStr::new("-N"), OsStr::new("--empty-password")], &[])?;
        if !out.status.success() {
            return Err(Error::new(
                ErrorKind::StoreFailed,
                msg!("err-restore-nss-create", dir = self.dir.display(), reason = tool_error(&out)),
            ));
        }
        talk.tell(Level::Info, msg!("restore-nss-created", dir = self.dir.display()));
        Ok(())
    }

    /// The nicknames of the database's user certificates (trust `u`: those with a key).
    fn user_nicknames(&self) -> Result<Vec<String>, Error> {
        let out = self.run(&self.certutil, &[OsStr::new("-L")], &[])?;
        if !out.status.success() {
            return Err(Error::new(
                ErrorKind::StoreFailed,
                msg!("err-restore-nss-read", dir = self.dir.display(), reason = tool_error(&out)),
            ));
        }
        let mut nicknames: Vec<String> = parse_listing(&String::from_utf8_lossy(&out.stdout))
            .into_iter()
            .filter(|(_, trust)| trust.contains('u'))
            .map(|(n, _)| n)
            .collect();
        nicknames.dedup();
        Ok(nicknames)
    }

    /// The DER of every certificate under `nickname`.
    fn certificates_named(&self, nickname: &str) -> Result<Vec<Vec<u8>>, Error> {
        let out = self.run(
            &self.certutil,
            &[OsStr::new("-L"), OsStr::new("-n"), OsStr::new(nickname), OsStr::new("-r")],
            &[],
        )?;
        if !out.status.success() {
            return Ok(Vec::new());
        }
        Ok(split_der(&out.stdout).into_iter().map(<[u8]>::to_vec).collect())
    }

    /// Adds the CA root with trust for TLS servers ("C,,"). An existing copy (pk12util also
    /// imports the CA, untrusted) keeps its nickname and gets the trust.
    fn trust_root(&self, root: &super::RootCa) -> Result<(), Error> {
        let cert = Handoff::file(&root.der).map_err(memfd_error)?;
        let pw = self.password_handoff()?;
        let name = root
            .subject
            .split(", ")
            .find_map(|part| part.strip_prefix("CN="))
            .map(str::to_string)
            .unwrap_or_else(|| format!("CA {}", colon_hex(&root.sha1[..4])));
        let args = [
            OsStr::new("-A"),
            OsStr::new("-n"),
            OsStr::new(&name),
            OsStr::new("-t"),
            OsStr::new("C,,"),
            OsStr::new("-i"),
            cert.path().as_os_str(),
            OsStr::new("-f"),
            pw.path().as_os_str(),
        ];
        let out = self.run(&self.certutil, &args, &[&cert, &pw])?;
        if !out.status.success() {
            return Err(Error::new(
                ErrorKind::StoreFailed,
                msg!("err-restore-nss-root", dir = self.dir.display(), reason = tool_error(&out)),
            ));
        }
        Ok(())
    }

    /// Trust flags of the certificate with `sha1`, if it is in the database.
    fn trust_of(&self, sha1: &[u8; 20]) -> Result<Option<String>, Error> {
        let out = self.run(&self.certutil, &[OsStr::new("-L")], &[])?;
        for (nick, trust) in parse_listing(&String::from_utf8_lossy(&out.stdout)) {
            for der in self.certificates_named(&nick)? {
                if <[u8; 20]>::from(sha1::Sha1::digest(&der)) == *sha1 {
                    return Ok(Some(trust));
                }
            }
        }
        Ok(None)
    }
}

impl Backend for NssBackend {
    fn describe(&self) -> String {
        format!("nss:{}", self.dir.display())
    }

    fn check(&mut self, talk: &dyn Conversation) -> Result<(), Error> {
        let missing = |tool: &str| {
            Error::new(ErrorKind::Unsupported, msg!("err-restore-nss-tools", tool = tool))
                .with_hint(msg!("hint-restore-nss-tools"))
        };
        self.pk12util = find_tool("pk12util").ok_or_else(|| missing("pk12util"))?;
        self.certutil = find_tool("certutil").ok_or_else(|| missing("certutil"))?;
        if self.exists() {
            for f in [self.dir.clone(), self.dir.join("cert9.db"), self.dir.join("key4.db")] {
                if f.exists() && !writable(&f) {
                    return Err(read_only(&self.describe(), &f));
                }
            }
            self.log_in(talk)?;
        } else {
            let mut ancestor = self.dir.as_path();
            while !ancestor.exists() {
                match ancestor.parent() {
                    Some(p) if !p.as_os_str().is_empty() => ancestor = p,
                    _ => break,
                }
            }
            if ancestor.exists() && !writable(ancestor) {
                return Err(read_only(&self.describe(), ancestor));
            }
        }
        Ok(())
    }

    fn lookup(&mut self, sha1: &[u8; 20]) -> Result<Presence, Error> {
        if !self.exists() {
            return Ok(Presence::Absent);
        }
        let nicknames = self.user_nicknames()?;
        for nick in nicknames {
            for der in self.certificates_named(&nick)? {
                if <[u8; 20]>::from(sha1::Sha1::digest(&der)) != *sha1 {
                    continue;
                }
                let Some(id) = nss_key_id(&der) else {
                    // Listed as a user certificate ("u"): NSS holds its key.
                    return Ok(Presence::WithKey);
                };
                let keys = self.key_listing()?;
                let listing = String::from_utf8_lossy(&keys.stdout).to_lowercase();
                let id_hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
                return Ok(if listing.contains(&id_hex) {
                    Presence::WithKey
                } else {
                    Presence::CertificateOnly
                });
            }
        }
        Ok(Presence::Absent)
    }

    fn install(
        &mut self,
        item: &InstallItem<'_>,
        pin: Option<&VerifiedPin>,
        talk: &dyn Conversation,
    ) -> Result<(), Error> {
        let pin = pin.ok_or_else(|| super::no_verified_pin("pk12util"))?;
        if pin.form() == PasswordForm::ByteWise {
            // OpenSSL 1.x's encoding of a non-ASCII password: NSS only knows the standard one.
            return Err(Error::new(
                ErrorKind::Unsupported,
                msg!("err-restore-nss-pin-encoding", id = item.entry.id),
            )
            .with_hint(msg!("hint-restore-file-target")));
        }
        self.ensure_database(talk)?;
        let p12 = Handoff::file(item.p12).map_err(memfd_error)?;
        let pin_pipe = Handoff::password(pin.expose()).map_err(|e| {
            Error::new(ErrorKind::InvalidInput, msg!("err-restore-nss-password-form", reason = e))
        })?;
        let db_pipe = self.password_handoff()?;
        let args = [
            OsStr::new("-i"),
            p12.path().as_os_str(),
            OsStr::new("-w"),
            pin_pipe.path().as_os_str(),
            OsStr::new("-k"),
            db_pipe.path().as_os_str(),
        ];
        let out = self.run(&self.pk12util, &args, &[&p12, &pin_pipe, &db_pipe])?;
        drop((p12, pin_pipe, db_pipe));
        if !out.status.success() {
            return Err(Error::new(
                ErrorKind::StoreFailed,
                msg!("err-restore-nss-import", dir = self.dir.display(), reason = tool_error(&out)),
            ));
        }
        if let Some(root) = &item.root {
            self.trust_root(root)?;
        }
        Ok(())
    }

    fn verify(&mut self, item: &InstallItem<'_>) -> Result<Vec<Message>, Error> {
        let sha1 = colon_hex(&item.leaf_sha1);
        super::verify_presence(&self.describe(), &item.leaf_sha1, self.lookup(&item.leaf_sha1)?)?;
        let mut notes = vec![msg!("restore-verified-key", sha1 = sha1)];
        if let Some(root) = &item.root {
            match self.trust_of(&root.sha1)? {
                // The SSL field carries C: a trusted CA for servers' certificates.
                Some(trust) if trust.split(',').next().is_some_and(|ssl| ssl.contains('C')) => {
                    notes.push(msg!("restore-verified-root", sha1 = colon_hex(&root.sha1)))
                }
                _ => {
                    return Err(Error::new(
                        ErrorKind::StoreFailed,
                        msg!(
                            "err-restore-verify-root",
                            store = self.describe(),
                            sha1 = colon_hex(&root.sha1)
                        ),
                    ))
                }
            }
        }
        Ok(notes)
    }

    fn next_steps(&self) -> Vec<Message> {
        let restart =
            if is_firefox_profile(&self.dir) { "restore-next-nss-firefox" } else { "restore-next-nss" };
        vec![msg!(restart, dir = self.dir.display()), msg!("restore-next-test-connection")]
    }
}

/// `certvault rescue --from nss:DIR`: the user certificates whose key is in the database, and
/// `pk12util -o` writing the chosen one (with its chain) into an anonymous memory file that is
/// read back, the password and the database's password through pipes.
impl crate::rescue::ExportStore for NssBackend {
    fn describe(&self) -> String {
        Backend::describe(self)
    }

    fn check(&mut self, talk: &dyn Conversation) -> Result<(), Error> {
        let missing = |tool: &str| {
            Error::new(ErrorKind::Unsupported, msg!("err-restore-nss-tools", tool = tool))
                .with_hint(msg!("hint-restore-nss-tools"))
        };
        self.pk12util = find_tool("pk12util").ok_or_else(|| missing("pk12util"))?;
        self.certutil = find_tool("certutil").ok_or_else(|| missing("certutil"))?;
        if !self.exists() {
            return Err(Error::new(
                ErrorKind::NotFound,
                msg!("err-rescue-nss-no-database", dir = self.dir.display()),
            ));
        }
        self.log_in(talk)
    }

    fn identities(&mut self) -> Result<Vec<crate::rescue::StoreIdentity>, Error> {
        let nicknames = self.user_nicknames()?;
        let keys = self.key_listing()?;
        let key_listing = String::from_utf8_lossy(&keys.stdout).to_lowercase();
        let mut found = Vec::new();
        for nick in nicknames {
            for der in self.certificates_named(&nick)? {
                let has_key = match nss_key_id(&der) {
                    Some(id) => key_listing.contains(&crate::certificate::x509::lower_hex(&id)),
                    // Listed as a user certificate ("u"): NSS holds its key.
                    None => true,
                };
                if has_key {
                    // NSS soft-token keys can always be exported again (pk12util).
                    found.push(crate::rescue::StoreIdentity {
                        name: nick.clone(),
                        der,
                        exportable: Some(true),
                    });
                }
            }
        }
        Ok(found)
    }

    fn export(
        &mut self,
        identity: &crate::rescue::StoreIdentity,
        password: &SecretString,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, crate::rescue::ExportError> {
        let output = Handoff::output().map_err(memfd_error)?;
        let pw = Handoff::password(password.expose_secret()).map_err(|e| {
            Error::new(ErrorKind::InvalidInput, msg!("err-restore-nss-password-form", reason = e))
        })?;
        let db_pipe = self.password_handoff()?;
        let args = [
            OsStr::new("-o"),
            output.path().as_os_str(),
            OsStr::new("-n"),
            OsStr::new(&identity.name),
            OsStr::new("-w"),
            pw.path().as_os_str(),
            OsStr::new("-k"),
            db_pipe.path().as_os_str(),
        ];
        let out = self.run(&self.pk12util, &args, &[&output, &pw, &db_pipe])?;
        if !out.status.success() {
            let text = String::from_utf8_lossy(&out.stderr);
            // A key NSS keeps on a token that does not give it out (a smart card).
            if text.contains("SEC_ERROR_PKCS12_UNABLE_TO_EXPORT_KEY")
                || text.contains("SEC_ERROR_BAD_EXPORT_ALGORITHM")
            {
                return Err(crate::rescue::ExportError::NotExportable);
            }
            return Err(Error::new(
                ErrorKind::StoreFailed,
                msg!("err-rescue-nss-export", dir = self.dir.display(), reason = tool_error(&out)),
            )
            .into());
        }
        output.read_back(crate::pkcs12::MAX_FILE_SIZE).map_err(|e| memfd_error(e).into())
    }
}

fn memfd_error(e: std::io::Error) -> Error {
    Error::new(ErrorKind::StoreFailed, msg!("err-restore-tool", tool = "memfd", reason = e))
}

fn read_only(store: &str, file: &Path) -> Error {
    Error::new(ErrorKind::Refused, msg!("err-restore-store-read-only", store = store, file = file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_firefox_profile_is_named_firefox() {
        for yes in [
            "/home/sakura/.mozilla/firefox/abcd1234.default-release",
            "/home/sakura/snap/firefox/common/.mozilla/firefox/x.default",
            "/Users/sakura/Library/Application Support/Firefox/Profiles/x.default",
        ] {
            assert!(is_firefox_profile(Path::new(yes)), "{yes}");
        }
        for no in ["/home/sakura/.pki/nssdb", "/home/sakura/.thunderbird/x.default", "/tmp/firefoxish"] {
            assert!(!is_firefox_profile(Path::new(no)), "{no}");
        }
    }

    #[test]
    fn listing_lines_parse() {
        let text = "\nCertificate Nickname                                         Trust Attributes\n                                                             SSL,S/MIME,JAR/XPI\n\ncertvault test                                               u,u,u\nオンライン請求 (TEST) - certvault test ,,   \nRoot CA                                                      CT,C,C\n";
        assert_eq!(
            parse_listing(text),
            vec![
                ("certvault test".to_string(), "u,u,u".to_string()),
                ("オンライン請求 (TEST) - certvault test".to_string(), ",,".to_string()),
                ("Root CA".to_string(), "CT,C,C".to_string()),
            ]
        );
    }

    #[test]
    fn concatenated_der_splits() {
        let a = [0x30, 0x03, 1, 2, 3];
        let mut b = vec![0x30, 0x81, 0x80];
        b.extend(std::iter::repeat_n(7u8, 0x80));
        let all: Vec<u8> = a.iter().copied().chain(b.iter().copied()).collect();
        let parts = split_der(&all);
        assert_eq!(parts, vec![&a[..], &b[..]]);
        assert!(split_der(&[0x30, 0x05, 1]).is_empty());
    }
}
