//! wirewatch watches a stream of news articles and alerts people when a
//! company they watch is sanctioned, banned, fined, sued, investigated,
//! breached, exits a market or is acquired.
//!
//! The pipeline, stage by stage:
//!
//! ```text
//! source (Kafka consumer group | JSONL file)
//!   -> article::decode           malformed -> dead-letter topic
//!   -> matcher::Matcher          rules fired, with evidence
//!   -> alert::Alert              stable alert_id per (rule, article)
//!   -> notify (email | webhook)  retries, timeouts
//!   -> offsets stored once every alert of a message is handled
//! ```
#![forbid(unsafe_code)]

pub use wirewatch_matcher::{self as matcher, article, story};

pub mod admin;
pub mod alert;
pub mod cli;
pub mod config;
pub mod metrics;
pub mod notify;
pub mod pipeline;
pub mod source;
pub mod store;
pub mod telemetry;
pub mod watchlists;
