//! clap's help and usage errors in the user's language, and errors as JSON after `--json`,
//! through the real binary.

mod common;

use std::path::Path;

use common::*;

/// The single-line value of `id` in a language's .ftl file.
fn ftl(lang: &str, id: &str) -> String {
    ftl_values(lang)
        .into_iter()
        .find(|(i, _)| i == id)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("{id} is not in i18n/{lang}/certvault.ftl"))
}

/// Every single-line `id = value` of a language's .ftl file.
fn ftl_values(lang: &str) -> Vec<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("i18n/{lang}/certvault.ftl"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once(" = "))
        .filter(|(id, _)| !id.starts_with(' ') && !id.starts_with('#'))
        .map(|(id, v)| (id.to_string(), v.to_string()))
        .collect()
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = certvault().args(args).output().unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// No English help text (the English file's command-line texts) is left in a Japanese help.
fn assert_no_english(help: &str) {
    for (id, english) in ftl_values("en") {
        let is_help_text = id.starts_with("cli-") && english.len() > 8 && !english.contains("{ ");
        assert!(!(is_help_text && help.contains(&english)), "English {id} in the Japanese help:\n{help}");
    }
    for heading in
        ["Usage:", "Commands:", "Arguments:", "Options:", "Print help", "possible values", "[default"]
    {
        assert!(!help.contains(heading), "{heading:?} in the Japanese help:\n{help}");
    }
}

#[test]
fn the_help_is_japanese_with_lang_ja() {
    let root = run(&["--lang", "ja", "--help"]);
    assert_eq!(root.code, Some(0), "{}", root.stderr);
    for expected in [
        "使い方: certvault [OPTIONS] [COMMAND]",
        "コマンド:",
        "オプション:",
        "PKCS#12 ファイル（.p12/.pfx）を読み取り、PIN をオフラインで確認する",
        "このヘルプ、または指定したコマンドのヘルプを表示する",
        "バージョンを表示する",
        "[指定できる値: ja, en]",
        &ftl("ja", "cli-about"),
    ] {
        assert!(root.stdout.contains(expected), "{expected:?} not in:\n{}", root.stdout);
    }
    assert_no_english(&root.stdout);

    let inspect = run(&["--lang", "ja", "inspect", "--help"]);
    assert_eq!(inspect.code, Some(0));
    for expected in
        ["引数:", "<FILE>  証明書ファイル", &ftl("ja", "cli-inspect-pin-file"), &ftl("ja", "cli-arg-json")]
    {
        assert!(inspect.stdout.contains(expected), "{expected:?} not in:\n{}", inspect.stdout);
    }
    assert_no_english(&inspect.stdout);

    // A long help (status has one), `-h` and `help COMMAND`, and the language from the locale.
    let status = run(&["--lang=ja", "status", "--help"]);
    assert!(
        status.stdout.contains("急ぐものから表示します。") && status.stdout.contains("-h で要約"),
        "{}",
        status.stdout
    );
    assert_no_english(&status.stdout);
    assert_no_english(&run(&["--lang", "ja", "recover-pin", "-h"]).stdout);
    let help = run(&["--lang", "ja", "help", "add"]);
    assert!(help.stdout.contains(&ftl("ja", "cli-add-about")), "{}", help.stdout);
    let by_locale = certvault().env("LANG", "ja_JP.UTF-8").args(["sheet", "--help"]).output().unwrap();
    assert_no_english(&String::from_utf8(by_locale.stdout).unwrap());
}

#[test]
fn the_help_is_english_from_the_english_file() {
    let root = run(&["--lang", "en", "--help"]);
    assert_eq!(root.code, Some(0));
    for id in ["cli-inspect-about", "cli-arg-help", "cli-arg-version", "cli-help-about"] {
        assert!(root.stdout.contains(&ftl("en", id)), "{id} not in:\n{}", root.stdout);
    }
    assert!(
        root.stdout.contains("Usage: certvault [OPTIONS] [COMMAND]") && root.stdout.contains("Commands:")
    );
    let list = run(&["list", "--help"]);
    assert!(
        list.stdout.contains(&ftl("en", "cli-list-about"))
            && list.stdout.contains(&ftl("en", "cli-arg-vault"))
    );
    // --version is the contract's, in English, exit 0.
    let version = run(&["--lang", "ja", "--version"]);
    assert_eq!(version.code, Some(0));
    assert!(
        version.stdout.starts_with("certvault ") && version.stdout.contains("vault format"),
        "{}",
        version.stdout
    );
}

