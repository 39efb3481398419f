//! From watchlist files to a checked, compiled [`Matcher`]: the one way in,
//! used by `check`, `backtest`, `run`, hot reload and `demo`.
//!
//! The matcher crate parses watchlist *text*; reading the files is the
//! daemon's job and lives here. A watchlist path is one `.toml` file or a
//! folder of them (not recursive, sorted by name).

use std::path::{Path, PathBuf};

use wirewatch_matcher::watchlist::{self, Watchlist};
use wirewatch_matcher::{Diagnostic, Matcher, Taxonomy};

/// Watchlist sources as (file name, contents).
pub type Sources = Vec<(PathBuf, String)>;

/// Lists the watchlist files of a path: the file itself, or every `*.toml`
/// in a folder (not recursive), sorted by name.
pub fn files_of(path: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let io_err = |e: std::io::Error| Diagnostic {
        file: path.display().to_string(),
        line: 0,
        message: format!("cannot read watchlists: {e}"),
        warning: false,
    };
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(io_err)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
            .collect();
        files.sort();
        Ok(files)
    } else {
        std::fs::metadata(path).map_err(io_err)?;
        Ok(vec![path.to_path_buf()])
    }
}

/// Reads every watchlist file of a path; every unreadable file is reported.
pub fn read(path: &Path) -> Result<Sources, Vec<Diagnostic>> {
    let files = files_of(path).map_err(|d| vec![d])?;
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        match std::fs::read_to_string(&file) {
            Ok(src) => sources.push((file, src)),
            Err(e) => errors.push(Diagnostic {
                file: file.display().to_string(),
                line: 0,
                message: format!("cannot read: {e}"),
                warning: false,
            }),
        }
    }
    if errors.is_empty() {
        Ok(sources)
    } else {
        Err(errors)
    }
}

/// Validates watchlist sources against the built-in taxonomy and, when
/// `channels` is given, the configured channel ids. Returns the watchlist
/// and its warnings, or every problem at once.
pub fn validate(
    sources: &[(PathBuf, String)],
    channels: Option<&[String]>,
) -> Result<(Watchlist, Vec<Diagnostic>), Vec<Diagnostic>> {
    watchlist::parse_checked(sources, Taxonomy::builtin(), channels)
}

/// Compiles a validated watchlist with the built-in taxonomy.
pub fn compile(watchlist: &Watchlist) -> Matcher {
    Matcher::compile(watchlist, Taxonomy::builtin())
}

/// Reads, validates and compiles the watchlists at `path`: [`read`], then
/// [`validate`], then [`compile`].
pub fn load(
    path: &Path,
    channels: Option<&[String]>,
) -> Result<(Matcher, Vec<Diagnostic>), Vec<Diagnostic>> {
    let sources = read(path)?;
    let (wl, warnings) = validate(&sources, channels)?;
    Ok((compile(&wl), warnings))
}
