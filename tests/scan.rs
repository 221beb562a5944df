//! `certvault scan` through the real binary, on user folders built from the fixtures: finding
//! PKCS#12 files by content (renamed, extension-less, in trash and recycle bin, inside zips),
//! classification against a vault, the fences (links, other users, other file systems), hostile
//! and unreadable files, exit codes, JSON and Japanese output.

mod common;
mod leak;

use std::path::Path;
use std::process::Command;

use common::*;
use leak::*;

fn s(x: &str) -> String {
    x.to_string()
}

/// A clinic terminal's home folder: copies where they end up, and things that only look like
/// certificates.
fn user_home(root: &Path, v: &TestVault) {
    let legacy = fixture_bytes("legacy.p12");
    put(root, "Downloads/202101010000777.p12", &legacy);
    put(root, "Desktop/client.hpki-cardless-signature", &fixture_bytes("hpki.p12"));
    put(root, "Documents/証明書/old-terminal-backup.pfx", &fixture_bytes("aes.p12"));
    put(root, "Documents/reexported.p12", &fixture_bytes("noenc.p12"));
    put(root, "Downloads/truncated.p12", &fixture_bytes("truncated.p12"));
    put(root, "Pictures/renamed-pdf.p12", &fixture_bytes("renamed-pdf.p12"));
    put(root, "Pictures/holiday.jpg", b"\xff\xd8\xff\xe0 not a certificate");
    put(root, "Documents/empty.p12", b"");
    put(
        root,
        "Documents/backup.zip",
        &zip_of(&[("certs/202101010000777.p12", &legacy), ("readme.txt", b"PIN apart")], true),
    );
    // The freedesktop trash, with its index.
    put(root, ".local/share/Trash/files/202101010000777 (2).p12", &legacy);
    put(
        root,
        ".local/share/Trash/info/202101010000777 (2).p12.trashinfo",
        b"[Trash Info]\nPath=/home/clinic/Downloads/202101010000777%20(2).p12\nDeletionDate=2026-04-01T09:30:00\n",
    );
    // Developer caches under the home folder are not entered.
    put(root, "project/node_modules/pkg/test.p12", &legacy);
    let _ = v;
}

#[test]
fn finds_copies_in_the_default_places_and_classifies_them() {
    let v = new_vault();
    let home = v.tmp.path().join("home");
    user_home(&home, &v);
    // XDG user dirs in Japanese, as a Japanese desktop names them.
    put(&home, ".config/user-dirs.dirs", "XDG_DOWNLOAD_DIR=\"$HOME/ダウンロード\"\n".as_bytes());
    put(&home, "ダウンロード/202101010000777.p12", &fixture_bytes("legacy.p12"));

    let mut c = v.cmd("scan", &[]);
    c.env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"));
    c.arg("--json");
    let (report, code) = json_of(c);
    assert_eq!(code, 1, "copies found: exit code 1");
    let (legacy, hpki) = (Some(v.legacy.clone()), Some(v.hpki.clone()));
    assert_eq!(
        hits_under(&report, &home),
        vec![
            (s(".local/share/Trash/files/202101010000777 (2).p12"), s("in-vault"), legacy.clone()),
            (s("Desktop/client.hpki-cardless-signature"), s("in-vault"), hpki),
            (s("Documents/backup.zip!/certs/202101010000777.p12"), s("in-vault"), legacy.clone()),
            (s("Documents/reexported.p12"), s("same-certificate"), legacy.clone()),
            (s("Documents/証明書/old-terminal-backup.pfx"), s("unknown"), None),
            (s("Downloads/202101010000777.p12"), s("in-vault"), legacy.clone()),
            (s("Downloads/truncated.p12"), s("not-readable"), None),
            (s("ダウンロード/202101010000777.p12"), s("in-vault"), legacy),
        ]
    );
    let hits = report["hits"].as_array().unwrap();
    let by_name = |suffix: &str| hits.iter().find(|h| h["path"].as_str().unwrap().ends_with(suffix)).unwrap();
    assert_eq!(by_name("ダウンロード/202101010000777.p12")["place"], "downloads");
    assert_eq!(by_name("Desktop/client.hpki-cardless-signature")["place"], "desktop");
    let trashed = by_name("202101010000777 (2).p12");
    assert_eq!(trashed["place"], "trash");
    assert_eq!(trashed["trash"]["original_path"], "/home/clinic/Downloads/202101010000777 (2).p12");
    assert_eq!(
        by_name("truncated.p12")["reason"].as_str().unwrap(),
        "the file is truncated (an interrupted download or copy)"
    );
    let inst = by_name("Downloads/202101010000777.p12");
    assert_eq!(inst["certificate"]["institution_code"], "1312345678");
    assert_eq!(inst["size"], fixture_bytes("legacy.p12").len());
    assert!(inst["modified"].as_str().unwrap().ends_with('Z'));
    // Named like certificates but not: listed with the reason, not counted as hits.
    let not: Vec<&str> =
        report["not_pkcs12"].as_array().unwrap().iter().map(|n| n["path"].as_str().unwrap()).collect();
    assert!(
        not.iter().any(|p| p.ends_with("renamed-pdf.p12")) && not.iter().any(|p| p.ends_with("empty.p12")),
        "{not:?}"
    );
    assert!(!report.to_string().contains("node_modules"), "developer caches are not entered");
    assert_eq!(report["vault"]["entries"], 2);
    assert_eq!(report["summary"]["in_vault"], 5);
}

