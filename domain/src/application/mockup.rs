//! UX mockups: what may be uploaded, judged by content, never by name or declared type.

use serde::{Deserialize, Serialize};

pub const MAX_MOCKUP_BYTES: u64 = 20 * 1024 * 1024;
pub const MAX_MOCKUPS_PER_APPLICATION: usize = 20;
/// Uploads one account may have in progress at once.
pub const MAX_UPLOADS_IN_FLIGHT_PER_ACCOUNT: usize = 2;
/// What all of an organisation's stored mockups may take unless configured otherwise, in MB.
pub const DEFAULT_ORG_UPLOAD_QUOTA_MB: u64 = 500;
pub const MAX_MOCKUP_PIXELS: u64 = 40_000_000;
/// The most one stream of a PDF may expand to when decompressed: room for an image of
/// [`MAX_MOCKUP_PIXELS`] at four bytes a pixel.
pub const MAX_PDF_STREAM_BYTES: u64 = 160 * 1024 * 1024;
/// The most all streams of a PDF may expand to together.
pub const MAX_PDF_EXPANDED_BYTES: u64 = 1024 * 1024 * 1024;
pub const MAX_LABEL_CHARS: usize = 80;
pub const SUGGESTED_LABELS: [&str; 4] = ["Authorization screen", "Data selection", "Transfer status", "Revoke access"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MockupKind {
    Png,
    Jpeg,
    Webp,
    Pdf,
}

impl MockupKind {
    pub fn content_type(self) -> &'static str {
        match self {
            MockupKind::Png => "image/png",
            MockupKind::Jpeg => "image/jpeg",
            MockupKind::Webp => "image/webp",
            MockupKind::Pdf => "application/pdf",
        }
    }

    pub fn from_content_type(content_type: &str) -> Option<Self> {
        [MockupKind::Png, MockupKind::Jpeg, MockupKind::Webp, MockupKind::Pdf]
            .into_iter()
            .find(|k| k.content_type() == content_type)
    }

    pub fn extension(self) -> &'static str {
        match self {
            MockupKind::Png => "png",
            MockupKind::Jpeg => "jpg",
            MockupKind::Webp => "webp",
            MockupKind::Pdf => "pdf",
        }
    }

    pub fn is_image(self) -> bool {
        self != MockupKind::Pdf
    }
}

/// The type the leading bytes announce, if it is one we accept.
pub fn sniff(prefix: &[u8]) -> Option<MockupKind> {
    if prefix.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(MockupKind::Png)
    } else if prefix.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(MockupKind::Jpeg)
    } else if prefix.len() >= 12 && &prefix[..4] == b"RIFF" && &prefix[8..12] == b"WEBP" {
        Some(MockupKind::Webp)
    } else if prefix.starts_with(b"%PDF-") {
        Some(MockupKind::Pdf)
    } else {
        None
    }
}

/// Markers of HTML, SVG or XML that browsers act on.
const MARKUP: [&[u8]; 8] = [b"<html", b"<script", b"<svg", b"<?xml", b"<!doctype", b"<body", b"<iframe", b"<head"];

/// HTML, SVG or XML in the first bytes: a file that a browser could be talked into running
/// as a page, whatever its magic bytes say (polyglots). NUL bytes are skipped so UTF-16
/// markup is caught too.
pub fn looks_like_markup(prefix: &[u8]) -> bool {
    let text: Vec<u8> = prefix.iter().filter(|b| **b != 0).map(u8::to_ascii_lowercase).collect();
    MARKUP.iter().any(|marker| text.windows(marker.len()).any(|w| w == *marker))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    #[error("Give the mockup a label, for example \"Authorization screen\".")]
    Empty,
    #[error("Use at most 80 characters.")]
    TooLong,
    #[error("Use a single line without control characters.")]
    ControlCharacters,
}

pub fn validate_label(label: &str) -> Result<(), LabelError> {
    if label.trim().is_empty() {
        Err(LabelError::Empty)
    } else if label.chars().count() > MAX_LABEL_CHARS {
        Err(LabelError::TooLong)
    } else if label.chars().any(char::is_control) {
        Err(LabelError::ControlCharacters)
    } else {
        Ok(())
    }
}

pub const MAX_FILE_NAME_CHARS: usize = 60;

/// A file name safe in any header and any file system: ASCII letters, digits, `-` and `_`,
/// then the extension of the kind the content was judged to be; at most 60 characters.
pub fn download_file_name(label: &str, kind: MockupKind) -> String {
    let mut stem = String::new();
    for c in label.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            stem.push(c);
        } else if !stem.ends_with('-') {
            stem.push('-');
        }
    }
    let room = MAX_FILE_NAME_CHARS - 1 - kind.extension().len();
    let stem: String = stem.trim_start_matches('-').chars().take(room).collect();
    let stem = stem.trim_end_matches('-');
    let stem = if stem.is_empty() { "mockup" } else { stem };
    format!("{stem}.{}", kind.extension())
}

