//! Removable media, in one place: the mounted removable volumes (`sysinfo`), the folders of
//! `CERTVAULT_MEDIA_ROOTS` treated like them, whether a path lies on one, and the vaults found
//! at their top. The vault belongs on a stick; restore looks for it there, scan looks there
//! for stray copies, and `init` asks whether the target is one.

use std::path::{Path, PathBuf};

/// Extra folders to treat like removable volumes (not a secret: a path list), for sticks the
/// OS reports as fixed disks (USB SSDs on Windows, every disk under Wine) and for tests.
pub const MEDIA_ROOTS_VAR: &str = "CERTVAULT_MEDIA_ROOTS";

/// A mounted volume as the OS reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    pub mount_point: PathBuf,
    pub removable: bool,
}

/// Every mounted volume (empty when the OS cannot list them).
pub fn volumes() -> Vec<Volume> {
    let Ok(disks) = sysinfo::Disks::new_with_refreshed_list() else { return Vec::new() };
    (&disks)
        .into_iter()
        .map(|d| Volume { mount_point: d.mount_point().to_path_buf(), removable: d.is_removable() })
        .collect()
}

/// The mount points of the removable volumes, without the system's root ("/" is never a
/// stick, whatever the driver says).
pub fn removable_volumes() -> Vec<PathBuf> {
    removable_mounts(&volumes())
}

fn removable_mounts(volumes: &[Volume]) -> Vec<PathBuf> {
    volumes
        .iter()
        .filter(|v| v.removable && v.mount_point.parent().is_some())
        .map(|v| v.mount_point.clone())
        .collect()
}

/// The removable volumes except the one holding `path` (the vault's own stick, which scan
/// leaves out). Scan's "removable" places.
pub fn removable_volumes_except(path: Option<&Path>) -> Vec<PathBuf> {
    let all = volumes();
    let mut mounts = removable_mounts(&all);
    if let Some(own) = path.and_then(|p| volume_holding(&all, p)) {
        mounts.retain(|m| *m != own.mount_point);
    }
    mounts
}

/// The volume that holds `path`: the longest mount point it lies under.
fn volume_holding<'a>(volumes: &'a [Volume], path: &Path) -> Option<&'a Volume> {
    let canonical = path.canonicalize().ok()?;
    volumes
        .iter()
        .filter(|v| canonical.starts_with(&v.mount_point))
        .max_by_key(|v| v.mount_point.as_os_str().len())
}

/// Whether `path` lies on removable media, as far as the OS tells (a guess: USB SSDs report
/// fixed on Windows). `None` when no volume matches.
pub fn is_on_removable_media(path: &Path) -> Option<bool> {
    volume_holding(&volumes(), path).map(|v| v.removable)
}

/// The folders of [`MEDIA_ROOTS_VAR`], in order.
pub fn configured_roots() -> Vec<PathBuf> {
    std::env::var_os(MEDIA_ROOTS_VAR)
        .map(|extra| std::env::split_paths(&extra).filter(|p| !p.as_os_str().is_empty()).collect())
        .unwrap_or_default()
}

/// Where a vault may be: the removable volumes, then the folders of [`MEDIA_ROOTS_VAR`].
pub fn media_roots() -> Vec<PathBuf> {
    let mut roots = removable_volumes();
    roots.extend(configured_roots());
    roots
}

/// The folder a new vault gets at the top of a stick (what `restore` and the guide look for).
pub const VAULT_FOLDER: &str = "CERTVAULT";

/// Whether `path` is the top folder of a stick: a mounted volume's root, a folder of
/// [`MEDIA_ROOTS_VAR`], or a file system's root (`E:\`).
pub fn is_stick_root(path: &Path) -> bool {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    path.parent().is_none()
        || configured_roots().iter().any(|r| same(r, path))
        || volumes().iter().any(|v| v.mount_point.parent().is_some() && same(&v.mount_point, path))
}

/// Where a folder the user names puts a vault (issue 16: `E:\` and `E:\CERTVAULT` both work).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VaultPlace {
    /// A vault is already there.
    Existing(PathBuf),
    /// A new vault goes here: the folder named, or `CERTVAULT` at the top of the stick named.
    /// (Whether it may be created is [`crate::vault::check_creation_target`]'s to say.)
    New(PathBuf),
}

/// Reads a folder the user named for a vault: the vault in it or in its `CERTVAULT`; a stick's
/// top folder gets `CERTVAULT` created in it; any other folder is the vault's own (new, or
/// empty). Fails, saying so plainly, when the folder above it does not exist (a stick not
/// plugged in, a mistyped drive).
pub fn place_for_vault(path: &Path) -> Result<VaultPlace, crate::Error> {
    place_among(path, &is_stick_root)
}

