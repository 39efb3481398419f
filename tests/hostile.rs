//! Hostile peers and hostile input against the real binary (issue 16),
//! none of which needs an external service: each test starts its hostile
//! peer itself on 127.0.0.1.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::*;

/// A folder with a watchlist firing on the seed article and notifying the
/// channel `soc`, the seed article as `articles.jsonl`, and a config with
/// `channel` (TOML for one `[[channel]]` with id "soc") and `extra` TOML.
fn setup(channel: &str, extra: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("rules.toml"),
        r#"[[rule]]
id = "kaspersky-us"
companies = ["Kaspersky"]
agencies = ["us-commerce"]
actions = ["sanction"]
notify = ["soc"]
"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("articles.jsonl"),
        seed_article("hostile-1") + "\n",
    )
    .unwrap();
    let config = dir.path().join("wirewatch.toml");
    std::fs::write(
        &config,
        format!(
            r#"watchlists = "rules.toml"
[kafka]
brokers = "127.0.0.1:9"
topics = ["articles"]
[store]
path = "state"
[delivery]
max_attempts = 1
{extra}
[[channel]]
id = "soc"
{channel}
"#
        ),
    )
    .unwrap();
    (dir, config)
}

fn wirewatch(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wirewatch"))
        .args(args)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .env("RUST_LOG", "info")
        .envs(env.iter().copied())
        .output()
        .expect("run wirewatch")
}

/// A loopback "proxy" that counts the connections it gets and answers
/// 200 to each.
fn counting_proxy() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            seen.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 65536];
            let _ = conn.read(&mut buf);
            let _ = conn
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        }
    });
    (url, count)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Issue 16: with HTTP_PROXY/HTTPS_PROXY set, signed alerts to metadata
/// and loopback targets (`allow_private = false`) were handed to the proxy,
/// which resolved them itself. Webhooks now never use environment proxies.
#[test]
fn environment_proxies_never_carry_webhooks() {
    let (proxy, contacted) = counting_proxy();
    let (secret, _) = webhook_secret();
    for target in [
        "http://localhost:9464/metrics",
        "http://metadata.google.internal/computeMetadata/v1/",
    ] {
        let (dir, config) = setup(
            &format!("type = \"webhook\"\nurl = \"{target}\"\nsecret = \"{secret}\""),
            "",
        );
        let input = dir.path().join("articles.jsonl");
        let out = wirewatch(
            &["run", "--config", path(&config), "--input", path(&input)],
            &[
                ("HTTP_PROXY", &proxy),
                ("HTTPS_PROXY", &proxy),
                ("ALL_PROXY", &proxy),
                ("http_proxy", &proxy),
                ("https_proxy", &proxy),
            ],
        );
        let log = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{log}");
        assert!(log.contains("failed for good"), "{log}");
    }
    assert_eq!(
        contacted.load(Ordering::SeqCst),
        0,
        "a request reached the proxy"
    );
}

/// Issue 16: a misspelt librdkafka property passed `check` and `run`,
/// which then printed `No such configuration property: "sasl.passwd"`
/// with the value; a TOML syntax error printed the line with the secret.
#[test]
fn check_refuses_a_misspelt_kafka_property_without_echoing_secrets() {
    let (secret, _) = webhook_secret();
    let (_dir, config) = setup(
        &format!(
            "type = \"webhook\"\nurl = \"https://hooks.example.com/x\"\nsecret = \"{secret}\""
        ),
        "",
    );
    let env = [("WIREWATCH__KAFKA__PROPERTIES__SASL_PASSWD", "hunter2-007")];
    for command in ["check", "run"] {
        let out = wirewatch(&[command, "--config", path(&config)], &env);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(64), "{command}: {stderr}");
        assert!(
            stderr.contains("No such configuration property: \"sasl.passwd\""),
            "{command}: {stderr}"
        );
        assert!(!stderr.contains("hunter2"), "{command}: {stderr}");
    }
    let src = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        src.replace(&format!("\"{secret}\""), &format!("\"{secret}")),
    )
    .unwrap();
    let out = wirewatch(&["check", "--config", path(&config)], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(64), "{stderr}");
    assert!(stderr.contains("TOML syntax error"), "{stderr}");
    assert!(!stderr.contains(&secret[6..16]), "{stderr}");
}

