//! The `[kafka]` section: brokers, group, topics, the dead-letter topic,
//! the sent topic (deliveries done, shared between replicas),
//! the message size limit, workers, and librdkafka properties, each of
//! which librdkafka checks (name and value) without connecting, so a
//! misspelt property fails `check` rather than the daemon.

use std::collections::BTreeMap;

use serde_json::Value;

use super::spans::PathPart;
use super::validate::{is_secret_key, shown, Validator};
use super::{KafkaConfig, Secret};

impl Validator<'_> {
    pub(super) fn kafka(&mut self, v: Option<Value>) -> Option<KafkaConfig> {
        let mut t = self.table(vec![PathPart::Key("kafka".into())], v);
        let brokers: Option<String> = self.req(&mut t, "brokers", "\"host:port[,host:port...]\"");
        let brokers = self.non_empty(&t, "brokers", brokers);
        let group_id: String = self.or(&mut t, "group_id", "a string", "wirewatch".into());
        let group_id = self.non_empty(&t, "group_id", Some(group_id));
        let topics: Option<Vec<String>> = self.req(&mut t, "topics", "a list of topic names");
        let topics = match topics {
            Some(ts) if ts.is_empty() || ts.iter().any(|t| t.trim().is_empty()) => {
                self.error(
                    &Self::child(&t, "topics"),
                    "must list at least one non-empty topic name",
                );
                None
            }
            ts => ts,
        };
        let dlq: String = self.or(
            &mut t,
            "dead_letter_topic",
            "a topic name",
            "articles.dlq".into(),
        );
        let dlq = self.non_empty(&t, "dead_letter_topic", Some(dlq));
        // The changelog of deliveries done, shared by the group's replicas;
        // one per group by default, so deployments never skip each other's.
        let sent: Option<String> = self.opt(&mut t, "sent_topic", "a topic name");
        let sent = match sent {
            Some(s) => self.non_empty(&t, "sent_topic", Some(s)),
            None => group_id.as_ref().map(|g| format!("{g}.sent")),
        };
        // Its records are not articles: consuming them, or copying
        // malformed articles among them, would be a mistake.
        let clash = sent.as_ref().and_then(|s| {
            if topics.as_ref().is_some_and(|ts| ts.contains(s)) {
                Some("kafka.topics")
            } else {
                (dlq.as_ref() == Some(s)).then_some("kafka.dead_letter_topic")
            }
        });
        let sent = match (sent, clash) {
            (Some(s), Some(other)) => {
                self.error(
                    &Self::child(&t, "sent_topic"),
                    format!("{s:?} is not valid: it is also {other}; the sent topic must be a topic of its own"),
                );
                None
            }
            (sent, _) => sent,
        };
        let max: u64 = self.or(
            &mut t,
            "max_message_bytes",
            "a positive number of bytes",
            wirewatch_matcher::article::DEFAULT_MAX_MESSAGE_BYTES as u64,
        );
        if max == 0 {
            self.error(
                &Self::child(&t, "max_message_bytes"),
                "0 is not valid: must be positive",
            );
        }
        // librdkafka takes at most 1,000,000,000 for its own size limits,
        // which are derived from this one.
        let max = self
            .at_most(&t, "max_message_bytes", max, 512 << 20, "bytes")
            .filter(|&m| m > 0);
        let workers: u64 = self.or(
            &mut t,
            "workers",
            "a number of threads (0 = one per CPU)",
            0,
        );
        let workers = match workers {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n.min(256) as usize,
        };
        let mut properties = BTreeMap::new();
        if let Some(props) = t.map.remove("properties") {
            let pt = self.table(Self::child(&t, "properties"), Some(props));
            for (k, v) in pt.map {
                // Environment overrides cannot spell dots, so `sasl_password`
                // stands for `sasl.password`; librdkafka names have no '_'.
                let name = if k.contains('.') {
                    k.clone()
                } else {
                    k.replace('_', ".")
                };
                let value = match v {
                    Value::String(s) => s,
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    other => {
                        let mut p = pt.path.clone();
                        p.push(PathPart::Key(k.clone()));
                        self.error(
                            &p,
                            format!(
                                "{} is not valid: expected a string, number or boolean",
                                shown(&name, &other)
                            ),
                        );
                        continue;
                    }
                };
                // librdkafka checks names and values without connecting, so
                // a misspelt property fails `check` rather than the daemon.
                if let Err(e) = rdkafka::config::ClientConfig::new()
                    .set(&name, &value)
                    .create_native_config()
                {
                    let mut p = pt.path.clone();
                    p.push(PathPart::Key(k.clone()));
                    self.error(
                        &p,
                        format!(
                            "is not valid: {}",
                            kafka_property_problem(&name, &value, &e)
                        ),
                    );
                    continue;
                }
                properties.insert(name, Secret::new(value));
            }
        }
        self.finish(
            t,
            &[
                "brokers",
                "group_id",
                "topics",
                "dead_letter_topic",
                "sent_topic",
                "max_message_bytes",
                "workers",
                "properties",
            ],
        );
        Some(KafkaConfig {
            brokers: brokers?,
            group_id: group_id?,
            topics: topics?,
            dead_letter_topic: dlq?,
            sent_topic: sent?,
            max_message_bytes: max? as usize,
            workers,
            properties,
        })
    }
}

/// librdkafka's complaint about one property, without its value when the
/// property is secret (librdkafka quotes values in some messages).
pub fn kafka_property_problem(name: &str, value: &str, e: &rdkafka::error::KafkaError) -> String {
    let said = match e {
        rdkafka::error::KafkaError::ClientConfig(_, desc, _, _) => desc.clone(),
        other => other.to_string(),
    };
    if is_secret_key(name) && !value.is_empty() {
        said.replace(value, "[redacted]")
    } else {
        said
    }
}
