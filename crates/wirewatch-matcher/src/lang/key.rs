//! Keys: how the words of a text or phrase become the keys a phrase of a
//! stemmed language, or a transliterated name, is looked up by. Each word
//! is keyed from its original spelling (accents matter to a stemmer),
//! then folded; [`Keyed`] keeps a map from each key back to its word in
//! the folded text.
//!
//! Invariants: a phrase is keyed exactly as text is ([`key_phrase`] builds
//! a [`Keyed`]), so they meet; keys are separated by single spaces and map
//! back to whole folded words; the per-thread cache of keyed words is
//! bounded ([`CACHE_WORDS`]) and never changes a key.

use std::cell::RefCell;

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashMap;

use super::Lang;
use crate::normalize::{fold, fold_with_map, Folded};

/// How the words of a text or phrase become keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Keyer {
    /// Lower-cased, stemmed with the language's Snowball stemmer, folded.
    Stem(Lang),
    /// Folded, transliterated to ASCII and smoothed ([`smooth`]): a Latin
    /// and a Cyrillic spelling of one name meet, up to the case ending.
    Translit,
}

impl Keyer {
    fn id(self) -> u8 {
        match self {
            Keyer::Stem(l) => l.0,
            Keyer::Translit => 255,
        }
    }

    /// The key of one word in its original spelling.
    fn key(self, word: &str) -> String {
        match self {
            Keyer::Stem(lang) => {
                let lower = word.to_lowercase();
                match lang.stemmer() {
                    Some(algorithm) => fold(&stemmer(algorithm).stem(&lower)),
                    None => fold(&lower),
                }
            }
            Keyer::Translit => smooth(&any_ascii::any_ascii(&fold(word))),
        }
    }
}

fn stemmer(algorithm: Algorithm) -> &'static Stemmer {
    static STEMMERS: std::sync::OnceLock<Vec<(Algorithm, Stemmer)>> = std::sync::OnceLock::new();
    let all = STEMMERS.get_or_init(|| {
        Lang::all()
            .filter_map(Lang::stemmer)
            .map(|a| (a, Stemmer::create(a)))
            .collect()
    });
    &all.iter()
        .find(|(a, _)| std::mem::discriminant(a) == std::mem::discriminant(&algorithm))
        .expect("a stemmer for every language that has one")
        .1
}

/// Smooths an ASCII transliteration so that the usual Latin spellings of
/// a Cyrillic name meet: letters that transliteration schemes trade ("kh"
/// and "h", "c", "k" and "q", "z" and "s", "j", "y" and "i", "w" and "v"),
/// doubled letters, and the final vowels a declension or an English
/// spelling adds ("Kaspersky" = "Касперского" → "kaspersk"). Only letters
/// and digits are kept. A key shorter than three letters is left as it is.
pub fn smooth(ascii: &str) -> String {
    let lower: Vec<u8> = ascii
        .bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    let mut out: Vec<u8> = Vec::with_capacity(lower.len());
    let mut i = 0;
    while i < lower.len() {
        let (c, skip) = match (lower[i], lower.get(i + 1).copied()) {
            (b'k', Some(b'h')) | (b'p', Some(b'h')) => {
                (if lower[i] == b'k' { b'h' } else { b'f' }, 2)
            }
            (b'c', Some(b'k')) => (b'k', 2),
            (b'c' | b'q', _) => (b'k', 1),
            (b'z', _) => (b's', 1),
            (b'w', _) => (b'v', 1),
            (b'j' | b'y', _) => (b'i', 1),
            (b'x', _) => {
                out.push(b'k');
                (b's', 1)
            }
            (c, _) => (c, 1),
        };
        if out.last() != Some(&c) {
            out.push(c);
        }
        i += skip;
    }
    while out.len() > 3 && matches!(out.last(), Some(b'a' | b'e' | b'i' | b'o' | b'u')) {
        out.pop();
    }
    String::from_utf8(out).expect("ASCII")
}

/// A text's words as keys, space-separated, with a map from each key back
/// to its word in the folded text.
#[derive(Debug, Default, Clone)]
pub struct Keyed {
    pub text: String,
    /// (key start in `text`, folded word start, folded word end), in order.
    pub(super) words: Vec<(u32, u32, u32)>,
}

/// Words keyed before, per thread: news repeats its words, and a stemmer
/// call costs more than a lookup. Cleared when it grows past
/// [`CACHE_WORDS`].
/// One map per keyer (looked up by `&str`, with no allocation per word
/// already seen).
type Words = hashbrown::HashMap<Box<str>, Box<str>, rustc_hash::FxBuildHasher>;
type Cache = FxHashMap<u8, Words>;
const CACHE_WORDS: usize = 200_000;

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(Cache::default());
}

