//! Small previews of image mockups, made while the upload is decoded anyway, so a gallery
//! never loads a 20 MB original. Pixels are averaged into the thumbnail's cells as they
//! stream past (a box filter), so a PNG is never held whole in memory.

use image::codecs::jpeg::JpegEncoder;
use portcullis_domain::application::mockup::thumbnail_size;

/// JPEG quality of thumbnails: text in a mockup stays legible at gallery size.
const QUALITY: u8 = 82;

/// How the samples of one pixel are laid out (eight bits each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    Gray,
    GrayAlpha,
    Rgb,
    Rgba,
}

impl Layout {
    /// From a number of channels, as image decoders report it.
    pub(crate) fn from_channels(channels: u8) -> Option<Self> {
        match channels {
            1 => Some(Layout::Gray),
            2 => Some(Layout::GrayAlpha),
            3 => Some(Layout::Rgb),
            4 => Some(Layout::Rgba),
            _ => None,
        }
    }

    fn channels(self) -> usize {
        match self {
            Layout::Gray => 1,
            Layout::GrayAlpha => 2,
            Layout::Rgb => 3,
            Layout::Rgba => 4,
        }
    }

    /// The pixel as opaque RGB: transparency is shown over white, as the gallery's tiles are.
    fn rgb(self, p: &[u8]) -> [u8; 3] {
        let over_white = |c: u8, a: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        match self {
            Layout::Gray => [p[0]; 3],
            Layout::GrayAlpha => [over_white(p[0], p[1]); 3],
            Layout::Rgb => [p[0], p[1], p[2]],
            Layout::Rgba => [over_white(p[0], p[3]), over_white(p[1], p[3]), over_white(p[2], p[3])],
        }
    }
}

/// A thumbnail in the making: each cell sums the pixels that fall in it. Sums fit in `u32`:
/// a cell holds at most 40 MP / 320 pixels of at most 255.
pub(crate) struct Shrinker {
    width: u32,
    height: u32,
    cells: (u32, u32),
    sums: Vec<u32>,
    counts: Vec<u32>,
}

impl Shrinker {
    pub(crate) fn new(width: u32, height: u32) -> Self {
        let cells = thumbnail_size(width, height);
        let len = (cells.0 * cells.1) as usize;
        Shrinker { width: width.max(1), height: height.max(1), cells, sums: vec![0; len * 3], counts: vec![0; len] }
    }

    /// Adds the pixels of row `y` found at columns `first, first + step, …` (every column
    /// for a plain row, a subset for a pass of an interlaced PNG).
    pub(crate) fn add_row(&mut self, y: u32, first: u32, step: u32, layout: Layout, samples: &[u8]) {
        if y >= self.height {
            return;
        }
        let row = (u64::from(y) * u64::from(self.cells.1) / u64::from(self.height)) as usize;
        for (i, pixel) in samples.chunks_exact(layout.channels()).enumerate() {
            let x = u64::from(first) + i as u64 * u64::from(step);
            if x >= u64::from(self.width) {
                break;
            }
            let cell = row * self.cells.0 as usize + (x * u64::from(self.cells.0) / u64::from(self.width)) as usize;
            for (sum, value) in self.sums[cell * 3..cell * 3 + 3].iter_mut().zip(layout.rgb(pixel)) {
                *sum += u32::from(value);
            }
            self.counts[cell] += 1;
        }
    }

    /// Adds a whole decoded image, `samples` row after row.
    pub(crate) fn add_image(&mut self, layout: Layout, samples: &[u8]) {
        let row_len = self.width as usize * layout.channels();
        for (y, row) in samples.chunks_exact(row_len).enumerate() {
            self.add_row(y as u32, 0, 1, layout, row);
        }
    }

