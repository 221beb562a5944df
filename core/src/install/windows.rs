//! `--to windows`: the current user's "My" store, in memory through the CryptoAPI.
//!
//! `PFXImportCertStore` gets the `.p12` bytes and the PIN from memory (no file touches the
//! disk) with `CRYPT_USER_KEYSET`, never `CRYPT_USER_PROTECTED` (the "strong private key
//! protection" that makes every connection ask for a password and the connecting software
//! fail), and `CRYPT_EXPORTABLE` only with `--exportable`. The leaf is then added to
//! `CurrentUser\My` and the store committed; the CA root goes to `CurrentUser\Root` only when
//! the user agreed after seeing its SHA-1 (Windows shows its own warning too). The install is
//! verified by finding the certificate by SHA-1 in a fresh handle of the store, with its key
//! attached and usable without a prompt.
//!
//! Installing never deletes anything it did not add in the same run. When `My` already holds
//! the certificate without its key, that entry is kept and only gains the imported key (its
//! `CERT_KEY_PROV_INFO_PROP_ID`): replacing it would delete it, with whatever the user set on
//! it. When it already holds it with a key, it is left alone. When the commit fails, the run
//! undoes exactly what it changed (removes the entry it added, or detaches the key it attached)
//! and deletes a key container only if the container was not there before the import.
//!
//! Where Wine 8.0 differs (tools/windows/README.md): it drops the CA from the import (we add
//! the root from our own reading of the file), reports key spec 3 (we sign with
//! `AT_KEYEXCHANGE` then), and keeps one key container per user (which is why a container that
//! existed before the import is never deleted: it holds another certificate's key).

use std::collections::HashSet;
use std::io;
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};

use windows_sys::core::PCWSTR;
use windows_sys::Win32::Foundation::{GetLastError, SetLastError, ERROR_NO_MORE_ITEMS};
use windows_sys::Win32::Security::Cryptography::{
    CertAddCertificateContextToStore, CertCloseStore, CertControlStore, CertCreateCertificateContext,
    CertDeleteCertificateFromStore, CertDuplicateCertificateContext, CertEnumCertificatesInStore,
    CertFindCertificateInStore, CertFreeCertificateContext, CertGetCertificateContextProperty, CertOpenStore,
    CertSetCertificateContextProperty, CryptAcquireCertificatePrivateKey, CryptAcquireContextW,
    CryptDestroyKey, CryptExportKey, CryptGetProvParam, CryptGetUserKey, CryptReleaseContext,
    PFXExportCertStoreEx, PFXImportCertStore, PFXIsPFXBlob, AT_KEYEXCHANGE, AT_SIGNATURE, CERT_CONTEXT,
    CERT_FIND_SHA1_HASH, CERT_KEY_PROV_INFO_PROP_ID, CERT_STORE_ADD_ALWAYS, CERT_STORE_ADD_NEW,
    CERT_STORE_ADD_USE_EXISTING, CERT_STORE_CTRL_COMMIT, CERT_STORE_CTRL_COMMIT_FORCE_FLAG,
    CERT_STORE_OPEN_EXISTING_FLAG, CERT_STORE_PROV_MEMORY, CERT_STORE_PROV_SYSTEM_W,
    CERT_STORE_READONLY_FLAG, CERT_SYSTEM_STORE_CURRENT_USER, CRYPT_ACQUIRE_SILENT_FLAG, CRYPT_DELETEKEYSET,
    CRYPT_EXPORTABLE, CRYPT_FIRST, CRYPT_INTEGER_BLOB, CRYPT_KEY_PROV_INFO, CRYPT_MACHINE_KEYSET, CRYPT_NEXT,
    CRYPT_SILENT, CRYPT_USER_KEYSET, CRYPT_VERIFYCONTEXT, EXPORT_PRIVATE_KEYS, HCERTSTORE, MS_DEF_PROV_W,
    MS_ENHANCED_PROV_W, MS_ENH_RSA_AES_PROV_W, MS_STRONG_PROV_W, PKCS_7_ASN_ENCODING, PP_ENUMCONTAINERS,
    PRIVATEKEYBLOB, PROV_RSA_AES, PROV_RSA_FULL, REPORT_NOT_ABLE_TO_EXPORT_PRIVATE_KEY,
    REPORT_NO_PRIVATE_KEY, X509_ASN_ENCODING,
};
use zeroize::Zeroizing;

use super::{Backend, InstallItem, Presence, VerifiedPin};
use crate::certificate::x509::colon_hex;
use crate::conversation::Conversation;
use crate::error::{Error, ErrorKind};
use crate::message::Message;
use crate::msg;
use crate::pkcs12::PasswordForm;
use crate::windows_key::KeyState;

const ENCODING: u32 = X509_ASN_ENCODING | PKCS_7_ASN_ENCODING;
const ERROR_CANCELLED: u32 = 1223;

/// How many times `PFXImportCertStore` was called by this process (tests prove that a wrong
/// PIN never gets that far).
static PFX_IMPORT_CALLS: AtomicUsize = AtomicUsize::new(0);

pub fn pfx_import_calls() -> usize {
    PFX_IMPORT_CALLS.load(Ordering::SeqCst)
}

/// The flags of the import: the user's key set, exportable only when asked, and never
/// `CRYPT_USER_PROTECTED`.
pub fn import_flags(exportable: bool) -> u32 {
    CRYPT_USER_KEYSET | if exportable { CRYPT_EXPORTABLE } else { 0 }
}

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

