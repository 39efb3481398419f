//! The sent log: deliveries done (delivered or dead), shared between the
//! replicas of a consumer group through a compacted Kafka topic
//! (`kafka.sent_topic`, `<group_id>.sent` by default).
//!
//! Each replica publishes `alert_id/channel` (value `delivered` or `dead`)
//! once a delivery is done, and reads the whole topic back as a changelog
//! (a consumer in no group, assigned every partition from the beginning,
//! never committing), keeping a digest of every key it has read in memory.
//! The dispatcher skips a delivery whose key is there: another replica
//! made it before it died, and this replica is re-processing that
//! replica's uncommitted messages.
//!
//! The race with a takeover: a partition assignment asks for a catch-up
//! ([`SentLog::request_sync`], from the rebalance callback, before any
//! message of the new partitions reaches the outbox). The dispatcher runs
//! it after leasing and before sending ([`SentLog::sync_if_requested`]):
//! it reads the topic's end offsets and waits (at most
//! [`CATCH_UP_TIMEOUT`]) until the reader has read up to them. The dead
//! replica stopped before the assignment that hands over its partitions,
//! so every record the broker had from it is below those offsets.
//!
//! Bounds: a key is kept for `delivery.max_age` after it was published
//! (48 h by default: the longest a replayed delivery can wait in an outbox
//! before it is dead anyway), and at most [`MAX_KEYS`] keys (oldest
//! dropped first). The topic is created with `cleanup.policy=compact,delete`
//! and `retention.ms` = that age, so a restart reads back no more.
//!
//! The remaining window: a delivery sent whose record the broker has not
//! yet acknowledged is unknown to the others; a replica dying in it is
//! resent by the survivor, with the same `alert_id`.
//! `wirewatch_sent_log_publish_seconds` measures the window (a few
//! milliseconds against a broker on loopback).
//!
//! Without a usable topic (it cannot be created or read, its name breaks
//! Kafka's rule) the sent log is off: one warning, `wirewatch_sent_log_enabled`
//! 0, and each replica dedups on its own as before. It never holds up a
//! delivery: a publish hands the records to the producer and returns (the
//! acknowledgement is awaited in the background, at most
//! [`PUBLISH_TIMEOUT`]); only the catch-up after an assignment waits.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord, Producer as _};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{Offset, TopicPartitionList};
use tokio::sync::watch;
use tracing::{debug, info, warn};

use crate::config::KafkaConfig;
use crate::metrics::Metrics;

/// The most keys kept in memory: about 100 bytes each (a 128-bit digest
/// in a hash map and in the age queue), so about 100 MB at most.
pub const MAX_KEYS: usize = 1_000_000;
/// The longest a publish is waited for before the delivery is recorded
/// anyway.
pub const PUBLISH_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest the dispatcher waits for the changelog to catch up.
pub const CATCH_UP_TIMEOUT: Duration = Duration::from_secs(30);
const METADATA_TIMEOUT: Duration = Duration::from_secs(10);

/// The sent log; cheap to clone. [`SentLog::off`] is today's behaviour.
#[derive(Clone)]
pub struct SentLog {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    topic: String,
    producer: FutureProducer,
    done: Mutex<Done>,
    /// The next offset to read, per partition (what the reader has read).
    read: watch::Receiver<HashMap<i32, i64>>,
    partitions: Vec<i32>,
    /// Set on a partition assignment: catch up before the next deliveries.
    sync_requested: AtomicBool,
    /// A publish failed and was warned about; cleared by the next success.
    publish_failing: AtomicBool,
    stop: Arc<AtomicBool>,
    metrics: Metrics,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// How another replica (or this one) finished a delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DoneAs {
    Delivered,
    /// Given up on (dead): not attempted again by this replica either.
    Dead,
}

impl DoneAs {
    fn as_str(self) -> &'static str {
        match self {
            DoneAs::Delivered => "delivered",
            DoneAs::Dead => "dead",
        }
    }

    fn parse(payload: Option<&[u8]>) -> DoneAs {
        match payload {
            Some(b"dead") => DoneAs::Dead,
            _ => DoneAs::Delivered,
        }
    }
}

/// The keys seen, with when each was published and how it ended, and
/// the keys in the order they were published, oldest first.
struct Done {
    keys: HashMap<u128, (i64, DoneAs)>,
    order: VecDeque<(i64, u128)>,
    keep_ms: i64,
}

