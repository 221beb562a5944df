//! PKCS#12 files inside `.zip` archives, one level deep (a certificate e-mailed or downloaded as
//! a zip, or a backup of Downloads). Guarded against zip bombs: the central directory is sized
//! before it is read, entries are capped in number, in declared and actual size, and in
//! compression ratio, and the bytes decompressed per archive are capped too.

use std::io::{Read, Seek, SeekFrom};

use super::sniff::{self, Kind, HEAD_LEN};
use crate::message::{group_digits, Message};
use crate::msg;
use crate::pkcs12::MAX_FILE_SIZE;

/// Limits for one archive.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Archives with more entries are not opened.
    pub max_entries: u64,
    /// Archives whose central directory is larger are not opened.
    pub max_directory_bytes: u64,
    /// Entries declaring more than this uncompressed are not read (no certificate is that big).
    pub max_entry_size: u64,
    /// Entries compressed better than this are not certificates (PKCS#12 is ciphertext, which
    /// does not compress): they are not read.
    pub max_ratio: u64,
    /// Bytes decompressed per archive, over all entries.
    pub max_total: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 20_000,
            max_directory_bytes: 8 * 1024 * 1024,
            max_entry_size: MAX_FILE_SIZE,
            max_ratio: 50,
            max_total: 64 * 1024 * 1024,
        }
    }
}

/// One PKCS#12 file found inside an archive.
#[derive(Debug)]
pub struct Inner {
    pub name: String,
    pub size: u64,
    /// The bytes, or why they could not be read.
    pub content: Result<Vec<u8>, Message>,
}

/// What an archive holds, as far as the scan is concerned.
#[derive(Debug, Default)]
pub struct Scanned {
    pub hits: Vec<Inner>,
    /// Entries named `.p12`/`.pfx` that are not PKCS#12, with the reason.
    pub not_pkcs12: Vec<(String, Message)>,
    /// Entries (or the whole archive, with an empty name) left unexamined, with the reason.
    pub skipped: Vec<(String, Message)>,
}

/// Looks for PKCS#12 files in the zip archive `reader` of `size` bytes. An error means the
/// archive as a whole could not be examined (damaged, too many entries…).
pub fn scan_zip<R: Read + Seek>(mut reader: R, size: u64, limits: &Limits) -> Result<Scanned, Message> {
    // Size the central directory from its end record before the zip crate reads all of it.
    let (entries, directory_bytes) = central_directory_size(&mut reader, size)?;
    if entries > limits.max_entries {
        return Err(msg!("scan-zip-too-many", count = group_digits(entries)));
    }
    if directory_bytes > limits.max_directory_bytes {
        return Err(msg!("scan-zip-damaged"));
    }
    reader.seek(SeekFrom::Start(0)).map_err(|e| msg!("reason-os", reason = e))?;
    let mut archive = zip::ZipArchive::new(reader).map_err(|_| msg!("scan-zip-damaged"))?;
    let mut out = Scanned::default();
    let mut budget = limits.max_total;
    for i in 0..archive.len() {
        let Ok(entry) = archive.by_index_data(i) else { continue };
        if !entry.is_file() {
            continue;
        }
        let name = entry_name(entry.name_raw());
        let named = sniff::has_certificate_extension(std::ffi::OsStr::new(&name));
        let (declared, compressed, encrypted) = (entry.size(), entry.compressed_size(), entry.encrypted());
        drop(entry);
        if declared == 0 {
            if named {
                out.not_pkcs12.push((name, msg!("scan-reason-empty")));
            }
            continue;
        }
        if encrypted {
            if named {
                out.hits.push(Inner {
                    name,
                    size: declared,
                    content: Err(msg!("scan-reason-zip-encrypted")),
                });
            }
            continue;
        }
        if declared > limits.max_entry_size || declared > compressed.saturating_mul(limits.max_ratio) {
            if named {
                out.skipped.push((name, msg!("scan-reason-zip-entry-suspicious")));
            }
            continue;
        }
        if budget < declared {
            out.skipped.push((String::new(), msg!("scan-reason-zip-budget")));
            break;
        }
        // Decompress the head only; the rest only for a PKCS#12 head. Every read is capped by
        // the declared size, whatever the entry's stream says.
        let mut file = match archive.by_index(i) {
            Ok(f) => f,
            Err(_) => {
                if named {
                    out.hits.push(Inner { name, size: declared, content: Err(msg!("scan-zip-damaged")) });
                }
                continue;
            }
        };
        let mut limited = (&mut file).take(declared);
        let mut head = Vec::with_capacity(HEAD_LEN);
        let head_result = (&mut limited).take(HEAD_LEN as u64).read_to_end(&mut head);
        budget = budget.saturating_sub(head.len() as u64);
        if head_result.is_err() {
            if named {
                out.hits.push(Inner { name, size: declared, content: Err(msg!("scan-zip-damaged")) });
            }
            continue;
        }
        match sniff::sniff(&head) {
            Kind::Pkcs12 { .. } => {
                let mut bytes = head;
                let rest = limited.read_to_end(&mut bytes);
                budget = budget.saturating_sub(bytes.len() as u64);
                let content = match rest {
                    Ok(_) => Ok(bytes),
                    Err(_) => Err(msg!("scan-zip-damaged")),
                };
                out.hits.push(Inner { name, size: declared, content });
            }
            // One level only: an archive inside an archive is not opened.
            Kind::Zip | Kind::Other => {
                if named {
                    out.not_pkcs12.push((name, super::describe_other(&head)));
                }
            }
        }
    }
    Ok(out)
}

