/* Test-only helper for tools/windows/wine-test.sh (never shipped): sets up and reads back
 * CurrentUser\My under Wine, so that the tests can put the clinic's certificate there before
 * certvault runs (with or without its key) and then check that certvault left it unchanged.
 *
 *   store-probe add-cert DER FRIENDLY         the certificate alone (no key), with a friendly name
 *   store-probe import P12 PIN-FILE FRIENDLY  the certificate with its key, with a friendly name
 *   store-probe show SHA1                     the entry as lines of text (compare two runs)
 *   store-probe containers                    the user's CryptoAPI key containers, one a line
 *
 * The PIN is read from a file (a test fixture), never from the command line. */
#include <windows.h>
#include <wincrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what) {
  fprintf(stderr, "store-probe: %s failed: 0x%08lx\n", what, (unsigned long)GetLastError());
  return 2;
}

static BYTE *read_file(const char *path, DWORD *len) {
  FILE *f = fopen(path, "rb");
  if (!f) { fprintf(stderr, "store-probe: cannot open %s\n", path); exit(2); }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  BYTE *buf = malloc(n + 1);
  if (!buf || fread(buf, 1, n, f) != (size_t)n) { fprintf(stderr, "store-probe: cannot read %s\n", path); exit(2); }
  fclose(f);
  buf[n] = 0;
  *len = (DWORD)n;
  return buf;
}

static WCHAR *widen(const char *s) {
  int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
  WCHAR *w = malloc(n * sizeof(WCHAR));
  MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n);
  return w;
}

static void print_wide(const char *label, const WCHAR *w) {
  char buf[1024];
  WideCharToMultiByte(CP_UTF8, 0, w, -1, buf, sizeof buf, NULL, NULL);
  printf("%s %s\n", label, buf);
}

static HCERTSTORE open_my(BOOL read_only) {
  DWORD flags = CERT_SYSTEM_STORE_CURRENT_USER;
  if (read_only) flags |= CERT_STORE_READONLY_FLAG | CERT_STORE_OPEN_EXISTING_FLAG;
  return CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, flags, L"MY");
}

/* Adds ctx to My as a new entry with a friendly name, and commits. */
static int add_to_my(PCCERT_CONTEXT ctx, const char *friendly) {
  WCHAR *name = widen(friendly);
  CRYPT_DATA_BLOB blob = { (DWORD)((wcslen(name) + 1) * sizeof(WCHAR)), (BYTE *)name };
  if (!CertSetCertificateContextProperty(ctx, CERT_FRIENDLY_NAME_PROP_ID, 0, &blob))
    return fail("CertSetCertificateContextProperty(friendly name)");
  HCERTSTORE my = open_my(FALSE);
  if (!my) return fail("CertOpenStore(My)");
  if (!CertAddCertificateContextToStore(my, ctx, CERT_STORE_ADD_NEW, NULL))
    return fail("CertAddCertificateContextToStore(My)");
  if (!CertControlStore(my, CERT_STORE_CTRL_COMMIT_FORCE_FLAG, CERT_STORE_CTRL_COMMIT, NULL))
    return fail("CertControlStore(My)");
  CertCloseStore(my, 0);
  return 0;
}

static int add_cert(const char *der_path, const char *friendly) {
  DWORD len;
  BYTE *der = read_file(der_path, &len);
  PCCERT_CONTEXT ctx = CertCreateCertificateContext(X509_ASN_ENCODING, der, len);
  if (!ctx) return fail("CertCreateCertificateContext");
  return add_to_my(ctx, friendly);
}

static int import(const char *p12_path, const char *pin_path, const char *friendly) {
  DWORD len, pin_len;
  BYTE *p12 = read_file(p12_path, &len);
  char *pin = (char *)read_file(pin_path, &pin_len);
  while (pin_len && (pin[pin_len - 1] == '\n' || pin[pin_len - 1] == '\r')) pin[--pin_len] = 0;
  WCHAR *wpin = widen(pin);
  CRYPT_DATA_BLOB blob = { len, p12 };
  HCERTSTORE imported = PFXImportCertStore(&blob, wpin, CRYPT_USER_KEYSET);
  if (!imported) return fail("PFXImportCertStore");
  /* The leaf: the certificate whose issuer is not itself (Wine returns the leaf alone). */
  PCCERT_CONTEXT ctx = NULL, leaf = NULL;
  while ((ctx = CertEnumCertificatesInStore(imported, ctx))) {
    if (!CertCompareCertificateName(X509_ASN_ENCODING, &ctx->pCertInfo->Subject, &ctx->pCertInfo->Issuer)) {
      leaf = CertDuplicateCertificateContext(ctx);
    }
  }
  if (!leaf) { fprintf(stderr, "store-probe: no leaf in %s\n", p12_path); return 2; }
  return add_to_my(leaf, friendly);
}

static int parse_sha1(const char *hex, BYTE out[20]) {
  int n = 0;
  for (const char *p = hex; *p && n < 40; p++) {
    char c = *p;
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else continue; /* colons */
    if (n % 2 == 0) out[n / 2] = (BYTE)(v << 4); else out[n / 2] |= (BYTE)v;
    n++;
  }
  return n == 40;
}

