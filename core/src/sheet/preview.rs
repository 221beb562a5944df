//! What a window shows of a sheet before it is printed: the pages as shapes in millimetres,
//! laid out exactly as the PDF, with every code and QR code blanked. The screen shows what
//! the paper will look like; only the paper carries the codes (a screen can be
//! photographed, recorded or shared over Remote Desktop).

use super::compose::lay_out;
use super::draw::{shift, Frag, Prim};
use super::text::{fonts, Face, Measure, Style, PT_TO_MM};
use super::{validate, SheetError, SheetInput, Templates};

/// A sheet's pages, A4 in millimetres from each page's top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    pub width_mm: f32,
    pub height_mm: f32,
    pub pages: Vec<Vec<Shape>>,
}

/// One thing drawn on a page. Greys run from 0 (black) to 1 (white), as printed.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A run of text whose baseline starts at (`x`, `baseline`); `size_mm` is the em size.
    Text {
        x: f32,
        baseline: f32,
        size_mm: f32,
        bold: bool,
        grey: f32,
        text: String,
    },
    /// Where a code, a check value or a QR code is printed: drawn as a blank box.
    Hidden {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
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
        dashed: bool,
    },
}

/// The preview of the sheet `input` would print (with the embedded templates).
pub fn preview(input: &SheetInput) -> Result<Preview, SheetError> {
    validate(input)?;
    let laid = lay_out(input, &Templates::embedded()?)?;
    let m = fonts()?;
    let pages = laid
        .pages
        .into_iter()
        .map(|items| {
            let mut shapes = Vec::new();
            for (frag, top) in items {
                shapes_of(frag, laid.margin_x, top, m, &mut shapes);
            }
            shapes
        })
        .collect();
    Ok(Preview { width_mm: laid.width, height_mm: laid.height, pages })
}

fn shapes_of(mut frag: Frag, dx: f32, dy: f32, m: &dyn Measure, out: &mut Vec<Shape>) {
    // Drained, so the Frag's wipe on drop has nothing left: the secret texts are wiped here.
    for mut prim in frag.prims.drain(..) {
        shift(&mut prim, dx, dy);
        out.push(match prim {
            // The codes are the only text set in the code face, their check values the only
            // text in the bold mono face.
            Prim::Text {
                x,
                baseline,
                face: face @ (Face::MonoBold | Face::Code),
                size,
                spacing,
                mut text,
                ..
            } => {
                let style = if face == Face::Code { Style::Code } else { Style::MonoBold };
                let w =
                    m.width_mm(style, &text, size) + spacing * size * PT_TO_MM * text.chars().count() as f32;
                secrecy::zeroize::Zeroize::zeroize(&mut text);
                let em = size * PT_TO_MM;
                Shape::Hidden { x, y: baseline - 0.8 * em, w, h: em }
            }
            Prim::Text { x, baseline, size, bold, grey, text, .. } => {
                Shape::Text { x, baseline, size_mm: size * PT_TO_MM, bold, grey, text }
            }
            Prim::Qr { x, y, module, width, mut dark } => {
                dark.iter_mut().for_each(|d| *d = false);
                let side = module * width as f32;
                Shape::Hidden { x, y, w: side, h: side }
            }
            Prim::Rect { x, y, w, h, fill, stroke } => Shape::Rect { x, y, w, h, fill, stroke },
            Prim::Line { x1, y1, x2, y2, width, grey, dash } => {
                Shape::Line { x1, y1, x2, y2, width, grey, dashed: dash.is_some() }
            }
        });
    }
}
