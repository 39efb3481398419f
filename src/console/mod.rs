//! The web console on `console.listen`: server-rendered pages for
//! analysts (alerts, one alert, rules, outbox, silences) and a JSON API
//! under `/api/`, both reading and changing the running daemon's store.
//! The daemon holds the store while it runs, so the console is the way to
//! silence, mark and retry then.
//!
//! The parts: `auth` (users, sessions, CSRF, the login limit, bearer
//! tokens), `view` (the escaper, evidence highlights, the chart),
//! `pages` (the HTML pages, askama templates in `templates/`), `api`
//! (JSON), and here the shared state, the request guards and the router.
//! It is served by the admin server's bounded accept loop
//! ([`crate::admin::serve_bounded`]: header timeout, idle timeout,
//! connection cap) on a listener of its own.
//!
//! Invariants: every route but `/login`, `/static/console.css` and the
//! redirect `/` needs a session (pages) or a bearer token (`/api/`);
//! every form POST goes through [`Posted`], which checks the session's
//! CSRF token before the handler runs; every page is an askama template
//! escaping with [`view::PageText`], and no page runs script
//! (`Content-Security-Policy: default-src 'none'`).

mod api;
mod auth;
mod pages;
mod query;
mod view;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

pub use auth::hash_password;

use crate::config::ConsoleConfig;
use crate::pipeline::SharedMatcher;
use crate::store::{RuleStats, Store, StoreError};

/// What the console works with: the daemon's store, its rules (swapped
/// on reload), the dispatcher's wake-up (a retry is due now) and the
/// channel ids.
pub struct Console {
    pub(crate) store: Arc<Store>,
    pub(crate) matcher: SharedMatcher,
    pub(crate) wake: Arc<Notify>,
    pub(crate) channels: Vec<String>,
    /// The watchlist file or folder, read for a rule's suggestions (the
    /// running matcher does not keep the files' text).
    pub(crate) watchlists: Option<std::path::PathBuf>,
    pub(crate) auth: auth::Auth,
    pub(crate) css: String,
    /// Every rule's 30 days, computed at most once a minute for the
    /// rule list: a rule's stats walk its alerts of 30 days (26 ms at p99
    /// with 5,000 alerts a rule), so 200 rules would take seconds on
    /// every view. Marks and silences are read fresh; one rule's page
    /// computes its own.
    stats: Mutex<Option<(Instant, AllStats)>>,
}

/// Every rule's 30 days, by rule id.
pub(crate) type AllStats = Arc<HashMap<String, RuleStats>>;

/// How long the rule list's statistics are reused.
const STATS_FRESH: Duration = Duration::from_secs(60);

impl Console {
    pub fn new(
        config: &ConsoleConfig,
        store: Arc<Store>,
        matcher: SharedMatcher,
        wake: Arc<Notify>,
        channels: Vec<String>,
    ) -> Console {
        Console {
            store,
            matcher,
            wake,
            channels,
            watchlists: None,
            auth: auth::Auth::new(config),
            css: view::stylesheet(),
            stats: Mutex::new(None),
        }
    }

    /// Reads `path` (the daemon's `watchlists`) for the rule page's
    /// suggestions from "not relevant" marks.
    pub fn with_watchlists(mut self, path: std::path::PathBuf) -> Console {
        self.watchlists = Some(path);
        self
    }

    /// The 30-day statistics of rules `ids` at most [`STATS_FRESH`] old.
    pub(crate) async fn rule_stats(
        self: &Arc<Self>,
        ids: Vec<String>,
    ) -> Result<AllStats, Problem> {
        {
            let cached = self.stats.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((at, stats)) = cached.as_ref() {
                if at.elapsed() < STATS_FRESH && ids.iter().all(|id| stats.contains_key(id)) {
                    return Ok(stats.clone());
                }
            }
        }
        let computed = self
            .store(move |s| {
                let now = crate::store::now_ms();
                ids.into_iter()
                    .map(|id| Ok((id.clone(), s.rule_stats(&id, query::DAYS, now)?)))
                    .collect::<Result<HashMap<_, _>, StoreError>>()
            })
            .await?;
        let computed = Arc::new(computed);
        *self.stats.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((Instant::now(), computed.clone()));
        Ok(computed)
    }

    /// Runs `f` on the store off the async threads (redb blocks).
    pub(crate) async fn store<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, Problem> {
        let s = self.store.clone();
        tokio::task::spawn_blocking(move || f(&s))
            .await
            .map_err(|e| Problem::internal(format!("store task failed: {e}")))?
            .map_err(Problem::from)
    }
}

/// Binds `config.listen` and serves the console until `shutdown`, with
/// the admin server's limits. Returns the bound address.
pub async fn serve(
    config: &ConsoleConfig,
    console: Console,
    shutdown: CancellationToken,
) -> anyhow::Result<SocketAddr> {
    crate::admin::serve_bounded(
        "console",
        "console.listen",
        config.listen,
        router(Arc::new(console)),
        crate::admin::Limits::default(),
        shutdown,
    )
    .await
}

