//! A standalone measurement of the matcher at scale, single thread, for
//! `scripts/bench-matcher` (which runs it under `/usr/bin/time -v` for the
//! peak resident memory). The workload is the one of `benches/matcher.rs`.
//!
//! ```sh
//! cargo run --release --example matcher_scale -- [--rules N] [--articles N]
//!     [--baseline-articles N] [--seconds S] [--no-baseline] [--no-matcher]
//!     [--multilingual]
//! ```
//!
//! Prints `key=value` lines: times in seconds, rates per second, memory in
//! KiB. Times are wall-clock; the `*_cpu` variants use this process's CPU
//! time (`/proc/self/stat`, 10 ms ticks), which a shared, busy machine
//! distorts much less (the process is single-threaded).
//!
//! `--multilingual` measures the multilingual workload instead
//! (`benches/workload/lang.rs`: the same rules with native-script aliases,
//! two thirds English articles and one third in eight other languages) and
//! adds `multilingual=1`, the articles per language, and per language the
//! event articles that fired their rule and the other hits.

use std::hint::black_box;

/// mimalloc: the matcher allocates per article on several threads; glibc's
/// per-thread arenas held on to freed memory (peak RSS) and its malloc was
/// about a tenth of matching time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::time::{Duration, Instant};

#[path = "../benches/workload/mod.rs"]
mod workload;

use workload::lang;

struct Args {
    rules: usize,
    articles: usize,
    baseline_articles: usize,
    seconds: f64,
    baseline: bool,
    matcher: bool,
    multilingual: bool,
}

fn args() -> Args {
    let mut a = Args {
        rules: workload::RULES,
        articles: 2_000,
        baseline_articles: 20,
        seconds: 5.0,
        baseline: true,
        matcher: true,
        multilingual: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| -> f64 {
            it.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{name} needs a number"))
        };
        match flag.as_str() {
            "--rules" => a.rules = value("--rules") as usize,
            "--articles" => a.articles = value("--articles") as usize,
            "--baseline-articles" => a.baseline_articles = value("--baseline-articles") as usize,
            "--seconds" => a.seconds = value("--seconds"),
            "--no-baseline" => a.baseline = false,
            "--no-matcher" => a.matcher = false,
            "--multilingual" => a.multilingual = true,
            other => {
                panic!("unknown argument {other:?}; see the header of examples/matcher_scale.rs")
            }
        }
    }
    a
}

/// `VmRSS` and `VmHWM` of this process in KiB (0 when /proc is unavailable).
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// User + system CPU time of this process in seconds (0 when /proc is
/// unavailable). Assumes the usual 100 clock ticks per second.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesized command name; utime and stime are the
    // 14th and 15th fields of the line.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (ticks(11) + ticks(12)) as f64 / 100.0
}

/// Wall-clock and CPU seconds of a piece of work.
struct Took {
    wall: f64,
    cpu: f64,
}

fn timed<T>(work: impl FnOnce() -> T) -> (T, Took) {
    let (cpu, start) = (cpu_seconds(), Instant::now());
    let out = work();
    let took = Took {
        wall: start.elapsed().as_secs_f64(),
        cpu: cpu_seconds() - cpu,
    };
    (out, took)
}

/// Runs `pass` over and over for at least `min` (and at least once) after
/// one untimed warm-up pass; returns the passes and the time they took.
fn repeat(min: Duration, mut pass: impl FnMut()) -> (u64, Took) {
    pass();
    let start = Instant::now();
    timed(|| {
        let mut passes = 0;
        while passes == 0 || start.elapsed() < min {
            pass();
            passes += 1;
        }
        passes
    })
}

