//! Phrases looked up from word starts: company names, taxonomy phrases and
//! rule excludes, all folded, in a trie over words. At each word of an
//! article one hash lookup says whether any phrase starts there, and each
//! further word costs one more lookup only while some phrase still
//! continues. Words are keys of two integers, so a lookup hashes and
//! compares them in registers, with no key behind a pointer. The cost per
//! article grows with its length, not with the number of phrases (100,000
//! names cost no more per word than 100), and, unlike an overlapping
//! automaton, nothing is reported in the middle of a word.
//!
//! The index is generic over its payload `P`, what a phrase stands for
//! (the matcher stores its `compile::Entry` there), so this module names
//! nothing of the compiler that uses it.
//!
//! Payloads live in one flat vector, each phrase's in one run that its
//! node points to: a million names cost no `Vec` (and no allocation) each.
//!
//! Invariants: phrases are folded text (see `normalize::fold`) and are
//! found only where they start and end on word boundaries; a phrase that a
//! word walk cannot find is refused by [`PhraseIndex::insert`], never
//! stored; the payloads of one phrase are handed back in insertion order.

use rustc_hash::FxHashMap;

use crate::normalize::on_word_boundaries;

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

/// A word of folded text as a hash key, compared and hashed as two
/// integers instead of through a pointer: up to 16 bytes inline and
/// zero-padded (no word contains a NUL byte, so the padding is
/// unambiguous); a longer word by its number in [`PhraseIndex::long`],
/// marked by a `hi` of all 0xFF bytes, which UTF-8 never contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Word {
    lo: u64,
    hi: u64,
}

/// The most bytes of a word kept inline in a [`Word`].
const INLINE: usize = 16;

impl Word {
    /// The "word" of a step that adds one punctuation mark and no word.
    const NONE: Word = Word { lo: 0, hi: 0 };

    fn long(id: u32) -> Word {
        Word {
            lo: id as u64,
            hi: u64::MAX,
        }
    }

    /// `t[start..end]`, at most [`INLINE`] bytes long, packed.
    #[inline(always)]
    fn inline(t: &[u8], start: usize, end: usize) -> Word {
        let len = end - start;
        debug_assert!(len <= INLINE);
        let load = |at: usize| {
            t.get(at..at + 8)
                .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
        };
        // One unaligned load and a mask per half instead of a copy.
        match (len <= 8, load(start)) {
            (true, Some(lo)) => Word {
                lo: lo & LOW_BYTES[len],
                hi: 0,
            },
            (false, Some(lo)) => match load(start + 8) {
                Some(hi) => Word {
                    lo,
                    hi: hi & LOW_BYTES[len - 8],
                },
                None => Word::copied(&t[start..end]),
            },
            (_, None) => Word::copied(&t[start..end]),
        }
    }

    /// [`Word::inline`] near the end of a text, where a load would run past it.
    #[cold]
    fn copied(b: &[u8]) -> Word {
        let mut buf = [0u8; INLINE];
        buf[..b.len()].copy_from_slice(b);
        let x = u128::from_le_bytes(buf);
        Word {
            lo: x as u64,
            hi: (x >> 64) as u64,
        }
    }
}

/// `LOW_BYTES[n]` keeps the low `n` bytes of a `u64`.
const LOW_BYTES: [u64; 9] = {
    let mut t = [u64::MAX; 9];
    let mut n = 0;
    while n < 8 {
        t[n] = (1u64 << (8 * n)) - 1;
        n += 1;
    }
    t
};

/// One step from a prefix to a longer one: the separator bytes between the
/// two words, packed with their count, and the next word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Step {
    parent: u32,
    separator: u32,
    word: Word,
}

/// `b`, at most [`MAX_SEPARATORS`] bytes, as an integer.
fn separator(b: &[u8]) -> u32 {
    debug_assert!(b.len() <= MAX_SEPARATORS);
    let bytes = b.iter().fold(0u32, |acc, &c| acc << 8 | c as u32);
    (b.len() as u32) << 24 | bytes
}

