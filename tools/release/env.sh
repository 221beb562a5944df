# Sourced by tools/release.sh, tools/windows/wine-test.sh and .ci/run: how certvault's release
# builds are made, so that CI's release test build and the bundle share every dependency they
# can (same flags, same profile, same target folder) and the bundle is reproducible.
#   - paths remapped: where this checkout and cargo's registry are is not part of a program;
#   - no symbol table: smaller programs, and the names of symbols that ThinLTO promotes
#     between codegen units carry a hash that differs from folder to folder;
#   - SOURCE_DATE_EPOCH: the commit's time, for anything that stamps a time;
#   - CERTVAULT_COMMIT: the commit `--version` shows (build.rs reads it).
# Needs $root (the checkout).
release_cargo_home=${CARGO_HOME:-$HOME/.cargo}
release_remap="--remap-path-prefix=$root=/certvault --remap-path-prefix=$release_cargo_home=/cargo"
export CARGO_INCREMENTAL=0
export CARGO_PROFILE_RELEASE_STRIP=symbols
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct)}
export CERTVAULT_COMMIT=${CERTVAULT_COMMIT:-$(git -C "$root" rev-parse --short=12 HEAD)}
# Linux (the host) builds: RUSTFLAGS="$release_rustflags" cargo …, which CI's release tests
# use too. Not exported: RUSTFLAGS would win over the Windows target's own flags below.
release_rustflags=$release_remap
unset RUSTFLAGS
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUSTFLAGS="$release_remap -C link-arg=-Wl,--no-insert-timestamp"
