//! A deterministic workload for measuring the matcher at scale, shared by
//! `benches/matcher.rs` and `examples/matcher_scale.rs` (both include this
//! file with `#[path]`; `examples/bench_produce.rs` of the daemon too).
//! Long because of its template and syllable tables, which are data.
//!
//! - A watchlist of `rules` rules, each watching [`COMPANIES_PER_RULE`]
//!   companies with one name and about one alias each (10,000 rules give
//!   about 100,000 names and aliases), generated from syllable tables
//!   ("Norvex Holdings", "Altamira Logistics AG"), written as TOML text and
//!   parsed and validated by the real loader.
//! - About 3 KB wire-style articles built from templates: most are market,
//!   earnings and business news that name unwatched and, often, watched
//!   companies in passing; some report an agency acting against a watched
//!   company (they should fire that company's rule); some are near misses
//!   (the company quoted as a source, or company and agency in unrelated
//!   paragraphs).
//! - The naive baseline: one case-insensitive regex of company names per
//!   rule, run over every article.
//! - A multilingual variant ([`lang`]): the same watchlist with native-script
//!   aliases for some companies, and articles in nine languages.
//!
//! Everything is seeded, so every run measures the same input.

pub mod lang;

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use regex::Regex;
use wirewatch_matcher::article::Article;
use wirewatch_matcher::common_words::is_common_word;
use wirewatch_matcher::watchlist;
use wirewatch_matcher::{Matcher, Taxonomy, Watchlist};

/// The seed of every generator here.
pub const SEED: u64 = 0x5749_5245_5741_5443;
/// The watchlist size the issue asks about.
pub const RULES: usize = 10_000;
pub const COMPANIES_PER_RULE: usize = 5;
/// Companies that appear in the news but are on no watchlist.
pub const UNWATCHED_COMPANIES: usize = 5_000;
/// The target size of an article (title + body), in bytes.
pub const ARTICLE_BYTES: usize = 3_000;

/// Built-in agencies, with names the press uses for them (all in
/// `taxonomy/agencies.toml`).
pub const AGENCIES: &[(&str, &[&str])] = &[
    (
        "us-commerce",
        &[
            "U.S. Commerce Department",
            "Commerce Department",
            "Bureau of Industry and Security",
        ],
    ),
    (
        "us-treasury",
        &[
            "U.S. Treasury Department",
            "Treasury Department",
            "Office of Foreign Assets Control",
        ],
    ),
    (
        "us-justice",
        &[
            "U.S. Justice Department",
            "Justice Department",
            "Department of Justice",
        ],
    ),
    ("us-sec", &["Securities and Exchange Commission", "SEC"]),
    ("us-ftc", &["Federal Trade Commission", "FTC"]),
    ("us-fcc", &["Federal Communications Commission", "FCC"]),
    ("us-state", &["State Department", "U.S. State Department"]),
    (
        "us-cfius",
        &[
            "Committee on Foreign Investment in the United States",
            "CFIUS",
        ],
    ),
    ("eu-commission", &["European Commission", "EU Commission"]),
    (
        "eu-council",
        &["Council of the European Union", "EU Council"],
    ),
    (
        "uk-ofsi",
        &["Office of Financial Sanctions Implementation", "OFSI"],
    ),
    ("uk-cma", &["Competition and Markets Authority", "CMA"]),
    ("uk-fca", &["Financial Conduct Authority", "FCA"]),
    (
        "un-security-council",
        &["UN Security Council", "United Nations Security Council"],
    ),
    ("cn-mofcom", &["Ministry of Commerce", "MOFCOM"]),
];

