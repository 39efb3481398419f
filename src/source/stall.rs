//! A watchdog for partitions nobody in the consumer group consumes.
//!
//! A group coordinator should hand a dead member's partitions to the
//! survivors within a session timeout. Tansu 0.6 (the broker of our test
//! suite) does not always: when a survivor's heartbeat is what notices the
//! dead member, the coordinator drops the member but keeps the group's
//! generation and its stored assignment, so the survivors' next SyncGroup
//! gets their old partitions back and the dead member's stay unconsumed
//! (`examples/group_takeover.rs` reproduces it with plain rdkafka).
//! Real coordinators have had bugs of this kind too.
//!
//! So every replica checks, once per session timeout, each partition of
//! its topics that it does not hold: a partition with messages past the
//! group's committed offset, whose committed offset has not moved for
//! [`STALL_SESSIONS`] session timeouts, is *stalled*. Stalled partitions are
//! counted in `wirewatch_stalled_partitions`, make `/readyz` report
//! degraded, are logged once, and make this replica rejoin the group (a
//! new member joining forces a new generation and a fresh assignment), at
//! most once per stall period. A partition nobody writes to, or one whose
//! consumer keeps committing, never counts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::consumer::{Consumer, ConsumerContext};
use rdkafka::{Offset, TopicPartitionList};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::metrics::Metrics;

/// How many session timeouts a partition's committed offset may stand
/// still, with messages behind it, before the partition counts as stalled.
pub const STALL_SESSIONS: u32 = 3;

type Tp = (String, i32);

/// The stalled partitions as "topic[partition]", shared with `/readyz`.
pub type Stalled = Arc<Mutex<Vec<String>>>;

/// What the watchdog last saw of one partition.
#[derive(Debug, Clone, Copy)]
struct Seen {
    committed: i64,
    /// Since when `committed` has not moved.
    since: Instant,
}

/// The partition states the watchdog keeps between checks.
#[derive(Debug, Default)]
pub struct Watch {
    seen: HashMap<Tp, Seen>,
    last_rejoin: Option<Instant>,
}

/// One partition as read from the broker: its group's committed offset
/// (`None` when nothing was committed) and its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub tp: Tp,
    pub committed: Option<i64>,
    pub low: i64,
    pub high: i64,
}

impl Watch {
    /// Updates the state with this check's readings of the partitions
    /// this replica does not hold, and returns those stalled for at least
    /// `stall`.
    pub fn update(&mut self, readings: &[Reading], now: Instant, stall: Duration) -> Vec<Tp> {
        let mut stalled = Vec::new();
        let mut seen = HashMap::with_capacity(readings.len());
        for r in readings {
            // Where the group would resume: its commit, or the start.
            let committed = r.committed.unwrap_or(r.low);
            let behind = r.high > committed;
            let s = match self.seen.get(&r.tp) {
                Some(s) if s.committed == committed && behind => *s,
                _ => Seen {
                    committed,
                    since: now,
                },
            };
            if behind && now.duration_since(s.since) >= stall {
                stalled.push(r.tp.clone());
            }
            seen.insert(r.tp.clone(), s);
        }
        self.seen = seen;
        stalled.sort();
        stalled
    }

    /// Whether to rejoin the group now: at most once per `stall`.
    fn may_rejoin(&mut self, now: Instant, stall: Duration) -> bool {
        if self
            .last_rejoin
            .is_some_and(|t| now.duration_since(t) < stall)
        {
            return false;
        }
        self.last_rejoin = Some(now);
        // Give the new assignment a full period before judging again.
        for s in self.seen.values_mut() {
            s.since = now;
        }
        true
    }
}

/// Reads the committed offset and the ends of every partition of `topics`
/// that `consumer` does not hold. Blocking (broker round trips).
fn read<C: ConsumerContext, K: Consumer<C>>(
    consumer: &K,
    topics: &[String],
    timeout: Duration,
) -> Result<Vec<Reading>, rdkafka::error::KafkaError> {
    let held: Vec<Tp> = consumer
        .assignment()?
        .elements()
        .iter()
        .map(|e| (e.topic().to_string(), e.partition()))
        .collect();
    let mut others = TopicPartitionList::new();
    for topic in topics {
        let metadata = consumer.fetch_metadata(Some(topic), timeout)?;
        for t in metadata.topics() {
            for p in t.partitions() {
                let tp = (t.name().to_string(), p.id());
                if !held.contains(&tp) {
                    others.add_partition(&tp.0, tp.1);
                }
            }
        }
    }
    if others.count() == 0 {
        return Ok(Vec::new());
    }
    let committed = consumer.committed_offsets(others, timeout)?;
    let mut readings = Vec::with_capacity(committed.count());
    for e in committed.elements() {
        let (low, high) = consumer.fetch_watermarks(e.topic(), e.partition(), timeout)?;
        readings.push(Reading {
            tp: (e.topic().to_string(), e.partition()),
            committed: match e.offset() {
                Offset::Offset(o) => Some(o),
                _ => None,
            },
            low,
            high,
        });
    }
    Ok(readings)
}

