#!/usr/bin/env bash
# Whole-command wall time and peak memory of init, add (into a vault of 9 → 10 certificates)
# and list, next to the KDF costs they contain (Argon2id with the format's default parameters,
# scrypt at work factor 18), measured in the same run. `cargo bench --bench vault` measures the
# non-KDF part directly. Usage: benches/vault.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
cargo build --release --quiet -p vault-format --example timings
bin=$PWD/target/release/certvault
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash tests/fixtures/make-fixtures.sh "$work/fx" >/dev/null
printf 'sakura umbrella kettle nineteen' > "$work/pass"

measure() { # label command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
  read -r secs kib < "$work/t"
  printf '%-34s wall %6.3f s   peak %7.1f MiB\n' "$label" "$secs" "$(awk "BEGIN{print $kib/1024}")"
}

measure "init (2 Argon2id + 2 scrypt)" "$bin" init --allow-fixed-disk --passphrase-file "$work/pass" --recovery-out "$work/rec" "$work/v"
for i in $(seq 1 9); do
  openssl pkcs12 -export -in "$work/fx/leaf.crt" -inkey "$work/fx/leaf.key" -passout "file:$work/fx/pin.txt" -out "$work/c$i.p12"
  "$bin" add "$work/c$i.p12" --vault "$work/v" --passphrase-file "$work/pass" --pin-file "$work/fx/pin.txt" >/dev/null 2>&1
done
openssl pkcs12 -export -in "$work/fx/leaf.crt" -inkey "$work/fx/leaf.key" -passout "file:$work/fx/pin.txt" -out "$work/c10.p12"
measure "add 10th certificate (1 scrypt)" "$bin" add "$work/c10.p12" --vault "$work/v" --passphrase-file "$work/pass" --pin-file "$work/fx/pin.txt"
measure "list 10 certificates (1 scrypt)" "$bin" list --vault "$work/v" --passphrase-file "$work/pass"
grep RECOVERY-CODE "$work/rec" | cut -d' ' -f2 > "$work/code"
measure "list with recovery code (1 Argon2id)" "$bin" list --vault "$work/v" --recovery-code-file "$work/code"
echo "KDF costs on this machine (vault-format/examples/timings):"
./target/release/examples/timings | sed 's/^/  /'
