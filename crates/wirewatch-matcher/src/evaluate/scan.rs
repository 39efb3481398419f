//! The scan: every phrase occurrence of an article in one pass over its
//! folded text (the word-start phrase index, the rare automaton phrases),
//! its keyed text (a stemmed language's phrases, every name's keys), its
//! Cyrillic transliteration and its Chinese or Japanese characters; then
//! the context cues, looked up only around company mentions; then the
//! per-sentence and per-rule indexes of [`Scan`].
//!
//! Invariants: occurrences are in original-text bytes, each inside one
//! sentence, sorted by start (longest first); a company name that runs on
//! into a longer proper name, a case that does not fit and a gap phrase
//! whose later parts are missing are not occurrences. In an article with
//! no company mention the phrase occurrences are dropped (no rule can
//! fire). The folded and keyed buffers are
//! reused per thread, not allocated per article.

use super::roles::{add_descriptor_references, drop_expletive_it};
use super::{contains, Occ, Scan, MAX_OCCURRENCES};
use crate::article::Article;
use crate::compile::{CaseRule, CompanyId, Entry, Matcher, Target};
use crate::grammar::Grammar;
use crate::lang::{detect, is_han, is_kana, is_katakana, simplified, Keyed, Keyer, Lang};
use crate::normalize::{fold, fold_into, on_word_boundaries, Folded};
use crate::text::Document;

/// How many words a gap phrase ("agreed to pay ... to settle") may span.
const GAP_WORDS: usize = 8;

/// How many characters a gap may span in Chinese or Japanese, which have
/// no spaces between words (about eight words' worth).
const GAP_CJK_CHARS: usize = 20;

impl Matcher {
    pub(super) fn scan(&self, article: &Article) -> Scan {
        self.with_folded(article, |_, scan| scan)
    }

    /// Scans `article` and hands the scan and the folded text to `f`.
    pub(super) fn with_folded<T>(
        &self,
        article: &Article,
        f: impl FnOnce(&Folded, Scan) -> T,
    ) -> T {
        let doc = Document::new(article);
        let lang = detect(
            article.language.as_deref(),
            &doc.text[..doc.title_len()],
            &doc.text[doc.title_len()..],
        );
        thread_local! {
            static FOLDED: std::cell::RefCell<Folded> = std::cell::RefCell::new(Folded::default());
            static KEYED: std::cell::RefCell<Keyed> = std::cell::RefCell::new(Keyed::default());
        }
        FOLDED.with(|cell| {
            let mut folded = cell.borrow_mut();
            fold_into(&mut folded, &doc.text);
            // Traditional Chinese as Simplified (same bytes, same offsets):
            // the CJK phrases are compiled that way too.
            let cjk = may_have_cjk(&folded.text);
            if cjk {
                if let std::borrow::Cow::Owned(s) = simplified(&folded.text) {
                    folded.text = s;
                }
            }
            let scan =
                KEYED.with(|k| self.scan_folded(doc, &folded, cjk, lang, &mut k.borrow_mut()));
            f(&folded, scan)
        })
    }

