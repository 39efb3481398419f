//! The console's alert page on a store of 1,000,000 alerts: criterion
//! timings per query shape, then a latency pass of 1,000 queries per
//! shape with varied parameters printing p50, p99 and max, and the store's
//! size on disk (`scripts/bench-store` runs it in release).
//!
//! The store is filled once through the store's own API (the daemon's
//! enqueue and outcome paths, batches of 5,000) and kept under the target
//! folder for later runs: 200 rules, 5,000 companies, alerts spread over
//! 90 days, titles of eight words from 3,000, 93% delivered, 2% dead, 5%
//! pending. `WIREWATCH_BENCH_ALERTS` changes the count (a new store).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use wirewatch::alert::{Alert, ArticleRef, Matched};
use wirewatch::store::{now_ms, AlertDelivery, AlertFilter, AlertRecord, Outcome, Store};
use wirewatch_matcher::{ActionStatus, Evidence, Severity, Span, SpanKind, Term};

const RULES: usize = 200;
const COMPANIES: usize = 5_000;
const WORDS: usize = 3_000;
const AGENCIES: [&str; 6] = [
    "us-commerce",
    "us-treasury",
    "eu-commission",
    "uk-ofsi",
    "us-justice",
    "cn-mofcom",
];
const ACTIONS: [&str; 6] = [
    "sanction",
    "export-control",
    "ban",
    "fine",
    "lawsuit",
    "investigation",
];
const DAY_MS: i64 = 86_400_000;

fn alerts_wanted() -> usize {
    std::env::var("WIREWATCH_BENCH_ALERTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000)
}

fn word(i: usize) -> String {
    // Pronounceable, distinct: "bakodu", "bakofa", ...
    const S: [&str; 16] = [
        "ba", "ko", "du", "fa", "li", "me", "no", "pu", "ra", "si", "te", "vo", "xa", "ye", "zu",
        "qi",
    ];
    format!("{}{}{}", S[i % 16], S[(i / 16) % 16], S[(i / 256) % 16])
}

fn alert(rng: &mut StdRng, n: usize, t0: i64, span_ms: i64) -> AlertRecord {
    let rule = rng.gen_range(0..RULES);
    let company = format!("Company{}", rng.gen_range(0..COMPANIES));
    let title: Vec<String> = (0..8).map(|_| word(rng.gen_range(0..WORDS))).collect();
    let title = format!("{company} {}", title.join(" "));
    let sentence = format!("{company} was hit by measures announced on Tuesday by the regulator, which said the {} followed a long review of its exports and dealings.", title);
    let agency = AGENCIES[rng.gen_range(0..AGENCIES.len())];
    let action = ACTIONS[rng.gen_range(0..ACTIONS.len())];
    let detected = t0 + (n as i64 * span_ms) / alerts_wanted() as i64;
    AlertRecord {
        alert: Alert {
            alert_id: format!("alrt_{n:032x}"),
            rule_id: format!("rule-{rule}"),
            severity: [
                Severity::Low,
                Severity::Medium,
                Severity::High,
                Severity::Critical,
            ][rng.gen_range(0..4)],
            description: Some("Generated rule".into()),
            article: ArticleRef {
                id: format!("article-{n}"),
                title,
                url: Some(format!("https://news.example/{n}")),
                source: Some("Example Wire".into()),
                published_at: Some("2026-11-01T10:00:00Z".into()),
            },
            matched: Matched {
                company: Term {
                    id: company.clone(),
                    text: company.clone(),
                },
                agency: Some(Term {
                    id: agency.into(),
                    text: "the regulator".into(),
                }),
                action: Some(Term {
                    id: action.into(),
                    text: "measures".into(),
                }),
            },
            list: None,
            source_id: None,
            status: [
                ActionStatus::Imposed,
                ActionStatus::Announced,
                ActionStatus::Proposed,
                ActionStatus::Reported,
            ][rng.gen_range(0..4)],
            language: Some("en".into()),
            evidence: vec![Evidence {
                spans: vec![Span {
                    start: 0,
                    end: company.len(),
                    kind: SpanKind::Company,
                    text: company.clone(),
                }],
                text: sentence,
            }],
            detected_at: jiff::Timestamp::from_millisecond(detected).unwrap(),
            watchlist: "watchlists/generated.toml".into(),
            also_reported_by: vec![],
        },
        notify: vec!["compliance".into()],
    }
}

/// The store of the benchmark, filled on first use.
fn store() -> (Store, PathBuf) {
    let n = alerts_wanted();
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    let dir = base.join(format!("bench-store-{n}"));
    let done = dir.join("filled");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let s = Store::open(&dir).unwrap();
        let mut rng = StdRng::seed_from_u64(14);
        let t0 = now_ms() - 90 * DAY_MS;
        let started = Instant::now();
        let batch = 5_000;
        for from in (0..n).step_by(batch) {
            let alerts: Vec<AlertRecord> = (from..(from + batch).min(n))
                .map(|i| alert(&mut rng, i, t0, 90 * DAY_MS))
                .collect();
            let now = now_ms();
            s.enqueue_batch(&[(&alerts[..], None)], &|_, _| Some(now))
                .unwrap();
            let outcomes = alerts
                .iter()
                .filter_map(|a| {
                    let roll = rng.gen_range(0..100);
                    let outcome = match roll {
                        0..=92 => Outcome::Delivered,
                        93..=94 => Outcome::Dead {
                            error: "smtp: 550 mailbox unavailable".into(),
                        },
                        _ => return None,
                    };
                    Some((a.alert.alert_id.clone(), "compliance".to_string(), outcome))
                })
                .collect();
            s.record_many(outcomes).unwrap();
            if from % 100_000 == 0 {
                eprintln!("filled {from} alerts in {:.0?}", started.elapsed());
            }
        }
        eprintln!("filled {n} alerts in {:.0?}", started.elapsed());
        drop(s);
        std::fs::write(&done, "").unwrap();
    }
    let path = dir.join(wirewatch::store::FILE_NAME);
    (Store::open(&dir).unwrap(), path)
}

