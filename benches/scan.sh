#!/usr/bin/env bash
# Leak-scan benchmark: `certvault scan` against `find ROOT -name '*.p12' -o -name '*.pfx'` and
# `fdfind -e p12 -e pfx` on the same generated tree, side by side in one run: median wall time,
# files per second and peak memory (max RSS) of each, warm page cache.
#
# certvault does more than the other two: by default it opens every regular file and reads its
# first 64 bytes (PKCS#12 by content, also extension-less or renamed to photo.jpg; on Linux a
# folder's files in io_uring batches), parses the candidates, and looks inside .zip archives;
# --trust-names leaves files named as other formats (photos, documents, code…) unopened. find
# and fd only match names. Each row gives its median wall time, its ratio to find's, and the
# CPU time (user + system, median) it took: on a machine shared with other work the wall
# times follow the share of the cores each command gets, the CPU times much less so.
#
# The floor rows (benches/scan_floor.c, built here with cc) show what the kernel alone costs on
# all cores, with plain system calls and nothing else: listing every folder, then also stat'ing
# every file (what a size window costs where a folder listing has no sizes), then instead
# opening, reading 64 bytes of and closing every file (what reading every file costs), with
# plain system calls and in io_uring batches of 64 as certvault makes them (with liburing).
#
# Usage: benches/scan.sh [TREE_DIR]   (N=200000 files by default; RUNS=5)
# TREE_DIR: where to generate the tree (a new folder); it is kept and reused by the next run.
# Without it the tree goes to a temporary folder that is removed at the end.
# Needs python3, openssl (fixtures), GNU time, findutils, fd-find, a C compiler and liburing
# (Debian: apt-get install time findutils fd-find gcc liburing-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-200000}
RUNS=${RUNS:-5}

for tool in python3 openssl find /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "benches/scan.sh needs $tool" >&2; exit 2; }
done
FD=$(command -v fdfind || command -v fd || true)
[ -n "$FD" ] || echo "fdfind not installed (apt-get install fd-find): its row is skipped" >&2

cargo build --release --quiet --bin certvault
BIN=$PWD/target/release/certvault
# The floor: what the kernel alone costs to list every folder, to stat every file, and to open,
# read 64 bytes of and close every file, on all cores (benches/scan_floor.c).
FLOOR="" URING=""
if command -v cc >/dev/null; then
  FLOOR=$PWD/target/release/scan_floor
  if cc -O2 -pthread -DHAVE_LIBURING -o "$FLOOR" benches/scan_floor.c -luring 2>/dev/null; then
    URING=yes
  else
    echo "liburing not installed (apt-get install liburing-dev): the io_uring floor row is skipped" >&2
    cc -O2 -pthread -o "$FLOOR" benches/scan_floor.c
  fi
else
  echo "no C compiler (cc): the floor rows are skipped" >&2
fi

work=$(mktemp -d)
tree=${1:-$work/tree}
trap 'rm -rf "$work"' EXIT
bash tests/fixtures/make-fixtures.sh "$work/fx" >/dev/null 2>&1

if [ "$(cat "$tree/.generated" 2>/dev/null)" = "$N" ]; then
  echo "reusing the tree in $tree" >&2
