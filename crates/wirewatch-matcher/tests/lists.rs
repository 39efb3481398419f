//! Named lists (`[[list]]`) shared by rules: validation, one index entry
//! per listed name whatever the number of rules using the list, hits that
//! name the list and the entry's `source_id`, names as the press writes
//! them (legal forms optional, inverted register names, ALL CAPS), and
//! weak names (a list's common-word names) that need backing.
//!
//! Entity names are invented.

use std::path::PathBuf;

use wirewatch_matcher::article::Article;
use wirewatch_matcher::{watchlist, Diagnostic, Hit, Matcher, Taxonomy};

fn parse(
    files: &[(&str, &str)],
) -> Result<(watchlist::Watchlist, Vec<Diagnostic>), Vec<Diagnostic>> {
    let sources: Vec<(PathBuf, String)> = files
        .iter()
        .map(|(f, s)| (PathBuf::from(f), s.to_string()))
        .collect();
    watchlist::parse(&sources, Taxonomy::builtin())
}

fn matcher(files: &[(&str, &str)]) -> Matcher {
    let (wl, _) = parse(files).unwrap_or_else(|d| panic!("{d:#?}"));
    Matcher::compile(&wl, Taxonomy::builtin())
}

fn article(title: &str, body: &str) -> Article {
    Article {
        id: "a".into(),
        title: title.into(),
        body: body.into(),
        url: None,
        source: None,
        published_at: None,
        language: None,
    }
}

fn hits(m: &Matcher, title: &str, body: &str) -> Vec<Hit> {
    m.evaluate(&article(title, body))
}

const LIST: &str = r#"
[[list]]
id = "test-entities"
companies = [
  { name = "KORVANTIS LAB, AO", source_id = "test:101" },
  { name = "Meridon Shipping LLC", aliases = ["Meridon Marine"], source_id = "test:102" },
  { name = "Alpha LLC", source_id = "test:103" },
  { name = "Vessel", source_id = "test:104" },
  { name = "ООО «Зарница-Трейд»", source_id = "test:105" },
  { name = "华辰微电子有限公司", source_id = "test:106" },
]
"#;

const RULES: &str = r#"
[[rule]]
id = "list-sanctions"
lists = ["test-entities"]
actions = ["sanction"]

[[rule]]
id = "list-fines"
lists = ["test-entities"]
companies = ["Norbeck Freight"]
actions = ["fine"]
"#;

#[test]
fn a_list_shared_by_rules_is_indexed_once_and_hits_name_it() {
    let m = matcher(&[("lists.toml", LIST), ("rules.toml", RULES)]);
    assert_eq!(m.listed_count(), 6, "each entry once, not once per rule");
    let h = hits(
        &m,
        "Treasury sanctions Korvantis Lab",
        "The U.S. Treasury Department sanctioned AO Korvantis Lab on Tuesday.",
    );
    assert_eq!(h.len(), 1, "{h:#?}");
    assert_eq!(h[0].rule_id, "list-sanctions");
    assert_eq!(h[0].company.id, "KORVANTIS LAB, AO");
    assert_eq!(h[0].list.as_deref(), Some("test-entities"));
    assert_eq!(h[0].source_id.as_deref(), Some("test:101"));

    let h = hits(
        &m,
        "Regulator fines Meridon",
        "The Federal Maritime Commission fined Meridon Shipping $2 million on Monday.",
    );
    assert_eq!(
        h.iter().map(|h| h.rule_id.as_str()).collect::<Vec<_>>(),
        ["list-fines"],
        "{h:#?}"
    );
    assert_eq!(h[0].source_id.as_deref(), Some("test:102"));

    // A rule's own company beside its lists: no list in the hit.
    let h = hits(
        &m,
        "Norbeck Freight fined",
        "The Federal Maritime Commission fined Norbeck Freight $1 million.",
    );
    assert_eq!(h.len(), 1, "{h:#?}");
    assert_eq!(h[0].list, None);
    assert_eq!(h[0].source_id, None);
}

#[test]
fn the_press_forms_of_listed_names_match_in_every_script() {
    let m = matcher(&[("lists.toml", LIST), ("rules.toml", RULES)]);
    for (title, body) in [
        (
            "Korvantis hit",
            "The Treasury Department sanctioned Korvantis Lab on Friday.",
        ),
        (
            "KORVANTIS",
            "The Treasury Department imposed sanctions on KORVANTIS LAB.",
        ),
        (
            "Санкции",
            "Минфин США ввёл санкции против ООО «Зарница-Трейд» в пятницу.",
        ),
        (
            "Санкции",
            "Минфин США ввёл санкции против компании «Зарница-Трейд» в пятницу.",
        ),
        ("美国制裁", "美国财政部周二宣布对华辰微电子实施制裁。"),
    ] {
        let h = hits(&m, title, body);
        assert!(
            h.iter().any(|h| h.rule_id == "list-sanctions"),
            "{body}: {h:#?}"
        );
    }
}

