#!/usr/bin/env bash
# The release bundle (docs/release.md): release builds of certvault and certvault-gui for
# Windows (cross-built as in tools/windows/) and Linux, packed with the quick-start texts, the
# user guide as HTML and every licence, into dist/:
#   certvault-VERSION-windows-x86_64.zip, certvault-VERSION-linux-x86_64.tar.gz, SHA256SUMS
# (the archives, and each program file inside them).
#
# Reproducible (two builds of one commit in two folders give identical SHA256SUMS): paths
# remapped, no symbols, no time stamps (tools/release/env.sh; the PE header's time stamp is
# left out), archive entries sorted with fixed times and modes.
#
# Usage: bash tools/release.sh [--linux-only|--windows-only]   (DIST=folder to write elsewhere)
# Needs: cargo (rustup's, for Linux); Debian's rustc-web cargo-web rust-web-src and
# gcc-mingw-w64-x86-64 for Windows; python3 with the markdown package; git.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
platforms=(linux windows)
case "${1:-}" in
  --linux-only) platforms=(linux) ;;
  --windows-only) platforms=(windows) ;;
  "") ;;
  *) echo "usage: tools/release.sh [--linux-only|--windows-only]" >&2; exit 2 ;;
esac
dist=${DIST:-$root/dist}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
# The flags, time stamp and commit of every release build (tools/release/env.sh).
# shellcheck source=tools/release/env.sh
source tools/release/env.sh
commit=$CERTVAULT_COMMIT
python3 -c 'import markdown' 2>/dev/null || python3 -m pip install --quiet markdown

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 tools/release/guide_html.py docs/guide "$work/extra/guide"
rm -rf "$dist"
mkdir -p "$dist"

for platform in "${platforms[@]}"; do
  mkdir -p "$work/$platform"
  cp -r "$work/extra/guide" "$work/$platform/guide"
  t0=$(date +%s)
  case $platform in
    linux)
      # target/release: CI's release test build (.ci/run) left the dependencies there.
      RUSTFLAGS="$release_rustflags" cargo build --release --locked -p certvault -p certvault-gui --bins
      bins=(target/release/certvault target/release/certvault-gui)
      triple=x86_64-unknown-linux-gnu
      name=linux-x86_64 ;;
    windows)
      # shellcheck source=tools/windows/build-env.sh
      source tools/windows/build-env.sh
      /usr/bin/cargo build --release --locked --target x86_64-pc-windows-gnu \
        --target-dir target/windows -p certvault -p certvault-gui --bins
      bins=(target/windows/x86_64-pc-windows-gnu/release/certvault.exe
            target/windows/x86_64-pc-windows-gnu/release/certvault-gui.exe)
      triple=x86_64-pc-windows-gnu
      name=windows-x86_64 ;;
  esac
  echo "== release: $platform built in $(( $(date +%s) - t0 )) s"
  python3 tools/release/third_party_licenses.py $triple "$work/$platform/licenses/THIRD-PARTY-LICENSES.txt"
  python3 tools/release/bundle.py $name "$version" "$commit" "$dist" "${bins[@]}" -- "$work/$platform" >/dev/null
  for b in "${bins[@]}"; do
    printf '%s  %s\n' "$(sha256sum < "$b" | cut -d' ' -f1)" "certvault-$version-$name/$(basename "$b")" >> "$work/sums"
  done
done
(cd "$dist" && sha256sum certvault-* >> "$work/sums")
LC_ALL=C sort -k2 "$work/sums" > "$dist/SHA256SUMS"
ls -l "$dist"
cat "$dist/SHA256SUMS"
