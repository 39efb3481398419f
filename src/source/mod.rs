//! Where articles come from: a Kafka consumer group ([`kafka`]) or a JSONL
//! file or stdin ([`file`]); [`stall`] watches the group for partitions
//! nobody consumes.

pub mod file;
pub mod kafka;
pub mod stall;
