//! How the address index reads text: folding (case, accents, special letters), splitting into words, and
//! the abbreviations it writes out. The index and the query go through the same functions, so whatever
//! form a map or a person uses, both sides meet on one spelling.

use std::borrow::Cow;
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Lower case, accents dropped (`Yrjönkatu` → `yrjonkatu`), letters without a decomposition spelled the
/// way people type them without the key (`ß` → `ss`, `æ` → `ae`, `ø` → `o`), apostrophes removed
/// (`O'Connor` → `oconnor`) and typographic dashes made plain. Letters of other scripts are kept, lower
/// cased.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            if !is_apostrophe(c) {
                out.push(c.to_ascii_lowercase());
            }
            continue;
        }
        if is_apostrophe(c) {
            continue;
        }
        if let Some(spelled) = plain_spelling(c) {
            out.push_str(spelled);
            continue;
        }
        for lower in c.to_lowercase() {
            // Compatibility decomposition also flattens ligatures and full-width forms.
            decompose_compatible(lower, |part| {
                if !is_combining_mark(part) {
                    out.extend(part.to_lowercase());
                }
            });
        }
    }
    out
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '`' | '\u{b4}' | '\u{2018}' | '\u{2019}' | '\u{2bc}' | '\u{2032}')
}

/// Letters that Unicode does not decompose into a base letter and a mark.
fn plain_spelling(c: char) -> Option<&'static str> {
    Some(match c {
        'ß' | 'ẞ' => "ss",
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        'ø' | 'Ø' => "o",
        'đ' | 'Đ' | 'ð' | 'Ð' => "d",
        'þ' | 'Þ' => "th",
        'ł' | 'Ł' => "l",
        'ı' => "i",
        'ħ' | 'Ħ' => "h",
        'ŧ' | 'Ŧ' => "t",
        '\u{2010}'..='\u{2015}' | '\u{2212}' => "-",
        '\u{2116}' => "no",
        _ => return None,
    })
}

/// The words of a folded name: runs of letters and digits (`saint-laurent` is two words).
pub(crate) fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

/// The words of a street or city name, folded and with abbreviations written out.
pub(crate) fn name_tokens(name: &str) -> Vec<String> {
    words(&fold(name)).map(|w| canonical(w).into_owned()).collect()
}

/// A postcode's words and, when it has several (`M5V 2T6`), the whole code run together, so `m5v2t6`,
/// `m5v 2t6` and `M5V` all meet it.
pub(crate) fn postcode_tokens(postcode: &str) -> Vec<String> {
    let folded = fold(postcode);
    let mut tokens: Vec<String> = words(&folded).map(str::to_owned).collect();
    if tokens.len() > 1 {
        tokens.push(tokens.concat());
    }
    tokens
}

/// A house number as compared: folded with the spaces taken out (`11 A` → `11a`, `11 – 13` → `11-13`).
pub(crate) fn house_number(number: &str) -> String {
    fold(number).chars().filter(|c| !c.is_whitespace()).collect()
}

/// The written-out form of a street-type or direction abbreviation; any other word unchanged. Applied to
/// the map's names and to queries alike, so `St`, `St.` and `Street` are one word to the index.
pub(crate) fn canonical(word: &str) -> Cow<'_, str> {
    Cow::Borrowed(match word {
        "st" => "street",
        "ave" | "av" | "avn" => "avenue",
        "rd" => "road",
        "dr" | "drv" => "drive",
        "blvd" | "bvd" | "boul" => "boulevard",
        "cres" | "cresc" => "crescent",
        "ct" | "crt" => "court",
        "pl" => "place",
        "ln" => "lane",
        "hwy" => "highway",
        "pkwy" | "pky" => "parkway",
        "sq" => "square",
        "tce" | "ter" | "terr" => "terrace",
        "cir" | "circ" => "circle",
        "n" => "north",
        "s" => "south",
        "e" => "east",
        "w" => "west",
        "ne" => "northeast",
        "nw" => "northwest",
        "se" => "southeast",
        "sw" => "southwest",
        // German and Swiss maps write Straße out, alone or at the end of a name; people abbreviate it.
        "str" => "strasse",
        compound if compound.len() > 5 && compound.ends_with("str") => {
            return Cow::Owned(format!("{}strasse", &compound[..compound.len() - 3]));
        }
        other => other,
    })
}

