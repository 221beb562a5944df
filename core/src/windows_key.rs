//! Windows only: what can be told about a certificate's private key without any dialog, for
//! both the restore check (is the key there and usable?) and the leak scan (is it exportable,
//! is strong protection on?). One place, because both CNG and CryptoAPI providers have to be
//! asked, and Wine answers CryptoAPI's key-spec question with a value that is neither
//! `AT_KEYEXCHANGE` nor `AT_SIGNATURE`.

use std::ptr;

use windows_sys::Win32::Foundation::GetLastError;
use windows_sys::Win32::Security::Cryptography::{
    CertGetCertificateContextProperty, CryptAcquireCertificatePrivateKey, CryptCreateHash, CryptDestroyHash,
    CryptDestroyKey, CryptGetKeyParam, CryptGetUserKey, CryptHashData, CryptReleaseContext, CryptSignHashW,
    NCryptFreeObject, NCryptGetProperty, NCryptSignHash, AT_KEYEXCHANGE, AT_SIGNATURE, BCRYPT_PAD_PKCS1,
    BCRYPT_PKCS1_PADDING_INFO, BCRYPT_SHA256_ALGORITHM, CALG_SHA1, CERT_CONTEXT, CERT_KEY_PROV_INFO_PROP_ID,
    CERT_NCRYPT_KEY_SPEC, CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG, CRYPT_ACQUIRE_SILENT_FLAG, CRYPT_EXPORT,
    KP_PERMISSIONS, NCRYPT_ALLOW_EXPORT_FLAG, NCRYPT_ALLOW_PLAINTEXT_EXPORT_FLAG,
    NCRYPT_EXPORT_POLICY_PROPERTY, NCRYPT_SILENT_FLAG, NCRYPT_UI_POLICY, NCRYPT_UI_POLICY_PROPERTY,
    NCRYPT_UI_PROTECT_KEY_FLAG,
};

/// The provider would have to ask the user (strong protection, or a smart card's PIN).
const NTE_SILENT_CONTEXT: u32 = 0x8009_0022;

/// What can be told about a certificate's private key, asking silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeyState {
    /// The certificate points at a private key (`CERT_KEY_PROV_INFO_PROP_ID`).
    pub attached: bool,
    /// The key signed a test hash without any prompt (only asked with [`Probe::Sign`]).
    pub signs_silently: bool,
    /// Whether the key may be exported, when the provider says.
    pub exportable: Option<bool>,
    /// Strong private key protection: `Some(true)` when using the key would need a dialog.
    pub user_protected: Option<bool>,
}

/// How far to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// Read the key's policies only. The scan looks at every certificate of the store, smart
    /// cards included, and must not make a card (or its audit log) see a signature.
    Policies,
    /// Also sign a fixed test hash silently: the restore check of the key it just installed.
    Sign,
}

fn last_error() -> u32 {
    // SAFETY: no preconditions.
    unsafe { GetLastError() }
}

/// The state of `ctx`'s private key.
///
/// # Safety
/// `ctx` is a live certificate context.
pub unsafe fn key_state(ctx: *const CERT_CONTEXT, probe: Probe) -> KeyState {
    let mut state = KeyState::default();
    let mut len = 0u32;
    state.attached =
        CertGetCertificateContextProperty(ctx, CERT_KEY_PROV_INFO_PROP_ID, ptr::null_mut(), &mut len) != 0;
    if !state.attached {
        return state;
    }
    let mut handle = 0usize;
    let mut spec = 0u32;
    let mut must_free = 0;
    let flags = CRYPT_ACQUIRE_SILENT_FLAG | CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG;
    if CryptAcquireCertificatePrivateKey(ctx, flags, ptr::null(), &mut handle, &mut spec, &mut must_free) == 0
    {
        if last_error() == NTE_SILENT_CONTEXT {
            state.user_protected = Some(true);
        }
        return state;
    }
    if spec == CERT_NCRYPT_KEY_SPEC {
        ncrypt_state(handle, probe, &mut state);
        if must_free != 0 {
            NCryptFreeObject(handle);
        }
    } else {
        cryptoapi_state(handle, spec, probe, &mut state);
        if must_free != 0 {
            CryptReleaseContext(handle, 0);
        }
    }
    state
}

