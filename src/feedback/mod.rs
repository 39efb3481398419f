//! Feedback that improves rules: from the "not relevant" marks on a rule's
//! alerts, changes to the rule's watchlist entry (an `exclude` phrase, an
//! alias, agency or action to drop), each shown as a unified diff against
//! its file and tried on the articles the rule alerted on.
//!
//! The way through: the rule's stored alerts and their marks (`store`);
//! the alerts the rule as it stands fires on again (the *baseline*: an
//! alert the rule no longer fires on, edited since, is left out); the
//! proposals from the marks of those (`propose`, pure); each written into
//! the watchlist file's text (`patch`), the changed files validated like
//! any watchlist, and the changed rule matched against every baseline
//! article. A proposal is shown when it removes at least one marked alert;
//! its before and after counts and the unmarked alerts it would also lose
//! say whether to take it.
//!
//! Invariants: nothing here writes a file or the store: the user applies a
//! diff (`patch -p0`), and `check` and hot reload take it from there. The
//! rule is matched alone (with the watchlists' own agencies and actions),
//! which is how it matches among the others: a rule's hits depend on its
//! own names, agencies, actions and excludes only. An article is matched
//! from the text its alert kept (`AlertRecord::text`); an alert from
//! before that was kept is matched from its headline and evidence
//! sentences, and counted as such.

mod patch;
mod propose;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

pub use patch::PatchError;
pub use propose::Change;

use crate::store::{AlertRecord, FeedbackReason, Store, StoreError};
use crate::watchlists::{self, Sources};
use wirewatch_matcher::article::Article;
use wirewatch_matcher::{Diagnostic, Matcher, Watchlist};

/// How much the marks must agree before a change is proposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Marked alerts behind each proposal, at least (one mark is one
    /// article's accident, not a pattern).
    pub min_marks: usize,
    /// Exclude phrases proposed per rule, at most.
    pub max_phrases: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            min_marks: 2,
            max_phrases: 3,
        }
    }
}

/// What a rule's marks propose, and the ground they were tried on.
#[derive(Debug, Clone, Serialize)]
pub struct RuleSuggestions {
    pub rule_id: String,
    /// The watchlist file and line that define the rule.
    pub file: String,
    pub line: usize,
    /// The rule's alerts in the store.
    pub alerts: usize,
    /// Of them, marked not relevant (by anyone, for any reason).
    pub marked: usize,
    /// Marked alerts by reason (an alert marked for two reasons counts
    /// under both).
    pub reasons: BTreeMap<&'static str, usize>,
    /// The alerts the rule as it stands fires on again: what every
    /// suggestion is tried on.
    pub rematched: usize,
    /// Of those, matched again from the headline and evidence only (alerts
    /// from before the store kept the article's text).
    pub from_evidence: usize,
    /// Best first: most marked alerts removed for the fewest others lost.
    pub suggestions: Vec<Suggestion>,
}

/// One proposed change, tried.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub change: Change,
    /// What the marks have in common.
    pub why: String,
    /// The unified diff against the rule's watchlist file.
    pub diff: String,
    pub before: Counts,
    pub after: Counts,
    /// The marked alerts the change removes.
    pub removed: Vec<AlertBrief>,
    /// The unmarked alerts it removes too.
    pub lost: Vec<AlertBrief>,
}

/// Alerts of the rule, of the ones tried.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub alerts: usize,
    pub marked: usize,
    pub unmarked: usize,
}

/// An alert, as a suggestion lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertBrief {
    pub alert_id: String,
    pub title: String,
    /// Its marks' reasons (none: unmarked).
    pub reasons: Vec<&'static str>,
}

/// Why no suggestion could be made.
#[derive(Debug, thiserror::Error)]
pub enum SuggestError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the watchlists do not load: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Watchlists(Vec<Diagnostic>),
    #[error("no rule {0:?} in the watchlists")]
    NoRule(String),
}

/// The suggestions for rule `rule_id` from its marks, tried on its stored
/// alerts; `sources` are the watchlist files as read
/// ([`watchlists::read`]).
pub fn suggest(
    store: &Store,
    sources: &Sources,
    rule_id: &str,
    options: &Options,
) -> Result<RuleSuggestions, SuggestError> {
    let (wl, _) = watchlists::validate(sources, None).map_err(SuggestError::Watchlists)?;
    suggest_in(store, sources, &wl, rule_id, options)
}

/// [`suggest`] for every rule of the watchlists with marked alerts, in
/// rule id order (marks on rules no longer defined are passed over).
pub fn suggest_marked(
    store: &Store,
    sources: &Sources,
    options: &Options,
) -> Result<Vec<RuleSuggestions>, SuggestError> {
    let (wl, _) = watchlists::validate(sources, None).map_err(SuggestError::Watchlists)?;
    let marked: BTreeSet<String> = store
        .all_feedback()?
        .into_iter()
        .map(|f| f.rule_id)
        .filter(|r| wl.rules.iter().any(|rule| &rule.id == r))
        .collect();
    marked
        .iter()
        .map(|r| suggest_in(store, sources, &wl, r, options))
        .collect()
}

/// A matcher of rule `rule_id` alone, with the watchlists' own agencies
/// and actions and the lists it uses (shared, not copied).
fn rule_matcher(wl: &Watchlist, rule_id: &str) -> Option<Matcher> {
    let rule = wl.rules.iter().find(|r| r.id == rule_id)?;
    Some(watchlists::compile(&Watchlist {
        rules: vec![rule.clone()],
        lists: wl
            .lists
            .iter()
            .filter(|l| rule.lists.contains(&l.id))
            .cloned()
            .collect(),
        agencies: wl.agencies.clone(),
        actions: wl.actions.clone(),
    }))
}