/// Built-in actions, each with sentences in which an agency (`{A}`) acts
/// against a company (`{C}`); `{X}` is another company, `{P}` a product,
/// `{R}` a region, `{N}` a number from 2 to 98, `{n}` a digit, `{D}` a
/// weekday.
pub const ACTIONS: &[(&str, &[&str])] = &[
    (
        "sanction",
        &[
            "The {A} imposed sanctions on {C} on {D}, accusing it of helping buyers in {R} evade trade limits.",
            "{C} was sanctioned by the {A} on {D} over its dealings with state-owned firms in {R}.",
        ],
    ),
    (
        "export-control",
        &[
            "The {A} added {C} to the Entity List on {D}, citing national security concerns over its {P}.",
            "The {A} imposed export restrictions on {C} on {D}, cutting off its access to {P} from {R}.",
        ],
    ),
    (
        "ban",
        &[
            "The {A} banned {C} from selling its {P} in the country on {D}, citing security risks.",
            "{C} was barred by the {A} on {D} from bidding for public contracts for {N} years.",
        ],
    ),
    (
        "fine",
        &[
            "The {A} fined {C} ${N} million on {D} for failing to disclose risks in its {P} business.",
            "{C} was fined ${N} million by the {A} on {D} for misleading customers in {R}.",
        ],
    ),
    (
        "lawsuit",
        &[
            "The {A} sued {C} on {D}, alleging the company misled investors about demand for its {P}.",
            "The {A} filed a lawsuit against {C} on {D} over its planned purchase of {X}.",
        ],
    ),
    (
        "investigation",
        &[
            "The {A} opened an investigation into {C} on {D} over its pricing of {P} in {R}.",
            "{C} is under investigation by the {A} over payments to officials in {R}, people familiar with the matter said.",
        ],
    ),
    (
        "exit",
        &[
            "{C} will exit {R} after the {A} ordered it to divest its {P} unit, it said on {D}.",
            "{C} pulled out of {R} on {D} after the {A} refused to renew its operating licence.",
        ],
    ),
    (
        "acquisition",
        &[
            "The {A} cleared the acquisition of {X} by {C} on {D}, subject to the sale of its {P} business.",
            "The {A} said on {D} it would review the takeover of {X} by {C} before approving the deal.",
        ],
    ),
    (
        "breach",
        &[
            "The {A} said on {D} that hackers had breached {C} and stolen data on {N} million customers.",
            "{C} disclosed a data breach to the {A} on {D}, saying records of {N} million users in {R} were exposed.",
        ],
    ),
];

