//! The console's queries: a page of alerts, newest first, filtered and
//! paginated by cursor, and a rule's statistics, both read from the alert
//! list of `index.rs`.
//!
//! A filter on a field is a descending stream of row keys (the union of
//! its values' terms); a page intersects the streams by leapfrogging:
//! each stream in turn seeks the greatest key at or below the candidate,
//! and a key every stream reaches is a match. A seek is one B-tree
//! descent, so a page costs about one seek per stream for each match and
//! for each run of keys skipped, whatever the store's size. A date range
//! bounds every stream; with no filter the rows themselves are read
//! backwards.

use redb::ReadOnlyTable;

use super::index::{key_of_ms, term, AlertDelivery, AlertRow, INDEX, ROWS};
use super::records::decode;
use super::{Store, StoreError};
use wirewatch_matcher::{ActionStatus, Severity};

/// The largest page.
pub const MAX_PAGE: usize = 500;

/// What a page shows: every field set must match (values within a field
/// are alternatives); `words` must all be words of the title.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertFilter {
    pub rules: Vec<String>,
    /// Canonical company names, compared without case.
    pub companies: Vec<String>,
    pub agencies: Vec<String>,
    pub actions: Vec<String>,
    pub statuses: Vec<ActionStatus>,
    pub severities: Vec<Severity>,
    pub deliveries: Vec<AlertDelivery>,
    /// Detected at or after, Unix ms.
    pub from_ms: Option<i64>,
    /// Detected before, Unix ms.
    pub to_ms: Option<i64>,
    /// Text whose words ([`super::index::words`]) must all be in the title.
    pub words: Option<String>,
}

impl AlertFilter {
    /// The streams to intersect: one list of alternative terms per field.
    fn streams(&self) -> Vec<Vec<String>> {
        let mut s: Vec<Vec<String>> = vec![
            self.rules.iter().map(|r| term::rule(r)).collect(),
            self.companies.iter().map(|c| term::company(c)).collect(),
            self.agencies.iter().map(|g| term::agency(g)).collect(),
            self.actions.iter().map(|a| term::action(a)).collect(),
            self.statuses.iter().map(|s| term::status(*s)).collect(),
            self.severities.iter().map(|v| term::severity(*v)).collect(),
            self.deliveries.iter().map(|d| term::delivery(*d)).collect(),
        ];
        if let Some(w) = &self.words {
            s.extend(super::index::words(w).iter().map(|w| vec![term::word(w)]));
        }
        s.retain(|alternatives| !alternatives.is_empty());
        s
    }

    /// The row keys a page may hold: [low, high].
    fn bounds(&self) -> (u64, u64) {
        let low = self.from_ms.map_or(0, key_of_ms);
        let high = self
            .to_ms
            .map_or(u64::MAX, |to| key_of_ms(to).saturating_sub(1));
        (low, high)
    }
}

/// Where the next page starts: the last row key shown. Opaque to clients
/// (hex); new alerts do not shift it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor(pub u64);

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:x}", self.0)
    }
}

impl std::str::FromStr for Cursor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        u64::from_str_radix(s, 16)
            .map(Cursor)
            .map_err(|_| format!("{s:?} is not a page cursor"))
    }
}

/// One page of alerts, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub alerts: Vec<AlertRow>,
    /// The cursor of the next page; `None` on the last.
    pub next: Option<Cursor>,
}

/// One rule's activity over the last days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleStats {
    pub rule_id: String,
    /// Alerts per UTC day, oldest first, ending today: (day start, Unix
    /// ms; count).
    pub per_day: Vec<(i64, u64)>,
    pub total: u64,
    /// Alerts by delivery state, over the same days.
    pub delivered: u64,
    pub dead: u64,
    pub pending: u64,
    pub silenced: u64,
}