fn last_error() -> u32 {
    // SAFETY: no preconditions.
    unsafe { GetLastError() }
}

fn os_error_text(code: u32) -> String {
    if code == 0 {
        // Wine reports 0 for a PFX it cannot decrypt.
        return "error 0".into();
    }
    format!("{} (0x{code:08X})", io::Error::from_raw_os_error(code as i32))
}

/// A store handle, closed on drop.
struct Store(HCERTSTORE);

impl Drop for Store {
    fn drop(&mut self) {
        // SAFETY: a handle from CertOpenStore/PFXImportCertStore, closed once.
        unsafe { CertCloseStore(self.0, 0) };
    }
}

/// A certificate context, freed on drop.
pub struct Context(*const CERT_CONTEXT);

impl Drop for Context {
    fn drop(&mut self) {
        // SAFETY: a context we own a reference to, freed once.
        unsafe { CertFreeCertificateContext(self.0) };
    }
}

fn open_user_store(name: &str, read_only: bool) -> io::Result<Store> {
    let name = wide(name);
    let flags = CERT_SYSTEM_STORE_CURRENT_USER
        | if read_only { CERT_STORE_READONLY_FLAG | CERT_STORE_OPEN_EXISTING_FLAG } else { 0 };
    // SAFETY: `name` is NUL-terminated and outlives the call.
    let handle = unsafe { CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, flags, name.as_ptr().cast()) };
    if handle.is_null() {
        return Err(io::Error::last_os_error());
    }
    Ok(Store(handle))
}

fn find_by_sha1(store: &Store, sha1: &[u8; 20]) -> Option<Context> {
    let blob = CRYPT_INTEGER_BLOB { cbData: 20, pbData: sha1.as_ptr() as *mut u8 };
    // SAFETY: `blob` points to 20 bytes that outlive the call; the result is owned by us.
    let ctx = unsafe {
        CertFindCertificateInStore(
            store.0,
            ENCODING,
            0,
            CERT_FIND_SHA1_HASH,
            (&blob as *const CRYPT_INTEGER_BLOB).cast(),
            ptr::null(),
        )
    };
    (!ctx.is_null()).then_some(Context(ctx))
}

/// Reads the private key's state of `ctx`, signing a test hash silently.
fn key_state(ctx: &Context) -> KeyState {
    // SAFETY: `ctx` is a live context we own.
    unsafe { crate::windows_key::key_state(ctx.0, crate::windows_key::Probe::Sign) }
}

/// A NUL-terminated UTF-16 string, or `None` for a null pointer.
///
/// # Safety
/// `p` is null or points to a NUL-terminated UTF-16 string.
unsafe fn from_wide(p: PCWSTR) -> Option<String> {
    if p.is_null() {
        return None;
    }
    let mut len = 0;
    while *p.add(len) != 0 {
        len += 1;
    }
    Some(String::from_utf16_lossy(std::slice::from_raw_parts(p, len)))
}

/// Where a certificate's private key is kept: its `CERT_KEY_PROV_INFO_PROP_ID`, in the
/// property's own buffer (the structure's strings point into it).
struct KeyProvInfo(Vec<u64>);

impl KeyProvInfo {
    /// The property of `ctx`, or `None` when the certificate points at no key.
    fn of(ctx: &Context) -> Option<KeyProvInfo> {
        let mut len = 0u32;
        // SAFETY: size query, then a buffer of that size, aligned for the structure.
        unsafe {
            if CertGetCertificateContextProperty(ctx.0, CERT_KEY_PROV_INFO_PROP_ID, ptr::null_mut(), &mut len)
                == 0
            {
                return None;
            }
            let mut buf = vec![0u64; (len as usize).div_ceil(8)];
            (CertGetCertificateContextProperty(
                ctx.0,
                CERT_KEY_PROV_INFO_PROP_ID,
                buf.as_mut_ptr().cast(),
                &mut len,
            ) != 0)
                .then_some(KeyProvInfo(buf))
        }
    }

    fn info(&self) -> &CRYPT_KEY_PROV_INFO {
        // SAFETY: the buffer holds the structure CertGetCertificateContextProperty wrote.
        unsafe { &*(self.0.as_ptr() as *const CRYPT_KEY_PROV_INFO) }
    }

    fn container(&self) -> Option<String> {
        // SAFETY: null or a string inside the property's buffer.
        unsafe { from_wide(self.info().pwszContainerName) }
    }

    fn provider(&self) -> Option<String> {
        // SAFETY: null or a string inside the property's buffer.
        unsafe { from_wide(self.info().pwszProvName) }
    }
}

/// The CryptoAPI RSA providers (one key storage, rsaenh) that `PFXImportCertStore` writes an
/// RSA key into unless the file names another provider.
const RSA_PROVIDERS: [(PCWSTR, u32); 4] = [
    (MS_ENHANCED_PROV_W, PROV_RSA_FULL),
    (MS_ENH_RSA_AES_PROV_W, PROV_RSA_AES),
    (MS_STRONG_PROV_W, PROV_RSA_FULL),
    (MS_DEF_PROV_W, PROV_RSA_FULL),
];

/// The user's key containers as they were just before the import, per provider (lower case).
/// Undoing an install deletes a container only when it is not on its provider's list: one
/// that was there before belongs to someone else (under Wine every import writes into the
/// user's one container, which another certificate's entry may point at). A provider whose
/// containers could not be listed, a CNG or machine key, or a name that is not plain ASCII
/// (the listing is in the ANSI code page) count as "there before": an orphaned key container
/// is the lesser harm.
struct ContainersBefore(Vec<(String, Option<HashSet<String>>)>);