/// Words too common to pick out a street on their own (street types, directions, articles). They still
/// count when the index scores a street; it only does not start from them while the query has a rarer
/// word, which keeps `King St` from visiting every street in the province.
pub(crate) fn is_generic(word: &str) -> bool {
    matches!(
        word,
        "street"
            | "avenue"
            | "road"
            | "drive"
            | "boulevard"
            | "crescent"
            | "court"
            | "place"
            | "lane"
            | "highway"
            | "parkway"
            | "square"
            | "terrace"
            | "circle"
            | "way"
            | "north"
            | "south"
            | "east"
            | "west"
            | "northeast"
            | "northwest"
            | "southeast"
            | "southwest"
            | "strasse"
            | "the"
            | "of"
            | "rue"
            | "de"
            | "la"
            | "le"
            | "les"
            | "du"
            | "des"
    )
}

/// The number a house number starts with (`11` for `11a` or `11-13`); `None` when it starts otherwise.
pub(crate) fn leading_number(text: &str) -> Option<u32> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    text[..digits].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_case_and_accents() {
        assert_eq!(fold("Yrjönkatu"), "yrjonkatu");
        assert_eq!(fold("ÉCOLE Ülemiste Åbo Citroën"), "ecole ulemiste abo citroen");
        assert_eq!(fold("Çavuşoğlu Nám. Świętego"), "cavusoglu nam. swietego");
    }

    #[test]
    fn letters_without_a_decomposition_get_their_usual_plain_spelling() {
        assert_eq!(fold("Hauptstraße"), "hauptstrasse");
        assert_eq!(fold("Ærøgade"), "aerogade");
        assert_eq!(fold("Sørgata Œuvre Łódź Þórsgata"), "sorgata oeuvre lodz thorsgata");
    }

    #[test]
    fn apostrophes_vanish_and_dashes_become_plain() {
        assert_eq!(fold("O'Connor O’Brien"), "oconnor obrien");
        assert_eq!(fold("11\u{2013}13"), "11-13");
        assert_eq!(house_number("11 A"), "11a");
        assert_eq!(house_number(" 11 – 13 "), "11-13");
    }

    #[test]
    fn ligatures_and_full_width_forms_flatten() {
        assert_eq!(fold("\u{fb01}eld"), "field");
        assert_eq!(fold("\u{ff11}\u{ff11}"), "11");
    }

    #[test]
    fn names_split_on_punctuation_and_write_out_abbreviations() {
        assert_eq!(name_tokens("St. Clair Ave. W"), ["street", "clair", "avenue", "west"]);
        assert_eq!(name_tokens("Rue Saint-Laurent"), ["rue", "saint", "laurent"]);
        assert_eq!(name_tokens("Berliner Str."), ["berliner", "strasse"]);
        assert_eq!(name_tokens("Hauptstr. 1"), ["hauptstrasse", "1"]);
        assert_eq!(name_tokens("Str"), ["strasse"]);
        assert!(name_tokens(" ,. ").is_empty());
    }

    #[test]
    fn postcodes_meet_with_or_without_their_space() {
        assert_eq!(postcode_tokens("M5V 2T6"), ["m5v", "2t6", "m5v2t6"]);
        assert_eq!(postcode_tokens("00120"), ["00120"]);
        assert!(postcode_tokens("").is_empty());
    }

    #[test]
    fn a_leading_number_is_read_up_to_the_first_other_character() {
        assert_eq!(leading_number("11a"), Some(11));
        assert_eq!(leading_number("11-13"), Some(11));
        assert_eq!(leading_number("a1"), None);
        assert_eq!(leading_number("99999999999"), None);
    }
}
