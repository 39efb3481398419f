//! The web console as an analyst uses it (issue 14): a daemon fed by the
//! real broker, a real Chromium driven through chromedriver (WebDriver,
//! `fantoccini`). Sign in, filter by rule, open an alert, mark it not
//! relevant, silence its company for a day, see the next matching alert
//! arrive `silenced` and not delivered, lift the silence, and see the
//! next one delivered. A screenshot of each page goes to
//! `target/console/*.png`.
//!
//! Needs the services scripts/test starts, and chromedriver
//! (`WIREWATCH_TEST_CHROMEDRIVER`, which scripts/test starts too):
//! `cargo test --features services`.
#![cfg(feature = "services")]

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::{
    eventually, free_port, produce, seed_article, service, webhook_article_ids, Daemon, Options,
    Setup,
};
use fantoccini::{Client, ClientBuilder, Locator};

const WAIT: Duration = Duration::from_secs(60);
const PASSWORD: &str = "correct horse battery staple";
const TOKEN: &str = "test-token-0123456789abcdef0123";

/// A script-laden title: rendered, it must read as text and run nothing.
/// The decoder strips tags from titles, so the markup comes as entities,
/// which it decodes into the title the alert keeps.
const HOSTILE_TITLE: &str =
    "&lt;script&gt;document.title='pwned'&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; Kaspersky \"sanctioned\" &amp; 'banned'";

fn screenshots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/console");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(screenshots().join(format!("{name}.png")), png).unwrap();
}

/// The `[console]` section appended to a test config, with one user.
fn console_section(port: u16) -> String {
    let hash = wirewatch::console::hash_password(PASSWORD).unwrap();
    format!(
        r#"
[console]
listen = "127.0.0.1:{port}"
api_tokens = ["{TOKEN}"]
[[console.user]]
name = "ana"
password_hash = "{hash}"
"#
    )
}

async fn browser() -> Client {
    let url = service("WIREWATCH_TEST_CHROMEDRIVER");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=1280,1000"],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&url)
        .await
        .expect("connect to chromedriver")
}

/// An article event: the seed article (which the Kaspersky rule fires
/// on) with its id, and optionally another title, source and URL.
fn article(id: &str, title: Option<&str>, source: Option<&str>, url: Option<&str>) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&seed_article(id)).unwrap();
    if let Some(t) = title {
        v["title"] = t.into();
    }
    if let Some(s) = source {
        v["source"] = s.into();
    }
    if let Some(u) = url {
        v["url"] = u.into();
    }
    v.to_string()
}

async fn text(c: &Client, css: &str) -> String {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css} on the page: {e}"))
        .text()
        .await
        .unwrap()
}

/// Waits until the element `css` (on the page the browser has now, or
/// is about to have after a click) holds `needle`.
async fn shows(c: &Client, css: &str, needle: &str) {
    let what = format!("{css} to show {needle:?}");
    eventually(&what, WAIT, || {
        let c = c.clone();
        async move {
            let e = c.find(Locator::Css(css)).await.ok()?;
            e.text().await.ok()?.contains(needle).then_some(())
        }
    })
    .await;
}

