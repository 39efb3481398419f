//! The built-in taxonomy of agencies, actions and role cues, compiled in from
//! `taxonomy/*.toml`, and the words of every supported language for them,
//! from `taxonomy/lang/*.toml`. User watchlists extend it with `[[agency]]`
//! and `[[action]]` tables of the same shape.
//!
//! Invariants: the taxonomy is data, never code: agencies, actions, role
//! cues, instruments, statuses, governments, every language's words and
//! the English grammar words all live in `taxonomy/`. The built-in files
//! are part of the binary and are checked on first use (every id a
//! language file or cross-reference names must exist, only `en.toml` has
//! a `[grammar]` table), so a bad file is a build defect found by the
//! tests, not an input error. The built-in agency and action ids are a
//! contract (section 2 of `../shared/design/contracts.md`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::hit::ActionStatus;
use crate::lang::Lang;

/// An agency: its id and the names, acronyms and metonyms that refer to it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyDef {
    pub id: String,
    pub names: Vec<String>,
    /// Phrases in which a name means something else ("Treasury yields").
    #[serde(default)]
    pub not: Vec<String>,
}

/// An action type: the phrases that express it, and phrases in which those
/// words carry another sense (`not`), which veto a phrase match inside them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionDef {
    pub id: String,
    pub phrases: Vec<String>,
    #[serde(default)]
    pub not: Vec<String>,
}

/// Cues for a company's role and for references back to it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roles {
    /// Phrases ending just before a company mention that put it in another
    /// role ("according to", "analysts at").
    #[serde(default)]
    pub before: Vec<String>,
    /// Phrases starting just after a company mention that put it in another
    /// role ("analyst", "researchers").
    #[serde(default)]
    pub after: Vec<String>,
    /// Phrases that refer back to the company of the previous sentence.
    #[serde(default)]
    pub references: Vec<String>,
}

/// Agencies, actions and role cues known without any watchlist.
#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    pub agencies: Vec<AgencyDef>,
    pub actions: Vec<ActionDef>,
    pub roles: Roles,
    /// Each supported language's words (English: additions to the above).
    pub languages: Vec<LangWords>,
    /// The action ids an instrument of each agency stands for ("placed on
    /// the Entity List" is an export control by the Commerce Department).
    pub instrument_actions: BTreeMap<String, Vec<String>>,
    /// Government id → action id → the agency that acts for it.
    pub government_acts: BTreeMap<String, BTreeMap<String, String>>,
    /// Action id → its status when no cue gives one (imposed otherwise).
    pub default_status: BTreeMap<String, ActionStatus>,
}

/// One language's words for the taxonomy (`taxonomy/lang/CODE.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LangWords {
    /// ISO 639-1 code; the file's name.
    pub language: String,
    /// The Snowball algorithm its words are keyed by, or "none".
    pub stemmer: String,
    /// How its text is matched, its script, its code in the language
    /// model: read by `lang.rs` (see its `LangInfo`).
    pub matching: String,
    pub script: String,
    #[serde(default)]
    pub model: Option<String>,
    /// Function words that tell English from the other Latin-script
    /// languages in detection: read by `lang.rs` too.
    #[serde(default)]
    pub function_words: Vec<String>,
    /// Agency id → the names this language's press uses for it.
    #[serde(default)]
    pub agencies: BTreeMap<String, Vec<String>>,
    /// Agency id → phrases in which a name means something else.
    #[serde(default)]
    pub agency_not: BTreeMap<String, Vec<String>>,
    /// Action id → its trigger phrases and other senses.
    #[serde(default)]
    pub actions: BTreeMap<String, ActionWords>,
    /// Agency id → names of the lists and instruments it keeps.
    #[serde(default)]
    pub instruments: BTreeMap<String, Vec<String>>,
    /// Status name → cues that an action has that status.
    #[serde(default)]
    pub status: BTreeMap<String, Vec<String>>,
    /// Phrases that refer back to a company ("das Unternehmen").
    #[serde(default)]
    pub references: Vec<String>,
    /// Cues that put a company named right after them in another role.
    #[serde(default)]
    pub role_before: Vec<String>,
    /// Cues that open an enumeration of the companies an event names.
    #[serde(default)]
    pub enumeration: Vec<String>,
    /// Phrases that refer back to an agency named before ("the regulator").
    #[serde(default)]
    pub agency_references: Vec<String>,
    /// Negators that, next to an action word, deny it ("not", "ruled out").
    #[serde(default)]
    pub negation: Vec<String>,
    /// Government id → the names of that government acting as a whole
    /// ("the United States", "Washington").
    #[serde(default)]
    pub governments: BTreeMap<String, Vec<String>>,
    /// Grammar words the evaluation applies to every article, whatever
    /// its language: the `[grammar]` table, which only `en.toml` has (see
    /// [`crate::grammar`], and the file for what each list is).
    #[serde(default)]
    pub grammar: GrammarWords,
    /// The language, checked against `language` on load.
    #[serde(skip)]
    pub lang: Option<Lang>,
}

