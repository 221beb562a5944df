//! Windows only: the current user's SID (whose recycle bin folder is theirs) and the
//! certificates of the current user's "My" store, with whether each private key is marked
//! exportable and whether strong private key protection is on. Read-only, no admin rights.
//!
//! Self-contained (no crate-internal types but `Installed`) so that it can be type-checked
//! on other hosts against `windows-sys`.

use std::ptr;

use windows_sys::Win32::Foundation::{CloseHandle, LocalFree, ERROR_FILE_NOT_FOUND, HANDLE};
use windows_sys::Win32::Security::Authorization::ConvertSidToStringSidW;
use windows_sys::Win32::Security::Cryptography::{
    CertCloseStore, CertEnumCertificatesInStore, CertGetCertificateContextProperty, CertOpenStore,
    CryptAcquireCertificatePrivateKey, CryptDestroyKey, CryptGetKeyParam, CryptGetUserKey,
    CryptReleaseContext, NCryptFreeObject, NCryptGetProperty, AT_KEYEXCHANGE, AT_SIGNATURE, CERT_CONTEXT,
    CERT_FRIENDLY_NAME_PROP_ID, CERT_KEY_PROV_INFO_PROP_ID, CERT_NCRYPT_KEY_SPEC,
    CERT_STORE_OPEN_EXISTING_FLAG, CERT_STORE_PROV_SYSTEM_W, CERT_STORE_READONLY_FLAG,
    CERT_SYSTEM_STORE_CURRENT_USER, CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG, CRYPT_ACQUIRE_SILENT_FLAG,
    CRYPT_EXPORT, KP_PERMISSIONS, NCRYPT_ALLOW_EXPORT_FLAG, NCRYPT_ALLOW_PLAINTEXT_EXPORT_FLAG,
    NCRYPT_EXPORT_POLICY_PROPERTY, NCRYPT_UI_POLICY, NCRYPT_UI_POLICY_PROPERTY, NCRYPT_UI_PROTECT_KEY_FLAG,
};
use windows_sys::Win32::Security::{GetTokenInformation, TokenUser, TOKEN_QUERY, TOKEN_USER};
use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

use super::installed::Installed;

/// `S-1-5-21-…` of the user running certvault.
pub fn current_user_sid() -> Option<String> {
    // SAFETY: standard token query; every buffer is sized by the first call and freed.
    unsafe {
        let mut token: HANDLE = ptr::null_mut();
        if OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) == 0 {
            return None;
        }
        let mut len = 0u32;
        GetTokenInformation(token, TokenUser, ptr::null_mut(), 0, &mut len);
        let mut buf = vec![0u64; (len as usize).div_ceil(8).max(1)];
        let ok = GetTokenInformation(token, TokenUser, buf.as_mut_ptr().cast(), len, &mut len);
        CloseHandle(token);
        if ok == 0 {
            return None;
        }
        let user = &*(buf.as_ptr() as *const TOKEN_USER);
        let mut text: *mut u16 = ptr::null_mut();
        if ConvertSidToStringSidW(user.User.Sid, &mut text) == 0 || text.is_null() {
            return None;
        }
        let sid = wide_to_string(text);
        LocalFree(text.cast());
        Some(sid)
    }
}

/// # Safety
/// `p` points to a NUL-terminated UTF-16 string.
unsafe fn wide_to_string(p: *const u16) -> String {
    let mut n = 0;
    while *p.add(n) != 0 {
        n += 1;
    }
    String::from_utf16_lossy(std::slice::from_raw_parts(p, n))
}

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

/// The certificates of `CurrentUser\My`.
pub fn my_store() -> Result<Vec<Installed>, String> {
    let name = wide("MY");
    // SAFETY: the store is opened read-only and closed; each context comes from the
    // enumeration, which frees the previous one; its encoded bytes are copied out.
    unsafe {
        let store = CertOpenStore(
            CERT_STORE_PROV_SYSTEM_W,
            0,
            0,
            CERT_SYSTEM_STORE_CURRENT_USER | CERT_STORE_READONLY_FLAG | CERT_STORE_OPEN_EXISTING_FLAG,
            name.as_ptr().cast(),
        );
        if store.is_null() {
            let error = std::io::Error::last_os_error();
            // A user who never installed a certificate has no "My" store yet: nothing installed.
            if error.raw_os_error() == Some(ERROR_FILE_NOT_FOUND as i32) {
                return Ok(Vec::new());
            }
            return Err(error.to_string());
        }
        let mut out = Vec::new();
        let mut ctx: *mut CERT_CONTEXT = ptr::null_mut();
        loop {
            ctx = CertEnumCertificatesInStore(store, ctx);
            if ctx.is_null() {
                break;
            }
            let c = &*ctx;
            let der = std::slice::from_raw_parts(c.pbCertEncoded, c.cbCertEncoded as usize).to_vec();
            let info = crate::cert::parse(&der).ok();
            let has_private_key = has_property(ctx, CERT_KEY_PROV_INFO_PROP_ID);
            let (exportable, strong_protection) =
                if has_private_key { key_policy(ctx) } else { (None, None) };
            let name =
                friendly_name(ctx).or_else(|| info.as_ref().map(|i| i.subject.clone())).unwrap_or_default();
            out.push(Installed {
                store: "windows:CurrentUser\\My".into(),
                name,
                subject: info.as_ref().map(|i| i.subject.clone()),
                not_after: info.as_ref().map(|i| i.not_after.clone()),
                sha256: vault_format::sha256_hex(&der),
                sha1: info.as_ref().map(|i| crate::cert::plain_hex(&i.sha1)),
                has_private_key,
                exportable,
                strong_protection,
                entry: None,
            });
        }
        CertCloseStore(store, 0);
        Ok(out)
    }
}

