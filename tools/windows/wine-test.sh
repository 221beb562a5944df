#!/usr/bin/env bash
# Tests the release build of certvault for Windows (x86_64-pc-windows-gnu) under Wine 8.0: the
# programs of the bundle (built here exactly as tools/release.sh builds them, so after that
# script the build is only checked), and the core's own tests built once more, in the same
# release profile and flags, with its test switches (cfg(test)):
#   (a) the windows restore backend's tests (core/src/install/windows.rs): a legacy (RC2/3DES) and
#       an AES file, each imported into CurrentUser\My of its own fresh Wine prefix (Wine keeps
#       one key container per user), found again by SHA-1 with a usable private key;
#   (b) a smoke run of certvault.exe: inspect, init/add/list on a vault folder, restore with a
#       wrong PIN (refused before the store), restore --to windows, and a second restore;
#   (c) scan and clean of the Windows places (Downloads, Desktop, Documents, Pictures, the
#       Outlook attachment cache, the recycle bin with its $I index) and of the "My" store;
#   (d) the wizard in Wine's console through tmux: Japanese menu, arrow keys, quit;
#   (e) restore onto a store that already holds the certificate (alone, and with its key) with a
#       failure injected at the commit (a core test): the entry is left exactly as it was; then
#       the release program's restore completes the entry;
#   (f) rescue: a certificate imported as non-exportable is explained and nothing is sealed; one
#       imported as exportable is rescued into a vault and restored into a fresh prefix with the
#       same thumbprint.
# Usage: bash tools/windows/wine-test.sh   (from anywhere; .ci/run calls it as root)
# Needs Debian's rustc-web cargo-web rust-web-src gcc-mingw-w64-x86-64 wine wine64 libgnutls30;
# installs them when missing and it runs as root. See tools/windows/README.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tools/windows
target_dir=$root/target/windows            # its own folder: std is rebuilt per target folder
work=$target_dir/wine-test                 # prefixes, fixtures, vaults of this run
triple=x86_64-pc-windows-gnu
started=$(date +%s)

if ! { [ -x /usr/bin/cargo ] && [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust/library ] \
       && command -v x86_64-w64-mingw32-gcc >/dev/null && command -v wine >/dev/null \
       && command -v tmux >/dev/null; }; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends rustc-web cargo-web rust-web-src \
      gcc-mingw-w64-x86-64 wine wine64 libgnutls30 tmux
  else
    echo "wine-test.sh: install rustc-web cargo-web rust-web-src gcc-mingw-w64-x86-64 wine wine64 libgnutls30 tmux" >&2
    exit 2
  fi
fi

# Debian's Rust by name, building std for the target (tools/windows/build-env.sh), with the
# release flags of the bundle (tools/release/env.sh).
# shellcheck source=tools/windows/build-env.sh
source "$here/build-env.sh"
# shellcheck source=tools/release/env.sh
source "$root/tools/release/env.sh"
# Each Wine prefix gets its own HOME (below); cargo keeps the registry and build cache of ours.
export CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine
# A UTF-8 locale: Wine maps Unix file names to Windows ones through the locale's charset (the
# scan below has a Japanese file name); certvault's own messages are chosen by --lang.
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" LANG=C.UTF-8 LC_ALL=C.UTF-8
unset DISPLAY

rm -rf "$work"
mkdir -p "$work"
cd "$root"

# The test-environment shim: Rust std imports ProcessPrng from bcryptprimitives.dll, which
# Wine 8.0 lacks (real Windows has it).
x86_64-w64-mingw32-gcc -O2 -shared -o "$work/bcryptprimitives.dll" \
  "$here/bcryptprimitives.c" "$here/bcryptprimitives.def" -ladvapi32 -Wl,--enable-stdcall-fixup

new_prefix() { # DIR: a fresh Wine prefix with the shim
  export WINEPREFIX=$1
  # Wine links the user's known folders (Desktop, Downloads, …) to $HOME: give each prefix its
  # own, so that nothing here reads or writes the real home folder.
  export HOME=$1-home
  mkdir -p "$WINEPREFIX" "$HOME"
  wineboot -i >/dev/null 2>&1 || true
  wineserver -w
  cp "$work/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
  # Then make them separate real folders, as on Windows.
  local user_dir
  user_dir="$WINEPREFIX/drive_c/users/$(id -un)"
  for d in Desktop Documents Downloads Music Pictures Videos; do
    if [ -L "$user_dir/$d" ]; then rm "$user_dir/$d"; mkdir "$user_dir/$d"; fi
  done
}
drop_prefix() { # DIR: a prefix is a few hundred MB and CI's disk is small
  rm -rf "$1" "$1-home"
}
winpath() { printf 'Z:%s' "${1//\//\\}"; }   # Z: is / in a new prefix

