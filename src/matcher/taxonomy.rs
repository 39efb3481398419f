//! The built-in taxonomy of agencies, actions and role cues, compiled in from
//! `taxonomy/*.toml`. User watchlists extend it with `[[agency]]` and
//! `[[action]]` tables of the same shape.

use std::sync::OnceLock;

use serde::Deserialize;

/// An agency: its id and the names, acronyms and metonyms that refer to it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyDef {
    pub id: String,
    pub names: Vec<String>,
    /// Phrases in which a name means something else ("Treasury yields").
    #[serde(default)]
    pub not: Vec<String>,
}

/// An action type: the phrases that express it, and phrases in which those
/// words carry another sense (`not`), which veto a phrase match inside them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionDef {
    pub id: String,
    pub phrases: Vec<String>,
    #[serde(default)]
    pub not: Vec<String>,
}

/// Cues for a company's role and for references back to it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roles {
    /// Phrases ending just before a company mention that put it in another
    /// role ("according to", "analysts at").
    #[serde(default)]
    pub before: Vec<String>,
    /// Phrases starting just after a company mention that put it in another
    /// role ("analyst", "researchers").
    #[serde(default)]
    pub after: Vec<String>,
    /// Phrases that refer back to the company of the previous sentence.
    #[serde(default)]
    pub references: Vec<String>,
}

/// Agencies, actions and role cues known without any watchlist.
#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    pub agencies: Vec<AgencyDef>,
    pub actions: Vec<ActionDef>,
    pub roles: Roles,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgencyFile {
    agency: Vec<AgencyDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionFile {
    action: Vec<ActionDef>,
}

impl Taxonomy {
    /// The built-in taxonomy. The files are part of the binary and covered by
    /// tests, so a parse failure is a build defect, not bad input.
    pub fn builtin() -> &'static Taxonomy {
        static BUILTIN: OnceLock<Taxonomy> = OnceLock::new();
        BUILTIN.get_or_init(|| Taxonomy {
            agencies: toml::from_str::<AgencyFile>(include_str!("../../taxonomy/agencies.toml"))
                .expect("taxonomy/agencies.toml is valid")
                .agency,
            actions: toml::from_str::<ActionFile>(include_str!("../../taxonomy/actions.toml"))
                .expect("taxonomy/actions.toml is valid")
                .action,
            roles: toml::from_str(include_str!("../../taxonomy/roles.toml"))
                .expect("taxonomy/roles.toml is valid"),
        })
    }

    pub fn agency(&self, id: &str) -> Option<&AgencyDef> {
        self.agencies.iter().find(|a| a.id == id)
    }

    pub fn action(&self, id: &str) -> Option<&ActionDef> {
        self.actions.iter().find(|a| a.id == id)
    }

    pub fn agency_ids(&self) -> impl Iterator<Item = &str> {
        self.agencies.iter().map(|a| a.id.as_str())
    }

    pub fn action_ids(&self) -> impl Iterator<Item = &str> {
        self.actions.iter().map(|a| a.id.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Contracts §2 lists these ids; every one must be built in.
    #[test]
    fn covers_every_contract_id() {
        let t = Taxonomy::builtin();
        for id in [
            "us-commerce",
            "us-treasury",
            "us-justice",
            "us-sec",
            "us-ftc",
            "us-fcc",
            "us-state",
            "us-cfius",
            "eu-commission",
            "eu-council",
            "uk-ofsi",
            "uk-cma",
            "uk-fca",
            "un-security-council",
            "cn-mofcom",
        ] {
            assert!(t.agency(id).is_some_and(|a| !a.names.is_empty()), "{id}");
        }
        for id in [
            "sanction",
            "export-control",
            "ban",
            "fine",
            "lawsuit",
            "investigation",
            "exit",
            "acquisition",
            "breach",
        ] {
            assert!(t.action(id).is_some_and(|a| !a.phrases.is_empty()), "{id}");
        }
        assert!(!t.roles.references.is_empty());
    }
}
