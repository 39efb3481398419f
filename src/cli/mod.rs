//! The commands: `run`, `check`, `backtest`, `demo`, `outbox`, `silence`,
//! `feedback`, `import`, `console hash-password` (and `health` for
//! container probes); their contract is in
//! `../shared/design/contracts.md`.

pub mod backtest;
pub mod check;
pub mod console;
pub mod demo;
pub mod feedback;
pub mod import;
pub mod outbox;
pub mod run;
pub mod silence;

use std::path::Path;

use crate::config::{self, Config};
use crate::watchlists;
use wirewatch_matcher::{Diagnostic, Matcher};

/// Why a command failed: bad input (exit 64, each line printed), a store
/// that cannot be read as it is (exit 65: a restart cannot fix it either),
/// or anything else (exit 1).
#[derive(Debug)]
pub enum Failure {
    Usage(Vec<String>),
    Data(anyhow::Error),
    Other(anyhow::Error),
}

impl From<crate::store::StoreError> for Failure {
    fn from(e: crate::store::StoreError) -> Self {
        use crate::store::StoreError;
        match e {
            StoreError::Damaged { .. }
            | StoreError::Newer { .. }
            | StoreError::Unrepairable { .. } => Failure::Data(e.into()),
            e => Failure::Other(e.into()),
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

/// The environment as the config loader sees it.
pub fn environment() -> Vec<(String, String)> {
    std::env::vars().collect()
}

/// Loads the config and its watchlists, with every problem of both.
/// Returns warnings alongside on success.
pub fn load_all(path: &Path) -> Result<(Config, Matcher, Vec<Diagnostic>), Vec<String>> {
    let mut problems = Vec::new();
    let config = match config::load(path, &environment()) {
        Ok(c) => Some(c),
        Err(errors) => {
            problems.extend(errors.iter().map(ToString::to_string));
            None
        }
    };
    // Even when the config has errors, check the watchlists it names, and
    // the channels their rules notify against the channels it defines.
    let raw: Option<toml_edit::DocumentMut> = match &config {
        Some(_) => None,
        None => std::fs::read_to_string(path)
            .ok()
            .and_then(|src| src.parse().ok()),
    };
    let watchlists = config.as_ref().map(|c| c.watchlists.clone()).or_else(|| {
        let w = raw.as_ref()?.get("watchlists")?.as_str()?;
        Some(path.parent().unwrap_or(Path::new(".")).join(w))
    });
    let channels: Option<Vec<String>> = match &config {
        Some(c) => Some(c.channels.iter().map(|c| c.id.clone()).collect()),
        None => raw.as_ref().and_then(raw_channel_ids),
    };
    let mut loaded = None;
    if let Some(w) = watchlists {
        match watchlists::load(&w, channels.as_deref()) {
            Ok(ok) => loaded = Some(ok),
            Err(diags) => problems.extend(diags.iter().map(ToString::to_string)),
        }
    }
    match (config, loaded) {
        (Some(c), Some((m, warnings))) if problems.is_empty() => Ok((c, m, warnings)),
        _ => Err(problems),
    }
}

/// The channel ids of a config that did not load, read from its raw TOML
/// (`[[channel]] id = ...`); none when any channel has no readable id, so
/// that a broken channel table does not turn into "unknown channel" noise.
fn raw_channel_ids(raw: &toml_edit::DocumentMut) -> Option<Vec<String>> {
    let id = |t: &dyn toml_edit::TableLike| Some(t.get("id")?.as_str()?.to_string());
    match raw.get("channel") {
        None => Some(Vec::new()),
        Some(toml_edit::Item::ArrayOfTables(channels)) => channels.iter().map(|t| id(t)).collect(),
        Some(item) => item
            .as_array()?
            .iter()
            .map(|v| id(v.as_inline_table()?))
            .collect(),
    }
}

/// `wirewatch health`: GET a URL, succeed on 2xx.
pub async fn health(url: &str) -> Result<(), Failure> {
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(4))
        .build()
        .map_err(|e| Failure::Other(e.into()))?;
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|e| Failure::Other(e.into()))?;
    if response.status().is_success() {
        println!("{}", response.status());
        Ok(())
    } else {
        Err(Failure::Other(anyhow::anyhow!(
            "{url} answered {}",
            response.status()
        )))
    }
}