/// A member of a zip archive that is byte for byte an entry of the vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberInVault {
    pub name: String,
    /// The vault entry with exactly these bytes.
    pub entry: String,
    pub bytes: Vec<u8>,
}

/// Every file of the zip archive `bytes`, when each one is byte for byte an entry of the vault
/// (`entry_with_bytes` names the entry holding exactly those bytes): such an archive holds
/// nothing the vault does not, and `clean` may remove it whole (issue 16). Otherwise why not:
/// `clean-left-archive-mixed` when some file is something else (a letter, another
/// certificate), another reason when a member could not be read or checked. Folders inside
/// the archive hold nothing and are passed over; the same limits as the scan's apply.
pub fn members_in_vault(
    bytes: &[u8],
    limits: &Limits,
    entry_with_bytes: &dyn Fn(&[u8]) -> Option<String>,
) -> Result<Vec<MemberInVault>, Message> {
    let size = bytes.len() as u64;
    let mut reader = std::io::Cursor::new(bytes);
    let (entries, directory_bytes) = central_directory_size(&mut reader, size)?;
    if entries > limits.max_entries || directory_bytes > limits.max_directory_bytes {
        return Err(msg!("clean-left-archive-mixed"));
    }
    reader.seek(SeekFrom::Start(0)).map_err(|_| msg!("scan-zip-damaged"))?;
    let mut archive = zip::ZipArchive::new(reader).map_err(|_| msg!("scan-zip-damaged"))?;
    let mut members = Vec::new();
    let mut budget = limits.max_total;
    for i in 0..archive.len() {
        let entry = archive.by_index_data(i).map_err(|_| msg!("scan-zip-damaged"))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry_name(entry.name_raw());
        let (declared, compressed, encrypted) = (entry.size(), entry.compressed_size(), entry.encrypted());
        drop(entry);
        if encrypted {
            return Err(msg!("scan-reason-zip-encrypted"));
        }
        // Nothing the vault holds is empty, larger than a certificate or this compressible.
        if declared == 0
            || declared > limits.max_entry_size
            || declared > compressed.saturating_mul(limits.max_ratio)
            || declared > budget
        {
            return Err(msg!("clean-left-archive-mixed"));
        }
        let mut file = archive.by_index(i).map_err(|_| msg!("scan-zip-damaged"))?;
        let mut content = Vec::with_capacity(declared as usize);
        (&mut file).take(declared).read_to_end(&mut content).map_err(|_| msg!("scan-zip-damaged"))?;
        budget = budget.saturating_sub(content.len() as u64);
        match entry_with_bytes(&content) {
            Some(entry) => members.push(MemberInVault { name, entry, bytes: content }),
            None => return Err(msg!("clean-left-archive-mixed")),
        }
    }
    if members.is_empty() {
        return Err(msg!("clean-left-archive-mixed"));
    }
    Ok(members)
}

