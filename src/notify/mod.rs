//! Notifiers: deliver an alert to the channels its rule names, with
//! timeouts and retries (exponential backoff with jitter). A failure is
//! logged with the alert id and reported to the caller; it never stops the
//! daemon.

pub mod email;
pub mod webhook;

use std::collections::HashMap;
use std::time::Duration;

use backon::BackoffBuilder;
use tracing::{info, warn};

use crate::alert::Alert;
use crate::config::{ChannelKind, Config, DeliveryConfig};

/// Whether a failed delivery is worth retrying.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    #[error("{message}")]
    Transient {
        message: String,
        /// The server asked us to wait this long (HTTP `Retry-After`).
        retry_after: Option<Duration>,
    },
    #[error("{message}")]
    Permanent { message: String },
}

/// One configured channel.
#[derive(Debug, Clone)]
pub enum Sender {
    Email(email::Email),
    Webhook(webhook::Webhook),
}

impl Sender {
    pub async fn send(&self, alert: &Alert) -> Result<(), DeliveryError> {
        match self {
            Sender::Email(e) => e.send(alert).await,
            Sender::Webhook(w) => w.send(alert).await,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Sender::Email(_) => "email",
            Sender::Webhook(_) => "webhook",
        }
    }
}

/// The result of delivering one alert to one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub channel: String,
    pub outcome: Result<u32, DeliveryError>,
}

/// All channels, by id, and the retry policy.
#[derive(Debug, Clone)]
pub struct Notifier {
    channels: HashMap<String, Sender>,
    policy: DeliveryConfig,
}

impl Notifier {
    pub fn new(channels: HashMap<String, Sender>, policy: DeliveryConfig) -> Notifier {
        Notifier { channels, policy }
    }

    /// Builds the channels of a config; `mailer` overrides SMTP (the demo
    /// writes files).
    pub fn from_config(config: &Config, mailer: Option<email::Mailer>) -> Result<Notifier, String> {
        let mut channels = HashMap::new();
        for c in &config.channels {
            let sender = match &c.kind {
                ChannelKind::Email { to } => {
                    let smtp = config.smtp.as_ref().ok_or("email channel without [smtp]")?;
                    let mailer = match &mailer {
                        Some(m) => m.clone(),
                        None => email::Mailer::smtp(smtp)?,
                    };
                    Sender::Email(email::Email {
                        from: smtp.from.clone(),
                        to: to.clone(),
                        mailer,
                    })
                }
                ChannelKind::Webhook { url, secret } => Sender::Webhook(
                    webhook::Webhook::new(url.clone(), secret, config.delivery.timeout)
                        .map_err(|e| format!("channel {}: {e}", c.id))?,
                ),
            };
            channels.insert(c.id.clone(), sender);
        }
        Ok(Notifier::new(channels, config.delivery.clone()))
    }

    pub fn has_channel(&self, id: &str) -> bool {
        self.channels.contains_key(id)
    }

    /// Delivers `alert` to each of its channels concurrently, retrying
    /// transient failures. Returns one result per channel; never panics.
    pub async fn deliver(&self, alert: &Alert) -> Vec<Delivery> {
        let futures = alert.notify.iter().map(|id| async move {
            let outcome = match self.channels.get(id) {
                Some(sender) => self.deliver_to(id, sender, alert).await,
                None => Err(DeliveryError::Permanent {
                    message: format!("no channel {id:?} is configured"),
                }),
            };
            Delivery {
                channel: id.clone(),
                outcome,
            }
        });
        futures::future::join_all(futures).await
    }

    async fn deliver_to(
        &self,
        id: &str,
        sender: &Sender,
        alert: &Alert,
    ) -> Result<u32, DeliveryError> {
        let mut delays = backon::ExponentialBuilder::default()
            .with_min_delay(self.policy.initial_backoff)
            .with_max_delay(self.policy.max_backoff)
            .with_max_times(self.policy.max_attempts.saturating_sub(1) as usize)
            .with_jitter()
            .build();
        let mut attempt = 0;
        loop {
            attempt += 1;
            // The per-attempt timeout bounds every channel, whatever its client does.
            let result = match tokio::time::timeout(
                self.policy.timeout + Duration::from_secs(1),
                sender.send(alert),
            )
            .await
            {
                Ok(r) => r,
                Err(_) => Err(DeliveryError::Transient {
                    message: "timed out".into(),
                    retry_after: None,
                }),
            };
            match result {
                Ok(()) => {
                    info!(
                        message = "Alert delivered.",
                        alert_id = %alert.alert_id,
                        rule_id = %alert.rule_id,
                        article_id = %alert.article.id,
                        channel = %id,
                        kind = sender.kind(),
                        attempt,
                    );
                    return Ok(attempt);
                }
                Err(DeliveryError::Transient {
                    message,
                    retry_after,
                }) => {
                    let Some(delay) = delays.next() else {
                        warn!(message = "Alert delivery failed; giving up.", alert_id = %alert.alert_id, rule_id = %alert.rule_id, article_id = %alert.article.id, channel = %id, attempt, error = %message);
                        return Err(DeliveryError::Transient {
                            message,
                            retry_after,
                        });
                    };
                    let delay =
                        retry_after.map_or(delay, |r| r.min(self.policy.max_backoff).max(delay));
                    warn!(message = "Alert delivery failed; will retry.", alert_id = %alert.alert_id, channel = %id, attempt, retry_in_ms = delay.as_millis() as u64, error = %message);
                    tokio::time::sleep(delay).await;
                }
                Err(DeliveryError::Permanent { message }) => {
                    warn!(message = "Alert delivery failed permanently.", alert_id = %alert.alert_id, rule_id = %alert.rule_id, article_id = %alert.article.id, channel = %id, attempt, error = %message);
                    return Err(DeliveryError::Permanent { message });
                }
            }
        }
    }
}
