//! Drawing primitives in page millimetres (origin top-left), turned into printpdf ops.
//!
//! Blocks are first built as [`Frag`]s (primitives relative to the block's top-left corner,
//! plus the block's height) so the page flow can measure before it places. A `Frag` wipes
//! its text when dropped, since some of it is secret.

use printpdf::{
    Color, FontId, Greyscale, Line as PdfLine, LineDashPattern, LinePoint, Op, PaintMode, PdfFontHandle,
    Point, Polygon, PolygonRing, Pt, Rect, TextItem, TextRenderingMode, WindingOrder,
};
use secrecy::zeroize::Zeroize;

use super::text::{Face, Line, Measure, PT_TO_MM};

#[derive(Debug)]
pub(crate) enum Prim {
    Text {
        x: f32,
        baseline: f32,
        face: Face,
        size: f32,
        bold: bool,
        grey: f32,
        /// Extra space after every character, in em (0 but for the codes, whose characters
        /// stand apart so that an OCR reads each alone).
        spacing: f32,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<f32>,
        stroke: Option<(f32, f32)>,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        grey: f32,
        dash: Option<(f32, f32)>,
    },
    /// `dark` is row-major, `width` x `width` modules, drawn from (x, y) without quiet zone.
    Qr {
        x: f32,
        y: f32,
        module: f32,
        width: usize,
        dark: Vec<bool>,
    },
}

#[derive(Debug, Default)]
pub(crate) struct Frag {
    pub(crate) h: f32,
    pub(crate) prims: Vec<Prim>,
}

impl Drop for Frag {
    fn drop(&mut self) {
        for p in &mut self.prims {
            match p {
                Prim::Text { text, .. } => text.zeroize(),
                Prim::Qr { dark, .. } => dark.iter_mut().for_each(|d| *d = false),
                _ => {}
            }
        }
    }
}

impl Frag {
    /// Draws a laid-out line with its left edge at `x` and its baseline at `baseline`.
    pub(crate) fn line(&mut self, m: &dyn Measure, line: &Line, x: f32, baseline: f32, size: f32, grey: f32) {
        let mut cx = x;
        for piece in &line.pieces {
            // Split the piece into runs of one face (fallback glyphs come from another font).
            let mut run = String::new();
            let mut run_face: Option<Face> = None;
            let mut run_w = 0.0;
            for ch in piece.text.chars() {
                let (adv, face) = m.advance(piece.style, ch);
                if run_face.is_some_and(|f| f != face) {
                    self.prims.push(Prim::Text {
                        x: cx,
                        baseline,
                        face: run_face.unwrap_or(face),
                        size,
                        bold: piece.style.is_bold(),
                        grey,
                        spacing: 0.0,
                        text: std::mem::take(&mut run),
                    });
                    cx += run_w;
                    run_w = 0.0;
                }
                run_face = Some(face);
                run.push(ch);
                run_w += adv * size * PT_TO_MM;
            }
            if let Some(face) = run_face {
                if !run.trim().is_empty() {
                    self.prims.push(Prim::Text {
                        x: cx,
                        baseline,
                        face,
                        size,
                        bold: piece.style.is_bold(),
                        grey,
                        spacing: 0.0,
                        text: run,
                    });
                }
                cx += run_w;
            }
        }
    }

    /// Draws a code (recovery code, PIN code, share) in one face with `spacing` em of extra
    /// space after every character.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn spaced(
        &mut self,
        face: Face,
        text: &str,
        x: f32,
        baseline: f32,
        size: f32,
        grey: f32,
        spacing: f32,
    ) {
        self.prims.push(Prim::Text {
            x,
            baseline,
            face,
            size,
            bold: false,
            grey,
            spacing,
            text: text.to_string(),
        });
    }

    pub(crate) fn rect(
        &mut self,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<f32>,
        stroke: Option<(f32, f32)>,
    ) {
        self.prims.push(Prim::Rect { x, y, w, h, fill, stroke });
    }

    pub(crate) fn hline(&mut self, x1: f32, x2: f32, y: f32, width: f32, grey: f32) {
        self.prims.push(Prim::Line { x1, y1: y, x2, y2: y, width, grey, dash: None });
    }

    /// Appends another fragment shifted by (dx, dy).
    pub(crate) fn append(&mut self, mut other: Frag, dx: f32, dy: f32) {
        for mut p in other.prims.drain(..) {
            shift(&mut p, dx, dy);
            self.prims.push(p);
        }
    }
}

pub(crate) fn shift(p: &mut Prim, dx: f32, dy: f32) {
    match p {
        Prim::Text { x, baseline, .. } => {
            *x += dx;
            *baseline += dy;
        }
        Prim::Rect { x, y, .. } | Prim::Qr { x, y, .. } => {
            *x += dx;
            *y += dy;
        }
        Prim::Line { x1, y1, x2, y2, .. } => {
            *x1 += dx;
            *x2 += dx;
            *y1 += dy;
            *y2 += dy;
        }
    }
}

fn mm(v: f32) -> Pt {
    Pt(v / PT_TO_MM)
}

fn grey(g: f32) -> Color {
    Color::Greyscale(Greyscale { percent: g.clamp(0.0, 1.0), icc_profile: None })
}

