//! Certificates: what one says ([`x509`]), loading a certificate file and making sense of it
//! ([`file`]), the `inspect` operation ([`inspect`]) and finding a forgotten numeric PIN
//! ([`pin_search`]). The PKCS#12 container itself is read by `crate::pkcs12`.

pub mod file;
pub mod inspect;
pub mod pin_search;
pub mod x509;

/// Certificate files made by `openssl` for the unit tests (a real writer, not ours).
#[cfg(test)]
pub(crate) mod test_files {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    fn openssl(dir: &Path, args: &[&str]) {
        let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl runs");
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// `dir/NAME.p12`: a P-256 key and its self-signed certificate, under `pin` (the PIN goes
    /// through a file, never argv).
    pub fn pkcs12(dir: &Path, name: &str, pin: &str) -> PathBuf {
        pkcs12_with(dir, name, pin, false)
    }

    /// The same; `legacy` makes it as older tools did (3DES, RC2, a SHA-1 MAC) rather than as
    /// OpenSSL 3 does (AES, a SHA-256 MAC).
    pub fn pkcs12_with(dir: &Path, name: &str, pin: &str, legacy: bool) -> PathBuf {
        openssl(
            dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-subj",
                "/O=Test Clinic/CN=1312345678",
                "-days",
                "30",
                "-keyout",
                "key.pem",
                "-out",
                "cert.pem",
            ],
        );
        std::fs::write(dir.join("pin.txt"), format!("{pin}\n")).unwrap();
        let out = format!("{name}.p12");
        let mut args = vec![
            "pkcs12",
            "-export",
            "-in",
            "cert.pem",
            "-inkey",
            "key.pem",
            "-passout",
            "file:pin.txt",
            "-out",
            &out,
        ];
        if legacy {
            args.push("-legacy");
        }
        openssl(dir, &args);
        dir.join(out)
    }
}
