//! The `[delivery]` section: attempt timeout, retries and their backoff,
//! the webhook retry schedule, the maximum age and the shutdown grace,
//! bounded so that every sum of times in the dispatcher stays in range.

use std::time::Duration;

use serde_json::Value;

use super::spans::PathPart;
use super::validate::Validator;
use super::{DeliveryConfig, WebhookSchedule};

impl Validator<'_> {
    pub(super) fn delivery(&mut self, v: Option<Value>) -> Option<DeliveryConfig> {
        let d = DeliveryConfig::default();
        let mut t = self.table(vec![PathPart::Key("delivery".into())], v);
        let timeout: u64 = self.or(
            &mut t,
            "timeout_secs",
            "a number of seconds",
            d.timeout.as_secs(),
        );
        let max_attempts: u32 =
            self.or(&mut t, "max_attempts", "a positive number", d.max_attempts);
        let initial: u64 = self.or(
            &mut t,
            "initial_backoff_ms",
            "milliseconds",
            d.initial_backoff.as_millis() as u64,
        );
        let max_backoff: u64 = self.or(
            &mut t,
            "max_backoff_secs",
            "a number of seconds",
            d.max_backoff.as_secs(),
        );
        let grace: u64 = self.or(
            &mut t,
            "shutdown_grace_secs",
            "a number of seconds",
            d.shutdown_grace.as_secs(),
        );
        let max_age: u64 = self.or(
            &mut t,
            "max_age_secs",
            "a number of seconds",
            d.max_age.as_secs(),
        );
        let schedule: String = self.or(
            &mut t,
            "webhook_schedule",
            "\"standard-webhooks\" or \"exponential\"",
            "standard-webhooks".into(),
        );
        let webhook_schedule = match schedule.as_str() {
            "standard-webhooks" => Some(WebhookSchedule::StandardWebhooks),
            "exponential" => Some(WebhookSchedule::Exponential),
            other => {
                self.error(
                    &Self::child(&t, "webhook_schedule"),
                    format!(
                        "{other:?} is not valid: expected \"standard-webhooks\" or \"exponential\""
                    ),
                );
                None
            }
        };
        // Bounds that keep every sum of times in the dispatcher in range.
        let timeout = self.at_most(&t, "timeout_secs", timeout, 3600, "seconds");
        let initial = self.at_most(&t, "initial_backoff_ms", initial, 86_400_000, "ms");
        let max_backoff = self.at_most(&t, "max_backoff_secs", max_backoff, 30 * 86_400, "seconds");
        let grace = self.at_most(&t, "shutdown_grace_secs", grace, 3600, "seconds");
        let max_age = self.at_most(&t, "max_age_secs", max_age, 366 * 86_400, "seconds");
        if max_attempts == 0 {
            self.error(
                &Self::child(&t, "max_attempts"),
                "0 is not valid: at least 1 attempt",
            );
        }
        if timeout == Some(0) {
            self.error(
                &Self::child(&t, "timeout_secs"),
                "0 is not valid: must be positive",
            );
        }
        self.finish(
            t,
            &[
                "timeout_secs",
                "max_attempts",
                "initial_backoff_ms",
                "max_backoff_secs",
                "shutdown_grace_secs",
                "max_age_secs",
                "webhook_schedule",
            ],
        );
        Some(DeliveryConfig {
            timeout: Duration::from_secs(timeout.filter(|&s| s > 0)?),
            max_attempts: Some(max_attempts).filter(|&n| n > 0)?,
            initial_backoff: Duration::from_millis(initial?),
            max_backoff: Duration::from_secs(max_backoff?),
            shutdown_grace: Duration::from_secs(grace?),
            max_age: Duration::from_secs(max_age?),
            webhook_schedule: webhook_schedule?,
        })
    }
}
