//! The stages every source shares: decode an event, match it, build its
//! alerts, and write them durably to the outbox. Sources (Kafka, file) own
//! ordering and offsets; the dispatcher delivers from the outbox.

use std::sync::{Arc, RwLock};

use tokio::sync::Notify;
use tracing::{debug, info};

use crate::alert::Alert;
use crate::article::{self, Article, Malformed};
use crate::matcher::Matcher;
use crate::metrics::Metrics;
use crate::notify::dispatcher::crash_point;
use crate::store::{Store, StoreError};

/// The matcher currently in force. Readers take a cheap `Arc` clone, so a
/// reload swaps it without disturbing articles in flight.
#[derive(Debug, Clone)]
pub struct SharedMatcher(Arc<RwLock<Arc<Matcher>>>);

impl SharedMatcher {
    pub fn new(m: Matcher) -> SharedMatcher {
        SharedMatcher(Arc::new(RwLock::new(Arc::new(m))))
    }

    pub fn current(&self) -> Arc<Matcher> {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn replace(&self, m: Matcher) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(m);
    }
}

/// Why an event could not be handled.
#[derive(Debug, thiserror::Error)]
pub enum HandleError {
    /// Bad input: dead-letter it and go on.
    #[error(transparent)]
    Malformed(#[from] Malformed),
    /// The outbox could not be written: do not store the offset; retry.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Decode → match → alert → outbox.
#[derive(Debug, Clone)]
pub struct Processor {
    pub matcher: SharedMatcher,
    pub max_message_bytes: usize,
    pub metrics: Metrics,
    pub store: Arc<Store>,
    /// Wakes the dispatcher when alerts are enqueued.
    pub wake: Arc<Notify>,
    /// Copies of a story within this window alert once per rule; `None`
    /// turns story dedup off.
    pub story_window: Option<std::time::Duration>,
    /// Per-channel routing (digests, quiet hours, minimum severity).
    pub routing: Arc<std::collections::HashMap<String, crate::notify::routing::Routing>>,
}

impl Processor {
    /// Decodes and matches one event. Pure CPU work, no I/O.
    pub fn prepare(&self, payload: Option<&[u8]>) -> Result<(Article, Vec<Alert>), Malformed> {
        let article = match article::decode(payload.unwrap_or_default(), self.max_message_bytes) {
            Ok(a) => a,
            Err(e) => {
                self.metrics.article("malformed");
                return Err(e);
            }
        };
        let matcher = self.matcher.current();
        let started = std::time::Instant::now();
        let hits = matcher.evaluate(&article);
        self.metrics
            .match_seconds
            .observe(started.elapsed().as_secs_f64());
        let now = time::OffsetDateTime::now_utc();
        let alerts: Vec<Alert> = hits
            .into_iter()
            .map(|hit| Alert::new(&matcher, &article, hit, now))
            .collect();
        self.metrics.article(if alerts.is_empty() {
            "unmatched"
        } else {
            "matched"
        });
        Ok((article, alerts))
    }

    /// Handles one event: its alerts are durably in the outbox when this
    /// returns `Ok`, so its offset may be stored. Returns how many alerts
    /// were new (an alert id seen before is not enqueued again).
    pub fn handle(&self, payload: Option<&[u8]>) -> Result<usize, HandleError> {
        let (article, alerts) = self.prepare(payload)?;
        if alerts.is_empty() {
            return Ok(0);
        }
        let story = self
            .story_window
            .map(|w| (crate::story::fingerprint(&article), w.as_millis() as i64));
        let now = crate::store::now_ms();
        let first_due = |alert: &Alert, channel: &str| match self.routing.get(channel) {
            Some(r) => r.first_due(alert.severity, now),
            None => Some(now),
        };
        let enqueued = self.store.enqueue_story(&alerts, story, &first_due)?;
        for (alert_id, first) in &enqueued.same_story {
            info!(message = "Same story as an earlier alert; attached to it as also reported by.", alert_id = %alert_id, first_alert_id = %first, article_id = %article.id);
        }
        let new = enqueued.new;
        crash_point("after-outbox-write");
        for a in alerts.iter().filter(|a| new.contains(&a.alert_id)) {
            self.metrics.alert(&a.rule_id);
        }
        if new.len() < alerts.len() {
            debug!(message = "Alerts already raised for this article; not sent again.", article_id = %article.id, duplicates = alerts.len() - new.len());
        }
        if !new.is_empty() {
            if let Ok(n) = self.store.pending() {
                self.metrics.outbox_pending.set(n as i64);
            }
            self.wake.notify_one();
        }
        Ok(new.len())
    }
}
