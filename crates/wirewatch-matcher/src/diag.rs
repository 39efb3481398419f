//! Diagnostics shared by every file wirewatch reads (watchlists here, the
//! daemon's config beside them): a problem as `file:line: message`, line
//! numbers of byte offsets, id validation and "did you mean" hints.
//!
//! Invariants: line numbers are 1-based; a [`Diagnostic`] prints as
//! `file:line: message` (with `warning: ` before a warning's message),
//! the format editors and CI parse.

use std::fmt;

/// A problem found in a file, printed as `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    pub message: String,
    pub warning: bool,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.warning { "warning: " } else { "" };
        write!(f, "{}:{}: {}{}", self.file, self.line, kind, self.message)
    }
}

/// Line numbers of byte offsets in one source, in O(log n) each (a
/// 10,000-rule file asks for every rule's line).
pub struct LineIndex(Vec<usize>);

impl LineIndex {
    pub fn new(src: &str) -> LineIndex {
        LineIndex(
            src.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        )
    }

    /// The 1-based line of byte offset `pos`.
    pub fn line(&self, pos: usize) -> usize {
        self.0.partition_point(|&nl| nl < pos) + 1
    }
}

/// The 1-based line of byte offset `pos` in `src` (one lookup; use
/// [`LineIndex`] for many).
pub fn line_of(src: &str, pos: usize) -> usize {
    src[..pos.min(src.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// Rule, agency and action ids: `[a-z0-9-]+`.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `" (did you mean \"x\"?)"` for the closest known id, or nothing.
pub fn did_you_mean<'a>(given: &str, known: impl Iterator<Item = &'a str>) -> String {
    known
        .map(|k| (strsim::damerau_levenshtein(given, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min()
        .map(|(_, k)| format!(" (did you mean {k:?}?)"))
        .unwrap_or_default()
}
