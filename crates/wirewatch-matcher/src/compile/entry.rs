//! What a compiled pattern stands for: its [`Target`] (a company of a
//! rule, an agency, an action, a cue...), the [`CaseRule`] the text's
//! letter case must meet, and, for a gap phrase ("agreed to pay ... to
//! settle"), its later parts ([`GapPart`]). One folded phrase may stand for
//! several entries.
//!
//! Invariants: a target's indexes point into the tables of the
//! [`super::Matcher`] that holds it; entries are `Copy` and small, since
//! the scan hands them around for every occurrence.

use crate::hit::ActionStatus;
use crate::lang::{has_cjk, simplified};

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
    pub(super) fn of(phrase: &str) -> CaseRule {
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

/// Which company a company occurrence is: one of its rule's own
/// `companies`, or an entry of a named list. Packed in a `u32` (the top
/// bit says which) so that [`Target`] and [`Entry`] stay small.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CompanyId(u32);

/// The top bit of a [`CompanyId`]: a list entry.
const LISTED: u32 = 1 << 31;

impl CompanyId {
    /// Company `i` of its rule's own `companies`.
    pub fn own(i: u32) -> CompanyId {
        debug_assert!(i < LISTED);
        CompanyId(i)
    }

    /// Entry `g` of the matcher's lists, numbered across all of them.
    pub fn listed(g: u32) -> CompanyId {
        debug_assert!(g < LISTED);
        CompanyId(g | LISTED)
    }

    /// `Ok(own index)` or `Err(list entry number)`.
    pub fn get(self) -> Result<u32, u32> {
        if self.0 & LISTED == 0 {
            Ok(self.0)
        } else {
            Err(self.0 & !LISTED)
        }
    }
}

/// What a pattern stands for. Indexes point into [`super::Matcher`] tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// A name of company `company` of rule `rule`.
    Company {
        rule: u32,
        company: CompanyId,
    },
    /// A name of list entry `.0` (numbered across all lists). Only in the
    /// indexes: a list's names are indexed once, however many rules use
    /// the list, and an occurrence becomes one [`Target::Company`] per
    /// such rule when the scan finds it.
    Listed(u32),
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
    /// A company name that proves nothing alone (a list entry's name that
    /// is a common word, or a common word left when a legal form is taken
    /// off): it counts only in an article that also names the company in
    /// a form that does not need backing.
    pub weak: bool,
    /// For a gap phrase ("agreed to pay ... to settle"), the index of its
    /// later parts in `Matcher::gaps`; the pattern is its first part.
    pub gap: Option<u32>,
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
    pub(super) fn new(text: String) -> GapPart {
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
