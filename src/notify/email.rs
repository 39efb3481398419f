//! Email notifier: a multipart (text + HTML) message per alert and channel,
//! sent over SMTP with lettre, or written as `.eml` files (the demo). What
//! the message says is rendered by `render`; this module builds the
//! message (headers, `Message-ID`) and sends it.

mod render;

use std::path::PathBuf;

use sha2::Digest as _;

use lettre::message::{header, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub use render::{
    followup_heading, mark_style, render_html, render_html_headed, render_text, render_text_headed,
    reply_subject, segments, subject, Segment,
};

use super::{error_chain, DeliveryError};
use crate::alert::Alert;
use crate::config::{SmtpConfig, SmtpSecurity};
use crate::store::Thread;

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
    /// An SMTP transport for `cfg` (it connects when it first sends). With
    /// `tls` or `starttls` the server's certificate must be valid for
    /// `host` and chain to a built-in root or to one of `ca_file`'s CAs;
    /// nothing falls back to plain text.
    pub fn smtp(cfg: &SmtpConfig) -> Result<Mailer, lettre::transport::smtp::Error> {
        let tls = || -> Result<TlsParameters, lettre::transport::smtp::Error> {
            let mut params = TlsParameters::builder(cfg.host.clone());
            for der in cfg.ca_file.iter().flat_map(|ca| &ca.certs) {
                params = params.add_root_certificate(Certificate::from_der(der.clone())?);
            }
            params.build()
        };
        let builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&cfg.host);
        let builder = match cfg.security {
            SmtpSecurity::None => builder,
            SmtpSecurity::Starttls => builder.tls(Tls::Required(tls()?)),
            SmtpSecurity::Tls => builder.tls(Tls::Wrapper(tls()?)),
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
        jiff::Timestamp::now().as_second(),
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
    from: Mailbox,
    to: Vec<Mailbox>,
    mailer: Mailer,
}

impl Email {
    /// A channel sending from `from` to every one of `to` through `mailer`.
    pub fn new(from: Mailbox, to: Vec<Mailbox>, mailer: Mailer) -> Email {
        Email { from, to, mailer }
    }

    pub async fn send(&self, alert: &Alert) -> Result<(), DeliveryError> {
        self.send_many(std::slice::from_ref(alert)).await
    }

    /// Sends one message for several alerts (an article's alerts of several
    /// rules, or a digest).
    pub async fn send_many(&self, alerts: &[Alert]) -> Result<(), DeliveryError> {
        self.send_threaded(alerts, None).await
    }

    /// Sends one message for `alerts`, a follow-up in `thread` if given.
    pub async fn send_threaded(
        &self,
        alerts: &[Alert],
        thread: Option<&Thread>,
    ) -> Result<(), DeliveryError> {
        let message = build_threaded(alerts, &self.from, &self.to, thread).map_err(|e| {
            DeliveryError::Permanent {
                message: format!("cannot build message: {e}"),
            }
        })?;
        match &self.mailer {
            Mailer::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| {
                let chain = error_chain(&e);
                let message = format!("smtp: {chain}{}", super::tls_hint(&chain, "smtp.ca_file"));
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
    build_threaded(alerts, from, to, None)
}

/// The subject a message of `alerts` goes out with: its own, or in a
/// thread "Re: " and the thread's first subject.
pub fn subject_in(alerts: &[Alert], thread: Option<&Thread>) -> String {
    match thread {
        Some(t) => reply_subject(&t.subject),
        None => subject(alerts),
    }
}

/// The message for `alerts`; in `thread`, a follow-up: `In-Reply-To` the
/// thread's first message, `References` every thread root of its alerts,
/// the subject "Re: " and the first message's, and the body headed with
/// what this one is about.
pub fn build_threaded(
    alerts: &[Alert],
    from: &Mailbox,
    to: &[Mailbox],
    thread: Option<&Thread>,
) -> Result<Message, lettre::error::Error> {
    let mut builder = Message::builder()
        .from(from.clone())
        .subject(subject_in(alerts, thread))
        .message_id(Some(message_id(alerts)))
        .header(header::Date::now());
    let heading = match thread {
        Some(t) => {
            builder = builder
                .in_reply_to(t.in_reply_to.clone())
                .references(t.references.join(" "));
            Some(followup_heading(alerts))
        }
        None => (alerts.len() > 1).then(|| subject(alerts)),
    };
    for t in to {
        builder = builder.to(t.clone());
    }
    builder.multipart(
        MultiPart::alternative()
            .singlepart(SinglePart::plain(render_text_headed(
                alerts,
                heading.clone(),
            )))
            .singlepart(SinglePart::html(render_html_headed(alerts, heading))),
    )
}

#[cfg(test)]
mod tests {
    use super::render::{invisible, MAX_COPIES_SHOWN};
    use super::*;
    use wirewatch_matcher::article::Article;

    /// The seed article's alert, as the demo raises it, with fixed times.
    fn seed_alerts() -> Vec<Alert> {
        let line = include_str!("../../examples/articles.jsonl")
            .lines()
            .next()
            .unwrap();
        let article: Article = serde_json::from_str(line).unwrap();
        let matcher = crate::cli::demo::matcher().unwrap();
        let at: jiff::Timestamp = "2024-07-15T10:05:00Z".parse().unwrap();
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
    fn an_alert_from_a_list_names_the_list_and_the_entry() {
        let mut alert = seed_alerts().remove(0);
        alert.list = Some("ofac-sdn-entities".into());
        alert.source_id = Some("ofac-sdn:12345".into());
        let text = render_text(std::slice::from_ref(&alert));
        assert!(
            text.contains("List:     ofac-sdn-entities (entry ofac-sdn:12345)\n"),
            "{text}"
        );
        let html = render_html(std::slice::from_ref(&alert));
        assert!(
            html.contains(">List</td>")
                && html.contains("ofac-sdn-entities (entry ofac-sdn:12345)"),
            "{html}"
        );
        // Alerts from a rule's own companies show no list.
        assert!(!render_text(&seed_alerts()).contains("List:"));
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
        second.severity = wirewatch_matcher::Severity::Critical;
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

    /// Issue 14: a follow-up replies to the thread's first message, keeps
    /// its subject after "Re: " (never "Re: Re: "), and its body says
    /// what this message is about.
    #[test]
    fn a_follow_up_replies_to_the_first_message() {
        let alerts = seed_alerts();
        let thread = Thread {
            in_reply_to: "<alrt_first@wirewatch>".into(),
            references: vec![
                "<alrt_first@wirewatch>".into(),
                "<group_x@wirewatch>".into(),
            ],
            subject: "[HIGH] Kaspersky: sanction (proposed) by us-treasury — First".into(),
        };
        let msg = build_threaded(
            &alerts,
            &"a@example.com".parse().unwrap(),
            &["b@example.com".parse().unwrap()],
            Some(&thread),
        )
        .unwrap();
        let raw = String::from_utf8(msg.formatted()).unwrap();
        assert!(
            raw.contains("In-Reply-To: <alrt_first@wirewatch>\r\n"),
            "{raw}"
        );
        assert!(
            raw.contains("References: <alrt_first@wirewatch> <group_x@wirewatch>\r\n"),
            "{raw}"
        );
        assert!(
            raw.contains(&format!("Message-ID: {}", message_id(&alerts))),
            "{raw}"
        );
        assert_eq!(
            subject_in(&alerts, Some(&thread)),
            "Re: [HIGH] Kaspersky: sanction (proposed) by us-treasury — First"
        );
        assert!(render_text_headed(&alerts, Some(followup_heading(&alerts)))
            .starts_with("Follow-up: [HIGH] Kaspersky: sanction by us-commerce"));
        assert_eq!(reply_subject("Re: x"), "Re: x");
        assert!(reply_subject(&"y".repeat(400)).chars().count() <= 250);
        let plain = build_message(
            &alerts,
            &"a@example.com".parse().unwrap(),
            &["b@example.com".parse().unwrap()],
        )
        .unwrap();
        let raw = String::from_utf8(plain.formatted()).unwrap();
        assert!(
            !raw.contains("In-Reply-To") && !raw.contains("References"),
            "{raw}"
        );
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
