//! Recognising a PKCS#12 file (or a ZIP archive that may hold one) from its first bytes, before
//! anything is parsed: the scan reads [`HEAD_LEN`] bytes of every file and parses only the
//! files whose head matches.
//!
//! A PKCS#12 file (RFC 7292) starts with
//! `SEQUENCE { INTEGER 3, SEQUENCE { OBJECT IDENTIFIER pkcs7-data (or signedData), [0] … } … }`,
//! in DER or BER (indefinite lengths, as Windows and Java write them). That is 20-odd bytes no
//! other common format starts with.

/// How many bytes of each file the scan reads to decide.
pub const HEAD_LEN: usize = 64;

/// `1.2.840.113549.1.7` (PKCS#7 content types), DER-encoded, without the last arc.
const PKCS7_PREFIX: [u8; 8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07];
/// Last arcs: 1 = data (password integrity, every real file), 2 = signedData (public-key
/// integrity mode, rare but still a certificate file).
const PKCS7_DATA: u8 = 1;
const PKCS7_SIGNED_DATA: u8 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A PKCS#12 file. `total_len` is the length the outer SEQUENCE declares (header included)
    /// when it is definite; BER files may use an indefinite length.
    Pkcs12 {
        total_len: Option<u64>,
    },
    /// A ZIP archive (it starts with a local file header).
    Zip,
    Other,
}

/// What the first bytes of a file say it is.
pub fn sniff(head: &[u8]) -> Kind {
    if head.starts_with(b"PK\x03\x04") {
        return Kind::Zip;
    }
    match pkcs12_total_len(head) {
        Some(total_len) => Kind::Pkcs12 { total_len },
        None => Kind::Other,
    }
}

/// `Some(length)` when `head` starts like a PKCS#12 PFX.
fn pkcs12_total_len(head: &[u8]) -> Option<Option<u64>> {
    let mut i = 0;
    // PFX ::= SEQUENCE
    expect(head, &mut i, 0x30)?;
    let outer = length(head, &mut i)?;
    let header_len = i as u64;
    // version INTEGER (3)
    expect(head, &mut i, 0x02)?;
    expect(head, &mut i, 0x01)?;
    expect(head, &mut i, 0x03)?;
    // authSafe ContentInfo ::= SEQUENCE { contentType OBJECT IDENTIFIER, … }
    expect(head, &mut i, 0x30)?;
    length(head, &mut i)?;
    expect(head, &mut i, 0x06)?;
    expect(head, &mut i, 0x09)?;
    let oid = head.get(i..i + 9)?;
    if oid[..8] != PKCS7_PREFIX || !matches!(oid[8], PKCS7_DATA | PKCS7_SIGNED_DATA) {
        return None;
    }
    // A hostile 8-byte length (up to 2^64 - 1) plus the header must not overflow: saturate, so
    // the scan reports a file far shorter than it declares (found by fuzzing, fuzz/regressions).
    Some(outer.map(|len| header_len.saturating_add(len)))
}

fn expect(head: &[u8], i: &mut usize, byte: u8) -> Option<()> {
    (*head.get(*i)? == byte).then(|| *i += 1)
}

/// A BER length: `Some(None)` for the indefinite form.
fn length(head: &[u8], i: &mut usize) -> Option<Option<u64>> {
    let first = *head.get(*i)?;
    *i += 1;
    match first {
        0x00..=0x7F => Some(Some(u64::from(first))),
        0x80 => Some(None),
        0x81..=0x88 => {
            let n = usize::from(first & 0x7F);
            let bytes = head.get(*i..*i + n)?;
            *i += n;
            Some(Some(bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b))))
        }
        _ => None,
    }
}

/// True for the names certificate files are given: `.p12`, `.pfx` (any case).
pub fn has_certificate_extension(name: &std::ffi::OsStr) -> bool {
    let name = name.as_encoded_bytes();
    name.len() > 4 && {
        let ext = &name[name.len() - 4..];
        ext.eq_ignore_ascii_case(b".p12") || ext.eq_ignore_ascii_case(b".pfx")
    }
}

/// True for `.pdf` (any case): the names recovery sheets are written under.
pub fn has_pdf_extension(name: &std::ffi::OsStr) -> bool {
    let name = name.as_encoded_bytes();
    name.len() > 4 && name[name.len() - 4..].eq_ignore_ascii_case(b".pdf")
}

