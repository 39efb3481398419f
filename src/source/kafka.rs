//! The Kafka source: a consumer in a consumer group over the configured
//! topics, at-least-once. An offset is stored only when its message and
//! every earlier message of its partition are fully handled (alerts
//! delivered or their failure recorded, or the malformed event copied to
//! the dead-letter topic). Stored offsets are committed periodically, on
//! partition revoke and at shutdown.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{
    BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance, StreamConsumer,
};
use rdkafka::message::{Header, Message, OwnedHeaders, OwnedMessage};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::ClientContext;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{debug, error, info, warn};

use crate::article::Malformed;
use crate::config::KafkaConfig;
use crate::metrics::Metrics;
use crate::pipeline::Processor;

/// How many messages may be in flight (matched, alerts being delivered) at
/// once. Past it the consumer stops reading until some finish.
pub const MAX_IN_FLIGHT: usize = 1024;

/// The most messages written to the outbox in one transaction.
pub const BATCH: usize = 256;

/// Header names on dead-letter messages.
pub const DLQ_REASON_HEADER: &str = "wirewatch-error";
pub const DLQ_MESSAGE_HEADER: &str = "wirewatch-error-message";

type Tp = (String, i32);

#[derive(Debug, Default)]
struct Partition {
    /// Bumped on every (re)assignment, so a completion from an earlier
    /// assignment never stores an offset.
    epoch: u64,
    in_flight: BTreeSet<i64>,
    /// The first offset seen in this assignment: storing it would be a no-op.
    first: Option<i64>,
    max_done: Option<i64>,
    stored: Option<i64>,
}

/// Which offsets of each assigned partition are in flight or done.
#[derive(Debug, Default)]
pub struct Tracker {
    parts: HashMap<Tp, Partition>,
    next_epoch: u64,
}

impl Tracker {
    fn assign(&mut self, tp: Tp) {
        self.next_epoch += 1;
        self.parts.insert(
            tp,
            Partition {
                epoch: self.next_epoch,
                ..Default::default()
            },
        );
    }

    fn revoke(&mut self, tp: &Tp) {
        self.parts.remove(tp);
    }

    /// Records a message as in flight; returns the assignment epoch.
    fn begin(&mut self, tp: &Tp, offset: i64) -> u64 {
        if !self.parts.contains_key(tp) {
            self.assign(tp.clone());
        }
        let p = self.parts.get_mut(tp).expect("just assigned");
        p.in_flight.insert(offset);
        p.first = Some(p.first.map_or(offset, |f| f.min(offset)));
        p.epoch
    }

    /// Records a message as handled; returns the offset to store (the next
    /// offset to read) when it advanced.
    fn finish(&mut self, tp: &Tp, offset: i64, epoch: u64) -> Option<i64> {
        let p = self.parts.get_mut(tp).filter(|p| p.epoch == epoch)?;
        p.in_flight.remove(&offset);
        p.max_done = Some(p.max_done.map_or(offset, |m| m.max(offset)));
        let next = match p.in_flight.first() {
            Some(&lowest) => lowest,
            None => p.max_done? + 1,
        };
        if p.stored.is_some_and(|s| s >= next) || p.first.is_some_and(|f| next <= f) {
            return None;
        }
        p.stored = Some(next);
        Some(next)
    }

    pub fn assigned(&self) -> usize {
        self.parts.len()
    }
}

/// Commits on revoke and keeps the tracker's assignment current.
pub struct Context {
    tracker: Arc<Mutex<Tracker>>,
    metrics: Metrics,
}

impl ClientContext for Context {
    /// librdkafka's periodic statistics carry each partition's lag.
    fn stats(&self, statistics: rdkafka::Statistics) {
        for (topic, t) in &statistics.topics {
            for (partition, p) in &t.partitions {
                // Partition -1 is librdkafka's internal "unassigned" entry;
                // a lag of -1 means unknown.
                if *partition >= 0 && p.consumer_lag >= 0 {
                    self.metrics.lag(topic, *partition, p.consumer_lag);
                }
            }
        }
    }
}