fn pt(x: f32, y_top: f32, page_h: f32) -> LinePoint {
    LinePoint { p: Point { x: mm(x), y: mm(page_h - y_top) }, bezier: false }
}

/// Emits `frag` placed with its top-left corner at (dx, dy) on a page of height `page_h`.
pub(crate) fn emit(
    frag: &mut Frag,
    dx: f32,
    dy: f32,
    page_h: f32,
    fonts: &[FontId; 4],
    bold_stroke: f32,
    ops: &mut Vec<Op>,
) {
    for mut p in frag.prims.drain(..) {
        shift(&mut p, dx, dy);
        emit_prim(p, page_h, fonts, bold_stroke, ops);
    }
}

fn emit_prim(p: Prim, page_h: f32, fonts: &[FontId; 4], bold_stroke: f32, ops: &mut Vec<Op>) {
    match p {
        Prim::Text { x, baseline, face, size, bold, grey: g, spacing, mut text } => {
            ops.push(Op::SaveGraphicsState);
            ops.push(Op::SetFillColor { col: grey(g) });
            if bold {
                ops.push(Op::SetOutlineColor { col: grey(g) });
                ops.push(Op::SetOutlineThickness { pt: Pt(size * bold_stroke) });
                ops.push(Op::SetLineJoinStyle { join: printpdf::LineJoinStyle::Round });
            }
            ops.push(Op::StartTextSection);
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(fonts[face as usize].clone()),
                size: Pt(size),
            });
            if bold {
                ops.push(Op::SetTextRenderingMode { mode: TextRenderingMode::FillStroke });
            }
            if spacing != 0.0 {
                ops.push(Op::SetCharacterSpacing { multiplier: spacing * size });
            }
            ops.push(Op::SetTextCursor { pos: Point { x: mm(x), y: mm(page_h - baseline) } });
            ops.push(Op::ShowText { items: vec![TextItem::Text(std::mem::take(&mut text))] });
            if bold {
                ops.push(Op::SetTextRenderingMode { mode: TextRenderingMode::Fill });
            }
            ops.push(Op::EndTextSection);
            ops.push(Op::RestoreGraphicsState);
        }
        Prim::Rect { x, y, w, h, fill, stroke } => {
            let mode = match (fill, stroke) {
                (Some(_), Some(_)) => PaintMode::FillStroke,
                (Some(_), None) => PaintMode::Fill,
                (None, Some(_)) => PaintMode::Stroke,
                (None, None) => return,
            };
            ops.push(Op::SaveGraphicsState);
            if let Some(f) = fill {
                ops.push(Op::SetFillColor { col: grey(f) });
            }
            if let Some((g, wdt)) = stroke {
                ops.push(Op::SetOutlineColor { col: grey(g) });
                ops.push(Op::SetOutlineThickness { pt: mm(wdt) });
            }
            ops.push(Op::DrawRectangle {
                rectangle: Rect {
                    x: mm(x),
                    y: mm(page_h - y - h),
                    width: mm(w),
                    height: mm(h),
                    mode: Some(mode),
                    winding_order: None,
                },
            });
            ops.push(Op::RestoreGraphicsState);
        }
        Prim::Line { x1, y1, x2, y2, width, grey: g, dash } => {
            ops.push(Op::SaveGraphicsState);
            ops.push(Op::SetOutlineColor { col: grey(g) });
            ops.push(Op::SetOutlineThickness { pt: mm(width) });
            if let Some((on, off)) = dash {
                ops.push(Op::SetLineDashPattern { dash: LineDashPattern::new(0.0, &[mm(on).0, mm(off).0]) });
            }
            ops.push(Op::DrawLine {
                line: PdfLine { points: vec![pt(x1, y1, page_h), pt(x2, y2, page_h)], is_closed: false },
            });
            ops.push(Op::RestoreGraphicsState);
        }
        Prim::Qr { x, y, module, width, mut dark } => {
            // One path of many rectangles (a horizontal run of dark modules each), filled at
            // once: no hairline seams between modules when rasterised.
            let mut rings = Vec::new();
            for r in 0..width {
                let mut c = 0;
                while c < width {
                    if !dark[r * width + c] {
                        c += 1;
                        continue;
                    }
                    let start = c;
                    while c < width && dark[r * width + c] {
                        c += 1;
                    }
                    let (x0, x1) = (x + start as f32 * module, x + c as f32 * module);
                    let (y0, y1) = (y + r as f32 * module, y + (r + 1) as f32 * module);
                    rings.push(PolygonRing {
                        points: vec![
                            pt(x0, y0, page_h),
                            pt(x1, y0, page_h),
                            pt(x1, y1, page_h),
                            pt(x0, y1, page_h),
                        ],
                    });
                }
            }
            dark.iter_mut().for_each(|d| *d = false);
            ops.push(Op::SaveGraphicsState);
            ops.push(Op::SetFillColor { col: grey(0.0) });
            ops.push(Op::DrawPolygon {
                polygon: Polygon { rings, mode: PaintMode::Fill, winding_order: WindingOrder::NonZero },
            });
            ops.push(Op::RestoreGraphicsState);
        }
    }
}
