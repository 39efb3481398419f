//! The producer side of `scripts/bench`: the generated watchlist, topic
//! creation, and article events on a real broker. The watchlist and the
//! ~3 KB articles come from the matcher benchmark's seeded generator
//! (`benches/workload/`: templates and vocabulary, 10,000 rules over
//! ~100,000 names and aliases), so every run sends the same bytes.
//!
//! ```sh
//! # the watchlist, every rule notifying channel CHANNEL
//! bench_produce watchlist --out FILE [--rules 10000] [--channel bench]
//! # topics (an existing topic is left as it is)
//! bench_produce topics --brokers B [--partitions 4] NAME...
//! # N articles as fast as the broker takes them (ids bulk-0000000...)
//! bench_produce bulk --brokers B --topic T --n N [--rules 10000]
//! # articles that fire a rule, at RATE per second for SECS seconds
//! # (ids live-000000...); writes "article-id<TAB>produced-at-ms" lines to FILE
//! bench_produce paced --brokers B --topic T --rate 1000 --seconds 30 --out FILE [--rules 10000]
//! # N bulk-like articles (about one in ten fires a rule) at RATE per
//! # second (ids soak-0000000...), for scripts/soak; writes
//! # "article-id<TAB>produced-at-ms" lines for the rule-firing ones to FILE
//! bench_produce soak --brokers B --topic T --rate 2000 --n 1000000 --out FILE [--rules 10000]
//! # the bulk articles as JSONL instead (for `wirewatch backtest` or
//! # `wirewatch run --input` under a profiler)
//! bench_produce jsonl --n N --out FILE [--rules 10000]
//! # every watched company name and alias, one a line (the patterns of
//! # `rg -F -f FILE`, scripts/bench-backtest's baseline)
//! bench_produce names --out FILE [--rules 10000]
//! ```
//!
//! Each event's JSON starts with an extra field `"produced_at_ms"` (Unix ms,
//! taken just before the message is handed to librdkafka), which the daemon
//! ignores. Results are printed as `key=value` lines.

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer};
use rdkafka::ClientContext;
use wirewatch_matcher::article::Article;

#[allow(dead_code)]
#[path = "../crates/wirewatch-matcher/benches/workload/mod.rs"]
mod workload;

/// Articles generated per call of the workload generator.
const CHUNK: usize = 1_000;

fn usage() -> ! {
    eprintln!("usage: see the header of examples/bench_produce.rs");
    std::process::exit(64)
}

/// `--flag value` pairs and bare words.
struct Args {
    pairs: Vec<(String, String)>,
    words: Vec<String>,
}

impl Args {
    fn parse(args: impl Iterator<Item = String>) -> Args {
        let mut a = Args {
            pairs: Vec::new(),
            words: Vec::new(),
        };
        let mut it = args.peekable();
        while let Some(x) = it.next() {
            if let Some(flag) = x.strip_prefix("--") {
                let v = it.next().unwrap_or_else(|| usage());
                a.pairs.push((flag.to_string(), v));
            } else {
                a.words.push(x);
            }
        }
        a
    }

    fn get(&self, flag: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == flag)
            .map(|(_, v)| v.as_str())
    }

    fn req(&self, flag: &str) -> String {
        self.get(flag).map(str::to_string).unwrap_or_else(|| {
            eprintln!("error: --{flag} is required");
            usage()
        })
    }

    fn num<T: std::str::FromStr>(&self, flag: &str, default: T) -> T {
        match self.get(flag) {
            None => default,
            Some(v) => v.parse().unwrap_or_else(|_| {
                eprintln!("error: --{flag} takes a number, not {v:?}");
                usage()
            }),
        }
    }
}

fn out(k: &str, v: impl std::fmt::Display) {
    println!("{k}={v}");
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Counts delivery reports.
#[derive(Default)]
struct Counting {
    delivered: AtomicU64,
    failed: AtomicU64,
}

impl ClientContext for Counting {}

impl ProducerContext for Counting {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        match result {
            Ok(_) => self.delivered.fetch_add(1, Ordering::Relaxed),
            Err((e, _)) => {
                if self.failed.fetch_add(1, Ordering::Relaxed) < 5 {
                    eprintln!("warning: delivery failed: {e}");
                }
                0
            }
        };
    }
}

