//! OpenSanctions' FollowTheMoney entities, one JSON object a line
//! (`entities.ftm.json`): `{"id", "schema", "properties": {"name": [...],
//! "alias": [...], "weakAlias": [...], "previousName": [...]}}`.
//!
//! Kept: the schemas of organised entities (Company, Organization,
//! LegalEntity, PublicBody, Vessel, Airplane). Skipped, with counts:
//! Person, and every schema that is not a named entity (Address,
//! Sanction, Ownership, Identification...). Every name in every script is
//! kept: the first `name` (the `caption`, when it is one) is the entry's name, the other names, `alias`
//! and `previousName` its aliases; `weakAlias` is left out (the source
//! itself says it is unreliable) and counted. The entry's `source_id` is
//! `opensanctions:ID`.
//!
//! Invariants: a line that is not a JSON object, or lacks `id` or
//! `schema`, is an error at its line; blank lines are allowed.

use std::io::BufRead;
use std::path::Path;

use serde::Deserialize;

use super::{Entry, Malformed, Report, WEAK};

/// The schemas imported: FollowTheMoney's organised, named entities.
const ENTITY_SCHEMAS: &[&str] = &[
    "Company",
    "Organization",
    "LegalEntity",
    "PublicBody",
    "Vessel",
    "Airplane",
];

#[derive(Deserialize)]
struct Entity {
    id: String,
    schema: String,
    /// The name OpenSanctions shows for the entity, when exported.
    #[serde(default)]
    caption: Option<String>,
    #[serde(default)]
    properties: Properties,
}

#[derive(Deserialize, Default)]
struct Properties {
    #[serde(default)]
    name: Vec<String>,
    #[serde(default)]
    alias: Vec<String>,
    #[serde(default, rename = "weakAlias")]
    weak_alias: Vec<String>,
    #[serde(default, rename = "previousName")]
    previous_name: Vec<String>,
}

pub fn read(path: &Path, report: &mut Report) -> anyhow::Result<Vec<Entry>> {
    let file = std::fs::File::open(path)
        .map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", path.display()))?;
    let mut entries = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let n = i as u64 + 1;
        let line =
            line.map_err(|e| Malformed::new(path, n, format!("cannot read the line: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let entity: Entity = serde_json::from_str(&line).map_err(|e| {
            Malformed::new(
                path,
                n,
                format!("not a FollowTheMoney entity (one JSON object a line with id, schema and properties): {e}"),
            )
        })?;
        if entity.schema == "Person" {
            report.skip("Person entities");
            continue;
        }
        if !ENTITY_SCHEMAS.contains(&entity.schema.as_str()) {
            report.skip(format!(
                "{} entities (not a named organisation)",
                entity.schema
            ));
            continue;
        }
        report.read += 1;
        let p = entity.properties;
        for _ in &p.weak_alias {
            report.leave_out(WEAK);
        }
        // The caption first, when it is one of the names: the name the
        // source displays is the alert's.
        let mut names = p.name;
        if let Some(at) = entity
            .caption
            .as_ref()
            .and_then(|c| names.iter().position(|n| n == c))
        {
            let caption = names.remove(at);
            names.insert(0, caption);
        }
        let mut names = names.into_iter();
        let Some(name) = names.next() else {
            report.leave_out(super::NO_NAME);
            continue;
        };
        entries.push(Entry {
            name,
            aliases: names.chain(p.alias).chain(p.previous_name).collect(),
            source_id: Some(format!("opensanctions:{}", entity.id)),
        });
    }
    Ok(entries)
}
