//! Reading secrets: a no-echo prompt on a terminal, or a file named by a `*-file` flag
//! (`-` = standard input). Never argv, never environment variables.

use std::io::{IsTerminal, Read};
use std::path::Path;

use secrecy::SecretString;
use zeroize::Zeroizing;

/// Secrets are short; a larger "PIN file" is the wrong file.
const MAX_SECRET_FILE: u64 = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum SecretInputError {
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
    #[error("no terminal")]
    NoTerminal,
    #[error("terminal: {0}")]
    Terminal(std::io::Error),
}

/// What Windows Notepad writes at the start of a file it saves as UTF-8 (U+FEFF).
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads a secret from `path` (`-` = stdin). One trailing newline (LF or CRLF) is removed, as
/// editors and `echo` add one, and a UTF-8 byte-order mark at the start, as Notepad writes one;
/// other whitespace is kept because it may be part of a password.
pub fn read_secret_file(path: &Path) -> Result<SecretString, SecretInputError> {
    let shown = path.display().to_string();
    let mut raw = Zeroizing::new(Vec::new());
    let result = if path == Path::new("-") {
        std::io::stdin().lock().take(MAX_SECRET_FILE + 1).read_to_end(&mut raw)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_SECRET_FILE + 1).read_to_end(&mut raw))
    };
    result.map_err(|e| SecretInputError::File { path: shown.clone(), reason: e.to_string() })?;
    if raw.len() as u64 > MAX_SECRET_FILE {
        return Err(SecretInputError::File { path: shown, reason: "larger than any secret (64 KiB)".into() });
    }
    let mut body: &[u8] = &raw;
    body = body.strip_prefix(UTF8_BOM).unwrap_or(body);
    if let Some(line) = body.strip_suffix(b"\n") {
        body = line.strip_suffix(b"\r").unwrap_or(line);
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| SecretInputError::File { path: shown.clone(), reason: "not UTF-8 text".into() })?;
    let secret = SecretString::from(text.to_string());
    crate::hardening::debug_panic_point("secret-read");
    Ok(secret)
}

pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// Asks on the terminal without echo. Fails with `NoTerminal` when there is none, so scripts
/// get an error that names the `*-file` flag instead of a hang.
pub fn prompt_secret(prompt: &str) -> Result<SecretString, SecretInputError> {
    if !stdin_is_terminal() {
        return Err(SecretInputError::NoTerminal);
    }
    let mut answer = match rpassword::prompt_password(format!("{prompt} ")) {
        Ok(answer) => Zeroizing::new(answer),
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
            // Ctrl-C: rpassword has raised SIGINT itself, and the interrupt handler (or the
            // default action) ends the process. Returning now would race it with an error of
            // our own ("no terminal"), so give it the time it needs.
            std::thread::sleep(std::time::Duration::from_secs(5));
            return Err(SecretInputError::Terminal(e));
        }
        Err(e) => return Err(SecretInputError::Terminal(e)),
    };
    // Moved, not copied: the only plain String that held it is now empty.
    let secret = SecretString::from(std::mem::take(&mut *answer));
    crate::hardening::debug_panic_point("secret-read");
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn one_trailing_newline_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        for (content, expected) in [
            (&b"4821\n"[..], "4821"),
            (b"4821\r\n", "4821"),
            (b"4821", "4821"),
            (b" pass word \n\n", " pass word \n"),
            (b"\xEF\xBB\xBF4821\r\n", "4821"),
            (b"\xEF\xBB\xBF\xEF\xBB\xBF4821", "\u{FEFF}4821"),
            (b"48\xEF\xBB\xBF21", "48\u{FEFF}21"),
        ] {
            let p = dir.path().join("pin");
            std::fs::write(&p, content).unwrap();
            assert_eq!(read_secret_file(&p).unwrap().expose_secret(), expected);
        }
    }

    #[test]
    fn missing_file_is_an_error_naming_it() {
        let err = read_secret_file(Path::new("/nonexistent/pin.txt")).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/pin.txt"));
    }
}
