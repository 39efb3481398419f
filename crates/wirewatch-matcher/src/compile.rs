//! Compiling a watchlist and the taxonomy into phrase indexes:
//!
//! - one over folded text (`phrases.rs`): every company name, English
//!   taxonomy phrase and exclude, looked up from word starts, so the cost
//!   of matching an article grows with its length and its hits, not with
//!   the number of rules. The rare phrase a word walk cannot find (one
//!   starting with punctuation, say) goes into a small Aho-Corasick
//!   automaton instead;
//! - one per stemmed language over keyed text (`lang.rs`): that language's
//!   taxonomy phrases, plus one shared index of every company name's keys;
//! - one of Latin names by transliteration, for Cyrillic text;
//! - one Aho-Corasick automaton of Chinese and Japanese phrases and names,
//!   matched as character sequences.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::common_words::is_common_word;
use crate::grammar::Grammar;
use crate::hit::ActionStatus;
use crate::lang::{has_cjk, key_phrase, simplified, Keyer, Lang, Matching, TranslitIndex};
use crate::normalize::fold;
use crate::phrases::PhraseIndex;
use crate::taxonomy::{LangWords, Taxonomy};
use crate::watchlist::{Rule, Watchlist};

/// How the letter case of the text must agree with a phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseRule {
    /// Any case ("sanctioned", "federal prosecutors").
    Any,
    /// The first letter must be a capital ("Commerce", "Kaspersky", "IKEA" = "Ikea").
    Capitalized,
    /// Every letter must be a capital: short acronyms ("SEC", "VW", "BIS").
    Acronym,
}

impl CaseRule {
    fn of(phrase: &str) -> CaseRule {
        let letters: Vec<char> = phrase.chars().filter(|c| c.is_alphabetic()).collect();
        let all_caps = !letters.is_empty() && letters.iter().all(|c| c.is_uppercase());
        if all_caps && letters.len() <= 3 {
            CaseRule::Acronym
        } else if phrase.chars().next().is_some_and(|c| c.is_uppercase()) {
            CaseRule::Capitalized
        } else {
            CaseRule::Any
        }
    }

    /// Whether the original text of a match satisfies the rule.
    pub fn accepts(self, original: &str) -> bool {
        match self {
            CaseRule::Any => true,
            CaseRule::Capitalized => original
                .chars()
                .find(|c| c.is_alphabetic())
                .is_some_and(|c| c.is_uppercase()),
            CaseRule::Acronym => original
                .chars()
                .filter(|c| c.is_alphabetic())
                .all(|c| c.is_uppercase()),
        }
    }
}

/// What a pattern stands for. Indexes point into [`Matcher`] tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// A name of company `company` of rule `rule`.
    Company {
        rule: u32,
        company: u32,
    },
    Agency(u32),
    Action(u32),
    /// A phrase in which action `.0`'s words carry another sense.
    ActionVeto(u32),
    /// A phrase in which agency `.0`'s names mean something else
    /// ("Treasury yields", "SEC filing").
    AgencyVeto(u32),
    /// A company name that is a common word, used in its common sense.
    CompanyVeto,
    /// An exclude phrase of rule `.0`.
    Exclude(u32),
    RoleBefore,
    RoleAfter,
    Reference,
    /// A list or order agency `.0` keeps ("Entity List"): that agency when
    /// no other is named, and the actions it implies.
    Instrument(u32),
    /// A cue that the action has this status ("plans to", "lifted").
    Status(ActionStatus),
    /// A cue that opens an enumeration of the companies an event names
    /// ("among them", "those named include").
    Enumeration,
    /// A phrase that refers back to the agency named before it ("the
    /// regulator"); resolved to that agency after the scan.
    AgencyReference,
    /// A negator ("not", "ruled out") that denies an action word next to it.
    Negation,
    /// Government `.0` named as an actor ("the United States"): the agency
    /// that acts for it in the event's kind of action, when no agency is
    /// named.
    Government(u32),
}

impl Target {
    /// Whether the target only qualifies an event found around a company
    /// mention (a status cue, a negator, an enumeration cue, a reference
    /// to an agency, a government as actor): looked up only in the
    /// sentences around company mentions.
    pub fn is_context(self) -> bool {
        matches!(
            self,
            Target::Status(_)
                | Target::Negation
                | Target::Enumeration
                | Target::AgencyReference
                | Target::Government(_)
        )
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub target: Target,
    pub case: CaseRule,
    /// A company name that is also a common English word.
    pub common: bool,
    /// For a gap phrase ("agreed to pay ... to settle"), the index of its
    /// later parts in [`Matcher::gaps`]; the pattern is its first part.
    pub gap: Option<u32>,
}

/// A compiled rule: indexes into the matcher's agency and action tables.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    pub rule: Rule,
    pub agencies: Vec<u32>,
    pub actions: Vec<u32>,
}

