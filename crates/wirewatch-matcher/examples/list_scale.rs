//! Writes a large generated `[[list]]` watchlist for measuring precision
//! at scale: `--names N` (default 100,000) company names and aliases
//! in the bench workload's style (`benches/workload`: invented syllable
//! stems, "Norvex Holdings AG", aliases "Norvex", "Norvex Group"), about a
//! third written the way sanctions registers write them (ALL CAPS, the
//! legal form after a comma: "NORVEX HOLDINGS, AG"), each with a
//! `source_id`, and one rule that watches the list for any agency and any
//! action. Real registers also hold companies named after ordinary words
//! ("Harbor Logistics", alias "Harbor"): `--common-share F` (default 0.05)
//! of the companies take a common English word (from the crate's
//! `taxonomy/common-words.txt`) as their stem. `--acknowledge` marks every
//! company `common_word = "ok"`, which matches those names the way a
//! rule's own names are matched (capitalized proper nouns): the "before"
//! of the precision figures. Reads nothing else: every name is generated
//! from the seed.
//!
//! ```sh
//! cargo run -p wirewatch-matcher --example list_scale -- --out /tmp/scale-list.toml \
//!     [--names N] [--rules R] [--common-share F] [--acknowledge]
//! wirewatch backtest --watchlists /tmp/scale-list.toml --input ../shared/corpus/dev/articles.jsonl --json
//! ```
//!
//! `--measure` also parses and compiles the written text in this process
//! and prints `parse_s=`, `compile_s=`, `listed=` (names indexed once)
//! and the resident memory after parsing, with the matcher alone and at
//! its peak (`after_parse_rss_kib=`, `matcher_rss_kib=`, `peak_rss_kib=`): for the memory and build time of a big
//! list (build with `--release` for figures worth quoting).
//!
//! `--articles N` (with `--measure`) also times matching: N bench
//! articles (`benches/workload`'s writer, about 3 KB each: 10% events
//! against a listed company, 10% near misses, 80% business news that names
//! listed companies in passing now and then) are evaluated over and over
//! for `--seconds S` (default 5) on one thread after a warm-up pass, and
//! `mb_per_s=`, `mb_per_s_cpu=` (this process's CPU time, which a shared
//! host distorts less), `articles_per_s=`, `hits=` and `event_articles_fired=`
//! are printed. The articles are written before anything is measured
//! (about 3 KB each stay resident). `scripts/bench-list-scale` runs this at
//! 100,000 and 1,000,000 names. `--articles-out PATH` writes those
//! articles as JSON lines instead of timing them, for `wirewatch backtest`.
//!
//! Every hit of the generated rule is a false positive by construction
//! (no article is about these companies); `scripts/list-precision` runs
//! this against the shared dev and real-dev corpora. `--rules R` makes R
//! rules share the one list (the list is indexed once whatever R is).

use std::collections::HashSet;
use std::fmt::Write as _;

use std::time::Instant;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use wirewatch_matcher::article::Article;
use wirewatch_matcher::Matcher;

/// mimalloc, as the daemon and `matcher_scale` use: memory figures should
/// be the daemon's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../benches/workload/mod.rs"]
#[allow(dead_code)]
mod workload;

fn main() {
    let mut names = 100_000usize;
    let mut rules = 1usize;
    let mut out = None;
    let mut common_share = 0.05f64;
    let mut acknowledge = false;
    let mut measure = false;
    let mut articles = 0usize;
    let mut seconds = 5.0f64;
    let mut articles_out = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{a} needs a value")))
        };
        match a.as_str() {
            "--names" => names = value().parse().unwrap_or_else(|_| usage("--names N")),
            "--rules" => rules = value().parse().unwrap_or_else(|_| usage("--rules R")),
            "--out" => out = Some(value()),
            "--common-share" => {
                common_share = value()
                    .parse()
                    .ok()
                    .filter(|f: &f64| (0.0..=1.0).contains(f))
                    .unwrap_or_else(|| usage("--common-share F, between 0 and 1"))
            }
            "--acknowledge" => acknowledge = true,
            "--measure" => measure = true,
            "--articles" => articles = value().parse().unwrap_or_else(|_| usage("--articles N")),
            "--articles-out" => articles_out = Some(value()),
            "--seconds" => {
                seconds = value()
                    .parse()
                    .ok()
                    .filter(|s: &f64| *s > 0.0)
                    .unwrap_or_else(|| usage("--seconds S, more than 0"))
            }
            other => usage(&format!("unknown argument {other}")),
        }
    }
    let out = out.unwrap_or_else(|| usage("--out PATH is required"));
    let (text, listed) = generate(names, rules, common_share, acknowledge);
    // Written before anything is measured, and the companies dropped, so
    // that the memory figures hold only the articles (about 3 KB each).
    let batch = (articles > 0).then(|| bench_articles(listed, articles));
    if let (Some(path), Some(batch)) = (&articles_out, &batch) {
        let mut jsonl = String::new();
        for (a, _) in batch {
            jsonl.push_str(&serde_json::to_string(a).expect("an article serializes"));
            jsonl.push('\n');
        }
        if let Err(e) = std::fs::write(path, jsonl) {
            eprintln!("list_scale: cannot write {path}: {e}");
            std::process::exit(1);
        }
    }
    if let Err(e) = std::fs::write(&out, &text) {
        eprintln!("list_scale: cannot write {out}: {e}");
        std::process::exit(1);
    }
    if measure {
        let taxonomy = wirewatch_matcher::Taxonomy::builtin();
        let start = std::time::Instant::now();
        let sources = vec![(std::path::PathBuf::from(&out), text)];
        let (wl, _) = wirewatch_matcher::watchlist::parse(&sources, taxonomy)
            .unwrap_or_else(|d| panic!("generated list is invalid: {:?}", d.first()));
        drop(sources);
        println!("parse_s={:.2}", start.elapsed().as_secs_f64());
        println!("after_parse_rss_kib={}", status_kib("VmRSS:"));
        let start = std::time::Instant::now();
        let matcher = wirewatch_matcher::Matcher::compile(&wl, taxonomy);
        drop(wl);
        println!("compile_s={:.2}", start.elapsed().as_secs_f64());
        println!(
            "rules={} listed={}",
            matcher.rule_count(),
            matcher.listed_count()
        );
        println!("matcher_rss_kib={}", status_kib("VmRSS:"));
        println!("peak_rss_kib={}", status_kib("VmHWM:"));
        if let Some(batch) = batch.filter(|_| articles_out.is_none()) {
            throughput(&matcher, &batch, seconds);
        }
        std::hint::black_box(&matcher);
    }
}

