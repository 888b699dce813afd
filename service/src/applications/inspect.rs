//! Judging an uploaded file by its content: the magic bytes say what it claims to be,
//! and a real decode proves it. Images are decoded on a blocking thread, PNGs row by row so
//! memory does not grow with the image. PDFs are parsed in a child process (`portcullis
//! --inspect-pdf`) under resource limits: however a hostile file makes the parser allocate,
//! recurse or loop, only the child dies, and the upload is refused.

use super::thumbnail::{Layout, Shrinker, adam7_passes};
use flate2::bufread::{DeflateDecoder, ZlibDecoder};
use lopdf::xref::XrefEntry;
use lopdf::{DecompressError, Document, LoadOptions, Object, Stream};
use portcullis_domain::application::mockup::{
    MAX_MOCKUP_BYTES, MAX_MOCKUP_PIXELS, MAX_PDF_EXPANDED_BYTES, MAX_PDF_STREAM_BYTES, MockupKind,
};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{ExitCode, Stdio};
use std::time::Duration;

/// Memory of the checking process, its own program included.
const CHECK_ADDRESS_SPACE: u64 = 512 * 1024 * 1024;
/// Processor time of the checking process.
const CHECK_CPU_SECONDS: u64 = 20;
/// Time the server waits for a verdict, however the child spends it.
const CHECK_TIMEOUT: Duration = Duration::from_secs(60);
/// What a stream decoded whole in memory may expand to: object streams while the file
/// loads, and filters other than Flate (rare), which are not counted on the fly.
const HELD_STREAM_BYTES: u64 = 32 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("The image is larger than 40 megapixels; export it at a smaller size.")]
    TooManyPixels,
    #[error("The file could not be read as a {0}; it may be damaged or truncated.")]
    Undecodable(&'static str),
    #[error("The file is both a PDF and another kind of file; upload a plain PDF.")]
    Polyglot,
    #[error(
        "The PDF holds compressed data that expands to more than {} MB; it may be damaged or made to exhaust \
         memory. Export it again with smaller images.",
        .0 >> 20
    )]
    Expands(u64),
    #[error(
        "The PDF is too complex to check within {} MB of memory and {} seconds; export it again, simplified.",
        CHECK_ADDRESS_SPACE >> 20,
        CHECK_CPU_SECONDS
    )]
    TooComplex,
    #[error("cannot read the upload: {0}")]
    Io(#[from] std::io::Error),
    /// The check could not run (the PDF checker did not start or gave no verdict).
    #[error("inspecting an upload: {0}")]
    Internal(String),
}

/// What a decode found: the pixel size and a thumbnail (images only; PDFs have neither).
#[derive(Debug, Default)]
pub struct Inspected {
    pub dimensions: Option<(u32, u32)>,
    /// A JPEG preview; absent only if encoding it failed, which does not refuse the upload.
    pub thumbnail: Option<Vec<u8>>,
}

/// An image decoded whole: its size, and its thumbnail in the making.
struct Decoded {
    width: u32,
    height: u32,
    shrinker: Shrinker,
}

/// Judges the file at `path`, which the magic bytes say is a `kind`; `checker` is the
/// program that checks PDFs (see [`pdf`]). Images get their thumbnail in the same decode.
pub(crate) async fn inspect(path: &Path, kind: MockupKind, checker: &Path) -> Result<Inspected, InspectError> {
    let decode: fn(&Path) -> Result<Decoded, InspectError> = match kind {
        MockupKind::Pdf => return pdf(checker, path).await.map(|()| Inspected::default()),
        MockupKind::Png => png_rows,
        MockupKind::Jpeg => |path| decode_image(path, image::ImageFormat::Jpeg, "JPEG"),
        MockupKind::Webp => |path| decode_image(path, image::ImageFormat::WebP, "WebP"),
    };
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        let Decoded { width, height, shrinker } = decode(&path)?;
        let thumbnail = shrinker.finish().inspect_err(|e| tracing::warn!(error = %e, "no thumbnail")).ok();
        Ok(Inspected { dimensions: Some((width, height)), thumbnail })
    })
    .await
    .map_err(|e| InspectError::Internal(format!("decoding an image: {e}")))?
}

