//! The `[console]` section: the web console's address, its named users
//! (`[[console.user]]` with an argon2 PHC `password_hash`), its API
//! tokens and whether its cookies are `Secure`. Absent, the console is off.
//!
//! Invariant: a password hash or an API token is never echoed in a
//! diagnostic (both keys are secret keys, [`super::is_secret_key`]), and
//! both live in [`Secret`].

use std::net::SocketAddr;

use serde_json::Value;

use super::spans::PathPart;
use super::validate::Validator;
use super::Secret;

/// The shortest API token accepted: a bearer token is the whole of the
/// credential, so it must not be guessable.
pub const MIN_TOKEN_CHARS: usize = 24;

/// A console user: a name (shown as who set a silence or marked an alert)
/// and the argon2 hash of their password.
#[derive(Debug, Clone)]
pub struct ConsoleUser {
    pub name: String,
    /// An argon2 PHC string (`$argon2id$v=19$...`), checked at load.
    pub password_hash: Secret,
}

/// The validated `[console]` section.
#[derive(Debug, Clone)]
pub struct ConsoleConfig {
    pub listen: SocketAddr,
    pub users: Vec<ConsoleUser>,
    /// Bearer tokens of the JSON API (`WIREWATCH__CONSOLE__API_TOKENS`,
    /// comma-separated, overrides the file).
    pub api_tokens: Vec<Secret>,
    /// Mark the session cookie `Secure` (the console is reached through a
    /// TLS-terminating proxy).
    pub secure_cookies: bool,
    /// How long a login lasts.
    pub session_hours: u64,
}

impl Validator<'_> {
    /// Reads `[console]`; `None` when it is absent (or has problems).
    pub(super) fn console(&mut self, v: Option<Value>) -> Option<Option<ConsoleConfig>> {
        let Some(v) = v else {
            return Some(None);
        };
        let mut t = self.table(vec![PathPart::Key("console".into())], Some(v));
        let before = self.errors.len();
        let listen: Option<String> = self.req(&mut t, "listen", "host:port");
        let listen = listen.and_then(|s| match s.parse::<SocketAddr>() {
            Ok(a) => Some(a),
            Err(e) => {
                self.error(
                    &Self::child(&t, "listen"),
                    format!("{s:?} is not valid: {e} (expected ip:port)"),
                );
                None
            }
        });
        let secure_cookies: bool = self.or(&mut t, "secure_cookies", "true or false", false);
        let session_hours: u64 = self.or(&mut t, "session_hours", "a positive number of hours", 12);
        if session_hours == 0 {
            self.error(
                &Self::child(&t, "session_hours"),
                "0 is not valid: must be positive",
            );
        }
        let session_hours = self.at_most(&t, "session_hours", session_hours, 24 * 31, "hours");
        let tokens: Vec<String> = self.or(
            &mut t,
            "api_tokens",
            "a list of tokens (strings)",
            Vec::new(),
        );
        for (i, token) in tokens.iter().enumerate() {
            if token.trim().chars().count() < MIN_TOKEN_CHARS {
                self.error(
                    &Self::child(&t, "api_tokens"),
                    format!("token {} is [redacted] and not valid: use at least {MIN_TOKEN_CHARS} random characters (e.g. `openssl rand -hex 32`)", i + 1),
                );
            }
        }
        let users = self.console_users(&mut t);
        if users.is_empty() && tokens.is_empty() && self.errors.len() == before {
            self.error(
                &t.path,
                "no [[console.user]] and no api_tokens: nobody could sign in (add a user with a password_hash from `wirewatch console hash-password`)",
            );
        }
        self.finish(
            t,
            &[
                "listen",
                "user",
                "api_tokens",
                "secure_cookies",
                "session_hours",
            ],
        );
        if self.errors.len() > before {
            return None;
        }
        Some(Some(ConsoleConfig {
            listen: listen?,
            users,
            api_tokens: tokens
                .into_iter()
                .map(|t| Secret::new(t.trim().to_string()))
                .collect(),
            secure_cookies,
            session_hours: session_hours?,
        }))
    }

    fn console_users(&mut self, t: &mut super::validate::Table) -> Vec<ConsoleUser> {
        let list = match t.map.remove("user") {
            None => return Vec::new(),
            Some(Value::Array(a)) => a,
            Some(_) => {
                self.error(
                    &Self::child(t, "user"),
                    "must be an array of tables ([[console.user]])",
                );
                return Vec::new();
            }
        };
        let mut out: Vec<ConsoleUser> = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for (i, item) in list.into_iter().enumerate() {
            let mut path = Self::child(t, "user");
            path.push(PathPart::Index(i));
            let mut u = self.table(path, Some(item));
            let name: Option<String> = self.req(&mut u, "name", "a user name");
            let name = self.non_empty(&u, "name", name).and_then(|n| {
                if n.chars().any(|c| c.is_control()) || n.chars().count() > 64 {
                    self.error(
                        &Self::child(&u, "name"),
                        format!("{n:?} is not valid: at most 64 characters, no control characters"),
                    );
                    None
                } else if seen.contains(&n) {
                    self.error(
                        &Self::child(&u, "name"),
                        format!("{n:?} is already used by another user"),
                    );
                    None
                } else {
                    seen.push(n.clone());
                    Some(n)
                }
            });
            let hash: Option<String> = self.req(
                &mut u,
                "password_hash",
                "an argon2 PHC string from `wirewatch console hash-password`",
            );
            let hash = hash.and_then(|h| {
                let h = h.trim().to_string();
                match argon2::PasswordHash::new(&h) {
                    Ok(p) if p.algorithm.as_str().starts_with("argon2") && p.hash.is_some() => {
                        Some(h)
                    }
                    Ok(_) | Err(_) => {
                        self.error(
                            &Self::child(&u, "password_hash"),
                            "[redacted] is not valid: expected an argon2 PHC string ($argon2id$v=19$m=...$salt$hash) from `wirewatch console hash-password`",
                        );
                        None
                    }
                }
            });
            self.finish(u, &["name", "password_hash"]);
            if let (Some(name), Some(hash)) = (name, hash) {
                out.push(ConsoleUser {
                    name,
                    password_hash: Secret::new(hash),
                });
            }
        }
        out
    }
}
