//! Reading a time range of the configured topics once, outside the
//! consumer group, for `wirewatch backtest --since`: read-only.
//!
//! Each partition is assigned directly (no group join, no rebalance) and
//! read from its first message whose timestamp is at or after `since` up
//! to, not including, its first at or after `until`, and never past the
//! high watermark it had when the range was planned, so messages produced
//! meanwhile do not make the read endless. Nothing is committed:
//! auto-commit is forced off, no offset is stored, and the group id is
//! `GROUP_ID.backtest`, never the daemon's own.
//!
//! The bounds are found among the messages themselves, as Kafka's
//! offsets-for-times defines them (so a message inside the range whose
//! timestamp is out of order, an older CreateTime produced late, is read
//! with its neighbours). The broker's offsets-for-times answer only says
//! where to start looking: reading starts there and skips the messages
//! older than `since`, and stops at the first message at or after `until`.
//! That keeps the range exact on brokers whose time index is coarser than
//! the messages' timestamps: tansu 0.6 answers with the offset of the
//! first batch *written* after the time (so produce-time timestamps in the
//! past are not indexed), and offset 0 when no batch is newer.
//! A message without a timestamp is never skipped.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};

use super::{client_config, client_error};
use crate::config::KafkaConfig;

/// How long to wait for the broker's answers while planning.
const PLAN_TIMEOUT: Duration = Duration::from_secs(30);

/// How long reading may make no progress before it gives up.
pub const STALL_TIMEOUT: Duration = Duration::from_secs(60);

/// The offsets of one partition to look at: `start..end` (those before
/// the first message at or after `since`, and from the first at or after
/// `until` on, are skipped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub topic: String,
    pub partition: i32,
    pub start: i64,
    pub end: i64,
}

