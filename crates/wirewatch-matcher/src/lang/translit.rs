//! Latin-script company names found in Cyrillic text in any grammatical
//! case ("Rosneft" = "Роснефти"): each word of a name is keyed by its
//! smoothed transliteration ([`Keyer::Translit`]), and a word of the text
//! may add a case ending of up to [`ENDING_MAX`] letters.
//!
//! Invariants: only names in Latin letters are indexed, and only words of
//! the text that start with a Cyrillic letter are looked up; a name with a
//! word shorter than [`MIN_KEY`] letters is refused, never matched loosely.

use rustc_hash::FxHashMap;

use super::key::{Keyed, Keyer};
use crate::normalize::{fold_with_map, Folded};

/// Letters a Russian case ending leaves after transliteration and
/// [`smooth`] ("-ого" → "og", "-ом" → "om", "-ах" → "ah", "-ов" → "ov").
const ENDING_LETTERS: &[u8] = b"aeioumhvg";
/// The most letters a case ending adds to a smoothed key.
const ENDING_MAX: usize = 3;
/// The fewest letters of a smoothed key worth matching on.
const MIN_KEY: usize = 3;

/// Latin-script names (company names of the watchlists) found in Cyrillic
/// text in any grammatical case: each word of a name is looked up by its
/// smoothed transliteration, allowing the text's word up to
/// [`ENDING_MAX`] more letters of a case ending.
#[derive(Debug, Clone)]
pub struct TranslitIndex<T> {
    /// A name's first key → its names (indexes into `names`), in the
    /// order they were added.
    first: FxHashMap<Box<str>, Vec<u32>>,
    /// Per name, its keys after the first (a range of `rest`) and what it
    /// stands for. One flat table and one text rather than a `Vec` and a
    /// string per key: a list of a million names would pay an allocation
    /// for each.
    names: Vec<Name<T>>,
    /// Every name's later keys, each followed by a space.
    rest: String,
}

#[derive(Debug, Clone)]
struct Name<T> {
    /// The name's later keys: `rest[start..start + len]`, each followed by
    /// a space.
    start: u32,
    len: u32,
    /// How many keys follow the first.
    words: u32,
    payload: T,
}

impl<T> Default for TranslitIndex<T> {
    fn default() -> Self {
        TranslitIndex {
            first: FxHashMap::default(),
            names: Vec::new(),
            rest: String::new(),
        }
    }
}

impl<T: Copy> TranslitIndex<T> {
    /// Adds a name written in Latin letters. Returns `false`, adding
    /// nothing, for a name with other letters or with a word too short to
    /// key safely.
    pub fn insert(&mut self, name: &str, payload: T) -> bool {
        self.insert_folded(name, &fold_with_map(name), payload)
    }

    /// [`TranslitIndex::insert`] of a name already folded (`folded` is
    /// `fold_with_map(name)`).
    pub fn insert_folded(&mut self, name: &str, folded: &Folded, payload: T) -> bool {
        match key_of(name, folded) {
            Some(key) => {
                self.insert_key(&key, payload);
                true
            }
            None => false,
        }
    }

    /// Adds a name by its key ([`key_of`]).
    pub fn insert_key(&mut self, key: &str, payload: T) {
        let keys: Vec<&str> = key.split(' ').collect();
        let (first, rest) = keys.split_first().expect("split gives a word");
        let start = self.rest.len();
        for k in rest {
            self.rest.push_str(k);
            self.rest.push(' ');
        }
        let id = self.names.len() as u32;
        self.names.push(Name {
            start: start as u32,
            len: (self.rest.len() - start) as u32,
            words: rest.len() as u32,
            payload,
        });
        match self.first.get_mut(*first) {
            Some(ids) => ids.push(id),
            None => {
                self.first.insert((*first).into(), vec![id]);
            }
        }
    }

    /// Frees spare capacity; call it once every name is in.
    pub fn shrink_to_fit(&mut self) {
        self.names.shrink_to_fit();
        self.rest.shrink_to_fit();
        self.first.shrink_to_fit();
    }

    pub fn is_empty(&self) -> bool {
        self.first.is_empty()
    }