/// A plaintext `.p12` must never land on the stick next to the vault: `export --out` refuses
/// the vault folder.
#[test]
fn export_refuses_the_vault_folder() {
    let v = new_vault();
    let out = v.dir.join("for-the-vendor.p12");
    let run = v.cmd("export", &[&v.legacy, "--out", out.to_str().unwrap()]).output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("for-the-vendor.p12") && stderr.contains("inside the vault folder"), "{stderr}");
    assert!(!out.exists());
}

/// A `.p12` that lies in the vault folder anyway (put there by hand) is reported by `scan`
/// with `--vault` (given the stick, or the default places), and removed by `clean` when it is
/// a copy of an entry, while the vault itself stays whole.
#[test]
fn a_certificate_file_in_the_vault_folder_is_reported_and_cleaned() {
    let v = new_vault();
    let stick = v.dir.parent().unwrap();
    put(&v.dir, "for-the-vendor.p12", &fixture_bytes("legacy.p12"));
    put(&v.dir, "other-clinic.p12", &fixture_bytes("aes.p12"));
    let expected = vec![
        (s("CERTVAULT/for-the-vendor.p12"), s("in-vault"), Some(v.legacy.clone())),
        (s("CERTVAULT/other-clinic.p12"), s("unknown"), None),
    ];
    let (report, code) = v.json("scan", &[stick.to_str().unwrap()]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(hits_under(&report, stick), expected);
    for hit in report["hits"].as_array().unwrap() {
        assert!(hit["reason"].as_str().unwrap().contains("unencrypted in the vault folder"), "{hit}");
    }
    // The default places leave the vault's stick out, but not the vault folder itself.
    let home = v.tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut c = v.cmd("scan", &["--json"]);
    c.env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local"));
    let (report, code) = json_of(c);
    assert_eq!(code, 1, "{report}");
    assert_eq!(hits_under(&report, stick), expected);

    let (report, _) = v.json("clean", &[stick.to_str().unwrap(), "--apply"]);
    assert_eq!(report["summary"]["removed"], 1, "{report}");
    assert!(!v.dir.join("for-the-vendor.p12").exists());
    assert_eq!(v.entries().len(), 2, "the vault still opens with both entries");
}

#[test]
fn without_a_vault_copies_are_found_and_the_exit_code_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    put(tmp.path(), "notes.txt", b"nothing here");
    certvault()
        .arg("scan")
        .arg(tmp.path())
        .assert()
        .code(0)
        .stdout(predicates::str::contains("No certificate files"));
    put(tmp.path(), "a/b/certificate", &fixture_bytes("ber.p12"));
    let (report, code) = json_of({
        let mut c = certvault();
        c.arg("scan").arg(tmp.path()).arg("--json");
        c
    });
    assert_eq!(code, 1);
    assert_eq!(hits_under(&report, tmp.path()), vec![(s("a/b/certificate"), s("found"), None)]);
    // A text report in Japanese, with the table and the advice.
    let out = certvault()
        .args(["--lang", "ja", "scan"])
        .arg(tmp.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("証明書ファイル") && text.contains("--vault"), "{text}");
    // A path that does not exist is an error (exit 2), not an empty scan.
    certvault()
        .arg("scan")
        .arg(tmp.path().join("missing"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("missing"));
}

#[test]
fn a_wrong_passphrase_is_an_error() {
    let v = new_vault();
    let wrong = v.tmp.path().join("wrong.txt");
    std::fs::write(&wrong, "not the passphrase at all\n").unwrap();
    certvault()
        .arg("scan")
        .arg(v.tmp.path())
        .arg("--vault")
        .arg(&v.dir)
        .arg("--passphrase-file")
        .arg(&wrong)
        .assert()
        .code(2);
}

#[test]
fn a_certificate_renamed_photo_jpg_is_found_unless_names_are_trusted() {
    let tmp = tempfile::tempdir().unwrap();
    put(tmp.path(), "202101010000777.p12.bak", &fixture_bytes("legacy.p12"));
    put(tmp.path(), "certificate.crdownload", &fixture_bytes("aes.p12"));
    put(tmp.path(), "photo.jpg", &fixture_bytes("hpki.p12"));
    put(tmp.path(), "notes.txt", b"nothing to see here, just notes");
    let scan = |extra: &[&str]| {
        let mut c = certvault();
        c.arg("scan").arg(tmp.path()).arg("--json").args(extra);
        json_of(c).0
    };
    let names =
        |r: &serde_json::Value| hits_under(r, tmp.path()).into_iter().map(|h| h.0).collect::<Vec<_>>();
    // Every file is read by default: the copy renamed photo.jpg is found.
    let plain = scan(&[]);
    assert_eq!(names(&plain), ["202101010000777.p12.bak", "certificate.crdownload", "photo.jpg"]);
    assert_eq!(plain["summary"]["files_not_opened"], 0);
    // --all-files, the default, is still accepted and changes nothing.
    assert_eq!(names(&scan(&["--all-files"])), names(&plain));
    // --trust-names leaves files named as other formats unopened.
    let trusting = scan(&["--trust-names"]);
    assert_eq!(names(&trusting), ["202101010000777.p12.bak", "certificate.crdownload"]);
    assert_eq!(trusting["summary"]["files_not_opened"], 2);
    // The two contradict each other.
    certvault().arg("scan").arg(tmp.path()).args(["--all-files", "--trust-names"]).assert().code(2);
    // A file given by name is read whatever its name.
    let mut c = certvault();
    c.arg("scan").arg(tmp.path().join("photo.jpg")).arg("--json").arg("--trust-names");
    assert_eq!(json_of(c).0["summary"]["hits"], 1);
}

#[test]
fn zip_archives_are_opened_one_level_and_bombs_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let legacy = fixture_bytes("legacy.p12");
    let inner = zip_of(&[("nested.p12", &legacy)], false);
    put(tmp.path(), "mail.zip", &zip_of(&[("202101010000777.p12", &legacy), ("inner.zip", &inner)], false));
    // 4 MB of zeros under a certificate name: a compression ratio no certificate has.
    put(tmp.path(), "bomb.zip", &zip_of(&[("cert.p12", &vec![0u8; 4 << 20])], true));
    put(tmp.path(), "damaged.zip", &zip_of(&[("a.p12", &legacy)], false)[..500]);
    let mut c = certvault();
    c.arg("scan").arg(tmp.path()).arg("--json");
    let (report, code) = json_of(c);
    assert_eq!(code, 1);
    assert_eq!(hits_under(&report, tmp.path()), vec![(s("mail.zip!/202101010000777.p12"), s("found"), None)]);
    let skipped = report["skipped"].to_string();
    assert!(skipped.contains("bomb.zip") && skipped.contains("damaged.zip"), "{skipped}");
}

