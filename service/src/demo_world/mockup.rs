//! The demo world's mockups: a phone's consent screen drawn as filled rectangles and encoded
//! as a real PNG, so reviewers have an image to look at without files shipped in the repository.

/// A phone screen in CSS pixels (iPhone 12 to 15).
pub const WIDTH: u32 = 390;
pub const HEIGHT: u32 = 844;

type Rgb = [u8; 3];

const WHITE: Rgb = [255, 255, 255];
const INK: Rgb = [28, 32, 38];
const TEXT: Rgb = [96, 104, 114];
const FAINT: Rgb = [204, 209, 215];
const DIVIDER: Rgb = [232, 235, 238];
const NOTICE: Rgb = [255, 244, 206];
const NOTICE_TEXT: Rgb = [168, 128, 24];

/// More rows than this would run into the buttons.
const MAX_SCOPE_ROWS: usize = 5;
const ROW_HEIGHT: u32 = 62;

/// What differs between the demo applications' screens.
#[derive(Debug, Clone, Copy)]
pub struct Screen {
    /// The app's brand colour: header, checkboxes, the Allow button.
    pub accent: Rgb,
    /// One row with a ticked checkbox per requested scope.
    pub scopes: usize,
    /// Recurring access adds a notice on how to stop it, as the privacy checklist asks.
    pub recurring: bool,
}

/// Row-major RGB pixels.
struct Canvas {
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(background: Rgb) -> Self {
        Canvas { pixels: background.repeat((WIDTH * HEIGHT) as usize) }
    }

    /// Fills a rectangle, clipped to the screen.
    fn fill(&mut self, x: u32, y: u32, width: u32, height: u32, colour: Rgb) {
        for row in y..(y + height).min(HEIGHT) {
            for column in x..(x + width).min(WIDTH) {
                let at = ((row * WIDTH + column) * 3) as usize;
                self.pixels[at..at + 3].copy_from_slice(&colour);
            }
        }
    }

    /// A rectangle's outline, `line` pixels thick.
    fn outline(&mut self, x: u32, y: u32, width: u32, height: u32, line: u32, colour: Rgb) {
        self.fill(x, y, width, line, colour);
        self.fill(x, y + height - line, width, line, colour);
        self.fill(x, y, line, height, colour);
        self.fill(x + width - line, y, line, height, colour);
    }

    fn encode(self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("a PNG header writes to memory");
        writer.write_image_data(&self.pixels).expect("the pixels match the header");
        writer.finish().expect("a PNG finishes in memory");
        out
    }
}

/// A pale version of `colour`, for the title band.
fn tint(colour: Rgb) -> Rgb {
    colour.map(|c| c + ((255 - u16::from(c)) * 7 / 8) as u8)
}

/// The consent screen as a PNG: status bar, header, the two apps' icons over the title, a
/// row per scope, the recurring-access notice, and Cancel beside Allow. Grey bars stand
/// for text.
pub fn consent_screen(screen: Screen) -> Vec<u8> {
    let accent = screen.accent;
    let mut canvas = Canvas::new(WHITE);
    canvas.fill(0, 0, WIDTH, 44, INK);
    canvas.fill(0, 44, WIDTH, 56, accent);
    canvas.fill(20, 64, 132, 16, tint(accent));

    canvas.fill(0, 100, WIDTH, 150, tint(accent));
    canvas.fill(95, 126, 64, 64, accent);
    canvas.fill(171, 154, 48, 8, FAINT);
    canvas.fill(231, 126, 64, 64, INK);
    canvas.fill(60, 208, 270, 14, TEXT);
    canvas.fill(100, 230, 190, 8, FAINT);

    let mut y = 262;
    for row in 0..screen.scopes.clamp(1, MAX_SCOPE_ROWS) as u32 {
        canvas.outline(24, y + 14, 26, 26, 3, accent);
        canvas.fill(31, y + 21, 12, 12, accent);
        canvas.fill(66, y + 15, 230 - (row % 3) * 40, 12, INK);
        canvas.fill(66, y + 34, 170 + (row % 2) * 60, 8, FAINT);
        canvas.fill(16, y + ROW_HEIGHT - 1, WIDTH - 32, 1, DIVIDER);
        y += ROW_HEIGHT;
    }
    if screen.recurring {
        canvas.fill(16, y + 16, WIDTH - 32, 64, NOTICE);
        canvas.fill(32, y + 34, 250, 10, NOTICE_TEXT);
        canvas.fill(32, y + 52, 180, 10, NOTICE_TEXT);
    }

    let buttons = HEIGHT - 118;
    canvas.outline(16, buttons, 171, 52, 2, FAINT);
    canvas.fill(66, buttons + 20, 70, 12, TEXT);
    canvas.fill(203, buttons, 171, 52, accent);
    canvas.fill(258, buttons + 20, 60, 12, WHITE);
    canvas.fill(130, HEIGHT - 16, 130, 5, INK);
    canvas.encode()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> (png::OutputInfo, Vec<u8>) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        (info, pixels)
    }

    fn pixel(pixels: &[u8], x: u32, y: u32) -> Rgb {
        let at = ((y * WIDTH + x) * 3) as usize;
        [pixels[at], pixels[at + 1], pixels[at + 2]]
    }

    #[test]
    fn a_consent_screen_is_a_phone_sized_png_in_the_apps_colour() {
        let accent = [14, 116, 144];
        let bytes = consent_screen(Screen { accent, scopes: 2, recurring: true });
        let (info, pixels) = decode(&bytes);
        assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
        assert_eq!(pixel(&pixels, 200, 50), accent, "header");
        assert_eq!(pixel(&pixels, 36, 262 + 26), accent, "first checkbox");
        assert_eq!(pixel(&pixels, 300, HEIGHT - 100), accent, "Allow");
        assert_eq!(pixel(&pixels, 100, HEIGHT - 100), WHITE, "Cancel is an outline");
    }

    #[test]
    fn screens_differ_by_colour_and_rows_and_never_overflow() {
        let one = consent_screen(Screen { accent: [200, 80, 20], scopes: 1, recurring: false });
        let many = consent_screen(Screen { accent: [200, 80, 20], scopes: 40, recurring: true });
        assert_ne!(one, many);
        let (_, pixels) = decode(&many);
        assert_eq!(pixel(&pixels, 300, HEIGHT - 100), [200, 80, 20], "the buttons stay visible");
    }
}
