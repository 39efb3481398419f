//! Leases and outcomes: the dispatcher takes due deliveries under a lease
//! (pushed into the future, so no one takes them twice, and back after it
//! if the process dies mid-attempt), then records each attempt's outcome.

use redb::{Durability, ReadableTable};

use super::index;
use super::records::{
    attach_copies, decode, delivery_key, due_key, encode, parse_due_key, DeliveryState, Outcome,
    Status, Table, ALERTS, COPIES, DELIVERIES, DUE,
};
use super::silence::{self, SILENCES};
use super::thread::{self, Sent, THREADS};
use super::AlertRecord;
use super::{now_ms, Store, StoreError};
use crate::alert::Alert;

/// Writes a pending delivery back, due at `at`, and files it in the due
/// index (the caller removed its old due entry).
pub(super) fn put_due(
    d: &mut Table<'_>,
    due: &mut Table<'_>,
    s: &mut DeliveryState,
    at: i64,
) -> Result<(), StoreError> {
    s.next_attempt_ms = at;
    d.insert(
        delivery_key(&s.alert_id, &s.channel).as_str(),
        encode(&*s)?.as_slice(),
    )?;
    due.insert(due_key(at, &s.alert_id, &s.channel).as_str(), [].as_slice())?;
    Ok(())
}

/// What [`Store::lease_due_or_silence`] took.
#[derive(Debug, Default)]
pub struct Leased {
    /// Deliveries to attempt now, leased.
    pub due: Vec<(DeliveryState, Alert)>,
    /// Deliveries that fell due under a silence: now `silenced`, for good.
    pub silenced: Vec<DeliveryState>,
}

impl Store {
    /// Takes up to `limit` deliveries due at `now`, and pushes each one's
    /// due time to `now + lease_ms` so no one else takes it meanwhile; if
    /// the process dies mid-attempt, the delivery comes back after the lease.
    pub fn lease_due(
        &self,
        now: i64,
        limit: usize,
        lease_ms: i64,
    ) -> Result<Vec<(DeliveryState, Alert)>, StoreError> {
        Ok(self.lease_due_or_silence(now, limit, lease_ms)?.due)
    }

    /// [`Store::lease_due`], except that a due delivery an active silence
    /// covers is not leased but made `silenced` (a digest or quiet hours
    /// held it, or a retry, and a silence began meanwhile).
    pub fn lease_due_or_silence(
        &self,
        now: i64,
        limit: usize,
        lease_ms: i64,
    ) -> Result<Leased, StoreError> {
        self.write(|db| {
            let mut tx = db.begin_write()?;
            let silences = silence::active(&tx.open_table(SILENCES)?, now)?;
            // A lease need not survive a crash: leases left over are released
            // at start anyway. It is made durable by the next durable commit
            // (an enqueue or a recorded outcome), without an fsync of its own.
            // Silencing must be durable: it is its own, fsync'd, commit.
            if silences.is_empty() {
                tx.set_durability(Durability::None);
            }
            let mut out = Leased::default();
            {
                let mut due = tx.open_table(DUE)?;
                let mut d = tx.open_table(DELIVERIES)?;
                let a = tx.open_table(ALERTS)?;
                let copies = tx.open_table(COPIES)?;
                let mut list = index::Tables::open(&tx)?;
                let upper = due_key(now, "\u{10FFFF}", "");
                let keys: Vec<String> = due
                    .range::<&str>(..=upper.as_str())?
                    .take(limit)
                    .filter_map(|r| r.ok().map(|(k, _)| k.value().to_string()))
                    .collect();
                for key in keys {
                    due.remove(key.as_str())?;
                    let Some((_, alert_id, channel)) = parse_due_key(&key) else {
                        continue;
                    };
                    let dk = delivery_key(alert_id, channel);
                    let Some(raw) = d.get(dk.as_str())?.map(|v| v.value().to_vec()) else {
                        continue;
                    };
                    let mut state: DeliveryState = decode(&raw)?;
                    if state.status != Status::Pending {
                        continue;
                    }
                    let Some(alert_raw) = a.get(alert_id)?.map(|v| v.value().to_vec()) else {
                        continue;
                    };
                    let mut alert = decode::<AlertRecord>(&alert_raw)?.alert;
                    if let Some(s) = silence::covering(&silences, &alert, channel) {
                        state.status = Status::Silenced;
                        state.silence = Some(s.id.clone());
                        state.updated_ms = now;
                        d.insert(dk.as_str(), encode(&state)?.as_slice())?;
                        list.refresh(&d, alert_id)?;
                        out.silenced.push(state);
                        continue;
                    }
                    attach_copies(&copies, &mut alert)?;
                    state.next_attempt_ms = now.saturating_add(lease_ms);
                    state.leased = true;
                    d.insert(dk.as_str(), encode(&state)?.as_slice())?;
                    due.insert(
                        due_key(state.next_attempt_ms, alert_id, channel).as_str(),
                        [].as_slice(),
                    )?;
                    out.due.push((state, alert));
                }
            }
            tx.commit()?;
            Ok(out)
        })
    }

    /// Records several outcomes in one transaction (one fsync). Each result
    /// is the delivery's new state, or `None` when the delivery no longer
    /// exists (purged meanwhile).
    pub fn record_many(
        &self,
        outcomes: Vec<(String, String, Outcome)>,
    ) -> Result<Vec<Option<DeliveryState>>, StoreError> {
        self.record_sent(outcomes, &[], 0)
    }

    /// [`Store::record_many`], and the email messages delivered, as the
    /// roots of their alerts' threads that have none within `window_ms`.
    pub fn record_sent(
        &self,
        outcomes: Vec<(String, String, Outcome)>,
        sent: &[Sent],
        window_ms: i64,
    ) -> Result<Vec<Option<DeliveryState>>, StoreError> {
        let now = now_ms();
        self.write(|db| {
            let tx = db.begin_write()?;
            let mut states = Vec::with_capacity(outcomes.len());
            {
                let mut d = tx.open_table(DELIVERIES)?;
                let mut due = tx.open_table(DUE)?;
                let mut list = index::Tables::open(&tx)?;
                let mut threads = tx.open_table(THREADS)?;
                for s in sent {
                    thread::record(&mut threads, s, now, window_ms)?;
                }
                let mut touched = std::collections::BTreeSet::new();
                for (alert_id, channel, outcome) in outcomes {
                    let dk = delivery_key(&alert_id, &channel);
                    let Some(raw) = d.get(dk.as_str())?.map(|v| v.value().to_vec()) else {
                        states.push(None);
                        continue;
                    };
                    let mut state: DeliveryState = decode(&raw)?;
                    due.remove(due_key(state.next_attempt_ms, &alert_id, &channel).as_str())?;
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
                        )?;
                    }
                    d.insert(dk.as_str(), encode(&state)?.as_slice())?;
                    states.push(Some(state));
                    touched.insert(alert_id);
                }
                for alert_id in touched {
                    list.refresh(&d, &alert_id)?;
                }
            }
            tx.commit()?;
            Ok(states)
        })
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
        self.write(|db| {
            let tx = db.begin_write()?;
            {
                let mut d = tx.open_table(DELIVERIES)?;
                let mut due = tx.open_table(DUE)?;
                for mut s in leased.iter().cloned() {
                    due.remove(due_key(s.next_attempt_ms, &s.alert_id, &s.channel).as_str())?;
                    s.leased = false;
                    put_due(&mut d, &mut due, &mut s, now)?;
                }
            }
            tx.commit()?;
            Ok(leased.len())
        })
    }
}
