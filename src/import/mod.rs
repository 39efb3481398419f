//! `wirewatch import`: a published sanctions list or a vendor export →
//! a watchlist file with one `[[list]]` table.
//!
//! Each format reads its file into [`Entry`]s ([`opensanctions`],
//! [`ofac`], [`csv`]); here they are made fit for news matching and
//! written: names that are common English words, too short, or weak
//! aliases are left out and counted ([`Report`], printed on stderr), so an
//! imported list does not flood analysts; the file is checked with the
//! real watchlist parser and only then renamed into place.
//!
//! Invariants: a malformed input stops the import with `file:line:
//! message` and writes nothing; the output is written to a temporary file
//! in the destination's folder and renamed, so a reader (the daemon's hot
//! reload) never sees half a list; names are written as the source spells
//! them (legal forms and inverted register names are the matcher's
//! business at compile time, `wirewatch_matcher::names`).

pub mod csv;
pub mod ofac;
pub mod opensanctions;

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use wirewatch_matcher::common_words::is_common_word;
use wirewatch_matcher::normalize::fold;
use wirewatch_matcher::{watchlist, Taxonomy};

/// One company of the source: its name, its other names (strong aliases,
/// previous names, names in other scripts) and its id in the source.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entry {
    pub name: String,
    pub aliases: Vec<String>,
    pub source_id: Option<String>,
}

/// What an import read, kept and left out, printed on stderr.
#[derive(Debug, Default)]
pub struct Report {
    /// Records skipped before any name was looked at, by reason
    /// ("individuals (SDN_Type individual)", "Person entities").
    pub skipped: BTreeMap<String, usize>,
    /// Names left out of entries that were kept or dropped, by reason.
    pub left_out: BTreeMap<&'static str, usize>,
    /// Entries read that had a usable shape.
    pub read: usize,
    /// Entries written.
    pub written: usize,
    /// Names (and aliases) written.
    pub names: usize,
}

impl Report {
    pub fn skip(&mut self, reason: impl Into<String>) {
        *self.skipped.entry(reason.into()).or_default() += 1;
    }

    pub fn leave_out(&mut self, reason: &'static str) {
        *self.left_out.entry(reason).or_default() += 1;
    }

    /// The report as lines for stderr.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format!(
            "{} entries written with {} names (of {} entity records read)",
            self.written, self.names, self.read
        )];
        for (reason, n) in &self.skipped {
            out.push(format!("  skipped {n} {reason}"));
        }
        for (reason, n) in &self.left_out {
            out.push(format!("  left out {n} {reason}"));
        }
        out
    }
}

/// Reasons a name is left out (keys of [`Report::left_out`]).
pub const WEAK: &str = "weak aliases (the source marks them weak)";
pub const COMMON: &str = "names that are common English words";
pub const SHORT: &str = "names under 3 letters (2 Chinese or Japanese characters)";
pub const DUPLICATE: &str = "duplicate names within an entry";
pub const NO_NAME: &str = "entries with no usable name left";

/// Whether a name can stand alone in news text: not a common English
/// word, at least three letters or digits (two Chinese or Japanese
/// characters), and not only punctuation.
fn usable(name: &str, report: &mut Report) -> bool {
    let letters = name.chars().filter(|c| c.is_alphanumeric()).count();
    let cjk = name.chars().any(|c| {
        matches!(c, '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}')
    });
    if letters < if cjk { 2 } else { 3 } {
        report.leave_out(SHORT);
        return false;
    }
    if is_common_word(name) {
        report.leave_out(COMMON);
        return false;
    }
    true
}

/// `entries` made fit for matching: names trimmed, with inner runs of
/// spaces collapsed, duplicates within an entry, common words and short
/// names left out (an entry whose name goes keeps its first usable alias
/// as its name; one with none left is dropped). Counts go to `report`.
pub fn clean(entries: Vec<Entry>, report: &mut Report) -> Vec<Entry> {
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        let mut seen = HashSet::new();
        let mut names = Vec::new();
        for n in std::iter::once(e.name).chain(e.aliases) {
            let n = n.split_whitespace().collect::<Vec<_>>().join(" ");
            if n.is_empty() {
                continue;
            }
            if !seen.insert(fold(&n)) {
                report.leave_out(DUPLICATE);
                continue;
            }
            if usable(&n, report) {
                names.push(n);
            }
        }
        if names.is_empty() {
            report.leave_out(NO_NAME);
            continue;
        }
        let name = names.remove(0);
        out.push(Entry {
            name,
            aliases: names,
            source_id: e.source_id,
        });
    }
    report.written = out.len();
    report.names = out.iter().map(|e| 1 + e.aliases.len()).sum();
    out
}

/// Where an import came from, for the file's header comment.
pub struct Origin {
    /// "OFAC SDN legacy CSV (SDN.CSV, ALT.CSV)".
    pub format: String,
    pub files: Vec<PathBuf>,
}