/// The key of `word`, from the cache or made and cached (one hash
/// lookup; an allocation only for a word not seen before).
fn cached_key<'c>(cache: &'c mut Words, keyer: Keyer, word: &str) -> &'c str {
    cache
        .entry_ref(word)
        .or_insert_with(|| keyer.key(word).into())
}

impl Keyed {
    /// Keys the words of `folded` (the folding of `original`): each
    /// maximal run of letters and digits of the folded text, keyed from
    /// its original spelling.
    pub fn build(&mut self, folded: &Folded, original: &str, keyer: Keyer) {
        self.text.clear();
        self.words.clear();
        let f = &folded.text;
        let id = keyer.id();
        CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            let cache = cache.entry(id).or_default();
            if cache.len() > CACHE_WORDS {
                cache.clear();
            }
            let mut start = None;
            let mut cursor = folded.cursor();
            let bytes = f.as_bytes();
            let mut i = 0;
            while i <= bytes.len() {
                // Words are runs of letters and digits; ASCII bytes are
                // classified by themselves, other characters by Unicode.
                let (word_char, width) = match bytes.get(i) {
                    None => (false, 1),
                    Some(b) if b.is_ascii() => (b.is_ascii_alphanumeric(), 1),
                    Some(_) => {
                        let c = f[i..].chars().next().expect("i is on a char boundary");
                        (c.is_alphanumeric(), c.len_utf8())
                    }
                };
                match (word_char, start) {
                    (true, None) => start = Some(i),
                    (false, Some(s)) => {
                        start = None;
                        let (os, oe) = cursor.original(s, i);
                        let word = &original[os..oe];
                        let key = cached_key(cache, keyer, word);
                        // A word keyed to nothing (transliteration of a
                        // letter with no ASCII form) keeps its folded form.
                        let key: &str = if key.is_empty() { &f[s..i] } else { key };
                        if !self.text.is_empty() {
                            self.text.push(' ');
                        }
                        self.words
                            .push((self.text.len() as u32, s as u32, i as u32));
                        self.text.push_str(key);
                    }
                    _ => {}
                }
                i += width;
            }
        });
    }

    /// The folded range of the keyed range `start..end` (whole keys).
    pub fn folded_range(&self, start: usize, end: usize) -> (usize, usize) {
        let first = self
            .words
            .partition_point(|w| (w.0 as usize) <= start)
            .saturating_sub(1);
        let last = self
            .words
            .partition_point(|w| (w.0 as usize) < end)
            .saturating_sub(1);
        (self.words[first].1 as usize, self.words[last].2 as usize)
    }

    /// The keyed offset of the first key whose word starts at or after
    /// folded offset `pos` (the text's length if none).
    pub fn keyed_pos(&self, pos: usize) -> usize {
        let i = self.words.partition_point(|w| (w.1 as usize) < pos);
        self.words.get(i).map_or(self.text.len(), |w| w.0 as usize)
    }
}

/// The key form of a phrase (or a part of a gap phrase), as the text's
/// words are keyed: empty when it has no letters or digits.
pub fn key_phrase(phrase: &str, keyer: Keyer) -> String {
    let folded = fold_with_map(phrase);
    let mut k = Keyed::default();
    k.build(&folded, phrase, keyer);
    k.text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::fold_with_map;

    fn l(code: &str) -> Lang {
        Lang::parse(code).expect("a language with a file")
    }

    #[test]
    fn stems_meet_across_inflections() {
        let k = |p: &str, l: Lang| key_phrase(p, Keyer::Stem(l));
        assert_eq!(k("Geldbuße", l("de")), k("Geldbußen", l("de")));
        assert_eq!(k("sanctions", l("fr")), k("sanction", l("fr")));
        assert_eq!(k("Роснефть", l("ru")), k("Роснефти", l("ru")));
        assert_eq!(
            k("US-Handelsministerium", l("de")),
            k("US-Handelsministeriums", l("de"))
        );
    }

    #[test]
    fn keyed_words_map_back_to_the_folded_text() {
        let text = "Минфин наложил «штраф» на Роснефть.";
        let folded = fold_with_map(text);
        let mut k = Keyed::default();
        k.build(&folded, text, Keyer::Stem(l("ru")));
        let key = key_phrase("Роснефть", Keyer::Stem(l("ru")));
        let at = k.text.find(&key).unwrap();
        let (fs, fe) = k.folded_range(at, at + key.len());
        let (os, oe) = folded.original(fs, fe);
        assert_eq!(&text[os..oe], "Роснефть");
        assert_eq!(k.keyed_pos(fs), at);
    }
}
