//! `wirewatch run`: the daemon. Loads config and watchlists (exit 64 on any
//! problem), serves the admin endpoints and, when `[console]` is set, the
//! web console, consumes until SIGINT or SIGTERM, and reloads watchlists
//! on SIGHUP.

use std::path::Path;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tracing::{debug, error, info, warn};

use super::{load_all, Failure};
use crate::app::{reload, App, Parts};
use crate::config::Config;
use crate::pipeline::Processor;
use crate::sentlog::SentLog;
use crate::source::{file, kafka::KafkaSource};
use crate::store::Store;

pub async fn run(config_path: &Path, input: Option<&Path>) -> Result<(), Failure> {
    let (config, matcher, warnings) = load_all(config_path).map_err(Failure::Usage)?;
    crate::telemetry::init(config.log.format, &config.log.level);
    for w in &warnings {
        warn!(message = "Watchlist warning.", warning = %w);
    }
    for w in config.warnings() {
        warn!(message = "Config warning.", warning = %w);
    }
    info!(message = "Starting.", version = env!("CARGO_PKG_VERSION"), config = %config_path.display(), rules = matcher.rule_count());
    let store = Arc::new(Store::open(&config.store_path)?);
    let parts = Parts::from_config(&config, store)
        .map_err(|e| Failure::Usage(vec![format!("{}: {e}", config_path.display())]))?;
    let App {
        processor,
        mut dispatcher,
        store,
        metrics,
    } = App::new(matcher, parts);
    let shutdown = CancellationToken::new();
    // Retro-hunts read the topics: not for a file replay.
    let hunter = match input {
        None => crate::retro::spawn(
            &config.kafka,
            &config.retro,
            processor.clone(),
            shutdown.clone(),
        ),
        Some(_) => None,
    };
    let (retro, hunting) = hunter.unzip();
    spawn_signal_handlers(&config, &processor, retro, shutdown.clone());
    spawn_retention_sweep(store.clone(), config.retention, shutdown.clone());

    if let Some(input) = input {
        // No group, no other replica: dedup is this outbox's alone.
        let delivering = tokio::spawn(dispatcher.run(shutdown.clone()));
        let result = replay(input, &processor, &shutdown).await;
        shutdown.cancel();
        let _ = delivering.await;
        return result;
    }

    // Deliveries done by the group's other replicas, known before the
    // first delivery (bounded by librdkafka's timeouts when the broker is
    // unreachable; SIGTERM meanwhile stops at once).
    let sent = tokio::select! {
        _ = shutdown.cancelled() => SentLog::off(),
        s = SentLog::start(&config.kafka, config.delivery.max_age, metrics.clone()) => s,
    };
    dispatcher.set_sent_log(sent.clone());
    let delivering = tokio::spawn(dispatcher.run(shutdown.clone()));
    let source = KafkaSource::new(&config.kafka, metrics.clone(), sent)?;
    let assigned = source.assignment_handle();
    let paused = source.paused_handle();
    let stalled = source.stalled_handle();
    let shared = processor.matcher.clone();
    let ready_store = store.clone();
    let max_pending = config.store_max_pending;
    let ready: crate::admin::Readiness = Arc::new(move || {
        if shared.current().rule_count() == 0 {
            return Err("no watchlist rules loaded".into());
        }
        if assigned() == 0 {
            return Err("no partitions assigned".into());
        }
        if ready_store.disk_full() {
            return Err(format!(
                "degraded: disk full writing the outbox at {}; consumption paused until space returns",
                ready_store.path().display()
            ));
        }
        match ready_store.pending() {
            Err(e) => return Err(format!("outbox unreadable: {e}")),
            Ok(n) if n >= max_pending || paused.load(std::sync::atomic::Ordering::Relaxed) => {
                return Err(format!("degraded: outbox holds {n} pending deliveries (cap {max_pending}); consumption paused"));
            }
            Ok(_) => {}
        }
        let stalled = stalled.lock().unwrap_or_else(|p| p.into_inner());
        if !stalled.is_empty() {
            return Err(format!(
                "degraded: no group member consumes {}; rejoining the group",
                stalled.join(",")
            ));
        }
        Ok(())
    });
    crate::admin::serve(config.http_listen, metrics, ready, shutdown.clone()).await?;
    if let Some(console) = &config.console {
        let parts = crate::console::Console::new(
            console,
            store.clone(),
            processor.matcher.clone(),
            processor.wake.clone(),
            config.channels.iter().map(|c| c.id.clone()).collect(),
        )
        .with_watchlists(config.watchlists.clone());
        crate::console::serve(console, parts, shutdown.clone()).await?;
    }
    // With the broker unreachable this waits for librdkafka's timeouts: a
    // SIGTERM meanwhile must stop the daemon now, not after them.
    tokio::select! {
        _ = shutdown.cancelled() => {}
        _ = source.ensure_dead_letter_topic() => {}
    }
    let consumed = source
        .run(
            processor,
            shutdown.clone(),
            config.delivery.shutdown_grace,
            config.store_max_pending,
        )
        .await;
    shutdown.cancel();
    let _ = delivering.await;
    if let Some(h) = hunting {
        let _ = h.await;
    }
    consumed?;
    info!(message = "Stopped.");
    Ok(())
}

