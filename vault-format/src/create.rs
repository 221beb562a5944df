//! Creating a vault's keys (SPEC.md §2–§6): the one place where all of them are drawn.

use age::x25519::Identity;

use crate::code::{Code, CodeKind};
use crate::header::VaultHeader;
use crate::id::VaultId;
use crate::kdf::{KdfError, KdfParams, derive_identity};
use crate::unlock::UnlockFile;

/// The keys and header of a brand-new vault.
///
/// The caller writes `header.to_json()` to `vault.json`, `unlock.encrypt(passphrase)` to
/// `unlock.age`, an empty first generation, and prints both codes on the recovery sheet.
/// `pin_code` must then be forgotten: it is never stored (SPEC.md §1.1).
pub struct NewVault {
    /// The public header.
    pub header: VaultHeader,
    /// The vault id, recovery code R and the vault identity derived from it.
    pub unlock: UnlockFile,
    /// The PIN code C.
    pub pin_code: Code,
    /// The PIN identity derived from C (its recipient is `header.pin_recipient`).
    pub pin_identity: Identity,
}

impl NewVault {
    /// Draws a vault id and both codes, and derives both identities with `kdf` (two
    /// Argon2id runs; writers pass [`KdfParams::default`], SPEC.md §4.2). `created` is a
    /// timestamp (SPEC.md §2.5), e.g. [`crate::time::now`].
    pub fn generate(kdf: KdfParams, created: String) -> Result<NewVault, KdfError> {
        kdf.validate()?;
        let vault_id = VaultId::generate();
        let recovery = Code::generate(CodeKind::Recovery);
        let pin_code = Code::generate(CodeKind::PinCode);
        let pin_identity = derive_identity(&pin_code, &vault_id, &kdf.pin_code)?;
        let unlock = UnlockFile::derive(vault_id, recovery, &kdf.recovery)?;
        Ok(NewVault {
            header: VaultHeader { vault_id, created, kdf, pin_recipient: pin_identity.to_public() },
            unlock,
            pin_code,
            pin_identity,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kdf::Argon2Params;
    use crate::manifest::Manifest;
    use crate::payload::Payload;
    use crate::{open_generation, seal_generation};

    #[test]
    fn a_new_vault_opens() {
        let v = NewVault::generate(KdfParams::both(Argon2Params::new(8, 1, 1)), crate::time::now()).unwrap();
        v.header.validate().unwrap();
        v.unlock.verify(&v.header.kdf.recovery).unwrap();
        let m = Manifest::new(&v.header, 1, crate::time::now());
        let p = Payload::new(m);
        let ct = seal_generation(&p, &v.unlock.identity().to_public()).unwrap();
        let back = open_generation(&ct, v.unlock.identity(), &v.header.vault_id, 1).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.manifest.header(), v.header);
    }
}
