//! Outbox cost of many copies of one story (issue 16, item 11): enqueues
//! N copies of the same story, as the daemon does (batches of 256 messages,
//! one transaction each), with story dedup on and off, and prints the time
//! each took.
//!
//! ```sh
//! cargo run --example story_copies -- 4000
//! ```

use std::time::Instant;

use wirewatch::alert::{Alert, ArticleRef, Matched};
use wirewatch::store::{now_ms, AlertRecord, Store};
use wirewatch_matcher::{Severity, Term};

fn copy(i: usize) -> AlertRecord {
    let article_id = format!("wire-copy-{i:05}");
    let alert = Alert {
        alert_id: wirewatch::alert::alert_id("kaspersky-us", &article_id),
        rule_id: "kaspersky-us".into(),
        severity: Severity::High,
        description: None,
        article: ArticleRef {
            id: article_id.clone(),
            title: "Kaspersky Lab to Cut U.S. Operations After Sanctions".into(),
            url: Some(format!("https://news{i}.example.com/{article_id}")),
            source: Some(format!("Syndicated Wire {i}")),
            published_at: Some("2024-07-15T10:00:00Z".into()),
        },
        matched: Matched {
            company: Term {
                id: "Kaspersky".into(),
                text: "Kaspersky".into(),
            },
            agency: None,
            action: Some(Term {
                id: "sanction".into(),
                text: "sanctioned".into(),
            }),
        },
        list: None,
        source_id: None,
        status: Default::default(),
        language: None,
        evidence: vec![],
        detected_at: "2024-07-15T10:05:00Z".parse().expect("a timestamp"),
        watchlist: "sanctions.toml".into(),
        also_reported_by: vec![],
    };
    AlertRecord {
        alert,
        notify: vec!["compliance".into()],
    }
}

fn run(n: usize, dedup: bool) -> std::time::Duration {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let store = Store::open(dir.path()).expect("a store");
    let story = dedup.then_some((0xfeed_beef_u64, 72 * 3_600_000_i64));
    let alerts: Vec<Vec<AlertRecord>> = (0..n).map(|i| vec![copy(i)]).collect();
    let started = Instant::now();
    for chunk in alerts.chunks(256) {
        let items: Vec<_> = chunk.iter().map(|a| (a.as_slice(), story)).collect();
        store
            .enqueue_batch(&items, &|_, _| Some(now_ms()))
            .expect("enqueue");
    }
    let took = started.elapsed();
    if dedup {
        let first = store
            .alert(&alerts[0][0].alert.alert_id)
            .expect("read")
            .expect("the first alert");
        assert_eq!(first.alert.also_reported_by.len(), n - 1);
    }
    took
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(4000);
    let without = run(n, false);
    let with = run(n, true);
    println!("{n} copies of one story: dedup {with:.2?}, no dedup {without:.2?}");
}
