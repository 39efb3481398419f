//! The dead-letter producer's one job: copy a malformed event, key and
//! payload (cut at the size limit), to the dead-letter topic with the
//! reason and its source topic, partition and offset in headers. A write
//! the producer gives up on is reported to the worker, which tries again
//! and does not mark the message done meanwhile: a malformed event is
//! never dropped.

use std::time::Duration;

use rdkafka::error::KafkaError;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::types::RDKafkaErrorCode;
use tracing::debug;

use super::Tp;
use wirewatch_matcher::article::Malformed;

/// Header names on dead-letter messages.
pub const DLQ_REASON_HEADER: &str = "wirewatch-error";
pub const DLQ_MESSAGE_HEADER: &str = "wirewatch-error-message";
/// On a copy whose payload was cut: the original payload's length.
pub const DLQ_PAYLOAD_BYTES_HEADER: &str = "wirewatch-payload-bytes";

/// What a dead-letter copy carries of the payload: at most
/// `kafka.max_message_bytes` first, then less if the producer or broker
/// refuses a record that large (the source coordinates in the headers
/// still find the whole event).
pub(super) const SMALLER_COPIES: [usize; 2] = [64 * 1024, 0];

/// One dead-letter copy of a malformed event.
#[derive(Clone, Copy)]
pub(super) struct Letter<'a> {
    pub(super) tp: &'a Tp,
    pub(super) offset: i64,
    pub(super) key: Option<&'a [u8]>,
    /// The payload, cut to what this copy carries.
    pub(super) payload: Option<&'a [u8]>,
    /// The whole payload's length (a header says it when cut).
    pub(super) original_len: usize,
    pub(super) bad: &'a Malformed,
}

/// Copies a malformed event to the dead-letter topic with the reason in
/// headers; librdkafka retries within [`SEND_TIMEOUT`]. The error when it
/// gives up.
pub(super) async fn dead_letter(
    producer: &FutureProducer,
    topic: &str,
    copy: &Letter<'_>,
) -> Result<(), KafkaError> {
    let Letter {
        tp,
        offset,
        key,
        payload,
        original_len,
        bad,
    } = *copy;
    let message = bad.to_string();
    let original = original_len.to_string();
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
    let headers = if payload.map_or(0, <[u8]>::len) < original_len {
        headers.insert(Header {
            key: DLQ_PAYLOAD_BYTES_HEADER,
            value: Some(original.as_str()),
        })
    } else {
        headers
    };
    let mut record: FutureRecord<'_, [u8], [u8]> = FutureRecord::to(topic).headers(headers);
    if let Some(k) = key {
        record = record.key(k);
    }
    if let Some(p) = payload {
        record = record.payload(p);
    }
    match producer.send(record, SEND_TIMEOUT).await {
        Ok(_) => {
            debug!(message = "Dead-lettered.", topic = %tp.0, partition = tp.1, offset);
            Ok(())
        }
        Err((e, _)) => Err(e),
    }
}

/// Whether `e` refuses the record for its size, so a smaller copy may go.
pub(super) fn too_large(e: &KafkaError) -> bool {
    matches!(
        e.rdkafka_error_code(),
        Some(RDKafkaErrorCode::MessageSizeTooLarge | RDKafkaErrorCode::InvalidMessageSize)
    )
}

/// How long one copy may wait in librdkafka's queue (which retries).
const SEND_TIMEOUT: Duration = Duration::from_secs(30);
