//! Rule changes proposed from "not relevant" marks, before any is tried:
//! pure functions of a rule and its alerts, each alert marked (with the
//! marks' reasons) or not.
//!
//! Every proposal comes from one of four general mechanisms, each reading
//! only the marks whose reasons say the rule is at fault (`old_news` and
//! `duplicate` say nothing about the rule):
//!
//! - **exclude phrase**: a run of one to four words near the matched words
//!   in the evidence sentences of at least `min_marks` marked alerts, in
//!   the evidence of no unmarked alert, holding a word that says something
//!   alone (not a function word of any language, at least three letters);
//! - **drop an alias**: at least `min_marks` marked alerts matched the
//!   company by that alias (the reasons about the company: another role, a
//!   word in another sense, other), and no unmarked alert did;
//! - **drop an agency** or **an action**: at least `min_marks` alerts
//!   marked `wrong_agency` (`wrong_action`) matched it, and the rule lists
//!   others (dropping the only one would widen the rule to any actor or
//!   action).
//!
//! Whether a proposal helps is not decided here: the backtest (`mod.rs`)
//! tries each on the stored articles.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::Serialize;

use crate::store::{AlertRecord, FeedbackReason};
use wirewatch_matcher::normalize::{fold, is_word_char};
use wirewatch_matcher::{Evidence, Rule, Taxonomy};

/// The longest exclude phrase proposed, in words: longer runs are true of
/// one article, not of a kind of false positive.
const MAX_PHRASE_WORDS: usize = 4;

/// How far from a matched word (in words) a phrase may start or end: the
/// context that makes a mention a false positive is next to it ("analysts
/// at", "fine dining").
const NEAR_WORDS: usize = 5;

/// A change to one rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// Add a phrase to the rule's `exclude`.
    AddExclude { phrase: String },
    /// Remove `alias` from the aliases of `company` (its `name`).
    DropAlias { company: String, alias: String },
    /// Remove an agency id from the rule's `agencies`.
    DropAgency { agency: String },
    /// Remove an action id from the rule's `actions`.
    DropAction { action: String },
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::AddExclude { phrase } => write!(f, "add exclude phrase {phrase:?}"),
            Change::DropAlias { company, alias } => {
                write!(f, "drop alias {alias:?} of company {company:?}")
            }
            Change::DropAgency { agency } => write!(f, "drop agency {agency:?}"),
            Change::DropAction { action } => write!(f, "drop action {action:?}"),
        }
    }
}

/// A proposed change and what it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub change: Change,
    /// The marked alerts it comes from.
    pub marked: BTreeSet<String>,
    /// In words: what the marks have in common.
    pub why: String,
}

/// One alert of the rule, as the proposals read it.
#[derive(Debug, Clone)]
pub struct Case<'a> {
    pub record: &'a AlertRecord,
    /// The reasons of its "not relevant" marks (empty: unmarked).
    pub reasons: BTreeSet<FeedbackReason>,
}

impl Case<'_> {
    pub fn marked(&self) -> bool {
        !self.reasons.is_empty()
    }

    /// Whether a mark says the rule is at fault (not only old or a copy).
    fn blames_rule(&self) -> bool {
        self.reasons
            .iter()
            .any(|r| !matches!(r, FeedbackReason::OldNews | FeedbackReason::Duplicate))
    }

    fn has(&self, reasons: &[FeedbackReason]) -> bool {
        reasons.iter().any(|r| self.reasons.contains(r))
    }
}

/// The reasons that blame the company match itself.
const ABOUT_THE_COMPANY: [FeedbackReason; 3] = [
    FeedbackReason::CompanyInAnotherRole,
    FeedbackReason::WrongSense,
    FeedbackReason::Other,
];

