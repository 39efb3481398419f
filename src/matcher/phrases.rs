//! Phrases looked up from word starts: company names, taxonomy phrases and
//! rule excludes, all folded. Every word-level prefix of every phrase is a
//! key, so at each word of an article one hash lookup says whether any
//! phrase starts there and each further word costs one more lookup only
//! while some phrase still continues. The cost per article grows with its
//! length, not with the number of phrases (100,000 names cost no more per
//! word than 100), and, unlike an overlapping automaton, nothing is
//! reported in the middle of a word.

use rustc_hash::FxHashMap;

use super::compile::Entry;
use super::normalize::on_word_boundaries;

/// The most separator bytes between two words of one phrase ("U.K.'s",
/// "Securities & Exchange").
const MAX_SEPARATORS: usize = 3;

/// Whether a byte of folded text belongs to a word (non-ASCII bytes are
/// parts of letters).
fn is_word_byte(b: u8) -> bool {
    WORD_BYTE[b as usize]
}

/// [`is_word_byte`] as a table: the word walk tests every byte of a text.
const WORD_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).is_ascii_alphanumeric() || b >= 0x80;
        b += 1;
    }
    t
};

/// The filter slot and bit of a word: its first two bytes, and a bit for
/// its length (capped at 31).
fn filter_slot(word: &[u8]) -> (usize, u32) {
    let b0 = word.first().copied().unwrap_or(0) as usize;
    let b1 = word.get(1).copied().unwrap_or(0) as usize;
    (b0 << 8 | b1, 1u32 << word.len().min(31))
}

#[derive(Debug, Default)]
struct Node {
    /// What the phrase ending here stands for (empty for a mere prefix).
    entries: Vec<Entry>,
    /// Some longer phrase continues with another word.
    more: bool,
    /// A bit per possible next word ([`word_bit`]) of those longer
    /// phrases: most words after a prefix ("the", "u.s.") continue no
    /// phrase, and this says so without another lookup.
    next: u64,
    /// Some phrase is this one plus one punctuation mark ("Block Inc.").
    punct: bool,
}

/// Folded phrases by their text and word-level prefixes.
#[derive(Debug, Default)]
pub struct PhraseIndex {
    nodes: FxHashMap<Box<str>, Node>,
    /// A cheap test before the first word's lookup: for each first two
    /// bytes, a bit per word length that some phrase's first word has.
    filter: Vec<u32>,
    phrases: usize,
}

impl PhraseIndex {
    /// Adds a folded phrase. Returns `false`, adding nothing, for a phrase
    /// that cannot be found from word starts (it starts with punctuation,
    /// ends with more than one punctuation mark, or has a longer run of
    /// separators than a text walk skips); those need an automaton.
    pub fn insert(&mut self, folded: &str, entry: Entry) -> bool {
        let b = folded.as_bytes();
        let Some(ends) = word_ends(b) else {
            return false;
        };
        let last = *ends.last().expect("a phrase has a word");
        let punct = match b.len() - last {
            0 => false,
            1 if b[last] != b' ' => true,
            _ => return false,
        };
        if self.filter.is_empty() {
            self.filter = vec![0; 1 << 16];
        }
        let (slot, bit) = filter_slot(&b[..ends[0]]);
        self.filter[slot] |= bit;
        for (w, &e) in ends[..ends.len() - 1].iter().enumerate() {
            let next_start = e + b[e..].iter().take_while(|c| !is_word_byte(**c)).count();
            let node = self.nodes.entry(folded[..e].into()).or_default();
            node.more = true;
            node.next |= word_bit(&b[next_start..ends[w + 1]]);
        }
        let node = self.nodes.entry(folded[..last].into()).or_default();
        let node = if punct {
            node.punct = true;
            self.nodes.entry(folded.into()).or_default()
        } else {
            node
        };
        if node.entries.is_empty() {
            self.phrases += 1;
        }
        node.entries.push(entry);
        true
    }

    /// How many distinct phrases are indexed.
    pub fn len(&self) -> usize {
        self.phrases
    }

    pub fn is_empty(&self) -> bool {
        self.phrases == 0
    }

