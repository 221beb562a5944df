#!/usr/bin/env bash
# Type-checks certvault for macOS (x86_64-apple-darwin), which no machine here can build or run:
# the keychain restore backend (core/src/install/macos.rs, Security.framework through
# security-framework) and the macOS paths of scan are otherwise never compiled at all.
# `cargo check` needs no Apple linker or SDK; std's sources come from Debian's rust-web-src,
# checked for the target with build-std (as tools/windows/wine-test.sh builds it for Windows).
# A warning in certvault's own crates fails the check, as clippy -D warnings does on Linux.
# Only the core has macOS code below the window (the command line's own crate has none), so
# only the core is checked: CI's budget (issue 15).
# Usage: bash tools/macos-check.sh   (needs rustc-web cargo-web rust-web-src; .ci/run installs them)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if ! { [ -x /usr/bin/cargo ] && [ -d /usr/lib/rustlib/src/rust/library ]; }; then
  echo "macos-check.sh: install Debian's rustc-web cargo-web rust-web-src" >&2
  exit 2
fi
export CARGO=/usr/bin/cargo RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
started=$(date +%s)
/usr/bin/cargo check -Zbuild-std=std,panic_abort --target x86_64-apple-darwin \
  --target-dir target/macos --locked -p certvault-core --lib 2>&1 | tee "$log"
if grep -E '^warning: `(certvault|certvault-core|vault-format)`' "$log"; then
  echo "macos-check: the macOS build of certvault has warnings (above)" >&2
  exit 1
fi
echo "== macOS type-check passed in $(( $(date +%s) - started )) s"