struct Sender {
    producer: ThreadedProducer<Counting>,
    topic: String,
    bytes: u64,
}

impl Sender {
    fn new(brokers: &str, topic: &str, tuning: &[(&str, &str)]) -> Sender {
        let mut cc = ClientConfig::new();
        cc.set("bootstrap.servers", brokers)
            .set("message.timeout.ms", "120000");
        for (k, v) in tuning {
            cc.set(*k, *v);
        }
        let producer = cc
            .create_with_context(Counting::default())
            .unwrap_or_else(|e| {
                eprintln!("error: cannot create the producer: {e}");
                std::process::exit(1)
            });
        Sender {
            producer,
            topic: topic.to_string(),
            bytes: 0,
        }
    }

    /// Sends one event, waiting while librdkafka's queue is full.
    fn send(&mut self, key: &str, payload: &[u8]) {
        self.bytes += (key.len() + payload.len()) as u64;
        let mut record = BaseRecord::to(&self.topic).key(key).payload(payload);
        loop {
            match self.producer.send(record) {
                Ok(()) => return,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), r)) => {
                    record = r;
                    std::thread::sleep(Duration::from_millis(2));
                }
                Err((e, _)) => {
                    eprintln!("error: cannot produce: {e}");
                    std::process::exit(1)
                }
            }
        }
    }

    /// Waits for every delivery report; returns (delivered, failed).
    fn finish(self) -> (u64, u64) {
        if let Err(e) = self.producer.flush(Duration::from_secs(120)) {
            eprintln!("error: flush: {e}");
        }
        let counts = self.producer.context();
        (
            counts.delivered.load(Ordering::Relaxed),
            counts.failed.load(Ordering::Relaxed),
        )
    }
}

/// The event JSON of `a` with id `id` and `"produced_at_ms"` first.
fn event_json(a: &Article, id: &str, produced_at_ms: i64) -> String {
    let mut a = a.clone();
    a.id = id.to_string();
    a.url = Some(format!("https://news.example.com/{id}"));
    a.source = Some("Bench Wire".into());
    a.language = Some("en".into());
    let json = serde_json::to_string(&a).expect("an article serializes");
    format!("{{\"produced_at_ms\":{produced_at_ms},{}", &json[1..])
}

