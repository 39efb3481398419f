//! The console's HTML pages: sign-in, the alert list, one alert (with its
//! actions), rules (with *try it*), the outbox and silences. Each page is
//! an askama template under `templates/` escaping with
//! [`super::view::PageText`]; every form POST arrives as [`Posted`] (its
//! CSRF token checked) and answers with a redirect (post/redirect/get).

use std::net::SocketAddr;
use std::sync::Arc;

use askama::Template;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::auth::{self, LoginRefused};
use super::query::{self, FilterQuery, RuleSummary};
use super::view::{self, Bar, Segment};
use super::{Console, Posted, Problem, User};
use crate::store::{
    now_ms, AlertDelivery, AlertFilter, AlertRow, DeliveryState, Feedback, FeedbackReason, Silence,
    Status,
};
use wirewatch_matcher::article::Article;
use wirewatch_matcher::ActionStatus;

/// The navigation bar: who is signed in, the sign-out form's token and
/// the page it is on.
pub(super) struct Nav {
    user: String,
    csrf: String,
    here: &'static str,
}

impl Nav {
    fn of(user: &User, here: &'static str) -> Option<Nav> {
        Some(Nav {
            user: user.name.clone(),
            csrf: user.csrf.clone(),
            here,
        })
    }

    fn links(&self) -> [(&'static str, &'static str); 4] {
        [
            ("/alerts", "Alerts"),
            ("/rules", "Rules"),
            ("/outbox", "Outbox"),
            ("/silences", "Silences"),
        ]
    }
}

/// A rendered page, or a problem page.
fn page(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(message = "Console page failed to render.", error = %e);
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page failed to render\n",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "templates/problem.html", escape = "console")]
struct ProblemPage {
    nav: Option<Nav>,
    note: Option<String>,
    heading: String,
    message: String,
    back: String,
}

/// A problem as a page for `user` (who may go back to `back`).
fn problem(user: Option<&User>, p: Problem, back: &str) -> Response {
    let mut r = page(&ProblemPage {
        nav: user.and_then(|u| Nav::of(u, "")),
        note: None,
        heading: p.status.canonical_reason().unwrap_or("Problem").to_string(),
        message: p.message,
        back: local(back).to_string(),
    });
    *r.status_mut() = p.status;
    r
}

/// A path of the console to go back to: a local absolute path, never
/// another site ("//evil", "https://...").
fn local(path: &str) -> &str {
    if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') {
        path
    } else {
        "/alerts"
    }
}

/// The notes a redirect may ask a page to show (`?done=`), by key: a
/// page never shows text from its query string.
fn done_note(key: Option<&str>) -> Option<String> {
    let text = match key? {
        "retried" => "Delivery retried: the outbox sends it now.",
        "marked" => "Marked not relevant. Thank you: the rule's precision counts it.",
        "silenced" => "Silence added.",
        "lifted" => "Silence lifted. What it held back stays silenced.",
        "retried-dead" => "Every dead delivery is due again.",
        _ => return None,
    };
    Some(text.to_string())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Done {
    done: Option<String>,
}

pub(super) async fn stylesheet(State(c): State<Arc<Console>>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        c.css.clone(),
    )
        .into_response()
}

// --- sign in -----------------------------------------------------------------

