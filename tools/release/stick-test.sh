#!/usr/bin/env bash
# The day the terminal dies (issue 15): a vault made with the released programs, then restored
# on "new computers" that have nothing installed, running the program from the stick's
# program/ folder only.
#   1. Both archives of DIST are unpacked side by side, as a vendor would; the Linux program of
#      the bundle makes a vault on a "stick" and seals a certificate: init puts the programs of
#      both platforms into program/ (the Windows ones sit beside it in the bundle).
#   2. The bundle folders are deleted. A fresh Linux folder (a copy of the stick): its
#      program/linux-x86_64/certvault restores the certificate to a file, checked with openssl.
#   3. A fresh Wine prefix: program/windows-x86_64/certvault.exe from the stick checks the
#      stick (verify), then restores into CurrentUser\My; the thumbprint is read back.
#   4. The bundle's programs carry none of the test switches' names (they are compiled out).
# Usage: bash tools/release/stick-test.sh DIST   (DIST as tools/release.sh wrote it)
# Needs: openssl, python3, wine (with the shim of tools/windows/, built here), tar, unzip-free:
# the zip is read with python3.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dist=$(cd "${1:?usage: stick-test.sh DIST}" && pwd)
work=$(mktemp -d)
trap 'wineserver -k 2>/dev/null || true; rm -rf "$work"' EXIT
started=$(date +%s)

fail() { echo "stick-test: $*" >&2; exit 1; }
expect() { grep -qF -- "$2" "$3" || { echo "stick-test: $1: expected '$2' in:" >&2; cat "$3" >&2; exit 1; }; }

echo "== unpack both archives side by side"
mkdir -p "$work/vendor"
tar -xzf "$dist"/certvault-*-linux-x86_64.tar.gz -C "$work/vendor"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
  "$(ls "$dist"/certvault-*-windows-x86_64.zip)" "$work/vendor"
linux_dir=$(ls -d "$work"/vendor/certvault-*-linux-x86_64)
windows_dir=$(ls -d "$work"/vendor/certvault-*-windows-x86_64)
# zipfile does not keep the execute bit; a clinic's unzip on Linux would not either for the
# Windows programs, which do not need it.
chmod +x "$linux_dir/certvault" "$linux_dir/certvault-gui"

echo "== (4) the bundled programs have no test switches"
for p in "$linux_dir/certvault" "$linux_dir/certvault-gui" "$windows_dir/certvault.exe" "$windows_dir/certvault-gui.exe"; do
  for switch in CERTVAULT_TEST_FAIL_AT CERTVAULT_TEST_CHEAP_KDF CERTVAULT_TEST_PAUSE_AT CERTVAULT_DEBUG_PANIC_AT; do
    if grep -qa "$switch" "$p"; then fail "$(basename "$p") carries $switch"; fi
  done
done

echo "== (1) a vault made with the Linux program of the bundle"
fx=$work/fixtures
bash "$root/tests/fixtures/make-fixtures.sh" "$fx" >/dev/null
printf 'sakura umbrella kettle nineteen\n' > "$work/pass.txt"
stick=$work/stick
mkdir -p "$stick"
"$linux_dir/certvault" --lang en init "$stick/CERTVAULT" --allow-fixed-disk --passphrase-file "$work/pass.txt" \
  --recovery-out "$work/recovery.txt" > "$work/init.out"
"$linux_dir/certvault" --lang en add "$fx/legacy.p12" --vault "$stick/CERTVAULT" --passphrase-file "$work/pass.txt" \
  --pin-file "$fx/pin.txt" > "$work/add.out"
sed -n 's/^PIN-CODE: //p' "$work/recovery.txt" | tr -d '\r\n' > "$work/pin-code.txt"
for f in linux-x86_64/certvault linux-x86_64/certvault-gui windows-x86_64/certvault.exe windows-x86_64/certvault-gui.exe; do
  [ -f "$stick/CERTVAULT/program/$f" ] || fail "init did not put program/$f on the stick"
done
cmp "$windows_dir/certvault-gui.exe" "$stick/CERTVAULT/program/windows-x86_64/certvault-gui.exe" \
  || fail "the stick's certvault-gui.exe differs from the bundle's"
sha1=$(openssl x509 -in "$fx/leaf.crt" -noout -fingerprint -sha1 | cut -d= -f2)
rm -rf "$work/vendor"

echo "== (2) a fresh Linux folder: the stick's own program restores the certificate"
newpc=$work/new-linux-pc
mkdir -p "$newpc"
cp -a "$stick/CERTVAULT" "$newpc/CERTVAULT"
prog=$newpc/CERTVAULT/program/linux-x86_64/certvault
env -i PATH=/usr/bin:/bin HOME="$newpc" "$prog" --lang ja verify "$newpc/CERTVAULT" \
  --passphrase-file "$work/pass.txt" > "$work/verify-linux.out" || { cat "$work/verify-linux.out" >&2; fail "verify on Linux"; }
env -i PATH=/usr/bin:/bin HOME="$newpc" "$prog" --lang en restore --vault "$newpc/CERTVAULT" \
  --passphrase-file "$work/pass.txt" --pin-code-file "$work/pin-code.txt" --to "file:$newpc/restored.p12" \
  --json > "$work/restore-linux.json" 2> "$work/restore-linux.err" \
  || { cat "$work/restore-linux.err" >&2; fail "restore on Linux"; }
expect restore-linux '"outcome": "installed"' "$work/restore-linux.json"
expect restore-linux "$sha1" "$work/restore-linux.json"
# The file target writes the sealed original: the very bytes that were added.
cmp "$fx/legacy.p12" "$newpc/restored.p12" || fail "the restored file is not the sealed original"
echo "   Linux: restored $sha1 with program/linux-x86_64/certvault"

echo "== (3) a fresh Wine prefix: the stick's certvault.exe restores into CurrentUser\\My"
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" LANG=C.UTF-8 LC_ALL=C.UTF-8
unset DISPLAY
export WINEPREFIX=$work/prefix HOME=$work/prefix-home
mkdir -p "$WINEPREFIX" "$HOME"
x86_64-w64-mingw32-gcc -O2 -shared -o "$work/bcryptprimitives.dll" \
  "$root/tools/windows/bcryptprimitives.c" "$root/tools/windows/bcryptprimitives.def" -ladvapi32 -Wl,--enable-stdcall-fixup
wineboot -i >/dev/null 2>&1 || true
wineserver -w
cp "$work/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
winpath() { printf 'Z:%s' "${1//\//\\}"; }
exe=$stick/CERTVAULT/program/windows-x86_64/certvault.exe
wine "$exe" --lang ja verify "$(winpath "$stick/CERTVAULT")" --passphrase-file "$(winpath "$work/pass.txt")" \
  > "$work/verify-windows.out" 2>&1 || { cat "$work/verify-windows.out" >&2; fail "verify under Wine"; }
wine "$exe" --lang en restore --vault "$(winpath "$stick/CERTVAULT")" --passphrase-file "$(winpath "$work/pass.txt")" \
  --pin-code-file "$(winpath "$work/pin-code.txt")" --to windows --no-root --json \
  > "$work/restore-windows.json" 2> "$work/restore-windows.err" || { cat "$work/restore-windows.err" >&2; fail "restore under Wine"; }
expect restore-windows '"outcome": "installed"' "$work/restore-windows.json"
expect restore-windows '"verified": true' "$work/restore-windows.json"
expect restore-windows "$sha1" "$work/restore-windows.json"
wineserver -w
echo "   Windows: restored $sha1 with program/windows-x86_64/certvault.exe"
echo "== stick test passed in $(( $(date +%s) - started )) s"
