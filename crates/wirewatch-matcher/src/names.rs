//! Company names as the press writes them: a name's legal form ("LLC",
//! "AO", "GmbH", "ООО", "有限公司", from `taxonomy/legal-forms.toml`) is
//! optional in the text, and a name a register writes inverted
//! ("KASPERSKY LAB, AO") is also found in the press's order ("AO Kaspersky
//! Lab"). [`variants`] gives the other forms a name is compiled under.
//!
//! Invariants: a variant is a substring (or a reordering of substrings) of
//! the name as written, so its letter case is the name's; forms are
//! matched as whole words (ignoring case, accents and dots), or, for
//! Chinese and Japanese forms, as the name's first or last characters; a
//! variant with fewer than three letters (two Chinese or Japanese
//! characters) is not made. The name itself is never among its variants.

use std::sync::OnceLock;

use crate::common_words::is_common_word;
use crate::lang::has_cjk;
use crate::normalize::fold;

const LEGAL_FORMS: &str = include_str!("../taxonomy/legal-forms.toml");

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawForms {
    prefix: Vec<String>,
    suffix: Vec<String>,
}

/// The legal forms, as word keys (longest first) and, for Chinese and
/// Japanese ones, as character strings.
struct Forms {
    prefix: Vec<Vec<String>>,
    suffix: Vec<Vec<String>>,
    cjk_prefix: Vec<String>,
    cjk_suffix: Vec<String>,
}

fn forms() -> &'static Forms {
    static FORMS: OnceLock<Forms> = OnceLock::new();
    FORMS.get_or_init(|| {
        let raw: RawForms =
            toml::from_str(LEGAL_FORMS).expect("taxonomy/legal-forms.toml is valid");
        let split = |list: &[String]| {
            let (cjk, words): (Vec<&String>, Vec<&String>) = list.iter().partition(|f| has_cjk(f));
            let mut words: Vec<Vec<String>> = words
                .into_iter()
                .map(|f| words_of(f).into_iter().map(|w| w.key).collect())
                .collect();
            words.sort_by_key(|w: &Vec<String>| std::cmp::Reverse(w.len()));
            words.dedup();
            let mut cjk: Vec<String> = cjk.into_iter().cloned().collect();
            cjk.sort_by_key(|f| std::cmp::Reverse(f.len()));
            (words, cjk)
        };
        let (prefix, cjk_prefix) = split(&raw.prefix);
        let (suffix, cjk_suffix) = split(&raw.suffix);
        Forms {
            prefix,
            suffix,
            cjk_prefix,
            cjk_suffix,
        }
    })
}

/// A word of a name: its byte range and its key (folded, dots removed).
struct Word {
    start: usize,
    end: usize,
    key: String,
}

/// Characters that end a word of a name besides spaces: commas, and the
/// quotes registers put around a Russian name («Ромашка»).
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | '«' | '»' | '"' | '“' | '”' | '„' | '(' | ')')
}

