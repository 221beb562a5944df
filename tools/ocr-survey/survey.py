#!/usr/bin/env python3
"""OCR survey of the typography of the recovery sheet's printed codes (issue 16, item 9).

A stand-alone model of the sheet's code box, so that faces, sizes, spacings and layouts can
be compared without rebuilding certvault (assets/fonts/README.md gives the results; the
chosen setting is then measured on sheets rendered by certvault with benches/ocr_codes.sh):
  * one A4 PDF page per code, drawn like core/src/sheet/compose.rs's code box: a grey (0.94)
    box, the code 3 mm inside it, the font embedded (FontFile2 TrueType / FontFile3
    OpenType), extra letter spacing with the PDF `Tc` operator (= spacing_em * size);
  * `pdftotext -bbox` finds the code's words, each text line is cropped +-6 pt / +-4 pt and
    rasterised by `pdftoppm -r 300`, like tests/sheet.rs's crop_code;
  * `tesseract LIST - -l LANG --psm 7`, one process per language for all crops;
  * the reading is normalised like vault_format::code::classify (O->0, I/L->1, separators).
5 fixed hard cases, then N random codes from SEED.

usage: survey.py FONT PT SPACING_EM [--n 200] [--seed 1] [--langs eng,jpn+eng] [--tag NAME]
                 [--sep '-'] [--layout line|gap|two] [--white] [--grey G] [--aa yes|no]
                 [--out results.jsonl] [--keep]
Prints one JSON line per run (exact reads per language, every misread) and appends it to
--out. Needs python3-fonttools, poppler-utils and tesseract with eng and jpn data.
"""
import argparse, json, os, random, re, subprocess, sys, tempfile, time, shutil
from fontTools.ttLib import TTFont

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
FIXED = [
    "01234-56789-ABCDE-FGHJK-MNPQR",
    "STVWX-YZQ0Q-0QQ00-Q0DQ0-QD0Q8",
    "Q0Q0Q-B8Q0Q-DQ0D0-0QQ0Q-0Q0Q0",
    "QQQQQ-00000-GQ6G0-C0CQS-Q5Q2Z",
    "88888-SSSSS-37J37-J7J3J-8S8S8",
]
PT_TO_MM = 25.4 / 72.0
GREY = "0.94"
PITCH = 1.0
AA = "yes"


def classify(c):
    o = ord(c)
    if 0xFF01 <= o <= 0xFF5E:
        c = chr(o - 0xFEE0)
    if c == "-" or "\u2010" <= c <= "\u2015" or c in "\u2212\u30fc\uff70":
        return "sep"
    if c.isspace():
        return "sep"
    if c.isascii() and c.isalnum():
        c = c.upper()
        c = {"O": "0", "I": "1", "L": "1"}.get(c, c)
        return c if c in ALPHABET else None
    return None


def certvault_reads(text):
    out = []
    for c in text.strip():
        k = classify(c)
        if k is None:
            return None
        if k != "sep":
            out.append(k)
    return "".join(out)


def codes(n, seed):
    rng = random.Random(seed)
    res = []
    for _ in range(n):
        s = "".join(rng.choice(ALPHABET) for _ in range(25))
        res.append("-".join(s[i:i + 5] for i in range(0, 25, 5)))
    return res


def font_info(path):
    f = TTFont(path)
    upm = f["head"].unitsPerEm
    cmap = f.getBestCmap()
    hmtx = f["hmtx"]
    widths = []
    for ch in range(32, 127):
        g = cmap.get(ch)
        widths.append(round(hmtx[g][0] * 1000 / upm) if g else 0)
    hhea = f["hhea"]
    bb = f["head"]
    missing = [c for c in ALPHABET + "-" if ord(c) not in cmap]
    return {
        "cff": "CFF " in f,
        "widths": widths,
        "ascent": round(hhea.ascent * 1000 / upm),
        "descent": round(hhea.descent * 1000 / upm),
        "bbox": [round(v * 1000 / upm) for v in (bb.xMin, bb.yMin, bb.xMax, bb.yMax)],
        "missing": missing,
        "name": re.sub(r"[^A-Za-z0-9-]", "", f["name"].getDebugName(6) or "Font"),
    }


def text_width_mm(info, text, pt, spacing):
    w = sum(info["widths"][ord(c) - 32] for c in text) / 1000.0
    return (w + spacing * len(text)) * pt * PT_TO_MM


