//! Watchlist files (their format is section 2 of
//! `../shared/design/contracts.md`): parsing with line numbers, and validation
//! that reports every problem at once as `file:line: message`.
//!
//! `raw` holds the file's shape as deserialized; this module checks it
//! against the taxonomy and builds the validated [`Watchlist`].
//!
//! Invariants: every problem of every file is reported, not only the
//! first; a watchlist that parses is valid (ids unique and well formed,
//! every agency, action and status known), so compiling it cannot fail.
//! This module reads no file: the daemon passes each file's name and
//! text. Warnings (a short alias, a common-word name) never make a
//! watchlist invalid.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use crate::diag::{did_you_mean, line_of, valid_id, Diagnostic, LineIndex};
use crate::hit::Severity;
use crate::taxonomy::{ActionDef, AgencyDef, Taxonomy};

mod raw;

use raw::{RawCompany, RawFile};

/// A watched company: its display name and the other names it goes by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    pub name: String,
    pub aliases: Vec<String>,
}

/// One validated rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub description: Option<String>,
    pub companies: Vec<Company>,
    /// Agency ids; empty means any actor.
    pub agencies: Vec<String>,
    /// Action ids; empty means any action.
    pub actions: Vec<String>,
    pub exclude: Vec<String>,
    /// The statuses the rule fires on; empty means every status.
    pub status: Vec<crate::hit::ActionStatus>,
    pub severity: Severity,
    pub notify: Vec<String>,
    /// Where the rule is defined, for "edit this file" hints.
    pub file: PathBuf,
    pub line: usize,
}

/// All rules and user-defined taxonomy entries of a watchlist file or folder.
#[derive(Debug, Clone, Default)]
pub struct Watchlist {
    pub rules: Vec<Rule>,
    pub agencies: Vec<AgencyDef>,
    pub actions: Vec<ActionDef>,
}

/// Parses and validates watchlist sources given as (file name, contents).
/// On success returns the watchlist and any warnings.
pub fn parse(
    sources: &[(PathBuf, String)],
    taxonomy: &Taxonomy,
) -> Result<(Watchlist, Vec<Diagnostic>), Vec<Diagnostic>> {
    parse_checked(sources, taxonomy, None)
}

