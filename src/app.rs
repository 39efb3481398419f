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
/// running rules stay and every problem is logged.
pub fn reload(config: &Config, shared: &SharedMatcher, metrics: &Metrics) {
    let ids: Vec<String> = config.channels.iter().map(|c| c.id.clone()).collect();
    let outcome = match watchlists::load(&config.watchlists, Some(&ids)) {
        Ok((m, _)) => {
            info!(message = "Watchlists reloaded.", rules = m.rule_count());
            shared.replace(m);
            ReloadOutcome::Success
        }
        Err(problems) => {
            for p in problems {
                error!(message = "Watchlist reload rejected; keeping the running rules.", problem = %p);
            }
            ReloadOutcome::Error
        }
    };
    metrics.reload(outcome);
}
