//! The alert list the console reads: one small row per alert (its
//! headline data and its delivery state), keyed by detection time, and one
//! index of (term, row key) entries that the page query intersects.
//!
//! A row key is the alert's detection time in microseconds since the
//! epoch, bumped by one while taken, so it is unique, orders the rows
//! newest first when read backwards, and turns a date range into a key
//! range. Each row is filed under the terms of the filters the console
//! offers: `r:` rule, `c:` company (lower-cased), `g:` agency, `a:`
//! action, `s:` status, `v:` severity, `d:` delivery state and `w:` each
//! word of the title. Every term's entries are ordered by row key, so a
//! filter is a descending key stream and several filters are intersected
//! by leapfrogging (`page.rs`): the cost of a page grows with the matches
//! it skips over, not with the size of the store.
//!
//! The rows are written with the alert (`enqueue`), their delivery state
//! kept current by every change to a delivery (`refresh`), removed with
//! the alert (`purge`), and built from the alerts of a store from before
//! them when it is opened (`rebuild`, schema version 1 → 2).

use std::collections::BTreeSet;

use redb::{ReadableTable, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::records::{decode, encode, DeliveryState, Status, DELIVERIES};
use super::{AlertRecord, StoreError};
use crate::alert::ArticleRef;
use wirewatch_matcher::{ActionStatus, Severity};

/// Row key → [`AlertRow`].
pub(super) const ROWS: TableDefinition<u64, &[u8]> = TableDefinition::new("alert_rows");
/// Alert id → row key.
pub(super) const ROW_KEYS: TableDefinition<&str, u64> = TableDefinition::new("alert_row_keys");
/// (term, row key) → nothing: the rows filed under each term.
pub(super) const INDEX: TableDefinition<(&str, u64), ()> = TableDefinition::new("alert_index");

/// Title words indexed per alert, at most (a title is one line; this
/// bounds a hostile one).
const MAX_WORDS: usize = 40;

/// Where an alert's deliveries stand, as one state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertDelivery {
    /// At least one delivery still to be made (due, waiting, retrying).
    Pending,
    /// Every delivery finished, none dead, at least one delivered.
    Delivered,
    /// None pending and at least one dead: someone should look.
    Dead,
    /// Every delivery silenced: kept, never sent.
    Silenced,
    /// No channel took it (below every channel's minimum severity).
    None,
}

impl AlertDelivery {
    pub const ALL: [AlertDelivery; 5] = [
        AlertDelivery::Pending,
        AlertDelivery::Delivered,
        AlertDelivery::Dead,
        AlertDelivery::Silenced,
        AlertDelivery::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertDelivery::Pending => "pending",
            AlertDelivery::Delivered => "delivered",
            AlertDelivery::Dead => "dead",
            AlertDelivery::Silenced => "silenced",
            AlertDelivery::None => "none",
        }
    }

    /// The state of an alert whose deliveries have these statuses.
    pub fn of(statuses: impl IntoIterator<Item = Status>) -> AlertDelivery {
        let (mut any, mut pending, mut dead, mut delivered) = (false, false, false, false);
        for s in statuses {
            any = true;
            match s {
                Status::Pending => pending = true,
                Status::Dead => dead = true,
                Status::Delivered => delivered = true,
                Status::Silenced => {}
            }
        }
        match () {
            _ if !any => AlertDelivery::None,
            _ if pending => AlertDelivery::Pending,
            _ if dead => AlertDelivery::Dead,
            _ if delivered => AlertDelivery::Delivered,
            _ => AlertDelivery::Silenced,
        }
    }
}

impl std::str::FromStr for AlertDelivery {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        AlertDelivery::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| {
                format!("{s:?} is not a delivery state: expected pending, delivered, dead, silenced or none")
            })
    }
}

/// One alert as the console's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRow {
    /// The row key: detection time in µs, made unique (the page cursor).
    #[serde(skip)]
    pub key: u64,
    pub alert_id: String,
    pub rule_id: String,
    pub severity: Severity,
    /// The watched company's canonical name.
    pub company: String,
    pub agency: Option<String>,
    pub action: Option<String>,
    pub status: ActionStatus,
    pub delivery: AlertDelivery,
    pub article: ArticleRef,
    /// When the alert was raised, Unix ms.
    pub detected_ms: i64,
}

