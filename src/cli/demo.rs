//! `certvault demo [DIR]`: the whole story on a throwaway certificate.
//!
//! 1. A test CA and a clinic certificate are made in memory by the core's
//!    [`make_clinic_certificate`] and written as a PKCS#12 file protected by a random 4-digit
//!    PIN into a pretend terminal's Downloads folder, with a renamed copy on its desktop.
//! 2. `inspect`, `init`, `add`, `sheet`, `scan`, `clean`, `restore` and `status` then run as
//!    separate `certvault` processes, exactly as a user would type them, each explained first.
//!
//! Everything happens under `DIR/playground/`: the pretend USB stick, terminal and new
//! computer, the throwaway passphrase and PIN, and the logs (through
//! [`certvault_core::records::STATE_DIR_VAR`]), so no real certificate, secret, store or record of the
//! user is touched. `DIR/recovery-sheet.pdf` and `DIR/report.txt` are left to look at.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rand::RngCore;
use zeroize::Zeroizing;

use crate::error::{CliError, EXIT_OK};
use certvault_i18n::t;

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Folder for the demo (created; must be new or empty). Default: certvault-demo in the
    /// current folder.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

use certvault_core::demo::{make_clinic_certificate, DEMO_CLINIC, DEMO_FILE_NAME};

// ---------------------------------------------------------------------------------------------
// The run.

fn io(path: &Path) -> impl Fn(std::io::Error) -> CliError + '_ {
    move |e| certvault_core::vault::io_error(path, &e).into()
}

/// Writes a new file only the user can read.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io(path))?;
    file.write_all(bytes).map_err(io(path))?;
    Ok(())
}

fn mkdir(path: &Path) -> Result<(), CliError> {
    std::fs::create_dir_all(path).map_err(io(path))
}

/// One step of the story: what it does, the command, what came of it.
struct Step {
    title: String,
    command: String,
    code: i32,
    expected: &'static [i32],
}

struct Runner {
    exe: PathBuf,
    state: PathBuf,
    lang: String,
    steps: Vec<Step>,
}

fn quote(arg: &str) -> String {
    if arg.is_empty() || arg.contains([' ', '"', '\'']) {
        format!("\"{arg}\"")
    } else {
        arg.to_string()
    }
}

impl Runner {
    /// Explains, shows and runs `certvault ARGS`; fails when its exit code is not expected.
    fn run(
        &mut self,
        title: String,
        why: String,
        args: &[String],
        expected: &'static [i32],
    ) -> Result<i32, CliError> {
        let n = self.steps.len() + 1;
        println!();
        println!("━━ {n}. {title}");
        println!("{why}");
        let shown = args.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" ");
        println!("$ certvault {shown}");
        let _ = std::io::stdout().flush();
        let status = Command::new(&self.exe)
            .args(args)
            .arg("--lang")
            .arg(&self.lang)
            .env(certvault_core::records::STATE_DIR_VAR, &self.state)
            // Only the demo's own stick is looked for.
            .env(certvault_core::media::MEDIA_ROOTS_VAR, "")
            .stdin(Stdio::null())
            .status()
            .map_err(|e| CliError::new(t!("err-demo-spawn", detail = e.to_string())))?;
        let code = status.code().unwrap_or(-1);
        self.steps.push(Step { title: title.clone(), command: format!("certvault {shown}"), code, expected });
        if !expected.contains(&code) {
            return Err(CliError::new(t!("err-demo-step", step = title, code = code)));
        }
        Ok(code)
    }
}