    /// The thumbnail as a JPEG. A cell no pixel reached (a file that ended early) is white.
    pub(crate) fn finish(self) -> Result<Vec<u8>, image::ImageError> {
        let mut pixels = Vec::with_capacity(self.sums.len());
        for (sums, count) in self.sums.chunks_exact(3).zip(&self.counts) {
            pixels.extend(sums.iter().map(|sum| if *count == 0 { 255 } else { (sum / count) as u8 }));
        }
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(&mut jpeg, QUALITY).encode(
            &pixels,
            self.cells.0,
            self.cells.1,
            image::ExtendedColorType::Rgb8,
        )?;
        Ok(jpeg)
    }
}

/// Where the rows of each pass of an Adam7-interlaced PNG go: (first column, column step,
/// first row, row step).
pub(crate) const ADAM7: [(u32, u32, u32, u32); 7] =
    [(0, 8, 0, 8), (4, 8, 0, 8), (0, 4, 4, 8), (2, 4, 0, 4), (0, 2, 2, 4), (1, 2, 0, 2), (0, 1, 1, 2)];

/// The passes of an interlaced image `width` × `height` that hold pixels, with their row
/// count, in the order a decoder yields them.
pub(crate) fn adam7_passes(width: u32, height: u32) -> impl Iterator<Item = ((u32, u32, u32, u32), u32)> {
    ADAM7.into_iter().filter_map(move |pass @ (x0, dx, y0, dy)| {
        let (columns, rows) = (width.saturating_sub(x0).div_ceil(dx), height.saturating_sub(y0).div_ceil(dy));
        (columns > 0 && rows > 0).then_some((pass, rows))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(jpeg: &[u8]) -> image::RgbImage {
        image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg).unwrap().to_rgb8()
    }

    #[test]
    fn a_large_image_shrinks_to_the_box_and_keeps_its_colours() {
        let (width, height) = (1280, 800);
        let mut shrinker = Shrinker::new(width, height);
        // Left half red, right half blue.
        let row: Vec<u8> = (0..width).flat_map(|x| if x < width / 2 { [255, 0, 0] } else { [0, 0, 255] }).collect();
        for y in 0..height {
            shrinker.add_row(y, 0, 1, Layout::Rgb, &row);
        }
        let thumbnail = decode(&shrinker.finish().unwrap());
        assert_eq!(thumbnail.dimensions(), (480, 300));
        let (left, right) = (thumbnail.get_pixel(100, 150).0, thumbnail.get_pixel(380, 150).0);
        assert!(left[0] > 240 && left[2] < 15, "{left:?}");
        assert!(right[2] > 240 && right[0] < 15, "{right:?}");
    }

    #[test]
    fn transparency_shows_over_white_and_cells_average() {
        let mut shrinker = Shrinker::new(2, 2);
        shrinker.add_row(0, 0, 1, Layout::Rgba, &[0, 0, 0, 0, 0, 0, 0, 255]);
        shrinker.add_row(1, 0, 1, Layout::GrayAlpha, &[0, 0, 0, 255]);
        let thumbnail = decode(&shrinker.finish().unwrap());
        assert!(thumbnail.get_pixel(0, 0).0.iter().all(|c| *c > 240), "transparent is white");
        assert!(thumbnail.get_pixel(1, 1).0.iter().all(|c| *c < 15), "opaque black stays black");
    }

    #[test]
    fn interlaced_passes_cover_every_pixel_once() {
        for (width, height) in [(1, 1), (3, 5), (8, 8), (13, 2)] {
            let mut seen = vec![0; (width * height) as usize];
            for ((x0, dx, y0, dy), rows) in adam7_passes(width, height) {
                for line in 0..rows {
                    for x in (x0..width).step_by(dx as usize) {
                        seen[((y0 + line * dy) * width + x) as usize] += 1;
                    }
                }
            }
            assert!(seen.iter().all(|n| *n == 1), "{width}×{height}: {seen:?}");
        }
    }

    #[test]
    fn a_file_that_ended_early_leaves_white_cells() {
        let mut shrinker = Shrinker::new(4, 4);
        shrinker.add_image(Layout::Gray, &[0; 8]);
        let thumbnail = decode(&shrinker.finish().unwrap());
        assert!(thumbnail.get_pixel(0, 0).0[0] < 15 && thumbnail.get_pixel(0, 3).0[0] > 240);
    }
}
