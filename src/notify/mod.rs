//! Notifiers: one delivery attempt of an alert to one channel, bounded by a
//! timeout. Retries, backoff and the record of what was delivered live in
//! the [`dispatcher`], which delivers from the durable outbox.

pub mod dispatcher;
pub mod email;
pub mod routing;
pub mod webhook;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::alert::Alert;
use crate::config::{redact_url, ChannelKind, Config, DeliveryConfig};

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
    /// The endpoint says it is gone for good (HTTP 410): stop using it.
    #[error("{message}")]
    Gone { message: String },
}

/// An error and its causes, for a log line or an outbox record.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(c) = source {
        s.push_str(": ");
        s.push_str(&c.to_string());
        source = c.source();
    }
    s
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

    pub fn kind(&self) -> &'static str {
        match self {
            Sender::Email(_) => "email",
            Sender::Webhook(_) => "webhook",
        }
    }
}

/// All channels, by id.
#[derive(Debug, Clone)]
pub struct Notifier {
    channels: HashMap<String, Sender>,
    /// Channels disabled at run time (a webhook answered 410 Gone).
    disabled: Arc<Mutex<HashSet<String>>>,
    timeout: Duration,
}

impl Notifier {
    pub fn new(channels: HashMap<String, Sender>, timeout: Duration) -> Notifier {
        Notifier {
            channels,
            disabled: Default::default(),
            timeout,
        }
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
                ChannelKind::Webhook {
                    url,
                    secret,
                    allow_private,
                    proxy,
                } => Sender::Webhook(
                    webhook::Webhook::new(
                        url.clone(),
                        secret,
                        config.delivery.timeout,
                        *allow_private,
                        proxy.as_ref(),
                    )
                    .map_err(|e| format!("channel {}: {e}", c.id))?,
                ),
            };
            channels.insert(c.id.clone(), sender);
        }
        Ok(Notifier::new(channels, config.delivery.timeout))
    }

    pub fn kind(&self, channel: &str) -> Option<&'static str> {
        self.channels.get(channel).map(Sender::kind)
    }

    /// One attempt to deliver `alert` to `channel`, never longer than the
    /// configured timeout (plus a second for the client's own).
    pub async fn attempt(&self, channel: &str, alert: &Alert) -> Result<(), DeliveryError> {
        let Some(sender) = self.channels.get(channel) else {
            return Err(DeliveryError::Permanent {
                message: format!("no channel {channel:?} is configured"),
            });
        };
        self.check_enabled(channel)?;
        let result = self.within_timeout(sender.send(alert)).await;
        if let Err(DeliveryError::Gone { .. }) = &result {
            self.disabled
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(channel.to_string());
        }
        result
    }

    /// Runs one send, as a transient failure if it outlasts the channel
    /// timeout (plus a second for the client's own timeout to fire first).
    async fn within_timeout(
        &self,
        send: impl std::future::Future<Output = Result<(), DeliveryError>>,
    ) -> Result<(), DeliveryError> {
        tokio::time::timeout(self.timeout.saturating_add(Duration::from_secs(1)), send)
            .await
            .unwrap_or_else(|_| {
                Err(DeliveryError::Transient {
                    message: "timed out".into(),
                    retry_after: None,
                })
            })
    }

    /// An error if the channel was disabled (its endpoint answered 410 Gone).
    fn check_enabled(&self, channel: &str) -> Result<(), DeliveryError> {
        if self
            .disabled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(channel)
        {
            return Err(DeliveryError::Permanent {
                message: format!("channel {channel:?} is disabled: its endpoint answered 410 Gone"),
            });
        }
        Ok(())
    }

    /// One attempt to deliver several alerts to `channel` as one message:
    /// an email lists them all; a webhook posts each (stopping at the
    /// first failure, so a retry resends the group with the same ids).
    pub async fn attempt_many(&self, channel: &str, alerts: &[Alert]) -> Result<(), DeliveryError> {
        match (alerts, self.channels.get(channel)) {
            ([one], _) => self.attempt(channel, one).await,
            (many, Some(Sender::Email(e))) => {
                self.check_enabled(channel)?;
                self.within_timeout(e.send_many(many)).await
            }
            (many, _) => {
                for a in many {
                    self.attempt(channel, a).await?;
                }
                Ok(())
            }
        }
    }

    /// The delivery policy's per-attempt timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
}

/// The Standard Webhooks schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
const STANDARD_WEBHOOKS_SCHEDULE: [u64; 7] = [5, 300, 1800, 7200, 18000, 36000, 36000];

fn standard_webhooks(policy: &DeliveryConfig, kind: &str) -> bool {
    kind == "webhook" && policy.webhook_schedule == crate::config::WebhookSchedule::StandardWebhooks
}

/// The delay before retry number `attempt` (1-based: the delay after the
/// first failed attempt is `delay(1)`).
pub fn retry_delay(policy: &DeliveryConfig, kind: &str, attempt: u32) -> Duration {
    use backon::BackoffBuilder;
    if standard_webhooks(policy, kind) {
        let s = &STANDARD_WEBHOOKS_SCHEDULE;
        return Duration::from_secs(s[(attempt.max(1) as usize - 1).min(s.len() - 1)]);
    }
    backon::ExponentialBuilder::default()
        .with_min_delay(policy.initial_backoff)
        .with_max_delay(policy.max_backoff)
        .with_max_times(usize::MAX)
        .with_jitter()
        .build()
        .nth(attempt.max(1) as usize - 1)
        .unwrap_or(policy.max_backoff)
}

/// The longest the retry policy waits between two attempts: the last step
/// of the Standard Webhooks schedule, or `max_backoff`. A receiver's
/// `Retry-After` is clamped to it, so a peer cannot park a delivery for
/// centuries (or overflow the clock arithmetic with `u64::MAX` seconds).
pub fn max_retry_delay(policy: &DeliveryConfig, kind: &str) -> Duration {
    if standard_webhooks(policy, kind) {
        Duration::from_secs(STANDARD_WEBHOOKS_SCHEDULE[STANDARD_WEBHOOKS_SCHEDULE.len() - 1])
    } else {
        policy.max_backoff.max(policy.initial_backoff)
    }
}

/// The delay the dispatcher waits after a transient failure: the server's
/// `Retry-After` within the policy's maximum, else the policy's own delay.
pub fn next_delay(
    policy: &DeliveryConfig,
    kind: &str,
    attempt: u32,
    retry_after: Option<Duration>,
) -> Duration {
    match retry_after {
        Some(asked) => asked.min(max_retry_delay(policy, kind)),
        None => retry_delay(policy, kind, attempt),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 16: `Retry-After: 18446744073709551615` overflowed the
    /// dispatcher's `age + delay` and panicked its task.
    #[test]
    fn a_huge_retry_after_is_clamped_to_the_policy_maximum() {
        let policy = DeliveryConfig::default();
        let huge = Some(Duration::from_secs(u64::MAX));
        assert_eq!(
            next_delay(&policy, "webhook", 2, huge),
            Duration::from_secs(36_000)
        );
        assert_eq!(next_delay(&policy, "email", 2, huge), policy.max_backoff);
        assert_eq!(
            next_delay(&policy, "webhook", 2, Some(Duration::from_secs(7))),
            Duration::from_secs(7),
            "a reasonable Retry-After is honoured"
        );
        assert_eq!(
            next_delay(&policy, "webhook", 1, None),
            Duration::from_secs(5)
        );
    }
}