/// A phrase or a prefix of one, stored in the maps' buckets so that a hit
/// costs one memory access.
#[derive(Debug, Clone, Copy)]
struct Node {
    id: u32,
    /// What the phrase ending here stands for: the start of its run in
    /// [`PhraseIndex::entries`], or `NO_ENTRIES` for a mere prefix.
    entries: u32,
    /// The length of that run (it fits in the padding beside `id`).
    count: u32,
    /// Some longer phrase continues with another word.
    more: bool,
    /// Some phrase is this one plus one punctuation mark ("Block Inc.").
    punct: bool,
    /// A bit per possible next word ([`word_bit`]) of those longer
    /// phrases: most words after a prefix ("the", "u.s.") continue no
    /// phrase, and this says so without another lookup.
    next: u64,
}

const NO_ENTRIES: u32 = u32::MAX;

/// Folded phrases as a trie over words: the first word by [`Word`], each
/// further step by its parent, separator and word. `P` is what a phrase
/// stands for; one phrase may stand for several.
#[derive(Debug)]
pub struct PhraseIndex<P> {
    roots: FxHashMap<Word, Node>,
    steps: FxHashMap<Step, Node>,
    /// Words longer than [`INLINE`] bytes of any phrase, numbered.
    long: FxHashMap<Box<str>, u32>,
    /// Every phrase's payloads, each phrase's in one run.
    entries: Vec<P>,
    /// Payloads left behind when a phrase's run moved to the end to grow
    /// ([`PhraseIndex::insert`]); compacted away when they get many.
    stale: usize,
    /// How many distinct phrases are indexed.
    phrases: u32,
    nodes: u32,
    /// A cheap test before the first word's lookup: for each first two
    /// bytes, a bit per word length that some phrase's first word has.
    filter: Vec<u32>,
}

// Not derived: a derive would require `P: Default`.
impl<P> Default for PhraseIndex<P> {
    fn default() -> Self {
        PhraseIndex {
            roots: FxHashMap::default(),
            steps: FxHashMap::default(),
            long: FxHashMap::default(),
            entries: Vec::new(),
            stale: 0,
            phrases: 0,
            nodes: 0,
            filter: Vec::new(),
        }
    }
}

/// Where a node sits: a first word, or a step from its parent.
#[derive(Clone, Copy)]
enum Key {
    Root(Word),
    Step(Step),
}

impl<P: Clone> PhraseIndex<P> {
    /// Adds a folded phrase. Returns `false`, adding nothing, for a phrase
    /// that cannot be found from word starts (it starts with punctuation,
    /// ends with more than one punctuation mark, or has a longer run of
    /// separators than a text walk skips); those need an automaton.
    pub fn insert(&mut self, folded: &str, entry: P) -> bool {
        let b = folded.as_bytes();
        let Some(words) = word_spans(b) else {
            return false;
        };
        let last = words.last().expect("a phrase has a word").1;
        let punct = match b.len() - last {
            0 => false,
            1 if b[last] != b' ' => true,
            _ => return false,
        };
        if self.filter.is_empty() {
            self.filter = vec![0; 1 << 16];
        }
        let (slot, bit) = filter_slot(&b[..words[0].1]);
        self.filter[slot] |= bit;
        let mut key = Key::Root(self.new_word(folded, 0, words[0].1));
        for pair in words.windows(2) {
            let ((_, prev_end), (start, end)) = (pair[0], pair[1]);
            let word = self.new_word(folded, start, end);
            let node = self.node_mut(key);
            node.more = true;
            node.next |= word_bit(&b[start..end]);
            key = Key::Step(Step {
                parent: node.id,
                separator: separator(&b[prev_end..start]),
                word,
            });
        }
        if punct {
            let node = self.node_mut(key);
            node.punct = true;
            key = Key::Step(Step {
                parent: node.id,
                separator: separator(&b[last..]),
                word: Word::NONE,
            });
        }
        let end = self.entries.len();
        let node = self.node_mut(key);
        let (start, count) = (node.entries as usize, node.count as usize);
        if node.entries == NO_ENTRIES {
            node.entries = end as u32;
            node.count = 1;
            self.phrases += 1;
            self.entries.push(entry);
        } else if start + count == end {
            node.count += 1;
            self.entries.push(entry);
        } else {
            // Another phrase's payloads follow this one's: move the run to
            // the end, where it can grow, and leave the old copy stale.
            node.entries = end as u32;
            node.count += 1;
            self.entries.extend_from_within(start..start + count);
            self.entries.push(entry);
            self.stale += count;
            if self.stale > self.entries.len() / 2 {
                self.compact();
            }
        }
        true
    }

