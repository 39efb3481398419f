//! The one wiring point: builds the processor (decode, match, outbox) and
//! the dispatcher (outbox to channels) that share a store, a wake-up and
//! the metrics. `run`, `run --input` and `demo` build their pipeline here;
//! watchlists reach it through [`crate::watchlists`], for hot reload too
//! ([`reload`]).
//!
//! Architecture invariant: outside unit tests, nothing but this module
//! constructs a `Processor` or a `Dispatcher`, so the two always agree on
//! the store, the wake-up and the routing they share.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tracing::{error, info};
use wirewatch_matcher::Matcher;

use crate::config::{Config, DeliveryConfig, Routing};
use crate::metrics::{Metrics, ReloadOutcome};
use crate::notify::dispatcher::Dispatcher;
use crate::notify::{ChannelError, Notifier};
use crate::pipeline::{Processor, SharedMatcher};
use crate::store::Store;
use crate::watchlists;

/// What a pipeline is built from, beside its matcher.
pub struct Parts {
    pub store: Arc<Store>,
    pub notifier: Notifier,
    pub delivery: DeliveryConfig,
    /// Routing per channel id (channels without an entry deliver at once).
    pub routing: HashMap<String, Routing>,
    pub max_message_bytes: usize,
    /// How long a later copy of a story is attached to the first alert
    /// instead of alerting again (none: every article alerts).
    pub story_window: Option<Duration>,
    /// How long after a (rule, company)'s first email its follow-ups
    /// thread under it (none: no threading).
    pub thread_window: Option<Duration>,
}

impl Parts {
    /// The parts a config describes: its store opened, its channels built.
    pub fn from_config(config: &Config, store: Arc<Store>) -> Result<Parts, ChannelError> {
        Ok(Parts {
            store,
            notifier: Notifier::from_config(config, None)?,
            delivery: config.delivery.clone(),
            routing: config
                .channels
                .iter()
                .map(|c| (c.id.clone(), c.routing.clone()))
                .collect(),
            max_message_bytes: config.kafka.max_message_bytes,
            story_window: config.story_window,
            thread_window: config.thread_window,
        })
    }
}

/// A wired pipeline: hand `processor` to a source and run `dispatcher`.
pub struct App {
    pub processor: Processor,
    pub dispatcher: Dispatcher,
    pub store: Arc<Store>,
    pub metrics: Metrics,
}

impl App {
    pub fn new(matcher: Matcher, parts: Parts) -> App {
        let metrics = Metrics::default();
        let wake = Arc::new(Notify::new());
        let routing = Arc::new(parts.routing);
        let processor = Processor::new(
            SharedMatcher::new(matcher),
            parts.store.clone(),
            wake.clone(),
            metrics.clone(),
            parts.max_message_bytes,
            parts.story_window,
            routing.clone(),
        );
        let dispatcher = Dispatcher::new(
            parts.store.clone(),
            parts.notifier,
            parts.delivery,
            wake,
            metrics.clone(),
            routing,
        )
        .with_thread_window(parts.thread_window);
        App {
            processor,
            dispatcher,
            store: parts.store,
            metrics,
        }
    }
}

/// Validates the watchlists anew and swaps them in; on any problem the
/// running rules stay and every problem is logged. Returns the rules the
/// new watchlists add or change in what decides their hits (for a
/// retro-hunt); none when the reload is rejected. See [`reload_with`] for
/// where the work runs.
pub async fn reload(config: &Config, shared: &SharedMatcher, metrics: &Metrics) -> Vec<String> {
    let path = config.watchlists.clone();
    let ids: Vec<String> = config.channels.iter().map(|c| c.id.clone()).collect();
    reload_with(shared, metrics, move || {
        watchlists::load(&path, Some(&ids)).map(|(m, _warnings)| m)
    })
    .await
}