type Index = ReadOnlyTable<(&'static str, u64), ()>;

/// The greatest key of `alternatives` in [low, at], if any.
fn seek(
    index: &Index,
    alternatives: &[String],
    low: u64,
    at: u64,
) -> Result<Option<u64>, StoreError> {
    let mut best = None;
    for t in alternatives {
        let found = index
            .range((t.as_str(), low)..=(t.as_str(), at))?
            .next_back()
            .transpose()?
            .map(|(k, _)| k.value().1);
        best = best.max(found);
    }
    Ok(best)
}

/// Calls `found` with each key in [low, high] that every stream holds,
/// greatest first, until it returns false.
fn intersect(
    index: &Index,
    streams: &[Vec<String>],
    low: u64,
    high: u64,
    mut found: impl FnMut(u64) -> bool,
) -> Result<(), StoreError> {
    if low > high {
        return Ok(());
    }
    let n = streams.len();
    let mut candidate = high;
    let mut agreed = 0;
    let mut i = 0;
    loop {
        let Some(k) = seek(index, &streams[i], low, candidate)? else {
            return Ok(());
        };
        if k == candidate {
            agreed += 1;
        } else {
            candidate = k;
            agreed = 1;
        }
        if agreed == n {
            if !found(candidate) || candidate == low {
                return Ok(());
            }
            candidate -= 1;
            agreed = 0;
        }
        i = (i + 1) % n;
    }
}

impl Store {
    /// A page of at most `limit` alerts (at most [`MAX_PAGE`]) matching
    /// `filter`, newest first, after `cursor` (the previous page's `next`).
    pub fn alerts_page(
        &self,
        filter: &AlertFilter,
        cursor: Option<Cursor>,
        limit: usize,
    ) -> Result<Page, StoreError> {
        let limit = limit.clamp(1, MAX_PAGE);
        let (low, mut high) = filter.bounds();
        if let Some(Cursor(c)) = cursor {
            if c == 0 {
                return Ok(Page {
                    alerts: Vec::new(),
                    next: None,
                });
            }
            high = high.min(c - 1);
        }
        let streams = filter.streams();
        self.read(|db| {
            let tx = db.begin_read()?;
            let rows = tx.open_table(ROWS)?;
            let mut keys = Vec::with_capacity(limit + 1);
            if low <= high {
                if streams.is_empty() {
                    for r in rows.range(low..=high)?.rev().take(limit + 1) {
                        keys.push(r?.0.value());
                    }
                } else {
                    let index = tx.open_table(INDEX)?;
                    intersect(&index, &streams, low, high, |k| {
                        keys.push(k);
                        keys.len() <= limit
                    })?;
                }
            }
            let more = keys.len() > limit;
            keys.truncate(limit);
            let mut alerts = Vec::with_capacity(keys.len());
            for k in &keys {
                if let Some(v) = rows.get(*k)? {
                    let mut row: AlertRow = decode(v.value())?;
                    row.key = *k;
                    alerts.push(row);
                }
            }
            Ok(Page {
                next: more.then(|| Cursor(*keys.last().expect("more than limit"))),
                alerts,
            })
        })
    }

    /// How many alerts match `filter` (walks the matches: for counts over
    /// a bounded range, such as [`Store::rule_stats`]).
    pub fn count_alerts(&self, filter: &AlertFilter) -> Result<u64, StoreError> {
        let (low, high) = filter.bounds();
        let streams = filter.streams();
        self.read(|db| {
            let tx = db.begin_read()?;
            let mut n = 0u64;
            if streams.is_empty() {
                let rows = tx.open_table(ROWS)?;
                for r in rows.range(low..=high)? {
                    r?;
                    n += 1;
                }
            } else {
                let index = tx.open_table(INDEX)?;
                intersect(&index, &streams, low, high, |_| {
                    n += 1;
                    true
                })?;
            }
            Ok(n)
        })
    }

    /// Rule `rule_id`'s alerts per UTC day over the `days` days ending
    /// with today (at `now_ms`), and how many of them were delivered,
    /// are dead, pending or silenced.
    pub fn rule_stats(
        &self,
        rule_id: &str,
        days: u32,
        now_ms: i64,
    ) -> Result<RuleStats, StoreError> {
        const DAY: i64 = 86_400_000;
        let days = days.max(1);
        let today = now_ms.div_euclid(DAY) * DAY;
        let first = today - DAY * i64::from(days - 1);
        let mut per_day: Vec<(i64, u64)> =
            (0..days).map(|d| (first + DAY * i64::from(d), 0)).collect();
        let base = AlertFilter {
            rules: vec![rule_id.to_string()],
            from_ms: Some(first),
            to_ms: Some(today + DAY),
            ..AlertFilter::default()
        };
        let (low, high) = base.bounds();
        let total = self.read(|db| {
            let tx = db.begin_read()?;
            let index = tx.open_table(INDEX)?;
            let t = term::rule(rule_id);
            let mut total = 0;
            for r in index.range((t.as_str(), low)..=(t.as_str(), high))? {
                let (k, _) = r?;
                let ms = i64::try_from(k.value().1 / 1000).unwrap_or(i64::MAX);
                let day = usize::try_from((ms - first).div_euclid(DAY)).unwrap_or(usize::MAX);
                if let Some(slot) = per_day.get_mut(day) {
                    slot.1 += 1;
                    total += 1;
                }
            }
            Ok(total)
        })?;
        let count = |d: AlertDelivery| {
            self.count_alerts(&AlertFilter {
                deliveries: vec![d],
                ..base.clone()
            })
        };
        Ok(RuleStats {
            rule_id: rule_id.to_string(),
            per_day,
            total,
            delivered: count(AlertDelivery::Delivered)?,
            dead: count(AlertDelivery::Dead)?,
            pending: count(AlertDelivery::Pending)?,
            silenced: count(AlertDelivery::Silenced)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::alert;
    use crate::store::{now_ms, AlertRecord, Outcome};
    use redb::ReadableTable;
    use wirewatch_matcher::Term;

    const DAY: i64 = 86_400_000;

    /// Alert `i` of a small store: rule r{i%3}, company C{i%2}, severity
    /// high for even i, title "Headline number {i}" plus "embargo" for
    /// multiples of 5, detected i minutes after `t0`.
    fn numbered(i: i64, t0: i64) -> AlertRecord {
        let mut a = alert(&format!("alrt_{i:04}"), &["mail"]);
        a.alert.rule_id = format!("r{}", i % 3);
        a.alert.article.id = format!("art-{i}");
        a.alert.matched.company = Term {
            id: format!("C{}", i % 2),
            text: "c".into(),
        };
        a.alert.severity = if i % 2 == 0 {
            Severity::High
        } else {
            Severity::Low
        };
        a.alert.article.title = format!(
            "Headline number {i}{}",
            if i % 5 == 0 { " embargo" } else { "" }
        );
        a.alert.detected_at = jiff::Timestamp::from_millisecond(t0 + i * 60_000).unwrap();
        a
    }

    fn ids(p: &Page) -> Vec<String> {
        p.alerts.iter().map(|r| r.alert_id.clone()).collect()
    }

    #[test]
    fn pages_are_newest_first_filtered_and_follow_their_cursor() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        let t0 = now_ms() - DAY;
        let all: Vec<AlertRecord> = (0..60).map(|i| numbered(i, t0)).collect();
        crate::store::tests::enqueue(&s, &all);

        let first = s.alerts_page(&AlertFilter::default(), None, 25).unwrap();
        assert_eq!(first.alerts.len(), 25);
        assert_eq!(first.alerts[0].alert_id, "alrt_0059");
        let second = s
            .alerts_page(&AlertFilter::default(), first.next, 25)
            .unwrap();
        assert_eq!(second.alerts[0].alert_id, "alrt_0034");
        let third = s
            .alerts_page(&AlertFilter::default(), second.next, 25)
            .unwrap();
        assert_eq!((third.alerts.len(), third.next), (10, None));

        // One filter, two filters, alternatives, words, a date range.
        let want = |f: &dyn Fn(i64) -> bool| -> Vec<String> {
            (0..60)
                .rev()
                .filter(|i| f(*i))
                .map(|i| format!("alrt_{i:04}"))
                .collect()
        };
        let page = |f: AlertFilter| ids(&s.alerts_page(&f, None, 100).unwrap());
        let rule1 = AlertFilter {
            rules: vec!["r1".into()],
            ..Default::default()
        };
        assert_eq!(page(rule1.clone()), want(&|i| i % 3 == 1));
        let rule1_c0 = AlertFilter {
            companies: vec!["c0".into()],
            ..rule1.clone()
        };
        assert_eq!(page(rule1_c0), want(&|i| i % 3 == 1 && i % 2 == 0));
        let r0_or_r2 = AlertFilter {
            rules: vec!["r0".into(), "r2".into()],
            ..Default::default()
        };
        assert_eq!(page(r0_or_r2), want(&|i| i % 3 != 1));
        let words = AlertFilter {
            words: Some("EMBARGO headline".into()),
            ..Default::default()
        };
        assert_eq!(page(words), want(&|i| i % 5 == 0));
        let high_embargo = AlertFilter {
            severities: vec![Severity::High],
            words: Some("embargo".into()),
            ..Default::default()
        };
        assert_eq!(page(high_embargo), want(&|i| i % 10 == 0));
        let range = AlertFilter {
            from_ms: Some(t0 + 10 * 60_000),
            to_ms: Some(t0 + 20 * 60_000),
            ..rule1.clone()
        };
        assert_eq!(page(range), want(&|i| (10..20).contains(&i) && i % 3 == 1));
        let none = AlertFilter {
            rules: vec!["nope".into()],
            ..Default::default()
        };
        assert_eq!(page(none), Vec::<String>::new());

        // A filtered page of 3 walks the same alerts as one page of all.
        let mut walked = Vec::new();
        let mut cursor = None;
        loop {
            let p = s.alerts_page(&rule1, cursor, 3).unwrap();
            walked.extend(ids(&p));
            match p.next {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(walked, want(&|i| i % 3 == 1));
        assert_eq!(s.count_alerts(&rule1).unwrap(), 20);
        let c: Cursor = first.next.unwrap().to_string().parse().unwrap();
        assert_eq!(Some(c), first.next);
    }

    #[test]
    fn delivery_state_follows_outcomes_and_purge_removes_rows() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        let t0 = now_ms() - 2 * DAY;
        let all: Vec<AlertRecord> = (0..4).map(|i| numbered(i, t0)).collect();
        crate::store::tests::enqueue(&s, &all);
        let by = |d: AlertDelivery| {
            ids(&s
                .alerts_page(
                    &AlertFilter {
                        deliveries: vec![d],
                        ..Default::default()
                    },
                    None,
                    10,
                )
                .unwrap())
        };
        assert_eq!(by(AlertDelivery::Pending).len(), 4);
        s.record_many(vec![
            ("alrt_0000".into(), "mail".into(), Outcome::Delivered),
            (
                "alrt_0001".into(),
                "mail".into(),
                Outcome::Dead {
                    error: "550".into(),
                },
            ),
        ])
        .unwrap();
        assert_eq!(by(AlertDelivery::Delivered), ["alrt_0000"]);
        assert_eq!(by(AlertDelivery::Dead), ["alrt_0001"]);
        assert_eq!(by(AlertDelivery::Pending), ["alrt_0003", "alrt_0002"]);
        s.retry(None).unwrap();
        assert_eq!(by(AlertDelivery::Dead), Vec::<String>::new());
        assert_eq!(by(AlertDelivery::Pending).len(), 3);

        let stats = s.rule_stats("r0", 30, now_ms()).unwrap();
        assert_eq!((stats.total, stats.delivered, stats.pending), (2, 1, 1));
        assert_eq!(stats.per_day.len(), 30);
        assert_eq!(stats.per_day.iter().map(|d| d.1).sum::<u64>(), 2);

        assert_eq!(s.purge(now_ms() + 1).unwrap(), 1, "only the finished alert");
        assert_eq!(s.count_alerts(&AlertFilter::default()).unwrap(), 3);
        assert_eq!(by(AlertDelivery::Delivered), Vec::<String>::new());
        assert!(s.alert("alrt_0000").unwrap().is_none());
        // Nothing of it is left in the index.
        let tx = s.db().unwrap().begin_read().unwrap();
        let index = tx.open_table(INDEX).unwrap();
        let left = index
            .iter()
            .unwrap()
            .filter(|r| r.as_ref().unwrap().0.value().1 == super::key_of_ms(t0))
            .count();
        assert_eq!(left, 0);
    }
}