/// Every proposal for `rule` from its alerts `cases`; `min_marks` marked
/// alerts at least behind each, and at most `max_phrases` exclude phrases.
pub fn proposals(
    rule: &Rule,
    cases: &[Case<'_>],
    min_marks: usize,
    max_phrases: usize,
) -> Vec<Proposal> {
    let min_marks = min_marks.max(1);
    let mut out = excludes(cases, min_marks, max_phrases);
    out.extend(aliases(rule, cases, min_marks));
    out.extend(dropped_ids(
        &rule.agencies,
        cases,
        FeedbackReason::WrongAgency,
        min_marks,
        |r| r.alert.matched.agency.as_ref().map(|t| t.id.as_str()),
        |agency| Change::DropAgency { agency },
    ));
    out.extend(dropped_ids(
        &rule.actions,
        cases,
        FeedbackReason::WrongAction,
        min_marks,
        |r| r.alert.matched.action.as_ref().map(|t| t.id.as_str()),
        |action| Change::DropAction { action },
    ));
    out
}

/// A word of an evidence sentence: its byte range.
type Word = (usize, usize);

fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// The words that say nothing alone: every language's function words.
fn function_words() -> &'static HashSet<String> {
    static SET: std::sync::OnceLock<HashSet<String>> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        let t = Taxonomy::builtin();
        wirewatch_matcher::lang::Lang::all()
            .filter_map(|l| t.language(l))
            .flat_map(|w| w.function_words.iter().map(|f| fold(f)))
            .collect()
    })
}

/// Whether a folded word could make a phrase mean something.
fn says_something(folded: &str) -> bool {
    folded.chars().filter(|c| c.is_alphabetic()).count() >= 3 && !function_words().contains(folded)
}

/// A candidate phrase: its key (folded words) and how it is written
/// (lower-cased words, one space apart).
struct Phrase {
    key: String,
    written: String,
    words: usize,
}

/// The runs of up to [`MAX_PHRASE_WORDS`] words of an evidence sentence
/// separated by spaces only; with `near`, only those clear of the matched
/// spans, within [`NEAR_WORDS`] of one and holding a word that says
/// something.
fn phrases(e: &Evidence, near: bool) -> Vec<Phrase> {
    let text = e.text.as_str();
    let ws = words(text);
    let matched: Vec<bool> = ws
        .iter()
        .map(|&(s, t)| e.spans.iter().any(|sp| sp.start < t && s < sp.end))
        .collect();
    let distance: Vec<usize> = (0..ws.len())
        .map(|i| {
            (0..ws.len())
                .filter(|&j| matched[j])
                .map(|j| i.abs_diff(j))
                .min()
                .unwrap_or(usize::MAX)
        })
        .collect();
    let folded: Vec<String> = ws.iter().map(|&(s, t)| fold(&text[s..t])).collect();
    let mut out = Vec::new();
    for i in 0..ws.len() {
        for j in i..(i + MAX_PHRASE_WORDS).min(ws.len()) {
            if j > i && !text[ws[j - 1].1..ws[j].0].chars().all(char::is_whitespace) {
                break;
            }
            if near {
                if matched[j] {
                    break;
                }
                let close = distance[i..=j]
                    .iter()
                    .min()
                    .is_some_and(|&d| d <= NEAR_WORDS);
                if !close || !folded[i..=j].iter().any(|w| says_something(w)) {
                    continue;
                }
            }
            out.push(Phrase {
                key: folded[i..=j].join(" "),
                written: ws[i..=j]
                    .iter()
                    .map(|&(s, t)| text[s..t].to_lowercase())
                    .collect::<Vec<_>>()
                    .join(" "),
                words: j - i + 1,
            });
        }
    }
    out
}

/// Which phrase of several with the same support reads best: two words
/// ("analysts at", "fine dining") before three, one (vetoes the most
/// future alerts) and four (fits one article).
fn length_rank(words: usize) -> usize {
    match words {
        2 => 0,
        3 => 1,
        1 => 2,
        _ => 3,
    }
}

