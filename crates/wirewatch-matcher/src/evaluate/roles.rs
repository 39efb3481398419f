//! The roles of a company in a sentence: whether a mention is the
//! subject of the news or in another role (a source, "..., Equifax says";
//! a role cue, "analysts at X", "X researchers"), and the references back
//! to a company that tie sentences into one event (descriptors such as
//! "the Russian cybersecurity company", pronouns, less a dummy-subject
//! "it").
//!
//! Invariants: a mention's role is worked out once, from the cues of its
//! own sentence; the words come from the matcher's [`Grammar`]
//! (`taxonomy/lang/en.toml`), not from code.

use regex::Regex;

use super::{contains, words_between, Occ, Scan, NEAR_BYTES};
use crate::compile::Target;
use crate::grammar::Grammar;
use crate::taxonomy::DUMMY_IT_CHARS;
use crate::text::Document;

/// How many words may separate a role cue from the company it qualifies.
const ROLE_BEFORE_WORDS: usize = 2;
const ROLE_AFTER_WORDS: usize = 2;

impl Scan {
    /// [`Scan::in_other_role`], from the role cues of the mention's
    /// sentence.
    pub(super) fn role_of(&self, c: &Occ, cues: &[Occ], grammar: &Grammar) -> bool {
        let sentence = self.doc.sentences[c.sentence];
        if is_news_source(&self.doc.text[c.end..sentence.end], grammar) {
            return true;
        }
        cues.iter().any(|o| match o.target {
            Target::RoleBefore => {
                o.end <= c.start
                    && c.start - o.end <= NEAR_BYTES * (ROLE_BEFORE_WORDS + 1)
                    && words_between(&self.doc.text[o.end..c.start]) <= ROLE_BEFORE_WORDS
                    && !self.doc.text[o.end..c.start].contains([',', ';', '.'])
            }
            Target::RoleAfter => {
                o.start >= c.end
                    && o.start <= sentence.end
                    && o.start - c.end <= NEAR_BYTES * (ROLE_AFTER_WORDS + 6)
                    && after_cue_applies(&self.doc.text[c.end..o.start])
            }
            _ => false,
        })
    }
}

/// Whether the text between a company and a role cue after it keeps the
/// cue on the company: a couple of words ("X's chief analyst"), or a
/// coordinated subject ("X and a boutique bank advised").
fn after_cue_applies(between: &str) -> bool {
    if between.contains([';', '.', ',']) {
        return false;
    }
    let words = words_between(between);
    words <= ROLE_AFTER_WORDS
        || (between.trim_start().starts_with("and ") && words <= ROLE_AFTER_WORDS + 5)
}

/// Whether the rest of a sentence after a company is a closing speech verb
/// ("..., Equifax says" / "Equifax said on Monday.").
fn is_news_source(rest: &str, grammar: &Grammar) -> bool {
    let words: Vec<&str> = rest
        .split(|c: char| c.is_whitespace())
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        // No more words than the longest form below needs ("said in its
        // annual threat hunting report", and one to tell it is over).
        .take(10)
        .collect();
    match words.first() {
        Some(first) if contains(&grammar.source_verbs, &first.to_lowercase()) => {
            // "..., Equifax says" or "..., X said on Monday", or "..., X said
            // in its annual threat hunting report".
            words.len() <= 3
                || (words.get(1).is_some_and(|w| w.eq_ignore_ascii_case("in"))
                    && words.len() <= 9
                    && words
                        .last()
                        .is_some_and(|w| contains(&grammar.source_documents, &w.to_lowercase())))
        }
        _ => false,
    }
}

/// Adds a reference for every descriptor phrase ("the Russian
/// cybersecurity company", found by `descriptor`, the grammar's regex)
/// the taxonomy's fixed list does not hold.
pub(super) fn add_descriptor_references(
    doc: &Document,
    occs: &mut Vec<Occ>,
    descriptor: Option<&Regex>,
) {
    let Some(descriptor) = descriptor else {
        return;
    };
    // Only sentences that can join an event with a company: next to a
    // company mention, or the lead.
    let mut near: Vec<usize> = occs
        .iter()
        .filter(|o| matches!(o.target, Target::Company { .. }))
        .flat_map(|o| o.sentence.saturating_sub(1)..=o.sentence + 1)
        .chain(std::iter::once(doc.title_sentences))
        .filter(|&s| s < doc.sentences.len())
        .collect();
    near.sort_unstable();
    near.dedup();
    // The references found already, by sentence, sorted by start.
    let mut found: Vec<(usize, usize, usize)> = occs
        .iter()
        .filter(|o| o.target == Target::Reference)
        .map(|o| (o.sentence, o.start, o.end))
        .collect();
    found.sort_unstable();
    for i in near {
        let sent = &doc.sentences[i];
        let from = found.partition_point(|r| r.0 < i);
        let to = found.partition_point(|r| r.0 <= i);
        let known = &found[from..to];
        for m in descriptor.find_iter(&doc.text[sent.start..sent.end]) {
            let (start, end) = (sent.start + m.start(), sent.start + m.end());
            if !known.iter().any(|&(_, s, e)| s <= start && end <= e) {
                occs.push(Occ {
                    target: Target::Reference,
                    start,
                    end,
                    sentence: i,
                    common: false,
                    unproven: false,
                    weak: false,
                    other_role: false,
                });
            }
        }
    }
}

/// Drops "it" used as a dummy subject ("it emerged that", "it is
/// expected"), which refers to nothing: an "it" followed by one of
/// `dummy_it` (the grammar's list).
pub(super) fn drop_expletive_it(doc: &Document, occs: &mut Vec<Occ>, dummy_it: &[String]) {
    occs.retain(|o| {
        if o.target != Target::Reference || !doc.text[o.start..o.end].eq_ignore_ascii_case("it") {
            return true;
        }
        let rest: String = doc.text[o.end..]
            .trim_start()
            .chars()
            .take(DUMMY_IT_CHARS)
            .collect::<String>()
            .to_lowercase();
        !dummy_it.iter().any(|d| rest.starts_with(d.as_str()))
    });
}

/// Whether a reference back to a company is a pronoun ("it", "its").
pub(super) fn is_pronoun(text: &str, grammar: &Grammar) -> bool {
    grammar
        .reference_pronouns
        .iter()
        .any(|p| text.eq_ignore_ascii_case(p))
}
