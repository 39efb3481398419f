//! Delivery that loses nothing, against the real broker, SMTP server and
//! webhook receiver: an SMTP outage, crashes at named points, and the
//! webhook status matrix. Each test counts what was expected, delivered,
//! lost and duplicated.
//!
//! Longer than most files: every test is one scenario told start to end
//! (services, load, fault, count), and splitting them would only move the
//! shared counting helpers away from the scenarios that read them.
// Needs the services scripts/test starts: `cargo test --features services`.
#![cfg(feature = "services")]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;

const WAIT: Duration = Duration::from_secs(90);

/// A maildev of our own, started late to end an SMTP outage.
struct Maildev(Child);

impl Maildev {
    fn start(smtp: u16, web: u16) -> Maildev {
        let child = Command::new("maildev")
            .args([
                "--smtp",
                &smtp.to_string(),
                "--web",
                &web.to_string(),
                "--ip",
                "127.0.0.1",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("maildev on PATH (scripts/test puts it there)");
        Maildev(child)
    }
}

impl Drop for Maildev {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn maildev_emails(web: u16) -> Option<Vec<serde_json::Value>> {
    reqwest::get(format!("http://127.0.0.1:{web}/api/email"))
        .await
        .ok()?
        .json()
        .await
        .ok()
}

#[tokio::test]
async fn smtp_outage_holds_alerts_in_the_outbox_then_sends_each_once() {
    let s = Setup::new("outage", 3).await;
    let (smtp_port, web_port) = (free_port(), free_port());
    let opts = Options {
        notify: vec!["compliance".into()],
        smtp: Some(format!("127.0.0.1:{smtp_port}")),
        max_attempts: 1000,
        ..Options::default()
    };
    let port = opts.http_port;
    let (_dir, config) = s.write_config_with(&opts);
    let daemon = Daemon::start(&config);
    const N: usize = 50;
    for i in 0..N {
        produce(
            &s.topic,
            &format!("k{i}"),
            seed_article(&format!("outage-{i}")).as_bytes(),
        )
        .await;
    }
    // Consumption goes on while SMTP is down; the outbox holds every alert.
    eventually(
        "50 matched articles and 50 pending deliveries",
        WAIT,
        || async {
            let matched = metric(port, "wirewatch_articles_total{outcome=\"matched\"}").await?;
            let pending = metric(port, "wirewatch_outbox_pending").await?;
            (matched == N as f64 && pending == N as f64).then_some(())
        },
    )
    .await;

    let _mail = Maildev::start(smtp_port, web_port);
    let emails = eventually("50 emails after the SMTP server is back", WAIT, || async {
        maildev_emails(web_port).await.filter(|m| m.len() >= N)
    })
    .await;
    eventually("an empty outbox", WAIT, || async {
        (metric(port, "wirewatch_outbox_pending").await? == 0.0).then_some(())
    })
    .await;
    let status = daemon.terminate();
    assert!(status.success());
    let emails = maildev_emails(web_port).await.unwrap_or(emails);
    let mut per_article: BTreeMap<String, usize> = BTreeMap::new();
    for m in &emails {
        let text = m["text"].as_str().unwrap_or_default();
        let id = text
            .lines()
            .find_map(|l| l.strip_prefix("Alert id: "))
            .unwrap_or("?")
            .to_string();
        *per_article.entry(id).or_default() += 1;
    }
    let duplicated = per_article.values().filter(|&&n| n > 1).count();
    println!(
        "smtp outage: expected {N}, delivered {}, lost {}, duplicated {duplicated}",
        per_article.len(),
        N - per_article.len()
    );
    assert_eq!(per_article.len(), N, "each alert arrives: {per_article:?}");
    assert_eq!(emails.len(), N, "and exactly once: {per_article:?}");
}

#[tokio::test]
async fn crash_after_the_outbox_write_loses_nothing_and_sends_once() {
    let s = Setup::new("crash-outbox", 1).await;
    let opts = Options {
        notify: vec!["soc".into()],
        ..Options::default()
    };
    let port = opts.http_port;
    let (_dir, config) = s.write_config_with(&opts);
    let mut first = Daemon::start_with(&config, &[("WIREWATCH_CRASH_AT", "after-outbox-write")]);
    produce(&s.topic, "a", seed_article("crash-1").as_bytes()).await;
    let status = first.wait_exit();
    assert!(!status.success(), "the crash point aborts");
    assert!(
        webhooks(&s.webhook_path).await.is_empty(),
        "nothing was sent before the crash"
    );

    let second = Daemon::start(&config);
    eventually("the alert after restart", WAIT, || async {
        Some(webhooks(&s.webhook_path).await).filter(|h| !h.is_empty())
    })
    .await;
    eventually("an empty outbox", WAIT, || async {
        (metric(port, "wirewatch_outbox_pending").await? == 0.0).then_some(())
    })
    .await;
    assert!(second.terminate().success());
    let hooks = webhooks(&s.webhook_path).await;
    println!(
        "crash after outbox write: expected 1, delivered {}, lost 0, duplicated {}",
        hooks.len().min(1),
        hooks.len().saturating_sub(1)
    );
    assert_eq!(
        hooks.len(),
        1,
        "the redelivered article is not alerted twice"
    );
}

#[tokio::test]
async fn crash_after_sending_before_marking_may_duplicate_with_the_same_id() {
    let s = Setup::new("crash-sent", 1).await;
    let opts = Options {
        notify: vec!["soc".into()],
        ..Options::default()
    };
    let port = opts.http_port;
    let (_dir, config) = s.write_config_with(&opts);
    let mut first =
        Daemon::start_with(&config, &[("WIREWATCH_CRASH_AT", "after-send-before-mark")]);
    produce(&s.topic, "a", seed_article("crash-2").as_bytes()).await;
    assert!(!first.wait_exit().success());
    assert_eq!(
        webhooks(&s.webhook_path).await.len(),
        1,
        "sent once before the crash"
    );

    let second = Daemon::start(&config);
    eventually("the resent alert", WAIT, || async {
        Some(webhooks(&s.webhook_path).await).filter(|h| h.len() >= 2)
    })
    .await;
    eventually("an empty outbox", WAIT, || async {
        (metric(port, "wirewatch_outbox_pending").await? == 0.0).then_some(())
    })
    .await;
    assert!(second.terminate().success());
    let hooks = webhooks(&s.webhook_path).await;
    let ids: BTreeSet<&str> = hooks
        .iter()
        .map(|h| h["headers"]["webhook-id"].as_str().unwrap())
        .collect();
    println!(
        "crash after send: expected 1, delivered 1, lost 0, duplicated {}",
        hooks.len() - 1
    );
    assert_eq!(
        hooks.len(),
        2,
        "one duplicate, in the sent-but-not-marked window only"
    );
    assert_eq!(
        ids.len(),
        1,
        "the duplicate carries the same webhook-id: {ids:?}"
    );
}

#[tokio::test]
async fn webhook_status_matrix() {
    let s = Setup::new("matrix", 1).await;
    let base = service("WIREWATCH_TEST_WEBHOOK");
    let id = &s.webhook_path[1..];
    let cases = [
        ("s500", "status/500"),
        ("s503", "status/503"),
        ("s429", "status/429"),
        ("s410", "status/410"),
        ("s301", "status/301"),
        ("slow", "slow/3"),
    ];
    let mut extra = String::new();
    for (ch, path) in cases {
        extra.push_str(&format!(
            "[[channel]]\nid = \"{ch}\"\ntype = \"webhook\"\nurl = \"{base}/{path}/{id}\"\nsecret = \"{}\"\nallow_private = true\n",
            s.secret
        ));
    }
    let opts = Options {
        notify: cases.iter().map(|(c, _)| c.to_string()).collect(),
        timeout_secs: 1,
        max_attempts: 3,
        extra_channels: extra,
        ..Options::default()
    };
    let port = opts.http_port;
    let (dir, config) = s.write_config_with(&opts);
    let daemon = Daemon::start(&config);
    for article in ["matrix-1", "matrix-2"] {
        produce(&s.topic, article, seed_article(article).as_bytes()).await;
        eventually("every delivery finished", WAIT, || async {
            let matched = metric(port, "wirewatch_articles_total{outcome=\"matched\"}").await?;
            let pending = metric(port, "wirewatch_outbox_pending").await?;
            (pending == 0.0 && matched >= if article == "matrix-1" { 1.0 } else { 2.0 })
                .then_some(())
        })
        .await;
    }
    assert!(daemon.terminate().success());

    let count = |path: &str| {
        let path = format!("/{path}/{id}");
        async move { webhooks(&path).await }
    };
    assert_eq!(
        count("status/500").await.len(),
        6,
        "500 is retried: 3 attempts per alert"
    );
    assert_eq!(count("status/429").await.len(), 6, "429 is retried");
    let s503 = count("status/503").await;
    assert_eq!(s503.len(), 6, "503 is retried");
    let at: Vec<f64> = s503.iter().map(|r| r["at"].as_f64().unwrap()).collect();
    assert!(
        at[1] - at[0] >= 0.9 && at[2] - at[1] >= 0.9,
        "Retry-After: 1 is honoured: {at:?}"
    );
    assert_eq!(
        count("status/410").await.len(),
        1,
        "410 disables the endpoint: no request for the second alert"
    );
    assert_eq!(
        count("status/301").await.len(),
        2,
        "301 is permanent: one request per alert"
    );
    assert!(
        webhooks("/redirected").await.is_empty(),
        "redirects are not followed"
    );
    assert_eq!(
        count("slow/3").await.len(),
        6,
        "a response slower than the timeout is retried"
    );

    // Every delivery is dead, kept with its last error, for operators.
    let out = Command::new(env!("CARGO_BIN_EXE_wirewatch"))
        .args(["outbox", "list", "--status", "dead", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(listing.contains("12 deliveries"), "{listing}");
    for needle in [
        "HTTP 500",
        "HTTP 503",
        "HTTP 429",
        "410 Gone",
        "redirects are not followed",
        "timed out",
    ] {
        assert!(listing.contains(needle), "{needle} missing in\n{listing}");
    }
    drop(dir);
}

#[tokio::test]
async fn malformed_and_hostile_events_are_dead_lettered_or_alert_cleanly() {
    use rdkafka::config::ClientConfig;
    use rdkafka::consumer::{Consumer, StreamConsumer};
    use rdkafka::message::{Headers, Message};

    let s = Setup::new("hostile", 1).await;
    let (_dir, config) = s.write_config();
    let daemon = Daemon::start(&config);

    let seed: serde_json::Value = serde_json::from_str(&seed_article("x")).unwrap();
    let with = |id: &str, title: String| {
        let mut v = seed.clone();
        v["id"] = id.into();
        v["title"] = title.into();
        v.to_string().into_bytes()
    };
    let huge_title = format!(
        "Kaspersky Lab to Cut U.S. Operations After Sanctions {}",
        "and more words ".repeat(7_000)
    );
    let nested = format!(
        "{{\"id\":\"deep\",\"title\":\"t\",\"x\":{}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let big = format!(
        "{{\"id\":\"big\",\"title\":\"t\",\"body\":\"{}\"}}",
        "a".repeat(5 * 1024 * 1024)
    );
    let events: Vec<(&str, Vec<u8>, Option<&str>)> = vec![
        (
            "json",
            b"{\"id\": \"broken\", ".to_vec(),
            Some("invalid_json"),
        ),
        (
            "utf8",
            b"{\"id\": \"\xff\xfe\", \"title\": \"x\"}".to_vec(),
            Some("not_utf8"),
        ),
        (
            "noid",
            br#"{"title": "Kaspersky sanctioned"}"#.to_vec(),
            Some("missing_id"),
        ),
        (
            "notext",
            br#"{"id": "empty", "title": "", "body": "  "}"#.to_vec(),
            Some("no_text"),
        ),
        ("big", big.into_bytes(), Some("too_large")),
        ("deep", nested.into_bytes(), Some("invalid_json")),
        ("title", with("hostile-title", huge_title), None),
        (
            "crlf",
            with(
                "hostile-crlf",
                "Kaspersky Lab to Cut\r\nBcc: evil@example.com\r\nU.S. Operations After Sanctions"
                    .into(),
            ),
            None,
        ),
        ("good", seed_article("hostile-good").into_bytes(), None),
    ];
    for (key, payload, _) in &events {
        produce(&s.topic, key, payload).await;
    }

    // Every clean event alerts, on both channels.
    let mails = eventually("three alert emails", WAIT, || async {
        Some(emails_to(&s.email_to).await).filter(|m| m.len() >= 3)
    })
    .await;
    let hooks = eventually("three webhooks", WAIT, || async {
        Some(webhooks(&s.webhook_path).await).filter(|h| h.len() >= 3)
    })
    .await;
    assert_eq!((mails.len(), hooks.len()), (3, 3));
    for m in &mails {
        let subject = m["subject"].as_str().unwrap();
        assert!(
            !subject.contains('\r') && !subject.contains('\n') && subject.chars().count() <= 250,
            "clean subject: {subject:?}"
        );
        assert!(
            m["headers"].get("bcc").is_none(),
            "no injected header: {}",
            m["headers"]
        );
        let rcpts: Vec<&str> = m["envelope"]["to"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["address"].as_str().unwrap())
            .collect();
        assert_eq!(rcpts, vec![s.email_to.as_str()], "no injected recipient");
    }

    // Every malformed one is in the dead-letter topic with its reason.
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .set("group.id", unique("hostile-dlq"))
        .set("auto.offset.reset", "earliest")
        .set("fetch.message.max.bytes", "10000000")
        .create()
        .unwrap();
    consumer.subscribe(&[&s.dlq]).unwrap();
    let mut dead: BTreeMap<String, String> = BTreeMap::new();
    let expected: BTreeMap<String, String> = events
        .iter()
        .filter_map(|(k, _, r)| r.map(|r| (k.to_string(), r.to_string())))
        .collect();
    while dead.len() < expected.len() {
        let msg = tokio::time::timeout(WAIT, consumer.recv())
            .await
            .expect("dead letters")
            .unwrap();
        let key = String::from_utf8_lossy(msg.key().unwrap()).into_owned();
        let reason = msg
            .headers()
            .and_then(|h| {
                h.iter()
                    .find(|h| h.key == "wirewatch-error")
                    .and_then(|h| h.value)
            })
            .unwrap();
        dead.insert(key, String::from_utf8_lossy(reason).into_owned());
    }
    assert_eq!(dead, expected);
    println!(
        "hostile events: {} dead-lettered with reasons, 3 clean alerts, daemon alive",
        dead.len()
    );
    assert!(daemon.terminate().success(), "the daemon never crashed");
}

/// A malformed event whose copy the producer refuses for its size (here
/// `message.max.bytes` is 100 kB and the event 500 kB) is dead-lettered
/// with a shorter copy, its original length in a header, instead of being
/// dropped or holding its partition; the article after it still alerts.
#[tokio::test]
async fn a_malformed_event_too_large_to_copy_is_dead_lettered_shorter() {
    use rdkafka::config::ClientConfig;
    use rdkafka::consumer::{Consumer, StreamConsumer};
    use rdkafka::message::{Headers, Message};

    let s = Setup::new("dlq-shorter", 1).await;
    let (_dir, config) = s.write_config();
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text.replace(
        "[kafka.properties]\n",
        "[kafka.properties]\n\"message.max.bytes\" = \"100000\"\n",
    );
    assert!(text.contains("message.max.bytes"));
    std::fs::write(&config, text).unwrap();
    let daemon = Daemon::start(&config);

    let big = format!("{{\"id\": \"broken\", \"body\": \"{}", "x".repeat(500_000));
    produce(&s.topic, "big-broken", big.as_bytes()).await;
    produce(&s.topic, "good", seed_article("after-big").as_bytes()).await;

    let hooks = eventually("the alert after the big event", WAIT, || async {
        Some(webhooks(&s.webhook_path).await).filter(|h| !h.is_empty())
    })
    .await;
    assert_eq!(hooks.len(), 1);

    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .set("group.id", unique("dlq-shorter-read"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    consumer.subscribe(&[&s.dlq]).unwrap();
    let msg = tokio::time::timeout(WAIT, consumer.recv())
        .await
        .expect("the dead letter")
        .unwrap();
    let header = |name: &str| {
        msg.headers()
            .and_then(|h| h.iter().find(|h| h.key == name).and_then(|h| h.value))
            .map(|v| String::from_utf8_lossy(v).into_owned())
    };
    assert_eq!(msg.key(), Some(&b"big-broken"[..]));
    assert_eq!(header("wirewatch-error").as_deref(), Some("invalid_json"));
    assert_eq!(
        header("wirewatch-payload-bytes"),
        Some(big.len().to_string()),
        "the original length is kept"
    );
    let copied = msg.payload().map_or(0, <[u8]>::len);
    assert_eq!(copied, 64 * 1024, "a 64 KiB copy");
    assert_eq!(
        msg.payload().unwrap(),
        &big.as_bytes()[..copied],
        "the copy is the event's head"
    );
    let logs = daemon.logs();
    assert_eq!(
        logs.matches("Dead-letter copy refused for its size")
            .count(),
        1,
        "said once"
    );
    println!(
        "dead letter too large to copy: expected 1, dead-lettered 1 ({copied} of {} bytes), lost 0; the next article alerted",
        big.len()
    );
    assert!(daemon.terminate().success());
}

#[tokio::test]
async fn the_same_story_from_several_sources_alerts_once() {
    let s = Setup::new("story", 1).await;
    let opts = Options {
        notify: vec!["soc".into()],
        story_window_hours: 72,
        ..Options::default()
    };
    let port = opts.http_port;
    let (_dir, config) = s.write_config_with(&opts);
    let daemon = Daemon::start(&config);

    let mut copy: serde_json::Value = serde_json::from_str(&seed_article("story-copy")).unwrap();
    copy["source"] = "Other Wire".into();
    copy["body"] = format!(
        "{}\n\n(Reporting by Other Wire staff.)",
        copy["body"].as_str().unwrap().replace("Monday", "Tuesday")
    )
    .into();
    let other = serde_json::json!({
        "id": "story-other",
        "title": "Treasury sanctions Kaspersky executives",
        "body": "The U.S. Treasury Department on Friday imposed sanctions on 12 executives and senior leaders of Kaspersky Lab, days after the Commerce Department banned sales of the company's antivirus software.",
    });
    produce(&s.topic, "1", seed_article("story-first").as_bytes()).await;
    produce(&s.topic, "2", copy.to_string().as_bytes()).await;
    produce(&s.topic, "3", other.to_string().as_bytes()).await;
    matched_and_delivered(port, 3).await;
    assert!(daemon.terminate().success());
    let ids: BTreeSet<String> = webhook_article_ids(&s.webhook_path)
        .await
        .into_iter()
        .collect();
    assert_eq!(
        ids,
        BTreeSet::from(["story-first".to_string(), "story-other".to_string()]),
        "the republished copy does not alert again"
    );
}

/// Waits until `n` articles have matched and the outbox is empty.
async fn matched_and_delivered(port: u16, n: usize) {
    eventually(
        &format!("{n} matched articles and an empty outbox"),
        WAIT,
        || async {
            let matched = metric(port, "wirewatch_articles_total{outcome=\"matched\"}").await?;
            let pending = metric(port, "wirewatch_outbox_pending").await?;
            (matched == n as f64 && pending == 0.0).then_some(())
        },
    )
    .await;
}

/// A rule on Treasury sanctions against `companies`, notifying "soc".
fn supplier_rule(companies: &[String]) -> String {
    format!(
        "[[rule]]\nid = \"supplier-sanctions\"\ncompanies = [{}]\nagencies = [\"us-treasury\"]\nactions = [\"sanction\"]\nnotify = [\"soc\"]\n",
        companies
            .iter()
            .map(|c| format!("{c:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Fifty invented company names: 25 stems, each with two endings.
fn templated_companies() -> Vec<String> {
    const STEMS: [&str; 25] = [
        "Zorith", "Dovith", "Sarnova", "Quinolin", "Maravel", "Tolvenar", "Brixholt", "Celvano",
        "Durmont", "Elvaris", "Fennick", "Galvorn", "Harniss", "Istrova", "Jorvald", "Kelmora",
        "Lunaris", "Morvane", "Nystrel", "Orvalis", "Pentrel", "Rovanik", "Sylvore", "Tarnish",
        "Ulverin",
    ];
    ["Dynamics", "Systems"]
        .iter()
        .flat_map(|end| STEMS.iter().map(move |stem| format!("{stem} {end}")))
        .collect()
}

/// One wire-template sanctions story about company `i` of `companies`:
/// near-identical text for every company.
fn templated_story(companies: &[String], i: usize) -> String {
    const CITIES: [&str; 5] = ["Tianjin", "Dubai", "Istanbul", "Almaty", "Yerevan"];
    const GOODS: [&str; 5] = [
        "drone engines",
        "machine tools",
        "microelectronics",
        "navigation modules",
        "ball bearings",
    ];
    const DAYS: [&str; 5] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
    let company = &companies[i];
    serde_json::json!({
        "id": format!("wire-{i}"),
        "source": "Wire",
        "title": format!("Treasury sanctions {company} over supplies to blocked buyer"),
        "body": format!(
            "The Treasury Department sanctioned {company} on {day}, accusing the {city}-based supplier of shipping {goods} to a blocked buyer. \
             The designation freezes any assets the company holds under U.S. jurisdiction and bars Americans from dealing with it.\n\n\
             The department said the shipments continued after the buyer was listed last year. \
             {company} did not respond to a request for comment.",
            day = DAYS[i % 5],
            city = CITIES[i % 5],
            goods = GOODS[i / 5 % 5],
        ),
    })
    .to_string()
}

#[tokio::test]
async fn templated_stories_about_different_companies_each_alert() {
    let s = Setup::new("template", 2).await;
    let companies = templated_companies();
    let watchlist = supplier_rule(&companies);
    let opts = Options {
        notify: vec!["soc".into()],
        story_window_hours: 72,
        watchlist: Some(watchlist),
        ..Options::default()
    };
    let port = opts.http_port;
    let (_dir, config) = s.write_config_with(&opts);
    let daemon = Daemon::start(&config);
    let n = companies.len();
    for i in 0..n {
        produce(
            &s.topic,
            &format!("k{i}"),
            templated_story(&companies, i).as_bytes(),
        )
        .await;
    }
    matched_and_delivered(port, n).await;
    let logs = daemon.logs();
    assert!(daemon.terminate().success());
    let hooks = webhooks(&s.webhook_path).await;
    let ids: BTreeSet<String> = webhook_article_ids(&s.webhook_path)
        .await
        .into_iter()
        .collect();
    println!(
        "templated stories, {n} companies: expected {n}, delivered {}, lost {}, duplicated {}",
        ids.len(),
        n - ids.len(),
        hooks.len() - ids.len()
    );
    assert_eq!(
        ids.len(),
        n,
        "every company's story alerts; merged ones were logged as:\n{}",
        logs.lines()
            .filter(|l| l.contains("Same story"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(hooks.len(), n, "and once");
}

#[tokio::test]
async fn three_outlets_copies_of_one_story_alert_once_with_two_copies_attached() {
    let s = Setup::new("outlets", 1).await;
    let companies = templated_companies();
    let watchlist = supplier_rule(&companies[..1]);
    let opts = Options {
        notify: vec!["soc".into()],
        story_window_hours: 72,
        watchlist: Some(watchlist),
        ..Options::default()
    };
    let port = opts.http_port;
    let (dir, config) = s.write_config_with(&opts);
    let daemon = Daemon::start(&config);
    let original: serde_json::Value =
        serde_json::from_str(&templated_story(&companies, 0)).unwrap();
    for (n, outlet) in ["Wire", "Daily Ledger", "Trade Monitor"].iter().enumerate() {
        let mut copy = original.clone();
        copy["id"] = format!("outlet-{n}").into();
        copy["source"] = (*outlet).into();
        copy["body"] = format!(
            "{}\n\n(Reporting by {outlet} staff.)",
            copy["body"].as_str().unwrap()
        )
        .into();
        produce(&s.topic, "k", copy.to_string().as_bytes()).await;
    }
    matched_and_delivered(port, 3).await;
    assert!(daemon.terminate().success());
    let ids = webhook_article_ids(&s.webhook_path).await;
    println!(
        "three outlets' copies: expected 1 alert, delivered {}, duplicated {}",
        ids.len(),
        ids.len().saturating_sub(1)
    );
    assert_eq!(ids, ["outlet-0"], "one alert, for the first copy");
    let store = wirewatch::store::Store::open(&dir.path().join("state")).unwrap();
    let first = store
        .alert(&wirewatch::alert::alert_id(
            "supplier-sanctions",
            "outlet-0",
        ))
        .unwrap()
        .expect("the first copy's alert is in the outbox");
    let also: Vec<&str> = first
        .alert
        .also_reported_by
        .iter()
        .map(|a| a.id.as_str())
        .collect();
    assert_eq!(
        also,
        ["outlet-1", "outlet-2"],
        "the two later copies attached"
    );
}

/// Distinct Kaspersky stories, so story dedup cannot hide a loss.
fn story(i: usize) -> String {
    serde_json::json!({
        "id": format!("group-{i}"),
        "title": format!("Commerce Department sanctions Kaspersky unit {i}"),
        "body": format!("The U.S. Commerce Department on day {i} sanctioned Kaspersky subsidiary number {i} in region {}, banning its sales.", i * 7919 % 1000),
    })
    .to_string()
}

/// Produces stories `range` to the setup's topic.
async fn produce_stories(s: &Setup, range: std::ops::Range<usize>) {
    for i in range {
        produce_on(&s.brokers, &s.topic, &format!("k{i}"), story(i).as_bytes()).await;
    }
}

/// Waits until `n` distinct articles have alerted on the setup's webhook,
/// prints expected / delivered / lost / duplicated for `scenario`, and
/// returns (distinct article ids, webhook requests in all).
async fn count_alerted(s: &Setup, n: usize, scenario: &str) -> (BTreeSet<String>, usize) {
    let ids = eventually(
        &format!("every article alerted ({scenario})"),
        WAIT,
        || async {
            let ids: BTreeSet<String> = webhook_article_ids(&s.webhook_path)
                .await
                .into_iter()
                .collect();
            (ids.len() >= n).then_some(ids)
        },
    )
    .await;
    // Let a late redelivery show up before counting.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let total = webhooks(&s.webhook_path).await.len();
    println!(
        "{scenario}: expected {n}, delivered {}, lost {}, duplicated {}",
        ids.len(),
        n - ids.len(),
        total - ids.len()
    );
    (ids, total)
}

/// The sent log's publish window as the replica on `port` measured it
/// (`wirewatch_sent_log_publish_seconds`): publishes, mean, and the
/// bucket bound every publish fell under; printed, and returned as
/// (count, skipped deliveries).
async fn print_publish_window(port: u16, scenario: &str) -> (u64, u64) {
    let text = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let value = |series: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let count = value("wirewatch_sent_log_publish_seconds_count");
    let sum = value("wirewatch_sent_log_publish_seconds_sum");
    let max_bound = text
        .lines()
        .filter_map(|l| l.strip_prefix("wirewatch_sent_log_publish_seconds_bucket{le=\""))
        .filter_map(|l| {
            let (le, n) = l.split_once("\"} ")?;
            Some((le.parse::<f64>().ok()?, n.trim().parse::<f64>().ok()?))
        })
        .find(|(_, n)| *n >= count)
        .map_or(f64::INFINITY, |(le, _)| le);
    let skipped =
        value("wirewatch_deliveries_total{channel=\"soc\",outcome=\"skipped_sent_elsewhere\"}");
    println!(
        "{scenario}: sent-but-not-published window: {count} publishes, mean {:.1} ms, all under {:.1} ms; {skipped} deliveries skipped as sent by another replica",
        if count > 0.0 { sum / count * 1000.0 } else { 0.0 },
        max_bound * 1000.0
    );
    (count as u64, skipped as u64)
}

#[tokio::test]
async fn two_instances_in_one_group_and_one_killed_the_survivor_takes_over() {
    let s = Setup::new("group", 4).await;
    let opts_a = Options {
        notify: vec!["soc".into()],
        ..Options::default()
    };
    let opts_b = Options {
        notify: vec!["soc".into()],
        ..Options::default()
    };
    let (_dir_a, config_a) = s.write_config_with(&opts_a);
    let (_dir_b, config_b) = s.write_config_with(&opts_b);
    let a = Daemon::start(&config_a);
    let b = Daemon::start(&config_b);
    // Both hold partitions before the first batch.
    for port in [opts_a.http_port, opts_b.http_port] {
        eventually("a ready instance", WAIT, || async {
            reqwest::get(format!("http://127.0.0.1:{port}/readyz"))
                .await
                .ok()
                .filter(|r| r.status() == 200)
        })
        .await;
    }
    const N: usize = 40;
    produce_stories(&s, 0..N / 2).await;
    eventually("the first batch", WAIT, || async {
        (webhooks(&s.webhook_path).await.len() >= N / 2).then_some(())
    })
    .await;
    print_publish_window(opts_a.http_port, "killed instance, on it just before").await;
    drop(a); // SIGKILL
    produce_stories(&s, N / 2..N).await;
    let (ids, total) = count_alerted(&s, N, "killed instance").await;
    assert_eq!(ids.len(), N, "nothing lost");
    let (published, _) =
        print_publish_window(opts_b.http_port, "killed instance, on the survivor").await;
    assert!(published > 0, "the survivor published what it sent");
    assert_eq!(
        total, N,
        "no duplicate: the survivor skips what the dead replica published to the sent topic"
    );
    assert!(b.terminate().success());
}

/// After a replica died, the broker (tansu 0.6) kept the group's old
/// assignment, so the dead replica's partition was never consumed again
/// (`examples/group_takeover.rs` shows it without wirewatch). Every
/// article goes to one partition of the replica that joined second, which
/// is killed halfway; the survivor must take the partition over (the stall
/// watchdog rejoins the group when the coordinator does not reassign it).
#[tokio::test]
async fn the_replica_holding_the_only_busy_partition_killed_mid_burst() {
    let s = Setup::new("takeover", 4).await;
    // The daemon's default session timeout, as in the report.
    let opts = [0, 1].map(|_| Options {
        notify: vec!["soc".into()],
        session_timeout_ms: 10_000,
        ..Options::default()
    });
    let (_dir_a, config_a) = s.write_config_with(&opts[0]);
    let (_dir_b, config_b) = s.write_config_with(&opts[1]);
    let ready = |port: u16| async move {
        eventually("a ready instance", WAIT, || async {
            reqwest::get(format!("http://127.0.0.1:{port}/readyz"))
                .await
                .ok()
                .filter(|r| r.status() == 200)
        })
        .await;
    };
    // B joins once A holds partitions, as in the report: A leads the group.
    let a = Daemon::start(&config_a);
    ready(opts[0].http_port).await;
    let b = Daemon::start(&config_b);
    ready(opts[1].http_port).await;
    let target = eventually("B's assignment in its log", WAIT, || async {
        b.assigned_partitions().first().copied()
    })
    .await;
    const N: usize = 40;
    let mut b = Some(b);
    for i in 0..N {
        if i == N / 2 {
            print_publish_window(
                opts[1].http_port,
                "busy partition killed, on it just before",
            )
            .await;
            b = None; // SIGKILL
            println!("killed B, which holds partition {target}, after {i} articles");
        }
        produce_to(&s.brokers, &s.topic, target, "one-key", story(i).as_bytes()).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(b.is_none());
    let (ids, total) = count_alerted(&s, N, "replica holding the busy partition killed").await;
    assert_eq!(ids.len(), N, "nothing lost");
    print_publish_window(opts[0].http_port, "busy partition killed, on the survivor").await;
    let logs = a.logs();
    assert!(a.terminate().success());
    println!(
        "the survivor rejoined the group after a stall: {} (duplicates: {})",
        logs.contains("Rejoining the group"),
        total - N
    );
    assert_eq!(
        total, N,
        "no duplicate: the survivor skips what the dead replica published to the sent topic"
    );
}

/// One replica alone with the sent log on: it publishes each delivery,
/// and when it dies before committing and is replaced by one on an empty
/// disk (no outbox: a pod rescheduled without its volume), the replacement
/// re-reads every message from Kafka and sends none of them again.
#[tokio::test]
async fn one_replica_with_the_sent_log_and_its_replacement_on_an_empty_disk_send_each_alert_once() {
    let s = Setup::new("sent-one", 1).await;
    // Nothing committed while it runs: the replacement re-reads everything.
    let env = [(
        "WIREWATCH__KAFKA__PROPERTIES__AUTO_COMMIT_INTERVAL_MS",
        "600000",
    )];
    let opts = Options {
        notify: vec!["soc".into()],
        ..Options::default()
    };
    let (_dir, config) = s.write_config_with(&opts);
    let first = Daemon::start_with(&config, &env);
    eventually("the sent log on", WAIT, || async {
        (metric(opts.http_port, "wirewatch_sent_log_enabled").await? == 1.0).then_some(())
    })
    .await;
    const N: usize = 10;
    produce_stories(&s, 0..N).await;
    let (ids, total) = count_alerted(&s, N, "one replica, sent log on").await;
    assert_eq!((ids.len(), total), (N, N), "each alert once");
    let (published, _) = print_publish_window(opts.http_port, "one replica").await;
    assert_eq!(published as usize, N, "one publish per delivery");
    assert!(
        first
            .logs()
            .contains("Sharing deliveries done with the other replicas."),
        "{}",
        first.logs()
    );
    // Created compacted, and deleted past delivery.max_age_secs (3600 s
    // in these configs), as the broker reports it.
    let configs = topic_configs(&s.brokers, &format!("{}.sent", s.group)).await;
    println!("the sent topic's configuration as the broker reports it: {configs:?}");
    assert_eq!(
        configs.get("cleanup.policy").map(String::as_str),
        Some("compact,delete")
    );
    assert_eq!(
        configs.get("retention.ms").map(String::as_str),
        Some("3600000")
    );
    drop(first); // SIGKILL, before any commit

    let opts2 = Options {
        notify: vec!["soc".into()],
        ..Options::default()
    };
    let (_dir2, config2) = s.write_config_with(&opts2);
    let second = Daemon::start_with(&config2, &env);
    let skipped = eventually("the replacement re-read every message", WAIT, || async {
        let n = metric(
            opts2.http_port,
            "wirewatch_deliveries_total{channel=\"soc\",outcome=\"skipped_sent_elsewhere\"}",
        )
        .await?;
        (n >= N as f64).then_some(n)
    })
    .await;
    let (ids, total) = count_alerted(&s, N, "replacement on an empty disk").await;
    println!("replacement on an empty disk: {skipped} deliveries skipped as already sent");
    assert_eq!(ids.len(), N, "nothing lost");
    assert_eq!(total, N, "the replacement sent nothing again");
    assert!(second.terminate().success());
}

/// A topic's configuration as the broker describes it.
async fn topic_configs(brokers: &str, topic: &str) -> BTreeMap<String, String> {
    use rdkafka::admin::{AdminClient, AdminOptions, ResourceSpecifier};
    use rdkafka::client::DefaultClientContext;
    let admin: AdminClient<DefaultClientContext> = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()
        .unwrap();
    let results = admin
        .describe_configs([&ResourceSpecifier::Topic(topic)], &AdminOptions::new())
        .await
        .expect("describe_configs");
    let resource = results
        .into_iter()
        .next()
        .expect("one resource")
        .expect("described");
    resource
        .entries
        .into_iter()
        .filter_map(|e| Some((e.name, e.value?)))
        .collect()
}

/// A sent topic that cannot be used: one warning, the sent log off
/// (`wirewatch_sent_log_enabled` 0), and delivery as without it, each
/// alert once. The name breaks Kafka's topic-name rule, which Kafka
/// brokers enforce; tansu 0.6 accepts any name, so here it is wirewatch's
/// own check of that rule that refuses it, before the broker is asked.
#[tokio::test]
async fn an_unusable_sent_topic_warns_once_and_delivers_each_alert_once() {
    let s = Setup::new("sent-off", 2).await;
    let opts = Options {
        notify: vec!["soc".into()],
        ..Options::default()
    };
    let (_dir, config) = s.write_config_with(&opts);
    let daemon = Daemon::start_with(&config, &[("WIREWATCH__KAFKA__SENT_TOPIC", "sent log!")]);
    eventually("a ready instance", WAIT, || async {
        reqwest::get(format!("http://127.0.0.1:{}/readyz", opts.http_port))
            .await
            .ok()
            .filter(|r| r.status() == 200)
    })
    .await;
    assert_eq!(
        metric(opts.http_port, "wirewatch_sent_log_enabled").await,
        Some(0.0)
    );
    const N: usize = 10;
    produce_stories(&s, 0..N).await;
    let (ids, total) = count_alerted(&s, N, "sent topic refused").await;
    assert_eq!((ids.len(), total), (N, N), "each alert once");
    assert_eq!(
        metric(opts.http_port, "wirewatch_sent_log_publish_seconds_count").await,
        Some(0.0),
        "nothing published"
    );
    let logs = daemon.logs();
    assert!(daemon.terminate().success());
    let warnings: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("Cannot use the sent topic"))
        .collect();
    assert_eq!(warnings.len(), 1, "one warning:\n{logs}");
    assert!(
        warnings[0].contains("\"level\":\"WARN\""),
        "{}",
        warnings[0]
    );
    println!("sent topic refused: {}", warnings[0]);
}

#[tokio::test]
async fn broker_killed_and_restarted_mid_stream_loses_nothing() {
    let mut broker = Broker::start();
    let s = Setup::on(&broker.address(), "restart", 2).await;
    let opts = Options {
        notify: vec!["soc".into()],
        ..Options::default()
    };
    let (_dir, config) = s.write_config_with(&opts);
    let mut daemon = Daemon::start(&config);
    const N: usize = 30;
    let third = N / 3;
    produce_stories(&s, 0..third).await;
    eventually("alerts before the broker goes down", WAIT, || async {
        (webhook_article_ids(&s.webhook_path).await.len() >= third).then_some(())
    })
    .await;
    // Mid-stream: these are in the log, but the daemon may not have read,
    // matched or committed them when the broker dies.
    produce_stories(&s, third..2 * third).await;
    broker.kill();
    // The daemon rides out the outage: it logs, retries, and keeps running.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(
        daemon.is_running(),
        "wirewatch exited while the broker was down; log:\n{}",
        daemon.logs()
    );
    broker.restart();
    produce_stories(&s, 2 * third..N).await;
    let (ids, total) = count_alerted(&s, N, "broker restart").await;
    assert_eq!(ids.len(), N, "nothing lost");
    assert_eq!(
        total, N,
        "one instance sends each alert once, whatever Kafka redelivers"
    );
    assert!(daemon.terminate().success());
}