/// (number of entries, size of the central directory) from the end-of-central-directory
/// record, reading the zip64 record when the classic one overflows.
fn central_directory_size<R: Read + Seek>(reader: &mut R, size: u64) -> Result<(u64, u64), Message> {
    const EOCD: [u8; 4] = *b"PK\x05\x06";
    const EOCD_LEN: u64 = 22;
    let damaged = || msg!("scan-zip-damaged");
    if size < EOCD_LEN {
        return Err(damaged());
    }
    // The record is at the end, followed by a comment of at most 65,535 bytes.
    let tail_len = size.min(EOCD_LEN + 65_535);
    reader.seek(SeekFrom::Start(size - tail_len)).map_err(|_| damaged())?;
    let mut tail = Vec::with_capacity(tail_len as usize);
    reader.by_ref().take(tail_len).read_to_end(&mut tail).map_err(|_| damaged())?;
    let pos = (0..=tail.len().saturating_sub(EOCD_LEN as usize))
        .rev()
        .find(|&p| tail[p..].starts_with(&EOCD))
        .ok_or_else(damaged)?;
    let rec = &tail[pos..];
    let u16_at = |o: usize| u64::from(u16::from_le_bytes([rec[o], rec[o + 1]]));
    let u32_at = |o: usize| u64::from(u32::from_le_bytes([rec[o], rec[o + 1], rec[o + 2], rec[o + 3]]));
    let (entries, dir_bytes) = (u16_at(10), u32_at(12));
    if entries != 0xFFFF && dir_bytes != 0xFFFF_FFFF {
        return Ok((entries, dir_bytes));
    }
    // Zip64: a locator (20 bytes) just before the record points at the zip64 end record.
    let record_offset = size - tail_len + pos as u64;
    let locator_at = record_offset.checked_sub(20).ok_or_else(damaged)?;
    let mut locator = [0u8; 20];
    reader.seek(SeekFrom::Start(locator_at)).map_err(|_| damaged())?;
    reader.read_exact(&mut locator).map_err(|_| damaged())?;
    if &locator[..4] != b"PK\x06\x07" {
        return Err(damaged());
    }
    let zip64_at = u64::from_le_bytes(locator[8..16].try_into().expect("8 bytes"));
    let mut record = [0u8; 56];
    reader.seek(SeekFrom::Start(zip64_at)).map_err(|_| damaged())?;
    reader.read_exact(&mut record).map_err(|_| damaged())?;
    if &record[..4] != b"PK\x06\x06" {
        return Err(damaged());
    }
    let entries = u64::from_le_bytes(record[32..40].try_into().expect("8 bytes"));
    let dir_bytes = u64::from_le_bytes(record[40..48].try_into().expect("8 bytes"));
    Ok((entries, dir_bytes))
}

/// An entry's name for the report. Zips made by Japanese Windows (Explorer's "send to
/// compressed folder", older mailers) store names in Shift_JIS (CP932) without the UTF-8 flag;
/// the zip crate would decode those as CP437 and show mojibake. Valid UTF-8 is taken as is
/// (many tools write it without the flag), then CP932 if it decodes cleanly, then CP437.
fn entry_name(raw: &[u8]) -> String {
    if let Ok(utf8) = std::str::from_utf8(raw) {
        return utf8.to_owned();
    }
    if let Some(cp932) = encoding_rs::SHIFT_JIS.decode_without_bom_handling_and_without_replacement(raw) {
        return cp932.into_owned();
    }
    raw.iter().map(|&b| cp437_char(b)).collect()
}

