//! The broker's own limit, as `scripts/bench` measures it: a consume-only
//! client on the same rdkafka crate (and librdkafka) as the daemon, with the
//! daemon's fetch settings, that does nothing with a message but count it.
//!
//! ```sh
//! cargo run --release --example raw_consume -- --brokers 127.0.0.1:9092 \
//!     --topic articles --expect 200000 [--group NAME | --assign] \
//!     [--timeout-secs 300] [--latency] [--set PROPERTY=VALUE ...]
//! ```
//!
//! By default it subscribes in a fresh consumer group (`raw-<pid>-<ms>`)
//! reading from the earliest offset, as a new daemon replica would;
//! `--assign` assigns every partition of the topic at its beginning instead
//! (no group join). It stops at `--expect` messages (or after
//! `--timeout-secs`), commits nothing, and prints `key=value` lines: the
//! messages and bytes (key + value) read, and the rates from the first
//! message to the last, so group join and metadata time are left out, as
//! they are in the daemon's figure. With `--latency` it also reads each
//! value's `"produced_at_ms":` field (as written by
//! `examples/bench_produce.rs`) and prints p50/p99 of produce-to-consume
//! time: the floor under the daemon's produce-to-webhook latency. `--set`
//! passes a librdkafka property (e.g. `fetch.wait.max.ms=10`), as the
//! daemon's `[kafka.properties]` do.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};

struct Args {
    brokers: String,
    topic: String,
    expect: u64,
    group: Option<String>,
    assign: bool,
    timeout: Duration,
    latency: bool,
    properties: Vec<(String, String)>,
}

fn usage() -> ! {
    eprintln!(
        "usage: raw_consume --brokers HOST:PORT --topic NAME --expect N \
         [--group NAME | --assign] [--timeout-secs S] [--latency] [--set PROPERTY=VALUE]"
    );
    std::process::exit(64)
}

fn args() -> Args {
    let mut a = Args {
        brokers: String::new(),
        topic: String::new(),
        expect: 0,
        group: None,
        assign: false,
        timeout: Duration::from_secs(300),
        latency: false,
        properties: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| usage());
        match flag.as_str() {
            "--brokers" => a.brokers = value(),
            "--topic" => a.topic = value(),
            "--expect" => a.expect = value().parse().unwrap_or_else(|_| usage()),
            "--group" => a.group = Some(value()),
            "--assign" => a.assign = true,
            "--timeout-secs" => {
                a.timeout = Duration::from_secs(value().parse().unwrap_or_else(|_| usage()))
            }
            "--latency" => a.latency = true,
            "--set" => {
                let kv = value();
                let (k, v) = kv.split_once('=').unwrap_or_else(|| usage());
                a.properties.push((k.to_string(), v.to_string()));
            }
            _ => usage(),
        }
    }
    if a.brokers.is_empty() || a.topic.is_empty() || a.expect == 0 {
        usage();
    }
    a
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The number after `"produced_at_ms":` in a JSON value, if any.
fn produced_at_ms(value: &[u8]) -> Option<i64> {
    const FIELD: &[u8] = b"\"produced_at_ms\":";
    let at = value.windows(FIELD.len()).position(|w| w == FIELD)? + FIELD.len();
    let digits: Vec<u8> = value[at..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .copied()
        .collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

fn percentile(sorted: &[i64], p: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn main() {
    let a = args();
    let group = a
        .group
        .clone()
        .unwrap_or_else(|| format!("raw-{}-{}", std::process::id(), now_ms()));
    // The daemon's consumer settings (src/source/kafka/mod.rs), minus offset
    // storing and committing, which this client never does.
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", &a.brokers)
        .set("group.id", &group)
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("session.timeout.ms", "10000")
        .set("enable.partition.eof", "false")
        .set("fetch.message.max.bytes", "1048577");
    for (k, v) in &a.properties {
        config.set(k, v);
    }
    let consumer: BaseConsumer = config.create().unwrap_or_else(|e| {
        eprintln!("error: cannot create the consumer: {e}");
        std::process::exit(1)
    });
    if a.assign {
        let metadata = consumer
            .fetch_metadata(Some(&a.topic), Duration::from_secs(10))
            .unwrap_or_else(|e| {
                eprintln!("error: cannot read metadata of {}: {e}", a.topic);
                std::process::exit(1)
            });
        let mut tpl = TopicPartitionList::new();
        for t in metadata.topics().iter().filter(|t| t.name() == a.topic) {
            for p in t.partitions() {
                tpl.add_partition_offset(&a.topic, p.id(), Offset::Beginning)
                    .expect("a valid partition");
            }
        }
        if tpl.count() == 0 {
            eprintln!("error: topic {} has no partitions", a.topic);
            std::process::exit(1);
        }
        consumer.assign(&tpl).expect("assign");
    } else {
        consumer.subscribe(&[&a.topic]).expect("subscribe");
    }

    let started = Instant::now();
    let mut first: Option<Instant> = None;
    let mut last = started;
    let (mut msgs, mut bytes, mut errors) = (0u64, 0u64, 0u64);
    let mut latencies: Vec<i64> = Vec::new();
    while msgs < a.expect && started.elapsed() < a.timeout {
        match consumer.poll(Duration::from_millis(100)) {
            None => {}
            Some(Err(e)) => {
                errors += 1;
                if errors <= 5 {
                    eprintln!("warning: {e}");
                }
            }
            Some(Ok(m)) => {
                last = Instant::now();
                first.get_or_insert(last);
                msgs += 1;
                bytes += (m.payload_len() + m.key().map_or(0, <[u8]>::len)) as u64;
                if a.latency {
                    if let Some(at) = m.payload().and_then(produced_at_ms) {
                        latencies.push(now_ms() - at);
                    }
                }
            }
        }
    }
    let secs = first.map_or(0.0, |f| (last - f).as_secs_f64());
    let out = |k: &str, v: String| println!("{k}={v}");
    out("group", if a.assign { "-".into() } else { group });
    out("messages", msgs.to_string());
    out("bytes", bytes.to_string());
    out("errors", errors.to_string());
    out("seconds", format!("{secs:.3}"));
    let rate = if secs > 0.0 { msgs as f64 / secs } else { 0.0 };
    let mb = if secs > 0.0 {
        bytes as f64 / secs / 1e6
    } else {
        0.0
    };
    out("msgs_per_s", format!("{rate:.0}"));
    out("mb_per_s", format!("{mb:.1}"));
    if a.latency {
        latencies.sort_unstable();
        out("latency_samples", latencies.len().to_string());
        out("latency_p50_ms", percentile(&latencies, 50.0).to_string());
        out("latency_p99_ms", percentile(&latencies, 99.0).to_string());
        out(
            "latency_max_ms",
            latencies.last().copied().unwrap_or(0).to_string(),
        );
    }
    eprintln!(
        "raw_consume: {msgs} messages, {:.1} MB in {secs:.2} s: {rate:.0} msgs/s, {mb:.1} MB/s",
        bytes as f64 / 1e6
    );
    if msgs < a.expect {
        eprintln!(
            "raw_consume: timed out after {:?} with {msgs} of {} messages",
            a.timeout, a.expect
        );
        std::process::exit(2);
    }
}