/// Chunk `c` of the seeded article stream.
fn chunk(g: &workload::Generated, c: usize) -> Vec<(Article, workload::Kind)> {
    let seed = workload::SEED ^ (c as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    workload::articles(g, seed, CHUNK)
}

fn watchlist(a: &Args) {
    let path = a.req("out");
    let rules = a.num("rules", workload::RULES);
    let channel = a.get("channel").unwrap_or("bench").to_string();
    let g = workload::generate(workload::SEED, rules);
    // The generator's rules notify no one; route every rule to `channel`.
    let mut toml = String::with_capacity(g.toml.len() + rules * 24);
    let mut routed = 0;
    for line in g.toml.lines() {
        toml.push_str(line);
        toml.push('\n');
        if line.starts_with("severity = ") {
            let _ = writeln!(toml, "notify = [\"{channel}\"]");
            routed += 1;
        }
    }
    assert_eq!(
        routed,
        g.rules.len(),
        "one severity line per generated rule"
    );
    std::fs::write(&path, toml).unwrap_or_else(|e| {
        eprintln!("error: cannot write {path}: {e}");
        std::process::exit(1)
    });
    out("rules", g.rules.len());
    out("names", g.name_count());
    out("watchlist", path);
}

fn topics(a: &Args) {
    let brokers = a.req("brokers");
    let partitions: i32 = a.num("partitions", 4);
    if a.words.is_empty() {
        usage();
    }
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", &brokers)
        .create()
        .unwrap_or_else(|e| {
            eprintln!("error: cannot create the admin client: {e}");
            std::process::exit(1)
        });
    let new: Vec<NewTopic<'_>> = a
        .words
        .iter()
        .map(|t| NewTopic::new(t, partitions, TopicReplication::Fixed(1)))
        .collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let results = rt
        .block_on(admin.create_topics(&new, &AdminOptions::new()))
        .unwrap_or_else(|e| {
            eprintln!("error: cannot create topics: {e}");
            std::process::exit(1)
        });
    for r in results {
        match r {
            Ok(t) => out("created", format!("{t} ({partitions} partitions)")),
            Err((t, RDKafkaErrorCode::TopicAlreadyExists)) => out("exists", t),
            Err((t, e)) => {
                eprintln!("error: cannot create topic {t}: {e}");
                std::process::exit(1)
            }
        }
    }
}

fn bulk(a: &Args) {
    let brokers = a.req("brokers");
    let topic = a.req("topic");
    let n: usize = a.num("n", 200_000);
    let rules = a.num("rules", workload::RULES);
    let g = workload::generate(workload::SEED, rules);
    let mut sender = Sender::new(
        &brokers,
        &topic,
        &[
            ("linger.ms", "20"),
            ("batch.size", "1000000"),
            ("queue.buffering.max.kbytes", "524288"),
            ("queue.buffering.max.messages", "200000"),
        ],
    );
    let started = Instant::now();
    let (mut sent, mut events, mut near, mut c) = (0usize, 0usize, 0usize, 0usize);
    let mut generating = Duration::ZERO;
    while sent < n {
        let t = Instant::now();
        let batch = chunk(&g, c);
        generating += t.elapsed();
        c += 1;
        for (article, kind) in batch.into_iter().take(n - sent) {
            match kind {
                workload::Kind::Event { .. } => events += 1,
                workload::Kind::NearMiss => near += 1,
                workload::Kind::Background => {}
            }
            let id = format!("bulk-{sent:07}");
            sender.send(&id, event_json(&article, &id, now_ms()).as_bytes());
            sent += 1;
        }
    }
    let bytes = sender.bytes;
    let (delivered, failed) = sender.finish();
    let secs = started.elapsed().as_secs_f64();
    out("articles", sent);
    out("event_articles", events);
    out("near_miss_articles", near);
    out("bytes", bytes);
    out("avg_bytes", bytes / sent.max(1) as u64);
    out("delivered", delivered);
    out("failed", failed);
    out("seconds", format!("{secs:.3}"));
    out(
        "generate_seconds",
        format!("{:.3}", generating.as_secs_f64()),
    );
    out("produce_msgs_per_s", format!("{:.0}", sent as f64 / secs));
    if failed > 0 || delivered < sent as u64 {
        eprintln!("error: {failed} deliveries failed, {delivered} of {sent} delivered");
        std::process::exit(1);
    }
}

fn jsonl(a: &Args) {
    let path = a.req("out");
    let n: usize = a.num("n", 1_000);
    let rules = a.num("rules", workload::RULES);
    let g = workload::generate(workload::SEED, rules);
    let mut text = String::with_capacity(n * 3_400);
    let (mut written, mut c) = (0usize, 0usize);
    while written < n {
        for (article, _) in chunk(&g, c).into_iter().take(n - written) {
            let id = format!("bulk-{written:07}");
            text.push_str(&event_json(&article, &id, 0));
            text.push('\n');
            written += 1;
        }
        c += 1;
    }
    std::fs::write(&path, text).unwrap_or_else(|e| {
        eprintln!("error: cannot write {path}: {e}");
        std::process::exit(1)
    });
    out("articles", written);
    out("jsonl", path);
}

fn names(a: &Args) {
    let path = a.req("out");
    let rules = a.num("rules", workload::RULES);
    let g = workload::generate(workload::SEED, rules);
    let mut text = String::new();
    for c in &g.companies {
        for name in c.names() {
            text.push_str(name);
            text.push('\n');
        }
    }
    std::fs::write(&path, text).unwrap_or_else(|e| {
        eprintln!("error: cannot write {path}: {e}");
        std::process::exit(1)
    });
    out("names", g.name_count());
    out("file", path);
}

fn paced(a: &Args) {
    let brokers = a.req("brokers");
    let topic = a.req("topic");
    let path = a.req("out");
    let rate: f64 = a.num("rate", 1000.0);
    let seconds: f64 = a.num("seconds", 30.0);
    let rules = a.num("rules", workload::RULES);
    let total = (rate * seconds).round() as usize;
    if rate <= 0.0 || total == 0 {
        usage();
    }
    // Distinct articles that fire a rule, generated before the clock starts
    // (distinct: the daemon folds a story it has seen into its first alert).
    let t = Instant::now();
    let g = workload::generate(workload::SEED, rules);
    let mut pool: Vec<Article> = Vec::with_capacity(total);
    let mut c = 1_000_000;
    while pool.len() < total {
        pool.extend(
            chunk(&g, c)
                .into_iter()
                .filter(|(_, k)| matches!(k, workload::Kind::Event { .. }))
                .map(|(a, _)| a),
        );
        c += 1;
    }
    let generating = t.elapsed().as_secs_f64();
    // librdkafka's default batching (linger.ms = 5), as a real feed has; its
    // wait counts in the produce-to-webhook time.
    let mut sender = Sender::new(&brokers, &topic, &[]);
    let mut log = String::with_capacity(total * 24);
    let interval = Duration::from_secs_f64(1.0 / rate);
    let started = Instant::now();
    let mut behind_max = Duration::ZERO;
    for (i, article) in pool.iter().take(total).enumerate() {
        let due = started + interval * i as u32;
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        } else {
            behind_max = behind_max.max(now - due);
        }
        let id = format!("live-{i:06}");
        let at = now_ms();
        sender.send(&id, event_json(article, &id, at).as_bytes());
        let _ = writeln!(log, "{id}\t{at}");
    }
    let secs = started.elapsed().as_secs_f64();
    let (delivered, failed) = sender.finish();
    let mut f = std::fs::File::create(&path).unwrap_or_else(|e| {
        eprintln!("error: cannot write {path}: {e}");
        std::process::exit(1)
    });
    f.write_all(log.as_bytes()).expect("write the produce log");
    out("articles", total);
    out("generate_seconds", format!("{generating:.3}"));
    out("seconds", format!("{secs:.3}"));
    out("offered_per_s", format!("{:.0}", total as f64 / secs));
    out("max_behind_ms", behind_max.as_millis());
    out("delivered", delivered);
    out("failed", failed);
}

