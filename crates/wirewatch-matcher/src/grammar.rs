//! The grammar words the evaluation applies outside the phrase indexes,
//! ready to use: the `[grammar]` table of `taxonomy/lang/en.toml` (speech
//! verbs that make a company a news source, descriptor nouns and event
//! references as regexes, dummy-subject "it", pronoun references, name
//! particles). The words are data; how each is applied stays in
//! `evaluate`.
//!
//! Invariants: built once per [`crate::Matcher`] from the taxonomy it is
//! compiled with, and immutable after. The lists apply to every article,
//! whatever its language, and only the English file has them (checked when
//! the taxonomy loads). Every word is lowercase. A taxonomy without the
//! table yields empty lists and no regexes: nothing is then a source, a
//! descriptor or an event reference.

use regex::Regex;

use crate::taxonomy::Taxonomy;

/// The `[grammar]` word lists, with their regexes compiled.
#[derive(Debug, Clone, Default)]
pub struct Grammar {
    /// Closing speech verbs ("says", "said").
    pub source_verbs: Vec<String>,
    /// Documents a source cites ("report", "study").
    pub source_documents: Vec<String>,
    /// "the", up to three modifiers and a descriptor noun: a reference
    /// back to a company ("the Russian cybersecurity company").
    pub descriptor: Option<Regex>,
    /// A determiner, an optional modifier and an event noun: a reference
    /// back to an event just reported ("the new rules").
    pub event_reference: Option<Regex>,
    /// What follows a dummy-subject "it" ("emerged", "is expected").
    pub dummy_it: Vec<String>,
    /// The pronouns among the references back to a company.
    pub reference_pronouns: Vec<String>,
    /// Particles inside longer proper names ("de", "von").
    pub name_particles: Vec<String>,
}

impl Grammar {
    /// The grammar of `taxonomy`'s English file.
    pub fn new(taxonomy: &Taxonomy) -> Grammar {
        let english = taxonomy.languages.iter().find(|l| l.language == "en");
        let Some(w) = english.map(|l| &l.grammar) else {
            return Grammar::default();
        };
        let alternatives = |words: &[String]| {
            words
                .iter()
                .map(|w| regex::escape(w))
                .collect::<Vec<_>>()
                .join("|")
        };
        let descriptor = (!w.descriptor_nouns.is_empty()).then(|| {
            let nouns = alternatives(&w.descriptor_nouns);
            Regex::new(&format!(
                r"(?i)\bthe(?:\s+[\w.'’&-]+){{0,3}}?\s+(?:{nouns})\b"
            ))
            .expect("a valid descriptor regex")
        });
        let event_reference =
            (!w.event_determiners.is_empty() && !w.event_nouns.is_empty()).then(|| {
                let modifier = if w.event_modifiers.is_empty() {
                    String::new()
                } else {
                    format!(r"(?:(?:{})\s+)?", alternatives(&w.event_modifiers))
                };
                Regex::new(&format!(
                    r"(?i)\b(?:{})\s+{modifier}(?:{})\b",
                    alternatives(&w.event_determiners),
                    alternatives(&w.event_nouns)
                ))
                .expect("a valid event reference regex")
            });
        Grammar {
            source_verbs: w.source_verbs.clone(),
            source_documents: w.source_documents.clone(),
            descriptor,
            event_reference,
            dummy_it: w.dummy_it.clone(),
            reference_pronouns: w.reference_pronouns.clone(),
            name_particles: w.name_particles.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_english_grammar_is_built_in() {
        let g = Grammar::new(Taxonomy::builtin());
        assert!(g.source_verbs.iter().any(|v| v == "said"));
        let descriptor = g.descriptor.as_ref().expect("descriptor nouns");
        assert_eq!(
            descriptor
                .find("said the Russian cybersecurity company on Monday")
                .map(|m| m.as_str()),
            Some("the Russian cybersecurity company")
        );
        let event = g.event_reference.as_ref().expect("event references");
        assert!(event.is_match("Huawei is the main target of the new rules."));
        assert!(event.is_match("These sanctions hit SMIC."));
        assert!(!event.is_match("The rulers met."));
        assert!(g.name_particles.iter().any(|p| p == "de"));
    }

    #[test]
    fn only_english_has_a_grammar() {
        for w in &Taxonomy::builtin().languages {
            if w.language != "en" {
                assert!(w.grammar.source_verbs.is_empty(), "{}", w.language);
            }
        }
    }
}
