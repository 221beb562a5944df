//! `certvault inspect` through the real binary on the generated fixture family, checked against
//! what openssl itself reports.

mod common;

use common::*;
use serde_json::Value;

fn inspect_json(file: &str, pin_file: Option<&str>) -> Value {
    let mut cmd = certvault();
    cmd.arg("inspect").arg(fixture(file)).arg("--json");
    if let Some(p) = pin_file {
        cmd.arg("--pin-file").arg(fixture(p));
    }
    let out = cmd.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).expect("valid JSON")
}

/// The leaf's printed values equal openssl's view of the certificate it was made from.
fn assert_leaf_matches_openssl(report: &Value, cert: &str) {
    let leaf = &report["leaf"];
    assert_eq!(leaf["sha1"], after_eq(&openssl_x509(cert, &["-fingerprint", "-sha1"])), "SHA-1 of {cert}");
    assert_eq!(
        leaf["sha256"],
        after_eq(&openssl_x509(cert, &["-fingerprint", "-sha256"])),
        "SHA-256 of {cert}"
    );
    let serial = after_eq(&openssl_x509(cert, &["-serial"]));
    assert_eq!(leaf["serial"].as_str().unwrap().replace(':', ""), serial, "serial of {cert}");
    let subject = after_eq(&openssl_x509(cert, &["-subject", "-nameopt", "utf8,sep_comma_plus_space"]));
    assert_eq!(leaf["subject"], subject);
    let issuer = after_eq(&openssl_x509(cert, &["-issuer", "-nameopt", "utf8,sep_comma_plus_space"]));
    assert_eq!(leaf["issuer"], issuer);
    assert_eq!(leaf["not_after"], openssl_date_to_rfc3339(&openssl_x509(cert, &["-enddate"])));
    assert_eq!(leaf["not_before"], openssl_date_to_rfc3339(&openssl_x509(cert, &["-startdate"])));
}

fn root_sha1(ca: &str) -> String {
    after_eq(&openssl_x509(ca, &["-fingerprint", "-sha1"]))
}

#[test]
fn every_readable_variant_shows_the_leaf_as_openssl_sees_it() {
    // (file, pin file, leaf cert, CA, encoding, mac, pin state)
    let cases = [
        ("legacy.p12", "pin.txt", "leaf.crt", Some("ca.crt"), "DER", Some("HMAC-SHA1"), "correct"),
        ("aes.p12", "pin.txt", "leaf.crt", Some("ca.crt"), "DER", Some("HMAC-SHA256"), "correct"),
        ("nomac.p12", "pin.txt", "leaf.crt", Some("ca.crt"), "DER", None, "correct"),
        ("noenc.p12", "pin.txt", "leaf.crt", Some("ca.crt"), "DER", Some("HMAC-SHA256"), "correct"),
        ("nochain.p12", "pin.txt", "leaf.crt", None, "DER", Some("HMAC-SHA256"), "correct"),
        ("nochain-legacy.p12", "pin.txt", "leaf.crt", None, "DER", Some("HMAC-SHA1"), "correct"),
        (
            "empty-password.p12",
            "wrong-pin.txt",
            "leaf.crt",
            Some("ca.crt"),
            "DER",
            Some("HMAC-SHA256"),
            "empty",
        ),
        ("nopassword.p12", "wrong-pin.txt", "leaf.crt", Some("ca.crt"), "DER", Some("HMAC-SHA256"), "absent"),
        (
            "long-password.p12",
            "longpw.txt",
            "leaf.crt",
            Some("ca.crt"),
            "DER",
            Some("HMAC-SHA256"),
            "correct",
        ),
        ("expired.p12", "pin.txt", "expired.crt", Some("ca.crt"), "DER", Some("HMAC-SHA256"), "correct"),
        ("ec.p12", "pin.txt", "leaf-ec.crt", Some("ca.crt"), "DER", Some("HMAC-SHA256"), "correct"),
        ("ber.p12", "pin.txt", "leaf.crt", Some("ca.crt"), "BER", Some("HMAC-SHA1"), "correct"),
        ("ber-aes.p12", "pin.txt", "leaf.crt", Some("ca.crt"), "BER", Some("HMAC-SHA256"), "correct"),
        (
            "client.hpki-cardless-signature",
            "hpki-pw.txt",
            "hpki.crt",
            Some("hpki-ca.crt"),
            "DER",
            Some("HMAC-SHA256"),
            "correct",
        ),
        ("202101010000777.p12", "pin.txt", "leaf.crt", Some("ca.crt"), "DER", Some("HMAC-SHA1"), "correct"),
    ];
    for (file, pin, cert, ca, encoding, mac, pin_state) in cases {
        let r = inspect_json(file, Some(pin));
        assert_eq!(r["format"]["encoding"], encoding, "{file}");
        match mac {
            Some(name) => assert_eq!(r["format"]["mac"]["name"], name, "{file}"),
            None => assert!(r["format"]["mac"].is_null(), "{file}"),
        }
        assert_eq!(r["pin"], pin_state, "{file}");
        assert_leaf_matches_openssl(&r, cert);
        assert_eq!(r["private_key"]["present"], true, "{file}");
        assert_eq!(r["private_key"]["matches_certificate"], "matches", "{file}");
        let expected_certs = if ca.is_some() { 2 } else { 1 };
        assert_eq!(r["certificate_count"], expected_certs, "{file}");
        match ca {
            Some(ca) => assert_eq!(r["ca_root_sha1"], root_sha1(ca), "{file}"),
            None => assert!(r["ca_root_sha1"].is_null(), "{file}"),
        }
        assert_eq!(r["leaf"]["institution_code"], "1312345678", "{file}");
    }
}

