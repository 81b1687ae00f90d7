//! The parsers of outside input, reachable from the fuzz targets (`fuzz/`) and property tests; not an API.
//!
//! Also the Markdown safety oracle both of them check `markdown::to_html` against, so the property is stated
//! once: the output never holds a `<script`, an element outside what Markdown renders, an `on...=` handler
//! or any attribute that is not one of Markdown's, or a link or image whose scheme is not http, https or
//! mailto.

pub use crate::error::WebError;
pub use crate::extract::{parse_json, AppQuery, FormPairs};
pub use crate::markdown::to_html;

/// Elements pulldown-cmark writes for the Markdown features knead enables.
const MARKDOWN_ELEMENTS: [&str; 33] = [
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "code",
    "ol",
    "ul",
    "li",
    "em",
    "strong",
    "del",
    "a",
    "img",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "sup",
    "div",
    "span",
    "input",
    "dl",
    "dt",
    "dd",
];

/// Attributes pulldown-cmark writes (`style` only as a table cell's `text-align`).
const MARKDOWN_ATTRIBUTES: [&str; 9] = ["href", "src", "alt", "title", "start", "style", "class", "id", "type"];

/// Why rendered Markdown is unsafe, or `None` when it is safe.
pub fn unsafe_markup(html: &str) -> Option<String> {
    if html.to_ascii_lowercase().contains("<script") {
        return Some("a raw <script".into());
    }
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let close = after.find('>').unwrap_or(after.len());
        let tag = &after[..close];
        rest = &after[close..];
        if let Some(why) = unsafe_tag(tag) {
            return Some(format!("{why} in <{tag}>"));
        }
    }
    None
}

fn unsafe_tag(tag: &str) -> Option<String> {
    let tag = tag.strip_prefix('/').unwrap_or(tag).trim_end_matches('/');
    let name_end = tag.find(|c: char| c.is_whitespace()).unwrap_or(tag.len());
    let name = tag[..name_end].to_ascii_lowercase();
    if !MARKDOWN_ELEMENTS.contains(&name.as_str()) {
        return Some(format!("an element `{name}` Markdown does not write"));
    }
    let mut attrs = tag[name_end..].trim();
    while !attrs.is_empty() {
        // pulldown-cmark quotes every value with `"` and escapes `"` inside it.
        let (attr, value, rest) = match attrs.find('=') {
            Some(eq) if attrs[eq + 1..].starts_with('"') => {
                let value_start = eq + 2;
                let Some(value_len) = attrs[value_start..].find('"') else {
                    return Some(format!("an unterminated value of `{}`", &attrs[..eq]));
                };
                (&attrs[..eq], &attrs[value_start..value_start + value_len], &attrs[value_start + value_len + 1..])
            }
            _ => {
                let end = attrs.find(char::is_whitespace).unwrap_or(attrs.len());
                (&attrs[..end], "", &attrs[end..])
            }
        };
        let attr = attr.trim().to_ascii_lowercase();
        if attr.starts_with("on") || !MARKDOWN_ATTRIBUTES.contains(&attr.as_str()) {
            return Some(format!("an attribute `{attr}`"));
        }
        if (attr == "href" || attr == "src") && !safe_link(value) {
            return Some(format!("a link `{value}`"));
        }
        attrs = rest.trim_start();
    }
    None
}

/// Whether a browser would follow `value` (an attribute value as written, entities and all) only to a
/// relative URL or to http, https or mailto.
fn safe_link(value: &str) -> bool {
    let decoded = decode_entities(value);
    // Browsers drop whitespace and control characters inside a scheme.
    let cleaned: String = decoded.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
    let before_path = cleaned.find(['/', '?', '#']).unwrap_or(cleaned.len());
    match cleaned.find(':') {
        Some(colon) if colon < before_path => {
            matches!(cleaned[..colon].to_ascii_lowercase().as_str(), "http" | "https" | "mailto")
        }
        _ => true,
    }
}

/// Decodes `&amp;`-style and numeric character references, as a browser reads an attribute value.
fn decode_entities(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|&e| e <= 12);
        let decoded = end.and_then(|e| {
            let name = &after[..e];
            let numeric = name.strip_prefix('#').and_then(|n| match n.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => n.parse().ok(),
            });
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "colon" => Some(':'),
                "Tab" => Some('\t'),
                "NewLine" => Some('\n'),
                _ => numeric.and_then(char::from_u32),
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