impl ContainersBefore {
    fn list() -> ContainersBefore {
        ContainersBefore(
            RSA_PROVIDERS
                .iter()
                .map(|&(name, kind)| {
                    // SAFETY: the constants are NUL-terminated.
                    let provider = unsafe { from_wide(name) }.unwrap_or_default().to_lowercase();
                    (provider, list_containers(name, kind))
                })
                .collect(),
        )
    }

    /// Whether the import of this run created the container `key` names.
    fn created_by_this_run(&self, key: &KeyProvInfo) -> bool {
        let info = key.info();
        if info.dwProvType == 0 || info.dwFlags & CRYPT_MACHINE_KEYSET != 0 {
            return false;
        }
        let (Some(container), Some(provider)) = (key.container(), key.provider()) else { return false };
        if !container.is_ascii() {
            return false;
        }
        let (container, provider) = (container.to_lowercase(), provider.to_lowercase());
        self.0
            .iter()
            .any(|(p, names)| *p == provider && names.as_ref().is_some_and(|n| !n.contains(&container)))
    }
}

/// The names of the user's key containers of one provider, or `None` when they could not all
/// be listed.
fn list_containers(provider: PCWSTR, kind: u32) -> Option<HashSet<String>> {
    let mut prov = 0usize;
    // SAFETY: a NUL-terminated provider name; a verify context opens no container.
    if unsafe {
        CryptAcquireContextW(&mut prov, ptr::null(), provider, kind, CRYPT_VERIFYCONTEXT | CRYPT_SILENT)
    } == 0
    {
        return None;
    }
    let mut names = HashSet::new();
    let mut complete = false;
    let mut flags = CRYPT_FIRST;
    // Bounded: a provider that never says "no more items" cannot hold the install up.
    for _ in 0..100_000 {
        let mut buf = [0u8; 1024];
        let mut len = buf.len() as u32;
        // SAFETY: `buf` has `len` bytes.
        if unsafe { CryptGetProvParam(prov, PP_ENUMCONTAINERS, buf.as_mut_ptr(), &mut len, flags) } == 0 {
            complete = last_error() == ERROR_NO_MORE_ITEMS;
            break;
        }
        let name = buf[..(len as usize).min(buf.len())].split(|&b| b == 0).next().unwrap_or_default();
        names.insert(String::from_utf8_lossy(name).to_lowercase());
        flags = CRYPT_NEXT;
    }
    // SAFETY: the context acquired above, released once.
    unsafe { CryptReleaseContext(prov, 0) };
    complete.then_some(names)
}

/// Deletes the key container an imported certificate points at, if this run created it.
fn discard_imported_key(ctx: &Context, before: &ContainersBefore) {
    let Some(key) = KeyProvInfo::of(ctx) else { return };
    if !before.created_by_this_run(&key) {
        return;
    }
    let info = key.info();
    let mut prov = 0usize;
    // SAFETY: the strings point into `key`, which outlives the call.
    unsafe {
        CryptAcquireContextW(
            &mut prov,
            info.pwszContainerName,
            info.pwszProvName,
            info.dwProvType,
            CRYPT_DELETEKEYSET | CRYPT_SILENT,
        )
    };
}

/// [`discard_imported_key`] for every certificate of the imported store.
fn discard_imported_keys(imported: &Store, before: &ContainersBefore) {
    let mut ctx: *mut CERT_CONTEXT = ptr::null_mut();
    loop {
        // SAFETY: the enumeration frees the previous context itself.
        ctx = unsafe { CertEnumCertificatesInStore(imported.0, ctx) };
        if ctx.is_null() {
            break;
        }
        // SAFETY: a live context; the duplicate is freed by `Context`.
        discard_imported_key(&Context(unsafe { CertDuplicateCertificateContext(ctx) }), before);
    }
}

/// Commits a store. Wine writes changes to the registry only then, a changed property only
/// with the force flag; Windows has written them already, and ignores both.
fn commit(store: &Store, name: &str) -> Result<(), String> {
    // SAFETY: a live store handle.
    let flags = CERT_STORE_CTRL_COMMIT_FORCE_FLAG;
    if unsafe { CertControlStore(store.0, flags, CERT_STORE_CTRL_COMMIT, ptr::null()) } == 0 {
        return Err(format!("CertControlStore({name}): {}", os_error_text(last_error())));
    }
    Ok(())
}

/// What this run changed in `CurrentUser\My`, so that a failed commit undoes exactly that.
enum Change {
    /// The certificate was not there: this entry was added.
    Added(Context),
    /// The certificate was there without a key: the imported key was attached to this entry.
    KeyAttached(Context),
}

/// Undoes `change` and commits, leaving `My` as it was before the run.
fn undo(store: &Store, change: Change) -> Result<(), String> {
    let (ok, what) = match &change {
        Change::Added(ctx) => (
            // SAFETY: a context of `store`; deleting frees the duplicate.
            unsafe { CertDeleteCertificateFromStore(CertDuplicateCertificateContext(ctx.0)) },
            "CertDeleteCertificateFromStore(My)",
        ),
        Change::KeyAttached(ctx) => (
            // SAFETY: a context of `store`; NULL removes the property.
            unsafe { CertSetCertificateContextProperty(ctx.0, CERT_KEY_PROV_INFO_PROP_ID, 0, ptr::null()) },
            "CertSetCertificateContextProperty(My)",
        ),
    };
    if ok == 0 {
        return Err(format!("{what}: {}", os_error_text(last_error())));
    }
    drop(change);
    commit(store, "My")
}

