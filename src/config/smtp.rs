//! The `[smtp]` section: the relay, its security, the sender, and the
//! password, which is only ever read from `WIREWATCH__SMTP__PASSWORD`.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use super::spans::PathPart;
use super::validate::Validator;
use super::{Secret, SmtpConfig, SmtpSecurity};

impl Validator<'_> {
    pub(super) fn smtp(
        &mut self,
        v: Option<Value>,
        required: bool,
        base: &Path,
    ) -> Option<SmtpConfig> {
        let path = vec![PathPart::Key("smtp".into())];
        if v.is_none() && required {
            self.error(&path, "is required because a channel has type = \"email\"");
            return None;
        }
        let mut t = self.table(path, v);
        let host: Option<String> = self.req(&mut t, "host", "a host name");
        let host = self.non_empty(&t, "host", host);
        let port: u16 = self.or(&mut t, "port", "a port number", 587);
        let security: String = self.or(
            &mut t,
            "security",
            "none, starttls or tls",
            "starttls".into(),
        );
        let security = match security.as_str() {
            "none" => Some(SmtpSecurity::None),
            "starttls" => Some(SmtpSecurity::Starttls),
            "tls" => Some(SmtpSecurity::Tls),
            other => {
                self.error(
                    &Self::child(&t, "security"),
                    format!("{other:?} is not valid: expected none, starttls or tls"),
                );
                None
            }
        };
        let username: Option<String> = self.opt(&mut t, "username", "a string");
        let password = match t.map.remove("password") {
            None => None,
            Some(_)
                if self
                    .locator
                    .env_value("WIREWATCH__SMTP__PASSWORD")
                    .is_some() =>
            {
                // Read it raw: try_parsing may have turned "12345" into a number.
                self.locator
                    .env_value("WIREWATCH__SMTP__PASSWORD")
                    .map(Secret::new)
            }
            Some(_) => {
                self.error(
                    &Self::child(&t, "password"),
                    "must not be in the file: set WIREWATCH__SMTP__PASSWORD in the environment",
                );
                None
            }
        };
        let from: Option<String> = self.req(
            &mut t,
            "from",
            "a mailbox such as \"Wirewatch <alerts@example.com>\"",
        );
        let from = from.and_then(|f| match f.parse::<lettre::message::Mailbox>() {
            Ok(m) => Some(m),
            Err(e) => {
                self.error(&Self::child(&t, "from"), format!("{f:?} is not valid: {e}"));
                None
            }
        });
        let timeout: u64 = self.or(&mut t, "timeout_secs", "a number of seconds", 10);
        let timeout = self.at_most(&t, "timeout_secs", timeout, 3600, "seconds");
        let ca_file = self.ca_file(&mut t, base);
        if let (Ok(Some(_)), Some(SmtpSecurity::None)) = (&ca_file, security) {
            self.error(
                &Self::child(&t, "ca_file"),
                "is set but security = \"none\" makes no TLS connection: use \"starttls\" or \"tls\", or remove ca_file",
            );
        }
        self.finish(
            t,
            &[
                "host",
                "port",
                "security",
                "username",
                "password",
                "from",
                "timeout_secs",
                "ca_file",
            ],
        );
        Some(SmtpConfig {
            host: host?,
            port,
            security: security?,
            username,
            password,
            from: from?,
            // 0 is taken as 1 s (not reported: `check` has always passed it).
            timeout: Duration::from_secs(timeout?.max(1)),
            ca_file: ca_file.ok()?,
        })
    }
}