/// A CNG key: export and UI policies are properties of the key.
unsafe fn ncrypt_state(handle: usize, probe: Probe, state: &mut KeyState) {
    let mut policy = 0u32;
    let mut got = 0u32;
    if NCryptGetProperty(
        handle,
        NCRYPT_EXPORT_POLICY_PROPERTY,
        (&mut policy as *mut u32).cast(),
        4,
        &mut got,
        0,
    ) == 0
    {
        state.exportable =
            Some(policy & (NCRYPT_ALLOW_EXPORT_FLAG | NCRYPT_ALLOW_PLAINTEXT_EXPORT_FLAG) != 0);
    }
    let mut ui: NCRYPT_UI_POLICY = std::mem::zeroed();
    let size = std::mem::size_of::<NCRYPT_UI_POLICY>() as u32;
    let has_ui = NCryptGetProperty(
        handle,
        NCRYPT_UI_POLICY_PROPERTY,
        (&mut ui as *mut NCRYPT_UI_POLICY).cast(),
        size,
        &mut got,
        0,
    ) == 0;
    // No UI policy at all means no protection.
    state.user_protected = Some(has_ui && ui.dwFlags & NCRYPT_UI_PROTECT_KEY_FLAG != 0);
    if probe == Probe::Policies {
        return;
    }
    let hash = [0x5a_u8; 32];
    let padding = BCRYPT_PKCS1_PADDING_INFO { pszAlgId: BCRYPT_SHA256_ALGORITHM };
    let mut sig = vec![0u8; 1024];
    let mut sig_len = 0u32;
    // RSA wants a padding; an EC key takes none.
    let rsa = NCryptSignHash(
        handle,
        (&padding as *const BCRYPT_PKCS1_PADDING_INFO).cast(),
        hash.as_ptr(),
        32,
        sig.as_mut_ptr(),
        sig.len() as u32,
        &mut sig_len,
        BCRYPT_PAD_PKCS1 | NCRYPT_SILENT_FLAG,
    );
    state.signs_silently = rsa == 0
        || NCryptSignHash(
            handle,
            ptr::null(),
            hash.as_ptr(),
            32,
            sig.as_mut_ptr(),
            sig.len() as u32,
            &mut sig_len,
            NCRYPT_SILENT_FLAG,
        ) == 0;
}

/// A CryptoAPI key: the policy is a key parameter of one of the container's two key pairs.
unsafe fn cryptoapi_state(handle: usize, spec: u32, probe: Probe, state: &mut KeyState) {
    // Wine reports spec 3, which names neither pair: try the reported one first, then both.
    let mut specs = vec![];
    for s in [spec, AT_KEYEXCHANGE, AT_SIGNATURE] {
        if (s == AT_KEYEXCHANGE || s == AT_SIGNATURE) && !specs.contains(&s) {
            specs.push(s);
        }
    }
    for s in specs {
        let mut key = 0usize;
        if CryptGetUserKey(handle, s, &mut key) == 0 {
            continue;
        }
        let mut perms = 0u32;
        let mut len = 4u32;
        if CryptGetKeyParam(key, KP_PERMISSIONS, (&mut perms as *mut u32).cast(), &mut len, 0) != 0 {
            state.exportable = Some(perms & CRYPT_EXPORT != 0);
        }
        CryptDestroyKey(key);
        if probe == Probe::Policies {
            return;
        }
        let mut hash = 0usize;
        if CryptCreateHash(handle, CALG_SHA1, 0, 0, &mut hash) == 0 {
            continue;
        }
        let data = b"certvault restore check";
        let mut sig_len = 0u32;
        let signed = CryptHashData(hash, data.as_ptr(), data.len() as u32, 0) != 0
            && CryptSignHashW(hash, s, ptr::null(), 0, ptr::null_mut(), &mut sig_len) != 0
            && {
                let mut sig = vec![0u8; sig_len as usize];
                CryptSignHashW(hash, s, ptr::null(), 0, sig.as_mut_ptr(), &mut sig_len) != 0
            };
        if !signed && last_error() == NTE_SILENT_CONTEXT {
            state.user_protected = Some(true);
        }
        CryptDestroyHash(hash);
        if signed {
            state.signs_silently = true;
            state.user_protected.get_or_insert(false);
            return;
        }
    }
}
