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
//! varies on, and allow a case ending ([`TranslitIndex`]). Chinese and Japanese have no spaces between words and are
//! matched as character sequences elsewhere (`compile.rs`).

use std::cell::RefCell;

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashMap;

use crate::normalize::{fold, fold_with_map, Folded};

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
}

/// The header keys of a language file (the rest is the taxonomy's).
#[derive(serde::Deserialize)]
struct Header {
    language: String,
    stemmer: String,
    matching: String,
    script: String,
    #[serde(default)]
    model: Option<String>,
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
    Ok(LangInfo {
        code: code.to_string(),
        stemmer: stemmer.filter(|_| matching == Matching::Stems),
        matching,
        script,
        model,
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

/// How many bytes of an article language detection reads.
const SAMPLE_BYTES: usize = 600;

/// The language of an article, among those with a file: by its letters'
/// scripts (any kana: the kana language; mostly Han: the Han one; mostly
/// Cyrillic or Latin: the languages of that script), then, for Latin
/// script, a function-word count for English, then a trigram model
/// (whatlang) limited to that script's languages over the first
/// [`SAMPLE_BYTES`]. The event's `language` hint decides when the model is
/// unsure; a confident model overrides a wrong hint. `None` when the text
/// is in a script no language has (Greek, Arabic, ...).
pub fn detect(hint: Option<&str>, title: &str, body: &str) -> Option<Lang> {
    let hint = hint.and_then(Lang::parse);
    let mut sample = String::with_capacity(SAMPLE_BYTES + 8);
    sample.push_str(cut(title, SAMPLE_BYTES / 3));
    sample.push_str(". ");
    sample.push_str(cut(body, SAMPLE_BYTES - sample.len()));
    let mut counts = [0usize; 5]; // latin, cyrillic, han, kana, other letters
    let ascii = sample.is_ascii();
    if ascii {
        // Only Latin letters: no script to tell apart.
        counts[0] = sample.bytes().filter(u8::is_ascii_alphabetic).count();
    }
    for c in sample.chars().filter(|c| !ascii && c.is_alphabetic()) {
        let i = match c {
            'a'..='z' | 'A'..='Z' | '\u{C0}'..='\u{24F}' => 0,
            '\u{400}'..='\u{52F}' => 1,
            '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9F}' => 3,
            c if is_han(c) => 2,
            _ => 4,
        };
        counts[i] += 1;
    }
    let [latin, cyrillic, han, kana, other] = counts;
    let letters = latin + cyrillic + han + kana + other;
    if letters == 0 {
        return hint;
    }
    let of_script = |s: Script| Lang::all().filter(move |l| l.script() == s);
    let hinted = |s: Script| hint.filter(|h| h.script() == s);
    // Kana is Japanese only; a Japanese text is mostly kanji and kana.
    if kana * 20 >= letters || (kana > 0 && hinted(Script::Kana).is_some()) {
        return hinted(Script::Kana).or_else(|| of_script(Script::Kana).next());
    }
    if han * 3 >= letters {
        return hinted(Script::Kana)
            .or(hinted(Script::Han))
            .or_else(|| of_script(Script::Han).next());
    }
    let script = if cyrillic * 2 >= letters {
        Script::Cyrillic
    } else if latin * 2 >= letters {
        Script::Latin
    } else {
        return None;
    };
    let candidates: Vec<Lang> = of_script(script).collect();
    match candidates.as_slice() {
        [] => return None,
        [only] => return Some(*only),
        _ => {}
    }
    // Most of the news read is English: a cheap count of function words
    // settles it before the trigram model (about 30 times its cost).
    let english = Lang::parse("en").filter(|en| candidates.contains(en));
    if let Some(en) = english {
        if (hint.is_none() || hint == Some(en)) && looks_english(cut(&sample, FAST_SAMPLE_BYTES)) {
            return Some(en);
        }
    }
    static DETECTORS: std::sync::OnceLock<Vec<(Script, whatlang::Detector)>> =
        std::sync::OnceLock::new();
    let detectors = DETECTORS.get_or_init(|| {
        [Script::Latin, Script::Cyrillic]
            .into_iter()
            .map(|s| {
                let models = of_script(s).filter_map(Lang::whatlang).collect();
                (s, whatlang::Detector::with_allowlist(models))
            })
            .collect()
    });
    let detector = &detectors
        .iter()
        .find(|(s, _)| *s == script)
        .expect("a detector per script")
        .1;
    let found = detector
        .detect(cut(&sample, MODEL_SAMPLE_BYTES))
        .and_then(|info| {
            let lang = candidates
                .iter()
                .copied()
                .find(|l| l.whatlang() == Some(info.lang()))?;
            Some((lang, info.confidence()))
        });
    let hint = hint.filter(|h| candidates.contains(h));
    match (found, hint) {
        (Some((lang, confidence)), Some(h)) if lang != h && confidence < MODEL_OVER_HINT => Some(h),
        (Some((lang, _)), _) => Some(lang),
        (None, h) => h.or(english).or(candidates.first().copied()),
    }
}

/// How many bytes the function-word count and the model read.
const FAST_SAMPLE_BYTES: usize = 600;
const MODEL_SAMPLE_BYTES: usize = 300;
/// The model's confidence (0 to 1) past which it overrides the hint.
const MODEL_OVER_HINT: f64 = 0.5;

/// Whether a sample reads as English: several of its words are English
/// function words, and few are function words of the other Latin-script
/// languages we match (words shared by several, such as "in", "a", count
/// for none).
fn looks_english(sample: &str) -> bool {
    const ENGLISH: &[&str] = &[
        "the", "of", "and", "to", "is", "was", "for", "on", "that", "with", "by", "said", "has",
        "its", "from", "it", "at", "as", "be", "are", "have", "will", "after", "which", "would",
        "this", "were", "been", "their",
    ];
    const OTHERS: &[&str] = &[
        "der", "die", "und", "das", "von", "mit", "ist", "nicht", "sich", "auf", "le", "la", "les",
        "des", "et", "du", "est", "une", "dans", "pour", "sur", "el", "los", "las", "del", "y",
        "que", "por", "para", "con", "una", "il", "di", "che", "della", "per", "non", "nel", "gli",
        "os", "do", "da", "em", "uma", "não",
    ];
    static WORDS: std::sync::OnceLock<FxHashMap<&'static [u8], bool>> = std::sync::OnceLock::new();
    let words = WORDS.get_or_init(|| {
        ENGLISH
            .iter()
            .map(|w| (w.as_bytes(), true))
            .chain(OTHERS.iter().map(|w| (w.as_bytes(), false)))
            .collect()
    });
    let (mut en, mut other) = (0, 0);
    // Function words are short: longer words are skipped, the rest
    // lower-cased into a small buffer and looked up, with no allocation.
    let mut buf = [0u8; 8];
    for w in sample
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty() && w.len() <= 8)
    {
        let lower = &mut buf[..w.len()];
        lower.copy_from_slice(w.as_bytes());
        lower.make_ascii_lowercase();
        match words.get(&*lower) {
            Some(true) => en += 1,
            Some(false) => other += 1,
            None => {}
        }
        // Clearly English already: the rest cannot change the verdict.
        if en >= 12 && other * 4 <= en - 8 {
            return true;
        }
    }
    // Latin-script text in the other languages shows accented letters
    // soon; a sample without any needs fewer English words.
    let plain_ascii = sample.is_ascii();
    (en >= 4 && en >= 4 * other) || (plain_ascii && en >= 2 && en >= 3 * other)
}

/// `text` cut to at most `max` bytes on a char boundary.
fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
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

/// How the words of a text or phrase become keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Keyer {
    /// Lower-cased, stemmed with the language's Snowball stemmer, folded.
    Stem(Lang),
    /// Folded, transliterated to ASCII and smoothed ([`smooth`]): a Latin
    /// and a Cyrillic spelling of one name meet, up to the case ending.
    Translit,
}

impl Keyer {
    fn id(self) -> u8 {
        match self {
            Keyer::Stem(l) => l.0,
            Keyer::Translit => 255,
        }
    }