const ONSETS: &[&str] = &[
    "Nor", "Al", "Tav", "Vel", "Kor", "Zan", "Bel", "Cal", "Dra", "Es", "Fin", "Gal", "Hal", "Ix",
    "Jor", "Kal", "Lum", "Mar", "Nex", "Or", "Pra", "Quin", "Ros", "Sol", "Tor", "Ul", "Val",
    "Wes", "Xan", "Yor", "Zel", "Ar", "Bra", "Cor", "Dal", "El", "Fer", "Gra", "Hel", "Iv", "Kes",
    "Lor", "Mon", "Nav", "Op", "Per", "Ren", "Sar", "Tel", "Ver", "Am", "Bor", "Cen", "Dor", "Ev",
    "Gor", "Hor", "Lin", "Mer", "Pol",
];
const MIDDLES: &[&str] = &[
    "a", "e", "i", "o", "u", "ar", "el", "en", "er", "in", "is", "on", "or", "an", "al", "et",
    "ia", "io", "ta", "ri", "li", "mi", "ne", "ro",
];
const CODAS: &[&str] = &[
    "vex", "mira", "tron", "dia", "lis", "nova", "tek", "ron", "via", "gen", "tis", "ma", "dex",
    "lon", "ria", "sys", "tar", "zon", "cor", "ium", "nis", "ton", "vell", "dane", "mont", "gard",
    "berg", "stad", "holm", "ford", "field", "wick", "ley", "ssa", "xis", "nex", "lux", "tera",
    "quest", "pex", "rix", "ven", "sor", "tia", "lia", "mar", "dor", "ris", "vio", "zar", "ko",
    "na", "ta", "lo", "ga", "do", "vo", "ska", "tec", "vian",
];
const SECTORS: &[&str] = &[
    "Holdings",
    "Logistics",
    "Systems",
    "Technologies",
    "Group",
    "Industries",
    "Energy",
    "Capital",
    "Pharma",
    "Mining",
    "Semiconductor",
    "Networks",
    "Telecom",
    "Shipping",
    "Motors",
    "Chemicals",
    "Biotech",
    "Robotics",
    "Aerospace",
    "Defense",
    "Software",
    "Electronics",
    "Materials",
    "Foods",
    "Steel",
    "Bank",
    "Insurance",
    "Airlines",
    "Resources",
    "Microsystems",
    "Instruments",
    "Dynamics",
];
const LEGAL: &[&str] = &[
    "AG", "SA", "Ltd", "Inc", "plc", "GmbH", "NV", "SE", "Corp", "LLC", "AB", "ASA", "SpA", "Oyj",
];
const FIRST_NAMES: &[&str] = &[
    "Anna", "James", "Maria", "Wei", "Olga", "David", "Priya", "Lars", "Sofia", "Kenji", "Fatima",
    "Peter", "Elena", "Tom", "Ines", "Marco", "Yuki", "Carlos", "Hannah", "Ravi",
];
const LAST_NAMES: &[&str] = &[
    "Keller",
    "Novak",
    "Tanaka",
    "Moreau",
    "Schmidt",
    "Rossi",
    "Larsen",
    "Okafor",
    "Ivanova",
    "Chen",
    "Patel",
    "Duarte",
    "Lindqvist",
    "Brennan",
    "Haddad",
    "Kowalski",
    "Weber",
    "Sato",
];
const CITIES: &[&str] = &[
    "London",
    "Frankfurt",
    "Tokyo",
    "Singapore",
    "New York",
    "Zurich",
    "Seoul",
    "Paris",
    "Toronto",
    "Sydney",
    "Hong Kong",
    "Stockholm",
    "Milan",
    "Madrid",
];
const REGIONS: &[&str] = &[
    "Europe",
    "Asia",
    "North America",
    "Latin America",
    "the Middle East",
    "Africa",
    "Southeast Asia",
    "the Nordic region",
    "China",
    "Russia",
    "Iran",
    "India",
];
const PRODUCTS: &[&str] = &[
    "chips",
    "surveillance cameras",
    "telecom equipment",
    "batteries",
    "drones",
    "cloud services",
    "payment services",
    "industrial robots",
    "solar panels",
    "medical devices",
    "cargo vessels",
    "satellite links",
    "software",
    "steel pipes",
    "fertilizers",
    "jet engines",
];
const INDEXES: &[&str] = &[
    "Stoxx 600",
    "FTSE 100",
    "Nikkei 225",
    "S&P 500",
    "DAX",
    "Hang Seng",
    "MSCI World",
];
const WEEKDAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Sentences of ordinary business news. `{U}` and `{V}` are unwatched
/// companies; `{W}` is a watched company named in passing (replaced by an
/// unwatched one when the article has none); `{F}` a person; `{T}` a city;
/// `{I}` an index; `{M}` a month; the rest as in [`ACTIONS`].
const FILLER: &[&str] = &[
    "Shares of {U} rose {n}.{n}% to ${N}.{N} in {T} trading on {D}, outpacing the broader {I} index.",
    "{U} said revenue for the third quarter climbed {N}% to ${N} million, ahead of analyst estimates.",
    "The company expects demand for its {P} to remain strong through the end of the year, chief executive {F} told reporters.",
    "Analysts at {V} said the outlook for makers of {P} had improved after {N} consecutive quarters of falling margins.",
    "Treasury yields edged higher as investors weighed fresh data on inflation and consumer spending in {R}.",
    "{U} and {V} agreed in {M} to form a joint venture to develop {P} for customers in {R}.",
    "The deal, which still needs the approval of shareholders, would create one of the largest suppliers of {P} in {R}.",
    "Supply chain disruptions in {R} have weighed on deliveries of {P}, according to {V}.",
    "{F}, a spokesperson for {U}, declined to comment on the report.",
    "Trading volumes were light ahead of a public holiday in {T}, dealers said.",
    "The {T}-based group employs about {N}00 people and operates {n} plants across {R}.",
    "Investors will be watching the central bank's next policy meeting in {M} for signs of further rate cuts.",
    "Freight rates on the main routes between {R} and {T} fell for a third straight week.",
    "{W} plans to open a new plant for {P} near {T} next year, creating about {N}00 jobs.",
    "{W} reported a {N}% rise in quarterly orders for {P}, helped by strong demand in {R}.",
    "Executives at {W} said on a call with analysts that pricing for {P} had stabilised since {M}.",
    "{W} named {F} as its new chief financial officer, effective in {M}.",
    "The stock has gained {N}% so far this year, compared with a {n}.{n}% rise in the {I}.",
    "Rating agencies have kept a stable outlook on the sector despite weaker demand for {P} in {R}.",
    "Competition from lower-cost producers in {R} has squeezed margins for {P}, {F} wrote in a note to clients.",
    "The results were published before the market opened in {T}, and the shares moved little in early trading.",
    "{U} has been expanding in {R}, where it now sells {P} to more than {N}00 customers.",
    "Industry groups have called for clearer rules on {P}, saying uncertainty is delaying investment.",
    "Officials in {T} said they would publish new guidance on {P} by the end of {M}.",
];

