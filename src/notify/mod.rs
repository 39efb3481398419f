//! Notifiers: one delivery attempt of an alert to one channel, bounded by a
//! timeout. Retries and the record of what was delivered live in the
//! [`dispatcher`], which delivers from the durable outbox; how long it waits
//! between attempts is the [`retry`] policy.
//!
//! - [`email`]: SMTP (or `.eml` files), the message rendered by
//!   `email::render`;
//! - [`webhook`]: signed `POST`s (`webhook::signature`), guarded against
//!   private targets (`webhook::guard`);
//! - [`routing`]: when each channel takes a delivery (digests, quiet hours,
//!   rate limits).

pub mod dispatcher;
pub mod email;
pub mod retry;
pub mod routing;
pub mod webhook;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::alert::Alert;
use crate::config::{redact_url, ChannelKind, Config};

/// What kind of channel a channel is, without its settings: what the retry
/// policy, grouping and logs go by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Email,
    Webhook,
}

impl Kind {
    /// The kind as logs name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::Webhook => "webhook",
        }
    }
}

impl From<&ChannelKind> for Kind {
    fn from(kind: &ChannelKind) -> Kind {
        match kind {
            ChannelKind::Email { .. } => Kind::Email,
            ChannelKind::Webhook { .. } => Kind::Webhook,
        }
    }
}

/// Why the channels of a config could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    #[error("email channel without [smtp]")]
    NoSmtp,
    #[error("smtp: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("channel {channel}: {source}")]
    Webhook {
        channel: String,
        #[source]
        source: webhook::WebhookError,
    },
}

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

/// An error and its causes, for a log line or an outbox record; a cause
/// whose text is already shown (errors that quote their source) is not
/// repeated.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(c) = source {
        let text = c.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        source = c.source();
    }
    s
}

/// A hint for the TLS failures an operator fixes in the config.
pub(crate) fn tls_hint(message: &str, ca_key: &str) -> &'static str {
    if message.contains("UnknownIssuer") {
        match ca_key {
            "smtp.ca_file" => " (the server's certificate does not chain to a trusted root: is its CA in smtp.ca_file?)",
            _ => " (the server's certificate does not chain to a trusted root: is its CA in the channel's ca_file?)",
        }
    } else if message.contains("not valid for name") {
        " (the certificate is not for the host name connected to)"
    } else {
        ""
    }
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

    pub fn kind(&self) -> Kind {
        match self {
            Sender::Email(_) => Kind::Email,
            Sender::Webhook(_) => Kind::Webhook,
        }
    }
}

/// All channels, by id.
#[derive(Debug, Clone)]
pub struct Notifier {
    channels: HashMap<String, Sender>,
    /// Channels disabled at run time (a webhook answered 410 Gone).
    disabled: Arc<Mutex<HashSet<String>>>,
    /// The delivery policy's per-attempt timeout.
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
    pub fn from_config(
        config: &Config,
        mailer: Option<email::Mailer>,
    ) -> Result<Notifier, ChannelError> {
        let mut channels = HashMap::new();
        for c in &config.channels {
            let sender = match &c.kind {
                ChannelKind::Email { to } => {
                    let smtp = config.smtp.as_ref().ok_or(ChannelError::NoSmtp)?;
                    let mailer = match &mailer {
                        Some(m) => m.clone(),
                        None => email::Mailer::smtp(smtp)?,
                    };
                    Sender::Email(email::Email::new(smtp.from.clone(), to.clone(), mailer))
                }
                ChannelKind::Webhook {
                    url,
                    secret,
                    allow_private,
                    proxy,
                    ca_file,
                } => Sender::Webhook(
                    webhook::Webhook::new(
                        url.clone(),
                        secret,
                        config.delivery.timeout,
                        *allow_private,
                        proxy.as_ref(),
                        ca_file.as_deref(),
                    )
                    .map_err(|source| ChannelError::Webhook {
                        channel: c.id.clone(),
                        source,
                    })?,
                ),
            };
            channels.insert(c.id.clone(), sender);
        }
        Ok(Notifier::new(channels, config.delivery.timeout))
    }

    /// The kind of `channel`, if it is configured.
    pub fn kind(&self, channel: &str) -> Option<Kind> {
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
                    message: format!(
                        "timed out: no complete answer within {} s (delivery.timeout_secs)",
                        self.timeout.as_secs()
                    ),
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
        self.attempt_threaded(channel, alerts, None).await
    }

    /// [`Notifier::attempt_many`]; an email in `thread` is a follow-up
    /// (webhooks ignore it).
    pub async fn attempt_threaded(
        &self,
        channel: &str,
        alerts: &[Alert],
        thread: Option<&crate::store::Thread>,
    ) -> Result<(), DeliveryError> {
        match (alerts, self.channels.get(channel)) {
            (_, Some(Sender::Email(e))) if thread.is_some() => {
                self.check_enabled(channel)?;
                self.within_timeout(e.send_threaded(alerts, thread)).await
            }
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
}