#[test]
fn huge_and_sparse_files_are_not_read_whole() {
    let tmp = tempfile::tempdir().unwrap();
    // Two 10 GB sparse files: zeros under a certificate name, and a PKCS#12 head.
    let zeros = std::fs::File::create(tmp.path().join("x.p12")).unwrap();
    zeros.set_len(10 << 30).unwrap();
    let head = put(tmp.path(), "y.pfx", &fixture_bytes("aes.p12")[..64]);
    std::fs::OpenOptions::new().write(true).open(&head).unwrap().set_len(10 << 30).unwrap();
    let mut c = certvault();
    c.arg("scan").arg(tmp.path()).arg("--json");
    let (report, code) = json_of(c);
    assert_eq!(code, 1);
    assert_eq!(hits_under(&report, tmp.path()), vec![(s("y.pfx"), s("not-readable"), None)]);
    assert!(report["hits"][0]["reason"].as_str().unwrap().contains("10,737,418,240 bytes"));
    assert!(report["not_pkcs12"].to_string().contains("x.p12"));
}

#[test]
fn the_windows_recycle_bin_pairs_data_with_its_index() {
    let v = new_vault();
    let root = v.tmp.path().join("drive");
    let bin = "$Recycle.Bin/S-1-5-21-1004336348-1177238915-682003330-1001";
    put(&root, &format!("{bin}/$R3XK2QZ.p12"), &fixture_bytes("legacy.p12"));
    put(
        &root,
        &format!("{bin}/$I3XK2QZ.p12"),
        &recycle_index(r"C:\Users\受付\Downloads\202101010000777.p12", 3730),
    );
    let (report, code) = v.json("scan", &[root.to_str().unwrap()]);
    assert_eq!(code, 1);
    let hit = &report["hits"][0];
    assert_eq!(hit["class"], "in-vault");
    assert_eq!(hit["place"], "recycle-bin");
    assert_eq!(hit["trash"]["original_path"], r"C:\Users\受付\Downloads\202101010000777.p12");
    assert!(hit["trash"]["index"].as_str().unwrap().ends_with("$I3XK2QZ.p12"));
}

