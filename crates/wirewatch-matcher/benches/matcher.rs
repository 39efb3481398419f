//! The matcher at scale (single thread): a generated watchlist of 10,000
//! rules over about 100,000 company names and aliases, and about 3 KB
//! wire-style articles (see `benches/workload/mod.rs`).
//!
//! - `compile/*`: parsing and validating the watchlist TOML, and compiling
//!   it into the matcher.
//! - `evaluate/*`: `Matcher::evaluate` over a batch of articles, as bytes/s
//!   and as articles/s.
//! - `evaluate_multilingual/*`: the same over the multilingual workload
//!   (`benches/workload/lang.rs`): the watchlist with native-script aliases,
//!   two thirds English articles and one third in eight other languages,
//!   half of them without a language tag.
//! - `baseline/*`: one case-insensitive regex of company names per rule, on
//!   a smaller batch, next to the matcher on the same batch (articles/s).
//!
//! `cargo bench --bench matcher [-- FILTER]`; `scripts/bench-matcher` runs
//! it and prints a one-screen summary with peak memory.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};

// Each includer uses its own subset of the workload helpers.
#[allow(dead_code)]
#[path = "workload/mod.rs"]
mod workload;

/// Articles in the batch of `evaluate/*`.
const ARTICLES: usize = 1_000;
/// Articles in the batch of `baseline/*` (10,000 regexes per article).
const BASELINE_ARTICLES: usize = 20;

fn matcher_at_scale(c: &mut Criterion) {
    let generated = workload::generate(workload::SEED, workload::RULES);
    let wl = generated.parse();
    let matcher = workload::compile(&wl);
    let articles: Vec<_> = workload::articles(&generated, workload::SEED, ARTICLES)
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    let bytes: usize = articles.iter().map(workload::text_bytes).sum();
    eprintln!(
        "workload: {} rules, {} company names and aliases, {} patterns; {} articles, {} bytes ({} per article)",
        matcher.rule_count(),
        generated.name_count(),
        matcher.pattern_count(),
        articles.len(),
        bytes,
        bytes / articles.len()
    );

    let mut group = c.benchmark_group("compile");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20));
    group.bench_function("parse_10k_rules", |b| {
        b.iter_with_large_drop(|| generated.parse())
    });
    group.bench_function("compile_10k_rules", |b| {
        b.iter_with_large_drop(|| workload::compile(&wl))
    });
    group.finish();

    let evaluate_all = |batch: &[wirewatch_matcher::article::Article]| {
        let mut hits = 0;
        for a in batch {
            hits += matcher.evaluate(black_box(a)).len();
        }
        hits
    };

    evaluate_group(c, "evaluate", &matcher, &articles, bytes);

    let baseline = workload::Baseline::build(&generated);
    let few = &articles[..BASELINE_ARTICLES];
    let mut group = c.benchmark_group("baseline");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Elements(few.len() as u64));
    group.bench_function("regex_per_rule_20_articles", |b| {
        b.iter(|| {
            let mut hits = 0;
            for a in few {
                hits += baseline.hits(black_box(a));
            }
            hits
        })
    });
    group.bench_function("matcher_20_articles", |b| b.iter(|| evaluate_all(few)));
    group.finish();
}

fn matcher_multilingual(c: &mut Criterion) {
    let generated = workload::lang::generate_multilingual(workload::SEED, workload::RULES);
    let matcher = workload::compile(&generated.parse());
    let articles: Vec<_> =
        workload::lang::articles_multilingual(&generated, workload::SEED, ARTICLES)
            .into_iter()
            .map(|(a, ..)| a)
            .collect();
    let bytes: usize = articles.iter().map(workload::text_bytes).sum();
    eprintln!(
        "multilingual workload: {} company names and aliases, {} patterns; {} articles, {} bytes ({} per article)",
        generated.name_count(),
        matcher.pattern_count(),
        articles.len(),
        bytes,
        bytes / articles.len()
    );
    evaluate_group(c, "evaluate_multilingual", &matcher, &articles, bytes);
}

/// `Matcher::evaluate` over `articles` (of `bytes` in all), as bytes/s and
/// as articles/s, in criterion group `name`.
fn evaluate_group(
    c: &mut Criterion,
    name: &str,
    matcher: &wirewatch_matcher::Matcher,
    articles: &[wirewatch_matcher::article::Article],
    bytes: usize,
) {
    let evaluate_all = || {
        let mut hits = 0;
        for a in articles {
            hits += matcher.evaluate(black_box(a)).len();
        }
        hits
    };
    let mut group = c.benchmark_group(name);
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("bytes_1000_articles", |b| b.iter(evaluate_all));
    group.throughput(Throughput::Elements(articles.len() as u64));
    group.bench_function("articles_1000_articles", |b| b.iter(evaluate_all));
    group.finish();
}

criterion_group!(benches, matcher_at_scale, matcher_multilingual);
criterion_main!(benches);
