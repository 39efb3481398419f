//! Language detection: which of the languages with a file an article is
//! written in, from its letters' scripts, a count of English function
//! words, and a trigram model (whatlang) limited to the script's
//! languages, with the event's `language` hint deciding when the model is
//! unsure.
//!
//! Invariants: detection reads at most the first [`SAMPLE_BYTES`] of an
//! article, so its cost does not grow with the article; it answers only a
//! language with a file, or `None` for a script none of them has.

use rustc_hash::FxHashMap;

use super::{is_han, Lang, Script, FUNCTION_WORD_BYTES};

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
    // The `function_words` of the language files: English's count for
    // English, the other Latin-script languages' against it.
    static WORDS: std::sync::OnceLock<FxHashMap<&'static [u8], bool>> = std::sync::OnceLock::new();
    let words = WORDS.get_or_init(|| {
        let english = Lang::parse("en");
        let latin = || Lang::all().filter(|l| l.script() == Script::Latin);
        let of = |l: Lang, is_english: bool| {
            l.info()
                .function_words
                .iter()
                .map(move |w| (w.as_bytes(), is_english))
        };
        latin()
            .filter(|&l| Some(l) == english)
            .flat_map(|l| of(l, true))
            .chain(
                latin()
                    .filter(|&l| Some(l) != english)
                    .flat_map(|l| of(l, false)),
            )
            .collect()
    });
    let (mut en, mut other) = (0, 0);
    // Function words are short: longer words are skipped, the rest
    // lower-cased into a small buffer and looked up, with no allocation.
    let mut buf = [0u8; FUNCTION_WORD_BYTES];
    for w in sample
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty() && w.len() <= FUNCTION_WORD_BYTES)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn l(code: &str) -> Lang {
        Lang::parse(code).expect("a language with a file")
    }

    #[test]
    fn english_function_words_are_no_other_languages() {
        let en = l("en");
        let english = &en.info().function_words;
        assert!(english.iter().any(|w| w == "the"));
        for other in Lang::all().filter(|&o| o != en && o.script() == Script::Latin) {
            let words = &other.info().function_words;
            assert!(!words.is_empty(), "{}", other.code());
            assert!(
                !words.iter().any(|w| english.contains(w)),
                "{}",
                other.code()
            );
        }
        assert!(looks_english(
            "The company said on Monday that it was fined by the regulator."
        ));
        assert!(!looks_english(
            "Die Kommission hat das Unternehmen mit einer Geldbuße belegt."
        ));
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
}
