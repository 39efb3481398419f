//! The console's alert page on a store of 1,000,000 alerts: criterion
//! timings per query shape, then a latency pass of 1,000 queries per
//! shape with varied parameters printing p50, p99 and max, and the store's
//! size on disk (`scripts/bench-store` runs it in release).
//!
//! The store is `fixture`'s, filled once and kept under the target folder
//! (`WIREWATCH_BENCH_ALERTS` changes the count).

mod fixture;

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use fixture::{store, word, ACTIONS, AGENCIES, COMPANIES, DAY_MS, RULES, WORDS};
use wirewatch::store::{now_ms, AlertDelivery, AlertFilter};
use wirewatch_matcher::{ActionStatus, Severity};

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
