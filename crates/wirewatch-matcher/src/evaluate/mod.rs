//! Evaluating an article against a compiled [`Matcher`]: find every phrase
//! occurrence in one pass, discard look-alikes (case, word sense, another
//! role), then fire each rule whose company, agency and action belong to one
//! reported event: one sentence, or two adjacent sentences tied by a
//! reference back to the company.
//!
//! The stages, module by module:
//!
//! ```text
//! scan       the article -> its phrase occurrences (Occ), sorted, indexed by sentence and rule
//! refine     look-alikes dropped (other senses, denied actions), agency references resolved
//! roles      a company mention in another role (a source, "analysts at X"), references back to it
//! windows    the sentences that can hold one event around a company mention
//! (here)     per rule and window: agency, action, exclude -> fired or why not (Stage)
//! evidence   a fired rule's Hit: company, acting agency, action, evidence spans
//! status     the event's status from the cues nearest its action word
//! explain    `backtest --explain`: why each rule did or did not fire, in words
//! ```
//!
//! Invariants: evaluation is a pure function of the article and the
//! [`Matcher`]. Every look-up after the scan reads one sentence's or one
//! window's slice of the occurrences, never the whole article, so the work
//! is linear in the article's size; an article with more than
//! [`MAX_OCCURRENCES`] occurrences is rejected, not evaluated. No state
//! is kept between articles but the per-thread buffers the scan reuses.

use crate::article::{Article, Malformed};
use crate::compile::{Matcher, Target};
use crate::hit::{ActionStatus, Hit};
use crate::lang::{is_han, is_kana, Lang};
use crate::text::Document;

mod evidence;
mod explain;
mod refine;
mod roles;
mod scan;
mod status;
mod windows;

/// One accepted occurrence of a pattern target, in original-text bytes.
#[derive(Debug, Clone, Copy)]
struct Occ {
    target: Target,
    start: usize,
    end: usize,
    sentence: usize,
    common: bool,
    /// A common-word company name in a Title Case headline.
    unproven: bool,
    /// A name that counts only when the article also names the company in
    /// a form that proves it ([`crate::compile::Entry::weak`]).
    weak: bool,
    /// A company mention in another role (set by [`Scan::index`]).
    other_role: bool,
}

/// How many fired windows a hit collects (its evidence shows three
/// sentences).
const MAX_FIRED_WINDOWS: usize = 3;

/// The most bytes a word (with its spaces) is taken to span when deciding
/// whether two occurrences are near: longer gaps are not looked at.
const NEAR_BYTES: usize = 48;

/// The sentences that can hold one event: `lo..=hi`, and `extra` when an
/// enumeration later in the article names the companies of an event
/// stated earlier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    lo: usize,
    hi: usize,
    extra: Option<usize>,
}

impl Window {
    fn span(lo: usize, hi: usize) -> Window {
        Window {
            lo,
            hi,
            extra: None,
        }
    }

    fn has(&self, s: usize) -> bool {
        (self.lo <= s && s <= self.hi) || self.extra == Some(s)
    }

    fn sentences(&self) -> impl Iterator<Item = usize> + '_ {
        (self.lo..=self.hi).chain(self.extra)
    }
}

/// Why a rule did not fire, cheap to make: most rules an article's
/// companies bring up do not fire, and only `--explain` words the reason.
#[derive(Debug, Clone, Copy)]
enum Miss {
    NoCompany,
    /// Every mention is in another role; the first is in `sentence`.
    OtherRole {
        sentence: usize,
    },
    Stage(Stage),
    /// It fired, with a status the rule's `status` leaves out.
    Status(ActionStatus),
}

/// Why a rule did or did not fire, while scanning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    NoCompany,
    NoAgency,
    NoAction,
    ActionOtherSense,
    Excluded,
    Fired,
}

/// Everything found in one article, shared by all rules.
///
/// Occurrences are sorted by position, so each sentence's are a slice
/// ([`Scan::sentence_occs`]): every look-up below reads its sentence or
/// window, never the whole article, which keeps matching linear in the
/// article's size (sentences are at most `MAX_SENTENCE_BYTES` long).
struct Scan {
    doc: Document,
    occs: Vec<Occ>,
    /// `first[i]`: the index of sentence `i`'s first occurrence (one entry
    /// per sentence, and one past the last).
    first: Vec<usize>,
    /// (rule, index in `occs`) of every company occurrence, by rule.
    companies: Vec<(u32, usize)>,
    /// Action occurrences discarded as another sense, for explanations
    /// (sorted by position too).
    vetoed_actions: Vec<Occ>,
    /// The language the article was matched in.
    lang: Option<Lang>,
    /// Phrase occurrences found, when past [`MAX_OCCURRENCES`] (the scan
    /// stopped there and the article is not evaluated).
    over_budget: Option<usize>,
}

/// The most phrase occurrences one article may hold (names, agencies,
/// actions, cues): one every ten bytes of a 1 MiB article, where a real
/// article of that size holds a few thousand. Matching
/// is linear in them, so this only stops degenerate text ("a a a ..."
/// against a one-letter alias) from taking a worker for long; the daemon
/// dead-letters such an article as `too_expensive`.
pub const MAX_OCCURRENCES: usize = 100_000;