unsafe fn has_property(ctx: *const CERT_CONTEXT, id: u32) -> bool {
    let mut len = 0u32;
    CertGetCertificateContextProperty(ctx, id, ptr::null_mut(), &mut len) != 0
}

unsafe fn friendly_name(ctx: *const CERT_CONTEXT) -> Option<String> {
    let mut len = 0u32;
    if CertGetCertificateContextProperty(ctx, CERT_FRIENDLY_NAME_PROP_ID, ptr::null_mut(), &mut len) == 0 {
        return None;
    }
    let mut buf = vec![0u16; (len as usize).div_ceil(2) + 1];
    if CertGetCertificateContextProperty(ctx, CERT_FRIENDLY_NAME_PROP_ID, buf.as_mut_ptr().cast(), &mut len)
        == 0
    {
        return None;
    }
    let name = wide_to_string(buf.as_ptr());
    (!name.is_empty()).then_some(name)
}

/// (exportable, strong protection) of the certificate's private key, asked silently: a key
/// whose use would show a dialog is reported as strongly protected.
unsafe fn key_policy(ctx: *const CERT_CONTEXT) -> (Option<bool>, Option<bool>) {
    let mut handle = 0usize;
    let mut spec = 0u32;
    let mut must_free = 0;
    let flags = CRYPT_ACQUIRE_SILENT_FLAG | CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG;
    if CryptAcquireCertificatePrivateKey(ctx, flags, ptr::null(), &mut handle, &mut spec, &mut must_free) == 0
    {
        // NTE_SILENT_CONTEXT: the provider would have to ask the user.
        const NTE_SILENT_CONTEXT: i32 = 0x8009_0022_u32 as i32;
        let silent = std::io::Error::last_os_error().raw_os_error() == Some(NTE_SILENT_CONTEXT);
        return (None, silent.then_some(true));
    }
    let result = if spec == CERT_NCRYPT_KEY_SPEC {
        let mut policy = 0u32;
        let mut got = 0u32;
        let export = (NCryptGetProperty(
            handle,
            NCRYPT_EXPORT_POLICY_PROPERTY,
            (&mut policy as *mut u32).cast(),
            4,
            &mut got,
            0,
        ) == 0)
            .then(|| policy & (NCRYPT_ALLOW_EXPORT_FLAG | NCRYPT_ALLOW_PLAINTEXT_EXPORT_FLAG) != 0);
        let mut ui = NCRYPT_UI_POLICY {
            dwVersion: 0,
            dwFlags: 0,
            pszCreationTitle: ptr::null(),
            pszFriendlyName: ptr::null(),
            pszDescription: ptr::null(),
        };
        let size = std::mem::size_of::<NCRYPT_UI_POLICY>() as u32;
        let ui_ok = NCryptGetProperty(
            handle,
            NCRYPT_UI_POLICY_PROPERTY,
            (&mut ui as *mut NCRYPT_UI_POLICY).cast(),
            size,
            &mut got,
            0,
        ) == 0;
        // No UI policy at all means no protection.
        let strong = Some(ui_ok && ui.dwFlags & NCRYPT_UI_PROTECT_KEY_FLAG != 0);
        if must_free != 0 {
            NCryptFreeObject(handle);
        }
        (export, strong)
    } else {
        let mut key = 0usize;
        // Wine reports a key spec that is neither of the two; ask for both then.
        let specs: &[u32] = if spec == AT_KEYEXCHANGE || spec == AT_SIGNATURE {
            &[spec]
        } else {
            &[AT_KEYEXCHANGE, AT_SIGNATURE]
        };
        let export = if specs.iter().any(|&s| CryptGetUserKey(handle, s, &mut key) != 0) {
            let mut perms = 0u32;
            let mut len = 4u32;
            let ok = CryptGetKeyParam(key, KP_PERMISSIONS, (&mut perms as *mut u32).cast(), &mut len, 0) != 0;
            CryptDestroyKey(key);
            ok.then(|| perms & CRYPT_EXPORT != 0)
        } else {
            None
        };
        if must_free != 0 {
            CryptReleaseContext(handle, 0);
        }
        (export, None)
    };
    result
}