def pdf_escape(s):
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(path, font_path, info, lines, pt, spacing, white):
    """One page per entry of `lines` (the text drawn on that page)."""
    H = 841.89
    W = 595.28
    mm = lambda v: v * 72.0 / 25.4
    font_bytes = open(font_path, "rb").read()
    objs = []  # index 0 -> object 1

    def add(b):
        objs.append(b)
        return len(objs)

    if info["cff"]:
        ff = add(b"<< /Length %d /Subtype /OpenType >>\nstream\n" % len(font_bytes) + font_bytes + b"\nendstream")
        ffkey, subtype = b"/FontFile3", b"/Type1"
    else:
        ff = add(b"<< /Length %d /Length1 %d >>\nstream\n" % (len(font_bytes), len(font_bytes)) + font_bytes + b"\nendstream")
        ffkey, subtype = b"/FontFile2", b"/TrueType"
    name = info["name"].encode()
    fd = add(
        b"<< /Type /FontDescriptor /FontName /%s /Flags 32 /FontBBox [%s] /ItalicAngle 0 /Ascent %d /Descent %d /CapHeight %d /StemV 80 %s %d 0 R >>"
        % (name, " ".join(map(str, info["bbox"])).encode(), info["ascent"], info["descent"], info["ascent"], ffkey, ff)
    )
    font = add(
        b"<< /Type /Font /Subtype %s /BaseFont /%s /FirstChar 32 /LastChar 126 /Widths [%s] /Encoding /WinAnsiEncoding /FontDescriptor %d 0 R >>"
        % (subtype, name, " ".join(map(str, info["widths"])).encode(), fd)
    )
    pages_id_placeholder = len(objs) + 1
    add(b"")  # pages, filled later
    kids = []
    # geometry of compose.rs::code_box (framed, pad 3.5 mm) inside the 14 mm page margin
    x_box = 14.0 + 3.5
    y_box = 60.0
    s = pt * PT_TO_MM
    lh = s * 1.32
    for page in lines:
        if isinstance(page, str):
            page = [(0.0, 0, page)]
        nlines = 1 + max(li for _, li, _ in page)
        tw = max(dx + text_width_mm(info, t, pt, spacing) for dx, _, t in page)
        box_w = tw + 6.0 + 8.0
        box_h = lh * (1 + (nlines - 1) * PITCH) + 3.0
        ops = []
        if not white:
            ops.append("q %s g %.3f %.3f %.3f %.3f re f Q" % (GREY, mm(x_box), H - mm(y_box + box_h), mm(box_w), mm(box_h)))
        for dx, li, text in page:
            baseline = y_box + 1.5 + li * lh * PITCH + (lh - s) / 2.0 + 0.86 * s
            ops.append(
                "q 0 g BT /F1 %.3f Tf %.4f Tc 1 0 0 1 %.3f %.3f Tm (%s) Tj ET Q"
                % (pt, spacing * pt, mm(x_box + 3.0 + dx), H - mm(baseline), pdf_escape(text))
            )
        content = "\n".join(ops).encode()
        c = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        p = add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
            % (pages_id_placeholder, W, H, font, c)
        )
        kids.append(p)
    objs[pages_id_placeholder - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    cat = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id_placeholder)
    out = bytearray(b"%PDF-1.6\n%\xe2\xe3\xcf\xd3\n")
    offs = []
    for i, o in enumerate(objs):
        offs.append(len(out))
        out += b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offs:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, cat, xref)
    open(path, "wb").write(out)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


def crops(pdf, n, work):
    """Like tests/sheet.rs::ocr_code: word box (union of the words of one text line) +-6/+-4 pt.
    Returns one list of (png, nwords) per page, one entry per text line (top to bottom)."""
    xml = run(["pdftotext", "-bbox", pdf, "-"]).stdout.decode()
    pages = xml.split("<page ")[1:]
    assert len(pages) == n, (len(pages), n)
    res = []
    scale = 300.0 / 72.0
    for i, pg in enumerate(pages):
        words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', pg)
        rows = {}
        for w in words:
            key = round(float(w[1]))
            k2 = next((k for k in rows if abs(k - key) < 3), key)
            rows.setdefault(k2, []).append(w)
        page = []
        for j, key in enumerate(sorted(rows)):
            ws = rows[key]
            xs0 = min(float(w[0]) for w in ws); ys0 = min(float(w[1]) for w in ws)
            xs1 = max(float(w[2]) for w in ws); ys1 = max(float(w[3]) for w in ws)
            x0, y0 = (xs0 - 6) * scale, (ys0 - 4) * scale
            x1, y1 = (xs1 + 6) * scale, (ys1 + 4) * scale
            prefix = os.path.join(work, "crop-%03d-%d" % (i, j))
            run(["pdftoppm", "-r", "300", "-aa", AA, "-aaVector", AA, "-f", str(i + 1), "-l", str(i + 1), "-x", str(int(x0)), "-y", str(int(y0)),
                 "-W", str(int(x1 - x0)), "-H", str(int(y1 - y0)), "-png", "-singlefile", pdf, prefix])
            page.append((prefix + ".png", len(ws)))
        res.append(page)
    return res