/// The usage errors: the message and hint as the .ftl says them, the usage line when clap has
/// one, where more help is, exit code 2 and nothing on standard output.
#[test]
fn usage_errors_in_both_languages() {
    struct Case {
        args: &'static [&'static str],
        en: &'static [&'static str],
        ja: &'static [&'static str],
    }
    let cases = [
        Case {
            args: &["nosuchcommand"],
            en: &[
                "certvault: error: unrecognized command 'nosuchcommand'",
                "Usage: certvault [OPTIONS] [COMMAND]",
            ],
            ja: &[
                "certvault: エラー: 'nosuchcommand' というコマンドはありません",
                "使い方: certvault [OPTIONS] [COMMAND]",
            ],
        },
        Case {
            args: &["insepct"],
            en: &["hint: a similar command exists: 'inspect'"],
            ja: &["似た名前のコマンドがあります: 'inspect'"],
        },
        Case {
            args: &["inspect", "x.p12", "--pin-fil", "p"],
            en: &["unexpected argument '--pin-fil'", "a similar argument exists: '--pin-file'"],
            ja: &["想定していない引数 '--pin-fil' があります", "似た名前の引数があります: '--pin-file'"],
        },
        Case {
            args: &["inspect", "x.p12", "--pin-file"],
            en: &["a value is required for '--pin-file <F>' but none was supplied"],
            ja: &["'--pin-file <F>' には値が必要ですが、指定されていません"],
        },
        Case {
            args: &["add", "x.p12", "--vault", "v", "--purpose", "nonsense"],
            en: &[
                "invalid value 'nonsense' for '--purpose <P>'",
                "possible values: 'online-qualification', 'hpki-second', 'other'",
            ],
            ja: &[
                "'--purpose <P>' の値 'nonsense' は正しくありません",
                "指定できる値: 'online-qualification'",
            ],
        },
        Case {
            args: &["recover-pin", "x.p12", "--max-digits", "many"],
            en: &["invalid value 'many' for '--max-digits <N>': not a number in the allowed range"],
            ja: &["範囲内の整数ではありません"],
        },
        Case {
            args: &["list"],
            en: &[
                "the following required arguments were not provided: --vault <DIR>",
                "Usage: certvault list",
            ],
            ja: &["次の必須の引数が指定されていません: --vault <DIR>", "使い方: certvault list"],
        },
        Case {
            args: &["list", "--vault", "v", "--passphrase-file", "a", "--recovery-code-file", "b"],
            en: &["the argument '--passphrase-file <F>' cannot be used with '--recovery-code-file <F>'"],
            ja: &["引数 '--passphrase-file <F>' は '--recovery-code-file <F>' と一緒には使えません"],
        },
    ];
    for case in &cases {
        for (lang, expected) in [("en", case.en), ("ja", case.ja)] {
            let mut args = vec!["--lang", lang];
            args.extend_from_slice(case.args);
            let r = run(&args);
            assert_eq!(r.code, Some(2), "{args:?}: {}", r.stderr);
            assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
            for text in expected {
                assert!(r.stderr.contains(text), "{args:?}: {text:?} not in:\n{}", r.stderr);
            }
            assert!(r.stderr.contains(&ftl(lang, "usage-more-help")), "{args:?}: {}", r.stderr);
            if lang == "ja" {
                assert!(
                    !r.stderr.contains("error:") && !r.stderr.contains("Usage"),
                    "{args:?}: {}",
                    r.stderr
                );
            }
        }
    }
}

/// `{"error": {"kind", "message", "hint"}}` on standard error.
fn json_error(args: &[&str]) -> serde_json::Value {
    let r = run(args);
    assert_eq!(r.code, Some(2), "{args:?}: {}", r.stderr);
    assert!(r.stdout.is_empty(), "{args:?}: an error leaves standard output empty: {}", r.stdout);
    let v: serde_json::Value =
        serde_json::from_str(&r.stderr).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", r.stderr));
    let error = &v["error"];
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    assert!(error["hint"].is_null() || error["hint"].is_string(), "{v}");
    v
}

#[test]
fn with_json_errors_are_json() {
    let dir = tempfile::tempdir().unwrap();
    let not_p12 = dir.path().join("notes.txt");
    std::fs::write(&not_p12, "just text\n").unwrap();
    let not_p12 = not_p12.to_str().unwrap();
    let missing = dir.path().join("missing");
    let missing = missing.to_str().unwrap();
    let pass = dir.path().join("pass.txt");
    std::fs::write(&pass, "x\n").unwrap();

    let v = json_error(&["inspect", missing, "--json"]);
    assert_eq!(v["error"]["kind"], "not_found");
    assert!(v["error"]["message"].as_str().unwrap().contains("missing"), "{v}");
    let v = json_error(&["inspect", not_p12, "--json"]);
    assert_eq!(v["error"]["kind"], "invalid_input");
    assert_eq!(v["error"]["hint"], ftl("en", "hint-not-pkcs12"));
    let v = json_error(&["list", "--json", "--vault", missing, "--passphrase-file", pass.to_str().unwrap()]);
    assert_eq!(v["error"]["kind"], "not_found");
    let v = json_error(&["verify", missing, "--json"]);
    assert!(["not_found", "no_terminal"].contains(&v["error"]["kind"].as_str().unwrap()), "{v}");
    // clap's usage errors too, in the user's language.
    let v = json_error(&["list", "--json"]);
    assert_eq!(v["error"]["kind"], "usage");
    let v = json_error(&["--lang", "ja", "scan", "--json", "--bogus"]);
    assert_eq!(v["error"]["kind"], "usage");
    assert_eq!(v["error"]["message"], "想定していない引数 '--bogus' があります");

    // Without --json, the same errors are the human lines.
    let r = run(&["inspect", not_p12]);
    assert_eq!(r.code, Some(2));
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert!(lines[0].starts_with("certvault: error: ") && lines[0].contains("not a PKCS#12"), "{}", r.stderr);
    assert_eq!(lines[1], format!("hint: {}", ftl("en", "hint-not-pkcs12")));
    let r = run(&["list"]);
    assert!(r.stderr.starts_with("certvault: error: the following required"), "{}", r.stderr);
    // After `--`, "--json" is a file name, not the flag.
    let r = run(&["scan", "--", "--json"]);
    assert!(!r.stderr.trim_start().starts_with('{'), "{}", r.stderr);
}
