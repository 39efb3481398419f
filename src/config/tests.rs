use super::*;

const SECRET: &str = "whsec_blGrM4Th4PrLhgBiTXGM87zvNu20n9dWwqQai4tYhoo=";

fn load_str(src: &str, env: &[(&str, &str)]) -> Result<Config, Vec<ConfigError>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.toml");
    std::fs::write(&path, src).unwrap();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    load(&path, &env)
}

fn minimal() -> String {
    format!(
        r#"watchlists = "rules"
[kafka]
brokers = "k:9092"
topics = ["articles"]
[[channel]]
id = "soc"
type = "webhook"
url = "https://hooks.example.com/x"
secret = "{SECRET}"
"#
    )
}

#[test]
fn defaults_and_relative_watchlists() {
    let c = load_str(&minimal(), &[]).unwrap();
    assert_eq!(c.kafka.group_id, "wirewatch");
    assert_eq!(c.kafka.dead_letter_topic, "articles.dlq");
    assert_eq!(c.kafka.max_message_bytes, 1024 * 1024);
    assert!(c.watchlists.ends_with("rules") && c.watchlists.is_absolute());
    assert!(c.smtp.is_none(), "no email channel, no [smtp] needed");
    assert_eq!(c.http_listen.to_string(), "127.0.0.1:9464");
}

#[test]
fn environment_overrides_file_values() {
    let c = load_str(
        &minimal(),
        &[
            ("WIREWATCH__KAFKA__BROKERS", "a:1,b:2"),
            ("WIREWATCH__KAFKA__TOPICS", "x,y"),
            ("WIREWATCH__KAFKA__MAX_MESSAGE_BYTES", "2048"),
            ("WIREWATCH__KAFKA__PROPERTIES__SASL_PASSWORD", "pw"),
            (
                "WIREWATCH__CHANNEL__SOC__URL",
                "https://other.example.com/y",
            ),
            ("WIREWATCH__CHANNEL__SOC__ALLOW_PRIVATE", "true"),
            ("UNRELATED", "1"),
        ],
    )
    .unwrap();
    assert_eq!(c.kafka.brokers, "a:1,b:2");
    assert_eq!(c.kafka.topics, vec!["x", "y"]);
    assert_eq!(c.kafka.max_message_bytes, 2048);
    assert_eq!(c.kafka.properties["sasl.password"].expose(), "pw");
    let ChannelKind::Webhook {
        url, allow_private, ..
    } = &c.channels[0].kind
    else {
        panic!()
    };
    assert_eq!(url.as_str(), "https://other.example.com/y");
    assert!(*allow_private, "booleans can be set from the environment");
}

/// Issue 16: `WIREWATCH__KAFKA__PROPERTIES__SASL_PASSWORD=007123`
/// reached librdkafka as `7123` (`1e3` as `1000.0`, `TRUE` as `true`):
/// environment values were parsed whatever the key's type.
#[test]
fn environment_values_keep_their_text_unless_the_key_is_typed() {
    let c = load_str(
        &minimal(),
        &[
            ("WIREWATCH__KAFKA__PROPERTIES__SASL_PASSWORD", "007123"),
            ("WIREWATCH__KAFKA__PROPERTIES__SASL_USERNAME", "1e3"),
            ("WIREWATCH__KAFKA__PROPERTIES__CLIENT_ID", "TRUE"),
            ("WIREWATCH__KAFKA__GROUP_ID", "0042"),
            ("WIREWATCH__KAFKA__TOPICS", "123"),
            ("WIREWATCH__KAFKA__WORKERS", "3"),
            ("WIREWATCH__DELIVERY__MAX_ATTEMPTS", " 5 "),
            ("WIREWATCH__CHANNEL__SOC__ALLOW_PRIVATE", "TRUE"),
        ],
    )
    .unwrap();
    let p = &c.kafka.properties;
    assert_eq!(p["sasl.password"].expose(), "007123");
    assert_eq!(p["sasl.username"].expose(), "1e3");
    assert_eq!(p["client.id"].expose(), "TRUE");
    assert_eq!(c.kafka.group_id, "0042");
    assert_eq!(c.kafka.topics, ["123"]);
    assert_eq!(c.kafka.workers, 3);
    assert_eq!(c.delivery.max_attempts, 5);
    let ChannelKind::Webhook { allow_private, .. } = &c.channels[0].kind else {
        panic!()
    };
    assert!(*allow_private);
    let errs = load_str(
        &minimal(),
        &[
            ("WIREWATCH__KAFKA__WORKERS", "many"),
            ("WIREWATCH__CHANNEL__SOC__ALLOW_PRIVATE", "yes"),
        ],
    )
    .unwrap_err();
    let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "environment WIREWATCH__KAFKA__WORKERS: kafka.workers: \"many\" is not valid: expected a number of threads (0 = one per CPU)",
            "environment WIREWATCH__CHANNEL__SOC__ALLOW_PRIVATE: channel[0].allow_private: \"yes\" is not valid: expected true or false",
        ]
    );
}