    /// The key of one word in its original spelling.
    fn key(self, word: &str) -> String {
        match self {
            Keyer::Stem(lang) => {
                let lower = word.to_lowercase();
                match lang.stemmer() {
                    Some(algorithm) => fold(&stemmer(algorithm).stem(&lower)),
                    None => fold(&lower),
                }
            }
            Keyer::Translit => smooth(&any_ascii::any_ascii(&fold(word))),
        }
    }
}

fn stemmer(algorithm: Algorithm) -> &'static Stemmer {
    static STEMMERS: std::sync::OnceLock<Vec<(Algorithm, Stemmer)>> = std::sync::OnceLock::new();
    let all = STEMMERS.get_or_init(|| {
        Lang::all()
            .filter_map(Lang::stemmer)
            .map(|a| (a, Stemmer::create(a)))
            .collect()
    });
    &all.iter()
        .find(|(a, _)| std::mem::discriminant(a) == std::mem::discriminant(&algorithm))
        .expect("a stemmer for every language that has one")
        .1
}

/// Smooths an ASCII transliteration so that the usual Latin spellings of
/// a Cyrillic name meet: letters that transliteration schemes trade ("kh"
/// and "h", "c", "k" and "q", "z" and "s", "j", "y" and "i", "w" and "v"),
/// doubled letters, and the final vowels a declension or an English
/// spelling adds ("Kaspersky" = "Касперского" → "kaspersk"). Only letters
/// and digits are kept. A key shorter than three letters is left as it is.
pub fn smooth(ascii: &str) -> String {
    let lower: Vec<u8> = ascii
        .bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    let mut out: Vec<u8> = Vec::with_capacity(lower.len());
    let mut i = 0;
    while i < lower.len() {
        let (c, skip) = match (lower[i], lower.get(i + 1).copied()) {
            (b'k', Some(b'h')) | (b'p', Some(b'h')) => {
                (if lower[i] == b'k' { b'h' } else { b'f' }, 2)
            }
            (b'c', Some(b'k')) => (b'k', 2),
            (b'c' | b'q', _) => (b'k', 1),
            (b'z', _) => (b's', 1),
            (b'w', _) => (b'v', 1),
            (b'j' | b'y', _) => (b'i', 1),
            (b'x', _) => {
                out.push(b'k');
                (b's', 1)
            }
            (c, _) => (c, 1),
        };
        if out.last() != Some(&c) {
            out.push(c);
        }
        i += skip;
    }
    while out.len() > 3 && matches!(out.last(), Some(b'a' | b'e' | b'i' | b'o' | b'u')) {
        out.pop();
    }
    String::from_utf8(out).expect("ASCII")
}