/// The fixtures made by NSS's `pk12util` exist where libnss3-tools is installed. CI installs it
/// (`.ci/run`), so there a missing one fails; elsewhere the test says loudly that it skipped.
fn nss_fixture_made(name: &str) -> bool {
    if fixture(name).is_file() {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "{name} is missing in CI: install libnss3-tools (pk12util)");
    eprintln!("SKIPPED: {name} was not made because pk12util (libnss3-tools) is missing; install it");
    false
}

/// Firefox and Thunderbird back certificates up with NSS's exporter, which writes the encrypted
/// parts as chunked, indefinite-length `[0] IMPLICIT OCTET STRING`s: read like openssl reads them.
#[test]
fn exports_of_nss_pk12util_are_read_as_openssl_reads_them() {
    const NICKNAME: &str = "さくら内科クリニック オンライン資格確認";
    // (file, pin file, leaf cert, CA, MAC, encryption of the certificates' part)
    let cases = [
        (
            "nss.p12",
            "pin.txt",
            "leaf.crt",
            "ca.crt",
            "HMAC-SHA256",
            "PBES2 (PBKDF2 HMAC-SHA256, AES-128-CBC)",
        ),
        ("nss-3des.p12", "pin.txt", "leaf.crt", "ca.crt", "HMAC-SHA1", "pbeWithSHAAnd3-KeyTripleDES-CBC"),
        (
            "nss-ja.p12",
            "longpw.txt",
            "hpki.crt",
            "hpki-ca.crt",
            "HMAC-SHA256",
            "PBES2 (PBKDF2 HMAC-SHA256, AES-128-CBC)",
        ),
    ];
    for (file, pin, cert, ca, mac, encryption) in cases {
        if !nss_fixture_made(file) {
            return;
        }
        let r = inspect_json(file, Some(pin));
        assert_eq!(r["format"]["encoding"], "BER", "{file}");
        assert_eq!(r["format"]["mac"]["name"], mac, "{file}");
        assert_eq!(r["format"]["parts"][1]["kind"], "encrypted", "{file}");
        assert_eq!(r["format"]["parts"][1]["encryption"]["name"], encryption, "{file}");
        assert_eq!(r["pin"], "correct", "{file}");
        assert_leaf_matches_openssl(&r, cert);
        assert_eq!(r["private_key"]["matches_certificate"], "matches", "{file}");
        assert_eq!(r["certificate_count"], 2, "{file}");
        assert_eq!(r["ca_root_sha1"], root_sha1(ca), "{file}");
    }
    // The nickname is the key's friendly name, readable without the PIN.
    let ja = inspect_json("nss-ja.p12", None);
    assert_eq!(ja["format"]["parts"][0]["bags"][0]["friendly_name"], NICKNAME, "{ja}");
}

