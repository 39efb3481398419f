//! Who may use the console: named users who sign in with a password
//! (argon2 PHC hashes from the config) and get a session cookie, and API
//! callers with a bearer token. Also the CSRF token of each session, the
//! login form's own CSRF nonce, and the login rate limit.
//!
//! Sessions live in memory: a restart signs everyone out, which is the
//! safe direction. Tokens and passwords are compared without early exit
//! (their SHA-256 digests are compared), and no secret is logged.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};

use crate::config::{ConsoleConfig, Secret};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "wirewatch_session";
/// The login form's CSRF cookie (double submit: no session exists yet).
pub const LOGIN_COOKIE: &str = "wirewatch_login";

/// Failed logins allowed per client address, and per user name, within
/// [`FAILURE_WINDOW`]; past it, logins from there (or for that name) are
/// refused until the window has passed.
const MAX_FAILURES: u32 = 5;
const FAILURE_WINDOW: Duration = Duration::from_secs(10 * 60);
/// Sessions kept at most; past it the oldest is dropped.
const MAX_SESSIONS: usize = 10_000;

/// The argon2id PHC string of `password` (a fresh random salt each time).
pub fn hash_password(password: &str) -> Result<String, String> {
    if password.is_empty() {
        return Err("the password is empty (it is read from the first line of stdin)".into());
    }
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
        .map_err(|e| format!("cannot make a salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// Whether `password` matches the PHC string `hash` (slow on purpose: run
/// it off the async threads).
pub fn verify_password(password: &str, hash: &Secret) -> bool {
    PasswordHash::new(hash.expose())
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Equality that takes the same time wherever two strings differ.
pub fn same(a: &str, b: &str) -> bool {
    let (x, y) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    x.iter()
        .zip(y.iter())
        .fold(0u8, |acc, (p, q)| acc | (p ^ q))
        == 0
}

/// A random token: 32 bytes as hex.
pub fn random_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// A signed-in user's session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: String,
    /// The token every form of this session posts back.
    pub csrf: String,
    expires: Instant,
    created: Instant,
}

/// Failed logins of one key (an address or a user name).
#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    since: Instant,
}

/// Users, tokens, sessions and the login limiter.
pub struct Auth {
    users: HashMap<String, Secret>,
    /// (token, caller name as it appears on silences and marks).
    tokens: Vec<(Secret, String)>,
    session_ttl: Duration,
    pub secure_cookies: bool,
    sessions: Mutex<HashMap<String, Session>>,
    /// The hash of a random password nobody knows: what an unknown user
    /// name is checked against.
    dummy: Secret,
    failures: Mutex<HashMap<String, Failures>>,
    /// Argon2 checks at once: each takes tens of milliseconds of a core.
    pub(super) hashing: tokio::sync::Semaphore,
}

/// Why a login was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginRefused {
    /// Wrong name or password (never says which).
    Invalid,
    /// Too many failures from this address or for this name.
    RateLimited,
}

impl Auth {
    pub fn new(config: &ConsoleConfig) -> Auth {
        Auth {
            users: config
                .users
                .iter()
                .map(|u| (u.name.clone(), u.password_hash.clone()))
                .collect(),
            tokens: config
                .api_tokens
                .iter()
                .enumerate()
                .map(|(i, t)| (t.clone(), format!("api-token-{}", i + 1)))
                .collect(),
            session_ttl: Duration::from_secs(config.session_hours * 3600),
            secure_cookies: config.secure_cookies,
            sessions: Mutex::new(HashMap::new()),
            dummy: Secret::new(
                hash_password(&random_token()).expect("a non-empty password hashes"),
            ),
            failures: Mutex::new(HashMap::new()),
            hashing: tokio::sync::Semaphore::new(2),
        }
    }

    /// The caller a bearer token names, if it is one of the configured
    /// tokens (every token is compared).
    pub fn bearer(&self, token: &str) -> Option<String> {
        let mut found = None;
        for (t, name) in &self.tokens {
            if same(t.expose(), token) && found.is_none() {
                found = Some(name.clone());
            }
        }
        found
    }

    /// The session of cookie value `id`, if it is current.
    pub fn session(&self, id: &str) -> Option<Session> {
        let mut s = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        match s.get(id) {
            Some(session) if session.expires > Instant::now() => Some(session.clone()),
            Some(_) => {
                s.remove(id);
                None
            }
            None => None,
        }
    }

    /// Ends session `id`.
    pub fn logout(&self, id: &str) {
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
    }

    fn limited(&self, keys: &[String]) -> bool {
        let mut f = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        f.retain(|_, v| now.duration_since(v.since) < FAILURE_WINDOW);
        keys.iter()
            .any(|k| f.get(k).is_some_and(|v| v.count >= MAX_FAILURES))
    }

    fn failed(&self, keys: &[String]) {
        let mut f = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        for k in keys {
            let e = f.entry(k.clone()).or_insert(Failures {
                count: 0,
                since: now,
            });
            e.count += 1;
        }
    }

    /// Checks `name` and `password` (from `peer`) and opens a session:
    /// its cookie value. Refused past the rate limit without checking the
    /// password at all.
    pub async fn login(
        &self,
        peer: IpAddr,
        name: &str,
        password: &str,
    ) -> Result<(String, Session), LoginRefused> {
        let keys = [format!("ip:{peer}"), format!("user:{name}")];
        if self.limited(&keys) {
            return Err(LoginRefused::RateLimited);
        }
        let Ok(_permit) = self.hashing.acquire().await else {
            return Err(LoginRefused::Invalid);
        };
        // An unknown name costs the same argon2 check as a known one, so
        // timing does not tell which names exist.
        let hash = self.users.get(name).cloned();
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy.clone());
        let password = password.to_string();
        let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
            .await
            .unwrap_or(false);
        if !(ok && known) {
            self.failed(&keys);
            return Err(LoginRefused::Invalid);
        }
        let now = Instant::now();
        let session = Session {
            user: name.to_string(),
            csrf: random_token(),
            expires: now + self.session_ttl,
            created: now,
        };
        let id = random_token();
        let mut s = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        s.retain(|_, v| v.expires > now);
        if s.len() >= MAX_SESSIONS {
            if let Some(oldest) = s
                .iter()
                .min_by_key(|(_, v)| v.created)
                .map(|(k, _)| k.clone())
            {
                s.remove(&oldest);
            }
        }
        s.insert(id.clone(), session.clone());
        Ok((id, session))
    }

    /// The `Set-Cookie` value of a cookie `name=value` for the console's
    /// paths: `HttpOnly`, `SameSite=Strict`, `Secure` when configured;
    /// `max_age` 0 deletes it.
    pub fn cookie(&self, name: &str, value: &str, max_age: Option<u64>) -> String {
        let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
        if let Some(age) = max_age {
            c.push_str(&format!("; Max-Age={age}"));
        }
        if self.secure_cookies {
            c.push_str("; Secure");
        }
        c
    }

    /// How long a session lasts, in seconds (the cookie's Max-Age).
    pub fn session_secs(&self) -> u64 {
        self.session_ttl.as_secs()
    }
}

