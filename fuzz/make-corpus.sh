#!/usr/bin/env bash
# Regenerates fuzz/corpus/<target>/, the committed seed corpus of every fuzz target, from
# generated inputs only (no hand-made blobs):
#   pkcs12  the PKCS#12 family of tests/fixtures/make-fixtures.sh (openssl: legacy, AES, BER,
#           EC, no MAC, no password, truncated, corrupt MAC, unsupported algorithms…; NSS
#           pk12util: chunked BER, AES or 3DES, a Japanese nickname)
#   x509    the certificates of that family, DER
#   sniff   the heads of those files, and zip archives made with python's zipfile: a .p12
#           inside, a zip inside a zip, a small "bomb" of zeros, an encrypted-looking entry
#   code, share, payload, manifest
#           vault-format's test vectors and writers (vault-format/examples/fuzz-seeds.rs)
# Usage: bash fuzz/make-corpus.sh   (from anywhere; needs openssl, python3, cargo)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=$root/fuzz/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

rm -rf "$corpus"
mkdir -p "$corpus"/{pkcs12,x509,sniff,code,share,payload,manifest}

bash "$root/tests/fixtures/make-fixtures.sh" "$work/fx" >/dev/null
for f in "$work"/fx/*.p12 "$work/fx/client.hpki-cardless-signature"; do
  [ -f "$f" ] && [ -s "$f" ] || continue
  name=$(basename "$f")
  cp "$f" "$corpus/pkcs12/$name"
  head -c 64 "$f" > "$corpus/sniff/head-$name"
done
for f in "$work"/fx/*.crt; do
  openssl x509 -in "$f" -outform DER -out "$corpus/x509/$(basename "$f" .crt).der"
done

python3 - "$work/fx" "$corpus/sniff" <<'PY'
import io, sys, zipfile
fx, out = sys.argv[1], sys.argv[2]
p12 = open(f"{fx}/legacy.p12", "rb").read()
def z(entries, method=zipfile.ZIP_DEFLATED):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", method) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return b.getvalue()
inner = z([("cert.p12", p12)], zipfile.ZIP_STORED)
open(f"{out}/zip-stored-p12.zip", "wb").write(inner)
open(f"{out}/zip-deflated-p12.zip", "wb").write(z([("Downloads/証明書.pfx", p12), ("readme.txt", b"PIN is on the notice")]))
open(f"{out}/zip-in-zip.zip", "wb").write(z([("inner.zip", inner)]))
open(f"{out}/zip-bomb-small.zip", "wb").write(z([("zeros.p12", b"\0" * (1 << 20))]))
open(f"{out}/zip-empty-entry.zip", "wb").write(z([("empty.p12", b""), ("dir/", b"")]))
PY

cargo run --quiet --manifest-path "$root/Cargo.toml" -p vault-format --example fuzz-seeds -- "$work/vf"
for d in code share payload manifest; do
  cp "$work/vf/$d"/* "$corpus/$d/"
done
for d in "$corpus"/*; do
  echo "$(basename "$d"): $(ls "$d" | wc -l) seeds, $(du -sk "$d" | cut -f1) KiB"
done
