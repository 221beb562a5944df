//! The recovery sheet through the real binary, read back with the tools a person or a
//! technician would use: `pdftoppm` + `zbarimg` for the QR codes, `pdftotext` for the printed
//! codes, `pdffonts` for the embedded fonts, and the stock `age` + `tar` to open the vault with
//! what the sheet holds. Split (Shamir) sheets the same way, with K shares, K-1, and a mistyped
//! one. Needs `age`, `poppler-utils` and `zbar-tools` (`.ci/run` installs them).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::*;

const PASSPHRASE: &str = "sakura umbrella kettle nineteen";
/// The issue's limit for one sheet.
const MAX_PDF_BYTES: u64 = 300 * 1024;

/// One vault for every test here (each vault costs several Argon2id runs), made through the
/// real commands: `init --sheet-out`, then `add`. Tests only read it.
struct Shared {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    vault: PathBuf,
    pass: PathBuf,
    first_sheet: PathBuf,
    recovery_code: String,
    recovery_identity: String,
    pin_code: String,
    entry: String,
}

static SHARED: OnceLock<Shared> = OnceLock::new();

fn shared() -> &'static Shared {
    SHARED.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let vault = root.join("CERTVAULT");
        let pass = root.join("pass.txt");
        std::fs::write(&pass, PASSPHRASE).unwrap();
        let first_sheet = root.join("first.pdf");
        let rec = root.join("recovery.txt");
        certvault()
            .args(["init", "--passphrase-file"])
            .arg(&pass)
            .arg("--recovery-out")
            .arg(&rec)
            .arg("--sheet-out")
            .arg(&first_sheet)
            .arg("--allow-fixed-disk")
            .arg(&vault)
            .assert()
            .success();
        let lines = std::fs::read_to_string(&rec).unwrap();
        let value = |key: &str| {
            lines.lines().find_map(|l| l.strip_prefix(key)).map(|v| v.trim().to_string()).expect(key)
        };
        let out = certvault()
            .arg("add")
            .arg(fixture("202101010000777.p12"))
            .arg("--vault")
            .arg(&vault)
            .arg("--passphrase-file")
            .arg(&pass)
            .arg("--pin-file")
            .arg(fixture("pin.txt"))
            .arg("--hint")
            .arg("blue notebook")
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let entry = entry_id_in(&out);
        Shared {
            recovery_code: value("RECOVERY-CODE:"),
            recovery_identity: value("RECOVERY-IDENTITY:"),
            pin_code: value("PIN-CODE:"),
            _tmp: tmp,
            root,
            vault,
            pass,
            first_sheet,
            entry,
        }
    })
}

fn new_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

fn tool(program: &str, args: &[&str]) -> std::process::Output {
    Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program} runs (installed?): {e}"))
}

/// Every QR code on every page, rasterised at 150 dpi as the issue says.
fn qr_codes(pdf: &Path) -> Vec<String> {
    let dir = new_dir();
    let prefix = dir.path().join("page");
    let out = tool("pdftoppm", &["-r", "150", "-png", pdf.to_str().unwrap(), prefix.to_str().unwrap()]);
    assert!(out.status.success(), "pdftoppm failed: {}", String::from_utf8_lossy(&out.stderr));
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).collect();
    pages.sort();
    assert!(!pages.is_empty() && pages.len() <= 2, "one or two pages, got {}", pages.len());
    let mut codes = Vec::new();
    for page in pages {
        let out = tool("zbarimg", &["--raw", "-q", "-Sdisable", "-Sqrcode.enable", page.to_str().unwrap()]);
        // 4 = no symbol on this page.
        assert!(matches!(out.status.code(), Some(0 | 4)), "zbarimg failed on {}", page.display());
        codes.extend(String::from_utf8(out.stdout).unwrap().lines().map(|l| l.trim().to_string()));
    }
    codes.retain(|c| !c.is_empty());
    codes
}