impl ConsumerContext for Context {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(tpl) = rebalance {
            // Offsets stored so far cover only fully handled messages.
            match consumer.commit_consumer_state(CommitMode::Sync) {
                Ok(())
                | Err(rdkafka::error::KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => {}
                Err(e) => warn!(message = "Commit on revoke failed.", error = %e),
            }
            let mut t = self.tracker.lock().unwrap_or_else(|p| p.into_inner());
            for e in tpl.elements() {
                t.revoke(&(e.topic().to_string(), e.partition()));
            }
            info!(message = "Partitions revoked.", count = tpl.count());
        }
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(tpl) => {
                let mut t = self.tracker.lock().unwrap_or_else(|p| p.into_inner());
                let names: Vec<String> = tpl
                    .elements()
                    .iter()
                    .map(|e| {
                        t.assign((e.topic().to_string(), e.partition()));
                        format!("{}[{}]", e.topic(), e.partition())
                    })
                    .collect();
                info!(message = "Partitions assigned.", partitions = %names.join(","));
            }
            Rebalance::Error(e) => warn!(message = "Rebalance failed.", error = %e),
            Rebalance::Revoke(_) => {}
        }
    }
}

/// A message handled: its partition, offset and assignment epoch.
struct Done {
    tp: Tp,
    offset: i64,
    epoch: u64,
}

/// A client config: our `defaults`, then the user's properties over them.
fn client_config(cfg: &KafkaConfig, defaults: &[(&str, String)]) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", &cfg.brokers);
    for (k, v) in defaults {
        c.set(*k, v);
    }
    for (k, v) in &cfg.properties {
        c.set(k, v.expose());
    }
    c
}

/// A client creation error without the value of a secret property:
/// rdkafka's own rendering of a config error ends with the value.
fn client_error(e: &rdkafka::error::KafkaError) -> String {
    match e {
        rdkafka::error::KafkaError::ClientConfig(_, _, key, value) => format!(
            "{key}: {}",
            crate::config::kafka_property_problem(key, value, e)
        ),
        other => other.to_string(),
    }
}

/// The consumer, the dead-letter producer and the offset tracker.
pub struct KafkaSource {
    consumer: Arc<StreamConsumer<Context>>,
    producer: FutureProducer,
    cfg: KafkaConfig,
    tracker: Arc<Mutex<Tracker>>,
    paused: Arc<AtomicBool>,
    stalled: super::stall::Stalled,
    metrics: Metrics,
}

/// The group session timeout in force: librdkafka's property, or ours.
fn session_timeout(cfg: &KafkaConfig) -> Duration {
    let ms = cfg
        .properties
        .get("session.timeout.ms")
        .and_then(|v| v.expose().trim().parse::<u64>().ok())
        .unwrap_or(DEFAULT_SESSION_TIMEOUT_MS);
    Duration::from_millis(ms.max(1_000))
}

const DEFAULT_SESSION_TIMEOUT_MS: u64 = 10_000;

impl KafkaSource {
    pub fn new(cfg: &KafkaConfig, metrics: Metrics) -> anyhow::Result<KafkaSource> {
        let tracker = Arc::new(Mutex::new(Tracker::default()));
        let mut cc = client_config(
            cfg,
            &[
                ("auto.offset.reset", "earliest".into()),
                ("enable.auto.commit", "true".into()),
                ("auto.commit.interval.ms", "5000".into()),
                ("session.timeout.ms", DEFAULT_SESSION_TIMEOUT_MS.to_string()),
                ("enable.partition.eof", "false".into()),
                ("statistics.interval.ms", "5000".into()),
                // librdkafka prefetches up to 64 MiB per partition by default;
                // 16 MiB keeps the daemon's peak memory near 250 MiB (scripts/bench).
                ("queued.max.messages.kbytes", "16384".into()),
                // Once that queue is full, librdkafka waits this long before
                // fetching again (1 s by default), even if the queue drained
                // in the meantime: with a 16 MiB queue that capped the
                // daemon near 5,000 articles/s (scripts/bench).
                ("fetch.queue.backoff.ms", "20".into()),
                (
                    "fetch.message.max.bytes",
                    (cfg.max_message_bytes + 1).max(1_048_576).to_string(),
                ),
            ],
        );
        cc.set("group.id", &cfg.group_id)
            // Offsets are stored by us, only once a message is fully handled.
            .set("enable.auto.offset.store", "false");
        let consumer: StreamConsumer<Context> = cc
            .create_with_context(Context {
                tracker: tracker.clone(),
                metrics: metrics.clone(),
            })
            .map_err(|e| anyhow::anyhow!("cannot create Kafka consumer: {}", client_error(&e)))?;
        let pc = client_config(
            cfg,
            &[
                ("message.timeout.ms", "30000".into()),
                (
                    "message.max.bytes",
                    (cfg.max_message_bytes + 65_536).max(1_000_000).to_string(),
                ),
            ],
        );
        // Statistics are read from the consumer only; the producer's would
        // just be logged.
        let mut pc = pc;
        pc.set("statistics.interval.ms", "0");
        let producer: FutureProducer = pc.create().map_err(|e| {
            anyhow::anyhow!(
                "cannot create Kafka producer for the dead-letter topic: {}",
                client_error(&e)
            )
        })?;
        Ok(KafkaSource {
            consumer: Arc::new(consumer),
            producer,
            cfg: cfg.clone(),
            tracker,
            paused: Arc::new(AtomicBool::new(false)),
            stalled: Default::default(),
            metrics,
        })
    }

