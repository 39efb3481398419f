//! TLS on every connection we make, against real servers with a CA the
//! test generates (rcgen): SMTP with `tls` and `starttls` (aiosmtpd,
//! scripts/smtp_tls_server.py), webhooks to an HTTPS receiver
//! (scripts/webhook_receiver.py with a certificate), `ca_file` for both; a
//! wrong CA or host name is refused with a clear error and the alert kept
//! and retried, then delivered once the config is right.
// Needs the broker and webhook receiver scripts/test starts.
#![cfg(feature = "services")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;

const WAIT: Duration = Duration::from_secs(90);

/// A test CA, a server certificate it signed for `localhost` only, and a
/// second CA that signed nothing of ours.
struct Pki {
    _dir: tempfile::TempDir,
    ca: PathBuf,
    other_ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

impl Pki {
    fn new() -> Pki {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
        let dir = tempfile::tempdir().unwrap();
        let ca_params = |name: &str| {
            let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
            p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            p.distinguished_name
                .push(rcgen::DnType::CommonName, name.to_string());
            p
        };
        let ca_key = KeyPair::generate().unwrap();
        let ca = ca_params("wirewatch test CA").self_signed(&ca_key).unwrap();
        let other_key = KeyPair::generate().unwrap();
        let other = ca_params("another CA").self_signed(&other_key).unwrap();
        let issuer = Issuer::new(ca_params("wirewatch test CA"), ca_key);
        let leaf_key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["localhost".to_string()])
            .unwrap()
            .signed_by(&leaf_key, &issuer)
            .unwrap();
        let write = |name: &str, text: String| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        Pki {
            ca: write("ca.pem", ca.pem()),
            other_ca: write("other-ca.pem", other.pem()),
            cert: write("server.pem", leaf.pem()),
            key: write("server-key.pem", leaf_key.serialize_pem()),
            _dir: dir,
        }
    }
}

/// A child process killed on drop.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_listening(port: u16) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "nothing listens on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name)
}

/// aiosmtpd with implicit TLS (`tls`) or STARTTLS required (`starttls`);
/// what it receives goes to a JSONL file.
struct TlsSmtp {
    _proc: Proc,
    port: u16,
    out: PathBuf,
    _dir: tempfile::TempDir,
}

impl TlsSmtp {
    fn start(mode: &str, pki: &Pki) -> TlsSmtp {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("received.jsonl");
        let port = free_port();
        let child = Command::new("python3")
            .arg(script("smtp_tls_server.py"))
            .arg(port.to_string())
            .arg(mode)
            .arg(&pki.cert)
            .arg(&pki.key)
            .arg(&out)
            .stdout(Stdio::null())
            .spawn()
            .expect("python3 with aiosmtpd (scripts/test installs it)");
        let proc = Proc(child);
        wait_listening(port);
        TlsSmtp {
            _proc: proc,
            port,
            out,
            _dir: dir,
        }
    }

