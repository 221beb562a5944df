//! The `certvault` command. Exit codes: 0 success, 1 found something, 2 error.

use std::process::ExitCode;

use certvault::{cli, error, i18n, inspect, recover_pin};
use clap::Parser;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; usage mistakes are (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                error::EXIT_ERROR
            } else {
                error::EXIT_OK
            });
        }
    };
    i18n::init(cli.lang.unwrap_or_else(i18n::Lang::detect));
    match run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) => e.report(),
    }
}

fn run(command: cli::Command) -> Result<u8, error::CliError> {
    match command {
        cli::Command::Inspect {
            file,
            pin_file,
            json,
        } => inspect::run(&inspect::InspectOptions {
            file,
            pin_file,
            json,
        }),
        cli::Command::RecoverPin {
            file,
            max_digits,
            json,
        } => recover_pin::run(&recover_pin::RecoverOptions {
            file,
            max_digits,
            json,
        }),
    }
}
