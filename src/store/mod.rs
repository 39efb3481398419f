//! The durable outbox and dedup state, in an embedded transactional store
//! (redb: pure Rust, ACID, every commit fsync'd, one file, no server).
//!
//! An article's alerts are written here, in one transaction, before its
//! Kafka offset is stored; the dispatcher delivers from here and records
//! each (alert, channel) delivery as delivered or dead. An alert id already
//! present is never enqueued again, so a redelivered article or a restart
//! never sends an alert twice.
//!
//! Six tables (`records` defines them and their keys):
//! - `alerts`: alert id → alert JSON, with the channels it goes to.
//! - `deliveries`: "alert id/channel" → [`DeliveryState`] JSON.
//! - `due`: "due time (ms, zero-padded)/alert id/channel" → empty: the
//!   pending deliveries ordered by when they are next due.
//! - `stories`: "rule id/alert id" → story entry: the stories each rule
//!   alerted on, for story dedup.
//! - `copies`: "first alert id/copy article id" → copy: the other sources
//!   of a story, read into the first alert's `also_reported_by` when it is
//!   read. One small insert per copy: rewriting the first alert with its
//!   growing list made N copies cost O(N²) (4,000 copies of one story took
//!   29 s).
//! - `meta`: "schema" → the store's format version ([`file`]).
//!
//! The work is split by job: enqueueing with story dedup (`enqueue`),
//! leases and outcomes (`lease`), the operator's queries
//! (`queries`), the file itself ([`file`]: open, check, repair), the
//! handle that reopens it after an I/O error and knows when the disk is
//! full (`health`) and the errors ([`StoreError`]).

mod enqueue;
mod error;
mod feedback;
pub mod file;
mod health;
mod index;
mod lease;
mod page;
mod queries;
mod records;
mod silence;
mod thread;

use std::path::Path;

pub use enqueue::{Enqueued, StoryItem};
pub use error::StoreError;
pub use feedback::{Feedback, FeedbackReason};
pub use index::{words, AlertDelivery, AlertRow};
pub use lease::Leased;
pub use page::{AlertFilter, Cursor, Page, RuleStats, MAX_PAGE};
pub use records::{AlertRecord, DeliveryState, Outcome, Status};
pub use silence::{Lifted, Silence, SilenceScope};
pub use thread::{Sent, Thread, ThreadRoot};

/// The file inside `store.path`.
pub const FILE_NAME: &str = "wirewatch.redb";

