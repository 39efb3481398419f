//! The matcher: decides which watchlist rules an article fires, and why.
//! Pure and free of I/O: text preparation ([`text`]), folding
//! ([`normalize`]), the taxonomy ([`taxonomy`]), watchlist parsing and
//! validation ([`watchlist`]), compilation into one automaton ([`compile`])
//! and evaluation with evidence ([`evaluate`]).

pub mod common_words;
pub mod compile;
pub mod evaluate;
pub mod lang;
pub mod normalize;
pub mod phrases;
pub mod taxonomy;
pub mod text;
pub mod watchlist;

use serde::{Deserialize, Serialize};

pub use compile::Matcher;
pub use taxonomy::Taxonomy;
pub use watchlist::{Diagnostic, Rule, Severity, Watchlist};

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

/// Loads the watchlist at `path`, validates it, and compiles it with the
/// built-in taxonomy. Returns the matcher and any warnings.
pub fn load(path: &std::path::Path) -> Result<(Matcher, Vec<Diagnostic>), Vec<Diagnostic>> {
    let taxonomy = Taxonomy::builtin();
    let (wl, warnings) = watchlist::load(path, taxonomy)?;
    Ok((Matcher::compile(&wl, taxonomy), warnings))
}