/// Headlines of ordinary business news.
const HEADLINES: &[&str] = &[
    "{U} shares climb as demand for {P} holds up",
    "{U} lifts outlook on strong orders from {R}",
    "{W} to build new {P} plant near {T}",
    "Markets in {T} edge higher ahead of central bank meeting",
    "{U} and {V} team up on {P} for {R}",
    "Demand for {P} in {R} slows, {U} says",
    "{W} names {F} as finance chief",
];

/// A watched or unwatched company as generated.
#[derive(Debug, Clone)]
pub struct Company {
    pub name: String,
    pub aliases: Vec<String>,
    /// An alias in Cyrillic, Chinese or katakana (multilingual workload only).
    pub native: Option<lang::Native>,
}

impl Company {
    /// The name and every alias, native one included.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str())
            .chain(self.aliases.iter().map(String::as_str))
            .chain(self.native.iter().map(|n| n.text.as_str()))
    }
}

/// A generated rule: companies (indexes into [`Generated::companies`]),
/// agency and action ids.
#[derive(Debug, Clone)]
pub struct RuleSpec {
    pub id: String,
    pub companies: Vec<usize>,
    pub agencies: Vec<&'static str>,
    pub actions: Vec<&'static str>,
    /// Whether the rule has an `exclude` list.
    pub exclude: bool,
    pub severity: &'static str,
}

/// What kind of article a generated article is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An agency acts against a watched company: should fire `rule`.
    Event { rule: usize },
    /// A watched company with an agency and an action, but quoted as the
    /// source, or with the action about another company in another paragraph.
    NearMiss,
    /// Ordinary business news, sometimes naming watched companies in passing.
    Background,
}

/// The generated watchlist, as data and as TOML text.
pub struct Generated {
    pub companies: Vec<Company>,
    pub unwatched: Vec<Company>,
    pub rules: Vec<RuleSpec>,
    pub toml: String,
}

impl Generated {
    /// Every name and alias of every watched company.
    pub fn name_count(&self) -> usize {
        self.companies.iter().map(|c| c.names().count()).sum()
    }

    /// Parses and validates the TOML text with the real loader.
    pub fn parse(&self) -> Watchlist {
        let sources = vec![(PathBuf::from("scale.toml"), self.toml.clone())];
        match watchlist::parse(&sources, Taxonomy::builtin()) {
            Ok((wl, _warnings)) => wl,
            Err(diags) => {
                let shown: Vec<String> = diags.iter().take(5).map(|d| d.to_string()).collect();
                panic!("generated watchlist is invalid:\n{}", shown.join("\n"))
            }
        }
    }
}

/// Compiles a parsed watchlist against the built-in taxonomy.
pub fn compile(wl: &Watchlist) -> Matcher {
    Matcher::compile(wl, Taxonomy::builtin())
}

fn stem(rng: &mut StdRng) -> String {
    let mut s = String::from(*ONSETS.choose(rng).unwrap());
    if rng.gen_bool(0.85) {
        s.push_str(MIDDLES.choose(rng).unwrap());
    }
    s.push_str(CODAS.choose(rng).unwrap());
    s
}

