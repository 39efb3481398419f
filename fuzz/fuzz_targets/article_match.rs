//! Article decoding followed by matching: `article::decode` must never panic
//! on any bytes, and for every decoded article the matcher must never panic
//! and every evidence span must slice its evidence sentence on char
//! boundaries and equal the span's own text.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use wirewatch_matcher::article::{decode, DEFAULT_MAX_MESSAGE_BYTES};
use wirewatch_matcher::{watchlist, Matcher, Taxonomy};

/// A small watchlist that exercises the matcher's paths: aliases, acronyms,
/// common-word names, names with diacritics, any-actor rules, excludes, a
/// user-defined agency and action, gap phrases ("freeze ... assets").
const WATCHLIST: &str = r#"
[[agency]]
id = "de-bafin"
names = ["BaFin", "Bundesanstalt für Finanzdienstleistungsaufsicht", "German financial watchdog"]
not = ["BaFin-style"]

[[action]]
id = "recall"
phrases = ["recall", "recalls", "recalled", "product recall"]
not = ["recall election"]

[[rule]]
id = "kaspersky-us"
companies = [{ name = "Kaspersky", aliases = ["Kaspersky Lab", "AO Kaspersky Lab"] }]
agencies = ["us-commerce", "us-treasury"]
actions = ["sanction", "ban"]
severity = "high"

[[rule]]
id = "chips"
companies = [{ name = "Huawei", aliases = ["Huawei Technologies"] }, { name = "ZTE", aliases = ["ZTE Corp"] }, "SMIC", "YMTC"]
agencies = ["us-commerce", "us-fcc"]
actions = ["export-control", "ban"]

[[rule]]
id = "exits"
companies = ["Renault", "Nestlé", "Société Générale", { name = "Raiffeisen", aliases = ["Raiffeisen Bank International"] }]
actions = ["exit", "acquisition"]
exclude = ["Formula One", "exit poll"]
severity = "medium"

[[rule]]
id = "common-names"
companies = ["Orange", "Visa", { name = "Block", aliases = ["Block Inc.", "Square"] }, "Apple", "Shell"]
actions = ["lawsuit", "fine", "investigation", "breach", "sanction"]

[[rule]]
id = "banks"
companies = ["Deutsche Bank", "Wells Fargo", { name = "N26", aliases = ["Number26"] }]
agencies = ["de-bafin", "us-justice", "us-sec", "uk-fca"]
actions = ["fine", "investigation", "lawsuit"]

[[rule]]
id = "multilingual"
companies = [{ name = "Rosneft", aliases = ["Роснефть"] }, { name = "Qualcomm", aliases = ["クアルコム", "高通"] }, { name = "YMTC", aliases = ["长江存储", "長江存儲"] }, "Sberbank"]
agencies = ["us-treasury", "us-commerce", "eu-commission", "cn-mofcom"]
actions = ["sanction", "export-control", "fine"]
status = ["imposed", "announced", "lifted"]

[[rule]]
id = "recalls"
companies = ["Boeing", { name = "Volkswagen", aliases = ["VW"] }]
actions = ["recall", "fine"]
severity = "low"
"#;

fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| {
        let taxonomy = Taxonomy::builtin();
        let (wl, _warnings) = watchlist::parse(
            &[(PathBuf::from("f.toml"), WATCHLIST.to_string())],
            taxonomy,
        )
        .unwrap_or_else(|e| panic!("fuzz watchlist is invalid: {e:?}"));
        Matcher::compile(&wl, taxonomy)
    })
}

fuzz_target!(|data: &[u8]| {
    let matcher = matcher();
    let Ok(article) = decode(data, DEFAULT_MAX_MESSAGE_BYTES) else {
        return;
    };
    for hit in matcher.evaluate(&article) {
        for ev in &hit.evidence {
            for span in &ev.spans {
                assert!(
                    span.start <= span.end && span.end <= ev.text.len(),
                    "span {}..{} out of evidence of {} bytes (rule {}): {:?}",
                    span.start,
                    span.end,
                    ev.text.len(),
                    hit.rule_id,
                    ev.text
                );
                assert!(
                    ev.text.is_char_boundary(span.start) && ev.text.is_char_boundary(span.end),
                    "span {}..{} not on char boundaries (rule {}): {:?}",
                    span.start,
                    span.end,
                    hit.rule_id,
                    ev.text
                );
                assert_eq!(
                    &ev.text[span.start..span.end],
                    span.text,
                    "span {}..{} text differs from the evidence slice (rule {})",
                    span.start,
                    span.end,
                    hit.rule_id
                );
            }
        }
    }
});
