//! Retro-hunts: when a reload adds a rule or changes what decides its hits
//! (companies, lists, agencies, actions, excludes, statuses), the articles
//! still retained in the topics for the last `retro.window` are matched
//! again for those rules, so that the first question after adding a
//! company ("what happened to it this week?") is answered by alerts.
//!
//! A hunt has its own consumer outside the group (partitions assigned
//! directly, nothing committed: `source::kafka::range`), reads from the
//! first message at or after the window's start to each partition's end
//! when the hunt was planned (later messages are the live consumer's, which
//! already has the new rules), at most `retro.max_articles_per_sec`, on a
//! blocking thread of its own: live consumption is never delayed by it.
//! Its alerts are flagged `retroactive`, go through the outbox like any
//! alert and keep the live alert ids, so an article that already alerted
//! for a rule does not alert again. Its plan and progress are stored after
//! every batch (`store::retro`), so a restart resumes it; shutdown stops it
//! between two messages.
//!
//! Architecture invariant: a hunt writes alerts only through
//! `Processor::handle_retro_batch`, the live path's own, so retroactive
//! alerts are deduplicated, routed, silenced and delivered like live ones.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::config::{KafkaConfig, RetroConfig};
use crate::pipeline::Processor;
use crate::source::kafka::range::{RangeReader, Span};
use crate::store::{ms, now_ms, RetroHunt, RetroPartition, Store};

/// Articles matched and written to the outbox together.
const BATCH: usize = 64;
/// Progress is stored at least this often, however slow the hunt.
const SAVE_EVERY: Duration = Duration::from_secs(1);
/// After a hunt failed (broker unreachable), the wait before it resumes.
const RETRY_AFTER: Duration = Duration::from_secs(30);
/// The group id suffix a hunt's consumer presents (never the daemon's).
const PURPOSE: &str = "retro";

/// Asks for retro-hunts; cheap to clone. Without one (retro-hunts off, a
/// file replay) reloads hunt nothing.
#[derive(Debug, Clone)]
pub struct Retro {
    requests: mpsc::UnboundedSender<Vec<String>>,
}

impl Retro {
    /// Hunts for `rules` (new or changed) over the retained articles.
    pub fn hunt(&self, rules: Vec<String>) {
        if !rules.is_empty() {
            let _ = self.requests.send(rules);
        }
    }
}

/// Starts the hunter: resumes the hunts a restart interrupted, then runs
/// each requested hunt in turn until `shutdown`. `None` when retro-hunts
/// are off (`retro.window = "0"`).
pub fn spawn(
    kafka: &KafkaConfig,
    config: &RetroConfig,
    processor: Processor,
    shutdown: CancellationToken,
) -> Option<(Retro, tokio::task::JoinHandle<()>)> {
    let window = config.window?;
    let (requests, rx) = mpsc::unbounded_channel();
    let hunter = Hunter {
        kafka: kafka.clone(),
        window,
        rate: config.max_articles_per_sec.max(1),
        processor,
        shutdown,
    };
    Some((Retro { requests }, tokio::spawn(hunter.run(rx))))
}

struct Hunter {
    kafka: KafkaConfig,
    window: Duration,
    rate: u32,
    processor: Processor,
    shutdown: CancellationToken,
}

/// How a hunt's run ended.
enum Ended {
    Finished,
    Stopped,
}

impl Hunter {
    fn store(&self) -> &Arc<Store> {
        &self.processor.store
    }