    fn received(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

/// Rewrites the test config's `[smtp]` security (and adds `extra` lines).
fn set_smtp(config: &Path, security: &str, extra: &str) {
    let text = std::fs::read_to_string(config).unwrap();
    let text = text.replacen(
        "security = \"none\"",
        &format!("security = \"{security}\"\n{extra}"),
        1,
    );
    std::fs::write(config, text).unwrap();
}

/// Replaces `from` by `to` in the config file.
fn edit(config: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(config).unwrap();
    assert!(text.contains(from), "{from} not in the config");
    std::fs::write(config, text.replace(from, to)).unwrap();
}

/// `wirewatch outbox list --status all` of a stopped daemon's store.
fn outbox_list(config: &Path) -> String {
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

/// The errors of the daemon's failed attempts on `channel`.
fn failures(daemon: &Daemon, channel: &str) -> Vec<String> {
    daemon
        .logs()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["message"] == "Alert delivery failed; will retry." && v["channel"] == channel)
        .map(|v| v["error"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn email_over_tls_and_starttls_with_the_test_ca() {
    let pki = Pki::new();
    for mode in ["tls", "starttls"] {
        let server = TlsSmtp::start(mode, &pki);
        let s = Setup::new(&format!("smtp-{mode}"), 1).await;
        let opts = Options {
            notify: vec!["compliance".into()],
            smtp: Some(format!("localhost:{}", server.port)),
            ..Options::default()
        };
        let (_dir, config) = s.write_config_with(&opts);
        set_smtp(
            &config,
            mode,
            &format!("ca_file = \"{}\"", pki.ca.display()),
        );
        let daemon = Daemon::start(&config);
        let article = format!("{mode}-1");
        produce(&s.topic, &article, seed_article(&article).as_bytes()).await;
        let got = eventually(&format!("an email over {mode}"), WAIT, || async {
            let r = server.received();
            (!r.is_empty()).then_some(r)
        })
        .await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let got_all = server.received();
        println!(
            "smtp security = {mode}: expected 1, delivered {}, lost 0, duplicated {}, notes: aiosmtpd with the test CA's certificate for localhost",
            got.len().min(1),
            got_all.len() - 1
        );
        assert_eq!(got_all.len(), 1, "{got_all:?}");
        assert_eq!(got_all[0]["to"][0], s.email_to.as_str());
        assert!(
            failures(&daemon, "compliance").is_empty(),
            "{:?}",
            failures(&daemon, "compliance")
        );
        assert!(daemon.terminate().success());
    }
}

/// A server whose certificate does not chain to `ca_file`, or is not valid
/// for the host name we connect to, is refused: the alert stays pending
/// with the reason as its last error and is retried; with the config set
/// right it is delivered, once.
#[tokio::test]
async fn a_wrong_certificate_or_host_name_is_refused_retried_and_not_lost() {
    let pki = Pki::new();
    let server = TlsSmtp::start("tls", &pki);
    // (what is wrong, host, ca_file, what the error says, the fix)
    let cases = [
        (
            "a CA that did not sign the server's certificate",
            "localhost",
            &pki.other_ca,
            "UnknownIssuer",
        ),
        (
            "a host name the certificate is not for",
            "127.0.0.1",
            &pki.ca,
            "certificate not valid for name \"127.0.0.1\"",
        ),
    ];
    for (what, host, ca, needle) in cases {
        let s = Setup::new("smtp-refused", 1).await;
        let opts = Options {
            notify: vec!["compliance".into()],
            smtp: Some(format!("{host}:{}", server.port)),
            max_attempts: 100,
            ..Options::default()
        };
        let (_dir, config) = s.write_config_with(&opts);
        set_smtp(&config, "tls", &format!("ca_file = \"{}\"", ca.display()));
        let daemon = Daemon::start(&config);
        produce(&s.topic, "refused-1", seed_article("refused-1").as_bytes()).await;
        let errors = eventually(&format!("two refused attempts ({what})"), WAIT, || async {
            let f = failures(&daemon, "compliance");
            (f.len() >= 2).then_some(f)
        })
        .await;
        assert!(daemon.terminate().success());
        println!("{what}: last error: {}", errors[0]);
        assert!(
            errors
                .iter()
                .all(|e| e.contains("certificate") && e.contains(needle)),
            "{what}: {errors:?}"
        );
        assert!(server.received().is_empty(), "nothing was sent to it");
        let listing = outbox_list(&config);
        assert!(
            listing.contains("pending") && listing.contains(needle),
            "{what}: the alert is kept, pending, with the reason:\n{listing}"
        );
        // The operator fixes the config; the kept alert goes out, once.
        edit(
            &config,
            &format!("ca_file = \"{}\"", ca.display()),
            &format!("ca_file = \"{}\"", pki.ca.display()),
        );
        edit(
            &config,
            &format!("host = \"{host}\""),
            "host = \"localhost\"",
        );
        let daemon = Daemon::start(&config);
        let got = eventually("the kept alert delivered", WAIT, || async {
            let r = server.received();
            (!r.is_empty()).then_some(r)
        })
        .await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let all = server.received();
        assert!(daemon.terminate().success());
        println!(
            "smtp refused ({what}): expected 1, delivered {}, lost {}, duplicated {}, notes: {} refused attempts, then delivered after the fix",
            got.len().min(1),
            1 - got.len().min(1),
            all.len() - 1,
            errors.len()
        );
        assert_eq!(all.len(), 1, "{all:?}");
        std::fs::remove_file(&server.out).unwrap();
    }
}

/// Webhooks to an HTTPS receiver with the test CA: delivered and signed;
/// a channel trusting another CA is refused, retried, with a clear error.
#[tokio::test]
async fn webhooks_to_an_https_receiver_with_the_test_ca() {
    let pki = Pki::new();
    let port = free_port();
    let child = Command::new("python3")
        .arg(script("webhook_receiver.py"))
        .arg(port.to_string())
        .arg(&pki.cert)
        .arg(&pki.key)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let _receiver = Proc(child);
    wait_listening(port);
    let base = format!("https://localhost:{port}");
    let client = reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(&std::fs::read(&pki.ca).unwrap()).unwrap(),
        )
        .build()
        .unwrap();
    let received = |path: String| {
        let client = client.clone();
        let url = format!("{base}/_received?path={path}");
        async move {
            client
                .get(url)
                .send()
                .await
                .unwrap()
                .json::<Vec<serde_json::Value>>()
                .await
                .unwrap()
        }
    };

    let s = Setup::new("https-hook", 1).await;
    let id = &s.webhook_path[1..];
    let extra = format!(
        "[[channel]]\nid = \"secure\"\ntype = \"webhook\"\nurl = \"{base}/ok/{id}\"\nsecret = \"{secret}\"\nallow_private = true\nca_file = \"{ca}\"\n\
         [[channel]]\nid = \"wrong-ca\"\ntype = \"webhook\"\nurl = \"{base}/wrong/{id}\"\nsecret = \"{secret}\"\nallow_private = true\nca_file = \"{other}\"\n",
        secret = s.secret,
        ca = pki.ca.display(),
        other = pki.other_ca.display(),
    );
    let opts = Options {
        notify: vec!["secure".into(), "wrong-ca".into()],
        max_attempts: 100,
        extra_channels: extra,
        ..Options::default()
    };
    let (_dir, config) = s.write_config_with(&opts);
    let daemon = Daemon::start(&config);
    produce(&s.topic, "https-1", seed_article("https-1").as_bytes()).await;
    let got = eventually("an HTTPS webhook", WAIT, || async {
        let r = received(format!("/ok/{id}")).await;
        (!r.is_empty()).then_some(r)
    })
    .await;
    let errors = eventually("two refused attempts (wrong CA)", WAIT, || async {
        let f = failures(&daemon, "wrong-ca");
        (f.len() >= 2).then_some(f)
    })
    .await;
    assert!(daemon.terminate().success());
    let got_all = received(format!("/ok/{id}")).await;
    println!(
        "https webhook: expected 1, delivered {}, lost 0, duplicated {}, notes: signature verified",
        got.len().min(1),
        got_all.len() - 1
    );
    println!(
        "https webhook, wrong CA: expected 0 (refused), delivered {}, lost 0 (pending in the outbox), duplicated 0, notes: {} refused attempts; last error: {}",
        received(format!("/wrong/{id}")).await.len(),
        errors.len(),
        errors[0]
    );
    assert_eq!(got_all.len(), 1);
    let h = &got_all[0]["headers"];
    let body = got_all[0]["body"].as_str().unwrap();
    assert!(wirewatch::notify::webhook::verify(
        &s.key,
        h["webhook-id"].as_str().unwrap(),
        h["webhook-timestamp"].as_str().unwrap().parse().unwrap(),
        body.as_bytes(),
        h["webhook-signature"].as_str().unwrap(),
    ));
    assert!(received(format!("/wrong/{id}")).await.is_empty());
    assert!(
        errors
            .iter()
            .all(|e| e.contains("UnknownIssuer") && e.contains("channel's ca_file")),
        "{errors:?}"
    );
    let listing = outbox_list(&config);
    assert!(
        listing.contains("wrong-ca") && listing.contains("pending"),
        "{listing}"
    );
}

/// tansu 0.6 has no TLS listener (its `--cert` and `--key` flags exclude
/// each other, and the broker never uses the TLS acceptor it builds), so
/// Kafka over TLS cannot be tested end to end here. What is tested is what
/// an operator sees when `security.protocol = "ssl"` meets a plaintext
/// listener: the daemon keeps running, `/readyz` answers 503 "no
/// partitions assigned", and the log says the broker's metadata cannot be
/// read (BrokerTransportFailure: the broker takes the TLS ClientHello for
/// a Kafka frame and waits, so librdkafka sees a transport failure, not a
/// TLS error); nothing panics.
#[tokio::test]
async fn kafka_ssl_against_a_plaintext_listener_is_reported_not_ready() {
    let pki = Pki::new();
    let s = Setup::new("kafka-ssl", 1).await;
    let opts = Options {
        notify: vec!["soc".into()],
        ..Options::default()
    };
    let port = opts.http_port;
    let (_dir, config) = s.write_config_with(&opts);
    edit(
        &config,
        "[kafka.properties]\n",
        &format!(
            "[kafka.properties]\n\"security.protocol\" = \"ssl\"\n\"ssl.ca.location\" = \"{}\"\n",
            pki.ca.display()
        ),
    );
    let mut daemon = Daemon::start(&config);
    let logged = eventually("a logged broker failure", WAIT, || async {
        daemon
            .logs()
            .lines()
            .find(|l| l.contains("Cannot read broker metadata"))
            .map(str::to_string)
    })
    .await;
    // Give it time to get stuck for good, then look at it.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let ready = reqwest::get(format!("http://127.0.0.1:{port}/readyz"))
        .await
        .unwrap();
    let status = ready.status();
    let why = ready.text().await.unwrap();
    println!(
        "kafka security.protocol=ssl at a plaintext listener: /readyz {status} {why:?}; log: {logged}"
    );
    assert!(daemon.is_running(), "no crash:\n{}", daemon.logs());
    assert!(!daemon.logs().contains("panicked"), "{}", daemon.logs());
    assert_eq!(status, 503, "{why}");
    assert!(why.contains("no partitions assigned"), "{why}");
    assert!(logged.contains("BrokerTransportFailure"), "{logged}");
    assert!(daemon.terminate().success());
}
