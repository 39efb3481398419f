//! What the operator and the daemon's gauges read: pending counts, the
//! deliveries and alerts (`wirewatch outbox list`, the demo's summary), and
//! the operator's changes (`wirewatch outbox retry|purge`; purge is also
//! the daemon's retention sweep).

use redb::{ReadableTable, ReadableTableMetadata};

use super::index;
use super::lease::put_due;
use super::records::{
    attach_copies, copies_range, decode, delivery_key, due_key, parse_due_key, DeliveryState,
    Status, ALERTS, COPIES, DELIVERIES, DUE,
};
use super::thread::THREADS;
use super::AlertRecord;
use super::{now_ms, Store, StoreError};

impl Store {
    /// How many deliveries are pending.
    pub fn pending(&self) -> Result<u64, StoreError> {
        self.read(|db| {
            let tx = db.begin_read()?;
            let due = tx.open_table(DUE)?;
            Ok(due.len()?)
        })
    }

    /// When the earliest pending delivery is due, if any.
    pub fn next_due(&self) -> Result<Option<i64>, StoreError> {
        self.read(|db| {
            let tx = db.begin_read()?;
            let due = tx.open_table(DUE)?;
            let first = due.first()?;
            Ok(first.and_then(|(k, _)| parse_due_key(k.value()).map(|(at, _, _)| at)))
        })
    }

    /// Every delivery, optionally only those with `status`.
    pub fn deliveries(&self, status: Option<Status>) -> Result<Vec<DeliveryState>, StoreError> {
        self.read(|db| {
            let tx = db.begin_read()?;
            let d = tx.open_table(DELIVERIES)?;
            let mut out = Vec::new();
            for r in d.iter()? {
                let (_, v) = r?;
                let s: DeliveryState = decode(v.value())?;
                if status.is_none_or(|st| st == s.status) {
                    out.push(s);
                }
            }
            Ok(out)
        })
    }

    /// Alert `alert_id`'s deliveries, one per channel (a range read of
    /// its keys: the console's alert page and retry).
    pub fn alert_deliveries(&self, alert_id: &str) -> Result<Vec<DeliveryState>, StoreError> {
        self.read(|db| {
            let tx = db.begin_read()?;
            let d = tx.open_table(DELIVERIES)?;
            let (from, to) = copies_range(alert_id);
            let mut out = Vec::new();
            for r in d.range::<&str>(from.as_str()..to.as_str())? {
                let (_, v) = r?;
                out.push(decode::<DeliveryState>(v.value())?);
            }
            Ok(out)
        })
    }

    /// An alert by id, with its `notify` channels and the other sources
    /// of its story.
    pub fn alert(&self, alert_id: &str) -> Result<Option<AlertRecord>, StoreError> {
        self.read(|db| {
            let tx = db.begin_read()?;
            let a = tx.open_table(ALERTS)?;
            let copies = tx.open_table(COPIES)?;
            let Some(raw) = a.get(alert_id)? else {
                return Ok(None);
            };
            let mut record: AlertRecord = decode(raw.value())?;
            attach_copies(&copies, &mut record.alert)?;
            Ok(Some(record))
        })
    }

    /// Every alert of rule `rule_id` the store keeps, newest first, with
    /// its channels and kept text (what `wirewatch feedback suggest`
    /// tries a rule change on). Reads the rule's entries of the alert list
    /// and then each alert: the cost is the rule's alerts, not the store's.
    pub fn rule_alerts(&self, rule_id: &str) -> Result<Vec<AlertRecord>, StoreError> {
        self.read(|db| {
            let tx = db.begin_read()?;
            let index = tx.open_table(index::INDEX)?;
            let rows = tx.open_table(index::ROWS)?;
            let alerts = tx.open_table(ALERTS)?;
            let copies = tx.open_table(COPIES)?;
            let t = index::term::rule(rule_id);
            let mut out = Vec::new();
            for r in index.range((t.as_str(), 0)..=(t.as_str(), u64::MAX))?.rev() {
                let (k, _) = r?;
                let key = k.value().1;
                let Some(row) = rows.get(key)? else { continue };
                let row: index::AlertRow = decode(row.value())?;
                let Some(raw) = alerts.get(row.alert_id.as_str())? else {
                    continue;
                };
                let mut record: AlertRecord = decode(raw.value())?;
                attach_copies(&copies, &mut record.alert)?;
                out.push(record);
            }
            Ok(out)
        })
    }

