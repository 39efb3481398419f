//! Watchlist files (their format is section 2 of
//! `../shared/design/contracts.md`): parsing with line numbers, and validation
//! that reports every problem at once as `file:line: message`.
//!
//! `raw` holds the file's shape as deserialized; this module checks it
//! against the taxonomy and builds the validated [`Watchlist`].
//!
//! Invariants: every problem of every file is reported, not only the
//! first; a watchlist that parses is valid (ids unique and well formed,
//! every agency, action, list and status known, every rule watching some
//! company), so compiling it cannot fail. Named lists (`[[list]]`) are
//! global across files, like user-defined agencies, and held in `Arc`s so
//! the compiled matcher shares rather than copies them.
//! This module reads no file: the daemon passes each file's name and
//! text. Warnings (a short alias, a common-word name, an unused list)
//! never make a watchlist invalid; `common_word = "ok"` and `short = "ok"`
//! on a company acknowledge the first two.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use crate::diag::{did_you_mean, line_of, valid_id, Diagnostic, LineIndex};
use crate::hit::Severity;
use crate::taxonomy::{ActionDef, AgencyDef, Taxonomy};

mod raw;

use raw::{RawCompany, RawFile};

/// A watched company: its display name and the other names it goes by.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Company {
    pub name: String,
    pub aliases: Vec<String>,
    /// The entry's id in the list it came from ("ofac-sdn:12345"), named
    /// in alerts.
    pub source_id: Option<String>,
    /// `common_word = "ok"`: the user knows a name of this company is a
    /// common word, so `check` does not warn, and in a list the name
    /// matches on its own as a rule's would (capitalized proper nouns).
    pub common_word_ok: bool,
}

impl Company {
    /// The name and then every alias.
    pub fn names(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.name).chain(&self.aliases)
    }
}

/// A named company list (`[[list]]`), global across watchlist files and
/// shared by every rule that names it: compiled once, whatever the number
/// of rules using it.
#[derive(Debug, Clone)]
pub struct List {
    pub id: String,
    pub companies: Vec<Company>,
    pub file: PathBuf,
    pub line: usize,
}

/// One validated rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub description: Option<String>,
    pub companies: Vec<Company>,
    /// Ids of the named lists whose companies the rule watches too.
    pub lists: Vec<String>,
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
    /// The named lists, shared (not copied) by the matcher compiled from
    /// this watchlist: a list may hold a million names.
    pub lists: Vec<Arc<List>>,
    pub agencies: Vec<AgencyDef>,
    pub actions: Vec<ActionDef>,
}

/// A user-defined agency or action as validation sees it.
struct Defined<'a> {
    /// "agency" or "action".
    kind: &'static str,
    id: &'a str,
    /// The taxonomy has an entry with this id.
    built_in: bool,
    /// Where it is defined, `file:line`.
    at: String,
    /// What it lacks ("names", "phrases"), if it has none of them.
    missing: Option<&'static str>,
}