/// The mockup object of the JSON API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MockupView {
    pub id: String,
    pub label: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
}

/// A file size as people read it: "820 bytes", "17 KB", "16.5 MB" (powers of 1,000, as
/// operating systems show files).
pub fn readable_size(bytes: u64) -> String {
    const KB: u64 = 1_000;
    const MB: u64 = 1_000_000;
    if bytes < KB {
        return format!("{bytes} bytes");
    }
    if bytes.div_ceil(KB) < KB {
        return format!("{} KB", bytes.div_ceil(KB));
    }
    let tenths = bytes.div_ceil(MB / 10);
    match tenths % 10 {
        0 => format!("{} MB", tenths / 10),
        rest => format!("{}.{rest} MB", tenths / 10),
    }
}

/// The box a mockup's thumbnail fits in, in pixels: twice the gallery's tile, for sharp
/// previews on high-density screens.
pub const THUMBNAIL_BOX: (u32, u32) = (480, 320);

/// The size of the thumbnail of an image `width` × `height`: the largest that fits in
/// [`THUMBNAIL_BOX`] with the same proportions, never larger than the image, never empty.
pub fn thumbnail_size(width: u32, height: u32) -> (u32, u32) {
    let (box_w, box_h) = THUMBNAIL_BOX;
    let (w, h) = (u64::from(width.max(1)), u64::from(height.max(1)));
    // Scale by whichever side binds: compare box_w / w with box_h / h without division.
    let (tw, th) = if u64::from(box_w) * h <= u64::from(box_h) * w {
        (u64::from(box_w), h * u64::from(box_w) / w)
    } else {
        (w * u64::from(box_h) / h, u64::from(box_h))
    };
    let fit = |t: u64, side: u64| t.min(side).max(1) as u32;
    (fit(tw, w), fit(th, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbnails_fit_the_box_keep_proportions_and_never_grow() {
        assert_eq!(thumbnail_size(1280, 800), (480, 300));
        assert_eq!(thumbnail_size(390, 844), (147, 320));
        assert_eq!(thumbnail_size(4800, 3200), (480, 320));
        assert_eq!(thumbnail_size(200, 100), (200, 100), "small images keep their size");
        assert_eq!(thumbnail_size(40_000, 1), (480, 1), "a sliver stays at least a pixel high");
        assert_eq!(thumbnail_size(1, 40_000_000), (1, 320));
        assert_eq!(thumbnail_size(0, 0), (1, 1));
    }

    #[test]
    fn sizes_read_in_bytes_kilobytes_or_megabytes() {
        assert_eq!(readable_size(820), "820 bytes");
        assert_eq!(readable_size(17_301_504), "17.4 MB");
        assert_eq!(readable_size(16_896 * 1024), "17.4 MB");
        assert_eq!(readable_size(1_500_000), "1.5 MB");
        assert_eq!(readable_size(2_000_000), "2 MB");
        assert_eq!(readable_size(16_900), "17 KB");
        assert_eq!(readable_size(999_999), "1 MB");
    }

    const KINDS: [MockupKind; 4] = [MockupKind::Png, MockupKind::Jpeg, MockupKind::Webp, MockupKind::Pdf];

    #[test]
    fn magic_bytes_decide_the_type() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(MockupKind::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(MockupKind::Jpeg));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xDB]), Some(MockupKind::Jpeg));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(MockupKind::Webp));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(MockupKind::Pdf));
    }

    #[test]
    fn anything_else_is_refused() {
        for prefix in [
            &b"<html><script>alert(1)</script>"[..],
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            b"GIF89a",
            b"",
            b"RIFF\0\0\0\0WAVE",
            b"RIFF\0\0\0\0WEB",
            b"\x89PNG\r\n",
            b"\x89png\r\n\x1a\n",
            b"\xFF\xD8",
            b" %PDF-1.7",
            b"\n%PDF-1.7",
            b"%PDF1.7",
            b"PK\x03\x04",
            b"MZ\x90\0",
        ] {
            assert_eq!(sniff(prefix), None, "{prefix:?}");
        }
    }

    #[test]
    fn kinds_name_their_type_and_extension() {
        let types: Vec<&str> = KINDS.iter().map(|k| k.content_type()).collect();
        assert_eq!(types, ["image/png", "image/jpeg", "image/webp", "application/pdf"]);
        let extensions: Vec<&str> = KINDS.iter().map(|k| k.extension()).collect();
        assert_eq!(extensions, ["png", "jpg", "webp", "pdf"]);
        for kind in KINDS {
            assert_eq!(MockupKind::from_content_type(kind.content_type()), Some(kind));
        }
        assert_eq!(MockupKind::from_content_type("image/svg+xml"), None);
        assert_eq!(MockupKind::from_content_type("text/html"), None);
        assert!(!MockupKind::Pdf.is_image());
        assert!(MockupKind::Webp.is_image());
    }

    #[test]
    fn markup_is_spotted_anywhere_in_the_prefix() {
        for prefix in [
            &b"%PDF-1.4\n<HTML><body onload=alert(1)>"[..],
            b"\x89PNG\r\n\x1a\n<script>",
            b"\xFF\xD8\xFF\xE0<sCrIpT src=//evil>",
            b"<!DOCTYPE html>",
            b"<?XML version=\"1.0\"?>",
            b"RIFF\0\0\0\0WEBP<SVG onload=alert(1)>",
            b"<body>",
            b"<iframe src=//evil>",
            b"\xFF\xFE<\0s\0v\0g\0",
        ] {
            assert!(looks_like_markup(prefix), "{prefix:?}");
        }
        for prefix in
            [&b"%PDF-1.4\n1 0 obj << /Type /Catalog >>"[..], b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", b"", b"<htm", b"< html"]
        {
            assert!(!looks_like_markup(prefix), "{prefix:?}");
        }
    }

    #[test]
    fn labels() {
        assert!(validate_label("Authorization screen").is_ok());
        assert!(validate_label("Écran d'autorisation 🔐").is_ok());
        assert!(validate_label("x").is_ok());
        assert!(validate_label(&"é".repeat(MAX_LABEL_CHARS)).is_ok());
        assert!(SUGGESTED_LABELS.iter().all(|l| validate_label(l).is_ok()));
        assert_eq!(validate_label(""), Err(LabelError::Empty));
        assert_eq!(validate_label("  "), Err(LabelError::Empty));
        assert_eq!(validate_label(&"x".repeat(MAX_LABEL_CHARS + 1)), Err(LabelError::TooLong));
        for bad in ["two\nlines", "tab\there", "cr\rlf", "nul\0", "esc\u{1b}"] {
            assert_eq!(validate_label(bad), Err(LabelError::ControlCharacters), "{bad:?}");
        }
        assert_eq!(LabelError::Empty.to_string(), "Give the mockup a label, for example \"Authorization screen\".");
    }

    #[test]
    fn download_names_cannot_traverse_or_inject() {
        assert_eq!(download_file_name("Authorization screen", MockupKind::Png), "Authorization-screen.png");
        assert_eq!(download_file_name("../../etc/passwd", MockupKind::Pdf), "etc-passwd.pdf");
        assert_eq!(download_file_name("..\\..\\boot.ini", MockupKind::Pdf), "boot-ini.pdf");
        assert_eq!(download_file_name("a\"; filename=evil.html", MockupKind::Jpeg), "a-filename-evil-html.jpg");
        assert_eq!(download_file_name("x\r\nSet-Cookie: s=1", MockupKind::Png), "x-Set-Cookie-s-1.png");
        assert_eq!(download_file_name("Data  selection -- v2", MockupKind::Webp), "Data-selection-v2.webp");
        assert_eq!(download_file_name("snake_case_label", MockupKind::Png), "snake_case_label.png");
        assert_eq!(download_file_name("Écran 2", MockupKind::Png), "cran-2.png");
        assert_eq!(download_file_name("数据", MockupKind::Webp), "mockup.webp");
        assert_eq!(download_file_name("", MockupKind::Pdf), "mockup.pdf");
        assert_eq!(download_file_name("...", MockupKind::Pdf), "mockup.pdf");
    }

    #[test]
    fn download_names_are_short_and_plain() {
        let labels = [
            "x".repeat(500),
            format!("{}-{}", "a".repeat(54), "b".repeat(10)),
            "é a".repeat(100),
            "%00%2e%2e%2f".into(),
            "<script>alert(1)</script>".into(),
            "\u{202e}gnp.exe".into(),
        ];
        for label in labels {
            for kind in KINDS {
                let name = download_file_name(&label, kind);
                let stem = name.strip_suffix(&format!(".{}", kind.extension())).unwrap();
                assert!(name.len() <= MAX_FILE_NAME_CHARS, "{name}");
                assert!(!stem.is_empty() && !stem.starts_with('-') && !stem.ends_with('-'), "{name}");
                assert!(stem.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{name}");
                assert!(!stem.contains("--"), "{name}");
            }
        }
    }

    #[test]
    fn the_view_is_the_contract_shape() {
        let view = MockupView {
            id: "m1".into(),
            label: "Revoke access".into(),
            content_type: "image/png".into(),
            size: 1234,
            sha256: "ab".repeat(32),
        };
        let json = serde_json::to_value(&view).unwrap();
        let keys: std::collections::BTreeSet<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["content_type", "id", "label", "sha256", "size"].into());
        assert_eq!(json["size"], 1234);
    }

    #[test]
    fn limits() {
        assert_eq!(MAX_MOCKUP_BYTES, 20_971_520);
        assert_eq!(MAX_MOCKUPS_PER_APPLICATION, 20);
        assert_eq!(MAX_MOCKUP_PIXELS, 40_000_000);
        const { assert!(MAX_MOCKUP_PIXELS * 4 <= MAX_PDF_STREAM_BYTES && MAX_PDF_STREAM_BYTES < MAX_PDF_EXPANDED_BYTES) };
    }
}
