//! Markdown written by applicants, rendered so it can never run or load anything: raw HTML
//! becomes text, only http(s) and mailto links survive, images become plain links.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

fn is_safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")
}

pub fn render_markdown(text: &str) -> String {
    let mut kept_links = Vec::new();
    let events = Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES).filter_map(|event| {
        match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let keep = is_safe_url(&dest_url);
                kept_links.push(keep);
                keep.then_some(Event::Start(Tag::Link { link_type, dest_url, title, id }))
            }
            // Images would load from anywhere: show them as links to what they point at.
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                let keep = is_safe_url(&dest_url);
                kept_links.push(keep);
                keep.then_some(Event::Start(Tag::Link { link_type, dest_url, title, id }))
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                kept_links.pop().unwrap_or(false).then_some(Event::End(TagEnd::Link))
            }
            other => Some(other),
        }
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_markdown_renders() {
        let html = render_markdown("# Use\n\nWe **copy** posts. See [policy](https://zoe.example/privacy).");
        assert!(html.contains("<h1>Use</h1>"));
        assert!(html.contains("<strong>copy</strong>"));
        assert!(html.contains(r#"<a href="https://zoe.example/privacy">policy</a>"#));
    }

    #[test]
    fn scripts_and_handlers_stay_text() {
        for payload in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "text <b onmouseover=alert(1)>bold</b>",
            "<iframe src=javascript:alert(1)></iframe>",
        ] {
            let html = render_markdown(payload);
            assert!(!html.contains("<script"), "{html}");
            assert!(!html.contains("<img"), "{html}");
            assert!(!html.contains("<b "), "{html}");
            assert!(!html.contains("<iframe"), "{html}");
            assert!(html.contains("&lt;"), "{html}");
        }
    }

    #[test]
    fn dangerous_links_lose_their_href() {
        for payload in [
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x](data:text/html,<script>)",
            "<javascript:alert(1)>",
        ] {
            let html = render_markdown(payload);
            assert!(!html.to_ascii_lowercase().contains("href=\"javascript"), "{html}");
            assert!(!html.contains("href=\"data:"), "{html}");
        }
    }

    #[test]
    fn images_become_links() {
        let html = render_markdown("![screenshot](https://evil.example/x.png)");
        assert!(!html.contains("<img"));
        assert!(html.contains(r#"<a href="https://evil.example/x.png">screenshot</a>"#));
        assert!(!render_markdown("![x](javascript:alert(1))").contains("href"));
    }
}