/// The compiled form of a watchlist plus the taxonomy. Immutable; build a
/// new one to change rules, and swap it in.
#[derive(Debug)]
pub struct Matcher {
    /// Every phrase that can be found from word starts: company names,
    /// taxonomy phrases, excludes.
    pub(super) phrases: PhraseIndex<Entry>,
    /// The others, if any, and what each of its patterns stands for (one
    /// folded phrase may stand for several things).
    pub(super) automaton: Option<AhoCorasick>,
    pub(super) entries: Vec<Vec<Entry>>,
    pub(super) rules: Vec<CompiledRule>,
    pub(super) agency_ids: Vec<String>,
    pub(super) action_ids: Vec<String>,
    /// The later parts of gap phrases.
    pub(super) gaps: Vec<Vec<GapPart>>,
    /// Context cues (status, negators, enumerations, references to
    /// agencies, governments): needed only near a company mention, so
    /// looked up only in those sentences ([`Target::is_context`]).
    pub(super) context: PhraseIndex<Entry>,
    /// Per stemmed language, its context cues as keys.
    pub(super) keyed_context: Vec<(Lang, PhraseIndex<Entry>)>,
    /// Per stemmed language, its taxonomy phrases as keys.
    pub(super) keyed: Vec<(Lang, PhraseIndex<Entry>)>,
    /// Every company name's keys, under every language's stemmer.
    pub(super) keyed_names: PhraseIndex<Entry>,
    /// Latin company names, found in Cyrillic text.
    pub(super) translit: TranslitIndex<Entry>,
    /// Chinese and Japanese phrases and names, as character sequences.
    pub(super) cjk: Option<AhoCorasick>,
    pub(super) cjk_entries: Vec<Vec<Entry>>,
    /// Per agency, the actions its instruments stand for.
    pub(super) instrument_actions: Vec<Vec<u32>>,
    /// Per government, (action, agency that takes it for the government).
    pub(super) government_acts: Vec<Vec<(u32, u32)>>,
    /// Per action, its status when no cue gives one.
    pub(super) default_status: Vec<ActionStatus>,
    /// The grammar words the evaluation applies besides the phrases.
    pub(super) grammar: Grammar,
}

/// A later part of a gap phrase ("to settle" in "agreed to pay ... to
/// settle"), folded (or keyed, for a stemmed language's phrase), with its
/// searcher built once instead of per search.
#[derive(Debug, Clone)]
pub struct GapPart {
    /// Its folded text is the needle.
    pub finder: memchr::memmem::Finder<'static>,
    /// How many words it has.
    pub words: usize,
    /// Chinese or Japanese: found anywhere, not on word boundaries.
    pub cjk: bool,
}

impl GapPart {
    fn new(text: String) -> GapPart {
        let cjk = has_cjk(&text);
        let text = if cjk {
            simplified(&text).into_owned()
        } else {
            text
        };
        GapPart {
            words: text.split(' ').count(),
            cjk,
            finder: memchr::memmem::Finder::new(text.as_bytes()).into_owned(),
        }
    }
}

/// Phrases matched as character sequences (any boundaries), with what each
/// stands for.
#[derive(Default)]
struct Patterns {
    patterns: Vec<String>,
    entries: Vec<Vec<Entry>>,
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

