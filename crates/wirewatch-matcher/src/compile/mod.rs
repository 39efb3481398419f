//! Compiling a watchlist and the taxonomy into phrase indexes:
//!
//! - one over folded text (`phrases.rs`): every company name, English
//!   taxonomy phrase and exclude, looked up from word starts, so the cost
//!   of matching an article grows with its length and its hits, not with
//!   the number of rules. The rare phrase a word walk cannot find (one
//!   starting with punctuation, say) goes into a small Aho-Corasick
//!   automaton instead;
//! - one per stemmed language over keyed text (`lang.rs`): that language's
//!   taxonomy phrases, plus one shared index of every company name's keys;
//! - one of Latin names by transliteration, for Cyrillic text;
//! - one Aho-Corasick automaton of Chinese and Japanese phrases and names,
//!   matched as character sequences.
//!
//! Named lists are shared, not copied: each list some rule uses is indexed
//! once, its names as [`Target::Listed`] entries numbered across lists,
//! and the scan turns a listed name's occurrence into one company
//! occurrence per rule using the list (`Matcher::list_rules`). A million
//! names shared by several rules cost the memory of a million names. Every
//! company name is also indexed in the forms the press writes it
//! ([`crate::names::variants`]: legal form optional, inverted register
//! names reordered).
//!
//! The pieces: `entry` (what a pattern stands for), `builder` (which
//! index each phrase goes to) and, here, the [`Matcher`] and its
//! compilation from a watchlist and the taxonomy.
//!
//! Invariants: a [`Matcher`] is immutable once compiled (a new watchlist
//! is a new matcher, swapped in whole); compiling never fails, since the
//! watchlist was validated against the same taxonomy and ids that do not
//! resolve are skipped; agency and action indexes are those of the
//! taxonomy's tables followed by the watchlist's own.

use std::borrow::Cow;
use std::sync::Arc;

use aho_corasick::AhoCorasick;

use crate::common_words::is_common_word;
use crate::grammar::Grammar;
use crate::hit::ActionStatus;
use crate::lang::{Lang, TranslitIndex};
use crate::phrases::PhraseIndex;
use crate::taxonomy::Taxonomy;
use crate::watchlist::{Company, List, Rule, Watchlist};

mod builder;
mod entry;

use builder::{Builder, NameKeys};
pub use entry::{CaseRule, CompanyId, Entry, GapPart, Target};

/// A compiled rule: indexes into the matcher's agency, action and list
/// tables.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    pub rule: Rule,
    /// What decides the rule's hits, hashed: see [`Matcher::rule_fingerprint`].
    pub fingerprint: u64,
    pub agencies: Vec<u32>,
    pub actions: Vec<u32>,
    /// Indexes into `Matcher::lists` of the lists the rule watches.
    pub lists: Vec<u32>,
}

/// The compiled form of a watchlist plus the taxonomy. Immutable; build a
/// new one to change rules, and swap it in.
#[derive(Debug)]
pub struct Matcher {
    /// Every phrase that can be found from word starts: company names,
    /// taxonomy phrases, excludes.
    pub(super) phrases: PhraseIndex<Entry>,
    /// The others, if any, and what each of its patterns stands for (one
    /// folded phrase may stand for several things).
    pub(super) automaton: Option<AhoCorasick>,
    pub(super) entries: Vec<Vec<Entry>>,
    pub(super) rules: Vec<CompiledRule>,
    /// The named lists some rule uses, shared with the watchlist (never
    /// copied), each indexed once: their names are [`Target::Listed`]
    /// entries, numbered across lists.
    pub(super) lists: Vec<Arc<List>>,
    /// `list_starts[l]`: the number of list `l`'s first entry (and one past
    /// the last list's last).
    pub(super) list_starts: Vec<u32>,
    /// Per list, the rules that use it, in order: a listed name's
    /// occurrence stands for one company occurrence per such rule.
    pub(super) list_rules: Vec<Vec<u32>>,
    pub(super) agency_ids: Vec<String>,
    pub(super) action_ids: Vec<String>,
    /// The later parts of gap phrases.
    pub(super) gaps: Vec<Vec<GapPart>>,
    /// Context cues (status, negators, enumerations, references to
    /// agencies, governments): needed only near a company mention, so
    /// looked up only in those sentences ([`Target::is_context`]).
    pub(super) context: PhraseIndex<Entry>,
    /// Per stemmed language, its context cues as keys.
    pub(super) keyed_context: Vec<(Lang, PhraseIndex<Entry>)>,
    /// Per stemmed language, its taxonomy phrases as keys.
    pub(super) keyed: Vec<(Lang, PhraseIndex<Entry>)>,
    /// Every company name's keys, under every language's stemmer.
    pub(super) keyed_names: PhraseIndex<Entry>,
    /// Latin company names, found in Cyrillic text.
    pub(super) translit: TranslitIndex<Entry>,
    /// Chinese and Japanese phrases and names, as character sequences.
    pub(super) cjk: Option<AhoCorasick>,
    pub(super) cjk_entries: Vec<Vec<Entry>>,
    /// Per agency, the actions its instruments stand for.
    pub(super) instrument_actions: Vec<Vec<u32>>,
    /// Per government, (action, agency that takes it for the government).
    pub(super) government_acts: Vec<Vec<(u32, u32)>>,
    /// Per action, its status when no cue gives one.
    pub(super) default_status: Vec<ActionStatus>,
    /// The grammar words the evaluation applies besides the phrases.
    pub(super) grammar: Grammar,
}