/// Text with every run of white space as one space (pdftotext breaks lines where the PDF does).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pdf_text(pdf: &Path) -> String {
    let out = tool("pdftotext", &["-enc", "UTF-8", pdf.to_str().unwrap(), "-"]);
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// Words shaped like a code (`groups` groups of 5 symbols joined by `-`), in printed order.
/// A code too long for its box is printed on two lines, the first ending in `-`; pdftotext
/// joins such lines and drops that hyphen (`…-5J7H5YGVR2-…`), so a part of 10 is two groups.
fn printed_codes(text: &str, groups: usize) -> Vec<String> {
    let symbol = |c: char| c.is_ascii_digit() || c.is_ascii_uppercase();
    text.split_whitespace()
        .filter(|w| {
            let parts: Vec<&str> = w.split('-').collect();
            let joined: usize = parts.iter().map(|p| p.len() / 5).sum();
            let wraps = parts.iter().filter(|p| p.len() == 10).count();
            joined == groups
                && wraps <= 1
                && parts.iter().all(|p| matches!(p.len(), 5 | 10) && p.chars().all(symbol))
        })
        .map(|w| {
            let symbols: Vec<char> = w.chars().filter(|c| *c != '-').collect();
            symbols.chunks(5).map(|g| g.iter().collect::<String>()).collect::<Vec<_>>().join("-")
        })
        .collect()
}

/// Opens the vault with the stock tools only: `age -d -i id.txt vault-N.age | tar x`, and
/// returns the folder it was extracted into.
fn open_with_stock_age(identity: &str, vault: &Path) -> tempfile::TempDir {
    let dir = new_dir();
    let id = write(dir.path(), "id.txt", &format!("{identity}\n"));
    let newest = std::fs::read_dir(vault)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_prefix("vault-")?.strip_suffix(".age")?.parse::<u64>().ok()
        })
        .max()
        .unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let script = format!(
        "age -d -i '{}' '{}' | tar x -C '{}'",
        id.display(),
        vault.join(format!("vault-{newest}.age")).display(),
        out_dir.display()
    );
    let out = tool("bash", &["-c", &format!("set -o pipefail; {script}")]);
    assert!(out.status.success(), "stock age/tar failed: {}", String::from_utf8_lossy(&out.stderr));
    dir
}

fn assert_small_subset_pdf(pdf: &Path) {
    let size = std::fs::metadata(pdf).unwrap().len();
    assert!(size < MAX_PDF_BYTES, "{} is {size} bytes", pdf.display());
    let out = tool("pdffonts", &[pdf.to_str().unwrap()]);
    assert!(out.status.success());
    let fonts = String::from_utf8(out.stdout).unwrap();
    let ipa = fonts
        .lines()
        .find(|l| l.contains("IPAexGothic"))
        .unwrap_or_else(|| panic!("no Japanese font:\n{fonts}"));
    // `ABCDEF+IPAexGothic … emb yes sub yes`: embedded, as a subset.
    let name = ipa.split_whitespace().next().unwrap();
    assert!(name.len() > 7 && name.as_bytes()[6] == b'+', "not a subset name: {ipa}");
    let cols: Vec<&str> = ipa.split_whitespace().collect();
    let n = cols.len();
    assert_eq!(&cols[n - 5..n - 2], &["yes", "yes", "yes"], "emb/sub/uni: {ipa}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(pdf).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", pdf.display());
    }
}

fn list_ok(args: &[&str], files: &[&Path]) -> String {
    let v = shared();
    let mut c = certvault();
    c.arg("list").arg("--vault").arg(&v.vault);
    for (flag, file) in args.iter().zip(files) {
        c.arg(flag).arg(file);
    }
    String::from_utf8(c.assert().success().get_output().stdout.clone()).unwrap()
}

fn list_err(args: &[&str], files: &[&Path]) -> String {
    let v = shared();
    let mut c = certvault();
    c.arg("list").arg("--vault").arg(&v.vault);
    for (flag, file) in args.iter().zip(files) {
        c.arg(flag).arg(file);
    }
    String::from_utf8(c.assert().code(2).get_output().stderr.clone()).unwrap()
}

