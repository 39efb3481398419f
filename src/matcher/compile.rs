//! Compiling a watchlist and the taxonomy into one phrase index over folded
//! text (`phrases.rs`): every company name, taxonomy phrase and exclude,
//! looked up from word starts, so the cost of matching an article grows
//! with its length and its hits, not with the number of rules. The rare
//! phrase a word walk cannot find (one starting with punctuation, say) goes
//! into a small Aho-Corasick automaton instead.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use super::common_words::is_common_word;
use super::normalize::fold;
use super::phrases::PhraseIndex;
use super::taxonomy::Taxonomy;
use super::watchlist::{Rule, Watchlist};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    pub(super) phrases: PhraseIndex,
    /// The others, if any, and what each of its patterns stands for (one
    /// folded phrase may stand for several things).
    pub(super) automaton: Option<AhoCorasick>,
    pub(super) entries: Vec<Vec<Entry>>,
    pub(super) rules: Vec<CompiledRule>,
    pub(super) agency_ids: Vec<String>,
    pub(super) action_ids: Vec<String>,
    /// The later parts of gap phrases.
    pub(super) gaps: Vec<Vec<GapPart>>,
}

/// A later part of a gap phrase ("to settle" in "agreed to pay ... to
/// settle"), folded, with its searcher built once instead of per search.
#[derive(Debug, Clone)]
pub struct GapPart {
    /// Its folded text is the needle.
    pub finder: memchr::memmem::Finder<'static>,
    /// How many words it has.
    pub words: usize,
}

impl GapPart {
    fn new(text: String) -> GapPart {
        GapPart {
            words: text.split(' ').count(),
            finder: memchr::memmem::Finder::new(text.as_bytes()).into_owned(),
        }
    }
}

#[derive(Default)]
struct Builder {
    phrases: PhraseIndex,
    patterns: Vec<String>,
    entries: Vec<Vec<Entry>>,
    index: HashMap<String, usize>,
    gaps: Vec<Vec<GapPart>>,
}

impl Builder {
    fn add(&mut self, phrase: &str, target: Target, common: bool) {
        let mut parts = phrase.split("...");
        let first = parts.next().unwrap_or_default();
        let rest: Vec<GapPart> = parts
            .map(fold)
            .filter(|p| !p.is_empty())
            .map(GapPart::new)
            .collect();
        let folded = fold(first);
        if folded.is_empty() {
            return;
        }
        let gap = (!rest.is_empty()).then(|| {
            self.gaps.push(rest);
            (self.gaps.len() - 1) as u32
        });
        let entry = Entry {
            target,
            case: CaseRule::of(first.trim()),
            common,
            gap,
        };
        if self.phrases.insert(&folded, entry) {
            return;
        }
        let i = *self.index.entry(folded.clone()).or_insert_with(|| {
            self.patterns.push(folded);
            self.entries.push(Vec::new());
            self.patterns.len() - 1
        });
        self.entries[i].push(entry);
    }
}

/// Company names that, when a watched name is a common word, show the
/// common sense ("shell companies", "orange juice"). Built in.
const COMPANY_SENSES: &str = include_str!("../../taxonomy/senses.toml");

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
        let mut rules = Vec::with_capacity(watchlist.rules.len());
        for (ri, rule) in watchlist.rules.iter().enumerate() {
            for (ci, c) in rule.companies.iter().enumerate() {
                for n in std::iter::once(&c.name).chain(&c.aliases) {
                    let target = Target::Company {
                        rule: ri as u32,
                        company: ci as u32,
                    };
                    b.add(n, target, is_common_word(n));
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
        let automaton = (!b.patterns.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&b.patterns)
                .or_else(|_| {
                    // A DFA over very many patterns can exceed its size
                    // limit; the contiguous NFA is slower but has none.
                    AhoCorasickBuilder::new()
                        .match_kind(MatchKind::Standard)
                        .kind(Some(AhoCorasickKind::ContiguousNFA))
                        .build(&b.patterns)
                })
                .expect("patterns are non-empty strings")
        });
        Matcher {
            phrases: b.phrases,
            automaton,
            entries: b.entries,
            rules,
            agency_ids,
            action_ids,
            gaps: b.gaps,
        }
    }

    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter().map(|r| &r.rule)
    }

    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    pub fn pattern_count(&self) -> usize {
        self.entries.len() + self.phrases.len()
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