/// `n` bench articles about the listed companies (see the file's header).
fn bench_articles(listed: Listed, n: usize) -> Vec<(Article, workload::Kind)> {
    let mut rng = StdRng::seed_from_u64(workload::SEED ^ 0x4152_5449);
    let Listed {
        companies,
        mut seen,
    } = listed;
    // Unwatched companies for the news to mention, with stems no listed
    // company of the first round has.
    let unwatched = workload::make_companies(&mut rng, workload::UNWATCHED_COMPANIES, &mut seen);
    let agencies: Vec<&'static str> = workload::AGENCIES.iter().map(|a| a.0).collect();
    let actions: Vec<&'static str> = workload::ACTIONS.iter().map(|a| a.0).collect();
    // Rule specs only steer the writer (which company an event names, with
    // which agency and action); the generated rule watches any of them.
    let specs = (0..1_000)
        .map(|r| workload::RuleSpec {
            id: format!("generated-scale-{r}"),
            companies: (0..workload::COMPANIES_PER_RULE)
                .map(|_| rng.gen_range(0..companies.len()))
                .collect(),
            agencies: agencies.choose_multiple(&mut rng, 2).copied().collect(),
            actions: actions.choose_multiple(&mut rng, 2).copied().collect(),
            exclude: false,
            severity: "high",
        })
        .collect();
    let g = workload::Generated {
        companies,
        unwatched,
        rules: specs,
        toml: String::new(),
    };
    workload::articles(&g, workload::SEED, n)
}

/// Evaluates `batch` over and over for at least `seconds` after one
/// warm-up pass, and prints the rates and what fired.
fn throughput(matcher: &Matcher, batch: &[(Article, workload::Kind)], seconds: f64) {
    let bytes: usize = batch.iter().map(|(a, _)| workload::text_bytes(a)).sum();
    let (mut hits, mut fired) = (0, 0);
    for (a, kind) in batch {
        let h = matcher.evaluate(a);
        hits += h.len();
        if matches!(kind, workload::Kind::Event { .. }) && !h.is_empty() {
            fired += 1;
        }
    }
    let events = batch
        .iter()
        .filter(|(_, k)| matches!(k, workload::Kind::Event { .. }))
        .count();
    println!(
        "articles={} article_bytes_avg={}",
        batch.len(),
        bytes / batch.len()
    );
    println!("hits={hits} event_articles_fired={fired}/{events}");
    let (start, cpu) = (Instant::now(), cpu_seconds());
    let mut passes = 0u64;
    while passes == 0 || start.elapsed().as_secs_f64() < seconds {
        for (a, _) in batch {
            std::hint::black_box(matcher.evaluate(std::hint::black_box(a)));
        }
        passes += 1;
    }
    let (wall, cpu) = (start.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    let done = passes as f64 * bytes as f64;
    println!("mb_per_s={:.1}", done / wall / 1e6);
    if cpu > 0.0 {
        println!("mb_per_s_cpu={:.1}", done / cpu / 1e6);
    }
    println!(
        "articles_per_s={:.0}",
        passes as f64 * batch.len() as f64 / wall
    );
    println!("eval_peak_rss_kib={}", status_kib("VmHWM:"));
}

/// User + system CPU seconds of this process (`/proc/self/stat`, 10 ms
/// ticks; 0 when unavailable).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
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

/// A `/proc/self/status` figure in KiB ("VmHWM:", "VmRSS:").
fn status_kib(key: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

fn usage(problem: &str) -> ! {
    eprintln!("list_scale: {problem}\nusage: list_scale --out PATH [--names N] [--rules R] [--common-share F] [--acknowledge] [--articles N [--articles-out PATH]] [--measure [--seconds S]]");
    std::process::exit(2)
}

/// A TOML basic string (generated names hold no quote or backslash, but
/// stay safe).
fn q(s: &str) -> String {
    format!("{s:?}")
}

/// Companies drawn with one set of fresh stems (the tables hold some
/// 80,000).
const ROUND: usize = 50_000;

/// Common English words of five letters or more that a company could be
/// named after, from the crate's word list.
fn common_stems() -> Vec<String> {
    include_str!("../taxonomy/common-words.txt")
        .lines()
        .filter(|w| {
            !w.starts_with('#') && w.len() >= 5 && w.chars().all(|c| c.is_ascii_lowercase())
        })
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
        })
        .collect()
}

