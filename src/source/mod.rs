//! Where articles come from: a Kafka consumer group ([`kafka`]) or a JSONL
//! file or stdin ([`file`]).

pub mod file;
pub mod kafka;
