//! The alert email's content: the subject, the plain-text part and the
//! HTML part, for one alert, an article's alerts of several rules, or a
//! digest. Article text is untrusted: it is kept on one line where a line
//! break could forge a field, stripped of invisible characters, and
//! escaped in HTML; only http(s) article links become links.
//!
//! Both parts render from one [`Card`] per alert. The HTML part is the
//! askama template `alert.html` beside this file (compile-time checked,
//! every value escaped by [`MailText`]); the text part is written here,
//! line by line.

use std::cell::{Cell, RefCell};
use std::fmt::Write as _;

use crate::alert::Alert;
use wirewatch_matcher::{Evidence, SpanKind};

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
        if alert.status != wirewatch_matcher::ActionStatus::Imposed {
            let _ = write!(what, " ({})", alert.status.as_str());
        }
    }
    if let Some(agency) = &m.agency {
        let _ = write!(what, " by {}", agency.id);
    }
    what
}

/// A follow-up's subject: the thread's first subject after "Re: ", which
/// is what Gmail and Outlook group a conversation by (Thunderbird goes by
/// `References`).
pub fn reply_subject(root: &str) -> String {
    let base = root.strip_prefix("Re: ").unwrap_or(root);
    // 249 and the ellipsis a cut adds: at most 250, as `subject`.
    one_line(&format!("Re: {base}"), 249)
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

/// The plain-text part: every alert with its evidence, matched words in
/// [brackets].
pub fn render_text(alerts: &[Alert]) -> String {
    render_text_headed(alerts, (alerts.len() > 1).then(|| subject(alerts)))
}

/// A follow-up's heading: its subject is the thread's ("Re: ..."), so the
/// body opens with what this message is about.
pub fn followup_heading(alerts: &[Alert]) -> String {
    format!("Follow-up: {}", subject(alerts))
}

/// The plain-text part under `heading` (none for a single alert).
pub fn render_text_headed(alerts: &[Alert], heading: Option<String>) -> String {
    let mut t = String::new();
    if let Some(h) = heading {
        let _ = writeln!(t, "{h}\n");
    }
    for (i, alert) in alerts.iter().enumerate() {
        if i > 0 {
            let _ = writeln!(t, "\n{}\n", "-".repeat(60));
        }
        render_text_one(&mut t, &Card::new(alert));
    }
    t
}

/// One alert of the text part. Article text is kept on its line
/// ([`inline`]): a line break in it could forge a field such as "Rule:".
fn render_text_one(t: &mut String, card: &Card<'_>) {
    let alert = card.alert;
    let _ = writeln!(t, "{} alert: {}", card.severity, card.title);
    let _ = writeln!(t);
    for term in &card.terms {
        let _ = writeln!(
            t,
            "{:<10}{} (matched \"{}\")",
            format!("{}:", term.label),
            term.id,
            inline(term.text)
        );
    }
    if let Some(status) = card.status {
        let _ = writeln!(t, "Status:   {status}");
    }
    if let Some(list) = &card.list {
        let _ = writeln!(t, "List:     {}", inline(list));
    }
    if let Some(lang) = alert.language.as_deref().filter(|l| *l != "en") {
        let _ = writeln!(t, "Language: {lang} (evidence in the article's language)");
    }
    let _ = writeln!(t);
    let _ = writeln!(t, "Why this fired (matched words in [brackets]):");
    for sentence in &card.evidence {
        let mut line = String::new();
        for segment in sentence {
            let text = inline(segment.text);
            match segment.kind {
                Some(_) => {
                    let _ = write!(line, "[{text}]");
                }
                None => line.push_str(&text),
            }
        }
        let _ = writeln!(t, "  > {line}");
    }
    let _ = writeln!(t);
    if let Some(url) = &card.link {
        let _ = writeln!(t, "Article:  {url}");
    }
    if let Some(source) = &card.source {
        let _ = writeln!(t, "Source:   {source}");
    }
    if let Some(p) = &alert.article.published_at {
        let _ = writeln!(t, "Published: {}", one_line(p, 100));
    }
    if !card.also.is_empty() {
        let _ = writeln!(t, "Also reported by:");
        for copy in &card.also {
            let url = copy.link.as_deref().unwrap_or_default();
            let _ = writeln!(t, "  - {} {url}", copy.name);
        }
        if let Some(more) = &card.more {
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

/// "2024-07-15T10:00:00Z" as "15 Jul 2024, 10:00 UTC"; other text
/// (anything but an RFC 3339 timestamp) as is.
fn readable_time(rfc3339: &str) -> String {
    utc_of_rfc3339(rfc3339)
        .map(|t| {
            // The year as four digits, after its sign when it is negative.
            let year = match t.year() {
                y if y < 0 => format!("-{:04}", -i32::from(y)),
                y => format!("{y:04}"),
            };
            format!(
                "{} {year}, {} UTC",
                t.strftime("%-d %b"),
                t.strftime("%H:%M")
            )
        })
        .unwrap_or_else(|| rfc3339.to_string())
}

/// The UTC date and time an RFC 3339 timestamp names, or `None` for
/// anything else. Read as civil time so that every year 0000-9999 reads
/// (jiff's `Timestamp` stops a day short of 9999's end). A ":60" second is
/// a leap second only at 23:59 UTC on the last day of a month, and reads
/// as ":59".
fn utc_of_rfc3339(s: &str) -> Option<jiff::civil::DateTime> {
    if !is_rfc3339(s) {
        return None;
    }
    let number = |r: std::ops::Range<usize>| s.get(r)?.parse::<i8>().ok();
    let date: jiff::civil::Date = s.get(0..10)?.parse().ok()?;
    let second = number(17..19).filter(|s| *s <= 60)?;
    let time = jiff::civil::Time::new(number(11..13)?, number(14..16)?, second.min(59), 0).ok()?;
    let zone = s.len() - if s.ends_with(['Z', 'z']) { 1 } else { 6 };
    let offset_secs = match s.as_bytes()[zone] {
        b'+' => 1,
        b'-' => -1,
        _ => 0,
    } * (i64::from(number(zone + 1..zone + 3).unwrap_or(0)) * 3600
        + i64::from(number(zone + 4..zone + 6).unwrap_or(0)) * 60);
    let utc = date
        .to_datetime(time)
        .checked_sub(jiff::SignedDuration::from_secs(offset_secs))
        .ok()?;
    if second == 60 && !(utc.hour() == 23 && utc.minute() == 59 && utc.day() == utc.days_in_month())
    {
        return None;
    }
    Some(utc)
}

/// Whether `s` has the shape of an RFC 3339 timestamp:
/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, `T` (or a space) and `Z`
/// in either case, an offset below 24 hours.
/// jiff reads more (a space for `T`, no seconds, `±HH` offsets, a time zone
/// in brackets); an email shows those as the article gave them.
fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let at = |i: usize, c: &[u8]| b.get(i).is_some_and(|x| c.contains(x));
    if !(digits(0..4)
        && at(4, b"-")
        && digits(5..7)
        && at(7, b"-")
        && digits(8..10)
        && at(10, b"Tt ")
        && digits(11..13)
        && at(13, b":")
        && digits(14..16)
        && at(16, b":")
        && digits(17..19))
    {
        return false;
    }
    let mut i = 19;
    if at(i, b".") {
        let n = b[i + 1..].iter().take_while(|d| d.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        i += 1 + n;
    }
    match b.get(i) {
        Some(b'Z' | b'z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            let number = |r: std::ops::Range<usize>| s.get(r).and_then(|n| n.parse::<u8>().ok());
            i + 6 == b.len()
                && digits(i + 1..i + 3)
                && at(i + 3, b":")
                && digits(i + 4..i + 6)
                && number(i + 1..i + 3).is_some_and(|h| h < 24)
                && number(i + 4..i + 6).is_some_and(|m| m < 60)
        }
        _ => false,
    }
}

fn severity_color(alert: &Alert) -> &'static str {
    use wirewatch_matcher::Severity::*;
    match alert.severity {
        Low => "#4a5568",
        Medium => "#b7791f",
        High => "#c05621",
        Critical => "#c53030",
    }
}

/// How the HTML part highlights a matched word of each kind (the console
/// shows evidence in the same colours).
pub fn mark_style(kind: SpanKind) -> &'static str {
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

/// A matched term as both parts list it.
struct TermRow<'a> {
    label: &'static str,
    id: &'a str,
    /// The article's words that matched (untrusted).
    text: &'a str,
    style: &'static str,
}

/// A piece of an evidence sentence: matched (`kind`) or not.
pub struct Segment<'a> {
    pub text: &'a str,
    /// The kind of matched span it is, if it is one.
    pub kind: Option<SpanKind>,
}

impl Segment<'_> {
    fn style(&self) -> Option<&'static str> {
        self.kind.map(mark_style)
    }
}