#[test]
fn every_error_is_reported_with_its_location() {
    let src = format!(
        "{}[log]\nformat = \"xml\"\ncolour = true\n[http]\nlisten = \"nowhere\"\n",
        minimal()
    );
    let errs = load_str(&src, &[("WIREWATCH__KAFKA__BROKERS", "")]).unwrap_err();
    let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert_eq!(text.len(), 4, "{text:#?}");
    assert!(
        text.iter().any(|t| t.ends_with(
            "w.toml:11: log.format: \"xml\" is not valid: expected \"text\" or \"json\""
        )),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|t| t.ends_with("w.toml:12: log.colour: unknown key")),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("w.toml:14: http.listen: \"nowhere\" is not valid")),
        "{text:#?}"
    );
    assert!(
        text.iter().any(|t| t
            == "environment WIREWATCH__KAFKA__BROKERS: kafka.brokers: \"\" is not valid: empty"),
        "{text:#?}"
    );
}

#[test]
fn email_channels_need_smtp_and_passwords_come_only_from_the_environment() {
    let src = format!(
        "{}[[channel]]\nid = \"mail\"\ntype = \"email\"\nto = [\"a@example.com\"]\n",
        minimal()
    );
    let errs = load_str(&src, &[]).unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.key == "smtp" && e.message.contains("required")),
        "{errs:?}"
    );
    let src =
        format!("{src}[smtp]\nhost = \"mx\"\nfrom = \"w@example.com\"\npassword = \"in-file\"\n");
    let errs = load_str(&src, &[]).unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.key == "smtp.password" && e.message.contains("WIREWATCH__SMTP__PASSWORD")),
        "{errs:?}"
    );
    let ok = load_str(
        &src.replace("password = \"in-file\"\n", ""),
        &[("WIREWATCH__SMTP__PASSWORD", "12345")],
    )
    .unwrap();
    let smtp = ok.smtp.unwrap();
    assert_eq!(smtp.password.as_ref().unwrap().expose(), "12345");
    // Secrets never show in Debug output.
    let debug = format!("{:?}", ok.channels);
    assert!(
        !debug.contains("blGrM4") && debug.contains("[redacted]"),
        "{debug}"
    );
    assert!(!format!("{smtp:?}").contains("12345"));
}

#[test]
fn a_webhook_proxy_is_per_channel_and_its_credentials_never_echo() {
    let c = load_str(
        &minimal(),
        &[(
            "WIREWATCH__CHANNEL__SOC__PROXY",
            "http://u:pw@proxy.internal:3128",
        )],
    )
    .unwrap();
    let ChannelKind::Webhook { proxy, .. } = &c.channels[0].kind else {
        panic!()
    };
    assert_eq!(
        proxy.as_ref().map(url::Url::as_str),
        Some("http://u:pw@proxy.internal:3128/")
    );
    let errs = load_str(
        &minimal().replace("secret =", "proxy = \"ftp://u:hunter2@x\"\nsecret ="),
        &[],
    )
    .unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].key, "channel[0].proxy");
    assert!(!errs[0].to_string().contains("hunter2"), "{errs:#?}");
}

