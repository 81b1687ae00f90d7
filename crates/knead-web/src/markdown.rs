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
                // Written as the browser reads it: a control character left in the scheme would be
                // percent-encoded into the link ("http%7F://"), which reads as something else.
                let colon = url.find(':').unwrap_or(0);
                CowStr::from(format!("{}{}", &cleaned[..i], &url[colon..]))
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
        let stray = to_html("[x](http\u{7f}://example.com/a)");
        assert!(
            stray.contains("href=\"http://example.com/a\""),
            "a control character in the scheme is dropped: {stray}"
        );
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

    /// Markdown built from the pieces attacks are made of: raw tags and handlers, link and image syntax
    /// with hostile schemes (split by whitespace, entities, control characters, case), autolinks,
    /// reference definitions, code spans, and ordinary prose.
    fn hostile_markdown() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            Just("<script>alert(1)</script>".to_string()),
            Just("<ScRiPt src=//evil.example/x.js>".to_string()),
            Just("<img src=x onerror=alert(1)>".to_string()),
            Just("<a href=\"javascript:alert(1)\">x</a>".to_string()),
            Just("<svg onload=alert(1)>".to_string()),
            Just("<!-- c -->".to_string()),
            Just("<div\nonclick=alert(1)>".to_string()),
            Just("\n\n".to_string()),
            Just("\n    ".to_string()),
            Just("```\n".to_string()),
            Just("`".to_string()),
            Just("> ".to_string()),
            Just("| a | b |\n|:--|--:|\n".to_string()),
            Just("[r]: ".to_string()),
            Just("[r]".to_string()),
            Just("](".to_string()),
            Just("![".to_string()),
            Just("[".to_string()),
            Just(")".to_string()),
            Just("<".to_string()),
            Just(">".to_string()),
            Just("\"".to_string()),
            Just(" \"t\" ".to_string()),
            Just("&#106;".to_string()),
            Just("&#x3A;".to_string()),
            Just("&colon;".to_string()),
            Just("&Tab;".to_string()),
            Just("%6A".to_string()),
            Just("\\".to_string()),
            prop::sample::select(vec![
                "javascript",
                "JaVaScRiPt",
                "java\tscript",
                "java\u{0}script",
                "vbscript",
                "data",
                "file"
            ])
            .prop_map(str::to_string),
            prop::sample::select(vec![":", ":alert(1)", "://evil.example", "https", "mailto", "http"])
                .prop_map(str::to_string),
            "[ a-zA-Z0-9=/#?.]{0,8}",
        ];
        prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { rng_seed: proptest::test_runner::RngSeed::Fixed(7), cases: 1024, ..Default::default() })]

        #[test]
        fn no_markdown_renders_a_script_a_handler_or_an_unsafe_link(markdown in hostile_markdown()) {
            let html = to_html(&markdown);
            let why = crate::fuzzing::unsafe_markup(&html);
            proptest::prop_assert!(why.is_none(), "{:?} from {:?}:\n{}", why, markdown, html);
        }

        #[test]
        fn no_text_at_all_renders_unsafe_markup(markdown in ".{0,200}") {
            let html = to_html(&markdown);
            let why = crate::fuzzing::unsafe_markup(&html);
            proptest::prop_assert!(why.is_none(), "{:?} from {:?}:\n{}", why, markdown, html);
        }
    }

    #[test]
    fn the_safety_oracle_catches_what_it_must() {
        use crate::fuzzing::unsafe_markup;
        for bad in [
            "<p><script>x</script></p>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\"java&#x09;script&colon;alert(1)\">x</a>",
            "<img src=\" JAVASCRIPT:x\">",
            "<p onclick=\"x\">a</p>",
            "<iframe src=\"https://a\">",
            "<a href=\"data:text/html,x\">",
        ] {
            assert!(unsafe_markup(bad).is_some(), "{bad}");
        }
        let ok = to_html("# T\n\n[a](https://a.example/?x=1&y=2) ![i](/i.png \"t\") <b>\n\n| a |\n|:-:|\n| b |\n");
        assert_eq!(unsafe_markup(&ok), None, "{ok}");
    }
}
