//! The matcher: decides which watchlist rules an article fires, and why.
//! Pure and free of I/O: text preparation ([`text`]), folding
//! ([`normalize`]), the taxonomy ([`taxonomy`]), watchlist parsing and
//! validation ([`watchlist`]), compilation into one automaton ([`compile`])
//! and evaluation with evidence ([`evaluate`]).

pub mod common_words;
pub mod compile;
pub mod evaluate;
pub mod normalize;
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

/// A matched entity: its id (company name, agency id or action id) and the
/// text that matched it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub id: String,
    pub text: String,
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