/// Issue 16: a TOML syntax error printed the whole line, secret and
/// all; a non-string secret printed its value; a misspelt librdkafka
/// property passed validation and failed at run time, printing its
/// value.
#[test]
fn errors_never_echo_secrets() {
    for broken in [
        minimal().replace(SECRET, &format!("{SECRET}\" trailing")),
        format!(
            "{}[kafka.properties]\n\"sasl.password\" = hunter2\n",
            minimal()
        ),
    ] {
        let errs = load_str(&broken, &[]).unwrap_err();
        let text = format!("{errs:?} {}", errs[0]);
        assert!(text.contains("TOML syntax error"), "{text}");
        assert!(
            !text.contains("blGrM4") && !text.contains("hunter2"),
            "{text}"
        );
    }
    let src = minimal().replace(&format!("\"{SECRET}\""), "12345678")
        + "[kafka.properties]\n\"sasl.password\" = [1234]\n\"sasl.passwd\" = \"hunter2\"\n\"socket.timeout.ms\" = \"soon\"\n";
    let errs = load_str(
        &src,
        &[("WIREWATCH__KAFKA__PROPERTIES__SSL_KEY_PASSWORT", "s3cr3t")],
    )
    .unwrap_err();
    let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert_eq!(text.len(), 5, "{text:#?}");
    for secret in ["12345678", "1234", "hunter2", "s3cr3t"] {
        assert!(
            !text.iter().any(|t| t.contains(secret)),
            "{secret} echoed: {text:#?}"
        );
    }
    assert!(
        text.iter().any(|t| t.contains(
            "kafka.properties.sasl.passwd: is not valid: No such configuration property: \"sasl.passwd\""
        )),
        "{text:#?}"
    );
    assert!(
        text.iter().any(|t| t.starts_with(
            "environment WIREWATCH__KAFKA__PROPERTIES__SSL_KEY_PASSWORT: kafka.properties.ssl_key_passwort: is not valid: No such configuration property"
        )),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("kafka.properties.socket.timeout.ms: is not valid: Invalid value")),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("channel[0].secret: [redacted] is not valid")),
        "{text:#?}"
    );
}

#[test]
fn debug_output_hides_url_tokens_and_proxy_credentials() {
    let c = load_str(
        &minimal().replace(
            "/x\"",
            "/x?token=t0k3n\"\nproxy = \"http://u:pr0xy@p:3128\"",
        ),
        &[],
    )
    .unwrap();
    let debug = format!("{c:?}");
    for secret in ["t0k3n", "pr0xy", "blGrM4"] {
        assert!(!debug.contains(secret), "{secret} in {debug}");
    }
}

/// Issue 16: `smtp.security = "none"` with a password sent it in the
/// clear without a word.
#[test]
fn plain_smtp_with_a_password_is_warned_about() {
    let src = format!(
        "{}[smtp]\nhost = \"mx\"\nsecurity = \"none\"\nusername = \"u\"\nfrom = \"w@example.com\"\n",
        minimal()
    );
    assert!(load_str(&src, &[]).unwrap().warnings().is_empty());
    let c = load_str(&src, &[("WIREWATCH__SMTP__PASSWORD", "pw")]).unwrap();
    let w = c.warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("smtp.security = \"none\" with a password"),
        "{w:?}"
    );
    assert!(!w[0].contains("pw\""), "{w:?}");
    let c = load_str(
        &src.replace("\"none\"", "\"starttls\""),
        &[("WIREWATCH__SMTP__PASSWORD", "pw")],
    )
    .unwrap();
    assert!(c.warnings().is_empty());
}

/// Issue 16: times from the config are added to clock times; a huge
/// value is an error, not an overflow later.
#[test]
fn huge_durations_and_sizes_are_refused() {
    let src = format!(
        "{}[delivery]\ntimeout_secs = 9223372036854775807\nmax_backoff_secs = 99999999999\n[store]\nstory_window_hours = 9223372036854775807\n",
        minimal()
    );
    let errs = load_str(&src, &[]).unwrap_err();
    let keys: Vec<&str> = errs.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "store.story_window_hours",
            "delivery.timeout_secs",
            "delivery.max_backoff_secs"
        ],
        "{errs:#?}"
    );
    assert!(
        errs.iter().all(|e| e.message.contains("at most")),
        "{errs:#?}"
    );
}

#[test]
fn bad_webhook_secret_and_duplicate_channel() {
    let src =
        minimal().replace(SECRET, "not-a-secret") + "[[channel]]\nid = \"soc\"\ntype = \"pager\"\n";
    let errs = load_str(&src, &[]).unwrap_err();
    let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert!(
        text.iter().any(|t| t
            .contains("channel[0].secret: [redacted] is not valid: must start with \"whsec_\"")),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("w.toml:11: channel[1].id: \"soc\" is already used")),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("channel[1].type: \"pager\" is not valid")),
        "{text:#?}"
    );
    assert!(
        !text.iter().any(|t| t.contains("not-a-secret")),
        "secrets are never echoed: {text:#?}"
    );
}

