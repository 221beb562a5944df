#!/usr/bin/env python3
"""Makes `CertvaultCode-Bold.ttf`, the face of the codes printed on the recovery sheet, from
TeX Gyre Heros Condensed Bold (Debian: fonts-texgyre 20180621, texgyreheroscn-bold.otf).

What it changes, as the GUST Font License (LPPL 1.3c) asks of a derived font (README.md
holds the same log):
  1. keeps only the glyphs of `0-9 A-Z -` and the space (no layout features, no hints);
  2. converts the outlines from cubic (CFF) to quadratic (TrueType `glyf`), within 1 unit
     of 1000 per em, so every PDF embedding path takes it as a plain TrueType font;
  3. gives the J a bar at the top left of its stem (as Verdana's J has): tesseract read the
     plain J as U or JU;
  4. renames the font "certvault Code" and records these changes in its name table.

usage: make-code-font.py [SOURCE.otf] [OUTPUT.ttf]   (needs python3-fonttools)
"""
import sys

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

SOURCE = "/usr/share/texmf/fonts/opentype/public/tex-gyre/texgyreheroscn-bold.otf"
CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ- "
FAMILY = "certvault Code"
POSTSCRIPT = "certvaultCode-Bold"
CHANGES = (
    "certvault Code Bold is a modified version of TeX Gyre Heros Condensed Bold 2.004 "
    "(GUST Font License, an instance of the LPPL 1.3c): cut down to 0-9, A-Z and '-', "
    "outlines converted to TrueType, a bar added to J, renamed. "
    "The original: https://ctan.org/pkg/tex-gyre. "
    "Its authors do not support this version."
)


def subset_font(font):
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=CHARS)
    subsetter.subset(font)


def cff_to_glyf(font):
    """Quadratic outlines: each cubic curve approximated within 1 font unit."""
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    # No hints: one zone, nothing else of TrueType's instruction machinery.
    maxp.maxZones = 1
    for field in (
        "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
        "maxStackElements", "maxSizeOfInstructions", "maxComponentElements", "maxComponentDepth",
    ):
        setattr(maxp, field, 0)
    head = font["head"]
    head.indexToLocFormat = 0
    head.glyphDataFormat = 0
    font["post"].formatType = 2.0
    font["post"].extraNames = []
    font["post"].mapping = {}
    font.sfntVersion = "\x00\x01\x00\x00"


def bar_on_j(font):
    """A bar from the top of J's stem to the left, as thick as the font's cross strokes, so
    that an OCR does not take the J for a U."""
    glyf = font["glyf"]
    points = glyf["J"].getCoordinates(glyf)[0]
    top = max(y for _, y in points)
    stem_left = min(x for x, y in points if y == top)
    left, height = stem_left - 144, 105
    pen = TTGlyphPen(font.getGlyphSet())
    font.getGlyphSet()["J"].draw(pen)
    # Clockwise, like the TrueType outer contours: the two overlap and fill as one.
    pen.moveTo((left, top - height))
    pen.lineTo((left, top))
    pen.lineTo((stem_left + 16, top))
    pen.lineTo((stem_left + 16, top - height))
    pen.closePath()
    glyf.glyphs["J"] = pen.glyph()


def rename(font):
    name = font["name"]
    keep = {0, 7, 8, 9, 11, 12, 13, 14}  # copyright, trademark, vendor, designers, licence
    name.names = [n for n in name.names if n.nameID in keep]
    for platform, encoding, language in ((3, 1, 0x409), (1, 0, 0)):
        for name_id, text in (
            (1, FAMILY), (2, "Bold"), (3, f"{POSTSCRIPT};modified"), (4, f"{FAMILY} Bold"),
            (5, "Version 2.004;certvault 1"), (6, POSTSCRIPT), (10, CHANGES),
        ):
            name.setName(text, name_id, platform, encoding, language)


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else SOURCE
    output = sys.argv[2] if len(sys.argv) > 2 else "CertvaultCode-Bold.ttf"
    # The source's timestamps are kept, so the same source makes the same bytes.
    font = TTFont(source, recalcTimestamp=False)
    subset_font(font)
    cff_to_glyf(font)
    bar_on_j(font)
    rename(font)
    font.save(output)
    # Read back: every character is there, as a TrueType glyph.
    check = TTFont(output)
    cmap = check.getBestCmap()
    missing = [c for c in CHARS if ord(c) not in cmap]
    assert not missing, f"missing glyphs: {missing}"
    assert "glyf" in check and "CFF " not in check
    print(f"{output}: {len(check.getGlyphOrder())} glyphs")


if __name__ == "__main__":
    main()
