//! The dead-letter producer's one job: copy a malformed event, key and
//! payload (cut at the size limit), to the dead-letter topic with the
//! reason and its source topic, partition and offset in headers. A write
//! the producer gives up on is logged; the event is then only in the log.

use std::time::Duration;

use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use tracing::{debug, error};

use super::Tp;
use wirewatch_matcher::article::Malformed;

/// Header names on dead-letter messages.
pub const DLQ_REASON_HEADER: &str = "wirewatch-error";
pub const DLQ_MESSAGE_HEADER: &str = "wirewatch-error-message";

/// Copies a malformed event to the dead-letter topic with the reason in
/// headers. Retries until the producer gives up, then logs.
pub(super) async fn dead_letter(
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
