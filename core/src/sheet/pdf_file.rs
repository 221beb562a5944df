//! The sheet's PDF on this computer (issue 16, item 4): with the stick it opens everything, so
//! it is proposed only in a folder that stays on this computer (not one a cloud service copies
//! away), can be sent straight to the printer, and is removed once printed when the user asks.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{io_error, Error, ErrorKind};
use crate::msg;

/// Folder names of the services that copy a folder off the computer.
const SYNCED: &[&str] = &[
    "onedrive",
    "dropbox",
    "google drive",
    "googledrive",
    "my drive",
    "icloud drive",
    "iclouddrive",
    "mobile documents",
    "box",
    "box sync",
];

/// Whether `path` lies in a folder a cloud service copies off this computer (OneDrive, which
/// Windows often puts Documents and the Desktop under, Dropbox, Google Drive, iCloud Drive,
/// Box): by name, and on Windows by the folders OneDrive says it syncs.
pub fn is_synced_folder(path: &Path) -> bool {
    let by_name = path.components().any(|c| {
        let name = c.as_os_str().to_string_lossy().to_lowercase();
        SYNCED.iter().any(|s| name == *s || (s.starts_with("onedrive") && name.starts_with("onedrive")))
    });
    by_name
        || ["OneDrive", "OneDriveCommercial", "OneDriveConsumer"]
            .iter()
            .filter_map(std::env::var_os)
            .filter(|v| !v.is_empty())
            .any(|root| path.starts_with(PathBuf::from(root)))
}

/// A folder for the PDF that the user can find again and that stays on this computer: the
/// first of Documents, the Desktop, Downloads and home that is not synced. `None` when every
/// one is (the front-end then asks where).
pub fn local_sheet_folder() -> Option<PathBuf> {
    let home = dirs::home_dir();
    [
        dirs::document_dir(),
        home.as_ref().map(|h| h.join("Documents")),
        dirs::desktop_dir(),
        home.as_ref().map(|h| h.join("Desktop")),
        dirs::download_dir(),
        home.clone(),
    ]
    .into_iter()
    .flatten()
    .find(|d| d.is_dir() && !is_synced_folder(d))
}

/// Sends the PDF to the default printer: `lp` on Linux and macOS (CUPS), the shell's "print"
/// verb on Windows (the PDF reader prints it). Returns once the job is handed over.
pub fn print_pdf(path: &Path) -> Result<(), Error> {
    let failed = |reason: String| {
        Error::new(ErrorKind::Io, msg!("err-print", file = path.display(), reason = reason))
            .with_hint(msg!("hint-print"))
    };
    #[cfg(unix)]
    {
        let out = std::process::Command::new("lp")
            .arg("--")
            .arg(path)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| failed(e.to_string()))?;
        if !out.status.success() {
            return Err(failed(String::from_utf8_lossy(&out.stderr).trim().to_string()));
        }
        Ok(())
    }
    #[cfg(windows)]
    {
        use std::os::windows::ffi::OsStrExt;
        use windows_sys::Win32::UI::Shell::ShellExecuteW;
        let wide = |s: &std::ffi::OsStr| s.encode_wide().chain(Some(0)).collect::<Vec<u16>>();
        let verb = wide(std::ffi::OsStr::new("print"));
        let file = wide(path.as_os_str());
        // SAFETY: NUL-terminated UTF-16 strings that outlive the call; no parent window.
        let result = unsafe {
            ShellExecuteW(
                std::ptr::null_mut(),
                verb.as_ptr(),
                file.as_ptr(),
                std::ptr::null(),
                std::ptr::null(),
                0,
            )
        };
        // ShellExecute returns a value above 32 on success.
        if (result as isize) <= 32 {
            return Err(failed(format!("ShellExecute {}", result as isize)));
        }
        Ok(())
    }
    #[cfg(not(any(unix, windows)))]
    {
        Err(failed("no printing on this system".into()))
    }
}

/// Removes a sheet PDF once printed: its bytes overwritten with zeros and synced first (which
/// helps on a plain disk, not on an SSD's spare blocks or in a snapshot), then the file.
pub fn remove_sheet_pdf(path: &Path) -> Result<(), Error> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| io_error(path, &e))?;
    if !meta.is_file() {
        return Err(Error::new(ErrorKind::Refused, msg!("err-sheet-not-file", file = path.display())));
    }
    let overwrite = || -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
        let zeros = vec![0u8; 64 * 1024];
        let mut left = meta.len();
        while left > 0 {
            let n = left.min(zeros.len() as u64) as usize;
            f.write_all(&zeros[..n])?;
            left -= n as u64;
        }
        f.sync_all()
    };
    overwrite().map_err(|e| io_error(path, &e))?;
    std::fs::remove_file(path).map_err(|e| io_error(path, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synced_folders_are_known_by_name() {
        for synced in [
            "C:/Users/sakura/OneDrive/Documents",
            "C:/Users/sakura/OneDrive - さくら歯科/デスクトップ",
            "/Users/sakura/Library/Mobile Documents/com~apple~CloudDocs",
            "/home/sakura/Dropbox",
            "G:/My Drive",
        ] {
            assert!(is_synced_folder(Path::new(synced)), "{synced}");
        }
        for local in ["C:/Users/sakura/Documents", "/home/sakura/Documents", "/home/sakura/boxes"] {
            assert!(!is_synced_folder(Path::new(local)), "{local}");
        }
    }

    #[test]
    fn a_printed_sheet_is_overwritten_and_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let pdf = tmp.path().join("sheet.pdf");
        std::fs::write(&pdf, b"%PDF-1.7 recovery code").unwrap();
        remove_sheet_pdf(&pdf).unwrap();
        assert!(!pdf.exists());
        assert!(remove_sheet_pdf(&pdf).is_err(), "nothing to remove is an error");
        assert!(remove_sheet_pdf(tmp.path()).is_err(), "a folder is never removed");
    }
}