#[cfg(unix)]
#[test]
fn links_are_not_followed_and_other_users_folders_are_not_entered() {
    use std::os::unix::fs::symlink;
    // Giving a folder to another user needs root and chown (CI has both); without them this
    // half fails, or with CERTVAULT_ALLOW_SKIP=1 outside CI is skipped loudly.
    let other_user = require_root("to give a folder to another user") && require_tool("chown");
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    put(&outside, "secret/202101010000777.p12", &fixture_bytes("legacy.p12"));
    let root = tmp.path().join("root");
    put(&root, "Downloads/readme.txt", b"hello");
    symlink(outside.join("secret"), root.join("Downloads/link-to-folder")).unwrap();
    symlink(outside.join("secret/202101010000777.p12"), root.join("Downloads/link.p12")).unwrap();
    // Folders of another user (uid 4321), including their trash on a volume.
    put(&root, "shared/other/cert.p12", &fixture_bytes("aes.p12"));
    put(&root, ".Trash-4321/files/cert.p12", &fixture_bytes("aes.p12"));
    if other_user {
        let st = Command::new("chown").arg("-R").arg("4321:4321").arg(root.join("shared/other")).status();
        assert!(st.is_ok_and(|s| s.success()), "chown to uid 4321 failed");
    } else {
        std::fs::remove_dir_all(root.join("shared")).unwrap();
    }
    let mut c = certvault();
    c.arg("scan").arg(&root).arg("--json");
    let (report, code) = json_of(c);
    assert_eq!(code, 0, "nothing found: {report}");
    assert_eq!(report["summary"]["symlinks_not_followed"], 2);
    let skipped = report["skipped"].to_string();
    assert!(skipped.contains(".Trash-4321"), "{skipped}");
    if other_user {
        assert!(skipped.contains("shared/other"), "{skipped}");
    }
}