/// Finds the certificate with `sha1` in `CurrentUser\My` and tells about its key.
pub fn find_in_my(sha1: &[u8; 20]) -> io::Result<Option<KeyState>> {
    let store = match open_user_store("MY", true) {
        Ok(s) => s,
        // A user who never had a certificate may have no "My" store yet.
        Err(_) => return Ok(None),
    };
    Ok(find_by_sha1(&store, sha1).map(|ctx| key_state(&ctx)))
}

/// Whether `CurrentUser\Root` holds the certificate with `sha1`.
pub fn in_user_root(sha1: &[u8; 20]) -> bool {
    open_user_store("Root", true).ok().is_some_and(|s| find_by_sha1(&s, sha1).is_some())
}

/// Number of certificates in `CurrentUser\My` (tests: a second restore adds nothing).
pub fn my_count() -> usize {
    let Ok(store) = open_user_store("MY", true) else { return 0 };
    let mut n = 0;
    let mut ctx: *mut CERT_CONTEXT = ptr::null_mut();
    loop {
        // SAFETY: the enumeration frees the previous context itself.
        ctx = unsafe { CertEnumCertificatesInStore(store.0, ctx) };
        if ctx.is_null() {
            break;
        }
        n += 1;
    }
    n
}

pub struct WindowsBackend {
    exportable: bool,
}

impl WindowsBackend {
    pub fn new(exportable: bool) -> WindowsBackend {
        WindowsBackend { exportable }
    }
}

impl Backend for WindowsBackend {
    fn describe(&self) -> String {
        "windows:CurrentUser\\My".into()
    }

    fn check(&mut self, _talk: &dyn Conversation) -> Result<(), Error> {
        open_user_store("MY", false).map(|_| ()).map_err(|e| read_only(&self.describe(), e))
    }

    fn lookup(&mut self, sha1: &[u8; 20]) -> Result<Presence, Error> {
        let found = find_in_my(sha1).map_err(store_error)?;
        Ok(match found {
            None => Presence::Absent,
            Some(k) if k.attached => Presence::WithKey,
            Some(_) => Presence::CertificateOnly,
        })
    }

    fn install(
        &mut self,
        item: &InstallItem<'_>,
        pin: Option<&VerifiedPin>,
        _talk: &dyn Conversation,
    ) -> Result<(), Error> {
        let pin = pin.ok_or_else(|| super::no_verified_pin("PFXImportCertStore"))?;
        let fail = |what: &str, code: u32| store_error(format!("{what}: {}", os_error_text(code)));
        let blob = CRYPT_INTEGER_BLOB { cbData: item.p12.len() as u32, pbData: item.p12.as_ptr() as *mut u8 };
        // SAFETY: `blob` points to the bytes for the duration of the call.
        if unsafe { PFXIsPFXBlob(&blob) } == 0 {
            return Err(fail("PFXIsPFXBlob", last_error()));
        }
        // The key containers there before the import: none of them is ever deleted by this run.
        let before = ContainersBefore::list();
        // A file without any password is opened with NULL; everything else with the PIN.
        let password: Zeroizing<Vec<u16>> = Zeroizing::new(wide(pin.expose()));
        let password_ptr = if pin.form() == PasswordForm::Absent { ptr::null() } else { password.as_ptr() };
        PFX_IMPORT_CALLS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: blob and password outlive the call; the returned store is closed by `Store`.
        let imported = unsafe { PFXImportCertStore(&blob, password_ptr, import_flags(self.exportable)) };
        drop(password);
        if imported.is_null() {
            return Err(fail("PFXImportCertStore", last_error()));
        }
        let imported = Store(imported);
        let Some(leaf) = find_by_sha1(&imported, &item.leaf_sha1) else {
            discard_imported_keys(&imported, &before);
            return Err(Error::new(
                ErrorKind::InvalidInput,
                msg!("err-restore-leaf-missing", id = item.entry.id, sha1 = colon_hex(&item.leaf_sha1)),
            ));
        };
        let my = match open_user_store("MY", false) {
            Ok(s) => s,
            Err(e) => {
                discard_imported_key(&leaf, &before);
                return Err(read_only(&self.describe(), e));
            }
        };
        // Looked up again through this handle: another program may have changed it meanwhile.
        let change = match find_by_sha1(&my, &item.leaf_sha1) {
            // Already there with a key: left exactly as it is (verify reads it back).
            Some(existing) if KeyProvInfo::of(&existing).is_some() => {
                discard_imported_key(&leaf, &before);
                None
            }
            // The certificate alone: the entry is kept, and gains the imported key.
            Some(existing) => {
                let Some(key) = KeyProvInfo::of(&leaf) else {
                    return Err(super::verify_presence(
                        &self.describe(),
                        &item.leaf_sha1,
                        Presence::CertificateOnly,
                    )
                    .unwrap_err());
                };
                // SAFETY: a live context of `my`; the property's buffer outlives the call.
                let ok = unsafe {
                    CertSetCertificateContextProperty(
                        existing.0,
                        CERT_KEY_PROV_INFO_PROP_ID,
                        0,
                        key.0.as_ptr().cast(),
                    )
                };
                if ok == 0 {
                    let code = last_error();
                    discard_imported_key(&leaf, &before);
                    return Err(fail("CertSetCertificateContextProperty(My)", code));
                }
                Some(Change::KeyAttached(existing))
            }
            None => {
                let mut added: *mut CERT_CONTEXT = ptr::null_mut();
                // SAFETY: live store and context; `added` is freed by `Context`.
                let ok =
                    unsafe { CertAddCertificateContextToStore(my.0, leaf.0, CERT_STORE_ADD_NEW, &mut added) };
                if ok == 0 {
                    let code = last_error();
                    discard_imported_key(&leaf, &before);
                    return Err(fail("CertAddCertificateContextToStore(My)", code));
                }
                Some(Change::Added(Context(added)))
            }
        };
        if let Some(change) = change {
            // Debug builds only: `CERTVAULT_TEST_FAIL_AT=commit:My` makes a commit that went
            // through report a failure, the worst case for the undo (tools/windows/wine-test.sh).
            let committed = commit(&my, "My").and_then(|()| {
                crate::durable::fail_point("commit", "My", || ())
                    .map_err(|e| format!("CertControlStore(My): {e}"))
            });
            if let Err(reason) = committed {
                return Err(match undo(&my, change) {
                    Ok(()) => {
                        discard_imported_key(&leaf, &before);
                        store_error(reason)
                    }
                    // The entry may still point at the imported key, which is therefore kept.
                    Err(undo) => Error::new(
                        ErrorKind::StoreFailed,
                        msg!(
                            "err-restore-windows-undo",
                            reason = reason,
                            undo = undo,
                            sha1 = colon_hex(&item.leaf_sha1)
                        ),
                    ),
                });
            }
        }
        if let Some(root) = &item.root {
            // SAFETY: the DER outlives the call; the context is freed by `Context`.
            let ctx =
                unsafe { CertCreateCertificateContext(ENCODING, root.der.as_ptr(), root.der.len() as u32) };
            if ctx.is_null() {
                return Err(fail("CertCreateCertificateContext(root)", last_error()));
            }
            let ctx = Context(ctx);
            let store = open_user_store("Root", false).map_err(|e| store_error(format!("Root: {e}")))?;
            // Windows shows its own security warning here; "No" comes back as ERROR_CANCELLED.
            // SAFETY: live store and context.
            let ok = unsafe {
                CertAddCertificateContextToStore(store.0, ctx.0, CERT_STORE_ADD_USE_EXISTING, ptr::null_mut())
            };
            if ok == 0 {
                let code = last_error();
                if code == ERROR_CANCELLED {
                    return Err(Error::new(ErrorKind::Cancelled, msg!("err-restore-root-declined")));
                }
                return Err(fail("CertAddCertificateContextToStore(Root)", code));
            }
            // SAFETY: a live store handle.
            unsafe { CertControlStore(store.0, 0, CERT_STORE_CTRL_COMMIT, ptr::null()) };
        }
        Ok(())
    }