fn main() {
    let args = args();
    let out = |k: &str, v: String| println!("{k}={v}");

    // Each article with its language code.
    let ((generated, articles), generate) = timed(|| {
        if args.multilingual {
            let generated = lang::generate_multilingual(workload::SEED, args.rules);
            let articles = lang::articles_multilingual(&generated, workload::SEED, args.articles);
            (generated, articles)
        } else {
            let generated = workload::generate(workload::SEED, args.rules);
            let articles = workload::articles(&generated, workload::SEED, args.articles)
                .into_iter()
                .map(|(a, kind)| (a, kind, "en"))
                .collect();
            (generated, articles)
        }
    });
    out("rules", generated.rules.len().to_string());
    out("names", generated.name_count().to_string());
    out("watchlist_toml_bytes", generated.toml.len().to_string());
    out("generate_seconds", format!("{:.3}", generate.wall));
    let batch: Vec<_> = articles.iter().map(|(a, ..)| a.clone()).collect();
    let bytes: usize = batch.iter().map(workload::text_bytes).sum();
    out("articles", batch.len().to_string());
    out(
        "article_bytes_avg",
        (bytes / batch.len().max(1)).to_string(),
    );
    let kinds = |f: fn(&workload::Kind) -> bool| articles.iter().filter(|(_, k, _)| f(k)).count();
    out(
        "event_articles",
        kinds(|k| matches!(k, workload::Kind::Event { .. })).to_string(),
    );
    out(
        "near_miss_articles",
        kinds(|k| *k == workload::Kind::NearMiss).to_string(),
    );
    out(
        "background_articles",
        kinds(|k| *k == workload::Kind::Background).to_string(),
    );
    // Per language, in the order of `lang::ALL_LANGUAGES`.
    let by_lang = |count: &dyn Fn(&str) -> String| {
        lang::ALL_LANGUAGES
            .iter()
            .map(|l| format!("{l}:{}", count(l)))
            .collect::<Vec<_>>()
            .join(",")
    };
    if args.multilingual {
        out("multilingual", "1".into());
        out(
            "articles_by_lang",
            by_lang(&|l| articles.iter().filter(|a| a.2 == l).count().to_string()),
        );
        out(
            "language_tagged_articles",
            batch
                .iter()
                .filter(|a| a.language.is_some())
                .count()
                .to_string(),
        );
    }
    let (rss, _) = memory_kib();
    out("rss_after_generate_kib", rss.to_string());

    let mut ours_rate = None;
    if args.matcher {
        let (wl, parse) = timed(|| generated.parse());
        let (_, hwm) = memory_kib();
        out("parse_seconds", format!("{:.3}", parse.wall));
        out("parse_seconds_cpu", format!("{:.2}", parse.cpu));
        out("hwm_after_parse_kib", hwm.to_string());
        let (matcher, compile) = timed(|| workload::compile(&wl));
        out("compile_seconds", format!("{:.3}", compile.wall));
        out("compile_seconds_cpu", format!("{:.2}", compile.cpu));
        out("patterns", matcher.pattern_count().to_string());
        drop(wl);
        let (rss, hwm) = memory_kib();
        out("rss_after_compile_kib", rss.to_string());
        out("hwm_after_compile_kib", hwm.to_string());

        // What fires: every event article should fire its rule; nothing else should.
        // Per language: (event articles, of which fired, other hits).
        let mut tally: std::collections::HashMap<&str, (usize, usize, usize)> = Default::default();
        let mut hits = 0;
        for (a, kind, code) in &articles {
            let fired = matcher.evaluate(a);
            hits += fired.len();
            let t = tally.entry(code).or_default();
            match kind {
                workload::Kind::Event { rule } => {
                    let id = &generated.rules[*rule].id;
                    t.0 += 1;
                    if fired.iter().any(|h| &h.rule_id == id) {
                        t.1 += 1;
                    }
                    t.2 += fired.iter().filter(|h| &h.rule_id != id).count();
                }
                _ => t.2 += fired.len(),
            }
        }
        let total = |f: fn(&(usize, usize, usize)) -> usize| tally.values().map(f).sum::<usize>();
        out("hits", hits.to_string());
        out("event_articles_fired", total(|t| t.1).to_string());
        out("other_hits", total(|t| t.2).to_string());
        if args.multilingual {
            let of = |l: &str| tally.get(l).copied().unwrap_or_default();
            out(
                "fired_events_by_lang",
                by_lang(&|l| format!("{}/{}", of(l).1, of(l).0)),
            );
            out("other_hits_by_lang", by_lang(&|l| of(l).2.to_string()));
            // Where the time goes: microseconds per article, by language
            // (wall time, best of three passes over that language's articles).
            let per_lang = |l: &str| {
                let mine: Vec<&_> = articles.iter().filter(|(_, _, c)| *c == l).collect();
                if mine.is_empty() {
                    return "-".to_string();
                }
                let best = (0..3)
                    .map(|_| {
                        let t = Instant::now();
                        for (a, _, _) in &mine {
                            black_box(matcher.evaluate(black_box(a)));
                        }
                        t.elapsed()
                    })
                    .min()
                    .unwrap_or_default();
                format!("{:.0}", best.as_secs_f64() * 1e6 / mine.len() as f64)
            };
            out("us_per_article_by_lang", by_lang(&per_lang));
        }

        let (passes, took) = repeat(Duration::from_secs_f64(args.seconds), || {
            for a in &batch {
                black_box(matcher.evaluate(black_box(a)));
            }
        });
        let done = passes as f64 * batch.len() as f64;
        let done_bytes = passes as f64 * bytes as f64;
        let rate = done / took.wall;
        out("evaluate_seconds", format!("{:.3}", took.wall));
        out("evaluate_seconds_cpu", format!("{:.2}", took.cpu));
        out("mb_per_s", format!("{:.1}", done_bytes / took.wall / 1e6));
        out("articles_per_s", format!("{rate:.0}"));
        out("us_per_article", format!("{:.1}", 1e6 / rate));
        if took.cpu > 0.0 {
            out(
                "mb_per_s_cpu",
                format!("{:.1}", done_bytes / took.cpu / 1e6),
            );
            out("articles_per_s_cpu", format!("{:.0}", done / took.cpu));
        }
        ours_rate = Some(rate);
        let (rss, hwm) = memory_kib();
        out("rss_after_evaluate_kib", rss.to_string());
        out("hwm_after_evaluate_kib", hwm.to_string());
    }

    if args.baseline {
        let (baseline, build) = timed(|| workload::Baseline::build(&generated));
        out("baseline_build_seconds", format!("{:.3}", build.wall));
        let few = &batch[..args.baseline_articles.min(batch.len())];
        let hits: usize = few.iter().map(|a| baseline.hits(a)).sum();
        out("baseline_articles", few.len().to_string());
        out("baseline_hits", hits.to_string());
        let (passes, took) = repeat(Duration::from_secs_f64(args.seconds.min(5.0)), || {
            for a in few {
                black_box(baseline.hits(black_box(a)));
            }
        });
        let done = passes as f64 * few.len() as f64;
        let rate = done / took.wall;
        out("baseline_articles_per_s", format!("{rate:.1}"));
        out("baseline_ms_per_article", format!("{:.2}", 1e3 / rate));
        if took.cpu > 0.0 {
            out(
                "baseline_articles_per_s_cpu",
                format!("{:.1}", done / took.cpu),
            );
        }
        if let Some(ours) = ours_rate {
            out("speedup", format!("{:.0}", ours / rate));
        }
        let (rss, hwm) = memory_kib();
        out("rss_after_baseline_kib", rss.to_string());
        out("hwm_after_baseline_kib", hwm.to_string());
    }
}