else
echo "generating $N files under $tree ..." >&2
python3 - "$tree" "$N" "$work/fx" <<'PY'
import io, os, random, sys, zipfile
root, n, fx = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rnd = random.Random(20260401)
os.makedirs(root, exist_ok=True)
# ~100 files per folder, three levels (users/projects/folders), 1 hidden folder in 20.
per_dir = 100
dirs = []
for i in range((n + per_dir - 1) // per_dir):
    a, b, c = i // 200, (i // 10) % 20, i % 10
    hidden = "." if (i % 20) == 7 else ""
    dirs.append(os.path.join(root, f"user{a:02d}", f"{hidden}proj{b:02d}", f"dir{c}"))
MAGIC = {
    "txt": b"Lorem ipsum dolor sit amet, ", "log": b"2026-04-01 09:30:00 INFO ", "csv": b"id,name,value\n",
    "json": b'{"key": "value", ', "html": b"<!DOCTYPE html><html>", "js": b"function f(x) { return ",
    "pdf": b"%PDF-1.7\n", "png": b"\x89PNG\r\n\x1a\n", "jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF",
    "dat": None, "": None, "bin": None,
}
exts = list(MAGIC)
blob = rnd.randbytes(1 << 16)
def body(ext, size):
    head = MAGIC[ext] if MAGIC[ext] is not None else blob[:16]
    start = rnd.randrange(0, len(blob) - 4096)
    return (head + blob[start:start + 4096])[: min(size, 4096)]
made = 0
for d in dirs:
    os.makedirs(d, exist_ok=True)
    for j in range(per_dir):
        if made >= n:
            break
        made += 1
        r = rnd.random()
        if r < 0.005:  # office documents are zip archives
            name = f"doc{j}.docx"
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("[Content_Types].xml", "<Types/>" * 20)
                z.writestr("word/document.xml", "<w:document>text</w:document>" * 50)
                z.writestr("word/media/image1.png", MAGIC["png"] + blob[:2000])
            open(os.path.join(d, name), "wb").write(buf.getvalue())
            continue
        ext = rnd.choice(exts)
        size = (rnd.randrange(100, 4096) if r < 0.80 else
                rnd.randrange(4096, 65536) if r < 0.99 else
                rnd.randrange(65536, 4 << 20))
        p = os.path.join(d, f"f{j}.{ext}" if ext else f"f{j}")
        with open(p, "wb") as f:
            f.write(body(ext, size))
            if size > 4096:
                f.truncate(size)  # sparse tail: the size is real, the disk use is not
# The certificate files to find: by name, without extension, renamed, inside zips.
fxp = lambda name: open(os.path.join(fx, name), "rb").read()
hits = [
    ("user00/proj01/dir1/202101010000777.p12", fxp("legacy.p12")),
    ("user01/proj03/dir4/client.hpki-cardless-signature", fxp("hpki.p12")),
    ("user02/proj05/dir2/certificate", fxp("aes.p12")),
    ("user03/proj07/dir9/backup.pfx", fxp("ber.p12")),
    ("user04/proj11/dir3/legacy.p12.bak", fxp("legacy.p12")),
    ("user05/proj13/dir0/expired.p12", fxp("expired.p12")),
    ("user06/proj17/dir5/truncated.p12", fxp("truncated.p12")),
    ("user07/proj19/dir8/ec.pfx", fxp("ec.p12")),
]
for rel, data in hits:
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, "wb").write(data)
for k, rel in enumerate(["user08/proj02/dir6/certs.zip", "user09/proj04/dir7/mail-attachment.zip"]):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("202101010000777.p12", fxp("legacy.p12"))
        z.writestr("readme.txt", "keep the PIN apart")
# Sparse 10 GB files: one named like a certificate, one that starts like one.
for rel, head in [("user00/proj00/dir0/huge.p12", b""), ("user00/proj00/dir0/huge-header.pfx", fxp("aes.p12")[:64])]:
    with open(os.path.join(root, rel), "wb") as f:
        f.write(head)
        f.truncate(10 << 30)
PY
echo "$N" > "$tree/.generated"
fi

total=$(find "$tree" -type f ! -name .generated | wc -l)
echo "tree: $total files in $(find "$tree" -type d | wc -l) folders" >&2

python3 - "$tree" "$RUNS" "$total" "$BIN" "${FD:-}" "$FLOOR" "$URING" <<'PY'
import os, statistics, subprocess, sys, time
tree, runs, total, cv, fd, floor, uring = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
import tempfile
stats = tempfile.NamedTemporaryFile(delete=False).name
def run(cmd, cwd):
    # GNU time measures the peak RSS of the command itself (a child forked from Python would
    # count Python's pages until it execs); the wall time is measured here.
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-o", stats, "-f", "%M %U %S"] + cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    rss, user, system = open(stats).read().split()[-3:]
    return wall, int(rss), p.stdout, float(user) + float(system)