/// CP437, the zip format's original encoding: ASCII below 0x80, box drawing and accents above.
fn cp437_char(b: u8) -> char {
    const HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{a0}";
    if b < 0x80 {
        char::from(b)
    } else {
        HIGH.chars().nth(usize::from(b - 0x80)).unwrap_or('?')
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};
    use zip::write::SimpleFileOptions;

    /// A PKCS#12-looking blob: right head, random-ish body that does not compress.
    fn fake_p12(len: usize, seed: u8) -> Vec<u8> {
        let mut v = vec![
            0x30, 0x82, 0, 0, 0x02, 0x01, 0x03, 0x30, 0x82, 0, 0, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7,
            0x0D, 0x01, 0x07, 0x01,
        ];
        let mut x = u32::from(seed) | 1;
        while v.len() < len {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            v.push(x as u8);
        }
        v
    }

    fn zip_of(entries: &[(&str, &[u8], zip::CompressionMethod)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data, method) in entries {
            w.start_file(*name, SimpleFileOptions::default().compression_method(*method)).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn scan(bytes: &[u8], limits: &Limits) -> Result<Scanned, Message> {
        scan_zip(Cursor::new(bytes), bytes.len() as u64, limits)
    }

    #[test]
    fn finds_pkcs12_entries_by_content() {
        let p12 = fake_p12(3000, 7);
        let zip = zip_of(&[
            ("certs/202101010000777.p12", &p12, zip::CompressionMethod::Deflated),
            ("client.hpki-cardless-signature", &p12, zip::CompressionMethod::Stored),
            ("readme.txt", b"hello hello hello", zip::CompressionMethod::Deflated),
            ("renamed.pfx", b"%PDF-1.4 not a certificate at all", zip::CompressionMethod::Stored),
        ]);
        let found = scan(&zip, &Limits::default()).unwrap();
        let names: Vec<_> = found.hits.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["certs/202101010000777.p12", "client.hpki-cardless-signature"]);
        assert!(found.hits.iter().all(|h| h.content.as_deref() == Ok(&p12[..])));
        assert_eq!(found.not_pkcs12.len(), 1);
    }

    #[test]
    fn shift_jis_names_from_japanese_windows_read_as_japanese() {
        let p12 = fake_p12(3000, 5);
        let (sjis, _, unmappable) = encoding_rs::SHIFT_JIS.encode("証明書/電子証明書.p12");
        assert!(!unmappable && std::str::from_utf8(&sjis).is_err());
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.start_file_with_options(SimpleFileOptions::default().name(&sjis)).unwrap();
        w.write_all(&p12).unwrap();
        w.start_file("UTF-8 名前.pfx", SimpleFileOptions::default()).unwrap();
        w.write_all(&p12).unwrap();
        let zip = w.finish().unwrap().into_inner();
        let found = scan(&zip, &Limits::default()).unwrap();
        let names: Vec<_> = found.hits.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["証明書/電子証明書.p12", "UTF-8 名前.pfx"]);
        // Neither UTF-8 nor CP932: CP437, as the zip specification says.
        assert_eq!(entry_name(b"caf\x82.p12"), "café.p12");
        assert_eq!(entry_name(&[0x81, 0xFF]), "üλ".replace('λ', "\u{a0}"));
    }

    #[test]
    fn an_archive_of_vault_copies_only_is_told_apart_from_a_mixed_one() {
        let (a, b) = (fake_p12(3000, 11), fake_p12(2000, 13));
        let in_vault = |bytes: &[u8]| {
            if bytes == a.as_slice() {
                Some("e-a".to_string())
            } else if bytes == b.as_slice() {
                Some("e-b".to_string())
            } else {
                None
            }
        };
        let only = zip_of(&[
            ("certs/202101010000777.p12", &a, zip::CompressionMethod::Deflated),
            ("hpki.pfx", &b, zip::CompressionMethod::Stored),
        ]);
        let members = members_in_vault(&only, &Limits::default(), &in_vault).unwrap();
        let ids: Vec<_> = members.iter().map(|m| (m.name.as_str(), m.entry.as_str())).collect();
        assert_eq!(ids, [("certs/202101010000777.p12", "e-a"), ("hpki.pfx", "e-b")]);
        assert_eq!(members[0].bytes, a);

        // A letter next to the certificate, or a certificate the vault does not hold: kept.
        let with_letter = zip_of(&[
            ("202101010000777.p12", &a, zip::CompressionMethod::Stored),
            ("readme.txt", b"password is on the yellow note", zip::CompressionMethod::Stored),
        ]);
        let other = fake_p12(3000, 17);
        let with_other = zip_of(&[
            ("202101010000777.p12", &a, zip::CompressionMethod::Stored),
            ("old.p12", &other, zip::CompressionMethod::Stored),
        ]);
        // One byte changed inside the vault's own file: not the vault's bytes.
        let mut changed = a.clone();
        changed[2000] ^= 1;
        let with_changed = zip_of(&[("202101010000777.p12", &changed, zip::CompressionMethod::Stored)]);
        for zip in [&with_letter, &with_other, &with_changed] {
            let why = members_in_vault(zip, &Limits::default(), &in_vault).unwrap_err();
            assert_eq!(why.id, "clean-left-archive-mixed");
        }
        // Nothing in it, or not a zip: never "all in the vault".
        assert!(members_in_vault(&zip_of(&[]), &Limits::default(), &in_vault).is_err());
        assert!(members_in_vault(&a, &Limits::default(), &in_vault).is_err());
    }

    #[test]
    fn bombs_and_damage_are_refused_cheaply() {
        // Highly compressible: 4 MB of zeros under a certificate name.
        let zeros = vec![0u8; 4 * 1024 * 1024];
        let zip = zip_of(&[("bomb.p12", &zeros, zip::CompressionMethod::Deflated)]);
        let found = scan(&zip, &Limits::default()).unwrap();
        assert!(found.hits.is_empty());
        assert_eq!(found.skipped.len(), 1);
        // Too many entries: refused before the central directory is read.
        let many: Vec<(String, Vec<u8>)> = (0..50).map(|i| (format!("f{i}"), vec![b'x'])).collect();
        let refs: Vec<(&str, &[u8], zip::CompressionMethod)> =
            many.iter().map(|(n, d)| (n.as_str(), &d[..], zip::CompressionMethod::Stored)).collect();
        let zip = zip_of(&refs);
        let limits = Limits { max_entries: 10, ..Limits::default() };
        assert!(scan(&zip, &limits).is_err());
        // Total budget: the second certificate is not read.
        let p12 = fake_p12(5000, 3);
        let zip = zip_of(&[
            ("a.p12", &p12, zip::CompressionMethod::Stored),
            ("b.p12", &p12, zip::CompressionMethod::Stored),
        ]);
        let found = scan(&zip, &Limits { max_total: 6000, ..Limits::default() }).unwrap();
        assert_eq!(found.hits.len(), 1);
        // Truncated or garbage archives are errors, never panics.
        for cut in [0, 10, 100, zip.len() / 2, zip.len() - 1] {
            let _ = scan(&zip[..cut], &Limits::default());
        }
        assert!(scan(b"PK\x03\x04 garbage", &Limits::default()).is_err());
    }
}
