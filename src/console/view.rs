//! What the console's pages show, ready for their templates: the escaper
//! every value goes through ([`PageText`]), times, safe links, evidence cut
//! into highlighted pieces (the email's colours, [`stylesheet`]) and the
//! hits-per-day chart.
//!
//! Invariant: article text (titles, sources, evidence, URLs, notes) is
//! only ever printed by a template through [`PageText`]; no template uses
//! `|safe` on such a value, and only http(s) URLs become links.

use wirewatch_matcher::{Evidence, SpanKind};

/// The escaping of every value a console template prints: `&`, `<`, `>`,
/// `"` and `'` as entities (so a value is inert in text and in quoted
/// attributes alike), invisible characters (bidi overrides, zero-width)
/// dropped, and control characters but line breaks and tabs as spaces.
#[derive(Debug, Clone, Copy)]
pub struct PageText;

impl askama::filters::Escaper for PageText {
    fn write_escaped_str<W: std::fmt::Write>(&self, mut out: W, s: &str) -> std::fmt::Result {
        for c in s.chars().filter(|c| !invisible(*c)) {
            match c {
                '&' => out.write_str("&amp;")?,
                '<' => out.write_str("&lt;")?,
                '>' => out.write_str("&gt;")?,
                '"' => out.write_str("&quot;")?,
                '\'' => out.write_str("&#39;")?,
                '\n' | '\t' => out.write_char(c)?,
                c if c.is_control() => out.write_char(' ')?,
                c => out.write_char(c)?,
            }
        }
        Ok(())
    }
}

/// Characters that change how the text around them displays without
/// showing themselves (the email's list).
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

/// Whether two texts are the same (templates: the selected option).
pub fn same(a: impl AsRef<str>, b: impl AsRef<str>) -> bool {
    a.as_ref() == b.as_ref()
}

/// The link an article URL may become: http and https only.
pub fn safe_link(u: Option<&str>) -> Option<String> {
    url::Url::parse(u?.trim())
        .ok()
        .filter(|p| p.scheme() == "http" || p.scheme() == "https")
        .map(String::from)
}

/// Unix ms as "2026-12-01 14:05 UTC".
pub fn time(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| ms.to_string())
}

/// A piece of an evidence sentence: matched (with its CSS class) or not.
#[derive(Debug, Clone)]
pub struct Segment {
    pub text: String,
    pub class: Option<&'static str>,
}

fn class(kind: SpanKind) -> &'static str {
    match kind {
        SpanKind::Company => "m-company",
        SpanKind::Agency => "m-agency",
        SpanKind::Action => "m-action",
    }
}

/// An evidence sentence cut where its matched spans start and end, as
/// the alert email cuts it ([`crate::notify::email::segments`]).
pub fn segments(e: &Evidence) -> Vec<Segment> {
    crate::notify::email::segments(e)
        .into_iter()
        .map(|s| Segment {
            text: s.text.to_string(),
            class: s.kind.map(class),
        })
        .collect()
}

/// One day's bar of the hits-per-day chart (SVG user units).
#[derive(Debug, Clone)]
pub struct Bar {
    pub x: u32,
    pub y: u32,
    pub height: u32,
    /// "2026-11-30: 4 alerts" (the bar's tooltip).
    pub label: String,
}

/// The chart's size: 30 bars of 4 units and a gap of 1, 24 units high.
pub const CHART_HEIGHT: u32 = 24;

/// Bars for alerts per day (oldest first), scaled to the busiest day.
pub fn bars(per_day: &[(i64, u64)]) -> Vec<Bar> {
    let max = per_day.iter().map(|d| d.1).max().unwrap_or(0).max(1);
    per_day
        .iter()
        .enumerate()
        .map(|(i, (day, n))| {
            let h = if *n == 0 {
                0
            } else {
                u32::try_from((n * u64::from(CHART_HEIGHT)).div_ceil(max)).unwrap_or(CHART_HEIGHT)
            };
            let date = jiff::Timestamp::from_millisecond(*day)
                .map(|t| t.strftime("%Y-%m-%d").to_string())
                .unwrap_or_default();
            Bar {
                x: u32::try_from(i).unwrap_or(0) * 5,
                y: CHART_HEIGHT - h,
                height: h,
                label: format!("{date}: {n} alert{}", if *n == 1 { "" } else { "s" }),
            }
        })
        .collect()
}

