//! Retro-hunts against the real broker and webhook receiver: a rule added
//! by editing the watchlist alerts, once each and flagged `retroactive`,
//! on the past articles it matches, while new articles keep alerting live;
//! a restart in the middle of the hunt resumes it, losing and repeating
//! nothing.
// Needs the services scripts/test starts: `cargo test --features services`.
#![cfg(feature = "services")]

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::*;

const WAIT: Duration = Duration::from_secs(120);
/// Past articles, and how many of them the new rule matches.
const PAST: usize = 500;
const PAST_MATCHING: usize = 60;
const LIVE: usize = 20;

/// The rule the analyst adds once the articles are consumed (an invented
/// company, in the seed article's place).
const NEW_RULE: &str = r#"
[[rule]]
id = "velmora-us"
companies = [{ name = "Velmora", aliases = ["Velmora Lab"] }]
agencies = ["us-commerce", "us-treasury"]
actions = ["sanction", "ban"]
severity = "high"
notify = ["soc"]
"#;

/// The seed article about the invented company instead.
fn velmora(id: &str) -> String {
    seed_article(id).replace("Kaspersky", "Velmora")
}

fn unrelated(id: &str, i: usize) -> String {
    serde_json::json!({
        "id": id,
        "title": format!("Harbour authority reports record container traffic in month {i}"),
        "body": "Port officials said volumes rose on stronger demand for consumer goods and expect the trend to continue into the next quarter.",
        "source": "Example Wire",
    })
    .to_string()
}

/// Webhook bodies for `path`, per article id.
async fn alerts_by_article(path: &str) -> BTreeMap<String, Vec<serde_json::Value>> {
    let mut by: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    for r in webhooks(path).await {
        let body: serde_json::Value = serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
        by.entry(body["article"]["id"].as_str().unwrap().to_string())
            .or_default()
            .push(body);
    }
    by
}

#[tokio::test]
async fn a_rule_added_by_a_reload_alerts_on_past_articles_once_across_a_restart() {
    let s = Setup::new("retro", 2).await;
    let opts = Options {
        notify: vec!["soc".into()],
        ..Options::default()
    };
    let (dir, config) = s.write_config_with(&opts);
    // Slow enough that the restart below lands in the middle of the hunt.
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[retro]\nwindow = \"1d\"\nmax_articles_per_sec = 25\n");
    std::fs::write(&config, text).unwrap();

    let mut matching = Vec::new();
    for i in 0..PAST {
        let id = format!("past-{i}");
        if i % (PAST / PAST_MATCHING) == 0 && matching.len() < PAST_MATCHING {
            produce(&s.topic, &id, velmora(&id).as_bytes()).await;
            matching.push(id);
        } else {
            produce(&s.topic, &id, unrelated(&id, i).as_bytes()).await;
        }
    }
    assert_eq!(matching.len(), PAST_MATCHING);

    let a = Daemon::start(&config);
    let port = opts.http_port;
    eventually("every past article consumed", WAIT, || async {
        (sum_articles(port).await >= PAST as f64).then_some(())
    })
    .await;
    assert!(
        alerts_by_article(&s.webhook_path).await.is_empty(),
        "no rule watches Velmora yet"
    );

    // The analyst adds the rule.
    let watchlist = dir.path().join("watchlists/sanctions.toml");
    let mut rules = std::fs::read_to_string(&watchlist).unwrap();
    rules.push_str(NEW_RULE);
    std::fs::write(&watchlist, rules).unwrap();
    eventually("the hunt planned", WAIT, || async {
        a.logs().contains("Retro-hunt planned.").then_some(())
    })
    .await;
    // New articles keep alerting live meanwhile.
    let live: Vec<String> = (0..LIVE).map(|i| format!("live-{i}")).collect();
    for id in &live {
        produce(&s.topic, id, velmora(id).as_bytes()).await;
    }
    eventually("the hunt under way", WAIT, || async {
        metric(port, "wirewatch_retro_articles_total")
            .await
            .filter(|n| *n >= 64.0)
    })
    .await;
    let pending = metric(port, "wirewatch_retro_pending").await.unwrap_or(0.0);
    assert!(pending > 0.0, "stopped in the middle of the hunt");
    assert!(a.terminate().success());

    let b = Daemon::start(&config);
    let expected = PAST_MATCHING + LIVE;
    let got = eventually("every alert", WAIT, || async {
        let by = alerts_by_article(&s.webhook_path).await;
        (by.len() >= expected && b.logs().contains("Retro-hunt finished.")).then_some(by)
    })
    .await;
    // Let anything late arrive before counting.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let got = {
        let later = alerts_by_article(&s.webhook_path).await;
        assert!(later.len() >= got.len());
        later
    };
    let logs = b.logs();
    assert!(
        logs.contains("Resuming a retro-hunt."),
        "resumed after the restart"
    );
    assert!(b.terminate().success());

    let lost: Vec<&String> = matching
        .iter()
        .chain(&live)
        .filter(|id| !got.contains_key(*id))
        .collect();
    let duplicated = got.values().filter(|v| v.len() > 1).count();
    println!(
        "retro-hunt across a restart: expected {expected} ({PAST_MATCHING} past, {LIVE} live), delivered {}, lost {}, duplicated {duplicated}, notes: {pending} messages left to hunt at the restart",
        got.len(),
        lost.len()
    );
    assert!(lost.is_empty(), "lost: {lost:?}");
    assert_eq!(duplicated, 0, "nothing sent twice");
    assert_eq!(got.len(), expected, "only the articles the rule matches");
    for id in &matching {
        let a = &got[id][0];
        assert_eq!(a["rule_id"], "velmora-us");
        assert_eq!(a["retroactive"], true, "{id} is from earlier coverage");
    }
    for id in &live {
        assert!(
            got[id][0].get("retroactive").is_none(),
            "{id} alerted live: {}",
            got[id][0]
        );
    }
}

/// Articles the daemon on `port` has read, whatever their outcome.
async fn sum_articles(port: u16) -> f64 {
    let mut n = 0.0;
    for o in ["matched", "unmatched", "malformed"] {
        n += metric(
            port,
            &format!("wirewatch_articles_total{{outcome=\"{o}\"}}"),
        )
        .await
        .unwrap_or(0.0);
    }
    n
}
