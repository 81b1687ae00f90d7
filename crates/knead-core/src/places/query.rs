//! What a person typed, read into words and house numbers.
//!
//! Unit and buzzer details are dropped here: a marker word (`unit`, `apt`, `suite`, `buzz`...) or `#`
//! and the token after it, `#4`, and the unit half of `11/4` and Canadian `4-11`. A single letter right
//! after a number may be its letter (`11 B` for `11b`) or a direction (`100 E Queen St`), so it is kept
//! as an optional word that the index reads either way. Long queries are cut to a bounded size so no
//! input can make a search expensive.

use super::text::{canonical, fold, words};

/// Longer input is cut: no address needs more.
const MAX_QUERY_CHARS: usize = 200;
/// Words and numbers kept from one query.
const MAX_TOKENS: usize = 16;

/// Words after which the next token is a unit, floor or door code, not part of the address.
const UNIT_MARKERS: &[&str] =
    &["unit", "apt", "apartment", "app", "suite", "buzz", "buzzer", "flat", "room", "rm", "lgh", "bureau"];

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Query {
    pub words: Vec<Word>,
    /// In the order typed; the index takes the first one a street does not claim as a word of its name
    /// or postcode as the house number, and ignores the rest (unit numbers).
    pub numbers: Vec<Number>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Word {
    /// Folded, abbreviations written out.
    pub text: String,
    /// Folded as typed (`st`), for matching the start of a word the person is still typing.
    pub typed: String,
    /// The last token with the person possibly still typing it: it may match the start of a word.
    pub prefix: bool,
    /// A single letter after a number (see the module docs): it costs nothing when it matches no word.
    pub letter_of: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Number {
    /// Folded as typed: `11`, `11a`, `11-13`, `4-11`, `11/4`.
    pub text: String,
    /// The house numbers it may stand for, each with a penalty added to its match quality.
    pub readings: Vec<(String, u32)>,
    pub prefix: bool,
}

enum Piece<'a> {
    Word(&'a str),
    Number(&'a str),
    /// `#` alone: the next token is a unit.
    Hash,
    /// `#4`, `apt4`: a unit already.
    Unit,
}

pub(crate) fn parse(query: &str) -> Query {
    let cut: String = query.chars().take(MAX_QUERY_CHARS).collect();
    let folded = fold(&cut);
    let still_typing = folded.chars().last().is_some_and(char::is_alphanumeric);

    let raw: Vec<&str> = folded
        .split(|c: char| !(c.is_alphanumeric() || matches!(c, '#' | '/' | '-')))
        .filter(|t| !t.is_empty())
        .collect();
    let mut pieces: Vec<(Piece<'_>, bool)> = Vec::new();
    for (i, token) in raw.iter().enumerate() {
        let last = still_typing && i + 1 == raw.len();
        split_token(token, last, &mut pieces);
    }

    let mut parsed = Query { words: Vec::new(), numbers: Vec::new() };
    let mut skip_next = false;
    let mut after_number = None;
    for (piece, last) in pieces {
        if parsed.words.len() + parsed.numbers.len() >= MAX_TOKENS {
            break;
        }
        if std::mem::take(&mut skip_next) {
            after_number = None;
            continue;
        }
        match piece {
            Piece::Hash => skip_next = true,
            Piece::Unit => {}
            Piece::Word(w) if UNIT_MARKERS.contains(&w) => skip_next = true,
            Piece::Word(w) if is_glued_unit(w) => {}
            Piece::Number(n) => {
                parsed.numbers.push(Number { text: n.to_owned(), readings: readings(n), prefix: last });
                after_number = Some(parsed.numbers.len() - 1);
                continue;
            }
            Piece::Word(w) => {
                let letter_of = after_number.filter(|_| w.len() == 1 && w.as_bytes()[0].is_ascii_lowercase());
                parsed.words.push(Word {
                    text: canonical(w).into_owned(),
                    typed: w.to_owned(),
                    prefix: last,
                    letter_of,
                });
            }
        }
        after_number = None;
    }
    // `Bulevardi 16 B`: a letter after the number is its letter or a direction, never the start of a
    // word being typed, unless it is all the query has for a street (`11 b` on the way to `11 Bay St`).
    if parsed.words.iter().any(|w| w.letter_of.is_none()) {
        for w in parsed.words.iter_mut().filter(|w| w.letter_of.is_some()) {
            w.prefix = false;
        }
    }
    parsed
}

/// One raw token (split on spaces and punctuation other than `#`, `/`, `-`) into pieces; `last` goes to
/// the token's last piece only.
fn split_token<'a>(token: &'a str, last: bool, pieces: &mut Vec<(Piece<'a>, bool)>) {
    let token = token.trim_matches(['-', '/']);
    if token.is_empty() {
        return;
    }
    if let Some(rest) = token.strip_prefix('#') {
        pieces.push((if rest.trim_start_matches('#').is_empty() { Piece::Hash } else { Piece::Unit }, last));
        return;
    }
    if is_house_number(token) {
        pieces.push((Piece::Number(token), last));
        return;
    }
    let parts: Vec<&str> = words(token).collect();
    let n = parts.len();
    for (i, part) in parts.into_iter().enumerate() {
        let piece = if is_house_number(part) { Piece::Number(part) } else { Piece::Word(part) };
        pieces.push((piece, last && i + 1 == n));
    }
}

/// `11`, `11a`, or two of those joined by `-` or `/`.
fn is_house_number(token: &str) -> bool {
    match token.split_once(['-', '/']) {
        Some((a, b)) => is_simple_number(a) && is_simple_number(b),
        None => is_simple_number(token),
    }
}

/// Digits and at most one letter after them.
fn is_simple_number(token: &str) -> bool {
    let digits = token.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &token.as_bytes()[digits..];
    digits > 0 && (rest.is_empty() || (rest.len() == 1 && rest[0].is_ascii_lowercase()))
}

/// `apt4`, `unit12b`: a marker with its unit typed together.
fn is_glued_unit(word: &str) -> bool {
    UNIT_MARKERS.iter().any(|m| word.strip_prefix(m).is_some_and(|rest| !rest.is_empty() && is_simple_number(rest)))
}

/// The house numbers a number token may stand for. `11-13` may be a range on the map; failing that,
/// `4-11` is unit 4 at number 11 (the Canadian way); the first half is a last resort. `11/4` is number 11,
/// unit 4.
fn readings(number: &str) -> Vec<(String, u32)> {
    let whole = (number.to_owned(), 0);
    if let Some((a, b)) = number.split_once('-') {
        return vec![whole, (b.to_owned(), 0), (a.to_owned(), 2)];
    }
    if let Some((a, _unit)) = number.split_once('/') {
        return vec![whole, (a.to_owned(), 0)];
    }
    vec![whole]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word_texts(q: &Query) -> Vec<&str> {
        q.words.iter().map(|w| w.text.as_str()).collect()
    }

    fn number_texts(q: &Query) -> Vec<&str> {
        q.numbers.iter().map(|n| n.text.as_str()).collect()
    }

    #[test]
    fn words_are_folded_and_written_out_and_numbers_kept_apart() {
        let q = parse("11 Yrjönkatu, 00120 Helsinki");
        assert_eq!(word_texts(&q), ["yrjonkatu", "helsinki"]);
        assert_eq!(number_texts(&q), ["11", "00120"]);
        let q = parse("100 King St. W");
        assert_eq!(word_texts(&q), ["king", "street", "west"]);
        assert_eq!(q.words[1].typed, "st");
    }

    #[test]
    fn unit_markers_and_the_token_after_them_are_dropped() {
        for typed in [
            "11 King St apt 4",
            "11 King St, unit 4",
            "11 King St #4",
            "11 King St # 4",
            "Suite 200, 11 King St",
            "11 King St buzz 1234",
            "11 King St buzzer 12",
            "11 King St apt4",
        ] {
            let q = parse(typed);
            assert_eq!(word_texts(&q), ["king", "street"], "{typed}");
            assert_eq!(number_texts(&q), ["11"], "{typed}");
        }
    }

    #[test]
    fn slash_and_dash_numbers_offer_their_readings() {
        assert_eq!(parse("11/4 King St").numbers[0].readings, [("11/4".into(), 0), ("11".into(), 0)]);
        assert_eq!(parse("4-11 King St").numbers[0].readings, [("4-11".into(), 0), ("11".into(), 0), ("4".into(), 2)]);
    }

    #[test]
    fn a_letter_after_a_number_is_an_optional_word() {
        let q = parse("Yrjönkatu 11 B 5");
        assert_eq!(number_texts(&q), ["11", "5"]);
        assert_eq!(q.words[1].typed, "b");
        assert_eq!(q.words[1].letter_of, Some(0));
        let q = parse("100 E Queen St");
        assert_eq!(q.words[0].text, "east");
        assert_eq!(q.words[0].letter_of, Some(0));
        assert_eq!(q.words[1].letter_of, None);
        // Last, it is the number's letter, not the start of a word: `b` must not match Bulevardi itself.
        assert!(!parse("Bulevardi 16 B").words[1].prefix);
        // Unless nothing else names a street yet.
        assert!(parse("11 b").words[0].prefix);
    }

    #[test]
    fn only_a_last_token_still_being_typed_is_a_prefix() {
        let q = parse("11 yrjonk");
        assert!(q.words[0].prefix && !q.numbers[0].prefix);
        assert!(!parse("11 yrjonk ").words[0].prefix);
        assert!(parse("yrjonkatu 1").numbers[0].prefix);
        assert!(!parse("yrjonkatu 1,").numbers[0].prefix);
        // A dropped unit is not what the person is typing.
        assert!(parse("11 King St apt 4").words.iter().all(|w| !w.prefix));
    }

    #[test]
    fn word_like_tokens_with_digits_stay_words_and_hyphens_split_names() {
        let q = parse("10th Ave, Saint-Laurent M5V 2T6");
        assert_eq!(word_texts(&q), ["10th", "avenue", "saint", "laurent", "m5v", "2t6"]);
        assert!(q.numbers.is_empty());
    }

    #[test]
    fn a_huge_query_is_cut_to_a_bounded_number_of_tokens() {
        let q = parse(&"word ".repeat(10_000));
        assert_eq!(q.words.len(), MAX_TOKENS.min(MAX_QUERY_CHARS / 5));
        assert!(parse("").words.is_empty() && parse(" ,#/- ").numbers.is_empty());
    }
}
