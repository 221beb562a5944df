# Sourced by wine-test.sh and tools/release.sh: how certvault is cross-built for Windows here.
# Debian's Rust by name (rustup's proxies come first in PATH), building std for the target
# (rustup's Windows std cannot be fetched here), linked by mingw.
export CARGO=/usr/bin/cargo RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
# `test` too, although only the test builds use it: cargo adds it to a test build's std by
# itself, which gives std another hash and rebuilt every dependency a second time for the
# programs (12 minutes here); asked for always, one std serves both.
export RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort,test
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
