//! Prometheus metrics (the names and labels are a contract with dashboards
//! and alerting rules: ../shared/design/contracts.md), exposed on `/metrics` by the admin
//! server in the classic text format (what `promtool check metrics` reads).

use prometheus::{
    exponential_buckets, Encoder, Histogram, HistogramOpts, IntCounterVec, IntGauge, IntGaugeVec,
    Opts, Registry, TextEncoder,
};

/// Every metric the daemon exports; cheap to clone (shared handles).
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    articles: IntCounterVec,
    alerts: IntCounterVec,
    deliveries: IntCounterVec,
    reloads: IntCounterVec,
    consumer_lag: IntGaugeVec,
    pub outbox_pending: IntGauge,
    /// Partitions of the topics with messages no group member consumes.
    pub stalled_partitions: IntGauge,
    /// 1 while the disk under the outbox is full (writes fail with ENOSPC).
    pub store_disk_full: IntGauge,
    pub match_seconds: Histogram,
    pub end_to_end_seconds: Histogram,
    /// Articles a retro-hunt read.
    pub retro_articles: prometheus::IntCounter,
    /// Offsets retro-hunts still have to read.
    pub retro_pending: IntGauge,
    /// 1 while deliveries done are shared through the sent topic, 0 when
    /// each replica dedups on its own (no effect on `/readyz`).
    pub sent_log_enabled: IntGauge,
    /// From a send's success to the broker's acknowledgement of its sent
    /// record: the window in which a dying replica's delivery is resent.
    pub sent_log_publish_seconds: Histogram,
    pub sent_log_publish_failures: prometheus::IntCounter,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

fn counter(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let c = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
    registry
        .register(Box::new(c.clone()))
        .expect("unique metric");
    c
}

fn histogram(registry: &Registry, name: &str, help: &str, buckets: Vec<f64>) -> Histogram {
    let h = Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets))
        .expect("valid metric");
    registry
        .register(Box::new(h.clone()))
        .expect("unique metric");
    h
}

impl Default for Metrics {
    fn default() -> Self {
        let r = Registry::new();
        let outbox_pending = IntGauge::new(
            "wirewatch_outbox_pending",
            "Deliveries waiting in the outbox.",
        )
        .expect("valid metric");
        r.register(Box::new(outbox_pending.clone()))
            .expect("unique metric");
        let stalled_partitions = IntGauge::new(
            "wirewatch_stalled_partitions",
            "Partitions with unconsumed messages whose group offset has not moved for several session timeouts.",
        )
        .expect("valid metric");
        r.register(Box::new(stalled_partitions.clone()))
            .expect("unique metric");
        let store_disk_full = IntGauge::new(
            "wirewatch_store_disk_full",
            "1 while the disk under the outbox is full: alerts wait, consumption is paused.",
        )
        .expect("valid metric");
        r.register(Box::new(store_disk_full.clone()))
            .expect("unique metric");
        let retro_articles = prometheus::IntCounter::new(
            "wirewatch_retro_articles_total",
            "Articles read again by retro-hunts (rules added or changed by a reload, over the retained topics).",
        )
        .expect("valid metric");
        r.register(Box::new(retro_articles.clone()))
            .expect("unique metric");
        let retro_pending = IntGauge::new(
            "wirewatch_retro_pending",
            "Messages retro-hunts still have to read.",
        )
        .expect("valid metric");
        r.register(Box::new(retro_pending.clone()))
            .expect("unique metric");
        let consumer_lag = IntGaugeVec::new(
            Opts::new(
                "wirewatch_consumer_lag",
                "Messages between the consumer's position and the partition's end.",
            ),
            &["topic", "partition"],
        )
        .expect("valid metric");
        r.register(Box::new(consumer_lag.clone()))
            .expect("unique metric");
        let sent_log_enabled = IntGauge::new(
            "wirewatch_sent_log_enabled",
            "1 while deliveries done are shared with the other replicas through the sent topic; 0 when each replica dedups on its own.",
        )
        .expect("valid metric");
        r.register(Box::new(sent_log_enabled.clone()))
            .expect("unique metric");
        let sent_log_publish_failures = prometheus::IntCounter::new(
            "wirewatch_sent_log_publish_failures_total",
            "Deliveries done whose record the sent topic did not acknowledge in time.",
        )
        .expect("valid metric");
        r.register(Box::new(sent_log_publish_failures.clone()))
            .expect("unique metric");
        Metrics {
            sent_log_enabled,
            sent_log_publish_failures,
            sent_log_publish_seconds: histogram(
                &r,
                "wirewatch_sent_log_publish_seconds",
                "Time from a successful send to the sent topic's acknowledgement of its record.",
                exponential_buckets(0.000_5, 2.0, 14).expect("valid buckets"),
            ),
            articles: counter(
                &r,
                "wirewatch_articles_total",
                "Articles read, by outcome.",
                &["outcome"],
            ),
            alerts: counter(
                &r,
                "wirewatch_alerts_total",
                "Alerts raised, by rule.",
                &["rule"],
            ),
            deliveries: counter(
                &r,
                "wirewatch_deliveries_total",
                "Delivery attempts, by channel and outcome.",
                &["channel", "outcome"],
            ),
            reloads: counter(
                &r,
                "wirewatch_watchlist_reloads_total",
                "Watchlist reloads, by outcome.",
                &["outcome"],
            ),
            consumer_lag,
            outbox_pending,
            stalled_partitions,
            store_disk_full,
            retro_articles,
            retro_pending,
            match_seconds: histogram(
                &r,
                "wirewatch_match_seconds",
                "Time to match one article.",
                exponential_buckets(0.000_01, 4.0, 10).expect("valid buckets"),
            ),
            end_to_end_seconds: histogram(
                &r,
                "wirewatch_end_to_end_seconds",
                "Time from an article's arrival to its alert's delivery.",
                exponential_buckets(0.005, 2.5, 12).expect("valid buckets"),
            ),
            registry: r,
        }
    }
}

