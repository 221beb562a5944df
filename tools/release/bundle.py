#!/usr/bin/env python3
"""Packs one platform's release bundle, byte for byte the same on every run.

Usage: bundle.py PLATFORM VERSION COMMIT DIST PROGRAM... -- EXTRA_DIR
PLATFORM is windows-x86_64 or linux-x86_64. Writes DIST/certvault-VERSION-PLATFORM.zip
(Windows) or .tar.gz (Linux) holding the programs, the quick-start texts
(templates/release/), the licences and EXTRA_DIR's files (the guide, the third-party
licences). Every entry has the time SOURCE_DATE_EPOCH, fixed permissions and a sorted place;
names are UTF-8 (the zip's language-encoding flag is set for the Japanese file name).
"""
import gzip
import io
import os
import sys
import tarfile
import zipfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
UNSIGNED_JA = ("※「Windows によって PC が保護されました」と出たときは、「詳細情報」→「実行」を押してください。\n"
               "  このプログラムには、まだ発行元の電子署名がありません。心配なときは、システム業者に\n"
               "  SHA256SUMS でファイルを確かめてもらってください。\n")
UNSIGNED_EN = ("If Windows says \"Windows protected your PC\", choose \"More info\", then \"Run anyway\": the\n"
               "program is not code-signed yet. A vendor can check the files against SHA256SUMS first.\n")


def quick_start(lang, windows, version, commit):
    with open(os.path.join(ROOT, "templates", "release", "quick-start.%s.txt" % lang), encoding="utf-8") as f:
        text = f.read()
    ext = ".exe" if windows else ""
    fill = {
        "version": version, "commit": commit, "gui": "certvault-gui" + ext, "cli": "certvault" + ext,
        "guide_ja": "guide/ja/index.html", "guide_en": "guide/en/index.html",
        "unsigned": UNSIGNED_JA if windows else "", "unsigned_en": UNSIGNED_EN if windows else "",
    }
    for k, v in fill.items():
        text = text.replace("{%s}" % k, v)
    text = text.replace("\n\n\n", "\n\n")
    if windows:
        # Notepad: CRLF, and a BOM so that older versions read UTF-8.
        return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")
    return text.encode("utf-8")


def main():
    args = sys.argv[1:]
    sep = args.index("--")
    platform, version, commit, dist, *programs = args[:sep]
    extra = args[sep + 1]
    windows = platform.startswith("windows")
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))
    top = "certvault-%s-%s" % (version, platform)
    files = {}  # name in the bundle -> (bytes, executable)
    for p in programs:
        with open(p, "rb") as f:
            files[os.path.basename(p)] = (f.read(), True)
    files["はじめにお読みください.txt"] = (quick_start("ja", windows, version, commit), False)
    files["README-en.txt"] = (quick_start("en", windows, version, commit), False)
    licences = [os.path.join(ROOT, n) for n in ("LICENSE-MIT", "LICENSE-APACHE")]
    licences += [os.path.join(ROOT, "assets", "fonts", n)
                 for n in ("IPA_Font_License_Agreement_v1.0.txt", "DejaVu-LICENSE.txt",
                           "GUST-FONT-LICENSE.txt", "CertvaultCode-README.txt")]
    for p in licences:
        with open(p, "rb") as f:
            files["licenses/" + os.path.basename(p)] = (f.read(), False)
    for folder, _, names in os.walk(extra):
        for n in names:
            path = os.path.join(folder, n)
            with open(path, "rb") as f:
                files[os.path.relpath(path, extra).replace(os.sep, "/")] = (f.read(), False)

    os.makedirs(dist, exist_ok=True)
    if windows:
        out = os.path.join(dist, top + ".zip")
        stamp = __import__("time").gmtime(max(epoch, 315532800))[:6]
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            for name in sorted(files):
                data, exe = files[name]
                info = zipfile.ZipInfo(top + "/" + name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # Unix, so the mode below is kept
                info.external_attr = (0o755 if exe else 0o644) << 16
                z.writestr(info, data)
    else:
        out = os.path.join(dist, top + ".tar.gz")
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
            dirs = sorted({"/".join(n.split("/")[:i]) for n in files for i in range(1, n.count("/") + 1)})
            for d in [""] + dirs:
                info = tarfile.TarInfo((top + "/" + d).rstrip("/"))
                info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, epoch
                t.addfile(info)
            for name in sorted(files):
                data, exe = files[name]
                info = tarfile.TarInfo(top + "/" + name)
                info.size, info.mode, info.mtime = len(data), 0o755 if exe else 0o644, epoch
                t.addfile(info, io.BytesIO(data))
        with open(out, "wb") as f, gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=epoch) as g:
            g.write(raw.getvalue())
    print(out)


if __name__ == "__main__":
    main()