impl Span {
    pub fn len(&self) -> u64 {
        (self.end - self.start).max(0) as u64
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One message read.
#[derive(Debug)]
pub struct Fetched {
    pub topic: Arc<str>,
    pub partition: i32,
    pub offset: i64,
    pub payload: Option<Vec<u8>>,
}

/// Where a partition's reading stands.
struct Cursor {
    span: Span,
    /// One past the last offset read (or skipped).
    next: i64,
    /// Whether a message at or after `since` was seen: from then on every
    /// message is in the range until one at or after `until`.
    started: bool,
    done: bool,
}

/// Reads the planned spans once, in the order the broker delivers them
/// (each partition in offset order). Yields every message with the number
/// of offsets read so far (of [`RangeReader::total`]).
pub struct RangeReader {
    consumer: BaseConsumer,
    cursors: Vec<Cursor>,
    index: HashMap<(Arc<str>, i32), usize>,
    active: usize,
    read: u64,
    last_progress: Instant,
    failed: bool,
    since_ms: i64,
    until_ms: Option<i64>,
}

impl RangeReader {
    /// Plans the range of every configured topic's partitions and assigns
    /// those with anything to read. `since_ms` and `until_ms` are Unix
    /// milliseconds.
    pub fn open(cfg: &KafkaConfig, since_ms: i64, until_ms: Option<i64>) -> anyhow::Result<Self> {
        let mut cc = client_config(
            cfg,
            &[
                ("auto.offset.reset", "earliest".into()),
                ("enable.partition.eof", "true".into()),
                ("queued.max.messages.kbytes", "16384".into()),
                ("fetch.queue.backoff.ms", "20".into()),
                (
                    "fetch.message.max.bytes",
                    (cfg.max_message_bytes + 1).max(1_048_576).to_string(),
                ),
            ],
        );
        // Read-only whatever the properties say: librdkafka needs a group
        // id to assign partitions, but this one never joins the group and
        // never commits.
        cc.set("group.id", format!("{}.backtest", cfg.group_id))
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false");
        let consumer: BaseConsumer = cc
            .create()
            .map_err(|e| anyhow::anyhow!("cannot create Kafka consumer: {}", client_error(&e)))?;

        let mut partitions = Vec::new();
        for topic in &cfg.topics {
            let metadata = consumer
                .fetch_metadata(Some(topic), PLAN_TIMEOUT)
                .with_context(|| format!("cannot read the metadata of topic {topic:?}"))?;
            let t = metadata
                .topics()
                .iter()
                .find(|t| t.name() == topic)
                .ok_or_else(|| anyhow::anyhow!("the broker did not describe topic {topic:?}"))?;
            if let Some(e) = t.error() {
                anyhow::bail!(
                    "topic {topic:?}: {}",
                    rdkafka::types::RDKafkaErrorCode::from(e)
                );
            }
            if t.partitions().is_empty() {
                anyhow::bail!("topic {topic:?} has no partitions (does it exist?)");
            }
            let mut ids: Vec<i32> = t.partitions().iter().map(|p| p.id()).collect();
            ids.sort_unstable();
            partitions.extend(ids.into_iter().map(|p| (topic.clone(), p)));
        }

        // Where to start looking for the first message at or after `since`.
        let mut tpl = TopicPartitionList::new();
        for (t, p) in &partitions {
            tpl.add_partition_offset(t, *p, Offset::Offset(since_ms))?;
        }
        let found = consumer
            .offsets_for_times(tpl, PLAN_TIMEOUT)
            .context("cannot look up offsets by time")?;
        let starts = partitions
            .iter()
            .map(|(t, p)| {
                let e = found
                    .find_partition(t, *p)
                    .ok_or_else(|| anyhow::anyhow!("no offset for {t}[{p}]"))?;
                e.error()
                    .with_context(|| format!("cannot look up offsets by time in {t}[{p}]"))?;
                Ok(e.offset())
            })
            .collect::<anyhow::Result<Vec<Offset>>>()?;

        let mut cursors = Vec::new();
        for (i, (topic, partition)) in partitions.iter().enumerate() {
            let (low, high) = consumer
                .fetch_watermarks(topic, *partition, PLAN_TIMEOUT)
                .with_context(|| format!("cannot read the offsets of {topic}[{partition}]"))?;
            let start = match starts[i] {
                Offset::Offset(n) => n.clamp(low, high),
                // No message at or after `since`: nothing to read.
                _ => high,
            };
            let end = high;
            let span = Span {
                topic: topic.clone(),
                partition: *partition,
                start,
                end,
            };
            cursors.push(Cursor {
                done: span.is_empty(),
                next: start,
                started: false,
                span,
            });
        }
        let mut tpl = TopicPartitionList::new();
        for c in cursors.iter().filter(|c| !c.done) {
            tpl.add_partition_offset(
                &c.span.topic,
                c.span.partition,
                Offset::Offset(c.span.start),
            )?;
        }
        consumer
            .assign(&tpl)
            .context("cannot assign the partitions to read")?;
        let index = cursors
            .iter()
            .enumerate()
            .map(|(i, c)| ((Arc::from(c.span.topic.as_str()), c.span.partition), i))
            .collect();
        let active = cursors.iter().filter(|c| !c.done).count();
        Ok(RangeReader {
            consumer,
            cursors,
            index,
            active,
            read: 0,
            last_progress: Instant::now(),
            failed: false,
            since_ms,
            until_ms,
        })
    }

    /// Every partition of the configured topics with its offsets to look at.
    pub fn spans(&self) -> impl Iterator<Item = &Span> {
        self.cursors.iter().map(|c| &c.span)
    }

    /// How many offsets the range may hold (an upper bound on its
    /// messages: those before `since` or from `until` on, compacted
    /// offsets and transaction markers are not read).
    pub fn total(&self) -> u64 {
        self.spans().map(Span::len).sum()
    }

    /// Counts the offsets up to `next` as read, and stops fetching the
    /// partition once it reached its end.
    fn advance(&mut self, i: usize, next: i64) {
        let c = &mut self.cursors[i];
        if c.done || next <= c.next {
            return;
        }
        let next = next.min(c.span.end);
        self.read += (next - c.next) as u64;
        c.next = next;
        self.last_progress = Instant::now();
        if next >= c.span.end {
            c.done = true;
            self.active -= 1;
            let mut tpl = TopicPartitionList::new();
            if tpl
                .add_partition(&c.span.topic, c.span.partition)
                .set_offset(Offset::Offset(next))
                .is_ok()
            {
                // Only saves fetching past the end; what is fetched is
                // dropped anyway.
                let _ = self.consumer.pause(&tpl);
            }
        }
    }

    /// Moves each partition to its consumer position: past gaps (compacted
    /// offsets, transaction markers) that deliver no message.
    fn catch_up(&mut self) {
        let Ok(positions) = self.consumer.position() else {
            return;
        };
        for e in positions.elements() {
            if let Offset::Offset(n) = e.offset() {
                if let Some(&i) = self.index.get(&(Arc::from(e.topic()), e.partition())) {
                    self.advance(i, n);
                }
            }
        }
    }

    fn stalled(&self) -> anyhow::Error {
        let left: Vec<String> = self
            .cursors
            .iter()
            .filter(|c| !c.done)
            .map(|c| {
                format!(
                    "{}[{}] at offset {} of {}..{}",
                    c.span.topic, c.span.partition, c.next, c.span.start, c.span.end
                )
            })
            .collect();
        anyhow::anyhow!(
            "no progress reading from Kafka for {} s; not finished: {}",
            STALL_TIMEOUT.as_secs(),
            left.join(", ")
        )
    }
}

impl Iterator for RangeReader {
    type Item = anyhow::Result<(Fetched, u64)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.active == 0 || self.failed {
                return None;
            }
            if self.last_progress.elapsed() > STALL_TIMEOUT {
                self.failed = true;
                return Some(Err(self.stalled()));
            }
            match self.consumer.poll(Duration::from_millis(200)) {
                None | Some(Err(KafkaError::PartitionEOF(_))) => self.catch_up(),
                Some(Err(e)) => {
                    // Transport errors are retried by librdkafka; a lasting
                    // one ends in the stall error above.
                    if matches!(e, KafkaError::MessageConsumptionFatal(_)) {
                        self.failed = true;
                        return Some(Err(anyhow::anyhow!("Kafka: {e}")));
                    }
                }
                Some(Ok(m)) => {
                    let topic: Arc<str> = Arc::from(m.topic());
                    let Some(&i) = self.index.get(&(topic.clone(), m.partition())) else {
                        continue;
                    };
                    let c = &self.cursors[i];
                    if c.done || m.offset() < c.next {
                        continue;
                    }
                    if m.offset() >= c.span.end {
                        self.advance(i, c.span.end);
                        continue;
                    }
                    let timestamp = m.timestamp().to_millis();
                    if !c.started {
                        if timestamp.is_some_and(|t| t < self.since_ms) {
                            self.advance(i, m.offset() + 1);
                            continue;
                        }
                        self.cursors[i].started = true;
                    }
                    if let (Some(t), Some(until)) = (timestamp, self.until_ms) {
                        if t >= until {
                            let end = self.cursors[i].span.end;
                            self.advance(i, end);
                            continue;
                        }
                    }
                    let fetched = Fetched {
                        topic,
                        partition: m.partition(),
                        offset: m.offset(),
                        payload: m.payload().map(<[u8]>::to_vec),
                    };
                    self.advance(i, m.offset() + 1);
                    return Some(Ok((fetched, self.read)));
                }
            }
        }
    }
}