/// The `outcome` label of `wirewatch_articles_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleOutcome {
    /// At least one rule fired.
    Matched,
    Unmatched,
    /// Not a valid article (dead-lettered).
    Malformed,
}

impl ArticleOutcome {
    pub const ALL: [ArticleOutcome; 3] = [
        ArticleOutcome::Matched,
        ArticleOutcome::Unmatched,
        ArticleOutcome::Malformed,
    ];

    /// The label value (a contract with dashboards: never renamed).
    pub fn as_str(self) -> &'static str {
        match self {
            ArticleOutcome::Matched => "matched",
            ArticleOutcome::Unmatched => "unmatched",
            ArticleOutcome::Malformed => "malformed",
        }
    }
}

/// The `outcome` label of `wirewatch_deliveries_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    Delivered,
    /// Failed for now; due again later.
    Retried,
    /// Failed for good; kept in the outbox as dead.
    Dead,
    /// Not sent: another replica of the group had already done it (the
    /// sent topic says so); recorded as that replica left it (delivered
    /// or dead).
    SkippedSentElsewhere,
    /// Not attempted: a silence covered it (kept in the outbox, never sent).
    Silenced,
}

impl DeliveryOutcome {
    /// The label value (a contract with dashboards: never renamed).
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryOutcome::Delivered => "delivered",
            DeliveryOutcome::Retried => "retried",
            DeliveryOutcome::Dead => "dead",
            DeliveryOutcome::SkippedSentElsewhere => "skipped_sent_elsewhere",
            DeliveryOutcome::Silenced => "silenced",
        }
    }
}

/// The `outcome` label of `wirewatch_watchlist_reloads_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReloadOutcome {
    Success,
    /// Rejected; the running rules stay.
    Error,
}

impl ReloadOutcome {
    /// The label value (a contract with dashboards: never renamed).
    pub fn as_str(self) -> &'static str {
        match self {
            ReloadOutcome::Success => "success",
            ReloadOutcome::Error => "error",
        }
    }
}

impl Metrics {
    pub fn article(&self, outcome: ArticleOutcome) {
        self.articles.with_label_values(&[outcome.as_str()]).inc();
    }

    pub fn alert(&self, rule: &str) {
        self.alerts.with_label_values(&[rule]).inc();
    }

    pub fn delivery(&self, channel: &str, outcome: DeliveryOutcome) {
        self.deliveries
            .with_label_values(&[channel, outcome.as_str()])
            .inc();
    }

    pub fn reload(&self, outcome: ReloadOutcome) {
        self.reloads.with_label_values(&[outcome.as_str()]).inc();
    }

    pub fn lag(&self, topic: &str, partition: i32, lag: i64) {
        self.consumer_lag
            .with_label_values(&[topic, &partition.to_string()])
            .set(lag);
    }

    /// Articles counted so far, over all outcomes.
    pub fn articles_seen(&self) -> u64 {
        ArticleOutcome::ALL
            .iter()
            .map(|o| self.articles.with_label_values(&[o.as_str()]).get())
            .sum()
    }

    /// The Prometheus text exposition of every metric.
    pub fn encode(&self) -> String {
        let mut buf = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buf)
            .expect("writing to a Vec cannot fail");
        String::from_utf8(buf).expect("the text format is UTF-8")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn exposes_contract_metric_names() {
        let m = super::Metrics::default();
        m.article(super::ArticleOutcome::Matched);
        m.delivery("soc", super::DeliveryOutcome::Delivered);
        m.delivery("soc", super::DeliveryOutcome::SkippedSentElsewhere);
        m.lag("articles", 0, 3);
        let text = m.encode();
        for name in [
            "# TYPE wirewatch_articles_total counter",
            "wirewatch_articles_total{outcome=\"matched\"} 1",
            "wirewatch_deliveries_total{channel=\"soc\",outcome=\"delivered\"} 1",
            "wirewatch_consumer_lag{partition=\"0\",topic=\"articles\"} 3",
            "wirewatch_outbox_pending 0",
            "wirewatch_store_disk_full 0",
            "wirewatch_match_seconds_bucket",
            "wirewatch_end_to_end_seconds_count",
            "wirewatch_retro_articles_total 0",
            "wirewatch_retro_pending 0",
            "wirewatch_deliveries_total{channel=\"soc\",outcome=\"skipped_sent_elsewhere\"} 1",
            "wirewatch_sent_log_enabled 0",
            "wirewatch_sent_log_publish_seconds_count 0",
            "wirewatch_sent_log_publish_failures_total 0",
        ] {
            assert!(text.contains(name), "{name} missing in\n{text}");
        }
        assert_eq!(m.articles_seen(), 1);
    }
}