/// The value of cookie `name` in a `Cookie` header.
pub fn cookie_value<'h>(header: &'h str, name: &str) -> Option<&'h str> {
    header.split(';').find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConsoleUser;

    fn auth() -> Auth {
        Auth::new(&ConsoleConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            users: vec![ConsoleUser {
                name: "ana".into(),
                password_hash: Secret::new(hash_password("correct horse").unwrap()),
            }],
            api_tokens: vec![Secret::new("t".repeat(32))],
            secure_cookies: true,
            session_hours: 1,
        })
    }

    #[tokio::test]
    async fn login_opens_a_session_and_failures_are_rate_limited() {
        let a = auth();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let (id, s) = a.login(ip, "ana", "correct horse").await.unwrap();
        assert_eq!(a.session(&id).unwrap().user, "ana");
        assert_eq!(s.csrf.len(), 64);
        let elsewhere: IpAddr = "10.0.0.9".parse().unwrap();
        assert_eq!(
            a.login(elsewhere, "nobody", "x").await.unwrap_err(),
            LoginRefused::Invalid
        );
        for _ in 0..5 {
            assert_eq!(
                a.login(ip, "ana", "wrong").await.unwrap_err(),
                LoginRefused::Invalid
            );
        }
        assert_eq!(
            a.login(ip, "ana", "correct horse").await.unwrap_err(),
            LoginRefused::RateLimited,
            "the right password is refused too once limited"
        );
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        assert_eq!(
            a.login(other, "ana", "correct horse").await.unwrap_err(),
            LoginRefused::RateLimited,
            "the limit is per user name as well as per address"
        );
        a.logout(&id);
        assert!(a.session(&id).is_none());
    }

    #[test]
    fn tokens_cookies_and_hashes() {
        let a = auth();
        assert_eq!(a.bearer(&"t".repeat(32)).as_deref(), Some("api-token-1"));
        assert!(a.bearer("t").is_none());
        assert_eq!(
            a.cookie(SESSION_COOKIE, "v", Some(60)),
            "wirewatch_session=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure"
        );
        assert_eq!(
            cookie_value("a=1; wirewatch_session=xyz; b=2", SESSION_COOKIE),
            Some("xyz")
        );
        let h = hash_password("pw").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("pw", &Secret::new(h.clone())));
        assert!(!verify_password("pw2", &Secret::new(h)));
        assert!(PasswordHash::new(a.dummy.expose()).is_ok());
        assert!(hash_password("").is_err());
    }
}
