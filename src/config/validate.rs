//! The generic validator every section is read with: a table's keys are
//! taken one by one as the type each wants (required, optional or with a
//! default), and whatever is left at the end is an unknown key, with a
//! "did you mean" hint.
//!
//! Invariants: every problem is collected, none stops the reading, and
//! each names its location and key path; a value whose key is secret
//! ([`is_secret_key`]) is shown as `[redacted]`, others are quoted and cut
//! at 40 characters.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::env::from_text;
use super::spans::{path_string, Locator, PathPart};
use super::ConfigError;

pub(super) struct Validator<'a> {
    pub(super) errors: Vec<ConfigError>,
    pub(super) locator: &'a Locator<'a>,
}

/// A table being read: keys are taken one by one, and whatever is left at
/// the end is an unknown key.
pub(super) struct Table {
    pub(super) path: Vec<PathPart>,
    pub(super) map: Map<String, Value>,
}

impl Validator<'_> {
    pub(super) fn error(&mut self, path: &[PathPart], message: impl Into<String>) {
        self.errors.push(ConfigError {
            location: self.locator.locate(path),
            key: path_string(path),
            message: message.into(),
        });
    }

    pub(super) fn table(&mut self, path: Vec<PathPart>, value: Option<Value>) -> Table {
        match value {
            None => Table {
                path,
                map: Map::new(),
            },
            Some(Value::Object(map)) => Table { path, map },
            Some(_) => {
                self.error(&path, "must be a table");
                Table {
                    path,
                    map: Map::new(),
                }
            }
        }
    }

    pub(super) fn child(t: &Table, key: &str) -> Vec<PathPart> {
        let mut p = t.path.clone();
        p.push(PathPart::Key(key.to_string()));
        p
    }

    /// Takes an optional key of type `T`. A value from the environment is
    /// text; it is read as a number, boolean or comma-separated list only
    /// when the key wants one.
    pub(super) fn opt<T: DeserializeOwned>(
        &mut self,
        t: &mut Table,
        key: &str,
        what: &str,
    ) -> Option<T> {
        let v = t.map.remove(key)?;
        match serde_json::from_value::<T>(v.clone()) {
            Ok(x) => Some(x),
            Err(_) => {
                if self.locator.env_var(&Self::child(t, key)).is_some() {
                    if let Some(x) = from_text::<T>(&v) {
                        return Some(x);
                    }
                }
                self.error(
                    &Self::child(t, key),
                    format!("{} is not valid: expected {what}", shown(key, &v)),
                );
                None
            }
        }
    }

    /// Takes a key with a default.
    pub(super) fn or<T: DeserializeOwned>(
        &mut self,
        t: &mut Table,
        key: &str,
        what: &str,
        default: T,
    ) -> T {
        if t.map.contains_key(key) {
            self.opt(t, key, what).unwrap_or(default)
        } else {
            default
        }
    }

    /// Takes a required key.
    pub(super) fn req<T: DeserializeOwned>(
        &mut self,
        t: &mut Table,
        key: &str,
        what: &str,
    ) -> Option<T> {
        if !t.map.contains_key(key) {
            self.error(&Self::child(t, key), format!("is required ({what})"));
            return None;
        }
        self.opt(t, key, what)
    }

    /// Bounds a number, so that later arithmetic on it (durations, sizes)
    /// cannot overflow: past `max` is an error and there is no value (a
    /// reported value is never also clamped into range).
    pub(super) fn at_most(
        &mut self,
        t: &Table,
        key: &str,
        value: u64,
        max: u64,
        unit: &str,
    ) -> Option<u64> {
        if value > max {
            self.error(
                &Self::child(t, key),
                format!("{value} is not valid: at most {max} {unit}"),
            );
            return None;
        }
        Some(value)
    }

    pub(super) fn non_empty(&mut self, t: &Table, key: &str, s: Option<String>) -> Option<String> {
        match s {
            Some(s) if s.trim().is_empty() => {
                self.error(&Self::child(t, key), "\"\" is not valid: empty");
                None
            }
            s => s,
        }
    }

    pub(super) fn finish(&mut self, t: Table, known: &[&str]) {
        for key in t.map.keys() {
            let mut p = t.path.clone();
            p.push(PathPart::Key(key.clone()));
            let hint = wirewatch_matcher::diag::did_you_mean(key, known.iter().copied());
            self.error(&p, format!("unknown key{hint}"));
        }
    }
}

/// Whether a key's value is (or may be) a secret: passwords, secrets,
/// tokens, keys, credentials, and every SASL setting. Such values are
/// never shown in errors.
pub fn is_secret_key(name: &str) -> bool {
    let n = name.to_lowercase().replace('_', ".");
    n.starts_with("sasl.")
        || ["passw", "secret", "token", "credential", "key"]
            .iter()
            .any(|w| n.contains(w))
}

/// A value as shown in an error about `key`: `[redacted]` for a secret.
pub(super) fn shown(key: &str, v: &Value) -> String {
    if is_secret_key(key) {
        "[redacted]".into()
    } else {
        short(v)
    }
}

/// A value as shown in an error: strings quoted, long values cut.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}...", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}
