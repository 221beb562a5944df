//! Page composition: builds the blocks of the sheet and flows them onto one or two pages.
//!
//! Page 1: header, (share banner), facts + write-in lines, recovery code (or share),
//! restore steps, stock-tools path, certificate table; the PIN code sits in a strip at the
//! bottom of page 1 below a dashed cut line. What does not fit flows to page 2 (the
//! certificate table may split between rows, repeating its header). More than
//! `page.max_pages` pages is an error, never clipped content.

use printpdf::{Mm, PdfDocument, PdfPage, PdfSaveOptions, TextItem};
use secrecy::zeroize::{Zeroize, Zeroizing};
use secrecy::ExposeSecret;

use super::draw::{emit, Frag, Prim};
use super::template::{fill, Layout, Templates, Texts};
use super::text::{
    fit_size, fonts, markup, plain, wrap, wrap_name, Face, Fonts, Line, Measure, Span, Style,
    CODE_SPACING_EM, PT_TO_MM,
};
use super::{SheetError, SheetInput, SheetLang};

const WHITE: f32 = 1.0;

struct Ctx<'a> {
    m: &'a Fonts,
    t: &'a Texts,
    l: &'a Layout,
    input: &'a SheetInput,
    /// content width
    cw: f32,
}

/// A piece of the page flow.
enum Block {
    Single(Frag),
    /// Heading, column header (repeated on a new page) and rows.
    Table {
        heading: Frag,
        heading_cont: Frag,
        header: [Frag; 2],
        rows: Vec<Frag>,
    },
}

/// The sheet's pages with every block in place, before it becomes a PDF or a preview.
pub(crate) struct Laid {
    /// Each page's blocks with their top edge; the left margin is `margin_x`.
    pub(crate) pages: Vec<Vec<(Frag, f32)>>,
    pub(crate) margin_x: f32,
    pub(crate) width: f32,
    pub(crate) height: f32,
    pub(crate) title: String,
    pub(crate) bold_stroke: f32,
}

/// Lays the blocks out on pages: header, flow, and the PIN strip at the foot of page 1.
pub(crate) fn lay_out(input: &SheetInput, tpl: &Templates) -> Result<Laid, SheetError> {
    let m = fonts()?;
    let l = &tpl.layout;
    let cx = Ctx { m, t: tpl.texts(input.lang), l, input, cw: l.page.width_mm - 2.0 * l.page.margin_x_mm };
    let page_h = l.page.height_mm;
    let gap = l.page.block_gap_mm;

    let mut blocks = Vec::new();
    if input.share.is_some() {
        blocks.push(Block::Single(cx.share_banner()));
    }
    blocks.push(Block::Single(cx.info()));
    blocks.push(Block::Single(cx.main_code()?));
    let pin_strip = match &input.pin_code {
        Some(_) => Some(cx.pin_strip()?),
        None => {
            blocks.push(Block::Single(cx.pin_reprint_notice()));
            None
        }
    };
    blocks.push(Block::Single(cx.restore()));
    blocks.push(cx.certificates());
    blocks.push(Block::Single(cx.emergency()));
    if !input.programs.is_empty() {
        blocks.push(Block::Single(cx.programs()));
    }

    // Flow.
    let max_pages = l.page.max_pages;
    let header_h = [cx.header(1, 2).h, cx.header(2, 2).h];
    let strip_top = pin_strip.as_ref().map(|s| page_h - l.page.margin_bottom_mm - s.h);
    let mut placed: Vec<Vec<(Frag, f32)>> = vec![Vec::new()];
    let mut y = l.page.margin_top_mm + header_h[0] + gap;
    let mut bottom =
        strip_top.map(|t| t - l.pin.cut_gap_mm - 1.0).unwrap_or(page_h - l.page.margin_bottom_mm);
    let new_page = |placed: &mut Vec<Vec<(Frag, f32)>>, y: &mut f32, bottom: &mut f32| {
        if placed.len() >= max_pages {
            return Err(SheetError::DoesNotFit(max_pages));
        }
        placed.push(Vec::new());
        *y = l.page.margin_top_mm + header_h[1] + gap;
        *bottom = page_h - l.page.margin_bottom_mm;
        Ok(())
    };
    let mut queue: std::collections::VecDeque<Block> = blocks.into();
    while let Some(block) = queue.pop_front() {
        // A block that cannot start on this page lets a later, smaller block fill the
        // gap first (e.g. the stock-tools path before a table that moves to page 2).
        let start_h = block.start_height();
        if y + start_h > bottom && placed.len() < max_pages {
            let fits = |b: &Block| matches!(b, Block::Single(f) if y + f.h <= bottom);
            if let Some(k) = queue.iter().position(fits) {
                if let Some(Block::Single(f)) = queue.remove(k) {
                    let h = f.h;
                    placed.last_mut().expect("a page").push((f, y));
                    y += h + gap;
                }
            }
        }
        match block {
            Block::Single(f) => {
                if y + f.h > bottom {
                    new_page(&mut placed, &mut y, &mut bottom)?;
                    if y + f.h > bottom {
                        return Err(SheetError::DoesNotFit(max_pages));
                    }
                }
                let h = f.h;
                placed.last_mut().expect("a page").push((f, y));
                y += h + gap;
            }
            Block::Table { heading, heading_cont, header, rows } => {
                let first = rows.first().map(|r| r.h).unwrap_or(0.0);
                if y + heading.h + header[0].h + first > bottom {
                    new_page(&mut placed, &mut y, &mut bottom)?;
                }
                let hh = heading.h;
                placed.last_mut().expect("a page").push((heading, y));
                y += hh;
                let [h0, h1] = header;
                let mut spare = Some((heading_cont, h1));
                let hh = h0.h;
                placed.last_mut().expect("a page").push((h0, y));
                y += hh;
                for row in rows {
                    if y + row.h > bottom {
                        new_page(&mut placed, &mut y, &mut bottom)?;
                        if let Some((hc, h)) = spare.take() {
                            let (hch, hh) = (hc.h, h.h);
                            placed.last_mut().expect("a page").push((hc, y));
                            placed.last_mut().expect("a page").push((h, y + hch));
                            y += hch + hh;
                        }
                    }
                    let rh = row.h;
                    placed.last_mut().expect("a page").push((row, y));
                    y += rh;
                }
                y += gap;
            }
        }
    }

    let pages_n = placed.len();
    let mut pages = Vec::with_capacity(pages_n);
    let mut strip = pin_strip;
    for (i, items) in placed.into_iter().enumerate() {
        let mut page = vec![(cx.header(i + 1, pages_n), l.page.margin_top_mm)];
        page.extend(items);
        if i == 0 {
            if let (Some(s), Some(top)) = (strip.take(), strip_top) {
                page.push((s, top));
            }
        }
        pages.push(page);
    }
    Ok(Laid {
        pages,
        margin_x: l.page.margin_x_mm,
        width: l.page.width_mm,
        height: page_h,
        title: cx.t.header.title.clone(),
        bold_stroke: l.font.bold_stroke,
    })
}