impl Defined<'_> {
    /// Everything wrong with the definition; a valid, new id is recorded in
    /// `seen` (id → where), so a second definition names the first.
    fn problems(self, seen: &mut HashMap<String, String>) -> Vec<String> {
        let Defined {
            kind,
            id,
            built_in,
            at,
            missing,
        } = self;
        let mut out = Vec::new();
        if !valid_id(id) {
            out.push(format!(
                "{kind} id {id:?} is not valid: use lowercase letters, digits and '-'"
            ));
        } else if built_in {
            out.push(format!("{kind} id {id:?} is built in; choose another id"));
        } else if let Some(prev) = seen.insert(id.to_string(), at) {
            out.push(format!("{kind} id {id:?} is already defined at {prev}"));
        }
        if let Some(what) = missing {
            out.push(format!("{kind} {id:?} has no {what}"));
        }
        out
    }
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
            let (a, at) = (a.get_ref(), a.get_ref().id.span().start);
            let id = a.id.get_ref();
            let defined = Defined {
                kind: "agency",
                id,
                built_in: taxonomy.agency(id).is_some(),
                at: format!("{name}:{}", lines.line(at)),
                missing: a
                    .names
                    .iter()
                    .all(|n| n.trim().is_empty())
                    .then_some("names"),
            };
            for message in defined.problems(&mut agency_ids) {
                err(at, message);
            }
            wl.agencies.push(AgencyDef {
                id: id.clone(),
                names: a.names.clone(),
                not: a.not.clone(),
            });
        }
        for a in &raw.action {
            let (a, at) = (a.get_ref(), a.get_ref().id.span().start);
            let id = a.id.get_ref();
            let defined = Defined {
                kind: "action",
                id,
                built_in: taxonomy.action(id).is_some(),
                at: format!("{name}:{}", lines.line(at)),
                missing: a
                    .phrases
                    .iter()
                    .all(|n| n.trim().is_empty())
                    .then_some("phrases"),
            };
            for message in defined.problems(&mut action_ids) {
                err(at, message);
            }
            wl.actions.push(ActionDef {
                id: id.clone(),
                phrases: a.phrases.clone(),
                not: a.not.clone(),
            });
        }
    }

    // Lists next: global across files, like user-defined agencies.
    let mut list_ids: HashMap<String, String> = HashMap::new();
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
        for l in &raw.list {
            let l = l.get_ref();
            let id = l.id.get_ref();
            let at = l.id.span().start;
            if !valid_id(id) {
                err(
                    at,
                    format!("list id {id:?} is not valid: use lowercase letters, digits and '-'"),
                    false,
                );
            } else if let Some(prev) =
                list_ids.insert(id.clone(), format!("{name}:{}", lines.line(at)))
            {
                err(
                    at,
                    format!("list id {id:?} is already defined at {prev}"),
                    false,
                );
            }
            if l.companies.get_ref().is_empty() {
                err(
                    l.companies.span().start,
                    format!("list {id:?} is empty"),
                    false,
                );
            }
            let companies = companies_of(
                l.companies.get_ref(),
                &format!("list {id:?}"),
                &mut err,
                false,
            );
            wl.lists.push(Arc::new(List {
                id: id.clone(),
                companies,
                file: (*file).clone(),
                line: lines.line(at),
            }));
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
            let companies = match &r.companies {
                Some(cs) => {
                    if cs.get_ref().is_empty() {
                        err(
                            cs.span().start,
                            format!("rule {id:?}: companies is empty"),
                            false,
                        );
                    }
                    companies_of(cs.get_ref(), &format!("rule {id:?}"), &mut err, true)
                }
                None => Vec::new(),
            };
            if r.companies.is_none() && r.lists.is_empty() {
                err(
                    at,
                    format!("rule {id:?} has neither companies nor lists: it would watch nothing"),
                    false,
                );
            }
            for l in &r.lists {
                let lid = l.get_ref();
                if !list_ids.contains_key(lid) {
                    err(
                        l.span().start,
                        format!(
                            "rule {id:?}: unknown list {lid:?}{}",
                            did_you_mean(lid, list_ids.keys().map(String::as_str))
                        ),
                        false,
                    );
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
                lists: r.lists.iter().map(|l| l.get_ref().clone()).collect(),
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
    for l in &wl.lists {
        if !wl.rules.iter().any(|r| r.lists.contains(&l.id)) {
            diags.push(Diagnostic {
                file: l.file.display().to_string(),
                line: l.line,
                message: format!("list {:?} is used by no rule", l.id),
                warning: true,
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

/// Why a company name may be noisy, for `check`'s warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Noise {
    /// One Chinese or Japanese character.
    CjkSingle,
    /// Under three letters, all capitals (matched case-sensitively).
    ShortCaps,
    /// Under three letters.
    Short,
}

fn noise(n: &str) -> Option<Noise> {
    let letters = n.chars().filter(|c| c.is_alphanumeric()).count();
    if letters == 0 || letters >= 3 {
        return None;
    }
    // Chinese and Japanese write a name in few characters: two make a word.
    if super::lang::has_cjk(n) {
        (letters < 2).then_some(Noise::CjkSingle)
    } else if !n.chars().any(|c| c.is_lowercase()) {
        Some(Noise::ShortCaps)
    } else {
        Some(Noise::Short)
    }
}

/// The companies of a rule or list (`owner` names it in messages), with
/// every error reported at the company's line. A rule's noisy names are
/// warned about one by one (`each`); a list's, which may hold thousands,
/// in one warning per kind with a few examples.
fn companies_of(
    raw: &[toml::Spanned<RawCompany>],
    owner: &str,
    err: &mut impl FnMut(usize, String, bool),
    each: bool,
) -> Vec<Company> {
    let mut companies = Vec::with_capacity(raw.len());
    let mut common: Vec<String> = Vec::new();
    let mut short: Vec<String> = Vec::new();
    let mut first_line = None;
    for c in raw {
        let cat = c.span().start;
        let mut common_word_ok = false;
        let mut short_ok = false;
        let company = match c.get_ref() {
            RawCompany::Name(n) => Company {
                name: n.trim().to_string(),
                ..Company::default()
            },
            RawCompany::Full(f) => {
                for (key, value, ok) in [
                    ("common_word", &f.common_word, &mut common_word_ok),
                    ("short", &f.short, &mut short_ok),
                ] {
                    match value.as_deref() {
                        None => {}
                        Some("ok") => *ok = true,
                        Some(v) => err(
                            cat,
                            format!("{owner}: {key} = {v:?} is not valid: the only value is \"ok\" (the name is known to be {})", if key == "short" { "a short acronym" } else { "a common word" }),
                            false,
                        ),
                    }
                }
                let source_id = f.source_id.as_deref().map(str::trim);
                if source_id == Some("") {
                    err(
                        cat,
                        format!(
                            "{owner}: company {:?} has an empty source_id",
                            f.name.trim()
                        ),
                        false,
                    );
                }
                Company {
                    name: f.name.trim().to_string(),
                    aliases: f
                        .aliases
                        .iter()
                        .map(|a| a.trim().to_string())
                        .filter(|a| !a.is_empty())
                        .collect(),
                    source_id: source_id.filter(|s| !s.is_empty()).map(str::to_string),
                    common_word_ok,
                }
            }
        };
        if company.name.is_empty() {
            err(cat, format!("{owner}: a company has an empty name"), false);
        }
        for n in company.names() {
            if !n.is_empty() && !super::normalize::fold(n).chars().any(char::is_alphanumeric) {
                // Only invisible characters or punctuation: it could
                // never be found, or would be found everywhere.
                err(
                    cat,
                    format!("{owner}: company name {n:?} has no letters or digits once invisible characters and punctuation are set aside"),
                    false,
                );
                continue;
            }
            let n_noise = noise(n).filter(|_| !short_ok);
            let n_common = !common_word_ok && super::common_words::is_common_word(n);
            if !each {
                if n_noise.is_some() {
                    short.push(n.clone());
                }
                if n_common {
                    common.push(n.clone());
                }
                if (n_noise.is_some() || n_common) && first_line.is_none() {
                    first_line = Some(cat);
                }
                continue;
            }
            match n_noise {
                Some(Noise::CjkSingle) => err(
                    cat,
                    format!("{owner}: alias {n:?} is a single character and will be noisy"),
                    true,
                ),
                // Short all-caps aliases (VW, GE) are matched case-sensitively,
                // but still collide with other acronyms.
                Some(Noise::ShortCaps) => err(
                    cat,
                    format!("{owner}: alias {n:?} is under 3 letters and may be noisy"),
                    true,
                ),
                Some(Noise::Short) => err(
                    cat,
                    format!("{owner}: alias {n:?} is under 3 letters and will be noisy"),
                    true,
                ),
                None => {}
            }
            if n_common {
                err(cat, format!("{owner}: company {n:?} is also a common English word; only its capitalized, proper-noun uses match (`common_word = \"ok\"` on the company says you know)"), true);
            }
        }
        companies.push(company);
    }
    let examples = |names: &[String]| {
        let shown: Vec<String> = names.iter().take(3).map(|n| format!("{n:?}")).collect();
        format!(
            "{}{}",
            shown.join(", "),
            if names.len() > 3 { ", ..." } else { "" }
        )
    };
    // "1 name is", "4 names are".
    let names = |n: usize| {
        if n == 1 {
            "1 name is".to_string()
        } else {
            format!("{n} names are")
        }
    };
    if let Some(at) = first_line {
        if !common.is_empty() {
            err(at, format!("{owner}: {} ({}); in a list such a name alone fires only when the article also names the company another way (its full name, with a legal form); `common_word = \"ok\"` on a company matches it like a rule's", if common.len() == 1 { "1 name is a common English word".to_string() } else { format!("{} names are common English words", common.len()) }, examples(&common)), true);
        }
        if !short.is_empty() {
            err(at, format!("{owner}: {} under 3 letters ({}) and may be noisy; `short = \"ok\"` on a company says you know", names(short.len()), examples(&short)), true);
        }
    }
    companies
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
    fn user_defined_agencies_and_actions_are_checked_alike() {
        let src = "\
[[agency]]
id = \"Bad Id\"
names = [\"X Office\"]
[[agency]]
id = \"us-treasury\"
names = [\"Y\"]
[[agency]]
id = \"xx-board\"
names = [\"Board\"]
[[agency]]
id = \"xx-board\"
names = [\" \"]
[[action]]
id = \"sanction\"
phrases = [\"z\"]
[[action]]
id = \"xx-probe\"
phrases = []
[[action]]
id = \"xx-probe\"
phrases = [\"probe\"]
";
        let text: Vec<String> = parse_one(src)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            text,
            [
                "w.toml:2: agency id \"Bad Id\" is not valid: use lowercase letters, digits and '-'",
                "w.toml:5: agency id \"us-treasury\" is built in; choose another id",
                "w.toml:11: agency id \"xx-board\" is already defined at w.toml:8",
                "w.toml:11: agency \"xx-board\" has no names",
                "w.toml:14: action id \"sanction\" is built in; choose another id",
                "w.toml:17: action \"xx-probe\" has no phrases",
                "w.toml:20: action id \"xx-probe\" is already defined at w.toml:17",
            ]
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