fn check_pixels(width: u32, height: u32) -> Result<(), InspectError> {
    if u64::from(width) * u64::from(height) > MAX_MOCKUP_PIXELS { Err(InspectError::TooManyPixels) } else { Ok(()) }
}

/// Decodes row by row into the thumbnail, each pass of an interlaced file included.
fn png_rows(path: &Path) -> Result<Decoded, InspectError> {
    let undecodable = |_| InspectError::Undecodable("PNG");
    let mut decoder = png::Decoder::new(BufReader::new(File::open(path)?));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(undecodable)?;
    let (width, height, interlaced) = (reader.info().width, reader.info().height, reader.info().interlaced);
    check_pixels(width, height)?;
    let layout =
        Layout::from_channels(reader.output_color_type().0.samples() as u8).ok_or(InspectError::Undecodable("PNG"))?;
    let mut shrinker = Shrinker::new(width, height);
    // Where each row lands: the full image's rows in order, or each pass's in turn.
    let mut places: Box<dyn Iterator<Item = (u32, u32, u32)>> = if interlaced {
        Box::new(
            adam7_passes(width, height)
                .flat_map(|((x0, dx, y0, dy), rows)| (0..rows).map(move |line| (y0 + line * dy, x0, dx))),
        )
    } else {
        Box::new((0..height).map(|y| (y, 0, 1)))
    };
    while let Some(row) = reader.next_row().map_err(undecodable)? {
        if let Some((y, first, step)) = places.next() {
            shrinker.add_row(y, first, step, layout, row.data());
        }
    }
    reader.finish().map_err(undecodable)?;
    Ok(Decoded { width, height, shrinker })
}

fn decode_image(path: &Path, format: image::ImageFormat, name: &'static str) -> Result<Decoded, InspectError> {
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
    let decoded = reader.decode().map_err(undecodable)?;
    let mut shrinker = Shrinker::new(width, height);
    // JPEG and WebP decode to eight-bit gray or RGB(A); anything else is converted first.
    match (decoded.as_flat_samples_u8(), Layout::from_channels(decoded.color().channel_count())) {
        (Some(samples), Some(layout)) => shrinker.add_image(layout, samples.as_slice()),
        _ => shrinker.add_image(Layout::Rgba, decoded.to_rgba8().as_raw()),
    }
    Ok(Decoded { width, height, shrinker })
}

/// The child's answer: one line on its standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Accepted,
    Damaged,
    Polyglot,
    /// Some stream expands past this many bytes.
    Expands(u64),
}

impl Verdict {
    fn line(self) -> String {
        match self {
            Verdict::Accepted => "accepted".into(),
            Verdict::Damaged => "damaged".into(),
            Verdict::Polyglot => "polyglot".into(),
            Verdict::Expands(limit) => format!("expands {limit}"),
        }
    }

    fn parse(line: &str) -> Option<Self> {
        match line.trim().split_once(' ') {
            Some(("expands", limit)) => limit.parse().ok().map(Verdict::Expands),
            Some(_) => None,
            None => match line.trim() {
                "accepted" => Some(Verdict::Accepted),
                "damaged" => Some(Verdict::Damaged),
                "polyglot" => Some(Verdict::Polyglot),
                _ => None,
            },
        }
    }
}

