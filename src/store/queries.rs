//! What the operator and the daemon's gauges read: pending counts, the
//! deliveries and alerts (`wirewatch outbox list`, the demo's summary), and
//! the operator's changes (`wirewatch outbox retry|purge`).

use redb::{ReadableTable, ReadableTableMetadata};

use super::lease::put_due;
use super::records::{
    attach_copies, copies_range, decode, delivery_key, due_key, parse_due_key, DeliveryState,
    Status, ALERTS, COPIES, DELIVERIES, DUE,
};
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
        self.write(|db| {
            let tx = db.begin_write()?;
            {
                let mut d = tx.open_table(DELIVERIES)?;
                let mut due = tx.open_table(DUE)?;
                for mut s in targets.iter().cloned() {
                    if s.status == Status::Pending {
                        due.remove(due_key(s.next_attempt_ms, &s.alert_id, &s.channel).as_str())?;
                    }
                    s.status = Status::Pending;
                    s.updated_ms = now;
                    put_due(&mut d, &mut due, &mut s, now)?;
                }
            }
            tx.commit()?;
            Ok(targets.len())
        })
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
        self.write(|db| {
            let tx = db.begin_write()?;
            {
                let mut a = tx.open_table(ALERTS)?;
                let mut d = tx.open_table(DELIVERIES)?;
                let mut copies = tx.open_table(COPIES)?;
                for (alert_id, ds) in &doomed {
                    a.remove(*alert_id)?;
                    let (from, to) = copies_range(alert_id);
                    copies.retain_in::<&str, _>(from.as_str()..to.as_str(), |_, _| false)?;
                    for s in ds {
                        d.remove(delivery_key(&s.alert_id, &s.channel).as_str())?;
                    }
                }
            }
            tx.commit()?;
            Ok(doomed.len())
        })
    }
}