/// A TOML basic string.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The watchlist text of a list.
pub fn render(id: &str, origin: &Origin, report: &Report, entries: &[Entry]) -> String {
    let mut t = String::with_capacity(entries.len() * 80 + 512);
    let files: Vec<String> = origin
        .files
        .iter()
        .map(|f| {
            f.file_name()
                .map_or_else(|| f.display().to_string(), |n| n.to_string_lossy().into())
        })
        .collect();
    let _ = writeln!(
        t,
        "# Written by `wirewatch import` on {} from {} ({}).",
        jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        files.join(", "),
        origin.format
    );
    t.push_str("# Regenerate it rather than editing it; a rule uses it with\n");
    let _ = writeln!(t, "#     lists = [{}]", quoted(id));
    t.push_str("#\n");
    for line in report.lines() {
        let _ = writeln!(t, "# {}", line.trim_start());
    }
    t.push_str("\n[[list]]\n");
    let _ = writeln!(t, "id = {}", quoted(id));
    t.push_str("companies = [\n");
    for e in entries {
        let _ = write!(t, "  {{ name = {}", quoted(&e.name));
        if !e.aliases.is_empty() {
            let aliases: Vec<String> = e.aliases.iter().map(|a| quoted(a)).collect();
            let _ = write!(t, ", aliases = [{}]", aliases.join(", "));
        }
        if let Some(id) = &e.source_id {
            let _ = write!(t, ", source_id = {}", quoted(id));
        }
        t.push_str(" },\n");
    }
    t.push_str("]\n");
    t
}

/// Checks `text` with the real watchlist parser (it must parse: anything
/// else is a bug here, not the user's input), then writes it to `out`
/// through a temporary file in the same folder and a rename.
pub fn write(out: &Path, text: &str) -> anyhow::Result<()> {
    use anyhow::Context as _;
    if let Err(diags) = watchlist::parse(
        &[(out.to_path_buf(), text.to_string())],
        Taxonomy::builtin(),
    ) {
        let first: Vec<String> = diags.iter().take(3).map(ToString::to_string).collect();
        anyhow::bail!(
            "the list written would not load (a bug in wirewatch import): {}",
            first.join("; ")
        );
    }
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out
        .file_name()
        .with_context(|| format!("{}: not a file name", out.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, out)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", out.display()));
    }
    Ok(())
}

/// A malformed input: `file:line: message`.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct Malformed {
    pub file: String,
    pub line: u64,
    pub message: String,
}

impl Malformed {
    pub fn new(file: &Path, line: u64, message: impl Into<String>) -> Malformed {
        Malformed {
            file: file.display().to_string(),
            line,
            message: message.into(),
        }
    }
}

/// A file's bytes and the offsets of its line ends, for the line of a CSV
/// record: the `csv` crate's own line count misses `\r\n` endings, which
/// OFAC's files use.
pub struct Source {
    pub bytes: Vec<u8>,
    newlines: Vec<usize>,
}

impl Source {
    pub fn read(path: &Path) -> anyhow::Result<Source> {
        let bytes = std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", path.display()))?;
        let newlines = memchr::memchr_iter(b'\n', &bytes).collect();
        Ok(Source { bytes, newlines })
    }

    /// The 1-based line of a record starting at byte offset `byte`. The
    /// reader gives the end of the previous line for a record after a
    /// `\r\n` (it takes the `\r` as the terminator), so line ends at the
    /// offset are skipped first.
    pub fn line(&self, byte: u64) -> u64 {
        let mut at = byte as usize;
        while matches!(self.bytes.get(at), Some(b'\r' | b'\n')) {
            at += 1;
        }
        self.newlines.partition_point(|&nl| nl < at) as u64 + 1
    }

    /// The line of a CSV error, when it says where it is.
    pub fn error_line(&self, e: &::csv::Error) -> u64 {
        e.position().map_or(0, |p| self.line(p.byte()))
    }
}

/// Text of a field that should be UTF-8 but, in older downloads, may be
/// Latin-1 (every byte a code point).
pub fn text_of(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning_leaves_out_common_short_and_duplicate_names_and_counts_them() {
        let mut report = Report::default();
        let entries = vec![
            Entry {
                name: "Harbor".into(),
                aliases: vec![
                    "Harbor Dalvest  Trading".into(),
                    "HARBOR DALVEST TRADING".into(),
                ],
                source_id: Some("x:1".into()),
            },
            Entry {
                name: "XK".into(),
                aliases: vec![],
                source_id: Some("x:2".into()),
            },
            Entry {
                name: "华辰".into(),
                aliases: vec!["辰".into()],
                source_id: None,
            },
        ];
        let out = clean(entries, &mut report);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].name, "Harbor Dalvest Trading");
        assert!(out[0].aliases.is_empty());
        assert_eq!(out[1].name, "华辰");
        assert_eq!(report.left_out[COMMON], 1);
        assert_eq!(report.left_out[SHORT], 2);
        assert_eq!(report.left_out[DUPLICATE], 1);
        assert_eq!(report.left_out[NO_NAME], 1);
    }

    #[test]
    fn strings_are_valid_toml_whatever_they_hold() {
        for s in [
            "plain",
            "quote \" back\\slash",
            "tab\there",
            "bell\u{7}",
            "Роснефть «АО»",
        ] {
            let doc: toml_edit::DocumentMut = format!("x = {}\n", quoted(s)).parse().unwrap();
            assert_eq!(doc["x"].as_str(), Some(s));
        }
    }
}
