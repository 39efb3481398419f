//! Logging: human-readable lines by default, JSON by config; `RUST_LOG`
//! filters and wins over the configured level.
//!
//! Logged values come from articles and peers (ids, titles, error texts).
//! In the human format every field is written with its control characters
//! escaped (and bidi and zero-width characters, which can make a line read
//! differently from what it holds), so a value can neither start a forged
//! log line nor send terminal escapes. The JSON format escapes by itself.

use std::fmt;
use std::io::IsTerminal as _;

use tracing::field::{Field, Visit};
use tracing_subscriber::field::{MakeVisitor, VisitFmt, VisitOutput};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FormatFields, MakeWriter};
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber. Safe to call more than once (later calls
/// are ignored), which tests rely on.
pub fn init(format: LogFormat, level: &str) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    // `try_init` also routes the `log` crate's events (librdkafka's,
    // through rdkafka) into tracing.
    let _ = match format {
        LogFormat::Text => {
            text_subscriber(filter, std::io::stderr, std::io::stderr().is_terminal()).try_init()
        }
        LogFormat::Json => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .finish()
            .try_init(),
    };
}

/// The human format, writing to `writer`; colours only on a terminal.
pub fn text_subscriber<W>(filter: EnvFilter, writer: W, ansi: bool) -> impl tracing::Subscriber
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(ansi)
        .with_target(false)
        .fmt_fields(escaped_fields())
        .finish()
}

/// `message` bare, every other field as `name=value` (strings quoted, as
/// the default formatter does), separated by spaces, each value escaped.
fn escaped_fields() -> impl for<'w> FormatFields<'w> + Send + Sync + 'static {
    EscapedFields
}

struct EscapedFields;

impl<'a> MakeVisitor<Writer<'a>> for EscapedFields {
    type Visitor = EscapedVisitor<'a>;

    fn make_visitor(&self, writer: Writer<'a>) -> EscapedVisitor<'a> {
        EscapedVisitor {
            writer,
            first: true,
            result: Ok(()),
        }
    }
}

struct EscapedVisitor<'a> {
    writer: Writer<'a>,
    first: bool,
    result: fmt::Result,
}

impl EscapedVisitor<'_> {
    fn write(&mut self, field: &Field, value: fmt::Arguments<'_>) {
        if self.result.is_err() || field.name().starts_with("log.") {
            // The `log` crate's metadata, which the default formatter skips too.
            return;
        }
        let rendered = value.to_string();
        let safe = escape(&rendered);
        let sep = if self.first { "" } else { " " };
        self.first = false;
        self.result = if field.name() == "message" {
            write!(self.writer, "{sep}{safe}")
        } else {
            write!(self.writer, "{sep}{}={safe}", field.name())
        };
    }
}

impl Visit for EscapedVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.write(field, format_args!("{value}"));
        } else {
            self.write(field, format_args!("{value:?}"));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.write(field, format_args!("{value:?}"));
    }
}

impl VisitOutput<fmt::Result> for EscapedVisitor<'_> {
    fn finish(self) -> fmt::Result {
        self.result
    }
}

impl VisitFmt for EscapedVisitor<'_> {
    fn writer(&mut self) -> &mut dyn fmt::Write {
        &mut self.writer
    }
}

/// `s` with control characters (line breaks, escape, C1 controls), line
/// and paragraph separators, and bidi and zero-width characters written
/// as Rust escapes.
pub fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(c,
                '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{061C}'
                | '\u{FEFF}')
    };
    if !s.chars().any(unsafe_char) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(data);
            Ok(data.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Issue 16: an article id with a newline and ANSI escapes printed a
    /// forged log line in the human format.
    #[test]
    fn logged_values_cannot_forge_lines_or_send_terminal_escapes() {
        let buffer = Buffer::default();
        let out = buffer.clone();
        let subscriber = super::text_subscriber(
            tracing_subscriber::EnvFilter::new("info"),
            move || out.clone(),
            false,
        );
        let id = "a1\n2026-11-30T10:00:00.000000Z  INFO Alert sent. alert_id=\"forged\" \u{1b}[2K\u{202E}";
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(message = "Alert sent.", article_id = id, summary = %id, error = ?id);
            tracing::warn!("Free text: {id}");
        });
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{202E}'),
            "{text:?}"
        );
        assert!(text.contains("a1\\n2026-11-30"), "{text}");
        assert!(text.contains("Alert sent. article_id="), "{text}");
        assert!(text.contains("\\u{1b}[2K\\u{202e}"), "{text}");
    }

    #[test]
    fn ordinary_values_are_untouched() {
        assert_eq!(
            super::escape("Kaspersky Lab — “quoted”"),
            "Kaspersky Lab — “quoted”"
        );
    }
}
