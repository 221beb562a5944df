//! `--to file:PATH`: writes the original `.p12`, as sealed, for a vendor who installs it with
//! their own tool (readable by the user only; never overwrites). Needs no PIN. PATH may be an
//! existing folder, then the file keeps its original name there.

use std::path::{Path, PathBuf};

use super::{Backend, InstallItem, Presence, VerifiedPin};
use crate::error::CliError;
use crate::t;

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
            // A base name only: the manifest's name never carries folders, but do not trust it.
            let name = Path::new(&item.entry.original_file_name)
                .file_name()
                .map(|n| n.to_os_string())
                .unwrap_or_else(|| format!("{}.p12", item.entry.id).into());
            self.path.join(name)
        } else {
            self.path.clone()
        }
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

    fn check(&mut self) -> Result<(), CliError> {
        let parent = match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !self.path.is_dir() && !parent.is_dir() {
            return Err(CliError::new(t!("err-restore-file-folder", dir = parent.display())));
        }
        Ok(())
    }

    fn lookup(&mut self, _sha1: &[u8; 20]) -> Result<Presence, CliError> {
        // Decided per file in `install`, where the entry's bytes are known.
        Ok(Presence::Absent)
    }

    fn install(&mut self, item: &InstallItem<'_>, _pin: Option<&VerifiedPin>) -> Result<(), CliError> {
        let dest = self.destination(item);
        if dest.exists() {
            if std::fs::read(&dest).ok().as_deref() == Some(item.p12) {
                eprintln!("{}", t!("restore-file-same", file = dest.display()));
                self.written.push(dest);
                return Ok(());
            }
            return Err(CliError::new(t!("err-exists", file = dest.display())));
        }
        crate::vault_commands::write_private_file(&dest, item.p12)?;
        self.written.push(dest);
        Ok(())
    }

    fn verify(&mut self, item: &InstallItem<'_>) -> Result<Vec<String>, CliError> {
        let dest = self.written.last().cloned().unwrap_or_else(|| self.destination(item));
        let back = std::fs::read(&dest).map_err(|e| crate::vault::io_error(&dest, &e))?;
        if vault_format::sha256_hex(&back) != item.entry.sha256 {
            return Err(CliError::new(t!("err-restore-file-differs", file = dest.display())));
        }
        Ok(vec![t!("restore-file-verified", file = dest.display())])
    }

    fn next_steps(&self) -> Vec<String> {
        vec![t!("restore-next-file-vendor"), t!("export-clean-reminder")]
    }
}
