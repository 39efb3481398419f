//! The retry policy: how long the dispatcher waits before attempting a
//! failed delivery again. Exponential backoff with jitter between the
//! configured bounds, or the fixed Standard Webhooks schedule for webhook
//! channels that ask for it. A receiver's `Retry-After` is honoured but
//! never beyond the policy's longest wait, so every delay is bounded.

use std::time::Duration;

use super::Kind;
use crate::config::{DeliveryConfig, WebhookSchedule};

/// The Standard Webhooks schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
const STANDARD_WEBHOOKS_SCHEDULE: [u64; 7] = [5, 300, 1800, 7200, 18000, 36000, 36000];

/// Whether `kind` follows the Standard Webhooks schedule under `policy`
/// (webhook channels only; an unknown channel uses the backoff).
fn standard_webhooks(policy: &DeliveryConfig, kind: Option<Kind>) -> bool {
    kind == Some(Kind::Webhook) && policy.webhook_schedule == WebhookSchedule::StandardWebhooks
}

/// The delay before retry number `attempt` (1-based: the delay after the
/// first failed attempt is `delay(1)`).
pub fn retry_delay(policy: &DeliveryConfig, kind: Option<Kind>, attempt: u32) -> Duration {
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
pub fn max_retry_delay(policy: &DeliveryConfig, kind: Option<Kind>) -> Duration {
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
    kind: Option<Kind>,
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
        let webhook = Some(Kind::Webhook);
        let huge = Some(Duration::from_secs(u64::MAX));
        assert_eq!(
            next_delay(&policy, webhook, 2, huge),
            Duration::from_secs(36_000)
        );
        assert_eq!(
            next_delay(&policy, Some(Kind::Email), 2, huge),
            policy.max_backoff
        );
        assert_eq!(
            next_delay(&policy, webhook, 2, Some(Duration::from_secs(7))),
            Duration::from_secs(7),
            "a reasonable Retry-After is honoured"
        );
        assert_eq!(
            next_delay(&policy, webhook, 1, None),
            Duration::from_secs(5)
        );
    }
}
