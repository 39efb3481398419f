//! The dispatcher: delivers pending deliveries from the durable outbox,
//! records each attempt's outcome, and schedules retries (per-channel
//! backoff, `Retry-After`, a maximum age and attempt count after which a
//! delivery is dead, kept with its last error).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::FutureExt as _;
use tokio::sync::{mpsc, Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{error, info, warn};

use super::retry::next_delay;
use super::{DeliveryError, Kind, Notifier};
use crate::alert::Alert;
use crate::config::{DeliveryConfig, Routing};
use crate::metrics::{DeliveryOutcome, Metrics};
use crate::sentlog::{DoneAs, SentLog};
use crate::store::{ms, now_ms, DeliveryState, Leased, Outcome, Sent, Status, Store};

/// Attempts in flight at once, over all channels.
pub const CONCURRENCY: usize = 64;

/// Test hook: `WIREWATCH_CRASH_AT=<point>` aborts the process at that
/// point, as `kill -9` would, so tests can check what survives.
pub fn crash_point(point: &str) {
    if std::env::var("WIREWATCH_CRASH_AT").is_ok_and(|p| p == point) {
        eprintln!("WIREWATCH_CRASH_AT={point}: aborting");
        std::process::abort();
    }
}

/// Delivers from the outbox; cheap to clone (every attempt's task holds
/// one).
#[derive(Clone)]
pub struct Dispatcher {
    store: Arc<Store>,
    notifier: Notifier,
    policy: DeliveryConfig,
    /// Woken when new deliveries are enqueued.
    wake: Arc<Notify>,
    metrics: Metrics,
    /// Per-channel routing (digest grouping, rate limits).
    routing: Arc<HashMap<String, Routing>>,
    /// Send times per channel within the rate limit's window.
    sent: Arc<Mutex<HashMap<String, VecDeque<i64>>>>,
    /// Deliveries done by any replica of the group (off: this one's only).
    done: SentLog,
    /// Outcomes the recorder holds because the disk was full: nothing is
    /// leased until they are written, so none of their deliveries is
    /// leased (and sent) again meanwhile.
    unrecorded: Arc<AtomicUsize>,
    /// Email follow-ups within this long of a (rule, company)'s first
    /// message thread under it; `None`: no threading.
    thread_window_ms: Option<i64>,
}

impl Dispatcher {
    /// A dispatcher delivering from `store` through `notifier` under
    /// `policy`. `wake` is the processor's: it is notified when alerts are
    /// enqueued. `routing` is per channel (a channel without an entry is
    /// instant, unlimited).
    pub fn new(
        store: Arc<Store>,
        notifier: Notifier,
        policy: DeliveryConfig,
        wake: Arc<Notify>,
        metrics: Metrics,
        routing: Arc<HashMap<String, Routing>>,
    ) -> Dispatcher {
        Dispatcher {
            store,
            notifier,
            policy,
            wake,
            metrics,
            routing,
            sent: Default::default(),
            done: SentLog::off(),
            unrecorded: Default::default(),
            thread_window_ms: None,
        }
    }

    /// Shares deliveries done with the group's other replicas through
    /// `log`: skips what they did, publishes what this one does.
    pub fn set_sent_log(&mut self, log: SentLog) {
        self.done = log;
    }

    /// Threads email follow-ups within `window` of a (rule, company)'s
    /// first message (`store.thread_window_days`); `None` turns it off.
    pub fn with_thread_window(mut self, window: Option<Duration>) -> Dispatcher {
        self.thread_window_ms = window.map(ms);
        self
    }

    /// Delivers until `shutdown`, then lets attempts in flight finish
    /// within the grace period. Deliveries still pending stay in the outbox
    /// for the next start.
    pub async fn run(self, shutdown: CancellationToken) {
        let permits = Arc::new(Semaphore::new(CONCURRENCY));
        let tasks = TaskTracker::new();
        let (outcomes, recorder) = mpsc::unbounded_channel();
        let recorder = tokio::spawn(self.clone().record_outcomes(recorder));
        // A leased delivery whose attempt never reports (a crash) is due
        // again after the lease.
        let lease_ms = ms(self.policy.timeout)
            .saturating_mul(2)
            .saturating_add(30_000);
        match self.store.release_leases() {
            Ok(0) => {}
            Ok(n) => warn!(
                message =
                    "Resuming deliveries interrupted by a crash; they may have been sent already.",
                count = n
            ),
            Err(e) => error!(message = "Cannot release leases.", error = %e),
        }
        loop {
            if shutdown.is_cancelled() {
                break;
            }
            let free = permits.available_permits();
            // On a full disk no outcome could be recorded: nothing is sent
            // until the disk takes writes and the held outcomes are written.
            let disk_full = self.store.disk_full();
            self.metrics.store_disk_full.set(i64::from(disk_full));
            let hold = disk_full || self.unrecorded.load(Ordering::Relaxed) > 0;
            let leased = if free == 0 || hold {
                Leased::default()
            } else {
                match self.store.lease_due_or_silence(now_ms(), free, lease_ms) {
                    Ok(b) => b,
                    // Logged once by the store.
                    Err(e) if e.is_disk_full() => Leased::default(),
                    Err(e) => {
                        error!(message = "Cannot read the outbox.", error = %e);
                        Leased::default()
                    }
                }
            };
            for s in &leased.silenced {
                info!(message = "Alert silenced when due; kept, not sent.", alert_id = %s.alert_id, channel = %s.channel, silence = s.silence.as_deref().unwrap_or(""));
                self.metrics.delivery(&s.channel, DeliveryOutcome::Silenced);
            }
            // Before the first deliveries, and after a partition assignment,
            // what the group's other replicas finished must be known. Waited
            // for after leasing: an assignment's alerts reach the outbox
            // only after its callback asked for this catch-up, so any leased
            // here that came from a new assignment are checked against a
            // caught-up log. (Shutting down meanwhile leaves them leased;
            // leases are released at the next start.)
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = self.done.sync_if_requested() => {}
            }
            let batch = leased.due;
            // One message per channel and article (an article's alerts of
            // several rules), or per channel for a digest period.
            let mut groups: std::collections::BTreeMap<
                (String, String),
                Vec<(DeliveryState, Alert)>,
            > = Default::default();
            for (state, alert) in batch {
                let digest = self
                    .routing
                    .get(&state.channel)
                    .is_some_and(|r| r.is_digest());
                let key = match (digest, self.notifier.kind(&state.channel)) {
                    (true, _) => String::new(),
                    (false, Some(Kind::Email)) => alert.article.id.clone(),
                    _ => alert.alert_id.clone(),
                };
                groups
                    .entry((state.channel.clone(), key))
                    .or_default()
                    .push((state, alert));
            }
            for (_, group) in groups {
                let permit = permits
                    .clone()
                    .acquire_owned()
                    .await
                    .expect("semaphore is never closed");
                let this = self.clone();
                let outcomes = outcomes.clone();
                tasks.spawn(async move {
                    this.attempt_group(group, &outcomes).await;
                    drop(permit);
                });
            }
            if let Ok(n) = self.store.pending() {
                self.metrics.outbox_pending.set(n as i64);
            }
            let wait_ms = match self.store.next_due() {
                Ok(Some(at)) => at.saturating_sub(now_ms()).clamp(5, 1000),
                _ => 1000,
            };
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(wait_ms as u64)) => {}
            }
        }
        tasks.close();
        if tokio::time::timeout(self.policy.shutdown_grace, tasks.wait())
            .await
            .is_err()
        {
            warn!(message = "Shutdown grace period expired with deliveries in flight; they stay in the outbox.", in_flight = tasks.len());
        }
        // The recorder ends once every attempt's outcome is written.
        drop(outcomes);
        if tokio::time::timeout(self.policy.shutdown_grace, recorder)
            .await
            .is_err()
        {
            warn!(message = "Shutdown grace period expired while recording outcomes; those deliveries will be attempted again.");
        }
        // What was sent last reaches the sent topic before the process ends.
        self.done
            .flush(
                self.policy
                    .shutdown_grace
                    .min(crate::sentlog::PUBLISH_TIMEOUT),
            )
            .await;
    }

    /// Writes attempts' outcomes to the outbox: whatever has arrived since
    /// the last write goes in one transaction (one fsync), so a burst of
    /// deliveries costs a few commits instead of one each.
    ///
    /// On a full disk the outcomes are held and written again, with what
    /// arrives meanwhile, with a backoff until the disk takes them; the
    /// dispatcher leases nothing while any is held. So a delivery made
    /// just before (or while) the disk filled is recorded once space
    /// returns and is not sent again. Only if the daemon stops with
    /// outcomes still held (the disk still full at the end of the grace
    /// period) are those deliveries attempted again at the next start,
    /// with the same alert id (the `webhook-id` and `Message-ID`).
    async fn record_outcomes(self, mut rx: mpsc::UnboundedReceiver<Recorded>) {
        let mut batch = Vec::new();
        let window_ms = self.thread_window_ms.unwrap_or(0);
        while rx.recv_many(&mut batch, 1024).await > 0 {
            let mut wait = Duration::from_millis(100);
            loop {
                let store = self.store.clone();
                let mut items = Vec::with_capacity(batch.len());
                let mut sent = Vec::new();
                for r in &batch {
                    match r {
                        Recorded::Outcome(a, c, o) => items.push((a.clone(), c.clone(), o.clone())),
                        Recorded::Sent(s) => sent.push(s.clone()),
                    }
                }
                let count = items.len();
                let recorded =
                    tokio::task::spawn_blocking(move || store.record_sent(items, &sent, window_ms))
                        .await;
                match recorded {
                    Ok(Ok(states)) => {
                        if states.iter().flatten().any(|s| s.status == Status::Pending) {
                            self.wake.notify_one();
                        }
                    }
                    // Logged once by the store.
                    Ok(Err(e)) if e.is_disk_full() => {
                        self.unrecorded.store(count, Ordering::Relaxed);
                        tokio::time::sleep(wait).await;
                        wait = (wait * 2).min(Duration::from_secs(5));
                        while let Ok(r) = rx.try_recv() {
                            batch.push(r);
                        }
                        continue;
                    }
                    Ok(Err(e)) => {
                        error!(message = "Cannot record delivery outcomes; they will be attempted again after their lease.", count, error = %e)
                    }
                    Err(e) => {
                        error!(message = "Recording delivery outcomes failed.", count, error = %e)
                    }
                }
                break;
            }
            if self.unrecorded.swap(0, Ordering::Relaxed) > 0 {
                // Leasing resumes.
                self.wake.notify_one();
            }
            batch.clear();
            if let Ok(n) = self.store.pending() {
                self.metrics.outbox_pending.set(n as i64);
            }
        }
    }

    /// Delivers one group: the deliveries of one channel that go out as
    /// one message (an article's alerts, or a digest period's).
    async fn attempt_group(
        &self,
        group: Vec<(DeliveryState, Alert)>,
        outcomes: &mpsc::UnboundedSender<Recorded>,
    ) {
        let channel = group[0].0.channel.clone();
        // Another replica finished these before it died (this one is
        // re-processing its uncommitted messages): not sent again, and
        // recorded as that replica left them.
        let mut rest = Vec::with_capacity(group.len());
        for (state, alert) in group {
            let outcome = match self.done.done(&state.alert_id, &state.channel) {
                None => {
                    rest.push((state, alert));
                    continue;
                }
                Some(DoneAs::Delivered) => Outcome::Delivered,
                Some(DoneAs::Dead) => Outcome::Dead {
                    error: "given up on by another replica of the group (the sent topic says so)"
                        .into(),
                },
            };
            info!(message = "Alert already handled by another replica; skipped.", alert_id = %state.alert_id, rule_id = %alert.rule_id, article_id = %alert.article.id, channel = %channel, outcome = ?outcome);
            self.metrics
                .delivery(&channel, DeliveryOutcome::SkippedSentElsewhere);
            let _ = outcomes.send(recorded(state, outcome));
        }
        let group = rest;
        if group.is_empty() {
            return;
        }
        if let Some(at_ms) = self.rate_limited(&channel) {
            for (state, _) in group {
                let _ = outcomes.send(recorded(state, Outcome::Defer { at_ms }));
            }
            return;
        }
        let alerts: Vec<Alert> = group.iter().map(|(_, a)| a.clone()).collect();
        // Email, not a digest: a follow-up of the thread its alerts'
        // (rule, company) began, if any within the window. Not a
        // retro-hunt's: earlier coverage is no follow-up of a later alert.
        let threading = self.thread_window_ms.filter(|_| {
            self.notifier.kind(&channel) == Some(Kind::Email)
                && !self.routing.get(&channel).is_some_and(|r| r.is_digest())
                && !alerts.iter().all(|a| a.retroactive)
        });
        let thread = threading.and_then(|window| {
            self.store
                .thread_for(
                    &channel,
                    &alerts,
                    &super::email::message_id(&alerts),
                    now_ms(),
                    window,
                )
                .unwrap_or_else(|e| {
                    warn!(message = "Cannot read the email thread; sending as a new thread.", channel = %channel, error = %e);
                    None
                })
        });
        // A panic in a notifier must not lose the outcome: unrecorded, the
        // delivery would come back after every lease with its attempts
        // never counted, and be retried for ever.
        let result = std::panic::AssertUnwindSafe(self.notifier.attempt_threaded(
            &channel,
            &alerts,
            thread.as_ref(),
        ))
        .catch_unwind()
        .await
        .unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
            Err(DeliveryError::Transient {
                message: format!("internal error during the attempt: {what}"),
                retry_after: None,
            })
        });
        if result.is_ok() {
            crash_point("after-send-before-mark");
            if threading.is_some() {
                let _ = outcomes.send(Recorded::Sent(Sent {
                    channel: channel.clone(),
                    message_id: super::email::message_id(&alerts),
                    subject: super::email::subject_in(&alerts, thread.as_ref()),
                    topics: alerts
                        .iter()
                        .map(|a| (a.rule_id.clone(), a.matched.company.id.clone()))
                        .collect(),
                }));
            }
        }
        let finished: Vec<(DeliveryState, Outcome)> = group
            .into_iter()
            .map(|(state, alert)| {
                let outcome = self.finish(&state, &alert, &result);
                (state, outcome)
            })
            .collect();
        // Shared with the group's other replicas: once the sent topic has
        // the record, a replica taking over this one's partitions does not
        // send these again. Handed to the producer without waiting (the
        // broker's acknowledgement is awaited in the background), so the
        // outcome is recorded as soon as without the sent log.
        let done: Vec<(&str, &str, DoneAs)> = finished
            .iter()
            .filter_map(|(s, o)| {
                let how = match o {
                    Outcome::Delivered => DoneAs::Delivered,
                    Outcome::Dead { .. } => DoneAs::Dead,
                    _ => return None,
                };
                Some((s.alert_id.as_str(), s.channel.as_str(), how))
            })
            .collect();
        self.done.publish(&done);
        for (state, outcome) in finished {
            let _ = outcomes.send(recorded(state, outcome));
        }
    }

    /// With a rate limit reached, when the channel may send again.
    fn rate_limited(&self, channel: &str) -> Option<i64> {
        let limit = self.routing.get(channel)?.rate_limit?;
        let now = now_ms();
        let per = ms(limit.per);
        let mut sent = self.sent.lock().unwrap_or_else(|p| p.into_inner());
        let q = sent.entry(channel.to_string()).or_default();
        while q.front().is_some_and(|t| *t <= now.saturating_sub(per)) {
            q.pop_front();
        }
        if q.len() >= limit.max as usize {
            let at = q.front().copied().unwrap_or(now).saturating_add(per);
            warn!(message = "Channel rate limit reached; holding alerts.", channel = %channel, max = limit.max, per_secs = limit.per.as_secs(), until_ms = at);
            return Some(at);
        }
        q.push_back(now);
        None
    }

    /// Turns an attempt's result into the delivery's next state.
    fn finish(
        &self,
        state: &DeliveryState,
        alert: &Alert,
        result: &Result<(), DeliveryError>,
    ) -> Outcome {
        let channel = state.channel.clone();
        let channel_kind = self.notifier.kind(&channel);
        let kind = channel_kind.map_or("unknown", Kind::as_str);
        let attempt = state.attempts.saturating_add(1);
        let now = now_ms();
        let age = Duration::from_millis(now.saturating_sub(state.created_ms).max(0) as u64);
        let outcome = match result {
            Ok(()) => Outcome::Delivered,
            Err(DeliveryError::Permanent { message }) | Err(DeliveryError::Gone { message }) => {
                Outcome::Dead {
                    error: message.clone(),
                }
            }
            Err(DeliveryError::Transient {
                message,
                retry_after,
            }) => {
                // Retry-After comes from the peer: clamped to the policy's
                // maximum, and every sum saturates.
                let delay = next_delay(&self.policy, channel_kind, attempt, *retry_after);
                if attempt >= self.policy.max_attempts
                    || age.saturating_add(delay) > self.policy.max_age
                {
                    Outcome::Dead {
                        error: format!("{message} (gave up after {attempt} attempts)"),
                    }
                } else {
                    Outcome::Retry {
                        at_ms: now.saturating_add(ms(delay)),
                        error: message.clone(),
                    }
                }
            }
        };
        let ids = (
            alert.alert_id.as_str(),
            alert.rule_id.as_str(),
            alert.article.id.as_str(),
        );
        match &outcome {
            Outcome::Delivered => {
                info!(message = "Alert sent.", alert_id = ids.0, rule_id = ids.1, article_id = ids.2, channel = %channel, kind, attempt, summary = %alert.summary());
                self.metrics.delivery(&channel, DeliveryOutcome::Delivered);
                let secs = jiff::Timestamp::now()
                    .duration_since(alert.detected_at)
                    .as_secs_f64();
                self.metrics.end_to_end_seconds.observe(secs.max(0.0));
            }
            Outcome::Retry { at_ms, error } => {
                warn!(message = "Alert delivery failed; will retry.", alert_id = ids.0, rule_id = ids.1, article_id = ids.2, channel = %channel, kind, attempt, retry_in_ms = at_ms.saturating_sub(now), error = %error);
                self.metrics.delivery(&channel, DeliveryOutcome::Retried);
            }
            Outcome::Dead { error } => {
                if matches!(result, Err(DeliveryError::Gone { .. })) {
                    error!(message = "Webhook endpoint answered 410 Gone; channel disabled until restart.", alert_id = ids.0, channel = %channel);
                }
                error!(message = "Alert delivery failed for good; kept in the outbox as dead.", alert_id = ids.0, rule_id = ids.1, article_id = ids.2, channel = %channel, kind, attempt, error = %error);
                self.metrics.delivery(&channel, DeliveryOutcome::Dead);
            }
            Outcome::Defer { .. } => {}
        }
        outcome
    }
}

