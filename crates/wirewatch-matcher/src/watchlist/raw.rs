//! The shape of a watchlist file as written: `[[rule]]`, `[[agency]]` and
//! `[[action]]` tables, deserialized with the spans of the values a
//! diagnostic points at. Nothing here is checked beyond the shape; the
//! parent module validates and turns it into a [`super::Watchlist`].
//!
//! Invariants: unknown keys are errors (`deny_unknown_fields`), so a typo
//! is reported, not ignored; a company is a bare name or a table with
//! `name` and optional `aliases`.

use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    #[serde(default)]
    pub(super) rule: Vec<Spanned<RawRule>>,
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
    pub(super) companies: Spanned<Vec<RawCompany>>,
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

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawCompany {
    Name(String),
    Full(RawCompanyFull),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCompanyFull {
    pub(super) name: String,
    #[serde(default)]
    pub(super) aliases: Vec<String>,
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
