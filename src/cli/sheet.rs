//! `certvault sheet --out FILE`: the recovery sheet (or split sheets) of a vault.

use std::path::PathBuf;

use secrecy::ExposeSecret;

use crate::error::{CliError, EXIT_OK};
use crate::sheet::{self, SheetLang, Split};
use crate::t;
use crate::terminal::Terminal;
use crate::vault::{self, pin, OpenVault, UnlockSource};

pub struct SheetOptions {
    pub vault: PathBuf,
    pub unlock: UnlockSource,
    pub out: PathBuf,
    pub pin_code_file: Option<PathBuf>,
    pub lang: SheetLang,
    pub split: Option<Split>,
}

pub fn run(opts: &SheetOptions) -> Result<u8, CliError> {
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
