//! `wirewatch backtest --config … --since …` against the real broker
//! (tansu) started by `scripts/test`: articles produced with known
//! timestamps, some before `--since`, one malformed; the backtest reads the
//! configured topic once, reports exactly the expected hits, counts the
//! malformed message, filters with `--rule`, bounds with `--until`, and
//! commits nothing.
// Needs the broker scripts/test starts: `cargo test --features services`.
#![cfg(feature = "services")]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::*;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};

const DAY_MS: i64 = 86_400_000;

/// An article of `examples/articles.jsonl` under a new id.
fn example(id: &str, new_id: &str) -> String {
    let line = include_str!("../examples/articles.jsonl")
        .lines()
        .find(|l| l.contains(&format!("\"id\":\"{id}\"")))
        .unwrap_or_else(|| panic!("{id} is in examples/articles.jsonl"));
    let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
    v["id"] = serde_json::Value::String(new_id.to_string());
    v.to_string()
}

async fn produce_at(brokers: &str, topic: &str, partition: i32, timestamp_ms: i64, payload: &str) {
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("message.timeout.ms", "20000")
        .create()
        .unwrap();
    producer
        .send(
            FutureRecord::<(), _>::to(topic)
                .partition(partition)
                .timestamp(timestamp_ms)
                .payload(payload),
            Duration::from_secs(20),
        )
        .await
        .map_err(|(e, _)| e)
        .expect("produce");
}

/// A daemon config for the topic, with the shipped watchlists. Backtests
/// never reach SMTP or the webhook: they only need to be valid.
fn write_config(dir: &Path, brokers: &str, topic: &str, group: &str) -> PathBuf {
    let watchlists = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/watchlists");
    let config = format!(
        r#"
watchlists = "{watchlists}"
[kafka]
brokers = "{brokers}"
group_id = "{group}"
topics = ["{topic}"]
dead_letter_topic = "{topic}-dlq"
[store]
path = "{store}"
[smtp]
host = "127.0.0.1"
port = 2525
security = "none"
from = "Wirewatch Test <alerts@wirewatch.test>"
[[channel]]
id = "compliance"
type = "email"
to = ["compliance@example.com"]
[[channel]]
id = "soc"
type = "webhook"
url = "http://127.0.0.1:9/hook"
secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
allow_private = true
"#,
        watchlists = watchlists.display(),
        store = dir.join("state").display(),
    );
    let path = dir.join("wirewatch.toml");
    std::fs::write(&path, config).unwrap();
    path
}