    /// Calls `accept(entries, start, end)` for every indexed phrase in the
    /// folded `text` that starts and ends on word boundaries.
    pub fn find(&self, text: &str, accept: &mut impl FnMut(&[Entry], usize, usize)) {
        if self.filter.is_empty() {
            return;
        }
        let t = text.as_bytes();
        let n = t.len();
        let mut i = 0;
        while i < n {
            if !is_word_byte(t[i]) || (i > 0 && is_word_byte(t[i - 1])) {
                i += 1;
                continue;
            }
            let mut end = i;
            while end < n && is_word_byte(t[end]) {
                end += 1;
            }
            let first_end = end;
            let (slot, bit) = filter_slot(&t[i..end]);
            if self.filter[slot] & bit != 0 {
                // `end` is always at a separator (ASCII) or the text's end,
                // so both `end` and `end + 1` are char boundaries.
                while let Some(node) = self.nodes.get(&text[i..end]) {
                    if !node.entries.is_empty() && on_word_boundaries(text, i, end) {
                        accept(&node.entries, i, end);
                    }
                    if node.punct && end < n && t[end] != b' ' {
                        if let Some(p) = self.nodes.get(&text[i..end + 1]) {
                            if !p.entries.is_empty() && on_word_boundaries(text, i, end + 1) {
                                accept(&p.entries, i, end + 1);
                            }
                        }
                    }
                    if !node.more {
                        break;
                    }
                    let mut k = end;
                    while k < n && !is_word_byte(t[k]) && k - end < MAX_SEPARATORS {
                        k += 1;
                    }
                    if k >= n || !is_word_byte(t[k]) {
                        break;
                    }
                    let mut next_end = k;
                    while next_end < n && is_word_byte(t[next_end]) {
                        next_end += 1;
                    }
                    if node.next & word_bit(&t[k..next_end]) == 0 {
                        break;
                    }
                    end = next_end;
                }
            }
            i = first_end;
        }
    }
}

/// A word's bit in [`Node::next`]: from its first and last bytes and its
/// length, which tell most words apart at no hashing cost.
fn word_bit(word: &[u8]) -> u64 {
    let first = word.first().copied().unwrap_or(0) as u32;
    let last = word.last().copied().unwrap_or(0) as u32;
    let h = first.wrapping_mul(31) ^ last.wrapping_mul(7) ^ (word.len() as u32).wrapping_mul(13);
    1u64 << (h % 64)
}

/// The end of each word of a folded phrase, or `None` if the phrase does
/// not start with a word or has a separator run longer than a text walk
/// skips. Trailing separators are left to the caller.
fn word_ends(b: &[u8]) -> Option<Vec<usize>> {
    if b.first().is_none_or(|c| !is_word_byte(*c)) {
        return None;
    }
    let mut ends = Vec::new();
    let mut i = 0;
    loop {
        while i < b.len() && is_word_byte(b[i]) {
            i += 1;
        }
        ends.push(i);
        let mut k = i;
        while k < b.len() && !is_word_byte(b[k]) {
            k += 1;
        }
        if k == b.len() {
            return Some(ends);
        }
        if k - i > MAX_SEPARATORS {
            return None;
        }
        i = k;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::compile::{CaseRule, Target};

    fn entry(i: u32) -> Entry {
        Entry {
            target: Target::Agency(i),
            case: CaseRule::Any,
            common: false,
            gap: None,
        }
    }

    fn found(index: &PhraseIndex, text: &str) -> Vec<(String, u32)> {
        let mut out = Vec::new();
        index.find(text, &mut |entries: &[Entry], s, e| {
            for en in entries {
                if let Target::Agency(i) = en.target {
                    out.push((text[s..e].to_string(), i));
                }
            }
        });
        out
    }

    #[test]
    fn finds_phrases_of_any_length_on_word_boundaries_only() {
        let mut x = PhraseIndex::default();
        for (i, p) in [
            "commerce",
            "commerce department",
            "u.k.'s treasury",
            "securities & exchange commission",
            "block inc.",
            "intel",
        ]
        .iter()
        .enumerate()
        {
            assert!(x.insert(p, entry(i as u32)), "{p}");
        }
        assert_eq!(x.len(), 6);
        assert_eq!(
            found(&x, "the commerce department and the u.k.'s treasury"),
            vec![
                ("commerce".into(), 0),
                ("commerce department".into(), 1),
                ("u.k.'s treasury".into(), 2)
            ]
        );
        assert_eq!(
            found(&x, "securities & exchange commission, block inc. said"),
            vec![
                ("securities & exchange commission".into(), 3),
                ("block inc.".into(), 4)
            ]
        );
        assert!(found(&x, "intelligence at commerces and block inc").is_empty());
        assert_eq!(found(&x, "intel."), vec![("intel".into(), 5)]);
    }

    #[test]
    fn refuses_what_a_word_walk_cannot_find() {
        let mut x = PhraseIndex::default();
        assert!(!x.insert("#metoo", entry(0)));
        assert!(!x.insert("a .... b", entry(0)));
        assert!(!x.insert("inc..", entry(0)));
        assert_eq!(x.len(), 0);
        assert!(found(&x, "a .... b").is_empty());
    }
}