/// How many characters after a dummy-subject "it" the evaluation compares
/// with the `dummy_it` entries (so none may be longer).
pub const DUMMY_IT_CHARS: usize = 24;

/// The `[grammar]` table of `en.toml` (no other language file has one):
/// the word lists the evaluation reads outside the phrase indexes. All
/// lowercase; `taxonomy/lang/en.toml` says what each is for.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrammarWords {
    /// Closing speech verbs that make a company the news's source.
    #[serde(default)]
    pub source_verbs: Vec<String>,
    /// The documents a source cites ("in its annual report").
    #[serde(default)]
    pub source_documents: Vec<String>,
    /// Nouns that, after "the" and up to three modifiers, refer back to a
    /// company.
    #[serde(default)]
    pub descriptor_nouns: Vec<String>,
    /// A reference back to an event: determiner, optional modifier, noun.
    #[serde(default)]
    pub event_determiners: Vec<String>,
    #[serde(default)]
    pub event_modifiers: Vec<String>,
    #[serde(default)]
    pub event_nouns: Vec<String>,
    /// What follows a dummy-subject "it" ("it emerged that").
    #[serde(default)]
    pub dummy_it: Vec<String>,
    /// The pronouns among the references back to a company.
    #[serde(default)]
    pub reference_pronouns: Vec<String>,
    /// Particles inside longer proper names ("de", "von").
    #[serde(default)]
    pub name_particles: Vec<String>,
}