#[derive(Template)]
#[template(path = "templates/login.html", escape = "console")]
struct LoginPage {
    nav: Option<Nav>,
    note: Option<String>,
    error: Option<String>,
    csrf: String,
    next: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct NextQuery {
    next: String,
}

/// The form, with a fresh nonce in a cookie and in the form (double
/// submit: there is no session to hold a CSRF token yet).
fn login_page(c: &Console, error: Option<String>, next: &str, status: StatusCode) -> Response {
    let nonce = auth::random_token();
    let mut r = page(&LoginPage {
        nav: None,
        note: None,
        error,
        csrf: nonce.clone(),
        next: local(next).to_string(),
    });
    *r.status_mut() = status;
    if let Ok(v) = c
        .auth
        .cookie(auth::LOGIN_COOKIE, &nonce, Some(3600))
        .parse()
    {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

pub(super) async fn login_form(
    State(c): State<Arc<Console>>,
    Query(q): Query<NextQuery>,
) -> Response {
    login_page(&c, None, &q.next, StatusCode::OK)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct LoginForm {
    csrf: String,
    next: String,
    name: String,
    password: String,
}

pub(super) async fn login(
    State(c): State<Arc<Console>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let nonce = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| auth::cookie_value(h, auth::LOGIN_COOKIE));
    if !nonce.is_some_and(|n| !f.csrf.is_empty() && auth::same(n, &f.csrf)) {
        return login_page(
            &c,
            Some("The sign-in form expired; please try again.".into()),
            &f.next,
            StatusCode::FORBIDDEN,
        );
    }
    match c.auth.login(peer.ip(), f.name.trim(), &f.password).await {
        Ok((id, _)) => {
            tracing::info!(message = "Console sign-in.", user = %f.name.trim(), peer = %peer.ip());
            let mut r = Redirect::to(local(&f.next)).into_response();
            let h = r.headers_mut();
            for cookie in [
                c.auth
                    .cookie(auth::SESSION_COOKIE, &id, Some(c.auth.session_secs())),
                c.auth.cookie(auth::LOGIN_COOKIE, "", Some(0)),
            ] {
                if let Ok(v) = cookie.parse() {
                    h.append(header::SET_COOKIE, v);
                }
            }
            r
        }
        Err(LoginRefused::Invalid) => {
            tracing::warn!(message = "Console sign-in refused.", peer = %peer.ip());
            login_page(
                &c,
                Some("Wrong name or password.".into()),
                &f.next,
                StatusCode::UNAUTHORIZED,
            )
        }
        Err(LoginRefused::RateLimited) => {
            tracing::warn!(message = "Console sign-in rate limited.", peer = %peer.ip());
            login_page(
                &c,
                Some("Too many failed sign-ins; wait ten minutes and try again.".into()),
                &f.next,
                StatusCode::TOO_MANY_REQUESTS,
            )
        }
    }
}

#[derive(Deserialize, Default)]
pub(super) struct Nothing {}

pub(super) async fn logout(State(c): State<Arc<Console>>, p: Posted<Nothing>) -> Response {
    c.auth.logout(&p.user.session);
    let mut r = Redirect::to("/login").into_response();
    if let Ok(v) = c.auth.cookie(auth::SESSION_COOKIE, "", Some(0)).parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

// --- alerts ------------------------------------------------------------------

/// A row of the alert list.
pub(super) struct RowView {
    alert_id: String,
    rule_id: String,
    severity: &'static str,
    company: String,
    agency: Option<String>,
    action: Option<String>,
    status: &'static str,
    title: String,
    source: String,
    detected: String,
    delivery: &'static str,
}

impl RowView {
    fn of(a: &AlertRow) -> RowView {
        RowView {
            alert_id: a.alert_id.clone(),
            rule_id: a.rule_id.clone(),
            severity: a.severity.as_str(),
            company: a.company.clone(),
            agency: a.agency.clone(),
            action: a.action.clone(),
            status: a.status.as_str(),
            title: a.article.title.clone(),
            source: a.article.source.clone().unwrap_or_default(),
            detected: view::time(a.detected_ms),
            delivery: a.delivery.as_str(),
        }
    }
}

#[derive(Template)]
#[template(path = "templates/alerts.html", escape = "console")]
struct AlertsPage {
    nav: Option<Nav>,
    note: Option<String>,
    f: FilterQuery,
    rules: Vec<String>,
    statuses: Vec<&'static str>,
    severities: Vec<&'static str>,
    deliveries: Vec<&'static str>,
    rows: Vec<RowView>,
    next: Option<String>,
    error: Option<String>,
}

/// Alerts per page of the list.
const PAGE: usize = 50;

pub(super) async fn alerts(
    State(c): State<Arc<Console>>,
    user: User,
    Query(q): Query<FilterQuery>,
) -> Response {
    let (rows, next, error) = match q.filter() {
        Ok((filter, cursor)) => {
            let limit = q.limit.unwrap_or(PAGE);
            match c
                .store(move |s| s.alerts_page(&filter, cursor, limit))
                .await
            {
                Ok(p) => (
                    p.alerts.iter().map(RowView::of).collect(),
                    p.next.map(|n| format!("/alerts?{}", q.at(n))),
                    None,
                ),
                Err(e) => (Vec::new(), None, Some(e.message)),
            }
        }
        Err(e) => (Vec::new(), None, Some(e)),
    };
    page(&AlertsPage {
        nav: Nav::of(&user, "/alerts"),
        note: None,
        rules: rule_ids(&c),
        statuses: ActionStatus::ALL.iter().map(|s| s.as_str()).collect(),
        severities: ["low", "medium", "high", "critical"].to_vec(),
        deliveries: AlertDelivery::ALL.iter().map(|d| d.as_str()).collect(),
        f: q,
        rows,
        next,
        error,
    })
}

fn rule_ids(c: &Console) -> Vec<String> {
    let mut ids: Vec<String> = c.matcher.current().rules().map(|r| r.id.clone()).collect();
    ids.sort();
    ids
}

/// One delivery as the alert and outbox pages list it.
pub(super) struct DeliveryView {
    channel: String,
    status: &'static str,
    attempts: u32,
    when: String,
    last_error: String,
    silence: Option<String>,
}

impl DeliveryView {
    fn of(d: &DeliveryState) -> DeliveryView {
        let when = match d.status {
            Status::Pending if d.leased => "being sent".to_string(),
            Status::Pending => format!("next {}", view::time(d.next_attempt_ms)),
            _ => view::time(d.updated_ms),
        };
        DeliveryView {
            channel: d.channel.clone(),
            status: d.status.as_str(),
            attempts: d.attempts,
            when,
            last_error: d.last_error.clone().unwrap_or_default(),
            silence: d.silence.clone(),
        }
    }
}

/// A "not relevant" mark.
pub(super) struct MarkView {
    by: String,
    at: String,
    reason: &'static str,
    note: String,
    alert_id: String,
    title: String,
    company: String,
    alert_exists: bool,
}

impl MarkView {
    fn of(m: &Feedback, alert_exists: bool) -> MarkView {
        MarkView {
            by: m.by.clone(),
            at: view::time(m.at_ms),
            reason: reason_label(m.reason),
            note: m.note.clone().unwrap_or_default(),
            alert_id: m.alert_id.clone(),
            title: m.title.clone(),
            company: m.company.clone(),
            alert_exists,
        }
    }
}

fn reason_label(r: FeedbackReason) -> &'static str {
    match r {
        FeedbackReason::CompanyInAnotherRole => "company in another role",
        FeedbackReason::WrongSense => "wrong sense of a word",
        FeedbackReason::WrongAgency => "wrong agency",
        FeedbackReason::WrongAction => "wrong action",
        FeedbackReason::OldNews => "old news",
        FeedbackReason::Duplicate => "duplicate",
        FeedbackReason::Other => "other",
    }
}

/// The alert as its page shows it.
pub(super) struct AlertView {
    alert_id: String,
    rule_id: String,
    watchlist: String,
    severity: &'static str,
    status: &'static str,
    company: String,
    company_text: String,
    agency: Option<String>,
    action: Option<String>,
    title: String,
    link: Option<String>,
    source: String,
    published: Option<String>,
    detected: String,
    evidence: Vec<Vec<Segment>>,
    also: Vec<(String, Option<String>)>,
}

#[derive(Template)]
#[template(path = "templates/alert.html", escape = "console")]
struct AlertPage {
    nav: Option<Nav>,
    note: Option<String>,
    csrf: String,
    a: AlertView,
    deliveries: Vec<DeliveryView>,
    marks: Vec<MarkView>,
    reasons: Vec<(&'static str, &'static str)>,
}

pub(super) async fn alert(
    State(c): State<Arc<Console>>,
    user: User,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    let id2 = id.clone();
    let found = c.store(move |s| query::alert(s, &id2)).await;
    let (record, deliveries, marks) = match found {
        Ok(Some(x)) => x,
        Ok(None) => {
            return problem(
                Some(&user),
                Problem::not_found(format!("no alert {id:?} in the store")),
                "/alerts",
            )
        }
        Err(p) => return problem(Some(&user), p, "/alerts"),
    };
    let a = &record.alert;
    let view = AlertView {
        alert_id: a.alert_id.clone(),
        rule_id: a.rule_id.clone(),
        watchlist: a.watchlist.clone(),
        severity: a.severity.as_str(),
        status: a.status.as_str(),
        company: a.matched.company.id.clone(),
        company_text: a.matched.company.text.clone(),
        agency: a.matched.agency.as_ref().map(|t| t.id.clone()),
        action: a.matched.action.as_ref().map(|t| t.id.clone()),
        title: a.article.title.clone(),
        link: view::safe_link(a.article.url.as_deref()),
        source: a.article.source.clone().unwrap_or_default(),
        published: a.article.published_at.clone(),
        detected: view::time(a.detected_at.as_millisecond()),
        evidence: a.evidence.iter().map(view::segments).collect(),
        also: a
            .also_reported_by
            .iter()
            .map(|r| {
                (
                    r.source.clone().unwrap_or_else(|| r.id.clone()),
                    view::safe_link(r.url.as_deref()),
                )
            })
            .collect(),
    };
    page(&AlertPage {
        nav: Nav::of(&user, "/alerts"),
        note: done_note(done.done.as_deref()),
        csrf: user.csrf.clone(),
        a: view,
        deliveries: deliveries.iter().map(DeliveryView::of).collect(),
        marks: marks.iter().map(|m| MarkView::of(m, true)).collect(),
        reasons: FeedbackReason::ALL
            .iter()
            .map(|r| (r.as_str(), reason_label(*r)))
            .collect(),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Back {
    back: String,
}

pub(super) async fn retry(
    State(c): State<Arc<Console>>,
    Path(id): Path<String>,
    p: Posted<Back>,
) -> Response {
    let id2 = id.clone();
    match c.store(move |s| s.retry(Some(&id2))).await {
        Ok(n) => {
            c.wake.notify_one();
            tracing::info!(message = "Console retry.", alert_id = %id, deliveries = n, by = %p.user.name);
            let back = if p.form.back.is_empty() {
                format!("/alerts/{id}")
            } else {
                local(&p.form.back).to_string()
            };
            Redirect::to(&with_done(&back, "retried")).into_response()
        }
        Err(e) => problem(Some(&p.user), e, &format!("/alerts/{id}")),
    }
}

/// `path` with `?done=key` (or `&done=key`).
fn with_done(path: &str, key: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}done={key}")
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct FeedbackForm {
    reason: String,
    note: String,
}

pub(super) async fn feedback(
    State(c): State<Arc<Console>>,
    Path(id): Path<String>,
    p: Posted<FeedbackForm>,
) -> Response {
    let back = format!("/alerts/{id}");
    let reason: FeedbackReason = match p.form.reason.parse() {
        Ok(r) => r,
        Err(e) => return problem(Some(&p.user), Problem::bad(e), &back),
    };
    let (id2, note, by) = (id.clone(), p.form.note.clone(), p.user.name.clone());
    match c
        .store(move |s| {
            s.add_feedback(
                &id2,
                reason,
                Some(note.as_str()).filter(|n| !n.trim().is_empty()),
                &by,
            )
        })
        .await
    {
        Ok(_) => Redirect::to(&with_done(&back, "marked")).into_response(),
        Err(e) => problem(Some(&p.user), e, &back),
    }
}

// --- rules -------------------------------------------------------------------

/// A rule as the rules pages show it.
pub(super) struct RuleView {
    id: String,
    description: Option<String>,
    severity: &'static str,
    location: String,
    bars: Vec<Bar>,
    total: u64,
    delivered: u64,
    dead: u64,
    pending: u64,
    silenced: u64,
    precision: String,
    silences: Vec<SilenceView>,
}

impl RuleView {
    fn of(s: &RuleSummary) -> RuleView {
        RuleView {
            id: s.rule_id.clone(),
            description: s.description.clone(),
            severity: s.severity.as_str(),
            location: format!("{}:{}", s.file, s.line),
            bars: view::bars(&s.stats.per_day),
            total: s.alerts,
            delivered: s.delivered,
            dead: s.dead,
            pending: s.pending,
            silenced: s.silenced,
            precision: match s.precision {
                Some(p) => format!(
                    "{:.0}% ({} of {} marked not relevant)",
                    p * 100.0,
                    s.not_relevant_30d,
                    s.alerts
                ),
                None => "no alerts yet".into(),
            },
            silences: s
                .silences
                .iter()
                .map(|x| SilenceView::of(x, now_ms()))
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "templates/rules.html", escape = "console")]
struct RulesPage {
    nav: Option<Nav>,
    note: Option<String>,
    rules: Vec<RuleView>,
    chart_height: u32,
}

pub(super) async fn rules(State(c): State<Arc<Console>>, user: User) -> Response {
    let matcher = c.matcher.current();
    let mut rules: Vec<wirewatch_matcher::Rule> = matcher.rules().cloned().collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let summaries = match c
        .rule_stats(rules.iter().map(|r| r.id.clone()).collect())
        .await
    {
        Ok(stats) => {
            c.store(move |s| {
                let silences = s.silences(false)?;
                rules
                    .iter()
                    .map(|r| {
                        let st = stats.get(&r.id).cloned().expect("computed for every rule");
                        query::summary(s, r, &silences, st)
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .await
        }
        Err(e) => Err(e),
    };
    match summaries {
        Ok(list) => page(&RulesPage {
            nav: Nav::of(&user, "/rules"),
            note: None,
            rules: list.iter().map(RuleView::of).collect(),
            chart_height: view::CHART_HEIGHT,
        }),
        Err(e) => problem(Some(&user), e, "/rules"),
    }
}

/// What *try it* found for the rule.
pub(super) struct Explained {
    fired: bool,
    status: &'static str,
    evidence: Vec<Vec<Segment>>,
    reason: String,
}

#[derive(Template)]
#[template(path = "templates/rule.html", escape = "console")]
struct RulePage {
    nav: Option<Nav>,
    note: Option<String>,
    csrf: String,
    r: RuleView,
    chart_height: u32,
    marks: Vec<MarkView>,
    recent: Vec<(String, String)>,
    try_title: String,
    try_body: String,
    explained: Option<Explained>,
    /// Suggestions from the marks (`None`: no marks, or no watchlists to
    /// read; `Err`: why none could be made).
    suggested: Option<Result<Vec<SuggestionView>, String>>,
}

/// The rule page, with *try it*'s answer when there is one.
async fn rule_page(
    c: &Arc<Console>,
    user: &User,
    id: &str,
    tried: Option<(String, String, Explained)>,
) -> Response {
    let matcher = c.matcher.current();
    let Some(rule) = matcher.rules().find(|r| r.id == id).cloned() else {
        return problem(
            Some(user),
            Problem::not_found(format!("no rule {id:?} is loaded")),
            "/rules",
        );
    };
    let watchlists = c.watchlists.clone();
    let found = c
        .store(move |s| {
            let stats = s.rule_stats(&rule.id, query::DAYS, now_ms())?;
            let summary = query::summary(s, &rule, &s.silences(false)?, stats)?;
            let marks = s.feedback(&rule.id)?;
            let marks: Vec<(Feedback, bool)> = marks
                .into_iter()
                .take(200)
                .map(|m| {
                    let exists = s.alert(&m.alert_id)?.is_some();
                    Ok((m, exists))
                })
                .collect::<Result<_, crate::store::StoreError>>()?;
            let recent = s.alerts_page(
                &AlertFilter {
                    rules: vec![rule.id.clone()],
                    ..AlertFilter::default()
                },
                None,
                20,
            )?;
            // What `wirewatch feedback suggest --rule` prints, from the
            // same marks: only when there are some to learn from.
            let suggested = match (&watchlists, marks.is_empty()) {
                (Some(path), false) => Some(suggestions(s, path, &rule.id)),
                _ => None,
            };
            Ok((summary, marks, recent, suggested))
        })
        .await;
    let (summary, marks, recent, suggested) = match found {
        Ok(x) => x,
        Err(e) => return problem(Some(user), e, "/rules"),
    };
    let (try_title, try_body, explained) = match tried {
        Some((t, b, x)) => (t, b, Some(x)),
        None => (String::new(), String::new(), None),
    };
    page(&RulePage {
        nav: Nav::of(user, "/rules"),
        note: None,
        csrf: user.csrf.clone(),
        r: RuleView::of(&summary),
        chart_height: view::CHART_HEIGHT,
        marks: marks.iter().map(|(m, e)| MarkView::of(m, *e)).collect(),
        recent: recent
            .alerts
            .iter()
            .map(|a| (a.alert_id.clone(), a.article.title.clone()))
            .collect(),
        try_title,
        try_body,
        explained,
        suggested,
    })
}

/// The rule's suggestions from its marks as the panel shows them, or why
/// there are none.
fn suggestions(
    s: &crate::store::Store,
    path: &std::path::Path,
    rule_id: &str,
) -> Result<Vec<SuggestionView>, String> {
    let sources = crate::watchlists::read(path).map_err(|d| {
        d.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    let found =
        crate::feedback::suggest(s, &sources, rule_id, &crate::feedback::Options::default())
            .map_err(|e| e.to_string())?;
    Ok(found
        .suggestions
        .iter()
        .map(|x| SuggestionView {
            change: x.change.to_string(),
            why: x.why.clone(),
            before: format!(
                "{} alerts ({} marked, {} unmarked)",
                x.before.alerts, x.before.marked, x.before.unmarked
            ),
            after: format!(
                "{} alerts ({} marked, {} unmarked)",
                x.after.alerts, x.after.marked, x.after.unmarked
            ),
            loses: x.lost.iter().map(|a| a.title.clone()).collect(),
            diff: x.diff.clone(),
        })
        .collect())
}

/// One suggested watchlist change on the rule page.
pub(super) struct SuggestionView {
    change: String,
    why: String,
    before: String,
    after: String,
    /// Titles of unmarked alerts the change would also remove.
    loses: Vec<String>,
    /// The unified diff to apply by hand.
    diff: String,
}

pub(super) async fn rule(
    State(c): State<Arc<Console>>,
    user: User,
    Path(id): Path<String>,
) -> Response {
    rule_page(&c, &user, &id, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct TryForm {
    alert_id: String,
    title: String,
    body: String,
}

/// Longest article *try it* takes (the daemon's default message size).
const MAX_TRY_BYTES: usize = 200 * 1024;

pub(super) async fn try_rule(
    State(c): State<Arc<Console>>,
    Path(id): Path<String>,
    p: Posted<TryForm>,
) -> Response {
    let TryForm {
        alert_id,
        mut title,
        mut body,
    } = p.form;
    if !alert_id.trim().is_empty() {
        let aid = alert_id.trim().to_string();
        match c.store(move |s| s.alert(&aid)).await {
            Ok(Some(r)) => {
                // The store keeps the title and the evidence sentences,
                // not the body: the article as far as it is known.
                title = r.alert.article.title.clone();
                body = r
                    .alert
                    .evidence
                    .iter()
                    .map(|e| e.text.as_str())
                    .collect::<Vec<_>>()
                    .join("\n\n");
            }
            Ok(None) => {
                return problem(
                    Some(&p.user),
                    Problem::not_found("that alert is no longer in the store"),
                    &format!("/rules/{id}"),
                )
            }
            Err(e) => return problem(Some(&p.user), e, &format!("/rules/{id}")),
        }
    }
    if title.trim().is_empty() && body.trim().is_empty() {
        return problem(
            Some(&p.user),
            Problem::bad("paste a title or a body, or pick a recent alert"),
            &format!("/rules/{id}"),
        );
    }
    if title.len() + body.len() > MAX_TRY_BYTES {
        return problem(
            Some(&p.user),
            Problem::bad(format!(
                "the article is longer than {} KiB",
                MAX_TRY_BYTES / 1024
            )),
            &format!("/rules/{id}"),
        );
    }
    let article = Article {
        id: "console-try".into(),
        title: title.clone(),
        body: body.clone(),
        url: None,
        source: None,
        published_at: None,
        language: None,
    };
    let matcher = c.matcher.current();
    let rid = id.clone();
    let explanation = tokio::task::spawn_blocking(move || {
        matcher
            .explain(&article)
            .into_iter()
            .find(|e| e.rule_id == rid)
    })
    .await
    .ok()
    .flatten();
    let explained = match explanation {
        Some(e) => match &e.hit {
            Some(hit) => Explained {
                fired: true,
                status: hit.status.as_str(),
                evidence: hit.evidence.iter().map(view::segments).collect(),
                reason: e.reason.clone(),
            },
            None => Explained {
                fired: false,
                status: "",
                evidence: Vec::new(),
                reason: e.reason,
            },
        },
        None => {
            return problem(
                Some(&p.user),
                Problem::not_found(format!("no rule {id:?} is loaded")),
                "/rules",
            )
        }
    };
    rule_page(&c, &p.user, &id, Some((title, body, explained))).await
}

// --- outbox ------------------------------------------------------------------

pub(super) struct OutboxItem {
    alert_id: String,
    rule_id: String,
    title: String,
    detected: String,
    deliveries: Vec<DeliveryView>,
}

#[derive(Template)]
#[template(path = "templates/outbox.html", escape = "console")]
struct OutboxPage {
    nav: Option<Nav>,
    note: Option<String>,
    csrf: String,
    items: Vec<OutboxItem>,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct OutboxQuery {
    cursor: String,
    done: Option<String>,
}

pub(super) async fn outbox(
    State(c): State<Arc<Console>>,
    user: User,
    Query(q): Query<OutboxQuery>,
) -> Response {
    let cursor = q.cursor.parse().ok();
    let found = c
        .store(move |s| {
            let page = s.alerts_page(
                &AlertFilter {
                    deliveries: vec![AlertDelivery::Pending, AlertDelivery::Dead],
                    ..AlertFilter::default()
                },
                cursor,
                PAGE,
            )?;
            let mut items = Vec::new();
            for a in &page.alerts {
                let ds: Vec<DeliveryState> = s
                    .alert_deliveries(&a.alert_id)?
                    .into_iter()
                    .filter(|d| matches!(d.status, Status::Pending | Status::Dead))
                    .collect();
                items.push((a.clone(), ds));
            }
            Ok((items, page.next))
        })
        .await;
    match found {
        Ok((items, next)) => page(&OutboxPage {
            nav: Nav::of(&user, "/outbox"),
            note: done_note(q.done.as_deref()),
            csrf: user.csrf.clone(),
            items: items
                .iter()
                .map(|(a, ds)| OutboxItem {
                    alert_id: a.alert_id.clone(),
                    rule_id: a.rule_id.clone(),
                    title: a.article.title.clone(),
                    detected: view::time(a.detected_ms),
                    deliveries: ds.iter().map(DeliveryView::of).collect(),
                })
                .collect(),
            next: next.map(|n| format!("/outbox?cursor={n}")),
        }),
        Err(e) => problem(Some(&user), e, "/outbox"),
    }
}

pub(super) async fn retry_dead(State(c): State<Arc<Console>>, p: Posted<Nothing>) -> Response {
    match c.store(|s| s.retry(None)).await {
        Ok(n) => {
            c.wake.notify_one();
            tracing::info!(message = "Console retried every dead delivery.", deliveries = n, by = %p.user.name);
            Redirect::to("/outbox?done=retried-dead").into_response()
        }
        Err(e) => problem(Some(&p.user), e, "/outbox"),
    }
}

// --- silences ----------------------------------------------------------------

pub(super) struct SilenceView {
    id: String,
    scope: String,
    until: String,
    by: String,
    created: String,
    reason: String,
    state: String,
    active: bool,
}

impl SilenceView {
    fn of(s: &Silence, now: i64) -> SilenceView {
        SilenceView {
            id: s.id.clone(),
            scope: s.scope.to_string(),
            until: view::time(s.until_ms),
            by: s.by.clone(),
            created: view::time(s.created_ms),
            reason: s.reason.clone(),
            state: match &s.lifted {
                Some(l) => format!("lifted by {} {}", l.by, view::time(l.at_ms)),
                None if s.active(now) => "active".into(),
                None => "ended".into(),
            },
            active: s.active(now),
        }
    }
}

#[derive(Template)]
#[template(path = "templates/silences.html", escape = "console")]
struct SilencesPage {
    nav: Option<Nav>,
    note: Option<String>,
    csrf: String,
    silences: Vec<SilenceView>,
    rules: Vec<String>,
    channels: Vec<String>,
}

pub(super) async fn silences(
    State(c): State<Arc<Console>>,
    user: User,
    Query(done): Query<Done>,
) -> Response {
    match c.store(|s| s.silences(true)).await {
        Ok(list) => {
            let now = now_ms();
            page(&SilencesPage {
                nav: Nav::of(&user, "/silences"),
                note: done_note(done.done.as_deref()),
                csrf: user.csrf.clone(),
                silences: list.iter().map(|s| SilenceView::of(s, now)).collect(),
                rules: rule_ids(&c),
                channels: c.channels.clone(),
            })
        }
        Err(e) => problem(Some(&user), e, "/silences"),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SilenceForm {
    kind: String,
    rule: String,
    company: String,
    channel: String,
    until: String,
    reason: String,
    back: String,
}

pub(super) async fn add_silence(State(c): State<Arc<Console>>, p: Posted<SilenceForm>) -> Response {
    let f = p.form;
    let back = if f.back.is_empty() {
        "/silences".to_string()
    } else {
        local(&f.back).to_string()
    };
    let scope = match query::scope(
        &f.kind,
        &f.rule,
        &f.company,
        &f.channel,
        &rule_ids(&c),
        &c.channels,
    ) {
        Ok(s) => s,
        Err(e) => return problem(Some(&p.user), Problem::bad(e), &back),
    };
    let until = match super::until_ms(&f.until, now_ms()) {
        Ok(u) => u,
        Err(e) => return problem(Some(&p.user), Problem::bad(e), &back),
    };
    if f.reason.trim().is_empty() {
        return problem(
            Some(&p.user),
            Problem::bad("say why (the reason is kept with the silence)"),
            &back,
        );
    }
    let (by, reason) = (p.user.name.clone(), f.reason.trim().to_string());
    match c
        .store(move |s| s.add_silence(scope, until, &by, &reason))
        .await
    {
        Ok(s) => {
            tracing::info!(message = "Silence added from the console.", id = %s.id, scope = %s.scope, by = %s.by);
            Redirect::to(&with_done(&back, "silenced")).into_response()
        }
        Err(e) => problem(Some(&p.user), e, &back),
    }
}

pub(super) async fn lift_silence(
    State(c): State<Arc<Console>>,
    Path(id): Path<String>,
    p: Posted<Nothing>,
) -> Response {
    let (id2, by) = (id.clone(), p.user.name.clone());
    match c.store(move |s| s.lift_silence(&id2, &by)).await {
        Ok(Some(_)) => {
            tracing::info!(message = "Silence lifted from the console.", id = %id, by = %p.user.name);
            Redirect::to("/silences?done=lifted").into_response()
        }
        Ok(None) => problem(
            Some(&p.user),
            Problem::not_found(format!("no silence {id:?}")),
            "/silences",
        ),
        Err(e) => problem(Some(&p.user), e, "/silences"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A redirect after sign-in or a form never leaves the console.
    #[test]
    fn back_links_stay_on_the_console() {
        assert_eq!(local("/alerts/x?y=1"), "/alerts/x?y=1");
        for elsewhere in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "",
            "alerts",
        ] {
            assert_eq!(local(elsewhere), "/alerts", "{elsewhere:?}");
        }
        assert_eq!(with_done("/silences", "lifted"), "/silences?done=lifted");
        assert_eq!(
            with_done("/outbox?cursor=a", "retried"),
            "/outbox?cursor=a&done=retried"
        );
        assert_eq!(done_note(Some("<script>")), None, "only known notes");
    }
}
