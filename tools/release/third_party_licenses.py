#!/usr/bin/env python3
"""Writes the licences of every crate compiled into the programs (THIRD-PARTY-LICENSES.txt).

Usage: third_party_licenses.py TRIPLE OUT
Walks `cargo metadata` for TRIPLE from the two programs (certvault, certvault-gui) along
normal (not dev, not build) dependencies, and copies each crate's licence files as the crate
ships them. A crate without a licence file is named with its licence expression; none is
skipped silently. Deterministic: sorted by name and version.
"""
import json
import os
import subprocess
import sys

PROGRAMS = {"certvault", "certvault-gui"}
NAMES = ("LICENSE", "LICENCE", "COPYING", "NOTICE", "UNLICENSE")


def main():
    triple, out = sys.argv[1], sys.argv[2]
    meta = json.loads(subprocess.check_output(
        ["cargo", "metadata", "--format-version", "1", "--locked", "--filter-platform", triple]))
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    members = set(meta["workspace_members"])
    todo = [i for i in members if packages[i]["name"] in PROGRAMS]
    seen = set()
    while todo:
        i = todo.pop()
        if i in seen:
            continue
        seen.add(i)
        for dep in nodes[i]["deps"]:
            if any(k["kind"] is None for k in dep["dep_kinds"]):
                todo.append(dep["pkg"])
    crates = sorted((packages[i] for i in seen - members), key=lambda p: (p["name"], p["version"]))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write("Licences of the libraries compiled into certvault and certvault-gui (%s)\n" % triple)
        f.write("and of the Rust standard library (MIT OR Apache-2.0, https://www.rust-lang.org/policies/licenses).\n")
        f.write("%d crates.\n\n" % len(crates))
        for p in crates:
            f.write("=" * 78 + "\n%s %s — %s\n" % (p["name"], p["version"], p.get("license") or "(no licence expression)"))
            if p.get("repository"):
                f.write("%s\n" % p["repository"])
            folder = os.path.dirname(p["manifest_path"])
            files = sorted(n for n in os.listdir(folder)
                           if n.upper().startswith(NAMES) and os.path.isfile(os.path.join(folder, n)))
            if p.get("license_file"):
                files = sorted(set(files) | {os.path.relpath(os.path.join(folder, p["license_file"]), folder)})
            if not files:
                f.write("(the crate ships no licence file; its licence is %s)\n" % p.get("license"))
            for name in files:
                with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as lf:
                    f.write("\n--- %s\n\n%s\n" % (name, lf.read().strip()))
            f.write("\n")


if __name__ == "__main__":
    main()