/// A query shape: a name and a filter made from a random source.
type Shape = (&'static str, fn(&mut StdRng, i64) -> AlertFilter);

fn shapes() -> Vec<Shape> {
    vec![
        ("newest, no filter", |_, _| AlertFilter::default()),
        ("rule", |r, _| AlertFilter {
            rules: vec![format!("rule-{}", r.gen_range(0..RULES))],
            ..Default::default()
        }),
        ("company", |r, _| AlertFilter {
            companies: vec![format!("company{}", r.gen_range(0..COMPANIES))],
            ..Default::default()
        }),
        ("delivery = dead", |_, _| AlertFilter {
            deliveries: vec![AlertDelivery::Dead],
            ..Default::default()
        }),
        ("rule + delivery = dead", |r, _| AlertFilter {
            rules: vec![format!("rule-{}", r.gen_range(0..RULES))],
            deliveries: vec![AlertDelivery::Dead],
            ..Default::default()
        }),
        ("severity = critical + last 7 days", |_, now| AlertFilter {
            severities: vec![Severity::Critical],
            from_ms: Some(now - 7 * DAY_MS),
            ..Default::default()
        }),
        ("agency + action", |r, _| AlertFilter {
            agencies: vec![AGENCIES[r.gen_range(0..AGENCIES.len())].into()],
            actions: vec![ACTIONS[r.gen_range(0..ACTIONS.len())].into()],
            ..Default::default()
        }),
        ("title word", |r, _| AlertFilter {
            words: Some(word(r.gen_range(0..WORDS))),
            ..Default::default()
        }),
        ("rule + title word", |r, _| AlertFilter {
            rules: vec![format!("rule-{}", r.gen_range(0..RULES))],
            words: Some(word(r.gen_range(0..WORDS))),
            ..Default::default()
        }),
        (
            "status = proposed + severity = high, 30-60 days ago",
            |_, now| AlertFilter {
                statuses: vec![ActionStatus::Proposed],
                severities: vec![Severity::High],
                from_ms: Some(now - 60 * DAY_MS),
                to_ms: Some(now - 30 * DAY_MS),
                ..Default::default()
            },
        ),
    ]
}

fn percentiles(mut t: Vec<Duration>) -> (Duration, Duration, Duration) {
    t.sort();
    let at = |p: f64| t[((t.len() as f64 * p) as usize).min(t.len() - 1)];
    (at(0.50), at(0.99), *t.last().unwrap())
}

fn bench(c: &mut Criterion) {
    let (store, path) = store();
    let now = now_ms();
    let mut rng = StdRng::seed_from_u64(7);
    let mut report = Vec::new();
    let size = std::fs::metadata(&path).unwrap().len();
    report.push(format!(
        "store: {} alerts, {:.0} MiB on disk ({})",
        store.count_alerts(&AlertFilter::default()).unwrap(),
        size as f64 / (1 << 20) as f64,
        path.display()
    ));
    report.push(format!(
        "{:<52} {:>9} {:>9} {:>9} {:>6}",
        "page of 50", "p50", "p99", "max", "rows"
    ));
    for (name, make) in shapes() {
        let mut times = Vec::with_capacity(1000);
        let mut rows = 0;
        for _ in 0..1000 {
            let f = make(&mut rng, now);
            let t = Instant::now();
            let page = store.alerts_page(&f, None, 50).unwrap();
            times.push(t.elapsed());
            rows += page.alerts.len();
        }
        let (p50, p99, max) = percentiles(times);
        report.push(format!(
            "{name:<52} {p50:>9.2?} {p99:>9.2?} {max:>9.2?} {:>6}",
            rows / 1000
        ));
    }
    // The fifth page of a rule's alerts, following the cursor.
    let mut times = Vec::new();
    for _ in 0..200 {
        let f = AlertFilter {
            rules: vec![format!("rule-{}", rng.gen_range(0..RULES))],
            ..Default::default()
        };
        let mut cursor = None;
        for _ in 0..4 {
            cursor = store.alerts_page(&f, cursor, 50).unwrap().next;
        }
        let t = Instant::now();
        store.alerts_page(&f, cursor, 50).unwrap();
        times.push(t.elapsed());
    }
    let (p50, p99, max) = percentiles(times);
    report.push(format!(
        "{:<52} {p50:>9.2?} {p99:>9.2?} {max:>9.2?}",
        "rule, 5th page by cursor"
    ));
    let mut times = Vec::new();
    for _ in 0..200 {
        let rule = format!("rule-{}", rng.gen_range(0..RULES));
        let t = Instant::now();
        store.rule_stats(&rule, 30, now).unwrap();
        times.push(t.elapsed());
    }
    let (p50, p99, max) = percentiles(times);
    report.push(format!(
        "{:<52} {p50:>9.2?} {p99:>9.2?} {max:>9.2?}",
        "rule stats, 30 days"
    ));
    let text = report.join("\n");
    println!("\n{text}\n");
    let _ = std::fs::write(path.with_file_name("report.txt"), &text);

    let mut group = c.benchmark_group("alerts_page");
    group.sample_size(50);
    for (name, make) in shapes() {
        let mut rng = StdRng::seed_from_u64(11);
        group.bench_function(name, |b| {
            b.iter(|| store.alerts_page(&make(&mut rng, now), None, 50).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
