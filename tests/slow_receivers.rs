//! Slow and hostile receivers, each a real server on loopback started by
//! the test: an SMTP tarpit (accepts, never greets), a webhook receiver
//! that trickles its answer a byte a second, and one answering with a
//! 100 MB body. Each attempt is bounded by `delivery.timeout_secs`, retried,
//! and recorded with a clear last error; at most 64 KiB of a body is read;
//! and none of them delays another channel's delivery.
// Needs the broker and webhook receiver scripts/test starts.
#![cfg(feature = "services")]

mod common;

use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use common::*;

const WAIT: Duration = Duration::from_secs(120);
const TIMEOUT_SECS: u64 = 10;
const BIG: usize = 100 * 1024 * 1024;

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// What a hostile server saw: when each connection opened and closed,
/// and, for the big body, how much of it went out.
#[derive(Default)]
struct Seen {
    opened: Mutex<Vec<f64>>,
    closed: Mutex<Vec<f64>>,
    open_now: AtomicUsize,
    bytes_sent: Mutex<Vec<usize>>,
    finished: AtomicBool,
}

impl Seen {
    fn first_close(&self) -> Option<f64> {
        self.closed.lock().unwrap().first().copied()
    }
}

/// Reads until the client closes the connection (or errors).
async fn until_closed(conn: &mut TcpStream) {
    let mut buf = [0u8; 4096];
    while matches!(conn.read(&mut buf).await, Ok(n) if n > 0) {}
}

/// Reads an HTTP request head and a body of content-length bytes.
async fn read_request(conn: &mut TcpStream) {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let Ok(n) = conn.read(&mut buf).await else {
            return;
        };
        if n == 0 {
            return;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if data.len() >= end + 4 + len {
                return;
            }
        }
    }
}

/// Starts a server; `serve` handles each connection; open/close times are
/// recorded around it.
async fn server<F, Fut>(serve: F) -> (u16, Arc<Seen>)
where
    F: Fn(TcpStream, Arc<Seen>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Seen::default());
    let serve = Arc::new(serve);
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            let seen = record.clone();
            let serve = serve.clone();
            tokio::spawn(async move {
                seen.opened.lock().unwrap().push(now());
                seen.open_now.fetch_add(1, Ordering::SeqCst);
                serve(conn, seen.clone()).await;
                seen.open_now.fetch_sub(1, Ordering::SeqCst);
                seen.closed.lock().unwrap().push(now());
            });
        }
    });
    (port, seen)
}

