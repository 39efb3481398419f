//! The matcher on hostile articles: shapes of text that once made it take
//! seconds to minutes on one article of about 1 MiB (a quadratic stage).
//! Each shape is built at `--bytes` (default 1 MiB, under the daemon's
//! 1 MiB message limit) and matched `--runs` times (default 3) against the
//! shipped watchlists plus a rule whose alias is a one-letter word; it
//! prints the best time of each, its throughput, its outcome (hits, or
//! rejected as too_expensive past the per-article work budget), and the
//! worst time.
//!
//! ```sh
//! cargo run --release --example adversarial [-- --bytes 1048576 --runs 3]
//! ```
//!
//! `scripts/bench-adversarial` runs it; BENCHMARKS.md has the figures. The
//! target is under 100 ms for every shape (10 MB/s in the worst case).

use std::time::{Duration, Instant};

use wirewatch_matcher::article::Article;
use wirewatch_matcher::{watchlist, Matcher, Taxonomy};

/// The shapes: a name and the unit repeated to the size (as body, or as
/// title for `title`).
const SHAPES: &[(&str, &str)] = &[
    ("lone '<'", "< "),
    ("unclosed tags", "a <b "),
    ("empty script elements", "<script></script>"),
    (
        "one sentence of names, agencies and actions",
        "Kaspersky U.S. Commerce Department sanctioned Huawei banned Treasury ",
    ),
    (
        "one event sentence repeated",
        "Kaspersky was sanctioned by the U.S. Commerce Department. ",
    ),
    ("a name per paragraph", "Kaspersky\n\n"),
    ("gap phrase first parts", "froze froze froze Kaspersky "),
    ("negators and actions", "not sanctioned no ban "),
    (
        "soft hyphens and zero-width spaces",
        "Kas\u{AD}per\u{200B}sky ",
    ),
    (
        "Chinese without punctuation",
        "美国商务部将长江存储列入实体清单",
    ),
    (
        "Japanese without punctuation",
        "米商務省はクアルコムに制裁金を科した",
    ),
    (
        "Russian one sentence",
        "Минфин США ввёл санкции против Роснефти и Сбербанка ",
    ),
    (
        "mixed scripts",
        "Rosneft Роснефть 长江存储 sanctions санкции 制裁 ",
    ),
];

/// A rule on a one-letter alias: every "a" of an English text is a mention.
const EXTRA_RULE: &str = r#"
[[rule]]
id = "one-letter"
companies = [{ name = "A Holdings", aliases = ["a"] }]
actions = ["sanction", "ban"]
"#;

fn article(shape: &str, unit: &str, bytes: usize) -> Article {
    let mut body = String::with_capacity(bytes + unit.len());
    while body.len() + unit.len() <= bytes {
        body.push_str(unit);
    }
    Article {
        id: shape.into(),
        title: "Hostile input".into(),
        body,
        url: None,
        source: None,
        published_at: None,
        language: None,
    }
}

fn main() {
    let mut bytes = 1 << 20;
    let mut runs = 3;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let value = args.next().and_then(|v| v.parse().ok());
        match (a.as_str(), value) {
            ("--bytes", Some(v)) => bytes = v,
            ("--runs", Some(v)) => runs = v.max(1),
            _ => {
                eprintln!("usage: adversarial [--bytes N] [--runs N]");
                std::process::exit(64)
            }
        }
    }
    let taxonomy = Taxonomy::builtin();
    // The shipped watchlists, at the root of the repository.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(root.join("config/watchlists")).expect("config/watchlists") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).expect("a readable watchlist");
            files.push((path, text));
        }
    }
    files.push(("extra.toml".into(), EXTRA_RULE.to_string()));
    let (wl, _) = watchlist::parse(&files, taxonomy).expect("valid watchlists");
    let matcher = Matcher::compile(&wl, taxonomy);
    let mut worst = (Duration::ZERO, "");
    println!("bytes={bytes} runs={runs}");
    for &(shape, unit) in SHAPES {
        let a = article(shape, unit, bytes);
        let mut best = Duration::MAX;
        let mut outcome = String::new();
        for _ in 0..runs {
            let t = Instant::now();
            let result = std::hint::black_box(matcher.try_evaluate(&a));
            best = best.min(t.elapsed());
            outcome = match result {
                Ok(hits) => format!("{} hits", hits.len()),
                Err(e) => format!("rejected: {}", e.reason()),
            };
        }
        let mbps = a.body.len() as f64 / best.as_secs_f64() / 1e6;
        println!(
            "{:>9.1} ms {:>8.1} MB/s  {outcome:<24} {shape}",
            best.as_secs_f64() * 1e3,
            mbps
        );
        if best > worst.0 {
            worst = (best, shape);
        }
    }
    println!(
        "worst={:.1} ms ({}) target=100 ms",
        worst.0.as_secs_f64() * 1e3,
        worst.1
    );
}
