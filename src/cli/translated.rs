//! The clap command in the user's language: every about, help text and heading comes from the
//! Fluent files, looked up by ids made from the command and argument names.
//!
//! Ids: `cli-about`, `cli-long-about`, `cli-after-help` for certvault itself;
//! `cli-COMMAND-about` (and `cli-COMMAND-long-about` where the help has a long form) for each
//! command; `cli-COMMAND-ARG` for an argument of a command, or `cli-arg-ARG` for an argument
//! that means the same in every command that has it (`--json`, the ways to unlock, `--lang`,
//! `--help`). ARG is the argument's id with `-` for `_` (`pin_file` → `pin-file`).
//!
//! The derive structs in [`crate::cli`] stay the definition of what is parsed (and, with their
//! doc comments, of the English manual pages and completions); this only replaces the words.

use std::ffi::OsString;

use clap::{Arg, Command, CommandFactory, ValueEnum};

use certvault_i18n::{self as i18n, Lang};

/// The `certvault` command with its help in `lang`, built (so that clap's own `--help`,
/// `--version` and `help` exist and can be translated too).
pub fn command(lang: Lang) -> Command {
    let mut cmd = super::Cli::command();
    if lang == Lang::Ja {
        // clap wraps at spaces only, and Japanese has few: it would break lines in odd places
        // and still overflow. Unwrapped, the terminal wraps them at its edge.
        cmd = cmd.term_width(0);
    }
    cmd.build();
    translate(cmd, "cli", lang)
}

/// The language `--lang X` or `--lang=X` asks for, read before clap parses (clap's help and
/// errors need it). `None` when absent or not a language (clap then reports the bad value).
pub fn lang_in_args(args: &[OsString]) -> Option<Lang> {
    let mut words = options_part(args);
    while let Some(word) = words.next() {
        let value = match word.to_str() {
            Some("--lang") => words.next().and_then(|v| v.to_str()),
            Some(w) => w.strip_prefix("--lang="),
            None => None,
        };
        if let Some(value) = value {
            return Lang::from_str(value, false).ok();
        }
    }
    None
}

/// Whether `--json` is among the arguments: then errors are JSON too, also clap's usage
/// errors (which come before the command's own flag is parsed).
pub fn json_in_args(args: &[OsString]) -> bool {
    options_part(args).any(|w| w == "--json")
}

/// The arguments before a `--` (after it, `--lang` or `--json` would be file names).
fn options_part(args: &[OsString]) -> impl Iterator<Item = &OsString> {
    args.iter().skip(1).take_while(|w| *w != "--")
}

/// The help text `id` in `lang`, if the file has it.
fn text(lang: Lang, id: &str) -> Option<String> {
    i18n::text_in(lang, id)
}

/// The Fluent id stem of an argument: its id with `-` for `_`.
fn arg_stem(arg: &Arg) -> String {
    arg.get_id().as_str().replace('_', "-")
}

/// The ids an argument's help is looked up under, most specific first.
pub fn arg_help_ids(prefix: &str, arg: &Arg) -> [String; 2] {
    let stem = arg_stem(arg);
    [format!("{prefix}-{stem}"), format!("cli-arg-{stem}")]
}

fn arg_text(lang: Lang, prefix: &str, arg: &Arg, suffix: &str) -> Option<String> {
    arg_help_ids(prefix, arg).iter().find_map(|id| text(lang, &format!("{id}{suffix}")))
}

fn translate(mut cmd: Command, prefix: &str, lang: Lang) -> Command {
    let is_root = prefix == "cli";
    if let Some(about) = text(lang, &format!("{prefix}-about")) {
        cmd = cmd.about(about);
    }
    if cmd.get_long_about().is_some() {
        if let Some(long) = text(lang, &format!("{prefix}-long-about")) {
            cmd = cmd.long_about(long);
        }
    }
    if is_root {
        if let Some(after) = text(lang, "cli-after-help") {
            cmd = cmd.after_help(after);
        }
    }
    cmd = cmd.mut_args(|arg| translate_arg(arg, prefix, lang));
    if let Some(heading) = text(lang, "cli-heading-commands") {
        cmd = cmd.subcommand_help_heading(heading);
    }
    let template = help_template(&cmd, lang);
    cmd = cmd.help_template(template);
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for name in names {
        cmd = if name == "help" {
            cmd.mut_subcommand(&name, |help| translate_help_command(help, lang))
        } else {
            let sub_prefix = format!("{prefix}-{name}");
            cmd.mut_subcommand(&name, |sub| translate(sub, &sub_prefix, lang))
        };
    }
    cmd
}

