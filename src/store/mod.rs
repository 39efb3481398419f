//! The durable outbox and dedup state, in an embedded transactional store
//! (redb: pure Rust, ACID, every commit fsync'd, one file, no server).
//!
//! An article's alerts are written here, in one transaction, before its
//! Kafka offset is stored; the dispatcher delivers from here and records
//! each (alert, channel) delivery as delivered or dead. An alert id already
//! present is never enqueued again, so a redelivered article or a restart
//! never sends an alert twice.
//!
//! Tables:
//! - `alerts`: alert id → alert JSON.
//! - `deliveries`: "alert id/channel" → [`DeliveryState`] JSON.
//! - `due`: "due time (ms, zero-padded)/alert id/channel" → empty: the
//!   pending deliveries ordered by when they are next due.
//! - `stories`: "rule id/alert id" → [`StoryEntry`]: the stories each rule
//!   alerted on, for story dedup.
//! - `copies`: "first alert id/copy article id" → [`Copy`]: the other
//!   sources of a story, read into the first alert's `also_reported_by`
//!   when it is read. One small insert per copy: rewriting the first
//!   alert with its growing list made N copies cost O(N²) (4,000 copies
//!   of one story took 29 s).
//! - `meta`: "schema" → the store's format version ([`file`]).

pub mod file;

use std::path::Path;

use redb::{Database, Durability, ReadableTable, ReadableTableMetadata, TableDefinition};
use serde::{Deserialize, Serialize};

use crate::alert::Alert;

const ALERTS: TableDefinition<&str, &[u8]> = TableDefinition::new("alerts");
const DELIVERIES: TableDefinition<&str, &[u8]> = TableDefinition::new("deliveries");
const DUE: TableDefinition<&str, &[u8]> = TableDefinition::new("due");
const STORIES: TableDefinition<&str, &[u8]> = TableDefinition::new("stories");
const COPIES: TableDefinition<&str, &[u8]> = TableDefinition::new("copies");

/// Another source's article of a story already alerted on.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Copy {
    /// When it was recorded: copies are listed in the order they came.
    at_ms: i64,
    article: crate::alert::ArticleRef,
}

/// The `copies` keys of alert `alert_id`: "alert id/" up to the largest
/// character. Alert ids hold no '/'.
fn copies_range(alert_id: &str) -> (String, String) {
    (format!("{alert_id}/"), format!("{alert_id}/\u{10FFFF}"))
}

/// Adds the copies recorded for `alert` to its `also_reported_by` (after
/// any a store from before the `copies` table embedded in the alert).
fn attach_copies(
    copies: &impl ReadableTable<&'static str, &'static [u8]>,
    alert: &mut Alert,
) -> Result<(), StoreError> {
    let (from, to) = copies_range(&alert.alert_id);
    let mut found: Vec<Copy> = Vec::new();
    for r in copies
        .range::<&str>(from.as_str()..to.as_str())
        .map_err(io)?
    {
        let (_, v) = r.map_err(io)?;
        found.push(serde_json::from_slice(v.value()).map_err(io)?);
    }
    found.sort_by_key(|c| c.at_ms);
    for c in found {
        if !alert.also_reported_by.iter().any(|a| a.id == c.article.id) {
            alert.also_reported_by.push(c.article);
        }
    }
    Ok(())
}

/// The file inside `store.path`.
pub const FILE_NAME: &str = "wirewatch.redb";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store {path}: {message}")]
    Open { path: String, message: String },
    /// The file cannot be read as a store. Nothing starts afresh: the
    /// pending alerts it holds would be forgotten.
    #[error("store {path} is damaged: {detail}. Nothing was started: starting afresh would forget the alerts it holds. With the daemon stopped, run `wirewatch outbox check --config CONFIG` to see what is wrong and `wirewatch outbox repair --config CONFIG` to repair it (it keeps a copy of the file)")]
    Damaged { path: String, detail: String },
    /// `wirewatch outbox repair` could not repair the file.
    #[error("store {path} cannot be repaired: {detail}. It was left as it was. To keep it aside and start an empty outbox (the alerts still pending in it are then not sent), run `wirewatch outbox repair --start-fresh --config CONFIG`")]
    Unrepairable { path: String, detail: String },
    /// The file was written by a newer version of wirewatch.
    #[error("store {path} was written by a newer version of wirewatch ({detail}); this version cannot read it. Run the newer version, or keep the file and run `wirewatch outbox repair --start-fresh --config CONFIG` to move it aside and start an empty outbox (its pending alerts would not be sent)")]
    Newer { path: String, detail: String },
    #[error("store: {0}")]
    Io(String),
}