/// Company names that, when a watched name is a common word, show the
/// common sense ("shell companies", "orange juice"). Built in.
const COMPANY_SENSES: &str = include_str!("../../taxonomy/senses.toml");

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Senses {
    not: Vec<String>,
}

/// Adds every name of a company to the indexes under `target`, each also
/// in the forms the press writes it ([`crate::names::variants`]: without
/// its legal form, an inverted name in the press's order). A form that is
/// a common word once its legal form is off proves nothing alone
/// ([`Entry::weak`]); so does a list entry's name that is a common word,
/// unless the list says `common_word = "ok"`: a list is bulk data, not
/// names an analyst picked one by one.
fn add_company(b: &mut Builder, c: &Company, target: Target, listed: bool) {
    for f in forms(c, listed) {
        b.add_name(&f.text, target, f.common, f.weak);
    }
}

/// A name of a company as [`add_company`] adds it: the name or one of its
/// press forms, and whether it is a common word and weak.
struct Form<'c> {
    text: Cow<'c, str>,
    common: bool,
    weak: bool,
}

/// Every name of `c` and, after each, its press forms.
fn forms(c: &Company, listed: bool) -> Vec<Form<'_>> {
    let mut out = Vec::new();
    for n in c.names() {
        let common = is_common_word(n);
        out.push(Form {
            text: Cow::Borrowed(n),
            common,
            weak: listed && common && !c.common_word_ok,
        });
        for v in crate::names::variants(n) {
            let common = is_common_word(&v.text);
            out.push(Form {
                weak: v.common || (listed && common && !c.common_word_ok),
                common,
                text: Cow::Owned(v.text),
            });
        }
    }
    out
}

/// Companies a keying thread hands over at once.
const KEYING_CHUNK: usize = 4_096;

/// Adds a list's companies, entry `first` onwards, as [`add_company`]
/// does. Keying the names (six stemmers and a transliteration each) is
/// about a third of compiling a big list and needs no index, so one
/// thread keys the companies chunk by chunk while this one adds the
/// previous chunk to the indexes, in the list's order: the indexes come
/// out exactly as if built on one thread.
fn add_list(b: &mut Builder, companies: &[Company], first: u32) {
    type Keyed<'c> = Vec<Vec<(Form<'c>, NameKeys)>>;
    fn key(c: &Company) -> Vec<(Form<'_>, NameKeys)> {
        forms(c, true)
            .into_iter()
            .map(|f| {
                let keys = NameKeys::of(&f.text);
                (f, keys)
            })
            .collect()
    }
    std::thread::scope(|s| {
        // Two chunks in flight at most: the keyed names wait in memory only
        // briefly.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Keyed<'_>>(1);
        s.spawn(move || {
            for chunk in companies.chunks(KEYING_CHUNK) {
                if tx.send(chunk.iter().map(key).collect()).is_err() {
                    return;
                }
            }
        });
        // A keying thread that panicked ends the channel early; the scope
        // then panics too, so no list is ever added in part.
        for (i, names) in rx.into_iter().flatten().enumerate() {
            let target = Target::Listed(first + i as u32);
            for (f, keys) in names {
                b.add_name_keyed(&f.text, &keys, target, f.common, f.weak);
            }
        }
    });
}