echo "== cross-build ($triple, release, target folder $target_dir)"
t0=$(date +%s)
{
  # The bundle's programs: the same command as tools/release.sh, so a no-op after it. The window
  # is among them; .ci/run takes its screenshots under Wine from the stick's copy.
  /usr/bin/cargo build --release --locked --target $triple --target-dir "$target_dir" \
    -p certvault -p certvault-gui --bins
  /usr/bin/cargo test --release --locked --target $triple --target-dir "$target_dir" \
    -p certvault-core --lib --no-run
} 2>&1 | tee "$work/build.log"
echo "   build: $(( $(date +%s) - t0 )) s"
# Clippy on Linux cannot see the cfg(windows) code: a warning of the Windows build fails here.
if grep -E '^warning: `(certvault[-a-z0-9]*|vault-format)`' "$work/build.log"; then
  echo "wine-test: the Windows build of certvault has warnings (above)" >&2
  exit 1
fi
exe=$target_dir/$triple/release/certvault.exe

bash tests/fixtures/make-fixtures.sh "$work/fixtures" >/dev/null
CERTVAULT_WINDOWS_FIXTURES=$(winpath "$work/fixtures")
export CERTVAULT_WINDOWS_FIXTURES

echo "== (a) windows backend tests under Wine, one fresh prefix each"
for t in wine_imports_a_legacy_file wine_imports_an_aes_file; do
  t0=$(date +%s)
  new_prefix "$work/prefix-$t"
  /usr/bin/cargo test --release --locked --target $triple --target-dir "$target_dir" -p certvault-core --lib \
    -- --ignored --exact "install::windows::tests::$t" --nocapture
  wineserver -w
  drop_prefix "$work/prefix-$t"
  echo "   $t: $(( $(date +%s) - t0 )) s"
done

echo "== (b) smoke run of certvault.exe"
t0=$(date +%s)
new_prefix "$work/prefix-smoke"
fx=$work/fixtures
smoke=$work/smoke
mkdir -p "$smoke"
printf 'sakura umbrella kettle nineteen\n' > "$smoke/pass.txt"
cv() { wine "$exe" --lang en "$@"; }
expect() { # WHAT TEXT FILE
  grep -qF -- "$2" "$3" || { echo "smoke: $1: expected '$2' in:" >&2; cat "$3" >&2; exit 1; }
}
vault=$(winpath "$smoke/CERTVAULT")
pass=$(winpath "$smoke/pass.txt")
pin=$(winpath "$fx/pin.txt")
wrong=$(winpath "$fx/wrong-pin.txt")
sha1=$(openssl x509 -in "$fx/leaf.crt" -noout -fingerprint -sha1 | cut -d= -f2)

cv inspect "$(winpath "$fx/legacy.p12")" --pin-file "$pin" > "$smoke/inspect.txt"
expect inspect "$sha1" "$smoke/inspect.txt"
cv init "$vault" --allow-fixed-disk --no-program --passphrase-file "$pass" --recovery-out "$(winpath "$smoke/recovery.txt")" >/dev/null
cv add "$(winpath "$fx/legacy.p12")" --vault "$vault" --passphrase-file "$pass" --pin-file "$pin" > "$smoke/add.txt"
cv list --vault "$vault" --passphrase-file "$pass" --json > "$smoke/list.json"
expect list "$(printf '%s' "$sha1" | tr -d : | tr A-F a-f)" "$smoke/list.json"

# A wrong PIN is refused before the store: Wine's crypt32 (GnuTLS) would print
# "Decryption has failed." had PFXImportCertStore seen it.
if cv restore --vault "$vault" --passphrase-file "$pass" --pin-file "$wrong" --to windows \
     > "$smoke/wrong.out" 2> "$smoke/wrong.err"; then
  echo "smoke: restore with a wrong PIN succeeded" >&2; exit 1