    fn verify(&mut self, item: &InstallItem<'_>) -> Result<Vec<Message>, Error> {
        let sha1 = colon_hex(&item.leaf_sha1);
        let state = find_in_my(&item.leaf_sha1).map_err(store_error)?;
        let presence = match state {
            None => Presence::Absent,
            Some(state) if !state.attached => Presence::CertificateOnly,
            Some(_) => Presence::WithKey,
        };
        super::verify_presence(&self.describe(), &item.leaf_sha1, presence)?;
        let state = state.unwrap_or_default();
        if state.user_protected == Some(true) {
            return Err(Error::new(ErrorKind::StoreFailed, msg!("err-restore-key-protected", sha1 = sha1))
                .with_hint(msg!("hint-restore-key-protected")));
        }
        let mut notes = vec![msg!("restore-verified-key", sha1 = sha1)];
        if state.signs_silently {
            notes.push(msg!("restore-verified-no-prompt"));
        }
        match state.exportable {
            Some(true) if !self.exportable => notes.push(msg!("restore-note-exportable-anyway")),
            Some(false) => notes.push(msg!("restore-verified-not-exportable")),
            _ => {}
        }
        if let Some(root) = &item.root {
            if !in_user_root(&root.sha1) {
                return Err(Error::new(
                    ErrorKind::StoreFailed,
                    msg!(
                        "err-restore-verify-root",
                        store = "windows:CurrentUser\\Root",
                        sha1 = colon_hex(&root.sha1)
                    ),
                ));
            }
            notes.push(msg!("restore-verified-root", sha1 = colon_hex(&root.sha1)));
        }
        Ok(notes)
    }

    fn next_steps(&self) -> Vec<Message> {
        vec![msg!("restore-next-windows"), msg!("restore-next-test-connection")]
    }
}

// ---------------------------------------------------------------------------------------------
// rescue: exporting a certificate of `CurrentUser\My` with its key

/// Errors that mean the provider keeps the key in: not exportable, not allowed, or a smart
/// card (`SCARD_…`, facility 0x10).
fn says_not_exportable(code: u32) -> bool {
    const NTE_BAD_KEY_STATE: u32 = 0x8009_000B;
    const NTE_PERM: u32 = 0x8009_0010;
    const NTE_NOT_SUPPORTED: u32 = 0x8009_0029;
    matches!(code, NTE_BAD_KEY_STATE | NTE_PERM | NTE_NOT_SUPPORTED) || code & 0xFFFF_0000 == 0x8010_0000
}

