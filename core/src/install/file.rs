//! `--to file:PATH`: writes the original `.p12`, as sealed, for a vendor who installs it with
//! their own tool (readable by the user only; never overwrites). Needs no PIN. PATH may be an
//! existing folder, then the file keeps its original name there (kept to a safe set). Never
//! inside a vault folder, and only bytes that are a PKCS#12 file.

use std::path::{Path, PathBuf};

use super::{Backend, InstallItem, Presence, VerifiedPin};
use crate::conversation::{Conversation, Level};
use crate::error::{io_error, Error, ErrorKind};
use crate::message::Message;
use crate::msg;

pub struct FileBackend {
    path: PathBuf,
    /// The file written (or found) for the current entry.
    written: Vec<PathBuf>,
}

impl FileBackend {
    pub fn new(path: PathBuf) -> FileBackend {
        FileBackend { path, written: Vec::new() }
    }

    fn destination(&self, item: &InstallItem<'_>) -> PathBuf {
        if self.path.is_dir() {
            self.path.join(safe_file_name(&item.entry.original_file_name, &item.entry.id))
        } else {
            self.path.clone()
        }
    }
}

/// The original file name, kept to a safe set, since a hostile vault chooses it: a base name
/// only, letters (any script), digits, spaces and `-_.()[]+,@` (anything else becomes `_`),
/// no leading dot (no hidden `.bash_login`), no trailing dot or space, not a Windows device
/// name, at most 120 characters, and ending in `.p12` or `.pfx` (`.p12` is added otherwise).
/// `ID.p12` when nothing is left.
pub fn safe_file_name(original: &str, id: &str) -> String {
    let base = original.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut name: String = base
        .chars()
        .map(|c| match c {
            c if c.is_alphanumeric() => c,
            ' ' | '-' | '_' | '.' | '(' | ')' | '[' | ']' | '+' | ',' | '@' => c,
            _ => '_',
        })
        .take(120)
        .collect();
    name = name.trim_start_matches(['.', ' ']).trim_end_matches(['.', ' ']).to_string();
    let lower = name.to_lowercase();
    if !(lower.ends_with(".p12") || lower.ends_with(".pfx")) {
        name.push_str(".p12");
    }
    let stem = name.split('.').next().unwrap_or_default().trim_end().to_ascii_uppercase();
    let device = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.as_bytes()[3].is_ascii_digit());
    if stem.is_empty() || device {
        return format!("{id}.p12");
    }
    name
}

/// The vault folder that a file written at `dest` would lie in (its own folder or one above
/// it): `vault_dir`, or any folder holding a vault's `vault.json`. A plaintext certificate
/// must never land on the stick next to the vault.
pub fn vault_folder_holding(dest: &Path, vault_dir: Option<&Path>) -> Option<PathBuf> {
    let parent = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let folder = nearest_canonical(parent)?;
    let vault = vault_dir.and_then(nearest_canonical);
    folder
        .ancestors()
        .find(|a| {
            vault.as_deref() == Some(*a)
                || std::fs::symlink_metadata(a.join(vault_format::HEADER_FILE_NAME))
                    .is_ok_and(|m| m.is_file())
        })
        .map(Path::to_path_buf)
}

/// The canonical form of `path`, or of its nearest existing ancestor.
fn nearest_canonical(path: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(path).ok()?;
    absolute.ancestors().find_map(|a| crate::scan::canonical(a).ok())
}

/// Refuses to write a certificate file at `dest` inside a vault folder.
pub fn refuse_inside_vault(dest: &Path, vault_dir: Option<&Path>) -> Result<(), Error> {
    match vault_folder_holding(dest, vault_dir) {
        Some(dir) => Err(Error::new(
            ErrorKind::Refused,
            msg!("err-p12-out-inside-vault", file = dest.display(), dir = dir.display()),
        )),
        None => Ok(()),
    }
}

