//! The command line as users run it: `check` exit codes and messages,
//! `backtest --json` output, and the matcher's quality on the labelled dev
//! corpus (tests/corpus/dev, a copy of the shared development set).

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::{Command, Output};

fn wirewatch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wirewatch"))
        .args(args)
        .output()
        .expect("run wirewatch")
}

fn corpus(file: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus/dev")
        .join(file)
        .display()
        .to_string()
}

#[test]
fn check_accepts_the_shipped_config() {
    let out = wirewatch(&["check", "--config", "config/wirewatch.toml"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("ok (7 rules, 2 channels"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Clean: the shipped rules acknowledge their common-word and short
    // names (`common_word = "ok"`, `short = "ok"`), so nothing is warned.
    assert!(
        out.stderr.is_empty(),
        "the shipped config should check clean:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn check_lists_every_mistake_and_exits_64() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("wirewatch.toml"),
        r#"watchlists = "rules.toml"
[kafka]
brokers = "localhost:9092"
topics = ["articles"]
max_mesage_bytes = 100
[smtp]
host = "localhost"
security = "ssl"
from = "alerts@example.com"
[[channel]]
id = "compliance"
type = "email"
to = ["compliance@example.com"]
"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("rules.toml"),
        r#"[[rule]]
id = "kaspersky-us"
companies = ["Kaspersky"]
agencies = ["us-comerce"]
actions = ["sanction"]
severity = "urgent"
notify = ["compliance", "complience-team"]
"#,
    )
    .unwrap();
    let config = dir.path().join("wirewatch.toml").display().to_string();
    let out = wirewatch(&["check", "--config", &config]);
    assert_eq!(out.status.code(), Some(64));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 5, "{stderr}");
    // The config did not load, yet the rule naming a channel it does not
    // define is reported beside the other problems, not only when alone.
    assert!(
        lines.iter().any(|l| l.ends_with(
            "rules.toml:2: rule \"kaspersky-us\": notify names unknown channel \"complience-team\""
        )),
        "{stderr}"
    );
    assert!(lines.iter().any(|l| l.ends_with("rules.toml:6: rule \"kaspersky-us\": severity \"urgent\" is not one of low, medium, high, critical")), "{stderr}");
    assert!(lines.iter().any(|l| l.ends_with("wirewatch.toml:5: kafka.max_mesage_bytes: unknown key (did you mean \"max_message_bytes\"?)")), "{stderr}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("wirewatch.toml:8: smtp.security: \"ssl\" is not valid")),
        "{stderr}"
    );
    assert!(lines.iter().any(|l| l.ends_with("rules.toml:4: rule \"kaspersky-us\": unknown agency \"us-comerce\" (did you mean \"us-commerce\"?)")), "{stderr}");
}