/// A text's words as keys, space-separated, with a map from each key back
/// to its word in the folded text.
#[derive(Debug, Default, Clone)]
pub struct Keyed {
    pub text: String,
    /// (key start in `text`, folded word start, folded word end), in order.
    words: Vec<(u32, u32, u32)>,
}

/// Words keyed before, per thread: news repeats its words, and a stemmer
/// call costs more than a lookup. Cleared when it grows past
/// [`CACHE_WORDS`].
/// One map per keyer (looked up by `&str`, with no allocation per word
/// already seen).
type Words = hashbrown::HashMap<Box<str>, Box<str>, rustc_hash::FxBuildHasher>;
type Cache = FxHashMap<u8, Words>;
const CACHE_WORDS: usize = 200_000;

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(Cache::default());
}

/// The key of `word`, from the cache or made and cached (one hash
/// lookup; an allocation only for a word not seen before).
fn cached_key<'c>(cache: &'c mut Words, keyer: Keyer, word: &str) -> &'c str {
    cache
        .entry_ref(word)
        .or_insert_with(|| keyer.key(word).into())
}

impl Keyed {
    /// Keys the words of `folded` (the folding of `original`): each
    /// maximal run of letters and digits of the folded text, keyed from
    /// its original spelling.
    pub fn build(&mut self, folded: &Folded, original: &str, keyer: Keyer) {
        self.text.clear();
        self.words.clear();
        let f = &folded.text;
        let id = keyer.id();
        CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            let cache = cache.entry(id).or_default();
            if cache.len() > CACHE_WORDS {
                cache.clear();
            }
            let mut start = None;
            let mut cursor = folded.cursor();
            let bytes = f.as_bytes();
            let mut i = 0;
            while i <= bytes.len() {
                // Words are runs of letters and digits; ASCII bytes are
                // classified by themselves, other characters by Unicode.
                let (word_char, width) = match bytes.get(i) {
                    None => (false, 1),
                    Some(b) if b.is_ascii() => (b.is_ascii_alphanumeric(), 1),
                    Some(_) => {
                        let c = f[i..].chars().next().expect("i is on a char boundary");
                        (c.is_alphanumeric(), c.len_utf8())
                    }
                };
                match (word_char, start) {
                    (true, None) => start = Some(i),
                    (false, Some(s)) => {
                        start = None;
                        let (os, oe) = cursor.original(s, i);
                        let word = &original[os..oe];
                        let key = cached_key(cache, keyer, word);
                        // A word keyed to nothing (transliteration of a
                        // letter with no ASCII form) keeps its folded form.
                        let key: &str = if key.is_empty() { &f[s..i] } else { key };
                        if !self.text.is_empty() {
                            self.text.push(' ');
                        }
                        self.words
                            .push((self.text.len() as u32, s as u32, i as u32));
                        self.text.push_str(key);
                    }
                    _ => {}
                }
                i += width;
            }
        });
    }

    /// The folded range of the keyed range `start..end` (whole keys).
    pub fn folded_range(&self, start: usize, end: usize) -> (usize, usize) {
        let first = self
            .words
            .partition_point(|w| (w.0 as usize) <= start)
            .saturating_sub(1);
        let last = self
            .words
            .partition_point(|w| (w.0 as usize) < end)
            .saturating_sub(1);
        (self.words[first].1 as usize, self.words[last].2 as usize)
    }

    /// The keyed offset of the first key whose word starts at or after
    /// folded offset `pos` (the text's length if none).
    pub fn keyed_pos(&self, pos: usize) -> usize {
        let i = self.words.partition_point(|w| (w.1 as usize) < pos);
        self.words.get(i).map_or(self.text.len(), |w| w.0 as usize)
    }
}