fn translate_arg(mut arg: Arg, prefix: &str, lang: Lang) -> Arg {
    // clap's own --help has a long form ("see a summary with '-h'") when the command has
    // long help somewhere.
    let has_long = arg.get_long_help().is_some();
    let help_id_suffix = if arg.get_id() == "help" && has_long { "-more" } else { "" };
    let Some(mut help) = arg_text(lang, prefix, &arg, help_id_suffix) else {
        return arg;
    };
    let mut long = has_long.then(|| arg_text(lang, prefix, &arg, "-long")).flatten();
    // clap's "[default: 6]" and "[possible values: ja, en]" are English: say them ourselves.
    let mut notes = Vec::new();
    let defaults: Vec<String> =
        arg.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect();
    if !defaults.is_empty() && !arg.is_hide_default_value_set() && arg.get_action().takes_values() {
        if let Some(label) = text(lang, "cli-note-default") {
            notes.push(format!("[{label}: {}]", defaults.join(", ")));
        }
        arg = arg.hide_default_value(true);
    }
    let possible: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    if !possible.is_empty() && !arg.is_hide_possible_values_set() && arg.get_action().takes_values() {
        if let Some(label) = text(lang, "cli-note-possible-values") {
            notes.push(format!("[{label}: {}]", possible.join(", ")));
        }
        arg = arg.hide_possible_values(true);
    }
    if !notes.is_empty() {
        let notes = notes.join(" ");
        help = format!("{help} {notes}");
        long = long.map(|l| format!("{l}\n\n{notes}"));
    }
    arg = arg.help(help);
    if let Some(long) = long {
        arg = arg.long_help(long);
    }
    arg
}

/// clap's `help` command and its copies of the commands (`certvault help COMMAND`): their
/// about texts are the commands' own.
fn translate_help_command(mut help: Command, lang: Lang) -> Command {
    if let Some(about) = text(lang, "cli-help-about") {
        help = help.about(about);
    }
    help = help.mut_args(|arg| match text(lang, &format!("cli-help-{}", arg_stem(&arg))) {
        Some(t) => arg.help(t),
        None => arg,
    });
    let names: Vec<String> = help.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for name in names {
        help = help.mut_subcommand(&name, |copy| match text(lang, &format!("cli-{name}-about")) {
            Some(about) => copy.about(about),
            None => copy,
        });
    }
    help
}

/// clap's help layout with our headings: "Usage", "Commands", "Arguments" and "Options" are
/// written by clap in English, so the sections are laid out here (`{positionals}` and
/// `{options}` are the lists without their heading), in clap's order.
fn help_template(cmd: &Command, lang: Lang) -> String {
    let styles = cmd.get_styles();
    let (header, usage) = (styles.get_header(), styles.get_usage());
    let heading = |id: &str, fallback: &str| text(lang, id).unwrap_or_else(|| fallback.to_string());
    let mut sections = Vec::new();
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        let title = cmd.get_subcommand_help_heading().unwrap_or("Commands");
        sections.push(format!("{header}{title}:{header:#}\n{{subcommands}}"));
    }
    if cmd.get_positionals().any(|a| !a.is_hide_set()) {
        let title = heading("cli-heading-arguments", "Arguments");
        sections.push(format!("{header}{title}:{header:#}\n{{positionals}}"));
    }
    if cmd.get_arguments().any(|a| !a.is_positional() && !a.is_hide_set()) {
        let title = heading("cli-heading-options", "Options");
        sections.push(format!("{header}{title}:{header:#}\n{{options}}"));
    }
    let usage_title = heading("cli-heading-usage", "Usage");
    format!(
        "{{before-help}}{{about-with-newline}}\n{usage}{usage_title}:{usage:#} {{usage}}\n\n{}{{after-help}}",
        sections.join("\n\n")
    )
}

