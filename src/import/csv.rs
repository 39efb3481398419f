//! An ERP or vendor export as CSV: a header row, one company a row. The
//! user names the columns: `--name-column` (required), `--alias-column`
//! (any number; a cell may hold several aliases separated by
//! `--alias-separator`, `;` by default) and `--id-column` (the entry's
//! `source_id`, as the export writes it).
//!
//! Invariants: a column named that the header lacks is an error naming
//! the header's columns ("did you mean"); a row with another number of
//! fields than the header is an error at its line; a row with an empty
//! name is skipped and counted.

use std::path::Path;

use wirewatch_matcher::diag::did_you_mean;

use super::{text_of, Entry, Malformed, Report, Source};

/// Which columns hold what.
pub struct Columns<'a> {
    pub name: &'a str,
    pub aliases: &'a [String],
    pub id: Option<&'a str>,
    pub alias_separator: &'a str,
}

pub fn read(path: &Path, columns: &Columns, report: &mut Report) -> anyhow::Result<Vec<Entry>> {
    let source = Source::read(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(source.bytes.as_slice());
    let header: Vec<String> = reader
        .byte_headers()
        .map_err(|e| Malformed::new(path, 1, format!("not valid CSV: {e}")))?
        .iter()
        .map(|h| text_of(h).trim().trim_start_matches('\u{FEFF}').to_string())
        .collect();
    let find = |wanted: &str, flag: &str| -> anyhow::Result<usize> {
        header.iter().position(|h| h == wanted).ok_or_else(|| {
            Malformed::new(
                path,
                1,
                format!(
                    "{flag} {wanted:?}: the header has no such column{} (columns: {})",
                    did_you_mean(wanted, header.iter().map(String::as_str)),
                    header.join(", ")
                ),
            )
            .into()
        })
    };
    let name_at = find(columns.name, "--name-column")?;
    let alias_at: Vec<usize> = columns
        .aliases
        .iter()
        .map(|a| find(a, "--alias-column"))
        .collect::<anyhow::Result<_>>()?;
    let id_at = columns.id.map(|c| find(c, "--id-column")).transpose()?;
    let mut entries = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = source.error_line(&e);
                return Err(Malformed::new(path, line, format!("not valid CSV: {e}")).into());
            }
        }
        let line = record.position().map_or(0, |p| source.line(p.byte()));
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        if record.len() != header.len() {
            return Err(Malformed::new(
                path,
                line,
                format!(
                    "expected {} fields as in the header, found {}",
                    header.len(),
                    record.len()
                ),
            )
            .into());
        }
        let cell = |i: usize| text_of(&record[i]).trim().to_string();
        let name = cell(name_at);
        if name.is_empty() {
            report.skip(format!("rows with an empty {} column", columns.name));
            continue;
        }
        report.read += 1;
        let aliases = alias_at
            .iter()
            .flat_map(|&i| {
                cell(i)
                    .split(columns.alias_separator)
                    .map(|a| a.trim().to_string())
                    .filter(|a| !a.is_empty())
                    .collect::<Vec<_>>()
            })
            .collect();
        entries.push(Entry {
            name,
            aliases,
            source_id: id_at.map(cell).filter(|s| !s.is_empty()),
        });
    }
    Ok(entries)
}
