//! `wirewatch silence add|list|remove`: silences in the store file,
//! without the console.
//!
//! redb lets one process open the store, and the running daemon holds it,
//! so these commands run while the daemon is stopped: with it running they
//! refuse, saying so, and change nothing. The daemon's admin listener is
//! not offered as a way in: it has no authentication and is often opened
//! to the Prometheus scraper (the Kubernetes manifests expose it), and a
//! silence stops sanctions alerts; the console, with its tokens, is the
//! way to silence while the daemon runs. A silence set here applies once
//! the daemon starts: to alerts that arrive and to held deliveries (a
//! digest, quiet hours, a retry) when they fall due.

use std::path::Path;

use super::Failure;
use crate::config;
use crate::store::{now_ms, Silence, SilenceScope, Store, StoreError};

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Action {
    /// Silence a rule, a company within a rule, or a channel until a time.
    Add {
        /// The rule to silence (with --company: only its alerts about
        /// that company).
        #[arg(long, required_unless_present = "channel", conflicts_with = "channel")]
        rule: Option<String>,
        /// The watched company's canonical name (the `name` in the rule).
        #[arg(long, requires = "rule")]
        company: Option<String>,
        /// The channel to silence.
        #[arg(long)]
        channel: Option<String>,
        /// Until when: a duration from now ("8h", "7d") or an RFC 3339
        /// time ("2026-12-24T00:00:00Z").
        #[arg(long)]
        until: String,
        /// Why (shown in `silence list`).
        #[arg(long)]
        reason: String,
        /// Who sets it (default: $USER).
        #[arg(long)]
        by: Option<String>,
    },
    /// List active silences (with --all also ended and lifted ones).
    List {
        #[arg(long)]
        all: bool,
    },
    /// Lift a silence now. The alerts it held back stay silenced.
    Remove {
        /// The silence id (`sil_...`, from `silence list`).
        id: String,
        /// Who lifts it (default: $USER).
        #[arg(long)]
        by: Option<String>,
    },
}

/// Who runs the command: `--by`, else the login name.
fn who(by: Option<String>) -> Result<String, Failure> {
    by.or_else(|| std::env::var("SUDO_USER").ok())
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| {
            Failure::Usage(vec![
                "--by is required: no $USER to take the name from".into()
            ])
        })
}

/// `--until` as Unix ms: a duration from now or an RFC 3339 time.
fn until_ms(text: &str, now: i64) -> Result<i64, String> {
    if let Ok(d) = humantime::parse_duration(text) {
        return Ok(now.saturating_add(crate::store::ms(d)));
    }
    text.parse::<jiff::Timestamp>()
        .map(|t| t.as_millisecond())
        .map_err(|_| format!("--until {text:?} is not valid: expected a duration (\"8h\", \"7d\") or an RFC 3339 time (\"2026-12-24T00:00:00Z\")"))
}

fn time(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| ms.to_string())
}

/// One silence as `list` prints it.
fn line(s: &Silence, now: i64) -> String {
    let state = match (&s.lifted, s.active(now)) {
        (Some(l), _) => format!("lifted {} by {}", time(l.at_ms), l.by),
        (None, true) => format!("until {}", time(s.until_ms)),
        (None, false) => format!("ended {}", time(s.until_ms)),
    };
    format!(
        "{}  {}  {}  set {} by {}: {}",
        s.id,
        s.scope,
        state,
        time(s.created_ms),
        s.by,
        s.reason
    )
}

/// Opens the store, or says plainly that the daemon holds it.
fn open(dir: &Path) -> Result<Store, Failure> {
    Store::open(dir).map_err(|e| match e {
        StoreError::Open { ref message, .. } if message.contains("already open") => {
            Failure::Other(anyhow::anyhow!(
                "the daemon is running and holds the store {} (redb lets one process open it); nothing was changed. Stop the daemon, run this again, and start it: the silence then applies to alerts that arrive and to held deliveries when they fall due",
                dir.join(crate::store::FILE_NAME).display()
            ))
        }
        e => e.into(),
    })
}

pub fn run(config_path: &Path, action: Action) -> Result<(), Failure> {
    let cfg = config::load(config_path, &super::environment())
        .map_err(|e| Failure::Usage(e.iter().map(ToString::to_string).collect()))?;
    let now = now_ms();
    let other = |e: StoreError| Failure::from(e);
    match action {
        Action::Add {
            rule,
            company,
            channel,
            until,
            reason,
            by,
        } => {
            let by = who(by)?;
            let until = until_ms(&until, now).map_err(|e| Failure::Usage(vec![e]))?;
            let mut problems = Vec::new();
            if until <= now {
                problems.push(format!("--until {} is in the past", time(until)));
            }
            if reason.trim().is_empty() {
                problems
                    .push("--reason is empty: say why, for whoever reads `silence list`".into());
            }
            let scope = match (rule, company, channel) {
                (Some(rule), company, None) => {
                    // A rule id that no watchlist defines is a typo: it
                    // would silence nothing.
                    if let Ok(sources) = crate::watchlists::read(&cfg.watchlists) {
                        if let Ok((wl, _)) = crate::watchlists::validate(&sources, None) {
                            if !wl.rules.iter().any(|r| r.id == rule) {
                                problems.push(format!(
                                    "--rule {rule:?}: no such rule in {}",
                                    cfg.watchlists.display()
                                ));
                            }
                        }
                    }
                    match company {
                        Some(company) => SilenceScope::Company { rule, company },
                        None => SilenceScope::Rule { rule },
                    }
                }
                (None, None, Some(channel)) => {
                    if !cfg.channels.iter().any(|c| c.id == channel) {
                        problems.push(format!(
                            "--channel {channel:?}: no such channel in {}",
                            config_path.display()
                        ));
                    }
                    SilenceScope::Channel { channel }
                }
                _ => {
                    return Err(Failure::Usage(vec![
                        "give --rule (optionally with --company) or --channel".into(),
                    ]))
                }
            };
            if !problems.is_empty() {
                return Err(Failure::Usage(problems));
            }
            let store = open(&cfg.store_path)?;
            let s = store
                .add_silence(scope, until, &by, &reason)
                .map_err(other)?;
            println!("{}", line(&s, now));
        }
        Action::List { all } => {
            let store = open(&cfg.store_path)?;
            let list = store.silences(all).map_err(other)?;
            for s in &list {
                println!("{}", line(s, now));
            }
            println!(
                "{} silences{}",
                list.len(),
                if all { "" } else { " active" }
            );
        }
        Action::Remove { id, by } => {
            let by = who(by)?;
            let store = open(&cfg.store_path)?;
            match store.lift_silence(&id, &by).map_err(other)? {
                Some(s) => println!("{}\nthe alerts it held back stay silenced (`wirewatch outbox retry --alert ID` sends one)", line(&s, now)),
                None => {
                    return Err(Failure::Usage(vec![format!(
                        "no silence {id:?} (see `wirewatch silence list --all`)"
                    )]))
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::until_ms;

    #[test]
    fn until_is_a_duration_or_a_time() {
        assert_eq!(until_ms("8h", 1_000), Ok(1_000 + 8 * 3_600_000));
        assert_eq!(until_ms("7d", 0), Ok(7 * 86_400_000));
        assert_eq!(
            until_ms("2026-12-24T00:00:00Z", 0),
            Ok("2026-12-24T00:00:00Z"
                .parse::<jiff::Timestamp>()
                .unwrap()
                .as_millisecond())
        );
        assert!(until_ms("tomorrow", 0).unwrap_err().contains("--until"));
    }
}