/// Checks the PDF at `path` by running `checker --inspect-pdf` on it, with at most
/// [`CHECK_ADDRESS_SPACE`] of memory, [`CHECK_CPU_SECONDS`] of processor time and no core
/// dump. A child killed by a limit means the file is too complex; one that panicked, damaged.
pub(crate) async fn pdf(checker: &Path, path: &Path) -> Result<(), InspectError> {
    let file = tokio::fs::File::open(path).await?.into_std().await;
    let mut command = tokio::process::Command::new(checker);
    // Nothing of the server's environment (database URL, mail credentials) reaches the
    // process that parses hostile input.
    command
        .arg("--inspect-pdf")
        .env_clear()
        .stdin(Stdio::from(file))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    limit_resources(&mut command);
    let child =
        command.spawn().map_err(|e| InspectError::Internal(format!("cannot start {}: {e}", checker.display())))?;
    // On timeout the child is dropped, which kills it.
    let Ok(output) = tokio::time::timeout(CHECK_TIMEOUT, child.wait_with_output()).await else {
        return Err(InspectError::TooComplex);
    };
    let output = output?;
    match Verdict::parse(&String::from_utf8_lossy(&output.stdout)) {
        Some(Verdict::Accepted) => Ok(()),
        Some(Verdict::Damaged) => Err(InspectError::Undecodable("PDF")),
        Some(Verdict::Polyglot) => Err(InspectError::Polyglot),
        Some(Verdict::Expands(limit)) => Err(InspectError::Expands(limit)),
        None if killed(&output.status) => Err(InspectError::TooComplex),
        // 101: a Rust panic, which the parser only ever meets on a malformed file.
        None if output.status.code() == Some(101) => Err(InspectError::Undecodable("PDF")),
        None => Err(InspectError::Internal(format!("{} gave no verdict ({})", checker.display(), output.status))),
    }
}

#[cfg(unix)]
fn killed(status: &std::process::ExitStatus) -> bool {
    std::os::unix::process::ExitStatusExt::signal(status).is_some()
}

#[cfg(not(unix))]
fn killed(_: &std::process::ExitStatus) -> bool {
    false
}