fn io(e: impl std::fmt::Display) -> StoreError {
    StoreError::Io(e.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pending,
    Delivered,
    /// Given up: a permanent error, or past the maximum age or attempts.
    Dead,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Delivered => "delivered",
            Status::Dead => "dead",
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

/// A duration in whole milliseconds, saturating at `i64::MAX` (durations
/// come from config and peers; the cast alone would wrap).
pub fn ms(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

fn delivery_key(alert_id: &str, channel: &str) -> String {
    format!("{alert_id}/{channel}")
}

fn due_key(at_ms: i64, alert_id: &str, channel: &str) -> String {
    format!("{:020}/{alert_id}/{channel}", at_ms.max(0))
}

fn parse_due_key(key: &str) -> Option<(i64, &str, &str)> {
    let mut parts = key.splitn(3, '/');
    let at = parts.next()?.parse().ok()?;
    Some((at, parts.next()?, parts.next()?))
}

/// One article's alerts and, for story dedup, its (fingerprint, window ms).
pub type StoryItem<'a> = (&'a [Alert], Option<(u64, i64)>);

/// What `enqueue_story` did with each alert.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Enqueued {
    /// Alerts written, with their deliveries.
    pub new: Vec<String>,
    /// (alert id, id of the first alert of the same story) for alerts not
    /// written because their rule already alerted on the story.
    pub same_story: Vec<(String, String)>,
}

/// One story a rule alerted on: its fingerprint, the watched company and
/// the action it is about, and its first alert.
///
/// Wire services and regulators write formulaic text: the same template
/// about two different companies gives near-identical fingerprints. So a
/// copy is the same story only for the same rule, the same watched company
/// and the same action, with a near-identical fingerprint.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoryEntry {
    fingerprint: u64,
    at_ms: i64,
    alert_id: String,
    /// The watched company's canonical name (`matched.company.id`). Entries
    /// written before it existed have none and match no copy.
    #[serde(default)]
    company: Option<String>,
    /// The action id (`matched.action.id`), when the hit has one.
    #[serde(default)]
    action: Option<String>,
}

impl StoryEntry {
    /// Whether `alert`, with fingerprint `fp`, is a copy of this story.
    fn same_story(&self, alert: &Alert, fp: u64) -> bool {
        self.company.as_deref() == Some(alert.matched.company.id.as_str())
            && self.action.as_deref() == alert.matched.action.as_ref().map(|a| a.id.as_str())
            && crate::story::same_story(self.fingerprint, fp)
    }
}

type Table<'t> = redb::Table<'t, &'static str, &'static [u8]>;

/// Writes a pending delivery back, due at `at`, and files it in the due
/// index (the caller removed its old due entry).
fn put_due(
    d: &mut Table<'_>,
    due: &mut Table<'_>,
    s: &mut DeliveryState,
    at: i64,
) -> Result<(), StoreError> {
    s.next_attempt_ms = at;
    d.insert(
        delivery_key(&s.alert_id, &s.channel).as_str(),
        serde_json::to_vec(&*s).map_err(io)?.as_slice(),
    )
    .map_err(io)?;
    due.insert(due_key(at, &s.alert_id, &s.channel).as_str(), [].as_slice())
        .map_err(io)?;
    Ok(())
}

/// The outbox. Cheap to share behind an `Arc`; redb serializes writers.
#[derive(Debug)]
pub struct Store {
    db: Database,
}

/// redb's page cache. Its default (1 GiB) lets the daemon's memory grow
/// with the outbox; the working set is the recent alerts and the due
/// index, which fit in far less (scripts/bench: 50,000 alerts written).
pub(crate) const CACHE_BYTES: usize = 32 << 20;