fn place_among(path: &Path, is_stick_root: &dyn Fn(&Path) -> bool) -> Result<VaultPlace, crate::Error> {
    use crate::error::{Error, ErrorKind};
    if is_vault(path) {
        return Ok(VaultPlace::Existing(path.to_path_buf()));
    }
    let inside = path.join(VAULT_FOLDER);
    if is_vault(&inside) {
        return Ok(VaultPlace::Existing(inside));
    }
    if path.is_dir() && is_stick_root(path) {
        return Ok(VaultPlace::New(inside));
    }
    if path.exists() && !path.is_dir() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            crate::msg!("err-place-not-folder", dir = path.display()),
        ));
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !path.exists() && !parent.is_dir() {
        return Err(Error::new(
            ErrorKind::NotFound,
            crate::msg!("err-place-missing", dir = parent.display()),
        ));
    }
    Ok(VaultPlace::New(path.to_path_buf()))
}

fn is_vault(dir: &Path) -> bool {
    dir.join(vault_format::HEADER_FILE_NAME).is_file()
}

/// Vault folders at the top of `roots`: each root itself, and its immediate sub-folders (a
/// stick's root holding `CERTVAULT`). Each vault once, in the order of `roots`.
pub fn vaults_in(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for root in roots {
        if is_vault(root) {
            found.push(root.clone());
            continue;
        }
        let Ok(children) = std::fs::read_dir(root) else { continue };
        let mut dirs: Vec<PathBuf> = children
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path())
            .filter(|p| is_vault(p))
            .collect();
        dirs.sort();
        found.extend(dirs);
    }
    let mut seen = std::collections::HashSet::new();
    found.retain(|p| seen.insert(p.canonicalize().unwrap_or_else(|_| p.clone())));
    found
}

/// The vaults on the media: [`vaults_in`] of [`media_roots`].
pub fn vaults_on_media() -> Vec<PathBuf> {
    vaults_in(&media_roots())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vaults_are_found_at_the_top_of_a_volume() {
        let tmp = tempfile::tempdir().unwrap();
        let stick = tmp.path().join("stick");
        for dir in ["CERTVAULT", "other", "deep/CERTVAULT"] {
            std::fs::create_dir_all(stick.join(dir)).unwrap();
        }
        std::fs::write(stick.join("CERTVAULT").join(vault_format::HEADER_FILE_NAME), "{}").unwrap();
        std::fs::write(stick.join("deep/CERTVAULT").join(vault_format::HEADER_FILE_NAME), "{}").unwrap();
        let bare = tmp.path().join("bare");
        std::fs::create_dir_all(&bare).unwrap();
        std::fs::write(bare.join(vault_format::HEADER_FILE_NAME), "{}").unwrap();
        let found = vaults_in(&[stick.clone(), bare.clone(), stick.clone(), tmp.path().join("missing")]);
        assert_eq!(found, vec![stick.join("CERTVAULT"), bare]);
    }

    #[test]
    fn the_system_root_is_never_removable_and_the_longest_mount_holds_a_path() {
        let tmp = tempfile::tempdir().unwrap();
        let inner = tmp.path().join("stick");
        std::fs::create_dir_all(inner.join("CERTVAULT")).unwrap();
        let inner = inner.canonicalize().unwrap();
        let vols = vec![
            Volume { mount_point: PathBuf::from("/"), removable: true },
            Volume { mount_point: tmp.path().canonicalize().unwrap(), removable: false },
            Volume { mount_point: inner.clone(), removable: true },
        ];
        assert_eq!(removable_mounts(&vols), vec![inner.clone()]);
        let holder = volume_holding(&vols, &inner.join("CERTVAULT")).unwrap();
        assert_eq!(holder.mount_point, inner);
        assert!(holder.removable);
    }

    /// Issue 16: a stick's top folder and a not-yet-existing CERTVAULT under it both name
    /// the same new vault; an existing vault is found from either; a missing drive is said.
    #[test]
    fn a_stick_root_and_its_certvault_folder_name_the_same_place() {
        let tmp = tempfile::tempdir().unwrap();
        let stick = tmp.path().join("stick");
        std::fs::create_dir_all(&stick).unwrap();
        std::fs::write(stick.join("report.docx"), "x").unwrap();
        let stick_root = |p: &Path| p == stick;
        let place_for_vault = |p: &Path| place_among(p, &stick_root);
        let certvault = stick.join(VAULT_FOLDER);
        assert_eq!(place_for_vault(&stick).unwrap(), VaultPlace::New(certvault.clone()));
        assert_eq!(place_for_vault(&certvault).unwrap(), VaultPlace::New(certvault.clone()));
        // Any other folder is the vault's own.
        let other = tmp.path().join("elsewhere");
        assert_eq!(place_for_vault(&other).unwrap(), VaultPlace::New(other.clone()));
        let e = place_for_vault(&tmp.path().join("not-plugged/CERTVAULT")).unwrap_err();
        assert_eq!(e.message.id, "err-place-missing");
        let e = place_for_vault(&stick.join("report.docx")).unwrap_err();
        assert_eq!(e.message.id, "err-place-not-folder");
        // Once created, both find it.
        std::fs::create_dir(&certvault).unwrap();
        std::fs::write(certvault.join(vault_format::HEADER_FILE_NAME), "{}").unwrap();
        assert_eq!(place_for_vault(&stick).unwrap(), VaultPlace::Existing(certvault.clone()));
        assert_eq!(place_for_vault(&certvault).unwrap(), VaultPlace::Existing(certvault));
    }
}