/// The key form of a phrase (or a part of a gap phrase), as the text's
/// words are keyed: empty when it has no letters or digits.
pub fn key_phrase(phrase: &str, keyer: Keyer) -> String {
    let folded = fold_with_map(phrase);
    let mut k = Keyed::default();
    k.build(&folded, phrase, keyer);
    k.text
}

/// Letters a Russian case ending leaves after transliteration and
/// [`smooth`] ("-ого" → "og", "-ом" → "om", "-ах" → "ah", "-ов" → "ov").
const ENDING_LETTERS: &[u8] = b"aeioumhvg";
/// The most letters a case ending adds to a smoothed key.
const ENDING_MAX: usize = 3;
/// The fewest letters of a smoothed key worth matching on.
const MIN_KEY: usize = 3;

/// Latin-script names (company names of the watchlists) found in Cyrillic
/// text in any grammatical case: each word of a name is looked up by its
/// smoothed transliteration, allowing the text's word up to
/// [`ENDING_MAX`] more letters of a case ending.
#[derive(Debug, Clone)]
pub struct TranslitIndex<T> {
    /// A name's first key → (its other keys, payload).
    first: FxHashMap<Box<str>, Vec<Rest<T>>>,
}

/// A name's keys after the first, and what it stands for.
type Rest<T> = (Vec<Box<str>>, T);