impl Matcher {
    /// The rules that fire on `article`, each with its evidence (none for
    /// an article past the work budget; see [`Matcher::try_evaluate`]).
    pub fn evaluate(&self, article: &Article) -> Vec<Hit> {
        self.try_evaluate(article).unwrap_or_default()
    }

    /// [`Matcher::evaluate`], or the article's rejection when it needs
    /// more work than [`MAX_OCCURRENCES`] allows.
    pub fn try_evaluate(&self, article: &Article) -> Result<Vec<Hit>, Malformed> {
        Ok(self.try_evaluate_with_fingerprint(article)?.0)
    }

    /// Like [`Matcher::try_evaluate`], plus the article's story fingerprint
    /// ([`crate::story::fingerprint`]) when a rule fires, taken from the
    /// text already folded for matching instead of folding it again.
    pub fn try_evaluate_with_fingerprint(
        &self,
        article: &Article,
    ) -> Result<(Vec<Hit>, Option<u64>), Malformed> {
        self.with_folded(article, |folded, scan| {
            if let Some(occurrences) = scan.over_budget {
                return Err(Malformed::TooExpensive {
                    occurrences,
                    max: MAX_OCCURRENCES,
                });
            }
            let hits = self.hits(&scan);
            let fp = (!hits.is_empty()).then(|| crate::story::fingerprint_folded(&folded.text));
            Ok((hits, fp))
        })
    }

    fn hits(&self, scan: &Scan) -> Vec<Hit> {
        let mut candidates: Vec<u32> = scan.companies.iter().map(|&(rule, _)| rule).collect();
        candidates.dedup();
        candidates
            .into_iter()
            .filter_map(|r| self.evaluate_rule(scan, r as usize).ok())
            .collect()
    }

    /// Evaluates one rule over a scan: the hit, or why there is none.
    fn evaluate_rule(&self, scan: &Scan, r: usize) -> Result<Hit, Miss> {
        let companies: Vec<&Occ> = scan.rule_companies(r).collect();
        if companies.is_empty() {
            return Err(Miss::NoCompany);
        }
        // A company quoted in another role anywhere in a sentence ("researchers
        // at Orange Cyberdefense, the security arm of ... Orange") is in that
        // role for the whole sentence.
        let role_sentences: Vec<usize> = companies
            .iter()
            .filter(|c| scan.in_other_role(c))
            .map(|c| c.sentence)
            .collect();
        let in_role: Vec<bool> = companies
            .iter()
            .map(|c| role_sentences.contains(&c.sentence))
            .collect();
        let targets: Vec<&Occ> = companies
            .iter()
            .zip(&in_role)
            .filter(|(_, &role)| !role)
            .map(|(c, _)| *c)
            .collect();
        if targets.is_empty() {
            return Err(Miss::OtherRole {
                sentence: companies[0].sentence,
            });
        }
        let mut best = Stage::NoCompany;
        let mut fired: Vec<Window> = Vec::new();
        let mut sentences: Vec<usize> = targets.iter().map(|c| c.sentence).collect();
        sentences.dedup();
        // The hit shows its first few fired windows; looking further would
        // only cost time (an article may repeat one event thousands of
        // times).
        'sentences: for &s in &sentences {
            for w in scan.windows(s, r, &self.grammar) {
                let stage = self.window_stage(scan, r, w);
                best = best.max(stage);
                if stage == Stage::Fired && !fired.contains(&w) {
                    fired.push(w);
                    if fired.len() == MAX_FIRED_WINDOWS {
                        break 'sentences;
                    }
                }
            }
        }
        if fired.is_empty() {
            return Err(Miss::Stage(best));
        }
        let hit = self.hit(scan, r, &fired);
        let wanted = &self.rules[r].rule.status;
        if !wanted.is_empty() && !wanted.contains(&hit.status) {
            return Err(Miss::Status(hit.status));
        }
        Ok(hit)
    }

    /// How far window `w` gets for rule `r`.
    fn window_stage(&self, scan: &Scan, r: usize, w: Window) -> Stage {
        let rule = &self.rules[r];
        let occs = || scan.window_occs(w);
        if !rule.agencies.is_empty() && self.acting_agency(scan, r, w).is_none() {
            return Stage::NoAgency;
        }
        let actions: Vec<&Occ> = occs().filter(|o| self.is_wanted_action(r, o)).collect();
        if actions.is_empty() {
            let wanted = |a: u32| rule.actions.is_empty() || rule.actions.contains(&a);
            let vetoed = w.sentences().any(|s| {
                scan.vetoed_in(s)
                    .iter()
                    .any(|o| matches!(o.target, Target::Action(a) if wanted(a)))
            });
            return if vetoed {
                Stage::ActionOtherSense
            } else {
                Stage::NoAction
            };
        }
        if occs().any(|o| matches!(o.target, Target::Exclude(e) if e as usize == r)) {
            return Stage::Excluded;
        }
        Stage::Fired
    }

    /// Whether occurrence `o` is an action rule `r` wants: one of its
    /// actions (any, if it lists none), or an instrument that implies one.
    fn is_wanted_action(&self, r: usize, o: &Occ) -> bool {
        let wanted = |a: u32| {
            let actions = &self.rules[r].actions;
            actions.is_empty() || actions.contains(&a)
        };
        match o.target {
            Target::Action(a) => wanted(a),
            Target::Instrument(ag) => self.instrument_actions[ag as usize]
                .iter()
                .any(|&a| wanted(a)),
            _ => false,
        }
    }

    /// The action id of a wanted action occurrence (see
    /// [`Matcher::is_wanted_action`]).
    fn wanted_action_id(&self, r: usize, o: &Occ) -> u32 {
        let actions = &self.rules[r].actions;
        match o.target {
            Target::Action(a) => a,
            Target::Instrument(ag) => self.instrument_actions[ag as usize]
                .iter()
                .copied()
                .find(|a| actions.is_empty() || actions.contains(a))
                .expect("a wanted instrument implies a wanted action"),
            _ => unreachable!("only actions and instruments are wanted"),
        }
    }
}