/// The console's style sheet; the evidence highlights are the email's
/// ([`crate::notify::email::mark_style`]), so both read the same.
pub fn stylesheet() -> String {
    use crate::notify::email::mark_style;
    format!(
        "{BASE}\n.m-company{{{}}}\n.m-agency{{{}}}\n.m-action{{{}}}\n",
        mark_style(SpanKind::Company),
        mark_style(SpanKind::Agency),
        mark_style(SpanKind::Action)
    )
}

const BASE: &str = r#"
*{box-sizing:border-box}
body{margin:0;font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;background:#edf2f7;color:#1a202c;font-size:14px}
header{background:#1a202c;color:#fff;padding:10px 20px;display:flex;gap:18px;align-items:center}
header a{color:#e2e8f0;text-decoration:none;font-weight:bold}
header a.here{color:#fff;border-bottom:2px solid #63b3ed}
header .who{margin-left:auto;color:#a0aec0}
header form{display:inline}
main{padding:16px 20px;max-width:1280px}
h1{font-size:20px;margin:4px 0 12px}
h2{font-size:16px;margin:18px 0 8px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e2e8f0;vertical-align:top}
th{background:#f7fafc;font-size:12px;text-transform:uppercase;color:#4a5568}
.sev{display:inline-block;padding:1px 8px;border-radius:9px;color:#fff;font-size:11px;font-weight:bold}
.sev-low{background:#4a5568}.sev-medium{background:#b7791f}.sev-high{background:#c05621}.sev-critical{background:#c53030}
.st{font-size:12px;padding:1px 6px;border-radius:4px;background:#e2e8f0}
.st-dead{background:#fed7d7}.st-silenced{background:#e9d8fd}.st-delivered{background:#c6f6d5}.st-pending{background:#feebc8}
.muted{color:#718096;font-size:12px}
.card{background:#fff;border:1px solid #e2e8f0;border-radius:6px;padding:12px 16px;margin:0 0 14px}
.evidence{border-left:4px solid #cbd5e0;background:#f7fafc;padding:8px 12px;margin:6px 0;line-height:1.55;white-space:pre-wrap}
form.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:end;background:#fff;padding:10px;border:1px solid #e2e8f0;border-radius:6px;margin-bottom:12px}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:#4a5568}
input,select,textarea,button{font:inherit;padding:4px 6px}
button{background:#2b6cb0;color:#fff;border:0;border-radius:4px;padding:5px 12px;cursor:pointer}
button.quiet{background:#718096}
.note{padding:8px 12px;border-radius:4px;background:#c6f6d5;margin-bottom:12px}
.error{padding:8px 12px;border-radius:4px;background:#fed7d7;margin-bottom:12px}
svg.chart rect{fill:#3182ce}
.actions{display:flex;gap:16px;flex-wrap:wrap}
.actions form{background:#fff;border:1px solid #e2e8f0;border-radius:6px;padding:10px}
.actions label{display:block;font-size:12px;color:#4a5568;margin-top:4px}
.pager{margin:12px 0}
.narrow{max-width:360px}
code{background:#edf2f7;padding:0 3px;border-radius:3px}
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use askama::filters::Escaper;

    #[test]
    fn page_text_escapes_markup_quotes_and_drops_invisible_characters() {
        let mut out = String::new();
        PageText
            .write_escaped_str(
                &mut out,
                "<script>alert('x')</script> \"q\" &\u{202E}evil\u{0007}\nline",
            )
            .unwrap();
        assert_eq!(
            out,
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &quot;q&quot; &amp;evil \nline"
        );
    }

    #[test]
    fn only_http_links_and_bars_scale_to_the_busiest_day() {
        assert_eq!(safe_link(Some("javascript:alert(1)")), None);
        assert_eq!(
            safe_link(Some(" https://e.com/a ")).as_deref(),
            Some("https://e.com/a")
        );
        let b = bars(&[(0, 0), (86_400_000, 2), (2 * 86_400_000, 4)]);
        assert_eq!(b.iter().map(|b| b.height).collect::<Vec<_>>(), [0, 12, 24]);
        assert_eq!(b[1].label, "1970-01-02: 2 alerts");
        assert!(stylesheet().contains(".m-company{background-color:#fde68a"));
    }
}