impl Store {
    /// Opens (or creates) the store in folder `dir`. A damaged file, or
    /// one from a newer version, is an error ([`file`]).
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        Ok(Store {
            db: file::open(dir, CACHE_BYTES)?,
        })
    }

    /// Writes the alerts and a pending delivery per channel, durably, in
    /// one transaction. Alerts already known are skipped. Returns the
    /// alerts that were new.
    pub fn enqueue(&self, alerts: &[Alert]) -> Result<Vec<String>, StoreError> {
        Ok(self
            .enqueue_story(alerts, None, &|_, _| Some(now_ms()))?
            .new)
    }

    /// Like [`Store::enqueue`], and with `story = Some((fingerprint,
    /// window_ms))` an alert whose rule already alerted on the same story
    /// (a near-identical fingerprint within the window) is not enqueued:
    /// its article is attached to the first alert as "also reported by".
    ///
    /// `first_due(alert, channel)` says when each delivery is first due
    /// (routing: digests, quiet hours), or `None` to create none (below the
    /// channel's minimum severity).
    pub fn enqueue_story(
        &self,
        alerts: &[Alert],
        story: Option<(u64, i64)>,
        first_due: &dyn Fn(&Alert, &str) -> Option<i64>,
    ) -> Result<Enqueued, StoreError> {
        let mut outs = self.enqueue_batch(&[(alerts, story)], first_due)?;
        Ok(outs.pop().unwrap_or_default())
    }

    /// [`Store::enqueue_story`] for several articles in one transaction
    /// (one fsync for a batch of messages): one result per item.
    pub fn enqueue_batch(
        &self,
        items: &[StoryItem<'_>],
        first_due: &dyn Fn(&Alert, &str) -> Option<i64>,
    ) -> Result<Vec<Enqueued>, StoreError> {
        let mut outs = Vec::with_capacity(items.len());
        if items.iter().all(|(alerts, _)| alerts.is_empty()) {
            outs.resize(items.len(), Enqueued::default());
            return Ok(outs);
        }
        let now = now_ms();
        let tx = self.db.begin_write().map_err(io)?;
        {
            let mut a = tx.open_table(ALERTS).map_err(io)?;
            let mut d = tx.open_table(DELIVERIES).map_err(io)?;
            let mut due = tx.open_table(DUE).map_err(io)?;
            let mut stories = tx.open_table(STORIES).map_err(io)?;
            let mut copies = tx.open_table(COPIES).map_err(io)?;
            for &(alerts, story) in items {
                let mut out = Enqueued::default();
                for alert in alerts {
                    if a.get(alert.alert_id.as_str()).map_err(io)?.is_some() {
                        continue;
                    }
                    if let Some((fp, window_ms)) = story {
                        let prefix = format!("{}/", alert.rule_id);
                        let end = format!("{}/\u{10FFFF}", alert.rule_id);
                        let mut original = None;
                        let mut expired = Vec::new();
                        for r in stories
                            .range::<&str>(prefix.as_str()..end.as_str())
                            .map_err(io)?
                        {
                            let (k, v) = r.map_err(io)?;
                            let st: StoryEntry = serde_json::from_slice(v.value()).map_err(io)?;
                            if st.at_ms < now.saturating_sub(window_ms) {
                                expired.push(k.value().to_string());
                            } else if original.is_none() && st.same_story(alert, fp) {
                                original = Some(st.alert_id);
                            }
                        }
                        for k in expired {
                            stories.remove(k.as_str()).map_err(io)?;
                        }
                        if let Some(orig) = original {
                            // A redelivered copy keeps its first record.
                            let key = format!("{orig}/{}", alert.article.id);
                            if a.get(orig.as_str()).map_err(io)?.is_some()
                                && copies.get(key.as_str()).map_err(io)?.is_none()
                            {
                                let copy = Copy {
                                    at_ms: now,
                                    article: alert.article.clone(),
                                };
                                copies
                                    .insert(
                                        key.as_str(),
                                        serde_json::to_vec(&copy).map_err(io)?.as_slice(),
                                    )
                                    .map_err(io)?;
                            }
                            out.same_story.push((alert.alert_id.clone(), orig));
                            continue;
                        }
                        let entry = StoryEntry {
                            fingerprint: fp,
                            at_ms: now,
                            alert_id: alert.alert_id.clone(),
                            company: Some(alert.matched.company.id.clone()),
                            action: alert.matched.action.as_ref().map(|a| a.id.clone()),
                        };
                        stories
                            .insert(
                                format!("{prefix}{}", alert.alert_id).as_str(),
                                serde_json::to_vec(&entry).map_err(io)?.as_slice(),
                            )
                            .map_err(io)?;
                    }
                    let mut stored = serde_json::to_value(alert).map_err(io)?;
                    stored["notify"] = serde_json::json!(alert.notify);
                    a.insert(
                        alert.alert_id.as_str(),
                        serde_json::to_vec(&stored).map_err(io)?.as_slice(),
                    )
                    .map_err(io)?;
                    for channel in &alert.notify {
                        let Some(due_at) = first_due(alert, channel) else {
                            continue;
                        };
                        let state = DeliveryState {
                            alert_id: alert.alert_id.clone(),
                            channel: channel.clone(),
                            status: Status::Pending,
                            attempts: 0,
                            next_attempt_ms: due_at,
                            created_ms: now,
                            updated_ms: now,
                            last_error: None,
                            leased: false,
                        };
                        d.insert(
                            delivery_key(&alert.alert_id, channel).as_str(),
                            serde_json::to_vec(&state).map_err(io)?.as_slice(),
                        )
                        .map_err(io)?;
                        due.insert(
                            due_key(due_at, &alert.alert_id, channel).as_str(),
                            [].as_slice(),
                        )
                        .map_err(io)?;
                    }
                    out.new.push(alert.alert_id.clone());
                }
                outs.push(out);
            }
        }
        tx.commit().map_err(io)?;
        Ok(outs)
    }

    /// Takes up to `limit` deliveries due at `now`, and pushes each one's
    /// due time to `now + lease_ms` so no one else takes it meanwhile; if
    /// the process dies mid-attempt, the delivery comes back after the lease.
    pub fn lease_due(
        &self,
        now: i64,
        limit: usize,
        lease_ms: i64,
    ) -> Result<Vec<(DeliveryState, Alert)>, StoreError> {
        let mut tx = self.db.begin_write().map_err(io)?;
        // A lease need not survive a crash: leases left over are released
        // at start anyway. It is made durable by the next durable commit
        // (an enqueue or a recorded outcome), without an fsync of its own.
        tx.set_durability(Durability::None);
        let mut out = Vec::new();
        {
            let mut due = tx.open_table(DUE).map_err(io)?;
            let mut d = tx.open_table(DELIVERIES).map_err(io)?;
            let a = tx.open_table(ALERTS).map_err(io)?;
            let copies = tx.open_table(COPIES).map_err(io)?;
            let upper = due_key(now, "\u{10FFFF}", "");
            let keys: Vec<String> = due
                .range::<&str>(..=upper.as_str())
                .map_err(io)?
                .take(limit)
                .filter_map(|r| r.ok().map(|(k, _)| k.value().to_string()))
                .collect();
            for key in keys {
                due.remove(key.as_str()).map_err(io)?;
                let Some((_, alert_id, channel)) = parse_due_key(&key) else {
                    continue;
                };
                let dk = delivery_key(alert_id, channel);
                let Some(raw) = d.get(dk.as_str()).map_err(io)?.map(|v| v.value().to_vec()) else {
                    continue;
                };
                let mut state: DeliveryState = serde_json::from_slice(&raw).map_err(io)?;
                if state.status != Status::Pending {
                    continue;
                }
                let Some(alert_raw) = a.get(alert_id).map_err(io)?.map(|v| v.value().to_vec())
                else {
                    continue;
                };
                let mut alert: Alert = serde_json::from_slice(&alert_raw).map_err(io)?;
                attach_copies(&copies, &mut alert)?;
                state.next_attempt_ms = now.saturating_add(lease_ms);
                state.leased = true;
                d.insert(
                    dk.as_str(),
                    serde_json::to_vec(&state).map_err(io)?.as_slice(),
                )
                .map_err(io)?;
                due.insert(
                    due_key(state.next_attempt_ms, alert_id, channel).as_str(),
                    [].as_slice(),
                )
                .map_err(io)?;
                out.push((state, alert));
            }
        }
        tx.commit().map_err(io)?;
        Ok(out)
    }

    /// Records the outcome of an attempt.
    pub fn record(
        &self,
        alert_id: &str,
        channel: &str,
        outcome: Outcome,
    ) -> Result<DeliveryState, StoreError> {
        self.record_many(vec![(alert_id.to_string(), channel.to_string(), outcome)])?
            .pop()
            .flatten()
            .ok_or_else(|| {
                StoreError::Io(format!("no delivery {}", delivery_key(alert_id, channel)))
            })
    }

    /// Records several outcomes in one transaction (one fsync). Each result
    /// is the delivery's new state, or `None` when the delivery no longer
    /// exists (purged meanwhile).
    pub fn record_many(
        &self,
        outcomes: Vec<(String, String, Outcome)>,
    ) -> Result<Vec<Option<DeliveryState>>, StoreError> {
        let now = now_ms();
        let tx = self.db.begin_write().map_err(io)?;
        let mut states = Vec::with_capacity(outcomes.len());
        {
            let mut d = tx.open_table(DELIVERIES).map_err(io)?;
            let mut due = tx.open_table(DUE).map_err(io)?;
            for (alert_id, channel, outcome) in outcomes {
                let dk = delivery_key(&alert_id, &channel);
                let Some(raw) = d.get(dk.as_str()).map_err(io)?.map(|v| v.value().to_vec()) else {
                    states.push(None);
                    continue;
                };
                let mut state: DeliveryState = serde_json::from_slice(&raw).map_err(io)?;
                due.remove(due_key(state.next_attempt_ms, &alert_id, &channel).as_str())
                    .map_err(io)?;
                if !matches!(outcome, Outcome::Defer { .. }) {
                    state.attempts += 1;
                }
                state.updated_ms = now;
                state.leased = false;
                match outcome {
                    Outcome::Delivered => {
                        state.status = Status::Delivered;
                        state.last_error = None;
                    }
                    Outcome::Retry { at_ms, error } => {
                        state.status = Status::Pending;
                        state.next_attempt_ms = at_ms;
                        state.last_error = Some(error);
                    }
                    Outcome::Defer { at_ms } => {
                        state.status = Status::Pending;
                        state.next_attempt_ms = at_ms;
                    }
                    Outcome::Dead { error } => {
                        state.status = Status::Dead;
                        state.last_error = Some(error);
                    }
                }
                if state.status == Status::Pending {
                    due.insert(
                        due_key(state.next_attempt_ms, &alert_id, &channel).as_str(),
                        [].as_slice(),
                    )
                    .map_err(io)?;
                }
                d.insert(
                    dk.as_str(),
                    serde_json::to_vec(&state).map_err(io)?.as_slice(),
                )
                .map_err(io)?;
                states.push(Some(state));
            }
        }
        tx.commit().map_err(io)?;
        Ok(states)
    }

    /// Makes every leased delivery due now. Called at start: the store is
    /// locked to one process, so a lease left over is from a process that
    /// died mid-attempt, and its attempt's outcome is unknown. Returns how
    /// many (each may have been sent already: at-least-once).
    pub fn release_leases(&self) -> Result<usize, StoreError> {
        let leased: Vec<DeliveryState> = self
            .deliveries(Some(Status::Pending))?
            .into_iter()
            .filter(|s| s.leased)
            .collect();
        let now = now_ms();
        let tx = self.db.begin_write().map_err(io)?;
        {
            let mut d = tx.open_table(DELIVERIES).map_err(io)?;
            let mut due = tx.open_table(DUE).map_err(io)?;
            for mut s in leased.iter().cloned() {
                due.remove(due_key(s.next_attempt_ms, &s.alert_id, &s.channel).as_str())
                    .map_err(io)?;
                s.leased = false;
                put_due(&mut d, &mut due, &mut s, now)?;
            }
        }
        tx.commit().map_err(io)?;
        Ok(leased.len())
    }

    /// How many deliveries are pending.
    pub fn pending(&self) -> Result<u64, StoreError> {
        let tx = self.db.begin_read().map_err(io)?;
        let due = tx.open_table(DUE).map_err(io)?;
        due.len().map_err(io)
    }

    /// When the earliest pending delivery is due, if any.
    pub fn next_due(&self) -> Result<Option<i64>, StoreError> {
        let tx = self.db.begin_read().map_err(io)?;
        let due = tx.open_table(DUE).map_err(io)?;
        let first = due.first().map_err(io)?;
        Ok(first.and_then(|(k, _)| parse_due_key(k.value()).map(|(at, _, _)| at)))
    }

    /// Every delivery, optionally only those with `status`.
    pub fn deliveries(&self, status: Option<Status>) -> Result<Vec<DeliveryState>, StoreError> {
        let tx = self.db.begin_read().map_err(io)?;
        let d = tx.open_table(DELIVERIES).map_err(io)?;
        let mut out = Vec::new();
        for r in d.iter().map_err(io)? {
            let (_, v) = r.map_err(io)?;
            let s: DeliveryState = serde_json::from_slice(v.value()).map_err(io)?;
            if status.is_none_or(|st| st == s.status) {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// An alert by id, with its `notify` channels and the other sources
    /// of its story.
    pub fn alert(&self, alert_id: &str) -> Result<Option<Alert>, StoreError> {
        let tx = self.db.begin_read().map_err(io)?;
        let a = tx.open_table(ALERTS).map_err(io)?;
        let copies = tx.open_table(COPIES).map_err(io)?;
        let Some(raw) = a.get(alert_id).map_err(io)? else {
            return Ok(None);
        };
        let mut alert: Alert = serde_json::from_slice(raw.value()).map_err(io)?;
        attach_copies(&copies, &mut alert)?;
        Ok(Some(alert))
    }

    /// Makes dead (or, with `alert_id`, that alert's dead and pending)
    /// deliveries due now. Returns how many.
    pub fn retry(&self, alert_id: Option<&str>) -> Result<usize, StoreError> {
        let now = now_ms();
        let targets: Vec<DeliveryState> = self
            .deliveries(None)?
            .into_iter()
            .filter(|s| match alert_id {
                Some(id) => s.alert_id == id && s.status != Status::Delivered,
                None => s.status == Status::Dead,
            })
            .collect();
        let tx = self.db.begin_write().map_err(io)?;
        {
            let mut d = tx.open_table(DELIVERIES).map_err(io)?;
            let mut due = tx.open_table(DUE).map_err(io)?;
            for mut s in targets.iter().cloned() {
                if s.status == Status::Pending {
                    due.remove(due_key(s.next_attempt_ms, &s.alert_id, &s.channel).as_str())
                        .map_err(io)?;
                }
                s.status = Status::Pending;
                s.updated_ms = now;
                put_due(&mut d, &mut due, &mut s, now)?;
            }
        }
        tx.commit().map_err(io)?;
        Ok(targets.len())
    }

    /// Deletes alerts whose deliveries are all finished (delivered or dead)
    /// and last changed before `before_ms`. Their ids are forgotten too, so
    /// purge only what is older than any possible redelivery.
    pub fn purge(&self, before_ms: i64) -> Result<usize, StoreError> {
        let all = self.deliveries(None)?;
        let mut by_alert: std::collections::BTreeMap<&str, Vec<&DeliveryState>> =
            Default::default();
        for s in &all {
            by_alert.entry(s.alert_id.as_str()).or_default().push(s);
        }
        let doomed: Vec<(&str, Vec<&DeliveryState>)> = by_alert
            .into_iter()
            .filter(|(_, ds)| {
                ds.iter()
                    .all(|s| s.status != Status::Pending && s.updated_ms < before_ms)
            })
            .collect();
        let tx = self.db.begin_write().map_err(io)?;
        {
            let mut a = tx.open_table(ALERTS).map_err(io)?;
            let mut d = tx.open_table(DELIVERIES).map_err(io)?;
            let mut copies = tx.open_table(COPIES).map_err(io)?;
            for (alert_id, ds) in &doomed {
                a.remove(*alert_id).map_err(io)?;
                let (from, to) = copies_range(alert_id);
                copies
                    .retain_in::<&str, _>(from.as_str()..to.as_str(), |_, _| false)
                    .map_err(io)?;
                for s in ds {
                    d.remove(delivery_key(&s.alert_id, &s.channel).as_str())
                        .map_err(io)?;
                }
            }
        }
        tx.commit().map_err(io)?;
        Ok(doomed.len())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::alert::{ArticleRef, Matched};
    use crate::matcher::{Severity, Term};

    pub fn alert(id: &str, channels: &[&str]) -> Alert {
        Alert {
            alert_id: id.into(),
            rule_id: "r".into(),
            severity: Severity::High,
            description: None,
            article: ArticleRef {
                id: "a".into(),
                title: "t".into(),
                url: None,
                source: None,
                published_at: None,
            },
            matched: Matched {
                company: Term {
                    id: "C".into(),
                    text: "C".into(),
                },
                agency: None,
                action: None,
            },
            status: Default::default(),
            language: None,
            evidence: vec![],
            detected_at: "2024-01-01T00:00:00Z".into(),
            watchlist: "w.toml".into(),
            notify: channels.iter().map(|c| c.to_string()).collect(),
            also_reported_by: vec![],
        }
    }

    #[test]
    fn enqueue_dedups_and_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = Store::open(dir.path()).unwrap();
            assert_eq!(
                s.enqueue(&[alert("x", &["mail", "hook"])]).unwrap(),
                vec!["x"]
            );
            assert!(
                s.enqueue(&[alert("x", &["mail", "hook"])])
                    .unwrap()
                    .is_empty(),
                "same alert id twice"
            );
            assert_eq!(s.pending().unwrap(), 2);
        }
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(
            s.pending().unwrap(),
            2,
            "pending deliveries survive a restart"
        );
        assert_eq!(s.alert("x").unwrap().unwrap().notify, vec!["mail", "hook"]);
        assert!(
            s.enqueue(&[alert("x", &["mail"])]).unwrap().is_empty(),
            "dedup state survives a restart"
        );
    }

    #[test]
    fn lease_record_retry_and_dead() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        s.enqueue(&[alert("x", &["mail"]), alert("y", &["hook"])])
            .unwrap();
        let now = now_ms();
        let leased = s.lease_due(now, 10, 60_000).unwrap();
        assert_eq!(leased.len(), 2);
        assert!(
            s.lease_due(now, 10, 60_000).unwrap().is_empty(),
            "leased deliveries are not handed out twice"
        );
        assert!(
            s.lease_due(now + 61_000, 10, 60_000).unwrap().len() == 2,
            "a lease expires"
        );
        s.record("x", "mail", Outcome::Delivered).unwrap();
        let st = s
            .record(
                "y",
                "hook",
                Outcome::Retry {
                    at_ms: now + 5_000,
                    error: "HTTP 503".into(),
                },
            )
            .unwrap();
        assert_eq!((st.status, st.attempts), (Status::Pending, 1));
        assert_eq!(s.pending().unwrap(), 1);
        assert_eq!(s.next_due().unwrap(), Some(now + 5_000));
        assert!(s.lease_due(now + 1_000, 10, 1_000).unwrap().is_empty());
        let again = s.lease_due(now + 5_000, 10, 1_000).unwrap();
        assert_eq!(again[0].1.alert_id, "y");
        s.record(
            "y",
            "hook",
            Outcome::Dead {
                error: "HTTP 410".into(),
            },
        )
        .unwrap();
        assert_eq!(s.pending().unwrap(), 0);
        let dead = s.deliveries(Some(Status::Dead)).unwrap();
        assert_eq!(
            (dead.len(), dead[0].last_error.as_deref()),
            (1, Some("HTTP 410"))
        );
        assert_eq!(s.retry(None).unwrap(), 1);
        assert_eq!(s.pending().unwrap(), 1);
        s.record("y", "hook", Outcome::Delivered).unwrap();
        assert_eq!(s.purge(now_ms() + 1).unwrap(), 2);
        assert!(s.alert("x").unwrap().is_none());
    }

    #[test]
    fn outcomes_are_recorded_together_and_a_purged_delivery_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        s.enqueue(&[alert("x", &["mail", "hook"]), alert("y", &["hook"])])
            .unwrap();
        let now = now_ms();
        assert_eq!(s.lease_due(now, 10, 60_000).unwrap().len(), 3);
        let states = s
            .record_many(vec![
                ("x".into(), "mail".into(), Outcome::Delivered),
                (
                    "x".into(),
                    "hook".into(),
                    Outcome::Retry {
                        at_ms: now + 1_000,
                        error: "HTTP 503".into(),
                    },
                ),
                ("gone".into(), "hook".into(), Outcome::Delivered),
                (
                    "y".into(),
                    "hook".into(),
                    Outcome::Defer { at_ms: now + 2_000 },
                ),
            ])
            .unwrap();
        let summary: Vec<Option<(Status, u32, bool)>> = states
            .iter()
            .map(|s| s.as_ref().map(|s| (s.status, s.attempts, s.leased)))
            .collect();
        assert_eq!(
            summary,
            vec![
                Some((Status::Delivered, 1, false)),
                Some((Status::Pending, 1, false)),
                None,
                Some((Status::Pending, 0, false)),
            ]
        );
        assert_eq!(s.pending().unwrap(), 2);
        assert_eq!(s.next_due().unwrap(), Some(now + 1_000));
        let again = s.lease_due(now + 2_000, 10, 60_000).unwrap();
        let mut ids: Vec<_> = again.iter().map(|(st, _)| st.alert_id.as_str()).collect();
        ids.sort();
        assert_eq!(ids, ["x", "y"]);
    }

    #[test]
    fn the_same_story_alerts_once_per_rule_and_records_the_copies() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        let mut first = alert("first", &["mail"]);
        first.article.id = "a1".into();
        let mut copy = alert("copy", &["mail"]);
        copy.article.id = "a2".into();
        copy.article.source = Some("Other Wire".into());
        let mut other_rule = alert("other-rule", &["mail"]);
        other_rule.rule_id = "r2".into();
        let window = 72 * 3_600_000;
        let fp = 0b1011_0110u64;
        assert_eq!(
            s.enqueue_story(&[first], Some((fp, window)), &|_, _| Some(now_ms()))
                .unwrap()
                .new,
            vec!["first"]
        );
        let e = s
            .enqueue_story(
                &[copy.clone(), other_rule],
                Some((fp ^ 0b11, window)),
                &|_, _| Some(now_ms()),
            )
            .unwrap();
        assert_eq!(
            e.new,
            vec!["other-rule"],
            "another rule still alerts on the story"
        );
        assert_eq!(
            e.same_story,
            vec![("copy".to_string(), "first".to_string())]
        );
        // Redelivery of the copy does not list it twice.
        s.enqueue_story(&[copy], Some((fp, window)), &|_, _| Some(now_ms()))
            .unwrap();
        let also = s.alert("first").unwrap().unwrap().also_reported_by;
        assert_eq!(also.len(), 1);
        assert_eq!(also[0].source.as_deref(), Some("Other Wire"));
        // The dispatcher sees the copies too.
        let leased = s.lease_due(now_ms(), 10, 60_000).unwrap();
        let (_, first) = leased.iter().find(|(d, _)| d.alert_id == "first").unwrap();
        assert_eq!(first.also_reported_by.len(), 1);
        // A different story (far fingerprint) alerts.
        let mut far = alert("far", &["mail"]);
        far.article.id = "a3".into();
        assert_eq!(
            s.enqueue_story(&[far], Some((!fp, window)), &|_, _| Some(now_ms()))
                .unwrap()
                .new,
            vec!["far"]
        );
        // Purging the first alert forgets its copies.
        s.record("first", "mail", Outcome::Delivered).unwrap();
        assert!(s.purge(now_ms() + 1).unwrap() >= 1);
        let tx = s.db.begin_read().unwrap();
        assert_eq!(tx.open_table(COPIES).unwrap().len().unwrap(), 0);
    }

    /// Issue 16: every copy of a story rewrote the first alert with its
    /// whole `also_reported_by` list (quadratic in copies). Copies are now
    /// rows of their own; the first alert's record is never rewritten.
    #[test]
    fn copies_do_not_rewrite_the_first_alert() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        let window = 72 * 3_600_000;
        let raw_first = |s: &Store| {
            let tx = s.db.begin_read().unwrap();
            let a = tx.open_table(ALERTS).unwrap();
            let raw = a.get("c0").unwrap().unwrap().value().to_vec();
            raw
        };
        let copy = |i: usize| {
            let mut a = alert(&format!("c{i}"), &["mail"]);
            a.article.id = format!("article-{i}");
            a
        };
        s.enqueue_story(&[copy(0)], Some((7, window)), &|_, _| Some(now_ms()))
            .unwrap();
        let before = raw_first(&s);
        for i in 1..=150 {
            let e = s
                .enqueue_story(&[copy(i)], Some((7, window)), &|_, _| Some(now_ms()))
                .unwrap();
            assert!(e.new.is_empty());
        }
        assert_eq!(raw_first(&s), before, "the first alert is never rewritten");
        let also = s.alert("c0").unwrap().unwrap().also_reported_by;
        let ids: Vec<String> = also.iter().map(|a| a.id.clone()).collect();
        let want: Vec<String> = (1..=150).map(|i| format!("article-{i}")).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        let mut want_sorted = want.clone();
        want_sorted.sort();
        assert_eq!(sorted, want_sorted);
    }

    #[test]
    fn a_templated_story_about_another_company_or_action_is_not_a_copy() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        let window = 72 * 3_600_000;
        let fp = 0xdead_beef_u64;
        let with = |id: &str, company: &str, action: &str| {
            let mut a = alert(id, &["mail"]);
            a.article.id = format!("article-{id}");
            a.matched.company = Term {
                id: company.into(),
                text: company.into(),
            };
            a.matched.action = Some(Term {
                id: action.into(),
                text: action.into(),
            });
            a
        };
        let enqueue = |a: Alert| {
            s.enqueue_story(&[a], Some((fp, window)), &|_, _| Some(now_ms()))
                .unwrap()
        };
        assert_eq!(
            enqueue(with("x1", "Zorith Dynamics", "sanction")).new,
            ["x1"]
        );
        // The same template, another watched company: its own alert.
        assert_eq!(
            enqueue(with("x2", "Dovith Dynamics", "sanction")).new,
            ["x2"]
        );
        // The same company, another action: its own alert.
        assert_eq!(enqueue(with("x3", "Zorith Dynamics", "ban")).new, ["x3"]);
        // The same company and action: a copy of the first.
        let copy = enqueue(with("x4", "Zorith Dynamics", "sanction"));
        assert!(copy.new.is_empty());
        assert_eq!(copy.same_story, [("x4".to_string(), "x1".to_string())]);
    }

    #[test]
    fn a_second_process_cannot_open_the_same_store() {
        let dir = tempfile::tempdir().unwrap();
        let _first = Store::open(dir.path()).unwrap();
        let err = Store::open(dir.path()).unwrap_err().to_string();
        assert!(err.contains("already open"), "{err}");
    }
}
