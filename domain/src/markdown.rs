//! Markdown written by applicants, rendered so it can never run or load anything. Every piece
//! of the author's text is escaped here rather than by the renderer, so that only tags chosen
//! here reach the output: raw HTML becomes text, links keep only http(s) and mailto targets,
//! images become plain links, and no element carries a style, class or event attribute.

use pulldown_cmark::{Alignment, CodeBlockKind, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};

const SAFE_SCHEMES: [&str; 3] = ["https://", "http://", "mailto:"];

/// Escapes for element content and double-quoted attributes. `:` and `=` are written as
/// character references too: browsers show them unchanged, but no user text can then read
/// as `javascript:` or `onerror=` to whatever inspects the markup later.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            ':' => out.push_str("&#58;"),
            '=' => out.push_str("&#61;"),
            c => out.push(c),
        }
    }
    out
}

/// A link target as an attribute value: characters that are not plain URL syntax are
/// percent-encoded, then the rest is escaped like text.
fn href(url: &str) -> String {
    let mut encoded = String::with_capacity(url.len());
    for byte in url.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?#%[]".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    escape(&encoded)
}

/// Where a link may lead, if anywhere.
fn safe_target(link_type: LinkType, dest: &str) -> Option<String> {
    // Email autolinks (`<a@b.example>`) carry the bare address.
    let target = if link_type == LinkType::Email { format!("mailto:{dest}") } else { dest.to_owned() };
    let lower = target.to_ascii_lowercase();
    SAFE_SCHEMES.iter().any(|scheme| lower.starts_with(scheme)).then_some(target)
}

/// A link or image being rendered: its target if it became an `<a>`, and whether any text
/// has been written inside it yet.
struct OpenLink {
    target: Option<String>,
    empty: bool,
}

fn html_event(html: String) -> Event<'static> {
    Event::InlineHtml(CowStr::from(html))
}

