//! Adding phrases to the matcher's indexes while it is compiled: each
//! phrase goes to the index that can find it (the word-start index of
//! folded text, the automaton for what a word walk cannot find, a stemmed
//! language's keyed index, the index of every name's keys, the
//! transliteration index, the Chinese and Japanese automaton), context
//! cues to the indexes looked up only near company mentions, and the later
//! parts of gap phrases to their own table.
//!
//! Invariants: a phrase that folds or keys to nothing is skipped; one
//! folded phrase is one pattern whatever it stands for, with every entry
//! kept; negators and `exact` action words are matched by their folded
//! form, never by stem.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use super::{CaseRule, Entry, GapPart, Target};
use crate::hit::ActionStatus;
use crate::lang::{
    has_cjk, key_phrase, simplified, translit_key, Keyed, Keyer, Lang, Matching, TranslitIndex,
};
use crate::normalize::{fold, fold_with_map};
use crate::phrases::PhraseIndex;
use crate::taxonomy::LangWords;

/// Phrases matched as character sequences (any boundaries), with what each
/// stands for.
#[derive(Default)]
pub(super) struct Patterns {
    patterns: Vec<String>,
    pub(super) entries: Vec<Vec<Entry>>,
    index: HashMap<String, usize>,
}

impl Patterns {
    fn push(&mut self, folded: String, entry: Entry) {
        let i = *self.index.entry(folded.clone()).or_insert_with(|| {
            self.patterns.push(folded);
            self.entries.push(Vec::new());
            self.patterns.len() - 1
        });
        self.entries[i].push(entry);
    }

    pub(super) fn build(&self) -> Option<AhoCorasick> {
        (!self.patterns.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&self.patterns)
                .or_else(|_| {
                    // A DFA over very many patterns can exceed its size
                    // limit; the contiguous NFA is slower but has none.
                    AhoCorasickBuilder::new()
                        .match_kind(MatchKind::Standard)
                        .kind(Some(AhoCorasickKind::ContiguousNFA))
                        .build(&self.patterns)
                })
                .expect("patterns are non-empty strings")
        })
    }
}

/// A company name's keys for the indexes of other languages: under every
/// stemmer (distinct, sorted) and by transliteration. Made apart from the
/// indexes, and pure, so that a big list's names are keyed on several
/// threads and then added in order.
#[derive(Debug, Default)]
pub(super) struct NameKeys {
    stems: Vec<String>,
    translit: Option<String>,
}

impl NameKeys {
    /// The keys of `name` (none for a Chinese or Japanese name, which the
    /// character automaton finds).
    pub(super) fn of(name: &str) -> NameKeys {
        if has_cjk(name) {
            return NameKeys::default();
        }
        // Folded once for every keyer: a list of a million names is keyed
        // some eight million times.
        let folded = fold_with_map(name);
        let mut keyed = Keyed::default();
        let mut stems: Vec<String> = Vec::new();
        for l in Lang::all().filter(|l| l.stemmer().is_some()) {
            keyed.build(&folded, name, Keyer::Stem(l));
            if !keyed.text.is_empty() && !stems.contains(&keyed.text) {
                stems.push(keyed.text.clone());
            }
        }
        stems.sort_unstable();
        NameKeys {
            stems,
            translit: translit_key(name, &folded),
        }
    }
}

#[derive(Default)]
pub(super) struct Builder {
    pub(super) phrases: PhraseIndex<Entry>,
    /// Context cues, looked up only near company mentions.
    pub(super) context: PhraseIndex<Entry>,
    pub(super) keyed_context: Vec<(Lang, PhraseIndex<Entry>)>,
    /// Phrases of the folded text the word walk cannot find.
    pub(super) other: Patterns,
    /// Chinese and Japanese phrases.
    pub(super) cjk: Patterns,
    pub(super) gaps: Vec<Vec<GapPart>>,
    pub(super) keyed: Vec<(Lang, PhraseIndex<Entry>)>,
    pub(super) keyed_names: PhraseIndex<Entry>,
    pub(super) translit: TranslitIndex<Entry>,
}

/// A phrase's first part and its later gap parts ("a ... b").
fn split_gap(phrase: &str) -> (&str, std::str::Split<'_, &str>) {
    let mut parts = phrase.split("...");
    (parts.next().unwrap_or_default(), parts)
}

impl Builder {
    /// Frees what building left over in the big indexes (the spare
    /// capacity of tables that grew by doubling): a list of a million
    /// names keeps hundreds of megabytes otherwise.
    pub(super) fn shrink_to_fit(&mut self) {
        for index in [&mut self.phrases, &mut self.context, &mut self.keyed_names]
            .into_iter()
            .chain(self.keyed.iter_mut().map(|(_, i)| i))
            .chain(self.keyed_context.iter_mut().map(|(_, i)| i))
        {
            index.shrink_to_fit();
        }
        self.translit.shrink_to_fit();
    }