impl Backend for FileBackend {
    fn describe(&self) -> String {
        format!("file:{}", self.path.display())
    }

    fn needs_pin(&self) -> bool {
        false
    }

    fn trusts_roots(&self) -> bool {
        false
    }

    fn check(&mut self, _talk: &dyn Conversation) -> Result<(), Error> {
        let parent = match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !self.path.is_dir() && !parent.is_dir() {
            return Err(Error::new(
                ErrorKind::NotFound,
                msg!("err-restore-file-folder", dir = parent.display()),
            ));
        }
        let dest = if self.path.is_dir() { self.path.join("certificate.p12") } else { self.path.clone() };
        refuse_inside_vault(&dest, None)
    }

    fn lookup(&mut self, _sha1: &[u8; 20]) -> Result<Presence, Error> {
        // Decided per file in `install`, where the entry's bytes are known.
        Ok(Presence::Absent)
    }

    fn install(
        &mut self,
        item: &InstallItem<'_>,
        _pin: Option<&VerifiedPin>,
        talk: &dyn Conversation,
    ) -> Result<(), Error> {
        // A hostile vault may hold anything under an entry: only a PKCS#12 file is written.
        crate::pkcs12::Pkcs12File::parse(item.p12).map_err(|e| {
            Error::new(
                ErrorKind::InvalidInput,
                msg!("err-restore-not-pkcs12", id = item.entry.id, detail = e),
            )
        })?;
        let dest = self.destination(item);
        refuse_inside_vault(&dest, None)?;
        if dest.exists() {
            if std::fs::read(&dest).ok().as_deref() == Some(item.p12) {
                talk.tell(Level::Info, msg!("restore-file-same", file = dest.display()));
                self.written.push(dest);
                return Ok(());
            }
            return Err(Error::new(ErrorKind::Refused, msg!("err-exists", file = dest.display())));
        }
        crate::vault::write_private_file(&dest, item.p12)?;
        self.written.push(dest);
        Ok(())
    }

    fn verify(&mut self, item: &InstallItem<'_>) -> Result<Vec<Message>, Error> {
        let dest = self.written.last().cloned().unwrap_or_else(|| self.destination(item));
        let back = std::fs::read(&dest).map_err(|e| io_error(&dest, &e))?;
        if vault_format::sha256_hex(&back) != item.entry.sha256 {
            return Err(Error::new(
                ErrorKind::StoreFailed,
                msg!("err-restore-file-differs", file = dest.display()),
            ));
        }
        Ok(vec![msg!("restore-file-verified", file = dest.display())])
    }

    fn next_steps(&self) -> Vec<Message> {
        vec![msg!("restore-next-file-vendor"), msg!("export-clean-reminder")]
    }
}

#[cfg(test)]
mod tests {
    use super::safe_file_name;

    #[test]
    fn original_names_are_kept_to_a_safe_set() {
        assert_eq!(safe_file_name("202101010000777.p12", "abc"), "202101010000777.p12");
        assert_eq!(safe_file_name("証明書 (1).PFX", "abc"), "証明書 (1).PFX");
        assert_eq!(safe_file_name(".bash_login", "abc"), "bash_login.p12");
        assert_eq!(safe_file_name("..\\..\\x.p12", "abc"), "x.p12");
        assert_eq!(safe_file_name("a\u{202e}gpj.exe", "abc"), "a_gpj.exe.p12");
        assert_eq!(safe_file_name("a\u{1b}[31m.p12", "abc"), "a_[31m.p12");
        assert_eq!(safe_file_name("cert.p12. ", "abc"), "cert.p12");
        assert_eq!(safe_file_name("CON.p12", "abc"), "abc.p12");
        assert_eq!(safe_file_name("lpt1", "abc"), "abc.p12");
        assert_eq!(safe_file_name("...", "abc"), "abc.p12");
        assert_eq!(safe_file_name("", "abc"), "abc.p12");
    }
}
