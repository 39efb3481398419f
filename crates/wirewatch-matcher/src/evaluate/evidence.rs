//! Building a fired rule's [`Hit`]: the company mention, the agency that
//! acts (named, by an instrument it keeps, or a government acting through
//! it), the action, the status, and the evidence sentences with their
//! highlighted spans.
//!
//! Invariants: a hit shows at most three evidence sentences, taken from
//! its first fired windows; a span inside another is dropped, so only the
//! longest of nested spans is highlighted.

use super::{words_between, Occ, Scan, Window};
use crate::compile::{Matcher, Target};
use crate::hit::{Evidence, Hit, Span, SpanKind, Term};
use crate::lang::{is_han, is_kana};

/// How many words may open a clause before the government that acts in it.
const CLAUSE_OPENING_WORDS: usize = 2;

impl Matcher {
    pub(super) fn hit(&self, scan: &Scan, r: usize, windows: &[Window]) -> Hit {
        let rule = &self.rules[r];
        let mut sentences: Vec<usize> = windows.iter().flat_map(|w| w.sentences()).collect();
        sentences.sort_unstable();
        sentences.dedup();
        sentences.truncate(3);
        let w = windows[0];
        let company_occ = scan
            .rule_companies(r)
            .find(|o| w.has(o.sentence))
            .or_else(|| scan.rule_companies(r).next());
        let company = company_occ.map(|o| {
            let Target::Company { company, .. } = o.target else {
                unreachable!()
            };
            let (c, list) = self.company(r as u32, company);
            (
                Term {
                    id: c.name.clone(),
                    text: scan.doc.text[o.start..o.end].to_string(),
                },
                list.map(|l| l.id.clone()),
                c.source_id.clone(),
            )
        });
        let text_of = |o: &Occ| scan.doc.text[o.start..o.end].to_string();
        let acting = self.acting_agency(scan, r, w);
        let agency_from_government = acting
            .filter(|(_, o)| matches!(o.target, Target::Government(_)))
            .map(|(_, o)| (o.start, o.end));
        let agency = acting
            .or_else(|| {
                // Any actor: the first agency named, else an instrument's.
                scan.window_occs(w).find_map(|o| match o.target {
                    Target::Agency(a) => Some((a, o)),
                    _ => None,
                })
            })
            .or_else(|| {
                scan.window_occs(w).find_map(|o| match o.target {
                    Target::Instrument(a) => Some((a, o)),
                    _ => None,
                })
            })
            .map(|(a, o)| Term {
                id: self.agency_ids[a as usize].clone(),
                text: text_of(o),
            });
        let action_occ = scan.window_occs(w).find(|o| self.is_wanted_action(r, o));
        let action = action_occ.map(|o| Term {
            id: self.action_ids[self.wanted_action_id(r, o) as usize].clone(),
            text: text_of(o),
        });
        let (status, status_cue) = self.status(scan, r, w, &sentences, action_occ);
        let evidence = sentences
            .iter()
            .map(|&s| {
                let sent = scan.doc.sentences[s];
                let mut spans: Vec<Span> = scan
                    .sentence_occs(s)
                    .iter()
                    .filter_map(|o| {
                        let kind = match o.target {
                            Target::Company { rule, .. }
                                if rule as usize == r && !scan.in_other_role(o) =>
                            {
                                SpanKind::Company
                            }
                            Target::Agency(a)
                                if rule.agencies.is_empty() || rule.agencies.contains(&a) =>
                            {
                                SpanKind::Agency
                            }
                            Target::Action(a)
                                if (rule.actions.is_empty() || rule.actions.contains(&a)) =>
                            {
                                SpanKind::Action
                            }
                            Target::Instrument(a)
                                if rule.agencies.is_empty() || rule.agencies.contains(&a) =>
                            {
                                SpanKind::Agency
                            }
                            Target::Government(_)
                                if agency_from_government == Some((o.start, o.end)) =>
                            {
                                SpanKind::Agency
                            }
                            _ => return None,
                        };
                        Some(Span {
                            start: o.start - sent.start,
                            end: o.end - sent.start,
                            kind,
                            text: scan.doc.text[o.start..o.end].to_string(),
                        })
                    })
                    .collect();
                // Keep the longest of nested spans of one kind ("Kaspersky Lab" over "Kaspersky").
                spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
                let mut kept: Vec<Span> = Vec::new();
                for sp in spans {
                    if !kept.iter().any(|k| k.start <= sp.start && sp.end <= k.end) {
                        kept.push(sp);
                    }
                }
                Evidence {
                    text: scan.doc.sentence_text(s).to_string(),
                    spans: kept,
                }
            })
            .collect();
        let (company, list, source_id) = company.unwrap_or_else(|| {
            let c = self.first_company(r);
            (
                Term {
                    id: c.name.clone(),
                    text: String::new(),
                },
                None,
                None,
            )
        });
        Hit {
            rule_id: rule.rule.id.clone(),
            rule_index: r,
            severity: rule.rule.severity,
            company,
            list,
            source_id,
            agency,
            action,
            status,
            status_cue,
            language: scan.lang.map(|l| l.code().to_string()),
            evidence,
        }
    }

