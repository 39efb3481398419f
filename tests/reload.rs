//! Hot reload against the real broker and webhook receiver: an edited
//! watchlist is picked up while articles flow, a broken edit is rejected
//! with `file:line: message` while the running rules stay, and no article
//! is lost or alerted twice across the swaps.
// Needs the services scripts/test starts: `cargo test --features services`.
#![cfg(feature = "services")]

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::*;

const WAIT: Duration = Duration::from_secs(60);

const HUAWEI_RULE: &str = r#"
[[rule]]
id = "huawei-us"
companies = ["Huawei"]
agencies = ["us-commerce"]
actions = ["export-control"]
notify = ["soc"]
"#;

fn huawei_article(id: &str) -> String {
    serde_json::json!({
        "id": id,
        "title": "U.S. adds Huawei units to Entity List",
        "body": "The U.S. Commerce Department added 12 Huawei units to the Entity List on Thursday, restricting their access to American chips.",
    })
    .to_string()
}

/// Alerts received so far, counted by (rule, article).
async fn received(path: &str) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for r in webhooks(path).await {
        let body: serde_json::Value = serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
        let key = (
            body["rule_id"].as_str().unwrap().to_string(),
            body["article"]["id"].as_str().unwrap().to_string(),
        );
        *out.entry(key).or_default() += 1;
    }
    out
}

#[tokio::test]
async fn watchlist_edits_apply_while_articles_flow_and_bad_edits_are_rejected() {
    let s = Setup::new("reload", 2).await;
    let opts = Options {
        notify: vec!["soc".into()],
        ..Options::default()
    };
    let port = opts.http_port;
    let (dir, config) = s.write_config_with(&opts);
    // The live path alone: with retro-hunts on, adding the Huawei rule
    // would alert hw-0 retroactively (tests/retro.rs covers that).
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[retro]\nwindow = \"0\"\n");
    std::fs::write(&config, text).unwrap();
    let rules = dir.path().join("watchlists/sanctions.toml");
    let original = std::fs::read_to_string(&rules).unwrap();
    let daemon = Daemon::start(&config);

    let mut seeds = 0;
    let mut produce_seeds = |n: usize| {
        let ids: Vec<String> = (seeds..seeds + n).map(|i| format!("flow-{i}")).collect();
        seeds += n;
        ids
    };
    for id in produce_seeds(5) {
        produce(&s.topic, &id, seed_article(&id).as_bytes()).await;
    }
    // Before the edit, Huawei is not watched.
    produce(&s.topic, "hw-0", huawei_article("hw-0").as_bytes()).await;

    eventually("the first alerts", WAIT, || async {
        (received(&s.webhook_path).await.len() >= 5).then_some(())
    })
    .await;
    // Edit while articles flow: add a rule.
    std::fs::write(&rules, format!("{original}\n{HUAWEI_RULE}")).unwrap();
    for id in produce_seeds(5) {
        produce(&s.topic, &id, seed_article(&id).as_bytes()).await;
    }
    eventually("a successful reload", WAIT, || async {
        (metric(
            port,
            "wirewatch_watchlist_reloads_total{outcome=\"success\"}",
        )
        .await?
            >= 1.0)
            .then_some(())
    })
    .await;
    produce(&s.topic, "hw-1", huawei_article("hw-1").as_bytes()).await;

    // A broken edit is rejected; the running rules stay.
    std::fs::write(
        &rules,
        format!("{original}\n{HUAWEI_RULE}\n[[rule]]\nid = \"broken\"\ncompanies = [\"X\"\n"),
    )
    .unwrap();
    eventually("a rejected reload", WAIT, || async {
        (metric(port, "wirewatch_watchlist_reloads_total{outcome=\"error\"}").await? >= 1.0)
            .then_some(())
    })
    .await;
    for id in produce_seeds(5) {
        produce(&s.topic, &id, seed_article(&id).as_bytes()).await;
    }
    produce(&s.topic, "hw-2", huawei_article("hw-2").as_bytes()).await;

    let got = eventually("every alert", WAIT, || async {
        let got = received(&s.webhook_path).await;
        (got.len() >= 17).then_some(got)
    })
    .await;
    eventually("an empty outbox", WAIT, || async {
        (metric(port, "wirewatch_outbox_pending").await? == 0.0).then_some(())
    })
    .await;
    let logs = daemon.logs();
    assert!(daemon.terminate().success());
    let got = received(&s.webhook_path)
        .await
        .into_iter()
        .chain(got)
        .collect::<BTreeMap<_, _>>();

    for i in 0..15 {
        assert_eq!(
            got.get(&("kaspersky-us".into(), format!("flow-{i}"))),
            Some(&1),
            "flow-{i} alerted exactly once: {got:?}"
        );
    }
    assert!(
        !got.contains_key(&("huawei-us".into(), "hw-0".into())),
        "no rule watched Huawei yet"
    );
    assert_eq!(
        got.get(&("huawei-us".into(), "hw-1".into())),
        Some(&1),
        "the new rule applies: {got:?}"
    );
    assert_eq!(
        got.get(&("huawei-us".into(), "hw-2".into())),
        Some(&1),
        "the running rules survive a bad edit: {got:?}"
    );
    assert_eq!(got.len(), 17, "{got:?}");
    let line = logs
        .lines()
        .find(|l| l.contains("Watchlist reload rejected"))
        .expect("the rejection is logged");
    assert!(
        line.contains("sanctions.toml:"),
        "problem given as file:line: {line}"
    );
}