/// What the recorder writes: an attempt's outcome, as
/// [`Store::record_sent`] takes it (alert id, channel, outcome), or an
/// email delivered, the root of the threads it begins.
#[derive(Debug, Clone)]
enum Recorded {
    Outcome(String, String, Outcome),
    Sent(Sent),
}

fn recorded(state: DeliveryState, outcome: Outcome) -> Recorded {
    Recorded::Outcome(state.alert_id, state.channel, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Secret, WebhookSchedule};
    use crate::notify::{webhook::Webhook, Sender};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A receiver that answers each request with the next of `answers`
    /// (the last one repeated), and counts the requests.
    async fn receiver(
        answers: Vec<&'static str>,
    ) -> (url::Url, Arc<std::sync::atomic::AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap())
            .parse()
            .unwrap();
        let seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = seen.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut conn, _)) = listener.accept().await else {
                    return;
                };
                let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let answer = answers[n.min(answers.len() - 1)];
                tokio::spawn(async move {
                    // Read the head and the body (its length is in the head).
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    loop {
                        let Ok(k) = conn.read(&mut chunk).await else {
                            return;
                        };
                        if k == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..k]);
                        let text = String::from_utf8_lossy(&buf).to_lowercase();
                        if let Some(end) = text.find("\r\n\r\n") {
                            let len: usize = text
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length:"))
                                .and_then(|v| v.trim().parse().ok())
                                .unwrap_or(0);
                            if buf.len() >= end + 4 + len {
                                break;
                            }
                        }
                    }
                    let _ = conn
                        .write_all(
                            format!("HTTP/1.1 {answer}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                                .as_bytes(),
                        )
                        .await;
                });
            }
        });
        (url, seen)
    }

    /// Issue 16: a receiver answering 503, then 503 with `Retry-After:
    /// 18446744073709551615`, panicked the dispatcher task ("overflow when
    /// adding durations"); the outcome was never recorded and `attempts`
    /// never grew. Now the second outcome is recorded, due within the
    /// policy's maximum delay.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_huge_retry_after_is_recorded_as_a_retry_within_the_policy() {
        let (url, seen) = receiver(vec![
            "503 Service Unavailable",
            "503 Service Unavailable\r\nretry-after: 18446744073709551615",
        ])
        .await;
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path()).unwrap());
        let alert = crate::store::tests::alert("x", &["hook"]);
        crate::store::tests::enqueue(&store, &[alert]);
        let policy = DeliveryConfig {
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_secs(3600),
            webhook_schedule: WebhookSchedule::Exponential,
            timeout: Duration::from_secs(5),
            ..DeliveryConfig::default()
        };
        let secret = Secret::new("whsec_blGrM4Th4PrLhgBiTXGM87zvNu20n9dWwqQai4tYhoo=");
        let hook = Webhook::new(url, &secret, policy.timeout, true, None, None).unwrap();
        let notifier = Notifier::new(
            [("hook".to_string(), Sender::Webhook(hook))].into(),
            policy.timeout,
        );
        let dispatcher = Dispatcher::new(
            store.clone(),
            notifier,
            policy.clone(),
            Arc::new(Notify::new()),
            Metrics::default(),
            Default::default(),
        );
        let shutdown = CancellationToken::new();
        let running = tokio::spawn(dispatcher.run(shutdown.clone()));
        let mut state = None;
        for _ in 0..600 {
            let s = store.deliveries(None).unwrap().remove(0);
            if s.attempts >= 2 && !s.leased {
                state = Some(s);
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        shutdown.cancel();
        running.await.unwrap();
        let state = state.expect("the second attempt's outcome is recorded");
        assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 2);
        assert_eq!(state.attempts, 2);
        assert_eq!(state.status, Status::Pending);
        assert_eq!(
            state.last_error.as_deref(),
            Some("HTTP 503 Service Unavailable")
        );
        let wait = state.next_attempt_ms - now_ms();
        assert!(
            wait > 0 && wait <= ms(policy.max_backoff),
            "due within the policy's maximum delay, got {wait} ms"
        );
    }
}
