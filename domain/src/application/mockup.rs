//! UX mockups: what may be uploaded, judged by content, never by name or declared type.

use serde::{Deserialize, Serialize};

pub const MAX_MOCKUP_BYTES: u64 = 20 * 1024 * 1024;
pub const MAX_MOCKUPS_PER_APPLICATION: usize = 20;
pub const MAX_MOCKUP_PIXELS: u64 = 40_000_000;
pub const MAX_LABEL_CHARS: usize = 80;
pub const SUGGESTED_LABELS: [&str; 4] = ["Authorization screen", "Data selection", "Transfer status", "Revoke access"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

/// HTML, SVG or XML in the first bytes: a file that a browser could be talked into running
/// as a page, whatever its magic bytes say (polyglots).
pub fn looks_like_markup(prefix: &[u8]) -> bool {
    let text = String::from_utf8_lossy(prefix).to_ascii_lowercase();
    ["<html", "<script", "<svg", "<?xml", "<!doctype", "<body", "<iframe", "<head"].iter().any(|m| text.contains(m))
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

/// A file name safe in any header and any file system: ASCII letters, digits, `-` and `_`.
pub fn download_file_name(label: &str, kind: MockupKind) -> String {
    let mut stem = String::new();
    for c in label.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            stem.push(c);
        } else if !stem.ends_with('-') {
            stem.push('-');
        }
    }
    let stem: String = stem.trim_matches('-').chars().take(60).collect();
    let stem = if stem.is_empty() { "mockup".to_owned() } else { stem };
    format!("{stem}.{}", kind.extension())
}

/// The mockup object of the JSON API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MockupView {
    pub id: String,
    pub label: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_decide_the_type() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(MockupKind::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(MockupKind::Jpeg));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(MockupKind::Webp));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(MockupKind::Pdf));
        assert_eq!(sniff(b"<html><script>alert(1)</script>"), None);
        assert_eq!(sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), None);
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVE"), None);
    }

    #[test]
    fn markup_is_spotted_anywhere_in_the_prefix() {
        assert!(looks_like_markup(b"%PDF-1.4\n<HTML><body onload=alert(1)>"));
        assert!(looks_like_markup(b"\x89PNG\r\n\x1a\n<script>"));
        assert!(!looks_like_markup(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>"));
    }

    #[test]
    fn labels() {
        assert!(validate_label("Authorization screen").is_ok());
        assert!(validate_label("Écran d'autorisation 🔐").is_ok());
        assert_eq!(validate_label("  "), Err(LabelError::Empty));
        assert_eq!(validate_label(&"x".repeat(81)), Err(LabelError::TooLong));
        assert_eq!(validate_label("two\nlines"), Err(LabelError::ControlCharacters));
    }

    #[test]
    fn download_names_cannot_traverse_or_inject() {
        assert_eq!(download_file_name("Authorization screen", MockupKind::Png), "Authorization-screen.png");
        assert_eq!(download_file_name("../../etc/passwd", MockupKind::Pdf), "etc-passwd.pdf");
        assert_eq!(download_file_name("a\"; filename=evil.html", MockupKind::Jpeg), "a-filename-evil-html.jpg");
        assert_eq!(download_file_name("数据", MockupKind::Webp), "mockup.webp");
        assert!(download_file_name(&"x".repeat(500), MockupKind::Png).len() <= 64);
    }
}
