//! The byte strings a PIN turns into (RFC 7292 appendix B.1).

use zeroize::Zeroizing;

/// How a password was encoded when the file was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PasswordForm {
    /// UTF-16BE (BMPString) plus two zero bytes: what the RFC says, and what nearly all use.
    Bmp,
    /// No password at all: the empty byte string (Windows and Java "no password" exports).
    Absent,
    /// Each UTF-8 byte widened to 16 bits, as OpenSSL 1.x did for non-ASCII passwords.
    ByteWise,
}

/// A password candidate in the encodings the two key-derivation families need.
pub struct Password {
    form: PasswordForm,
    /// For PBES2/PBKDF2: the UTF-8 bytes (empty for `Absent`).
    utf8: Zeroizing<Vec<u8>>,
    /// For the PKCS#12 KDF (MAC and PBES1).
    pkcs12: Zeroizing<Vec<u8>>,
}

impl Password {
    pub fn new(pin: &str, form: PasswordForm) -> Self {
        let utf8 = Zeroizing::new(match form {
            PasswordForm::Absent => Vec::new(),
            _ => pin.as_bytes().to_vec(),
        });
        let pkcs12 = Zeroizing::new(match form {
            PasswordForm::Absent => Vec::new(),
            PasswordForm::Bmp => {
                let mut v = Vec::with_capacity(pin.len() * 2 + 2);
                for unit in pin.encode_utf16() {
                    v.extend_from_slice(&unit.to_be_bytes());
                }
                v.extend_from_slice(&[0, 0]);
                v
            }
            PasswordForm::ByteWise => {
                let mut v = Vec::with_capacity(pin.len() * 2 + 2);
                for b in pin.bytes() {
                    v.extend_from_slice(&[0, b]);
                }
                v.extend_from_slice(&[0, 0]);
                v
            }
        });
        Password { form, utf8, pkcs12 }
    }

    /// Every encoding worth trying for `pin`, most likely first. An empty PIN may mean an
    /// empty password or none at all; a non-ASCII one may come from OpenSSL 1.x.
    pub fn candidates(pin: &str) -> Vec<Password> {
        let mut v = vec![Password::new(pin, PasswordForm::Bmp)];
        if pin.is_empty() {
            v.push(Password::new(pin, PasswordForm::Absent));
        } else if !pin.is_ascii() {
            v.push(Password::new(pin, PasswordForm::ByteWise));
        }
        v
    }

    pub fn form(&self) -> PasswordForm {
        self.form
    }

    pub fn utf8_bytes(&self) -> &[u8] {
        &self.utf8
    }

    pub fn pkcs12_bytes(&self) -> &[u8] {
        &self.pkcs12
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_follow_rfc7292() {
        // RFC 7292 B.1: "Beavis" -> 00 42 00 65 00 61 00 76 00 69 00 73 00 00
        let p = Password::new("Beavis", PasswordForm::Bmp);
        assert_eq!(p.pkcs12_bytes(), [0, 0x42, 0, 0x65, 0, 0x61, 0, 0x76, 0, 0x69, 0, 0x73, 0, 0]);
        assert_eq!(Password::new("", PasswordForm::Bmp).pkcs12_bytes(), [0, 0]);
        assert!(Password::new("", PasswordForm::Absent).pkcs12_bytes().is_empty());
        assert_eq!(Password::new("é", PasswordForm::Bmp).pkcs12_bytes(), [0, 0xE9, 0, 0]);
        assert_eq!(Password::new("é", PasswordForm::ByteWise).pkcs12_bytes(), [0, 0xC3, 0, 0xA9, 0, 0]);
        assert_eq!(Password::candidates("").len(), 2);
        assert_eq!(Password::candidates("1234").len(), 1);
    }
}
