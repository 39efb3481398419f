//! A minimal consumer-group takeover check with plain rdkafka (no wirewatch
//! code): does the broker's group coordinator give a killed member's
//! partitions to the survivor?
//!
//! ```sh
//! cargo run --example group_takeover -- --brokers 127.0.0.1:9092 \
//!     [--partitions 4] [--messages 40] [--kill-after 20] [--session-ms 10000] \
//!     [--protocol eager|cooperative] [--wait-secs 60]
//! ```
//!
//! It creates a fresh topic, starts two member processes (this program
//! again, with `member`) in one fresh group, produces `--messages` messages
//! one by one with the same key, 0.2 s apart, to whichever partition member B
//! holds, `kill -9`s B after `--kill-after` of them, and then waits for
//! member A to consume every message produced after the kill. Each member
//! prints its assignments and every message it reads; the driver prints
//! `expected`, `consumed after the kill`, `lost` and the members' logs, and
//! exits 1 when anything produced after the kill was never consumed.
//!
//! This is how the cause of a lost partition after a replica died was
//! found: see BENCHMARKS.md (consumer group takeover) and the delivery
//! tests.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};

struct Args {
    brokers: String,
    partitions: i32,
    messages: usize,
    kill_after: usize,
    session_ms: u64,
    protocol: String,
    wait: Duration,
}

fn usage() -> ! {
    eprintln!(
        "usage: group_takeover --brokers HOST:PORT [--partitions N] [--messages N] \
         [--kill-after N] [--session-ms MS] [--protocol eager|cooperative] [--wait-secs S]\n\
         (or: group_takeover member BROKERS TOPIC GROUP SESSION_MS PROTOCOL)"
    );
    std::process::exit(64)
}

fn parse() -> Args {
    let mut a = Args {
        brokers: String::new(),
        partitions: 4,
        messages: 40,
        kill_after: 20,
        session_ms: 10_000,
        protocol: "eager".into(),
        wait: Duration::from_secs(60),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| usage());
        let number = |s: String| s.parse::<u64>().unwrap_or_else(|_| usage());
        match flag.as_str() {
            "--brokers" => a.brokers = value(),
            "--partitions" => a.partitions = number(value()) as i32,
            "--messages" => a.messages = number(value()) as usize,
            "--kill-after" => a.kill_after = number(value()) as usize,
            "--session-ms" => a.session_ms = number(value()),
            "--protocol" => a.protocol = value(),
            "--wait-secs" => a.wait = Duration::from_secs(number(value())),
            _ => usage(),
        }
    }
    if a.brokers.is_empty() || a.kill_after > a.messages {
        usage()
    }
    a
}

fn elapsed(start: Instant) -> String {
    format!("{:6.1}s", start.elapsed().as_secs_f64())
}

/// A group member: prints `assigned P,Q`, `revoked` and `message P OFFSET
/// PAYLOAD` lines on stdout until killed.
fn member(brokers: &str, topic: &str, group: &str, session_ms: &str, protocol: &str) {
    let strategy = if protocol == "cooperative" {
        "cooperative-sticky"
    } else {
        "range,roundrobin"
    };
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", group)
        .set("session.timeout.ms", session_ms)
        .set("partition.assignment.strategy", strategy)
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "true")
        .set("auto.commit.interval.ms", "1000")
        .create()
        .expect("consumer");
    consumer.subscribe(&[topic]).expect("subscribe");
    let mut last: Vec<i32> = Vec::new();
    loop {
        if let Some(r) = consumer.poll(Duration::from_millis(100)) {
            match r {
                Ok(m) => println!(
                    "message {} {} {}",
                    m.partition(),
                    m.offset(),
                    String::from_utf8_lossy(m.payload().unwrap_or_default())
                ),
                Err(e) => println!("error {e}"),
            }
        }
        let now: Vec<i32> = consumer
            .assignment()
            .map(|l| l.elements().iter().map(|e| e.partition()).collect())
            .unwrap_or_default();
        if now != last {
            let names: Vec<String> = now.iter().map(|p| p.to_string()).collect();
            println!("assigned {}", names.join(","));
            last = now;
        }
    }
}

