//! Windows only: the current user's SID (whose recycle bin folder is theirs) and the
//! certificates of the current user's "My" store, with whether each private key is marked
//! exportable and whether strong private key protection is on. Read-only, no admin rights.
//!
//! The key questions are asked by `crate::windows_key`, which restore's check shares.

use std::ptr;

use windows_sys::Win32::Foundation::{CloseHandle, LocalFree, ERROR_FILE_NOT_FOUND, HANDLE};
use windows_sys::Win32::Security::Authorization::ConvertSidToStringSidW;
use windows_sys::Win32::Security::Cryptography::{
    CertCloseStore, CertEnumCertificatesInStore, CertGetCertificateContextProperty, CertOpenStore,
    CERT_CONTEXT, CERT_FRIENDLY_NAME_PROP_ID, CERT_STORE_OPEN_EXISTING_FLAG, CERT_STORE_PROV_SYSTEM_W,
    CERT_STORE_READONLY_FLAG, CERT_SYSTEM_STORE_CURRENT_USER,
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
            let info = crate::certificate::x509::parse(&der).ok();
            let key = crate::windows_key::key_state(ctx, crate::windows_key::Probe::Policies);
            let name =
                friendly_name(ctx).or_else(|| info.as_ref().map(|i| i.subject.clone())).unwrap_or_default();
            out.push(Installed {
                store: "windows:CurrentUser\\My".into(),
                name,
                subject: info.as_ref().map(|i| i.subject.clone()),
                not_after: info.as_ref().map(|i| i.not_after.clone()),
                sha256: vault_format::sha256_hex(&der),
                sha1: info.as_ref().map(|i| crate::certificate::x509::plain_hex(&i.sha1)),
                has_private_key: key.attached,
                exportable: key.exportable,
                strong_protection: key.user_protected,
                entry: None,
            });
        }
        CertCloseStore(store, 0);
        Ok(out)
    }
}

/// The certificate's friendly name, if it has one.
///
/// # Safety
/// `ctx` is a live certificate context.
pub(crate) unsafe fn friendly_name(ctx: *const CERT_CONTEXT) -> Option<String> {
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