/// Extensions of common formats that are obviously not certificate files: pictures, audio
/// and video, office documents, text and source code, programs, fonts, other archives,
/// databases. Files named so are not opened when the scan is asked to trust names
/// (`--trust-names`; by default every file is read, since a certificate renamed to
/// `photo.jpg` is exactly what a careless or hostile person leaves behind). Names without an
/// extension, with an unknown one (`.bak`, `.tmp`, `.crdownload`…) or with a certificate-ish
/// one (`.cer`, `.crt`, `.der`, `.key`, `.pem`) are always read. Sorted, lower case.
const OTHER_FORMATS: &[&str] = &[
    "3gp", "7z", "a", "aac", "apk", "avi", "bat", "bmp", "bz2", "c", "cc", "cfg", "class", "cmd", "conf",
    "cpp", "cr2", "css", "csv", "deb", "dll", "dmg", "doc", "docx", "dylib", "eot", "epub", "exe", "flac",
    "gif", "go", "gz", "h", "heic", "heif", "hpp", "htm", "html", "ico", "idx", "img", "ini", "iso", "jar",
    "java", "jpeg", "jpg", "js", "json", "ldb", "lib", "lock", "log", "lz4", "m4a", "m4v", "map", "md",
    "mjs", "mkv", "mov", "mp3", "mp4", "mpeg", "mpg", "msi", "nef", "o", "obj", "odp", "ods", "odt", "ogg",
    "opus", "otf", "pack", "pdf", "php", "png", "ppt", "pptx", "ps1", "psd", "py", "pyc", "qcow2", "rar",
    "rb", "rpm", "rs", "rtf", "sh", "so", "sql", "sqlite", "sqlite3", "svg", "tar", "tgz", "tif", "tiff",
    "toml", "ts", "tsv", "ttf", "txt", "vdi", "vmdk", "wasm", "wav", "webm", "webp", "wmv", "woff", "woff2",
    "xls", "xlsx", "xml", "xz", "yaml", "yml", "zst",
];

/// True when the name's extension says the file is obviously something else (see
/// [`OTHER_FORMATS`]).
pub fn obviously_other_format(name: &std::ffi::OsStr) -> bool {
    let name = name.as_encoded_bytes();
    let Some(dot) = name.iter().rposition(|b| *b == b'.') else { return false };
    let ext = &name[dot + 1..];
    if dot == 0 || ext.is_empty() || ext.len() > 7 {
        return false;
    }
    let mut lower = [0u8; 7];
    for (l, b) in lower.iter_mut().zip(ext) {
        *l = b.to_ascii_lowercase();
    }
    let ext = &lower[..ext.len()];
    OTHER_FORMATS.binary_search_by(|probe| probe.as_bytes().cmp(ext)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The head of a DER file as openssl writes it (length 0x0A1B).
    const DER_HEAD: &[u8] = &[
        0x30, 0x82, 0x0A, 0x1B, 0x02, 0x01, 0x03, 0x30, 0x82, 0x09, 0xD7, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86,
        0xF7, 0x0D, 0x01, 0x07, 0x01, 0xA0, 0x82,
    ];

    #[test]
    fn der_and_ber_heads_are_recognised() {
        assert_eq!(sniff(DER_HEAD), Kind::Pkcs12 { total_len: Some(4 + 0x0A1B) });
        let ber = [
            0x30, 0x80, 0x02, 0x01, 0x03, 0x30, 0x80, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01,
            0x07, 0x01, 0xA0, 0x80,
        ];
        assert_eq!(sniff(&ber), Kind::Pkcs12 { total_len: None });
        let mut signed = DER_HEAD.to_vec();
        signed[21] = PKCS7_SIGNED_DATA;
        assert!(matches!(sniff(&signed), Kind::Pkcs12 { .. }));
    }

    #[test]
    fn other_things_are_not_pkcs12() {
        assert_eq!(sniff(b""), Kind::Other);
        assert_eq!(sniff(b"%PDF-1.4"), Kind::Other);
        assert_eq!(sniff(b"PK\x03\x04rest"), Kind::Zip);
        // A bare certificate: SEQUENCE { SEQUENCE { [0] { INTEGER 2 } … } }.
        assert_eq!(
            sniff(&[0x30, 0x82, 0x03, 0x00, 0x30, 0x82, 0x02, 0x00, 0xA0, 0x03, 0x02, 0x01, 0x02]),
            Kind::Other
        );
        // Version 2, or a different content type (envelopedData), or cut short.
        let mut v2 = DER_HEAD.to_vec();
        v2[6] = 0x02;
        assert_eq!(sniff(&v2), Kind::Other);
        let mut enveloped = DER_HEAD.to_vec();
        enveloped[21] = 3;
        assert_eq!(sniff(&enveloped), Kind::Other);
        for cut in 0..22 {
            assert_eq!(sniff(&DER_HEAD[..cut]), Kind::Other, "cut at {cut}");
        }
        // A length of length that is too long.
        assert_eq!(sniff(&[0x30, 0x89, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x01, 0x03]), Kind::Other);
    }

    #[test]
    fn obviously_other_formats() {
        use std::ffi::OsStr;
        assert!(OTHER_FORMATS.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates");
        for yes in ["photo.JPG", "a.tar.gz", "notes.txt", "report.docx", "x.woff2"] {
            assert!(obviously_other_format(OsStr::new(yes)), "{yes}");
        }
        for no in [
            "a.p12",
            "client.hpki-cardless-signature",
            "backup.p12.bak",
            "x.crdownload",
            "cert",
            ".txt",
            "a.crt",
            "a.zip",
            "a.",
        ] {
            assert!(!obviously_other_format(OsStr::new(no)), "{no}");
        }
    }

    #[test]
    fn certificate_extensions() {
        use std::ffi::OsStr;
        for yes in ["a.p12", "A.PFX", "202101010000777.p12", "x.Pfx"] {
            assert!(has_certificate_extension(OsStr::new(yes)), "{yes}");
        }
        for no in [".p12", "p12", "a.p12.bak", "client.hpki-cardless-signature", "a.pdf"] {
            assert!(!has_certificate_extension(OsStr::new(no)), "{no}");
        }
    }
}