/// The API's alerts for a query, with the test token.
async fn api_alerts(port: u16, query: &str) -> Vec<serde_json::Value> {
    let v: serde_json::Value = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/api/alerts?{query}"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["alerts"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analyst_filters_marks_silences_and_lifts_in_a_real_browser() {
    let setup = Setup::new("console", 1).await;
    let (dir, config) = setup.write_config_with(&Options {
        notify: vec!["soc".into()],
        ..Options::default()
    });
    let port = free_port();
    let mut text_config = std::fs::read_to_string(&config).unwrap();
    text_config.push_str(&console_section(port));
    std::fs::write(&config, text_config).unwrap();
    let daemon = Daemon::start(&config);
    let base = format!("http://127.0.0.1:{port}");

    // Two alerts: the seed story, and the same story under a hostile
    // title, source and URL.
    let (first, hostile) = (common::unique("first"), common::unique("hostile"));
    produce(&setup.topic, "k", seed_article(&first).as_bytes()).await;
    produce(
        &setup.topic,
        "k",
        article(
            &hostile,
            Some(HOSTILE_TITLE),
            Some("<b onmouseover=alert(2)>Wire</b>"),
            Some("javascript:alert(3)"),
        )
        .as_bytes(),
    )
    .await;
    eventually("both alerts delivered", WAIT, || async {
        let ids = webhook_article_ids(&setup.webhook_path).await;
        (ids.contains(&first) && ids.contains(&hostile)).then_some(())
    })
    .await;

    let c = browser().await;
    // Unauthenticated: the login page.
    c.goto(&format!("{base}/alerts")).await.unwrap();
    assert!(c.current_url().await.unwrap().path() == "/login");
    c.find(Locator::Css("#name"))
        .await
        .unwrap()
        .send_keys("ana")
        .await
        .unwrap();
    c.find(Locator::Css("#password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    shot(&c, "login").await;
    c.find(Locator::Css("#sign-in"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#alerts"))
        .await
        .unwrap();
    assert_eq!(c.current_url().await.unwrap().path(), "/alerts");

    // Filter by rule.
    c.find(Locator::Css("#f-rule"))
        .await
        .unwrap()
        .select_by_value("kaspersky-us")
        .await
        .unwrap();
    c.find(Locator::Css("#apply"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    eventually("the filtered list", WAIT, || {
        let c = c.clone();
        async move {
            let u = c.current_url().await.ok()?;
            u.query()
                .is_some_and(|q| q.contains("rule=kaspersky-us"))
                .then_some(())
        }
    })
    .await;
    let rows = c.find_all(Locator::Css("tr.alert-row")).await.unwrap();
    assert_eq!(rows.len(), 2, "both alerts of the rule");
    // The title as the alert keeps it: markup, as text.
    let stored = api_alerts(port, "rule=kaspersky-us")
        .await
        .into_iter()
        .find(|a| a["article"]["id"] == hostile.as_str())
        .expect("the hostile alert in the API")["article"]["title"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        stored.contains("<script>") && stored.contains("<img src=x"),
        "{stored}"
    );
    // The hostile title reads as text; nothing of it ran or became markup.
    let headlines = c.find_all(Locator::Css("a.headline")).await.unwrap();
    let mut titles = Vec::new();
    for h in &headlines {
        titles.push(h.text().await.unwrap());
    }
    assert!(titles.contains(&stored), "{titles:?}");
    assert!(c
        .find_all(Locator::Css("main img"))
        .await
        .unwrap()
        .is_empty());
    assert_ne!(c.title().await.unwrap(), "pwned");
    assert!(
        c.get_alert_text().await.is_err(),
        "no alert() dialog opened"
    );
    shot(&c, "alerts").await;

    // Open the hostile alert: inert too, and no javascript: link.
    for h in &headlines {
        if h.text().await.unwrap() == stored {
            h.click().await.unwrap();
            break;
        }
    }
    assert_eq!(text(&c, "#title").await, stored);
    assert!(c
        .find_all(Locator::Css("#article-link"))
        .await
        .unwrap()
        .is_empty());
    assert!(c
        .find_all(Locator::Css("main img"))
        .await
        .unwrap()
        .is_empty());
    assert_ne!(c.title().await.unwrap(), "pwned");

    // The first alert: evidence highlighted, delivered, then marked.
    c.goto(&format!("{base}/alerts?rule=kaspersky-us&q=Kaspersky"))
        .await
        .unwrap();
    let first_id = api_alerts(port, "rule=kaspersky-us")
        .await
        .into_iter()
        .find(|a| a["article"]["id"] == first.as_str())
        .expect("the first alert in the API")["alert_id"]
        .as_str()
        .unwrap()
        .to_string();
    c.goto(&format!("{base}/alerts/{first_id}")).await.unwrap();
    assert!(!c
        .find_all(Locator::Css(".evidence mark.m-company"))
        .await
        .unwrap()
        .is_empty());
    shows(&c, "#deliveries", "delivered").await;
    shot(&c, "alert").await;
    c.find(Locator::Css("#reason"))
        .await
        .unwrap()
        .select_by_value("wrong_sense")
        .await
        .unwrap();
    c.find(Locator::Css("#not-relevant"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    shows(&c, "#note", "Marked not relevant").await;
    shows(&c, "#marks", "wrong sense of a word").await;

    // Silence the company within the rule for a day.
    let until = c.find(Locator::Css("#silence-until")).await.unwrap();
    until.clear().await.unwrap();
    until.send_keys("1d").await.unwrap();
    c.find(Locator::Css("#silence-reason"))
        .await
        .unwrap()
        .send_keys("known story, already escalated")
        .await
        .unwrap();
    c.find(Locator::Css("#silence"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    shows(&c, "#note", "Silence added").await;

    // The next matching alert arrives silenced and is not delivered.
    let third = common::unique("third");
    produce(&setup.topic, "k", seed_article(&third).as_bytes()).await;
    c.goto(&format!(
        "{base}/alerts?rule=kaspersky-us&delivery=silenced"
    ))
    .await
    .unwrap();
    eventually("the silenced alert in the list", WAIT, || {
        let c = c.clone();
        async move {
            c.refresh().await.ok()?;
            let rows = c.find_all(Locator::Css("tr.alert-row")).await.ok()?;
            (rows.len() == 1).then_some(())
        }
    })
    .await;
    shows(&c, "#alerts", "silenced").await;
    shot(&c, "alerts-silenced").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        !webhook_article_ids(&setup.webhook_path)
            .await
            .contains(&third),
        "a silenced alert is not sent"
    );

    // The rule: its hits, the mark and the silence; try it on a recent one.
    c.goto(&format!("{base}/rules")).await.unwrap();
    let rules = text(&c, "#rules").await;
    assert!(rules.contains("sanctions.toml:"), "{rules}");
    assert!(rules.contains("(1 of 3 marked not relevant)"), "{rules}");
    assert!(rules.contains("until"), "the silence is listed: {rules}");
    assert_eq!(
        c.find_all(Locator::Css("svg.chart rect"))
            .await
            .unwrap()
            .len(),
        30
    );
    shot(&c, "rules").await;
    c.goto(&format!("{base}/rules/kaspersky-us")).await.unwrap();
    // The marks feed the suggestions panel (`feedback suggest`): one mark
    // is no pattern yet, and the panel says so.
    let suggested = text(&c, "#suggestions").await;
    assert!(
        suggested.contains("No change removes the marked alerts yet"),
        "{suggested}"
    );
    let options = c.find_all(Locator::Css("#try-alert option")).await.unwrap();
    assert!(
        options.len() >= 4,
        "three recent alerts and the blank choice"
    );
    let value = options[1].attr("value").await.unwrap().unwrap();
    c.find(Locator::Css("#try-alert"))
        .await
        .unwrap()
        .select_by_value(&value)
        .await
        .unwrap();
    c.find(Locator::Css("#try"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    shows(&c, "#explanation", "Fired").await;
    shot(&c, "rule-try").await;
    // A pasted article that does not fire says what was missing.
    let title = c.find(Locator::Css("#try-title")).await.unwrap();
    title.clear().await.unwrap();
    title
        .send_keys("Kaspersky opens a new office in Boston")
        .await
        .unwrap();
    c.find(Locator::Css("#try-body"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    c.find(Locator::Css("#try"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    shows(&c, "#explanation", "Did not fire").await;

    c.goto(&format!("{base}/outbox")).await.unwrap();
    text(&c, "h1").await;
    shot(&c, "outbox").await;

    // Lift the silence: the next alert goes out.
    c.goto(&format!("{base}/silences")).await.unwrap();
    shows(&c, "#silences", "ana").await;
    c.find(Locator::Css("button.lift"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    shows(&c, "#note", "Silence lifted").await;
    shows(&c, "#silences", "lifted by ana").await;
    shot(&c, "silences").await;
    let fourth = common::unique("fourth");
    produce(&setup.topic, "k", seed_article(&fourth).as_bytes()).await;
    eventually("the alert after the lift delivered", WAIT, || async {
        webhook_article_ids(&setup.webhook_path)
            .await
            .contains(&fourth)
            .then_some(())
    })
    .await;
    assert!(!webhook_article_ids(&setup.webhook_path)
        .await
        .contains(&third));

    c.close().await.unwrap();
    drop(daemon);
    drop(dir);
}