fn rescue_error(reason: impl std::fmt::Display) -> crate::rescue::ExportError {
    Error::new(ErrorKind::StoreFailed, msg!("err-rescue-windows", reason = reason)).into()
}

/// `PFXExportCertStoreEx` of a memory store holding `ctx` (its key property comes along),
/// with `EXPORT_PRIVATE_KEYS` and failing when the key cannot be exported. `Err`: the code.
fn pfx_export(ctx: &Context, password: &[u16]) -> Result<Zeroizing<Vec<u8>>, u32> {
    // SAFETY: a memory store, closed by `Store`.
    let mem = unsafe { CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, 0, ptr::null()) };
    if mem.is_null() {
        return Err(last_error());
    }
    let mem = Store(mem);
    // SAFETY: live store and context.
    if unsafe { CertAddCertificateContextToStore(mem.0, ctx.0, CERT_STORE_ADD_ALWAYS, ptr::null_mut()) } == 0
    {
        return Err(last_error());
    }
    let flags = EXPORT_PRIVATE_KEYS | REPORT_NOT_ABLE_TO_EXPORT_PRIVATE_KEY | REPORT_NO_PRIVATE_KEY;
    let mut blob = CRYPT_INTEGER_BLOB { cbData: 0, pbData: ptr::null_mut() };
    // SAFETY: size query; Wine's stub returns FALSE without setting an error, hence the reset.
    unsafe { SetLastError(0) };
    if unsafe { PFXExportCertStoreEx(mem.0, &mut blob, password.as_ptr(), ptr::null(), flags) } == 0 {
        return Err(last_error());
    }
    let mut out = Zeroizing::new(vec![0u8; blob.cbData as usize]);
    blob.pbData = out.as_mut_ptr();
    // SAFETY: `out` has `cbData` bytes.
    if unsafe { PFXExportCertStoreEx(mem.0, &mut blob, password.as_ptr(), ptr::null(), flags) } == 0 {
        return Err(last_error());
    }
    out.truncate(blob.cbData as usize);
    Ok(out)
}

/// The CryptoAPI key of `ctx` as a `PRIVATEKEYBLOB` (`CryptExportKey`, which refuses a key
/// imported without `CRYPT_EXPORTABLE`).
fn key_blob(ctx: &Context) -> Result<Zeroizing<Vec<u8>>, crate::rescue::ExportError> {
    let mut prov = 0usize;
    let mut spec = 0u32;
    let mut must_free = 0;
    // SAFETY: a live context; silent: no dialog.
    if unsafe {
        CryptAcquireCertificatePrivateKey(
            ctx.0,
            CRYPT_ACQUIRE_SILENT_FLAG,
            ptr::null(),
            &mut prov,
            &mut spec,
            &mut must_free,
        )
    } == 0
    {
        let code = last_error();
        if says_not_exportable(code) {
            return Err(crate::rescue::ExportError::NotExportable);
        }
        return Err(rescue_error(format!("CryptAcquireCertificatePrivateKey: {}", os_error_text(code))));
    }
    // Wine reports spec 3, which names neither pair: the reported one first, then both.
    let mut specs = vec![];
    for s in [spec, AT_KEYEXCHANGE, AT_SIGNATURE] {
        if (s == AT_KEYEXCHANGE || s == AT_SIGNATURE) && !specs.contains(&s) {
            specs.push(s);
        }
    }
    let mut result = Err(rescue_error("CryptGetUserKey: no key pair"));
    for s in specs {
        let mut key = 0usize;
        // SAFETY: a provider handle from above; the key is destroyed below.
        if unsafe { CryptGetUserKey(prov, s, &mut key) } == 0 {
            continue;
        }
        let mut len = 0u32;
        // SAFETY: size query, then a buffer of that size.
        let exported = unsafe {
            CryptExportKey(key, 0, PRIVATEKEYBLOB, 0, ptr::null_mut(), &mut len) != 0 && {
                let mut buf = Zeroizing::new(vec![0u8; len as usize]);
                let ok = CryptExportKey(key, 0, PRIVATEKEYBLOB, 0, buf.as_mut_ptr(), &mut len) != 0;
                buf.truncate(len as usize);
                if ok {
                    result = Ok(buf);
                }
                ok
            }
        };
        let code = last_error();
        // SAFETY: the key handle from CryptGetUserKey, destroyed once.
        unsafe { CryptDestroyKey(key) };
        if exported {
            break;
        }
        result = Err(if says_not_exportable(code) {
            crate::rescue::ExportError::NotExportable
        } else {
            rescue_error(format!("CryptExportKey: {}", os_error_text(code)))
        });
    }
    if must_free != 0 {
        // SAFETY: the provider acquired above, released once.
        unsafe { CryptReleaseContext(prov, 0) };
    }
    result
}

/// `certvault rescue --from windows`: the certificates of `CurrentUser\My` whose key is
/// attached, with the export policy the provider reports; the export is
/// `PFXExportCertStoreEx` with `EXPORT_PRIVATE_KEYS`. Where that function is missing (Wine
/// 8.0's is a stub), the CryptoAPI key is exported as a `PRIVATEKEYBLOB` instead, which the
/// provider refuses just the same for a non-exportable key, and written as PKCS#12 here
/// ([`crate::pkcs12::write`]). Both stay in memory.
impl crate::rescue::ExportStore for WindowsBackend {
    fn describe(&self) -> String {
        Backend::describe(self)
    }

    fn check(&mut self, _talk: &dyn Conversation) -> Result<(), Error> {
        Ok(())
    }