/// Another source of the story.
struct CopyRow {
    /// Its source's name (or its id), on one line.
    name: String,
    link: Option<String>,
}

/// One alert as both parts show it, its article text cleaned once: the
/// title and names on one line, links only for http(s) URLs. The HTML
/// template escapes every value it prints ([`MailText`]); the text part
/// keeps article text on its line.
struct Card<'a> {
    alert: &'a Alert,
    /// "HIGH".
    severity: String,
    color: &'static str,
    title: String,
    link: Option<String>,
    terms: Vec<TermRow<'a>>,
    /// The action's status when it is not simply imposed.
    status: Option<&'static str>,
    /// The list the company is an entry of, with the entry's source id:
    /// "ofac-sdn-entities (entry ofac-sdn:12345)".
    list: Option<String>,
    /// Each evidence sentence in pieces.
    evidence: Vec<Vec<Segment<'a>>>,
    source: Option<String>,
    also: Vec<CopyRow>,
    /// "and N more sources" past [`MAX_COPIES_SHOWN`].
    more: Option<String>,
}

impl<'a> Card<'a> {
    fn new(alert: &'a Alert) -> Card<'a> {
        let m = &alert.matched;
        let terms = [
            ("Company", Some(&m.company), SpanKind::Company),
            ("Agency", m.agency.as_ref(), SpanKind::Agency),
            ("Action", m.action.as_ref(), SpanKind::Action),
        ]
        .into_iter()
        .filter_map(|(label, term, kind)| {
            term.map(|t| TermRow {
                label,
                id: &t.id,
                text: &t.text,
                style: mark_style(kind),
            })
        })
        .collect();
        Card {
            alert,
            severity: alert.severity.as_str().to_uppercase(),
            color: severity_color(alert),
            title: one_line(&alert.article.title, 500),
            link: alert.article.url.as_deref().and_then(safe_link),
            terms,
            status: (alert.status != wirewatch_matcher::ActionStatus::Imposed)
                .then(|| alert.status.as_str()),
            list: alert
                .list
                .as_deref()
                .map(|l| match alert.source_id.as_deref() {
                    Some(id) => one_line(&format!("{l} (entry {id})"), 300),
                    None => one_line(l, 300),
                }),
            evidence: alert.evidence.iter().map(segments).collect(),
            source: alert.article.source.as_deref().map(|s| one_line(s, 200)),
            also: alert
                .also_reported_by
                .iter()
                .take(MAX_COPIES_SHOWN)
                .map(|a| CopyRow {
                    name: one_line(a.source.as_deref().unwrap_or(&a.id), 200),
                    link: a.url.as_deref().and_then(safe_link),
                })
                .collect(),
            more: copies_not_shown(alert),
        }
    }

    /// The line under the badge: source and publication time.
    fn meta(&self) -> Vec<String> {
        let mut meta = Vec::new();
        meta.extend(self.source.clone());
        meta.extend(
            self.alert
                .article
                .published_at
                .as_deref()
                .map(readable_time),
        );
        meta
    }
}

/// An evidence sentence cut where its matched spans start and end (the
/// spans [`Evidence::marked`] keeps, in its order); the console shows
/// evidence from the same cuts.
pub fn segments(e: &Evidence) -> Vec<Segment<'_>> {
    let pieces = RefCell::new(Vec::new());
    let open = Cell::new(None);
    e.marked(
        |kind| {
            open.set(Some(kind));
            String::new()
        },
        |_| {
            open.set(None);
            String::new()
        },
        |text| {
            pieces.borrow_mut().push((text.len(), open.get()));
            String::new()
        },
    );
    // `marked` hands over consecutive slices of the sentence, so their
    // lengths locate them.
    let mut at = 0;
    let mut out = Vec::new();
    for (len, kind) in pieces.into_inner() {
        let text = e.text.get(at..at + len).unwrap_or_default();
        out.push(Segment { text, kind });
        at += len;
    }
    out
}