fn words_of(name: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in name
        .char_indices()
        .chain(std::iter::once((name.len(), ' ')))
    {
        match (start, is_separator(c)) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                let key: String = fold(&name[s..i]).chars().filter(|&c| c != '.').collect();
                if !key.is_empty() {
                    out.push(Word {
                        start: s,
                        end: i,
                        key,
                    });
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// How many of `words`' first (or, with `from_end`, last) words are one
/// legal form of `forms`, if any.
fn form_len(words: &[Word], forms: &[Vec<String>], from_end: bool) -> Option<usize> {
    forms
        .iter()
        .find(|f| {
            f.len() <= words.len() && {
                let slice = if from_end {
                    &words[words.len() - f.len()..]
                } else {
                    &words[..f.len()]
                };
                slice.iter().zip(f.iter()).all(|(w, k)| w.key == **k)
            }
        })
        .map(Vec::len)
}

/// Whether a name is long enough to stand alone: three letters or digits,
/// two Chinese or Japanese characters.
fn long_enough(name: &str) -> bool {
    let n = name.chars().filter(|c| c.is_alphanumeric()).count();
    n >= if has_cjk(name) { 2 } else { 3 }
}

/// A name with its legal forms taken off both ends (several in a row:
/// "Co., Ltd."), or `None` when it has none or nothing worth matching is
/// left. The core keeps at least one word.
pub fn core(name: &str) -> Option<&str> {
    let forms = forms();
    let name = name.trim();
    if has_cjk(name) {
        let mut core = name;
        loop {
            let before = core;
            for f in &forms.cjk_suffix {
                if let Some(c) = core.strip_suffix(f.as_str()) {
                    core = c.trim_end();
                    break;
                }
            }
            for f in &forms.cjk_prefix {
                if let Some(c) = core.strip_prefix(f.as_str()) {
                    core = c.trim_start();
                    break;
                }
            }
            if core == before {
                break;
            }
        }
        // A Latin legal form after a Chinese name ("华芯 Co., Ltd.") too.
        let core = strip_words(core).unwrap_or(core);
        return (core != name && long_enough(core)).then_some(core);
    }
    strip_words(name).filter(|c| long_enough(c))
}

/// `name` without the legal forms at either end of its words.
fn strip_words(name: &str) -> Option<&str> {
    let forms = forms();
    let words = words_of(name);
    let (mut lo, mut hi) = (0, words.len());
    loop {
        let before = (lo, hi);
        if let Some(n) = form_len(&words[lo..hi], &forms.suffix, true) {
            if hi - lo > n {
                hi -= n;
            }
        }
        if let Some(n) = form_len(&words[lo..hi], &forms.prefix, false) {
            if hi - lo > n {
                lo += n;
            }
        }
        if (lo, hi) == before {
            break;
        }
    }
    if (lo, hi) == (0, words.len()) {
        return None;
    }
    Some(&name[words[lo].start..words[hi - 1].end])
}

/// A form a name is also compiled under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub text: String,
    /// Without any legal form: the form that proves least, since anything
    /// that mentions the company in passing uses it.
    pub bare: bool,
    /// The bare form is a common English word ("Alpha" of "Alpha LLC"):
    /// on its own in an article it proves nothing.
    pub common: bool,
}

/// The other forms `name` is compiled under: the press's order of an
/// inverted name ("AO KASPERSKY LAB" and "KASPERSKY LAB" of "KASPERSKY
/// LAB, AO"), and the name without its legal forms. Empty for a name with
/// no legal form.
pub fn variants(name: &str) -> Vec<Variant> {
    let name = name.trim();
    let mut out: Vec<Variant> = Vec::new();
    let mut push = |text: String, bare: bool| {
        if text != name && long_enough(&text) && !out.iter().any(|v| v.text == text) {
            let common = bare && is_common_word(&text);
            out.push(Variant { text, bare, common });
        }
    };
    // "KASPERSKY LAB, AO": the part after the last comma is all legal
    // forms, so the name is inverted.
    if let Some((base, tail)) = name.rsplit_once(',') {
        let (base, tail) = (base.trim(), tail.trim());
        let tail_words = words_of(tail);
        let forms = forms();
        let all =
            |list: &[Vec<String>]| form_len(&tail_words, list, false) == Some(tail_words.len());
        if !base.is_empty() && !tail_words.is_empty() {
            if all(&forms.prefix) {
                push(format!("{tail} {base}"), false);
            }
            if all(&forms.suffix) {
                push(format!("{base} {tail}"), false);
            }
            if all(&forms.prefix) || all(&forms.suffix) {
                let bare = core(base).unwrap_or(base).to_string();
                push(bare, true);
            }
        }
    }
    if let Some(c) = core(name) {
        push(c.to_string(), true);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(name: &str) -> Vec<String> {
        variants(name).into_iter().map(|v| v.text).collect()
    }

    #[test]
    fn legal_forms_are_optional() {
        assert_eq!(texts("AO Kaspersky Lab"), ["Kaspersky Lab"]);
        assert_eq!(
            texts("Norvex Holdings, LLC"),
            ["Norvex Holdings LLC", "Norvex Holdings"]
        );
        assert_eq!(
            texts("Brightwater Trading Co., Ltd."),
            ["Brightwater Trading Co. Ltd.", "Brightwater Trading"]
        );
        assert_eq!(texts("Quellmark GmbH"), ["Quellmark"]);
        assert_eq!(texts("Banco Ferrada S.A."), ["Banco Ferrada"]);
        assert_eq!(texts("ООО «Ромашка-Трейд»"), ["Ромашка-Трейд"]);
        assert_eq!(texts("ПАО Северосталькомплект"), ["Северосталькомплект"]);
        assert_eq!(texts("华芯微电子有限公司"), ["华芯微电子"]);
        assert_eq!(texts("株式会社ノルベックス"), ["ノルベックス"]);
        assert!(texts("Kaspersky").is_empty());
        assert!(texts("Raiffeisen Bank International").is_empty());
    }

    #[test]
    fn inverted_names_in_the_press_order() {
        assert_eq!(
            texts("KASPERSKY LAB, AO"),
            ["AO KASPERSKY LAB", "KASPERSKY LAB AO", "KASPERSKY LAB"]
        );
        // A comma that is not before a legal form is part of the name.
        assert!(texts("Smith, Barney and Partners").is_empty());
    }

    #[test]
    fn too_little_left_is_no_variant_and_a_common_word_is_marked() {
        assert!(texts("AB LLC").is_empty());
        assert!(texts("GmbH").is_empty());
        let v = variants("Alpha LLC");
        assert_eq!(v.len(), 1);
        assert!(v[0].bare && v[0].common, "{v:?}");
        assert!(!variants("Norvex LLC")[0].common);
    }
}
