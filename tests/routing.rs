//! Routing and noise control against the real SMTP server: digests, one
//! message for an article's several rules, minimum severity, quiet hours
//! and rate limits, each on its own email channel.
// Needs the services scripts/test starts: `cargo test --features services`.
#![cfg(feature = "services")]

mod common;

use std::time::Duration;

use common::*;

const WAIT: Duration = Duration::from_secs(60);

fn article(id: &str, title: &str, body: &str) -> String {
    serde_json::json!({ "id": id, "title": title, "body": body, "source": "Test Wire" }).to_string()
}

#[tokio::test]
async fn digests_grouping_severity_quiet_hours_and_rate_limits() {
    let s = Setup::new("routing", 1).await;
    let base = s.email_to.replace('@', "+");
    let to = |ch: &str| {
        format!("{base}-{ch}@example.com")
            .replace("@example.com-", "-")
            .replace("+", "-")
    };
    // Quiet hours that surely cover now: from the current UTC hour to two hours later.
    let hour = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 3600
        % 24) as u32;
    let quiet = format!(
        "{{ start = \"{:02}:00\", end = \"{:02}:00\", timezone = \"UTC\" }}",
        hour,
        (hour + 2) % 24
    );
    let mut extra = String::new();
    for (ch, routing) in [
        (
            "digest",
            "mode = \"digest\"\ndigest_interval = \"4s\"".to_string(),
        ),
        ("instant", String::new()),
        ("critical", "min_severity = \"critical\"".into()),
        ("quiet", format!("quiet_hours = {quiet}")),
        ("limited", "rate_limit = { max = 1, per = \"1h\" }".into()),
    ] {
        extra.push_str(&format!(
            "[[channel]]\nid = \"{ch}\"\ntype = \"email\"\nto = [\"{}\"]\n{routing}\n",
            to(ch)
        ));
    }
    let channels = ["digest", "instant", "critical", "quiet", "limited"];
    let opts = Options {
        notify: channels.iter().map(|c| c.to_string()).collect(),
        extra_channels: extra,
        ..Options::default()
    };
    let port = opts.http_port;
    let (dir, config) = s.write_config_with(&opts);
    // A second rule that fires on the same articles: one message per article.
    let rules = dir.path().join("watchlists/sanctions.toml");
    let mut text = std::fs::read_to_string(&rules).unwrap();
    text.push_str(&format!(
        "\n[[rule]]\nid = \"kaspersky-any\"\ncompanies = [\"Kaspersky\"]\nactions = [\"sanction\", \"ban\"]\nseverity = \"high\"\nnotify = [{}]\n",
        channels.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(", ")
    ));
    std::fs::write(&rules, text).unwrap();
    let daemon = Daemon::start(&config);

    let articles = [
        seed_article("route-1"),
        article("route-2", "Treasury sanctions Kaspersky executives", "The U.S. Treasury Department on Friday imposed sanctions on 12 executives and senior leaders of Kaspersky Lab, citing risks to national security."),
        article("route-3", "Commerce bans Kaspersky software updates", "The Commerce Department on Thursday banned Kaspersky from providing antivirus updates to American customers after September 29."),
    ];
    for (i, a) in articles.iter().enumerate() {
        produce(&s.topic, &i.to_string(), a.as_bytes()).await;
    }
    eventually("three matched articles", WAIT, || async {
        (metric(port, "wirewatch_articles_total{outcome=\"matched\"}").await? == 3.0).then_some(())
    })
    .await;

    // Instant: one message per article, each listing both rules.
    let instant = eventually("instant emails", WAIT, || async {
        Some(emails_to(&to("instant")).await).filter(|m| m.len() >= 3)
    })
    .await;
    assert_eq!(instant.len(), 3);
    for m in &instant {
        assert!(
            m["subject"].as_str().unwrap().contains("(+1 more rule)"),
            "{}",
            m["subject"]
        );
    }
    // Digest: at most two messages (the period may split them), listing all six alerts.
    let digests = eventually("digest emails", WAIT, || async {
        let m = emails_to(&to("digest")).await;
        let listed: usize = m
            .iter()
            .map(|x| {
                x["text"]
                    .as_str()
                    .unwrap_or_default()
                    .matches("Alert id: ")
                    .count()
            })
            .sum();
        (listed >= 6).then_some(m)
    })
    .await;
    assert!(digests.len() <= 2, "{} digest emails", digests.len());
    assert!(digests.iter().any(|m| m["subject"]
        .as_str()
        .unwrap()
        .starts_with("[wirewatch] Digest: ")));
    // Rate limited to one message an hour: the first goes, the others wait.
    let limited = emails_to(&to("limited")).await;
    assert_eq!(limited.len(), 1, "rate limit: {limited:#?}");
    // Below the channel's minimum severity: nothing, ever.
    assert!(emails_to(&to("critical")).await.is_empty());
    // Quiet hours: held in the outbox (high is not critical).
    assert!(emails_to(&to("quiet")).await.is_empty());
    let pending = metric(port, "wirewatch_outbox_pending").await.unwrap();
    assert!(daemon.terminate().success());
    // quiet: 6 alerts held; limited: 4 of 6 deferred (the first message carried 2).
    assert_eq!(pending, 10.0, "held deliveries");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wirewatch"))
        .args(["outbox", "list", "--status", "pending", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&out.stdout);
    assert_eq!(listing.matches(" quiet ").count(), 6, "{listing}");
    assert_eq!(listing.matches(" limited ").count(), 4, "{listing}");
    assert!(!listing.contains(" critical "), "{listing}");
}
