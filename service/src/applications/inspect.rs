//! Judging an uploaded file by its content: the magic bytes say what it claims to be,
//! and a real decode proves it. Runs on a blocking thread; PNGs are decoded row by row so
//! memory does not grow with the image.

use portcullis_domain::application::mockup::{MAX_MOCKUP_PIXELS, MockupKind};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("The image is larger than 40 megapixels; export it at a smaller size.")]
    TooManyPixels,
    #[error("The file could not be read as a {0}; it may be damaged or truncated.")]
    Undecodable(&'static str),
    #[error("The file is both a PDF and another kind of file; upload a plain PDF.")]
    Polyglot,
    #[error("cannot read the upload: {0}")]
    Io(#[from] std::io::Error),
}

/// Pixel size of images (PDFs have none).
pub type Dimensions = Option<(u32, u32)>;

pub fn inspect(path: &Path, kind: MockupKind) -> Result<Dimensions, InspectError> {
    match kind {
        MockupKind::Png => png_rows(path).map(Some),
        MockupKind::Jpeg => decode_image(path, image::ImageFormat::Jpeg, "JPEG").map(Some),
        MockupKind::Webp => decode_image(path, image::ImageFormat::WebP, "WebP").map(Some),
        MockupKind::Pdf => pdf(path).map(|()| None),
    }
}

fn check_pixels(width: u32, height: u32) -> Result<(), InspectError> {
    if u64::from(width) * u64::from(height) > MAX_MOCKUP_PIXELS { Err(InspectError::TooManyPixels) } else { Ok(()) }
}

fn png_rows(path: &Path) -> Result<(u32, u32), InspectError> {
    let undecodable = |_| InspectError::Undecodable("PNG");
    let decoder = png::Decoder::new(BufReader::new(File::open(path)?));
    let mut reader = decoder.read_info().map_err(undecodable)?;
    let (width, height) = (reader.info().width, reader.info().height);
    check_pixels(width, height)?;
    while reader.next_row().map_err(undecodable)?.is_some() {}
    reader.finish().map_err(undecodable)?;
    Ok((width, height))
}

fn decode_image(path: &Path, format: image::ImageFormat, name: &'static str) -> Result<(u32, u32), InspectError> {
    let undecodable = |_| InspectError::Undecodable(name);
    let (width, height) = image::ImageReader::with_format(BufReader::new(File::open(path)?), format)
        .into_dimensions()
        .map_err(undecodable)?;
    check_pixels(width, height)?;
    let mut reader = image::ImageReader::with_format(BufReader::new(File::open(path)?), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(MAX_MOCKUP_PIXELS * 4 + (64 << 20));
    reader.limits(limits);
    reader.decode().map_err(undecodable)?;
    Ok((width, height))
}

fn pdf(path: &Path) -> Result<(), InspectError> {
    let mut file = File::open(path)?;
    // A ZIP's end-of-central-directory record near the end makes a PDF/ZIP polyglot
    // (e.g. a PDF that is also an office document or a JAR).
    let len = file.metadata()?.len();
    let tail_len = len.min(64 * 1024);
    file.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = Vec::with_capacity(tail_len as usize);
    file.take(tail_len).read_to_end(&mut tail)?;
    if tail.windows(4).any(|w| w == b"PK\x05\x06") {
        return Err(InspectError::Polyglot);
    }
    let document = lopdf::Document::load(path).map_err(|_| InspectError::Undecodable("PDF"))?;
    if document.get_pages().is_empty() {
        return Err(InspectError::Undecodable("PDF"));
    }
    Ok(())
}