#[test]
fn first_sheet_from_init_opens_the_vault_with_stock_age_and_with_the_printed_code() {
    let v = shared();
    assert_small_subset_pdf(&v.first_sheet);

    // The QR codes: the recovery identity (exactly what --recovery-out says) and the PIN
    // identity, a different key.
    let qrs = qr_codes(&v.first_sheet);
    assert_eq!(qrs.len(), 2, "{qrs:?}");
    assert!(qrs.contains(&v.recovery_identity), "{qrs:?}");
    assert!(qrs.iter().all(|q| q.starts_with("AGE-SECRET-KEY-1") && q.len() == 74));
    assert_ne!(qrs[0], qrs[1]);

    // The decoded identity opens the vault with the stock tools alone.
    let out = open_with_stock_age(&v.recovery_identity, &v.vault);
    let sealed = std::fs::read(out.path().join(format!("out/certs/{}.p12", v.entry))).unwrap();
    assert_eq!(sealed, std::fs::read(fixture("202101010000777.p12")).unwrap());

    // The printed codes, as pdftotext reads them: R first, then C.
    let text = one_line(&pdf_text(&v.first_sheet));
    assert_eq!(printed_codes(&text, 5), [v.recovery_code.clone(), v.pin_code.clone()], "{text}");
    let typed = write(&v.root, "typed-recovery.txt", &printed_codes(&text, 5)[0]);
    let listed = list_ok(&["--recovery-code-file"], &[&typed]);
    assert!(listed.contains(&v.entry), "{listed}");
    // Japanese by default, whatever the locale of the messages (LANG=C here).
    assert!(text.contains("復旧コード") && text.contains("Recovery code"), "{text}");
}

#[test]
fn reprint_shows_the_recovery_code_and_the_pin_code_only_when_given() {
    let v = shared();
    let dir = new_dir();

    // Without --pin-code-file: R and its QR, and the notice instead of C. English on request.
    let plain = dir.path().join("reprint.pdf");
    certvault()
        .args(["sheet", "--lang", "en", "--vault"])
        .arg(&v.vault)
        .arg("--passphrase-file")
        .arg(&v.pass)
        .arg("--out")
        .arg(&plain)
        .assert()
        .success()
        .stderr(predicates::str::contains("--pin-code-file"));
    assert_small_subset_pdf(&plain);
    assert_eq!(qr_codes(&plain), std::slice::from_ref(&v.recovery_identity));
    let text = one_line(&pdf_text(&plain));
    assert_eq!(printed_codes(&text, 5), std::slice::from_ref(&v.recovery_code));
    assert!(text.contains("The PIN code is printed only on the first recovery sheet"), "{text}");
    // Where the program is on a new computer: on the stick, in program/.
    assert!(
        text.contains("\"Restore on a new computer\"") && text.contains("double-click certvault-gui.exe"),
        "{text}"
    );
    // The certificate table: clinic (the leaf's O), institution code, thumbprints as Windows
    // shows them.
    let sha1 = after_eq(&openssl_x509("leaf.crt", &["-fingerprint", "-sha1"]));
    assert!(text.contains(&sha1), "{sha1} in {text}");
    let subject = after_eq(&openssl_x509("leaf.crt", &["-subject", "-nameopt", "utf8,sep_comma_plus_space"]));
    let org = subject.split(", ").find_map(|p| p.strip_prefix("O=")).unwrap();
    assert!(text.contains(org), "{org} in {text}");
    assert!(text.contains("1312345678") || !subject.contains("1312345678"));

    // With --pin-code-file (opened with the recovery code this time): C is back, checked
    // against the vault's PIN recipient.
    let with_pin = dir.path().join("reprint-pin.pdf");
    let pin_code = write(dir.path(), "pin-code.txt", &format!("{}\n", v.pin_code.to_lowercase()));
    let rc = write(dir.path(), "rc.txt", &v.recovery_code);
    certvault()
        .args(["sheet", "--vault"])
        .arg(&v.vault)
        .arg("--recovery-code-file")
        .arg(&rc)
        .arg("--out")
        .arg(&with_pin)
        .arg("--pin-code-file")
        .arg(&pin_code)
        .assert()
        .success();
    assert_small_subset_pdf(&with_pin);
    let mut qrs = qr_codes(&with_pin);
    assert_eq!(qrs.len(), 2);
    // zbarimg's order is not the page's: put the recovery identity first.
    qrs.sort_by_key(|q| *q != v.recovery_identity);
    assert_eq!(qrs[0], v.recovery_identity);
    assert_eq!(printed_codes(&pdf_text(&with_pin), 5), [v.recovery_code.clone(), v.pin_code.clone()]);
    // The PIN identity in the QR really is C's: it opens the stored PIN with stock age.
    let out = open_with_stock_age(&v.recovery_identity, &v.vault);
    let pin_id = write(out.path(), "pin-id.txt", &format!("{}\n", qrs[1]));
    let sealed_pin = out.path().join(format!("out/pins/{}.age", v.entry));
    let pin = tool("age", &["-d", "-i", pin_id.to_str().unwrap(), sealed_pin.to_str().unwrap()]);
    assert!(pin.status.success());
    assert_eq!(
        String::from_utf8(pin.stdout).unwrap().trim(),
        std::fs::read_to_string(fixture("pin.txt")).unwrap().trim()
    );
}

