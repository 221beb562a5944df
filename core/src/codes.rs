//! Every mistake in a typed recovery code, PIN code or share code, as a message a front-end
//! phrases (the vault-format crate's own texts are English, for developers).

use vault_format::{CodeError, CodeKind, ShareError};

use crate::message::Message;
use crate::msg;

fn kind_message(kind: CodeKind) -> Message {
    match kind {
        CodeKind::Recovery => msg!("code-kind-recovery"),
        CodeKind::PinCode => msg!("code-kind-pin"),
    }
}

/// What is wrong with a typed recovery code or PIN code.
pub fn code_error_message(e: &CodeError) -> Message {
    match e {
        CodeError::Empty => msg!("err-code-empty"),
        CodeError::InvalidCharacter { group, character } => {
            msg!("err-code-character", group = group, character = character.escape_debug())
        }
        CodeError::GroupLength { group, symbols } => {
            msg!("err-code-group-length", group = group, count = symbols)
        }
        CodeError::Length { symbols } => msg!("err-code-length", count = symbols),
        CodeError::Checksum { group } => msg!("err-code-group", group = group),
        CodeError::WrongKind { expected, found } => {
            msg!("err-code-wrong-kind", expected = kind_message(*expected), found = kind_message(*found))
        }
        CodeError::NonCanonical => msg!("err-code-non-canonical"),
        _ => msg!("err-code-non-canonical"),
    }
}

/// What is wrong with a typed share code, or with a set of shares.
pub fn share_error_message(e: &ShareError) -> Message {
    match e {
        ShareError::Empty => msg!("err-share-empty"),
        ShareError::InvalidCharacter { group, character } => {
            msg!("err-code-character", group = group, character = character.escape_debug())
        }
        ShareError::GroupLength { group, symbols } => {
            msg!("err-code-group-length", group = group, count = symbols)
        }
        ShareError::Length { symbols } => msg!("err-share-length", count = symbols),
        ShareError::IsCode { .. } => msg!("err-share-is-code"),
        ShareError::Checksum { group } => msg!("err-code-group", group = group),
        ShareError::ShareChecksum => msg!("err-share-checksum"),
        ShareError::Header => msg!("err-share-header"),
        ShareError::NotEnough { have, need } => msg!("err-shares-not-enough", need = need, have = have),
        ShareError::Duplicate { index } => msg!("err-shares-duplicate", index = index),
        ShareError::DifferentSets { first, other } => msg!("err-shares-mixed", first = first, other = other),
        ShareError::Inconsistent => msg!("err-shares-inconsistent"),
        ShareError::Parameters { threshold, total } => {
            msg!("err-split-range", threshold = threshold, total = total)
        }
        _ => msg!("err-shares-inconsistent"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_mistake_has_its_own_message() {
        for (text, id) in [
            ("", "err-code-empty"),
            ("ABCDE-FGHIJ-KLMNU", "err-code-character"),
            ("ABCDE-FGHI-KLMNP-QRSTV-WXYZ0", "err-code-group-length"),
            ("ABCDEFGH", "err-code-length"),
        ] {
            let Err(e) = vault_format::Code::parse(CodeKind::Recovery, text) else { panic!("{text}") };
            assert_eq!(code_error_message(&e).id, id, "{text}: {e}");
        }
    }
}
