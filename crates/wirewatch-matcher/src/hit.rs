//! What the matcher answers: a rule that fired ([`Hit`]) with its
//! evidence sentences and matched spans, the status of the action, and
//! for `--explain` why a rule did not fire ([`Explanation`]).
//!
//! Invariants: these types are serialized into alerts and `backtest
//! --json` output, so their field names and the lowercase names of
//! [`Severity`] and [`ActionStatus`] are part of the output users rely on
//! (sections 5 and 7 of `../shared/design/contracts.md`). Span offsets are
//! bytes into their evidence sentence's text.

use serde::{Deserialize, Serialize};

/// How much an alert matters; channels may filter on it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// What a span of evidence matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpanKind {
    Company,
    Agency,
    Action,
}

/// A matched span, as byte offsets into its evidence sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: SpanKind,
    pub text: String,
}

/// A sentence that shows why a rule fired, with its matched spans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub text: String,
    pub spans: Vec<Span>,
}

impl Evidence {
    /// The sentence with every matched span wrapped in `open(kind)` and
    /// `close(kind)`, and the text in between and inside passed through
    /// `escape` (HTML escaping for emails, nothing for terminals).
    pub fn marked(
        &self,
        open: impl Fn(SpanKind) -> String,
        close: impl Fn(SpanKind) -> String,
        escape: impl Fn(&str) -> String,
    ) -> String {
        let text = &self.text;
        let mut out = String::new();
        let mut pos = 0;
        let mut spans: Vec<&Span> = self.spans.iter().collect();
        spans.sort_by_key(|s| s.start);
        for s in spans {
            if s.start < pos
                || s.end > text.len()
                || !text.is_char_boundary(s.start)
                || !text.is_char_boundary(s.end)
            {
                continue;
            }
            out.push_str(&escape(&text[pos..s.start]));
            out.push_str(&open(s.kind));
            out.push_str(&escape(&text[s.start..s.end]));
            out.push_str(&close(s.kind));
            pos = s.end;
        }
        out.push_str(&escape(&text[pos..]));
        out
    }
}

/// A matched entity: its id (company name, agency id or action id) and the
/// text that matched it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub id: String,
    pub text: String,
}

/// The status of an action as the article reports it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum ActionStatus {
    /// Taken: in force, done, completed (the default).
    #[default]
    Imposed,
    /// Decided or agreed, taking effect later.
    Announced,
    /// Under consideration, planned, drafted.
    Proposed,
    /// Warned of, or conditional on something not yet done.
    Threatened,
    /// Removed, annulled, overturned, ended.
    Lifted,
    /// Contested by its target in court or by appeal.
    Challenged,
    /// Only claimed, alleged or reported by others.
    Reported,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 7] = [
        ActionStatus::Imposed,
        ActionStatus::Announced,
        ActionStatus::Proposed,
        ActionStatus::Threatened,
        ActionStatus::Lifted,
        ActionStatus::Challenged,
        ActionStatus::Reported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Imposed => "imposed",
            ActionStatus::Announced => "announced",
            ActionStatus::Proposed => "proposed",
            ActionStatus::Threatened => "threatened",
            ActionStatus::Lifted => "lifted",
            ActionStatus::Challenged => "challenged",
            ActionStatus::Reported => "reported",
        }
    }

    pub fn parse(s: &str) -> Option<ActionStatus> {
        ActionStatus::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// A rule that fired on an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    pub rule_id: String,
    #[serde(skip, default)]
    pub rule_index: usize,
    pub severity: Severity,
    pub company: Term,
    /// The named list the company is an entry of, when the rule watches
    /// it through `lists` (absent for a rule's own companies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<String>,
    /// The entry's id in the list's source ("ofac-sdn:12345"), when it
    /// has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    pub agency: Option<Term>,
    pub action: Option<Term>,
    /// The status of the action as the article reports it.
    #[serde(default)]
    pub status: ActionStatus,
    /// The words that gave the status, when a cue did (none: imposed by
    /// default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_cue: Option<String>,
    /// The article's language as matched (ISO 639-1), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    pub evidence: Vec<Evidence>,
}

/// Whether a rule fired on an article, and what was missing if not.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub rule_id: String,
    pub hit: Option<Hit>,
    pub reason: String,
}
