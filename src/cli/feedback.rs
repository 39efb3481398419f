//! `wirewatch feedback add|list|suggest`: "not relevant" marks in the
//! store file, and the watchlist changes they suggest ([`crate::feedback`]).
//!
//! Like `silence`, these open the store file, which the running daemon
//! holds (redb lets one process open it): with the daemon running they
//! refuse, saying so, and change nothing. `suggest` changes nothing in any
//! case: it prints each suggestion's diff, which the user applies (`patch
//! -p0`), and `check` and the daemon's reload take it from there.

use std::path::Path;

use super::Failure;
use crate::config;
use crate::feedback::{self, Options, RuleSuggestions};
use crate::store::{Feedback, FeedbackReason, Store, StoreError};

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Action {
    /// Mark an alert as not relevant, with why.
    Add {
        /// The alert id (`alrt_...`).
        alert_id: String,
        /// company_in_another_role, wrong_sense, wrong_agency, wrong_action,
        /// old_news, duplicate or other (other needs --note).
        #[arg(long)]
        reason: FeedbackReason,
        /// What is wrong, in words.
        #[arg(long)]
        note: Option<String>,
        /// Who marks it (default: $USER).
        #[arg(long)]
        by: Option<String>,
    },
    /// List the marks, newest first (all rules, or one).
    List {
        #[arg(long)]
        rule: Option<String>,
    },
    /// Propose watchlist changes from the marks, each as a diff with the
    /// alerts it would have removed. Changes nothing.
    Suggest {
        /// One rule (default: every rule with marks).
        #[arg(long)]
        rule: Option<String>,
        /// Marked alerts a change must rest on, at least.
        #[arg(long, default_value_t = Options::default().min_marks)]
        min_marks: usize,
        /// The suggestions as JSON, one object per rule.
        #[arg(long)]
        json: bool,
    },
}

/// Opens the store, or says plainly that the daemon holds it.
fn open(dir: &Path) -> Result<Store, Failure> {
    Store::open(dir).map_err(|e| match e {
        StoreError::Open { ref message, .. } if message.contains("already open") => {
            Failure::Other(anyhow::anyhow!(
                "the daemon is running and holds the store {} (redb lets one process open it); nothing was changed. Stop the daemon, run this again, and start it",
                dir.join(crate::store::FILE_NAME).display()
            ))
        }
        e => e.into(),
    })
}

fn time(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| ms.to_string())
}

/// One mark as `add` and `list` print it.
fn line(f: &Feedback) -> String {
    let note = f
        .note
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    format!(
        "{}  {}  {}{note}  by {} {}  {}: {}",
        f.alert_id,
        f.rule_id,
        f.reason.as_str(),
        f.by,
        time(f.at_ms),
        f.company,
        f.title
    )
}

pub fn run(config_path: &Path, action: Action) -> Result<(), Failure> {
    let cfg = config::load(config_path, &super::environment())
        .map_err(|e| Failure::Usage(e.iter().map(ToString::to_string).collect()))?;
    match action {
        Action::Add {
            alert_id,
            reason,
            note,
            by,
        } => {
            let by = super::silence::who(by)?;
            let store = open(&cfg.store_path)?;
            let mark = store
                .add_feedback(&alert_id, reason, note.as_deref(), &by)
                .map_err(|e| match e {
                    StoreError::Invalid(m) => Failure::Usage(vec![m]),
                    e => e.into(),
                })?;
            println!("{}", line(&mark));
        }
        Action::List { rule } => {
            let store = open(&cfg.store_path)?;
            let marks = match &rule {
                Some(r) => store.feedback(r)?,
                None => store.all_feedback()?,
            };
            for m in &marks {
                println!("{}", line(m));
            }
            println!("{} marks", marks.len());
        }
        Action::Suggest {
            rule,
            min_marks,
            json,
        } => {
            // Files named from the current folder, so that `patch -p0`
            // run here applies a diff (it refuses absolute names).
            let here = std::env::current_dir().ok();
            let sources: crate::watchlists::Sources = crate::watchlists::read(&cfg.watchlists)
                .map_err(|d| Failure::Usage(d.iter().map(ToString::to_string).collect()))?
                .into_iter()
                .map(|(file, text)| {
                    let relative = here
                        .as_deref()
                        .and_then(|h| file.strip_prefix(h).ok())
                        .map(Path::to_path_buf);
                    (relative.unwrap_or(file), text)
                })
                .collect();
            let options = Options {
                min_marks,
                ..Options::default()
            };
            let store = open(&cfg.store_path)?;
            let found = match &rule {
                Some(r) => vec![feedback::suggest(&store, &sources, r, &options).map_err(usage)?],
                None => feedback::suggest_marked(&store, &sources, &options).map_err(usage)?,
            };
            if json {
                for r in &found {
                    println!(
                        "{}",
                        serde_json::to_string(r).map_err(|e| Failure::Other(e.into()))?
                    );
                }
            } else {
                if found.is_empty() {
                    println!("no marks on any rule of {}", cfg.watchlists.display());
                }
                for r in &found {
                    print!("{}", report(r));
                }
            }
        }
    }
    Ok(())
}

fn usage(e: feedback::SuggestError) -> Failure {
    match e {
        feedback::SuggestError::Store(e) => e.into(),
        e => Failure::Usage(vec![e.to_string()]),
    }
}

/// A rule's suggestions as the terminal shows them.
fn report(r: &RuleSuggestions) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let reasons: Vec<String> = r.reasons.iter().map(|(k, v)| format!("{v} {k}")).collect();
    let _ = writeln!(
        out,
        "rule {} ({}:{}): {} stored alerts, {} marked not relevant{}",
        r.rule_id,
        r.file,
        r.line,
        r.alerts,
        r.marked,
        if reasons.is_empty() {
            String::new()
        } else {
            format!(" ({})", reasons.join(", "))
        }
    );
    let _ = writeln!(
        out,
        "  {} of them fire again under the rule as it stands{}; each suggestion is tried on those",
        r.rematched,
        if r.from_evidence > 0 {
            format!(
                " ({} matched from headline and evidence only: kept before the store kept article text)",
                r.from_evidence
            )
        } else {
            String::new()
        }
    );
    if r.suggestions.is_empty() {
        let _ = writeln!(
            out,
            "  no suggestion: no change the marks agree on removes a marked alert"
        );
    }
    for (i, s) in r.suggestions.iter().enumerate() {
        let _ = writeln!(out, "\nsuggestion {}: {}", i + 1, s.change);
        let _ = writeln!(out, "  why: {}", s.why);
        let _ = writeln!(
            out,
            "  backtest: before {} alerts ({} marked, {} unmarked); after {} ({} marked, {} unmarked)",
            s.before.alerts,
            s.before.marked,
            s.before.unmarked,
            s.after.alerts,
            s.after.marked,
            s.after.unmarked
        );
        for a in &s.removed {
            let _ = writeln!(
                out,
                "  removes  {}  [{}]  {}",
                a.alert_id,
                a.reasons.join(", "),
                a.title
            );
        }
        for a in &s.lost {
            let _ = writeln!(out, "  LOSES    {}  [unmarked]  {}", a.alert_id, a.title);
        }
        let _ = writeln!(out, "# {}:{}: rule {:?}", r.file, r.line, r.rule_id);
        out.push_str(&s.diff);
    }
    if !r.suggestions.is_empty() {
        let _ = writeln!(
            out,
            "\nnothing was changed: to take a suggestion, save its diff and run `patch -p0 < FILE`, then `wirewatch check`"
        );
    }
    out
}