/// One member process, with its stdout lines sent to `tx` as (name, line).
fn spawn(name: &'static str, args: &[&str], tx: mpsc::Sender<(&'static str, String)>) -> Child {
    let mut child = Command::new(std::env::current_exe().expect("own path"))
        .arg("member")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("member process");
    let out = child.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send((name, line)).is_err() {
                break;
            }
        }
    });
    child
}

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    if argv.get(1).map(String::as_str) == Some("member") {
        if argv.len() != 7 {
            usage()
        }
        member(&argv[2], &argv[3], &argv[4], &argv[5], &argv[6]);
        return;
    }
    let a = parse();
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    let topic = format!("takeover-{stamp}");
    let group = format!("takeover-{stamp}-group");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", &a.brokers)
        .create()
        .expect("admin client");
    rt.block_on(admin.create_topics(
        &[NewTopic::new(
            &topic,
            a.partitions,
            TopicReplication::Fixed(1),
        )],
        &AdminOptions::new(),
    ))
    .expect("create topic");

    let start = Instant::now();
    let (tx, rx) = mpsc::channel();
    let session = a.session_ms.to_string();
    let member_args = [
        a.brokers.as_str(),
        topic.as_str(),
        group.as_str(),
        session.as_str(),
        a.protocol.as_str(),
    ];
    let _member_a = KillOnDrop(spawn("A", &member_args, tx.clone()));
    // B joins a little later, so A is the group's leader.
    std::thread::sleep(Duration::from_secs(2));
    let mut member_b = KillOnDrop(spawn("B", &member_args, tx));
    let mut log: Vec<String> = Vec::new();
    let mut assigned = std::collections::HashMap::<&str, Vec<i32>>::new();
    let mut consumed_after_kill = std::collections::BTreeSet::new();
    let drain = |log: &mut Vec<String>,
                 assigned: &mut std::collections::HashMap<&str, Vec<i32>>,
                 consumed: &mut std::collections::BTreeSet<usize>,
                 killed: bool,
                 wait: Duration| {
        let deadline = Instant::now() + wait;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let Ok((name, line)) = rx.recv_timeout(left) else {
                break;
            };
            if let Some(list) = line.strip_prefix("assigned ") {
                assigned.insert(
                    name,
                    list.split(',').filter_map(|p| p.parse().ok()).collect(),
                );
                log.push(format!("{} {name} {line}", elapsed(start)));
            } else if let Some(rest) = line.strip_prefix("message ") {
                let n: Option<usize> = rest.rsplit(' ').next().and_then(|s| s.parse().ok());
                if let (true, Some(n)) = (killed, n) {
                    consumed.insert(n);
                }
            } else {
                log.push(format!("{} {name} {line}", elapsed(start)));
            }
        }
    };
    // Wait until both members hold partitions.
    let ready = Instant::now();
    while !(assigned.get("A").is_some_and(|p| !p.is_empty())
        && assigned.get("B").is_some_and(|p| !p.is_empty()))
    {
        if ready.elapsed() > Duration::from_secs(60) {
            eprintln!("the two members never both held partitions:");
            log.iter().for_each(|l| eprintln!("  {l}"));
            std::process::exit(2);
        }
        drain(
            &mut log,
            &mut assigned,
            &mut consumed_after_kill,
            false,
            Duration::from_millis(200),
        );
    }
    let target = assigned["B"][0];
    log.push(format!(
        "{} driver: producing to partition {target} (B's)",
        elapsed(start)
    ));
    let producer: ThreadedProducer<DefaultProducerContext> = ClientConfig::new()
        .set("bootstrap.servers", &a.brokers)
        .set("linger.ms", "0")
        .create()
        .expect("producer");
    for n in 0..a.messages {
        if n == a.kill_after {
            producer.flush(Duration::from_secs(10)).expect("flush");
            member_b.kill();
            log.push(format!("{} driver: killed B (SIGKILL)", elapsed(start)));
        }
        let payload = n.to_string();
        producer
            .send(
                BaseRecord::to(&topic)
                    .key("same-key")
                    .payload(&payload)
                    .partition(target),
            )
            .map_err(|(e, _)| e)
            .expect("enqueue");
        producer.flush(Duration::from_secs(10)).expect("flush");
        drain(
            &mut log,
            &mut assigned,
            &mut consumed_after_kill,
            n >= a.kill_after,
            Duration::from_millis(200),
        );
    }
    drain(
        &mut log,
        &mut assigned,
        &mut consumed_after_kill,
        true,
        a.wait,
    );
    let expected = a.messages - a.kill_after;
    let got = consumed_after_kill
        .iter()
        .filter(|n| **n >= a.kill_after)
        .count();
    for l in &log {
        println!("{l}");
    }
    println!(
        "protocol {}, session {} ms: expected {expected} after the kill, consumed {got}, lost {}",
        a.protocol,
        a.session_ms,
        expected - got
    );
    if got < expected {
        std::process::exit(1);
    }
}

/// A child process killed (SIGKILL) when dropped.
struct KillOnDrop(Child);

impl KillOnDrop {
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        self.kill();
    }
}