/* Whether the key the entry points at opens silently and is the certificate's key. */
static void show_key(PCCERT_CONTEXT ctx) {
  HCRYPTPROV_OR_NCRYPT_KEY_HANDLE prov = 0;
  DWORD spec = 0;
  BOOL must_free = FALSE;
  if (!CryptAcquireCertificatePrivateKey(ctx, CRYPT_ACQUIRE_SILENT_FLAG, NULL, &prov, &spec, &must_free)) {
    printf("key does-not-open\n");
    return;
  }
  DWORD specs[3] = { spec, AT_KEYEXCHANGE, AT_SIGNATURE };
  const char *verdict = "does-not-match";
  for (int i = 0; i < 3; i++) {
    DWORD n = 0;
    if (!CryptExportPublicKeyInfo(prov, specs[i], X509_ASN_ENCODING, NULL, &n)) continue;
    CERT_PUBLIC_KEY_INFO *info = malloc(n);
    if (CryptExportPublicKeyInfo(prov, specs[i], X509_ASN_ENCODING, info, &n)
        && CertComparePublicKeyInfo(X509_ASN_ENCODING, info, &ctx->pCertInfo->SubjectPublicKeyInfo)) {
      verdict = "matches-the-certificate";
    }
    free(info);
    if (strcmp(verdict, "does-not-match")) break;
  }
  printf("key %s\n", verdict);
  if (must_free) CryptReleaseContext(prov, 0);
}

static int show(const char *hex) {
  BYTE sha1[20];
  if (!parse_sha1(hex, sha1)) { fprintf(stderr, "store-probe: bad SHA-1 %s\n", hex); return 2; }
  HCERTSTORE my = open_my(TRUE);
  if (!my) { printf("entry absent (no My store)\n"); return 0; }
  CRYPT_HASH_BLOB blob = { 20, sha1 };
  PCCERT_CONTEXT ctx = CertFindCertificateInStore(my, X509_ASN_ENCODING, 0, CERT_FIND_SHA1_HASH, &blob, NULL);
  if (!ctx) { printf("entry absent\n"); return 0; }
  printf("entry present\n");
  DWORD n = 0;
  /* Every property the entry carries, and a digest of the whole stored element. */
  printf("properties");
  for (DWORD id = 0; (id = CertEnumCertificateContextProperties(ctx, id));) printf(" %lu", (unsigned long)id);
  printf("\n");
  if (CertSerializeCertificateStoreElement(ctx, 0, NULL, &n)) {
    BYTE *buf = malloc(n), digest[20];
    DWORD dn = sizeof digest;
    if (CertSerializeCertificateStoreElement(ctx, 0, buf, &n)
        && CryptHashCertificate(0, CALG_SHA1, 0, buf, n, digest, &dn)) {
      printf("stored-element-sha1 ");
      for (DWORD i = 0; i < dn; i++) printf("%02x", digest[i]);
      printf("\n");
    }
    free(buf);
  }
  n = 0;
  if (CertGetCertificateContextProperty(ctx, CERT_FRIENDLY_NAME_PROP_ID, NULL, &n)) {
    WCHAR *name = malloc(n);
    CertGetCertificateContextProperty(ctx, CERT_FRIENDLY_NAME_PROP_ID, name, &n);
    print_wide("friendly-name", name);
    free(name);
  } else {
    printf("friendly-name none\n");
  }
  n = 0;
  if (CertGetCertificateContextProperty(ctx, CERT_KEY_PROV_INFO_PROP_ID, NULL, &n)) {
    CRYPT_KEY_PROV_INFO *info = malloc(n);
    CertGetCertificateContextProperty(ctx, CERT_KEY_PROV_INFO_PROP_ID, info, &n);
    print_wide("key-container", info->pwszContainerName ? info->pwszContainerName : L"(none)");
    print_wide("key-provider", info->pwszProvName ? info->pwszProvName : L"(default)");
    printf("key-provider-type %lu\nkey-spec %lu\n", (unsigned long)info->dwProvType, (unsigned long)info->dwKeySpec);
    free(info);
    show_key(ctx);
  } else {
    printf("key none\n");
  }
  CertFreeCertificateContext(ctx);
  CertCloseStore(my, 0);
  return 0;
}

static int containers(void) {
  HCRYPTPROV prov;
  if (!CryptAcquireContextW(&prov, NULL, MS_ENHANCED_PROV_W, PROV_RSA_FULL, CRYPT_VERIFYCONTEXT | CRYPT_SILENT))
    return fail("CryptAcquireContextW(verify)");
  char name[1024];
  DWORD flags = CRYPT_FIRST;
  for (;;) {
    DWORD n = sizeof name;
    if (!CryptGetProvParam(prov, PP_ENUMCONTAINERS, (BYTE *)name, &n, flags)) {
      if (GetLastError() != ERROR_NO_MORE_ITEMS) return fail("CryptGetProvParam(PP_ENUMCONTAINERS)");
      break;
    }
    printf("container %s\n", name);
    flags = CRYPT_NEXT;
  }
  CryptReleaseContext(prov, 0);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 4 && !strcmp(argv[1], "add-cert")) return add_cert(argv[2], argv[3]);
  if (argc == 5 && !strcmp(argv[1], "import")) return import(argv[2], argv[3], argv[4]);
  if (argc == 3 && !strcmp(argv[1], "show")) return show(argv[2]);
  if (argc == 2 && !strcmp(argv[1], "containers")) return containers();
  fprintf(stderr, "usage: store-probe add-cert DER FRIENDLY | import P12 PIN-FILE FRIENDLY | show SHA1 | containers\n");
  return 2;
}
