//! The rdkafka client context: partition lag from librdkafka's statistics
//! into the metrics, a commit of the stored offsets before partitions are
//! revoked, and the offset tracker's assignment kept current on every
//! rebalance.

use std::sync::{Arc, Mutex};

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::ClientContext;
use tracing::{info, warn};

use super::offsets::Tracker;
use crate::metrics::Metrics;
use crate::sentlog::SentLog;

/// Commits on revoke and keeps the tracker's assignment current.
pub struct Context {
    pub(super) tracker: Arc<Mutex<Tracker>>,
    pub(super) metrics: Metrics,
    /// Asked to catch up on every assignment: the new partitions'
    /// uncommitted messages may be a dead replica's, already delivered.
    pub(super) sent: SentLog,
}

impl ClientContext for Context {
    /// librdkafka's periodic statistics carry each partition's lag.
    fn stats(&self, statistics: rdkafka::Statistics) {
        for (topic, t) in &statistics.topics {
            for (partition, p) in &t.partitions {
                // Partition -1 is librdkafka's internal "unassigned" entry;
                // a lag of -1 means unknown.
                if *partition >= 0 && p.consumer_lag >= 0 {
                    self.metrics.lag(topic, *partition, p.consumer_lag);
                }
            }
        }
    }
}

impl ConsumerContext for Context {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(tpl) = rebalance {
            // Offsets stored so far cover only fully handled messages.
            match consumer.commit_consumer_state(CommitMode::Sync) {
                Ok(())
                | Err(rdkafka::error::KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => {}
                Err(e) => warn!(message = "Commit on revoke failed.", error = %e),
            }
            let mut t = self.tracker.lock().unwrap_or_else(|p| p.into_inner());
            for e in tpl.elements() {
                t.revoke(&(e.topic().to_string(), e.partition()));
            }
            info!(message = "Partitions revoked.", count = tpl.count());
        }
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(tpl) => {
                let mut t = self.tracker.lock().unwrap_or_else(|p| p.into_inner());
                let names: Vec<String> = tpl
                    .elements()
                    .iter()
                    .map(|e| {
                        t.assign((e.topic().to_string(), e.partition()));
                        format!("{}[{}]", e.topic(), e.partition())
                    })
                    .collect();
                info!(message = "Partitions assigned.", partitions = %names.join(","));
                self.sent.request_sync();
            }
            Rebalance::Error(e) => warn!(message = "Rebalance failed.", error = %e),
            Rebalance::Revoke(_) => {}
        }
    }
}
