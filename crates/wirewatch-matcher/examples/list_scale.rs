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
//! Every hit of the generated rule is a false positive by construction
//! (no article is about these companies); `scripts/list-precision` runs
//! this against the shared dev and real-dev corpora. `--rules R` makes R
//! rules share the one list (the list is indexed once whatever R is).

use std::collections::HashSet;
use std::fmt::Write as _;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

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
            other => usage(&format!("unknown argument {other}")),
        }
    }
    let out = out.unwrap_or_else(|| usage("--out PATH is required"));
    let text = generate(names, rules, common_share, acknowledge);
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
        std::hint::black_box(&matcher);
    }
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
    eprintln!("list_scale: {problem}\nusage: list_scale --out PATH [--names N] [--rules R] [--common-share F] [--acknowledge] [--measure]");
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
fn generate(names: usize, rules: usize, common_share: f64, acknowledge: bool) -> String {
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
    t
}