/// RFC 5280: a UTCTime's year 50–99 is 19YY. `500101120100Z` is 1 January 1950, which openssl
/// reads; `491231235959Z` is the last second a UTCTime can say.
#[test]
fn a_utctime_of_1950_is_read_as_openssl_reads_it() {
    let r = inspect_json("utctime-1950.p12", Some("pin.txt"));
    assert_eq!(r["leaf"]["not_before"], "1950-01-01T12:01:00Z");
    assert_eq!(r["leaf"]["not_after"], "2049-12-31T23:59:59Z");
    assert_leaf_matches_openssl(&r, "utctime-1950.crt");
    // Dates are shown in the local time zone (JST in Japan): pinned to UTC here.
    let text = certvault()
        .env("TZ", "UTC")
        .arg("inspect")
        .arg(fixture("utctime-1950.p12"))
        .arg("--pin-file")
        .arg(fixture("pin.txt"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(text).unwrap().contains("1950-01-01 12:01 UTC"));
    let text = certvault()
        .env("TZ", "JST-9")
        .arg("inspect")
        .arg(fixture("utctime-1950.p12"))
        .arg("--pin-file")
        .arg(fixture("pin.txt"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(text).unwrap().contains("1950-01-01 21:01 JST"));
}

/// A negative serial number (two's complement `FF`) is shown as openssl shows it: `-01`.
#[test]
fn a_negative_serial_is_shown_as_openssl_shows_it() {
    let r = inspect_json("negative-serial.p12", Some("pin.txt"));
    assert_eq!(r["leaf"]["serial"], "-01");
    assert_leaf_matches_openssl(&r, "negative-serial.crt");
    // The vault's manifest keeps the magnitude (vault-format/SPEC.md), and such a file is added.
    let tmp = tempfile::tempdir().unwrap();
    let (vault, pass) = (tmp.path().join("CERTVAULT"), tmp.path().join("pass.txt"));
    std::fs::write(&pass, "sakura umbrella kettle nineteen\n").unwrap();
    let vault_cmd = |args: &[&str]| {
        let mut cmd = certvault();
        cmd.args(args).arg("--vault").arg(&vault).arg("--passphrase-file").arg(&pass);
        cmd
    };
    certvault()
        .args(["init", "--allow-fixed-disk", "--passphrase-file"])
        .arg(&pass)
        .arg("--recovery-out")
        .arg(tmp.path().join("recovery.txt"))
        .arg(&vault)
        .assert()
        .success();
    vault_cmd(&["add"])
        .arg(fixture("negative-serial.p12"))
        .arg("--pin-file")
        .arg(fixture("pin.txt"))
        .assert()
        .success();
    let listed = vault_cmd(&["list", "--json"]).assert().success().get_output().stdout.clone();
    assert!(String::from_utf8(listed).unwrap().contains("\"serial\": \"01\""));
}

/// The text names a chain certificate as the JSON's `is_ca` does: one that is not a CA is not
/// called "CA", and the root still is the CA root.
#[test]
fn a_chain_certificate_that_is_not_a_ca_is_not_called_one() {
    let r = inspect_json("not-ca-in-chain.p12", Some("pin.txt"));
    let chain = r["chain"].as_array().unwrap();
    let other = chain.iter().find(|c| c["subject"].as_str().unwrap().contains("another client")).unwrap();
    assert_eq!(other["is_ca"], false);
    for (lang, not_ca, root) in [
        ("en", "Other certificate (not a CA)", "CA root"),
        ("ja", "その他の証明書（認証局ではありません）", "ルート証明書"),
    ] {
        let out = certvault()
            .args(["--lang", lang, "inspect"])
            .arg(fixture("not-ca-in-chain.p12"))
            .arg("--pin-file")
            .arg(fixture("pin.txt"))
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // A chain certificate is its label, then its subject indented by four spaces.
        let label_of = |subject: &str| {
            let at = lines
                .iter()
                .position(|l| l.starts_with("    ") && l.contains(subject))
                .unwrap_or_else(|| panic!("{subject} in {text}"));
            lines[at - 1].trim().to_string()
        };
        assert_eq!(label_of("CN=another client"), not_ca, "{text}");
        assert!(label_of("共通認証局 (TEST)").starts_with(root), "{text}");
    }
}

/// A PIN file given for a file that has no password is not silently ignored.
#[test]
fn a_pin_file_for_a_file_without_a_password_is_said_to_be_unused() {
    for (file, state) in [("nopassword.p12", "absent"), ("empty-password.p12", "empty")] {
        for (lang, said) in [("en", "was not used"), ("ja", "使いませんでした")] {
            let out = certvault()
                .args(["--lang", lang, "inspect", "--json"])
                .arg(fixture(file))
                .arg("--pin-file")
                .arg(fixture("pin.txt"))
                .assert()
                .success()
                .get_output()
                .clone();
            let report: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout only");
            assert_eq!(report["pin"], state, "{file}");
            let stderr = String::from_utf8(out.stderr).unwrap();
            assert!(stderr.contains(said) && stderr.contains(file) && stderr.contains("pin.txt"), "{stderr}");
        }
    }
    // A file the PIN opens gets no such note.
    let out =
        certvault().arg("inspect").arg(fixture("aes.p12")).arg("--pin-file").arg(fixture("pin.txt")).assert();
    assert!(!String::from_utf8_lossy(&out.success().get_output().stderr).contains("was not used"));
}

#[test]
fn algorithms_are_named() {
    let legacy = inspect_json("legacy.p12", Some("pin.txt"));
    let parts = legacy["format"]["parts"].as_array().unwrap();
    assert_eq!(parts[0]["encryption"]["name"], "pbeWithSHAAnd40BitRC2-CBC");
    assert_eq!(parts[0]["encryption"]["iterations"], 2048);
    assert_eq!(parts[1]["bags"][0]["encryption"]["name"], "pbeWithSHAAnd3-KeyTripleDES-CBC");
    let aes = inspect_json("aes.p12", Some("pin.txt"));
    assert_eq!(aes["format"]["parts"][0]["encryption"]["name"], "PBES2 (PBKDF2 HMAC-SHA256, AES-256-CBC)");
    let noenc = inspect_json("noenc.p12", Some("pin.txt"));
    assert_eq!(noenc["format"]["parts"][1]["bags"][0]["kind"], "private-key");
}

#[test]
fn key_types_sizes_and_validity() {
    let rsa = inspect_json("aes.p12", Some("pin.txt"));
    assert_eq!(rsa["leaf"]["key_type"], "RSA");
    assert_eq!(rsa["leaf"]["key_bits"], 2048);
    assert!(rsa["leaf"]["days_left"].as_i64().unwrap() > 800);
    let ec = inspect_json("ec.p12", Some("pin.txt"));
    assert_eq!(ec["leaf"]["key_type"], "ECDSA P-256");
    assert_eq!(ec["leaf"]["key_bits"], 256);
    let expired = inspect_json("expired.p12", Some("pin.txt"));
    assert!(expired["leaf"]["days_left"].as_i64().unwrap() < 0);
    let text = certvault()
        .args(["inspect", "--pin-file"])
        .arg(fixture("pin.txt"))
        .arg(fixture("expired.p12"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(text).unwrap().contains("EXPIRED"));
}

#[test]
fn purpose_is_guessed_from_issuer_and_name() {
    assert_eq!(inspect_json("aes.p12", Some("pin.txt"))["purpose"], "online-qualification");
    assert_eq!(inspect_json("client.hpki-cardless-signature", Some("hpki-pw.txt"))["purpose"], "hpki-second");
    // Without the PIN the issuer is hidden, but the download's numbered name still tells.
    assert_eq!(inspect_json("202101010000777.p12", None)["purpose"], "online-qualification");
}

#[test]
fn without_a_pin_the_unencrypted_parts_are_still_shown() {
    let legacy = inspect_json("legacy.p12", None);
    assert_eq!(legacy["pin"], "not-given");
    assert!(legacy["leaf"].is_null());
    assert_eq!(legacy["format"]["parts"][0]["kind"], "encrypted");
    // noenc keeps its certificates in the clear: the leaf is readable without the PIN.
    let noenc = inspect_json("noenc.p12", None);
    assert_eq!(noenc["pin"], "not-given");
    assert_leaf_matches_openssl(&noenc, "leaf.crt");
}

#[test]
fn a_missing_or_foreign_key_is_reported_plainly() {
    let nokey = inspect_json("nokey.p12", Some("pin.txt"));
    assert_eq!(nokey["private_key"]["present"], false);
    let mismatch = inspect_json("mismatch.p12", Some("pin.txt"));
    assert_eq!(mismatch["private_key"]["matches_certificate"], "does-not-match");
    let out = certvault()
        .args(["inspect"])
        .arg(fixture("nokey.p12"))
        .arg("--pin-file")
        .arg(fixture("pin.txt"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(out).unwrap().contains("holds no private key"));
}

#[test]
fn pin_from_stdin_and_trailing_newline() {
    let r = certvault()
        .args(["inspect", "--json", "--pin-file", "-"])
        .arg(fixture("aes.p12"))
        .write_stdin("4821\n")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&r).unwrap();
    assert_eq!(v["pin"], "correct");
    let r = inspect_json("aes.p12", Some("pin-newline.txt"));
    assert_eq!(r["pin"], "correct");
}

#[test]
fn a_short_numeric_pin_is_called_unprotected_with_a_measured_time() {
    let r = inspect_json("aes.p12", Some("pin.txt"));
    assert_eq!(r["brute_force"]["digits"], 4);
    assert_eq!(r["brute_force"]["candidates"], 10_000);
    assert!(r["brute_force"]["seconds"].as_f64().unwrap() > 0.0);
    // A long password gets no such warning.
    assert!(inspect_json("long-password.p12", Some("longpw.txt"))["brute_force"].is_null());
}

#[test]
fn japanese_and_english_follow_the_locale() {
    let ja = certvault()
        .env("LANG", "ja_JP.UTF-8")
        .arg("inspect")
        .arg(fixture("aes.p12"))
        .arg("--pin-file")
        .arg(fixture("pin.txt"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let ja = String::from_utf8(ja).unwrap();
    assert!(ja.contains("有効期限") && ja.contains("医療機関コード"), "{ja}");
    let en = certvault()
        .args(["--lang", "en", "inspect"])
        .arg(fixture("aes.p12"))
        .arg("--pin-file")
        .arg(fixture("pin.txt"))
        .env("LANG", "ja_JP.UTF-8")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(en).unwrap().contains("Institution code"));
}

/// A file that is something else is named in the user's language, whole: a clinic's office
/// manager reads "this looks like a PDF" in Japanese, not an English phrase inside Japanese.
#[test]
fn a_renamed_file_is_named_in_japanese() {
    for (fixture_name, expected) in [
        ("renamed-pdf.p12", "PKCS#12 形式の証明書ファイルではありません（PDF 文書のようです）"),
        ("leaf.cer", "（秘密鍵を含まない、.cer/.crt 形式の証明書だけのファイルのようです）"),
        ("leaf.crt", "PEM 形式のテキストのようです"),
    ] {
        let out = certvault()
            .args(["--lang", "ja", "inspect"])
            .arg(fixture(fixture_name))
            .assert()
            .code(2)
            .get_output()
            .clone();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(expected), "{fixture_name}: {stderr}");
        assert!(!stderr.contains("looks like") && !stderr.contains("a PDF"), "{stderr}");
    }
}

/// One clear line naming the file and the problem (plus at most a hint line), exit 2, no panic.
fn assert_bad_input(path: &std::path::Path, pin: Option<&str>, expected: &str) {
    let mut cmd = certvault();
    cmd.arg("inspect").arg(path);
    if let Some(p) = pin {
        cmd.arg("--pin-file").arg(fixture(p));
    }
    let out = cmd.assert().code(2).get_output().clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(!lines.is_empty() && lines.len() <= 2, "{path:?}: {stderr}");
    assert!(lines[0].starts_with("certvault: error: "), "{stderr}");
    assert!(lines[0].contains(&path.display().to_string()), "{path:?} not named: {stderr}");
    assert!(lines[0].contains(expected), "{path:?}: expected {expected:?} in {stderr}");
    assert!(!stderr.contains("panicked"));
    assert!(out.stdout.is_empty(), "nothing on stdout for an error");
}

#[test]
fn every_kind_of_bad_input_gets_one_clear_line() {
    assert_bad_input(
        &fixture("renamed-pdf.p12"),
        None,
        "not a PKCS#12 certificate file (it looks like a PDF document)",
    );
    assert_bad_input(&fixture("leaf.cer"), None, "the certificate alone, without its private key");
    assert_bad_input(&fixture("truncated.p12"), Some("pin.txt"), "truncated");
    assert_bad_input(&fixture("empty.p12"), None, "empty");
    assert_bad_input(&fixture("directory.p12"), None, "folder");
    assert_bad_input(&fixture("does-not-exist.p12"), None, "no such file");
    assert_bad_input(
        &fixture("camellia.p12"),
        Some("pin.txt"),
        "unsupported algorithm: PBES2 (PBKDF2 HMAC-SHA256, Camellia-256-CBC)",
    );
    assert_bad_input(
        &fixture("md5mac.p12"),
        Some("pin.txt"),
        "unsupported algorithm: integrity check HMAC-MD5",
    );
    assert_bad_input(&fixture("corrupt-mac.p12"), Some("pin.txt"), "integrity check (MAC) fails");
    assert_bad_input(&fixture("aes.p12"), Some("wrong-pin.txt"), "wrong PIN");
    assert_bad_input(&fixture("legacy.p12"), Some("wrong-pin.txt"), "wrong PIN");
    assert_bad_input(&fixture("nomac.p12"), Some("wrong-pin.txt"), "wrong PIN");
}

#[test]
fn an_unreadable_file_is_named() {
    // Tests may run as root, where permissions do not stop a read; /proc/self/mem opens but
    // fails on the first read at offset 0, a real I/O error either way.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("locked.p12");
    std::fs::copy(fixture("aes.p12"), &path).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    let readable_anyway = std::fs::read(&path).is_ok();
    let target = if readable_anyway { std::path::PathBuf::from("/proc/self/mem") } else { path };
    assert_bad_input(&target, None, "cannot read the file");
}

#[test]
fn wrong_pin_message_explains_there_is_no_lockout() {
    let out = certvault()
        .arg("inspect")
        .arg(fixture("aes.p12"))
        .arg("--pin-file")
        .arg(fixture("wrong-pin.txt"))
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8(out).unwrap().contains("nothing is locked"));
}
