//! Email notifier: a multipart (text + HTML) message per alert and channel,
//! sent over SMTP with lettre, or written as `.eml` files (the demo).

use std::fmt::Write as _;
use std::path::PathBuf;

use sha2::Digest as _;

use lettre::message::{header, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{error_chain, DeliveryError};
use crate::alert::Alert;
use crate::config::{SmtpConfig, SmtpSecurity};
use crate::matcher::SpanKind;

/// Where messages go.
#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// One `.eml` file per message in a folder, readable by its owner
    /// only (0600, whatever the umask: alerts quote articles and name
    /// recipients).
    Files(PathBuf),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Smtp(_) => f.write_str("Mailer::Smtp"),
            Mailer::Files(dir) => write!(f, "Mailer::Files({})", dir.display()),
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
        Mailer::Files(dir)
    }
}

/// Writes `message` as a new `.eml` file in `dir`, mode 0600.
async fn write_eml(dir: &std::path::Path, message: &Message) -> std::io::Result<PathBuf> {
    use tokio::io::AsyncWriteExt as _;
    let name = format!(
        "{}-{:016x}.eml",
        time::OffsetDateTime::now_utc().unix_timestamp(),
        rand::random::<u64>()
    );
    let path = dir.join(name);
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .await?;
    file.write_all(&message.formatted()).await?;
    file.sync_all().await?;
    Ok(path)
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
        self.send_many(std::slice::from_ref(alert)).await
    }

    /// Sends one message for several alerts (an article's alerts of several
    /// rules, or a digest).
    pub async fn send_many(&self, alerts: &[Alert]) -> Result<(), DeliveryError> {
        let message =
            build_message(alerts, &self.from, &self.to).map_err(|e| DeliveryError::Permanent {
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
            Mailer::Files(dir) => {
                write_eml(dir, &message)
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

/// Characters that change how the text around them displays without
/// showing themselves: bidi embeddings, overrides, isolates and marks
/// (a title could read backwards, or hide what it says), and zero-width
/// spaces, joiners and invisible operators.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{061C}'
        | '\u{180E}'
        | '\u{FEFF}')
}

/// Article text for one line of the text part: control characters (a
/// CR/LF would start a line of its own, such as a fake "Rule:") become
/// spaces, invisible characters go.
fn inline(s: &str) -> String {
    s.chars()
        .filter(|c| !invisible(*c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The link an article URL may become: http and https only, so a
/// `javascript:` or `data:` URL is never clickable.
fn safe_link(u: &str) -> Option<String> {
    url::Url::parse(u.trim())
        .ok()
        .filter(|p| p.scheme() == "http" || p.scheme() == "https")
        .map(String::from)
}

/// Removes line breaks and control characters, so a title cannot inject
/// headers, and invisible characters, and cuts very long titles.
fn one_line(s: &str, max_chars: usize) -> String {
    let flat: String = inline(s).split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > max_chars {
        format!(
            "{}…",
            flat.chars().take(max_chars).collect::<String>().trim_end()
        )
    } else {
        flat
    }
}

/// What matched, in words: "Kaspersky: sanction by us-commerce", with
/// the status when the action is not simply imposed ("sanction (proposed)").
fn what(alert: &Alert) -> String {
    let m = &alert.matched;
    let mut what = m.company.id.clone();
    if let Some(action) = &m.action {
        let _ = write!(what, ": {}", action.id);
        if alert.status != crate::matcher::ActionStatus::Imposed {
            let _ = write!(what, " ({})", alert.status.as_str());
        }
    }
    if let Some(agency) = &m.agency {
        let _ = write!(what, " by {}", agency.id);
    }
    what
}

/// The subject. One alert: "[HIGH] Kaspersky: sanction by us-commerce —
/// <headline>"; several of one article: the same with "(+N more rules)";
/// a digest: "[wirewatch] Digest: N alerts, highest HIGH".
pub fn subject(alerts: &[Alert]) -> String {
    let Some(top) = alerts.iter().max_by_key(|a| a.severity) else {
        return "[wirewatch] no alerts".into();
    };
    let one_article = alerts.iter().all(|a| a.article.id == top.article.id);
    let raw = if one_article {
        let more = match alerts.len() {
            1 => String::new(),
            n => format!(" (+{} more rule{})", n - 1, if n == 2 { "" } else { "s" }),
        };
        format!(
            "[{}] {}{} — {}",
            top.severity.as_str().to_uppercase(),
            what(top),
            more,
            one_line(&top.article.title, 160)
        )
    } else {
        format!(
            "[wirewatch] Digest: {} alerts, highest {} — {}",
            alerts.len(),
            top.severity.as_str().to_uppercase(),
            what(top)
        )
    };
    one_line(&raw, 250)
}

/// The Message-ID, derived from the alert ids so that a resend of the same
/// message is recognisable.
pub fn message_id(alerts: &[Alert]) -> String {
    match alerts {
        [one] => format!("<{}@wirewatch>", one.alert_id),
        many => {
            let mut ids: Vec<&str> = many.iter().map(|a| a.alert_id.as_str()).collect();
            ids.sort_unstable();
            let digest = sha2::Sha256::digest(ids.join(",").as_bytes());
            format!("<group_{}@wirewatch>", &hex::encode(digest)[..32])
        }
    }
}

pub fn build_message(
    alerts: &[Alert],
    from: &Mailbox,
    to: &[Mailbox],
) -> Result<Message, lettre::error::Error> {
    let mut builder = Message::builder()
        .from(from.clone())
        .subject(subject(alerts))
        .message_id(Some(message_id(alerts)))
        .header(header::Date::now());
    for t in to {
        builder = builder.to(t.clone());
    }
    builder.multipart(
        MultiPart::alternative()
            .singlepart(SinglePart::plain(render_text(alerts)))
            .singlepart(SinglePart::html(render_html(alerts))),
    )
}

/// Article text for the HTML part: escaped, without invisible or control
/// characters.
fn esc(s: &str) -> String {
    html_escape::encode_text(&inline(s)).into_owned()
}

/// The plain-text part: every alert with its evidence, matched words in
/// [brackets].
pub fn render_text(alerts: &[Alert]) -> String {
    let mut t = String::new();
    if alerts.len() > 1 {
        let _ = writeln!(t, "{}\n", subject(alerts));
    }
    for (i, alert) in alerts.iter().enumerate() {
        if i > 0 {
            let _ = writeln!(t, "\n{}\n", "-".repeat(60));
        }
        render_text_one(&mut t, alert);
    }
    t
}

fn render_text_one(t: &mut String, alert: &Alert) {
    let m = &alert.matched;
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
        m.company.id,
        inline(&m.company.text)
    );
    if let Some(a) = &m.agency {
        let _ = writeln!(t, "Agency:   {} (matched \"{}\")", a.id, inline(&a.text));
    }
    if let Some(a) = &m.action {
        let _ = writeln!(t, "Action:   {} (matched \"{}\")", a.id, inline(&a.text));
    }
    if alert.status != crate::matcher::ActionStatus::Imposed {
        let _ = writeln!(t, "Status:   {}", alert.status.as_str());
    }
    if let Some(lang) = alert.language.as_deref().filter(|l| *l != "en") {
        let _ = writeln!(t, "Language: {lang} (evidence in the article's language)");
    }
    let _ = writeln!(t);
    let _ = writeln!(t, "Why this fired (matched words in [brackets]):");
    for e in &alert.evidence {
        let _ = writeln!(
            t,
            "  > {}",
            e.marked(|_| "[".into(), |_| "]".into(), inline)
        );
    }
    let _ = writeln!(t);
    if let Some(url) = alert.article.url.as_deref().and_then(safe_link) {
        let _ = writeln!(t, "Article:  {url}");
    }
    if let Some(source) = &alert.article.source {
        let _ = writeln!(t, "Source:   {}", one_line(source, 200));
    }
    if let Some(p) = &alert.article.published_at {
        let _ = writeln!(t, "Published: {}", one_line(p, 100));
    }
    if !alert.also_reported_by.is_empty() {
        let _ = writeln!(t, "Also reported by:");
        for a in alert.also_reported_by.iter().take(MAX_COPIES_SHOWN) {
            let source = one_line(a.source.as_deref().unwrap_or(&a.id), 200);
            let url = a.url.as_deref().and_then(safe_link).unwrap_or_default();
            let _ = writeln!(t, "  - {source} {url}");
        }
        if let Some(more) = copies_not_shown(alert) {
            let _ = writeln!(t, "  - {more}");
        }
    }
    let _ = writeln!(t);
    let desc = alert
        .description
        .as_deref()
        .map(|d| format!(" — {d}"))
        .unwrap_or_default();
    let _ = writeln!(t, "Rule:     {}{desc}", alert.rule_id);
    let _ = writeln!(t, "Defined in: {} (edit the rule there)", alert.watchlist);
    let _ = writeln!(t, "Alert id: {}", alert.alert_id);
}

/// "2024-07-15T10:00:00Z" as "15 Jul 2024, 10:00 UTC"; other text as is.
fn readable_time(rfc3339: &str) -> String {
    let format = time::macros::format_description!(
        "[day padding:none] [month repr:short] [year], [hour]:[minute] UTC"
    );
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|t| t.to_offset(time::UtcOffset::UTC).format(&format).ok())
        .unwrap_or_else(|| rfc3339.to_string())
}

fn severity_color(alert: &Alert) -> &'static str {
    use crate::matcher::Severity::*;
    match alert.severity {
        Low => "#4a5568",
        Medium => "#b7791f",
        High => "#c05621",
        Critical => "#c53030",
    }
}

fn mark_style(kind: SpanKind) -> &'static str {
    match kind {
        SpanKind::Company => {
            "background-color:#fde68a;color:#1a202c;font-weight:bold;padding:0 2px;"
        }
        SpanKind::Agency => {
            "background-color:#bfdbfe;color:#1a202c;font-weight:bold;padding:0 2px;"
        }
        SpanKind::Action => {
            "background-color:#fecaca;color:#1a202c;font-weight:bold;padding:0 2px;"
        }
    }
}

/// Copies of a story listed in an email; a story syndicated thousands of
/// times would otherwise make a message of thousands of lines (webhooks
/// carry them all).
const MAX_COPIES_SHOWN: usize = 25;

/// "and N more sources" past [`MAX_COPIES_SHOWN`].
fn copies_not_shown(alert: &Alert) -> Option<String> {
    let more = alert
        .also_reported_by
        .len()
        .checked_sub(MAX_COPIES_SHOWN)
        .filter(|n| *n > 0)?;
    Some(format!(
        "and {more} more source{}",
        if more == 1 { "" } else { "s" }
    ))
}

/// One alert as a card of the HTML part.
fn render_html_card(alert: &Alert) -> String {
    let m = &alert.matched;
    let title = esc(&one_line(&alert.article.title, 500));
    let headline = match alert.article.url.as_deref().and_then(safe_link) {
        Some(u) => format!(
            "<a href=\"{}\" style=\"color:#1a202c;text-decoration:none;\">{title}</a>",
            html_escape::encode_double_quoted_attribute(&u)
        ),
        None => title,
    };
    let mut rows = String::new();
    for (label, term, kind) in [
        ("Company", Some(&m.company), SpanKind::Company),
        ("Agency", m.agency.as_ref(), SpanKind::Agency),
        ("Action", m.action.as_ref(), SpanKind::Action),
    ] {
        if let Some(t) = term {
            let _ = write!(
                rows,
                "<tr><td style=\"padding:3px 16px 3px 0;color:#718096;font-size:13px;\">{label}</td>\
<td style=\"padding:3px 0;font-size:14px;\"><span style=\"{}\">{}</span> <span style=\"color:#718096;\">matched “{}”</span></td></tr>",
                mark_style(kind),
                esc(&t.id),
                esc(&t.text)
            );
        }
    }
    if alert.status != crate::matcher::ActionStatus::Imposed {
        let _ = write!(
            rows,
            "<tr><td style=\"padding:3px 16px 3px 0;color:#718096;font-size:13px;\">Status</td>\
<td style=\"padding:3px 0;font-size:14px;font-weight:bold;\">{}</td></tr>",
            alert.status.as_str()
        );
    }
    let evidence: String = alert
        .evidence
        .iter()
        .map(|e| {
            format!(
                "<tr><td style=\"padding:10px 14px;border-left:4px solid #cbd5e0;background-color:#f7fafc;font-size:14px;line-height:1.55;color:#2d3748;\">{}</td></tr>\
<tr><td style=\"height:8px;font-size:0;line-height:0;\">&nbsp;</td></tr>",
                e.marked(|k| format!("<span style=\"{}\">", mark_style(k)), |_| "</span>".into(), esc)
            )
        })
        .collect();
    let mut meta = Vec::new();
    if let Some(s) = &alert.article.source {
        meta.push(esc(&one_line(s, 200)));
    }
    if let Some(p) = &alert.article.published_at {
        meta.push(esc(&readable_time(p)));
    }
    let link = alert
        .article
        .url
        .as_deref()
        .and_then(safe_link)
        .map(|u| {
            format!(
                "<a href=\"{}\" style=\"display:inline-block;margin-top:4px;padding:8px 14px;background-color:#2b6cb0;color:#ffffff;border-radius:4px;text-decoration:none;font-size:14px;font-weight:bold;\">Read the article</a>",
                html_escape::encode_double_quoted_attribute(&u)
            )
        })
        .unwrap_or_default();
    let also = if alert.also_reported_by.is_empty() {
        String::new()
    } else {
        let mut items: Vec<String> = alert
            .also_reported_by
            .iter()
            .take(MAX_COPIES_SHOWN)
            .map(|a| {
                let name = esc(&one_line(a.source.as_deref().unwrap_or(&a.id), 200));
                match a.url.as_deref().and_then(safe_link) {
                    Some(u) => format!(
                        "<a href=\"{}\" style=\"color:#2b6cb0;\">{name}</a>",
                        html_escape::encode_double_quoted_attribute(&u)
                    ),
                    None => name,
                }
            })
            .collect();
        items.extend(copies_not_shown(alert));
        format!(
            "<p style=\"margin:10px 0 0 0;font-size:13px;color:#4a5568;\">Also reported by {}</p>",
            items.join(", ")
        )
    };
    let desc = alert
        .description
        .as_deref()
        .map(|d| format!(" — {}", esc(d)))
        .unwrap_or_default();
    format!(
        "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"background-color:#ffffff;border:1px solid #e2e8f0;border-top:4px solid {color};border-radius:6px;\">\
<tr><td style=\"padding:18px 22px 6px 22px;\">\
<span style=\"display:inline-block;padding:2px 10px;border-radius:10px;background-color:{color};color:#ffffff;font-size:11px;font-weight:bold;letter-spacing:1px;\">{sev}</span>\
<span style=\"font-size:12px;color:#718096;margin-left:8px;\">{meta}</span>\
<h2 style=\"font-size:19px;line-height:1.3;margin:10px 0 6px 0;color:#1a202c;\">{headline}</h2></td></tr>\
<tr><td style=\"padding:0 22px 8px 22px;\"><table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\">{rows}</table></td></tr>\
<tr><td style=\"padding:8px 22px 0 22px;font-size:13px;font-weight:bold;color:#4a5568;text-transform:uppercase;letter-spacing:1px;\">Why this fired</td></tr>\
<tr><td style=\"padding:6px 22px 0 22px;\"><table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\">{evidence}</table></td></tr>\
<tr><td style=\"padding:4px 22px 16px 22px;\">{link}{also}</td></tr>\
<tr><td style=\"padding:12px 22px;border-top:1px solid #edf2f7;color:#718096;font-size:12px;line-height:1.5;\">Rule <code style=\"color:#2d3748;\">{rule}</code>{desc}<br>Edit it in <code style=\"color:#2d3748;\">{file}</code> · alert {id}</td></tr>\
</table>",
        color = severity_color(alert),
        sev = alert.severity.as_str().to_uppercase(),
        meta = meta.join(" · "),
        rule = esc(&alert.rule_id),
        file = esc(&alert.watchlist),
        id = esc(&alert.alert_id),
    )
}

/// The HTML part: inline CSS and tables, which common mail clients render.
pub fn render_html(alerts: &[Alert]) -> String {
    let heading = if alerts.len() > 1 {
        format!("<tr><td style=\"padding:0 0 14px 0;font-size:16px;font-weight:bold;color:#2d3748;\">{}</td></tr>", esc(&subject(alerts)))
    } else {
        String::new()
    };
    let cards: String = alerts
        .iter()
        .map(|a| {
            format!(
                "<tr><td style=\"padding:0 0 16px 0;\">{}</td></tr>",
                render_html_card(a)
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title></head>\
<body style=\"margin:0;padding:0;background-color:#edf2f7;\">\
<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"background-color:#edf2f7;\"><tr><td align=\"center\" style=\"padding:24px 12px;\">\
<table role=\"presentation\" width=\"640\" cellpadding=\"0\" cellspacing=\"0\" style=\"max-width:640px;width:100%;font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;\">\
<tr><td style=\"padding:0 0 12px 0;font-size:13px;font-weight:bold;letter-spacing:2px;color:#4a5568;\">WIREWATCH</td></tr>\
{heading}{cards}\
<tr><td style=\"padding:4px 0;font-size:11px;color:#a0aec0;\">Sent by wirewatch because a watchlist rule fired. Matched words: <span style=\"{c}\">company</span> <span style=\"{g}\">agency</span> <span style=\"{x}\">action</span>.</td></tr>\
</table></td></tr></table></body></html>",
        title = esc(&subject(alerts)),
        c = mark_style(SpanKind::Company),
        g = mark_style(SpanKind::Agency),
        x = mark_style(SpanKind::Action),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::Article;

    /// The seed article's alert, as the demo raises it, with fixed times.
    fn seed_alerts() -> Vec<Alert> {
        let line = include_str!("../../examples/articles.jsonl")
            .lines()
            .next()
            .unwrap();
        let article: Article = serde_json::from_str(line).unwrap();
        let matcher = crate::cli::demo::matcher().unwrap();
        let at = time::macros::datetime!(2024-07-15 10:05:00 UTC);
        matcher
            .evaluate(&article)
            .into_iter()
            .map(|h| Alert::new(&matcher, &article, h, at))
            .collect()
    }

    #[test]
    fn the_alert_email_html_is_stable() {
        insta::assert_snapshot!("seed_alert_html", render_html(&seed_alerts()));
    }

    #[test]
    fn the_alert_email_text_is_stable() {
        insta::assert_snapshot!("seed_alert_text", render_text(&seed_alerts()));
    }

    #[test]
    fn subjects_for_one_alert_a_group_and_a_digest() {
        let mut alerts = seed_alerts();
        assert_eq!(subject(&alerts), "[HIGH] Kaspersky: sanction by us-commerce — Kaspersky Lab to Cut U.S. Operations After Sanctions");
        let mut second = alerts[0].clone();
        second.rule_id = "other".into();
        second.alert_id = "alrt_other".into();
        alerts.push(second.clone());
        assert!(subject(&alerts)
            .ends_with("(+1 more rule) — Kaspersky Lab to Cut U.S. Operations After Sanctions"));
        second.article.id = "another".into();
        second.severity = crate::matcher::Severity::Critical;
        alerts[1] = second;
        assert_eq!(
            subject(&alerts),
            "[wirewatch] Digest: 2 alerts, highest CRITICAL — Kaspersky: sanction by us-commerce"
        );
        assert_ne!(message_id(&alerts), message_id(&alerts[..1]));
        assert_eq!(
            message_id(&alerts[..1]),
            format!("<{}@wirewatch>", alerts[0].alert_id)
        );
    }

    /// Issue 16: `href` kept `javascript:` and `data:` URLs; a CR/LF in
    /// `url` or `published_at` added fake lines to the text part; bidi
    /// overrides and zero-width characters survived into the subject and
    /// the HTML.
    #[test]
    fn hostile_urls_line_breaks_and_invisible_characters_are_neutralised() {
        let mut alert = seed_alerts().remove(0);
        alert.article.url = Some("javascript:alert(document.cookie)".into());
        alert.article.published_at =
            Some("2024-07-15\r\nRule: fake-rule (click https://evil.test)".into());
        alert.article.title =
            "Kaspersky \u{202E}snoitcnaS\u{202C} to\u{200B}day\u{2066}x\u{2069}".into();
        alert.matched.company.text = "Kasper\u{200D}sky\nRule: forged".into();
        let mut copy = alert.article.clone();
        copy.id = "copy".into();
        copy.url = Some("data:text/html;base64,PHNjcmlwdD4=".into());
        let mut fake_line = alert.article.clone();
        fake_line.id = "fake".into();
        fake_line.url =
            Some("https://news.example/a\r\nRule: fake-rule (click https://evil.test)".into());
        alert.also_reported_by = vec![copy, fake_line];
        let alerts = std::slice::from_ref(&alert);

        let html = render_html(alerts);
        let lower = html.to_lowercase();
        assert!(!lower.contains("href=\"javascript:"), "{html}");
        assert!(!lower.contains("href=\"data:"), "{html}");
        let text = render_text(alerts);
        assert!(
            !text.contains("javascript:") && !text.contains("data:"),
            "{text}"
        );
        assert!(
            !text.lines().any(|l| l.trim_start().starts_with("Rule: f")),
            "a forged line: {text}"
        );
        let subject = subject(alerts);
        for part in [&subject, &html, &text] {
            assert!(
                !part.chars().any(|c| invisible(c) || c == '\r'),
                "invisible characters survive: {part:?}"
            );
        }
        assert!(subject.ends_with("Kaspersky snoitcnaS todayx"), "{subject}");
    }

    #[test]
    fn a_much_copied_story_lists_some_copies_and_counts_the_rest() {
        let mut alert = seed_alerts().remove(0);
        alert.also_reported_by = (0..30)
            .map(|i| {
                let mut a = alert.article.clone();
                a.id = format!("copy-{i}");
                a.source = Some(format!("Wire {i}"));
                a
            })
            .collect();
        let text = render_text(std::slice::from_ref(&alert));
        assert_eq!(text.matches("  - Wire ").count(), MAX_COPIES_SHOWN);
        assert!(text.contains("  - and 5 more sources\n"), "{text}");
        let html = render_html(std::slice::from_ref(&alert));
        assert!(
            html.contains(">Wire 24</a>, and 5 more sources</p>"),
            "{html}"
        );
    }

    /// Issue 16: `.eml` files followed the umask (world readable with the
    /// usual 022).
    #[tokio::test]
    async fn eml_files_are_the_owners_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let email = Email {
            from: "a@example.com".parse().unwrap(),
            to: vec!["b@example.com".parse().unwrap()],
            mailer: Mailer::files(dir.path().to_path_buf()),
        };
        email.send(&seed_alerts()[0]).await.unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1);
        assert!(files[0].extension().is_some_and(|e| e == "eml"));
        let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let raw = std::fs::read_to_string(&files[0]).unwrap();
        assert!(raw.contains("Message-ID: <alrt_"), "{raw}");
    }

    #[test]
    fn titles_cannot_inject_headers_and_html_is_escaped() {
        let mut alert = seed_alerts().remove(0);
        alert.article.title = "Evil\r\nBcc: x@example.com <script>alert(1)</script>".into();
        let s = subject(std::slice::from_ref(&alert));
        assert!(!s.contains('\r') && !s.contains('\n'), "{s:?}");
        let html = render_html(std::slice::from_ref(&alert));
        assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"));
        let msg = build_message(
            std::slice::from_ref(&alert),
            &"a@example.com".parse().unwrap(),
            &["b@example.com".parse().unwrap()],
        )
        .unwrap();
        let raw = String::from_utf8(msg.formatted()).unwrap();
        assert!(!raw.lines().any(|l| l.starts_with("Bcc:")), "{raw}");
    }
}