/// The HTML part: inline CSS and tables, which common mail clients render.
#[derive(askama::Template)]
#[template(path = "alert.html")]
struct HtmlPart<'a> {
    subject: String,
    /// More than one alert: the subject heads the list.
    heading: bool,
    cards: Vec<Card<'a>>,
    legend: [&'static str; 3],
}

/// The HTML part: inline CSS and tables, which common mail clients render.
pub fn render_html(alerts: &[Alert]) -> String {
    render_html_headed(alerts, (alerts.len() > 1).then(|| subject(alerts)))
}

/// The HTML part under `heading` (none for a single alert).
pub fn render_html_headed(alerts: &[Alert], heading: Option<String>) -> String {
    use askama::Template as _;
    HtmlPart {
        heading: heading.is_some(),
        subject: heading.unwrap_or_else(|| subject(alerts)),
        cards: alerts.iter().map(Card::new).collect(),
        legend: [
            mark_style(SpanKind::Company),
            mark_style(SpanKind::Agency),
            mark_style(SpanKind::Action),
        ],
    }
    .render()
    .expect("the alert email template renders (it has no fallible parts)")
}

/// The escaping of every value the HTML template prints: what [`inline`]
/// does (no invisible or control characters), then `&`, `<` and `>` as
/// entities. Quotes are left as they are in text; an attribute value goes
/// through the `attr` filter instead, which escapes `"` too.
#[derive(Debug, Clone, Copy)]
pub struct MailText;