/// Checks once per `session` until `shutdown`; see the module doc.
pub async fn run<C, K>(
    consumer: Arc<K>,
    topics: Vec<String>,
    session: Duration,
    metrics: Metrics,
    stalled_out: Stalled,
    shutdown: CancellationToken,
) where
    C: ConsumerContext + 'static,
    K: Consumer<C> + Send + Sync + 'static,
{
    let stall = session * STALL_SESSIONS;
    let mut watch = Watch::default();
    let mut reported: Vec<Tp> = Vec::new();
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(session) => {}
        }
        let c = consumer.clone();
        let t = topics.clone();
        let readings = match tokio::task::spawn_blocking(move || read(&*c, &t, session)).await {
            Ok(Ok(r)) => r,
            // The broker is unreachable or busy: the consumer logs that;
            // judge nothing on no data.
            Ok(Err(_)) | Err(_) => continue,
        };
        let now = Instant::now();
        let stalled = watch.update(&readings, now, stall);
        metrics.stalled_partitions.set(stalled.len() as i64);
        *stalled_out.lock().unwrap_or_else(|p| p.into_inner()) =
            stalled.iter().map(|(t, p)| format!("{t}[{p}]")).collect();
        if stalled.is_empty() {
            if !reported.is_empty() {
                info!(message = "No stalled partitions any more.");
                reported.clear();
            }
            continue;
        }
        if stalled != reported {
            let names: Vec<String> = stalled.iter().map(|(t, p)| format!("{t}[{p}]")).collect();
            warn!(
                message = "Partitions with unconsumed messages that no group member has committed for a while; the group coordinator may have kept a dead member's assignment. Rejoining the group to force a new assignment.",
                partitions = %names.join(","),
                stalled_secs = stall.as_secs()
            );
            reported = stalled.clone();
        }
        if watch.may_rejoin(now, stall) {
            let c = consumer.clone();
            let t = topics.clone();
            let _ = tokio::task::spawn_blocking(move || {
                let names: Vec<&str> = t.iter().map(String::as_str).collect();
                // Unsubscribing revokes (and commits) what this replica
                // holds; subscribing again joins as a new member.
                c.unsubscribe();
                if let Err(e) = c.subscribe(&names) {
                    warn!(message = "Cannot subscribe again after leaving the group.", error = %e);
                }
            })
            .await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(p: i32, committed: Option<i64>, high: i64) -> Reading {
        Reading {
            tp: ("t".into(), p),
            committed,
            low: 0,
            high,
        }
    }

    #[test]
    fn a_partition_with_messages_and_a_still_commit_stalls_after_the_period() {
        let mut w = Watch::default();
        let t0 = Instant::now();
        let stall = Duration::from_secs(30);
        let at = |s: u64| t0 + Duration::from_secs(s);
        // Partition 0: committed 20 of 25 and stuck. Partition 1: caught
        // up. Partition 2: its consumer keeps committing. Partition 3:
        // never committed, with messages.
        let r = |c2: i64| {
            vec![
                reading(0, Some(20), 25),
                reading(1, Some(40), 40),
                reading(2, Some(c2), c2 + 5),
                reading(3, None, 7),
            ]
        };
        assert!(w.update(&r(10), at(0), stall).is_empty());
        assert!(w.update(&r(12), at(20), stall).is_empty());
        assert_eq!(
            w.update(&r(14), at(30), stall),
            [("t".to_string(), 0), ("t".to_string(), 3)]
        );
        // The stuck partition's commit moves: no longer stalled.
        let mut moved = r(16);
        moved[0] = reading(0, Some(21), 25);
        assert_eq!(w.update(&moved, at(40), stall), [("t".to_string(), 3)]);
    }

    #[test]
    fn a_rejoin_waits_a_full_period_and_resets_the_clocks() {
        let mut w = Watch::default();
        let t0 = Instant::now();
        let stall = Duration::from_secs(30);
        let stuck = [reading(0, Some(1), 9)];
        w.update(&stuck, t0, stall);
        assert_eq!(w.update(&stuck, t0 + stall, stall).len(), 1);
        assert!(w.may_rejoin(t0 + stall, stall));
        assert!(!w.may_rejoin(t0 + stall + Duration::from_secs(1), stall));
        assert!(
            w.update(&stuck, t0 + stall + Duration::from_secs(1), stall)
                .is_empty(),
            "judged again only a full period after the rejoin"
        );
        assert_eq!(w.update(&stuck, t0 + stall * 2, stall).len(), 1);
        assert!(w.may_rejoin(t0 + stall * 2, stall));
    }
}