/// The watchlist text: one list of about `names` names and `rules` rules
/// using it.
/// The generated companies (as the articles name them: mixed case) and
/// the stems the first round used.
struct Listed {
    companies: Vec<workload::Company>,
    seen: HashSet<String>,
}

fn generate(names: usize, rules: usize, common_share: f64, acknowledge: bool) -> (String, Listed) {
    let mut rng = StdRng::seed_from_u64(workload::SEED ^ 0x4c49_5354);
    let mut seen = HashSet::new();
    // About two names a company (the name and about one alias). The
    // syllable tables give some 80,000 one-word stems; past that (a
    // million names), each further round of companies is qualified by a
    // stem of the first round ("Velmar Norvex Holdings", alias "Velmar
    // Norvex"), as registers hold many names of two invented words.
    let wanted = names.div_ceil(2);
    let mut companies = workload::make_companies(&mut rng, wanted.min(ROUND), &mut seen);
    let qualifiers: Vec<String> = companies
        .iter()
        .filter_map(|c| c.name.split_once(' ').map(|(stem, _)| stem.to_string()))
        .collect();
    while companies.len() < wanted {
        let mut fresh = HashSet::new();
        let round =
            workload::make_companies(&mut rng, (wanted - companies.len()).min(ROUND), &mut fresh);
        for mut c in round {
            let q = &qualifiers[rng.gen_range(0..qualifiers.len())];
            c.name = format!("{q} {}", c.name);
            for a in c.aliases.iter_mut() {
                *a = format!("{q} {a}");
            }
            companies.push(c);
        }
    }
    // Some companies named after an ordinary word: the stem is swapped for
    // it in the name and the aliases ("Harbor Logistics", "Harbor").
    let stems = common_stems();
    for c in companies.iter_mut() {
        if !rng.gen_bool(common_share) {
            continue;
        }
        let word = &stems[rng.gen_range(0..stems.len())];
        let Some((stem, _)) = c.name.split_once(' ') else {
            continue;
        };
        let stem = stem.to_string();
        c.name = c.name.replacen(&stem, word, 1);
        for a in c.aliases.iter_mut() {
            *a = a.replacen(&stem, word, 1);
        }
    }
    let mut t = String::with_capacity(names * 60);
    let _ = writeln!(
        t,
        "# Generated by `cargo run -p wirewatch-matcher --example list_scale -- --names {names}`: invented names only.\n"
    );
    t.push_str("[[list]]\nid = \"generated-scale\"\ncompanies = [\n");
    let mut written = 0;
    let mut listed = 0;
    for (i, c) in companies.iter().enumerate() {
        if written >= names {
            break;
        }
        // A third in register style: ALL CAPS, a trailing legal form after
        // a comma.
        let register = rng.gen_bool(0.33);
        let name = if register {
            let upper = c.name.to_uppercase();
            match upper.rsplit_once(' ') {
                Some((base, form))
                    if wirewatch_matcher::names::core(&upper).is_some() && base.contains(' ') =>
                {
                    format!("{base}, {form}")
                }
                _ => upper,
            }
        } else {
            c.name.clone()
        };
        let aliases: Vec<String> = c
            .aliases
            .iter()
            .map(|a| {
                if register {
                    a.to_uppercase()
                } else {
                    a.clone()
                }
            })
            .map(|a| q(&a))
            .collect();
        written += 1 + aliases.len();
        listed = i + 1;
        let _ = write!(t, "  {{ name = {}", q(&name));
        if !aliases.is_empty() {
            let _ = write!(t, ", aliases = [{}]", aliases.join(", "));
        }
        let _ = write!(t, ", source_id = \"gen:{i}\"");
        if acknowledge {
            t.push_str(", common_word = \"ok\"");
        }
        t.push_str(" },\n");
    }
    t.push_str("]\n");
    for r in 0..rules {
        let _ = writeln!(
            t,
            "\n[[rule]]\nid = \"generated-scale-{r}\"\ndescription = \"Any agency, any action, against any generated company\"\nlists = [\"generated-scale\"]"
        );
    }
    // The articles name only companies the list holds.
    companies.truncate(listed);
    (t, Listed { companies, seen })
}
