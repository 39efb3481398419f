//! The admin endpoints of a running daemon: `/healthz`, `/readyz` and
//! `/metrics`, whose exposition passes `promtool check metrics`.
// Needs the services scripts/test starts: `cargo test --features services`.
#![cfg(feature = "services")]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;

const WAIT: Duration = Duration::from_secs(60);

#[tokio::test]
async fn health_readiness_and_metrics() {
    let s = Setup::new("admin", 1).await;
    let opts = Options {
        notify: vec!["soc".into()],
        ..Options::default()
    };
    let port = opts.http_port;
    let (_dir, config) = s.write_config_with(&opts);
    let daemon = Daemon::start(&config);
    let base = format!("http://127.0.0.1:{port}");

    eventually("/healthz", WAIT, || async {
        reqwest::get(format!("{base}/healthz"))
            .await
            .ok()
            .filter(|r| r.status() == 200)
    })
    .await;
    // Ready once partitions are assigned.
    eventually("/readyz", WAIT, || async {
        reqwest::get(format!("{base}/readyz"))
            .await
            .ok()
            .filter(|r| r.status() == 200)
    })
    .await;

    produce(&s.topic, "a", seed_article("admin-1").as_bytes()).await;
    produce(&s.topic, "b", b"not json").await;
    eventually("a delivered alert", WAIT, || async {
        (metric(
            port,
            "wirewatch_deliveries_total{channel=\"soc\",outcome=\"delivered\"}",
        )
        .await?
            == 1.0)
            .then_some(())
    })
    .await;
    eventually("the malformed event counted", WAIT, || async {
        (metric(port, "wirewatch_articles_total{outcome=\"malformed\"}").await? == 1.0)
            .then_some(())
    })
    .await;
    // librdkafka reports lag in its periodic statistics.
    let text = eventually("consumer lag", WAIT, || async {
        let text = reqwest::get(format!("{base}/metrics"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        text.contains("wirewatch_consumer_lag{").then_some(text)
    })
    .await;
    for series in [
        "wirewatch_articles_total{outcome=\"matched\"} 1",
        "wirewatch_alerts_total{rule=\"kaspersky-us\"} 1",
        "wirewatch_outbox_pending 0",
        "wirewatch_match_seconds_count 1",
        "wirewatch_end_to_end_seconds_count 1",
    ] {
        assert!(text.contains(series), "{series} missing in\n{text}");
    }
    let lag = format!(
        "wirewatch_consumer_lag{{partition=\"0\",topic=\"{}\"}} 0",
        s.topic
    );
    assert!(text.contains(&lag), "{lag} missing in\n{text}");

    // Prometheus's own linter accepts the exposition.
    let mut promtool = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool on PATH (scripts/test installs Debian's prometheus package)");
    promtool
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = promtool.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(daemon.terminate().success());
}