/// Issue 16: a truncated store file made `run` and `outbox` panic in a
/// redb assertion (exit 101, restarted in a loop by systemd). Now they
/// exit 65 naming the file and the commands that help, `outbox check`
/// says it is damaged, and only an explicit `repair --start-fresh` starts
/// an empty outbox, keeping the damaged file.
#[test]
fn a_truncated_store_stops_run_and_outbox_with_a_clear_message() {
    let (secret, _) = webhook_secret();
    let (dir, config) = setup(
        &format!("type = \"webhook\"\nurl = \"http://127.0.0.1:9/\"\nsecret = \"{secret}\""),
        "",
    );
    let input = dir.path().join("articles.jsonl");
    let run = ["run", "--config", path(&config), "--input", path(&input)];
    let out = wirewatch(&run, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = dir.path().join("state/wirewatch.redb");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&store)
        .unwrap()
        .set_len(4096)
        .unwrap();
    for args in [
        &run[..],
        &["outbox", "list", "--config", path(&config)],
        &["outbox", "check", "--config", path(&config)],
        &["outbox", "repair", "--config", path(&config)],
    ] {
        let out = wirewatch(args, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(65), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!("{} is damaged", store.display()))
                || stderr.contains(&format!("{} cannot be repaired", store.display())),
            "{stderr}"
        );
        assert!(stderr.contains("wirewatch outbox repair"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(
            std::fs::metadata(&store).unwrap().len(),
            4096,
            "{args:?} changed the file"
        );
    }
    let out = wirewatch(
        &[
            "outbox",
            "repair",
            "--start-fresh",
            "--config",
            path(&config),
        ],
        &[],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("started an empty outbox"), "{stdout}");
    let kept: Vec<_> = std::fs::read_dir(dir.path().join("state"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("damaged"))
        .collect();
    assert_eq!(kept.len(), 1, "the damaged file is kept");
    let out = wirewatch(&["outbox", "check", "--config", path(&config)], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Issue 16: with Kafka unreachable (a broker that accepts connections and
/// never answers), SIGTERM at start was ignored for about 70 s (metadata
/// timeout, then CreateTopics timeout), past systemd's 45 s stop timeout.
/// Every startup wait now watches the shutdown signal. (The 30 s bound is
/// `Daemon::terminate`'s, as for every other stop in the suite.)
#[test]
fn sigterm_while_kafka_does_not_answer_stops_the_daemon() {
    let broker = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = broker.local_addr().unwrap().to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in broker.incoming() {
            let Ok(conn) = conn else { return };
            held.push(conn);
            let _ = tx.send(());
        }
    });
    let (secret, _) = webhook_secret();
    let (_dir, config) = setup(
        &format!(
            "type = \"webhook\"\nurl = \"https://hooks.example.com/x\"\nsecret = \"{secret}\""
        ),
        &format!("[http]\nlisten = \"127.0.0.1:{}\"", free_port()),
    );
    let src = std::fs::read_to_string(&config)
        .unwrap()
        .replace("127.0.0.1:9\"", &format!("{address}\""));
    std::fs::write(&config, src).unwrap();
    let daemon = Daemon::start(&config);
    // The daemon is waiting on the broker once it has connected to it.
    rx.recv_timeout(std::time::Duration::from_secs(60))
        .expect("the daemon connects to the broker");
    std::thread::sleep(std::time::Duration::from_millis(500));
    let logs_before = daemon.logs();
    let status = daemon.terminate();
    assert!(
        status.success(),
        "{status:?}; log before SIGTERM:\n{logs_before}"
    );
}

/// Issue 16: `smtp.security = "none"` with a password: `check` warns (and
/// still passes: a local relay may need it).
#[test]
fn check_warns_about_a_password_over_plain_smtp() {
    let (secret, _) = webhook_secret();
    let (_dir, config) = setup(
        &format!("type = \"webhook\"\nurl = \"https://hooks.example.com/x\"\nsecret = \"{secret}\""),
        "[smtp]\nhost = \"mail.internal\"\nsecurity = \"none\"\nusername = \"alerts\"\nfrom = \"w@example.com\"",
    );
    let out = wirewatch(
        &["check", "--config", path(&config)],
        &[("WIREWATCH__SMTP__PASSWORD", "hunter2")],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: smtp.security = \"none\" with a password"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
}