fn backtest(config: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_wirewatch"))
        .args(["backtest", "--config", config.to_str().unwrap()])
        .args(args)
        .output()
        .expect("run wirewatch");
    assert!(
        out.status.success(),
        "backtest {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// (article id, rule id) of every `--json` line.
fn hits(out: &Output) -> BTreeSet<(String, String)> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["article_id"].as_str().unwrap().to_string(),
                v["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    list.iter()
        .map(|(a, r)| (a.to_string(), r.to_string()))
        .collect()
}

#[tokio::test]
async fn backtest_reads_the_topic_range_and_reports_exactly_its_hits() {
    let brokers = brokers();
    let name = unique("backtest");
    let topic = format!("{name}-articles");
    let group = format!("{name}-group");
    create_topic_on(&brokers, &topic, 2).await;
    let now = jiff::Timestamp::now().as_millisecond();
    let (old, recent) = (now - 10 * DAY_MS, now - 3_600_000);

    // Older than --since 7d: rule-firing articles that must not be read.
    produce_at(
        &brokers,
        &topic,
        0,
        old,
        &example("seed-kaspersky-2024-07", "old-kaspersky"),
    )
    .await;
    produce_at(
        &brokers,
        &topic,
        1,
        old + 1,
        &example("demo-okta-support-breach", "old-okta"),
    )
    .await;
    // Within the last 7 days: three that fire, two that do not, one malformed.
    produce_at(
        &brokers,
        &topic,
        0,
        recent,
        &example("seed-kaspersky-2024-07", "new-kaspersky"),
    )
    .await;
    produce_at(
        &brokers,
        &topic,
        0,
        recent + 1,
        &example("demo-dutch-exit-polls", "new-exit-polls"),
    )
    .await;
    produce_at(&brokers, &topic, 0, recent + 2, "{\"id\": \"broken\", ").await;
    produce_at(
        &brokers,
        &topic,
        1,
        recent,
        &example("demo-okta-support-breach", "new-okta"),
    )
    .await;
    produce_at(
        &brokers,
        &topic,
        1,
        recent + 1,
        &example("demo-ymtc-entity-list", "new-ymtc"),
    )
    .await;
    produce_at(
        &brokers,
        &topic,
        1,
        recent + 2,
        &example("demo-treasury-ransomware-sanctions", "new-treasury"),
    )
    .await;

    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &brokers, &topic, &group);

    // --json: exactly the recent rule-firing articles.
    let out = backtest(&config, &["--since", "7d", "--json"]);
    assert_eq!(
        hits(&out),
        pairs(&[
            ("new-kaspersky", "kaspersky-us"),
            ("new-okta", "vendor-breaches"),
            ("new-ymtc", "china-chips-export-controls"),
        ]),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{topic}[0]@3: skipped malformed event")),
        "{stderr}"
    );
    assert!(
        stderr.contains("5 articles, 3 hits, 1 malformed (invalid_json 1)"),
        "{stderr}"
    );

    // The table: counts per rule and the same totals.
    let out = backtest(&config, &["--since", "7d"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("5 articles, 3 hits, 1 malformed"), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["kaspersky-us", "1"]),
        "{table}"
    );

    // --rule: that rule's hits only, and its line alone in the table.
    let out = backtest(
        &config,
        &["--since", "7d", "--json", "--rule", "kaspersky-us"],
    );
    assert_eq!(hits(&out), pairs(&[("new-kaspersky", "kaspersky-us")]));
    let out = backtest(&config, &["--since", "7d", "--rule", "vendor-breaches"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(table.lines().count(), 3, "{table}");
    assert!(table.contains("1 hits"), "{table}");

    // --until, with RFC 3339 times: only the old articles.
    let since = jiff::Timestamp::from_millisecond(old - 3_600_000).unwrap();
    let out = backtest(
        &config,
        &["--since", &since.to_string(), "--until", "2d", "--json"],
    );
    assert_eq!(
        hits(&out),
        pairs(&[
            ("old-kaspersky", "kaspersky-us"),
            ("old-okta", "vendor-breaches")
        ]),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("2 articles, 2 hits, 0 malformed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // --explain finds the article in the range.
    let out = backtest(&config, &["--since", "7d", "--explain", "new-kaspersky"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("kaspersky-us: FIRED"), "{text}");

    // Read-only: neither the daemon's group nor the backtest's has an
    // offset committed.
    for g in [group.clone(), format!("{group}.backtest")] {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &brokers)
            .set("group.id", &g)
            .create()
            .unwrap();
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition(&topic, 0);
        tpl.add_partition(&topic, 1);
        let committed = consumer
            .committed_offsets(tpl, Duration::from_secs(20))
            .expect("committed offsets");
        for e in committed.elements() {
            assert_eq!(e.offset(), Offset::Invalid, "group {g} committed {e:?}");
        }
    }
}

#[tokio::test]
async fn backtest_of_a_missing_topic_fails_with_its_name() {
    let brokers = brokers();
    let name = unique("backtest-missing");
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &brokers, &format!("{name}-nope"), "g");
    let out = Command::new(env!("CARGO_BIN_EXE_wirewatch"))
        .args([
            "backtest",
            "--config",
            config.to_str().unwrap(),
            "--since",
            "1h",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("{name}-nope")), "{stderr}");
}