impl<T> Default for TranslitIndex<T> {
    fn default() -> Self {
        TranslitIndex {
            first: FxHashMap::default(),
        }
    }
}

impl<T: Copy> TranslitIndex<T> {
    /// Adds a name written in Latin letters. Returns `false`, adding
    /// nothing, for a name with other letters or with a word too short to
    /// key safely.
    pub fn insert(&mut self, name: &str, payload: T) -> bool {
        if name.chars().any(|c| {
            c.is_alphabetic() && !c.is_ascii_alphabetic() && !matches!(c, '\u{C0}'..='\u{24F}')
        }) {
            return false;
        }
        let keys: Vec<Box<str>> = key_phrase(name, Keyer::Translit)
            .split(' ')
            .map(Box::from)
            .collect();
        if keys.iter().any(|k| k.len() < MIN_KEY) {
            return false;
        }
        let (first, rest) = keys.split_first().expect("split gives a word");
        self.first
            .entry(first.clone())
            .or_default()
            .push((rest.to_vec(), payload));
        true
    }

    pub fn is_empty(&self) -> bool {
        self.first.is_empty()
    }

    /// Calls `found(payload, folded start, folded end)` for every name
    /// whose first word is a Cyrillic word of `folded` (the folding of
    /// `original`).
    pub fn find(&self, folded: &Folded, original: &str, found: &mut impl FnMut(T, usize, usize)) {
        if self.first.is_empty() {
            return;
        }
        let mut keyed = Keyed::default();
        keyed.build(folded, original, Keyer::Translit);
        let words: Vec<(&str, usize, usize)> = keyed
            .words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let end = keyed
                    .words
                    .get(i + 1)
                    .map_or(keyed.text.len(), |n| n.0 as usize - 1);
                (&keyed.text[w.0 as usize..end], w.1 as usize, w.2 as usize)
            })
            .collect();
        for (i, &(key, fs, _)) in words.iter().enumerate() {
            if !folded.text[fs..].starts_with(|c: char| matches!(c, '\u{400}'..='\u{52F}')) {
                continue;
            }
            for stem in ending_stems(key) {
                let Some(names) = self.first.get(stem) else {
                    continue;
                };
                for (rest, payload) in names {
                    let fits = rest.len() < words.len() - i
                        && rest
                            .iter()
                            .zip(&words[i + 1..])
                            .all(|(want, (got, _, _))| ending_stems(got).any(|s| s == &**want));
                    if fits {
                        found(*payload, fs, words[i + rest.len()].2);
                    }
                }
            }
        }
    }
}