/// [`parse`], and when `channels` is given, also checks that every rule's
/// `notify` names one of them ([`check_channels`]). Every problem is
/// reported at once: a rule naming a missing channel is reported beside a
/// bad severity or an unknown agency, not only when it is the sole problem.
pub fn parse_checked(
    sources: &[(PathBuf, String)],
    taxonomy: &Taxonomy,
    channels: Option<&[String]>,
) -> Result<(Watchlist, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut parsed = Vec::new();
    for (file, src) in sources {
        let name = file.display().to_string();
        match toml::from_str::<RawFile>(src) {
            Ok(raw) => parsed.push((file, src, raw, LineIndex::new(src))),
            Err(e) => diags.push(Diagnostic {
                file: name,
                line: e.span().map_or(1, |s| line_of(src, s.start)),
                message: e.message().trim().to_string(),
                warning: false,
            }),
        }
    }

    let mut wl = Watchlist::default();
    // User-defined taxonomy first, so rules in any file may use it.
    let mut agency_ids: HashMap<String, String> = HashMap::new();
    let mut action_ids: HashMap<String, String> = HashMap::new();
    for (file, _src, raw, lines) in &parsed {
        let name = file.display().to_string();
        let mut err = |pos: usize, message: String| {
            diags.push(Diagnostic {
                file: name.clone(),
                line: lines.line(pos),
                message,
                warning: false,
            })
        };
        for a in &raw.agency {
            let id = a.get_ref().id.get_ref();
            let at = a.get_ref().id.span().start;
            if !valid_id(id) {
                err(
                    at,
                    format!("agency id {id:?} is not valid: use lowercase letters, digits and '-'"),
                );
            } else if taxonomy.agency(id).is_some() {
                err(
                    at,
                    format!("agency id {id:?} is built in; choose another id"),
                );
            } else if let Some(prev) =
                agency_ids.insert(id.clone(), format!("{name}:{}", lines.line(at)))
            {
                err(at, format!("agency id {id:?} is already defined at {prev}"));
            }
            if a.get_ref().names.iter().all(|n| n.trim().is_empty()) {
                err(at, format!("agency {id:?} has no names"));
            }
            wl.agencies.push(AgencyDef {
                id: id.clone(),
                names: a.get_ref().names.clone(),
                not: a.get_ref().not.clone(),
            });
        }
        for a in &raw.action {
            let id = a.get_ref().id.get_ref();
            let at = a.get_ref().id.span().start;
            if !valid_id(id) {
                err(
                    at,
                    format!("action id {id:?} is not valid: use lowercase letters, digits and '-'"),
                );
            } else if taxonomy.action(id).is_some() {
                err(
                    at,
                    format!("action id {id:?} is built in; choose another id"),
                );
            } else if let Some(prev) =
                action_ids.insert(id.clone(), format!("{name}:{}", lines.line(at)))
            {
                err(at, format!("action id {id:?} is already defined at {prev}"));
            }
            if a.get_ref().phrases.iter().all(|n| n.trim().is_empty()) {
                err(at, format!("action {id:?} has no phrases"));
            }
            wl.actions.push(ActionDef {
                id: id.clone(),
                phrases: a.get_ref().phrases.clone(),
                not: a.get_ref().not.clone(),
            });
        }
    }

    let mut rule_ids: BTreeMap<String, String> = BTreeMap::new();
    for (file, _src, raw, lines) in &parsed {
        let name = file.display().to_string();
        let mut err = |pos: usize, message: String, warning: bool| {
            diags.push(Diagnostic {
                file: name.clone(),
                line: lines.line(pos),
                message,
                warning,
            })
        };
        for r in &raw.rule {
            let r = r.get_ref();
            let id = r.id.get_ref().clone();
            let at = r.id.span().start;
            if !valid_id(&id) {
                err(
                    at,
                    format!("rule id {id:?} is not valid: use lowercase letters, digits and '-'"),
                    false,
                );
            } else if let Some(prev) =
                rule_ids.insert(id.clone(), format!("{name}:{}", lines.line(at)))
            {
                err(
                    at,
                    format!("rule id {id:?} is already defined at {prev}"),
                    false,
                );
            }
            let companies: Vec<Company> = r
                .companies
                .get_ref()
                .iter()
                .map(|c| match c {
                    RawCompany::Name(n) => Company {
                        name: n.trim().to_string(),
                        aliases: vec![],
                    },
                    RawCompany::Full(f) => Company {
                        name: f.name.trim().to_string(),
                        aliases: f
                            .aliases
                            .iter()
                            .map(|a| a.trim().to_string())
                            .filter(|a| !a.is_empty())
                            .collect(),
                    },
                })
                .collect();
            let cat = r.companies.span().start;
            if companies.is_empty() {
                err(cat, format!("rule {id:?}: companies is empty"), false);
            }
            for c in &companies {
                if c.name.is_empty() {
                    err(
                        cat,
                        format!("rule {id:?}: a company has an empty name"),
                        false,
                    );
                }
                for n in std::iter::once(&c.name).chain(&c.aliases) {
                    if !n.is_empty()
                        && !super::normalize::fold(n).chars().any(char::is_alphanumeric)
                    {
                        // Only invisible characters or punctuation: it could
                        // never be found, or would be found everywhere.
                        err(
                            cat,
                            format!("rule {id:?}: company name {n:?} has no letters or digits once invisible characters and punctuation are set aside"),
                            false,
                        );
                        continue;
                    }
                    let letters = n.chars().filter(|c| c.is_alphanumeric()).count();
                    // Chinese and Japanese write a name in few characters:
                    // two make a word.
                    let short = if super::lang::has_cjk(n) { 2 } else { 3 };
                    if letters > 0 && letters < short && super::lang::has_cjk(n) {
                        err(
                            cat,
                            format!(
                                "rule {id:?}: alias {n:?} is a single character and will be noisy"
                            ),
                            true,
                        );
                    } else if super::lang::has_cjk(n) {
                    } else if letters > 0 && letters < 3 && !n.chars().any(|c| c.is_lowercase()) {
                        // Short all-caps aliases (VW, GE) are matched case-sensitively,
                        // but still collide with other acronyms.
                        err(
                            cat,
                            format!("rule {id:?}: alias {n:?} is under 3 letters and may be noisy"),
                            true,
                        );
                    } else if letters > 0 && letters < 3 {
                        err(
                            cat,
                            format!(
                                "rule {id:?}: alias {n:?} is under 3 letters and will be noisy"
                            ),
                            true,
                        );
                    }
                    if super::common_words::is_common_word(n) {
                        err(cat, format!("rule {id:?}: company {n:?} is also a common English word; only its capitalized, proper-noun uses match"), true);
                    }
                }
            }
            for a in &r.agencies {
                let aid = a.get_ref();
                if taxonomy.agency(aid).is_none() && !agency_ids.contains_key(aid) {
                    let known = taxonomy
                        .agency_ids()
                        .chain(agency_ids.keys().map(String::as_str));
                    err(
                        a.span().start,
                        format!(
                            "rule {id:?}: unknown agency {aid:?}{}",
                            did_you_mean(aid, known)
                        ),
                        false,
                    );
                }
            }
            for a in &r.actions {
                let aid = a.get_ref();
                if taxonomy.action(aid).is_none() && !action_ids.contains_key(aid) {
                    let known = taxonomy
                        .action_ids()
                        .chain(action_ids.keys().map(String::as_str));
                    err(
                        a.span().start,
                        format!(
                            "rule {id:?}: unknown action {aid:?}{}",
                            did_you_mean(aid, known)
                        ),
                        false,
                    );
                }
            }
            if r.agencies.is_empty() && r.actions.is_empty() {
                err(at, format!("rule {id:?} has neither agencies nor actions: any mention of its companies next to any action fires"), true);
            }
            for e in &r.exclude {
                if e.get_ref().trim().is_empty() {
                    err(
                        e.span().start,
                        format!("rule {id:?}: empty exclude phrase"),
                        false,
                    );
                }
            }
            let mut status = Vec::new();
            for st in &r.status {
                match crate::hit::ActionStatus::parse(st.get_ref()) {
                    Some(parsed) => status.push(parsed),
                    None => err(
                        st.span().start,
                        format!(
                            "rule {id:?}: status {:?} is not one of {}{}",
                            st.get_ref(),
                            crate::hit::ActionStatus::ALL.map(|a| a.as_str()).join(", "),
                            did_you_mean(
                                st.get_ref(),
                                crate::hit::ActionStatus::ALL.iter().map(|a| a.as_str())
                            )
                        ),
                        false,
                    ),
                }
            }
            let severity = match &r.severity {
                None => Severity::Medium,
                Some(s) => Severity::parse(s.get_ref()).unwrap_or_else(|| {
                    err(
                        s.span().start,
                        format!(
                            "rule {id:?}: severity {:?} is not one of low, medium, high, critical",
                            s.get_ref()
                        ),
                        false,
                    );
                    Severity::Medium
                }),
            };
            wl.rules.push(Rule {
                id,
                description: r.description.clone(),
                companies,
                agencies: r.agencies.iter().map(|a| a.get_ref().clone()).collect(),
                actions: r.actions.iter().map(|a| a.get_ref().clone()).collect(),
                exclude: r.exclude.iter().map(|a| a.get_ref().clone()).collect(),
                status,
                severity,
                notify: r.notify.iter().map(|a| a.get_ref().clone()).collect(),
                file: (*file).clone(),
                line: lines.line(at),
            });
        }
    }
    if let Some(channels) = channels {
        diags.extend(check_channels(&wl, channels));
    }
    if diags.iter().any(|d| !d.warning) {
        return Err(diags);
    }
    Ok((wl, diags))
}