/// Swaps in the matcher `load` builds, or keeps the running one and logs
/// every problem `load` reports. Returns the new or changed rules.
///
/// `load` runs on a blocking thread, never on a runtime worker: compiling
/// a list of a million names takes seconds, and a worker held that long
/// stalls the consumer loop and every other task queued on it (all of
/// them on a one-CPU runtime). The running matcher stays in force, its
/// lock untouched, until the new one is complete; the swap itself only
/// exchanges an `Arc`. The replaced matcher is dropped on a blocking
/// thread too, when no batch still holds it: freeing a big matcher's
/// millions of allocations takes a while as well.
pub async fn reload_with<E, F>(shared: &SharedMatcher, metrics: &Metrics, load: F) -> Vec<String>
where
    E: std::fmt::Display + Send + 'static,
    F: FnOnce() -> Result<Matcher, Vec<E>> + Send + 'static,
{
    let (outcome, changed) = match tokio::task::spawn_blocking(load).await {
        Ok(Ok(m)) => {
            let changed: Vec<String> = {
                let old = shared.current();
                m.rules()
                    .filter(|r| old.rule_fingerprint(&r.id) != m.rule_fingerprint(&r.id))
                    .map(|r| r.id.clone())
                    .collect()
            };
            info!(message = "Watchlists reloaded.", rules = m.rule_count(), new_or_changed = %changed.join(","));
            let old = shared.replace(m);
            tokio::task::spawn_blocking(move || drop(old));
            (ReloadOutcome::Success, changed)
        }
        Ok(Err(problems)) => {
            for p in problems {
                error!(message = "Watchlist reload rejected; keeping the running rules.", problem = %p);
            }
            (ReloadOutcome::Error, Vec::new())
        }
        Err(e) => {
            error!(message = "Watchlist reload failed; keeping the running rules.", error = %e);
            (ReloadOutcome::Error, Vec::new())
        }
    };
    metrics.reload(outcome);
    changed
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    use super::*;

    /// A watchlist of one `[[list]]` of `n` invented names ("Quabcdron
    /// Trading") and one rule that watches it for any agency and action.
    fn big_list(n: usize) -> String {
        let mut t = String::from("[[list]]\nid = \"big\"\ncompanies = [\n");
        for i in 0..n {
            let mut stem = String::from("Qu");
            let mut x = i;
            for _ in 0..4 {
                stem.push((b'a' + (x % 26) as u8) as char);
                x /= 26;
            }
            t.push_str(&format!("  {{ name = \"{stem}ron Trading\" }},\n"));
        }
        t.push_str("]\n\n[[rule]]\nid = \"big-rule\"\ndescription = \"Any action against the big list\"\nlists = [\"big\"]\n");
        t
    }

    /// Issue 15: a reload used to read and compile the watchlists on the
    /// runtime worker that ran the signal handler, stalling every task
    /// queued there for the whole compile (seconds for a million names;
    /// all consumption on a one-CPU runtime, as here). The loader below
    /// waits until the consumer has handled more articles since the
    /// reload began, then compiles a list of 20,000 names: it can only
    /// see that progress if it runs off the runtime's one worker. The
    /// wait is bounded so that a regression fails instead of hanging.
    #[tokio::test(flavor = "current_thread")]
    async fn consumption_goes_on_while_a_reload_compiles() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path()).unwrap());
        let shared = SharedMatcher::new(crate::cli::demo::matcher().unwrap());
        let metrics = Metrics::default();
        let processor = Processor::new(
            shared.clone(),
            store,
            Arc::new(Notify::new()),
            metrics.clone(),
            1 << 20,
            None,
            Default::default(),
        );
        let handled = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        // The consumer, as the Kafka source does it: an async loop that
        // hands each article to a blocking thread and counts it when done.
        let consumer = tokio::spawn({
            let (processor, handled, stop) = (processor.clone(), handled.clone(), stop.clone());
            async move {
                let articles: Vec<&'static str> =
                    include_str!("../examples/articles.jsonl").lines().collect();
                for &line in articles.iter().cycle() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let p = processor.clone();
                    tokio::task::spawn_blocking(move || p.handle(Some(line.as_bytes())))
                        .await
                        .unwrap()
                        .unwrap();
                    handled.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
        let during = Arc::new(AtomicUsize::new(0));
        let text = big_list(20_000);
        let loader = {
            let (handled, during) = (handled.clone(), during.clone());
            move || -> Result<Matcher, Vec<wirewatch_matcher::Diagnostic>> {
                let start = handled.load(Ordering::SeqCst);
                let deadline = Instant::now() + Duration::from_secs(60);
                while handled.load(Ordering::SeqCst) < start + 20 && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(1));
                }
                during.store(handled.load(Ordering::SeqCst) - start, Ordering::SeqCst);
                let sources = vec![(PathBuf::from("big.toml"), text)];
                let (wl, _) = watchlists::validate(&sources, None)?;
                Ok(watchlists::compile(&wl))
            }
        };
        reload_with(&shared, &metrics, loader).await;
        let during = during.load(Ordering::SeqCst);
        assert!(
            during >= 20,
            "the consumer handled {during} articles while the reload ran (stalled)"
        );
        assert_eq!(shared.current().listed_count(), 20_000);
        assert!(metrics
            .encode()
            .contains("wirewatch_watchlist_reloads_total{outcome=\"success\"} 1"));
        // The consumer goes on, now with the new rules.
        let after = handled.load(Ordering::SeqCst);
        while handled.load(Ordering::SeqCst) < after + 5 {
            tokio::task::yield_now().await;
        }
        stop.store(true, Ordering::SeqCst);
        consumer.await.unwrap();
        let event = r#"{"id":"big-1","title":"Treasury sanctions Quaaaaron Trading","body":"The U.S. Treasury sanctioned Quaaaaron Trading on Monday."}"#;
        assert!(processor.handle(Some(event.as_bytes())).unwrap() >= 1);
    }
}