#[test]
fn bad_pin_codes_and_bad_output_paths_are_refused_and_write_nothing() {
    let v = shared();
    let dir = new_dir();
    let out = dir.path().join("s.pdf");
    let sheet = |pin_code: Option<&Path>, out: &Path| {
        let mut c = certvault();
        c.args(["sheet", "--vault"])
            .arg(&v.vault)
            .arg("--passphrase-file")
            .arg(&v.pass)
            .arg("--out")
            .arg(out);
        if let Some(p) = pin_code {
            c.arg("--pin-code-file").arg(p);
        }
        String::from_utf8(c.assert().code(2).get_output().stderr.clone()).unwrap()
    };
    // A mistyped group of C is named.
    let mut typo: Vec<char> = v.pin_code.chars().collect();
    typo[13] = if typo[13] == 'X' { 'Y' } else { 'X' };
    let typo = write(dir.path(), "typo.txt", &typo.into_iter().collect::<String>());
    assert!(sheet(Some(&typo), &out).contains("group 3"));
    // The recovery code where the PIN code belongs.
    let r = write(dir.path(), "r.txt", &v.recovery_code);
    assert!(sheet(Some(&r), &out).contains("recovery code, not the PIN code"));
    // A valid PIN code of another vault (the spec's example code).
    let other = write(dir.path(), "other.txt", "0000H-0000J-0000K-0000M-0000N");
    assert!(sheet(Some(&other), &out).contains("does not belong"));
    assert!(!out.exists());
    // Never inside the vault folder, never over an existing file.
    let inside = v.vault.join("sheet.pdf");
    assert!(sheet(None, &inside).contains("inside the vault folder"));
    assert!(!inside.exists());
    let existing = write(dir.path(), "existing.pdf", "keep me");
    assert!(sheet(None, &existing).contains("already exists"));
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me");
}