def ocr(pngs, lang, work):
    lst = os.path.join(work, "list.txt")
    open(lst, "w").write("\n".join(p for p, _ in pngs) + "\n")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    out = run(["nice", "-n", "10", "tesseract", lst, "-", "-l", lang, "--psm", "7"], env=env).stdout.decode()
    parts = out.split("\f")
    if parts and parts[-1].strip() == "":
        parts = parts[:-1]
    assert len(parts) == len(pngs), (len(parts), len(pngs))
    return [p.strip() for p in parts]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("font"); ap.add_argument("pt", type=float); ap.add_argument("spacing", type=float)
    ap.add_argument("--sep", default="-")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--langs", default="eng,jpn+eng")
    ap.add_argument("--tag", default="")
    ap.add_argument("--white", action="store_true")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--nofixed", action="store_true")
    ap.add_argument("--lower", action="store_true", help="print the letters in lower case")
    ap.add_argument("--layout", default="line", choices=["line", "gap", "two"],
                    help="line: one string; gap: each group its own word, --gap em apart; two: groups 1-3 / 4-5 on two lines")
    ap.add_argument("--gap", type=float, default=0.5, help="gap between groups in em (layout gap)")
    ap.add_argument("--grey", default="0.94")
    ap.add_argument("--pitch", type=float, default=1.6, help="line pitch of layout two, in multiples of 1.32*size")
    ap.add_argument("--aa", default="yes")
    ap.add_argument("--out", default="results.jsonl", help="file the JSON line is appended to")
    a = ap.parse_args()
    global GREY, AA, PITCH
    GREY, AA, PITCH = a.grey, a.aa, a.pitch
    info = font_info(a.font)
    if info["missing"]:
        print("font lacks", info["missing"], file=sys.stderr)
    rnd = codes(a.n, a.seed)
    allc = ([] if a.nofixed else FIXED) + rnd
    lines = []
    for c in allc:
        c = c.lower() if a.lower else c
        g = c.split("-")
        if a.layout == "line":
            lines.append([(0.0, 0, a.sep.join(g))])
        elif a.layout == "two":
            lines.append([(0.0, 0, a.sep.join(g[:3])), (0.0, 1, a.sep.join(g[3:]))])
        else:
            segs, dx = [], 0.0
            for k, gg in enumerate(g):
                t = gg if k == 0 else a.sep + gg if a.sep.strip() else gg
                segs.append((dx, 0, t))
                dx += text_width_mm(info, t, a.pt, a.spacing) + a.gap * a.pt * PT_TO_MM
            lines.append(segs)
    work = tempfile.mkdtemp(prefix="ocr-survey-")
    t0 = time.time()
    pdf = os.path.join(work, "codes.pdf")
    make_pdf(pdf, a.font, info, lines, a.pt, a.spacing, a.white)
    pngs = crops(pdf, len(lines), work)
    res = {"font": os.path.basename(a.font), "pt": a.pt, "spacing": a.spacing, "sep": a.sep, "n": a.n,
           "seed": a.seed, "white": a.white, "tag": a.tag, "lower": a.lower,
           "layout": a.layout, "pitch": a.pitch, "gap": a.gap, "grey": a.grey, "aa": a.aa,
           "width_mm": round(max(dx + text_width_mm(info, t, a.pt, a.spacing) for pg in lines for dx, _, t in pg), 1),
           "words_per_line": sorted(set(nw for pg in pngs for _, nw in pg)),
           "lines_per_code": sorted(set(len(pg) for pg in pngs))}
    flat = [x for pg in pngs for x in pg]
    for lang in a.langs.split(","):
        flat_reads = ocr(flat, lang, work)
        reads, it = [], iter(flat_reads)
        for pg in pngs:
            reads.append([next(it) for _ in pg])
        fixed_ok, rnd_ok, bad = 0, 0, []
        for k, (code, rr) in enumerate(zip(allc, reads)):
            nr = [certvault_reads(x) for x in rr]
            ok = None not in nr and "".join(nr) == code.replace("-", "")
            r = " | ".join(rr)
            if ok:
                if k < (0 if a.nofixed else len(FIXED)):
                    fixed_ok += 1
                else:
                    rnd_ok += 1
            else:
                bad.append([code, r])
        res[lang] = {"random": rnd_ok, "fixed": fixed_ok, "bad": bad}
    res["secs"] = round(time.time() - t0)
    if not a.keep:
        shutil.rmtree(work)
    else:
        res["work"] = work
    line = json.dumps(res, ensure_ascii=False)
    print(line)
    with open(a.out, "a") as f:
        f.write(line + "\n")


if __name__ == "__main__":
    main()
