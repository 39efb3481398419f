//! wirewatch's matcher: decides which watchlist rules an article fires,
//! and why.
//!
//! Architecture invariant: the crate is pure. It reads no file, opens no
//! socket and starts no runtime; its `Cargo.toml` has no async, Kafka,
//! store, SMTP or HTTP dependency, so the compiler enforces it. The daemon
//! reads watchlist files and hands their text to [`watchlist::parse`].
//!
//! Architecture invariant: the words the matcher knows are data in
//! `taxonomy/`, compiled in (agencies, actions, cues, each language's
//! phrases and detection words, the English grammar words, common words,
//! abbreviations); the code says how they are applied. The only words left
//! in code are the fixed parts of a rule's own pattern: "the" before a
//! descriptor noun, "it" before a `dummy_it` entry, "in" before a source's
//! document, "and" joining a coordinated subject.
//!
//! The way through, module by module:
//!
//! ```text
//! article::decode       JSON event -> Article (or Malformed, for the dead-letter topic)
//! watchlist::parse      TOML text -> validated rules, `file:line: message` diagnostics (diag)
//! taxonomy, lang        built-in agencies, actions, roles and per-language words (data in taxonomy/);
//!                       language detection, stemmed keys, transliteration
//! grammar               the grammar words of taxonomy/lang/en.toml that evaluate applies
//! names                 company names as the press writes them (legal forms optional, inverted names)
//! compile::Matcher      every name and phrase in word-start indexes and automata (phrases, normalize);
//!                       a named list's names once, shared by the rules that use it
//! evaluate              an article -> hits with evidence: scan, refine, roles, windows, evidence,
//!                       status, explain (text: HTML, sentences)
//! story                 near-duplicate fingerprints of an article's text
//! ```

pub mod article;
pub mod common_words;
pub mod compile;
pub mod diag;
pub mod evaluate;
pub mod grammar;
pub mod hit;
pub mod lang;
pub mod names;
pub mod normalize;
pub mod phrases;
pub mod story;
pub mod taxonomy;
pub mod text;
pub mod watchlist;

pub use compile::Matcher;
pub use diag::Diagnostic;
pub use hit::{ActionStatus, Evidence, Explanation, Hit, Severity, Span, SpanKind, Term};
pub use taxonomy::Taxonomy;
pub use watchlist::{Rule, Watchlist};