#[test]
fn split_sheets_open_the_vault_with_k_shares_and_never_with_fewer_or_a_mistyped_one() {
    let v = shared();
    let dir = new_dir();
    let out = dir.path().join("share.pdf");
    let stdout = certvault()
        .args(["sheet", "--vault"])
        .arg(&v.vault)
        .arg("--passphrase-file")
        .arg(&v.pass)
        .arg("--out")
        .arg(&out)
        .args(["--split", "2-of-3"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(stdout).unwrap().contains("Any 2 of these 3"));
    assert!(!out.exists());
    let mut shares = Vec::new();
    for i in 1..=3 {
        let pdf = dir.path().join(format!("share-{i}-of-3.pdf"));
        assert_small_subset_pdf(&pdf);
        let text = one_line(&pdf_text(&pdf));
        // No sheet shows R; each shows its share, also in its QR code.
        assert!(printed_codes(&text, 5).is_empty(), "{text}");
        assert!(!text.contains(&v.recovery_code));
        let printed = printed_codes(&text, 7);
        assert_eq!(printed.len(), 1, "{text}");
        assert!(printed[0].starts_with(&format!("2{i}")), "K and i in plain sight: {}", printed[0]);
        assert_eq!(qr_codes(&pdf), printed);
        assert!(text.contains(&format!("分割シート {i} / 3")), "{text}");
        shares.push(write(dir.path(), &format!("share{i}.txt"), &printed[0]));
    }
    let sf = ["--share-file", "--share-file", "--share-file"];

    // Any two open it (the same entry as with the passphrase); all three too.
    for pair in [[0, 1], [0, 2], [2, 1]] {
        let listed = list_ok(&sf[..2], &[&shares[pair[0]], &shares[pair[1]]]);
        assert!(listed.contains(&v.entry), "{listed}");
    }
    assert!(list_ok(&sf, &[&shares[0], &shares[1], &shares[2]]).contains(&v.entry));

    // K-1 shares: a clear refusal.
    let err = list_err(&sf[..1], &[&shares[1]]);
    assert!(err.contains("2 share codes are needed") && err.contains("got 1"), "{err}");
    // The same share twice is not two shares.
    assert!(list_err(&sf[..2], &[&shares[0], &shares[0]]).contains("given twice"));
    // One mistyped symbol: caught by its group's check, naming the file and the group.
    let good = std::fs::read_to_string(&shares[2]).unwrap();
    let mut bad: Vec<char> = good.chars().collect();
    bad[20] = if bad[20] == 'Z' { 'Y' } else { 'Z' };
    let bad = write(dir.path(), "bad.txt", &bad.into_iter().collect::<String>());
    let err = list_err(&sf[..2], &[&shares[0], &bad]);
    assert!(err.contains("bad.txt") && err.contains("group 4"), "{err}");
    // Two mistakes in one group that its check symbol misses: the share checksum catches them.
    let groups: Vec<String> = good.split('-').map(str::to_string).collect();
    let alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut caught = false;
    'search: for a in alphabet.chars() {
        for b in alphabet.chars() {
            let mut g: Vec<char> = groups[5].chars().collect();
            if (g[0], g[1]) == (a, b) {
                continue;
            }
            (g[0], g[1]) = (a, b);
            let mut candidate = groups.clone();
            candidate[5] = g.into_iter().collect();
            let text = candidate.join("-");
            let file = write(dir.path(), "double.txt", &text);
            let mut c = certvault();
            c.arg("list")
                .arg("--vault")
                .arg(&v.vault)
                .arg("--share-file")
                .arg(&shares[0])
                .arg("--share-file")
                .arg(&file);
            let out = c.output().unwrap();
            let err = String::from_utf8(out.stderr).unwrap();
            assert_eq!(out.status.code(), Some(2), "a damaged share was accepted: {text}");
            if err.contains("checksum does not match") && !err.contains("group") {
                caught = true;
                break 'search;
            }
            assert!(err.contains("group 6"), "{err}");
        }
    }
    assert!(caught, "no double typo that passes the group check was found");
}

/// What certvault reads from OCR output (vault-format SPEC.md §3: separators dropped, `O` as
/// `0`, `I` and `L` as `1`): the symbols, or `None` when a character is not of the alphabet.
fn as_certvault_reads(text: &str) -> Option<String> {
    use vault_format::code::{classify, Typed};
    let mut out = String::new();
    for c in text.trim().chars() {
        match classify(c) {
            Typed::Symbol(v) => out.push(char::from(vault_format::code::ALPHABET[usize::from(v)])),
            Typed::Separator => {}
            Typed::Invalid => return None,
        }
    }
    Some(out)
}