impl GrammarWords {
    /// Every list, by its key.
    fn lists(&self) -> [(&'static str, &[String]); 9] {
        [
            ("source_verbs", &self.source_verbs),
            ("source_documents", &self.source_documents),
            ("descriptor_nouns", &self.descriptor_nouns),
            ("event_determiners", &self.event_determiners),
            ("event_modifiers", &self.event_modifiers),
            ("event_nouns", &self.event_nouns),
            ("dummy_it", &self.dummy_it),
            ("reference_pronouns", &self.reference_pronouns),
            ("name_particles", &self.name_particles),
        ]
    }

    /// Checks the lists of language `code`'s file: only English has them,
    /// every word is lowercase, and a `dummy_it` entry fits the characters
    /// the evaluation reads after "it".
    fn check(&self, code: &str) -> Result<(), String> {
        for (key, words) in self.lists() {
            if code != "en" && !words.is_empty() {
                return Err(format!(
                    "taxonomy/lang/{code}.toml: grammar.{key} is read from en.toml only"
                ));
            }
            if let Some(w) = words
                .iter()
                .find(|w| w.to_lowercase() != **w || w.is_empty())
            {
                return Err(format!(
                    "taxonomy/lang/{code}.toml: grammar.{key}: {w:?} is not a lowercase word"
                ));
            }
        }
        if let Some(w) = self
            .dummy_it
            .iter()
            .find(|w| w.chars().count() > DUMMY_IT_CHARS)
        {
            return Err(format!(
                "taxonomy/lang/{code}.toml: grammar.dummy_it: {w:?} is longer than {} characters",
                DUMMY_IT_CHARS
            ));
        }
        Ok(())
    }
}

/// An action's phrases in one language.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionWords {
    pub phrases: Vec<String>,
    #[serde(default)]
    pub not: Vec<String>,
    /// Words matched in their exact folded form, not stemmed: a trigger
    /// whose stem is also an unrelated word's (French "amende").
    #[serde(default)]
    pub exact: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InstrumentFile {
    implies: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusFile {
    default: BTreeMap<String, ActionStatus>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GovernmentFile {
    acts: BTreeMap<String, BTreeMap<String, String>>,
}

impl LangWords {
    /// Parses and checks one language file against the agency and action
    /// ids of `base`: every id, status and stemmer must be known.
    fn load(code: &str, source: &str, base: &Taxonomy) -> Result<LangWords, String> {
        let mut w: LangWords =
            toml::from_str(source).map_err(|e| format!("taxonomy/lang/{code}.toml: {e}"))?;
        let lang = Lang::parse(&w.language)
            .filter(|l| l.code() == code)
            .ok_or_else(|| format!("taxonomy/lang/{code}.toml: language {:?}", w.language))?;
        // The header (stemmer, matching, script, model) is checked where
        // the language table is built from it (`lang.rs`).
        fn unknown<'a>(
            mut ids: impl Iterator<Item = &'a String>,
            known: &dyn Fn(&str) -> bool,
        ) -> Option<String> {
            ids.find(|id| !known(id)).cloned()
        }
        let agency = |id: &str| base.agency(id).is_some();
        let action = |id: &str| base.action(id).is_some();
        let status = |s: &str| ActionStatus::parse(s).is_some();
        for (what, bad) in [
            ("agency", unknown(w.agencies.keys(), &agency)),
            ("agency", unknown(w.agency_not.keys(), &agency)),
            ("agency", unknown(w.instruments.keys(), &agency)),
            ("action", unknown(w.actions.keys(), &action)),
            ("status", unknown(w.status.keys(), &status)),
        ] {
            if let Some(id) = bad {
                return Err(format!("taxonomy/lang/{code}.toml: unknown {what} {id:?}"));
            }
        }
        w.grammar.check(code)?;
        w.lang = Some(lang);
        Ok(w)
    }

    /// The language (checked on load).
    pub fn lang(&self) -> Lang {
        self.lang.expect("set on load")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgencyFile {
    agency: Vec<AgencyDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionFile {
    action: Vec<ActionDef>,
}

impl Taxonomy {
    /// The built-in taxonomy. The files are part of the binary and covered by
    /// tests, so a parse failure is a build defect, not bad input.
    pub fn builtin() -> &'static Taxonomy {
        static BUILTIN: OnceLock<Taxonomy> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            let mut t = Taxonomy {
                agencies: toml::from_str::<AgencyFile>(include_str!("../taxonomy/agencies.toml"))
                    .expect("taxonomy/agencies.toml is valid")
                    .agency,
                actions: toml::from_str::<ActionFile>(include_str!("../taxonomy/actions.toml"))
                    .expect("taxonomy/actions.toml is valid")
                    .action,
                roles: toml::from_str(include_str!("../taxonomy/roles.toml"))
                    .expect("taxonomy/roles.toml is valid"),
                languages: Vec::new(),
                instrument_actions: toml::from_str::<InstrumentFile>(include_str!(
                    "../taxonomy/instruments.toml"
                ))
                .expect("taxonomy/instruments.toml is valid")
                .implies,
                government_acts: toml::from_str::<GovernmentFile>(include_str!(
                    "../taxonomy/governments.toml"
                ))
                .expect("taxonomy/governments.toml is valid")
                .acts,
                default_status: toml::from_str::<StatusFile>(include_str!(
                    "../taxonomy/status.toml"
                ))
                .expect("taxonomy/status.toml is valid")
                .default,
            };
            for id in t.default_status.keys() {
                assert!(t.action(id).is_some(), "status.toml: action {id}");
            }
            for (id, acts) in &t.government_acts {
                for (action, agency) in acts {
                    assert!(
                        t.action(action).is_some(),
                        "governments.toml: {id}: action {action}"
                    );
                    assert!(
                        t.agency(agency).is_some(),
                        "governments.toml: {id}: agency {agency}"
                    );
                }
            }
            for (id, actions) in &t.instrument_actions {
                assert!(t.agency(id).is_some(), "instruments.toml: agency {id}");
                for a in actions {
                    assert!(t.action(a).is_some(), "instruments.toml: action {a}");
                }
            }
            t.languages = super::lang::LANGUAGE_FILES
                .iter()
                .map(|(code, source)| {
                    LangWords::load(code, source, &t).unwrap_or_else(|e| panic!("{e}"))
                })
                .collect();
            t
        })
    }

    /// The words of language `lang`, if it has a file.
    pub fn language(&self, lang: Lang) -> Option<&LangWords> {
        self.languages.iter().find(|w| w.lang() == lang)
    }

    pub fn agency(&self, id: &str) -> Option<&AgencyDef> {
        self.agencies.iter().find(|a| a.id == id)
    }

    pub fn action(&self, id: &str) -> Option<&ActionDef> {
        self.actions.iter().find(|a| a.id == id)
    }

    pub fn agency_ids(&self) -> impl Iterator<Item = &str> {
        self.agencies.iter().map(|a| a.id.as_str())
    }

    pub fn action_ids(&self) -> impl Iterator<Item = &str> {
        self.actions.iter().map(|a| a.id.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The watchlist contract (`../shared/design/contracts.md`, section 2)
    /// promises these agency and action ids; every one must be built in.
    #[test]
    fn covers_every_contract_id() {
        let t = Taxonomy::builtin();
        for id in [
            "us-commerce",
            "us-treasury",
            "us-justice",
            "us-sec",
            "us-ftc",
            "us-fcc",
            "us-state",
            "us-cfius",
            "eu-commission",
            "eu-council",
            "uk-ofsi",
            "uk-cma",
            "uk-fca",
            "un-security-council",
            "cn-mofcom",
        ] {
            assert!(t.agency(id).is_some_and(|a| !a.names.is_empty()), "{id}");
        }
        for id in [
            "sanction",
            "export-control",
            "ban",
            "fine",
            "lawsuit",
            "investigation",
            "exit",
            "acquisition",
            "breach",
        ] {
            assert!(t.action(id).is_some_and(|a| !a.phrases.is_empty()), "{id}");
        }
        assert!(!t.roles.references.is_empty());
    }
}
