//! Ctrl-C as a request, not an ending: the handler only raises a flag, which the terminal's
//! conversation reports as `cancel_requested` and turns into a cancelled question. The
//! operation then returns on its own (its Drop guards remove what it must, e.g. private
//! temporary files), and the wizard goes back to its menu instead of the process exiting.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

static REQUESTED: AtomicBool = AtomicBool::new(false);
static WATCH: Once = Once::new();

/// Catches Ctrl-C for the rest of the process (once; later calls do nothing). Before this,
/// Ctrl-C ends the process (the system's default).
pub fn watch() {
    WATCH.call_once(|| {
        let _ = ctrlc::set_handler(|| REQUESTED.store(true, Ordering::SeqCst));
    });
}

/// Whether Ctrl-C was pressed since the last [`clear`].
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Forgets an earlier Ctrl-C (at the start of an operation, or once a stopped PIN search
/// has returned to its choices).
pub fn clear() {
    REQUESTED.store(false, Ordering::SeqCst);
}

/// Waits (at most `limit`) until the handler has raised the flag. A prompt that saw Ctrl-C
/// itself (rpassword raises SIGINT and returns) is ahead of the handler, which runs on its own
/// thread: without waiting, the wizard's `clear` could come first, and the late flag would
/// then cancel the next question (the "back to the menu" pause), as a loaded machine showed.
pub fn await_request(limit: std::time::Duration) {
    let until = std::time::Instant::now() + limit;
    while !requested() && std::time::Instant::now() < until {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

/// The flag itself, for loops that poll an `AtomicBool` (the PIN search).
pub fn flag() -> &'static AtomicBool {
    &REQUESTED
}

/// Why a line was not read.
#[derive(Debug)]
pub enum LineError {
    /// Ctrl-C.
    Interrupted,
    /// End of input (Ctrl-D, a closed pipe).
    Closed,
    Failed(std::io::Error),
}

/// Reads one line from standard input, returning early on Ctrl-C. The standard library
/// retries a read that a signal interrupted, so on Unix the line is only read once `poll`
/// says it is there, and the flag is looked at in between.
pub fn read_line() -> Result<String, LineError> {
    use std::io::BufRead;
    #[cfg(unix)]
    loop {
        if requested() {
            return Err(LineError::Interrupted);
        }
        let mut fds = libc::pollfd { fd: 0, events: libc::POLLIN, revents: 0 };
        // SAFETY: one valid pollfd for standard input, for the length given.
        let ready = unsafe { libc::poll(&mut fds, 1, 100) };
        if ready > 0 {
            break;
        }
        if ready < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::Interrupted {
                return Err(LineError::Failed(e));
            }
        }
    }
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        _ if requested() => Err(LineError::Interrupted),
        Ok(0) => Err(LineError::Closed),
        Ok(_) => Ok(line.trim().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Err(LineError::Interrupted),
        Err(e) => Err(LineError::Failed(e)),
    }
}