    /// Makes dead (or, with `alert_id`, that alert's dead, silenced and
    /// pending) deliveries due now. Returns how many. A silence still
    /// active when one falls due silences it again.
    pub fn retry(&self, alert_id: Option<&str>) -> Result<usize, StoreError> {
        let now = now_ms();
        // One alert's deliveries are a range of keys; only "every dead
        // one" reads them all.
        let candidates = match alert_id {
            Some(id) => self.alert_deliveries(id)?,
            None => self.deliveries(None)?,
        };
        let targets: Vec<DeliveryState> = candidates
            .into_iter()
            .filter(|s| match alert_id {
                Some(id) => s.alert_id == id && s.status != Status::Delivered,
                None => s.status == Status::Dead,
            })
            .collect();
        self.write(|db| {
            let tx = db.begin_write()?;
            {
                let mut d = tx.open_table(DELIVERIES)?;
                let mut due = tx.open_table(DUE)?;
                let mut list = index::Tables::open(&tx)?;
                for mut s in targets.iter().cloned() {
                    if s.status == Status::Pending {
                        due.remove(due_key(s.next_attempt_ms, &s.alert_id, &s.channel).as_str())?;
                    }
                    s.status = Status::Pending;
                    s.silence = None;
                    s.updated_ms = now;
                    put_due(&mut d, &mut due, &mut s, now)?;
                }
                for s in &targets {
                    list.refresh(&d, &s.alert_id)?;
                }
            }
            tx.commit()?;
            Ok(targets.len())
        })
    }

    /// Deletes alerts detected before `before_ms` whose deliveries are
    /// all finished (delivered, dead or silenced) and last changed before
    /// it, with their rows in the alert list, and thread roots older than
    /// it. Their ids are forgotten too, so purge only what is older than
    /// any possible redelivery. Reads only the alerts older than
    /// `before_ms` (the list is ordered by detection time).
    pub fn purge(&self, before_ms: i64) -> Result<usize, StoreError> {
        self.write(|db| {
            let tx = db.begin_write()?;
            let mut n = 0;
            {
                let mut a = tx.open_table(ALERTS)?;
                let mut d = tx.open_table(DELIVERIES)?;
                let mut copies = tx.open_table(COPIES)?;
                let mut list = index::Tables::open(&tx)?;
                let mut threads = tx.open_table(THREADS)?;
                let old: Vec<String> = {
                    let mut ids = Vec::new();
                    for r in list.rows.range(..index::key_of_ms(before_ms))? {
                        let (_, v) = r?;
                        ids.push(decode::<index::AlertRow>(v.value())?.alert_id);
                    }
                    ids
                };
                for alert_id in old {
                    let (from, to) = copies_range(&alert_id);
                    let mut states = Vec::new();
                    for r in d.range::<&str>(from.as_str()..to.as_str())? {
                        let (_, v) = r?;
                        states.push(decode::<DeliveryState>(v.value())?);
                    }
                    if states
                        .iter()
                        .any(|s| s.status == Status::Pending || s.updated_ms >= before_ms)
                    {
                        continue;
                    }
                    a.remove(alert_id.as_str())?;
                    copies.retain_in::<&str, _>(from.as_str()..to.as_str(), |_, _| false)?;
                    for s in &states {
                        d.remove(delivery_key(&s.alert_id, &s.channel).as_str())?;
                    }
                    list.remove(&alert_id)?;
                    n += 1;
                }
                Store::prune_threads(&mut threads, before_ms)?;
            }
            tx.commit()?;
            Ok(n)
        })
    }
}