impl Done {
    fn insert(&mut self, key: u128, how: DoneAs, at_ms: i64, now_ms: i64) {
        if at_ms <= now_ms.saturating_sub(self.keep_ms) {
            return;
        }
        let last = self.keys.get(&key).map(|(at, _)| *at);
        // A key published again is kept from its latest publication.
        let at_ms = last.map_or(at_ms, |l| l.max(at_ms));
        self.keys.insert(key, (at_ms, how));
        if last != Some(at_ms) {
            self.order.push_back((at_ms, key));
        }
        while let Some((at, _)) = self.order.front() {
            if self.order.len() > MAX_KEYS || *at <= now_ms.saturating_sub(self.keep_ms) {
                let (at, k) = self.order.pop_front().expect("front exists");
                if self.keys.get(&k).is_some_and(|(last, _)| *last <= at) {
                    self.keys.remove(&k);
                }
            } else {
                break;
            }
        }
    }
}

/// The record key of a delivery.
pub fn key(alert_id: &str, channel: &str) -> String {
    format!("{alert_id}/{channel}")
}

/// What is kept of a record key in memory: the first 128 bits of its
/// SHA-256. A false match would skip a delivery; with the most keys kept
/// its chance is below 10^-32 per delivery.
fn digest(key: &[u8]) -> u128 {
    use sha2::{Digest as _, Sha256};
    let h = Sha256::digest(key);
    u128::from_be_bytes(h[..16].try_into().expect("16 bytes"))
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

fn client_config(cfg: &KafkaConfig) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", &cfg.brokers);
    for (k, v) in &cfg.properties {
        c.set(k, v.expose());
    }
    c
}

impl SentLog {
    /// No shared log: each replica dedups on its own (`run --input`, the
    /// demo, or a topic that cannot be used).
    pub fn off() -> SentLog {
        SentLog { inner: None }
    }

    pub fn is_on(&self) -> bool {
        self.inner.is_some()
    }

    /// Creates the topic if missing and starts reading it from the
    /// beginning; on any problem, one warning and the log is off.
    /// `keep` is how long a key is kept (`delivery.max_age`).
    pub async fn start(cfg: &KafkaConfig, keep: Duration, metrics: Metrics) -> SentLog {
        let topic = cfg.sent_topic.clone();
        match Self::try_start(cfg, keep, metrics.clone()).await {
            Ok(log) => {
                metrics.sent_log_enabled.set(1);
                info!(message = "Sharing deliveries done with the other replicas.", sent_topic = %topic);
                log
            }
            Err(e) => {
                metrics.sent_log_enabled.set(0);
                warn!(message = "Cannot use the sent topic; each replica dedups on its own, so a replica taking over a dead one's partitions may resend its last alerts.", sent_topic = %topic, error = %e);
                SentLog::off()
            }
        }
    }

    async fn try_start(
        cfg: &KafkaConfig,
        keep: Duration,
        metrics: Metrics,
    ) -> anyhow::Result<SentLog> {
        check_topic_name(&cfg.sent_topic)?;
        let keep_ms = i64::try_from(keep.as_millis()).unwrap_or(i64::MAX).max(1);
        ensure_topic(cfg, keep_ms).await?;
        let mut pc = client_config(cfg);
        pc.set(
            "message.timeout.ms",
            PUBLISH_TIMEOUT.as_millis().to_string(),
        )
        .set("linger.ms", "0")
        .set("statistics.interval.ms", "0");
        let producer: FutureProducer = pc.create()?;
        let mut cc = client_config(cfg);
        cc.set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("enable.partition.eof", "false")
            .set("statistics.interval.ms", "0")
            .set("fetch.wait.max.ms", "50");
        // librdkafka wants a `group.id` even to assign partitions; this
        // consumer never subscribes nor commits, so it joins no group.
        cc.set("group.id", format!("{}.sent-reader", cfg.group_id));
        let consumer: BaseConsumer = cc.create()?;
        let topic = cfg.sent_topic.clone();
        let (consumer, partitions) = tokio::task::spawn_blocking(move || {
            let md = consumer.fetch_metadata(Some(&topic), METADATA_TIMEOUT)?;
            let t = md
                .topics()
                .iter()
                .find(|t| t.name() == topic)
                .ok_or_else(|| anyhow::anyhow!("the broker does not list the topic"))?;
            if let Some(e) = t.error() {
                anyhow::bail!("{}", RDKafkaErrorCode::from(e));
            }
            let partitions: Vec<i32> = t.partitions().iter().map(|p| p.id()).collect();
            if partitions.is_empty() {
                anyhow::bail!("the topic has no partitions");
            }
            let mut tpl = TopicPartitionList::new();
            for p in &partitions {
                tpl.add_partition_offset(&topic, *p, Offset::Beginning)?;
            }
            consumer.assign(&tpl)?;
            Ok((consumer, partitions))
        })
        .await??;
        let (read_tx, read) = watch::channel(HashMap::new());
        let stop = Arc::new(AtomicBool::new(false));
        let inner = Arc::new(Inner {
            topic: cfg.sent_topic.clone(),
            producer,
            done: Mutex::new(Done {
                keys: HashMap::new(),
                order: VecDeque::new(),
                keep_ms,
            }),
            read,
            partitions,
            // Catch up before the first deliveries.
            sync_requested: AtomicBool::new(true),
            publish_failing: AtomicBool::new(false),
            stop: stop.clone(),
            metrics,
        });
        let weak = Arc::downgrade(&inner);
        std::thread::Builder::new()
            .name("sent-log".into())
            .spawn(move || read_loop(consumer, weak, read_tx, stop))?;
        Ok(SentLog { inner: Some(inner) })
    }