fi
expect wrong-pin "has not seen it" "$smoke/wrong.err"
if grep -q "Decryption has failed" "$smoke/wrong.err"; then
  echo "smoke: the wrong PIN reached PFXImportCertStore" >&2; exit 1
fi

r0=$(date +%s%N)
cv restore --vault "$vault" --passphrase-file "$pass" --pin-file "$pin" --to windows --trust-root --json \
  > "$smoke/restore.json" 2> "$smoke/restore.err" || { cat "$smoke/restore.err" >&2; exit 1; }
r1=$(date +%s%N)
expect restore '"outcome": "installed"' "$smoke/restore.json"
expect restore '"verified": true' "$smoke/restore.json"
expect restore "$sha1" "$smoke/restore.json"
expect restore "with its private key" "$smoke/restore.json"
cv restore --vault "$vault" --passphrase-file "$pass" --to windows --json > "$smoke/again.json" 2> "$smoke/again.err"
expect second-restore '"outcome": "already-installed"' "$smoke/again.json"
wineserver -w
echo "   restore.exe wall: $(( (r1 - r0) / 1000000 )) ms; report timings:"
grep -A4 '"timings"' "$smoke/restore.json" | sed 's/^/     /'
echo "   smoke: $(( $(date +%s) - t0 )) s"

