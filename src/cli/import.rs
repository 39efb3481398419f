//! `wirewatch import opensanctions|ofac-sdn|csv`: a published list or a
//! vendor export → a watchlist file with one `[[list]]` (`crate::import`).

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::Failure;
use crate::import::{self, Origin, Report};

#[derive(Subcommand)]
pub enum Format {
    /// OpenSanctions FollowTheMoney entities, one JSON object a line
    /// (entities.ftm.json): companies, organizations, vessels...; people
    /// and other schemas are skipped.
    Opensanctions {
        file: PathBuf,
        #[command(flatten)]
        out: Output,
    },
    /// OFAC's SDN list in its legacy CSV layout (SDN.CSV, and ALT.CSV for
    /// alternate names); individuals are skipped.
    OfacSdn {
        sdn: PathBuf,
        /// ALT.CSV: the alternate names (aka, fka, nka).
        #[arg(long)]
        alt: Option<PathBuf>,
        #[command(flatten)]
        out: Output,
    },
    /// A CSV export (ERP, vendor master) with a header row.
    Csv {
        file: PathBuf,
        /// The column holding the company's name.
        #[arg(long)]
        name_column: String,
        /// A column holding other names (repeat for several).
        #[arg(long)]
        alias_column: Vec<String>,
        /// What separates several aliases in one cell.
        #[arg(long, default_value = ";")]
        alias_separator: String,
        /// The column holding the company's id in the export (its `source_id`).
        #[arg(long)]
        id_column: Option<String>,
        #[command(flatten)]
        out: Output,
    },
}

#[derive(clap::Args)]
pub struct Output {
    /// The watchlist file to write (replaced whole, atomically).
    #[arg(long)]
    out: PathBuf,
    /// The list's id, which rules name in `lists` (default: from the format
    /// or the file name).
    #[arg(long)]
    id: Option<String>,
}

/// A list id from a file name: "Vendor Master.csv" → "vendor-master".
fn id_from(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let mut id = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-').to_string();
    if id.is_empty() {
        "imported".into()
    } else {
        id
    }
}

pub fn run(format: Format) -> Result<(), Failure> {
    let mut report = Report::default();
    let usage = |e: anyhow::Error| Failure::Usage(vec![e.to_string()]);
    let (entries, origin, out, id) = match format {
        Format::Opensanctions { file, out } => {
            let entries = import::opensanctions::read(&file, &mut report).map_err(usage)?;
            let origin = Origin {
                format: "OpenSanctions FollowTheMoney entities".into(),
                files: vec![file],
            };
            (
                entries,
                origin,
                out.out,
                out.id.unwrap_or_else(|| "opensanctions".into()),
            )
        }
        Format::OfacSdn { sdn, alt, out } => {
            let entries = import::ofac::read(&sdn, alt.as_deref(), &mut report).map_err(usage)?;
            let origin = Origin {
                format: "OFAC SDN list, legacy CSV".into(),
                files: std::iter::once(sdn).chain(alt).collect(),
            };
            (
                entries,
                origin,
                out.out,
                out.id.unwrap_or_else(|| "ofac-sdn-entities".into()),
            )
        }
        Format::Csv {
            file,
            name_column,
            alias_column,
            alias_separator,
            id_column,
            out,
        } => {
            let columns = import::csv::Columns {
                name: &name_column,
                aliases: &alias_column,
                id: id_column.as_deref(),
                alias_separator: &alias_separator,
            };
            let entries = import::csv::read(&file, &columns, &mut report).map_err(usage)?;
            let id = out.id.unwrap_or_else(|| id_from(&file));
            let origin = Origin {
                format: format!("CSV, name column {name_column:?}"),
                files: vec![file],
            };
            (entries, origin, out.out, id)
        }
    };
    if !wirewatch_matcher::diag::valid_id(&id) {
        return Err(Failure::Usage(vec![format!(
            "--id {id:?} is not valid: use lowercase letters, digits and '-'"
        )]));
    }
    let entries = import::clean(entries, &mut report);
    if entries.is_empty() {
        return Err(Failure::Usage(
            std::iter::once(format!(
                "nothing to import: no entity with a usable name; {} not written",
                out.display()
            ))
            .chain(report.lines())
            .collect(),
        ));
    }
    let text = import::render(&id, &origin, &report, &entries);
    import::write(&out, &text)?;
    eprintln!("wrote {} (list {id:?})", out.display());
    for line in report.lines() {
        eprintln!("{line}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn list_ids_from_file_names() {
        assert_eq!(
            super::id_from("x/Vendor Master (2026).csv".as_ref()),
            "vendor-master-2026"
        );
        assert_eq!(super::id_from("___.csv".as_ref()), "imported");
    }
}
