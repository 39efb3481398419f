//! `Matcher::rule_fingerprint`: what a reload compares to tell which rules
//! are new or changed (and so worth a retro-hunt). It moves with what
//! decides a rule's hits and stays put for everything else.
//!
//! Entity names are invented.

use std::path::PathBuf;

use wirewatch_matcher::{watchlist, Matcher, Taxonomy};

fn matcher(src: &str) -> Matcher {
    let sources = vec![(PathBuf::from("w.toml"), src.to_string())];
    let (wl, _) =
        watchlist::parse(&sources, Taxonomy::builtin()).unwrap_or_else(|d| panic!("{d:#?}"));
    Matcher::compile(&wl, Taxonomy::builtin())
}

const BASE: &str = r#"
[[agency]]
id = "xx-office"
names = ["Office of Trade Measures"]

[[list]]
id = "suppliers"
companies = ["Brimvale Dynamics", { name = "Quortex Holdings", source_id = "erp:7" }]

[[rule]]
id = "a"
companies = [{ name = "Velmora Systems", aliases = ["Velmora"] }]
agencies = ["us-treasury", "xx-office"]
actions = ["sanction"]
severity = "high"

[[rule]]
id = "b"
lists = ["suppliers"]
actions = ["breach"]
severity = "low"
"#;

fn prints(src: &str) -> (u64, u64) {
    let m = matcher(src);
    (
        m.rule_fingerprint("a").unwrap(),
        m.rule_fingerprint("b").unwrap(),
    )
}

#[test]
fn a_fingerprint_moves_with_what_decides_hits_and_only_with_that() {
    let (a, b) = prints(BASE);
    assert_eq!(prints(BASE), (a, b), "the same watchlist, the same prints");
    assert!(matcher(BASE).rule_fingerprint("c").is_none());

    // Not about hits: severity, description, place in the file.
    let cosmetic = BASE
        .replace(
            "severity = \"high\"",
            "severity = \"critical\"\ndescription = \"x\"",
        )
        .replace("[[rule]]\nid = \"a\"", "\n\n[[rule]]\nid = \"a\"");
    assert_eq!(prints(&cosmetic), (a, b));

    // About hits: each moves only the rule it belongs to.
    let alias = BASE.replace(
        "aliases = [\"Velmora\"]",
        "aliases = [\"Velmora\", \"VSys\"]",
    );
    assert_ne!(prints(&alias).0, a);
    assert_eq!(prints(&alias).1, b);
    let agency = BASE.replace("\"us-treasury\", \"xx-office\"", "\"us-treasury\"");
    assert_ne!(prints(&agency).0, a);
    let agency_names = BASE.replace(
        "names = [\"Office of Trade Measures\"]",
        "names = [\"Office of Trade Measures\", \"Trade Measures Office\"]",
    );
    assert_ne!(prints(&agency_names).0, a, "a used agency's names changed");
    assert_ne!(
        prints(&agency_names).1,
        b,
        "b takes any agency, so the watchlists' own agencies count too"
    );
    let other_agency = BASE.replace(
        "[[list]]",
        "[[agency]]\nid = \"yy-board\"\nnames = [\"Board of Export Review\"]\n\n[[list]]",
    );
    assert_eq!(
        prints(&other_agency).0,
        a,
        "a names its agencies: another does not count"
    );
    let listed = BASE.replace(
        "\"Brimvale Dynamics\", ",
        "\"Brimvale Dynamics\", \"Ostrel Mining\", ",
    );
    assert_eq!(prints(&listed).0, a);
    assert_ne!(prints(&listed).1, b, "a list entry added");
    let exclude = BASE.replace(
        "actions = [\"breach\"]",
        "actions = [\"breach\"]\nexclude = [\"drill\"]",
    );
    assert_ne!(prints(&exclude).1, b);
}
