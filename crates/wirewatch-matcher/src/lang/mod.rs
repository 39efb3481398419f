//! Languages: which one an article is written in, and how its words become
//! keys a phrase of that language is looked up by.
//!
//! English is matched on folded words, with its inflections listed in the
//! taxonomy. The other alphabetic languages are matched on *keys*: each
//! word lower-cased in its original spelling (accents matter to a
//! stemmer), reduced by the language's Snowball stemmer, then folded, so
//! "Geldbuße", "Geldbußen" and "Geldbuße" in a phrase all meet. A second
//! keying, [`Keyer::Translit`], lets a name written in Latin letters meet
//! its Cyrillic spelling in any case ("Rosneft" = "Роснефти"):
//! transliterate (`any_ascii`), smooth the spellings transliteration
//! varies on, and allow a case ending ([`TranslitIndex`]). Chinese and
//! Japanese have no spaces between words and are matched as character
//! sequences elsewhere (`compile.rs`).
//!
//! This module holds the table of languages, one per file of
//! `taxonomy/lang/` (compiled in by `build.rs`), and the character classes
//! of Chinese and Japanese; its children do the rest:
//!
//! ```text
//! detect     which language an article is written in
//! key        words -> keys (stemmed, or transliterated and smoothed), with a map back
//! translit   Latin names found in Cyrillic text, by their transliteration keys
//! ```
//!
//! Invariants: a [`Lang`] is only ever one with a file, so adding a
//! language is adding its file; every language file's header (stemmer,
//! matching, script, model) is checked when the table is first built, so a
//! bad header is a build defect found by the tests. Phrases and text are
//! keyed by the same [`Keyer`], so they meet.

use rust_stemmers::Algorithm;

mod detect;
mod key;
mod translit;

pub use detect::detect;
pub use key::{key_phrase, smooth, Keyed, Keyer};
pub use translit::{key_of as translit_key, TranslitIndex};

/// How a language's text is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matching {
    /// Folded words, with the inflections listed (English).
    Words,
    /// The words' Snowball stems.
    Stems,
    /// Character sequences (a language written without spaces).
    Characters,
}

/// The script a language is told by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Latin,
    Cyrillic,
    Han,
    Kana,
}

/// What detection and matching need of a language: the header of its
/// file `taxonomy/lang/CODE.toml`.
#[derive(Debug, Clone)]
pub struct LangInfo {
    pub code: String,
    pub stemmer: Option<Algorithm>,
    pub matching: Matching,
    pub script: Script,
    model: Option<whatlang::Lang>,
    /// Words whose count tells English from the other Latin-script
    /// languages (`detect`).
    function_words: Vec<String>,
}

/// The longest function word detection looks up, in bytes.
const FUNCTION_WORD_BYTES: usize = 8;

/// The header keys of a language file (the rest is the taxonomy's).
#[derive(serde::Deserialize)]
struct Header {
    language: String,
    stemmer: String,
    matching: String,
    script: String,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    function_words: Vec<String>,
}

/// The Snowball algorithm of a stemmer's name, as `rust-stemmers` names them.
pub fn algorithm(name: &str) -> Option<Algorithm> {
    Some(match name {
        "arabic" => Algorithm::Arabic,
        "danish" => Algorithm::Danish,
        "dutch" => Algorithm::Dutch,
        "english" => Algorithm::English,
        "finnish" => Algorithm::Finnish,
        "french" => Algorithm::French,
        "german" => Algorithm::German,
        "greek" => Algorithm::Greek,
        "hungarian" => Algorithm::Hungarian,
        "italian" => Algorithm::Italian,
        "norwegian" => Algorithm::Norwegian,
        "portuguese" => Algorithm::Portuguese,
        "romanian" => Algorithm::Romanian,
        "russian" => Algorithm::Russian,
        "spanish" => Algorithm::Spanish,
        "swedish" => Algorithm::Swedish,
        "tamil" => Algorithm::Tamil,
        "turkish" => Algorithm::Turkish,
        _ => return None,
    })
}

include!(concat!(env!("OUT_DIR"), "/lang_files.rs"));

/// Reads a language file's header. The files are part of the binary and
/// covered by tests, so a bad header is a build defect, not bad input.
fn info(code: &str, source: &str) -> Result<LangInfo, String> {
    let at = |what: String| format!("taxonomy/lang/{code}.toml: {what}");
    let h: Header = toml::from_str(source).map_err(|e| at(e.to_string()))?;
    if h.language != code {
        return Err(at(format!(
            "language {:?} is not the file's name",
            h.language
        )));
    }
    let matching = match h.matching.as_str() {
        "words" => Matching::Words,
        "stems" => Matching::Stems,
        "characters" => Matching::Characters,
        other => {
            return Err(at(format!(
                "matching {other:?}: words, stems or characters"
            )))
        }
    };
    let stemmer = algorithm(&h.stemmer);
    if matching == Matching::Stems && stemmer.is_none() {
        return Err(at(format!(
            "stemmer {:?} is not a Snowball algorithm",
            h.stemmer
        )));
    }
    let script = match h.script.as_str() {
        "latin" => Script::Latin,
        "cyrillic" => Script::Cyrillic,
        "han" => Script::Han,
        "kana" => Script::Kana,
        other => {
            return Err(at(format!(
                "script {other:?}: latin, cyrillic, han or kana"
            )))
        }
    };
    let model = match h.model {
        Some(m) => Some(
            whatlang::Lang::from_code(&m)
                .ok_or_else(|| at(format!("model {m:?} is not a whatlang language")))?,
        ),
        None => None,
    };
    if !h.function_words.is_empty() && script != Script::Latin {
        return Err(at(
            "function_words: only a Latin-script language has them".into()
        ));
    }
    if let Some(w) = h
        .function_words
        .iter()
        .find(|w| w.is_empty() || w.len() > FUNCTION_WORD_BYTES || w.to_lowercase() != **w)
    {
        return Err(at(format!(
            "function_words: {w:?} is not a lowercase word of at most {FUNCTION_WORD_BYTES} bytes"
        )));
    }
    Ok(LangInfo {
        code: code.to_string(),
        stemmer: stemmer.filter(|_| matching == Matching::Stems),
        matching,
        script,
        model,
        function_words: h.function_words,
    })
}