    async fn run(self, mut requests: mpsc::UnboundedReceiver<Vec<String>>) {
        let mut queue: VecDeque<RetroHunt> = match self.store().retro_hunts() {
            Ok(h) => h.into(),
            Err(e) => {
                warn!(message = "Cannot read the retro-hunts in progress; they are not resumed.", error = %e);
                VecDeque::new()
            }
        };
        for h in &queue {
            info!(message = "Resuming a retro-hunt.", hunt = %h.id, rules = %h.rules.join(","), articles_so_far = h.articles, pending = h.pending());
        }
        loop {
            self.processor
                .metrics
                .retro_pending
                .set(queue.iter().map(RetroHunt::pending).sum::<u64>() as i64);
            // Plan what was asked meanwhile before running anything.
            while let Ok(rules) = requests.try_recv() {
                if let Some(h) = self.plan(rules).await {
                    queue.push_back(h);
                }
            }
            let Some(hunt) = queue.pop_front() else {
                tokio::select! {
                    _ = self.shutdown.cancelled() => return,
                    Some(rules) = requests.recv() => {
                        if let Some(h) = self.plan(rules).await {
                            queue.push_back(h);
                        }
                        continue;
                    }
                }
            };
            let pending_others: u64 = queue.iter().map(RetroHunt::pending).sum();
            let id = hunt.id.clone();
            let job = Job {
                kafka: self.kafka.clone(),
                rate: self.rate,
                processor: self.processor.clone(),
                shutdown: self.shutdown.clone(),
                pending_others,
            };
            let ran = tokio::task::spawn_blocking(move || job.run(hunt)).await;
            match ran {
                Ok((_, Ok(Ended::Finished))) => {
                    if let Err(e) = self.store().finish_retro_hunt(&id) {
                        warn!(message = "Cannot forget a finished retro-hunt; it will run again (sending nothing twice).", hunt = %id, error = %e);
                    }
                }
                Ok((_, Ok(Ended::Stopped))) => return,
                Ok((hunt, Err(e))) => {
                    warn!(message = "Retro-hunt interrupted; it resumes where it stopped.", hunt = %id, retry_in_secs = RETRY_AFTER.as_secs(), error = format!("{e:#}"));
                    queue.push_back(hunt);
                    tokio::select! {
                        _ = self.shutdown.cancelled() => return,
                        _ = tokio::time::sleep(RETRY_AFTER) => {}
                    }
                }
                Err(e) => {
                    warn!(message = "Retro-hunt failed.", hunt = %id, error = %e);
                }
            }
        }
    }

    /// Plans and stores a hunt for `rules` over the window ending now.
    async fn plan(&self, rules: Vec<String>) -> Option<RetroHunt> {
        let now = now_ms();
        let since_ms = now.saturating_sub(ms(self.window));
        let kafka = self.kafka.clone();
        let planned =
            tokio::task::spawn_blocking(move || RangeReader::plan(&kafka, PURPOSE, since_ms)).await;
        let spans = match planned {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => {
                warn!(message = "Cannot plan a retro-hunt; the new rules only see new articles.", rules = %rules.join(","), error = format!("{e:#}"));
                return None;
            }
            Err(e) => {
                warn!(message = "Cannot plan a retro-hunt.", error = %e);
                return None;
            }
        };
        let hunt = RetroHunt {
            id: format!("retro_{now}_{:08x}", rand::random::<u32>()),
            rules,
            created_ms: now,
            since_ms,
            partitions: spans
                .into_iter()
                .map(|s| RetroPartition {
                    next: s.start,
                    topic: s.topic,
                    partition: s.partition,
                    start: s.start,
                    end: s.end,
                })
                .collect(),
            articles: 0,
            alerts: 0,
        };
        if let Err(e) = self.store().save_retro_hunt(&hunt) {
            warn!(message = "Cannot store a retro-hunt; it runs, but a restart will not resume it.", hunt = %hunt.id, error = %e);
        }
        info!(message = "Retro-hunt planned.", hunt = %hunt.id, rules = %hunt.rules.join(","), since = %jiff::Timestamp::from_millisecond(since_ms).map(|t| t.to_string()).unwrap_or_default(), messages = hunt.pending());
        Some(hunt)
    }
}

/// One hunt's run, on a blocking thread.
struct Job {
    kafka: KafkaConfig,
    rate: u32,
    processor: Processor,
    shutdown: CancellationToken,
    /// What the queued hunts behind this one still have to read.
    pending_others: u64,
}

impl Job {
    /// Reads the hunt's spans from where it stopped, matching for its
    /// rules, storing progress after each batch. Gives the hunt back with
    /// how far it got.
    fn run(self, mut hunt: RetroHunt) -> (RetroHunt, anyhow::Result<Ended>) {
        let result = self.read(&mut hunt);
        (hunt, result)
    }

