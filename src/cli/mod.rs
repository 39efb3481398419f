//! The commands of contracts §4: `run`, `check`, `backtest`, `demo` (and
//! `health` for container probes).

pub mod backtest;
pub mod check;
pub mod demo;
pub mod outbox;
pub mod run;

use std::path::Path;

use crate::config::{self, Config};
use crate::matcher::{self, watchlist, Diagnostic, Matcher};

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
    // Even when the config has errors, check the watchlists it names.
    let watchlists = config.as_ref().map(|c| c.watchlists.clone()).or_else(|| {
        let src = std::fs::read_to_string(path).ok()?;
        let table: toml::Table = toml::from_str(&src).ok()?;
        let w = table.get("watchlists")?.as_str()?;
        Some(path.parent().unwrap_or(Path::new(".")).join(w))
    });
    let mut loaded = None;
    if let Some(w) = watchlists {
        match watchlist::load(&w, matcher::Taxonomy::builtin()) {
            Ok((wl, warnings)) => loaded = Some((wl, warnings)),
            Err(diags) => problems.extend(diags.iter().map(ToString::to_string)),
        }
    }
    if let (Some(c), Some((wl, _))) = (&config, &loaded) {
        let ids: Vec<String> = c.channels.iter().map(|c| c.id.clone()).collect();
        problems.extend(
            watchlist::check_channels(wl, &ids)
                .iter()
                .map(ToString::to_string),
        );
    }
    match (config, loaded) {
        (Some(c), Some((wl, warnings))) if problems.is_empty() => {
            let m = Matcher::compile(&wl, matcher::Taxonomy::builtin());
            Ok((c, m, warnings))
        }
        _ => Err(problems),
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
