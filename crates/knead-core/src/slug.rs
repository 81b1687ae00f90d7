//! URL slugs: lowercase ASCII letters, digits and single hyphens.

use crate::validation::{FieldError, ValidationErrors};

#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 80;

    /// Derives a slug from a title: "Couple's Massage at Home" -> "couples-massage-at-home".
    pub fn from_title(title: &str) -> Slug {
        let mut out = String::new();
        for c in title.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if (c.is_whitespace() || c == '-' || c == '_' || c == '/') && !out.ends_with('-') && !out.is_empty()
            {
                out.push('-');
            }
        }
        let mut s: String = out.trim_end_matches('-').chars().take(Self::MAX_LEN).collect();
        while s.ends_with('-') {
            s.pop();
        }
        if s.is_empty() {
            s.push_str("item");
        }
        Slug(s)
    }

    /// Checks a slug a person typed.
    pub fn parse(field: &str, text: &str) -> Result<Slug, FieldError> {
        let t = text.trim();
        let ok = !t.is_empty()
            && t.len() <= Self::MAX_LEN
            && t.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !t.starts_with('-')
            && !t.ends_with('-')
            && !t.contains("--");
        if ok {
            Ok(Slug(t.to_string()))
        } else {
            Err(FieldError::new(
                "invalid",
                field,
                format!(
                    "must be 1 to {} lowercase letters, digits and single hyphens, e.g. `deep-tissue`",
                    Self::MAX_LEN
                ),
            ))
        }
    }

    /// The given slug if present (checked), else one derived from `title`.
    pub fn given_or_derived(errors: &mut ValidationErrors, given: Option<&str>, title: &str) -> Slug {
        match given.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Slug::parse("slug", s).unwrap_or_else(|e| {
                errors.push(e);
                Slug(String::new())
            }),
            None => Slug::from_title(title),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For adapters reading a slug they wrote themselves.
    pub fn from_trusted(s: String) -> Slug {
        Slug(s)
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_become_readable_slugs() {
        assert_eq!(Slug::from_title("Couple's Massage at Home").as_str(), "couples-massage-at-home");
        assert_eq!(
            Slug::from_title("  Sciatica: relief -- and when to see a physician ").as_str(),
            "sciatica-relief-and-when-to-see-a-physician"
        );
        assert_eq!(Slug::from_title("!!!").as_str(), "item");
    }

    #[test]
    fn typed_slugs_are_checked() {
        assert!(Slug::parse("slug", "deep-tissue").is_ok());
        for bad in ["", "Deep", "a--b", "-a", "a b", "é"] {
            assert!(Slug::parse("slug", bad).is_err(), "{bad}");
        }
    }
}