    fn read(&self, hunt: &mut RetroHunt) -> anyhow::Result<Ended> {
        // Rules removed since the hunt was planned are not hunted for.
        let matcher = self.processor.matcher.current();
        let rules: HashSet<String> = hunt
            .rules
            .iter()
            .filter(|r| matcher.rule_fingerprint(r).is_some())
            .cloned()
            .collect();
        drop(matcher);
        if rules.is_empty() || hunt.pending() == 0 {
            self.finished(hunt);
            return Ok(Ended::Finished);
        }
        let from: Vec<(Span, i64)> = hunt
            .partitions
            .iter()
            .map(|p| {
                (
                    Span {
                        topic: p.topic.clone(),
                        partition: p.partition,
                        start: p.start,
                        end: p.end,
                    },
                    p.next,
                )
            })
            .collect();
        let mut reader = RangeReader::resume(&self.kafka, PURPOSE, from, hunt.since_ms)?;
        let started = Instant::now();
        let mut read_here: u64 = 0;
        let mut batch: Vec<Option<Vec<u8>>> = Vec::with_capacity(BATCH);
        let mut saved = Instant::now();
        loop {
            if self.shutdown.is_cancelled() {
                // What was read since the last save is read again.
                return Ok(Ended::Stopped);
            }
            let next = reader.next();
            let done = next.is_none();
            match next {
                None => {}
                Some(Err(e)) => {
                    if !batch.is_empty() && !self.flush(hunt, &rules, &mut batch, &reader) {
                        return Ok(Ended::Stopped);
                    }
                    return Err(e);
                }
                Some(Ok((m, _))) => {
                    batch.push(m.payload);
                    read_here += 1;
                }
            }
            let due = batch.len() >= BATCH || saved.elapsed() >= SAVE_EVERY || done;
            if due {
                if !self.flush(hunt, &rules, &mut batch, &reader) {
                    return Ok(Ended::Stopped);
                }
                saved = Instant::now();
            }
            if done {
                self.finished(hunt);
                return Ok(Ended::Finished);
            }
            // At most `rate` articles per second, on average since start.
            let ahead = Duration::from_secs_f64(read_here as f64 / f64::from(self.rate))
                .saturating_sub(started.elapsed());
            if !ahead.is_zero() && !self.pause(ahead) {
                let _ = self.flush(hunt, &rules, &mut batch, &reader);
                return Ok(Ended::Stopped);
            }
        }
    }

    /// Sleeps `d` unless shutdown comes first (false).
    fn pause(&self, d: Duration) -> bool {
        let until = Instant::now() + d;
        while Instant::now() < until {
            if self.shutdown.is_cancelled() {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50).min(until - Instant::now()));
        }
        true
    }

    /// Matches and writes the batch (retrying a failed outbox write until
    /// it succeeds or shutdown: false), then stores how far the hunt got.
    fn flush(
        &self,
        hunt: &mut RetroHunt,
        rules: &HashSet<String>,
        batch: &mut Vec<Option<Vec<u8>>>,
        reader: &RangeReader,
    ) -> bool {
        let payloads: Vec<Option<&[u8]>> = batch.iter().map(|p| p.as_deref()).collect();
        let mut wait = Duration::from_millis(100);
        let results = loop {
            match self.processor.handle_retro_batch(&payloads, rules) {
                Ok(r) => break r,
                Err(e) => {
                    if !e.is_disk_full() {
                        warn!(message = "Retro-hunt cannot write alerts to the outbox; retrying.", hunt = %hunt.id, error = %e);
                    }
                    if !self.pause(wait) {
                        return false;
                    }
                    wait = (wait * 2).min(Duration::from_secs(5));
                }
            }
        };
        let alerts: usize = results.iter().filter_map(|r| r.as_ref().ok()).sum();
        hunt.articles += batch.len() as u64;
        hunt.alerts += alerts as u64;
        self.processor
            .metrics
            .retro_articles
            .inc_by(batch.len() as u64);
        batch.clear();
        for (span, next) in reader.positions() {
            if let Some(p) = hunt
                .partitions
                .iter_mut()
                .find(|p| p.topic == span.topic && p.partition == span.partition)
            {
                p.next = p.next.max(next);
            }
        }
        if let Err(e) = self.processor.store.save_retro_hunt(hunt) {
            warn!(message = "Cannot store a retro-hunt's progress; a restart re-reads more (sending nothing twice).", hunt = %hunt.id, error = %e);
        }
        self.processor
            .metrics
            .retro_pending
            .set((hunt.pending() + self.pending_others) as i64);
        true
    }

    fn finished(&self, hunt: &RetroHunt) {
        info!(message = "Retro-hunt finished.", hunt = %hunt.id, rules = %hunt.rules.join(","), articles = hunt.articles, alerts = hunt.alerts);
        self.processor
            .metrics
            .retro_pending
            .set(self.pending_others as i64);
    }
}
