//! The stages every source shares: decode an event, match it, build its
//! alerts, and write them durably to the outbox. Sources (Kafka, file) own
//! ordering and offsets; the dispatcher delivers from the outbox.

use std::collections::HashSet;
use std::sync::{Arc, RwLock};

use tokio::sync::Notify;
use tracing::info;

use crate::alert::Alert;
use crate::metrics::{ArticleOutcome, DeliveryOutcome, Metrics};
use crate::notify::dispatcher::crash_point;
use crate::store::{AlertRecord, ArticleText, Store, StoreError};
use wirewatch_matcher::article::{self, Article, Malformed};
use wirewatch_matcher::Matcher;

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

    /// Puts `m` in force and hands back the matcher it replaces, so that
    /// the caller chooses where a big one is freed: not under the lock,
    /// which readers wait on.
    pub fn replace(&self, m: Matcher) -> Arc<Matcher> {
        let new = Arc::new(m);
        std::mem::replace(&mut *self.0.write().unwrap_or_else(|p| p.into_inner()), new)
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

/// A decoded and matched event: its alerts (with the channels of their
/// rules) and, when there are any, its story fingerprint.
type Prepared = (Article, Vec<AlertRecord>, Option<u64>);

/// Decode → match → alert → outbox. Its fields are read by the sources
/// and the daemon's wiring (the outbox, the matcher in force); build it
/// with [`Processor::new`].
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
    pub routing: Arc<std::collections::HashMap<String, crate::config::Routing>>,
}

impl Processor {
    /// A processor writing to `store` and waking the dispatcher through
    /// `wake`. `story_window: None` turns story dedup off; `routing` is per
    /// channel (a channel without an entry takes every alert at once).
    pub fn new(
        matcher: SharedMatcher,
        store: Arc<Store>,
        wake: Arc<Notify>,
        metrics: Metrics,
        max_message_bytes: usize,
        story_window: Option<std::time::Duration>,
        routing: Arc<std::collections::HashMap<String, crate::config::Routing>>,
    ) -> Processor {
        Processor {
            matcher,
            max_message_bytes,
            metrics,
            store,
            wake,
            story_window,
            routing,
        }
    }

    /// Decodes and matches one event: its alerts and, if it alerts, its
    /// story fingerprint. Pure CPU work, no I/O.
    ///
    /// For a retro-hunt, `only` keeps the hits of those rules, and their
    /// alerts are flagged retroactive.
    fn prepare(
        &self,
        payload: Option<&[u8]>,
        only: Option<&HashSet<String>>,
    ) -> Result<Prepared, Malformed> {
        let article = article::decode(payload.unwrap_or_default(), self.max_message_bytes)?;
        let matcher = self.matcher.current();
        let started = std::time::Instant::now();
        let (hits, fingerprint) = matcher.try_evaluate_with_fingerprint(&article)?;
        self.metrics
            .match_seconds
            .observe(started.elapsed().as_secs_f64());
        let now = jiff::Timestamp::now();
        let alerts: Vec<AlertRecord> = hits
            .into_iter()
            .filter(|hit| only.is_none_or(|rules| rules.contains(&hit.rule_id)))
            .map(|hit| {
                let notify = matcher
                    .rules()
                    .nth(hit.rule_index)
                    .map(|rule| rule.notify.clone())
                    .unwrap_or_default();
                let mut alert = Alert::new(&matcher, &article, hit, now);
                alert.retroactive = only.is_some();
                AlertRecord {
                    alert,
                    notify,
                    text: Some(ArticleText::of(&article)),
                }
            })
            .collect();
        Ok((article, alerts, fingerprint))
    }

    /// Handles several events with one outbox transaction (one fsync for
    /// the batch). On `Ok`, every event's alerts are durable and each
    /// event's own result says whether it was malformed; on `Err` nothing
    /// of the batch is known to be written and the whole batch is retried.
    pub fn handle_batch(
        &self,
        payloads: &[Option<&[u8]>],
    ) -> Result<Vec<Result<usize, Malformed>>, StoreError> {
        self.handle_batch_for(payloads, None)
    }

    /// [`Processor::handle_batch`] for a retro-hunt: only the hits of
    /// `rules` alert, flagged retroactive; `wirewatch_articles_total`
    /// counts live consumption only, so it is left alone (the hunt has its
    /// own counter). Alert ids are the live ones', so an article that
    /// already alerted for a rule does not alert again.
    pub fn handle_retro_batch(
        &self,
        payloads: &[Option<&[u8]>],
        rules: &HashSet<String>,
    ) -> Result<Vec<Result<usize, Malformed>>, StoreError> {
        self.handle_batch_for(payloads, Some(rules))
    }