impl askama::filters::Escaper for MailText {
    fn write_escaped_str<W: std::fmt::Write>(&self, mut out: W, s: &str) -> std::fmt::Result {
        for c in s.chars().filter(|c| !invisible(*c)) {
            match c {
                '&' => out.write_str("&amp;")?,
                '<' => out.write_str("&lt;")?,
                '>' => out.write_str("&gt;")?,
                c if c.is_control() => out.write_char(' ')?,
                c => out.write_char(c)?,
            }
        }
        Ok(())
    }
}

mod filters {
    /// A value for a double-quoted attribute: `&`, `<`, `>` and `"` as
    /// entities (hrefs: http(s) URLs, which never hold a raw `"` anyway).
    pub fn attr<T: std::fmt::Display>(
        value: T,
        _: &dyn askama::Values,
    ) -> askama::Result<askama::filters::Safe<String>> {
        let mut out = String::new();
        for c in value.to_string().chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                c => out.push(c),
            }
        }
        Ok(askama::filters::Safe(out))
    }
}

#[cfg(test)]
mod tests {
    use super::readable_time;

    /// What `time`'s RFC 3339 reader took, this reads the same; a time
    /// that would leave the years 0000-9999 in UTC made it panic.
    #[test]
    fn publication_times_read_as_rfc3339_and_nothing_else() {
        for (given, shown) in [
            ("2024-07-15T10:00:00Z", "15 Jul 2024, 10:00 UTC"),
            ("2024-07-15t10:00:00.5+02:00", "15 Jul 2024, 08:00 UTC"),
            ("2024-07-15 10:00:00z", "15 Jul 2024, 10:00 UTC"),
            ("2024-06-30T23:59:60Z", "30 Jun 2024, 23:59 UTC"),
            ("0000-01-01T00:30:00+01:00", "31 Dec -0001, 23:30 UTC"),
            ("2024-07-15T23:59:60Z", "2024-07-15T23:59:60Z"),
            ("2024-07-15T10:00Z", "2024-07-15T10:00Z"),
            ("2024-07-15T10:00:00+02", "2024-07-15T10:00:00+02"),
            ("2024-07-15T10:00:00+24:00", "2024-07-15T10:00:00+24:00"),
            (
                "2024-07-15T10:00:00Z[Europe/Paris]",
                "2024-07-15T10:00:00Z[Europe/Paris]",
            ),
            ("9999-12-31T23:59:59-01:00", "9999-12-31T23:59:59-01:00"),
            ("yesterday", "yesterday"),
        ] {
            assert_eq!(readable_time(given), shown, "{given:?}");
        }
    }
}
