//! A proposed change written into the rule's watchlist file, and the
//! unified diff between the file and the changed text.
//!
//! The file is edited as TOML (`toml_edit` keeps every comment, key order
//! and format it does not touch), never by string search, so a rule laid
//! out in any valid way is found and only its own array changes.

use std::path::Path;

use toml_edit::{Array, DocumentMut, Item, Table, Value};

use super::propose::Change;

/// Why a change could not be written into a file.
#[derive(Debug, thiserror::Error)]
pub enum PatchError {
    #[error("{file}: not TOML: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: no [[rule]] with id {rule:?}")]
    NoRule { file: String, rule: String },
    #[error("{file}: rule {rule:?}: {what}")]
    Shape {
        file: String,
        rule: String,
        what: String,
    },
}

/// `source` (the text of watchlist `file`) with `change` made to rule
/// `rule_id`.
pub fn apply(
    file: &Path,
    source: &str,
    rule_id: &str,
    change: &Change,
) -> Result<String, PatchError> {
    let name = file.display().to_string();
    let shape = |what: String| PatchError::Shape {
        file: name.clone(),
        rule: rule_id.to_string(),
        what,
    };
    let mut doc: DocumentMut =
        source
            .parse()
            .map_err(|e: toml_edit::TomlError| PatchError::Syntax {
                file: name.clone(),
                message: e.message().to_string(),
            })?;
    let table = rule_table(&mut doc, rule_id).ok_or_else(|| PatchError::NoRule {
        file: name.clone(),
        rule: rule_id.to_string(),
    })?;
    match change {
        Change::AddExclude { phrase } => match table.get_mut("exclude") {
            None => {
                let mut a = Array::new();
                a.push(phrase.as_str());
                table.insert("exclude", Item::Value(Value::Array(a)));
            }
            Some(item) => item
                .as_array_mut()
                .ok_or_else(|| shape("exclude is not an array".into()))?
                .push(phrase.as_str()),
        },
        Change::DropAlias { company, alias } => {
            let companies = table
                .get_mut("companies")
                .and_then(Item::as_array_mut)
                .ok_or_else(|| shape("companies is not an array".into()))?;
            let aliases = companies
                .iter_mut()
                .filter_map(Value::as_inline_table_mut)
                .find(|t| t.get("name").and_then(Value::as_str).map(str::trim) == Some(company))
                .and_then(|t| t.get_mut("aliases"))
                .and_then(Value::as_array_mut)
                .ok_or_else(|| shape(format!("no company {company:?} with aliases")))?;
            remove_str(aliases, alias).ok_or_else(|| shape(format!("no alias {alias:?}")))?;
        }
        Change::DropAgency { agency } => remove_from(table, "agencies", agency).map_err(shape)?,
        Change::DropAction { action } => remove_from(table, "actions", action).map_err(shape)?,
    }
    Ok(doc.to_string())
}

/// The `[[rule]]` table with id `rule_id`.
fn rule_table<'d>(doc: &'d mut DocumentMut, rule_id: &str) -> Option<&'d mut Table> {
    doc.get_mut("rule")?
        .as_array_of_tables_mut()?
        .iter_mut()
        .find(|t| t.get("id").and_then(Item::as_str) == Some(rule_id))
}

fn remove_from(table: &mut Table, key: &str, value: &str) -> Result<(), String> {
    let array = table
        .get_mut(key)
        .and_then(Item::as_array_mut)
        .ok_or_else(|| format!("{key} is not an array"))?;
    remove_str(array, value).ok_or_else(|| format!("{key} has no {value:?}"))
}

/// Removes the string `value` (compared trimmed) from `array`, keeping
/// the layout: the element after a removed first one takes its place's
/// leading space.
fn remove_str(array: &mut Array, value: &str) -> Option<()> {
    let i = array
        .iter()
        .position(|v| v.as_str().map(str::trim) == Some(value))?;
    let removed = array.remove(i);
    if i == 0 {
        let prefix = removed
            .decor()
            .prefix()
            .and_then(|p| p.as_str())
            .unwrap_or("")
            .to_string();
        if let Some(first) = array.get_mut(0) {
            first.decor_mut().set_prefix(prefix);
        }
    }
    Some(())
}

/// The unified diff (`diff -u`) from `before` to `after`, both the text of
/// `file`, with three lines of context: `patch -p0 < it` applies it.
pub fn unified_diff(file: &Path, before: &str, after: &str) -> String {
    let name = file.display().to_string();
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&name, &name)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"# Sanctions rules.
[[rule]]
id = "other"
companies = ["Zeta"]
actions = ["ban"]

[[rule]]
id = "acme"   # the one
companies = [
  "Acme",
  { name = "Beta", aliases = ["Beta Corp", "Roadrunner"] },
]
agencies = ["us-commerce", "us-treasury"]
actions = ["sanction", "fine"]
severity = "high"
"#;

    fn patched(change: Change) -> String {
        apply(Path::new("w.toml"), FILE, "acme", &change).unwrap()
    }

    #[test]
    fn each_change_touches_only_its_rules_array() {
        let added = patched(Change::AddExclude {
            phrase: "analysts at".into(),
        });
        assert_eq!(
            added,
            FILE.replace(
                "severity = \"high\"\n",
                "severity = \"high\"\nexclude = [\"analysts at\"]\n"
            )
        );
        let again = apply(
            Path::new("w.toml"),
            &added,
            "acme",
            &Change::AddExclude {
                phrase: "fine dining".into(),
            },
        )
        .unwrap();
        assert!(
            again.contains("exclude = [\"analysts at\", \"fine dining\"]"),
            "{again}"
        );
        assert_eq!(
            patched(Change::DropAlias {
                company: "Beta".into(),
                alias: "Beta Corp".into()
            }),
            FILE.replace("[\"Beta Corp\", \"Roadrunner\"]", "[\"Roadrunner\"]")
        );
        assert_eq!(
            patched(Change::DropAgency {
                agency: "us-treasury".into()
            }),
            FILE.replace("[\"us-commerce\", \"us-treasury\"]", "[\"us-commerce\"]")
        );
        assert_eq!(
            patched(Change::DropAction {
                action: "sanction".into()
            }),
            FILE.replace("[\"sanction\", \"fine\"]", "[\"fine\"]")
        );
    }

    #[test]
    fn what_is_not_there_is_an_error_naming_it() {
        let err = apply(
            Path::new("w.toml"),
            FILE,
            "nope",
            &Change::DropAgency {
                agency: "us-sec".into(),
            },
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "w.toml: no [[rule]] with id \"nope\"");
        let err = apply(
            Path::new("w.toml"),
            FILE,
            "acme",
            &Change::DropAgency {
                agency: "us-sec".into(),
            },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "w.toml: rule \"acme\": agencies has no \"us-sec\""
        );
    }

    #[test]
    fn the_diff_is_unified_with_the_files_name() {
        let after = patched(Change::DropAgency {
            agency: "us-treasury".into(),
        });
        let diff = unified_diff(Path::new("rules/w.toml"), FILE, &after);
        assert_eq!(
            diff,
            "--- rules/w.toml\n+++ rules/w.toml\n@@ -10,6 +10,6 @@\n   \"Acme\",\n   { name = \"Beta\", aliases = [\"Beta Corp\", \"Roadrunner\"] },\n ]\n-agencies = [\"us-commerce\", \"us-treasury\"]\n+agencies = [\"us-commerce\"]\n actions = [\"sanction\", \"fine\"]\n severity = \"high\"\n"
        );
    }
}
