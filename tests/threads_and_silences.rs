//! Email threading and silences end to end (issue 14): the real binary
//! replays articles (`run --input`) through maildev, and the test reads
//! the headers maildev received; `silence add|list|remove` run as users
//! run them, between the replays.
//!
//! Needs the SMTP server scripts/test starts: `cargo test --features services`.
#![cfg(feature = "services")]

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use common::{emails_to, eventually, seed_article, service, unique};

fn wirewatch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wirewatch"))
        .args(args)
        .output()
        .expect("run wirewatch")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A config delivering to maildev only, story dedup off (every article
/// is an alert of its own), threading within 30 days.
fn config(dir: &Path, to: &str) -> String {
    let smtp = service("WIREWATCH_TEST_SMTP");
    let (host, port) = smtp.rsplit_once(':').unwrap();
    std::fs::create_dir(dir.join("watchlists")).unwrap();
    std::fs::write(
        dir.join("watchlists/sanctions.toml"),
        r#"
[[rule]]
id = "kaspersky-us"
companies = [{ name = "Kaspersky", aliases = ["Kaspersky Lab"] }]
agencies = ["us-commerce", "us-treasury"]
actions = ["sanction", "ban"]
severity = "high"
notify = ["compliance"]
"#,
    )
    .unwrap();
    let path = dir.join("wirewatch.toml");
    std::fs::write(
        &path,
        format!(
            r#"
watchlists = "watchlists"
[kafka]
brokers = "127.0.0.1:1"
topics = ["unused"]
[store]
path = "{state}"
story_window_hours = 0
thread_window_days = 30
[smtp]
host = "{host}"
port = {port}
security = "none"
from = "Wirewatch Test <alerts@wirewatch.test>"
[http]
listen = "127.0.0.1:0"
[delivery]
max_attempts = 3
initial_backoff_ms = 200
[[channel]]
id = "compliance"
type = "email"
to = ["{to}"]
"#,
            state = dir.join("state").display()
        ),
    )
    .unwrap();
    path.display().to_string()
}

/// Replays one article through the daemon; it exits once delivered.
fn replay(dir: &Path, config: &str, id: &str) {
    let input = dir.join(format!("{id}.jsonl"));
    std::fs::write(&input, seed_article(id) + "\n").unwrap();
    ok(&wirewatch(&[
        "run",
        "--config",
        config,
        "--input",
        input.to_str().unwrap(),
    ]));
}

fn header<'a>(mail: &'a serde_json::Value, name: &str) -> &'a str {
    mail["headers"][name].as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_ups_thread_under_the_first_email_and_silenced_alerts_are_kept_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let to = format!("{}@example.com", unique("threads"));
    let config = config(dir.path(), &to);

    replay(dir.path(), &config, &unique("first"));
    replay(dir.path(), &config, &unique("second"));
    let mails = eventually("two emails", Duration::from_secs(20), || async {
        let m = emails_to(&to).await;
        (m.len() >= 2).then_some(m)
    })
    .await;
    let first = mails
        .iter()
        .find(|m| header(m, "in-reply-to").is_empty())
        .expect("the first email starts the thread");
    let second = mails
        .iter()
        .find(|m| !header(m, "in-reply-to").is_empty())
        .expect("the second email is a follow-up");
    let root = header(first, "message-id");
    assert!(
        root.starts_with("<alrt_") && root.ends_with("@wirewatch>"),
        "{root}"
    );
    assert_eq!(header(second, "in-reply-to"), root);
    assert_eq!(header(second, "references"), root);
    let subject = first["subject"].as_str().unwrap();
    assert_eq!(
        second["subject"].as_str().unwrap(),
        format!("Re: {subject}")
    );
    assert_ne!(header(second, "message-id"), root);
    assert!(
        second["text"]
            .as_str()
            .unwrap()
            .starts_with("Follow-up: [HIGH] Kaspersky"),
        "{}",
        second["text"]
    );

    // A silence on the rule: the next alert is kept, silenced, not sent.
    let added = ok(&wirewatch(&[
        "silence",
        "add",
        "--config",
        &config,
        "--rule",
        "kaspersky-us",
        "--until",
        "1h",
        "--reason",
        "known story, reviewed",
        "--by",
        "ana",
    ]));
    let id = added.split_whitespace().next().unwrap().to_string();
    assert!(id.starts_with("sil_"), "{added}");
    let listed = ok(&wirewatch(&["silence", "list", "--config", &config]));
    assert!(
        listed.contains(&id) && listed.contains("by ana: known story, reviewed"),
        "{listed}"
    );
    replay(dir.path(), &config, &unique("silenced"));
    let kept = ok(&wirewatch(&[
        "outbox", "list", "--config", &config, "--status", "silenced",
    ]));
    assert!(
        kept.contains("silenced") && kept.contains("1 deliveries"),
        "{kept}"
    );

    // Lifting it sends nothing it held back; the next alert goes out,
    // threaded like the others.
    let lifted = ok(&wirewatch(&[
        "silence", "remove", &id, "--config", &config, "--by", "bo",
    ]));
    assert!(
        lifted.contains("lifted") && lifted.contains("by bo"),
        "{lifted}"
    );
    replay(dir.path(), &config, &unique("after"));
    let mails = eventually("the third email", Duration::from_secs(20), || async {
        let m = emails_to(&to).await;
        (m.len() >= 3).then_some(m)
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mails_now = emails_to(&to).await;
    assert_eq!(mails_now.len(), 3, "the silenced alert was never sent");
    assert!(mails
        .iter()
        .filter(|m| m["messageId"] != first["messageId"])
        .all(|m| header(m, "in-reply-to") == root));
}

/// The daemon holds the store: `silence` refuses, says why, changes nothing.
#[test]
fn silence_refuses_while_the_store_is_held() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "x@example.com");
    let held = wirewatch::store::Store::open(&dir.path().join("state")).unwrap();
    let out = wirewatch(&[
        "silence",
        "add",
        "--config",
        &config,
        "--channel",
        "compliance",
        "--until",
        "1h",
        "--reason",
        "maintenance",
        "--by",
        "ana",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the daemon is running and holds the store"),
        "{err}"
    );
    assert!(err.contains("nothing was changed"), "{err}");
    drop(held);
    ok(&wirewatch(&[
        "silence",
        "add",
        "--config",
        &config,
        "--channel",
        "compliance",
        "--until",
        "1h",
        "--reason",
        "maintenance",
        "--by",
        "ana",
    ]));
    let out = wirewatch(&[
        "silence",
        "add",
        "--config",
        &config,
        "--channel",
        "nope",
        "--until",
        "1h",
        "--reason",
        "x",
        "--by",
        "ana",
    ]);
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such channel"));
}
