//! The console's defences against the real binary, with no other service:
//! the daemon serves its console while the broker is unreachable, over a
//! store this test filled with a hostile alert. 401 without credentials,
//! the login page for pages, a form POST without its CSRF token refused,
//! the script-laden title inert in HTML and plain in JSON, the login
//! rate limit, and the API's silences and feedback.

mod common;

use std::time::Duration;

use common::{eventually, free_port, Daemon};
use reqwest::redirect::Policy;
use reqwest::StatusCode;
use serde_json::json;
use wirewatch::store::{AlertRecord, Store};

const PASSWORD: &str = "correct horse battery staple";
const TOKEN: &str = "api-token-abcdefghijklmnopqrstuvwxyz";
const HOSTILE: &str = "<script>alert('x')</script><img src=x onerror=alert(1)>\"><svg onload=alert(2)> Acme \u{202E}fined";

/// A store holding one alert about Acme whose article is hostile
/// everywhere: title, source, URL, evidence; its delivery is due now.
fn hostile_store(dir: &std::path::Path) {
    let sentence = format!("{HOSTILE} by the <b>SEC</b>");
    let acme = sentence.find("Acme").unwrap();
    let record: AlertRecord = serde_json::from_value(json!({
        "alert_id": "alrt_hostile",
        "rule_id": "acme",
        "severity": "critical",
        "article": {"id": "art-1", "title": HOSTILE, "url": "javascript:alert(3)",
                    "source": "<i onmouseover=alert(4)>Wire</i>", "published_at": null},
        "matched": {"company": {"id": "Acme", "text": "Acme"}, "agency": null, "action": null},
        "evidence": [{"text": sentence, "spans": [{"start": acme, "end": acme + 4, "kind": "company", "text": "Acme"}]}],
        "detected_at": jiff::Timestamp::now().to_string(),
        "watchlist": "watchlists/w.toml",
        "notify": ["hook"],
    }))
    .unwrap();
    let store = Store::open(dir).unwrap();
    store
        .enqueue_batch(&[(&[record][..], None)], &|_, _| {
            Some(wirewatch::store::now_ms())
        })
        .unwrap();
}

fn config(dir: &std::path::Path, port: u16) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join("watchlists")).unwrap();
    std::fs::write(
        dir.join("watchlists/w.toml"),
        "[[rule]]\nid = \"acme\"\ncompanies = [\"Acme\"]\nactions = [\"fine\"]\nseverity = \"critical\"\nnotify = [\"hook\"]\n",
    )
    .unwrap();
    let hash = wirewatch::console::hash_password(PASSWORD).unwrap();
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
[http]
listen = "127.0.0.1:0"
[[channel]]
id = "hook"
type = "webhook"
url = "http://127.0.0.1:1/hook"
secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
allow_private = true
[console]
listen = "127.0.0.1:{port}"
api_tokens = ["{TOKEN}"]
[[console.user]]
name = "ana"
password_hash = "{hash}"
"#,
            state = dir.join("state").display()
        ),
    )
    .unwrap();
    path
}

