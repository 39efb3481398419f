//! The shape of a watchlist file as written: `[[rule]]`, `[[list]]`,
//! `[[agency]]` and `[[action]]` tables, deserialized with the spans of the values a
//! diagnostic points at. Nothing here is checked beyond the shape; the
//! parent module validates and turns it into a [`super::Watchlist`].
//!
//! Invariants: unknown keys are errors (`deny_unknown_fields`), so a typo
//! is reported, not ignored; a company is a bare name or a table with
//! `name` and optional `aliases`, `source_id`, `common_word` and `short`,
//! and each company keeps its own position (a list may hold a million).

use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    #[serde(default)]
    pub(super) rule: Vec<Spanned<RawRule>>,
    #[serde(default)]
    pub(super) list: Vec<Spanned<RawList>>,
    #[serde(default)]
    pub(super) agency: Vec<Spanned<RawAgency>>,
    #[serde(default)]
    pub(super) action: Vec<Spanned<RawAction>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    pub(super) id: Spanned<String>,
    #[serde(default)]
    pub(super) description: Option<String>,
    #[serde(default)]
    pub(super) companies: Option<Spanned<Vec<Spanned<RawCompany>>>>,
    #[serde(default)]
    pub(super) lists: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) agencies: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) actions: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) exclude: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) status: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) severity: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) notify: Vec<Spanned<String>>,
}

/// A named company list (`[[list]]`), shared by the rules that name it
/// in `lists`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawList {
    pub(super) id: Spanned<String>,
    #[serde(default)]
    #[allow(dead_code)] // For people reading the file; nothing matches on it.
    pub(super) description: Option<String>,
    pub(super) companies: Spanned<Vec<Spanned<RawCompany>>>,
}

/// A company: a bare name, or a table. Deserialized by hand rather than as
/// an untagged enum, which would buffer the value and lose the position
/// each company's diagnostics point at.
pub(super) enum RawCompany {
    Name(String),
    Full(RawCompanyFull),
}

impl<'de> Deserialize<'de> for RawCompany {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawCompany;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a company name or a table with `name`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawCompany, E> {
                Ok(RawCompany::Name(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<RawCompany, A::Error> {
                RawCompanyFull::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(RawCompany::Full)
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCompanyFull {
    pub(super) name: String,
    #[serde(default)]
    pub(super) aliases: Vec<String>,
    /// The entry's id in the list it was imported from ("ofac-sdn:12345").
    #[serde(default)]
    pub(super) source_id: Option<String>,
    /// `"ok"`: the user knows a name is a common word.
    #[serde(default)]
    pub(super) common_word: Option<String>,
    /// `"ok"`: the user knows an alias is a short acronym.
    #[serde(default)]
    pub(super) short: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAgency {
    pub(super) id: Spanned<String>,
    pub(super) names: Vec<String>,
    #[serde(default)]
    pub(super) not: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAction {
    pub(super) id: Spanned<String>,
    pub(super) phrases: Vec<String>,
    #[serde(default)]
    pub(super) not: Vec<String>,
}
