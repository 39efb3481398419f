//! `wirewatch import` against small fixture files in each real layout
//! (tests/fixtures/import: invented entities, Latin, Cyrillic, Chinese and
//! Japanese names, malformed rows): what is kept, what is left out and
//! counted, `file:line` errors that write nothing, and an imported list
//! firing a rule through `backtest`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn wirewatch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wirewatch"))
        .args(args)
        .output()
        .expect("run wirewatch")
}

fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(rel)
        .display()
        .to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn import(args: &[&str], out: &Path) -> (Output, String) {
    let mut all: Vec<&str> = vec!["import"];
    all.extend_from_slice(args);
    let out_s = out.display().to_string();
    all.extend_from_slice(&["--out", &out_s]);
    let o = wirewatch(&all);
    let text = std::fs::read_to_string(out).unwrap_or_default();
    (o, text)
}

#[test]
fn ofac_sdn_entities_with_alternate_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sdn.toml");
    let (o, text) = import(
        &[
            "ofac-sdn",
            &fixture("ofac/SDN.CSV"),
            "--alt",
            &fixture("ofac/ALT.CSV"),
        ],
        &out,
    );
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    for want in [
        "5 entries written with 10 names (of 6 entity records read)",
        "skipped 1 individuals (SDN_Type individual)",
        "left out 1 names that are common English words",
        "left out 1 names under 3 letters",
        "left out 1 entries with no usable name left",
    ] {
        assert!(err.contains(want), "missing {want:?} in\n{err}");
    }
    assert!(
        text.starts_with("# Written by `wirewatch import` on "),
        "{text}"
    );
    assert!(
        text.contains("from SDN.CSV, ALT.CSV (OFAC SDN list, legacy CSV)"),
        "{text}"
    );
    assert!(text.contains(r#"{ name = "KORVANTIS LAB, AO", aliases = ["KORVANTIS LABORATORY", "АО Лаборатория Корвантис"], source_id = "ofac-sdn:101" }"#), "{text}");
    assert!(
        text.contains(r#"aliases = ["华辰微电子有限公司"], source_id = "ofac-sdn:105""#),
        "{text}"
    );
    assert!(
        !text.contains("PETROVSKY"),
        "individuals are skipped: {text}"
    );
    assert!(
        !text.contains("\"ALPHA\""),
        "a common word alone is left out: {text}"
    );

    // The list, used by a rule, fires on the press's spelling and names
    // the list and the entry in the hit.
    let rules = dir.path().join("rules.toml");
    std::fs::write(
        &rules,
        "[[rule]]\nid = \"sdn-any\"\nlists = [\"ofac-sdn-entities\"]\nactions = [\"sanction\", \"ban\"]\n",
    )
    .unwrap();
    let articles = dir.path().join("a.jsonl");
    std::fs::write(
        &articles,
        concat!(
            r#"{"id":"a1","title":"Treasury targets software maker","body":"The U.S. Treasury Department sanctioned AO Korvantis Lab on Tuesday."}"#,
            "\n",
            r#"{"id":"a2","title":"Санкции","body":"Минфин США ввёл санкции против ООО «Зарница-Трейд»."}"#,
            "\n",
            r#"{"id":"a3","title":"美国制裁","body":"美国财政部宣布对华辰微电子实施制裁。"}"#,
            "\n",
            r#"{"id":"a4","title":"Alpha","body":"The Treasury Department sanctioned Alpha, a trading house."}"#,
            "\n"
        ),
    )
    .unwrap();
    let o = wirewatch(&[
        "backtest",
        "--watchlists",
        &dir.path().display().to_string(),
        "--input",
        &articles.display().to_string(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let hits: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let by_article = |id: &str| hits.iter().find(|h| h["article_id"] == id);
    let a1 = by_article("a1").expect("a1 fires");
    assert_eq!(a1["list"], "ofac-sdn-entities");
    assert_eq!(a1["source_id"], "ofac-sdn:101");
    assert_eq!(
        by_article("a2").expect("a2 fires")["source_id"],
        "ofac-sdn:107"
    );
    assert_eq!(
        by_article("a3").expect("a3 fires")["source_id"],
        "ofac-sdn:105"
    );
    assert!(by_article("a4").is_none(), "{hits:#?}");
}

#[test]
fn opensanctions_entities_in_every_script() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("os.toml");
    let (o, text) = import(
        &[
            "opensanctions",
            &fixture("opensanctions/entities.ftm.json"),
            "--id",
            "os-test",
        ],
        &out,
    );
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    for want in [
        "4 entries written with 9 names (of 5 entity records read)",
        "skipped 1 Person entities",
        "skipped 1 Sanction entities",
        "skipped 1 Address entities",
        "left out 2 weak aliases",
    ] {
        assert!(err.contains(want), "missing {want:?} in\n{err}");
    }
    assert!(text.contains("id = \"os-test\""), "{text}");
    assert!(text.contains(r#"{ name = "Korvantis Lab", aliases = ["AO Korvantis Lab", "АО «Лаборатория Корвантис»", "Korvantis Software"], source_id = "opensanctions:NK-korvantis" }"#), "{text}");
    assert!(text.contains("株式会社タイリクテック"), "{text}");
    assert!(
        !text.contains("\"Korv\""),
        "weak aliases are left out: {text}"
    );
    assert!(
        !text.contains("Orbit"),
        "a common word alone is left out: {text}"
    );
}

#[test]
fn csv_export_with_named_columns() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("vendors.toml");
    let (o, text) = import(
        &[
            "csv",
            &fixture("csv/vendors.csv"),
            "--name-column",
            "legal_name",
            "--alias-column",
            "trading_names",
            "--id-column",
            "vendor_id",
        ],
        &out,
    );
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("4 entries written with 9 names (of 5 entity records read)"),
        "{err}"
    );
    assert!(
        err.contains("skipped 1 rows with an empty legal_name column"),
        "{err}"
    );
    assert!(text.contains("id = \"vendors\""), "{text}");
    assert!(text.contains(r#"{ name = "Brightwater Trading Co. Ltd.", aliases = ["Brightwater", "Brightwater Logistics"], source_id = "V-0001" }"#), "{text}");
    assert!(text.contains(r#"{ name = "ООО «Зарница-Трейд»", aliases = ["Zarnitsa Treid"], source_id = "V-0002" }"#), "{text}");
}

#[test]
fn malformed_input_is_reported_at_its_line_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out: PathBuf = dir.path().join("list.toml");
    // An existing list stays as it was.
    std::fs::write(&out, "# the previous import\n").unwrap();
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            vec!["ofac-sdn".into(), fixture("ofac/SDN-malformed.CSV")],
            format!("{}:2: expected 12 columns, found 11", fixture("ofac/SDN-malformed.CSV")),
        ),
        (
            vec![
                "ofac-sdn".into(),
                fixture("ofac/SDN.CSV"),
                "--alt".into(),
                fixture("ofac/ALT-unknown-entity.CSV"),
            ],
            format!("{}:2: ent_num 999 is not in", fixture("ofac/ALT-unknown-entity.CSV")),
        ),
        (
            vec!["opensanctions".into(), fixture("opensanctions/malformed.ftm.json")],
            format!("{}:2: not a FollowTheMoney entity", fixture("opensanctions/malformed.ftm.json")),
        ),
        (
            vec![
                "csv".into(),
                fixture("csv/malformed.csv"),
                "--name-column".into(),
                "legal_name".into(),
            ],
            format!("{}:3: expected 4 fields as in the header, found 5", fixture("csv/malformed.csv")),
        ),
        (
            vec![
                "csv".into(),
                fixture("csv/vendors.csv"),
                "--name-column".into(),
                "legal_nam".into(),
            ],
            format!("{}:1: --name-column \"legal_nam\": the header has no such column (did you mean \"legal_name\"?)", fixture("csv/vendors.csv")),
        ),
    ];
    for (args, want) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (o, text) = import(&args, &out);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(64), "{args:?}: {err}");
        assert!(err.starts_with(&want), "{args:?}: want {want:?}, got {err}");
        assert_eq!(text, "# the previous import\n", "{args:?}");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "no temporary file is left behind: {left:?}");
}