/// Memory (address space, which also bounds the stack), processor time, and no files
/// written, core dumps included; set in the child between `fork` and `exec`.
#[cfg(target_os = "linux")]
fn limit_resources(command: &mut tokio::process::Command) {
    // SAFETY: the closure only makes system calls (setrlimit is async-signal-safe), as is
    // allowed between `fork` and `exec`.
    unsafe {
        command.pre_exec(|| {
            let limits = [
                (libc::RLIMIT_AS, CHECK_ADDRESS_SPACE),
                (libc::RLIMIT_CPU, CHECK_CPU_SECONDS),
                (libc::RLIMIT_CORE, 0),
                (libc::RLIMIT_FSIZE, 0),
            ];
            for (resource, value) in limits {
                if libc::setrlimit(resource, &libc::rlimit { rlim_cur: value, rlim_max: value }) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn limit_resources(_: &mut tokio::process::Command) {}

/// `portcullis --inspect-pdf`: the child's side of [`pdf`]. Reads the file from standard
/// input and prints its verdict; the limits were set before the program started.
pub fn check_pdf_from_stdin() -> ExitCode {
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().lock().take(MAX_MOCKUP_BYTES + 1).read_to_end(&mut bytes) {
        eprintln!("cannot read the file: {e}");
        return ExitCode::FAILURE;
    }
    println!("{}", judge_pdf(&bytes, &Limits::PRODUCTION).line());
    ExitCode::SUCCESS
}

/// How far streams may expand.
struct Limits {
    stream: u64,
    total: u64,
    held: u64,
}

impl Limits {
    const PRODUCTION: Limits =
        Limits { stream: MAX_PDF_STREAM_BYTES, total: MAX_PDF_EXPANDED_BYTES, held: HELD_STREAM_BYTES };
}

fn judge_pdf(bytes: &[u8], limits: &Limits) -> Verdict {
    // A ZIP's end-of-central-directory record near the end makes a PDF/ZIP polyglot
    // (e.g. a PDF that is also an office document or a JAR).
    if tail(bytes, 64 * 1024).windows(4).any(|w| w == b"PK\x05\x06") {
        return Verdict::Polyglot;
    }
    // Readers look for the end-of-file marker within the last 1024 bytes; a file cut
    // short has lost it.
    if !tail(bytes, 1024).windows(5).any(|w| w == b"%%EOF") {
        return Verdict::Damaged;
    }
    let options = LoadOptions { max_decompressed_size: Some(limits.held as usize), ..LoadOptions::default() };
    let document = match Document::load_mem_with_options(bytes, options) {
        Ok(document) => document,
        Err(lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. })) => {
            return Verdict::Expands(limits.held);
        }
        Err(_) => return Verdict::Damaged,
    };
    if document.get_pages().is_empty() || !every_object_read(&document) {
        return Verdict::Damaged;
    }
    match expansion(&document, limits) {
        Ok(_) => Verdict::Accepted,
        Err(limit) => Verdict::Expands(limit),
    }
}

fn tail(bytes: &[u8], len: usize) -> &[u8] {
    &bytes[bytes.len().saturating_sub(len)..]
}

/// Lenient loading skips an object it cannot read (nested too deeply, cut off, malformed);
/// the file is damaged if an object its cross-reference table lists is missing.
fn every_object_read(document: &Document) -> bool {
    let missing = document
        .reference_table
        .entries
        .iter()
        .filter(|&(&number, entry)| match *entry {
            XrefEntry::Normal { generation, .. } => !document.objects.contains_key(&(number, generation)),
            XrefEntry::Compressed { .. } => !document.objects.contains_key(&(number, 0)),
            XrefEntry::Free | XrefEntry::UnusableFree => false,
        })
        .count();
    // Decryption consumes the `/Encrypt` dictionary.
    missing <= usize::from(document.encryption_state.is_some())
}

/// What all streams expand to together, or the limit the first one to pass a limit passed.
fn expansion(document: &Document, limits: &Limits) -> Result<u64, u64> {
    let mut total = 0;
    for object in document.objects.values() {
        if let Object::Stream(stream) = object {
            let (cap, limit) = if limits.total - total < limits.stream {
                (limits.total - total, limits.total)
            } else {
                (limits.stream, limits.stream)
            };
            total += expanded_len(stream, cap, limits.held).map_err(|held| held.unwrap_or(limit))?;
        }
    }
    Ok(total)
}

/// The bytes `stream` expands to, if at most `cap`. Leading Flate layers (nearly every
/// compressed stream) are counted as they come out of the decoder, never held; other
/// filters are decoded in memory within `held`, and image codecs (JPEG, JPEG 2000, fax,
/// JBIG2), which only viewers decode, count at their stored size. `Err(Some(held))` when
/// the in-memory decode passed `held`.
fn expanded_len(stream: &Stream, cap: u64, held: u64) -> Result<u64, Option<u64>> {
    let filters = stream.filters().unwrap_or_default();
    let flate_layers = filters.iter().take_while(|f| *f == b"FlateDecode").count();
    let len = if flate_layers > 0 {
        let mut reader: Box<dyn BufRead + '_> = Box::new(stream.content.as_slice());
        for _ in 0..flate_layers {
            reader = Box::new(BufReader::new(inflater(reader)));
        }
        count(reader, cap)
    } else if filters.iter().any(|f| IMAGE_CODECS.contains(f)) {
        stream.content.len() as u64
    } else {
        match stream.decompressed_content_with_limit(held.min(cap) as usize) {
            Ok(content) => content.len() as u64,
            Err(lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. })) if held < cap => {
                return Err(Some(held));
            }
            Err(lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. })) => return Err(None),
            // A stream viewers cannot decode either only shows as blank.
            Err(_) => stream.content.len() as u64,
        }
    };
    if len > cap { Err(None) } else { Ok(len) }
}

const IMAGE_CODECS: [&[u8]; 4] = [b"DCTDecode", b"JPXDecode", b"CCITTFaxDecode", b"JBIG2Decode"];

/// A zlib decoder, or a raw deflate one when the data has no zlib header (readers accept both).
fn inflater<'a>(mut input: Box<dyn BufRead + 'a>) -> Box<dyn Read + 'a> {
    let zlib = matches!(input.fill_buf(), Ok([cmf, flg, ..]) if cmf & 0x0F == 8 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0);
    if zlib { Box::new(ZlibDecoder::new(input)) } else { Box::new(DeflateDecoder::new(input)) }
}

