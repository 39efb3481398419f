//! OFAC's SDN list in its legacy CSV layout: `SDN.CSV` (no header; columns
//! ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type,
//! Tonnage, GRT, Vess_flag, Vess_owner, Remarks; `-0-` for an empty value)
//! and, optionally, `ALT.CSV` (ent_num, alt_num, alt_type, alt_name,
//! alt_remarks; alt_type `aka`, `fka` or `nka`).
//!
//! Entities only: a row whose SDN_Type is `individual` is skipped (and
//! counted); companies and organizations (SDN_Type empty), vessels and
//! aircraft are kept. Every alternate name of a kept entity becomes an
//! alias. The entry's `source_id` is `ofac-sdn:ENT_NUM`.
//!
//! Invariants: a row with the wrong number of columns, a non-numeric
//! ent_num, an unknown alt_type, or an ALT row naming an unknown ent_num
//! is an error at its line; nothing is guessed.

use std::collections::HashMap;
use std::path::Path;

use super::{text_of, Entry, Malformed, Report, Source};

const SDN_COLUMNS: usize = 12;
const ALT_COLUMNS: usize = 5;

/// A field's value, `None` for OFAC's null `-0-` (often written `-0- `).
fn value(field: &[u8]) -> Option<String> {
    let s = text_of(field);
    let s = s.trim();
    (!s.is_empty() && s != "-0-").then(|| s.to_string())
}

/// Every record of a headerless CSV file, with its line.
fn records(path: &Path, columns: usize) -> anyhow::Result<Vec<(u64, csv::ByteRecord)>> {
    let source = Source::read(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(source.bytes.as_slice());
    let mut out = Vec::new();
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
        // The files end with a line holding only an end-of-file mark
        // (0x1A) in some downloads: not a record.
        if record.len() == 1
            && record[0]
                .iter()
                .all(|&b| b == 0x1A || b.is_ascii_whitespace())
        {
            continue;
        }
        if record.len() != columns {
            return Err(Malformed::new(
                path,
                line,
                format!(
                    "expected {columns} columns, found {} (is this the right file?)",
                    record.len()
                ),
            )
            .into());
        }
        out.push((line, record.clone()));
    }
    Ok(out)
}

/// Reads `SDN.CSV` and, when given, `ALT.CSV`.
pub fn read(sdn: &Path, alt: Option<&Path>, report: &mut Report) -> anyhow::Result<Vec<Entry>> {
    let mut entries: Vec<Entry> = Vec::new();
    // ent_num → index in `entries`, or None for a skipped individual.
    let mut by_num: HashMap<u64, Option<usize>> = HashMap::new();
    for (line, r) in records(sdn, SDN_COLUMNS)? {
        let num_text = text_of(&r[0]);
        let num: u64 = num_text.trim().parse().map_err(|_| {
            Malformed::new(
                sdn,
                line,
                format!("ent_num {:?} is not a number", num_text.trim()),
            )
        })?;
        if by_num.contains_key(&num) {
            return Err(Malformed::new(sdn, line, format!("ent_num {num} appears twice")).into());
        }
        let Some(name) = value(&r[1]) else {
            return Err(Malformed::new(sdn, line, format!("ent_num {num} has no SDN_Name")).into());
        };
        let kind = value(&r[2]).map(|k| k.to_lowercase());
        match kind.as_deref() {
            Some("individual") => {
                report.skip("individuals (SDN_Type individual)");
                by_num.insert(num, None);
                continue;
            }
            None => {}
            Some("vessel" | "aircraft") => {}
            Some(other) => {
                return Err(Malformed::new(
                    sdn,
                    line,
                    format!("SDN_Type {other:?} is not one of individual, vessel, aircraft or -0- (an entity)"),
                )
                .into())
            }
        }
        report.read += 1;
        by_num.insert(num, Some(entries.len()));
        entries.push(Entry {
            name,
            aliases: Vec::new(),
            source_id: Some(format!("ofac-sdn:{num}")),
        });
    }
    if let Some(alt) = alt {
        for (line, r) in records(alt, ALT_COLUMNS)? {
            let num_text = text_of(&r[0]);
            let num: u64 = num_text.trim().parse().map_err(|_| {
                Malformed::new(
                    alt,
                    line,
                    format!("ent_num {:?} is not a number", num_text.trim()),
                )
            })?;
            let kind = value(&r[2]).map(|k| k.to_lowercase());
            if !matches!(kind.as_deref(), Some("aka" | "fka" | "nka")) {
                return Err(Malformed::new(
                    alt,
                    line,
                    format!(
                        "alt_type {:?} is not one of aka, fka, nka",
                        kind.unwrap_or_default()
                    ),
                )
                .into());
            }
            let Some(name) = value(&r[3]) else {
                return Err(Malformed::new(
                    alt,
                    line,
                    format!("alternate name of ent_num {num} is empty"),
                )
                .into());
            };
            match by_num.get(&num) {
                None => {
                    return Err(Malformed::new(
                        alt,
                        line,
                        format!("ent_num {num} is not in {}", sdn.display()),
                    )
                    .into())
                }
                Some(None) => {}
                Some(Some(i)) => entries[*i].aliases.push(name),
            }
        }
    }
    Ok(entries)
}
