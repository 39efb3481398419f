//! `wirewatch outbox list|retry|purge|check|repair`: the operator's view of
//! the durable outbox. The store is locked by the running daemon, so these
//! run while it is stopped (or against a copy of the state folder).

use std::path::Path;

use super::Failure;
use crate::config;
use crate::store::{file, now_ms, Status, Store};

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Action {
    /// List deliveries (default: those not yet delivered).
    List {
        /// pending, delivered, dead, silenced or all.
        #[arg(long, default_value = "undelivered")]
        status: String,
    },
    /// Make dead deliveries due again (or every undelivered one of an alert).
    Retry {
        /// Only this alert.
        #[arg(long)]
        alert: Option<String>,
    },
    /// Forget finished alerts (delivered, dead or silenced) older than
    /// store.retention_days (the daemon also does this every hour).
    Purge {
        /// Older than this many hours instead; not less than
        /// store.retention_days (the console shows that much history).
        #[arg(long)]
        older_than_hours: Option<u64>,
    },
    /// Check the store file (redb's integrity check and a read of every
    /// record, on a copy: the store is not changed). Exit 65 if damaged.
    Check,
    /// Repair a damaged store file; a copy of it is kept beside it.
    Repair {
        /// If it cannot be repaired: move it aside (kept) and start an empty
        /// outbox. The alerts still pending in it are then not sent.
        #[arg(long)]
        start_fresh: bool,
    },
}

pub fn run(config_path: &Path, action: Action) -> Result<(), Failure> {
    let cfg = config::load(config_path, &super::environment())
        .map_err(|e| Failure::Usage(e.iter().map(ToString::to_string).collect()))?;
    match action {
        Action::Check => {
            let summary = file::check(&cfg.store_path)?;
            println!(
                "{}: ok ({summary})",
                cfg.store_path.join(crate::store::FILE_NAME).display()
            );
            return Ok(());
        }
        Action::Repair { start_fresh } => {
            let path = cfg.store_path.join(crate::store::FILE_NAME);
            match file::repair(&cfg.store_path, start_fresh)? {
                file::Repaired::Intact(summary) => {
                    println!("{}: intact, nothing to repair ({summary})", path.display())
                }
                file::Repaired::Repaired { summary, backup } => println!(
                    "{}: repaired ({summary}); the file as it was is kept as {}",
                    path.display(),
                    backup.display()
                ),
                file::Repaired::Fresh { kept } => println!(
                    "{}: started an empty outbox; the damaged file is kept as {} (its pending alerts were not sent)",
                    path.display(),
                    kept.display()
                ),
            }
            return Ok(());
        }
        _ => {}
    }
    let store = Store::open(&cfg.store_path)?;
    let other = |e: crate::store::StoreError| Failure::Other(e.into());
    match action {
        Action::Check | Action::Repair { .. } => unreachable!("handled above"),
        Action::List { status } => {
            let filter = match status.as_str() {
                "pending" => Some(Some(Status::Pending)),
                "delivered" => Some(Some(Status::Delivered)),
                "dead" => Some(Some(Status::Dead)),
                "silenced" => Some(Some(Status::Silenced)),
                "all" => Some(None),
                "undelivered" => None,
                other => return Err(Failure::Usage(vec![format!("--status {other:?} is not valid: expected pending, delivered, dead, silenced, undelivered or all")])),
            };
            let rows = store.deliveries(filter.flatten()).map_err(other)?;
            let rows: Vec<_> = rows
                .into_iter()
                .filter(|r| filter.is_some() || r.status != Status::Delivered)
                .collect();
            println!(
                "{:<38} {:<14} {:<9} {:>8}  last error",
                "alert", "channel", "status", "attempts"
            );
            for r in &rows {
                println!(
                    "{:<38} {:<14} {:<9} {:>8}  {}",
                    r.alert_id,
                    r.channel,
                    r.status.as_str(),
                    r.attempts,
                    r.last_error.as_deref().unwrap_or("")
                );
            }
            println!("{} deliveries", rows.len());
        }
        Action::Retry { alert } => {
            let n = store.retry(alert.as_deref()).map_err(other)?;
            println!("{n} deliveries due again; the daemon sends them when it runs");
        }
        Action::Purge { older_than_hours } => {
            let retention_hours = cfg.retention.as_secs() / 3600;
            let hours = older_than_hours.unwrap_or(retention_hours);
            if hours < retention_hours {
                return Err(Failure::Usage(vec![format!(
                    "--older-than-hours {hours} is less than store.retention_days ({} days = {retention_hours} hours): alerts are kept that long; lower store.retention_days in {} to keep less",
                    retention_hours / 24,
                    config_path.display()
                )]));
            }
            let hours = i64::try_from(hours).unwrap_or(i64::MAX);
            let before = now_ms().saturating_sub(hours.saturating_mul(3_600_000));
            let n = store.purge(before).map_err(other)?;
            println!("{n} finished alerts forgotten");
        }
    }
    Ok(())
}