/// Dead deliveries of a stopped daemon, one line per delivery.
fn dead(config: &std::path::Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_wirewatch"))
        .args(["outbox", "list", "--status", "all", "--config"])
        .arg(config)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn hostile_receivers_are_bounded_retried_and_never_stall_other_channels() {
    // An SMTP tarpit: accepts, never sends the greeting.
    let (tarpit, tarpit_seen) = server(|mut conn, _| async move {
        until_closed(&mut conn).await;
    })
    .await;
    // A webhook receiver answering one byte a second.
    let (trickle, trickle_seen) = server(|mut conn, seen| async move {
        read_request(&mut conn).await;
        for b in b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n" {
            if conn.write_all(&[*b]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        seen.finished.store(true, Ordering::SeqCst);
        until_closed(&mut conn).await;
    })
    .await;
    // A webhook receiver answering 500 with a 100 MB body.
    let (big, big_seen) = server(|mut conn, seen| async move {
        read_request(&mut conn).await;
        let head = format!("HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/plain\r\ncontent-length: {BIG}\r\n\r\n");
        let mut sent = 0;
        if conn.write_all(head.as_bytes()).await.is_ok() {
            let chunk = vec![b'x'; 64 * 1024];
            while sent < BIG {
                match conn.write_all(&chunk).await {
                    Ok(()) => sent += chunk.len(),
                    Err(_) => break,
                }
            }
        }
        if sent >= BIG {
            seen.finished.store(true, Ordering::SeqCst);
        }
        seen.bytes_sent.lock().unwrap().push(sent);
    })
    .await;

    let s = Setup::new("hostile-receivers", 1).await;
    let mut extra = String::new();
    for (id, port) in [("trickle", trickle), ("big", big)] {
        extra.push_str(&format!(
            "[[channel]]\nid = \"{id}\"\ntype = \"webhook\"\nurl = \"http://127.0.0.1:{port}/{id}\"\nsecret = \"{}\"\nallow_private = true\n",
            s.secret
        ));
    }
    let opts = Options {
        // "compliance" is email through the tarpit; "soc" the healthy receiver.
        notify: vec![
            "compliance".into(),
            "trickle".into(),
            "big".into(),
            "soc".into(),
        ],
        smtp: Some(format!("127.0.0.1:{tarpit}")),
        timeout_secs: TIMEOUT_SECS,
        max_attempts: 2,
        extra_channels: extra,
        ..Options::default()
    };
    let port = opts.http_port;
    let (_dir, config) = s.write_config_with(&opts);
    let daemon = Daemon::start(&config);

    // The first article's hostile deliveries get stuck...
    produce(&s.topic, "hostile-1", seed_article("hostile-1").as_bytes()).await;
    eventually(
        "the tarpit and the trickler holding a connection",
        WAIT,
        || async {
            (tarpit_seen.open_now.load(Ordering::SeqCst) > 0
                && trickle_seen.open_now.load(Ordering::SeqCst) > 0)
                .then_some(())
        },
    )
    .await;
    let stuck_since = now();
    // ...and while they are stuck, a second article reaches the healthy
    // channel: delivered before the stuck attempts' timeout releases them.
    produce(&s.topic, "hostile-2", seed_article("hostile-2").as_bytes()).await;
    let healthy = eventually("the healthy channel's second alert", WAIT, || async {
        let hooks = webhooks(&s.webhook_path).await;
        hooks
            .iter()
            .find(|r| r["body"].as_str().unwrap_or("").contains("\"hostile-2\""))
            .map(|r| r["at"].as_f64().unwrap())
    })
    .await;
    let tarpit_released = tarpit_seen.first_close();
    let trickle_released = trickle_seen.first_close();
    println!(
        "healthy channel: second alert delivered {:.1} s after the hostile connections were held; tarpit's first connection released: {:?}, trickler's: {:?}",
        healthy - stuck_since,
        tarpit_released.map(|t| t - stuck_since),
        trickle_released.map(|t| t - stuck_since)
    );
    for (what, released) in [("tarpit", tarpit_released), ("trickler", trickle_released)] {
        assert!(
            released.is_none_or(|r| healthy < r),
            "the healthy delivery waited for the {what}'s attempt to time out"
        );
    }

    // Every hostile delivery ends dead after its 2 bounded attempts.
    eventually("every delivery finished", WAIT, || async {
        let pending = metric(port, "wirewatch_outbox_pending").await?;
        (pending == 0.0).then_some(())
    })
    .await;
    assert!(daemon.terminate().success());
    let listing = dead(&config);
    println!("{listing}");
    let healthy_hooks = webhooks(&s.webhook_path).await;
    let line = |channel: &str| -> Vec<String> {
        listing
            .lines()
            .filter(|l| l.split_whitespace().nth(1) == Some(channel))
            .map(str::to_string)
            .collect()
    };
    for channel in ["compliance", "trickle", "big"] {
        let lines = line(channel);
        assert_eq!(lines.len(), 2, "{channel}: {listing}");
        assert!(
            lines.iter().all(|l| l.contains("dead")),
            "{channel}: {listing}"
        );
    }
    assert!(
        line("compliance").iter().all(|l| l.contains("timed out")),
        "{listing}"
    );
    assert!(
        line("trickle").iter().all(|l| l.contains("timed out")),
        "{listing}"
    );
    assert!(
        line("big")
            .iter()
            .all(|l| l.contains("HTTP 500 Internal Server Error: xxxx")),
        "{listing}"
    );

    let tarpit_conns = tarpit_seen.opened.lock().unwrap().len();
    let trickle_conns = trickle_seen.opened.lock().unwrap().len();
    let big_sent = big_seen.bytes_sent.lock().unwrap().clone();
    let row = |what: &str, delivered: usize, notes: String| {
        println!("{what}: expected 2, delivered {delivered}, lost 0 (dead, kept with the reason), duplicated 0, notes: {notes}");
    };
    row(
        "smtp tarpit",
        0,
        format!("{tarpit_conns} connections, each released by the timeout"),
    );
    row(
        "webhook trickling 1 byte/s",
        0,
        format!("{trickle_conns} connections, no response completed"),
    );
    row(
        "webhook 100 MB body",
        0,
        format!(
            "{} attempts, MB written by the server before we closed: {:?}",
            big_sent.len(),
            big_sent
                .iter()
                .map(|b| b / (1024 * 1024))
                .collect::<Vec<_>>()
        ),
    );
    println!(
        "healthy webhook beside them: expected 2, delivered {}, lost {}, duplicated 0",
        healthy_hooks.len(),
        2 - healthy_hooks.len().min(2)
    );
    assert_eq!(healthy_hooks.len(), 2);
    assert!(
        tarpit_conns >= 4,
        "2 attempts for each of 2 alerts: {tarpit_conns}"
    );
    assert!(trickle_conns >= 4, "{trickle_conns}");
    assert!(
        !trickle_seen.finished.load(Ordering::SeqCst),
        "no trickled answer completed"
    );
    assert_eq!(big_sent.len(), 4, "2 attempts for each of 2 alerts");
    assert!(
        !big_seen.finished.load(Ordering::SeqCst),
        "the 100 MB body was never read whole"
    );
    assert!(big_sent.iter().all(|&b| b < BIG / 4), "{big_sent:?}");
}
