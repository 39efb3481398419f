//! End to end against the real broker (tansu), SMTP server (maildev) and
//! webhook receiver started by `scripts/test`: the daemon binary consumes,
//! matches, emails and posts signed webhooks, dead-letters malformed events
//! and resumes from its committed offset after a restart.
// Needs the services scripts/test starts: `cargo test --features services`.
#![cfg(feature = "services")]

mod common;

use std::time::Duration;

use common::*;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::{Headers, Message};
use wirewatch::notify::webhook;

const WAIT: Duration = Duration::from_secs(60);

/// Checks a recorded webhook request: headers present, signature valid,
/// `webhook-id` equal to the body's `alert_id`. Returns the body.
fn verified_body(req: &serde_json::Value, key: &[u8]) -> serde_json::Value {
    let h = &req["headers"];
    let id = h["webhook-id"].as_str().expect("webhook-id header");
    let ts: i64 = h["webhook-timestamp"]
        .as_str()
        .expect("webhook-timestamp header")
        .parse()
        .unwrap();
    let sig = h["webhook-signature"]
        .as_str()
        .expect("webhook-signature header");
    let body = req["body"].as_str().unwrap();
    assert!(
        webhook::verify(key, id, ts, body.as_bytes(), sig),
        "signature does not verify: {req}"
    );
    assert!(!webhook::verify(
        b"another key, not the channel's",
        id,
        ts,
        body.as_bytes(),
        sig
    ));
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(json["alert_id"], id);
    json
}

#[tokio::test]
async fn seed_article_gives_an_email_and_a_signed_webhook() {
    let s = Setup::new("seed", 1).await;
    let (_dir, config) = s.write_config();
    let daemon = Daemon::start(&config);
    produce(&s.topic, "seed", seed_article("seed-1").as_bytes()).await;

    let mails = eventually("the alert email in maildev", WAIT, || async {
        Some(emails_to(&s.email_to).await).filter(|m| !m.is_empty())
    })
    .await;
    assert_eq!(mails.len(), 1, "{mails:#?}");
    let mail = &mails[0];
    let subject = mail["subject"].as_str().unwrap();
    assert!(
        subject.starts_with("[HIGH] Kaspersky"),
        "subject: {subject}"
    );
    assert!(
        subject.contains("sanction")
            && subject.contains("Kaspersky Lab to Cut U.S. Operations After Sanctions"),
        "subject: {subject}"
    );
    let text = mail["text"].as_str().unwrap();
    assert!(
        text.contains("[U.S. Commerce Department] [sanctioned] the company in June"),
        "evidence missing in text part:\n{text}"
    );
    let html = mail["html"].as_str().unwrap();
    assert!(
        html.contains("background-color:#fecaca;color:#1a202c;font-weight:bold;padding:0 2px;\">sanctioned</span>"),
        "highlight missing in HTML part"
    );

    let hooks = eventually("the webhook", WAIT, || async {
        Some(webhooks(&s.webhook_path).await).filter(|h| !h.is_empty())
    })
    .await;
    assert_eq!(hooks.len(), 1);
    let body = verified_body(&hooks[0], &s.key);
    // One alert id names the alert in both channels.
    let message_id = mail["headers"]["message-id"].as_str().unwrap_or_default();
    assert_eq!(
        message_id,
        format!("<{}@wirewatch>", body["alert_id"].as_str().unwrap())
    );
    assert_eq!(body["rule_id"], "kaspersky-us");
    assert_eq!(body["severity"], "high");
    assert_eq!(body["article"]["id"], "seed-1");
    assert_eq!(body["matched"]["agency"]["id"], "us-commerce");
    assert!(body["evidence"][0]["spans"]
        .as_array()
        .is_some_and(|s| !s.is_empty()));

    let status = daemon.terminate();
    assert!(
        status.success(),
        "wirewatch exited with {status} on SIGTERM"
    );
}

#[tokio::test]
async fn malformed_event_is_dead_lettered_and_the_next_one_still_alerts() {
    let s = Setup::new("dlq", 1).await;
    let (_dir, config) = s.write_config();
    let daemon = Daemon::start(&config);
    produce(&s.topic, "bad", b"{\"id\": \"broken\", \"title\": ").await;
    produce(&s.topic, "good", seed_article("after-bad").as_bytes()).await;

    let hooks = eventually("the alert after the malformed event", WAIT, || async {
        Some(webhooks(&s.webhook_path).await).filter(|h| !h.is_empty())
    })
    .await;
    assert_eq!(
        verified_body(&hooks[0], &s.key)["article"]["id"],
        "after-bad"
    );

    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .set("group.id", unique("dlq-reader"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    consumer.subscribe(&[&s.dlq]).unwrap();
    let msg = tokio::time::timeout(WAIT, consumer.recv())
        .await
        .expect("a dead-letter message")
        .unwrap();
    assert_eq!(
        msg.payload(),
        Some(&b"{\"id\": \"broken\", \"title\": "[..])
    );
    assert_eq!(msg.key(), Some(&b"bad"[..]));
    let headers = msg.headers().expect("dead-letter headers");
    let reason = headers
        .iter()
        .find(|h| h.key == "wirewatch-error")
        .and_then(|h| h.value)
        .expect("wirewatch-error header");
    assert_eq!(reason, b"invalid_json");
    let logs = daemon.logs();
    assert_eq!(
        logs.matches("Malformed event").count(),
        1,
        "logged once:\n{logs}"
    );
    assert!(daemon.terminate().success());
}

#[tokio::test]
async fn a_restart_resumes_from_the_committed_offset() {
    let s = Setup::new("restart", 1).await;
    let (_dir, config) = s.write_config();

    let first = Daemon::start(&config);
    produce(&s.topic, "a", seed_article("before-restart").as_bytes()).await;
    eventually("the first alert", WAIT, || async {
        Some(webhooks(&s.webhook_path).await).filter(|h| !h.is_empty())
    })
    .await;
    let status = first.terminate();
    assert!(status.success(), "first run exited with {status}");

    produce(&s.topic, "b", seed_article("after-restart").as_bytes()).await;
    let second = Daemon::start(&config);
    let hooks = eventually(
        "the alert for the article produced while stopped",
        WAIT,
        || async {
            let h = webhooks(&s.webhook_path).await;
            h.iter()
                .any(|r| {
                    r["body"]
                        .as_str()
                        .unwrap_or_default()
                        .contains("after-restart")
                })
                .then_some(h)
        },
    )
    .await;
    // One partition: had the first article not been committed, its second
    // delivery would have arrived before the second article's.
    let ids: Vec<String> = hooks
        .iter()
        .map(|r| {
            verified_body(r, &s.key)["article"]["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        ids,
        vec!["before-restart", "after-restart"],
        "second run logs:\n{}",
        second.logs()
    );
    assert!(second.terminate().success());
}
