//! Windows: the sentences that can hold one reported event around a
//! company mention: its sentence; with the next one of its paragraph when
//! that refers back to the company; a headline with its lead; an event
//! sentence with a later enumeration that names the company.
//!
//! Invariants: a window is at most two adjacent sentences, or one event
//! sentence plus one enumeration sentence; every window of a mention
//! contains the mention's sentence.

use super::roles::is_pronoun;
use super::{words_between, Scan, Window};
use crate::compile::Target;
use crate::grammar::Grammar;

/// A reference back to the company must open its sentence: within this
/// many words of the start ("The company said", "Last year it agreed").
const REFERENCE_WORDS: usize = 4;

impl Scan {
    /// The windows of sentences that can hold one event around sentence `s`
    /// (which mentions a company of rule `r`): itself; with the next
    /// sentence of its paragraph when that one opens with a reference back
    /// ("The company agreed ...") or names the company again; and a
    /// headline with the lead when the lead names the company.
    pub(super) fn windows(&self, s: usize, r: usize, grammar: &Grammar) -> Vec<Window> {
        let mut out = vec![Window::span(s, s)];
        let n = self.doc.sentences.len();
        let names_company = |b: usize| {
            self.sentence_occs(b).iter().any(|o| {
                matches!(o.target, Target::Company { rule, .. } if rule as usize == r)
                    && !self.in_other_role(o)
            })
        };
        let opens_with_reference = |b: usize| {
            let start = self.doc.sentences[b].start;
            self.sentence_occs(b).iter().any(|o| {
                o.target == Target::Reference
                    && words_between(&self.doc.text[start..o.start]) <= REFERENCE_WORDS
            })
        };
        let para = |i: usize| self.doc.sentences[i].paragraph;
        // "The Commerce Department announced new export controls. Huawei
        // and SMIC are the main targets of the rules." The second sentence
        // names the company and points back at the first one's event.
        if s > 0
            && para(s) > 0
            && para(s - 1) == para(s)
            && grammar
                .event_reference
                .as_ref()
                .is_some_and(|re| re.is_match(self.doc.sentence_text(s)))
        {
            out.push(Window::span(s - 1, s));
        }
        if s + 1 < n
            && para(s) == para(s + 1)
            && para(s) > 0
            && (opens_with_reference(s + 1) || names_company(s + 1))
        {
            out.push(Window::span(s, s + 1));
        }
        let mentions_company = |b: usize| {
            let start = self.doc.sentences[b].start;
            self.sentence_occs(b).iter().any(|o| {
                (matches!(o.target, Target::Company { rule, .. } if rule as usize == r)
                    || (o.target == Target::Reference
                        && (!is_pronoun(&self.doc.text[o.start..o.end], grammar)
                            || words_between(&self.doc.text[start..o.start]) <= REFERENCE_WORDS)))
            })
        };
        // The lead elaborates the headline: a mention of the company (in
        // any role) or a reference to it ("the Russian cybersecurity
        // company") ties them. Only the headline's last clause: clauses
        // split by ';' are separate items.
        let lead = self.doc.title_sentences;
        if lead > 0 && s == lead - 1 && lead < n && mentions_company(lead) {
            out.push(Window::span(s, lead));
        }
        if s == lead && s > 0 {
            out.push(Window::span(s - 1, s));
        }
        // An enumeration ("Those named include A, B and C", "among them")
        // names the companies of an event stated before it: in the
        // sentence before, or in the headline or the lead.
        let sentence = self.doc.sentences[s];
        // A cue, or a colon, that opens a list of three or more names
        // with the company among them: the first such opener of the
        // sentence, once, not per mention.
        let colon = self.doc.text[sentence.start..sentence.end]
            .find([':', '：'])
            .map(|i| {
                let at = sentence.start + i;
                at + self.doc.text[at..].chars().next().map_or(1, char::len_utf8)
            });
        let opener = self
            .sentence_occs(s)
            .iter()
            .filter(|o| o.target == Target::Enumeration)
            .map(|o| o.end)
            .chain(colon)
            .min();
        let enumerates = opener.is_some_and(|at| {
            self.sentence_occs(s).iter().any(|c| {
                c.start >= at
                    && matches!(c.target, Target::Company { rule, .. } if rule as usize == r)
            }) && is_list(&self.doc.text[at..sentence.end])
        });
        if enumerates && s > lead {
            let mut events: Vec<usize> = (0..=lead.min(n - 1)).collect();
            if para(s - 1) == para(s) {
                events.push(s - 1);
            }
            for e in events {
                out.push(Window {
                    lo: e,
                    hi: e,
                    extra: Some(s),
                });
            }
        }
        out
    }
}

/// Whether `text` is a list of three or more items: two separators or more.
fn is_list(text: &str) -> bool {
    text.matches([',', '、', '，', ';', '；']).count() >= 2
}