/// [`Matcher::rule_fingerprint`] of `rule` in `watchlist`.
fn fingerprint(rule: &Rule, watchlist: &Watchlist) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    fn company(c: &Company, h: &mut impl Hasher) {
        c.name.hash(h);
        c.aliases.hash(h);
        c.source_id.hash(h);
        c.common_word_ok.hash(h);
    }
    rule.companies.len().hash(&mut h);
    for c in &rule.companies {
        company(c, &mut h);
    }
    for id in &rule.lists {
        id.hash(&mut h);
        if let Some(list) = watchlist.lists.iter().find(|l| &l.id == id) {
            list.companies.len().hash(&mut h);
            for c in &list.companies {
                company(c, &mut h);
            }
        }
    }
    rule.agencies.hash(&mut h);
    for a in watchlist
        .agencies
        .iter()
        .filter(|a| rule.agencies.is_empty() || rule.agencies.contains(&a.id))
    {
        (&a.id, &a.names, &a.not).hash(&mut h);
    }
    rule.actions.hash(&mut h);
    for a in watchlist
        .actions
        .iter()
        .filter(|a| rule.actions.is_empty() || rule.actions.contains(&a.id))
    {
        (&a.id, &a.phrases, &a.not).hash(&mut h);
    }
    rule.exclude.hash(&mut h);
    format!("{:?}", rule.status).hash(&mut h);
    h.finish()
}

impl Matcher {
    /// Compiles a validated watchlist against the taxonomy. Ids that do not
    /// resolve were rejected by validation; here they are skipped.
    pub fn compile(watchlist: &Watchlist, taxonomy: &Taxonomy) -> Matcher {
        let mut b = Builder::default();
        let mut agency_ids = Vec::new();
        for a in taxonomy.agencies.iter().chain(&watchlist.agencies) {
            let i = agency_ids.len() as u32;
            agency_ids.push(a.id.clone());
            for n in &a.names {
                b.add(n, Target::Agency(i), false);
            }
            for n in &a.not {
                b.add(n, Target::AgencyVeto(i), false);
            }
        }
        let mut action_ids = Vec::new();
        for a in taxonomy.actions.iter().chain(&watchlist.actions) {
            let i = action_ids.len() as u32;
            action_ids.push(a.id.clone());
            for p in &a.phrases {
                b.add(p, Target::Action(i), false);
            }
            for p in &a.not {
                b.add(p, Target::ActionVeto(i), false);
            }
        }
        for p in &taxonomy.roles.before {
            b.add(p, Target::RoleBefore, false);
        }
        for p in &taxonomy.roles.after {
            b.add(p, Target::RoleAfter, false);
        }
        for p in &taxonomy.roles.references {
            b.add(p, Target::Reference, false);
        }
        let senses: Senses = toml::from_str(COMPANY_SENSES).expect("taxonomy/senses.toml is valid");
        for p in &senses.not {
            b.add(p, Target::CompanyVeto, false);
        }
        let governments: Vec<&String> = taxonomy.government_acts.keys().collect();
        for w in &taxonomy.languages {
            b.add_language(w, &agency_ids, &action_ids, &governments);
        }
        let government_acts = taxonomy
            .government_acts
            .values()
            .map(|acts| {
                acts.iter()
                    .filter_map(|(action, agency)| {
                        let a = action_ids.iter().position(|x| x == action)?;
                        let g = agency_ids.iter().position(|x| x == agency)?;
                        Some((a as u32, g as u32))
                    })
                    .collect()
            })
            .collect();
        let instrument_actions = agency_ids
            .iter()
            .map(|id| {
                taxonomy
                    .instrument_actions
                    .get(id)
                    .into_iter()
                    .flatten()
                    .filter_map(|a| action_ids.iter().position(|x| x == a))
                    .map(|p| p as u32)
                    .collect()
            })
            .collect();
        // Lists first: each list some rule uses is indexed once, its
        // entries numbered across lists, whatever the number of rules
        // that share it.
        let mut lists: Vec<Arc<List>> = Vec::new();
        let mut list_rules: Vec<Vec<u32>> = Vec::new();
        let mut list_starts = vec![0u32];
        for list in &watchlist.lists {
            let users: Vec<u32> = (0..watchlist.rules.len() as u32)
                .filter(|&r| watchlist.rules[r as usize].lists.contains(&list.id))
                .collect();
            if users.is_empty() || lists.iter().any(|l| l.id == list.id) {
                continue;
            }
            let first = *list_starts.last().expect("starts with 0");
            add_list(&mut b, &list.companies, first);
            list_starts.push(first + list.companies.len() as u32);
            lists.push(list.clone());
            list_rules.push(users);
        }
        let mut rules = Vec::with_capacity(watchlist.rules.len());
        for (ri, rule) in watchlist.rules.iter().enumerate() {
            for (ci, c) in rule.companies.iter().enumerate() {
                let target = Target::Company {
                    rule: ri as u32,
                    company: CompanyId::own(ci as u32),
                };
                add_company(&mut b, c, target, false);
            }
            for e in &rule.exclude {
                b.add(e, Target::Exclude(ri as u32), false);
            }
            let lookup = |ids: &[String], table: &[String]| -> Vec<u32> {
                ids.iter()
                    .filter_map(|id| table.iter().position(|t| t == id).map(|p| p as u32))
                    .collect()
            };
            rules.push(CompiledRule {
                rule: rule.clone(),
                fingerprint: fingerprint(rule, watchlist),
                agencies: lookup(&rule.agencies, &agency_ids),
                actions: lookup(&rule.actions, &action_ids),
                lists: rule
                    .lists
                    .iter()
                    .filter_map(|id| lists.iter().position(|l| &l.id == id).map(|p| p as u32))
                    .collect(),
            });
        }
        let default_status = action_ids
            .iter()
            .map(|id| taxonomy.default_status.get(id).copied().unwrap_or_default())
            .collect();
        b.shrink_to_fit();
        Matcher {
            automaton: b.other.build(),
            cjk: b.cjk.build(),
            phrases: b.phrases,
            entries: b.other.entries,
            cjk_entries: b.cjk.entries,
            rules,
            lists,
            list_starts,
            list_rules,
            agency_ids,
            action_ids,
            gaps: b.gaps,
            keyed: b.keyed,
            context: b.context,
            keyed_context: b.keyed_context,
            keyed_names: b.keyed_names,
            translit: b.translit,
            instrument_actions,
            government_acts,
            default_status,
            grammar: Grammar::new(taxonomy),
        }
    }

