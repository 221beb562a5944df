//! Reading a secret from a file named by a `*-file` flag (`-` = standard input). Secrets never
//! come from argv or environment variables; asking on a terminal is the front-end's part.

use std::io::Read;
use std::path::Path;

use secrecy::SecretString;
use zeroize::Zeroizing;

use crate::message::Message;
use crate::msg;

/// Secrets are short; a larger "PIN file" is the wrong file.
const MAX_SECRET_FILE: u64 = 64 * 1024;

/// What Windows Notepad writes at the start of a file it saves as UTF-8 (U+FEFF).
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads a secret from `path` (`-` = stdin). One trailing newline (LF or CRLF) is removed, as
/// editors and `echo` add one, and a UTF-8 byte-order mark at the start, as Notepad writes one;
/// other whitespace is kept because it may be part of a password. The error is the reason only
/// (the caller names the file and what it was for).
pub fn read_secret_file(path: &Path) -> Result<SecretString, Message> {
    let mut raw = Zeroizing::new(Vec::new());
    // Standard input is where `--pin-file -` says the secret is: reading it is not asking.
    #[allow(clippy::disallowed_methods)]
    let result = if path == Path::new("-") {
        std::io::stdin().lock().take(MAX_SECRET_FILE + 1).read_to_end(&mut raw)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_SECRET_FILE + 1).read_to_end(&mut raw))
    };
    result.map_err(|e| msg!("reason-os", reason = e))?;
    if raw.len() as u64 > MAX_SECRET_FILE {
        return Err(msg!("reason-secret-too-large"));
    }
    let mut body: &[u8] = &raw;
    body = body.strip_prefix(UTF8_BOM).unwrap_or(body);
    if let Some(line) = body.strip_suffix(b"\n") {
        body = line.strip_suffix(b"\r").unwrap_or(line);
    }
    let text = std::str::from_utf8(body).map_err(|_| msg!("reason-not-utf8"))?;
    let secret = SecretString::from(text.to_string());
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
    fn a_missing_or_oversized_file_is_an_error() {
        assert_eq!(read_secret_file(Path::new("/nonexistent/pin.txt")).unwrap_err().id, "reason-os");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big");
        std::fs::write(&p, vec![b'1'; 70 * 1024]).unwrap();
        assert_eq!(read_secret_file(&p).unwrap_err().id, "reason-secret-too-large");
    }
}
