//! Email notifier: a multipart (text + HTML) message per alert and channel,
//! sent over SMTP with lettre, or written as `.eml` files (the demo).

use std::fmt::Write as _;
use std::path::PathBuf;

use lettre::message::{header, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::DeliveryError;
use crate::alert::Alert;
use crate::config::{SmtpConfig, SmtpSecurity};
use crate::matcher::{Evidence, SpanKind};

/// Where messages go.
#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// One `.eml` file per message in a folder.
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Smtp(_) => f.write_str("Mailer::Smtp"),
            Mailer::Files(_, dir) => write!(f, "Mailer::Files({})", dir.display()),
        }
    }
}

impl Mailer {
    pub fn smtp(cfg: &SmtpConfig) -> Result<Mailer, String> {
        let builder = match cfg.security {
            SmtpSecurity::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&cfg.host)
            }
            SmtpSecurity::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&cfg.host)
                    .map_err(|e| format!("smtp: {e}"))?
            }
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&cfg.host)
                .map_err(|e| format!("smtp: {e}"))?,
        };
        let mut builder = builder.port(cfg.port).timeout(Some(cfg.timeout));
        if let (Some(user), Some(pass)) = (&cfg.username, &cfg.password) {
            builder =
                builder.credentials(Credentials::new(user.clone(), pass.expose().to_string()));
        }
        Ok(Mailer::Smtp(builder.build()))
    }

    pub fn files(dir: PathBuf) -> Mailer {
        Mailer::Files(AsyncFileTransport::new(&dir), dir)
    }
}

/// One email channel: its recipients and the mailer.
#[derive(Debug, Clone)]
pub struct Email {
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
    pub mailer: Mailer,
}

impl Email {
    pub async fn send(&self, alert: &Alert) -> Result<(), DeliveryError> {
        let message =
            build_message(alert, &self.from, &self.to).map_err(|e| DeliveryError::Permanent {
                message: format!("cannot build message: {e}"),
            })?;
        match &self.mailer {
            Mailer::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| {
                let message = format!("smtp: {}", error_chain(&e));
                if e.is_permanent() {
                    DeliveryError::Permanent { message }
                } else {
                    // Connection errors, timeouts and 4xx replies are worth retrying.
                    DeliveryError::Transient {
                        message,
                        retry_after: None,
                    }
                }
            }),
            Mailer::Files(t, _) => {
                t.send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| DeliveryError::Transient {
                        message: format!("file transport: {e}"),
                        retry_after: None,
                    })
            }
        }
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(c) = source {
        s.push_str(": ");
        s.push_str(&c.to_string());
        source = c.source();
    }
    s
}

/// Removes line breaks and control characters, so a title cannot inject
/// headers, and cuts very long titles.
fn one_line(s: &str, max_chars: usize) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if flat.chars().count() > max_chars {
        format!(
            "{}…",
            flat.chars().take(max_chars).collect::<String>().trim_end()
        )
    } else {
        flat
    }
}

/// "[HIGH] Kaspersky: sanction by us-commerce — Kaspersky Lab to Cut U.S. ..."
pub fn subject(alert: &Alert) -> String {
    let m = &alert.matched;
    let mut what = m.company.id.clone();
    if let Some(action) = &m.action {
        let _ = write!(what, ": {}", action.id);
    }
    if let Some(agency) = &m.agency {
        let _ = write!(what, " by {}", agency.id);
    }
    one_line(
        &format!(
            "[{}] {} — {}",
            alert.severity.as_str().to_uppercase(),
            what,
            one_line(&alert.article.title, 160)
        ),
        250,
    )
}

/// The Message-ID, derived from the alert id so a resend is recognisable.
pub fn message_id(alert: &Alert) -> String {
    format!("<{}@wirewatch>", alert.alert_id)
}

pub fn build_message(
    alert: &Alert,
    from: &Mailbox,
    to: &[Mailbox],
) -> Result<Message, lettre::error::Error> {
    let mut builder = Message::builder()
        .from(from.clone())
        .subject(subject(alert))
        .message_id(Some(message_id(alert)))
        .header(header::Date::now());
    for t in to {
        builder = builder.to(t.clone());
    }
    builder.multipart(
        MultiPart::alternative()
            .singlepart(SinglePart::plain(render_text(alert)))
            .singlepart(SinglePart::html(render_html(alert))),
    )
}

fn esc(s: &str) -> String {
    html_escape::encode_text(s).into_owned()
}

/// The evidence sentence with matched spans wrapped by `open`/`close`.
fn highlight(
    e: &Evidence,
    open: impl Fn(SpanKind) -> String,
    close: impl Fn(SpanKind) -> String,
    escape: impl Fn(&str) -> String,
) -> String {
    let mut out = String::new();
    let mut pos = 0;
    let mut spans = e.spans.clone();
    spans.sort_by_key(|s| s.start);
    for s in spans {
        if s.start < pos || s.end > e.text.len() {
            continue;
        }
        out.push_str(&escape(&e.text[pos..s.start]));
        out.push_str(&open(s.kind));
        out.push_str(&escape(&e.text[s.start..s.end]));
        out.push_str(&close(s.kind));
        pos = s.end;
    }
    out.push_str(&escape(&e.text[pos..]));
    out
}