    /// List entry `g` (numbered across lists): its list and the company.
    pub(crate) fn listed(&self, g: u32) -> (&List, &Company) {
        let l = self.list_of(g);
        let list = &self.lists[l];
        (list, &list.companies[(g - self.list_starts[l]) as usize])
    }

    /// The index of the list that holds entry `g`.
    pub(crate) fn list_of(&self, g: u32) -> usize {
        self.list_starts.partition_point(|&s| s <= g) - 1
    }

    /// The company a company occurrence of rule `rule` stands for, and
    /// the list it comes from, if any.
    pub(crate) fn company(&self, rule: u32, company: CompanyId) -> (&Company, Option<&List>) {
        match company.get() {
            Ok(i) => (&self.rules[rule as usize].rule.companies[i as usize], None),
            Err(g) => {
                let (list, c) = self.listed(g);
                (c, Some(list))
            }
        }
    }

    /// The company an index entry's target names, for a company or list
    /// entry target.
    pub(crate) fn company_of_target(&self, target: Target) -> Option<&Company> {
        match target {
            Target::Company { rule, company } => Some(self.company(rule, company).0),
            Target::Listed(g) => Some(self.listed(g).1),
            _ => None,
        }
    }

    /// The rule's first company (its own, else its first list's), for a
    /// hit that found no mention to name.
    pub(crate) fn first_company(&self, r: usize) -> &Company {
        let rule = &self.rules[r];
        rule.rule
            .companies
            .first()
            .or_else(|| {
                rule.lists
                    .first()
                    .and_then(|&l| self.lists[l as usize].companies.first())
            })
            .expect("a valid rule watches a company")
    }

    /// The number of named lists some rule uses (the others are not
    /// compiled).
    pub fn list_count(&self) -> usize {
        self.lists.len()
    }

    /// The number of list entries indexed (each once, whatever the number
    /// of rules sharing its list).
    pub fn listed_count(&self) -> usize {
        *self.list_starts.last().expect("starts with 0") as usize
    }

    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter().map(|r| &r.rule)
    }

    /// A hash of everything that decides rule `id`'s hits: its companies,
    /// the contents of the lists it uses, its agencies and actions (with
    /// their definitions when the watchlists define them; all of those for
    /// a rule that takes any agency or action), excludes and
    /// statuses; not its severity, channels, description or place. Two
    /// matchers of one build give a rule the same fingerprint exactly when
    /// it would fire on the same articles, so a reload can tell which rules
    /// are new or changed. Not stable across builds: never store it.
    pub fn rule_fingerprint(&self, id: &str) -> Option<u64> {
        self.rules
            .iter()
            .find(|r| r.rule.id == id)
            .map(|r| r.fingerprint)
    }

    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    pub fn pattern_count(&self) -> usize {
        self.entries.len()
            + self.phrases.len()
            + self.cjk_entries.len()
            + self.keyed_names.len()
            + self.context.len()
            + self
                .keyed_context
                .iter()
                .map(|(_, p)| p.len())
                .sum::<usize>()
            + self.keyed.iter().map(|(_, p)| p.len()).sum::<usize>()
    }
}