/// Every route of the console.
pub fn router(console: Arc<Console>) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/alerts") }))
        .route("/static/console.css", get(pages::stylesheet))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/alerts", get(pages::alerts))
        .route("/alerts/{id}", get(pages::alert))
        .route("/alerts/{id}/retry", post(pages::retry))
        .route("/alerts/{id}/feedback", post(pages::feedback))
        .route("/rules", get(pages::rules))
        .route("/rules/{id}", get(pages::rule))
        .route("/rules/{id}/try", post(pages::try_rule))
        .route("/outbox", get(pages::outbox))
        .route("/outbox/retry", post(pages::retry_dead))
        .route("/silences", get(pages::silences).post(pages::add_silence))
        .route("/silences/{id}/lift", post(pages::lift_silence))
        .route("/api/alerts", get(api::alerts))
        .route("/api/alerts/{id}", get(api::alert))
        .route("/api/alerts/{id}/feedback", post(api::feedback))
        .route("/api/alerts/{id}/retry", post(api::retry))
        .route("/api/rules", get(api::rules))
        .route("/api/silences", get(api::silences).post(api::add_silence))
        .route("/api/silences/{id}/lift", post(api::lift_silence))
        .layer(axum::middleware::map_response(security_headers))
        .layer(axum::extract::DefaultBodyLimit::max(256 * 1024))
        .with_state(console)
}

/// Headers on every answer: no script, no framing, no sniffing, no
/// referrer to article sites, nothing cached.
async fn security_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    r
}

/// A failed request, as a page or as JSON (`api`).
#[derive(Debug)]
pub(crate) struct Problem {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
}

impl Problem {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Problem {
        Problem {
            status,
            message: message.into(),
        }
    }
    pub(crate) fn bad(message: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, message)
    }
    pub(crate) fn not_found(message: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, message)
    }
    pub(crate) fn internal(message: impl Into<String>) -> Problem {
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Problem {
        match e {
            StoreError::Invalid(m) => Problem::bad(m),
            e => {
                tracing::warn!(message = "Console store request failed.", error = %e);
                Problem::internal(format!("the store could not answer: {e}"))
            }
        }
    }
}

/// A signed-in user (pages). Without a current session, a page answers
/// with a redirect to the login form.
pub(crate) struct User {
    pub(crate) name: String,
    pub(crate) csrf: String,
    pub(crate) session: String,
}

/// The redirect to the login form, back to `path` afterwards.
pub(crate) struct SignIn(String);

impl IntoResponse for SignIn {
    fn into_response(self) -> Response {
        let next: String = url::form_urlencoded::byte_serialize(self.0.as_bytes()).collect();
        Redirect::to(&format!("/login?next={next}")).into_response()
    }
}

impl FromRequestParts<Arc<Console>> for User {
    type Rejection = SignIn;

    async fn from_request_parts(
        parts: &mut Parts,
        console: &Arc<Console>,
    ) -> Result<Self, Self::Rejection> {
        let here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/alerts".into());
        let id = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|h| auth::cookie_value(h, auth::SESSION_COOKIE).map(String::from));
        let Some(id) = id else {
            return Err(SignIn(here));
        };
        match console.auth.session(&id) {
            Some(s) => Ok(User {
                name: s.user,
                csrf: s.csrf,
                session: id,
            }),
            None => Err(SignIn(here)),
        }
    }
}

/// A form POST by a signed-in user whose `csrf` field is the session's
/// token: the only way a page handler receives a form. A missing or
/// wrong token is 403 before the handler runs.
pub(crate) struct Posted<T> {
    pub(crate) user: User,
    pub(crate) form: T,
}

#[derive(Deserialize)]
struct WithCsrf<T> {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    form: T,
}

impl<T: DeserializeOwned + Send> FromRequest<Arc<Console>> for Posted<T> {
    type Rejection = Response;

    async fn from_request(req: Request, console: &Arc<Console>) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let user = User::from_request_parts(&mut parts, console)
            .await
            .map_err(IntoResponse::into_response)?;
        let req = Request::from_parts(parts, body);
        let Form(f) = Form::<WithCsrf<T>>::from_request(req, console)
            .await
            .map_err(|e| (StatusCode::BAD_REQUEST, e.body_text()).into_response())?;
        if f.csrf.is_empty() || !auth::same(&f.csrf, &user.csrf) {
            tracing::warn!(message = "Console form refused: missing or wrong CSRF token.", user = %user.name);
            return Err((
                StatusCode::FORBIDDEN,
                "refused: the form's CSRF token is missing or wrong (reload the page and try again)\n",
            )
                .into_response());
        }
        Ok(Posted { user, form: f.form })
    }
}

/// An API caller with a configured bearer token; otherwise 401.
pub(crate) struct Caller {
    pub(crate) name: String,
}

impl FromRequestParts<Arc<Console>> for Caller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        console: &Arc<Console>,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        match token.and_then(|t| console.auth.bearer(t)) {
            Some(name) => Ok(Caller { name }),
            None => Err((
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer realm=\"wirewatch\"")],
                axum::Json(serde_json::json!({"error": "unauthorized: send Authorization: Bearer <token> with a token of console.api_tokens"})),
            )
                .into_response()),
        }
    }
}

/// Parses a silence's end: a duration from now ("8h", "7d") or an RFC
/// 3339 time.
pub(crate) fn until_ms(text: &str, now: i64) -> Result<i64, String> {
    let text = text.trim();
    if let Ok(d) = humantime::parse_duration(text) {
        return Ok(now.saturating_add(crate::store::ms(d)));
    }
    text.parse::<jiff::Timestamp>()
        .map(|t| t.as_millisecond())
        .map_err(|_| format!("until {text:?} is not valid: expected a duration (\"8h\", \"7d\") or an RFC 3339 time (\"2026-12-24T00:00:00Z\")"))
}
