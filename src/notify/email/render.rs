//! The alert email's content: the subject, the plain-text part and the
//! HTML part, for one alert, an article's alerts of several rules, or a
//! digest. Article text is untrusted: it is kept on one line where a line
//! break could forge a field, stripped of invisible characters, and
//! escaped in HTML; only http(s) article links become links.

use std::fmt::Write as _;

use crate::alert::Alert;
use crate::matcher::SpanKind;

/// Characters that change how the text around them displays without
/// showing themselves: bidi embeddings, overrides, isolates and marks
/// (a title could read backwards, or hide what it says), and zero-width
/// spaces, joiners and invisible operators.
pub(super) fn invisible(c: char) -> bool {
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
pub(super) const MAX_COPIES_SHOWN: usize = 25;

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