tools = [
    ("find -name '*.p12' -o -name '*.pfx'", ["find", tree, "-name", "*.p12", "-o", "-name", "*.pfx"], lambda o: o.count(b"\n")),
]
if fd:
    tools.append(("fdfind -e p12 -e pfx", [fd, "-e", "p12", "-e", "pfx"], lambda o: o.count(b"\n")))
    tools.append(("fdfind -HI -e p12 -e pfx (hidden too)", [fd, "-HI", "-e", "p12", "-e", "pfx"], lambda o: o.count(b"\n")))
import json
tools.append(("certvault scan (every file)", [cv, "scan", tree, "--json"], lambda o: len(json.loads(o)["hits"])))
tools.append(("certvault scan --trust-names", [cv, "scan", tree, "--json", "--trust-names"], lambda o: len(json.loads(o)["hits"])))
if floor:
    files = lambda o: int(o) if o.strip() else 0  # 0: the probe could not run (see its message)
    tools.append(("floor: list folders", [floor, "list", tree], files))
    tools.append(("floor: + statx each file (size)", [floor, "size", tree], files))
    tools.append(("floor: + open, read 64 B, close each", [floor, "head", tree], files))
    if uring:
        tools.append(("floor: the same in io_uring batches", [floor, "uring", tree], files))
# Rounds: every command once per round, so that a machine getting slower or faster during
# the run (other guests on the host) moves all rows alike instead of skewing the ratios.
for name, cmd, count in tools:
    run(cmd, tree)  # warm the page cache and the binary
by_tool = [[] for _ in tools]
for _ in range(runs):
    for i, (name, cmd, count) in enumerate(tools):
        by_tool[i].append(run(cmd, tree))
rows = []
for (name, cmd, count), samples in zip(tools, by_tool):
    wall = statistics.median(s[0] for s in samples)
    rss = max(s[1] for s in samples) / 1024
    cpu = statistics.median(s[3] for s in samples)
    rows.append((name, wall, total / wall, rss, count(samples[0][2]), cpu))
base, base_cpu = rows[0][1], rows[0][5]
print(f"{'command':42} {'wall (median)':>14} {'× find':>7} {'files/s':>12} {'CPU':>8} {'× find':>7} {'peak RSS':>10} {'found':>7}")
for name, wall, fps, rss, found, cpu in rows:
    print(f"{name:42} {wall:>12.3f} s {wall / base:>7.2f} {fps:>12,.0f} {cpu:>6.2f} s {cpu / max(base_cpu, 0.01):>7.2f} {rss:>7.1f} MB {found:>7}")
print(f"({total:,} files, {runs} runs each; certvault also finds extension-less, renamed and zipped certificates)")
if floor:
    print("(floor rows: benches/scan_floor.c on all cores, no parsing, nothing kept; 'found' = files seen)")
# The machine, for comparing runs: CPU, its features, the kernel, whether io_uring is allowed,
# and how busy the machine was (load average over the last minute, at the end).
info = {}
try:
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
except OSError:
    pass
flags = set(info.get("Flags", "").split())
notable = [f for f in ["sse4_2", "avx", "avx2", "avx512f", "avx512bw", "bmi2", "sha_ni", "aes", "erms", "fsrm", "hypervisor"] if f in flags]
try:
    uring = {"0": "allowed", "1": "privileged only", "2": "disabled"}.get(open("/proc/sys/kernel/io_uring_disabled").read().strip(), "?")
except OSError:
    uring = "no such setting"
print(f"CPU: {info.get('Model name', '?')}, {os.cpu_count()} cores ({info.get('Thread(s) per core', '?')} thread(s) per core), {info.get('Hypervisor vendor', 'no') or 'no'} hypervisor; flags: {' '.join(notable)}")
print(f"kernel {os.uname().release}, io_uring {uring}; load average {os.getloadavg()[0]:.2f}")
PY
