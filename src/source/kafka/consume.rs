//! The consumer loop: fetches batches while in-flight and worker permits
//! last, hands each batch to a worker, stores offsets as workers report
//! messages done, pauses the partitions while the outbox is over its limit,
//! and at shutdown drains in-flight work within the grace period before the
//! final commit.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rdkafka::consumer::{CommitMode, Consumer};
use rdkafka::message::Message;
use rdkafka::types::RDKafkaErrorCode;
use tokio::sync::{mpsc, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{debug, info, warn};

use super::offsets::Done;
use super::worker::{Fetched, Job};
use super::{session_timeout, KafkaSource, Tp, BATCH, MAX_IN_FLIGHT};
use crate::pipeline::Processor;
use crate::source::stall;

impl KafkaSource {
    /// Consumes until `shutdown`, then drains in-flight work within `grace`,
    /// stores and commits offsets, and leaves the group.
    /// Past `max_pending` deliveries in the outbox, the partitions are
    /// paused (the group session stays alive) until it drains below 90%;
    /// also while the disk under the outbox is full.
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
        tokio::spawn(stall::run(
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

    /// Pauses or resumes every assigned partition: paused while the disk
    /// under the outbox is full (the store logs that, once) or the outbox
    /// holds `max_pending` deliveries, resumed once the disk takes writes
    /// again and the outbox is below 90% of it.
    fn backpressure(&self, processor: &Processor, max_pending: u64) {
        let disk_full = processor.store.disk_full();
        self.metrics.store_disk_full.set(i64::from(disk_full));
        let pending = processor.store.pending();
        let paused = self.paused.load(Ordering::Relaxed);
        let change = match pending {
            _ if disk_full => (!paused).then_some(true),
            Ok(n) if !paused && n >= max_pending => Some(true),
            Ok(n) if paused && n < max_pending - max_pending / 10 => Some(false),
            _ => None,
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
                let pending = pending.unwrap_or_default();
                if disk_full {
                    debug!(message = "Disk full: consumption paused.");
                } else if pause {
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