/// Runs as `nobody` (setpriv), so that permissions apply even when the tests run as root.
#[cfg(unix)]
#[test]
fn unreadable_files_and_folders_are_reported_and_skipped() {
    use std::os::unix::fs::PermissionsExt;
    if !require_root("to drop to another user") || !require_tool("setpriv") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let locked = put(&root, "Downloads/locked.p12", &fixture_bytes("legacy.p12"));
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o600)).unwrap();
    put(&root, "Private/cert.p12", &fixture_bytes("aes.p12"));
    std::fs::set_permissions(root.join("Private"), std::fs::Permissions::from_mode(0o700)).unwrap();
    let readable = put(&root, "Desktop/client.hpki-cardless-signature", &fixture_bytes("hpki.p12"));
    std::fs::set_permissions(&readable, std::fs::Permissions::from_mode(0o644)).unwrap();
    for d in [tmp.path(), &root, &root.join("Downloads"), &root.join("Desktop")] {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let bin = assert_cmd::cargo::cargo_bin("certvault");
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&bin)
        .args(["--lang", "en", "scan"])
        .arg(&root)
        .arg("--json")
        .env("HOME", tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        hits_under(&report, &root),
        vec![
            (s("Desktop/client.hpki-cardless-signature"), s("found"), None),
            (s("Downloads/locked.p12"), s("not-readable"), None)
        ]
    );
    assert_eq!(report["hits"][1]["reason"], "permission denied");
    let errors = report["errors"].to_string();
    assert!(errors.contains("Private") && errors.contains("permission denied"), "{errors}");
}

/// The NSS database of the user (Linux install target) is listed as information, with the
/// vault entry holding the same certificate.
#[cfg(unix)]
#[test]
fn installed_certificates_in_nss_are_reported() {
    if !require_tool("certutil") || !require_tool("pk12util") {
        return;
    }
    let v = new_vault();
    let home = v.tmp.path().join("home");
    let db = home.join(".pki/nssdb");
    std::fs::create_dir_all(&db).unwrap();
    let spec = format!("sql:{}", db.display());
    assert!(Command::new("certutil")
        .args(["-N", "--empty-password", "-d", &spec])
        .status()
        .unwrap()
        .success());
    let status = Command::new("pk12util")
        .args(["-d", &spec, "-i"])
        .arg(fixture("legacy.p12"))
        .arg("-w")
        .arg(fixture("pin.txt"))
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let mut c = v.cmd("scan", &["--json"]);
    c.env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"));
    let (report, _) = json_of(c);
    let installed = report["installed"].as_array().unwrap();
    let leaf =
        installed.iter().find(|i| i["has_private_key"] == true).unwrap_or_else(|| panic!("{installed:?}"));
    assert_eq!(leaf["entry"].as_str(), Some(v.legacy.as_str()));
    assert!(leaf["store"].as_str().unwrap().starts_with("nss:"));
    assert_eq!(leaf["exportable"], true);
}

