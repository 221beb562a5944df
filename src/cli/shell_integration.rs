//! `certvault completions SHELL` and `certvault man`: shell completion scripts and manual
//! pages generated from the clap definitions in [`crate::cli`], so they never drift from the
//! commands themselves.

use std::io::Write;
use std::path::PathBuf;

use certvault_core::ErrorKind;
use clap::CommandFactory;

use crate::error::{CliError, EXIT_OK};
use certvault_i18n::t;

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write the pages into this folder instead of printing certvault.1.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// Writes the completion script for the shell to standard output.
pub fn completions(args: CompletionsArgs) -> Result<u8, CliError> {
    let mut out = Vec::new();
    completion_script(args.shell, &mut out);
    write_stdout(&out)?;
    Ok(EXIT_OK)
}

/// The completion script for `shell`.
pub fn completion_script(shell: clap_complete::Shell, out: &mut Vec<u8>) {
    let mut command = crate::cli::Cli::command();
    clap_complete::generate(shell, &mut command, "certvault", out);
}

/// Prints `certvault.1`, or with `out_dir` writes it and one page per command
/// (`certvault-status.1`, …) into that folder.
pub fn man(args: ManArgs) -> Result<u8, CliError> {
    let out_dir = args.out_dir.as_deref();
    let command = crate::cli::Cli::command();
    let Some(dir) = out_dir else {
        write_stdout(&render(command)?)?;
        return Ok(EXIT_OK);
    };
    std::fs::create_dir_all(dir).map_err(|e| certvault_core::vault::io_error(dir, &e))?;
    let mut pages = vec![("certvault.1".to_string(), render(command.clone())?)];
    for sub in command.get_subcommands() {
        // The page of a subcommand is titled with its full name, as man(1) looks it up. clap
        // wants a static name here; the few page names live until the process ends.
        let name: &'static str = Box::leak(format!("certvault-{}", sub.get_name()).into_boxed_str());
        let page = sub.clone().name(name).display_name(name);
        pages.push((format!("{name}.1"), render(page)?));
    }
    for (name, text) in &pages {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| certvault_core::vault::io_error(&path, &e))?;
        println!("{}", t!("man-written", file = path.display()));
    }
    Ok(EXIT_OK)
}

fn render(command: clap::Command) -> Result<Vec<u8>, CliError> {
    let mut out = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut out)
        .map_err(|e| CliError::with_kind(ErrorKind::Io, t!("err-man-render", detail = e.to_string())))?;
    Ok(out)
}

fn write_stdout(bytes: &[u8]) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        // `certvault man | head` is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::with_kind(ErrorKind::Io, t!("err-write-stdout", detail = e.to_string()))),
    }
}
