//! Sizes for people who read without glasses at arm's length: large text, large targets.

use iced::Font;

/// Body text (the toolkit's default is 16).
pub const TEXT: f32 = 19.0;
pub const SMALL: f32 = 16.0;
pub const HEADING: f32 = 30.0;
pub const SUBHEADING: f32 = 23.0;
/// Padding inside buttons and fields.
pub const PAD: u16 = 12;
pub const GAP: f32 = 14.0;
/// The width of the content column: lines stay short enough to read.
pub const CONTENT_WIDTH: f32 = 820.0;

pub fn font() -> Font {
    Font::with_name(crate::FONT_NAME)
}

/// Codes (recovery code, PIN code, thumbprints): a wide letter spacing is what the font has;
/// the grouping is done in the text.
pub fn code_font() -> Font {
    Font { weight: iced::font::Weight::Bold, ..font() }
}