    /// Drops the stale payloads: every live run copied to a new vector
    /// (in the maps' order: where a run sits does not matter, only that
    /// it stays whole and in order).
    fn compact(&mut self) {
        let mut fresh = Vec::with_capacity(self.entries.len() - self.stale);
        let nodes = self.roots.values_mut().chain(self.steps.values_mut());
        for n in nodes.filter(|n| n.entries != NO_ENTRIES) {
            let start = n.entries as usize;
            n.entries = fresh.len() as u32;
            fresh.extend_from_slice(&self.entries[start..start + n.count as usize]);
        }
        self.entries = fresh;
        self.stale = 0;
    }

    /// Frees what building left over: stale payloads and spare capacity.
    /// Call it once every phrase is in.
    pub fn shrink_to_fit(&mut self) {
        if self.stale > 0 {
            self.compact();
        }
        self.entries.shrink_to_fit();
        self.roots.shrink_to_fit();
        self.steps.shrink_to_fit();
        self.long.shrink_to_fit();
    }

    /// The node at `key`, created if new.
    fn node_mut(&mut self, key: Key) -> &mut Node {
        let fresh = Node {
            id: self.nodes,
            entries: NO_ENTRIES,
            count: 0,
            more: false,
            punct: false,
            next: 0,
        };
        let node = match key {
            Key::Root(w) => self.roots.entry(w).or_insert(fresh),
            Key::Step(s) => self.steps.entry(s).or_insert(fresh),
        };
        if node.id == fresh.id {
            self.nodes += 1;
        }
        node
    }

    /// The key of a phrase's word `text[start..end]`, numbering it if it is
    /// a long one not seen before.
    fn new_word(&mut self, text: &str, start: usize, end: usize) -> Word {
        if end - start <= INLINE {
            return Word::inline(text.as_bytes(), start, end);
        }
        let next = self.long.len() as u32;
        Word::long(*self.long.entry(text[start..end].into()).or_insert(next))
    }
}

impl<P> PhraseIndex<P> {
    /// The payloads of the phrase ending at `node`.
    #[inline(always)]
    fn entries_of(&self, node: &Node) -> &[P] {
        let start = node.entries as usize;
        &self.entries[start..start + node.count as usize]
    }

    /// The key of a text's word `text[start..end]`, or `None` for a long
    /// word that no phrase has.
    #[inline(always)]
    fn word(&self, text: &str, start: usize, end: usize) -> Option<Word> {
        if end - start <= INLINE {
            return Some(Word::inline(text.as_bytes(), start, end));
        }
        self.long.get(&text[start..end]).map(|&id| Word::long(id))
    }

    /// How many distinct phrases are indexed.
    pub fn len(&self) -> usize {
        self.phrases as usize
    }

    pub fn is_empty(&self) -> bool {
        self.phrases == 0
    }

    /// Calls `accept(entries, start, end)` for every indexed phrase in the
    /// folded `text` that starts and ends on word boundaries.
    pub fn find(&self, text: &str, accept: &mut impl FnMut(&[P], usize, usize)) {
        if self.filter.is_empty() {
            return;
        }
        let t = text.as_bytes();
        let n = t.len();
        let mut from = 0;
        while let Some(skip) = t[from..].iter().position(|&b| is_word_byte(b)) {
            let i = from + skip;
            let mut end = word_end(t, i);
            let first_end = end;
            let (slot, bit) = filter_slot(&t[i..end]);
            // Word ends are always at a separator (ASCII) or the text's
            // end, so they and the byte after a separator are char
            // boundaries.
            let mut node = if self.filter[slot] & bit != 0 {
                self.word(text, i, end).and_then(|w| self.roots.get(&w))
            } else {
                None
            };
            while let Some(at) = node {
                if at.entries != NO_ENTRIES && on_word_boundaries(text, i, end) {
                    accept(self.entries_of(at), i, end);
                }
                if at.punct && end < n && t[end] != b' ' {
                    let step = Step {
                        parent: at.id,
                        separator: separator(&t[end..end + 1]),
                        word: Word::NONE,
                    };
                    if let Some(p) = self.steps.get(&step) {
                        if p.entries != NO_ENTRIES && on_word_boundaries(text, i, end + 1) {
                            accept(self.entries_of(p), i, end + 1);
                        }
                    }
                }
                if !at.more {
                    break;
                }
                let mut k = end;
                while k < n && !is_word_byte(t[k]) && k - end < MAX_SEPARATORS {
                    k += 1;
                }
                if k >= n || !is_word_byte(t[k]) {
                    break;
                }
                let next_end = word_end(t, k);
                if at.next & word_bit(&t[k..next_end]) == 0 {
                    break;
                }
                node = self.word(text, k, next_end).and_then(|word| {
                    self.steps.get(&Step {
                        parent: at.id,
                        separator: separator(&t[end..k]),
                        word,
                    })
                });
                end = next_end;
            }
            from = first_end;
        }
    }
}

