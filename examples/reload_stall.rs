//! How long a hot reload of a big watchlist stalls consumption (issue 15,
//! "Scale"). A consumer loop runs as the Kafka source does (an async task
//! on the runtime that hands each article to a blocking thread and counts
//! it when done) over `examples/articles.jsonl`, through the daemon's own
//! `Processor` and outbox; after a second the watchlists at `--watchlists`
//! are reloaded, and the longest gap between two handled articles while
//! the reload ran is printed.
//!
//! ```sh
//! cargo run --release -p wirewatch-matcher --example list_scale -- --names 1000000 --out /tmp/list/big.toml
//! cargo run --release --example reload_stall -- --watchlists /tmp/list [--workers 1] [--inline]
//! ```
//!
//! `--workers W` sizes the runtime (the daemon takes one worker per CPU,
//! so W = 1 is a one-CPU container). `--inline` reloads the way the daemon
//! did before issue 15: reading and compiling on the runtime task that got
//! the signal, then swapping. The reload runs in a spawned task, as the
//! daemon's signal handler does. Prints `key=value` lines: `reload_s`,
//! `handled_during_reload`, `max_gap_during_reload_ms` and, for
//! comparison, `max_gap_before_reload_ms`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;
use wirewatch::app::reload_with;
use wirewatch::metrics::Metrics;
use wirewatch::pipeline::{Processor, SharedMatcher};
use wirewatch::store::Store;
use wirewatch::watchlists;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut path = None;
    let mut workers = 1usize;
    let mut inline = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--watchlists" => path = args.next().map(PathBuf::from),
            "--workers" => workers = args.next().and_then(|v| v.parse().ok()).unwrap_or(1),
            "--inline" => inline = true,
            other => {
                eprintln!("reload_stall: unknown argument {other}");
                std::process::exit(2)
            }
        }
    }
    let Some(path) = path else {
        eprintln!("reload_stall: --watchlists PATH is required");
        std::process::exit(2)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(measure(path, inline));
}

async fn measure(path: PathBuf, inline: bool) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let store = Arc::new(Store::open(dir.path()).expect("a store"));
    let (small, _) = watchlists::load(std::path::Path::new("config/watchlists"), None)
        .expect("config/watchlists is valid (run from the repository)");
    let shared = SharedMatcher::new(small);
    let metrics = Metrics::default();
    let processor = Processor::new(
        shared.clone(),
        store,
        Arc::new(Notify::new()),
        metrics.clone(),
        1 << 20,
        None,
        Default::default(),
    );
    let done: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let consumer = tokio::spawn({
        let (done, stop) = (done.clone(), stop.clone());
        async move {
            let articles: Vec<&'static str> = include_str!("articles.jsonl").lines().collect();
            for &line in articles.iter().cycle() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let p = processor.clone();
                tokio::task::spawn_blocking(move || p.handle(Some(line.as_bytes())))
                    .await
                    .expect("the handler does not panic")
                    .expect("the outbox is writable");
                done.lock().unwrap().push(Instant::now());
            }
        }
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    let start = Instant::now();
    // From a spawned task, as the daemon's signal handler reloads: on a
    // runtime worker (`block_on`'s own future runs on this thread, which
    // is not one).
    let reloading = tokio::spawn({
        let shared = shared.clone();
        async move {
            if inline {
                // The daemon before issue 15: the work on this task.
                let (m, _) = watchlists::load(&path, None).expect("valid watchlists");
                shared.replace(m);
            } else {
                reload_with(&shared, &metrics, move || {
                    watchlists::load(&path, None).map(|(m, _)| m)
                })
                .await;
            }
            Instant::now()
        }
    });
    let end = reloading.await.expect("the reload does not panic");
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::SeqCst);
    consumer.await.expect("the consumer ends");
    let done = done.lock().unwrap();
    // The longest gap between consecutive handled articles (or the
    // window's edges) within [from, to].
    let max_gap = |from: Instant, to: Instant| {
        let mut last = from;
        let mut gap = Duration::ZERO;
        for &t in done.iter().filter(|&&t| t > from && t <= to) {
            gap = gap.max(t - last);
            last = t;
        }
        gap.max(to.saturating_duration_since(last))
    };
    println!("listed={}", shared.current().listed_count());
    println!("reload_s={:.2}", (end - start).as_secs_f64());
    println!(
        "handled_during_reload={}",
        done.iter().filter(|&&t| t > start && t <= end).count()
    );
    println!(
        "max_gap_during_reload_ms={:.0}",
        max_gap(start, end).as_secs_f64() * 1e3
    );
    println!(
        "max_gap_before_reload_ms={:.0}",
        max_gap(start - Duration::from_millis(800), start).as_secs_f64() * 1e3
    );
}