echo "== (c) scan and clean of the Windows places (same prefix: the certificate is installed)"
t0=$(date +%s)
user_dir="$WINEPREFIX/drive_c/users/$(id -un)"
outlook="$user_dir/AppData/Local/Microsoft/Windows/INetCache/Content.Outlook/K3J9QX2A"
bin="$WINEPREFIX/drive_c/\$Recycle.Bin/S-1-5-21-0-0-0-1000"   # Wine's one user SID
mkdir -p "$outlook" "$bin"
cp "$fx/legacy.p12" "$user_dir/Downloads/202101010000777.p12"       # in the vault
cp "$fx/legacy.p12" "$user_dir/Desktop/証明書のコピー"                # hidden extension, in the vault
cp "$fx/legacy.p12" "$outlook/client.pfx"                            # mail attachment, in the vault
cp "$fx/noenc.p12" "$user_dir/Documents/re-exported.pfx"             # same certificate, other bytes
cp "$fx/hpki.p12" "$user_dir/Pictures/other-clinic.p12"              # not in the vault
cp "$fx/legacy.p12" "$bin/\$RK3J9QX.p12"                             # in the recycle bin, with its index
python3 - "$bin/\$IK3J9QX.p12" "$(stat -c %s "$fx/legacy.p12")" <<'PY'
import struct, sys
name = "C:\\users\\Public\\Downloads\\202101010000777.p12\0".encode("utf-16-le")
with open(sys.argv[1], "wb") as f:   # $I version 2: version, size, deletion time, name
    f.write(struct.pack("<qqqI", 2, int(sys.argv[2]), 133_000_000_000_000_000, len(name) // 2) + name)
PY
set +e
cv scan --vault "$vault" --passphrase-file "$pass" --json > "$smoke/scan.json" 2> "$smoke/scan.err"
rc=$?
set -e
[ $rc = 1 ] || { echo "smoke: scan exit $rc (want 1: copies found)" >&2; cat "$smoke/scan.err" >&2; exit 1; }
python3 - "$smoke/scan.json" "$(printf '%s' "$sha1" | tr -d : | tr A-F a-f)" <<'PY'
import json, sys
report, sha1 = json.load(open(sys.argv[1])), sys.argv[2]
places = {r["place"] for r in report["roots"]}
for p in ("downloads", "desktop", "documents", "pictures", "mail-cache", "recycle-bin"):
    assert p in places, f"scan root {p} missing: {places}"
classes = {h["path"].rsplit("\\", 1)[-1]: h["class"] for h in report["hits"]}
want = {"202101010000777.p12": "in-vault", "証明書のコピー": "in-vault", "client.pfx": "in-vault",
        "$RK3J9QX.p12": "in-vault", "re-exported.pfx": "same-certificate", "other-clinic.p12": "unknown"}
for name, cls in want.items():
    assert classes.get(name) == cls, f"{name}: {classes.get(name)} (want {cls}); all: {classes}"
mine = [i for i in report["installed"] if i.get("sha1") == sha1]
assert mine, f"installed certificate not reported: {report['installed']} {report['installed_notes']}"
assert mine[0]["has_private_key"] and mine[0]["exportable"] is False, mine[0]
print("   scan: %d hits classified, installed copy reported (key not exportable)" % len(report["hits"]))
PY
set +e
cv clean --vault "$vault" --passphrase-file "$pass" --apply > "$smoke/clean.out" 2> "$smoke/clean.err"
rc=$?
set -e
# Exit 1: copies were left (the two that are not byte-identical to the vault entry).
[ $rc = 1 ] || { echo "smoke: clean exit $rc (want 1)" >&2; cat "$smoke/clean.out" "$smoke/clean.err" >&2; exit 1; }
for gone in "$user_dir/Downloads/202101010000777.p12" "$user_dir/Desktop/証明書のコピー" \
            "$outlook/client.pfx" "$bin/\$RK3J9QX.p12" "$bin/\$IK3J9QX.p12"; do
  [ ! -e "$gone" ] || { echo "smoke: clean left $gone" >&2; cat "$smoke/clean.out" >&2; exit 1; }
done
for kept in "$user_dir/Documents/re-exported.pfx" "$user_dir/Pictures/other-clinic.p12"; do
  [ -e "$kept" ] || { echo "smoke: clean removed $kept, which is not in the vault" >&2; exit 1; }
done
cmp -s "$fx/hpki.p12" "$user_dir/Pictures/other-clinic.p12" || { echo "smoke: other-clinic.p12 changed" >&2; exit 1; }
wineserver -w
echo "   scan and clean: $(( $(date +%s) - t0 )) s"
echo "== (d) the wizard in Wine's console, in Japanese (tmux gives it a terminal)"
t0=$(date +%s)
sock=certvault-wine-$$
screen() { tmux -L "$sock" capture-pane -p -t wizard; }
wait_for() { # TEXT: up to 60 s
  for _ in $(seq 120); do screen | grep -qF -- "$1" && return 0; sleep 0.5; done
  echo "smoke: the wizard did not show '$1'; the screen:" >&2; screen >&2; return 1
}
tmux -L "$sock" new-session -d -s wizard -x 110 -y 30 \
  "LANG=C.UTF-8 WINEPREFIX=$WINEPREFIX HOME=$HOME wine $exe --lang ja; sleep 5"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true' EXIT
wait_for "証明書を保管する"
wait_for "新しい端末に復元する"
# Quit is the menu's last item: Up from the first one wraps round to it (the menu grew, so a
# count of Downs would land elsewhere).
tmux -L "$sock" send-keys -t wizard Down Down Up Up Up
sleep 1
tmux -L "$sock" send-keys -t wizard Enter
wait_for "別々の場所に保管してください"
tmux -L "$sock" kill-server 2>/dev/null || true
wineserver -w
drop_prefix "$work/prefix-smoke"
echo "   wizard: $(( $(date +%s) - t0 )) s"

echo "== (e) a failed commit leaves the certificate already in the store as it was"
t0=$(date +%s)
# store-probe.exe (test-only) puts the clinic's own entry into CurrentUser\My and prints it back.
x86_64-w64-mingw32-gcc -O2 -Wall -o "$work/store-probe.exe" "$here/store-probe.c" -lcrypt32 -ladvapi32
probe() { wine "$work/store-probe.exe" "$@"; }
keep=$work/keep
mkdir -p "$keep"
kvault=$(winpath "$keep/CERTVAULT")
sha1_hex=$(printf '%s' "$sha1" | tr -d :)
# The clinic's previous certificate (expired, same key): an entry with a key the run must not touch.
prev_hex=$(openssl x509 -in "$fx/expired.crt" -noout -fingerprint -sha1 | cut -d= -f2 | tr -d :)
snapshot() { # FILE: both entries as stored, and the user's key containers
  { probe show "$sha1_hex"; echo "-- previous certificate"; probe show "$prev_hex"; echo "-- containers"
    probe containers; } > "$1"
}
failing_restore() { # NAME: the core's restore with the commit of CurrentUser\My failing (a test)
  /usr/bin/cargo test --release --locked --target $triple --target-dir "$target_dir" -p certvault-core --lib \
    -- --ignored --exact install::windows::tests::wine_a_failed_commit_leaves_the_entry_as_it_was \
    --nocapture > "$keep/$1.err" 2>&1 || { cat "$keep/$1.err" >&2; exit 1; }
}
unchanged() { # NAME: the entries and the key containers are what they were before the run
  snapshot "$keep/$1.after"
  if ! diff -u "$keep/$1.before" "$keep/$1.after"; then
    echo "smoke: $1: the entry already in CurrentUser\\My was changed by a restore that failed:" >&2
    cat "$keep/$1.err" >&2; exit 1
  fi
}
# The certificate alone (no key) next to the previous certificate with its key (in Wine's one
# key container, which the import writes into): the commit fails.
new_prefix "$work/prefix-keep-cert-only"
cv init "$kvault" --allow-fixed-disk --no-program --passphrase-file "$pass" \
  --recovery-out "$(winpath "$keep/recovery.txt")" >/dev/null
cv add "$(winpath "$fx/legacy.p12")" --vault "$kvault" --passphrase-file "$pass" --pin-file "$pin" >/dev/null
probe import "$(winpath "$fx/expired.p12")" "$pin" "clinic's previous certificate" >/dev/null
probe add-cert "$(winpath "$fx/leaf.cer")" "clinic's own entry" >/dev/null
snapshot "$keep/cert-only.before"
expect cert-only-setup "key none" "$keep/cert-only.before"
expect cert-only-setup "key matches-the-certificate" "$keep/cert-only.before"
failing_restore cert-only
unchanged cert-only
# Without the failure the same entry gets its key, and keeps what the user had set on it.
cv restore --vault "$kvault" --passphrase-file "$pass" --pin-file "$pin" --to windows --no-root --json \
  > "$keep/cert-only-ok.json" 2> "$keep/cert-only-ok.err" || { cat "$keep/cert-only-ok.err" >&2; exit 1; }
expect cert-only-ok '"outcome": "installed"' "$keep/cert-only-ok.json"
probe show "$sha1_hex" > "$keep/cert-only-ok.after"
expect cert-only-ok "friendly-name clinic's own entry" "$keep/cert-only-ok.after"
expect cert-only-ok "key matches-the-certificate" "$keep/cert-only-ok.after"
wineserver -w
drop_prefix "$work/prefix-keep-cert-only"
# The certificate with its key (imported before certvault ran): nothing is touched.
new_prefix "$work/prefix-keep-with-key"
probe import "$(winpath "$fx/legacy.p12")" "$pin" "clinic's own entry" >/dev/null
snapshot "$keep/with-key.before"
expect with-key-setup "key matches-the-certificate" "$keep/with-key.before"
failing_restore with-key
unchanged with-key
# The release program finds it there too, and leaves it.
cv restore --vault "$kvault" --passphrase-file "$pass" --pin-file "$pin" --to windows --no-root --json \
  > "$keep/with-key.json" 2> "$keep/with-key-ok.err" || { cat "$keep/with-key-ok.err" >&2; exit 1; }
expect with-key '"outcome": "already-installed"' "$keep/with-key.json"
unchanged with-key
wineserver -w
drop_prefix "$work/prefix-keep-with-key"
echo "   failed commit: $(( $(date +%s) - t0 )) s"
echo "== (f) rescue: a certificate only in CurrentUser\\My is sealed into the vault, or explained"
t0=$(date +%s)
resc=$work/rescue
mkdir -p "$resc"
# Stage (e) dropped its prefix: the vaults are made in this stage's first one.
new_prefix "$work/prefix-rescue-not-exportable"
# SETUP only puts the certificate into the store (as the vendor's import did); CERTVAULT is
# the clinic's vault, which has never seen the file.
svault=$(winpath "$resc/SETUP")
rvault=$(winpath "$resc/CERTVAULT")
cv init "$svault" --allow-fixed-disk --no-program --passphrase-file "$pass" \
  --recovery-out "$(winpath "$resc/setup-recovery.txt")" >/dev/null
cv add "$(winpath "$fx/legacy.p12")" --vault "$svault" --passphrase-file "$pass" --pin-file "$pin" >/dev/null
cv init "$rvault" --allow-fixed-disk --no-program --passphrase-file "$pass" \
  --recovery-out "$(winpath "$resc/recovery.txt")" >/dev/null
sed -n 's/^PIN-CODE: //p' "$resc/recovery.txt" | tr -d '\r\n' > "$resc/pin-code.txt"
entries() { cv list --vault "$rvault" --passphrase-file "$pass" --json \
  | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["entries"]))'; }
# Imported as the Windows import wizard does by default: the key is not exportable.
cv restore --vault "$svault" --passphrase-file "$pass" --pin-file "$pin" --to windows --no-root --json \
  > "$resc/import-ne.json" 2> "$resc/import-ne.err" || { cat "$resc/import-ne.err" >&2; exit 1; }
set +e
cv rescue --vault "$rvault" --passphrase-file "$pass" --from windows "$sha1" --json \
  > "$resc/not-exportable.json" 2> "$resc/not-exportable.err"
rc=$?
set -e
[ $rc = 1 ] || { echo "smoke: rescue of a non-exportable key: exit $rc (want 1)" >&2; cat "$resc/not-exportable.err" >&2; exit 1; }
expect rescue-not-exportable '"outcome": "not-exportable"' "$resc/not-exportable.json"
expect rescue-not-exportable "cannot be backed up from this computer" "$resc/not-exportable.err"
expect rescue-not-exportable "Only the issuing CA" "$resc/not-exportable.err"
expect rescue-not-exportable "institution code 1312345678" "$resc/not-exportable.err"
expect rescue-not-exportable "180 days" "$resc/not-exportable.err"
[ "$(entries)" = 0 ] || { echo "smoke: a non-exportable key sealed something" >&2; exit 1; }
wineserver -w
drop_prefix "$work/prefix-rescue-not-exportable"
# Imported as exportable: listed, rescued by its thumbprint.
new_prefix "$work/prefix-rescue-exportable"
cv restore --vault "$svault" --passphrase-file "$pass" --pin-file "$pin" --to windows --exportable --no-root \
  --json > "$resc/import.json" 2> "$resc/import.err" || { cat "$resc/import.err" >&2; exit 1; }
set +e
cv rescue --vault "$rvault" --passphrase-file "$pass" --from windows --json < /dev/null \
  > "$resc/list.json" 2> "$resc/list.err"
rc=$?
set -e
[ $rc = 1 ] || { echo "smoke: rescue listing: exit $rc (want 1)" >&2; cat "$resc/list.err" >&2; exit 1; }
python3 - "$resc/list.json" "$sha1" <<'PY'
import json, sys
report, sha1 = json.load(open(sys.argv[1])), sys.argv[2]
mine = [c for c in report["certificates"] if c["sha1"] == sha1]
assert mine and mine[0]["exportable"] == "yes" and mine[0]["entry"] is None, report
assert mine[0]["institution_code"] == "1312345678", mine[0]
PY
cv rescue --vault "$rvault" --passphrase-file "$pass" --from windows "$sha1" --json \
  > "$resc/rescue.json" 2> "$resc/rescue.err" || { cat "$resc/rescue.err" >&2; exit 1; }
expect rescue '"outcome": "rescued"' "$resc/rescue.json"
[ "$(entries)" = 1 ] || { echo "smoke: rescue did not seal one entry" >&2; exit 1; }
wineserver -w
drop_prefix "$work/prefix-rescue-exportable"
# A fresh computer: restore installs the rescued entry with the same thumbprint.
new_prefix "$work/prefix-rescue-restore"
cv restore --vault "$rvault" --passphrase-file "$pass" --pin-code-file "$(winpath "$resc/pin-code.txt")" \
  --to windows --no-root --json > "$resc/restore.json" 2> "$resc/restore.err" \
  || { cat "$resc/restore.err" >&2; exit 1; }
expect rescue-restore '"outcome": "installed"' "$resc/restore.json"
expect rescue-restore '"verified": true' "$resc/restore.json"
expect rescue-restore "$sha1" "$resc/restore.json"
probe show "$sha1_hex" > "$resc/restored.txt"
expect rescue-restore "key matches-the-certificate" "$resc/restored.txt"
wineserver -w
drop_prefix "$work/prefix-rescue-restore"
echo "   rescue: $(( $(date +%s) - t0 )) s"
echo "== windows build and Wine tests passed in $(( $(date +%s) - started )) s"
