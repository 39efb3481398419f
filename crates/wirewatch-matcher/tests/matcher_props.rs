//! Property tests of the matcher: a hit survives case, whitespace and
//! quote variants of the same text, and folding never changes what an
//! evidence span points at.

use std::path::PathBuf;

use proptest::prelude::*;
use wirewatch_matcher::article::Article;
use wirewatch_matcher::{watchlist, Matcher, Taxonomy};

fn matcher() -> &'static Matcher {
    static M: std::sync::OnceLock<Matcher> = std::sync::OnceLock::new();
    M.get_or_init(build)
}

fn build() -> Matcher {
    let rules = r#"
[[rule]]
id = "kaspersky-us"
companies = [{ name = "Kaspersky", aliases = ["Kaspersky Lab"] }]
agencies = ["us-commerce", "us-treasury"]
actions = ["sanction", "ban"]
"#;
    let (wl, _) = watchlist::parse(
        &[(PathBuf::from("p.toml"), rules.to_string())],
        Taxonomy::builtin(),
    )
    .unwrap();
    Matcher::compile(&wl, Taxonomy::builtin())
}

const SENTENCE: &str = "Kaspersky's exit comes after the U.S. Commerce Department sanctioned the company in June, banning it from selling its software.";

/// Rewrites `text` with random whitespace runs, curly or straight quotes,
/// and upper-cased lower-case words (proper nouns keep their capitals, as
/// in real text).
fn variant(text: &str, spaces: &[u8], curly: bool, shout: &[bool]) -> String {
    let mut out = String::new();
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            let pick = spaces.get(i % spaces.len().max(1)).copied().unwrap_or(0);
            out.push_str(match pick % 4 {
                0 => " ",
                1 => "  ",
                2 => "\u{00A0}",
                _ => " \n ",
            });
        }
        let w = if curly {
            word.replace('\'', "\u{2019}")
        } else {
            word.to_string()
        };
        let lower_word = w.chars().next().is_some_and(char::is_lowercase);
        if lower_word && shout.get(i % shout.len().max(1)).copied().unwrap_or(false) {
            out.push_str(&w.to_uppercase());
        } else {
            out.push_str(&w);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn a_hit_survives_case_whitespace_and_quote_variants(
        spaces in proptest::collection::vec(any::<u8>(), 1..8),
        curly in any::<bool>(),
        shout in proptest::collection::vec(any::<bool>(), 1..8),
    ) {
        let m = matcher();
        let body = variant(SENTENCE, &spaces, curly, &shout);
        let article = Article { id: "p".into(), title: String::new(), body: body.clone(), url: None, source: None, published_at: None, language: None };
        let hits = m.evaluate(&article);
        prop_assert_eq!(hits.len(), 1, "no hit on {:?}", body);
        for e in &hits[0].evidence {
            for s in &e.spans {
                prop_assert_eq!(&e.text[s.start..s.end], s.text.as_str());
            }
        }
    }
}
