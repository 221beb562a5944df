//! Helpers for the copies and crash-safety tests: cheap vaults (debug builds only), the real
//! binary with a private state folder, and what a vault folder opens to.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use certvault_core::vault::{OpenVault, Unlock};
use secrecy::SecretString;

pub const PASSPHRASE: &str = "sakura umbrella kettle nineteen";
pub const NEW_PASSPHRASE: &str = "lantern orchard quietly seventeen";

/// A scratch area: passphrase files, a private local state folder for the verify log.
pub struct Scratch {
    pub tmp: tempfile::TempDir,
    pub pass: PathBuf,
    pub new_pass: PathBuf,
    pub state: PathBuf,
}

impl Scratch {
    pub fn new() -> Scratch {
        let tmp = tempfile::tempdir().unwrap();
        let pass = tmp.path().join("pass.txt");
        std::fs::write(&pass, format!("{PASSPHRASE}\n")).unwrap();
        let new_pass = tmp.path().join("new-pass.txt");
        std::fs::write(&new_pass, format!("{NEW_PASSPHRASE}\n")).unwrap();
        let state = tmp.path().join("state");
        Scratch { tmp, pass, new_pass, state }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// The real debug binary, in English, with cheap KDF parameters and its own state folder.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_certvault"));
        c.env("LANG", "C")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove(certvault_core::durable::FAIL_AT_VAR)
            .env(certvault_core::durable::CHEAP_KDF_VAR, "1")
            .env("XDG_STATE_HOME", &self.state)
            .env("HOME", self.tmp.path())
            .stdin(std::process::Stdio::null());
        c
    }

    /// Without the program files (`--no-program`): these tests are about the vault's own files,
    /// and the crash tests' kill moments would mostly land in a 100 MB program copy; the
    /// program on the stick has its own tests (tests/program_on_stick.rs).
    pub fn init_args(&self, dir: &Path, recovery_out: &Path) -> Vec<String> {
        vec![
            "init".into(),
            "--no-program".into(),
            "--allow-fixed-disk".into(),
            "--passphrase-file".into(),
            self.pass.display().to_string(),
            "--recovery-out".into(),
            recovery_out.display().to_string(),
            dir.display().to_string(),
        ]
    }

    /// Creates a vault in `dir` (cheap KDF) and returns the recovery code.
    pub fn init(&self, dir: &Path) -> String {
        let rec = unique(self.tmp.path(), "recovery");
        let out = self.cmd().args(self.init_args(dir, &rec)).output().unwrap();
        assert!(out.status.success(), "init: {}", String::from_utf8_lossy(&out.stderr));
        let text = std::fs::read_to_string(&rec).unwrap();
        text.lines().find_map(|l| l.strip_prefix("RECOVERY-CODE: ")).unwrap().to_string()
    }

    pub fn add_args(&self, dir: &Path, fixture: &Path, pin: &Path) -> Vec<String> {
        vec![
            "add".into(),
            fixture.display().to_string(),
            "--vault".into(),
            dir.display().to_string(),
            "--passphrase-file".into(),
            self.pass.display().to_string(),
            "--pin-file".into(),
            pin.display().to_string(),
        ]
    }

    pub fn add(&self, dir: &Path, fixture: &Path, pin: &Path) {
        let out = self.cmd().args(self.add_args(dir, fixture, pin)).output().unwrap();
        assert!(out.status.success(), "add: {}", String::from_utf8_lossy(&out.stderr));
    }

    pub fn passwd_args(&self, dir: &Path) -> Vec<String> {
        vec![
            "passwd".into(),
            "--vault".into(),
            dir.display().to_string(),
            "--passphrase-file".into(),
            self.pass.display().to_string(),
            "--new-passphrase-file".into(),
            self.new_pass.display().to_string(),
        ]
    }

    pub fn clone_args(&self, src: &Path, dest: &Path) -> Vec<String> {
        vec![
            "clone".into(),
            "--no-program".into(),
            "--vault".into(),
            src.display().to_string(),
            "--passphrase-file".into(),
            self.pass.display().to_string(),
            "--allow-fixed-disk".into(),
            dest.display().to_string(),
        ]
    }
}

/// A path under `dir` not used yet.
pub fn unique(dir: &Path, stem: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    dir.join(format!("{stem}-{}-{n}", std::process::id()))
}

pub fn pass(p: &str) -> Unlock {
    Unlock::Passphrase(SecretString::from(p.to_string()))
}

/// What a folder opens to with `passphrase`: (generation, entry ids), or the error text.
pub fn opens_to(dir: &Path, passphrase: &str) -> Result<(u64, Vec<String>), String> {
    // A child another test thread is forking holds a copy of this process's lock descriptors
    // until it execs (a harness artifact): "in use" is retried briefly.
    let mut attempt = 0;
    let v = loop {
        match OpenVault::open(dir, &pass(passphrase), false) {
            Err(e) if e.kind == certvault_core::ErrorKind::VaultBusy && attempt < 50 => {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => break other.map_err(|e| format!("{:?}: {}", e.kind, e.message.id))?,
        }
    };
    if !v.fallbacks.is_empty() {
        return Err(format!("fell back: {:?}", v.fallbacks));
    }
    let mut ids: Vec<String> = v.payload.manifest.entries.iter().map(|e| e.id.clone()).collect();
    ids.sort();
    Ok((v.generation, ids))
}

/// Names in `dir` that an interrupted write leaves (temporary files, `*.old`, the marker).
pub fn leftovers(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut v: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.ends_with(".tmp") || n.ends_with(".old") || n == certvault_core::durable::INCOMPLETE_MARKER
        })
        .collect();
    v.sort();
    v
}

/// Copies the files of a vault folder (a stick copied by hand, or a snapshot).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// A tmpfs mounted for the life of the value (tests run as root, as CI does).
pub struct Tmpfs(pub PathBuf);

impl Tmpfs {
    /// Mounts a tmpfs of `size` (e.g. "64k") on `dir`. Without root or `mount` the test fails
    /// (in CI always; elsewhere `None` after a loud skip only with `CERTVAULT_ALLOW_SKIP=1`,
    /// see `common::require`).
    pub fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).unwrap();
        if !crate::common::require_root("to mount a tmpfs") || !crate::common::require_tool("mount") {
            return None;
        }
        let st = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .unwrap();
        assert!(st.success(), "mount tmpfs on {} failed", dir.display());
        Some(Tmpfs(dir.to_path_buf()))
    }

    pub fn remount(&self, opts: &str) {
        let st =
            Command::new("mount").args(["-o", &format!("remount,{opts}")]).arg(&self.0).status().unwrap();
        assert!(st.success(), "remount {opts} failed");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A small deterministic random generator (xorshift), seeded and printed by the harness.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in 0..n.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}
