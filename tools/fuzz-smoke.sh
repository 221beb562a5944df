#!/usr/bin/env bash
# CI's bounded fuzz run (issue 7, part 3): builds every cargo-fuzz target of fuzz/ and runs each
# for FUZZ_SECONDS (default 60) from its committed seed corpus, fuzz/corpus/TARGET. New inputs
# go to a temporary folder, so the committed corpus is never changed by a run.
#
# A crash stops the script with exit 1 and leaves the input in fuzz/artifacts/TARGET/: fix the
# bug, then copy the input to fuzz/regressions/TARGET/ (tests/fuzz_corpus.rs runs it in plain
# `cargo test` from then on).
#
# Prints one line per target: executions, seconds, new corpus entries. Needs the nightly
# toolchain (rustup) and cargo-fuzz (installed from crates.io when missing).
# Usage: bash tools/fuzz-smoke.sh [TARGET…]   (FUZZ_SECONDS=N to change the budget)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${FUZZ_SECONDS:-60}

if ! rustup toolchain list | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal
fi
if ! command -v cargo-fuzz >/dev/null; then
  cargo install cargo-fuzz --locked
fi

# The sanitizer is off: the parsers are safe Rust (vault-format forbids unsafe code), so the
# findings are panics, overflows (debug assertions are on: -a) and runaways, which libFuzzer
# catches without ASan; a build without it is about twice as fast to build and to run.
build_start=$(date +%s)
cargo +nightly fuzz build -O -a -s none
build_end=$(date +%s)
echo "fuzz build: $((build_end - build_start)) s"

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
bin_dir=fuzz/target/x86_64-unknown-linux-gnu/release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
for t in "${targets[@]}"; do
  mkdir -p "$work/$t" "fuzz/artifacts/$t"
  log="$work/$t.log"
  # -rss_limit_mb: a parser that allocates without bound is a finding too. -timeout: one input
  # taking more than 10 s is a hang.
  if "$bin_dir/$t" "$work/$t" "fuzz/corpus/$t" \
      -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=10 -max_len=65536 \
      -artifact_prefix="fuzz/artifacts/$t/" -print_final_stats=1 >"$log" 2>&1; then
    status=ok
  else
    status=CRASH
    failed=1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  new=$(find "$work/$t" -type f | wc -l)
  printf '%-10s %-6s %12s executions in %4s s, %5s new corpus entries\n' \
    "$t" "$status" "${runs:-?}" "${secs:-?}" "$new"
  if [ "$status" = CRASH ]; then
    grep -E 'panicked|ERROR: libFuzzer|SUMMARY|Test unit written' "$log" | head -20
  fi
done
echo "fuzz smoke total: $(( $(date +%s) - build_start )) s"
exit $failed
