//! Text in the PDF's built-in fonts: Helvetica and Helvetica-Bold with the WinAnsi encoding, their widths
//! (for wrapping), and line breaking.
//!
//! The built-in fonts need no file in the PDF, and a reader (and `pdftotext`) maps WinAnsi bytes back to
//! the same characters; anything WinAnsi cannot say is printed as `?`.

/// The two faces the letter uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    Regular,
    Bold,
}

impl Face {
    /// The font's name in the page's resources.
    pub(crate) fn resource(self) -> &'static [u8] {
        match self {
            Face::Regular => b"F1",
            Face::Bold => b"F2",
        }
    }

    /// The PDF's standard name of the font.
    pub(crate) fn base_font(self) -> &'static [u8] {
        match self {
            Face::Regular => b"Helvetica",
            Face::Bold => b"Helvetica-Bold",
        }
    }
}

/// Advance widths of the printable ASCII characters (32..=126) in thousandths of the font size, from the
/// fonts' published metrics.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space to /
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0 to 9
    278, 278, 584, 584, 584, 556, 1015, // : to @
    667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, // A to M
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, // N to Z
    278, 278, 278, 469, 556, 333, // [ to `
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, // a to m
    556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, // n to z
    334, 260, 334, 584, // { to ~
];

const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // space to /
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0 to 9
    333, 333, 584, 584, 584, 611, 975, // : to @
    722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, // A to M
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, // N to Z
    333, 278, 333, 584, 556, 333, // [ to `
    556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, // a to m
    611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, // n to z
    389, 280, 389, 584, // { to ~
];

/// The WinAnsi byte for a character, `?` when it has none.
pub(crate) fn win_ansi(c: char) -> u8 {
    match c {
        ' '..='~' | '\u{A0}'..='\u{FF}' => c as u8,
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        // Tabs and other controls would print as boxes.
        '\t' => b' ',
        _ => b'?',
    }
}

/// The text as WinAnsi bytes.
pub(crate) fn encode(text: &str) -> Vec<u8> {
    text.chars().map(win_ansi).collect()
}

/// A WinAnsi byte's width in thousandths of the font size. Outside ASCII the widths are close enough for
/// wrapping: dashes, quotes and the ellipsis have theirs, accented letters their base letter's typical one.
fn byte_width(face: Face, byte: u8) -> u16 {
    let table = match face {
        Face::Regular => &HELVETICA,
        Face::Bold => &HELVETICA_BOLD,
    };
    match byte {
        32..=126 => table[usize::from(byte - 32)],
        0x85 | 0x89 | 0x97 | 0x99 => 1000,
        0x91 | 0x92 | 0x82 => 222,
        0x93 | 0x94 | 0x84 => 333,
        0x95 => 350,
        0xC0..=0xDE => 722,
        _ => 556,
    }
}

/// The text's width in points at `size`.
pub(crate) fn width(face: Face, size: f32, text: &str) -> f32 {
    let thousandths: u32 = text.chars().map(|c| u32::from(byte_width(face, win_ansi(c)))).sum();
    thousandths as f32 * size / 1000.0
}

/// Breaks one paragraph into lines no wider than `max` points: at spaces, and inside a word only when the
/// word alone is wider than the line.
pub(crate) fn wrap(face: Face, size: f32, paragraph: &str, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in paragraph.split_whitespace() {
        let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
        if width(face, size, &candidate) <= max {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            line.push(c);
            if width(face, size, &line) > max {
                line.pop();
                lines.push(std::mem::take(&mut line));
                line.push(c);
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_the_fonts_metrics() {
        assert_eq!(width(Face::Regular, 10.0, "i"), 2.22);
        assert_eq!(width(Face::Bold, 10.0, "i"), 2.78);
        assert_eq!(width(Face::Regular, 1000.0, "MW"), 833.0 + 944.0);
        assert_eq!(width(Face::Regular, 10.0, "—"), 10.0);
    }

    #[test]
    fn encoding_keeps_latin_letters_and_typographic_marks() {
        assert_eq!(encode("Jyväskylä"), b"Jyv\xE4skyl\xE4".to_vec());
        assert_eq!(encode("Draft — not signed"), b"Draft \x97 not signed".to_vec());
        assert_eq!(encode("“ok” ‘a’"), b"\x93ok\x94 \x91a\x92".to_vec());
        assert_eq!(encode("日本"), b"??".to_vec());
    }

    #[test]
    fn wrapping_breaks_at_spaces_within_the_width() {
        let text = "the quick brown fox jumps over the lazy dog ".repeat(10);
        let lines = wrap(Face::Regular, 11.0, &text, 200.0);
        assert!(lines.len() > 3, "{lines:?}");
        for line in &lines {
            assert!(width(Face::Regular, 11.0, line) <= 200.0, "{line}");
            assert!(!line.starts_with(' ') && !line.ends_with(' '));
        }
        assert_eq!(lines.join(" "), text.trim_end());
    }

    #[test]
    fn a_word_wider_than_the_line_is_cut() {
        let word = "x".repeat(100);
        let lines = wrap(Face::Regular, 10.0, &word, 50.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), word);
        assert!(lines.iter().all(|line| width(Face::Regular, 10.0, line) <= 50.0));
    }

    #[test]
    fn an_empty_paragraph_has_no_lines() {
        assert!(wrap(Face::Regular, 10.0, "   ", 100.0).is_empty());
    }
}
