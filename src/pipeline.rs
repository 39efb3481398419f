//! The stages every source shares: decode an event, match it, build its
//! alerts, deliver them. Sources (Kafka, file) own ordering and offsets.

use std::sync::{Arc, RwLock};

use tokio::sync::mpsc;
use tracing::{debug, warn};

use crate::alert::Alert;
use crate::article::{self, Article, Malformed};
use crate::matcher::Matcher;
use crate::metrics::Metrics;
use crate::notify::{Delivery, Notifier};

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

/// An alert and how its deliveries went, reported to observers (the demo).
#[derive(Debug, Clone)]
pub struct Delivered {
    pub alert: Alert,
    pub deliveries: Vec<Delivery>,
}

/// Decode → match → alert → deliver.
#[derive(Debug, Clone)]
pub struct Processor {
    pub matcher: SharedMatcher,
    pub notifier: Notifier,
    pub max_message_bytes: usize,
    pub metrics: Metrics,
    /// Receives every alert after its deliveries, when set.
    pub observer: Option<mpsc::UnboundedSender<Delivered>>,
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
        for a in &alerts {
            self.metrics
                .alerts
                .get_or_create(&crate::metrics::RuleLabels {
                    rule: a.rule_id.clone(),
                })
                .inc();
        }
        debug!(message = "Article matched.", article_id = %article.id, alerts = alerts.len());
        Ok((article, alerts))
    }

    /// Delivers every alert of one article. Failures are logged by the
    /// notifier and recorded here; this never fails.
    /// `received` is when the article arrived, for the end-to-end latency.
    pub async fn deliver(&self, alerts: Vec<Alert>, received: std::time::Instant) {
        self.metrics.outbox_pending.inc_by(alerts.len() as i64);
        let results = futures::future::join_all(alerts.into_iter().map(|alert| async move {
            if alert.notify.is_empty() {
                warn!(message = "Rule has no notify channels; alert only logged.", alert_id = %alert.alert_id, rule_id = %alert.rule_id);
            }
            let deliveries = self.notifier.deliver(&alert).await;
            for d in &deliveries {
                self.metrics.delivery(&d.channel, if d.outcome.is_ok() { "delivered" } else { "failed" });
            }
            if deliveries.iter().any(|d| d.outcome.is_ok()) {
                self.metrics.end_to_end_seconds.observe(received.elapsed().as_secs_f64());
            }
            self.metrics.outbox_pending.dec();
            Delivered { alert, deliveries }
        }))
        .await;
        if let Some(obs) = &self.observer {
            for d in results {
                let _ = obs.send(d);
            }
        }
    }
}