    /// Calls `found(payload, folded start, folded end)` for every name
    /// whose first word is a Cyrillic word of `folded` (the folding of
    /// `original`).
    pub fn find(&self, folded: &Folded, original: &str, found: &mut impl FnMut(T, usize, usize)) {
        if self.first.is_empty() {
            return;
        }
        let mut keyed = Keyed::default();
        keyed.build(folded, original, Keyer::Translit);
        let words: Vec<(&str, usize, usize)> = keyed
            .words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let end = keyed
                    .words
                    .get(i + 1)
                    .map_or(keyed.text.len(), |n| n.0 as usize - 1);
                (&keyed.text[w.0 as usize..end], w.1 as usize, w.2 as usize)
            })
            .collect();
        for (i, &(key, fs, _)) in words.iter().enumerate() {
            if !folded.text[fs..].starts_with(|c: char| matches!(c, '\u{400}'..='\u{52F}')) {
                continue;
            }
            for stem in ending_stems(key) {
                let Some(names) = self.first.get(stem) else {
                    continue;
                };
                for name in names.iter().map(|&n| &self.names[n as usize]) {
                    let n = name.words as usize;
                    let start = name.start as usize;
                    let rest = self.rest[start..start + name.len as usize].split_terminator(' ');
                    let fits = n < words.len() - i
                        && rest
                            .zip(&words[i + 1..])
                            .all(|(want, (got, _, _))| ending_stems(got).any(|s| s == want));
                    if fits {
                        found(name.payload, fs, words[i + n].2);
                    }
                }
            }
        }
    }
}

/// The key a name written in Latin letters is indexed by (its words'
/// smoothed transliterations), or `None` for a name the index refuses:
/// one with other letters or with a word too short to key safely.
/// `folded` is `fold_with_map(name)`. Pure, so a list's names can be keyed
/// on several threads.
pub fn key_of(name: &str, folded: &Folded) -> Option<String> {
    if name.chars().any(|c| {
        c.is_alphabetic() && !c.is_ascii_alphabetic() && !matches!(c, '\u{C0}'..='\u{24F}')
    }) {
        return None;
    }
    let mut keyed = Keyed::default();
    keyed.build(folded, name, Keyer::Translit);
    (!keyed.text.split(' ').any(|k| k.len() < MIN_KEY)).then_some(keyed.text)
}

/// `key` and each shorter form of it that drops up to [`ENDING_MAX`]
/// letters of a case ending, keeping at least [`MIN_KEY`].
fn ending_stems(key: &str) -> impl Iterator<Item = &str> {
    let b = key.as_bytes();
    (0..=ENDING_MAX)
        .take_while(move |&n| {
            n == 0 || (b.len() >= MIN_KEY + n && ENDING_LETTERS.contains(&b[b.len() - n]))
        })
        .map(move |n| &key[..key.len() - n])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::fold_with_map;

    /// The names of `index` found in `text`, as the original words.
    fn found(index: &TranslitIndex<u32>, text: &str) -> Vec<(u32, String)> {
        let folded = fold_with_map(text);
        let mut out = Vec::new();
        index.find(&folded, text, &mut |p, s, e| {
            let (os, oe) = folded.original(s, e);
            out.push((p, text[os..oe].to_string()));
        });
        out
    }

    #[test]
    fn latin_names_meet_their_cyrillic_spellings_in_any_case() {
        let mut index = TranslitIndex::default();
        let names = [
            "Rosneft",
            "Kaspersky",
            "Sberbank",
            "Sovcomflot",
            "Surgutneftegas",
            "Gazprom Neft",
            "VTB",
            "Rusal",
            "Alfa-Bank",
        ];
        for (i, n) in names.iter().enumerate() {
            assert!(index.insert(n, i as u32), "{n}");
        }
        assert!(!index.insert("En+", 99), "too short a key to be safe");
        let cases = [
            ("санкции против Роснефти", 0, "Роснефти"),
            ("с «Роснефтью»", 0, "Роснефтью"),
            ("Лаборатория Касперского", 1, "Касперского"),
            ("клиенты Сбербанка", 2, "Сбербанка"),
            ("Совкомфлот", 3, "Совкомфлот"),
            ("акции Сургутнефтегаза", 4, "Сургутнефтегаза"),
            ("долги Газпром нефти", 5, "Газпром нефти"),
            ("ВТБ", 6, "ВТБ"),
            ("у Альфа-Банка", 8, "Альфа-Банка"),
        ];
        for (text, want, words) in cases {
            assert_eq!(found(&index, text), [(want, words.to_string())], "{text}");
        }
        assert!(found(&index, "цены росли").is_empty(), "not Rusal");
        assert!(found(&index, "Роснефтегаз").is_empty(), "another company");
        assert!(
            found(&index, "Rosneft").is_empty(),
            "Latin text is the word index's"
        );
    }
}