/// Issue 12: a value past its bound was reported and also clamped into
/// range (a timeout of 0 reported and then taken as 1 s), so a section
/// with a reported problem still produced a value. Now it produces none.
#[test]
fn a_reported_value_is_not_also_corrected() {
    let locator = Locator::new("w.toml", "", toml_edit::ImDocument::parse("").unwrap(), &[]);
    let mut v = Validator {
        errors: Vec::new(),
        locator: &locator,
    };
    for bad in [
        serde_json::json!({ "timeout_secs": 0 }),
        serde_json::json!({ "max_attempts": 0 }),
        serde_json::json!({ "max_backoff_secs": 99_999_999_999u64 }),
    ] {
        let before = v.errors.len();
        assert!(v.delivery(Some(bad.clone())).is_none(), "{bad}");
        assert_eq!(v.errors.len(), before + 1, "{bad}: {:#?}", v.errors);
    }
    let kafka = serde_json::json!({ "brokers": "k:9092", "topics": ["a"], "max_message_bytes": 1u64 << 40 });
    assert!(v.kafka(Some(kafka)).is_none());
    assert!(v.delivery(None).is_some(), "the defaults are in range");
}

#[test]
fn the_sent_topic_defaults_to_one_per_group_and_is_checked_like_the_others() {
    let c = load_str(&minimal(), &[]).unwrap();
    assert_eq!(c.kafka.sent_topic, "wirewatch.sent");
    let c = load_str(&minimal(), &[("WIREWATCH__KAFKA__GROUP_ID", "desk-eu")]).unwrap();
    assert_eq!(c.kafka.sent_topic, "desk-eu.sent", "one topic per group");
    let c = load_str(&minimal(), &[("WIREWATCH__KAFKA__SENT_TOPIC", "ops.sent")]).unwrap();
    assert_eq!(c.kafka.sent_topic, "ops.sent");
    let src = minimal().replace(
        "[kafka]\n",
        "[kafka]\nsent_topic = \"\"\nsent_topik = \"x\"\n",
    );
    let errs = load_str(&src, &[]).unwrap_err();
    let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert_eq!(text.len(), 2, "{text:#?}");
    assert!(
        text.iter()
            .any(|t| t.ends_with("kafka.sent_topic: \"\" is not valid: empty")),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("kafka.sent_topik: unknown key") && t.contains("sent_topic")),
        "{text:#?}"
    );
    // Not a topic of articles nor the dead-letter topic.
    for (env, other) in [
        (
            vec![("WIREWATCH__KAFKA__SENT_TOPIC", "articles")],
            "kafka.topics",
        ),
        (
            vec![
                ("WIREWATCH__KAFKA__SENT_TOPIC", "x.dlq"),
                ("WIREWATCH__KAFKA__DEAD_LETTER_TOPIC", "x.dlq"),
            ],
            "kafka.dead_letter_topic",
        ),
    ] {
        let errs = load_str(&minimal(), &env).unwrap_err();
        let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 1, "{text:#?}");
        assert!(
            text[0].contains("kafka.sent_topic: \"")
                && text[0].contains(&format!("is not valid: it is also {other};")),
            "{text:#?}"
        );
    }
}

