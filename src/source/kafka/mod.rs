//! The Kafka source: a consumer in a consumer group over the configured
//! topics, at-least-once.
//!
//! The offset rule. Every fetched message is tracked from the moment it is
//! fetched until a worker reports it done (`offsets`). A message is done
//! once the batch it came in has been written to the outbox in one
//! transaction, so its alerts are durable (they are delivered later, from
//! the outbox, by the dispatcher); a malformed message is done once its
//! copy is in the dead-letter topic (tried again until it is). A batch not
//! written, or a malformed message not copied, before shutdown is never
//! done, so its messages are redelivered. The offset stored for a partition
//! is its lowest offset still in flight or, with none in flight, one past
//! its highest done, so every message before it that this assignment
//! fetched is done; it only moves forward, and a completion from an earlier
//! assignment of the partition stores nothing. librdkafka commits the
//! stored offsets every 5 s (auto-commit), synchronously before partitions
//! are revoked (`context`), and once more at shutdown.
//!
//! The parts: `offsets` (the tracker), `context` (rdkafka callbacks),
//! `consume` (the loop, backpressure and shutdown), `worker` (matching
//! and the outbox write), `dead_letter` (the producer's copy of a
//! malformed event) and `topics` (creating the dead-letter topic).
//! `range` is apart from all this: `wirewatch backtest --since` reading a
//! time range of the topics once, outside the group, committing nothing.

mod consume;
mod context;
mod dead_letter;
mod offsets;
pub mod range;
mod topics;
mod worker;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rdkafka::config::ClientConfig;
use rdkafka::consumer::StreamConsumer;
use rdkafka::producer::FutureProducer;

pub use context::Context;
pub use dead_letter::{DLQ_MESSAGE_HEADER, DLQ_PAYLOAD_BYTES_HEADER, DLQ_REASON_HEADER};
pub use offsets::Tracker;

use crate::config::KafkaConfig;
use crate::metrics::Metrics;
use crate::sentlog::SentLog;

/// How many messages may be in flight (fetched and not yet done: being
/// matched, written to the outbox or dead-lettered) at once. Past it the
/// consumer stops reading until some finish.
pub const MAX_IN_FLIGHT: usize = 1024;

/// The most messages written to the outbox in one transaction.
pub const BATCH: usize = 256;

type Tp = (String, i32);

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
    stalled: crate::source::stall::Stalled,
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
    /// `sent` is asked to catch up on every partition assignment.
    pub fn new(cfg: &KafkaConfig, metrics: Metrics, sent: SentLog) -> anyhow::Result<KafkaSource> {
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
                sent,
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
    pub fn stalled_handle(&self) -> crate::source::stall::Stalled {
        self.stalled.clone()
    }

    /// A handle that tells how many partitions this instance holds now.
    pub fn assignment_handle(&self) -> impl Fn() -> usize + Send + Sync + 'static {
        let tracker = self.tracker.clone();
        move || tracker.lock().unwrap_or_else(|p| p.into_inner()).assigned()
    }
}