/// NSS's certutil, for a throwaway database. Windows has a different tool of that name, and
/// the demo never touches the Windows store: there the restore writes a file.
fn have_certutil() -> bool {
    !cfg!(windows)
        && Command::new("certutil").arg("-H").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// `certvault demo`.
pub fn run(args: &DemoArgs) -> Result<u8, CliError> {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("certvault-demo"));
    if dir.exists() && std::fs::read_dir(&dir).map_err(io(&dir))?.next().is_some() {
        return Err(
            CliError::new(t!("err-demo-dir-not-empty", dir = dir.display())).with_hint(t!("hint-demo-dir"))
        );
    }
    mkdir(&dir)?;
    let dir = std::fs::canonicalize(&dir).map_err(io(&dir))?;
    let play = dir.join("playground");
    let stick = play.join("USB-STICK");
    let vault = stick.join("CERTVAULT");
    let terminal = play.join("old-terminal");
    let downloads = terminal.join("Downloads");
    let desktop = terminal.join("Desktop");
    let new_terminal = play.join("new-terminal");
    let secrets = play.join("secrets");
    let state = play.join("state");
    for d in [&stick, &downloads, &desktop, &new_terminal, &secrets, &state] {
        mkdir(d)?;
    }
    let exe =
        std::env::current_exe().map_err(|e| CliError::new(t!("err-demo-spawn", detail = e.to_string())))?;
    let lang = t!("demo-lang-code");

    println!("{}", t!("demo-intro", dir = dir.display()));

    // The certificate, as the clinic would have downloaded it.
    let mut pin_bytes = [0u8; 2];
    rand::rngs::OsRng.fill_bytes(&mut pin_bytes);
    let pin = Zeroizing::new(format!("{:04}", u16::from_be_bytes(pin_bytes) % 10_000));
    let now = certvault_core::dates::now_unix();
    let (p12, _ca) = make_clinic_certificate(&pin, now - 86_400, now + 730 * 86_400)?;
    let cert_file = downloads.join(DEMO_FILE_NAME);
    write_private(&cert_file, &p12)?;
    // A renamed copy without extension, as Windows Explorer hides it.
    let stray = desktop.join("証明書のコピー");
    write_private(&stray, &p12)?;
    let pin_file = secrets.join("pin.txt");
    write_private(&pin_file, format!("{}\n", pin.as_str()).as_bytes())?;
    // A throwaway passphrase, random so that it passes the strength check.
    let mut pass = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut pass);
    let passphrase: String =
        pass.iter().map(|b| char::from(b"abcdefghijkmnpqrstuvwxyz23456789"[usize::from(b % 32)])).collect();
    let passphrase_file = secrets.join("passphrase.txt");
    write_private(&passphrase_file, format!("demo-{passphrase}-sakura\n").as_bytes())?;
    let recovery_file = secrets.join("recovery.txt");
    let pin_code_file = secrets.join("pin-code.txt");
    let sheet = dir.join("recovery-sheet.pdf");
    println!();
    println!(
        "{}",
        t!("demo-made-certificate", file = cert_file.display(), pin = pin.as_str(), clinic = DEMO_CLINIC)
    );

    let mut r = Runner { exe, state: state.clone(), lang, steps: Vec::new() };
    let pass_flag = |v: &mut Vec<String>| {
        v.push("--passphrase-file".into());
        v.push(s(&passphrase_file));
    };

    r.run(
        t!("demo-step-inspect"),
        t!("demo-why-inspect"),
        &["inspect".into(), s(&cert_file), "--pin-file".into(), s(&pin_file)],
        &[0],
    )?;
    r.run(
        t!("demo-step-init"),
        t!("demo-why-init"),
        &[
            "init".into(),
            s(&vault),
            "--passphrase-file".into(),
            s(&passphrase_file),
            "--recovery-out".into(),
            s(&recovery_file),
            "--allow-fixed-disk".into(),
        ],
        &[0],
    )?;
    // The PIN code line of the recovery output, for printing it on the sheet.
    let recovery = Zeroizing::new(std::fs::read_to_string(&recovery_file).map_err(io(&recovery_file))?);
    let code = recovery.lines().find_map(|l| l.strip_prefix("PIN-CODE:")).map(str::trim).unwrap_or_default();
    write_private(&pin_code_file, format!("{code}\n").as_bytes())?;

    let mut add =
        vec!["add".into(), s(&cert_file), "--vault".into(), s(&vault), "--pin-file".into(), s(&pin_file)];
    add.extend(["--hint".into(), t!("demo-hint")]);
    pass_flag(&mut add);
    r.run(t!("demo-step-add"), t!("demo-why-add"), &add, &[0])?;

    let mut sheet_args = vec![
        "sheet".into(),
        "--vault".into(),
        s(&vault),
        "--out".into(),
        s(&sheet),
        "--pin-code-file".into(),
        s(&pin_code_file),
    ];
    pass_flag(&mut sheet_args);
    r.run(t!("demo-step-sheet"), t!("demo-why-sheet"), &sheet_args, &[0])?;

    let mut scan = vec!["scan".into(), s(&terminal), "--vault".into(), s(&vault)];
    pass_flag(&mut scan);
    r.run(t!("demo-step-scan"), t!("demo-why-scan"), &scan, &[1])?;

    let mut clean = vec!["clean".into(), s(&terminal), "--vault".into(), s(&vault), "--apply".into()];
    pass_flag(&mut clean);
    r.run(t!("demo-step-clean"), t!("demo-why-clean"), &clean, &[0])?;

    let target = if have_certutil() {
        let db = new_terminal.join("nssdb");
        mkdir(&db)?;
        let made = Command::new("certutil")
            .args(["-N", "--empty-password", "-d"])
            .arg(format!("sql:{}", db.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !made {
            return Err(CliError::new(t!("err-demo-nssdb", dir = db.display())));
        }
        format!("nss:{}", db.display())
    } else {
        println!();
        println!("{}", t!("demo-no-certutil"));
        format!("file:{}", new_terminal.join(DEMO_FILE_NAME).display())
    };
    let mut restore = vec![
        "restore".into(),
        "--vault".into(),
        s(&vault),
        "--pin-code-file".into(),
        s(&pin_code_file),
        "--to".into(),
        target.clone(),
        "--trust-root".into(),
    ];
    pass_flag(&mut restore);
    r.run(t!("demo-step-restore"), t!("demo-why-restore"), &restore, &[0])?;

    let mut status = vec!["status".into(), "--vault".into(), s(&vault)];
    pass_flag(&mut status);
    r.run(t!("demo-step-status"), t!("demo-why-status"), &status, &[0, 1])?;

    // The report.
    let left_on_terminal = [&cert_file, &stray].iter().filter(|p| p.exists()).count();
    let mut report = String::new();
    report.push_str(&t!("demo-report-title"));
    report.push_str("\n\n");
    for (i, step) in r.steps.iter().enumerate() {
        report.push_str(&format!(
            "{}. {}\n   $ {}\n   exit {} ({})\n",
            i + 1,
            step.title,
            step.command,
            step.code,
            if step.expected.contains(&step.code) { "ok" } else { "unexpected" }
        ));
    }
    report.push('\n');
    report.push_str(&t!(
        "demo-report-files",
        sheet = sheet.display(),
        vault = vault.display(),
        target = target,
        left = left_on_terminal,
        secrets = secrets.display()
    ));
    report.push('\n');
    let report_file = dir.join("report.txt");
    std::fs::write(&report_file, &report).map_err(io(&report_file))?;

    println!();
    println!(
        "{}",
        t!("demo-done", sheet = sheet.display(), report = report_file.display(), dir = play.display())
    );
    Ok(EXIT_OK)
}