/// The end of the word of `t` that starts at `start`.
#[inline(always)]
fn word_end(t: &[u8], start: usize) -> usize {
    t[start..]
        .iter()
        .position(|&b| !is_word_byte(b))
        .map_or(t.len(), |len| start + len)
}

/// A word's bit in [`Node::next`]: from its first and last bytes and its
/// length, which tell most words apart at no hashing cost.
fn word_bit(word: &[u8]) -> u64 {
    let first = word.first().copied().unwrap_or(0) as u32;
    let last = word.last().copied().unwrap_or(0) as u32;
    let h = first.wrapping_mul(31) ^ last.wrapping_mul(7) ^ (word.len() as u32).wrapping_mul(13);
    1u64 << (h % 64)
}

/// The `(start, end)` of each word of a folded phrase, or `None` if the
/// phrase does not start with a word or has a separator run longer than a
/// text walk skips. Trailing separators are left to the caller.
fn word_spans(b: &[u8]) -> Option<Vec<(usize, usize)>> {
    if b.first().is_none_or(|c| !is_word_byte(*c)) {
        return None;
    }
    let mut words = Vec::new();
    let mut start = 0;
    loop {
        let end = word_end(b, start);
        words.push((start, end));
        let next = b[end..]
            .iter()
            .position(|&c| is_word_byte(c))
            .map(|skip| end + skip);
        match next {
            None => return Some(words),
            Some(next) if next - end > MAX_SEPARATORS => return None,
            Some(next) => start = next,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(index: &PhraseIndex<u32>, text: &str) -> Vec<(String, u32)> {
        let mut out = Vec::new();
        index.find(text, &mut |entries: &[u32], s, e| {
            for &i in entries {
                out.push((text[s..e].to_string(), i));
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
            assert!(x.insert(p, i as u32), "{p}");
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
    fn payloads_of_a_phrase_stay_in_insertion_order_when_interleaved() {
        let mut x = PhraseIndex::default();
        // Interleaving moves runs to the end and, past half stale,
        // compacts: every phrase must keep all its payloads, in order.
        for i in 0..200u32 {
            assert!(x.insert(["alpha", "beta corp", "gamma"][(i % 3) as usize], i));
        }
        x.shrink_to_fit();
        assert_eq!(x.len(), 3);
        let of = |p: &str| -> Vec<u32> { found(&x, p).into_iter().map(|(_, i)| i).collect() };
        assert_eq!(
            of("alpha"),
            (0..200).filter(|i| i % 3 == 0).collect::<Vec<_>>()
        );
        assert_eq!(
            of("beta corp"),
            (0..200).filter(|i| i % 3 == 1).collect::<Vec<_>>()
        );
        assert_eq!(
            of("gamma"),
            (0..200).filter(|i| i % 3 == 2).collect::<Vec<_>>()
        );
    }

    #[test]
    fn refuses_what_a_word_walk_cannot_find() {
        let mut x = PhraseIndex::default();
        assert!(!x.insert("#metoo", 0));
        assert!(!x.insert("a .... b", 0));
        assert!(!x.insert("inc..", 0));
        assert_eq!(x.len(), 0);
        assert!(found(&x, "a .... b").is_empty());
    }
}