/// Checks that every rule's `notify` names a configured channel.
pub fn check_channels(wl: &Watchlist, channels: &[String]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for r in &wl.rules {
        for n in &r.notify {
            if !channels.contains(n) {
                out.push(Diagnostic {
                    file: r.file.display().to_string(),
                    line: r.line,
                    message: format!(
                        "rule {:?}: notify names unknown channel {n:?}{}",
                        r.id,
                        did_you_mean(n, channels.iter().map(String::as_str))
                    ),
                    warning: false,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_one(src: &str) -> Result<(Watchlist, Vec<Diagnostic>), Vec<Diagnostic>> {
        parse(
            &[(PathBuf::from("w.toml"), src.to_string())],
            Taxonomy::builtin(),
        )
    }

    #[test]
    fn parses_the_contract_example() {
        let (wl, _) = parse_one(
            r#"
[[rule]]
id = "kaspersky-us"
companies = ["Kaspersky", { name = "Meta", aliases = ["Meta Platforms", "Facebook"] }]
agencies = ["us-commerce", "us-treasury", "de-bafin"]
actions = ["sanction", "ban", "recall"]
exclude = ["exit polls"]
severity = "high"
notify = ["compliance", "soc"]

[[agency]]
id = "de-bafin"
names = ["BaFin"]

[[action]]
id = "recall"
phrases = ["recall"]
"#,
        )
        .unwrap();
        assert_eq!(wl.rules.len(), 1);
        let r = &wl.rules[0];
        assert_eq!(r.companies[1].aliases, vec!["Meta Platforms", "Facebook"]);
        assert_eq!(r.severity, Severity::High);
        assert_eq!(r.line, 3);
        assert_eq!(wl.agencies[0].id, "de-bafin");
    }

    #[test]
    fn reports_every_problem_with_its_line() {
        let errs = parse_one(
            r#"[[rule]]
id = "a"
companies = ["X Corp"]
agencies = ["us-comerce"]
actions = ["sanctoin"]
severity = "urgent"

[[rule]]
id = "a"
companies = ["Y Corp"]
actions = ["ban"]
"#,
        )
        .unwrap_err();
        let text: Vec<String> = errs.iter().map(|d| d.to_string()).collect();
        assert!(
            text.contains(
                &r#"w.toml:4: rule "a": unknown agency "us-comerce" (did you mean "us-commerce"?)"#
                    .to_string()
            ),
            "{text:#?}"
        );
        assert!(
            text.contains(
                &r#"w.toml:5: rule "a": unknown action "sanctoin" (did you mean "sanction"?)"#
                    .to_string()
            ),
            "{text:#?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("w.toml:6: ") && t.contains("urgent")),
            "{text:#?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("w.toml:9: ") && t.contains("already defined at w.toml:2")),
            "{text:#?}"
        );
    }

    #[test]
    fn syntax_and_unknown_keys_name_the_line() {
        let errs = parse_one("[[rule]]\nid = \"a\"\ncompanies = [\"X\"]\nactoins = [\"ban\"]\n")
            .unwrap_err();
        assert_eq!(errs[0].line, 4, "{errs:?}");
        assert!(errs[0].message.contains("actoins"), "{errs:?}");
        let errs = parse_one("[[rule]]\nid = \"a\"\ncompanies = [\"X\"\n").unwrap_err();
        assert!(errs[0].line >= 3, "{errs:?}");
    }

    #[test]
    fn warns_about_noisy_rules() {
        let (_, warnings) = parse_one("[[rule]]\nid = \"a\"\ncompanies = [\"Apple\", { name = \"Visa\", aliases = [\"ab\"] }]\n").unwrap();
        let text: Vec<String> = warnings.iter().map(|d| d.to_string()).collect();
        assert!(
            text.iter()
                .any(|t| t.contains("\"Apple\" is also a common English word")),
            "{text:#?}"
        );
        assert!(
            text.iter().any(|t| t.contains("\"ab\" is under 3 letters")),
            "{text:#?}"
        );
        assert!(
            text.iter()
                .any(|t| t.contains("neither agencies nor actions")),
            "{text:#?}"
        );
    }

    #[test]
    fn a_name_of_invisible_characters_is_an_error_and_a_bad_status_is_named() {
        let errs = parse_one(
            "[[rule]]\nid = \"a\"\ncompanies = [\"X Corp\", \"\u{200B}\u{00AD}\"]\nactions = [\"ban\"]\nstatus = [\"imposd\"]\n",
        )
        .unwrap_err();
        let text: Vec<String> = errs.iter().map(|d| d.to_string()).collect();
        assert!(
            text.iter()
                .any(|t| t.starts_with("w.toml:3: ") && t.contains("has no letters or digits")),
            "{text:#?}"
        );
        assert!(
            text.iter().any(|t| t.starts_with("w.toml:5: ")
                && t.contains("status \"imposd\" is not one of")
                && t.contains("did you mean \"imposed\"")),
            "{text:#?}"
        );
    }

    #[test]
    fn two_character_chinese_names_are_words_one_character_is_noisy() {
        let (_, warnings) = parse_one(
            "[[rule]]\nid = \"a\"\ncompanies = [{ name = \"Qualcomm\", aliases = [\"高通\", \"雷\"] }]\nactions = [\"fine\"]\n",
        )
        .unwrap();
        let text: Vec<String> = warnings.iter().map(|d| d.to_string()).collect();
        assert!(!text.iter().any(|t| t.contains("高通")), "{text:#?}");
        assert!(
            text.iter()
                .any(|t| t.contains("\"雷\" is a single character")),
            "{text:#?}"
        );
    }
}
