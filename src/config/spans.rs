//! Where a key was set: the TOML file's syntax check, key paths
//! (`kafka.properties.x`, `channel[1].id`), and the locator that finds a
//! key's line in the file by its span, or the environment variable that
//! overrode it. Every diagnostic's location comes from here.
//!
//! Invariant: a location never quotes the file's text, so a secret on the
//! offending line never reaches an error.

use std::collections::HashMap;

use super::{ConfigError, ENV_PREFIX};

/// The file parsed with its spans, or its TOML syntax error by line and
/// column with the parser's message only: the error's own rendering quotes
/// the offending line, which may hold a secret. (`toml_edit` is the parser
/// the `toml` crate itself uses, so the message and span are the ones
/// `toml::from_str` gave here before.)
pub(super) fn parse<'a>(
    file: &str,
    src: &'a str,
) -> Result<toml_edit::ImDocument<&'a str>, ConfigError> {
    toml_edit::ImDocument::parse(src).map_err(|e| syntax_error(file, src, &e))
}

fn syntax_error(file: &str, src: &str, e: &toml_edit::TomlError) -> ConfigError {
    let (line, col) = e.span().map_or((1, 1), |s| {
        let line = wirewatch_matcher::diag::line_of(src, s.start);
        let line_start = src[..s.start.min(src.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        (line, s.start.saturating_sub(line_start) + 1)
    });
    ConfigError {
        location: format!("{file}:{line}:{col}"),
        key: String::new(),
        message: format!("TOML syntax error: {}", e.message().trim_end()),
    }
}

/// Finds where a key was set: the environment variable that overrides it,
/// or its line in the file.
pub(super) struct Locator<'a> {
    file: &'a str,
    doc: toml_edit::ImDocument<&'a str>,
    src: &'a str,
    env: Vec<(String, String)>,
    /// Keys set from the environment (`path_string`) and their variable.
    pub(super) env_paths: HashMap<String, String>,
}

impl<'a> Locator<'a> {
    pub(super) fn new(
        file: &'a str,
        src: &'a str,
        doc: toml_edit::ImDocument<&'a str>,
        env: &[(String, String)],
    ) -> Locator<'a> {
        Locator {
            file,
            doc,
            src,
            env: env.to_vec(),
            env_paths: Default::default(),
        }
    }

    /// The environment variable that set the key at `path`, if one did.
    pub(super) fn env_var(&self, path: &[PathPart]) -> Option<String> {
        if let Some(var) = self.env_paths.get(&path_string(path)) {
            return Some(var.clone());
        }
        let env_name = format!(
            "{ENV_PREFIX}__{}",
            path.iter()
                .filter_map(|p| match p {
                    PathPart::Key(k) => Some(k.to_uppercase()),
                    PathPart::Index(_) => None,
                })
                .collect::<Vec<_>>()
                .join("__")
        );
        (!path.iter().any(|p| matches!(p, PathPart::Index(_)))
            && self.env.iter().any(|(k, _)| k == &env_name))
        .then_some(env_name)
    }

    pub(super) fn locate(&self, path: &[PathPart]) -> String {
        if let Some(var) = self.env_var(path) {
            return format!("environment {var}");
        }
        let line = self.line(path).unwrap_or(1);
        format!("{}:{}", self.file, line)
    }

    fn line(&self, path: &[PathPart]) -> Option<usize> {
        let pos = find_in(self.doc.as_table(), path, None)?;
        Some(wirewatch_matcher::diag::line_of(self.src, pos))
    }

    pub(super) fn env_value(&self, name: &str) -> Option<String> {
        self.env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

/// The byte offset of the deepest part of `path` that exists in `table`.
fn find_in(
    table: &dyn toml_edit::TableLike,
    path: &[PathPart],
    best: Option<usize>,
) -> Option<usize> {
    let Some((PathPart::Key(k), rest)) = path.split_first() else {
        return best;
    };
    let Some((key, item)) = table.get_key_value(k) else {
        return best;
    };
    let best = key.span().map(|s| s.start).or(best);
    match rest.split_first() {
        Some((PathPart::Index(i), rest)) => {
            if let Some(t) = item.as_array_of_tables().and_then(|a| a.get(*i)) {
                find_in(t, rest, t.span().map(|s| s.start).or(best))
            } else {
                item.as_array()
                    .and_then(|a| a.get(*i))
                    .and_then(|v| v.span())
                    .map(|s| s.start)
                    .or(best)
            }
        }
        Some(_) => match item.as_table_like() {
            Some(t) => find_in(t, rest, best),
            None => best,
        },
        None => best,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum PathPart {
    Key(String),
    Index(usize),
}

pub(super) fn path_string(path: &[PathPart]) -> String {
    let mut s = String::new();
    for p in path {
        match p {
            PathPart::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            PathPart::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}