impl AlertRow {
    fn of(record: &AlertRecord, delivery: AlertDelivery) -> AlertRow {
        let a = &record.alert;
        AlertRow {
            key: 0,
            alert_id: a.alert_id.clone(),
            rule_id: a.rule_id.clone(),
            severity: a.severity,
            company: a.matched.company.id.clone(),
            agency: a.matched.agency.as_ref().map(|t| t.id.clone()),
            action: a.matched.action.as_ref().map(|t| t.id.clone()),
            status: a.status,
            delivery,
            // The list needs the headline, not the evidence.
            article: a.article.clone(),
            detected_ms: a.detected_at.as_millisecond(),
        }
    }

    /// The index terms the row is filed under.
    fn terms(&self) -> BTreeSet<String> {
        let mut t = BTreeSet::new();
        t.insert(term::rule(&self.rule_id));
        t.insert(term::company(&self.company));
        if let Some(g) = &self.agency {
            t.insert(term::agency(g));
        }
        if let Some(a) = &self.action {
            t.insert(term::action(a));
        }
        t.insert(term::status(self.status));
        t.insert(term::severity(self.severity));
        t.insert(term::delivery(self.delivery));
        for w in words(&self.article.title).into_iter().take(MAX_WORDS) {
            t.insert(term::word(&w));
        }
        t
    }
}

/// The terms of the index, one constructor per filter.
pub(super) mod term {
    use super::AlertDelivery;
    use wirewatch_matcher::{ActionStatus, Severity};

    pub fn rule(r: &str) -> String {
        format!("r:{r}")
    }
    pub fn company(c: &str) -> String {
        format!("c:{}", c.to_lowercase())
    }
    pub fn agency(g: &str) -> String {
        format!("g:{g}")
    }
    pub fn action(a: &str) -> String {
        format!("a:{a}")
    }
    pub fn status(s: ActionStatus) -> String {
        format!("s:{}", s.as_str())
    }
    pub fn severity(s: Severity) -> String {
        format!("v:{}", s.as_str())
    }
    pub fn delivery(d: AlertDelivery) -> String {
        format!("d:{}", d.as_str())
    }
    pub fn word(w: &str) -> String {
        format!("w:{w}")
    }
}

/// The words of a text as the title index and its queries see them:
/// lower-cased runs of letters and digits, at least two characters (or
/// one Han or kana character, a word of its own in Chinese or Japanese
/// titles is a run: those match as whole runs), each once.
pub fn words(text: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2 || !w.is_ascii())
    {
        let w = w.to_lowercase();
        if seen.insert(w.clone()) {
            out.push(w);
        }
    }
    out
}

/// The row key of an alert detected at `ms` milliseconds (as µs).
pub(super) fn key_of_ms(ms: i64) -> u64 {
    u64::try_from(ms.max(0)).unwrap_or(0).saturating_mul(1000)
}

/// The tables of the alert list, open for writing.
pub(super) struct Tables<'t> {
    pub(super) rows: redb::Table<'t, u64, &'static [u8]>,
    pub(super) keys: redb::Table<'t, &'static str, u64>,
    pub(super) index: redb::Table<'t, (&'static str, u64), ()>,
}