/// Every language with a file, in the order of their codes.
fn table() -> &'static [LangInfo] {
    static TABLE: std::sync::OnceLock<Vec<LangInfo>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        LANGUAGE_FILES
            .iter()
            .map(|(code, source)| info(code, source).unwrap_or_else(|e| panic!("{e}")))
            .collect()
    })
}

/// A language the matcher has data for: an index into the table of
/// `taxonomy/lang/*.toml` (adding a language is adding its file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lang(u8);

impl Lang {
    /// Every language with a file.
    pub fn all() -> impl Iterator<Item = Lang> {
        (0..table().len()).map(|i| Lang(i as u8))
    }

    fn info(self) -> &'static LangInfo {
        &table()[self.0 as usize]
    }

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        &self.info().code
    }

    /// The language of a BCP 47 tag's primary subtag ("de", "pt-BR",
    /// "zh-Hant", "JA"), if supported.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::all().find(|l| l.code() == primary)
    }

    /// The Snowball algorithm a language's words are keyed by; `None` for
    /// a language matched on folded words or on characters.
    pub fn stemmer(self) -> Option<Algorithm> {
        self.info().stemmer
    }

    /// How the language's text is matched.
    pub fn matching(self) -> Matching {
        self.info().matching
    }

    /// Whether the language is written without spaces between words.
    pub fn is_cjk(self) -> bool {
        self.matching() == Matching::Characters
    }

    fn script(self) -> Script {
        self.info().script
    }

    fn whatlang(self) -> Option<whatlang::Lang> {
        self.info().model
    }
}

/// Whether `c` is a Han ideograph (CJK unified, extension A, compatibility).
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

/// Whether `c` is kana (hiragana, katakana, the prolonged sound mark).
pub fn is_kana(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9F}')
}

/// Whether `c` is katakana (a loanword's or foreign name's script).
pub fn is_katakana(c: char) -> bool {
    matches!(c, '\u{30A0}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9F}')
}

/// `text` with Traditional Chinese characters made Simplified (`fast2s`),
/// so that a name or phrase in either script meets the text in either
/// ("長江存儲" = "长江存储"). Character by character and byte for byte (a
/// Han character is three bytes in both), so offsets into `text` stay
/// valid; `text` is returned as it is should a conversion ever change its
/// length.
pub fn simplified(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_han) {
        return std::borrow::Cow::Borrowed(text);
    }
    let converted = fast2s::convert(text);
    if converted.len() == text.len() {
        std::borrow::Cow::Owned(converted)
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Whether `text` holds a Han or kana character: such a phrase is matched
/// as a character sequence, not from word starts.
pub fn has_cjk(text: &str) -> bool {
    text.chars().any(|c| is_han(c) || is_kana(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(code: &str) -> Lang {
        Lang::parse(code).expect("a language with a file")
    }

    #[test]
    fn traditional_and_simplified_chinese_meet_byte_for_byte() {
        assert_eq!(simplified("長江存儲"), "长江存储");
        assert_eq!(simplified("美國商務部實體名單"), "美国商务部实体名单");
        assert_eq!(simplified("长江存储"), "长江存储");
        let mixed = "YMTC（長江存儲）遭美國制裁";
        assert_eq!(simplified(mixed).len(), mixed.len());
    }

    #[test]
    fn every_file_of_taxonomy_lang_is_a_language() {
        let on_disk = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/taxonomy/lang"))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "toml")
            })
            .count();
        assert_eq!(Lang::all().count(), on_disk);
        assert!(on_disk >= 9);
        assert_eq!(
            l("de").stemmer().map(|a| format!("{a:?}")),
            Some("German".into())
        );
        assert_eq!(l("en").matching(), Matching::Words);
        assert!(l("ja").is_cjk() && l("zh").is_cjk() && !l("ru").is_cjk());
    }

    #[test]
    fn a_bad_language_header_is_named() {
        let header = |matching: &str, stemmer: &str, script: &str| {
            format!("language = \"xx\"\nstemmer = \"{stemmer}\"\nmatching = \"{matching}\"\nscript = \"{script}\"\n")
        };
        assert!(info("xx", &header("stems", "german", "latin")).is_ok());
        let err = info("xx", &header("stems", "klingon", "latin")).unwrap_err();
        assert!(
            err.contains("taxonomy/lang/xx.toml") && err.contains("klingon"),
            "{err}"
        );
        let err = info("xx", &header("letters", "none", "latin")).unwrap_err();
        assert!(err.contains("letters"), "{err}");
        let err = info("yy", &header("words", "none", "latin")).unwrap_err();
        assert!(err.contains("not the file's name"), "{err}");
    }

    #[test]
    fn tags_parse_to_languages() {
        assert_eq!(Lang::parse("pt-BR"), Some(l("pt")));
        assert_eq!(Lang::parse("zh_Hant"), Some(l("zh")));
        assert_eq!(Lang::parse("JA"), Some(l("ja")));
        assert_eq!(Lang::parse("el"), None);
    }
}