/// The login form's CSRF nonce (and its cookie in `client`'s jar).
async fn login_nonce(client: &reqwest::Client, base: &str) -> String {
    let page = client
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    page[at..at + 64].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_refuses_strangers_and_forged_forms_and_renders_hostile_text_inert() {
    let dir = tempfile::tempdir().unwrap();
    hostile_store(&dir.path().join("state"));
    let port = free_port();
    let config = config(dir.path(), port);
    let daemon = Daemon::start_with(&config, &[]);
    let base = format!("http://127.0.0.1:{port}");
    let plain = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    eventually("the console listening", Duration::from_secs(60), || async {
        plain.get(format!("{base}/login")).send().await.ok()
    })
    .await;

    // No credentials: 401 from the API, the login page for pages.
    for path in [
        "/api/alerts",
        "/api/alerts/alrt_hostile",
        "/api/rules",
        "/api/silences",
    ] {
        let r = plain.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert!(r.headers().contains_key("www-authenticate"));
    }
    let r = plain
        .get(format!("{base}/api/alerts"))
        .bearer_auth("not-the-token-0123456789abcdef")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = plain
        .post(format!("{base}/api/silences"))
        .json(&json!({"rule": "acme", "until": "1d", "reason": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    for path in [
        "/alerts",
        "/alerts/alrt_hostile",
        "/rules",
        "/outbox",
        "/silences",
    ] {
        let r = plain.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?next="));
    }
    // A form POST without a session goes to the login page too.
    let r = plain
        .post(format!("{base}/silences"))
        .form(&[("rule", "acme"), ("until", "1d"), ("reason", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // Sign in; the cookie is HttpOnly and SameSite=Strict.
    let browser = reqwest::Client::builder()
        .redirect(Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    let nonce = login_nonce(&browser, &base).await;
    // A login without the form's nonce is refused.
    let r = browser
        .post(format!("{base}/login"))
        .form(&[("name", "ana"), ("password", PASSWORD), ("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let nonce = if r.status() == StatusCode::FORBIDDEN {
        login_nonce(&browser, &base).await
    } else {
        nonce
    };
    let r = browser
        .post(format!("{base}/login"))
        .form(&[
            ("name", "ana"),
            ("password", PASSWORD),
            ("csrf", nonce.as_str()),
            ("next", "/alerts"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("wirewatch_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );

    // The hostile alert, in the list and on its page: inert.
    for path in ["/alerts", "/alerts/alrt_hostile", "/outbox", "/rules/acme"] {
        let r = browser.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(csp.starts_with("default-src 'none'"), "{csp}");
        let html = r.text().await.unwrap();
        for raw in [
            "<script",
            "<img",
            "<svg onload",
            "<i onmouseover",
            "javascript:",
            "\u{202E}",
        ] {
            assert!(!html.contains(raw), "{path} has {raw:?} unescaped");
        }
        if path != "/rules/acme" {
            assert!(
                html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&quot;&gt;"),
                "{path}: the title as text"
            );
        }
    }
    let page = browser
        .get(format!("{base}/alerts/alrt_hostile"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<mark class=\"m-company\">Acme</mark>"));
    assert!(page.contains("&lt;b&gt;SEC&lt;/b&gt;"));
    // The JSON API gives the title as it was (JSON is not HTML).
    let v: serde_json::Value = plain
        .get(format!("{base}/api/alerts?rule=acme"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["alerts"][0]["article"]["title"], HOSTILE);
    // Its webhook (to a closed port) is pending or dead: the outbox lists it.
    let delivery = v["alerts"][0]["delivery"].as_str().unwrap().to_string();
    assert!(
        ["pending", "dead"].contains(&delivery.as_str()),
        "{delivery}"
    );

    // A form POST with the session but without (or with a wrong) CSRF
    // token changes nothing.
    for csrf in ["", "0000"] {
        let r = browser
            .post(format!("{base}/silences"))
            .form(&[
                ("csrf", csrf),
                ("kind", "rule"),
                ("rule", "acme"),
                ("until", "1d"),
                ("reason", "forged"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "csrf {csrf:?}");
        let r = browser
            .post(format!("{base}/alerts/alrt_hostile/feedback"))
            .form(&[("csrf", csrf), ("reason", "duplicate")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    let silences: serde_json::Value = plain
        .get(format!("{base}/api/silences?all=true"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(silences["silences"], json!([]), "nothing was silenced");

    // The API: a silence, a bad one, feedback, lift.
    let r = plain
        .post(format!("{base}/api/silences"))
        .bearer_auth(TOKEN)
        .json(&json!({"rule": "acme", "company": "Acme", "until": "1d", "reason": "known"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let s: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        s["scope"],
        json!({"kind": "company", "rule": "acme", "company": "Acme"})
    );
    assert_eq!(s["by"], "api-token-1");
    let r = plain
        .post(format!("{base}/api/silences"))
        .bearer_auth(TOKEN)
        .json(&json!({"rule": "nope", "until": "1d", "reason": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = plain
        .post(format!("{base}/api/alerts/alrt_hostile/feedback"))
        .bearer_auth(TOKEN)
        .json(&json!({"reason": "old_news"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let rules: serde_json::Value = plain
        .get(format!("{base}/api/rules"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let acme = &rules["rules"][0];
    assert_eq!(
        (acme["rule_id"].as_str(), acme["alerts"].as_u64()),
        (Some("acme"), Some(1))
    );
    assert_eq!(acme["not_relevant"], 1);
    assert_eq!(acme["not_relevant_30d"], 1);
    assert_eq!(acme["precision"], 0.0);
    assert_eq!(acme["silences"].as_array().unwrap().len(), 1);
    assert_eq!(acme["per_day"].as_array().unwrap().len(), 30);
    let id = s["id"].as_str().unwrap();
    let r = plain
        .post(format!("{base}/api/silences/{id}/lift"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let lifted: serde_json::Value = r.json().await.unwrap();
    assert_eq!(lifted["lifted"]["by"], "api-token-1");

    // Signing out ends the session: its cookie opens nothing any more.
    let alerts_page = browser.get(format!("{base}/alerts")).send().await.unwrap();
    let html = alerts_page.text().await.unwrap();
    let at = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = html[at..at + 64].to_string();
    let r = browser
        .post(format!("{base}/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let session = cookie.split(';').next().unwrap().to_string();
    let r = plain
        .get(format!("{base}/alerts"))
        .header("cookie", session)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the old session is gone");

    // Logins are rate limited: after five failures even the right
    // password is refused for a while.
    let limited = reqwest::Client::builder()
        .redirect(Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    let mut last = StatusCode::OK;
    for password in ["a", "b", "c", "d", "e", PASSWORD] {
        let nonce = login_nonce(&limited, &base).await;
        last = limited
            .post(format!("{base}/login"))
            .form(&[
                ("name", "ana"),
                ("password", password),
                ("csrf", nonce.as_str()),
            ])
            .send()
            .await
            .unwrap()
            .status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    // Secrets stay out of the logs.
    let logs = daemon.logs();
    assert!(!logs.contains(TOKEN) && !logs.contains(PASSWORD) && !logs.contains("$argon2"));
}

/// `wirewatch console hash-password` reads the first line of stdin and
/// prints an argon2id PHC string that `check` accepts; an empty password
/// is refused with exit 64.
#[test]
fn hash_password_prints_a_hash_the_config_accepts() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let run = |input: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wirewatch"))
            .args(["console", "hash-password"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let out = run("correct horse\n");
    assert!(out.status.success());
    let hash = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
    assert!(!hash.contains("correct horse"));
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), free_port());
    let text = std::fs::read_to_string(&config).unwrap();
    let start = text.find("password_hash = \"").unwrap() + 17;
    let end = start + text[start..].find('"').unwrap();
    std::fs::write(&config, format!("{}{hash}{}", &text[..start], &text[end..])).unwrap();
    let check = Command::new(env!("CARGO_BIN_EXE_wirewatch"))
        .args(["check", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let empty = run("\n");
    assert_eq!(empty.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("the password is empty"));
}
