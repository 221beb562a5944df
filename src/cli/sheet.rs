//! `certvault sheet --out FILE`: the recovery sheet (or split sheets) of a vault.

use std::path::PathBuf;

use secrecy::ExposeSecret;

use super::VaultArgs;
use crate::error::{CliError, EXIT_OK};
use crate::terminal::Terminal;
use certvault_core::sheet::{self, SheetLang, Split};
use certvault_core::vault::{self, pin, OpenVault, UnlockSource};
use certvault_i18n::t;
use certvault_i18n::{render, Lang};

#[derive(Debug, clap::Args)]
pub struct SheetArgs {
    #[command(flatten)]
    pub vault: VaultArgs,
    /// The PDF to write (created 0600, outside the vault folder; never overwritten). With
    /// --split, FILE-1-of-N.pdf … FILE-N-of-N.pdf instead.
    #[arg(long, value_name = "PDF")]
    pub out: PathBuf,
    /// Read the PIN code from the first sheet from this file (- = standard input) to print
    /// it again; without it the sheet says where the PIN code is.
    #[arg(long, value_name = "F")]
    pub pin_code_file: Option<PathBuf>,
    /// Split the recovery code into N share sheets, any K of which open the vault
    /// (e.g. 2-of-3; 2 <= K <= N <= 9).
    #[arg(long, value_name = "K-of-N", value_parser = parse_split)]
    pub split: Option<Split>,
}

/// `--split K-of-N`, with the reason for a refusal in the user's language (clap shows it).
fn parse_split(text: &str) -> Result<Split, String> {
    sheet::parse_split(text).map_err(|reason| render(&reason))
}

/// The sheet's language: `--lang` when given, else Japanese with English subtitles, whatever
/// the language of the messages.
pub fn sheet_lang(lang: Option<Lang>) -> SheetLang {
    match lang {
        Some(Lang::En) => SheetLang::En,
        Some(Lang::Ja) | None => SheetLang::Ja,
    }
}

struct SheetOptions {
    vault: PathBuf,
    unlock: UnlockSource,
    out: PathBuf,
    pin_code_file: Option<PathBuf>,
    lang: SheetLang,
    split: Option<Split>,
}

pub fn run(args: SheetArgs, lang: SheetLang) -> Result<u8, CliError> {
    let opts = &SheetOptions {
        unlock: args.vault.unlock.source(),
        vault: args.vault.vault,
        out: args.out,
        pin_code_file: args.pin_code_file,
        lang,
        split: args.split,
    };
    let outs = match opts.split {
        Some(s) => sheet::split_paths(&opts.out, s.total),
        None => vec![opts.out.clone()],
    };
    vault::read_header(&opts.vault)?;
    for out in &outs {
        sheet::check_out_path(out, &opts.vault)?;
    }
    // A mistyped PIN code is reported before the slow part.
    let pin_code = match &opts.pin_code_file {
        Some(path) => {
            let text = vault::read_secret(path)?;
            Some(pin::parse_pin_code(text.expose_secret())?)
        }
        None => None,
    };
    let unlock = opts.unlock.read(&Terminal)?;
    let vault = OpenVault::open(&opts.vault, &unlock, false)?;
    super::notes::warn_fallbacks(&vault);
    let written =
        sheet::write_sheets(&vault, &unlock, pin_code.as_ref(), &opts.out, opts.lang, opts.split, &Terminal)?;
    for out in &written {
        println!("{}", t!("sheet-done", file = out.display()));
    }
    if let Some(split) = opts.split {
        println!("{}", t!("sheet-split-done", threshold = split.threshold, total = split.total));
    }
    if pin_code.is_none() {
        eprintln!("{}", t!("sheet-no-pin-code"));
    }
    Ok(EXIT_OK)
}
