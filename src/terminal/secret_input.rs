//! Asking for a secret on the terminal, without echo (files named by `*-file` flags are read
//! by the core: `certvault_core::secret_file`). Never argv, never environment variables.

use std::io::IsTerminal;

use secrecy::SecretString;
use zeroize::Zeroizing;

#[derive(Debug, thiserror::Error)]
pub enum SecretInputError {
    #[error("no terminal")]
    NoTerminal,
    #[error("terminal: {0}")]
    Terminal(std::io::Error),
}

pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// Asks on the terminal without echo. Fails with `NoTerminal` when there is none, so scripts
/// get an error that names the `*-file` flag instead of a hang.
pub fn prompt_secret(prompt: &str) -> Result<SecretString, SecretInputError> {
    if !stdin_is_terminal() {
        return Err(SecretInputError::NoTerminal);
    }
    let mut answer = match rpassword::prompt_password(format!("{prompt} ")) {
        Ok(answer) => Zeroizing::new(answer),
        // Ctrl-C: rpassword has raised SIGINT itself. Without a handler the process ends by
        // it; with `crate::terminal::interrupt::watch` the flag goes up (on the handler's
        // thread, so it is waited for) and the caller gets `Interrupted`.
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
            crate::terminal::interrupt::await_request(std::time::Duration::from_secs(2));
            return Err(SecretInputError::Terminal(e));
        }
        Err(e) => return Err(SecretInputError::Terminal(e)),
    };
    // Moved, not copied: the only plain String that held it is now empty.
    let secret = SecretString::from(std::mem::take(&mut *answer));
    certvault_core::hardening::debug_panic_point("secret-read");
    Ok(secret)
}