    fn identities(&mut self) -> Result<Vec<crate::rescue::StoreIdentity>, Error> {
        // A user who never had a certificate may have no "My" store yet: nothing to rescue.
        let Ok(store) = open_user_store("MY", true) else { return Ok(Vec::new()) };
        let mut out = Vec::new();
        let mut ctx: *mut CERT_CONTEXT = ptr::null_mut();
        loop {
            // SAFETY: the enumeration frees the previous context itself.
            ctx = unsafe { CertEnumCertificatesInStore(store.0, ctx) };
            if ctx.is_null() {
                break;
            }
            // SAFETY: a live context; its encoded bytes are copied out.
            let (der, state, name) = unsafe {
                let c = &*ctx;
                (
                    std::slice::from_raw_parts(c.pbCertEncoded, c.cbCertEncoded as usize).to_vec(),
                    crate::windows_key::key_state(ctx, crate::windows_key::Probe::Policies),
                    crate::scan::windows::friendly_name(ctx),
                )
            };
            if state.attached {
                out.push(crate::rescue::StoreIdentity {
                    name: name.unwrap_or_default(),
                    der,
                    exportable: state.exportable,
                });
            }
        }
        Ok(out)
    }

    fn export(
        &mut self,
        identity: &crate::rescue::StoreIdentity,
        password: &secrecy::SecretString,
    ) -> Result<Zeroizing<Vec<u8>>, crate::rescue::ExportError> {
        use secrecy::ExposeSecret;
        let sha1 = identity.sha1();
        let my = open_user_store("MY", true).map_err(rescue_error)?;
        let ctx =
            find_by_sha1(&my, &sha1).ok_or_else(|| rescue_error(format!("{} is gone", colon_hex(&sha1))))?;
        let wide_password: Zeroizing<Vec<u16>> = Zeroizing::new(wide(password.expose_secret()));
        let pfx_code = match pfx_export(&ctx, &wide_password) {
            Ok(bytes) => return Ok(bytes),
            Err(code) if says_not_exportable(code) => return Err(crate::rescue::ExportError::NotExportable),
            Err(code) => code,
        };
        let blob = match key_blob(&ctx) {
            Ok(blob) => blob,
            Err(crate::rescue::ExportError::NotExportable) => {
                return Err(crate::rescue::ExportError::NotExportable)
            }
            Err(crate::rescue::ExportError::Failed(e)) => {
                return Err(rescue_error(format!(
                    "PFXExportCertStoreEx: {}; {}",
                    os_error_text(pfx_code),
                    e.message.text_arg("reason").unwrap_or_default()
                )))
            }
        };
        let pkcs8 = crate::rescue::capi::rsa_private_blob_to_pkcs8(&blob)
            .ok_or_else(|| rescue_error("the exported key is not an RSA key blob"))?;
        let key_id: [u8; 20] = sha1;
        crate::pkcs12::write::write(
            &identity.der,
            &[],
            &pkcs8,
            &key_id,
            password.expose_secret(),
            &identity.name,
            2048,
        )
        .map(Zeroizing::new)
        .map_err(|e| rescue_error(format!("PKCS#12: {e}")))
    }
}

fn store_error(reason: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::StoreFailed, msg!("err-restore-windows", reason = reason))
}

fn read_only(store: &str, e: io::Error) -> Error {
    Error::new(ErrorKind::Refused, msg!("err-restore-store-read-only", store = store, file = e))
}

