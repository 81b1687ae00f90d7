//! Markdown to HTML for articles, safely: authors' raw HTML is shown as text and links may only
//! use safe schemes, so nothing an author types can run in a reader's browser.
//!
//! Filtering parser events (rather than sanitising HTML afterwards) keeps this small and exact:
//! pulldown-cmark escapes all text and attributes it writes, and the only ways to inject markup
//! are the raw-HTML events and link or image destinations, which are handled here.

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};

pub fn to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_SMART_PUNCTUATION;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Link { link_type, dest_url: safe_url(dest_url), title, id })
        }
        Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Image { link_type, dest_url: safe_url(dest_url), title, id })
        }
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

/// Keeps relative URLs and http, https and mailto; anything else (javascript:, data:...) becomes `#`.
fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    // Browsers ignore whitespace and control characters inside a scheme ("java\tscript:").
    let cleaned: String = url.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
    let scheme_end = cleaned.find(':');
    let before_path = cleaned.find(['/', '?', '#']).unwrap_or(usize::MAX);
    match scheme_end {
        Some(i) if i < before_path => {
            let scheme = cleaned[..i].to_ascii_lowercase();
            if matches!(scheme.as_str(), "http" | "https" | "mailto") {
                url
            } else {
                CowStr::Borrowed("#")
            }
        }
        _ => url,
    }
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn markdown_renders_headings_lists_and_emphasis() {
        let html = to_html("## When to see a physician\n\n- one\n- **two**\n");
        assert!(html.contains("<h2>When to see a physician</h2>"));
        assert!(html.contains("<li><strong>two</strong></li>"));
    }

    #[test]
    fn raw_html_from_authors_is_shown_as_text() {
        let html = to_html("Hi <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn dangerous_link_schemes_are_neutralised() {
        for bad in
            ["javascript:alert(1)", "JaVaScript:alert(1)", "data:text/html,x", "vbscript:x", "<java\tscript:alert(1)>"]
        {
            let html = to_html(&format!("[click]({bad}) ![img]({bad})"));
            let lower = html.to_lowercase();
            assert!(!lower.contains("href=\"java") && !lower.contains("src=\"java"), "{bad} -> {html}");
            assert!(!lower.contains("=\"data:") && !lower.contains("=\"vbscript"), "{bad} -> {html}");
        }
        assert!(to_html("[click](javascript:alert(1))").contains("href=\"#\""));
        let html = to_html("[ok](https://example.com/a?b=c) [rel](/services) [mail](mailto:a@example.com)");
        assert!(html.contains("href=\"https://example.com/a?b=c\""));
        assert!(html.contains("href=\"/services\""));
        assert!(html.contains("href=\"mailto:a@example.com\""));
    }

    #[test]
    fn attribute_breakouts_are_escaped() {
        let html = to_html("[x](https://example.com/\"onmouseover=\"alert(1))");
        assert!(!html.contains("\"onmouseover"), "{html}");
    }
}
