#!/usr/bin/env bash
# Wall time of `certvault recover-pin` for a 4-digit and a 6-digit PIN, next to the physical
# limit that `openssl speed sha1` implies: each candidate costs one SHA-1 compression per KDF
# iteration (2,048 for these files) plus an HMAC over the contents.
# Usage: benches/recover_pin.sh   (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/certvault
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash tests/fixtures/make-fixtures.sh "$work" >/dev/null
cd "$work"
# The 6-digit case: a PIN found after ~765,000 candidates (4-digit, 1-3, 5-digit, then 6-digit).
printf '654321' > six.txt
openssl pkcs12 -export -legacy -in leaf.crt -inkey leaf.key -passout file:six.txt -out six-legacy.p12
openssl pkcs12 -export -in leaf.crt -inkey leaf.key -passout file:six.txt -out six-aes.p12

cores=$(nproc)
# SHA-1 compressions per second on all cores: 64-byte blocks hashed one at a time cost two
# compressions each (data + padding block).
blocks=$(openssl speed -seconds 2 -bytes 64 -multi "$cores" sha1 2>/dev/null | awk '/^sha1/ {print $2}' | tr -d k)
echo "openssl speed sha1 (64-byte, $cores processes): ${blocks}k bytes/s"
compressions=$(python3 -c "print(float('$blocks')*1000/64*2)")
limit=$(python3 -c "print(int($compressions/2048))")
echo "physical limit at 2,048 SHA-1 iterations: ~$limit candidates/s on $cores cores"

run() {
  local label=$1 file=$2 expect=$3
  local start end
  start=$(date +%s.%N)
  got=$("$bin" --lang en recover-pin --json "$file")
  end=$(date +%s.%N)
  python3 - "$label" "$start" "$end" "$got" "$expect" <<'PY'
import json, sys
label, start, end, got, expect = sys.argv[1:]
r = json.loads(got)
assert r["pin"] == expect, r
secs = float(end) - float(start)
print(f"{label}: found {r['pin']} after {r['tried']} tries, wall {secs:.2f} s, {r['tried']/r['seconds']:.0f} candidates/s")
PY
}
run "4-digit legacy (SHA-1 MAC)" legacy.p12 4821
run "4-digit AES (SHA-256 MAC)" aes.p12 4821
run "6-digit legacy (SHA-1 MAC)" six-legacy.p12 654321
run "6-digit AES (SHA-256 MAC)" six-aes.p12 654321