    /// The agency acting in window `w` for rule `r`, and its occurrence: one
    /// of the rule's agencies named there or, when no agency at all is
    /// named, one whose instrument is ("added to the Entity List").
    pub(super) fn acting_agency<'s>(
        &self,
        scan: &'s Scan,
        r: usize,
        w: Window,
    ) -> Option<(u32, &'s Occ)> {
        let rule = &self.rules[r];
        let listed = |a: u32| rule.agencies.contains(&a);
        let occs = || scan.window_occs(w);
        if let Some(found) = occs().find_map(|o| match o.target {
            Target::Agency(a) if listed(a) => Some((a, o)),
            _ => None,
        }) {
            return Some(found);
        }
        if occs().any(|o| matches!(o.target, Target::Agency(_))) {
            return None;
        }
        if let Some(found) = occs().find_map(|o| match o.target {
            Target::Instrument(a) if listed(a) => Some((a, o)),
            _ => None,
        }) {
            return Some(found);
        }
        // A government named as the actor: the agency that takes the
        // event's kind of action for it ("the US sanctioned" = Treasury).
        // As the actor it opens its clause and comes before the action;
        // elsewhere it is mostly a modifier ("for breaching EU privacy
        // law", "to cut U.S. operations after sanctions").
        occs().find_map(|o| match o.target {
            Target::Government(g) if scan.opens_clause(o) => self.government_acts[g as usize]
                .iter()
                .find(|&&(action, agency)| {
                    listed(agency)
                        && occs().any(|x| {
                            x.target == Target::Action(action)
                                && x.sentence == o.sentence
                                && o.end <= x.start
                                && self.is_wanted_action(r, x)
                        })
                })
                .map(|&(_, agency)| (agency, o)),
            _ => None,
        })
    }
}

impl Scan {
    /// Whether an occurrence opens its clause: at most
    /// [`CLAUSE_OPENING_WORDS`] words ("The", "Hier, l'") between it and the
    /// start of its sentence or the last comma, colon or dash before it.
    fn opens_clause(&self, o: &Occ) -> bool {
        let sentence = self.doc.sentences[o.sentence];
        let before = &self.doc.text[sentence.start..o.start];
        let clause = before
            .rfind([',', ';', ':', '—', '–', '，', '、', '：'])
            .map_or(before, |i| &before[i..]);
        let opening = clause.trim_start_matches(|c: char| !c.is_alphanumeric());
        words_between(opening) <= CLAUSE_OPENING_WORDS
            && opening.chars().filter(|&c| is_han(c) || is_kana(c)).count() <= 4
    }
}