    /// The partitions no group member has consumed for a while (see
    /// [`super::stall`]), for `/readyz`.
    pub fn stalled_handle(&self) -> super::stall::Stalled {
        self.stalled.clone()
    }

    /// A handle that tells how many partitions this instance holds now.
    pub fn assignment_handle(&self) -> impl Fn() -> usize + Send + Sync + 'static {
        let tracker = self.tracker.clone();
        move || tracker.lock().unwrap_or_else(|p| p.into_inner()).assigned()
    }

    /// Creates the dead-letter topic if the broker lacks it, so a malformed
    /// event is never lost to a missing topic.
    pub async fn ensure_dead_letter_topic(&self) {
        let topic = self.cfg.dead_letter_topic.clone();
        let exists = {
            let consumer = self.consumer.clone();
            let t = topic.clone();
            tokio::task::spawn_blocking(move || {
                consumer
                    .fetch_metadata(Some(&t), Duration::from_secs(10))
                    .map(|m| {
                        m.topics().iter().any(|x| {
                            x.name() == t && x.error().is_none() && !x.partitions().is_empty()
                        })
                    })
            })
            .await
        };
        match exists {
            Ok(Ok(true)) => return,
            Ok(Err(e)) => {
                warn!(message = "Cannot read broker metadata.", error = %e);
            }
            _ => {}
        }
        let admin: Result<AdminClient<DefaultClientContext>, _> =
            client_config(&self.cfg, &[]).create();
        let Ok(admin) = admin else { return };
        let new = NewTopic::new(&topic, 1, TopicReplication::Fixed(-1));
        // librdkafka's default would wait a minute for an unreachable broker.
        let options = AdminOptions::new()
            .request_timeout(Some(Duration::from_secs(10)))
            .operation_timeout(Some(Duration::from_secs(10)));
        match admin.create_topics([&new], &options).await {
            Ok(results) => {
                for r in results {
                    match r {
                        Ok(t) => info!(message = "Created the dead-letter topic.", topic = %t),
                        Err((t, RDKafkaErrorCode::TopicAlreadyExists)) => {
                            debug!(message = "Dead-letter topic exists.", topic = %t)
                        }
                        Err((t, e)) => {
                            error!(message = "Cannot create the dead-letter topic; malformed events may be lost.", topic = %t, error = %e)
                        }
                    }
                }
            }
            Err(e) => {
                error!(message = "Cannot create the dead-letter topic.", topic = %topic, error = %e)
            }
        }
    }

    /// Consumes until `shutdown`, then drains in-flight work within `grace`,
    /// stores and commits offsets, and leaves the group.
    /// Past `max_pending` deliveries in the outbox, the partitions are
    /// paused (the group session stays alive) until it drains below 90%.
    pub async fn run(
        self,
        processor: Processor,
        shutdown: CancellationToken,
        grace: Duration,
        max_pending: u64,
    ) -> anyhow::Result<()> {
        if shutdown.is_cancelled() {
            // Stopped during startup: nothing was consumed, nothing to commit.
            return Ok(());
        }
        let topics: Vec<&str> = self.cfg.topics.iter().map(String::as_str).collect();
        self.consumer
            .subscribe(&topics)
            .map_err(|e| anyhow::anyhow!("cannot subscribe to {topics:?}: {e}"))?;
        info!(message = "Consuming.", brokers = %self.cfg.brokers, group_id = %self.cfg.group_id, topics = %topics.join(","));
        tokio::spawn(super::stall::run(
            self.consumer.clone(),
            self.cfg.topics.clone(),
            session_timeout(&self.cfg),
            self.metrics.clone(),
            self.stalled.clone(),
            shutdown.clone(),
        ));
        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Done>();
        let permits = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
        let workers = Arc::new(Semaphore::new(self.cfg.workers.max(1)));
        let tasks = TaskTracker::new();
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                _ = shutdown.cancelled() => break,
                Some(d) = done_rx.recv() => self.complete(d),
                _ = tick.tick() => self.backpressure(&processor, max_pending),
                msg = self.consumer.recv(), if permits.available_permits() > 0 && workers.available_permits() > 0 => {
                    let msg = match msg {
                        Ok(m) => m,
                        Err(e) => {
                            log_consume_error(&e);
                            continue;
                        }
                    };
                    // Take whatever else is already fetched, so one outbox
                    // transaction (one fsync) covers the batch.
                    let mut batch = vec![msg];
                    while batch.len() < BATCH && permits.available_permits() > batch.len() {
                        match tokio::time::timeout(Duration::ZERO, self.consumer.recv()).await {
                            Ok(Ok(m)) => batch.push(m),
                            Ok(Err(e)) => {
                                log_consume_error(&e);
                                break;
                            }
                            Err(_) => break,
                        }
                    }
                    // Decoding and matching run on a worker thread, so the
                    // loop goes on fetching (and other batches match) while
                    // this one is matched and written to the outbox.
                    let worker = workers.clone().try_acquire_owned().expect("a worker is free");
                    let mut items = Vec::with_capacity(batch.len());
                    let mut tracker = self.tracker.lock().unwrap_or_else(|p| p.into_inner());
                    for m in batch {
                        let permit = permits.clone().try_acquire_owned().expect("a permit is available");
                        let tp: Tp = (m.topic().to_string(), m.partition());
                        let epoch = tracker.begin(&tp, m.offset());
                        items.push(Fetched { done: Done { tp, offset: m.offset(), epoch }, permit, message: m.detach() });
                    }
                    drop(tracker);
                    let job = Job {
                        processor: processor.clone(),
                        producer: self.producer.clone(),
                        dead_letter_topic: self.cfg.dead_letter_topic.clone(),
                        max_message_bytes: self.cfg.max_message_bytes,
                        done_tx: done_tx.clone(),
                        shutdown: shutdown.clone(),
                    };
                    tasks.spawn(job.run(items, worker));
                }
            }
        }
        info!(
            message = "Stopping: finishing messages in flight.",
            grace_secs = grace.as_secs()
        );
        tasks.close();
        let drained = tokio::time::timeout(grace, async {
            loop {
                tokio::select! {
                    _ = tasks.wait() => break,
                    Some(d) = done_rx.recv() => self.complete(d),
                }
            }
        })
        .await;
        while let Ok(d) = done_rx.try_recv() {
            self.complete(d);
        }
        if drained.is_err() {
            warn!(
                message = "Shutdown grace period expired; unfinished messages will be redelivered.",
                in_flight = tasks.len()
            );
        }
        let consumer = self.consumer.clone();
        tokio::task::spawn_blocking(move || {
            match consumer.commit_consumer_state(CommitMode::Sync) {
                Ok(()) => info!(message = "Offsets committed."),
                Err(rdkafka::error::KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => {}
                Err(e) => warn!(message = "Final commit failed.", error = %e),
            }
            consumer.unsubscribe();
            // Dropping the consumer leaves the group; it can block, so it
            // happens here, off the async runtime.
            drop(consumer);
        })
        .await?;
        Ok(())
    }

    /// Pauses or resumes every assigned partition on the outbox's size.
    fn backpressure(&self, processor: &Processor, max_pending: u64) {
        let Ok(pending) = processor.store.pending() else {
            return;
        };
        let paused = self.paused.load(Ordering::Relaxed);
        let change = if !paused && pending >= max_pending {
            Some(true)
        } else if paused && pending < max_pending - max_pending / 10 {
            Some(false)
        } else {
            None
        };
        let Some(pause) = change else { return };
        let Ok(assignment) = self.consumer.assignment() else {
            return;
        };
        let result = if pause {
            self.consumer.pause(&assignment)
        } else {
            self.consumer.resume(&assignment)
        };
        match result {
            Ok(()) => {
                self.paused.store(pause, Ordering::Relaxed);
                if pause {
                    warn!(
                        message = "Outbox full: pausing consumption until deliveries catch up.",
                        pending, max_pending
                    );
                } else {
                    info!(message = "Outbox drained: resuming consumption.", pending);
                }
            }
            Err(e) => warn!(message = "Cannot pause or resume partitions.", error = %e),
        }
    }

    /// A handle telling whether consumption is paused by backpressure.
    pub fn paused_handle(&self) -> Arc<AtomicBool> {
        self.paused.clone()
    }

    fn complete(&self, d: Done) {
        let next = self
            .tracker
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .finish(&d.tp, d.offset, d.epoch);
        if let Some(next) = next {
            // librdkafka's rd_kafka_offset_store takes the last handled
            // offset and commits the one after it.
            if let Err(e) = self.consumer.store_offset(&d.tp.0, d.tp.1, next - 1) {
                debug!(message = "Cannot store offset (partition no longer assigned?).", topic = %d.tp.0, partition = d.tp.1, offset = next, error = %e);
            }
        }
    }
}

