//! Refining the scan's occurrences: dropping look-alikes (an action word
//! in a phrase of another sense, an agency name inside another agency's
//! name or in a phrase where it means something else, a common-word
//! company in its common sense), setting aside action words denied by a
//! negator, and turning references to an agency ("the regulator") into
//! that agency.
//!
//! Invariants: a veto and what it vetoes are in one sentence; vetoed and
//! denied action words are kept aside (sorted by position) for
//! `--explain`, never used to fire a rule.

use super::{words_between, Occ, Scan, NEAR_BYTES};
use crate::compile::Target;
use crate::lang::{is_han, is_kana};

/// How many sentences back a reference to an agency ("the regulator") may
/// reach for the agency it means.
const AGENCY_REFERENCE_SENTENCES: usize = 6;

/// How many words may separate a negator from the action word it denies.
const NEGATION_WORDS: usize = 1;

/// The same in Chinese and Japanese, in characters.
const NEGATION_CJK_CHARS: usize = 3;

impl Scan {
    /// Drops occurrences that are look-alikes: an action inside a phrase of
    /// another sense ("exit polls"), an agency name inside a phrase where
    /// it means something else ("Treasury yields") or inside a longer name
    /// of another agency ("China's Commerce Ministry"), and a common-word
    /// company inside a common-sense phrase ("shell companies").
    pub(super) fn drop_vetoed(&mut self) {
        let is_veto = |o: &Occ| {
            matches!(
                o.target,
                Target::ActionVeto(_)
                    | Target::AgencyVeto(_)
                    | Target::CompanyVeto
                    | Target::Agency(_)
                    | Target::Instrument(_)
            )
        };
        let vetoes_o = |v: &Occ, o: &Occ| {
            let inside = v.start <= o.start && o.end <= v.end;
            let strictly = inside && (v.start, v.end) != (o.start, o.end);
            match (v.target, o.target) {
                (Target::ActionVeto(a), Target::Action(b)) => inside && a == b,
                (Target::AgencyVeto(a), Target::Agency(b) | Target::Instrument(b)) => {
                    inside && a == b
                }
                (Target::Agency(a), Target::Agency(b)) => strictly && a != b,
                // "Entity List" inside "unreliable entity list".
                (Target::Instrument(a), Target::Instrument(b)) => strictly && a != b,
                (Target::CompanyVeto, Target::Company { .. }) => inside && o.common,
                _ => false,
            }
        };
        // A veto contains what it vetoes, so both are in one sentence.
        let mut kept = Vec::with_capacity(self.occs.len());
        let mut vetoed_actions = Vec::new();
        for group in self.occs.chunk_by(|a, b| a.sentence == b.sentence) {
            let vetoes: Vec<&Occ> = group.iter().filter(|o| is_veto(o)).collect();
            for o in group {
                if vetoes.iter().any(|v| vetoes_o(v, o)) {
                    if matches!(o.target, Target::Action(_)) {
                        vetoed_actions.push(*o);
                    }
                } else {
                    kept.push(*o);
                }
            }
        }
        self.occs = kept;
        self.vetoed_actions = vetoed_actions;
    }

    /// Turns each reference back to an agency ("the regulator") into that
    /// agency: the last one named before it, within
    /// [`AGENCY_REFERENCE_SENTENCES`] sentences. One with none is dropped.
    pub(super) fn resolve_agency_references(&mut self) {
        let mut last: Option<(u32, usize)> = None;
        let mut keep = Vec::with_capacity(self.occs.len());
        for mut o in std::mem::take(&mut self.occs) {
            match o.target {
                Target::Agency(a) => last = Some((a, o.sentence)),
                Target::AgencyReference => match last {
                    Some((a, s)) if o.sentence - s <= AGENCY_REFERENCE_SENTENCES => {
                        o.target = Target::Agency(a)
                    }
                    _ => continue,
                },
                _ => {}
            }
            keep.push(o);
        }
        // A reference that is also an agency's own name ("the Commission")
        // is one occurrence.
        keep.dedup_by(|a, b| (a.target, a.start, a.end) == (b.target, b.start, b.end));
        self.occs = keep;
    }

    /// Drops action words denied by a negator next to them ("a cyber
    /// attack was not the cause", "no sanctions"): at most one word apart
    /// (a few characters in Chinese and Japanese), in one clause.
    pub(super) fn drop_negated(&mut self) {
        let all: Vec<Occ> = self
            .occs
            .iter()
            .filter(|o| o.target == Target::Negation)
            .copied()
            .collect();
        if all.is_empty() {
            return;
        }
        let text = &self.doc.text;
        let near = |from: usize, to: usize| {
            // A word or three CJK characters: a few dozen bytes at most
            // (checked first: a sentence may hold hundreds of both).
            if to - from > NEAR_BYTES {
                return false;
            }
            let between = &text[from..to];
            let cjk = text[..from]
                .chars()
                .next_back()
                .is_some_and(|c| is_han(c) || is_kana(c))
                || text[to..]
                    .chars()
                    .next()
                    .is_some_and(|c| is_han(c) || is_kana(c));
            !between.contains([',', ';', '，', '、', '；'])
                && if cjk {
                    between.len() <= 3 * NEGATION_CJK_CHARS
                } else {
                    words_between(between) <= NEGATION_WORDS
                }
        };
        // Two negators side by side cancel out ("nicht ausgeschlossen",
        // "n'exclut pas").
        let all_in = |s: usize| {
            let from = all.partition_point(|n| n.sentence < s);
            let to = all.partition_point(|n| n.sentence <= s);
            &all[from..to]
        };
        let negators: Vec<Occ> = all
            .iter()
            .filter(|n| {
                !all_in(n.sentence).iter().any(|m| {
                    m.start != n.start
                        && ((m.end <= n.start && near(m.end, n.start))
                            || (n.end <= m.start && near(n.end, m.start)))
                })
            })
            .copied()
            .collect();
        let mut negated = Vec::new();
        let negators_in = |s: usize| {
            let from = negators.partition_point(|n| n.sentence < s);
            let to = negators.partition_point(|n| n.sentence <= s);
            &negators[from..to]
        };
        self.occs.retain(|o| {
            // A negator inside the action's own phrase ("denied a licence",
            // "vom Markt ausgeschlossen") is part of it.
            let denied = matches!(o.target, Target::Action(_))
                && negators_in(o.sentence).iter().any(|n| {
                    (n.end <= o.start && near(n.end, o.start))
                        || (n.start >= o.end && near(o.end, n.start))
                });
            if denied {
                negated.push(*o);
            }
            !denied
        });
        self.vetoed_actions.extend(negated);
        self.vetoed_actions.sort_by_key(|o| o.start);
    }
}