/// `ca_file` (smtp and webhook channels): read and checked at load, each
/// problem at its `file:line`; a valid file yields its certificates.
#[test]
fn ca_files_are_read_and_checked_at_load() {
    let dir = tempfile::tempdir().unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let ca = rcgen::CertificateParams::new(Vec::<String>::new())
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let good = dir.path().join("ca.pem");
    std::fs::write(&good, ca.pem()).unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "just text\n").unwrap();
    let broken = dir.path().join("broken.pem");
    std::fs::write(
        &broken,
        "-----BEGIN CERTIFICATE-----\nnot base64!!\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let not_der = dir.path().join("not-der.pem");
    std::fs::write(
        &not_der,
        "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let missing = dir.path().join("missing.pem");

    let with = |smtp_ca: &std::path::Path, security: &str, hook_ca: &std::path::Path, url: &str| {
        format!(
            r#"watchlists = "rules"
[kafka]
brokers = "k:9092"
topics = ["articles"]
[smtp]
host = "mail.example.com"
security = "{security}"
from = "a@example.com"
ca_file = "{}"
[[channel]]
id = "soc"
type = "webhook"
url = "{url}"
secret = "{SECRET}"
ca_file = "{}"
[[channel]]
id = "mail"
type = "email"
to = ["b@example.com"]
"#,
            smtp_ca.display(),
            hook_ca.display()
        )
    };
    let c = load_str(&with(&good, "tls", &good, "https://h.example.com/x"), &[]).unwrap();
    let smtp_ca = c.smtp.unwrap().ca_file.unwrap();
    assert_eq!(smtp_ca.certs, vec![ca.der().to_vec()]);
    let ChannelKind::Webhook { ca_file, .. } = &c.channels[0].kind else {
        panic!()
    };
    assert_eq!(ca_file.as_deref(), Some(&smtp_ca));

    for (bad, needle) in [
        (&missing, "cannot be read"),
        (&empty, "holds no PEM certificate"),
        (&broken, "is not a valid PEM file"),
        (&not_der, "certificate 1 of 1 is not valid"),
    ] {
        let errs =
            load_str(&with(bad, "starttls", bad, "https://h.example.com/x"), &[]).unwrap_err();
        let shown: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(errs.len(), 2, "{shown:#?}");
        assert!(
            shown.iter().any(|s| s.contains(":9: smtp.ca_file: ")),
            "{shown:#?}"
        );
        assert!(
            shown
                .iter()
                .any(|s| s.contains(":15: channel[0].ca_file: ")),
            "{shown:#?}"
        );
        assert!(
            shown.iter().all(|s| s.contains(needle)),
            "{needle}: {shown:#?}"
        );
    }
    let errs = load_str(&with(&good, "none", &good, "http://h.example.com/x"), &[]).unwrap_err();
    let shown: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert_eq!(errs.len(), 2, "{shown:#?}");
    assert!(
        shown
            .iter()
            .any(|s| s.contains("smtp.ca_file: is set but security = \"none\"")),
        "{shown:#?}"
    );
    assert!(
        shown
            .iter()
            .any(|s| s.contains("channel[0].ca_file: is set but the url is not https://")),
        "{shown:#?}"
    );
}

/// Issue 14: `store.retention_days` and `store.thread_window_days`, their
/// defaults, 0 for no threading, and the window never past the retention.
#[test]
fn retention_and_thread_window() {
    let c = load_str(&minimal(), &[]).unwrap();
    assert_eq!(c.retention, Duration::from_secs(90 * 86_400));
    assert_eq!(c.thread_window, Some(Duration::from_secs(30 * 86_400)));
    let src = format!(
        "{}[store]\nretention_days = 10\nthread_window_days = 0\n",
        minimal()
    );
    let c = load_str(&src, &[]).unwrap();
    assert_eq!(c.retention, Duration::from_secs(10 * 86_400));
    assert_eq!(c.thread_window, None);
    let src = format!(
        "{}[store]\nretention_days = 0\nthread_window_days = 5\n",
        minimal()
    );
    let errs = load_str(&src, &[]).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].key, "store.retention_days");
    assert!(errs[0].location.contains(':'), "file:line: {errs:#?}");
    let src = format!(
        "{}[store]\nretention_days = 20\nthread_window_days = 30\n",
        minimal()
    );
    let errs = load_str(&src, &[]).unwrap_err();
    assert_eq!(errs[0].key, "store.thread_window_days");
    assert!(
        errs[0]
            .message
            .contains("longer than store.retention_days = 20"),
        "{errs:#?}"
    );
    let src = format!("{}[store]\nretention_days = 10\n", minimal());
    let c = load_str(&src, &[]).unwrap();
    assert_eq!(
        c.thread_window,
        Some(Duration::from_secs(10 * 86_400)),
        "the default window follows a shorter retention"
    );
    let env = [("WIREWATCH__STORE__THREAD_WINDOW_DAYS", "7")];
    let c = load_str(&minimal(), &env).unwrap();
    assert_eq!(c.thread_window, Some(Duration::from_secs(7 * 86_400)));
}

