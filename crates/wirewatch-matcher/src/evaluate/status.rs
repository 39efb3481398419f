//! The status of a fired event (imposed, announced, proposed, threatened,
//! lifted, challenged, reported): from the status cue nearest its action
//! word, else near another action word of the same kind, else in the
//! headline, else the action's default (`taxonomy/status.toml`).
//!
//! Invariant: ties between cues go to the one that reverses or suspends
//! the action ([`precedence`]).

use super::{Occ, Scan, Window};
use crate::compile::{Matcher, Target};
use crate::hit::ActionStatus;

/// How near another action word a status cue must be to tell the event's
/// status (the first action word's own sentence allows any distance).
const STATUS_NEAR_WORDS: usize = 3;

impl Matcher {
    /// The status of the event in window `w` for rule `r`:
    ///
    /// 1. the status cue nearest the action word in its sentence: a cue
    ///    modifies the verb next to it ("lifted the sanctions", "plans to
    ///    ban"), while one further away may belong to another clause;
    /// 2. else a cue within [`STATUS_NEAR_WORDS`] words of another action
    ///    word of the same kind in the evidence;
    /// 3. else the cue nearest an action of the same kind in the headline,
    ///    which states the story's main event ("US lifts sanctions on three
    ///    firms", the company named only in the body);
    /// 4. else the action's default (`taxonomy/status.toml`: announced for
    ///    a company's own exit or acquisition, imposed otherwise).
    ///
    /// Ties go to the cue that reverses or suspends the action: lifted,
    /// challenged, threatened, proposed, reported, announced.
    pub(super) fn status(
        &self,
        scan: &Scan,
        r: usize,
        w: Window,
        evidence: &[usize],
        action: Option<&Occ>,
    ) -> (ActionStatus, Option<String>) {
        let found =
            |(st, o): (ActionStatus, &Occ)| (st, Some(scan.doc.text[o.start..o.end].to_string()));
        // A cue inside the action's own words ("revoke" in "revoke its
        // licence") is part of the action, not a status of it, unless it
        // says the action is done.
        let inside_action = |c: &Occ| {
            scan.sentence_occs(c.sentence).iter().any(|a| {
                matches!(a.target, Target::Action(_) | Target::Instrument(_))
                    && a.start <= c.start
                    && c.end <= a.end
            })
        };
        let cues = move |sentence: usize| {
            scan.sentence_occs(sentence)
                .iter()
                .filter_map(move |o| match o.target {
                    // A completion word inside the action ("completed the
                    // purchase of") still says it is done.
                    Target::Status(st) if st == ActionStatus::Imposed || !inside_action(o) => {
                        Some((st, o))
                    }
                    _ => None,
                })
        };
        let nearest =
            |a: &Occ| cues(a.sentence).min_by_key(|(st, c)| (scan.distance(a, c), precedence(*st)));
        if let Some(a) = action {
            if let Some(cue) = nearest(a) {
                return found(cue);
            }
        }
        // The event's other action words, in the evidence's order: a cue
        // right next to one ("completed its acquisition") tells the status
        // the first action word did not.
        let kind = action.map(|a| self.wanted_action_id(r, a));
        if let Some(cue) = evidence
            .iter()
            .copied()
            .chain(w.sentences())
            .flat_map(|s| scan.sentence_occs(s))
            .filter(|o| self.is_wanted_action(r, o) && Some(self.wanted_action_id(r, o)) == kind)
            .find_map(|a| nearest(a).filter(|(_, c)| scan.distance(a, c) <= STATUS_NEAR_WORDS))
        {
            return found(cue);
        }
        let title = scan.doc.title_sentences;
        (0..title)
            .flat_map(|t| scan.sentence_occs(t))
            .filter(|o| self.is_wanted_action(r, o) && Some(self.wanted_action_id(r, o)) == kind)
            .find_map(nearest)
            .map_or_else(
                || {
                    let default =
                        kind.map_or(ActionStatus::Imposed, |k| self.default_status[k as usize]);
                    (default, None)
                },
                found,
            )
    }
}

/// How strongly a status cue wins a tie: what reverses or suspends an
/// action outranks what only times it.
fn precedence(st: ActionStatus) -> u8 {
    match st {
        ActionStatus::Lifted => 0,
        ActionStatus::Challenged => 1,
        ActionStatus::Threatened => 2,
        ActionStatus::Proposed => 3,
        ActionStatus::Reported => 4,
        ActionStatus::Announced => 5,
        ActionStatus::Imposed => 6,
    }
}