/// `key` and each shorter form of it that drops up to [`ENDING_MAX`]
/// letters of a case ending, keeping at least [`MIN_KEY`].
fn ending_stems(key: &str) -> impl Iterator<Item = &str> {
    let b = key.as_bytes();
    (0..=ENDING_MAX)
        .take_while(move |&n| {
            n == 0 || (b.len() >= MIN_KEY + n && ENDING_LETTERS.contains(&b[b.len() - n]))
        })
        .map(move |n| &key[..key.len() - n])
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

    #[test]
    fn detects_languages_by_script_and_model() {
        let d = |hint: Option<&str>, body: &str| detect(hint, "", body);
        assert_eq!(
            d(None, "Минфин США ввёл санкции против банка."),
            Some(l("ru"))
        );
        assert_eq!(d(None, "米財務省は同社に制裁を科した。"), Some(l("ja")));
        assert_eq!(d(None, "美国商务部将该公司列入实体清单。"), Some(l("zh")));
        assert_eq!(
            d(None, "Die EU-Kommission hat gegen den Konzern eine Geldbuße verhängt, teilte die Behörde am Montag mit."),
            Some(l("de"))
        );
        assert_eq!(
            d(Some("en"), "La Commission européenne a infligé une amende au groupe américain, a-t-elle annoncé mardi."),
            Some(l("fr")),
            "a confident model overrides a wrong hint"
        );
        assert_eq!(
            d(Some("it"), "Multa"),
            Some(l("it")),
            "the hint decides a short text"
        );
        assert_eq!(d(None, "Η Επιτροπή επέβαλε πρόστιμο."), None);
    }

    #[test]
    fn stems_meet_across_inflections() {
        let k = |p: &str, l: Lang| key_phrase(p, Keyer::Stem(l));
        assert_eq!(k("Geldbuße", l("de")), k("Geldbußen", l("de")));
        assert_eq!(k("sanctions", l("fr")), k("sanction", l("fr")));
        assert_eq!(k("Роснефть", l("ru")), k("Роснефти", l("ru")));
        assert_eq!(
            k("US-Handelsministerium", l("de")),
            k("US-Handelsministeriums", l("de"))
        );
    }

    /// The names of `index` found in `text`, as the original words.
    fn found(index: &TranslitIndex<u32>, text: &str) -> Vec<(u32, String)> {
        let folded = fold_with_map(text);
        let mut out = Vec::new();
        index.find(&folded, text, &mut |p, s, e| {
            let (os, oe) = folded.original(s, e);
            out.push((p, text[os..oe].to_string()));
        });
        out
    }

    #[test]
    fn latin_names_meet_their_cyrillic_spellings_in_any_case() {
        let mut index = TranslitIndex::default();
        let names = [
            "Rosneft",
            "Kaspersky",
            "Sberbank",
            "Sovcomflot",
            "Surgutneftegas",
            "Gazprom Neft",
            "VTB",
            "Rusal",
            "Alfa-Bank",
        ];
        for (i, n) in names.iter().enumerate() {
            assert!(index.insert(n, i as u32), "{n}");
        }
        assert!(!index.insert("En+", 99), "too short a key to be safe");
        let cases = [
            ("санкции против Роснефти", 0, "Роснефти"),
            ("с «Роснефтью»", 0, "Роснефтью"),
            ("Лаборатория Касперского", 1, "Касперского"),
            ("клиенты Сбербанка", 2, "Сбербанка"),
            ("Совкомфлот", 3, "Совкомфлот"),
            ("акции Сургутнефтегаза", 4, "Сургутнефтегаза"),
            ("долги Газпром нефти", 5, "Газпром нефти"),
            ("ВТБ", 6, "ВТБ"),
            ("у Альфа-Банка", 8, "Альфа-Банка"),
        ];
        for (text, want, words) in cases {
            assert_eq!(found(&index, text), [(want, words.to_string())], "{text}");
        }
        assert!(found(&index, "цены росли").is_empty(), "not Rusal");
        assert!(found(&index, "Роснефтегаз").is_empty(), "another company");
        assert!(
            found(&index, "Rosneft").is_empty(),
            "Latin text is the word index's"
        );
    }

    #[test]
    fn keyed_words_map_back_to_the_folded_text() {
        let text = "Минфин наложил «штраф» на Роснефть.";
        let folded = fold_with_map(text);
        let mut k = Keyed::default();
        k.build(&folded, text, Keyer::Stem(l("ru")));
        let key = key_phrase("Роснефть", Keyer::Stem(l("ru")));
        let at = k.text.find(&key).unwrap();
        let (fs, fe) = k.folded_range(at, at + key.len());
        let (os, oe) = folded.original(fs, fe);
        assert_eq!(&text[os..oe], "Роснефть");
        assert_eq!(k.keyed_pos(fs), at);
    }
}
