//! Creating the dead-letter topic at start when the broker lacks it, so a
//! malformed event is never lost to a missing topic. Failing to create it
//! is logged, never fatal.

use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::Consumer;
use rdkafka::types::RDKafkaErrorCode;
use tracing::{debug, error, info, warn};

use super::{client_config, KafkaSource};

impl KafkaSource {
    /// Creates the dead-letter topic if the broker lacks it, so a malformed
    /// event is never lost to a missing topic.
    pub async fn ensure_dead_letter_topic(&self) {
        let topic = self.cfg.dead_letter_topic.clone();
        let exists = {
            let consumer = self.consumer.clone();
            let t = topic.clone();
            tokio::task::spawn_blocking(move || {
                consumer
                    .fetch_metadata(Some(&t), Duration::from_secs(10))
                    .map(|m| {
                        m.topics().iter().any(|x| {
                            x.name() == t && x.error().is_none() && !x.partitions().is_empty()
                        })
                    })
            })
            .await
        };
        match exists {
            Ok(Ok(true)) => return,
            Ok(Err(e)) => {
                warn!(message = "Cannot read broker metadata.", error = %e);
            }
            _ => {}
        }
        let admin: Result<AdminClient<DefaultClientContext>, _> =
            client_config(&self.cfg, &[]).create();
        let Ok(admin) = admin else { return };
        let new = NewTopic::new(&topic, 1, TopicReplication::Fixed(-1));
        // librdkafka's default would wait a minute for an unreachable broker.
        let options = AdminOptions::new()
            .request_timeout(Some(Duration::from_secs(10)))
            .operation_timeout(Some(Duration::from_secs(10)));
        match admin.create_topics([&new], &options).await {
            Ok(results) => {
                for r in results {
                    match r {
                        Ok(t) => info!(message = "Created the dead-letter topic.", topic = %t),
                        Err((t, RDKafkaErrorCode::TopicAlreadyExists)) => {
                            debug!(message = "Dead-letter topic exists.", topic = %t)
                        }
                        Err((t, e)) => {
                            error!(message = "Cannot create the dead-letter topic; malformed events will wait (their offsets not stored) until it can be written.", topic = %t, error = %e)
                        }
                    }
                }
            }
            Err(e) => {
                error!(message = "Cannot create the dead-letter topic.", topic = %topic, error = %e)
            }
        }
    }
}
