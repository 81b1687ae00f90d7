//! The index's words: every distinct word of the streets' names, cities and postcodes, sorted, so a word
//! is a number and the words starting with what is being typed are one range of numbers.

/// Every distinct word, sorted, in one string: a word's id is its position, and the words starting with a
/// prefix are one range of ids.
#[derive(Debug)]
pub(super) struct Vocabulary {
    text: String,
    ends: Vec<u32>,
}

impl Vocabulary {
    pub fn new(sorted: &[&str]) -> Vocabulary {
        let mut text = String::with_capacity(sorted.iter().map(|w| w.len()).sum());
        let mut ends = Vec::with_capacity(sorted.len());
        for w in sorted {
            text.push_str(w);
            ends.push(text.len() as u32);
        }
        Vocabulary { text, ends }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn word(&self, id: u32) -> &str {
        let i = id as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    pub fn find(&self, word: &str) -> Option<u32> {
        let i = self.partition(|w| w < word);
        (i < self.len() as u32 && self.word(i) == word).then_some(i)
    }

    pub fn prefix_range(&self, prefix: &str) -> (u32, u32) {
        let lo = self.partition(|w| w < prefix);
        let hi = self.partition(|w| w < prefix || w.starts_with(prefix));
        (lo, hi)
    }

    /// The first id for which `before` is false (`before` is true for a leading run of ids).
    fn partition(&self, before: impl Fn(&str) -> bool) -> u32 {
        let (mut lo, mut hi) = (0u32, self.len() as u32);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if before(self.word(mid)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    pub fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.ends.capacity() * std::mem::size_of::<u32>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_found_whole_or_by_their_start() {
        let v = Vocabulary::new(&["king", "kingston", "kipling", "queen"]);
        assert_eq!(v.find("kingston"), Some(1));
        assert_eq!(v.find("kin"), None);
        assert_eq!(v.prefix_range("kin"), (0, 2));
        assert_eq!(v.prefix_range("ki"), (0, 3));
        assert_eq!(v.prefix_range("z"), (4, 4));
        assert_eq!(v.word(3), "queen");
        assert_eq!(Vocabulary::new(&[]).prefix_range("a"), (0, 0));
    }
}