/// `n` companies with fresh stems (none a common word, none in `seen`),
/// each with about one alias; also used by `examples/list_scale.rs`.
pub fn make_companies(rng: &mut StdRng, n: usize, seen: &mut HashSet<String>) -> Vec<Company> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let stem = stem(rng);
        if stem.len() < 5 || is_common_word(&stem) || !seen.insert(stem.to_lowercase()) {
            continue;
        }
        let sector = *SECTORS.choose(rng).unwrap();
        let name = if rng.gen_bool(0.4) {
            format!("{stem} {sector} {}", LEGAL.choose(rng).unwrap())
        } else {
            format!("{stem} {sector}")
        };
        // About one alias per company: the bare stem ("Norvex"), or the
        // stem with a group word ("Norvex Group").
        let aliases = match rng.gen_range(0..10) {
            0 => vec![],
            1 => vec![stem.clone(), format!("{stem} International")],
            2..=6 => vec![stem.clone()],
            _ => vec![format!("{stem} Group")],
        };
        // "Norvex Group" as a name would make its alias a duplicate.
        let aliases = aliases.into_iter().filter(|a| *a != name).collect();
        out.push(Company {
            name,
            aliases,
            native: None,
        });
    }
    out
}

/// The watchlist: `rules` rules of [`COMPANIES_PER_RULE`] companies, plus
/// [`UNWATCHED_COMPANIES`] companies for the news to mention.
pub fn generate(seed: u64, rules: usize) -> Generated {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut seen = HashSet::new();
    let companies = make_companies(&mut rng, rules * COMPANIES_PER_RULE, &mut seen);
    let unwatched = make_companies(&mut rng, UNWATCHED_COMPANIES, &mut seen);
    let agency_ids: Vec<&'static str> = AGENCIES.iter().map(|a| a.0).collect();
    let action_ids: Vec<&'static str> = ACTIONS.iter().map(|a| a.0).collect();
    let mut specs = Vec::with_capacity(rules);
    for r in 0..rules {
        let members: Vec<usize> = (r * COMPANIES_PER_RULE..(r + 1) * COMPANIES_PER_RULE).collect();
        // One in five rules watches any actor.
        let agencies: Vec<&'static str> = if rng.gen_bool(0.2) {
            vec![]
        } else {
            let n = rng.gen_range(1..=3);
            agency_ids.choose_multiple(&mut rng, n).copied().collect()
        };
        let n = rng.gen_range(1..=3);
        let actions: Vec<&'static str> = action_ids.choose_multiple(&mut rng, n).copied().collect();
        let exclude = rng.gen_bool(0.05);
        let severity = *["low", "medium", "high", "critical"]
            .choose(&mut rng)
            .unwrap();
        specs.push(RuleSpec {
            id: format!("scale-{r:05}"),
            companies: members,
            agencies,
            actions,
            exclude,
            severity,
        });
    }
    let toml = render_toml(&companies, &specs);
    Generated {
        companies,
        unwatched,
        rules: specs,
        toml,
    }
}

/// The watchlist TOML of `specs` over `companies`.
fn render_toml(companies: &[Company], specs: &[RuleSpec]) -> String {
    let quoted = |items: &mut dyn Iterator<Item = &str>| {
        items
            .map(|i| format!("{i:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut toml = String::with_capacity(specs.len() * 420);
    for (r, spec) in specs.iter().enumerate() {
        let _ = writeln!(toml, "[[rule]]\nid = \"{}\"", spec.id);
        let _ = writeln!(
            toml,
            "description = \"Generated rule {r} for the scale benchmark\""
        );
        toml.push_str("companies = [\n");
        for &c in &spec.companies {
            let c = &companies[c];
            let aliases = quoted(&mut c.names().skip(1));
            let _ = writeln!(toml, "  {{ name = {:?}, aliases = [{aliases}] }},", c.name);
        }
        toml.push_str("]\n");
        if !spec.agencies.is_empty() {
            let _ = writeln!(
                toml,
                "agencies = [{}]",
                quoted(&mut spec.agencies.iter().copied())
            );
        }
        let _ = writeln!(
            toml,
            "actions = [{}]",
            quoted(&mut spec.actions.iter().copied())
        );
        if spec.exclude {
            toml.push_str("exclude = [\"exit polls\", \"mock trial\"]\n");
        }
        let _ = writeln!(toml, "severity = \"{}\"\n", spec.severity);
    }
    toml
}

/// One way of referring to a company in text: its name or one of its aliases.
fn mention<'a>(rng: &mut StdRng, c: &'a Company) -> &'a str {
    if c.aliases.is_empty() || rng.gen_bool(0.5) {
        &c.name
    } else {
        c.aliases.choose(rng).unwrap()
    }
}

struct Writer<'a> {
    g: &'a Generated,
    rng: StdRng,
}