/// Run by `.ci/run` under Wine (tools/windows/wine-test.sh), each in a fresh prefix: Wine keeps
/// one key container per user, so one key per prefix. `CERTVAULT_WINDOWS_FIXTURES` names the
/// folder that tests/fixtures/make-fixtures.sh filled.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::NoOne;
    use crate::pkcs12::Pkcs12File;
    use secrecy::SecretString;
    use sha1::Digest;

    fn fixture(name: &str) -> Vec<u8> {
        let dir = std::env::var_os("CERTVAULT_WINDOWS_FIXTURES").expect("CERTVAULT_WINDOWS_FIXTURES");
        std::fs::read(std::path::Path::new(&dir).join(name)).expect("fixture")
    }

    fn entry() -> vault_format::Entry {
        serde_json::from_value(serde_json::json!({
            "id": "000000000000", "purpose": "online-qualification", "original_file_name": "x.p12",
            "size": 1, "sha256": "0".repeat(64), "added": "2026-01-01T00:00:00Z",
            "certificate": {"subject": "CN=x", "issuer": "CN=ca", "serial": "01",
                "not_before": "2026-01-01T00:00:00Z", "not_after": "2030-01-01T00:00:00Z",
                "leaf_sha1": "00", "leaf_sha256": "00", "key_type": "rsa", "key_bits": 2048},
            "pin_stored": false
        }))
        .unwrap()
    }

    fn import_and_check(name: &str) {
        let bytes = fixture(name);
        let pin = String::from_utf8(fixture("pin.txt")).unwrap();
        let p12 = Pkcs12File::parse(&bytes).unwrap();

        // A wrong PIN is refused here, before any store sees it.
        let calls = pfx_import_calls();
        assert!(VerifiedPin::check(&p12, SecretString::from("0000".to_string())).unwrap().is_none());
        assert_eq!(pfx_import_calls(), calls);

        let verified = VerifiedPin::check(&p12, SecretString::from(pin.clone())).unwrap().unwrap();
        let opened = p12.open(&pin).unwrap();
        let leaf = opened
            .certificates
            .iter()
            .find(|c| !crate::certificate::x509::parse(&c.der).unwrap().is_ca)
            .unwrap();
        let leaf_sha1: [u8; 20] = sha1::Sha1::digest(&leaf.der).into();
        let root_der = opened
            .certificates
            .iter()
            .find(|c| crate::certificate::x509::parse(&c.der).unwrap().self_signed)
            .unwrap()
            .der
            .clone();
        let root_sha1: [u8; 20] = sha1::Sha1::digest(&root_der).into();
        let entry = entry();
        let item = InstallItem {
            entry: &entry,
            p12: &bytes,
            leaf_sha1,
            leaf_der: Some(leaf.der.clone()),
            root: Some(super::super::RootCa { der: root_der, sha1: root_sha1, subject: "CN=root".into() }),
            exportable: false,
        };
        assert_eq!(import_flags(false) & windows_sys::Win32::Security::Cryptography::CRYPT_USER_PROTECTED, 0);
        assert_eq!(import_flags(false) & CRYPT_EXPORTABLE, 0);
        assert_ne!(import_flags(true) & CRYPT_EXPORTABLE, 0);

        let mut backend = WindowsBackend::new(false);
        backend.check(&NoOne::default()).unwrap();
        assert_eq!(backend.lookup(&leaf_sha1).unwrap(), Presence::Absent, "a fresh prefix");
        let before = my_count();
        super::super::install_unless_present(&mut backend, &item, Some(&verified), &NoOne::default())
            .unwrap();
        assert_eq!(pfx_import_calls(), calls + 1);
        let notes = backend.verify(&item).unwrap();
        assert_eq!(notes[0].id, "restore-verified-key", "{notes:?}");

        // Read back through a fresh store handle: there by SHA-1, with its key, usable
        // without a prompt, not user-protected, not exportable.
        let state = find_in_my(&leaf_sha1).unwrap().expect("in CurrentUser\\My");
        assert!(state.attached, "private key attached");
        assert!(state.signs_silently, "the key signs without a prompt");
        assert_ne!(state.user_protected, Some(true));
        assert_ne!(state.exportable, Some(true), "not exportable unless --exportable");
        assert!(in_user_root(&root_sha1), "the agreed CA root is in CurrentUser\\Root");
        assert_eq!(my_count(), before + 1);

        // A second restore of the same certificate changes nothing.
        assert_eq!(backend.lookup(&leaf_sha1).unwrap(), Presence::WithKey);
        let again =
            super::super::install_unless_present(&mut backend, &item, Some(&verified), &NoOne::default())
                .unwrap();
        assert!(!again, "nothing installed the second time");
        assert_eq!(pfx_import_calls(), calls + 1);
        assert_eq!(my_count(), before + 1);
    }

    /// Stage (e) of tools/windows/wine-test.sh: the script has put this certificate into
    /// CurrentUser\My (alone, next to another entry with a key, or with its own key) and
    /// compares the store before and after. A restore whose commit fails must report it and
    /// leave the entry as it was; one that finds the key already there does nothing.
    #[test]
    #[ignore = "needs the store the script prepared: run under Wine by tools/windows/wine-test.sh"]
    fn wine_a_failed_commit_leaves_the_entry_as_it_was() {
        let bytes = fixture("legacy.p12");
        let pin = String::from_utf8(fixture("pin.txt")).unwrap();
        let p12 = Pkcs12File::parse(&bytes).unwrap();
        let verified = VerifiedPin::check(&p12, SecretString::from(pin.clone())).unwrap().unwrap();
        let opened = p12.open(&pin).unwrap();
        let leaf = opened
            .certificates
            .iter()
            .find(|c| !crate::certificate::x509::parse(&c.der).unwrap().is_ca)
            .unwrap();
        let leaf_sha1: [u8; 20] = sha1::Sha1::digest(&leaf.der).into();
        let entry = entry();
        let item = InstallItem {
            entry: &entry,
            p12: &bytes,
            leaf_sha1,
            leaf_der: Some(leaf.der.clone()),
            root: None,
            exportable: false,
        };
        // The one switch this test build has (core's own tests: cfg(test)).
        std::env::set_var(crate::durable::FAIL_AT_VAR, "commit:My");
        let mut backend = WindowsBackend::new(false);
        backend.check(&NoOne::default()).unwrap();
        let presence = backend.lookup(&leaf_sha1).unwrap();
        let result =
            super::super::install_unless_present(&mut backend, &item, Some(&verified), &NoOne::default());
        std::env::remove_var(crate::durable::FAIL_AT_VAR);
        match presence {
            Presence::WithKey => assert!(!result.unwrap(), "already there with its key: nothing done"),
            Presence::CertificateOnly => {
                let e = result.expect_err("the commit failed");
                let reason = e.message.text_arg("reason").unwrap_or_default();
                assert!(reason.contains("injected failure at commit:My"), "{e:?}");
            }
            Presence::Absent => panic!("the script puts the certificate into the store first"),
        }
    }

    #[test]
    #[ignore = "imports into the user's store: run under Wine by tools/windows/wine-test.sh"]
    fn wine_imports_a_legacy_file() {
        import_and_check("legacy.p12");
    }

    #[test]
    #[ignore = "imports into the user's store: run under Wine by tools/windows/wine-test.sh"]
    fn wine_imports_an_aes_file() {
        import_and_check("aes.p12");
    }
}