/// The article an alert was raised on, as far as the store kept it, and
/// whether only its headline and evidence were kept.
fn article_of(record: &AlertRecord) -> (Article, bool) {
    let a = &record.alert;
    match &record.text {
        Some(text) => (text.article(&a.article.id), false),
        None => (
            Article {
                id: a.article.id.clone(),
                title: a.article.title.clone(),
                body: a
                    .evidence
                    .iter()
                    .map(|e| e.text.as_str())
                    .collect::<Vec<_>>()
                    .join("\n\n"),
                url: None,
                source: None,
                published_at: None,
                language: a.language.clone(),
            },
            true,
        ),
    }
}

fn brief(record: &AlertRecord, reasons: &BTreeSet<FeedbackReason>) -> AlertBrief {
    AlertBrief {
        alert_id: record.alert.alert_id.clone(),
        title: record.alert.article.title.clone(),
        reasons: reasons.iter().map(|r| r.as_str()).collect(),
    }
}

fn suggest_in(
    store: &Store,
    sources: &Sources,
    wl: &Watchlist,
    rule_id: &str,
    options: &Options,
) -> Result<RuleSuggestions, SuggestError> {
    let rule = wl
        .rules
        .iter()
        .find(|r| r.id == rule_id)
        .ok_or_else(|| SuggestError::NoRule(rule_id.to_string()))?;
    let records = store.rule_alerts(rule_id)?;
    let mut reasons: BTreeMap<String, BTreeSet<FeedbackReason>> = BTreeMap::new();
    for mark in store.feedback(rule_id)? {
        reasons
            .entry(mark.alert_id)
            .or_default()
            .insert(mark.reason);
    }
    let no_reasons = BTreeSet::new();
    let reasons_of = |r: &AlertRecord| reasons.get(&r.alert.alert_id).unwrap_or(&no_reasons);
    let mut by_reason: BTreeMap<&'static str, usize> = BTreeMap::new();
    for r in &records {
        for reason in reasons_of(r) {
            *by_reason.entry(reason.as_str()).or_default() += 1;
        }
    }

    let baseline = rule_matcher(wl, rule_id).expect("the rule was found above");
    let mut tried: Vec<(&AlertRecord, Article)> = Vec::new();
    let mut from_evidence = 0;
    for r in &records {
        let (article, evidence_only) = article_of(r);
        if !baseline.evaluate(&article).is_empty() {
            from_evidence += usize::from(evidence_only);
            tried.push((r, article));
        }
    }
    let cases: Vec<propose::Case<'_>> = tried
        .iter()
        .map(|(r, _)| propose::Case {
            record: r,
            reasons: reasons_of(r).clone(),
        })
        .collect();
    let before = Counts {
        alerts: cases.len(),
        marked: cases.iter().filter(|c| c.marked()).count(),
        unmarked: cases.iter().filter(|c| !c.marked()).count(),
    };

    let source = sources.iter().find(|(f, _)| *f == rule.file);
    let mut suggestions = Vec::new();
    for p in propose::proposals(rule, &cases, options.min_marks, options.max_phrases) {
        let Some((file, text)) = source else { break };
        let changed = match patch::apply(file, text, rule_id, &p.change) {
            Ok(changed) => changed,
            Err(error) => {
                tracing::warn!(message = "Cannot write a proposed change into its watchlist.", %error);
                continue;
            }
        };
        let patched: Sources = sources
            .iter()
            .map(|(f, t)| {
                (
                    f.clone(),
                    if f == file {
                        changed.clone()
                    } else {
                        t.clone()
                    },
                )
            })
            .collect();
        let Some(matcher) = watchlists::validate(&patched, None)
            .ok()
            .and_then(|(wl, _)| rule_matcher(&wl, rule_id))
        else {
            tracing::warn!(message = "A proposed change does not validate; left out.", rule = rule_id, change = %p.change);
            continue;
        };
        let (mut removed, mut lost) = (Vec::new(), Vec::new());
        for (case, (record, article)) in cases.iter().zip(&tried) {
            if matcher.evaluate(article).is_empty() {
                let b = brief(record, &case.reasons);
                if case.marked() {
                    removed.push(b);
                } else {
                    lost.push(b);
                }
            }
        }
        if removed.is_empty() {
            continue;
        }
        let after = Counts {
            alerts: before.alerts - removed.len() - lost.len(),
            marked: before.marked - removed.len(),
            unmarked: before.unmarked - lost.len(),
        };
        suggestions.push(Suggestion {
            diff: patch::unified_diff(file, text, &changed),
            change: p.change,
            why: p.why,
            before,
            after,
            removed,
            lost,
        });
    }
    suggestions.sort_by_key(|s| {
        (
            std::cmp::Reverse(s.removed.len() as i64 - s.lost.len() as i64),
            std::cmp::Reverse(s.removed.len()),
        )
    });
    Ok(RuleSuggestions {
        rule_id: rule_id.to_string(),
        file: rule.file.display().to_string(),
        line: rule.line,
        alerts: records.len(),
        marked: records.iter().filter(|r| !reasons_of(r).is_empty()).count(),
        reasons: by_reason,
        rematched: tried.len(),
        from_evidence,
        suggestions,
    })
}
