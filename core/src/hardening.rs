//! Process hardening done first thing in `main` (SECURITY.md, "Secrets hygiene"): a crash must
//! not write the PIN, passphrase or codes held in memory to a core dump.
//!
//! * Linux and other Unix: the core-file size limit is set to 0 (soft and hard, so nothing the
//!   process runs later can raise it), and on Linux the process is marked non-dumpable
//!   (`PR_SET_DUMPABLE` 0), which also stops other processes of the same user from attaching
//!   with `ptrace` or reading its memory through `/proc/PID/mem`.
//! * Windows: `SetErrorMode(SEM_NOGPFAULTERRORBOX | SEM_FAILCRITICALERRORS)`, so a fault does
//!   not invoke Windows Error Reporting (which may keep a dump of the process) or stop at a
//!   dialog. A fail-fast abort can still reach WER if an administrator configured local dumps;
//!   panics in certvault unwind and write no dump.
//!
//! Also here: a debug-build-only switch that panics at a named point, used by
//! `tests/secrets.rs` to check that a panic's message and backtrace show no secret. Release
//! builds contain no trace of it.

/// What [`disable_core_dumps`] managed to do, for the test that checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hardened {
    /// The core-file limit is 0 (Unix).
    pub core_limit_zero: bool,
    /// The process is non-dumpable (Linux) or WER is off for it (Windows).
    pub not_dumpable: bool,
}

/// Disables core dumps for this process where the OS allows. Never fails: a refusal by the OS
/// leaves the process as it was, and the result says what took effect.
pub fn disable_core_dumps() -> Hardened {
    imp::disable_core_dumps()
}

#[cfg(unix)]
mod imp {
    use super::Hardened;

    pub fn disable_core_dumps() -> Hardened {
        let zero = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: setrlimit reads the struct we pass and touches nothing else.
        let core_limit_zero = unsafe { libc::setrlimit(libc::RLIMIT_CORE, &zero) } == 0;
        Hardened { core_limit_zero, not_dumpable: not_dumpable() }
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn not_dumpable() -> bool {
        // SAFETY: PR_SET_DUMPABLE takes one integer argument; the rest are ignored.
        unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 }
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    fn not_dumpable() -> bool {
        // macOS and the BSDs: the core limit above is what stops a core file.
        false
    }
}

#[cfg(windows)]
mod imp {
    use super::Hardened;
    use windows_sys::Win32::System::Diagnostics::Debug::{
        SetErrorMode, SEM_FAILCRITICALERRORS, SEM_NOGPFAULTERRORBOX,
    };

    pub fn disable_core_dumps() -> Hardened {
        // SAFETY: SetErrorMode only sets a process-wide flag word.
        unsafe {
            let old = SetErrorMode(0);
            SetErrorMode(old | SEM_NOGPFAULTERRORBOX | SEM_FAILCRITICALERRORS);
        }
        Hardened { core_limit_zero: false, not_dumpable: true }
    }
}

#[cfg(not(any(unix, windows)))]
mod imp {
    use super::Hardened;

    pub fn disable_core_dumps() -> Hardened {
        Hardened { core_limit_zero: false, not_dumpable: false }
    }
}

/// Debug builds and the `test-hooks` feature only: panics when the environment variable `CERTVAULT_DEBUG_PANIC_AT` names
/// `point`. The points sit right after a secret has been read or a vault unlocked, so
/// `tests/secrets.rs` can force a panic while secrets are in memory and check that neither the
/// message nor the backtrace shows them; and in the scan's walk of each folder, so
/// `tests/hostile.rs` can check that a bug met on one folder neither stops nor hangs the scan.
/// Compiled out of release builds.
#[cfg(any(debug_assertions, test, feature = "test-hooks"))]
pub fn debug_panic_point(point: &str) {
    if std::env::var_os("CERTVAULT_DEBUG_PANIC_AT").is_some_and(|v| v == point) {
        panic!("forced panic at {point} (CERTVAULT_DEBUG_PANIC_AT, debug builds only)");
    }
}

/// Release builds: nothing.
#[cfg(not(any(debug_assertions, test, feature = "test-hooks")))]
#[inline(always)]
pub fn debug_panic_point(_point: &str) {}