    fn scan_folded(
        &self,
        doc: Document,
        folded: &Folded,
        cjk: bool,
        lang: Option<Lang>,
        keyed: &mut Keyed,
    ) -> Scan {
        let mut occs = Vec::new();
        // Keys of the article's words in its language, when it has a
        // stemmer: its taxonomy phrases and the names are looked up there.
        let stemmed = lang.filter(|l| l.stemmer().is_some());
        if let Some(l) = stemmed {
            keyed.build(folded, &doc.text, Keyer::Stem(l));
        }
        let keyed: &Keyed = keyed;
        // Where a match's gap phrase ends: its later parts are looked for in
        // the folded text, or in the keyed text for a keyed match.
        let gap_end =
            |sentence: usize, fend: usize, kend: Option<usize>, g: u32| -> Option<usize> {
                let sentence_end = folded
                    .folded_pos(doc.sentences[sentence].end)
                    .min(folded.text.len());
                match kend {
                    None => {
                        if fend >= sentence_end {
                            return None;
                        }
                        let len = self.gap_len(&folded.text[fend..sentence_end], g)?;
                        Some(folded.original(fend, fend + len).1)
                    }
                    Some(kend) => {
                        let ksentence_end = keyed.keyed_pos(sentence_end);
                        if kend >= ksentence_end {
                            return None;
                        }
                        let len = self.gap_len(&keyed.text[kend..ksentence_end], g)?;
                        let (_, fe) = keyed.folded_range(kend + 1, kend + len);
                        Some(folded.original(fend, fe).1)
                    }
                }
            };
        // The sentences that mention a watched company: the context cues
        // are looked up only around them.
        let company_sentences = std::cell::RefCell::new(Vec::new());
        let mut accept = |entries: &[Entry], fstart: usize, fend: usize, kend: Option<usize>| {
            // Past the budget nothing more is kept: the article is rejected.
            if occs.len() > MAX_OCCURRENCES {
                return;
            }
            let (start, end) = folded.original(fstart, fend);
            let original = &doc.text[start..end];
            let Some(sentence) = doc.sentence_at(start) else {
                return;
            };
            // Folding joins sentences and paragraphs with a space, so a
            // phrase could run on into the next one ("Department of</p>
            // Justice", found by cargo fuzz); a phrase is one sentence's.
            if end > doc.sentences[sentence].end {
                return;
            }
            for e in entries {
                if !e.case.accepts(original) {
                    continue;
                }
                let end = match e.gap {
                    None => end,
                    Some(g) => match gap_end(sentence, fend, kend, g) {
                        Some(end) => end,
                        None => continue,
                    },
                };
                // In a Title Case headline every word is capitalized, so a
                // name that is also a common word proves nothing there by
                // itself; it counts only if the body backs it (below).
                let unproven = e.common
                    && e.case != CaseRule::Acronym
                    && sentence < doc.title_sentences
                    && is_title_case(doc.sentence_text(sentence));
                let is_company = matches!(e.target, Target::Company { .. } | Target::Listed(_));
                if is_company
                    && continues_longer_name(&doc.text[end..], &self.grammar.name_particles)
                {
                    // "Société Générale de Surveillance" is another company.
                    continue;
                }
                if is_company {
                    company_sentences.borrow_mut().push(sentence);
                }
                let occ = |target| Occ {
                    target,
                    start,
                    end,
                    sentence,
                    common: e.common,
                    unproven,
                    weak: e.weak,
                    other_role: false,
                };
                match e.target {
                    // A list's name is indexed once: its occurrence is one
                    // company occurrence per rule that uses the list.
                    Target::Listed(g) => {
                        for &rule in &self.list_rules[self.list_of(g)] {
                            occs.push(occ(Target::Company {
                                rule,
                                company: CompanyId::listed(g),
                            }));
                        }
                    }
                    target => occs.push(occ(target)),
                }
            }
        };
        // Chinese and Japanese run their characters into any Latin word
        // next to them ("米TikTok禁止法"); the word walk reads a copy with
        // those characters blanked out (same offsets).
        let words_text: std::borrow::Cow<str> = if cjk {
            std::borrow::Cow::Owned(blank_cjk(&folded.text))
        } else {
            std::borrow::Cow::Borrowed(&folded.text)
        };
        self.phrases
            .find(&words_text, &mut |e: &[Entry], s, t| accept(e, s, t, None));
        if let Some(automaton) = &self.automaton {
            for m in automaton.find_overlapping_iter(&*words_text) {
                if on_word_boundaries(&words_text, m.start(), m.end()) {
                    accept(
                        &self.entries[m.pattern().as_usize()],
                        m.start(),
                        m.end(),
                        None,
                    );
                }
            }
        }
        if let Some(l) = stemmed {
            let mut keyed_accept = |entries: &[Entry], ks: usize, ke: usize| {
                let (fs, fe) = keyed.folded_range(ks, ke);
                accept(entries, fs, fe, Some(ke));
            };
            if let Some((_, index)) = self.keyed.iter().find(|(k, _)| *k == l) {
                index.find(&keyed.text, &mut keyed_accept);
            }
            // A name found by its stem must still be that name in the text,
            // give or take a case ending: stems of two names can meet
            // ("Graitar" and "Graita" are both "grait" to a Spanish stemmer).
            self.keyed_names.find(
                &keyed.text,
                &mut |entries: &[Entry], ks: usize, ke: usize| {
                    let (fs, fe) = keyed.folded_range(ks, ke);
                    let found = &folded.text[fs..fe];
                    let fitting: Vec<Entry> = entries
                        .iter()
                        .filter(|e| match self.company_of_target(e.target) {
                            Some(c) => c.names().any(|n| {
                                inflected_form_of(found, &fold(n))
                                    || crate::names::variants(n)
                                        .iter()
                                        .any(|v| inflected_form_of(found, &fold(&v.text)))
                            }),
                            None => true,
                        })
                        .copied()
                        .collect();
                    if !fitting.is_empty() {
                        accept(&fitting, fs, fe, Some(ke));
                    }
                },
            );
        }
        if has_cyrillic(&folded.text) {
            self.translit
                .find(folded, &doc.text, &mut |e: Entry, fs, fe| {
                    accept(&[e], fs, fe, None)
                });
        }
        if let Some(automaton) = self.cjk.as_ref().filter(|_| cjk) {
            for m in automaton.find_overlapping_iter(&folded.text) {
                if on_cjk_boundaries(&folded.text, m.start(), m.end()) {
                    accept(
                        &self.cjk_entries[m.pattern().as_usize()],
                        m.start(),
                        m.end(),
                        None,
                    );
                }
            }
        }
        // Context cues in the sentences around company mentions, the
        // headline and the lead: where windows, statuses and enumerations
        // look. An article with no company mention needs none of it.
        let mut near = vec![false; doc.sentences.len()];
        for &s in company_sentences.borrow().iter() {
            let from = s.saturating_sub(1);
            let to = (s + 1).min(near.len() - 1);
            near[from..=to].iter_mut().for_each(|n| *n = true);
        }
        if near.iter().any(|&n| n) {
            let lead = doc.title_sentences.min(near.len() - 1);
            near[..=lead].iter_mut().for_each(|n| *n = true);
        }
        let keyed_context = stemmed.and_then(|l| self.keyed_context.iter().find(|(k, _)| *k == l));
        let mut s = 0;
        while s < near.len() {
            if !near[s] {
                s += 1;
                continue;
            }
            let mut e = s;
            while e + 1 < near.len() && near[e + 1] {
                e += 1;
            }
            let fs = folded
                .folded_pos(doc.sentences[s].start)
                .min(folded.text.len());
            let fe = folded
                .folded_pos(doc.sentences[e].end)
                .min(folded.text.len());
            if fs < fe {
                self.context
                    .find(&words_text[fs..fe], &mut |x: &[Entry], a, b| {
                        accept(x, fs + a, fs + b, None)
                    });
                if let Some((_, index)) = keyed_context {
                    let (ks, ke) = (keyed.keyed_pos(fs), keyed.keyed_pos(fe));
                    if ks < ke {
                        index.find(&keyed.text[ks..ke], &mut |x: &[Entry], a, b| {
                            let (f0, f1) = keyed.folded_range(ks + a, ks + b);
                            accept(x, f0, f1, Some(ks + b));
                        });
                    }
                }
            }
            s = e + 1;
        }
        if company_sentences.borrow().is_empty() {
            occs.clear();
        }
        // A phrase found by two indexes (a name in its base form) is one
        // occurrence.
        occs.sort_by_key(|o| (o.start, std::cmp::Reverse(o.end)));
        occs.dedup_by(|a, b| (a.target, a.start, a.end) == (b.target, b.start, b.end));
        add_descriptor_references(&doc, &mut occs, self.grammar.descriptor.as_ref());
        drop_expletive_it(&doc, &mut occs, &self.grammar.dummy_it);
        // A headline's common-word name counts when the body names the same
        // company or the lead refers back to it ("the iPhone maker").
        let lead = doc.title_sentences;
        let lead_refers = occs
            .iter()
            .any(|o| o.sentence == lead && o.target == Target::Reference);
        let proven: rustc_hash::FxHashSet<Target> = occs
            .iter()
            .filter(|o| matches!(o.target, Target::Company { .. }) && !o.unproven && !o.weak)
            .map(|o| o.target)
            .collect();
        // A weak name (a list's common-word name, a common word left of a
        // name without its legal form) counts only where the article also
        // names the same company in a form that proves it.
        occs.retain(|o| {
            (!o.weak || proven.contains(&o.target))
                && (!o.unproven || lead_refers || proven.contains(&o.target))
        });
        occs.sort_by_key(|o| (o.start, std::cmp::Reverse(o.end)));
        let over_budget = (occs.len() > MAX_OCCURRENCES).then_some(occs.len());
        if over_budget.is_some() {
            occs.clear();
        }
        let mut scan = Scan {
            over_budget,
            doc,
            occs,
            first: Vec::new(),
            companies: Vec::new(),
            vetoed_actions: Vec::new(),
            lang,
        };
        scan.drop_vetoed();
        scan.resolve_agency_references();
        scan.drop_negated();
        scan.index(&self.grammar);
        scan
    }

