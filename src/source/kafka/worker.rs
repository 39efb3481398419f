//! A worker: decodes and matches one fetched batch and writes its alerts
//! to the outbox in one transaction on a blocking thread (retried until it
//! succeeds or shutdown), dead-letters the malformed messages (retried the
//! same way), then reports each message done to the consumer loop. A batch
//! not written, or a malformed message not dead-lettered, before shutdown
//! reports nothing from there on, so those messages are redelivered.

use std::time::Duration;

use rdkafka::message::{Message, OwnedMessage};
use rdkafka::producer::FutureProducer;
use tokio::sync::{mpsc, OwnedSemaphorePermit};
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use super::dead_letter::{dead_letter, too_large, Letter, SMALLER_COPIES};
use super::offsets::Done;
use crate::pipeline::Processor;
use wirewatch_matcher::article::Malformed;

/// A fetched message on its way through a worker.
pub(super) struct Fetched {
    pub(super) done: Done,
    pub(super) permit: OwnedSemaphorePermit,
    pub(super) message: OwnedMessage,
}

/// What a worker needs to handle one batch.
pub(super) struct Job {
    pub(super) processor: Processor,
    pub(super) producer: FutureProducer,
    pub(super) dead_letter_topic: String,
    pub(super) max_message_bytes: usize,
    pub(super) done_tx: mpsc::UnboundedSender<Done>,
    pub(super) shutdown: CancellationToken,
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
    pub(super) async fn run(self, items: Vec<Fetched>, worker: OwnedSemaphorePermit) {
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
                    let copied = self
                        .dead_letter_until_done(
                            tp,
                            *offset,
                            f.message.key(),
                            f.message.payload(),
                            &bad,
                        )
                        .await;
                    if !copied {
                        // Shutdown: this message and the rest of the batch
                        // are not done, so they are consumed again.
                        return;
                    }
                }
            }
            drop(f.permit);
            let _ = self.done_tx.send(f.done);
        }
    }

    /// Copies a malformed message to the dead-letter topic, trying again
    /// with a backoff (1 s doubling to [`MAX_DEAD_LETTER_WAIT`]) until it
    /// is written or shutdown (false). Logs once when a copy fails and once
    /// when it is through, not at every try: its partition waits for it
    /// meanwhile (the message is not done, so no later offset is stored).
    /// A copy refused for its size is sent again at once with less of the
    /// payload ([`SMALLER_COPIES`]), so an event too large for the
    /// dead-letter topic never holds its partition.
    async fn dead_letter_until_done(
        &self,
        tp: &super::Tp,
        offset: i64,
        key: Option<&[u8]>,
        payload: Option<&[u8]>,
        bad: &Malformed,
    ) -> bool {
        let mut wait = Duration::from_secs(1);
        let mut failed = false;
        let original_len = payload.map_or(0, <[u8]>::len);
        let mut limits = std::iter::once(self.max_message_bytes).chain(SMALLER_COPIES);
        let mut limit = limits.next().unwrap_or(0);
        loop {
            let cut = payload.map(|p| &p[..p.len().min(limit)]);
            let copy = Letter {
                tp,
                offset,
                key,
                payload: cut,
                original_len,
                bad,
            };
            match dead_letter(&self.producer, &self.dead_letter_topic, &copy).await {
                Ok(()) => {
                    if failed {
                        info!(message = "Dead-lettered after a failed try; its partition moves on.", dead_letter_topic = %self.dead_letter_topic, topic = %tp.0, partition = tp.1, offset);
                    }
                    return true;
                }
                Err(e) if too_large(&e) && cut.is_some_and(|c| !c.is_empty()) => {
                    let smaller = limits.by_ref().find(|&l| l < cut.map_or(0, <[u8]>::len));
                    limit = smaller.unwrap_or(0);
                    warn!(message = "Dead-letter copy refused for its size; sending a shorter one.", dead_letter_topic = %self.dead_letter_topic, topic = %tp.0, partition = tp.1, offset, payload_bytes = original_len, copy_bytes = limit.min(original_len), error = %e);
                    continue;
                }
                Err(e) => {
                    if !failed {
                        error!(message = "Cannot write to the dead-letter topic; the malformed event is kept (its offset is not stored) and tried again.", dead_letter_topic = %self.dead_letter_topic, topic = %tp.0, partition = tp.1, offset, error = %e);
                        failed = true;
                    }
                }
            }
            tokio::select! {
                _ = self.shutdown.cancelled() => return false,
                _ = tokio::time::sleep(wait) => {}
            }
            wait = (wait * 2).min(MAX_DEAD_LETTER_WAIT);
        }
    }
}

/// The longest wait between two tries of a dead-letter copy.
const MAX_DEAD_LETTER_WAIT: Duration = Duration::from_secs(30);

/// Writes a batch to the outbox, retrying until it succeeds or shutdown.
/// On a full disk the store logs once when it starts and once when it
/// ends, and the retries back off (up to [`MAX_DISK_FULL_WAIT`]) instead of
/// logging each time.
fn write_batch(
    processor: &Processor,
    payloads: &[Option<&[u8]>],
    shutdown: &CancellationToken,
) -> Option<Vec<Result<usize, Malformed>>> {
    let mut disk_full_wait = Duration::from_millis(100);
    loop {
        // Nothing is lost: no offset is stored and the batch is retried
        // until the outbox takes it.
        let wait = match processor.handle_batch(payloads) {
            Ok(r) => return Some(r),
            Err(e) if e.is_disk_full() => {
                let wait = disk_full_wait;
                disk_full_wait = (wait * 2).min(MAX_DISK_FULL_WAIT);
                wait
            }
            Err(e) => {
                error!(message = "Cannot write alerts to the outbox; retrying.", messages = payloads.len(), error = %e);
                Duration::from_secs(1)
            }
        };
        let until = std::time::Instant::now() + wait;
        while std::time::Instant::now() < until {
            if shutdown.is_cancelled() {
                return None;
            }
            std::thread::sleep(Duration::from_millis(100).min(wait));
        }
    }
}

/// The longest wait between two tries of a batch while the disk is full.
const MAX_DISK_FULL_WAIT: Duration = Duration::from_secs(5);