impl Writer<'_> {
    fn unwatched(&mut self) -> String {
        let c = self.g.unwatched.choose(&mut self.rng).unwrap();
        mention(&mut self.rng, c).to_string()
    }

    fn watched(&mut self) -> String {
        let c = self.g.companies.choose(&mut self.rng).unwrap();
        mention(&mut self.rng, c).to_string()
    }

    /// Fills a template. `watched` is used for `{W}` and `{C}`.
    fn fill(&mut self, template: &str, watched: Option<&str>, agency: &str) -> String {
        let mut out = String::with_capacity(template.len() + 64);
        let mut chars = template.chars();
        while let Some(c) = chars.next() {
            if c != '{' {
                out.push(c);
                continue;
            }
            let key = chars.next().unwrap_or(' ');
            chars.next(); // '}'
            let rng = &mut self.rng;
            match key {
                'U' | 'V' | 'X' => {
                    let u = self.unwatched();
                    out.push_str(&u);
                }
                'W' | 'C' => match watched {
                    Some(w) => out.push_str(w),
                    None => {
                        let u = self.unwatched();
                        out.push_str(&u);
                    }
                },
                'A' => out.push_str(agency),
                'F' => {
                    let _ = write!(
                        out,
                        "{} {}",
                        FIRST_NAMES.choose(rng).unwrap(),
                        LAST_NAMES.choose(rng).unwrap()
                    );
                }
                'T' => out.push_str(CITIES.choose(rng).unwrap()),
                'R' => out.push_str(REGIONS.choose(rng).unwrap()),
                'P' => out.push_str(PRODUCTS.choose(rng).unwrap()),
                'I' => out.push_str(INDEXES.choose(rng).unwrap()),
                'D' => out.push_str(WEEKDAYS.choose(rng).unwrap()),
                'M' => out.push_str(MONTHS.choose(rng).unwrap()),
                'N' => {
                    let _ = write!(out, "{}", rng.gen_range(2..99));
                }
                'n' => {
                    let _ = write!(out, "{}", rng.gen_range(1..10));
                }
                other => out.push(other),
            }
        }
        out
    }

    /// A filler sentence; `{W}` names a watched company with probability `p_watched`.
    fn filler(&mut self, p_watched: f64) -> String {
        let t = *FILLER.choose(&mut self.rng).unwrap();
        let w = self.rng.gen_bool(p_watched).then(|| self.watched());
        self.fill(t, w.as_deref(), "")
    }

    /// Paragraphs of 2 to 4 filler sentences until the body reaches `target` bytes.
    fn body(&mut self, mut body: String, target: usize, p_watched: f64) -> String {
        let mut left = 0;
        while body.len() < target {
            if left == 0 {
                if !body.is_empty() {
                    body.push_str("\n\n");
                }
                left = self.rng.gen_range(2..=4);
            } else {
                body.push(' ');
            }
            let s = self.filler(p_watched);
            body.push_str(&s);
            left -= 1;
        }
        body
    }

    fn article(&mut self, id: usize, kind: Kind) -> Article {
        let (title, lead, p_watched) = match kind {
            Kind::Event { rule } => {
                let g = self.g;
                let spec = &g.rules[rule];
                let company = &g.companies[*spec.companies.choose(&mut self.rng).unwrap()];
                let name = mention(&mut self.rng, company).to_string();
                let agency_id = *spec
                    .agencies
                    .choose(&mut self.rng)
                    .unwrap_or(&AGENCIES.choose(&mut self.rng).unwrap().0);
                let action_id = *spec.actions.choose(&mut self.rng).unwrap();
                let agency = *agency_names(agency_id).choose(&mut self.rng).unwrap();
                let template = *action_templates(action_id).choose(&mut self.rng).unwrap();
                let lead = self.fill(template, Some(&name), agency);
                let title = format!("{name} faces action by {agency}");
                let follow = self.fill(
                    "The company said it would cooperate with the authorities and review its {P} business in {R}.",
                    None,
                    "",
                );
                (title, format!("{lead} {follow}"), 0.1)
            }
            Kind::NearMiss => {
                let name = self.watched();
                let (_, names) = *AGENCIES.choose(&mut self.rng).unwrap();
                let agency = *names.choose(&mut self.rng).unwrap();
                let (_, templates) = *ACTIONS.choose(&mut self.rng).unwrap();
                let template = *templates.choose(&mut self.rng).unwrap();
                let headline = *HEADLINES.choose(&mut self.rng).unwrap();
                let title = self.fill(headline, None, "");
                let body = if self.rng.gen_bool(0.5) {
                    // The watched company is only the source of the news.
                    let event = self.fill(template, None, agency);
                    let source = self.fill(
                        "Analysts at {W} said the move could weigh on suppliers of {P} in {R}.",
                        Some(&name),
                        "",
                    );
                    format!("{event} {source}")
                } else {
                    // The watched company in passing, the event about another one.
                    let passing = self.fill(
                        "{W} reported a {N}% rise in quarterly orders for {P}, helped by strong demand in {R}.",
                        Some(&name),
                        "",
                    );
                    let between = self.filler(0.0);
                    let event = self.fill(template, None, agency);
                    format!("{passing}\n\n{between}\n\n{event}")
                };
                (title, body, 0.1)
            }
            Kind::Background => {
                let w = self.rng.gen_bool(0.3).then(|| self.watched());
                let headline = *HEADLINES.choose(&mut self.rng).unwrap();
                (self.fill(headline, w.as_deref(), ""), String::new(), 0.15)
            }
        };
        let body = self.body(lead, ARTICLE_BYTES.saturating_sub(title.len()), p_watched);
        Article {
            id: format!("scale-{id:06}"),
            title,
            body,
            url: None,
            source: None,
            published_at: None,
            language: None,
        }
    }
}