    /// How much of `tail` (the rest of a sentence after a gap phrase's
    /// first part, folded or keyed) its later parts take: each must follow
    /// within [`GAP_WORDS`] words (or [`GAP_CJK_CHARS`] characters of
    /// Chinese or Japanese). `None` if one is missing.
    fn gap_len(&self, tail: &str, gap: u32) -> Option<usize> {
        let mut pos = 0;
        for part in &self.gaps[gap as usize] {
            let window = &tail[pos..];
            if part.cjk {
                // Only the next few characters can hold the part: search
                // no further, whatever the sentence's length.
                let limit = window
                    .char_indices()
                    .nth(GAP_CJK_CHARS)
                    .map_or(window.len(), |(i, _)| i);
                let mut reach = (limit + part.finder.needle().len()).min(window.len());
                while !window.is_char_boundary(reach) {
                    reach += 1;
                }
                let first = part.finder.find(&window.as_bytes()[..reach])?;
                pos += first + part.finder.needle().len();
                continue;
            }
            // Only the next few words can hold the part: search no
            // further, whatever the sentence's length.
            let limit = nth_word_end(window, GAP_WORDS + part.words);
            pos += find_word(&window[..limit], &part.finder)?;
        }
        (pos > 0).then_some(pos)
    }
}

impl Scan {
    /// Builds the per-sentence and per-rule indexes of the occurrences.
    fn index(&mut self, grammar: &Grammar) {
        let n = self.doc.sentences.len();
        self.first = (0..=n)
            .map(|i| self.occs.partition_point(|o| o.sentence < i))
            .collect();
        self.companies = self
            .occs
            .iter()
            .enumerate()
            .filter_map(|(i, o)| match o.target {
                Target::Company { rule, .. } => Some((rule, i)),
                _ => None,
            })
            .collect();
        self.companies.sort_unstable();
        // Each mention's role, from its sentence's role cues (few): once,
        // not per window and per rule that asks.
        let mut roles = Vec::with_capacity(self.companies.len());
        for s in 0..n {
            let occs = self.sentence_occs(s);
            let cues: Vec<Occ> = occs
                .iter()
                .filter(|o| matches!(o.target, Target::RoleBefore | Target::RoleAfter))
                .copied()
                .collect();
            for (i, o) in occs.iter().enumerate() {
                if matches!(o.target, Target::Company { .. }) && self.role_of(o, &cues, grammar) {
                    roles.push(self.first[s] + i);
                }
            }
        }
        for i in roles {
            self.occs[i].other_role = true;
        }
    }
}

