//! clap's parse errors said by us, in the user's language (clap writes them in English): the
//! error and its suggestion from the error's kind and context, then the usage line; exit code 2.
//! `--help` and `--version` are clap's to print (exit code 0).

use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};

use crate::error::{CliError, EXIT_ERROR, EXIT_OK};
use certvault_i18n::t;

/// Ends the program after clap did not give a command: help or version printed (exit 0), or
/// a usage error reported (exit 2).
pub fn exit_for(e: &clap::Error) -> ExitCode {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            ExitCode::from(EXIT_OK)
        }
        // The help itself (translated), on standard error, for a command given without what it needs.
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            ExitCode::from(EXIT_ERROR)
        }
        _ => {
            let usage = match e.get(ContextKind::Usage) {
                Some(ContextValue::StyledStr(usage)) => super::translated::usage_line(&usage.to_string()),
                _ => String::new(),
            };
            usage_error(e).report_usage(&usage)
        }
    }
}

/// The error clap found, as our error of kind `usage`.
pub fn usage_error(e: &clap::Error) -> CliError {
    let one = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => v.first().cloned(),
        Some(ContextValue::StyledStr(s)) => Some(s.to_string()),
        _ => None,
    };
    let all = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => vec![s.clone()],
        Some(ContextValue::Strings(v)) => v.clone(),
        Some(ContextValue::StyledStrs(v)) => v.iter().map(ToString::to_string).collect(),
        _ => Vec::new(),
    };
    let quoted = |items: Vec<String>| items.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ");
    let arg = one(ContextKind::InvalidArg).unwrap_or_default();
    let value = one(ContextKind::InvalidValue).unwrap_or_default();
    let message = match e.kind() {
        ErrorKind::InvalidSubcommand => {
            t!("err-usage-unknown-command", command = value_or(&one(ContextKind::InvalidSubcommand)))
        }
        ErrorKind::UnknownArgument => t!("err-usage-unknown-argument", arg = arg),
        ErrorKind::InvalidValue if value.is_empty() => t!("err-usage-missing-value", arg = arg),
        ErrorKind::InvalidValue => t!("err-usage-invalid-value", arg = arg, value = value),
        ErrorKind::ValueValidation => {
            let reason = match std::error::Error::source(e) {
                // The standard library's "invalid digit found in string" is English.
                Some(source) if source.is::<std::num::ParseIntError>() => t!("err-usage-not-a-number"),
                Some(source) => source.to_string(),
                None => String::new(),
            };
            t!("err-usage-value-rejected", arg = arg, value = value, reason = reason)
        }
        ErrorKind::MissingRequiredArgument => {
            t!("err-usage-missing-argument", args = all(ContextKind::InvalidArg).join(", "))
        }
        ErrorKind::ArgumentConflict => match one(ContextKind::PriorArg) {
            Some(prior) if prior != arg => t!("err-usage-conflict", arg = arg, other = prior),
            _ => t!("err-usage-repeated", arg = arg),
        },
        ErrorKind::TooManyValues => t!("err-usage-unexpected-value", arg = arg, value = value),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => t!("err-usage-value-count", arg = arg),
        ErrorKind::NoEquals => t!("err-usage-no-equals", arg = arg),
        ErrorKind::MissingSubcommand => {
            t!("err-usage-missing-command", command = value_or(&one(ContextKind::InvalidSubcommand)))
        }
        ErrorKind::InvalidUtf8 => t!("err-usage-invalid-utf8"),
        // Io, Format and kinds clap may add: its own words, without its "error: ".
        _ => {
            let text = e.render().to_string();
            let first = text.lines().next().unwrap_or_default();
            first.strip_prefix("error: ").unwrap_or(first).to_string()
        }
    };
    let mut error = CliError::usage(message);
    let hint = if let Some(command) = one(ContextKind::SuggestedSubcommand) {
        Some(t!("hint-usage-similar-command", suggestion = command))
    } else if let Some(flag) = one(ContextKind::SuggestedArg) {
        Some(t!("hint-usage-similar-argument", suggestion = flag))
    } else if let Some(suggested) = one(ContextKind::SuggestedValue) {
        Some(t!("hint-usage-similar-value", suggestion = suggested))
    } else if matches!(e.get(ContextKind::TrailingArg), Some(ContextValue::Bool(true))) {
        Some(t!("hint-usage-as-value", arg = arg))
    } else {
        let valid = all(ContextKind::ValidValue);
        (!valid.is_empty()).then(|| t!("hint-usage-possible-values", values = quoted(valid)))
    };
    if let Some(hint) = hint {
        error = error.with_hint(hint);
    }
    error
}

fn value_or(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}