fn soak(a: &Args) {
    let brokers = a.req("brokers");
    let topic = a.req("topic");
    let path = a.req("out");
    let rate: f64 = a.num("rate", 2000.0);
    let n: usize = a.num("n", 1_000_000);
    let rules = a.num("rules", workload::RULES);
    if rate <= 0.0 || n == 0 {
        usage();
    }
    let g = workload::generate(workload::SEED, rules);
    let mut sender = Sender::new(&brokers, &topic, &[]);
    let mut log = std::io::BufWriter::new(std::fs::File::create(&path).unwrap_or_else(|e| {
        eprintln!("error: cannot write {path}: {e}");
        std::process::exit(1)
    }));
    let interval = Duration::from_secs_f64(1.0 / rate);
    let started = Instant::now();
    let (mut sent, mut events, mut c) = (0usize, 0usize, 0usize);
    let mut behind_max = Duration::ZERO;
    while sent < n {
        // Generated as it goes (a chunk of 1,000 takes a few ms), so memory
        // stays flat over a million articles.
        for (article, kind) in chunk(&g, c).into_iter().take(n - sent) {
            let due = started + interval.mul_f64(sent as f64);
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            } else {
                behind_max = behind_max.max(now - due);
            }
            let id = format!("soak-{sent:07}");
            let at = now_ms();
            sender.send(&id, event_json(&article, &id, at).as_bytes());
            if matches!(kind, workload::Kind::Event { .. }) {
                events += 1;
                let _ = writeln!(log, "{id}\t{at}");
            }
            sent += 1;
        }
        c += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    let (delivered, failed) = sender.finish();
    log.flush().expect("write the produce log");
    out("articles", sent);
    out("event_articles", events);
    out("seconds", format!("{secs:.3}"));
    out("offered_per_s", format!("{:.0}", sent as f64 / secs));
    out("max_behind_ms", behind_max.as_millis());
    out("delivered", delivered);
    out("failed", failed);
    if failed > 0 || delivered < sent as u64 {
        eprintln!("error: {failed} deliveries failed, {delivered} of {sent} delivered");
        std::process::exit(1);
    }
}

fn main() {
    let mut argv = std::env::args().skip(1);
    let command = argv.next().unwrap_or_else(|| usage());
    let args = Args::parse(argv);
    match command.as_str() {
        "watchlist" => watchlist(&args),
        "topics" => topics(&args),
        "bulk" => bulk(&args),
        "paced" => paced(&args),
        "soak" => soak(&args),
        "jsonl" => jsonl(&args),
        "names" => names(&args),
        _ => usage(),
    }
}
