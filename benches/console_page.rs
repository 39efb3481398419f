//! The console's alert list on a store of 1,000,000 alerts (`fixture`'s,
//! shared with `store_page.rs`), end to end through its router: a signed-in
//! `GET /alerts?...` (the store query, the askama page, the body) and the
//! API's `GET /api/alerts?...` with a bearer token. A latency pass of
//! 1,000 requests per query shape prints p50, p99 and max (also written
//! to `console-report.txt` beside the store), then criterion timings.
//! Release: `cargo bench --bench console_page`.

mod fixture;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use criterion::{criterion_group, criterion_main, Criterion};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tower::ServiceExt;

use fixture::{store, word, COMPANIES, RULES, WORDS};
use wirewatch::config::{ConsoleConfig, ConsoleUser, Secret};
use wirewatch::console::{hash_password, router, Console};
use wirewatch::pipeline::SharedMatcher;

const TOKEN: &str = "bench-token-0123456789abcdef0123";
const PASSWORD: &str = "bench password";

/// A matcher with the fixture's 200 rule ids (the page lists them).
fn matcher() -> wirewatch_matcher::Matcher {
    let dir = tempfile::tempdir().unwrap();
    let rules: String = (0..RULES)
        .map(|r| {
            format!("[[rule]]\nid = \"rule-{r}\"\ncompanies = [\"Company{r}\"]\nnotify = [\"compliance\"]\n\n")
        })
        .collect();
    let path = dir.path().join("generated.toml");
    std::fs::write(&path, rules).unwrap();
    wirewatch::watchlists::load(&path, None).unwrap().0
}

async fn call(app: &Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = req;
    let peer: SocketAddr = "127.0.0.1:40000".parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(peer));
    let r = app.clone().oneshot(req).await.unwrap();
    let (parts, body) = r.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    (parts.status, parts.headers, bytes.to_vec())
}

/// Signs in through the login form: the session cookie.
async fn sign_in(app: &Router) -> String {
    let (_, headers, body) = call(app, Request::get("/login").body(Body::empty()).unwrap()).await;
    let page = String::from_utf8(body).unwrap();
    let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    let nonce = &page[at..at + 64];
    let login_cookie = headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let form = format!("csrf={nonce}&name=bench&password=bench+password&next=%2Falerts");
    let (status, headers, _) = call(
        app,
        Request::post("/login")
            .header(header::COOKIE, login_cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .find(|c| c.starts_with("wirewatch_session="))
        .unwrap()
}

/// A query shape: its name and a query string from a random source.
type Shape = (&'static str, fn(&mut StdRng) -> String);

fn shapes() -> Vec<Shape> {
    vec![
        ("newest, no filter", |_| String::new()),
        ("rule", |r| format!("rule=rule-{}", r.gen_range(0..RULES))),
        ("company", |r| {
            format!("company=Company{}", r.gen_range(0..COMPANIES))
        }),
        ("delivery = dead", |_| "delivery=dead".into()),
        ("rule + title word", |r| {
            format!(
                "rule=rule-{}&q={}",
                r.gen_range(0..RULES),
                word(r.gen_range(0..WORDS))
            )
        }),
        ("severity = critical + date range", |_| {
            "severity=critical&from=2026-01-01&to=2030-01-01".into()
        }),
    ]
}

fn percentiles(mut t: Vec<Duration>) -> (Duration, Duration, Duration) {
    t.sort();
    let at = |p: f64| t[((t.len() as f64 * p) as usize).min(t.len() - 1)];
    (at(0.50), at(0.99), *t.last().unwrap())
}

fn bench(c: &mut Criterion) {
    let (store, path) = store();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let config = ConsoleConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        users: vec![ConsoleUser {
            name: "bench".into(),
            password_hash: Secret::new(hash_password(PASSWORD).unwrap()),
        }],
        api_tokens: vec![Secret::new(TOKEN)],
        secure_cookies: false,
        session_hours: 12,
    };
    let console = Console::new(
        &config,
        Arc::new(store),
        SharedMatcher::new(matcher()),
        Arc::new(tokio::sync::Notify::new()),
        vec!["compliance".into()],
    );
    let app = router(Arc::new(console));
    let cookie = runtime.block_on(sign_in(&app));
    let page = |q: &str| {
        Request::get(format!("/alerts?{q}"))
            .header(header::COOKIE, cookie.as_str())
            .body(Body::empty())
            .unwrap()
    };
    let api = |q: &str| {
        Request::get(format!("/api/alerts?limit=50&{q}"))
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .body(Body::empty())
            .unwrap()
    };

    let mut report = vec![format!(
        "{:<44} {:>9} {:>9} {:>9} {:>8}",
        "request (page of 50)", "p50", "p99", "max", "KiB"
    )];
    let mut rng = StdRng::seed_from_u64(5);
    for (kind, build) in [
        ("HTML", &page as &dyn Fn(&str) -> Request<Body>),
        ("API", &api),
    ] {
        for (name, make) in shapes() {
            let mut times = Vec::with_capacity(1000);
            let mut bytes = 0;
            for _ in 0..1000 {
                let req = build(&make(&mut rng));
                let t = Instant::now();
                let (status, _, body) = runtime.block_on(call(&app, req));
                times.push(t.elapsed());
                assert_eq!(status, StatusCode::OK);
                bytes += body.len();
            }
            let (p50, p99, max) = percentiles(times);
            report.push(format!(
                "{:<44} {p50:>9.2?} {p99:>9.2?} {max:>9.2?} {:>8}",
                format!("{kind} {name}"),
                bytes / 1000 / 1024
            ));
        }
    }
    let text = report.join("\n");
    println!("\n{text}\n");
    let _ = std::fs::write(path.with_file_name("console-report.txt"), &text);

    let mut group = c.benchmark_group("console");
    group.sample_size(50);
    for (name, make) in shapes() {
        let mut rng = StdRng::seed_from_u64(11);
        group.bench_function(format!("HTML {name}"), |b| {
            b.iter(|| runtime.block_on(call(&app, page(&make(&mut rng)))))
        });
        let mut rng = StdRng::seed_from_u64(11);
        group.bench_function(format!("API {name}"), |b| {
            b.iter(|| runtime.block_on(call(&app, api(&make(&mut rng)))))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