/// Whether `found` (folded text) is `name` (folded) in some grammatical
/// case: word for word, each word of the text the name's word, less at
/// most a final vowel or soft sign, plus at most three letters of ending
/// ("Intels" of "Intel", "Роснефти" of "Роснефть", "Сбербанка" of
/// "Сбербанк", but not "Graita" of "Graitar").
fn inflected_form_of(found: &str, name: &str) -> bool {
    let words = |t: &str| -> Vec<String> {
        t.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (f, n) = (words(found), words(name));
    f.len() == n.len()
        && f.iter().zip(&n).all(|(f, n)| {
            let stem = n
                .strip_suffix(|c: char| "aeiouyьъаяоеёиыйэую".contains(c))
                .filter(|s| !s.is_empty())
                .unwrap_or(n);
            f.starts_with(stem) && f.chars().count() <= n.chars().count() + 3
        })
}

/// Whether the text after a company name continues a longer proper name
/// with one of `particles` ("Société Générale de Surveillance").
fn continues_longer_name(rest: &str, particles: &[String]) -> bool {
    let mut words = rest.split_whitespace();
    if !rest.starts_with(' ') {
        return false;
    }
    match (words.next(), words.next()) {
        (Some(p), Some(next)) => {
            contains(particles, p) && next.chars().next().is_some_and(char::is_uppercase)
        }
        _ => false,
    }
}

/// Whether a headline is in Title Case: most of its longer words capitalized.
fn is_title_case(text: &str) -> bool {
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() > 3)
        .collect();
    let caps = words
        .iter()
        .filter(|w| {
            w.chars()
                .find(|c| c.is_alphabetic())
                .is_some_and(char::is_uppercase)
        })
        .count();
    words.len() >= 2 && caps * 4 >= words.len() * 3
}

