//! The `[[channel]]` list: unique ids, the email (recipients) and webhook
//! (URL, Standard Webhooks secret or the variable holding it, private
//! targets, proxy) kinds, and each channel's routing keys.
//!
//! Invariant: a webhook URL's text, a proxy URL and a secret are never
//! echoed in a diagnostic (URLs are shown redacted, secrets as
//! `[redacted]`).

use std::path::Path;

use serde_json::Value;

use super::spans::PathPart;
use super::validate::Validator;
use super::{decode_secret, redact_url, Channel, ChannelKind, Secret};

impl Validator<'_> {
    pub(super) fn channels(&mut self, v: Option<Value>, base: &Path) -> Vec<Channel> {
        let list = match v {
            None => return Vec::new(),
            Some(Value::Array(a)) => a,
            Some(_) => {
                self.error(
                    &[PathPart::Key("channel".into())],
                    "must be an array of tables ([[channel]])",
                );
                return Vec::new();
            }
        };
        let mut out: Vec<Channel> = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for (i, item) in list.into_iter().enumerate() {
            let mut t = self.table(
                vec![PathPart::Key("channel".into()), PathPart::Index(i)],
                Some(item),
            );
            let id: Option<String> = self.req(&mut t, "id", "a channel id");
            if let Some(id) = &id {
                if !wirewatch_matcher::diag::valid_id(id) {
                    self.error(
                        &Self::child(&t, "id"),
                        format!("{id:?} is not valid: use lowercase letters, digits and '-'"),
                    );
                } else if seen.contains(id) {
                    self.error(
                        &Self::child(&t, "id"),
                        format!("{id:?} is already used by another channel"),
                    );
                }
                seen.push(id.clone());
            }
            let routing = self.routing(&mut t);
            let kind: Option<String> = self.req(&mut t, "type", "\"email\" or \"webhook\"");
            let kind = match kind.as_deref() {
                Some("email") => {
                    let to: Option<Vec<String>> =
                        self.req(&mut t, "to", "a list of email addresses");
                    let mut boxes = Vec::new();
                    for addr in to.unwrap_or_default() {
                        match addr.parse::<lettre::message::Mailbox>() {
                            Ok(m) => boxes.push(m),
                            Err(e) => self.error(
                                &Self::child(&t, "to"),
                                format!("{addr:?} is not valid: {e}"),
                            ),
                        }
                    }
                    if boxes.is_empty() {
                        self.error(&Self::child(&t, "to"), "must list at least one address");
                        None
                    } else {
                        self.finish(
                            t,
                            &[
                                "id",
                                "type",
                                "to",
                                "mode",
                                "digest_interval",
                                "min_severity",
                                "quiet_hours",
                                "rate_limit",
                            ],
                        );
                        Some(ChannelKind::Email { to: boxes })
                    }
                }
                Some("webhook") => {
                    let url: Option<String> = self.req(&mut t, "url", "an http(s) URL");
                    let url = url.and_then(|u| match url::Url::parse(&u) {
                        Ok(p) if p.scheme() == "http" || p.scheme() == "https" => Some(p),
                        Ok(p) => {
                            self.error(
                                &Self::child(&t, "url"),
                                format!(
                                    "{:?} is not valid: scheme must be http or https",
                                    redact_url(&p)
                                ),
                            );
                            None
                        }
                        Err(e) => {
                            // The text may hold a token: not echoed.
                            self.error(&Self::child(&t, "url"), format!("is not valid: {e}"));
                            None
                        }
                    });
                    let has_secret = t.map.contains_key("secret");
                    let secret: Option<String> =
                        self.opt(&mut t, "secret", "a \"whsec_...\" string");
                    let secret_env: Option<String> =
                        self.opt(&mut t, "secret_env", "an environment variable name");
                    let secret = match (secret, secret_env) {
                        (Some(s), None) => Some(s),
                        (None, Some(var)) => match self.locator.env_value(&var) {
                            Some(s) => Some(s),
                            None => {
                                self.error(
                                    &Self::child(&t, "secret_env"),
                                    format!("environment variable {var} is not set"),
                                );
                                None
                            }
                        },
                        (Some(_), Some(_)) => {
                            self.error(
                                &Self::child(&t, "secret"),
                                "set either secret or secret_env, not both",
                            );
                            None
                        }
                        // Present but not a string: reported already.
                        (None, None) if has_secret => None,
                        (None, None) => {
                            self.error(&Self::child(&t, "secret"), "is required (a Standard Webhooks \"whsec_...\" secret, or secret_env)");
                            None
                        }
                    };
                    let secret = secret.and_then(|s| match decode_secret(&s) {
                        Ok(_) => Some(Secret::new(s)),
                        Err(e) => {
                            self.error(
                                &Self::child(&t, "secret"),
                                format!("[redacted] is not valid: {e}"),
                            );
                            None
                        }
                    });
                    let allow_private: bool =
                        self.or(&mut t, "allow_private", "true or false", false);
                    let proxy: Option<String> =
                        self.opt(&mut t, "proxy", "an http:// or https:// proxy URL");
                    let proxy = proxy.and_then(|p| match url::Url::parse(&p) {
                        Ok(u)
                            if (u.scheme() == "http" || u.scheme() == "https")
                                && u.host().is_some() =>
                        {
                            Some(u)
                        }
                        // The URL may hold credentials: never echoed.
                        Ok(_) => {
                            self.error(
                                &Self::child(&t, "proxy"),
                                "is not valid: expected an http:// or https:// URL with a host",
                            );
                            None
                        }
                        Err(e) => {
                            self.error(&Self::child(&t, "proxy"), format!("is not valid: {e}"));
                            None
                        }
                    });
                    let ca_file = self.ca_file(&mut t, base);
                    if let (Ok(Some(_)), Some(u)) = (&ca_file, &url) {
                        if u.scheme() != "https" {
                            self.error(
                                &Self::child(&t, "ca_file"),
                                "is set but the url is not https://: no TLS connection is made",
                            );
                        }
                    }
                    self.finish(
                        t,
                        &[
                            "id",
                            "type",
                            "url",
                            "ca_file",
                            "secret",
                            "secret_env",
                            "allow_private",
                            "proxy",
                            "mode",
                            "digest_interval",
                            "min_severity",
                            "quiet_hours",
                            "rate_limit",
                        ],
                    );
                    match (url, secret, ca_file) {
                        (Some(url), Some(secret), Ok(ca_file)) => Some(ChannelKind::Webhook {
                            url,
                            secret,
                            allow_private,
                            proxy,
                            ca_file: ca_file.map(Box::new),
                        }),
                        _ => None,
                    }
                }
                Some(other) => {
                    self.error(
                        &Self::child(&t, "type"),
                        format!("{other:?} is not valid: expected \"email\" or \"webhook\""),
                    );
                    None
                }
                None => None,
            };
            if let (Some(id), Some(kind), Some(routing)) = (id, kind, routing) {
                out.push(Channel { id, kind, routing });
            }
        }
        out
    }
}
