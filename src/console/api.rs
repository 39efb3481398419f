//! The console's JSON API under `/api/`, for scripts: the alert list
//! (the page query's filters, newest first, cursor paginated), one alert
//! with its deliveries and marks, rules with their 30 days, silences, and
//! the changes (feedback, retry, silence, lift). Every handler takes a
//! [`Caller`]: a configured bearer token, or 401. No cookie is read, so
//! no request can ride a browser's session (no CSRF to check).

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::query::{self, FilterQuery};
use super::{Caller, Console, Problem};
use crate::store::{now_ms, FeedbackReason};

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        (self.status, Json(json!({"error": self.message}))).into_response()
    }
}

type Answer = Result<Response, Problem>;

fn ok(v: impl serde::Serialize) -> Answer {
    Ok(Json(v).into_response())
}

/// `GET /api/alerts`: `{"alerts": [...], "next": cursor|null}`.
pub(super) async fn alerts(
    State(c): State<Arc<Console>>,
    _: Caller,
    Query(q): Query<FilterQuery>,
) -> Answer {
    let (filter, cursor) = q.filter().map_err(Problem::bad)?;
    let limit = q.limit.unwrap_or(100);
    let page = c
        .store(move |s| s.alerts_page(&filter, cursor, limit))
        .await?;
    ok(json!({
        "alerts": page.alerts,
        "next": page.next.map(|n| n.to_string()),
    }))
}

/// `GET /api/alerts/{id}`: the alert as sent, its channels, its
/// deliveries and its "not relevant" marks.
pub(super) async fn alert(
    State(c): State<Arc<Console>>,
    _: Caller,
    Path(id): Path<String>,
) -> Answer {
    let id2 = id.clone();
    let found = c.store(move |s| query::alert(s, &id2)).await?;
    let Some((record, deliveries, marks)) = found else {
        return Err(Problem::not_found(format!("no alert {id:?}")));
    };
    ok(json!({
        "alert": record.alert,
        "notify": record.notify,
        "deliveries": deliveries,
        "feedback": marks,
    }))
}

#[derive(Deserialize)]
pub(super) struct FeedbackBody {
    reason: String,
    #[serde(default)]
    note: Option<String>,
}

/// `POST /api/alerts/{id}/feedback` `{"reason": "wrong_sense", "note": "..."}`.
pub(super) async fn feedback(
    State(c): State<Arc<Console>>,
    caller: Caller,
    Path(id): Path<String>,
    Json(b): Json<FeedbackBody>,
) -> Answer {
    let reason: FeedbackReason = b.reason.parse().map_err(Problem::bad)?;
    let mark = c
        .store(move |s| s.add_feedback(&id, reason, b.note.as_deref(), &caller.name))
        .await?;
    Ok((StatusCode::CREATED, Json(mark)).into_response())
}

/// `POST /api/alerts/{id}/retry`: `{"retried": N}`.
pub(super) async fn retry(
    State(c): State<Arc<Console>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Answer {
    let id2 = id.clone();
    let n = c.store(move |s| s.retry(Some(&id2))).await?;
    c.wake.notify_one();
    tracing::info!(message = "API retry.", alert_id = %id, deliveries = n, by = %caller.name);
    ok(json!({ "retried": n }))
}

/// `GET /api/rules`: every rule with its 30 days.
pub(super) async fn rules(State(c): State<Arc<Console>>, _: Caller) -> Answer {
    let matcher = c.matcher.current();
    let mut rules: Vec<wirewatch_matcher::Rule> = matcher.rules().cloned().collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let stats = c
        .rule_stats(rules.iter().map(|r| r.id.clone()).collect())
        .await?;
    let list = c
        .store(move |s| {
            let silences = s.silences(false)?;
            rules
                .iter()
                .map(|r| {
                    let st = stats.get(&r.id).cloned().expect("computed for every rule");
                    query::summary(s, r, &silences, st)
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    ok(json!({ "rules": list }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct AllQuery {
    all: bool,
}

/// `GET /api/silences` (`?all=true`: also ended and lifted ones).
pub(super) async fn silences(
    State(c): State<Arc<Console>>,
    _: Caller,
    Query(q): Query<AllQuery>,
) -> Answer {
    let list = c.store(move |s| s.silences(q.all)).await?;
    ok(json!({ "silences": list }))
}

#[derive(Deserialize)]
pub(super) struct SilenceBody {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    company: String,
    #[serde(default)]
    channel: String,
    until: String,
    reason: String,
}

/// `POST /api/silences` `{"rule": "r", "company": "Acme", "until": "1d",
/// "reason": "..."}` (or `"channel"`; `"kind"` optional).
pub(super) async fn add_silence(
    State(c): State<Arc<Console>>,
    caller: Caller,
    Json(b): Json<SilenceBody>,
) -> Answer {
    let rules: Vec<String> = c.matcher.current().rules().map(|r| r.id.clone()).collect();
    let scope = query::scope(
        &b.kind,
        &b.rule,
        &b.company,
        &b.channel,
        &rules,
        &c.channels,
    )
    .map_err(Problem::bad)?;
    let until = super::until_ms(&b.until, now_ms()).map_err(Problem::bad)?;
    if b.reason.trim().is_empty() {
        return Err(Problem::bad("reason is required"));
    }
    let reason = b.reason.trim().to_string();
    let s = c
        .store(move |s| s.add_silence(scope, until, &caller.name, &reason))
        .await?;
    tracing::info!(message = "Silence added through the API.", id = %s.id, scope = %s.scope, by = %s.by);
    Ok((StatusCode::CREATED, Json(s)).into_response())
}

/// `POST /api/silences/{id}/lift`.
pub(super) async fn lift_silence(
    State(c): State<Arc<Console>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Answer {
    let id2 = id.clone();
    match c.store(move |s| s.lift_silence(&id2, &caller.name)).await? {
        Some(s) => ok(s),
        None => Err(Problem::not_found(format!("no silence {id:?}"))),
    }
}