    /// Whether, and how, another replica (or this one) has finished this
    /// delivery.
    pub fn done(&self, alert_id: &str, channel: &str) -> Option<DoneAs> {
        let inner = self.inner.as_ref()?;
        let done = inner.done.lock().unwrap_or_else(|p| p.into_inner());
        done.keys
            .get(&digest(key(alert_id, channel).as_bytes()))
            .map(|(_, how)| *how)
    }

    /// Asks for a catch-up before the next deliveries (on a partition
    /// assignment: the new partitions' messages may be a dead replica's).
    pub fn request_sync(&self) {
        if let Some(inner) = &self.inner {
            inner.sync_requested.store(true, Ordering::Release);
        }
    }

    /// If a catch-up was asked for, waits until the reader has read
    /// everything published before now (at most [`CATCH_UP_TIMEOUT`]).
    pub async fn sync_if_requested(&self) {
        let Some(inner) = &self.inner else { return };
        if !inner.sync_requested.swap(false, Ordering::AcqRel) {
            return;
        }
        let started = Instant::now();
        let this = inner.clone();
        let targets = tokio::task::spawn_blocking(move || {
            let client = this.producer.client();
            this.partitions
                .iter()
                .map(|p| {
                    client
                        .fetch_watermarks(&this.topic, *p, METADATA_TIMEOUT)
                        .map(|(low, high)| (*p, low, high))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .await;
        let targets = match targets {
            Ok(Ok(t)) => t,
            Ok(Err(e)) => {
                warn!(message = "Cannot read the sent topic's end; delivering without waiting for it.", sent_topic = %inner.topic, error = %e);
                return;
            }
            Err(e) => {
                warn!(message = "Cannot read the sent topic's end; delivering without waiting for it.", sent_topic = %inner.topic, error = %e);
                return;
            }
        };
        let mut read = inner.read.clone();
        let caught_up = tokio::time::timeout(
            CATCH_UP_TIMEOUT.saturating_sub(started.elapsed()),
            read.wait_for(|at| {
                targets
                    .iter()
                    .all(|(p, low, high)| high <= low || at.get(p).is_some_and(|o| o >= high))
            }),
        )
        .await;
        match caught_up {
            Ok(Ok(_)) => {
                let keys = inner.done.lock().map(|d| d.keys.len()).unwrap_or(0);
                info!(message = "Sent log caught up.", sent_topic = %inner.topic, keys, ms = started.elapsed().as_millis() as u64);
            }
            _ => {
                warn!(message = "The sent log did not catch up in time; delivering anyway.", sent_topic = %inner.topic, waited_ms = started.elapsed().as_millis() as u64);
            }
        }
    }

    /// Publishes deliveries finished by this replica. They are known to
    /// this replica at once; the records are handed to the producer before
    /// this returns, and the broker's acknowledgement is awaited in the
    /// background (at most [`PUBLISH_TIMEOUT`]), so a delivery is never held
    /// up by the sent topic. From here to that acknowledgement is the
    /// window measured by `wirewatch_sent_log_publish_seconds`.
    pub fn publish(&self, done: &[(&str, &str, DoneAs)]) {
        let Some(inner) = &self.inner else { return };
        if done.is_empty() {
            return;
        }
        let started = Instant::now();
        let now = now_ms();
        let mut acks = Vec::with_capacity(done.len());
        let mut refused = None;
        {
            let mut d = inner.done.lock().unwrap_or_else(|p| p.into_inner());
            for (alert_id, channel, how) in done {
                let k = key(alert_id, channel);
                d.insert(digest(k.as_bytes()), *how, now, now);
                let record = FutureRecord::to(&inner.topic)
                    .key(k.as_str())
                    .payload(how.as_str())
                    .timestamp(now);
                match inner.producer.send_result(record) {
                    Ok(ack) => acks.push(ack),
                    Err((e, _)) => refused = Some(e.to_string()),
                }
            }
        }
        let inner = inner.clone();
        tokio::spawn(async move {
            let results = futures::future::join_all(acks).await;
            let failed = refused.or_else(|| {
                results.into_iter().find_map(|r| match r {
                    Ok(Ok(_)) => None,
                    Ok(Err((e, _))) => Some(e.to_string()),
                    Err(_) => Some("the producer was dropped".into()),
                })
            });
            inner.published(started, failed);
        });
    }

    /// Waits (at most `timeout`) for records not yet acknowledged: at
    /// shutdown, so what this replica sent last is known to the others.
    pub async fn flush(&self, timeout: Duration) {
        let Some(inner) = &self.inner else { return };
        let inner = inner.clone();
        let _ = tokio::task::spawn_blocking(move || inner.producer.flush(timeout)).await;
    }
}

impl Inner {
    fn published(&self, started: Instant, failed: Option<String>) {
        match failed {
            None => {
                self.metrics
                    .sent_log_publish_seconds
                    .observe(started.elapsed().as_secs_f64());
                if self.publish_failing.swap(false, Ordering::Relaxed) {
                    info!(message = "Publishing to the sent topic works again.", sent_topic = %self.topic);
                }
            }
            Some(error) => {
                self.metrics.sent_log_publish_failures.inc();
                if !self.publish_failing.swap(true, Ordering::Relaxed) {
                    warn!(message = "Cannot publish to the sent topic; another replica taking over may resend these alerts.", sent_topic = %self.topic, error = %error);
                }
            }
        }
    }
}

/// Kafka's rule for topic names, which its brokers enforce
/// (`INVALID_TOPIC_EXCEPTION`); checked here too, since some brokers
/// (tansu 0.6) accept any name and librdkafka panics on one longer than
/// 512 bytes. Not a config error: the default name is made from
/// `group_id`, which may hold any character.
fn check_topic_name(name: &str) -> anyhow::Result<()> {
    let legal = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if name.is_empty()
        || name == "."
        || name == ".."
        || name.len() > 249
        || !name.chars().all(legal)
    {
        anyhow::bail!(
            "{name:?} is not a valid Kafka topic name (ASCII letters, digits, '.', '_' and '-', at most 249, not \".\" or \"..\"); set kafka.sent_topic"
        );
    }
    Ok(())
}

/// Creates the topic, compacted, if the broker lacks it.
async fn ensure_topic(cfg: &KafkaConfig, keep_ms: i64) -> anyhow::Result<()> {
    let admin: AdminClient<DefaultClientContext> = client_config(cfg).create()?;
    let retention = keep_ms.to_string();
    let new = NewTopic::new(&cfg.sent_topic, 1, TopicReplication::Fixed(-1))
        .set("cleanup.policy", "compact,delete")
        .set("retention.ms", &retention);
    let options = AdminOptions::new()
        .request_timeout(Some(METADATA_TIMEOUT))
        .operation_timeout(Some(METADATA_TIMEOUT));
    for r in admin.create_topics([&new], &options).await? {
        match r {
            Ok(t) => info!(message = "Created the sent topic.", topic = %t),
            Err((t, RDKafkaErrorCode::TopicAlreadyExists)) => {
                debug!(message = "Sent topic exists.", topic = %t)
            }
            Err((t, e)) => anyhow::bail!("cannot create {t}: {e}"),
        }
    }
    Ok(())
}

/// The changelog reader: every record's key into the set, and how far it
/// has read into `read` (for catch-ups). Runs until the log is dropped.
fn read_loop(
    consumer: BaseConsumer,
    inner: std::sync::Weak<Inner>,
    read: watch::Sender<HashMap<i32, i64>>,
    stop: Arc<AtomicBool>,
) {
    let mut warned = false;
    while !stop.load(Ordering::Relaxed) {
        match consumer.poll(Duration::from_millis(100)) {
            Some(Ok(m)) => {
                let Some(inner) = inner.upgrade() else { return };
                if let Some(k) = m.key() {
                    let at = m.timestamp().to_millis().unwrap_or_else(now_ms);
                    let how = DoneAs::parse(m.payload());
                    let mut d = inner.done.lock().unwrap_or_else(|p| p.into_inner());
                    d.insert(digest(k), how, at, now_ms());
                }
                warned = false;
            }
            Some(Err(e)) if !warned => {
                warn!(message = "Reading the sent topic failed; retrying.", error = %e);
                warned = true;
            }
            Some(Err(_)) | None => {}
        }
        // Where the reader stands, for a catch-up in progress.
        if let Ok(positions) = consumer.position() {
            read.send_if_modified(|at| {
                let mut changed = false;
                for e in positions.elements() {
                    if let Offset::Offset(o) = e.offset() {
                        if at.insert(e.partition(), o) != Some(o) {
                            changed = true;
                        }
                    }
                }
                changed
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(key: &str) -> u128 {
        digest(key.as_bytes())
    }

    #[test]
    fn keys_older_than_the_window_are_dropped_and_new_ones_kept() {
        let mut d = Done {
            keys: HashMap::new(),
            order: VecDeque::new(),
            keep_ms: 1_000,
        };
        d.insert(h("a/soc"), DoneAs::Delivered, 10_000, 10_000);
        d.insert(h("b/soc"), DoneAs::Dead, 10_500, 10_500);
        d.insert(h("old/soc"), DoneAs::Delivered, 8_000, 10_500);
        assert!(!d.keys.contains_key(&h("old/soc")), "older than the window");
        d.insert(h("c/soc"), DoneAs::Delivered, 11_200, 11_200);
        assert!(!d.keys.contains_key(&h("a/soc")), "aged out");
        assert_eq!(d.keys.get(&h("b/soc")), Some(&(10_500, DoneAs::Dead)));
        assert!(d.keys.contains_key(&h("c/soc")));
        assert_eq!(d.order.len(), d.keys.len());
    }

    #[test]
    fn a_key_read_back_or_published_again_is_kept_from_its_latest_time() {
        let mut d = Done {
            keys: HashMap::new(),
            order: VecDeque::new(),
            keep_ms: 1_000,
        };
        d.insert(h("a/soc"), DoneAs::Delivered, 10_000, 10_000);
        // This replica's own record, read back with the same time.
        d.insert(h("a/soc"), DoneAs::Delivered, 10_000, 10_050);
        assert_eq!(d.order.len(), 1, "read back: no second entry");
        d.insert(h("a/soc"), DoneAs::Delivered, 10_800, 10_800);
        d.insert(h("b/soc"), DoneAs::Delivered, 11_500, 11_500);
        assert!(d.keys.contains_key(&h("a/soc")), "kept from its later time");
        d.insert(h("c/soc"), DoneAs::Delivered, 11_900, 11_900);
        assert!(!d.keys.contains_key(&h("a/soc")), "then aged out");
        assert_eq!(d.order.len(), d.keys.len());
    }

    #[test]
    fn payloads_read_back_as_delivered_unless_dead() {
        assert_eq!(DoneAs::parse(Some(b"dead")), DoneAs::Dead);
        assert_eq!(DoneAs::parse(Some(b"delivered")), DoneAs::Delivered);
        assert_eq!(DoneAs::parse(None), DoneAs::Delivered);
        for how in [DoneAs::Delivered, DoneAs::Dead] {
            assert_eq!(DoneAs::parse(Some(how.as_str().as_bytes())), how);
        }
    }

    #[test]
    fn topic_names_follow_kafka_s_rule() {
        for good in ["wirewatch.sent", "desk-eu_2.sent", &"x".repeat(249)] {
            assert!(check_topic_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            ".",
            "..",
            "bad name!",
            "team/alerts.sent",
            "é.sent",
            &"x".repeat(250),
        ] {
            let e = check_topic_name(bad).unwrap_err().to_string();
            assert!(e.contains("is not a valid Kafka topic name"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_log_that_is_off_knows_nothing_and_publishes_nothing() {
        let log = SentLog::off();
        assert!(!log.is_on());
        assert_eq!(log.done("alrt_x", "soc"), None);
        log.publish(&[("alrt_x", "soc", DoneAs::Delivered)]);
        log.request_sync();
    }
}
