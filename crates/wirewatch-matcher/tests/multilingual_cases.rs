//! Labelled cases in the languages besides English: one small article and
//! one rule each, with whether the rule fires and, when it does, the status
//! and language of the hit. The sentences are written for these tests
//! (invented companies and events), one per mechanism: stems, names across
//! scripts and cases, character matching, implied agencies, governments,
//! references, enumerations, negation, statuses.

use std::path::PathBuf;

use wirewatch_matcher::article::Article;
use wirewatch_matcher::{watchlist, ActionStatus, Matcher, Taxonomy};

struct Case {
    name: &'static str,
    rule: &'static str,
    title: &'static str,
    body: &'static str,
    language: Option<&'static str>,
    /// `None`: must not fire; `Some((status, language))`: must fire so.
    expect: Option<(ActionStatus, &'static str)>,
}

use ActionStatus::*;

const CASES: &[Case] = &[
    Case {
        name: "German fine, inflected forms",
        rule: r#"companies = ["Norvalis"]
agencies = ["eu-commission"]
actions = ["fine"]"#,
        title: "Brüssel straft Norvalis ab",
        body: "Die EU-Kommission hat gegen Norvalis eine Geldbuße von 120 Millionen Euro verhängt. Die Behörde wirft dem Konzern vor, Händler benachteiligt zu haben.",
        language: Some("de"),
        expect: Some((Imposed, "de")),
    },
    Case {
        name: "German genitive of a Latin name",
        rule: r#"companies = ["Norvalis"]
agencies = ["eu-commission"]
actions = ["investigation"]"#,
        title: "Kommission prüft Norvalis' Geschäfte",
        body: "Die EU-Kommission hat eine Untersuchung der Preispolitik Norvalis' und des Händlernetzes eingeleitet.",
        language: None,
        expect: Some((Imposed, "de")),
    },
    Case {
        name: "French lifted sanctions",
        rule: r#"companies = ["Tarvena"]
agencies = ["us-treasury"]
actions = ["sanction"]"#,
        title: "Le Trésor américain lève les sanctions contre Tarvena",
        body: "Le département du Trésor des États-Unis a annoncé lundi la levée des sanctions visant le groupe minier Tarvena.",
        language: Some("fr"),
        expect: Some((Lifted, "fr")),
    },
    Case {
        name: "French: the company only quoted as a source",
        rule: r#"companies = ["Tarvena"]
agencies = ["us-treasury"]
actions = ["sanction"]"#,
        title: "Nouvelles sanctions américaines contre des armateurs",
        body: "Selon Tarvena, le Trésor américain a sanctionné mardi plusieurs armateurs grecs.",
        language: Some("fr"),
        expect: None,
    },
    Case {
        name: "Spanish fine with a wrong language tag",
        rule: r#"companies = ["Quelmar"]
agencies = ["eu-commission"]
actions = ["fine"]"#,
        title: "Bruselas multa a Quelmar",
        body: "La Comisión Europea ha impuesto una multa de 80 millones de euros a Quelmar por abusar de su posición dominante en el mercado de componentes.",
        language: Some("en"),
        expect: Some((Imposed, "es")),
    },
    Case {
        name: "Italian company exit, announced",
        rule: r#"companies = ["Dorvane"]
actions = ["exit"]"#,
        title: "Dorvane lascerà la Russia",
        body: "Il gruppo Dorvane ha annunciato che cederà tutte le sue attività in Russia entro la fine dell'anno.",
        language: Some("it"),
        expect: Some((Announced, "it")),
    },
    Case {
        name: "Portuguese sanction by the government as actor",
        rule: r#"companies = ["Velmora"]
agencies = ["us-treasury"]
actions = ["sanction"]"#,
        title: "Estados Unidos sancionam a Velmora",
        body: "Os Estados Unidos impuseram sanções à transportadora Velmora nesta quinta-feira, acusando-a de ajudar a contornar o teto de preços.",
        language: None,
        expect: Some((Imposed, "pt")),
    },
    Case {
        name: "Portuguese: 'sancionar' a bill is signing it into law",
        rule: r#"companies = ["Velmora"]
actions = ["sanction"]"#,
        title: "Presidente sanciona a lei das transportadoras",
        body: "O presidente sancionou a lei que cria novas regras para a Velmora e outras transportadoras.",
        language: Some("pt"),
        expect: None,
    },
    Case {
        name: "Russian: a Latin name found in a Cyrillic case form",
        rule: r#"companies = ["Rosneft"]
agencies = ["us-treasury"]
actions = ["sanction"]"#,
        title: "Минфин США ввёл санкции против «Роснефти»",
        body: "Министерство финансов США ввело санкции против нефтяной компании «Роснефть» и её дочерних структур.",
        language: Some("ru"),
        expect: Some((Imposed, "ru")),
    },
    Case {
        name: "Russian: sanctions under consideration, per sources",
        rule: r#"companies = ["Sberbank"]
actions = ["sanction"]"#,
        title: "США рассматривают новые санкции",
        body: "По данным источников, администрация США рассматривает возможность ввести санкции против Сбербанка.",
        language: Some("ru"),
        // Considering is the nearer cue: proposed, as the labelling rule
        // has it for a measure weighed per unnamed sources.
        expect: Some((Proposed, "ru")),
    },
    Case {
        name: "Russian: a similar word is not the company",
        rule: r#"companies = ["Rusal"]
actions = ["sanction"]"#,
        title: "Цены на алюминий росли",
        body: "Цены росли третью неделю подряд, несмотря на санкции против других производителей.",
        language: Some("ru"),
        expect: None,
    },
    Case {
        name: "Chinese: Entity List implies Commerce, Traditional alias on Simplified text",
        rule: r#"companies = [{ name = "Hexalon", aliases = ["海克斯隆"] }]
agencies = ["us-commerce"]
actions = ["export-control"]"#,
        title: "美国将海克斯隆列入实体清单",
        body: "美国周四宣布，将芯片设计公司海克斯隆等十二家企业列入实体清单。",
        language: Some("zh"),
        expect: Some((Imposed, "zh")),
    },
    Case {
        name: "Chinese written in Traditional characters",
        rule: r#"companies = [{ name = "Hexalon", aliases = ["海克斯隆"] }]
agencies = ["us-commerce"]
actions = ["export-control"]"#,
        title: "美國商務部將海克斯隆列入實體清單",
        body: "美國商務部週四宣布，將海克斯隆列入實體清單，限制其取得美國技術。",
        language: None,
        expect: Some((Imposed, "zh")),
    },
    Case {
        name: "Japanese: a katakana name and a fine",
        rule: r#"companies = [{ name = "Corvetta", aliases = ["コルベッタ"] }]
agencies = ["eu-commission"]
actions = ["fine"]"#,
        title: "欧州委員会、コルベッタに制裁金",
        body: "欧州委員会は、米半導体大手コルベッタに約3億ユーロの制裁金を科したと発表した。",
        language: Some("ja"),
        expect: Some((Imposed, "ja")),
    },
    Case {
        name: "Japanese: a katakana name inside a longer word is another word",
        rule: r#"companies = [{ name = "Corvetta", aliases = ["コルベッタ"] }]
agencies = ["eu-commission"]
actions = ["fine"]"#,
        title: "欧州委員会、コルベッタイン社に制裁金",
        body: "欧州委員会は、コルベッタイン社に制裁金を科した。",
        language: Some("ja"),
        expect: None,
    },
    Case {
        name: "Japanese: the company sues to block the ban",
        rule: r#"companies = [{ name = "Corvetta", aliases = ["コルベッタ"] }]
actions = ["ban"]"#,
        title: "コルベッタ、禁止措置の差し止めを求め提訴",
        body: "コルベッタは、米政府による販売禁止は違法だとして、差し止めを求めて提訴した。",
        language: Some("ja"),
        expect: Some((Challenged, "ja")),
    },
    Case {
        name: "English: a breach ruled out",
        rule: r#"companies = ["Harvex"]
actions = ["breach"]"#,
        title: "Harvex network outage hits millions",
        body: "Harvex said a cyber attack was not the cause of the outage, which left millions without service.",
        language: Some("en"),
        expect: None,
    },
    Case {
        name: "English: companies enumerated after the event",
        rule: r#"companies = ["Pelmarix"]
agencies = ["us-commerce"]
actions = ["export-control"]"#,
        title: "Commerce adds 14 Chinese firms to the Entity List",
        body: "The U.S. Commerce Department on Tuesday added 14 Chinese companies to its trade blacklist over military ties.\n\nThose named include Aldrex, Pelmarix, Quontel and Vesto Microelectronics.",
        language: Some("en"),
        expect: Some((Imposed, "en")),
    },
    Case {
        name: "English: the regulator referred back to",
        rule: r#"companies = ["Brightwell Capital"]
agencies = ["uk-fca"]
actions = ["fine"]"#,
        title: "Watchdog acts on arrears handling",
        body: "The Financial Conduct Authority published its review of arrears handling on Thursday. The regulator fined Brightwell Capital £4 million for failing customers in financial difficulty.",
        language: Some("en"),
        expect: Some((Imposed, "en")),
    },
];

fn compile(cases: &[Case]) -> Matcher {
    let mut source = String::new();
    for (i, c) in cases.iter().enumerate() {
        source.push_str(&format!("[[rule]]\nid = \"case-{i}\"\n{}\n\n", c.rule));
    }
    let taxonomy = Taxonomy::builtin();
    let (wl, _) = watchlist::parse(&[(PathBuf::from("cases.toml"), source)], taxonomy)
        .unwrap_or_else(|e| panic!("the cases' rules are valid: {e:?}"));
    Matcher::compile(&wl, taxonomy)
}

#[test]
fn multilingual_cases() {
    let matcher = compile(CASES);
    let mut failures = Vec::new();
    for (i, c) in CASES.iter().enumerate() {
        let id = format!("case-{i}");
        let article = Article {
            id: id.clone(),
            title: c.title.into(),
            body: c.body.into(),
            url: None,
            source: None,
            published_at: None,
            language: c.language.map(str::to_string),
        };
        let hit = matcher
            .evaluate(&article)
            .into_iter()
            .find(|h| h.rule_id == id);
        let got = hit
            .as_ref()
            .map(|h| (h.status, h.language.clone().unwrap_or_default()));
        let want = c.expect.map(|(s, l)| (s, l.to_string()));
        if got != want {
            let why = matcher
                .explain(&article)
                .into_iter()
                .find(|e| e.rule_id == id)
                .map(|e| e.reason)
                .unwrap_or_default();
            failures.push(format!(
                "{}: expected {want:?}, got {got:?} ({why}; cue {:?})",
                c.name,
                hit.and_then(|h| h.status_cue)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}