/// Bytes read until the end, an error (readers show a corrupt stream up to there), or one
/// past `cap`.
fn count(reader: impl Read, cap: u64) -> u64 {
    let mut reader = reader.take(cap + 1);
    let mut buffer = vec![0; 64 * 1024];
    let mut total = 0;
    while let Ok(n @ 1..) = reader.read(&mut buffer) {
        total += n as u64;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;
    use std::io::Write;

    /// A PNG of `width` × `height`, red on the left and blue on the right, written with or
    /// without Adam7 interlacing (no encoder at hand writes it, so the passes are laid out here).
    fn halves_png(width: u32, height: u32, interlaced: bool) -> Vec<u8> {
        let pixel = |x: u32| if x < width / 2 { [255, 0, 0] } else { [0, 0, 255] };
        let rows: Vec<(u32, u32)> = if interlaced {
            adam7_passes(width, height)
                .flat_map(|((x0, dx, _, _), rows)| std::iter::repeat_n((x0, dx), rows as usize))
                .collect()
        } else {
            vec![(0, 1); height as usize]
        };
        let mut raw = Vec::new();
        for (first, step) in rows {
            raw.push(0);
            raw.extend((first..width).step_by(step as usize).flat_map(pixel));
        }
        let mut info = png::Info::with_size(width, height);
        info.color_type = png::ColorType::Rgb;
        info.bit_depth = png::BitDepth::Eight;
        info.interlaced = interlaced;
        let mut file = Vec::new();
        let mut writer = png::Encoder::with_info(&mut file, info).unwrap().write_header().unwrap();
        writer.write_chunk(png::chunk::IDAT, &compress_zlib(&raw)).unwrap();
        writer.finish().unwrap();
        file
    }

    fn compress_zlib(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn an_interlaced_png_gives_the_same_preview_as_a_plain_one() {
        let dir = std::env::temp_dir().join(format!("portcullis-inspect-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut previews = Vec::new();
        for interlaced in [false, true] {
            let path = dir.join(format!("{interlaced}.png"));
            std::fs::write(&path, halves_png(1000, 700, interlaced)).unwrap();
            let Decoded { width, height, shrinker } = png_rows(&path).unwrap();
            assert_eq!((width, height), (1000, 700));
            let jpeg = shrinker.finish().unwrap();
            previews.push(image::load_from_memory_with_format(&jpeg, image::ImageFormat::Jpeg).unwrap().to_rgb8());
        }
        std::fs::remove_dir_all(dir).unwrap();
        assert_eq!(previews[0].dimensions(), (457, 320));
        assert_eq!(previews[0].dimensions(), previews[1].dimensions());
        for preview in &previews {
            let (left, right) = (preview.get_pixel(50, 100).0, preview.get_pixel(400, 200).0);
            assert!(left[0] > 240 && left[2] < 15, "{left:?}");
            assert!(right[2] > 240 && right[0] < 15, "{right:?}");
        }
    }

    const SMALL: Limits = Limits { stream: 1 << 20, total: 3 << 20, held: 256 << 10 };

    fn deflated(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    /// A one-page PDF whose page draws `contents`, plus `extra` objects.
    fn build(contents: Stream, extra: Vec<Object>) -> Document {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let content_id = doc.add_object(contents);
        let page_id = doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => content_id });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 }),
        );
        let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog_id);
        for object in extra {
            doc.add_object(object);
        }
        doc
    }

    fn document(contents: Stream, extra: Vec<Object>) -> Vec<u8> {
        let mut bytes = Vec::new();
        build(contents, extra).save_to(&mut bytes).unwrap();
        bytes
    }

    fn flate(data: &[u8]) -> Stream {
        Stream::new(dictionary! { "Filter" => "FlateDecode" }, deflated(data))
    }

    fn page() -> Stream {
        Stream::new(dictionary! {}, b"BT (Consent) Tj ET".to_vec())
    }

    #[test]
    fn verdicts_survive_their_line() {
        for verdict in [Verdict::Accepted, Verdict::Damaged, Verdict::Polyglot, Verdict::Expands(42)] {
            assert_eq!(Verdict::parse(&format!("{}\n", verdict.line())), Some(verdict));
        }
        for line in ["", "running 0 tests", "expands", "expands many", "accepted now"] {
            assert_eq!(Verdict::parse(line), None, "{line:?}");
        }
    }

    #[test]
    fn a_plain_pdf_and_one_within_the_limits_are_accepted() {
        assert_eq!(judge_pdf(&document(page(), vec![]), &SMALL), Verdict::Accepted);
        let images = (0..2).map(|_| Object::Stream(flate(&vec![7; 900 << 10]))).collect();
        assert_eq!(judge_pdf(&document(flate(&[1; 1000]), images), &SMALL), Verdict::Accepted);
    }

    #[test]
    fn object_streams_cross_reference_streams_and_linearized_files_are_read_whole() {
        let modern = lopdf::SaveOptions::builder().use_object_streams(true).use_xref_streams(true).build();
        let linearized = lopdf::SaveOptions::builder().linearize(true).build();
        for options in [modern, linearized] {
            let extra = (0..50).map(|n| Object::Dictionary(dictionary! { "N" => n })).collect();
            let mut bytes = Vec::new();
            build(page(), extra).save_with_options(&mut bytes, options).unwrap();
            assert_eq!(judge_pdf(&bytes, &SMALL), Verdict::Accepted);
        }
    }

    #[test]
    fn one_stream_past_its_limit_is_refused_wherever_it_is() {
        let big = vec![0; (1 << 20) + 1];
        assert_eq!(judge_pdf(&document(flate(&big), vec![]), &SMALL), Verdict::Expands(1 << 20));
        let image = Object::Stream(flate(&big));
        assert_eq!(judge_pdf(&document(page(), vec![image]), &SMALL), Verdict::Expands(1 << 20));
        let twice = Stream::new(dictionary! { "Filter" => vec!["FlateDecode".into(), "FlateDecode".into()] }, {
            deflated(&deflated(&big))
        });
        assert_eq!(judge_pdf(&document(twice, vec![]), &SMALL), Verdict::Expands(1 << 20));
    }

    #[test]
    fn streams_past_the_total_are_refused() {
        let images = (0..4).map(|_| Object::Stream(flate(&vec![0; 900 << 10]))).collect();
        assert_eq!(judge_pdf(&document(page(), images), &SMALL), Verdict::Expands(3 << 20));
    }

    #[test]
    fn raw_deflate_is_counted_too() {
        let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&vec![0; 2 << 20]).unwrap();
        let raw = Stream::new(dictionary! { "Filter" => "FlateDecode" }, encoder.finish().unwrap());
        assert_eq!(judge_pdf(&document(raw, vec![]), &SMALL), Verdict::Expands(1 << 20));
    }

    #[test]
    fn other_filters_are_decoded_within_the_held_limit() {
        let hex: Vec<u8> = std::iter::repeat_n(*b"00", 300 << 10).flatten().collect();
        let ascii_hex = Stream::new(dictionary! { "Filter" => "ASCIIHexDecode" }, hex);
        assert_eq!(judge_pdf(&document(ascii_hex, vec![]), &SMALL), Verdict::Expands(256 << 10));
        let jpeg = Stream::new(dictionary! { "Filter" => "DCTDecode" }, vec![0xFF; 900 << 10]);
        assert_eq!(judge_pdf(&document(page(), vec![Object::Stream(jpeg)]), &SMALL), Verdict::Accepted);
    }

    #[test]
    fn an_unreadable_object_or_a_lost_end_marks_the_file_damaged() {
        let whole = document(page(), vec![]);
        assert_eq!(judge_pdf(&whole[..whole.len() - 7], &SMALL), Verdict::Damaged);
        let nested = (0..500).fold(Object::Array(vec![]), |inner, _| Object::Array(vec![inner]));
        assert_eq!(judge_pdf(&document(page(), vec![nested]), &SMALL), Verdict::Damaged);
        assert_eq!(judge_pdf(b"%PDF-1.4\nnot really\n%%EOF\n", &SMALL), Verdict::Damaged);
    }

    #[test]
    fn a_zip_at_the_end_makes_a_polyglot() {
        let mut file = document(page(), vec![]);
        file.extend_from_slice(b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
        assert_eq!(judge_pdf(&file, &SMALL), Verdict::Polyglot);
    }
}