impl Scan {
    /// The occurrences in sentence `s`.
    fn sentence_occs(&self, s: usize) -> &[Occ] {
        &self.occs[self.first[s]..self.first[s + 1]]
    }

    /// The occurrences in the sentences of window `w`.
    fn window_occs(&self, w: Window) -> impl Iterator<Item = &Occ> {
        self.occs[self.first[w.lo]..self.first[w.hi + 1]]
            .iter()
            .chain(w.extra.into_iter().flat_map(|e| self.sentence_occs(e)))
    }

    /// The mentions of rule `r`'s companies, in order.
    fn rule_companies(&self, r: usize) -> impl Iterator<Item = &Occ> {
        let r = r as u32;
        let from = self.companies.partition_point(|&(rule, _)| rule < r);
        self.companies[from..]
            .iter()
            .take_while(move |&&(rule, _)| rule == r)
            .map(|&(_, i)| &self.occs[i])
    }

    /// The action occurrences of sentence `s` set aside as another sense
    /// or denied.
    fn vetoed_in(&self, s: usize) -> &[Occ] {
        let from = self.vetoed_actions.partition_point(|o| o.sentence < s);
        let to = self.vetoed_actions.partition_point(|o| o.sentence <= s);
        &self.vetoed_actions[from..to]
    }

    /// How far apart two occurrences of one sentence are: the words
    /// between them, with two Chinese or Japanese characters as a word.
    fn distance(&self, a: &Occ, b: &Occ) -> usize {
        let (from, to) = if a.end <= b.start {
            (a.end, b.start)
        } else if b.end <= a.start {
            (b.end, a.start)
        } else {
            return 0;
        };
        let between = &self.doc.text[from..to];
        words_between(between) + between.chars().filter(|&c| is_han(c) || is_kana(c)).count() / 2
    }

    /// Whether a company mention is qualified by a role cue ("analysts at X",
    /// "X researchers") within the same sentence (worked out once per
    /// mention by [`Scan::index`]).
    fn in_other_role(&self, c: &Occ) -> bool {
        c.other_role
    }
}

fn words_between(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Whether `words` holds `word`.
fn contains(words: &[String], word: &str) -> bool {
    words.iter().any(|w| w == word)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::{watchlist, Taxonomy};

    fn matcher(source: &str) -> Matcher {
        let taxonomy = Taxonomy::builtin();
        let (wl, _) = watchlist::parse(&[(PathBuf::from("w.toml"), source.into())], taxonomy)
            .expect("a valid watchlist");
        Matcher::compile(&wl, taxonomy)
    }

    fn article(body: String) -> Article {
        Article {
            id: "a".into(),
            title: "Hostile".into(),
            body,
            url: None,
            source: None,
            published_at: None,
            language: None,
        }
    }

    #[test]
    fn an_article_past_the_work_budget_is_rejected_not_matched() {
        let m = matcher(
            "[[rule]]\nid = \"one-letter\"\ncompanies = [{ name = \"A Holdings\", aliases = [\"a\"] }]\nactions = [\"ban\"]\n",
        );
        let over = article("a ban ".repeat(MAX_OCCURRENCES / 2 + 1));
        match m.try_evaluate(&over) {
            Err(Malformed::TooExpensive { occurrences, max }) => {
                assert!(occurrences > max, "{occurrences} > {max}");
                assert_eq!(
                    Malformed::TooExpensive { occurrences, max }.reason(),
                    "too_expensive"
                );
            }
            other => panic!("expected too_expensive, got {other:?}"),
        }
        assert!(m.evaluate(&over).is_empty());
        // Under the budget the same text is matched as usual.
        let under = article("a ban ".repeat(1_000));
        assert_eq!(m.try_evaluate(&under).map(|h| h.len()), Ok(1));
    }
}