/// Logs an error the consumer returned. Broker connection failures are
/// already logged by librdkafka (once per broker, with repeats suppressed)
/// and it reconnects by itself, so they are not repeated at warn level.
fn log_consume_error(e: &rdkafka::error::KafkaError) {
    match e.rdkafka_error_code() {
        Some(RDKafkaErrorCode::BrokerTransportFailure | RDKafkaErrorCode::AllBrokersDown) => {
            debug!(message = "Kafka error.", error = %e)
        }
        _ => warn!(message = "Kafka error.", error = %e),
    }
}

/// A fetched message on its way through a worker.
struct Fetched {
    done: Done,
    permit: OwnedSemaphorePermit,
    message: OwnedMessage,
}

/// What a worker needs to handle one batch.
struct Job {
    processor: Processor,
    producer: FutureProducer,
    dead_letter_topic: String,
    max_message_bytes: usize,
    done_tx: mpsc::UnboundedSender<Done>,
    shutdown: CancellationToken,
}

impl Job {
    /// Matches the batch and writes its alerts to the outbox in one
    /// transaction on a blocking thread, then reports each message done
    /// (a malformed one after it is dead-lettered). Nothing is reported
    /// done if the outbox cannot be written before shutdown, so those
    /// messages are redelivered.
    ///
    /// The worker permit is released before anything is reported, so the
    /// consumer loop, woken by the reports, finds the worker free (released
    /// after them, the loop could sleep until its next tick).
    async fn run(self, items: Vec<Fetched>, worker: OwnedSemaphorePermit) {
        let processor = self.processor.clone();
        let shutdown = self.shutdown.clone();
        let (items, results) = match tokio::task::spawn_blocking(move || {
            let results = {
                let payloads: Vec<Option<&[u8]>> =
                    items.iter().map(|f| f.message.payload()).collect();
                write_batch(&processor, &payloads, &shutdown)
            };
            (items, results)
        })
        .await
        {
            Ok((items, Some(results))) => {
                drop(worker);
                (items, results)
            }
            Ok((_, None)) => return,
            Err(e) => {
                // A bug, not bad input (decoding and matching are fuzzed):
                // stop cleanly; the batch's offsets are not stored.
                error!(message = "A matcher worker failed; stopping.", error = %e);
                self.shutdown.cancel();
                return;
            }
        };
        for (f, result) in items.into_iter().zip(results) {
            match result {
                Ok(_) => {}
                Err(bad) => {
                    let Done { tp, offset, .. } = &f.done;
                    warn!(message = "Malformed event; sending it to the dead-letter topic.", topic = %tp.0, partition = tp.1, offset, reason = bad.reason(), error = %bad);
                    let payload = f
                        .message
                        .payload()
                        .map(|p| p[..p.len().min(self.max_message_bytes)].to_vec());
                    let key = f.message.key().map(<[u8]>::to_vec);
                    dead_letter(
                        &self.producer,
                        &self.dead_letter_topic,
                        tp,
                        *offset,
                        key,
                        payload,
                        &bad,
                    )
                    .await;
                }
            }
            drop(f.permit);
            let _ = self.done_tx.send(f.done);
        }
    }
}

