//! Prometheus metrics (contracts §6), exposed on `/metrics` by the admin
//! server.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RuleLabels {
    pub rule: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DeliveryLabels {
    pub channel: String,
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PartitionLabels {
    pub topic: String,
    pub partition: String,
}

/// Every metric the daemon exports, cheap to clone (shared handles).
#[derive(Clone, Debug)]
pub struct Metrics {
    pub articles: Family<OutcomeLabels, Counter>,
    pub alerts: Family<RuleLabels, Counter>,
    pub deliveries: Family<DeliveryLabels, Counter>,
    pub outbox_pending: Gauge,
    pub consumer_lag: Family<PartitionLabels, Gauge>,
    pub match_seconds: Histogram,
    pub end_to_end_seconds: Histogram,
    pub reloads: Family<OutcomeLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            articles: Family::default(),
            alerts: Family::default(),
            deliveries: Family::default(),
            outbox_pending: Gauge::default(),
            consumer_lag: Family::default(),
            match_seconds: Histogram::new(exponential_buckets(0.000_01, 4.0, 10)),
            end_to_end_seconds: Histogram::new(exponential_buckets(0.005, 2.5, 12)),
            reloads: Family::default(),
        }
    }
}

impl Metrics {
    pub fn article(&self, outcome: &str) {
        self.articles
            .get_or_create(&OutcomeLabels {
                outcome: outcome.into(),
            })
            .inc();
    }

    pub fn delivery(&self, channel: &str, outcome: &str) {
        self.deliveries
            .get_or_create(&DeliveryLabels {
                channel: channel.into(),
                outcome: outcome.into(),
            })
            .inc();
    }

    /// Articles counted so far, over all outcomes.
    pub fn articles_seen(&self) -> u64 {
        ["matched", "unmatched", "malformed"]
            .iter()
            .map(|o| {
                self.articles
                    .get_or_create(&OutcomeLabels {
                        outcome: (*o).into(),
                    })
                    .get()
            })
            .sum()
    }

    /// The Prometheus text exposition of every metric.
    pub fn encode(&self) -> String {
        let mut registry = Registry::with_prefix("wirewatch");
        registry.register(
            "articles",
            "Articles read, by outcome",
            self.articles.clone(),
        );
        registry.register("alerts", "Alerts raised, by rule", self.alerts.clone());
        registry.register(
            "deliveries",
            "Alert deliveries, by channel and outcome",
            self.deliveries.clone(),
        );
        registry.register(
            "outbox_pending",
            "Alerts waiting for delivery",
            self.outbox_pending.clone(),
        );
        registry.register(
            "consumer_lag",
            "Messages behind the partition's end",
            self.consumer_lag.clone(),
        );
        registry.register(
            "match_seconds",
            "Time to match one article",
            self.match_seconds.clone(),
        );
        registry.register(
            "end_to_end_seconds",
            "Time from an article's arrival to its alert's delivery",
            self.end_to_end_seconds.clone(),
        );
        registry.register(
            "watchlist_reloads",
            "Watchlist reloads, by outcome",
            self.reloads.clone(),
        );
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &registry)
            .expect("writing to a String cannot fail");
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn exposes_contract_metric_names() {
        let m = super::Metrics::default();
        m.article("matched");
        m.delivery("soc", "delivered");
        let text = m.encode();
        for name in [
            "wirewatch_articles_total{outcome=\"matched\"} 1",
            "wirewatch_deliveries_total{channel=\"soc\",outcome=\"delivered\"} 1",
            "wirewatch_outbox_pending",
            "wirewatch_match_seconds_bucket",
            "wirewatch_end_to_end_seconds_count",
        ] {
            assert!(text.contains(name), "{name} missing in\n{text}");
        }
        assert_eq!(m.articles_seen(), 1);
    }
}