fn excludes(cases: &[Case<'_>], min_marks: usize, max_phrases: usize) -> Vec<Proposal> {
    let mut in_unmarked: HashSet<String> = HashSet::new();
    for c in cases.iter().filter(|c| !c.marked()) {
        for e in &c.record.alert.evidence {
            in_unmarked.extend(phrases(e, false).into_iter().map(|p| p.key));
        }
    }
    // key → (written, words, the marked alerts whose evidence has it).
    let mut found: BTreeMap<String, (String, usize, BTreeSet<String>)> = BTreeMap::new();
    for c in cases.iter().filter(|c| c.blames_rule()) {
        for e in &c.record.alert.evidence {
            for p in phrases(e, true) {
                if in_unmarked.contains(&p.key) {
                    continue;
                }
                found
                    .entry(p.key)
                    .or_insert_with(|| (p.written, p.words, BTreeSet::new()))
                    .2
                    .insert(c.record.alert.alert_id.clone());
            }
        }
    }
    let mut ranked: Vec<(String, usize, BTreeSet<String>)> = found
        .into_values()
        .filter(|(_, _, alerts)| alerts.len() >= min_marks)
        .collect();
    ranked.sort_by(|a, b| {
        b.2.len()
            .cmp(&a.2.len())
            .then(length_rank(a.1).cmp(&length_rank(b.1)))
            .then(a.0.cmp(&b.0))
    });
    // A phrase whose alerts a better one already covers adds nothing.
    let mut kept: Vec<(String, BTreeSet<String>)> = Vec::new();
    for (written, _, alerts) in ranked {
        if kept.len() == max_phrases {
            break;
        }
        if kept.iter().any(|(_, k)| alerts.is_subset(k)) {
            continue;
        }
        kept.push((written, alerts));
    }
    let blamed = cases.iter().filter(|c| c.blames_rule()).count();
    let unmarked = cases.iter().filter(|c| !c.marked()).count();
    kept.into_iter()
        .map(|(phrase, marked)| Proposal {
            why: format!(
                "near the matched words in {} of the {blamed} alerts marked not relevant, in none of the {unmarked} unmarked alerts' evidence",
                marked.len()
            ),
            change: Change::AddExclude { phrase },
            marked,
        })
        .collect()
}

/// The name of `company` (its `name` or an alias) a matched text is: the
/// same once folded, else the longest whose folded form starts it (an
/// inflected name, "Intels").
fn name_matched<'r>(
    company: &'r wirewatch_matcher::watchlist::Company,
    text: &str,
) -> Option<&'r str> {
    let text = fold(text);
    let names = || std::iter::once(&company.name).chain(&company.aliases);
    names()
        .find(|n| fold(n) == text)
        .or_else(|| {
            names()
                .filter(|n| {
                    let f = fold(n);
                    !f.is_empty() && text.starts_with(&f)
                })
                .max_by_key(|n| fold(n).len())
        })
        .map(String::as_str)
}

