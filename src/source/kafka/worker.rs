//! A worker: decodes and matches one fetched batch and writes its alerts
//! to the outbox in one transaction on a blocking thread (retried until it
//! succeeds or shutdown), dead-letters the malformed messages, then reports
//! each message done to the consumer loop. A batch not written before
//! shutdown reports nothing, so its messages are redelivered.

use std::time::Duration;

use rdkafka::message::{Message, OwnedMessage};
use rdkafka::producer::FutureProducer;
use tokio::sync::{mpsc, OwnedSemaphorePermit};
use tokio_util::sync::CancellationToken;
use tracing::{error, warn};

use super::dead_letter::dead_letter;
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
