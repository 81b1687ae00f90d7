//! Money is held as whole cents of the practice's currency; this formats it for people.

/// `12345` -> `"$123.45"`.
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}${}.{:02}", abs / 100, abs % 100)
}

/// Parses a price typed by a person (`"95"`, `"95.5"`, `"$95.50"`) into cents.
pub fn parse_price(text: &str) -> Option<i64> {
    let t = text.trim().trim_start_matches('$').trim();
    if t.is_empty() {
        return None;
    }
    let (whole, frac) = match t.split_once('.') {
        Some((w, f)) => (w, f),
        None => (t, ""),
    };
    let negative = whole.starts_with('-');
    let whole_digits = whole.trim_start_matches('-');
    if whole_digits.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole_digits.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) || frac.len() > 2
    {
        return None;
    }
    let w: i64 = if whole_digits.is_empty() { 0 } else { whole_digits.parse().ok()? };
    let f: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    let cents = w.checked_mul(100)?.checked_add(f)?;
    Some(if negative { -cents } else { cents })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_cents_as_dollars() {
        assert_eq!(format_cents(12345), "$123.45");
        assert_eq!(format_cents(5), "$0.05");
        assert_eq!(format_cents(-250), "-$2.50");
    }

    #[test]
    fn parses_prices_people_type() {
        assert_eq!(parse_price("95"), Some(9500));
        assert_eq!(parse_price("$95.5"), Some(9550));
        assert_eq!(parse_price("0.99"), Some(99));
        assert_eq!(parse_price("-1"), Some(-100));
        assert_eq!(parse_price("abc"), None);
        assert_eq!(parse_price("1.234"), None);
        assert_eq!(parse_price(""), None);
    }
}