    fn build(&self) -> Option<AhoCorasick> {
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

#[derive(Default)]
struct Builder {
    phrases: PhraseIndex<Entry>,
    /// Context cues, looked up only near company mentions.
    context: PhraseIndex<Entry>,
    keyed_context: Vec<(Lang, PhraseIndex<Entry>)>,
    /// Phrases of the folded text the word walk cannot find.
    other: Patterns,
    /// Chinese and Japanese phrases.
    cjk: Patterns,
    gaps: Vec<Vec<GapPart>>,
    keyed: Vec<(Lang, PhraseIndex<Entry>)>,
    keyed_names: PhraseIndex<Entry>,
    translit: TranslitIndex<Entry>,
}

/// A phrase's first part and its later gap parts ("a ... b").
fn split_gap(phrase: &str) -> (&str, std::str::Split<'_, &str>) {
    let mut parts = phrase.split("...");
    (parts.next().unwrap_or_default(), parts)
}

impl Builder {
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
    fn add(&mut self, phrase: &str, target: Target, common: bool) {
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
    fn add_name(&mut self, name: &str, target: Target, common: bool) {
        self.add(name, target, common);
        if has_cjk(name) {
            return;
        }
        let entry = Entry {
            target,
            case: CaseRule::of(name.trim()),
            common,
            gap: None,
        };
        let mut keys: Vec<String> = Lang::all()
            .filter(|l| l.stemmer().is_some())
            .map(|l| key_phrase(name, Keyer::Stem(l)))
            .filter(|k| !k.is_empty())
            .collect();
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            self.keyed_names.insert(&k, entry);
        }
        self.translit.insert(name, entry);
    }

    /// Adds one language's words. `governments` lists the government ids
    /// in the order of their [`Target::Government`] indexes.
    fn add_language(
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

/// Company names that, when a watched name is a common word, show the
/// common sense ("shell companies", "orange juice"). Built in.
const COMPANY_SENSES: &str = include_str!("../taxonomy/senses.toml");

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Senses {
    not: Vec<String>,
}

impl Matcher {
    /// Compiles a validated watchlist against the taxonomy. Ids that do not
    /// resolve were rejected by validation; here they are skipped.
    pub fn compile(watchlist: &Watchlist, taxonomy: &Taxonomy) -> Matcher {
        let mut b = Builder::default();
        let mut agency_ids = Vec::new();
        for a in taxonomy.agencies.iter().chain(&watchlist.agencies) {
            let i = agency_ids.len() as u32;
            agency_ids.push(a.id.clone());
            for n in &a.names {
                b.add(n, Target::Agency(i), false);
            }
            for n in &a.not {
                b.add(n, Target::AgencyVeto(i), false);
            }
        }
        let mut action_ids = Vec::new();
        for a in taxonomy.actions.iter().chain(&watchlist.actions) {
            let i = action_ids.len() as u32;
            action_ids.push(a.id.clone());
            for p in &a.phrases {
                b.add(p, Target::Action(i), false);
            }
            for p in &a.not {
                b.add(p, Target::ActionVeto(i), false);
            }
        }
        for p in &taxonomy.roles.before {
            b.add(p, Target::RoleBefore, false);
        }
        for p in &taxonomy.roles.after {
            b.add(p, Target::RoleAfter, false);
        }
        for p in &taxonomy.roles.references {
            b.add(p, Target::Reference, false);
        }
        let senses: Senses = toml::from_str(COMPANY_SENSES).expect("taxonomy/senses.toml is valid");
        for p in &senses.not {
            b.add(p, Target::CompanyVeto, false);
        }
        let governments: Vec<&String> = taxonomy.government_acts.keys().collect();
        for w in &taxonomy.languages {
            b.add_language(w, &agency_ids, &action_ids, &governments);
        }
        let government_acts = taxonomy
            .government_acts
            .values()
            .map(|acts| {
                acts.iter()
                    .filter_map(|(action, agency)| {
                        let a = action_ids.iter().position(|x| x == action)?;
                        let g = agency_ids.iter().position(|x| x == agency)?;
                        Some((a as u32, g as u32))
                    })
                    .collect()
            })
            .collect();
        let instrument_actions = agency_ids
            .iter()
            .map(|id| {
                taxonomy
                    .instrument_actions
                    .get(id)
                    .into_iter()
                    .flatten()
                    .filter_map(|a| action_ids.iter().position(|x| x == a))
                    .map(|p| p as u32)
                    .collect()
            })
            .collect();
        let mut rules = Vec::with_capacity(watchlist.rules.len());
        for (ri, rule) in watchlist.rules.iter().enumerate() {
            for (ci, c) in rule.companies.iter().enumerate() {
                for n in std::iter::once(&c.name).chain(&c.aliases) {
                    let target = Target::Company {
                        rule: ri as u32,
                        company: ci as u32,
                    };
                    b.add_name(n, target, is_common_word(n));
                }
            }
            for e in &rule.exclude {
                b.add(e, Target::Exclude(ri as u32), false);
            }
            let lookup = |ids: &[String], table: &[String]| -> Vec<u32> {
                ids.iter()
                    .filter_map(|id| table.iter().position(|t| t == id).map(|p| p as u32))
                    .collect()
            };
            rules.push(CompiledRule {
                rule: rule.clone(),
                agencies: lookup(&rule.agencies, &agency_ids),
                actions: lookup(&rule.actions, &action_ids),
            });
        }
        let default_status = action_ids
            .iter()
            .map(|id| taxonomy.default_status.get(id).copied().unwrap_or_default())
            .collect();
        Matcher {
            automaton: b.other.build(),
            cjk: b.cjk.build(),
            phrases: b.phrases,
            entries: b.other.entries,
            cjk_entries: b.cjk.entries,
            rules,
            agency_ids,
            action_ids,
            gaps: b.gaps,
            keyed: b.keyed,
            context: b.context,
            keyed_context: b.keyed_context,
            keyed_names: b.keyed_names,
            translit: b.translit,
            instrument_actions,
            government_acts,
            default_status,
            grammar: Grammar::new(taxonomy),
        }
    }

    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter().map(|r| &r.rule)
    }

    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    pub fn pattern_count(&self) -> usize {
        self.entries.len()
            + self.phrases.len()
            + self.cjk_entries.len()
            + self.keyed_names.len()
            + self.context.len()
            + self
                .keyed_context
                .iter()
                .map(|(_, p)| p.len())
                .sum::<usize>()
            + self.keyed.iter().map(|(_, p)| p.len()).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::CaseRule;

    #[test]
    fn case_rules() {
        assert_eq!(CaseRule::of("SEC"), CaseRule::Acronym);
        assert_eq!(CaseRule::of("IKEA"), CaseRule::Capitalized);
        assert_eq!(CaseRule::of("Commerce"), CaseRule::Capitalized);
        assert_eq!(CaseRule::of("sanctioned"), CaseRule::Any);
        assert!(CaseRule::Capitalized.accepts("Ikea"));
        assert!(!CaseRule::Capitalized.accepts("apple"));
        assert!(CaseRule::Acronym.accepts("VW"));
        assert!(!CaseRule::Acronym.accepts("Sec"));
    }
}