#[test]
fn a_listed_common_word_needs_backing_in_the_article() {
    let m = matcher(&[("lists.toml", LIST), ("rules.toml", RULES)]);
    // "Alpha" of "Alpha LLC" and the listed name "Vessel" alone prove
    // nothing.
    for body in [
        "The Treasury Department sanctioned Alpha, a unit of a Gulf trader.",
        "The Treasury Department sanctioned the Vessel Orion and its crew.",
    ] {
        let h = hits(&m, "Sanctions", body);
        assert!(h.is_empty(), "{body}: {h:#?}");
    }
    // With its legal form, or backed by it elsewhere, it is that company.
    let h = hits(
        &m,
        "Sanctions",
        "The Treasury Department sanctioned Alpha LLC on Monday. Alpha has offices in Dubai.",
    );
    assert_eq!(h.len(), 1, "{h:#?}");
    assert_eq!(h[0].source_id.as_deref(), Some("test:103"));
}

#[test]
fn common_word_ok_lets_a_listed_common_word_stand_alone() {
    let list = r#"
[[list]]
id = "ok-entities"
companies = [{ name = "Vessel", common_word = "ok" }]
"#;
    let rule = "[[rule]]\nid = \"r\"\nlists = [\"ok-entities\"]\nactions = [\"sanction\"]\n";
    let (_, warnings) = parse(&[("l.toml", list), ("r.toml", rule)]).unwrap();
    assert!(warnings.is_empty(), "{warnings:#?}");
    let m = matcher(&[("l.toml", list), ("r.toml", rule)]);
    let h = hits(
        &m,
        "Sanctions",
        "The Treasury Department sanctioned Vessel on Monday.",
    );
    assert_eq!(h.len(), 1, "{h:#?}");
}

#[test]
fn list_mistakes_are_reported_with_their_lines() {
    let lists = r#"[[list]]
id = "test-entities"
companies = ["Korvantis"]

[[list]]
id = "empty-one"
companies = []

[[list]]
id = "test-entities"
companies = [
  "Meridon",
  { name = "Orlov Group", common_word = "yes" },
]
"#;
    let rules = r#"[[rule]]
id = "a"
lists = ["test-entitie"]
actions = ["ban"]

[[rule]]
id = "b"
actions = ["ban"]
"#;
    let errs = parse(&[("l.toml", lists), ("r.toml", rules)]).unwrap_err();
    let text: Vec<String> = errs.iter().map(|d| d.to_string()).collect();
    for want in [
        r#"l.toml:7: list "empty-one" is empty"#,
        r#"l.toml:10: list id "test-entities" is already defined at l.toml:2"#,
        r#"l.toml:13: list "test-entities": common_word = "yes" is not valid: the only value is "ok""#,
        r#"r.toml:3: rule "a": unknown list "test-entitie" (did you mean "test-entities"?)"#,
        r#"r.toml:7: rule "b" has neither companies nor lists"#,
    ] {
        assert!(
            text.iter().any(|t| t.starts_with(want)),
            "missing {want:?} in {text:#?}"
        );
    }
}

#[test]
fn a_list_warns_once_per_kind_and_an_unused_list_is_named() {
    let lists = r#"[[list]]
id = "noisy"
companies = ["Korvantis", "Apple", "Orange", "Target", "Sun", "XY"]
"#;
    let (_, warnings) = parse(&[("l.toml", lists)]).unwrap();
    let text: Vec<String> = warnings.iter().map(|d| d.to_string()).collect();
    assert!(
        text.iter().any(|t| t
            .contains("4 names are common English words (\"Apple\", \"Orange\", \"Target\", ...)")),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("1 name is under 3 letters (\"XY\")")),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("list \"noisy\" is used by no rule")),
        "{text:#?}"
    );
}

#[test]
fn acknowledged_rule_names_do_not_warn() {
    let rule = r#"[[rule]]
id = "bigtech"
companies = [
  { name = "Apple", common_word = "ok" },
  { name = "Volkswagen", aliases = ["VW"], short = "ok" },
  "Orange",
]
actions = ["fine"]
"#;
    let (_, warnings) = parse(&[("r.toml", rule)]).unwrap();
    let text: Vec<String> = warnings.iter().map(|d| d.to_string()).collect();
    assert_eq!(text.len(), 1, "{text:#?}");
    assert!(
        text[0].starts_with("r.toml:6: warning: rule \"bigtech\": company \"Orange\""),
        "{text:#?}"
    );
}

#[test]
fn a_listed_one_word_name_found_only_by_transliteration_needs_backing() {
    let list = r#"
[[list]]
id = "translit"
companies = [{ name = "Drovnik Biotech", aliases = ["Drovnik"] }]
"#;
    let rule = "[[rule]]\nid = \"r\"\nlists = [\"translit\"]\nactions = [\"sanction\"]\n";
    let m = matcher(&[("l.toml", list), ("r.toml", rule)]);
    // "Дровник" alone is a loose key away from many words and names.
    let alone = hits(
        &m,
        "Санкции",
        "Минфин США ввёл санкции против компании «Дровник».",
    );
    assert!(alone.is_empty(), "{alone:#?}");
    // Backed by the full name, the one-word name counts.
    let backed = hits(
        &m,
        "Санкции против Drovnik Biotech",
        "Минфин США ввёл санкции против компании «Дровник».",
    );
    assert_eq!(backed.len(), 1, "{backed:#?}");
    // A rule's own one-word name is matched across scripts as before.
    let own = matcher(&[(
        "r.toml",
        "[[rule]]\nid = \"r\"\ncompanies = [\"Drovnik\"]\nactions = [\"sanction\"]\n",
    )]);
    let h = hits(
        &own,
        "Санкции",
        "Минфин США ввёл санкции против компании «Дровник».",
    );
    assert_eq!(h.len(), 1, "{h:#?}");
}