/// The printed word `code` on page 1 of `pdf`, rasterised at 300 dpi as a scanner would:
/// the path of that crop (the word's box, 6 pt more on each side, 4 pt above and below).
fn crop_code(pdf: &Path, code: &str, work: &Path) -> PathBuf {
    let bbox = tool("pdftotext", &["-f", "1", "-l", "1", "-bbox", pdf.to_str().unwrap(), "-"]);
    let bbox = String::from_utf8(bbox.stdout).unwrap();
    let attr = |line: &str, name: &str| -> f32 {
        let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        line[start..].split('"').next().unwrap().parse().unwrap()
    };
    let line = bbox
        .lines()
        .find(|l| l.contains("<word") && l.contains(&format!(">{code}<")))
        .unwrap_or_else(|| panic!("{code} is not printed as one word in {}", pdf.display()));
    let scale = 300.0 / 72.0;
    let (x0, y0) = ((attr(line, "xMin") - 6.0) * scale, (attr(line, "yMin") - 4.0) * scale);
    let (x1, y1) = ((attr(line, "xMax") + 6.0) * scale, (attr(line, "yMax") + 4.0) * scale);
    let prefix = work.join(format!("crop-{code}"));
    let px = |v: f32| (v as i64).to_string();
    let out = tool(
        "pdftoppm",
        &[
            "-r",
            "300",
            "-f",
            "1",
            "-l",
            "1",
            "-x",
            &px(x0),
            "-y",
            &px(y0),
            "-W",
            &px(x1 - x0),
            "-H",
            &px(y1 - y0),
            "-png",
            "-singlefile",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "pdftoppm: {}", String::from_utf8_lossy(&out.stderr));
    prefix.with_extension("png")
}

/// What tesseract in `lang` reads on each of `images` as one line (`--psm 7`), in one run.
fn ocr_lines(images: &[PathBuf], lang: &str, work: &Path) -> Vec<String> {
    let list = work.join(format!("images-{lang}.txt"));
    let names: Vec<&str> = images.iter().map(|p| p.to_str().unwrap()).collect();
    std::fs::write(&list, names.join("\n") + "\n").unwrap();
    let out = tool("tesseract", &[list.to_str().unwrap(), "-", "-l", lang, "--psm", "7"]);
    assert!(out.status.success(), "tesseract -l {lang}: {}", String::from_utf8_lossy(&out.stderr));
    // One page per image, each ended by a form feed.
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let pages: Vec<String> = text.split('\u{c}').map(|p| p.trim().to_string()).collect();
    assert!(
        pages.len() >= images.len(),
        "tesseract -l {lang} read {} of {} images",
        pages.len(),
        images.len()
    );
    pages[..images.len()].to_vec()
}

/// `count` recovery and PIN codes, alternately, from a fixed seed: the same every run.
fn seeded_codes(count: usize) -> Vec<(vault_format::code::CodeKind, String)> {
    use secrecy::ExposeSecret;
    use sha2::Digest;
    use vault_format::code::{Code, CodeKind, CODE_BYTES};
    (0..count)
        .map(|i| {
            let kind = if i % 2 == 0 { CodeKind::Recovery } else { CodeKind::PinCode };
            let digest = sha2::Sha256::digest(format!("certvault OCR check {i}"));
            let mut bytes = [0u8; CODE_BYTES];
            bytes.copy_from_slice(&digest[..CODE_BYTES]);
            bytes[CODE_BYTES - 1] &= 0xf0;
            let code = Code::from_canonical_bytes(kind, &bytes).unwrap();
            (kind, code.to_grouped_string().expose_secret().to_string())
        })
        .collect()
}

/// Issue 16, item 9: a Japanese OCR (`tesseract -l jpn+eng`, 300 dpi) read the recovery
/// code's Q as 0 where an English one read it right. The codes are now set in the face that
/// both read right most often (assets/fonts/README.md has the survey). Checked here, on sheets
/// rendered by the real code:
/// * the hard cases (every symbol; runs of Q, 0, D, G, C, S, 5, 8) read exactly in both;
/// * of codes drawn from a fixed seed, at least the share measured when the face was chosen
///   reads exactly in each language (`OCR_CODES` codes, 24 unless set; benches/ocr_codes.sh
///   runs 200 and prints the rates);
/// * a misread is never a valid code: certvault refuses what the OCR got wrong (the group
///   check symbols), so OCR'd text opens the vault or says which group to fix, never
///   anything else.
///
/// Needs `tesseract` with the `eng` and `jpn` data (`.ci/run` installs them).
#[test]
fn the_printed_codes_read_back_by_ocr_in_english_and_japanese_as_they_are() {
    use certvault_core::sheet::{render_pdf, CodeBlock, SheetInput, SheetLang};
    use secrecy::SecretString;
    use vault_format::code::Code;
    if !(require_tool("tesseract") && require_tool("pdftoppm")) {
        return;
    }
    let langs = tool("tesseract", &["--list-langs"]);
    let langs = String::from_utf8_lossy(&langs.stdout).to_string() + &String::from_utf8_lossy(&langs.stderr);
    let have = |l: &str| langs.lines().any(|x| x.trim() == l);
    if !require(
        have("eng") && have("jpn"),
        "tesseract's eng and jpn data (tesseract-ocr-eng, tesseract-ocr-jpn)",
    ) {
        return;
    }
    let work = new_dir();
    let block = |groups: &str, identity: &str| CodeBlock {
        groups: SecretString::from(groups),
        identity: SecretString::from(identity),
        checksum: "B549-D71D".into(),
    };
    let id = "AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQS7R9KD";
    let hard = [
        "01234-56789-ABCDE-FGHJK-MNPQR",
        "STVWX-YZQ0Q-0QQ00-Q0DQ0-QD0Q8",
        "Q0Q0Q-B8Q0Q-DQ0D0-0QQ0Q-0Q0Q0",
        "QQQQQ-00000-GQ6G0-C0CQS-Q5Q2Z",
    ];
    let count = std::env::var("OCR_CODES").ok().and_then(|v| v.parse().ok()).unwrap_or(24usize);
    let seeded = seeded_codes(count);
    let printed: Vec<&str> = hard.iter().copied().chain(seeded.iter().map(|(_, c)| c.as_str())).collect();
    // Two codes a sheet, in the recovery code's and the PIN code's places.
    let mut crops = Vec::new();
    for (k, pair) in printed.chunks(2).enumerate() {
        let (recovery, pin) = (pair[0], pair.get(1).copied());
        let input = SheetInput {
            lang: SheetLang::Ja,
            clinic_name: Some("さくら内科クリニック".into()),
            institution_code: Some("1312345678".into()),
            vault_id: "b652a16bad0426d48badc5354f9322fa".into(),
            created: "2026-04-01".into(),
            generation: 1,
            recovery: Some(block(recovery, id)),
            pin_code: pin.map(|p| block(p, id)),
            share: None,
            certificates: Vec::new(),
            stock_tools_generation_file: "vault-1.age".into(),
            programs: Vec::new(),
        };
        let pdf = work.path().join(format!("sheet-{k}.pdf"));
        std::fs::write(&pdf, render_pdf(&input).unwrap()).unwrap();
        for code in pair {
            crops.push(crop_code(&pdf, code, work.path()));
        }
    }
    // The exact share each language reached on these seeded codes when the face was chosen,
    // less a margin for other tesseract builds: a face or layout change that reads worse fails.
    for (lang, floor) in [("eng", 0.90), ("jpn+eng", 0.95)] {
        let lines = ocr_lines(&crops, lang, work.path());
        for (code, line) in hard.iter().zip(&lines) {
            assert_eq!(
                as_certvault_reads(line).as_deref(),
                Some(code.replace('-', "").as_str()),
                "tesseract -l {lang} read {code} as {line:?}"
            );
        }
        let mut exact = 0;
        let mut misread = Vec::new();
        for ((kind, code), line) in seeded.iter().zip(&lines[hard.len()..]) {
            if as_certvault_reads(line).as_deref() == Some(code.replace('-', "").as_str()) {
                exact += 1;
                continue;
            }
            misread.push(format!("{code} as {line:?}"));
            // What the OCR got wrong, certvault refuses.
            assert!(
                Code::parse(*kind, line).is_err(),
                "tesseract -l {lang} misread {code} as {line:?}, and it passed as a code"
            );
        }
        println!(
            "tesseract -l {lang}: {exact} of {} seeded codes read exactly; misread: {misread:?}",
            seeded.len()
        );
        assert!(
            exact as f64 >= floor * seeded.len() as f64,
            "tesseract -l {lang} read only {exact} of {} codes exactly (floor {floor}): {misread:?}",
            seeded.len()
        );
    }
}