/// Renders the PDF; also returns the number of pages.
pub(crate) fn render(input: &SheetInput, tpl: &Templates) -> Result<(Vec<u8>, usize), SheetError> {
    let m = fonts()?;
    let laid = lay_out(input, tpl)?;
    let (mx, page_h, stroke) = (laid.margin_x, laid.height, laid.bold_stroke);
    let mut doc = PdfDocument::new(&laid.title);
    // An ASCII literal in the Info dictionary (the last object, next to the trailer): how the
    // scan recognises a sheet PDF left on a computer from its last bytes (`super::PDF_MARKER`).
    doc.metadata.info.identifier = super::PDF_MARKER.to_string();
    let ids = [0, 1, 2, 3].map(|i| doc.add_font(&m.faces[i]));
    let pages_n = laid.pages.len();
    let mut pages = Vec::new();
    for items in laid.pages {
        let mut ops = Vec::new();
        for (mut f, y) in items {
            emit(&mut f, mx, y, page_h, &ids, stroke, &mut ops);
        }
        pages.push(PdfPage::new(Mm(laid.width), Mm(page_h), ops));
    }
    doc.with_pages(pages);
    let opts = PdfSaveOptions { subset_fonts: true, ..PdfSaveOptions::default() };
    let bytes = doc.save(&opts, &mut Vec::new());
    // Wipe the drawn text (codes included) from the document model.
    for page in &mut doc.pages {
        for op in &mut page.ops {
            if let printpdf::Op::ShowText { items } = op {
                for item in items {
                    if let TextItem::Text(s) = item {
                        s.zeroize();
                    }
                }
            }
        }
    }
    Ok((bytes, pages_n))
}

impl Block {
    /// Height needed to start the block on a page.
    fn start_height(&self) -> f32 {
        match self {
            Block::Single(f) => f.h,
            Block::Table { heading, header, rows, .. } => {
                heading.h + header[0].h + rows.first().map(|r| r.h).unwrap_or(0.0)
            }
        }
    }
}