impl<'t> Tables<'t> {
    pub(super) fn open(tx: &'t WriteTransaction) -> Result<Tables<'t>, StoreError> {
        Ok(Tables {
            rows: tx.open_table(ROWS)?,
            keys: tx.open_table(ROW_KEYS)?,
            index: tx.open_table(INDEX)?,
        })
    }

    /// Files a new alert, its deliveries in state `delivery`. An alert
    /// already filed is left as it is.
    pub(super) fn insert(
        &mut self,
        record: &AlertRecord,
        delivery: AlertDelivery,
    ) -> Result<(), StoreError> {
        if self.keys.get(record.alert.alert_id.as_str())?.is_some() {
            return Ok(());
        }
        let mut row = AlertRow::of(record, delivery);
        let micros = u64::try_from(record.alert.detected_at.as_microsecond().max(0)).unwrap_or(0);
        let mut key = micros;
        while self.rows.get(key)?.is_some() {
            key = key.saturating_add(1);
        }
        row.key = key;
        self.rows.insert(key, encode(&row)?.as_slice())?;
        self.keys.insert(row.alert_id.as_str(), key)?;
        for t in row.terms() {
            self.index.insert((t.as_str(), key), ())?;
        }
        Ok(())
    }

    /// The row of `alert_id`, if filed.
    pub(super) fn row(&self, alert_id: &str) -> Result<Option<AlertRow>, StoreError> {
        let Some(key) = self.keys.get(alert_id)?.map(|k| k.value()) else {
            return Ok(None);
        };
        let Some(raw) = self.rows.get(key)?.map(|v| v.value().to_vec()) else {
            return Ok(None);
        };
        let mut row: AlertRow = decode(&raw)?;
        row.key = key;
        Ok(Some(row))
    }

    /// Sets the delivery state of `alert_id`'s row to what its deliveries
    /// say (`deliveries` is the open `deliveries` table).
    pub(super) fn refresh(
        &mut self,
        deliveries: &impl ReadableTable<&'static str, &'static [u8]>,
        alert_id: &str,
    ) -> Result<(), StoreError> {
        let Some(mut row) = self.row(alert_id)? else {
            return Ok(());
        };
        let now = delivery_of(deliveries, alert_id)?;
        if now == row.delivery {
            return Ok(());
        }
        self.index
            .remove((term::delivery(row.delivery).as_str(), row.key))?;
        self.index
            .insert((term::delivery(now).as_str(), row.key), ())?;
        row.delivery = now;
        self.rows.insert(row.key, encode(&row)?.as_slice())?;
        Ok(())
    }

    /// Removes `alert_id`'s row and its index entries.
    pub(super) fn remove(&mut self, alert_id: &str) -> Result<(), StoreError> {
        let Some(row) = self.row(alert_id)? else {
            return Ok(());
        };
        for t in row.terms() {
            self.index.remove((t.as_str(), row.key))?;
        }
        self.rows.remove(row.key)?;
        self.keys.remove(alert_id)?;
        Ok(())
    }
}

/// The delivery state of `alert_id` from its deliveries ("alert id/channel").
pub(super) fn delivery_of(
    deliveries: &impl ReadableTable<&'static str, &'static [u8]>,
    alert_id: &str,
) -> Result<AlertDelivery, StoreError> {
    let (from, to) = super::records::copies_range(alert_id);
    let mut statuses = Vec::new();
    for r in deliveries.range::<&str>(from.as_str()..to.as_str())? {
        let (_, v) = r?;
        statuses.push(decode::<DeliveryState>(v.value())?.status);
    }
    Ok(AlertDelivery::of(statuses))
}

/// Files every alert of the store that has no row yet: the migration of a
/// store from before the alert list (schema version 1). One pass over the
/// alerts, in the caller's transaction.
pub(super) fn rebuild(tx: &WriteTransaction) -> Result<u64, StoreError> {
    let alerts = tx.open_table(super::records::ALERTS)?;
    let deliveries = tx.open_table(DELIVERIES)?;
    let mut tables = Tables::open(tx)?;
    let mut n = 0;
    for r in alerts.iter()? {
        let (_, v) = r?;
        let record: AlertRecord = decode(v.value())?;
        let state = delivery_of(&deliveries, &record.alert.alert_id)?;
        tables.insert(&record, state)?;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alerts_delivery_state_sums_up_its_deliveries() {
        use Status::*;
        assert_eq!(AlertDelivery::of([]), AlertDelivery::None);
        assert_eq!(
            AlertDelivery::of([Delivered, Pending]),
            AlertDelivery::Pending
        );
        assert_eq!(AlertDelivery::of([Delivered, Dead]), AlertDelivery::Dead);
        assert_eq!(AlertDelivery::of([Dead, Pending]), AlertDelivery::Pending);
        assert_eq!(
            AlertDelivery::of([Delivered, Silenced]),
            AlertDelivery::Delivered
        );
        assert_eq!(
            AlertDelivery::of([Silenced, Silenced]),
            AlertDelivery::Silenced
        );
        assert_eq!("dead".parse::<AlertDelivery>(), Ok(AlertDelivery::Dead));
        assert!("gone".parse::<AlertDelivery>().is_err());
    }

    #[test]
    fn title_words_are_lower_cased_runs_each_once() {
        assert_eq!(
            words("U.S. Sanctions Kaspersky; sanctions widen — 2024 a"),
            ["sanctions", "kaspersky", "widen", "2024"]
        );
        assert_eq!(
            words("Санкции против «Роснефти»"),
            ["санкции", "против", "роснефти"]
        );
        assert_eq!(words("华为 被罚"), ["华为", "被罚"]);
    }
}