/// `text` with every Han and kana character (and full-width punctuation)
/// replaced by spaces, byte for byte, so Latin words next to them stand
/// alone and every offset stays the same.
fn blank_cjk(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_han(c) || is_kana(c) || matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}')
        {
            out.extend(std::iter::repeat_n(' ', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether folded text may hold Chinese or Japanese: a lead byte of the
/// UTF-8 blocks from U+3000 to U+9FFF (or of the compatibility ideographs).
fn may_have_cjk(text: &str) -> bool {
    // Folded English is nearly always plain ASCII, which `is_ascii` checks
    // many bytes at a time.
    !text.is_ascii()
        && text
            .bytes()
            .any(|b| (0xE3..=0xE9).contains(&b) || b == 0xEF)
}

/// Whether folded text holds a Cyrillic letter.
fn has_cyrillic(text: &str) -> bool {
    !text.is_ascii()
        && memchr::memchr2(0xD0, 0xD1, text.as_bytes()).is_some()
        && text.chars().any(|c| matches!(c, '\u{400}'..='\u{52F}'))
}

/// Whether a character-sequence match sits where a word may start and end:
/// Han characters join any neighbour (Chinese and Japanese write without
/// spaces), but a katakana name inside a longer katakana word is another
/// word, and a Latin letter or digit at a match's edge needs a boundary.
fn on_cjk_boundaries(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let (Some(first), Some(last)) = (
        text[start..end].chars().next(),
        text[start..end].chars().next_back(),
    ) else {
        return false;
    };
    let joins = |edge: char, next: Option<char>| match next {
        None => false,
        Some(n) if is_katakana(edge) => is_katakana(n),
        Some(_) if is_han(edge) || is_kana(edge) => false,
        Some(n) => edge.is_alphanumeric() && n.is_alphanumeric() && !is_han(n) && !is_kana(n),
    };
    !joins(first, before) && !joins(last, after)
}

/// Byte offset just past the `n`th word of `text` (or its end).
fn nth_word_end(text: &str, n: usize) -> usize {
    let mut count = 0;
    let mut in_word = false;
    // Bytes, not chars: a space is one byte and never part of another
    // character's UTF-8 encoding.
    for (i, &c) in text.as_bytes().iter().enumerate() {
        if c == b' ' {
            if in_word {
                count += 1;
                if count == n {
                    return i;
                }
            }
            in_word = false;
        } else {
            in_word = true;
        }
    }
    text.len()
}

/// The end of the first occurrence of `needle` in `hay` on word boundaries.
fn find_word(hay: &str, finder: &memchr::memmem::Finder) -> Option<usize> {
    let needle = finder.needle();
    let mut from = 0;
    while let Some(i) = finder.find(&hay.as_bytes()[from..]) {
        let start = from + i;
        let end = start + needle.len();
        if on_word_boundaries(hay, start, end) {
            return Some(end);
        }
        from = start + needle.len().max(1);
        while !hay.is_char_boundary(from) {
            from += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::inflected_form_of;

    #[test]
    fn a_name_found_by_its_stem_must_be_that_name_in_some_case() {
        assert!(inflected_form_of("intels", "intel"));
        assert!(inflected_form_of("роснефти", "роснефть"));
        assert!(inflected_form_of("сбербанком", "сбербанк"));
        assert!(inflected_form_of("газпром нефти", "газпром нефть"));
        assert!(!inflected_form_of("graita", "graitar"));
        assert!(!inflected_form_of("norte", "nortia"));
        assert!(!inflected_form_of("intelligence", "intel"));
        assert!(!inflected_form_of("gazprom", "gazprom neft"));
    }
}