#[test]
fn backtest_json_prints_one_hit_per_line_with_evidence() {
    let out = wirewatch(&[
        "backtest",
        "--watchlists",
        "config/watchlists",
        "--input",
        "examples/articles.jsonl",
        "--json",
    ]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let hits: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let seed = hits
        .iter()
        .find(|h| h["article_id"] == "seed-kaspersky-2024-07")
        .expect("the seed article fires");
    assert_eq!(seed["rule_id"], "kaspersky-us");
    let sentence = seed["evidence"][0]["text"].as_str().unwrap();
    assert!(
        sentence.contains("Commerce Department sanctioned the company"),
        "{sentence}"
    );
    for span in seed["evidence"][0]["spans"].as_array().unwrap() {
        let (s, e) = (
            span["start"].as_u64().unwrap() as usize,
            span["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&sentence[s..e], span["text"].as_str().unwrap());
    }
    // The two hard negatives of the sample set stay quiet.
    assert!(
        !hits
            .iter()
            .any(|h| h["article_id"] == "demo-dutch-exit-polls"
                || h["article_id"] == "demo-treasury-ransomware-sanctions"),
        "{stdout}"
    );
}

#[test]
fn backtest_reports_a_malformed_line_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let seed = include_str!("../examples/articles.jsonl")
        .lines()
        .next()
        .unwrap();
    std::fs::write(&input, format!("not json\n{seed}\n")).unwrap();
    let out = wirewatch(&[
        "backtest",
        "--watchlists",
        "config/watchlists",
        "--input",
        input.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("in.jsonl:1: skipped malformed event"));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 articles, 1 hits, 1 malformed"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// The whole labelled dev set through `backtest --json`: precision and
/// recall of (article, rule) pairs must both reach 0.95.
#[test]
fn dev_corpus_precision_and_recall() {
    let out = wirewatch(&[
        "backtest",
        "--watchlists",
        &corpus("watchlist.toml"),
        "--input",
        &corpus("articles.jsonl"),
        "--json",
    ]);
    assert!(out.status.success());
    let got: BTreeSet<(String, String)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["article_id"].as_str().unwrap().to_string(),
                v["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: HashMap<String, Vec<String>> =
        serde_json::from_str(&std::fs::read_to_string(corpus("expected.json")).unwrap()).unwrap();
    let want: BTreeSet<(String, String)> = expected
        .iter()
        .flat_map(|(a, rs)| rs.iter().map(move |r| (a.clone(), r.clone())))
        .collect();
    let tp = got.intersection(&want).count() as f64;
    let precision = tp / got.len().max(1) as f64;
    let recall = tp / want.len() as f64;
    let fps: Vec<_> = got.difference(&want).collect();
    let fns: Vec<_> = want.difference(&got).collect();
    assert!(
        precision >= 0.95 && recall >= 0.95,
        "precision {precision:.3}, recall {recall:.3}\nfalse positives: {fps:?}\nmissed: {fns:?}"
    );
}

/// Issue 14: `outbox purge` keeps `store.retention_days` of alerts: by
/// default it forgets only older ones, and refuses to be asked for less.
#[test]
fn outbox_purge_respects_the_retention() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rules.toml"), "").unwrap();
    let config = dir.path().join("wirewatch.toml");
    std::fs::write(
        &config,
        format!(
            "watchlists = \"rules.toml\"\n[kafka]\nbrokers = \"127.0.0.1:1\"\ntopics = [\"a\"]\n[store]\npath = \"{}\"\nretention_days = 10\n",
            dir.path().join("state").display()
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let out = wirewatch(&[
        "outbox",
        "purge",
        "--config",
        config,
        "--older-than-hours",
        "24",
    ]);
    assert_eq!(out.status.code(), Some(64));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("less than store.retention_days (10 days = 240 hours)"),
        "{err}"
    );
    let out = wirewatch(&["outbox", "purge", "--config", config]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "0 finished alerts forgotten\n"
    );
    let out = wirewatch(&[
        "outbox",
        "purge",
        "--config",
        config,
        "--older-than-hours",
        "480",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn stdout_of(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Matching on several threads prints what one thread prints, byte for
/// byte, hits and table alike.
#[test]
fn backtest_on_several_threads_prints_what_one_thread_prints() {
    let (w, a) = (corpus("watchlist.toml"), corpus("articles.jsonl"));
    for extra in [&["--json"][..], &[][..]] {
        let run = |jobs: &str| {
            let mut args = vec![
                "backtest",
                "--watchlists",
                &w,
                "--input",
                &a,
                "--jobs",
                jobs,
            ];
            args.extend_from_slice(extra);
            stdout_of(&wirewatch(&args))
        };
        let one = run("1");
        assert!(one.lines().count() > 5, "{one}");
        for jobs in ["2", "5"] {
            assert_eq!(run(jobs), one, "--jobs {jobs} {extra:?}");
        }
    }
    let out = wirewatch(&["backtest", "--watchlists", &w, "--input", &a, "--jobs", "0"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `--rule` keeps that rule's hits and table line, nothing else.
#[test]
fn backtest_rule_restricts_to_one_rule() {
    let args = [
        "backtest",
        "--watchlists",
        "config/watchlists",
        "--input",
        "examples/articles.jsonl",
    ];
    let all = stdout_of(&wirewatch(&[&args[..], &["--json"]].concat()));
    let only = stdout_of(&wirewatch(
        &[&args[..], &["--json", "--rule", "vendor-breaches"]].concat(),
    ));
    let want: Vec<&str> = all
        .lines()
        .filter(|l| l.contains("\"rule_id\":\"vendor-breaches\""))
        .collect();
    assert_eq!(want.len(), 1, "{all}");
    assert_eq!(only.lines().collect::<Vec<_>>(), want);

    let table = stdout_of(&wirewatch(
        &[&args[..], &["--rule", "vendor-breaches"]].concat(),
    ));
    assert_eq!(
        table,
        "rule             hits\nvendor-breaches     1\n8 articles, 1 hits, 0 malformed\n"
    );

    let out = wirewatch(&[&args[..], &["--rule", "vendor-breach"]].concat());
    assert_eq!(out.status.code(), Some(64));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.lines().last(),
        Some("--rule: no rule \"vendor-breach\" in the watchlists (did you mean \"vendor-breaches\"?)"),
        "{stderr}"
    );
}

/// Input to a backtest long enough for the progress bar to draw: the dev
/// set several times over.
fn long_input(dir: &Path) -> String {
    let text = std::fs::read_to_string(corpus("articles.jsonl")).unwrap();
    let path = dir.join("long.jsonl");
    std::fs::write(&path, text.repeat(5)).unwrap();
    path.display().to_string()
}

/// With stderr piped (scripts, CI, logs) there is no progress bar: stderr
/// holds only the messages.
#[test]
fn backtest_with_piped_stderr_shows_no_progress_bar() {
    let dir = tempfile::tempdir().unwrap();
    let input = long_input(dir.path());
    let out = wirewatch(&[
        "backtest",
        "--watchlists",
        &corpus("watchlist.toml"),
        "--input",
        &input,
        "--jobs",
        "1",
    ]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("articles/s") && !stderr.contains('\r') && !stderr.contains('\x1b'),
        "{stderr:?}"
    );
}

/// On a terminal the bar shows (`script` gives the command a pseudo-
/// terminal and records what it draws), so the test above can fail.
#[test]
fn backtest_on_a_terminal_shows_a_progress_bar() {
    let dir = tempfile::tempdir().unwrap();
    let input = long_input(dir.path());
    let command = format!(
        "{} backtest --watchlists {} --input {} --jobs 1 >/dev/null",
        env!("CARGO_BIN_EXE_wirewatch"),
        corpus("watchlist.toml"),
        input
    );
    let transcript = dir.path().join("typescript");
    let out = Command::new("script")
        .args(["-q", "-e", "-c", &command])
        .arg(&transcript)
        .output()
        .expect("run script (util-linux)");
    assert!(out.status.success(), "{out:?}");
    let drawn = std::fs::read_to_string(&transcript).unwrap();
    assert!(drawn.contains("articles/s"), "{drawn:?}");
    assert!(drawn.contains("ETA"), "{drawn:?}");
}

/// `--since` needs a daemon config (its brokers and topics); `--until`
/// needs `--since`; a bad time says which forms are accepted.
#[test]
fn backtest_since_needs_a_config_and_a_valid_time() {
    let out = wirewatch(&[
        "backtest",
        "--watchlists",
        "config/watchlists",
        "--since",
        "7d",
    ]);
    assert_eq!(out.status.code(), Some(64));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("give --config PATH instead of --watchlists")
    );

    let out = wirewatch(&[
        "backtest",
        "--config",
        "config/wirewatch.toml",
        "--since",
        "last week",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("RFC 3339"));

    let out = wirewatch(&[
        "backtest",
        "--config",
        "config/wirewatch.toml",
        "--input",
        "examples/articles.jsonl",
        "--until",
        "1d",
    ]);
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--until bounds a Kafka backtest"));

    // --until before --since: refused before any broker is asked.
    let out = wirewatch(&[
        "backtest",
        "--config",
        "config/wirewatch.toml",
        "--since",
        "1d",
        "--until",
        "2d",
    ]);
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("must be after --since"));
}

/// `--config` with `--input`: the config's watchlists over the file.
#[test]
fn backtest_takes_the_watchlists_of_a_config() {
    let args = ["backtest", "--input", "examples/articles.jsonl", "--json"];
    let from_config = stdout_of(&wirewatch(
        &[&args[..], &["--config", "config/wirewatch.toml"]].concat(),
    ));
    let direct = stdout_of(&wirewatch(
        &[&args[..], &["--watchlists", "config/watchlists"]].concat(),
    ));
    assert_eq!(from_config, direct);
    assert_eq!(direct.lines().count(), 6);
}