pub fn render_text(alert: &Alert) -> String {
    let m = &alert.matched;
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{} alert: {}",
        alert.severity.as_str().to_uppercase(),
        one_line(&alert.article.title, 500)
    );
    let _ = writeln!(t);
    let _ = writeln!(
        t,
        "Company:  {} (matched \"{}\")",
        m.company.id, m.company.text
    );
    if let Some(a) = &m.agency {
        let _ = writeln!(t, "Agency:   {} (matched \"{}\")", a.id, a.text);
    }
    if let Some(a) = &m.action {
        let _ = writeln!(t, "Action:   {} (matched \"{}\")", a.id, a.text);
    }
    let _ = writeln!(t);
    let _ = writeln!(t, "Evidence (matched words in [brackets]):");
    for e in &alert.evidence {
        let _ = writeln!(
            t,
            "  > {}",
            highlight(e, |_| "[".into(), |_| "]".into(), |s| s.to_string())
        );
    }
    let _ = writeln!(t);
    if let Some(url) = &alert.article.url {
        let _ = writeln!(t, "Article:  {url}");
    }
    if let Some(source) = &alert.article.source {
        let _ = writeln!(t, "Source:   {}", one_line(source, 200));
    }
    if let Some(p) = &alert.article.published_at {
        let _ = writeln!(t, "Published: {p}");
    }
    if !alert.also_reported_by.is_empty() {
        let _ = writeln!(t, "Also reported by:");
        for a in &alert.also_reported_by {
            let source = one_line(a.source.as_deref().unwrap_or(&a.id), 200);
            let _ = writeln!(t, "  - {source} {}", a.url.as_deref().unwrap_or(""));
        }
    }
    let _ = writeln!(t);
    let _ = writeln!(
        t,
        "Rule:     {}{}",
        alert.rule_id,
        alert
            .description
            .as_deref()
            .map(|d| format!(" — {d}"))
            .unwrap_or_default()
    );
    let _ = writeln!(t, "Defined in: {}", alert.watchlist);
    let _ = writeln!(t, "Alert id: {}", alert.alert_id);
    t
}

fn severity_color(alert: &Alert) -> &'static str {
    use crate::matcher::Severity::*;
    match alert.severity {
        Low => "#5b6b7b",
        Medium => "#b7791f",
        High => "#c05621",
        Critical => "#c53030",
    }
}

fn mark_style(kind: SpanKind) -> &'static str {
    match kind {
        SpanKind::Company => "background:#fde68a;font-weight:bold;",
        SpanKind::Agency => "background:#bfdbfe;font-weight:bold;",
        SpanKind::Action => "background:#fecaca;font-weight:bold;",
    }
}

pub fn render_html(alert: &Alert) -> String {
    let m = &alert.matched;
    let title = esc(&one_line(&alert.article.title, 500));
    let mut rows = String::new();
    let mut row = |label: &str, term: Option<&crate::matcher::Term>| {
        if let Some(t) = term {
            let _ = write!(
                rows,
                "<tr><td style=\"padding:4px 12px 4px 0;color:#555;\">{label}</td><td style=\"padding:4px 0;\"><strong>{}</strong> <span style=\"color:#777;\">(“{}”)</span></td></tr>",
                esc(&t.id),
                esc(&t.text)
            );
        }
    };
    row("Company", Some(&m.company));
    row("Agency", m.agency.as_ref());
    row("Action", m.action.as_ref());
    let evidence: String = alert
        .evidence
        .iter()
        .map(|e| {
            format!(
                "<blockquote style=\"margin:8px 0;padding:8px 12px;border-left:4px solid #cbd5e0;background:#f7fafc;\">{}</blockquote>",
                highlight(
                    e,
                    |k| format!("<mark style=\"{}\">", mark_style(k)),
                    |_| "</mark>".into(),
                    esc
                )
            )
        })
        .collect();
    let link = alert
        .article
        .url
        .as_deref()
        .map(|u| {
            format!(
                "<p><a href=\"{}\" style=\"color:#2b6cb0;\">Read the article</a>{}</p>",
                html_escape::encode_double_quoted_attribute(u),
                alert
                    .article
                    .source
                    .as_deref()
                    .map(|s| format!(" · {}", esc(s)))
                    .unwrap_or_default()
            )
        })
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html><html><body style=\"margin:0;padding:0;background:#edf2f7;\">\
<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"background:#edf2f7;\"><tr><td align=\"center\" style=\"padding:24px;\">\
<table role=\"presentation\" width=\"640\" cellpadding=\"0\" cellspacing=\"0\" style=\"max-width:640px;background:#ffffff;border-radius:6px;font-family:Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1a202c;\">\
<tr><td style=\"padding:20px 24px 8px 24px;\"><span style=\"display:inline-block;padding:2px 10px;border-radius:10px;background:{color};color:#ffffff;font-size:12px;font-weight:bold;letter-spacing:1px;\">{sev}</span>\
<h1 style=\"font-size:20px;margin:12px 0 4px 0;\">{title}</h1></td></tr>\
<tr><td style=\"padding:0 24px;\"><table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\">{rows}</table></td></tr>\
<tr><td style=\"padding:12px 24px;\"><div style=\"font-weight:bold;margin-bottom:4px;\">Why this fired</div>{evidence}{link}</td></tr>\
<tr><td style=\"padding:12px 24px 20px 24px;border-top:1px solid #e2e8f0;color:#718096;font-size:12px;\">Rule <code>{rule}</code>{desc} · defined in <code>{file}</code><br>Alert id {id}</td></tr>\
</table></td></tr></table></body></html>",
        color = severity_color(alert),
        sev = alert.severity.as_str().to_uppercase(),
        rule = esc(&alert.rule_id),
        desc = alert.description.as_deref().map(|d| format!(" — {}", esc(d))).unwrap_or_default(),
        file = esc(&alert.watchlist),
        id = esc(&alert.alert_id),
    )
}