/// A duration in whole milliseconds, saturating at `i64::MAX` (durations
/// come from config and peers; the cast alone would wrap).
pub fn ms(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The time now, Unix ms (the store's clock: due times, leases, ages).
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// The outbox. Cheap to share behind an `Arc`; redb serializes writers.
#[derive(Debug)]
pub struct Store {
    handle: health::Handle,
}

/// redb's page cache. Its default (1 GiB) lets the daemon's memory grow
/// with the outbox; the working set is the recent alerts and the due
/// index, which fit in far less (scripts/bench: 50,000 alerts written).
pub(crate) const CACHE_BYTES: usize = 32 << 20;

impl Store {
    /// Opens (or creates) the store in folder `dir`. A damaged file, or
    /// one from a newer version, is an error ([`file`]).
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let db = file::open(dir, CACHE_BYTES)?;
        Ok(Store {
            handle: health::Handle::new(dir.join(FILE_NAME), CACHE_BYTES, db),
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use redb::ReadableTableMetadata;

    use super::records::{ALERTS, COPIES};
    use super::*;
    use crate::alert::{Alert, ArticleRef, Matched};
    use wirewatch_matcher::{Severity, Term};

    /// Enqueues `alerts` as one article without story dedup, every
    /// delivery due now: the new alert ids.
    pub fn enqueue(s: &Store, alerts: &[AlertRecord]) -> Vec<String> {
        enqueue_story(s, alerts, None).new
    }

    /// Enqueues `alerts` as one article with `story`, every delivery due now.
    fn enqueue_story(s: &Store, alerts: &[AlertRecord], story: Option<(u64, i64)>) -> Enqueued {
        s.enqueue_batch(&[(alerts, story)], &|_, _| Some(now_ms()))
            .unwrap()
            .remove(0)
    }

    /// Records one outcome: the delivery's new state.
    fn record(s: &Store, alert_id: &str, channel: &str, outcome: Outcome) -> DeliveryState {
        s.record_many(vec![(alert_id.into(), channel.into(), outcome)])
            .unwrap()
            .remove(0)
            .expect("the delivery exists")
    }

    /// An alert with id `id` for rule "r", going to `channels`.
    pub fn alert(id: &str, channels: &[&str]) -> AlertRecord {
        let alert = Alert {
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
            list: None,
            source_id: None,
            status: Default::default(),
            language: None,
            evidence: vec![],
            detected_at: "2024-01-01T00:00:00Z".parse().unwrap(),
            watchlist: "w.toml".into(),
            also_reported_by: vec![],
        };
        AlertRecord {
            alert,
            notify: channels.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn enqueue_dedups_and_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = Store::open(dir.path()).unwrap();
            assert_eq!(enqueue(&s, &[alert("x", &["mail", "hook"])]), vec!["x"]);
            assert!(
                enqueue(&s, &[alert("x", &["mail", "hook"])]).is_empty(),
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
            enqueue(&s, &[alert("x", &["mail"])]).is_empty(),
            "dedup state survives a restart"
        );
    }

    #[test]
    fn lease_record_retry_and_dead() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        enqueue(&s, &[alert("x", &["mail"]), alert("y", &["hook"])]);
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
        record(&s, "x", "mail", Outcome::Delivered);
        let st = record(
            &s,
            "y",
            "hook",
            Outcome::Retry {
                at_ms: now + 5_000,
                error: "HTTP 503".into(),
            },
        );
        assert_eq!((st.status, st.attempts), (Status::Pending, 1));
        assert_eq!(s.pending().unwrap(), 1);
        assert_eq!(s.next_due().unwrap(), Some(now + 5_000));
        assert!(s.lease_due(now + 1_000, 10, 1_000).unwrap().is_empty());
        let again = s.lease_due(now + 5_000, 10, 1_000).unwrap();
        assert_eq!(again[0].1.alert_id, "y");
        record(
            &s,
            "y",
            "hook",
            Outcome::Dead {
                error: "HTTP 410".into(),
            },
        );
        assert_eq!(s.pending().unwrap(), 0);
        let dead = s.deliveries(Some(Status::Dead)).unwrap();
        assert_eq!(
            (dead.len(), dead[0].last_error.as_deref()),
            (1, Some("HTTP 410"))
        );
        assert_eq!(s.retry(None).unwrap(), 1);
        assert_eq!(s.pending().unwrap(), 1);
        record(&s, "y", "hook", Outcome::Delivered);
        assert_eq!(s.purge(now_ms() + 1).unwrap(), 2);
        assert!(s.alert("x").unwrap().is_none());
    }

    #[test]
    fn outcomes_are_recorded_together_and_a_purged_delivery_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        enqueue(&s, &[alert("x", &["mail", "hook"]), alert("y", &["hook"])]);
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
        first.alert.article.id = "a1".into();
        let mut copy = alert("copy", &["mail"]);
        copy.alert.article.id = "a2".into();
        copy.alert.article.source = Some("Other Wire".into());
        let mut other_rule = alert("other-rule", &["mail"]);
        other_rule.alert.rule_id = "r2".into();
        let window = 72 * 3_600_000;
        let fp = 0b1011_0110u64;
        assert_eq!(
            enqueue_story(&s, &[first], Some((fp, window))).new,
            vec!["first"]
        );
        let e = enqueue_story(&s, &[copy.clone(), other_rule], Some((fp ^ 0b11, window)));
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
        enqueue_story(&s, &[copy], Some((fp, window)));
        let also = s.alert("first").unwrap().unwrap().alert.also_reported_by;
        assert_eq!(also.len(), 1);
        assert_eq!(also[0].source.as_deref(), Some("Other Wire"));
        // The dispatcher sees the copies too.
        let leased = s.lease_due(now_ms(), 10, 60_000).unwrap();
        let (_, first) = leased.iter().find(|(d, _)| d.alert_id == "first").unwrap();
        assert_eq!(first.also_reported_by.len(), 1);
        // A different story (far fingerprint) alerts.
        let mut far = alert("far", &["mail"]);
        far.alert.article.id = "a3".into();
        assert_eq!(
            enqueue_story(&s, &[far], Some((!fp, window))).new,
            vec!["far"]
        );
        // Purging the first alert forgets its copies.
        record(&s, "first", "mail", Outcome::Delivered);
        assert!(s.purge(now_ms() + 1).unwrap() >= 1);
        let tx = s.db().unwrap().begin_read().unwrap();
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
            let tx = s.db().unwrap().begin_read().unwrap();
            let a = tx.open_table(ALERTS).unwrap();
            let raw = a.get("c0").unwrap().unwrap().value().to_vec();
            raw
        };
        let copy = |i: usize| {
            let mut a = alert(&format!("c{i}"), &["mail"]);
            a.alert.article.id = format!("article-{i}");
            a
        };
        enqueue_story(&s, &[copy(0)], Some((7, window)));
        let before = raw_first(&s);
        for i in 1..=150 {
            let e = enqueue_story(&s, &[copy(i)], Some((7, window)));
            assert!(e.new.is_empty());
        }
        assert_eq!(raw_first(&s), before, "the first alert is never rewritten");
        let also = s.alert("c0").unwrap().unwrap().alert.also_reported_by;
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
            a.alert.article.id = format!("article-{id}");
            a.alert.matched.company = Term {
                id: company.into(),
                text: company.into(),
            };
            a.alert.matched.action = Some(Term {
                id: action.into(),
                text: action.into(),
            });
            a
        };
        let enqueue = |a: AlertRecord| enqueue_story(&s, &[a], Some((fp, window)));
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

    /// Records written before `AlertRecord` (the alert's JSON with its keys
    /// sorted and `notify` among them) read as they did, and a record
    /// written now is the same JSON object, keys in the alert's order.
    #[test]
    fn alert_records_read_and_write_the_format_of_earlier_versions() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        let old = r#"{"alert_id":"old","article":{"id":"a","published_at":null,"source":null,"title":"t","url":null},"detected_at":"2024-01-01T00:00:00.25Z","evidence":[],"matched":{"action":null,"agency":null,"company":{"id":"C","text":"C"}},"notify":["mail","hook"],"rule_id":"r","severity":"high","status":"imposed","watchlist":"w.toml"}"#;
        {
            let tx = s.db().unwrap().begin_write().unwrap();
            tx.open_table(ALERTS)
                .unwrap()
                .insert("old", old.as_bytes())
                .unwrap();
            tx.commit().unwrap();
        }
        let read = s.alert("old").unwrap().unwrap();
        assert_eq!(read.notify, ["mail", "hook"]);
        assert_eq!(
            read.alert.detected_at,
            "2024-01-01T00:00:00.25Z"
                .parse::<jiff::Timestamp>()
                .unwrap()
        );
        let mut want = alert("old", &["mail", "hook"]);
        want.alert.detected_at = read.alert.detected_at;
        assert_eq!(read, want);
        let written: serde_json::Value = serde_json::to_value(&read).unwrap();
        assert_eq!(
            written,
            serde_json::from_str::<serde_json::Value>(old).unwrap()
        );
        // The webhook body is the alert alone.
        let body = serde_json::to_string(&read.alert).unwrap();
        assert!(!body.contains("notify"), "{body}");
        assert!(
            body.contains(r#""detected_at":"2024-01-01T00:00:00.25Z""#),
            "{body}"
        );
    }

    #[test]
    fn a_second_process_cannot_open_the_same_store() {
        let dir = tempfile::tempdir().unwrap();
        let _first = Store::open(dir.path()).unwrap();
        let err = Store::open(dir.path()).unwrap_err().to_string();
        assert!(err.contains("already open"), "{err}");
    }
}