/// Replays a JSONL file through the matcher into the outbox, then waits
/// until every delivery is finished (or SIGTERM).
async fn replay(
    input: &Path,
    processor: &Processor,
    shutdown: &CancellationToken,
) -> Result<(), Failure> {
    let lines = file::read(input, processor.max_message_bytes)
        .map_err(|e| Failure::Other(anyhow::anyhow!("cannot read {}: {e}", input.display())))?;
    let (mut n, mut alerts) = (0, 0);
    for (line, article) in lines {
        if shutdown.is_cancelled() {
            break;
        }
        let payload = match article {
            Ok(a) => serde_json::to_vec(&a).expect("an article serializes"),
            Err(e) => {
                warn!(message = "Malformed line skipped.", file = %input.display(), line, error = %e);
                continue;
            }
        };
        n += 1;
        alerts += processor
            .handle(Some(&payload))
            .map_err(|e| Failure::Other(e.into()))?;
    }
    info!(
        message = "Replay read its input; delivering.",
        articles = n,
        alerts
    );
    while processor
        .store
        .pending()
        .map_err(|e| Failure::Other(e.into()))?
        > 0
    {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(std::time::Duration::from_millis(100)) => {}
        }
    }
    info!(message = "Replay finished.", articles = n, alerts);
    Ok(())
}

/// Forgets finished alerts older than `store.retention_days`, a minute
/// after start and then every hour (`Store::purge` reads only the alerts
/// past the retention, so a sweep costs what it removes).
fn spawn_retention_sweep(
    store: Arc<Store>,
    retention: std::time::Duration,
    shutdown: CancellationToken,
) {
    tokio::spawn(async move {
        let mut wait = std::time::Duration::from_secs(60);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(wait) => {}
            }
            wait = std::time::Duration::from_secs(3600);
            let before = crate::store::now_ms().saturating_sub(crate::store::ms(retention));
            let s = store.clone();
            match tokio::task::spawn_blocking(move || s.purge(before)).await {
                Ok(Ok(0)) => {}
                Ok(Ok(n)) => info!(
                    message = "Alerts past the retention forgotten.",
                    count = n,
                    retention_days = retention.as_secs() / 86_400
                ),
                Ok(Err(e)) if e.is_disk_full() => {}
                Ok(Err(e)) => {
                    warn!(message = "Cannot purge alerts past the retention; trying again in an hour.", error = %e)
                }
                Err(e) => warn!(message = "Retention sweep failed.", error = %e),
            }
        }
    });
}

/// SIGINT/SIGTERM stop the daemon; SIGHUP reloads the watchlists.
fn spawn_signal_handlers(
    config: &Config,
    processor: &Processor,
    retro: Option<crate::retro::Retro>,
    shutdown: CancellationToken,
) {
    use tokio::signal::unix::{signal, SignalKind};
    let stop = shutdown.clone();
    tokio::spawn(async move {
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            error!(message = "Cannot install signal handlers.");
            return;
        };
        tokio::select! {
            _ = term.recv() => info!(message = "SIGTERM received; shutting down."),
            _ = int.recv() => info!(message = "SIGINT received; shutting down."),
        }
        stop.cancel();
    });
    let config = config.clone();
    let matcher = processor.matcher.clone();
    let metrics = processor.metrics.clone();
    let (changed_tx, mut changed) = tokio::sync::mpsc::unbounded_channel::<()>();
    let watcher = watch(&config.watchlists, changed_tx);
    tokio::spawn(async move {
        // Keeps the file watcher alive as long as this task.
        let _watcher = watcher;
        let Ok(mut hup) = signal(SignalKind::hangup()) else {
            return;
        };
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = hup.recv() => {
                    info!(message = "SIGHUP received; reloading watchlists.");
                    let changed = reload(&config, &matcher, &metrics).await;
                    if let Some(r) = &retro {
                        r.hunt(changed);
                    }
                }
                Some(()) = changed.recv() => {
                    // Editors write in several steps: wait for the burst to end.
                    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                    while changed.try_recv().is_ok() {}
                    info!(message = "Watchlist files changed; reloading.");
                    let changed = reload(&config, &matcher, &metrics).await;
                    if let Some(r) = &retro {
                        r.hunt(changed);
                    }
                }
            }
        }
    });
}

/// Watches the watchlist file or folder and signals every change. The
/// folder is watched (not the file) so that editors that replace the file
/// by renaming are seen too.
fn watch(
    path: &Path,
    changed: tokio::sync::mpsc::UnboundedSender<()>,
) -> Option<notify::RecommendedWatcher> {
    use notify::{RecursiveMode, Watcher};
    let is_dir = path.is_dir();
    let dir = if is_dir {
        path.to_path_buf()
    } else {
        path.parent().unwrap_or(Path::new(".")).to_path_buf()
    };
    let target = path.to_path_buf();
    let handler = move |event: notify::Result<notify::Event>| {
        if let Ok(e) = event {
            let relevant = e.kind.is_modify() || e.kind.is_create() || e.kind.is_remove();
            let ours = is_dir || e.paths.iter().any(|p| p == &target);
            if relevant && ours {
                let _ = changed.send(());
            }
        }
    };
    let mut watcher = match notify::recommended_watcher(handler) {
        Ok(w) => w,
        Err(e) => {
            warn!(message = "Cannot watch the watchlists; reload with SIGHUP.", error = %e);
            return None;
        }
    };
    if let Err(e) = watcher.watch(&dir, RecursiveMode::NonRecursive) {
        warn!(message = "Cannot watch the watchlists; reload with SIGHUP.", path = %dir.display(), error = %e);
        return None;
    }
    debug!(message = "Watching watchlists.", path = %dir.display());
    Some(watcher)
}