/// Writes a batch to the outbox, retrying until it succeeds or shutdown.
fn write_batch(
    processor: &Processor,
    payloads: &[Option<&[u8]>],
    shutdown: &CancellationToken,
) -> Option<Vec<Result<usize, Malformed>>> {
    loop {
        match processor.handle_batch(payloads) {
            Ok(r) => return Some(r),
            Err(e) => {
                // Nothing is lost: no offset is stored and the batch is
                // retried until the outbox takes it.
                error!(message = "Cannot write alerts to the outbox; retrying.", messages = payloads.len(), error = %e);
                for _ in 0..10 {
                    if shutdown.is_cancelled() {
                        return None;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
    }
}

/// Copies a malformed event to the dead-letter topic with the reason in
/// headers. Retries until the producer gives up, then logs.
async fn dead_letter(
    producer: &FutureProducer,
    topic: &str,
    tp: &Tp,
    offset: i64,
    key: Option<Vec<u8>>,
    payload: Option<Vec<u8>>,
    bad: &Malformed,
) {
    let message = bad.to_string();
    let source_offset = offset.to_string();
    let source_partition = tp.1.to_string();
    let headers = OwnedHeaders::new()
        .insert(Header {
            key: DLQ_REASON_HEADER,
            value: Some(bad.reason()),
        })
        .insert(Header {
            key: DLQ_MESSAGE_HEADER,
            value: Some(message.as_str()),
        })
        .insert(Header {
            key: "wirewatch-source-topic",
            value: Some(tp.0.as_str()),
        })
        .insert(Header {
            key: "wirewatch-source-partition",
            value: Some(source_partition.as_str()),
        })
        .insert(Header {
            key: "wirewatch-source-offset",
            value: Some(source_offset.as_str()),
        });
    let mut record: FutureRecord<'_, [u8], [u8]> = FutureRecord::to(topic).headers(headers);
    if let Some(k) = &key {
        record = record.key(k.as_slice());
    }
    if let Some(p) = &payload {
        record = record.payload(p.as_slice());
    }
    match producer.send(record, Duration::from_secs(30)).await {
        Ok(_) => debug!(message = "Dead-lettered.", topic = %tp.0, partition = tp.1, offset),
        Err((e, _)) => {
            error!(message = "Cannot write to the dead-letter topic; the malformed event is only logged.", dead_letter_topic = topic, topic = %tp.0, partition = tp.1, offset, error = %e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp() -> Tp {
        ("t".into(), 0)
    }

    #[test]
    fn stores_only_past_fully_handled_prefix() {
        let mut t = Tracker::default();
        let e = t.begin(&tp(), 10);
        t.begin(&tp(), 11);
        t.begin(&tp(), 12);
        // 11 finishes first: 10 is still in flight, nothing may be stored past it.
        assert_eq!(t.finish(&tp(), 11, e), None);
        assert_eq!(t.finish(&tp(), 10, e), Some(12));
        assert_eq!(t.finish(&tp(), 12, e), Some(13));
    }

    #[test]
    fn ignores_completions_from_an_earlier_assignment() {
        let mut t = Tracker::default();
        let old = t.begin(&tp(), 5);
        t.revoke(&tp());
        assert_eq!(t.finish(&tp(), 5, old), None);
        t.assign(tp());
        let new = t.begin(&tp(), 5);
        assert_ne!(old, new);
        assert_eq!(t.finish(&tp(), 5, old), None);
        assert_eq!(t.finish(&tp(), 5, new), Some(6));
    }
}