    /// The index of `rest`'s parts (made by `make`) in `gaps`, if any.
    fn gap<'a>(
        &mut self,
        rest: impl Iterator<Item = &'a str>,
        make: impl Fn(&str) -> String,
    ) -> Option<u32> {
        let rest: Vec<GapPart> = rest
            .map(make)
            .filter(|p| !p.is_empty())
            .map(GapPart::new)
            .collect();
        (!rest.is_empty()).then(|| {
            self.gaps.push(rest);
            (self.gaps.len() - 1) as u32
        })
    }

    /// Adds a phrase of the folded text (English, names, excludes); a
    /// Chinese or Japanese one goes to the character-sequence automaton.
    pub(super) fn add(&mut self, phrase: &str, target: Target, common: bool) {
        self.add_weak(phrase, target, common, false)
    }

    /// [`Builder::add`], for a company name that may be `weak`
    /// ([`Entry::weak`]).
    fn add_weak(&mut self, phrase: &str, target: Target, common: bool, weak: bool) {
        let (first, rest) = split_gap(phrase);
        let folded = fold(first);
        if folded.is_empty() {
            return;
        }
        let gap = self.gap(rest, fold);
        let entry = Entry {
            target,
            case: CaseRule::of(first.trim()),
            common,
            weak,
            gap,
        };
        if has_cjk(&folded) {
            return self.cjk.push(simplified(&folded).into_owned(), entry);
        }
        let index = if target.is_context() {
            &mut self.context
        } else {
            &mut self.phrases
        };
        if !index.insert(&folded, entry) {
            self.other.push(folded, entry);
        }
    }

    /// Adds a phrase of language `lang`: its keys to that language's index
    /// (character sequences for Chinese and Japanese, folded words for
    /// English).
    fn add_in(&mut self, lang: Lang, phrase: &str, target: Target) {
        if lang.matching() != Matching::Stems || has_cjk(phrase) {
            return self.add(phrase, target, false);
        }
        let keyer = Keyer::Stem(lang);
        let (first, rest) = split_gap(phrase);
        let key = key_phrase(first, keyer);
        if key.is_empty() {
            return;
        }
        let gap = self.gap(rest, |p| key_phrase(p, keyer));
        let entry = Entry {
            target,
            case: CaseRule::of(first.trim()),
            common: false,
            weak: false,
            gap,
        };
        let indexes = if target.is_context() {
            &mut self.keyed_context
        } else {
            &mut self.keyed
        };
        let i = match indexes.iter().position(|(l, _)| *l == lang) {
            Some(i) => i,
            None => {
                indexes.push((lang, PhraseIndex::default()));
                indexes.len() - 1
            }
        };
        indexes[i].1.insert(&key, entry);
    }

    /// Adds a company name: to the folded-text index (or the character
    /// automaton), and its keys under every stemmer and its transliteration
    /// key to the indexes for other languages.
    pub(super) fn add_name(&mut self, name: &str, target: Target, common: bool, weak: bool) {
        self.add_name_keyed(name, &NameKeys::of(name), target, common, weak)
    }

    /// [`Builder::add_name`] with the name's keys made beforehand.
    pub(super) fn add_name_keyed(
        &mut self,
        name: &str,
        keys: &NameKeys,
        target: Target,
        common: bool,
        weak: bool,
    ) {
        self.add_weak(name, target, common, weak);
        if has_cjk(name) {
            return;
        }
        let entry = Entry {
            target,
            case: CaseRule::of(name.trim()),
            common,
            weak,
            gap: None,
        };
        for k in &keys.stems {
            self.keyed_names.insert(k, entry);
        }
        // A transliteration key is loose by design ("Kaspersky" =
        // "Касперского"), and a list of a million names holds one-word names
        // whose keys meet real Russian words and names: a list's one-word
        // name found only that way needs backing, like a weak name.
        let one_word = !name.trim().contains(char::is_whitespace);
        let translit = Entry {
            weak: weak || (matches!(target, Target::Listed(_)) && one_word),
            ..entry
        };
        if let Some(key) = &keys.translit {
            self.translit.insert_key(key, translit);
        }
    }

    /// Adds one language's words. `governments` lists the government ids
    /// in the order of their [`Target::Government`] indexes.
    pub(super) fn add_language(
        &mut self,
        w: &LangWords,
        agency_ids: &[String],
        action_ids: &[String],
        governments: &[&String],
    ) {
        let lang = w.lang();
        for (id, names) in &w.governments {
            let Some(g) = governments.iter().position(|x| *x == id) else {
                continue;
            };
            names
                .iter()
                .for_each(|n| self.add_in(lang, n, Target::Government(g as u32)));
        }
        let agency = |id: &String| agency_ids.iter().position(|a| a == id).map(|p| p as u32);
        let action = |id: &String| action_ids.iter().position(|a| a == id).map(|p| p as u32);
        for (id, names) in &w.agencies {
            let Some(i) = agency(id) else { continue };
            names
                .iter()
                .for_each(|n| self.add_in(lang, n, Target::Agency(i)));
        }
        for (id, names) in &w.agency_not {
            let Some(i) = agency(id) else { continue };
            names
                .iter()
                .for_each(|n| self.add_in(lang, n, Target::AgencyVeto(i)));
        }
        for (id, names) in &w.instruments {
            let Some(i) = agency(id) else { continue };
            names
                .iter()
                .for_each(|n| self.add_in(lang, n, Target::Instrument(i)));
        }
        for (id, words) in &w.actions {
            let Some(i) = action(id) else { continue };
            words
                .phrases
                .iter()
                .for_each(|p| self.add_in(lang, p, Target::Action(i)));
            words
                .not
                .iter()
                .for_each(|p| self.add_in(lang, p, Target::ActionVeto(i)));
            words
                .exact
                .iter()
                .for_each(|p| self.add(p, Target::Action(i), false));
        }
        for (status, cues) in &w.status {
            let Some(st) = ActionStatus::parse(status) else {
                continue;
            };
            cues.iter()
                .for_each(|c| self.add_in(lang, c, Target::Status(st)));
        }
        for (cues, target) in [
            (&w.references, Target::Reference),
            (&w.role_before, Target::RoleBefore),
            (&w.enumeration, Target::Enumeration),
            (&w.agency_references, Target::AgencyReference),
        ] {
            cues.iter().for_each(|c| self.add_in(lang, c, target));
        }
        // Negators by their exact form: their stems are other words' too
        // (Portuguese "não" and "na", Russian "не" and "ней").
        w.negation
            .iter()
            .for_each(|c| self.add(c, Target::Negation, false));
    }
}