fn aliases(rule: &Rule, cases: &[Case<'_>], min_marks: usize) -> Vec<Proposal> {
    let mut out = Vec::new();
    for company in rule.companies.iter().filter(|c| !c.aliases.is_empty()) {
        // alias → (marked alerts, unmarked alerts) that matched by it.
        let mut by: BTreeMap<&str, (BTreeSet<String>, usize)> = BTreeMap::new();
        for c in cases {
            let m = &c.record.alert.matched.company;
            if m.id != company.name {
                continue;
            }
            let Some(name) = name_matched(company, &m.text) else {
                continue;
            };
            let entry = by.entry(name).or_default();
            if !c.marked() {
                entry.1 += 1;
            } else if c.has(&ABOUT_THE_COMPANY) {
                entry.0.insert(c.record.alert.alert_id.clone());
            }
        }
        let others: usize = by.values().map(|(_, unmarked)| unmarked).sum();
        for alias in &company.aliases {
            let Some((marked, 0)) = by.get(alias.as_str()) else {
                continue;
            };
            if marked.len() < min_marks {
                continue;
            }
            out.push(Proposal {
                change: Change::DropAlias {
                    company: company.name.clone(),
                    alias: alias.clone(),
                },
                why: format!(
                    "{} alerts marked not relevant matched {:?} by this alias; none of the {others} unmarked alerts about it did",
                    marked.len(),
                    company.name
                ),
                marked: marked.clone(),
            });
        }
    }
    out
}

fn dropped_ids(
    listed: &[String],
    cases: &[Case<'_>],
    reason: FeedbackReason,
    min_marks: usize,
    id_of: impl Fn(&AlertRecord) -> Option<&str>,
    change: impl Fn(String) -> Change,
) -> Vec<Proposal> {
    if listed.len() < 2 {
        // Dropping the only one would make the rule fire on any.
        return Vec::new();
    }
    let mut out = Vec::new();
    for id in listed {
        let marked: BTreeSet<String> = cases
            .iter()
            .filter(|c| c.has(&[reason]) && id_of(c.record) == Some(id.as_str()))
            .map(|c| c.record.alert.alert_id.clone())
            .collect();
        if marked.len() < min_marks {
            continue;
        }
        let unmarked = cases
            .iter()
            .filter(|c| !c.marked() && id_of(c.record) == Some(id.as_str()))
            .count();
        out.push(Proposal {
            why: format!(
                "{} alerts marked {} matched {id:?}; {unmarked} unmarked alerts did",
                marked.len(),
                reason.as_str()
            ),
            change: change(id.clone()),
            marked,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::alert;
    use wirewatch_matcher::watchlist::Company;
    use wirewatch_matcher::{Severity, Span, SpanKind, Term};

    /// Alert `id` whose evidence is `sentence`, with the words in
    /// `[brackets]` as its company span (the brackets removed), matched as
    /// company "Acme" by the bracketed text, by `agency` and `action`.
    fn case(id: &str, sentence: &str, agency: &str, action: &str) -> AlertRecord {
        let open = sentence.find('[').unwrap();
        let close = sentence.find(']').unwrap();
        let text = sentence.replace(['[', ']'], "");
        let matched = &sentence[open + 1..close];
        let mut a = alert(id, &[]);
        a.alert.matched.company = Term {
            id: "Acme".into(),
            text: matched.into(),
        };
        a.alert.matched.agency = Some(Term {
            id: agency.into(),
            text: agency.into(),
        });
        a.alert.matched.action = Some(Term {
            id: action.into(),
            text: action.into(),
        });
        a.alert.evidence = vec![Evidence {
            spans: vec![Span {
                start: open,
                end: close - 1,
                kind: SpanKind::Company,
                text: matched.into(),
            }],
            text,
        }];
        a
    }

    fn rule() -> Rule {
        Rule {
            id: "acme".into(),
            description: None,
            companies: vec![Company {
                name: "Acme".into(),
                aliases: vec!["Acme Corp".into(), "Roadrunner".into()],
                ..Company::default()
            }],
            lists: vec![],
            agencies: vec!["us-commerce".into(), "us-treasury".into()],
            actions: vec!["sanction".into(), "fine".into()],
            exclude: vec![],
            status: vec![],
            severity: Severity::High,
            notify: vec![],
            file: "w.toml".into(),
            line: 1,
        }
    }

    fn cases<'a>(records: &'a [AlertRecord], marks: &[(&str, FeedbackReason)]) -> Vec<Case<'a>> {
        records
            .iter()
            .map(|r| Case {
                record: r,
                reasons: marks
                    .iter()
                    .filter(|(id, _)| *id == r.alert.alert_id)
                    .map(|(_, reason)| *reason)
                    .collect(),
            })
            .collect()
    }

    use FeedbackReason::*;

    #[test]
    fn an_exclude_phrase_is_the_context_the_false_positives_share() {
        let records = [
            case(
                "f1",
                "Security analysts at [Acme] said the sanctions would bite.",
                "us-treasury",
                "sanction",
            ),
            case(
                "f2",
                "The sanctions were a surprise, analysts at [Acme] wrote on Monday.",
                "us-treasury",
                "sanction",
            ),
            case(
                "f3",
                "According to analysts at [Acme], the Treasury sanctions were expected.",
                "us-treasury",
                "sanction",
            ),
            case(
                "t1",
                "The Treasury sanctioned [Acme] on Monday, citing exports.",
                "us-treasury",
                "sanction",
            ),
            case(
                "t2",
                "Analysts expect more sanctions after the Treasury sanctioned [Acme].",
                "us-treasury",
                "sanction",
            ),
        ];
        let marks = [
            ("f1", CompanyInAnotherRole),
            ("f2", CompanyInAnotherRole),
            ("f3", CompanyInAnotherRole),
        ];
        let got = proposals(&rule(), &cases(&records, &marks), 2, 3);
        let excludes: Vec<&Change> = got
            .iter()
            .map(|p| &p.change)
            .filter(|c| matches!(c, Change::AddExclude { .. }))
            .collect();
        // "analysts" alone is in a true alert's evidence; "at" says
        // nothing alone; the pair is the shared context.
        assert_eq!(
            excludes.first(),
            Some(&&Change::AddExclude {
                phrase: "analysts at".into()
            }),
            "{got:#?}"
        );
        let first = &got[0];
        assert_eq!(first.marked.len(), 3);
        assert!(first.why.contains("3 of the 3"), "{}", first.why);
        // Nothing from the words of a true alert's evidence, and no phrase
        // whose alerts "analysts at" already covers.
        for c in &excludes[1..] {
            let Change::AddExclude { phrase } = c else {
                unreachable!()
            };
            assert!(!phrase.contains("analysts"), "{phrase}");
        }
    }

    #[test]
    fn a_phrase_in_an_unmarked_alerts_evidence_is_never_proposed() {
        let records = [
            case(
                "f1",
                "Analysts said [Acme] would be sanctioned.",
                "us-treasury",
                "sanction",
            ),
            case(
                "f2",
                "Analysts think [Acme] faces sanctions.",
                "us-treasury",
                "sanction",
            ),
            case(
                "t1",
                "Analysts expect more after the Treasury sanctioned [Acme].",
                "us-treasury",
                "sanction",
            ),
        ];
        let marks = [("f1", CompanyInAnotherRole), ("f2", CompanyInAnotherRole)];
        let got = proposals(&rule(), &cases(&records, &marks), 2, 3);
        assert!(got.is_empty(), "{got:#?}");
        let without_t1 = proposals(&rule(), &cases(&records[..2], &marks), 2, 3);
        assert_eq!(
            without_t1[0].change,
            Change::AddExclude {
                phrase: "analysts".into()
            }
        );
    }

    #[test]
    fn one_false_positive_or_old_news_proposes_nothing() {
        let records = [
            case(
                "f1",
                "Analysts at [Acme] said the sanctions would bite.",
                "us-treasury",
                "sanction",
            ),
            case(
                "f2",
                "Analysts at [Acme] said the sanctions would bite.",
                "us-treasury",
                "sanction",
            ),
            case(
                "t1",
                "The Treasury sanctioned [Acme].",
                "us-treasury",
                "sanction",
            ),
        ];
        let only_one = proposals(&rule(), &cases(&records, &[("f1", WrongSense)]), 2, 3);
        assert!(only_one.is_empty(), "{only_one:#?}");
        let old = proposals(
            &rule(),
            &cases(&records, &[("f1", OldNews), ("f2", Duplicate)]),
            2,
            3,
        );
        assert!(
            old.is_empty(),
            "old news says nothing about the rule: {old:#?}"
        );
        let two = proposals(
            &rule(),
            &cases(
                &records,
                &[("f1", WrongSense), ("f2", OldNews), ("f2", Other)],
            ),
            2,
            3,
        );
        assert!(!two.is_empty());
    }

    #[test]
    fn an_alias_only_false_positives_matched_is_proposed_for_dropping() {
        let records = [
            case(
                "f1",
                "The [Roadrunner] cartoon was fined by the Treasury of fun.",
                "us-treasury",
                "fine",
            ),
            case(
                "f2",
                "A [Roadrunner] toy maker was sanctioned by Commerce.",
                "us-commerce",
                "sanction",
            ),
            case(
                "t1",
                "The Treasury sanctioned [Acme Corp] on Monday.",
                "us-treasury",
                "sanction",
            ),
            case(
                "t2",
                "Commerce fined [Acme] for exports.",
                "us-commerce",
                "fine",
            ),
        ];
        let marks = [("f1", WrongSense), ("f2", CompanyInAnotherRole)];
        let got = proposals(&rule(), &cases(&records, &marks), 2, 0);
        assert_eq!(
            got.iter().map(|p| &p.change).collect::<Vec<_>>(),
            [&Change::DropAlias {
                company: "Acme".into(),
                alias: "Roadrunner".into()
            }],
            "{got:#?}"
        );
        // An alias a true alert matched by is kept, however many marks.
        let records = [
            case(
                "f1",
                "The [Roadrunner] cartoon was fined.",
                "us-treasury",
                "fine",
            ),
            case(
                "f2",
                "[Acme Corp] toys were sanctioned.",
                "us-commerce",
                "sanction",
            ),
            case("f3", "[Acme Corp] toys were fined.", "us-commerce", "fine"),
            case(
                "t1",
                "The Treasury sanctioned [Acme Corp].",
                "us-treasury",
                "sanction",
            ),
        ];
        let marks = [("f1", WrongSense), ("f2", WrongSense), ("f3", Other)];
        let got: Vec<Change> = proposals(&rule(), &cases(&records, &marks), 1, 0)
            .into_iter()
            .map(|p| p.change)
            .collect();
        assert_eq!(
            got,
            [Change::DropAlias {
                company: "Acme".into(),
                alias: "Roadrunner".into()
            }]
        );
    }

    #[test]
    fn wrong_agency_and_wrong_action_marks_propose_dropping_what_they_matched() {
        let records = [
            case(
                "f1",
                "The Commerce Ministry of Utopia sanctioned [Acme].",
                "us-commerce",
                "sanction",
            ),
            case(
                "f2",
                "Utopia's Commerce Ministry fined [Acme].",
                "us-commerce",
                "fine",
            ),
            case(
                "f3",
                "[Acme] was fined by a local Commerce office.",
                "us-commerce",
                "fine",
            ),
            case(
                "t1",
                "The Treasury sanctioned [Acme].",
                "us-treasury",
                "sanction",
            ),
        ];
        let marks = [
            ("f1", WrongAgency),
            ("f2", WrongAgency),
            ("f3", WrongAction),
        ];
        let got: Vec<Change> = proposals(&rule(), &cases(&records, &marks), 2, 0)
            .into_iter()
            .map(|p| p.change)
            .collect();
        assert_eq!(
            got,
            [Change::DropAgency {
                agency: "us-commerce".into()
            }]
        );
        let marks = [("f2", WrongAction), ("f3", WrongAction)];
        let got: Vec<Change> = proposals(&rule(), &cases(&records, &marks), 2, 0)
            .into_iter()
            .map(|p| p.change)
            .collect();
        assert_eq!(
            got,
            [Change::DropAction {
                action: "fine".into()
            }]
        );
        // The only agency of a rule is never dropped: "any actor" is wider.
        let mut one = rule();
        one.agencies = vec!["us-commerce".into()];
        let marks = [("f1", WrongAgency), ("f2", WrongAgency)];
        assert!(proposals(&one, &cases(&records, &marks), 2, 0).is_empty());
    }

    #[test]
    fn phrases_stay_clear_of_the_match_and_of_punctuation() {
        let e = Evidence {
            text: "Experts, not analysts at Acme Corp, said so.".into(),
            spans: vec![Span {
                start: 25,
                end: 34,
                kind: SpanKind::Company,
                text: "Acme Corp".into(),
            }],
        };
        let near: Vec<String> = phrases(&e, true).into_iter().map(|p| p.written).collect();
        assert!(near.contains(&"not analysts at".to_string()), "{near:?}");
        assert!(!near.iter().any(|p| p.contains("acme")), "{near:?}");
        assert!(
            !near.iter().any(|p| p.contains("experts not")),
            "the comma splits: {near:?}"
        );
        assert!(
            !near.contains(&"at".to_string()),
            "a function word alone: {near:?}"
        );
        assert!(!near.contains(&"said so".to_string()), "{near:?}");
    }
}