#[test]
fn retro_hunts_default_to_a_week_and_can_be_turned_off() {
    let c = load_str(&minimal(), &[]).unwrap();
    assert_eq!(c.retro.window, Some(Duration::from_secs(7 * 86_400)));
    assert_eq!(c.retro.max_articles_per_sec, 200);
    let c = load_str(
        &format!(
            "{}\n[retro]\nwindow = \"36h\"\nmax_articles_per_sec = 50\n",
            minimal()
        ),
        &[],
    )
    .unwrap();
    assert_eq!(c.retro.window, Some(Duration::from_secs(36 * 3600)));
    assert_eq!(c.retro.max_articles_per_sec, 50);
    let c = load_str(&minimal(), &[("WIREWATCH__RETRO__WINDOW", "0")]).unwrap();
    assert_eq!(c.retro.window, None, "0 turns retro-hunts off");
    let errs = load_str(
        &format!(
            "{}\n[retro]\nwindow = \"a week\"\nmax_articles_per_sec = 0\n",
            minimal()
        ),
        &[],
    )
    .unwrap_err();
    let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert_eq!(text.len(), 2, "{text:#?}");
    assert!(
        text.iter()
            .any(|t| t.contains("retro.window: \"a week\" is not valid")),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("retro.max_articles_per_sec: 0 is not valid")),
        "{text:#?}"
    );
}

#[test]
fn the_console_is_off_without_its_section_and_checked_with_it() {
    assert!(load_str(&minimal(), &[]).unwrap().console.is_none());
    let hash = crate::console::hash_password("pw").unwrap();
    let token = "t0ken-0123456789abcdef-0123";
    let src = format!(
        "{}\n[console]\nlisten = \"127.0.0.1:8080\"\nsecure_cookies = true\napi_tokens = [\"{token}\"]\n[[console.user]]\nname = \"ana\"\npassword_hash = \"{hash}\"\n",
        minimal()
    );
    let c = load_str(&src, &[]).unwrap().console.unwrap();
    assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
    assert!(c.secure_cookies);
    assert_eq!(c.session_hours, 12);
    assert_eq!(c.users[0].name, "ana");
    assert_eq!(c.api_tokens[0].expose(), token);
    let shown = format!("{c:?}");
    assert!(!shown.contains(token) && !shown.contains(&hash), "{shown}");

    // Tokens from the environment replace the file's.
    let env_token = "from-env-token-0123456789abcdef";
    let c = load_str(
        &src,
        &[(
            "WIREWATCH__CONSOLE__API_TOKENS",
            &format!("{env_token},{token}"),
        )],
    )
    .unwrap()
    .console
    .unwrap();
    let tokens: Vec<&str> = c.api_tokens.iter().map(|t| t.expose()).collect();
    assert_eq!(tokens, [env_token, token]);

    // Every problem at once, at its line, never echoing a secret.
    let bad = format!(
        "{}\n[console]\nlisten = \"localhost\"\napi_tokens = [\"short-secret\"]\nsesion_hours = 3\n[[console.user]]\nname = \"ana\"\npassword_hash = \"hunter2-not-a-hash\"\n[[console.user]]\nname = \"ana\"\npassword_hash = \"{hash}\"\n",
        minimal()
    );
    let errors: Vec<String> = load_str(&bad, &[])
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    let all = errors.join("\n");
    assert!(
        all.contains("w.toml:12: console.listen: \"localhost\" is not valid"),
        "{all}"
    );
    assert!(
        all.contains(
            "w.toml:13: console.api_tokens: token 1 is [redacted] and not valid: use at least 24"
        ),
        "{all}"
    );
    assert!(
        all.contains("console.sesion_hours: unknown key (did you mean \"session_hours\"?)"),
        "{all}"
    );
    assert!(
        all.contains(
            "console.user[0].password_hash: [redacted] is not valid: expected an argon2 PHC string"
        ),
        "{all}"
    );
    assert!(
        all.contains("console.user[1].name: \"ana\" is already used by another user"),
        "{all}"
    );
    assert!(
        !all.contains("short-secret") && !all.contains("hunter2"),
        "{all}"
    );

    let nobody = format!("{}\n[console]\nlisten = \"127.0.0.1:8080\"\n", minimal());
    let e = load_str(&nobody, &[]).unwrap_err()[0].to_string();
    assert!(
        e.contains("console: no [[console.user]] and no api_tokens"),
        "{e}"
    );
}