impl Ctx<'_> {
    fn lang_ja(&self) -> bool {
        self.input.lang == SheetLang::Ja
    }
    fn lh(&self, pt: f32) -> f32 {
        pt * PT_TO_MM * self.l.font.line_gap
    }
    /// Baseline offset from the top of a line box of height `lh`.
    fn base(&self, pt: f32, lh: f32) -> f32 {
        let s = pt * PT_TO_MM;
        (lh - s) / 2.0 + 0.86 * s
    }
    fn c(&self) -> &super::template::Colors {
        &self.l.colors
    }

    /// Wraps and draws `spans`; returns the height used.
    fn para(&self, f: &mut Frag, spans: &[Span], at: At, pt: f32, grey: f32) -> f32 {
        self.para_lh(f, spans, at, pt, grey, self.lh(pt))
    }

    fn para_lh(&self, f: &mut Frag, spans: &[Span], at: At, pt: f32, grey: f32, lh: f32) -> f32 {
        let At { x, y, w } = at;
        let lines = wrap(self.m, spans, pt, w);
        for (i, line) in lines.iter().enumerate() {
            f.line(self.m, line, x, y + i as f32 * lh + self.base(pt, lh), pt, grey);
        }
        lines.len() as f32 * lh
    }

    /// A name or other space-separated text, broken at spaces where possible.
    fn name_para(&self, f: &mut Frag, text: &str, style: Style, at: At, pt: f32, grey: f32) -> f32 {
        let lh = self.lh(pt);
        let lines = wrap_name(self.m, text, style, pt, at.w);
        for (i, line) in lines.iter().enumerate() {
            f.line(self.m, line, at.x, at.y + i as f32 * lh + self.base(pt, lh), pt, grey);
        }
        lines.len() as f32 * lh
    }

    /// Like [`Self::para`], each line centred in `w`.
    fn para_center(&self, f: &mut Frag, spans: &[Span], at: At, pt: f32, grey: f32) -> f32 {
        let At { x, y, w } = at;
        let lh = self.lh(pt);
        let lines = wrap(self.m, spans, pt, w);
        for (i, line) in lines.iter().enumerate() {
            let dx = ((w - line.width) / 2.0).max(0.0);
            f.line(self.m, line, x + dx, y + i as f32 * lh + self.base(pt, lh), pt, grey);
        }
        lines.len() as f32 * lh
    }

    /// Width of single-line text.
    fn width(&self, style: Style, s: &str, pt: f32) -> f32 {
        self.m.width_mm(style, s, pt)
    }

    /// A label with its English subtitle beneath (Japanese sheet only).
    fn label(&self, f: &mut Frag, label: &str, sub: &str, at: At, grey: f32) -> f32 {
        let At { x, y, w } = at;
        let fl = &self.l.font;
        let mut h = self.para(f, &plain(label, Style::Regular), At::new(x, y, w), fl.label_pt, grey);
        if !sub.is_empty() && self.lang_ja() {
            let lh = fl.sub_pt * PT_TO_MM * 1.2;
            h += self.para_lh(
                f,
                &plain(sub, Style::Regular),
                At::new(x, y + h - 0.4, w),
                fl.sub_pt,
                self.c().muted,
                lh,
            ) - 0.4;
        }
        h
    }

    /// Section heading: a black bar, the title and (Japanese sheet) the English subtitle.
    fn heading(&self, title: &str, sub: &str, w: f32) -> Frag {
        let fl = &self.l.font;
        let mut f = Frag::default();
        let x = 2.8;
        let mut h = self.para(
            &mut f,
            &plain(title, Style::Bold),
            At::new(x, 0.0, w - x),
            fl.heading_pt,
            self.c().text,
        );
        if !sub.is_empty() && self.lang_ja() {
            let lh = fl.sub_pt * PT_TO_MM * 1.25;
            h += self.para_lh(
                &mut f,
                &plain(sub, Style::Regular),
                At::new(x, h - 0.6, w - x),
                fl.sub_pt,
                self.c().muted,
                lh,
            ) - 0.6;
        }
        f.rect(0.0, 0.6, 1.2, h - 1.0, Some(self.c().text), None);
        f.h = h + 1.2;
        f
    }

    /// "Whose sheet is this" lines; a clinic that is not known yet (a new vault) is left
    /// out rather than printed as "(not set)".
    fn belongs_to(&self) -> String {
        let filled = self.fill(&self.t.pin.belongs_to);
        if self.input.clinic_name.is_some() {
            return filled;
        }
        filled.lines().filter(|l| l.trim() != self.t.info.not_set.trim()).collect::<Vec<_>>().join("\n")
    }

    fn vars(&self) -> Vec<(&'static str, String)> {
        let i = self.input;
        let mut v = vec![
            ("clinic", i.clinic_name.clone().unwrap_or_else(|| self.t.info.not_set.clone())),
            ("vault_id", i.vault_id.clone()),
            ("created", i.created.clone()),
            ("generation", i.generation.to_string()),
            ("file", i.stock_tools_generation_file.clone()),
        ];
        let enter = if i.share.is_some() { &self.t.restore.enter_share } else { &self.t.restore.enter_code };
        v.push(("enter_code", enter.clone()));
        if let Some(s) = &i.share {
            v.push(("index", s.index.to_string()));
            v.push(("threshold", s.threshold.to_string()));
            v.push(("total", s.total.to_string()));
        }
        v
    }

    fn fill(&self, template: &str) -> String {
        let vars = self.vars();
        let refs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        // Two passes: a value may itself hold placeholders ({enter_code} → {threshold}).
        fill(&fill(template, &refs), &refs)
    }

    // ---------------------------------------------------------------- header

    fn header(&self, page: usize, pages: usize) -> Frag {
        let (t, fl, c) = (&self.t.header, &self.l.font, self.c());
        let mut f = Frag::default();
        let page_txt = fill(&t.page, &[("page", &page.to_string()), ("pages", &pages.to_string())]);
        let cw = self.cw;
        if page == 1 {
            // "Keep in a safe" badge, top right.
            let bpt = fl.label_pt + 2.0;
            let show_sub = self.lang_ja() && !t.keep_safe_sub.is_empty();
            let bw = self.width(Style::Bold, &t.keep_safe, bpt).max(if show_sub {
                self.width(Style::Regular, &t.keep_safe_sub, fl.sub_pt)
            } else {
                0.0
            }) + 7.0;
            let bh = self.lh(bpt) + if show_sub { self.lh(fl.sub_pt) * 0.9 } else { 0.0 } + 2.6;
            let bx = cw - bw;
            f.rect(bx, 0.0, bw, bh, Some(c.banner_fill), None);
            let h1 =
                self.para_center(&mut f, &plain(&t.keep_safe, Style::Bold), At::new(bx, 1.3, bw), bpt, WHITE);
            if show_sub {
                self.para_center(
                    &mut f,
                    &plain(&t.keep_safe_sub, Style::Regular),
                    At::new(bx, 1.3 + h1 - 0.5, bw),
                    fl.sub_pt,
                    WHITE,
                );
            }
            let pw = self.width(Style::Regular, &page_txt, fl.sub_pt);
            let ph = self.para(
                &mut f,
                &plain(&page_txt, Style::Regular),
                At::new(cw - pw, bh + 0.6, pw + 1.0),
                fl.sub_pt,
                c.muted,
            );
            // Title, left.
            let tw = bx - 4.0;
            let mut h =
                self.para(&mut f, &plain(&t.title, Style::Bold), At::new(0.0, 0.0, tw), fl.title_pt, c.text);
            if self.lang_ja() && !t.sub.is_empty() {
                h += self.para(
                    &mut f,
                    &plain(&t.sub, Style::Regular),
                    At::new(0.0, h - 1.0, tw),
                    fl.body_pt,
                    c.muted,
                ) - 1.0;
            }
            let mut y = h.max(bh + 0.6 + ph) + 1.0;
            f.hline(0.0, cw, y, 0.5, c.text);
            y += 2.0;
            y += self.para(
                &mut f,
                &markup(&t.intro, Style::Regular),
                At::new(0.0, y, cw),
                fl.small_pt,
                c.text,
            );
            f.h = y;
        } else {
            let pw = self.width(Style::Regular, &page_txt, fl.small_pt);
            self.para(
                &mut f,
                &plain(&page_txt, Style::Regular),
                At::new(cw - pw, 0.0, pw + 1.0),
                fl.small_pt,
                c.muted,
            );
            let sep = if self.lang_ja() { "" } else { " " };
            let title = format!("{}{sep}{}", t.title, t.continued);
            let tw = cw - pw - 6.0;
            let mut h = self.para(
                &mut f,
                &plain(&title, Style::Bold),
                At::new(0.0, 0.0, tw),
                fl.heading_pt + 1.0,
                c.text,
            );
            let who = self.belongs_to();
            h += self.name_para(&mut f, &who, Style::Regular, At::new(0.0, h, tw), fl.small_pt, c.muted);
            f.hline(0.0, cw, h + 1.0, 0.5, c.text);
            f.h = h + 1.5;
        }
        f
    }

    // ---------------------------------------------------------------- share banner

    fn share_banner(&self) -> Frag {
        let (t, fl, c) = (&self.t.share, &self.l.font, self.c());
        let mut f = Frag::default();
        let pad = 3.0;
        let left_w = self.cw * 0.42;
        let bpt = fl.heading_pt + 5.0;
        let mut hl = self.para(
            &mut f,
            &plain(&self.fill(&t.banner), Style::Bold),
            At::new(pad, pad, left_w - pad),
            bpt,
            WHITE,
        );
        if self.lang_ja() && !t.banner_sub.is_empty() {
            hl += self.para(
                &mut f,
                &plain(&self.fill(&t.banner_sub), Style::Regular),
                At::new(pad, pad + hl - 0.8, left_w - pad),
                fl.label_pt,
                WHITE,
            ) - 0.8;
        }
        let rx = left_w + 3.0;
        let hr = self.para(
            &mut f,
            &markup(&self.fill(&t.need), Style::Regular),
            At::new(rx, pad, self.cw - rx - pad),
            fl.body_pt + 1.0,
            WHITE,
        );
        let h = hl.max(hr) + 2.0 * pad;
        f.prims
            .insert(0, Prim::Rect { x: 0.0, y: 0.0, w: self.cw, h, fill: Some(c.banner_fill), stroke: None });
        f.h = h;
        f
    }

    // ---------------------------------------------------------------- facts + write-in

    fn info(&self) -> Frag {
        let (t, fl, c, i) = (&self.t.info, &self.l.font, self.c(), self.input);
        let mut f = Frag::default();
        let dw = self.cw * self.l.info.data_fraction;
        let lw = self.l.info.label_mm;
        let not_set = || t.not_set.clone();
        let generation = self.fill(&t.generation);
        let rows: [(&str, &str, String, Style); 4] = [
            (&t.clinic, &t.clinic_sub, i.clinic_name.clone().unwrap_or_else(not_set), Style::Bold),
            (
                &t.institution_code,
                &t.institution_code_sub,
                i.institution_code.clone().unwrap_or_else(not_set),
                Style::Mono,
            ),
            (&t.vault_id, &t.vault_id_sub, i.vault_id.clone(), Style::Mono),
            (&t.created, &t.created_sub, generation, Style::Regular),
        ];
        let mut y = 0.0;
        f.hline(0.0, dw, y, 0.25, c.rule);
        for (label, sub, value, style) in rows {
            let pad = 1.1;
            let hl = self.label(&mut f, label, sub, At::new(0.0, y + pad, lw - 1.5), c.muted);
            let vpt = if style == Style::Mono { fl.value_pt - 0.5 } else { fl.value_pt };
            let vspans = if style == Style::Regular { markup(&value, style) } else { plain(&value, style) };
            let at = At::new(lw, y + pad, dw - lw);
            let hv = if style == Style::Bold {
                self.name_para(&mut f, &value, style, at, vpt, c.text)
            } else {
                self.para(&mut f, &vspans, at, vpt, c.text)
            };
            y += hl.max(hv) + 2.0 * pad;
            f.hline(0.0, dw, y, 0.25, c.rule);
        }
        let left_h = y;

        // Write-in lines, right column.
        let x = dw + 7.0;
        let w = self.cw - x;
        let mut y = 0.0;
        let head = self.heading_small(&t.write_in_title, &t.write_in_sub, w);
        let hh = head.h;
        f.append(head, x, 0.0);
        y += hh + 0.5;
        let items = [
            (&t.storage_place, &t.storage_place_sub),
            (&t.vendor, &t.vendor_sub),
            (&t.vendor_phone, &t.vendor_phone_sub),
        ];
        let n = items.len() as f32;
        // Spread the write-in lines over the height of the left column.
        let label_h: f32 = items.iter().map(|(l, s)| self.label_h(l, s, w)).sum();
        let free = ((left_h - y - label_h) / n).max(5.0);
        for (label, sub) in items {
            y += self.label(&mut f, label, sub, At::new(x, y, w), c.muted);
            y += free;
            f.hline(x, self.cw, y, 0.3, c.rule);
        }
        f.h = left_h.max(y);
        f
    }

    fn label_h(&self, label: &str, sub: &str, w: f32) -> f32 {
        let mut scratch = Frag::default();
        self.label(&mut scratch, label, sub, At::new(0.0, 0.0, w), 0.0)
    }

    /// Small heading (title + subtitle on one line) for sub-blocks.
    fn heading_small(&self, title: &str, sub: &str, w: f32) -> Frag {
        let (fl, c) = (&self.l.font, self.c());
        let mut f = Frag::default();
        let mut spans = plain(title, Style::Bold);
        if self.lang_ja() && !sub.is_empty() {
            spans.push(Span { style: Style::Regular, text: format!("  {sub}") });
        }
        f.h = self.para(&mut f, &spans, At::new(0.0, 0.0, w), fl.label_pt + 0.6, c.text);
        f
    }

    // ---------------------------------------------------------------- codes

    /// The recovery code, or the share on a split sheet.
    fn main_code(&self) -> Result<Frag, SheetError> {
        let i = self.input;
        if let Some(s) = &i.share {
            let t = &self.t.share;
            return self.code_box(CodeBox {
                title: &self.fill(&t.title),
                sub: &t.sub,
                body: &t.body,
                groups: s.share_groups.expose_secret(),
                check: Some((
                    &self.t.recovery.check,
                    &self.t.recovery.check_sub,
                    &s.checksum,
                    &self.t.recovery.check_note,
                )),
                extra: None,
                qr: s.share_qr.expose_secret(),
                qr_caption: &self.fill(&t.qr_caption),
                framed: true,
            });
        }
        let r = i.recovery.as_ref().ok_or_else(|| SheetError::InvalidInput("no recovery code".into()))?;
        let t = &self.t.recovery;
        self.code_box(CodeBox {
            title: &t.title,
            sub: &t.sub,
            body: &t.body,
            groups: r.groups.expose_secret(),
            check: Some((&t.check, &t.check_sub, &r.checksum, &t.check_note)),
            extra: None,
            qr: r.identity.expose_secret(),
            qr_caption: &t.qr_caption,
            framed: true,
        })
    }

    /// The cut-off strip with the PIN code: dashed cut line with scissors, then the code box.
    fn pin_strip(&self) -> Result<Frag, SheetError> {
        let (t, fl, c) = (&self.t.pin, &self.l.font, self.c());
        let pin =
            self.input.pin_code.as_ref().ok_or_else(|| SheetError::InvalidInput("no PIN code".into()))?;
        let mut f = Frag::default();
        // Cut line, spanning the page almost edge to edge.
        let mx = self.l.page.margin_x_mm;
        let (x0, x1) = (-mx + 5.0, self.cw + mx - 5.0);
        let y = 2.5;
        // Scissors, pointing along the line.
        let spt = 15.0;
        let scissors = Line { pieces: plain("\u{2702}", Style::Mono), width: 0.0 };
        f.line(self.m, &scissors, x0, y + spt * PT_TO_MM * 0.36, spt, c.text);
        // Cut label on a white background, centred on the line.
        let mut label = t.cut.clone();
        if self.lang_ja() && !t.cut_sub.is_empty() {
            label = format!("{label}  {}", t.cut_sub);
        }
        let lpt = fl.small_pt;
        let lw = self.width(Style::Regular, &label, lpt).min(self.cw - 20.0);
        let lx = (self.cw - lw) / 2.0;
        let lh = self.lh(lpt);
        // Dashed line left and right of the label (dash 2.2 mm, gap 1.6 mm).
        let dashed = |f: &mut Frag, a: f32, b: f32| {
            let period = 3.8;
            let n = ((b - a + 1.6) / period).floor().max(1.0);
            let b = a + n * period - 1.6; // end on a whole dash
            f.prims.push(Prim::Line {
                x1: a,
                y1: y,
                x2: b,
                y2: y,
                width: 0.35,
                grey: c.text,
                dash: Some((2.2, 1.6)),
            });
        };
        dashed(&mut f, x0 + 7.0, lx - 3.5);
        let right_start = lx + lw + 3.5;
        let n = ((x1 - right_start + 1.6) / 3.8).floor();
        dashed(&mut f, x1 - (n * 3.8 - 1.6), x1);
        self.para_center(
            &mut f,
            &plain(&label, Style::Regular),
            At::new(lx - 2.0, y - lh / 2.0, lw + 4.0),
            lpt,
            c.text,
        );
        let top = y + lh / 2.0 + 2.5;
        let belongs = self.belongs_to();
        let code = self.code_box(CodeBox {
            title: &t.title,
            sub: &t.sub,
            body: &t.body,
            groups: pin.groups.expose_secret(),
            check: Some((&t.check, &t.check_sub, &pin.checksum, &t.check_note)),
            extra: Some(&belongs),
            qr: pin.identity.expose_secret(),
            qr_caption: &t.qr_caption,
            framed: false,
        })?;
        let ch = code.h;
        f.append(code, 0.0, top);
        f.h = top + ch;
        Ok(f)
    }

    /// On a reprint: where the PIN code is instead.
    fn pin_reprint_notice(&self) -> Frag {
        let (t, fl, c) = (&self.t.pin, &self.l.font, self.c());
        let mut f = Frag::default();
        let pad = 3.0;
        let head = self.heading(&t.reprint_title, &t.reprint_sub, self.cw - 2.0 * pad);
        let hh = head.h;
        f.append(head, pad, pad);
        let h = self.para(
            &mut f,
            &markup(&t.reprint_body, Style::Regular),
            At::new(pad, pad + hh, self.cw - 2.0 * pad),
            fl.body_pt,
            c.text,
        );
        let total = hh + h + 2.0 * pad;
        f.prims.insert(
            0,
            Prim::Rect { x: 0.0, y: 0.0, w: self.cw, h: total, fill: Some(c.box_fill), stroke: None },
        );
        f.h = total;
        f
    }

    fn code_box(&self, b: CodeBox<'_>) -> Result<Frag, SheetError> {
        let (fl, c) = (&self.l.font, self.c());
        let mut f = Frag::default();
        let pad = if b.framed { 3.5 } else { 0.0 };
        // QR code, right.
        let qr = self.qr(b.qr)?;
        let qtotal = qr.total;
        let qx = self.cw - pad - qtotal;
        let cap_w = qtotal.max(34.0);
        let mut qr_frag = qr.frag;
        let cap_h = self.para_center(
            &mut qr_frag,
            &plain(b.qr_caption, Style::Regular),
            At::new((qtotal - cap_w) / 2.0, qtotal - 1.2, cap_w),
            fl.sub_pt,
            c.muted,
        );
        let qh = qtotal - 1.2 + cap_h;
        // Text, left.
        let x = pad;
        let w = qx - 4.0 - x - (cap_w - qtotal) / 2.0;
        let mut y = pad;
        let head = self.heading(b.title, b.sub, w);
        let hh = head.h;
        f.append(head, x, y);
        y += hh;
        y += self.para(&mut f, &markup(b.body, Style::Regular), At::new(x, y, w), fl.small_pt, c.text) + 1.8;
        // The code itself, in a light box.
        let (lines, pt) = self.code_lines(b.groups, w - 6.0);
        let lh = pt * PT_TO_MM * 1.32;
        let box_h = lines.len() as f32 * lh + 3.0;
        f.rect(x, y, w, box_h, Some(c.box_fill), None);
        for (k, l) in lines.iter().enumerate() {
            let baseline = y + 1.5 + k as f32 * lh + self.base(pt, lh);
            f.spaced(Face::Code, l, x + 3.0, baseline, pt, c.text, CODE_SPACING_EM);
        }
        y += box_h + 1.2;
        if let Some((label, sub, value, note)) = b.check {
            let mut spans = plain(label, Style::Regular);
            if self.lang_ja() && !sub.is_empty() {
                spans.push(Span { style: Style::Regular, text: format!(" / {sub}") });
            }
            spans.push(Span {
                style: Style::Regular,
                text: if self.lang_ja() { "：".into() } else { ": ".into() },
            });
            spans.push(Span { style: Style::MonoBold, text: value.to_string() });
            spans.push(Span { style: Style::Regular, text: note.to_string() });
            y += self.para(&mut f, &spans, At::new(x, y, w), fl.small_pt + 0.4, c.text);
        }
        if let Some(extra) = b.extra {
            let at = At::new(x, y + 0.5, w);
            y += self.name_para(&mut f, extra, Style::Regular, at, fl.small_pt, c.muted) + 0.5;
        }
        let h = (y + pad).max(qh + 2.0 * pad);
        f.append(qr_frag, qx, pad + ((h - 2.0 * pad - qh) / 2.0).max(0.0));
        if b.framed {
            f.prims.insert(
                0,
                Prim::Rect { x: 0.0, y: 0.0, w: self.cw, h, fill: None, stroke: Some((c.text, 0.45)) },
            );
        }
        f.h = h;
        Ok(f)
    }

    /// Splits the hyphenated groups into lines that fit `w` (shrinking first, down to
    /// `code_min_pt`). Wrapped lines keep their trailing hyphen, so the lines joined give
    /// back the code exactly.
    fn code_lines(&self, groups: &str, w: f32) -> (Vec<Zeroizing<String>>, f32) {
        let fl = &self.l.font;
        let one = groups.trim();
        // The width at 1 pt, spacing included: the size that fits is proportional.
        let per_pt = self.code_width(one, 1.0);
        let pt = if per_pt > 0.0 { (w / per_pt).clamp(fl.code_min_pt, fl.code_pt) } else { fl.code_pt };
        if self.code_width(one, pt) <= w + 1e-3 {
            return (vec![Zeroizing::new(one.to_string())], pt);
        }
        let pt = fl.code_pt;
        let mut lines: Vec<Zeroizing<String>> = Vec::new();
        let mut cur = Zeroizing::new(String::new());
        let parts: Vec<&str> = one.split('-').collect();
        for (k, g) in parts.iter().enumerate() {
            let piece = if k + 1 < parts.len() { format!("{g}-") } else { g.to_string() };
            let piece = Zeroizing::new(piece);
            let mut cand = Zeroizing::new(cur.to_string());
            cand.push_str(&piece);
            if !cur.is_empty() && self.code_width(&cand, pt) > w {
                lines.push(std::mem::replace(&mut cur, Zeroizing::new(String::new())));
                cur.push_str(&piece);
            } else {
                cur = cand;
            }
        }
        if !cur.is_empty() {
            lines.push(cur);
        }
        (lines, pt)
    }

    /// Width of a code as drawn: its characters and the space after each.
    fn code_width(&self, code: &str, pt: f32) -> f32 {
        self.width(Style::Code, code, pt) + CODE_SPACING_EM * pt * PT_TO_MM * code.chars().count() as f32
    }

    fn qr(&self, payload: &str) -> Result<QrFrag, SheetError> {
        let q = &self.l.qr;
        let ec = match q.ec_level.as_str() {
            "H" => qrcode::EcLevel::H,
            "Q" => qrcode::EcLevel::Q,
            _ => qrcode::EcLevel::M,
        };
        let code = qrcode::QrCode::with_error_correction_level(payload.as_bytes(), ec)
            .map_err(|e| SheetError::Qr(e.to_string()))?;
        let width = code.width();
        let modules = (width + 2 * q.quiet_zone_modules) as f32;
        let max_total = 42.0;
        let module = q.module_mm.min(max_total / modules);
        if module < q.min_module_mm {
            return Err(SheetError::Qr(format!(
                "payload too long: {width} modules do not fit at {} mm",
                q.min_module_mm
            )));
        }
        let dark: Vec<bool> = code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
        let quiet = q.quiet_zone_modules as f32 * module;
        let mut frag = Frag::default();
        frag.prims.push(Prim::Qr { x: quiet, y: quiet, module, width, dark });
        Ok(QrFrag { frag, total: modules * module })
    }

    // ---------------------------------------------------------------- instructions

    fn restore(&self) -> Frag {
        let (t, fl, c) = (&self.t.restore, &self.l.font, self.c());
        let mut f = self.heading(&t.title, &t.sub, self.cw);
        let mut y = f.h + 0.5;
        let ind = 6.5;
        for (k, step) in t.steps.iter().enumerate() {
            let lh = self.lh(fl.body_pt);
            let sq = 4.2;
            let sy = y + (lh - sq) / 2.0;
            f.rect(0.0, sy, sq, sq, Some(c.text), None);
            let num = (k + 1).to_string();
            self.para_center(
                &mut f,
                &plain(&num, Style::Bold),
                At::new(0.0, sy + (sq - self.lh(fl.label_pt)) / 2.0, sq),
                fl.label_pt,
                WHITE,
            );
            let h = self.para(
                &mut f,
                &markup(&self.fill(step), Style::Regular),
                At::new(ind, y, self.cw - ind),
                fl.body_pt,
                c.text,
            );
            y += h.max(sq) + 0.9;
        }
        f.h = y;
        f
    }

    fn emergency(&self) -> Frag {
        let (t, fl, c) = (&self.t.emergency, &self.l.font, self.c());
        let mut f = self.heading(&t.title, &t.sub, self.cw);
        let mut y = f.h + 0.3;
        let w = self.cw;
        y += self.para(
            &mut f,
            &markup(&self.fill(&t.body), Style::Regular),
            At::new(0.0, y, w),
            fl.small_pt,
            c.text,
        ) + 1.0;
        let with_qr = if self.input.share.is_some() { &t.with_shares } else { &t.with_qr };
        for (label, cmd) in [(with_qr, &t.cmd_qr), (&t.with_pass, &t.cmd_pass)] {
            y += self.para(
                &mut f,
                &markup(&self.fill(label), Style::Regular),
                At::new(0.0, y, w),
                fl.small_pt,
                c.text,
            ) + 0.3;
            let cmd = self.fill(cmd);
            let inner = w - 6.0;
            let lines = wrap(self.m, &plain(&cmd, Style::Mono), fl.command_pt, inner);
            let lh = self.lh(fl.command_pt);
            let bh = lines.len() as f32 * lh + 1.6;
            f.rect(3.0, y, w - 3.0, bh, Some(c.box_fill), None);
            for (k, line) in lines.iter().enumerate() {
                f.line(
                    self.m,
                    line,
                    5.0,
                    y + 0.8 + k as f32 * lh + self.base(fl.command_pt, lh),
                    fl.command_pt,
                    c.text,
                );
            }
            y += bh + 1.2;
        }
        y += self.para(
            &mut f,
            &markup(&self.fill(&t.note), Style::Regular),
            At::new(0.0, y, w),
            fl.small_pt,
            c.muted,
        );
        f.h = y;
        f
    }

    /// The program files on the stick with their SHA-256, for a technician to compare.
    fn programs(&self) -> Frag {
        let (t, fl, c) = (&self.t.programs, &self.l.font, self.c());
        let mut f = self.heading(&t.title, &t.sub, self.cw);
        let mut y = f.h + 0.3;
        let w = self.cw;
        y += self.para(&mut f, &markup(&t.body, Style::Regular), At::new(0.0, y, w), fl.small_pt, c.text)
            + 1.0;
        let lh = self.lh(fl.command_pt);
        for p in &self.input.programs {
            // The hash in groups of eight, as a person compares it with `sha256sum`/`certutil`.
            let groups: Vec<&str> =
                (0..p.sha256.len()).step_by(8).filter_map(|i| p.sha256.get(i..i + 8)).collect();
            let lines =
                [format!("program/{}  ({})", p.path, p.version), format!("SHA-256 {}", groups.join(" "))];
            for (k, text) in lines.iter().enumerate() {
                for line in wrap(self.m, &plain(text, Style::Mono), fl.command_pt, w - 3.0) {
                    f.line(self.m, &line, 3.0, y + self.base(fl.command_pt, lh), fl.command_pt, c.text);
                    y += lh;
                }
                if k == 1 {
                    y += 0.8;
                }
            }
        }
        f.h = y;
        f
    }

    // ---------------------------------------------------------------- certificates

    fn certificates(&self) -> Block {
        let (t, fl, c) = (&self.t.certs, &self.l.font, self.c());
        let heading = self.heading(&t.title, &t.sub, self.cw);
        let sep = if self.lang_ja() { "" } else { " " };
        let heading_cont =
            self.heading(&format!("{}{sep}{}", t.title, self.t.header.continued), &t.sub, self.cw);
        let total: f32 = self.l.table.columns.iter().sum();
        let cols: Vec<f32> = self.l.table.columns.iter().map(|w| w / total * self.cw).collect();
        let xs: Vec<f32> = cols
            .iter()
            .scan(0.0, |acc, w| {
                let x = *acc;
                *acc += w;
                Some(x)
            })
            .collect();
        let cp = 1.0; // cell padding
        let header = || {
            let mut f = Frag::default();
            let heads: [(&str, &str); 7] = [
                (&t.no, ""),
                (&t.purpose, &t.purpose_sub),
                (&t.subject, &t.subject_sub),
                (&t.institution_code, &t.institution_code_sub),
                (&t.issuer, &t.issuer_sub),
                (&t.not_after, &t.not_after_sub),
                (&t.hint, &t.hint_sub),
            ];
            let mut h: f32 = 0.0;
            let mut cells = Frag::default();
            for (k, (label, sub)) in heads.iter().enumerate() {
                h = h.max(self.label(
                    &mut cells,
                    label,
                    sub,
                    At::new(xs[k] + cp, 0.8, cols[k] - 2.0 * cp),
                    c.text,
                ));
            }
            let h = h + 1.6;
            f.rect(0.0, 0.0, self.cw, h, Some(c.box_fill), None);
            f.append(cells, 0.0, 0.0);
            f.hline(0.0, self.cw, 0.0, 0.4, c.text);
            f.hline(0.0, self.cw, h, 0.4, c.text);
            f.h = h;
            f
        };
        let mut rows = Vec::new();
        if self.input.certificates.is_empty() {
            let mut f = Frag::default();
            let h = self.para(
                &mut f,
                &plain(&t.empty, Style::Regular),
                At::new(cp, 1.0, self.cw),
                fl.table_pt,
                c.muted,
            ) + 2.0;
            f.hline(0.0, self.cw, h, 0.4, c.text);
            f.h = h;
            rows.push(f);
        }
        let n = self.input.certificates.len();
        for (k, cert) in self.input.certificates.iter().enumerate() {
            let mut f = Frag::default();
            let none = || t.none.clone();
            let cells: [(String, Style); 7] = [
                ((k + 1).to_string(), Style::Regular),
                (cert.purpose.clone(), Style::Bold),
                (cert.subject.clone(), Style::Regular),
                (cert.institution_code.clone().unwrap_or_else(none), Style::Regular),
                (cert.issuer.clone(), Style::Regular),
                (cert.not_after.clone(), Style::Regular),
                ((if cert.hint_present { &t.hint_yes } else { &t.hint_no }).clone(), Style::Regular),
            ];
            let y0 = 1.0;
            let mut h: f32 = 0.0;
            for (j, (text, style)) in cells.iter().enumerate() {
                h = h.max(self.para(
                    &mut f,
                    &plain(text, *style),
                    At::new(xs[j] + cp, y0, cols[j] - 2.0 * cp),
                    fl.table_pt,
                    c.text,
                ));
            }
            let mut y = y0 + h + 0.6;
            // Detail lines: serial and thumbprints, one per line, in the monospaced font.
            let dx = xs[1] + cp;
            let lw = self.l.table.detail_label_mm;
            let vw = self.cw - dx - lw - cp;
            let ca = cert.ca_sha1.clone().unwrap_or_else(none);
            let details: [(&str, &str); 4] = [
                (&t.serial, &cert.serial),
                (&t.leaf_sha1, &cert.leaf_sha1),
                (&t.ca_sha1, &ca),
                (&t.file_sha256, &cert.file_sha256),
            ];
            let dlh = self.lh(fl.hash_pt) * 0.92;
            f.rect(xs[1], y - 0.3, self.cw - xs[1], details.len() as f32 * dlh + 0.8, Some(0.975), None);
            for (label, value) in details {
                let lines_l = self.para_lh(
                    &mut f,
                    &plain(label, Style::Regular),
                    At::new(dx, y, lw - 1.0),
                    fl.table_pt - 0.6,
                    c.muted,
                    dlh,
                );
                let pt = fit_size(self.m, Style::Mono, value, fl.hash_pt, fl.hash_min_pt, vw);
                let lines_v = self.para_lh(
                    &mut f,
                    &plain(value, Style::Mono),
                    At::new(dx + lw, y, vw),
                    pt,
                    c.text,
                    dlh,
                );
                y += lines_l.max(lines_v);
            }
            y += 1.0;
            f.hline(
                0.0,
                self.cw,
                y,
                if k + 1 == n { 0.4 } else { 0.2 },
                if k + 1 == n { c.text } else { c.rule },
            );
            f.h = y;
            rows.push(f);
        }
        Block::Table { heading, heading_cont, header: [header(), header()], rows }
    }
}

/// Where a text block goes: left edge, top, width (mm).
#[derive(Clone, Copy)]
struct At {
    x: f32,
    y: f32,
    w: f32,
}

impl At {
    fn new(x: f32, y: f32, w: f32) -> Self {
        Self { x, y, w }
    }
}

struct CodeBox<'a> {
    title: &'a str,
    sub: &'a str,
    body: &'a str,
    groups: &'a str,
    /// Label, its subtitle, the value and what the value is for.
    check: Option<(&'a str, &'a str, &'a str, &'a str)>,
    extra: Option<&'a str>,
    qr: &'a str,
    qr_caption: &'a str,
    framed: bool,
}

struct QrFrag {
    frag: Frag,
    /// side length including the quiet zone, mm
    total: f32,
}
