#!/usr/bin/env python3
"""Turns the user guide (docs/guide, Markdown) into HTML pages for the release bundle.

Usage: guide_html.py GUIDE_DIR OUT_DIR
Each .md becomes .html with the same name (README.md becomes index.html), links between
pages follow, and images/ is copied. Needs Python's markdown package.
"""
import html
import os
import re
import shutil
import sys

import markdown

STYLE = """body{font-family:"Yu Gothic UI","Meiryo",sans-serif;max-width:52em;margin:2em auto;padding:0 1em;
line-height:1.7;color:#222}img{max-width:100%;border:1px solid #ccc;margin:.5em 0}
code,pre{font-family:Consolas,monospace;background:#f3f3f3}pre{padding:.6em;overflow-x:auto}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em}"""


def page_name(md):
    return "index.html" if md == "README.md" else md[:-3] + ".html"


def link(m):
    target, anchor = m.group(2), m.group(3) or ""
    folder, name = os.path.split(target)
    return '%s="%s%s"' % (m.group(1), os.path.join(folder, page_name(name)) if folder else page_name(name), anchor)


def convert(src, dst, lang):
    with open(src, encoding="utf-8") as f:
        text = f.read()
    body = markdown.markdown(text, extensions=["tables", "fenced_code"])
    body = re.sub(r'(href)="(?!https?:)([^"#]+\.md)(#[^"]*)?"', link, body)
    title = re.search(r"^#\s+(.+)$", text, re.M)
    title = html.escape(title.group(1) if title else "certvault")
    with open(dst, "w", encoding="utf-8", newline="\n") as f:
        f.write('<!DOCTYPE html>\n<html lang="%s"><head><meta charset="utf-8"><title>%s</title>'
                "<style>%s</style></head><body>\n%s\n</body></html>\n" % (lang, title, STYLE, body))


def main():
    guide, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    convert(os.path.join(guide, "README.md"), os.path.join(out, "index.html"), "ja")
    for lang in ("ja", "en"):
        os.makedirs(os.path.join(out, lang), exist_ok=True)
        for name in sorted(os.listdir(os.path.join(guide, lang))):
            if name.endswith(".md"):
                convert(os.path.join(guide, lang, name), os.path.join(out, lang, page_name(name)), lang)
    shutil.copytree(os.path.join(guide, "images"), os.path.join(out, "images"), dirs_exist_ok=True)


if __name__ == "__main__":
    main()
