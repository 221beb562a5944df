//! The `certvault` command. Exit codes: 0 success, 1 found something, 2 error.

use std::process::ExitCode;

use certvault::{cli, error, i18n, sheet_command};
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
    certvault::hardening::disable_core_dumps();
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
    let sheet_lang = sheet_command::sheet_lang(cli.lang);
    let Some(command) = cli.command else {
        // No arguments: the guided wizard on a terminal, a usage error (exit 2) for scripts.
        if certvault::wizard::can_run() {
            return ExitCode::from(certvault::wizard::run(sheet_lang));
        }
        let usage = cli::translated::usage_line(&clap_command.render_usage().to_string());
        return error::CliError::usage(certvault::t!("wizard-needs-terminal")).report_usage(&usage);
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

fn run(command: cli::Command, sheet_lang: certvault::sheet::SheetLang) -> Result<u8, error::CliError> {
    use cli::Command;
    match command {
        Command::Inspect { file, pin_file, json } => cli::inspect::run(file, pin_file, json),
        Command::RecoverPin { file, max_digits, json } => cli::recover_pin::run(file, max_digits, json),
        Command::Init { dir, passphrase_file, recovery_out, sheet_out, allow_fixed_disk } => {
            cli::init::run(certvault::vault::create::InitOptions {
                dir,
                passphrase_file,
                recovery_out,
                sheet_out,
                sheet_lang,
                allow_fixed_disk,
                codes_shown: false,
            })
        }
        Command::Sheet { vault, out, pin_code_file, split } => cli::sheet::run(&cli::sheet::SheetOptions {
            vault: vault.vault,
            unlock: vault.unlock.source(),
            out,
            pin_code_file,
            lang: sheet_lang,
            split,
        }),
        Command::Add { file, vault, pin_file, hint, purpose, no_store_pin } => {
            cli::add::run(&cli::add::AddOptions {
                file,
                vault: vault.vault,
                unlock: vault.unlock.source(),
                pin_file,
                seal: certvault::vault::entries::SealOptions {
                    hint,
                    purpose: purpose.map(Into::into),
                    no_store_pin,
                },
            })
        }
        Command::List { vault, json } => cli::list::run(&vault.vault, &vault.unlock.source(), json),
        Command::Remove { entry, vault } => cli::remove::run(&entry, &vault.vault, &vault.unlock.source()),
        Command::RevealPin { entry, vault, pin_code_file } => {
            cli::reveal_pin::run(&entry, &vault.vault, &vault.unlock.source(), pin_code_file.as_deref())
        }
        Command::Export { entry, vault, out } => {
            cli::export::run(&entry, &vault.vault, &vault.unlock.source(), &out)
        }
        Command::Scan { paths, vault, all_files, json } => certvault::cli::scan::run(
            &certvault_core::scan::ScanOptions {
                paths,
                vault: vault.vault,
                unlock: vault.unlock.source(),
                all_files,
            },
            json,
        ),
        Command::Clean(args) => cli::clean::run(&args),
        Command::Restore(args) => certvault::cli::restore::run(&args),
        Command::Passwd { vault, new_passphrase_file } => {
            cli::passwd::run(&vault.vault, &vault.unlock.source(), new_passphrase_file.as_deref())
        }
        Command::Clone { vault, dest, allow_fixed_disk, json } => {
            certvault::copies::clone(&certvault::copies::CloneOptions {
                source: vault.vault,
                unlock: vault.unlock.source(),
                dest,
                allow_fixed_disk,
                json,
            })
        }
        Command::Verify { dirs, unlock, json } => certvault::copies::verify(&dirs, &unlock.source(), json),
        Command::Sync { dirs, unlock, json } => certvault::copies::sync(&dirs, &unlock.source(), json),
        Command::Status(args) => certvault::status::run(&args),
        Command::Demo(args) => cli::demo::run(&args),
        Command::Completions { shell } => certvault::shell_integration::completions(shell),
        Command::Man { out_dir } => certvault::shell_integration::man(out_dir.as_deref()),
    }
}
