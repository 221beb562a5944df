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
}