    fn handle_batch_for(
        &self,
        payloads: &[Option<&[u8]>],
        only: Option<&HashSet<String>>,
    ) -> Result<Vec<Result<usize, Malformed>>, StoreError> {
        let live = only.is_none();
        let prepared: Vec<Result<Prepared, Malformed>> =
            payloads.iter().map(|p| self.prepare(*p, only)).collect();
        let items: Vec<crate::store::StoryItem<'_>> = prepared
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .filter(|(_, alerts, _)| !alerts.is_empty())
            .map(|(_, alerts, fp)| {
                // An article with alerts always has its fingerprint.
                let story = self
                    .story_window
                    .zip(*fp)
                    .map(|(w, fp)| (fp, crate::store::ms(w)));
                (alerts.as_slice(), story)
            })
            .collect();
        let now = crate::store::now_ms();
        let first_due = |alert: &Alert, channel: &str| match self.routing.get(channel) {
            Some(r) => r.first_due(alert.severity, now),
            None => Some(now),
        };
        let enqueued = self.store.enqueue_batch(&items, &first_due)?;
        if !items.is_empty() {
            crash_point("after-outbox-write");
        }
        // Counted once the batch is durable (and once, whatever retries it
        // took), so `articles_total` never runs ahead of the outbox.
        let mut results = Vec::with_capacity(prepared.len());
        let mut outs = enqueued.into_iter();
        let mut any_new = false;
        for p in prepared {
            match p {
                Err(bad) => {
                    if live {
                        self.metrics.article(ArticleOutcome::Malformed);
                    }
                    results.push(Err(bad));
                }
                Ok((_, alerts, _)) if alerts.is_empty() => {
                    if live {
                        self.metrics.article(ArticleOutcome::Unmatched);
                    }
                    results.push(Ok(0));
                }
                Ok((article, alerts, _)) => {
                    if live {
                        self.metrics.article(ArticleOutcome::Matched);
                    }
                    let out = outs.next().unwrap_or_default();
                    for (alert_id, first) in &out.same_story {
                        info!(message = "Same story as an earlier alert; attached to it as also reported by.", alert_id = %alert_id, first_alert_id = %first, article_id = %article.id);
                    }
                    for (alert_id, channel) in &out.silenced {
                        info!(message = "Alert silenced; kept, not sent.", alert_id = %alert_id, channel = %channel, article_id = %article.id);
                        self.metrics.delivery(channel, DeliveryOutcome::Silenced);
                    }
                    for a in alerts
                        .iter()
                        .filter(|a| out.new.contains(&a.alert.alert_id))
                    {
                        self.metrics.alert(&a.alert.rule_id);
                    }
                    any_new |= !out.new.is_empty();
                    results.push(Ok(out.new.len()));
                }
            }
        }
        if any_new {
            if let Ok(n) = self.store.pending() {
                self.metrics.outbox_pending.set(n as i64);
            }
            self.wake.notify_one();
        }
        Ok(results)
    }

    /// Handles one event: its alerts are durably in the outbox when this
    /// returns `Ok`, so its offset may be stored. Returns how many alerts
    /// were new (an alert id seen before is not enqueued again).
    pub fn handle(&self, payload: Option<&[u8]>) -> Result<usize, HandleError> {
        match self.handle_batch(&[payload])?.pop() {
            Some(Ok(n)) => Ok(n),
            Some(Err(bad)) => Err(bad.into()),
            None => Ok(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SilenceScope;

    /// Issue 14: an alert that arrives under a silence is kept (in the
    /// outbox, `silenced`, never due) and counted as a `silenced`
    /// delivery outcome.
    #[test]
    fn an_alert_arriving_under_a_silence_is_kept_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path()).unwrap());
        let matcher = crate::cli::demo::matcher().unwrap();
        for rule in matcher.rules() {
            store
                .add_silence(
                    SilenceScope::Rule {
                        rule: rule.id.clone(),
                    },
                    crate::store::now_ms() + 60_000,
                    "ana",
                    "test",
                )
                .unwrap();
        }
        let metrics = Metrics::default();
        let p = Processor::new(
            SharedMatcher::new(matcher),
            store.clone(),
            Arc::new(Notify::new()),
            metrics.clone(),
            1 << 20,
            None,
            Default::default(),
        );
        let seed = include_str!("../examples/articles.jsonl")
            .lines()
            .next()
            .unwrap();
        assert!(p.handle(Some(seed.as_bytes())).unwrap() >= 1);
        let silenced = store
            .deliveries(Some(crate::store::Status::Silenced))
            .unwrap();
        assert!(!silenced.is_empty());
        assert_eq!(
            store.pending().unwrap() as usize,
            store
                .deliveries(Some(crate::store::Status::Pending))
                .unwrap()
                .len()
        );
        let text = metrics.encode();
        assert!(
            text.lines()
                .any(|l| l.starts_with("wirewatch_deliveries_total")
                    && l.contains("outcome=\"silenced\"")),
            "{text}"
        );
    }
}
