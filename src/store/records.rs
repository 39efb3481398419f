//! The store's schema: its tables, the records they hold and the keys
//! that order them. Records are JSON, so a field added with a default
//! reads records written before it; [`super::file::SCHEMA_VERSION`] is
//! bumped only for a change older versions would misread.
//!
//! An alert's record is written once, when it is enqueued, and never
//! rewritten: what changes (delivery states, the story's copies) lives in
//! tables of its own.

use redb::{ReadableTable, TableDefinition};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use super::StoreError;
use crate::alert::Alert;

/// Alert id → the alert, with the channels it goes to.
pub(super) const ALERTS: TableDefinition<&str, &[u8]> = TableDefinition::new("alerts");
/// "alert id/channel" → [`DeliveryState`].
pub(super) const DELIVERIES: TableDefinition<&str, &[u8]> = TableDefinition::new("deliveries");
/// "due time (ms, zero-padded)/alert id/channel" → empty: the pending
/// deliveries in the order they are due.
pub(super) const DUE: TableDefinition<&str, &[u8]> = TableDefinition::new("due");
/// "rule id/alert id" → [`StoryEntry`].
pub(super) const STORIES: TableDefinition<&str, &[u8]> = TableDefinition::new("stories");
/// "first alert id/copy article id" → [`Copy`].
pub(super) const COPIES: TableDefinition<&str, &[u8]> = TableDefinition::new("copies");

/// A writable table of the store (every table but `meta` has this shape).
pub(super) type Table<'t> = redb::Table<'t, &'static str, &'static [u8]>;

/// A record as stored.
pub(super) fn encode<T: Serialize + ?Sized>(record: &T) -> Result<Vec<u8>, StoreError> {
    Ok(serde_json::to_vec(record)?)
}

/// A stored record.
pub(super) fn decode<T: DeserializeOwned>(raw: &[u8]) -> Result<T, StoreError> {
    Ok(serde_json::from_slice(raw)?)
}

/// An alert as the outbox keeps it: the alert as sent, and the channels it
/// goes to. Stored as one JSON object, the alert's fields beside `notify`
/// (the layout older versions wrote and read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRecord {
    #[serde(flatten)]
    pub alert: Alert,
    /// Channel ids to deliver to.
    #[serde(default)]
    pub notify: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pending,
    Delivered,
    /// Given up: a permanent error, or past the maximum age or attempts.
    Dead,
    /// Not delivered, for good: a silence covered it when it arrived or
    /// fell due (`silence.rs`). Lifting the silence does not send it.
    Silenced,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Delivered => "delivered",
            Status::Dead => "dead",
            Status::Silenced => "silenced",
        }
    }
}

/// The state of one alert's delivery to one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryState {
    pub alert_id: String,
    pub channel: String,
    pub status: Status,
    pub attempts: u32,
    /// When the next attempt is due (pending only), Unix ms.
    pub next_attempt_ms: i64,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub last_error: Option<String>,
    /// Taken by a dispatcher for an attempt whose outcome is not recorded yet.
    #[serde(default)]
    pub leased: bool,
    /// The silence that holds it back (status `silenced`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub silence: Option<String>,
}

/// How an attempt went, as the dispatcher records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Try again at this time.
    Retry {
        at_ms: i64,
        error: String,
    },
    Dead {
        error: String,
    },
    /// Not attempted (rate limit): due again at this time, no attempt counted.
    Defer {
        at_ms: i64,
    },
}

pub(super) fn delivery_key(alert_id: &str, channel: &str) -> String {
    format!("{alert_id}/{channel}")
}

pub(super) fn due_key(at_ms: i64, alert_id: &str, channel: &str) -> String {
    format!("{:020}/{alert_id}/{channel}", at_ms.max(0))
}

pub(super) fn parse_due_key(key: &str) -> Option<(i64, &str, &str)> {
    let mut parts = key.splitn(3, '/');
    let at = parts.next()?.parse().ok()?;
    Some((at, parts.next()?, parts.next()?))
}

/// Another source's article of a story already alerted on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Copy {
    /// When it was recorded: copies are listed in the order they came.
    pub(super) at_ms: i64,
    pub(super) article: crate::alert::ArticleRef,
}

/// The `copies` keys of alert `alert_id`: "alert id/" up to the largest
/// character. Alert ids hold no '/'.
pub(super) fn copies_range(alert_id: &str) -> (String, String) {
    (format!("{alert_id}/"), format!("{alert_id}/\u{10FFFF}"))
}

/// Adds the copies recorded for `alert` to its `also_reported_by` (after
/// any a store from before the `copies` table embedded in the alert).
pub(super) fn attach_copies(
    copies: &impl ReadableTable<&'static str, &'static [u8]>,
    alert: &mut Alert,
) -> Result<(), StoreError> {
    let (from, to) = copies_range(&alert.alert_id);
    let mut found: Vec<Copy> = Vec::new();
    for r in copies.range::<&str>(from.as_str()..to.as_str())? {
        let (_, v) = r?;
        found.push(decode(v.value())?);
    }
    found.sort_by_key(|c| c.at_ms);
    for c in found {
        if !alert.also_reported_by.iter().any(|a| a.id == c.article.id) {
            alert.also_reported_by.push(c.article);
        }
    }
    Ok(())
}

/// One story a rule alerted on: its fingerprint, the watched company and
/// the action it is about, and its first alert.
///
/// Wire services and regulators write formulaic text: the same template
/// about two different companies gives near-identical fingerprints. So a
/// copy is the same story only for the same rule, the same watched company
/// and the same action, with a near-identical fingerprint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct StoryEntry {
    pub(super) fingerprint: u64,
    pub(super) at_ms: i64,
    pub(super) alert_id: String,
    /// The watched company's canonical name (`matched.company.id`). Entries
    /// written before it existed have none and match no copy.
    #[serde(default)]
    pub(super) company: Option<String>,
    /// The action id (`matched.action.id`), when the hit has one.
    #[serde(default)]
    pub(super) action: Option<String>,
}

impl StoryEntry {
    /// Whether `alert`, with fingerprint `fp`, is a copy of this story.
    pub(super) fn same_story(&self, alert: &Alert, fp: u64) -> bool {
        self.company.as_deref() == Some(alert.matched.company.id.as_str())
            && self.action.as_deref() == alert.matched.action.as_ref().map(|a| a.id.as_str())
            && wirewatch_matcher::story::same_story(self.fingerprint, fp)
    }
}
