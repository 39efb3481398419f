//! The environment overlay: `WIREWATCH__SECTION__KEY` variables over the
//! file's values (merged by the `config` crate), and
//! `WIREWATCH__CHANNEL__<ID>__<KEY>` variables applied to the channel with
//! that id (channels are a list, which a key path cannot index).
//!
//! Invariant: every value from the environment stays the text it was; it
//! is read as a number, boolean or list only where the key wants one
//! ([`from_text`]), so "007123" as a password never becomes 7123.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::spans::{path_string, Locator, PathPart};
use super::{ConfigError, ENV_PREFIX};

/// The file's values with the `WIREWATCH__SECTION__KEY` variables of `env`
/// over them (all but the channel ones: see [`apply_channel_overrides`]).
pub(super) fn overlay(
    file: &str,
    src: &str,
    env: &[(String, String)],
) -> Result<Value, ConfigError> {
    let channel_prefix = format!("{ENV_PREFIX}__CHANNEL__");
    let env_map: std::collections::HashMap<String, String> = env
        .iter()
        .filter(|(k, _)| {
            k.starts_with(&format!("{ENV_PREFIX}__")) && !k.starts_with(&channel_prefix)
        })
        .cloned()
        .collect();
    let merged = config::Config::builder()
        .add_source(config::File::from_str(src, config::FileFormat::Toml))
        .add_source(
            config::Environment::with_prefix(ENV_PREFIX)
                .prefix_separator("__")
                .separator("__")
                // Every value stays the text it was: "007123" as a password
                // must not reach librdkafka as 7123. Numbers, booleans and
                // lists are read from that text only where the key wants
                // one (`Validator::opt`).
                .try_parsing(false)
                .source(Some(env_map)),
        )
        .build()
        .and_then(|c| c.try_deserialize::<Value>());
    merged.map_err(|e| ConfigError {
        location: file.to_string(),
        key: String::new(),
        message: e.to_string(),
    })
}

/// Applies every `WIREWATCH__CHANNEL__<ID>__<KEY>` variable to its channel,
/// noting in `locator` which variable set which key; returns the variables
/// that name no configured channel.
pub(super) fn apply_channel_overrides(
    value: &mut Value,
    env: &[(String, String)],
    locator: &mut Locator<'_>,
) -> Vec<String> {
    let channel_prefix = format!("{ENV_PREFIX}__CHANNEL__");
    let mut unmatched = Vec::new();
    for (k, v) in env.iter().filter(|(k, _)| k.starts_with(&channel_prefix)) {
        match apply_channel_override(value, &k[channel_prefix.len()..], v) {
            Some(path) => {
                locator.env_paths.insert(path_string(&path), k.clone());
            }
            None => unmatched.push(k.clone()),
        }
    }
    unmatched
}

/// Applies `ID__KEY=value` to the channel whose id matches `ID`; returns
/// the path of the key it set. The value stays text (see `Validator::opt`).
fn apply_channel_override(root: &mut Value, rest: &str, value: &str) -> Option<Vec<PathPart>> {
    let (id, key) = rest.split_once("__")?;
    let channels = root.get_mut("channel").and_then(Value::as_array_mut)?;
    for (i, c) in channels.iter_mut().enumerate() {
        let matches = c
            .get("id")
            .and_then(Value::as_str)
            .is_some_and(|cid| cid.to_uppercase().replace('-', "_") == id);
        if let (true, Some(obj)) = (matches, c.as_object_mut()) {
            let key = key.to_lowercase();
            obj.insert(key.clone(), Value::String(value.to_string()));
            return Some(vec![
                PathPart::Key("channel".into()),
                PathPart::Index(i),
                PathPart::Key(key),
            ]);
        }
    }
    None
}

/// An environment value (text) as the typed value a key wants: an
/// integer, a finite number, a boolean (any case), or a comma-separated
/// list of strings.
pub(super) fn from_text<T: DeserializeOwned>(v: &Value) -> Option<T> {
    let s = v.as_str()?.trim();
    let candidates = [
        s.parse::<u64>().ok().map(Value::from),
        s.parse::<i64>().ok().map(Value::from),
        s.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Value::from),
        s.to_lowercase().parse::<bool>().ok().map(Value::Bool),
        Some(Value::Array(
            s.split(',')
                .map(|x| Value::String(x.trim().to_string()))
                .collect(),
        )),
    ];
    candidates
        .into_iter()
        .flatten()
        .find_map(|c| serde_json::from_value::<T>(c).ok())
}