pub fn render_markdown(text: &str) -> String {
    let mut open: Vec<OpenLink> = Vec::new();
    let text_written = |open: &mut Vec<OpenLink>| open.iter_mut().for_each(|link| link.empty = false);
    let events =
        Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES).map(|event| match event {
            Event::Text(text) | Event::Html(text) | Event::InlineHtml(text) => {
                text_written(&mut open);
                html_event(escape(&text))
            }
            Event::Code(code) => {
                text_written(&mut open);
                html_event(format!("<code>{}</code>", escape(&code)))
            }
            Event::Start(Tag::Link { link_type, dest_url, .. } | Tag::Image { link_type, dest_url, .. }) => {
                // Anchors do not nest (an image inside a link, say): only the outer one is kept.
                let inside_link = open.iter().any(|link| link.target.is_some());
                let target = if inside_link { None } else { safe_target(link_type, &dest_url) };
                let tag = target
                    .as_deref()
                    .map(|t| format!("<a href=\"{}\" rel=\"nofollow noopener noreferrer\">", href(t)))
                    .unwrap_or_default();
                open.push(OpenLink { target, empty: true });
                html_event(tag)
            }
            Event::End(TagEnd::Link | TagEnd::Image) => match open.pop() {
                // An image without alt text would be an invisible link: show where it leads.
                Some(OpenLink { target: Some(target), empty: true }) => html_event(format!("{}</a>", escape(&target))),
                Some(OpenLink { target: Some(_), empty: false }) => html_event("</a>".into()),
                _ => html_event(String::new()),
            },
            // The renderer would write these as class, style or id attributes.
            Event::Start(Tag::CodeBlock(_)) => Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)),
            Event::Start(Tag::Table(alignments)) => Event::Start(Tag::Table(vec![Alignment::None; alignments.len()])),
            Event::Start(Tag::Heading { level, .. }) => {
                Event::Start(Tag::Heading { level, id: None, classes: Vec::new(), attrs: Vec::new() })
            }
            other => other,
        });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAYLOADS: [&str; 30] = [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        "<img src=x onerror=\"alert(1)\">",
        "text <b onmouseover=alert(1)>bold</b>",
        "<iframe src=javascript:alert(1)></iframe>",
        "<svg/onload=alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](  javascript:alert(1)  )",
        "[x](<javascript:alert(1)>)",
        "[x](javascript&#58;alert(1))",
        "[x](java%0ascript:alert(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](vbscript:msgbox(1))",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "<javascript:alert(1)>",
        "![x](https://evil/x.png)",
        "![x](javascript:alert(1))",
        "![x\" onerror=\"alert(1)](https://evil/x.png)",
        "[x](https://ok.example/\"onmouseover=\"alert(1))",
        "[x](https://ok.example/ \"title\\\" onmouseover=alert(1)\")",
        "```js\" onload=\"alert(1)\nalert(1)\n```",
        "``` onerror=alert(1)\ncode\n```",
        "| a | b |\n|:-|-:|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
        "# Heading {#x onclick=alert(1)}",
        "`<script>alert(1)</script>`",
        "<!-- <script>alert(1)</script> -->\n<style>body{display:none}</style>",
    ];

    /// Every tag in `html` with its attributes, e.g. `("a", ["href", "rel"])`.
    fn tags(html: &str) -> Vec<(String, Vec<String>)> {
        html.split('<')
            .skip(1)
            .map(|rest| {
                let tag = rest.split('>').next().unwrap_or_default().trim_start_matches('/');
                let name = tag.split_whitespace().next().unwrap_or_default().to_owned();
                // Outside quotes, every `name=` is an attribute.
                let attributes = tag
                    .split('"')
                    .step_by(2)
                    .flat_map(str::split_whitespace)
                    .filter_map(|token| Some(token.split_once('=')?.0.to_owned()))
                    .collect();
                (name, attributes)
            })
            .collect()
    }

    const ALLOWED_TAGS: [&str; 25] = [
        "p",
        "a",
        "strong",
        "em",
        "del",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "br",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    ];

    fn assert_safe(html: &str) {
        let lower = html.to_ascii_lowercase();
        for forbidden in ["<script", "javascript:", "onerror=", "onload=", "onmouseover=", "<img", "<svg", "<iframe"] {
            assert!(!lower.contains(forbidden), "{forbidden} in {html}");
        }
        for (name, attributes) in tags(html) {
            assert!(ALLOWED_TAGS.contains(&name.as_str()), "<{name}> in {html}");
            for attribute in attributes {
                assert!(["href", "rel", "start"].contains(&attribute.as_str()), "{attribute} on <{name}> in {html}");
            }
        }
    }

    #[test]
    fn the_tag_check_sees_attributes() {
        let found = tags("<th style=\"text-align: left\"><a href=x onclick=y></a>");
        assert_eq!(found[0], ("th".to_owned(), vec!["style".to_owned()]));
        assert_eq!(found[1], ("a".to_owned(), vec!["href".to_owned(), "onclick".to_owned()]));
    }

    #[test]
    fn payloads_never_become_markup() {
        for payload in PAYLOADS {
            let html = render_markdown(payload);
            assert_safe(&html);
            assert_safe(&render_markdown(&format!("Intro *text*\n\n> {payload}\n\n* {payload}\n")));
        }
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        assert_eq!(render_markdown("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
        assert_eq!(render_markdown("a <b onclick=x>b</b>"), "<p>a &lt;b onclick&#61;x&gt;b&lt;/b&gt;</p>\n");
        assert!(render_markdown("<img src=x onerror=alert(1)>").contains("&lt;img src&#61;x onerror&#61;alert(1)&gt;"));
    }

    #[test]
    fn ordinary_markdown_renders() {
        let html = render_markdown(
            "# Use\n\nWe **copy** posts, _once_ and ~~twice~~. See [policy](https://zoe.example/privacy?v=2&x=1).\n\n\
             1. one\n2. two\n\n> quoted\n\n    let x = 1;\n\n---\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n",
        );
        assert!(html.contains("<h1>Use</h1>"), "{html}");
        assert!(html.contains("<strong>copy</strong>"), "{html}");
        assert!(html.contains("<em>once</em>"), "{html}");
        assert!(html.contains("<del>twice</del>"), "{html}");
        assert!(
            html.contains(
                "<a href=\"https&#58;//zoe.example/privacy?v&#61;2&amp;x&#61;1\" rel=\"nofollow noopener noreferrer\">policy</a>"
            ),
            "{html}"
        );
        assert!(html.contains("<ol>\n<li>one</li>"), "{html}");
        assert!(html.contains("<blockquote>"), "{html}");
        assert!(html.contains("<pre><code>let x &#61; 1;\n</code></pre>"), "{html}");
        assert!(html.contains("<hr />"), "{html}");
        assert!(html.contains("<th>a</th><th>b</th>"), "alignment is dropped: {html}");
        assert_safe(&html);
    }

    #[test]
    fn text_reads_the_same_in_a_browser() {
        assert_eq!(render_markdown("Ratio: a = b & c"), "<p>Ratio&#58; a &#61; b &amp; c</p>\n");
        assert_eq!(render_markdown("It's \"quoted\""), "<p>It&#39;s &quot;quoted&quot;</p>\n");
        assert_eq!(render_markdown("Zoë 导出 🚀"), "<p>Zoë 导出 🚀</p>\n");
        assert_eq!(render_markdown(""), "");
    }

    #[test]
    fn dangerous_links_keep_only_their_text() {
        assert_eq!(render_markdown("[click](javascript:alert(1))"), "<p>click</p>\n");
        assert_eq!(render_markdown("[click](data:text/html,x)"), "<p>click</p>\n");
        assert_eq!(render_markdown("[click](/relative)"), "<p>click</p>\n");
        assert_eq!(render_markdown("[click](//evil.example)"), "<p>click</p>\n");
        assert_eq!(render_markdown("<javascript:alert(1)>"), "<p>javascript&#58;alert(1)</p>\n");
    }

    #[test]
    fn safe_links_and_autolinks() {
        let html = render_markdown("<https://ok.example/a> and <dev@zoe.example> and [m](MAILTO:dev@zoe.example)");
        assert!(html.contains("<a href=\"https&#58;//ok.example/a\""), "{html}");
        assert!(html.contains("<a href=\"mailto&#58;dev@zoe.example\""), "{html}");
        assert!(html.contains("<a href=\"MAILTO&#58;dev@zoe.example\""), "{html}");
        let html = render_markdown("[x](<https://ok.example/a b\"c>)");
        assert!(html.contains("href=\"https&#58;//ok.example/a%20b%22c\""), "{html}");
        let html = render_markdown("[x](https://ok.example/ü)");
        assert!(html.contains("href=\"https&#58;//ok.example/%C3%BC\""), "{html}");
    }

    #[test]
    fn images_become_links_and_load_nothing() {
        let html = render_markdown("![screenshot](https://evil.example/x.png)");
        assert_eq!(
            html,
            "<p><a href=\"https&#58;//evil.example/x.png\" rel=\"nofollow noopener noreferrer\">screenshot</a></p>\n"
        );
        let html = render_markdown("![](https://evil.example/x.png)");
        assert!(html.contains(">https&#58;//evil.example/x.png</a>"), "an empty link shows its target: {html}");
        assert_eq!(render_markdown("![x](javascript:alert(1))"), "<p>x</p>\n");
    }

    #[test]
    fn links_never_nest() {
        let html = render_markdown("[![logo](https://i.example/l.png)](https://zoe.example)");
        assert_eq!(html.matches("<a ").count(), 1, "{html}");
        assert_eq!(html.matches("</a>").count(), 1, "{html}");
        assert!(html.contains("href=\"https&#58;//zoe.example\""), "{html}");
        let html = render_markdown("[a [b](https://b.example) c](https://a.example)");
        assert_eq!(html.matches("<a ").count(), html.matches("</a>").count(), "{html}");
    }

    #[test]
    fn ordered_lists_keep_their_start_number() {
        assert!(render_markdown("3. three\n4. four").starts_with("<ol start=\"3\">"));
    }
}
