#!/usr/bin/env bash
# `certvault recover-pin` side by side with John the Ripper (jumbo, `pfx` format) on the same
# files in one run, and with the single-stream ceiling that `openssl speed` implies (issue 18).
#
# For each MAC kind (a legacy file: SHA-1 MAC; an OpenSSL 3 file: SHA-256 MAC; both 2,048
# iterations) it measures the sustained rate over the whole 6-digit search of a file whose
# password is not a number (so every candidate is tried), then times a real find of 654321.
#
#   certvault / JtR        target >= 1.0  (JtR's better mode: --fork=CORES or OpenMP threads)
#   certvault / ceiling    target >= 2.5  (ceiling: one SHA stream per core, from
#                          `openssl speed -bytes 16384 -multi CORES`, over the compressions
#                          a candidate costs)
#
# Usage: benches/recover_pin.sh          (builds the release binary first)
# JtR is used when JOHN names its binary (its run/ folder with pfx2john.py beside it) or
# `john` on PATH has the pfx format; without it that row says so and is skipped.
# Build JtR jumbo from https://github.com/openwall/john: cd src && ./configure && make -sj.
# pfx2john.py needs python3-asn1crypto.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin certvault
bin=$PWD/target/release/certvault
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash tests/fixtures/make-fixtures.sh "$work" >/dev/null
cd "$work"
printf '654321' > six.txt
printf 'not-a-pin' > other.txt
for pass in six other; do
  openssl pkcs12 -export -legacy -in leaf.crt -inkey leaf.key -passout "file:$pass.txt" -out "$pass-sha1.p12"
  openssl pkcs12 -export -in leaf.crt -inkey leaf.key -passout "file:$pass.txt" -out "$pass-sha256.p12"
done

cores=$(nproc)
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $cores logical cores"
echo "CPU features used by SIMD hashing: $(grep -o -w -E 'sha_ni|avx2|avx512f|avx512bw|avx512vl' /proc/cpuinfo | sort -u | tr '\n' ' ')"

JOHN=${JOHN:-$(command -v john || true)}
if [ -n "$JOHN" ] && ! "$JOHN" --list=formats 2>/dev/null | grep -qw pfx; then JOHN=""; fi
if [ -n "$JOHN" ] && ! /usr/bin/python3 -c 'import asn1crypto' 2>/dev/null; then
  echo "JtR: pfx2john.py needs python3-asn1crypto; JtR row skipped" >&2
  JOHN=""
fi
[ -n "$JOHN" ] || echo "JtR: not found (set JOHN=/path/to/john-jumbo/run/john); compared with the ceiling only"

# Sustained certvault rate: the whole 6-digit space of a file no PIN opens.
certvault_rate() {
  local out
  out=$("$bin" --lang en recover-pin --json "$1" || true)
  python3 -c 'import json,sys; r=json.loads(sys.argv[1]); assert r["pin"] is None, r; print(round(r["tried"]/r["seconds"]))' "$out"
}

# Sustained JtR rate: 20 s of the 6-digit mask on a file no PIN opens, in each of JtR's two
# ways of using the cores (one process per core; OpenMP threads): the better one counts.
john_rate() {
  local dir hash mode best=0 rate
  dir=$(mktemp -d "$work/john.XXXX")
  hash=$dir/hash
  /usr/bin/python3 "$(dirname "$JOHN")/pfx2john.py" "$1" > "$hash"
  for mode in fork openmp; do
    rm -f "$dir/pot" "$dir"/session*
    if [ "$mode" = fork ]; then
      (cd "$dir" && OMP_NUM_THREADS=1 "$JOHN" --format=pfx '--mask=?d?d?d?d?d?d' --fork="$cores" \
         --max-run-time=20 --pot="$dir/pot" --session="$dir/session" "$hash" </dev/null >"$dir/out" 2>&1 || true)
    else
      (cd "$dir" && OMP_NUM_THREADS=$cores "$JOHN" --format=pfx '--mask=?d?d?d?d?d?d' \
         --max-run-time=20 --pot="$dir/pot" --session="$dir/session" "$hash" </dev/null >"$dir/out" 2>&1 || true)
    fi
    # Status lines ("[NODE ]0g 0:00:00:20 ... 12345c/s ...", maybe after "Wait..."): the
    # processes' rates add up.
    rate=$(grep -oE '([0-9]+ )?0g [0-9]+:[0-9:]+ .*c/s' "$dir/out" | sed -E 's/.* ([0-9.]+)c\/s.*/\1/' |
      awk '{ s += $1 } END { if (NR > 0) printf "%d\n", s }')
    echo "JtR $mode: ${rate:-no rate in its output}" >&2
    if [ -n "$rate" ] && [ "$rate" -gt "$best" ]; then best=$rate; fi
  done
  [ "$best" -gt 0 ] && echo "$best"
}

# The ceiling: SHA compressions/s of one stream per core (16 KiB messages: one compression per
# 64 bytes, SHA-NI where the CPU has it), over the compressions one candidate costs (2,048 KDF
# iterations + the HMAC over the contents).
ceiling() {
  local algo=$1 file=$2 kbytes per_candidate
  kbytes=$(openssl speed -seconds 3 -bytes 16384 -multi "$cores" "$algo" 2>/dev/null | awk -v a="$algo" '$1 == a {print $2}' | tr -d k)
  per_candidate=$(python3 -c "import os; print(2048 + 3 + (os.path.getsize('$file') + 9) // 64 + 3)")
  python3 -c "print(round(float('$kbytes') * 1000 / 64 / $per_candidate))"
}

status=0
for mac in sha1 sha256; do
  echo
  echo "== $mac MAC, 2,048 iterations"
  ours=$(certvault_rate "other-$mac.p12")
  limit=$(ceiling "$mac" "other-$mac.p12")
  echo "certvault:           $ours candidates/s (whole 6-digit space, no PIN found)"
  echo "ceiling (1 stream/core, openssl speed $mac): $limit candidates/s"
  python3 -c "r=$ours/$limit; print(f'certvault / ceiling: {r:.2f}  (target >= 2.5: {\"met\" if r >= 2.5 else \"NOT met\"})')"
  if [ -n "$JOHN" ]; then
    theirs=$(john_rate "other-$mac.p12") || { echo "JtR: no rate in its output" >&2; status=1; theirs=""; }
    if [ -n "$theirs" ]; then
      echo "JtR jumbo (pfx, its better mode): $theirs candidates/s"
      python3 -c "r=$ours/$theirs; print(f'certvault / JtR:     {r:.2f}  (target >= 1.0: {\"met\" if r >= 1.0 else \"NOT met\"})')"
    fi
  fi
  start=$(date +%s.%N)
  found=$("$bin" --lang en recover-pin --json "six-$mac.p12")
  end=$(date +%s.%N)
  python3 - "$start" "$end" "$found" <<'PY'
import json, sys
start, end, got = sys.argv[1:]
r = json.loads(got)
assert r["pin"] == "654321", r
print(f"find 654321: {r['tried']} tries, wall {float(end) - float(start):.2f} s")
PY
done
exit $status
