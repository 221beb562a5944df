//! The `certvault` command. Exit codes: 0 success, 1 found something, 2 error.

use std::process::ExitCode;

use certvault::{cli, error};
use certvault_i18n as i18n;
use clap::FromArgMatches;

fn main() -> ExitCode {
    // A bug ends with exit code 2 and a line that shows no data (see `error::install_panic_hook`).
    error::install_panic_hook();
    std::panic::catch_unwind(certvault_main).unwrap_or_else(|_| error::exit_after_panic())
}

fn certvault_main() -> ExitCode {
    // Japanese on the Windows console: UTF-8 both ways, whatever the system's code page (932).
    #[cfg(windows)]
    {
        const CP_UTF8: u32 = 65001;
        // SAFETY: plain Win32 calls with a constant argument; a failure (no console) changes
        // nothing.
        unsafe {
            windows_sys::Win32::System::Console::SetConsoleOutputCP(CP_UTF8);
            windows_sys::Win32::System::Console::SetConsoleCP(CP_UTF8);
        }
    }
    // Before anything secret is read: no core dump may hold it (SECURITY.md).
    certvault_core::hardening::disable_core_dumps();
    // The language first: clap's help and errors are said in it.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let lang = cli::translated::lang_in_args(&args).unwrap_or_else(i18n::Lang::detect);
    i18n::init(lang);
    error::report_errors_as_json(cli::translated::json_in_args(&args));
    let mut clap_command = cli::translated::command(lang);
    let parsed = clap_command.try_get_matches_from_mut(&args).and_then(|m| cli::Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => return cli::usage_error::exit_for(&e.with_cmd(&clap_command)),
    };
    // The recovery sheet is Japanese (with English subtitles) unless --lang says otherwise,
    // whatever the locale of the messages.
    let sheet_lang = cli::sheet::sheet_lang(cli.lang);
    let Some(command) = cli.command else {
        // No arguments: the guided wizard on a terminal, a usage error (exit 2) for scripts.
        if certvault::wizard::can_run() {
            return ExitCode::from(certvault::wizard::run(sheet_lang));
        }
        let usage = cli::translated::usage_line(&clap_command.render_usage().to_string());
        return error::CliError::usage(certvault_i18n::t!("wizard-needs-terminal")).report_usage(&usage);
    };
    match run(command, sheet_lang) {
        // A closed standard output ends quietly; another write error on it is an error.
        Ok(code) => error::finish(code),
        Err(e) => {
            let _ = error::finish(error::EXIT_ERROR);
            e.report()
        }
    }
}

fn run(command: cli::Command, sheet_lang: certvault_core::sheet::SheetLang) -> Result<u8, error::CliError> {
    use cli::Command;
    match command {
        Command::Inspect(args) => cli::inspect::run(args),
        Command::RecoverPin(args) => cli::recover_pin::run(args),
        Command::Init(args) => cli::init::run(args, sheet_lang),
        Command::Sheet(args) => cli::sheet::run(args, sheet_lang),
        Command::Add(args) => cli::add::run(args),
        Command::List(args) => cli::list::run(args),
        Command::Remove(args) => cli::remove::run(args),
        Command::RevealPin(args) => cli::reveal_pin::run(args),
        Command::Export(args) => cli::export::run(args),
        Command::Scan(args) => cli::scan::run(args),
        Command::Clean(args) => cli::clean::run(&args),
        Command::Restore(args) => certvault::cli::restore::run(&args),
        Command::Rescue(args) => cli::rescue::run(&args),
        Command::Passwd(args) => cli::passwd::run(args),
        Command::Clone(args) => cli::clone::run(&args),
        Command::Verify(args) => cli::verify::run(&args),
        Command::Sync(args) => cli::sync::run(&args),
        Command::Status(args) => cli::status::run(&args),
        Command::Demo(args) => cli::demo::run(&args),
        Command::Completions(args) => cli::shell_integration::completions(args),
        Command::Man(args) => cli::shell_integration::man(args),
    }
}