/// The names of a built-in agency used in generated text.
pub fn agency_names(id: &str) -> &'static [&'static str] {
    AGENCIES.iter().find(|a| a.0 == id).map_or(&[], |a| a.1)
}

/// The event sentences of a built-in action.
pub fn action_templates(id: &str) -> &'static [&'static str] {
    ACTIONS.iter().find(|a| a.0 == id).map_or(&[], |a| a.1)
}

/// The kind of the next article: 10% events against a random rule's
/// company, 10% near misses, 80% background news.
pub fn draw_kind(rng: &mut StdRng, g: &Generated) -> Kind {
    match rng.gen_range(0..10) {
        0 => Kind::Event {
            rule: rng.gen_range(0..g.rules.len()),
        },
        1 => Kind::NearMiss,
        _ => Kind::Background,
    }
}

/// `n` articles of about [`ARTICLE_BYTES`] each: 10% events against a
/// watched company, 10% near misses, 80% background news that names
/// watched companies in passing now and then (about 70% of all articles
/// name at least one watched company, 1.6 mentions per article on average).
pub fn articles(g: &Generated, seed: u64, n: usize) -> Vec<(Article, Kind)> {
    let mut w = Writer {
        g,
        rng: StdRng::seed_from_u64(seed ^ 0xA871_C1E5),
    };
    (0..n)
        .map(|i| {
            let kind = draw_kind(&mut w.rng, g);
            (w.article(i, kind), kind)
        })
        .collect()
}

/// The bytes of text an article brings to the matcher.
pub fn text_bytes(a: &Article) -> usize {
    a.title.len() + a.body.len()
}

/// The naive baseline: per rule, one case-insensitive regex of its company
/// names and aliases on word boundaries; a rule "hits" an article when its
/// regex matches the title or the body. It only finds company mentions:
/// no agencies, actions, look-alikes or evidence, so it does less than the
/// matcher.
pub struct Baseline {
    regexes: Vec<Regex>,
}

impl Baseline {
    pub fn build(g: &Generated) -> Baseline {
        let regexes = g
            .rules
            .iter()
            .map(|r| {
                let names: Vec<String> = r
                    .companies
                    .iter()
                    .flat_map(|&c| g.companies[c].names())
                    .map(regex::escape)
                    .collect();
                Regex::new(&format!(r"(?i)\b({})\b", names.join("|"))).expect("valid regex")
            })
            .collect();
        Baseline { regexes }
    }

    /// How many rules' regexes match the article.
    pub fn hits(&self, a: &Article) -> usize {
        self.regexes
            .iter()
            .filter(|re| re.is_match(&a.title) || re.is_match(&a.body))
            .count()
    }
}