/// A test whose tool or privilege is missing fails in CI instead of passing without testing;
/// outside CI only `CERTVAULT_ALLOW_SKIP=1` lets it skip, with a `SKIPPED:` line. Each test
/// above that needs a tool or root is run again here without it.
#[cfg(unix)]
#[test]
fn a_test_missing_its_tool_or_root_fails_in_ci_and_skips_only_loudly() {
    if !require_root("to run a test as another user") || !require_tool("setpriv") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let without = |hidden: &[&str]| path_without(hidden, &tmp.path().join(hidden.join("-")));
    let path_now = std::env::var_os("PATH").unwrap_or_default();
    let nobody = Some(65534);
    let nss = "installed_certificates_in_nss_are_reported";
    assert_fails_in_ci_and_skips_only_loudly(nss, &without(&["certutil", "pk12util"]), None);
    let unreadable = "unreadable_files_and_folders_are_reported_and_skipped";
    assert_fails_in_ci_and_skips_only_loudly(unreadable, &without(&["setpriv"]), None);
    assert_fails_in_ci_and_skips_only_loudly(unreadable, &path_now, nobody);
    let links = "links_are_not_followed_and_other_users_folders_are_not_entered";
    assert_fails_in_ci_and_skips_only_loudly(links, &without(&["chown"]), None);
    assert_fails_in_ci_and_skips_only_loudly(links, &path_now, nobody);
}

/// A small PDF as other programs write it: no sheet marker.
const ORDINARY_PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n2 0 obj\n<</Type/Pages/Kids[]/Count 0>>\nendobj\n3 0 obj\n<</Title(Invoice certvault-recovery-sheet)/Producer(LibreOffice)>>\nendobj\ntrailer\n<</Root 1 0 R/Info 3 0 R/Size 4>>\n%%EOF\n";

#[test]
fn a_recovery_sheet_pdf_left_on_the_computer_is_found_by_content_and_an_ordinary_pdf_is_not() {
    let tmp = tempfile::tempdir().unwrap();
    let pass = put(tmp.path(), "pass.txt", format!("{PASSPHRASE}\n").as_bytes());
    let written = tmp.path().join("written.pdf");
    certvault()
        .args(["init", "--allow-fixed-disk", "--passphrase-file"])
        .arg(&pass)
        .arg("--recovery-out")
        .arg(tmp.path().join("recovery.txt"))
        .arg("--sheet-out")
        .arg(&written)
        .arg(tmp.path().join("USB/CERTVAULT"))
        .assert()
        .success();
    let folder = tmp.path().join("Documents");
    // Renamed as a user might; found by its bytes, not its name.
    put(&folder, "scan_2026-04-01.PDF", &std::fs::read(&written).unwrap());
    put(&folder, "invoice.pdf", ORDINARY_PDF);
    put(&folder, "notes.pdf", b"not a pdf at all (certvault-recovery-sheet-v1)");

    let (report, code) = json_of({
        let mut c = certvault();
        c.arg("scan").arg(&folder).arg("--json");
        c
    });
    assert_eq!(code, 1, "a sheet left here is something found: {report}");
    let sheets = report["recovery_sheets"].as_array().unwrap();
    assert_eq!(sheets.len(), 1, "{report}");
    assert!(sheets[0]["path"].as_str().unwrap().ends_with("scan_2026-04-01.PDF"));
    assert_eq!(sheets[0]["class"], "recovery-sheet");
    assert_eq!(report["summary"]["recovery_sheets"], 1);
    assert_eq!(report["hits"].as_array().unwrap().len(), 0, "a sheet is not a certificate file");

    // For people, in Japanese: what it is and what to do.
    let out =
        certvault().args(["--lang", "ja", "scan"]).arg(&folder).assert().code(1).get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("復旧シートの PDF") && text.contains("scan_2026-04-01.PDF"), "{text}");
    assert!(text.contains("印刷") && text.contains("削除"), "{text}");
    assert!(!text.contains("invoice.pdf"), "{text}");

    // Without the sheet: nothing found, exit 0.
    std::fs::remove_file(folder.join("scan_2026-04-01.PDF")).unwrap();
    certvault().arg("scan").arg(&folder).assert().code(0);
}