/// The usage line of `cmd` with our "Usage:" heading (clap's own says it in English).
pub fn usage_line(usage: &str) -> String {
    let plain = usage.trim();
    let rest = plain.strip_prefix("Usage:").map(str::trim_start).unwrap_or(plain);
    format!("{}: {rest}", i18n::message("cli-heading-usage", &[]))
}

#[cfg(test)]
mod tests {
    /// i18n's list of commands (which the wizard's and the window's words must never name) is
    /// the parser's.
    #[test]
    fn the_command_names_i18n_knows_are_the_parsers() {
        let mut parsed: Vec<String> = super::command(certvault_i18n::Lang::En)
            .get_subcommands()
            .map(|s| s.get_name().to_string())
            .filter(|n| n != "help")
            .collect();
        parsed.sort();
        let mut known: Vec<String> = certvault_i18n::COMMAND_NAMES.iter().map(|s| s.to_string()).collect();
        known.sort();
        assert_eq!(parsed, known);
    }

    use super::*;

    /// Every command and argument has its help text in both languages (a missing one would show
    /// clap's English, or nothing, to a Japanese user).
    #[test]
    fn every_command_and_argument_has_a_translated_help() {
        let mut missing = Vec::new();
        for lang in [Lang::En, Lang::Ja] {
            let mut root = super::super::Cli::command();
            root.build();
            check(&root, "cli", lang, &mut missing);
        }
        assert!(missing.is_empty(), "help texts missing from the .ftl files:\n{}", missing.join("\n"));
    }

    fn check(cmd: &Command, prefix: &str, lang: Lang, missing: &mut Vec<String>) {
        let mut wanted: Vec<(String, bool)> = Vec::new();
        wanted.push((format!("{prefix}-about"), text(lang, &format!("{prefix}-about")).is_some()));
        if cmd.get_long_about().is_some() {
            let id = format!("{prefix}-long-about");
            wanted.push((id.clone(), text(lang, &id).is_some()));
        }
        for arg in cmd.get_arguments() {
            let ids = arg_help_ids(prefix, arg);
            let has_long = arg.get_long_help().is_some();
            let suffix = if arg.get_id() == "help" && has_long { "-more" } else { "" };
            wanted.push((
                format!("{} or {}{suffix}", ids[0], ids[1]),
                arg_text(lang, prefix, arg, suffix).is_some(),
            ));
            if has_long {
                let found = arg_text(lang, prefix, arg, "-long").is_some();
                wanted.push((format!("{}-long or {}-long", ids[0], ids[1]), found));
            }
        }
        missing
            .extend(wanted.into_iter().filter(|(_, found)| !found).map(|(id, _)| format!("{lang:?}: {id}")));
        for sub in cmd.get_subcommands() {
            if sub.get_name() == "help" {
                let mut ids = vec!["cli-help-about".to_string()];
                ids.extend(sub.get_arguments().map(|arg| format!("cli-help-{}", arg_stem(arg))));
                missing.extend(
                    ids.into_iter().filter(|id| text(lang, id).is_none()).map(|id| format!("{lang:?}: {id}")),
                );
                continue;
            }
            check(sub, &format!("{prefix}-{}", sub.get_name()), lang, missing);
        }
    }

    #[test]
    fn lang_and_json_are_found_before_parsing() {
        let args = |words: &[&str]| words.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(lang_in_args(&args(&["certvault", "--lang", "ja", "list"])), Some(Lang::Ja));
        assert_eq!(lang_in_args(&args(&["certvault", "list", "--lang=en"])), Some(Lang::En));
        assert_eq!(lang_in_args(&args(&["certvault", "--lang", "fr"])), None);
        assert_eq!(lang_in_args(&args(&["certvault", "scan", "--", "--lang", "ja"])), None);
        assert!(json_in_args(&args(&["certvault", "list", "--json"])));
        assert!(!json_in_args(&args(&["certvault", "scan", "--", "--json"])));
    }
}
