//! wirewatch watches a stream of news articles and alerts people when a
//! company they watch is sanctioned, banned, fined, sued, investigated,
//! breached, exits a market or is acquired.
//!
//! The pipeline, stage by stage:
//!
//! ```text
//! source (Kafka consumer group | JSONL file)
//!   -> wirewatch_matcher::article::decode   malformed -> dead-letter topic
//!   -> wirewatch_matcher::Matcher           rules fired, with evidence
//!   -> alert::Alert                         stable alert_id per (rule, article)
//!   -> store::Store (the outbox)            durable before the offset moves
//!   -> notify (email | webhook)             retries, timeouts, routing
//! ```
//!
//! A message's offset is stored once its alerts are durably in the outbox
//! (or, malformed, once it was dead-lettered), in order per partition;
//! delivery runs from the outbox on its own schedule. [`app`] wires the
//! parts together for `run`, `run --input` and `demo`. Beside the
//! pipeline, [`feedback`] turns analysts' "not relevant" marks into
//! proposed watchlist changes, tried on the stored alerts; [`console`] serves
//! the analysts' web console and JSON API over the same store.
#![forbid(unsafe_code)]

pub mod admin;
pub mod alert;
pub mod app;
pub mod cli;
pub mod config;
pub mod console;
pub mod feedback;
pub mod import;
pub mod metrics;
pub mod notify;
pub mod pipeline;
pub mod retro;
pub mod sentlog;
pub mod source;
pub mod store;
pub mod telemetry;
pub mod watchlists;
