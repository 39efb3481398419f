//! Evaluating an article against a compiled [`Matcher`]: find every phrase
//! occurrence in one pass, discard look-alikes (case, word sense, another
//! role), then fire each rule whose company, agency and action belong to one
//! reported event: one sentence, or two adjacent sentences tied by a
//! reference back to the company.

use crate::article::{Article, Malformed};
use crate::compile::{CaseRule, Entry, Matcher, Target};
use crate::grammar::Grammar;
use crate::hit::{ActionStatus, Evidence, Explanation, Hit, Span, SpanKind, Term};
use crate::lang::{detect, is_han, is_kana, is_katakana, simplified, Keyed, Keyer, Lang};
use crate::normalize::{fold, fold_into, on_word_boundaries, Folded};
use crate::taxonomy::DUMMY_IT_CHARS;
use crate::text::Document;
use regex::Regex;

/// One accepted occurrence of a pattern target, in original-text bytes.
#[derive(Debug, Clone, Copy)]
struct Occ {
    target: Target,
    start: usize,
    end: usize,
    sentence: usize,
    common: bool,
    /// A common-word company name in a Title Case headline.
    unproven: bool,
    /// A company mention in another role (set by [`Scan::index`]).
    other_role: bool,
}

/// How many words may separate a role cue from the company it qualifies.
const ROLE_BEFORE_WORDS: usize = 2;
const ROLE_AFTER_WORDS: usize = 2;
/// A reference back to the company must open its sentence: within this
/// many words of the start ("The company said", "Last year it agreed").
const REFERENCE_WORDS: usize = 4;
/// How many words a gap phrase ("agreed to pay ... to settle") may span.
const GAP_WORDS: usize = 8;
/// How many sentences back a reference to an agency ("the regulator") may
/// reach for the agency it means.
const AGENCY_REFERENCE_SENTENCES: usize = 6;
/// How many fired windows a hit collects (its evidence shows three
/// sentences).
const MAX_FIRED_WINDOWS: usize = 3;
/// How near another action word a status cue must be to tell the event's
/// status (the first action word's own sentence allows any distance).
const STATUS_NEAR_WORDS: usize = 3;
/// How many words may open a clause before the government that acts in it.
const CLAUSE_OPENING_WORDS: usize = 2;
/// The most bytes a word (with its spaces) is taken to span when deciding
/// whether two occurrences are near: longer gaps are not looked at.
const NEAR_BYTES: usize = 48;
/// How many words may separate a negator from the action word it denies.
const NEGATION_WORDS: usize = 1;
/// The same in Chinese and Japanese, in characters.
const NEGATION_CJK_CHARS: usize = 3;
/// How many characters a gap may span in Chinese or Japanese, which have
/// no spaces between words (about eight words' worth).
const GAP_CJK_CHARS: usize = 20;

/// The sentences that can hold one event: `lo..=hi`, and `extra` when an
/// enumeration later in the article names the companies of an event
/// stated earlier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    lo: usize,
    hi: usize,
    extra: Option<usize>,
}

impl Window {
    fn span(lo: usize, hi: usize) -> Window {
        Window {
            lo,
            hi,
            extra: None,
        }
    }

    fn has(&self, s: usize) -> bool {
        (self.lo <= s && s <= self.hi) || self.extra == Some(s)
    }

    fn sentences(&self) -> impl Iterator<Item = usize> + '_ {
        (self.lo..=self.hi).chain(self.extra)
    }
}

/// Why a rule did not fire, cheap to make: most rules an article's
/// companies bring up do not fire, and only `--explain` words the reason.
#[derive(Debug, Clone, Copy)]
enum Miss {
    NoCompany,
    /// Every mention is in another role; the first is in `sentence`.
    OtherRole {
        sentence: usize,
    },
    Stage(Stage),
    /// It fired, with a status the rule's `status` leaves out.
    Status(ActionStatus),
}

/// Why a rule did or did not fire, while scanning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    NoCompany,
    NoAgency,
    NoAction,
    ActionOtherSense,
    Excluded,
    Fired,
}

/// Everything found in one article, shared by all rules.
///
/// Occurrences are sorted by position, so each sentence's are a slice
/// ([`Scan::sentence_occs`]): every look-up below reads its sentence or
/// window, never the whole article, which keeps matching linear in the
/// article's size (sentences are at most `MAX_SENTENCE_BYTES` long).
struct Scan {
    doc: Document,
    occs: Vec<Occ>,
    /// `first[i]`: the index of sentence `i`'s first occurrence (one entry
    /// per sentence, and one past the last).
    first: Vec<usize>,
    /// (rule, index in `occs`) of every company occurrence, by rule.
    companies: Vec<(u32, usize)>,
    /// Action occurrences discarded as another sense, for explanations
    /// (sorted by position too).
    vetoed_actions: Vec<Occ>,
    /// The language the article was matched in.
    lang: Option<Lang>,
    /// Phrase occurrences found, when past [`MAX_OCCURRENCES`] (the scan
    /// stopped there and the article is not evaluated).
    over_budget: Option<usize>,
}

/// The most phrase occurrences one article may hold (names, agencies,
/// actions, cues): one every ten bytes of a 1 MiB article, where a real
/// article of that size holds a few thousand. Matching
/// is linear in them, so this only stops degenerate text ("a a a ..."
/// against a one-letter alias) from taking a worker for long; the daemon
/// dead-letters such an article as `too_expensive`.
pub const MAX_OCCURRENCES: usize = 100_000;

impl Matcher {
    /// The rules that fire on `article`, each with its evidence (none for
    /// an article past the work budget; see [`Matcher::try_evaluate`]).
    pub fn evaluate(&self, article: &Article) -> Vec<Hit> {
        self.try_evaluate(article).unwrap_or_default()
    }

    /// [`Matcher::evaluate`], or the article's rejection when it needs
    /// more work than [`MAX_OCCURRENCES`] allows.
    pub fn try_evaluate(&self, article: &Article) -> Result<Vec<Hit>, Malformed> {
        Ok(self.try_evaluate_with_fingerprint(article)?.0)
    }

    /// Like [`Matcher::try_evaluate`], plus the article's story fingerprint
    /// ([`crate::story::fingerprint`]) when a rule fires, taken from the
    /// text already folded for matching instead of folding it again.
    pub fn try_evaluate_with_fingerprint(
        &self,
        article: &Article,
    ) -> Result<(Vec<Hit>, Option<u64>), Malformed> {
        self.with_folded(article, |folded, scan| {
            if let Some(occurrences) = scan.over_budget {
                return Err(Malformed::TooExpensive {
                    occurrences,
                    max: MAX_OCCURRENCES,
                });
            }
            let hits = self.hits(&scan);
            let fp = (!hits.is_empty()).then(|| crate::story::fingerprint_folded(&folded.text));
            Ok((hits, fp))
        })
    }

    fn hits(&self, scan: &Scan) -> Vec<Hit> {
        let mut candidates: Vec<u32> = scan.companies.iter().map(|&(rule, _)| rule).collect();
        candidates.dedup();
        candidates
            .into_iter()
            .filter_map(|r| self.evaluate_rule(scan, r as usize).ok())
            .collect()
    }

    /// For every rule, whether it fired on `article` and, if not, what was
    /// missing. For analysts editing a watchlist (`backtest --explain`).
    pub fn explain(&self, article: &Article) -> Vec<Explanation> {
        let scan = self.scan(article);
        (0..self.rules.len())
            .map(|r| {
                let rule_id = self.rules[r].rule.id.clone();
                match self.evaluate_rule(&scan, r) {
                    Ok(hit) => Explanation {
                        rule_id,
                        hit: Some(hit),
                        reason: "fired".into(),
                    },
                    Err(miss) => Explanation {
                        rule_id,
                        hit: None,
                        reason: self.reason(&scan, r, miss),
                    },
                }
            })
            .collect()
    }

    fn scan(&self, article: &Article) -> Scan {
        self.with_folded(article, |_, scan| scan)
    }

    /// Scans `article` and hands the scan and the folded text to `f`.
    fn with_folded<T>(&self, article: &Article, f: impl FnOnce(&Folded, Scan) -> T) -> T {
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
                if matches!(e.target, Target::Company { .. })
                    && continues_longer_name(&doc.text[end..], &self.grammar.name_particles)
                {
                    // "Société Générale de Surveillance" is another company.
                    continue;
                }
                if matches!(e.target, Target::Company { .. }) {
                    company_sentences.borrow_mut().push(sentence);
                }
                occs.push(Occ {
                    target: e.target,
                    start,
                    end,
                    sentence,
                    common: e.common,
                    unproven,
                    other_role: false,
                });
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
                        .filter(|e| match e.target {
                            Target::Company { rule, company } => {
                                let c = &self.rules[rule as usize].rule.companies[company as usize];
                                std::iter::once(&c.name)
                                    .chain(&c.aliases)
                                    .any(|n| inflected_form_of(found, &fold(n)))
                            }
                            _ => true,
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
            .filter(|o| matches!(o.target, Target::Company { .. }) && !o.unproven)
            .map(|o| o.target)
            .collect();
        occs.retain(|o| !o.unproven || lead_refers || proven.contains(&o.target));
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

    /// Evaluates one rule over a scan: the hit, or why there is none.
    fn evaluate_rule(&self, scan: &Scan, r: usize) -> Result<Hit, Miss> {
        let companies: Vec<&Occ> = scan.rule_companies(r).collect();
        if companies.is_empty() {
            return Err(Miss::NoCompany);
        }
        // A company quoted in another role anywhere in a sentence ("researchers
        // at Orange Cyberdefense, the security arm of ... Orange") is in that
        // role for the whole sentence.
        let role_sentences: Vec<usize> = companies
            .iter()
            .filter(|c| scan.in_other_role(c))
            .map(|c| c.sentence)
            .collect();
        let in_role: Vec<bool> = companies
            .iter()
            .map(|c| role_sentences.contains(&c.sentence))
            .collect();
        let targets: Vec<&Occ> = companies
            .iter()
            .zip(&in_role)
            .filter(|(_, &role)| !role)
            .map(|(c, _)| *c)
            .collect();
        if targets.is_empty() {
            return Err(Miss::OtherRole {
                sentence: companies[0].sentence,
            });
        }
        let mut best = Stage::NoCompany;
        let mut fired: Vec<Window> = Vec::new();
        let mut sentences: Vec<usize> = targets.iter().map(|c| c.sentence).collect();
        sentences.dedup();
        // The hit shows its first few fired windows; looking further would
        // only cost time (an article may repeat one event thousands of
        // times).
        'sentences: for &s in &sentences {
            for w in scan.windows(s, r, &self.grammar) {
                let stage = self.window_stage(scan, r, w);
                best = best.max(stage);
                if stage == Stage::Fired && !fired.contains(&w) {
                    fired.push(w);
                    if fired.len() == MAX_FIRED_WINDOWS {
                        break 'sentences;
                    }
                }
            }
        }
        if fired.is_empty() {
            return Err(Miss::Stage(best));
        }
        let hit = self.hit(scan, r, &fired);
        let wanted = &self.rules[r].rule.status;
        if !wanted.is_empty() && !wanted.contains(&hit.status) {
            return Err(Miss::Status(hit.status));
        }
        Ok(hit)
    }

    /// Words a [`Miss`] for an analyst (`backtest --explain`).
    fn reason(&self, scan: &Scan, r: usize, miss: Miss) -> String {
        let rule = &self.rules[r];
        let best = match miss {
            Miss::NoCompany => {
                return format!("no mention of {}", company_list(&rule.rule.companies))
            }
            Miss::OtherRole { sentence } => {
                return format!(
                    "company only in another role: \"{}\"",
                    scan.doc.sentence_text(sentence)
                )
            }
            Miss::Stage(best) => best,
            Miss::Status(st) => {
                return format!(
                    "the event's status is {} (rule status = [{}])",
                    st.as_str(),
                    rule.rule
                        .status
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        };
        // The rule's ids, resolved through `table`, as a list.
        let ids = |ids: &[u32], table: &[String]| {
            ids.iter()
                .map(|&i| table[i as usize].as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match best {
            Stage::NoCompany | Stage::NoAgency => format!(
                "company mentioned, but no listed agency ({}) in the same event",
                ids(&rule.agencies, &self.agency_ids)
            ),
            Stage::NoAction => format!(
                "company and agency in one event, but no listed action ({})",
                if rule.actions.is_empty() {
                    "any".to_string()
                } else {
                    ids(&rule.actions, &self.action_ids)
                }
            ),
            Stage::ActionOtherSense => {
                "action words present only in another sense, or denied (\"not\", \"ruled out\")"
                    .into()
            }
            Stage::Excluded => "vetoed by an exclude phrase".into(),
            Stage::Fired => unreachable!("fired windows are collected"),
        }
    }

    /// How far window `w` gets for rule `r`.
    fn window_stage(&self, scan: &Scan, r: usize, w: Window) -> Stage {
        let rule = &self.rules[r];
        let occs = || scan.window_occs(w);
        if !rule.agencies.is_empty() && self.acting_agency(scan, r, w).is_none() {
            return Stage::NoAgency;
        }
        let actions: Vec<&Occ> = occs().filter(|o| self.is_wanted_action(r, o)).collect();
        if actions.is_empty() {
            let wanted = |a: u32| rule.actions.is_empty() || rule.actions.contains(&a);
            let vetoed = w.sentences().any(|s| {
                scan.vetoed_in(s)
                    .iter()
                    .any(|o| matches!(o.target, Target::Action(a) if wanted(a)))
            });
            return if vetoed {
                Stage::ActionOtherSense
            } else {
                Stage::NoAction
            };
        }
        if occs().any(|o| matches!(o.target, Target::Exclude(e) if e as usize == r)) {
            return Stage::Excluded;
        }
        Stage::Fired
    }

    fn hit(&self, scan: &Scan, r: usize, windows: &[Window]) -> Hit {
        let rule = &self.rules[r];
        let mut sentences: Vec<usize> = windows.iter().flat_map(|w| w.sentences()).collect();
        sentences.sort_unstable();
        sentences.dedup();
        sentences.truncate(3);
        let w = windows[0];
        let company_occ = scan
            .rule_companies(r)
            .find(|o| w.has(o.sentence))
            .or_else(|| scan.rule_companies(r).next());
        let company = company_occ.map(|o| {
            let Target::Company { company, .. } = o.target else {
                unreachable!()
            };
            Term {
                id: rule.rule.companies[company as usize].name.clone(),
                text: scan.doc.text[o.start..o.end].to_string(),
            }
        });
        let text_of = |o: &Occ| scan.doc.text[o.start..o.end].to_string();
        let acting = self.acting_agency(scan, r, w);
        let agency_from_government = acting
            .filter(|(_, o)| matches!(o.target, Target::Government(_)))
            .map(|(_, o)| (o.start, o.end));
        let agency = acting
            .or_else(|| {
                // Any actor: the first agency named, else an instrument's.
                scan.window_occs(w).find_map(|o| match o.target {
                    Target::Agency(a) => Some((a, o)),
                    _ => None,
                })
            })
            .or_else(|| {
                scan.window_occs(w).find_map(|o| match o.target {
                    Target::Instrument(a) => Some((a, o)),
                    _ => None,
                })
            })
            .map(|(a, o)| Term {
                id: self.agency_ids[a as usize].clone(),
                text: text_of(o),
            });
        let action_occ = scan.window_occs(w).find(|o| self.is_wanted_action(r, o));
        let action = action_occ.map(|o| Term {
            id: self.action_ids[self.wanted_action_id(r, o) as usize].clone(),
            text: text_of(o),
        });
        let (status, status_cue) = self.status(scan, r, w, &sentences, action_occ);
        let evidence = sentences
            .iter()
            .map(|&s| {
                let sent = scan.doc.sentences[s];
                let mut spans: Vec<Span> = scan
                    .sentence_occs(s)
                    .iter()
                    .filter_map(|o| {
                        let kind = match o.target {
                            Target::Company { rule, .. }
                                if rule as usize == r && !scan.in_other_role(o) =>
                            {
                                SpanKind::Company
                            }
                            Target::Agency(a)
                                if rule.agencies.is_empty() || rule.agencies.contains(&a) =>
                            {
                                SpanKind::Agency
                            }
                            Target::Action(a)
                                if (rule.actions.is_empty() || rule.actions.contains(&a)) =>
                            {
                                SpanKind::Action
                            }
                            Target::Instrument(a)
                                if rule.agencies.is_empty() || rule.agencies.contains(&a) =>
                            {
                                SpanKind::Agency
                            }
                            Target::Government(_)
                                if agency_from_government == Some((o.start, o.end)) =>
                            {
                                SpanKind::Agency
                            }
                            _ => return None,
                        };
                        Some(Span {
                            start: o.start - sent.start,
                            end: o.end - sent.start,
                            kind,
                            text: scan.doc.text[o.start..o.end].to_string(),
                        })
                    })
                    .collect();
                // Keep the longest of nested spans of one kind ("Kaspersky Lab" over "Kaspersky").
                spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
                let mut kept: Vec<Span> = Vec::new();
                for sp in spans {
                    if !kept.iter().any(|k| k.start <= sp.start && sp.end <= k.end) {
                        kept.push(sp);
                    }
                }
                Evidence {
                    text: scan.doc.sentence_text(s).to_string(),
                    spans: kept,
                }
            })
            .collect();
        Hit {
            rule_id: rule.rule.id.clone(),
            rule_index: r,
            severity: rule.rule.severity,
            company: company.unwrap_or_else(|| Term {
                id: rule.rule.companies[0].name.clone(),
                text: String::new(),
            }),
            agency,
            action,
            status,
            status_cue,
            language: scan.lang.map(|l| l.code().to_string()),
            evidence,
        }
    }

    /// The agency acting in window `w` for rule `r`, and its occurrence: one
    /// of the rule's agencies named there or, when no agency at all is
    /// named, one whose instrument is ("added to the Entity List").
    fn acting_agency<'s>(&self, scan: &'s Scan, r: usize, w: Window) -> Option<(u32, &'s Occ)> {
        let rule = &self.rules[r];
        let listed = |a: u32| rule.agencies.contains(&a);
        let occs = || scan.window_occs(w);
        if let Some(found) = occs().find_map(|o| match o.target {
            Target::Agency(a) if listed(a) => Some((a, o)),
            _ => None,
        }) {
            return Some(found);
        }
        if occs().any(|o| matches!(o.target, Target::Agency(_))) {
            return None;
        }
        if let Some(found) = occs().find_map(|o| match o.target {
            Target::Instrument(a) if listed(a) => Some((a, o)),
            _ => None,
        }) {
            return Some(found);
        }
        // A government named as the actor: the agency that takes the
        // event's kind of action for it ("the US sanctioned" = Treasury).
        // As the actor it opens its clause and comes before the action;
        // elsewhere it is mostly a modifier ("for breaching EU privacy
        // law", "to cut U.S. operations after sanctions").
        occs().find_map(|o| match o.target {
            Target::Government(g) if scan.opens_clause(o) => self.government_acts[g as usize]
                .iter()
                .find(|&&(action, agency)| {
                    listed(agency)
                        && occs().any(|x| {
                            x.target == Target::Action(action)
                                && x.sentence == o.sentence
                                && o.end <= x.start
                                && self.is_wanted_action(r, x)
                        })
                })
                .map(|&(_, agency)| (agency, o)),
            _ => None,
        })
    }

    /// Whether occurrence `o` is an action rule `r` wants: one of its
    /// actions (any, if it lists none), or an instrument that implies one.
    fn is_wanted_action(&self, r: usize, o: &Occ) -> bool {
        let wanted = |a: u32| {
            let actions = &self.rules[r].actions;
            actions.is_empty() || actions.contains(&a)
        };
        match o.target {
            Target::Action(a) => wanted(a),
            Target::Instrument(ag) => self.instrument_actions[ag as usize]
                .iter()
                .any(|&a| wanted(a)),
            _ => false,
        }
    }

    /// The action id of a wanted action occurrence (see
    /// [`Matcher::is_wanted_action`]).
    fn wanted_action_id(&self, r: usize, o: &Occ) -> u32 {
        let actions = &self.rules[r].actions;
        match o.target {
            Target::Action(a) => a,
            Target::Instrument(ag) => self.instrument_actions[ag as usize]
                .iter()
                .copied()
                .find(|a| actions.is_empty() || actions.contains(a))
                .expect("a wanted instrument implies a wanted action"),
            _ => unreachable!("only actions and instruments are wanted"),
        }
    }

    /// The status of the event in window `w` for rule `r`:
    ///
    /// 1. the status cue nearest the action word in its sentence: a cue
    ///    modifies the verb next to it ("lifted the sanctions", "plans to
    ///    ban"), while one further away may belong to another clause;
    /// 2. else a cue within [`STATUS_NEAR_WORDS`] words of another action
    ///    word of the same kind in the evidence;
    /// 3. else the cue nearest an action of the same kind in the headline,
    ///    which states the story's main event ("US lifts sanctions on three
    ///    firms", the company named only in the body);
    /// 4. else the action's default (`taxonomy/status.toml`: announced for
    ///    a company's own exit or acquisition, imposed otherwise).
    ///
    /// Ties go to the cue that reverses or suspends the action: lifted,
    /// challenged, threatened, proposed, reported, announced.
    fn status(
        &self,
        scan: &Scan,
        r: usize,
        w: Window,
        evidence: &[usize],
        action: Option<&Occ>,
    ) -> (ActionStatus, Option<String>) {
        let found =
            |(st, o): (ActionStatus, &Occ)| (st, Some(scan.doc.text[o.start..o.end].to_string()));
        // A cue inside the action's own words ("revoke" in "revoke its
        // licence") is part of the action, not a status of it, unless it
        // says the action is done.
        let inside_action = |c: &Occ| {
            scan.sentence_occs(c.sentence).iter().any(|a| {
                matches!(a.target, Target::Action(_) | Target::Instrument(_))
                    && a.start <= c.start
                    && c.end <= a.end
            })
        };
        let cues = move |sentence: usize| {
            scan.sentence_occs(sentence)
                .iter()
                .filter_map(move |o| match o.target {
                    // A completion word inside the action ("completed the
                    // purchase of") still says it is done.
                    Target::Status(st) if st == ActionStatus::Imposed || !inside_action(o) => {
                        Some((st, o))
                    }
                    _ => None,
                })
        };
        let nearest =
            |a: &Occ| cues(a.sentence).min_by_key(|(st, c)| (scan.distance(a, c), precedence(*st)));
        if let Some(a) = action {
            if let Some(cue) = nearest(a) {
                return found(cue);
            }
        }
        // The event's other action words, in the evidence's order: a cue
        // right next to one ("completed its acquisition") tells the status
        // the first action word did not.
        let kind = action.map(|a| self.wanted_action_id(r, a));
        if let Some(cue) = evidence
            .iter()
            .copied()
            .chain(w.sentences())
            .flat_map(|s| scan.sentence_occs(s))
            .filter(|o| self.is_wanted_action(r, o) && Some(self.wanted_action_id(r, o)) == kind)
            .find_map(|a| nearest(a).filter(|(_, c)| scan.distance(a, c) <= STATUS_NEAR_WORDS))
        {
            return found(cue);
        }
        let title = scan.doc.title_sentences;
        (0..title)
            .flat_map(|t| scan.sentence_occs(t))
            .filter(|o| self.is_wanted_action(r, o) && Some(self.wanted_action_id(r, o)) == kind)
            .find_map(nearest)
            .map_or_else(
                || {
                    let default =
                        kind.map_or(ActionStatus::Imposed, |k| self.default_status[k as usize]);
                    (default, None)
                },
                found,
            )
    }
}

/// How strongly a status cue wins a tie: what reverses or suspends an
/// action outranks what only times it.
fn precedence(st: ActionStatus) -> u8 {
    match st {
        ActionStatus::Lifted => 0,
        ActionStatus::Challenged => 1,
        ActionStatus::Threatened => 2,
        ActionStatus::Proposed => 3,
        ActionStatus::Reported => 4,
        ActionStatus::Announced => 5,
        ActionStatus::Imposed => 6,
    }
}

impl Scan {
    /// Drops occurrences that are look-alikes: an action inside a phrase of
    /// another sense ("exit polls"), an agency name inside a phrase where
    /// it means something else ("Treasury yields") or inside a longer name
    /// of another agency ("China's Commerce Ministry"), and a common-word
    /// company inside a common-sense phrase ("shell companies").
    fn drop_vetoed(&mut self) {
        let is_veto = |o: &Occ| {
            matches!(
                o.target,
                Target::ActionVeto(_)
                    | Target::AgencyVeto(_)
                    | Target::CompanyVeto
                    | Target::Agency(_)
                    | Target::Instrument(_)
            )
        };
        let vetoes_o = |v: &Occ, o: &Occ| {
            let inside = v.start <= o.start && o.end <= v.end;
            let strictly = inside && (v.start, v.end) != (o.start, o.end);
            match (v.target, o.target) {
                (Target::ActionVeto(a), Target::Action(b)) => inside && a == b,
                (Target::AgencyVeto(a), Target::Agency(b) | Target::Instrument(b)) => {
                    inside && a == b
                }
                (Target::Agency(a), Target::Agency(b)) => strictly && a != b,
                // "Entity List" inside "unreliable entity list".
                (Target::Instrument(a), Target::Instrument(b)) => strictly && a != b,
                (Target::CompanyVeto, Target::Company { .. }) => inside && o.common,
                _ => false,
            }
        };
        // A veto contains what it vetoes, so both are in one sentence.
        let mut kept = Vec::with_capacity(self.occs.len());
        let mut vetoed_actions = Vec::new();
        for group in self.occs.chunk_by(|a, b| a.sentence == b.sentence) {
            let vetoes: Vec<&Occ> = group.iter().filter(|o| is_veto(o)).collect();
            for o in group {
                if vetoes.iter().any(|v| vetoes_o(v, o)) {
                    if matches!(o.target, Target::Action(_)) {
                        vetoed_actions.push(*o);
                    }
                } else {
                    kept.push(*o);
                }
            }
        }
        self.occs = kept;
        self.vetoed_actions = vetoed_actions;
    }

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

    /// The occurrences in sentence `s`.
    fn sentence_occs(&self, s: usize) -> &[Occ] {
        &self.occs[self.first[s]..self.first[s + 1]]
    }

    /// The occurrences in the sentences of window `w`.
    fn window_occs(&self, w: Window) -> impl Iterator<Item = &Occ> {
        self.occs[self.first[w.lo]..self.first[w.hi + 1]]
            .iter()
            .chain(w.extra.into_iter().flat_map(|e| self.sentence_occs(e)))
    }

    /// The mentions of rule `r`'s companies, in order.
    fn rule_companies(&self, r: usize) -> impl Iterator<Item = &Occ> {
        let r = r as u32;
        let from = self.companies.partition_point(|&(rule, _)| rule < r);
        self.companies[from..]
            .iter()
            .take_while(move |&&(rule, _)| rule == r)
            .map(|&(_, i)| &self.occs[i])
    }

    /// The action occurrences of sentence `s` set aside as another sense
    /// or denied.
    fn vetoed_in(&self, s: usize) -> &[Occ] {
        let from = self.vetoed_actions.partition_point(|o| o.sentence < s);
        let to = self.vetoed_actions.partition_point(|o| o.sentence <= s);
        &self.vetoed_actions[from..to]
    }

    /// Whether an occurrence opens its clause: at most
    /// [`CLAUSE_OPENING_WORDS`] words ("The", "Hier, l'") between it and the
    /// start of its sentence or the last comma, colon or dash before it.
    fn opens_clause(&self, o: &Occ) -> bool {
        let sentence = self.doc.sentences[o.sentence];
        let before = &self.doc.text[sentence.start..o.start];
        let clause = before
            .rfind([',', ';', ':', '—', '–', '，', '、', '：'])
            .map_or(before, |i| &before[i..]);
        let opening = clause.trim_start_matches(|c: char| !c.is_alphanumeric());
        words_between(opening) <= CLAUSE_OPENING_WORDS
            && opening.chars().filter(|&c| is_han(c) || is_kana(c)).count() <= 4
    }

    /// How far apart two occurrences of one sentence are: the words
    /// between them, with two Chinese or Japanese characters as a word.
    fn distance(&self, a: &Occ, b: &Occ) -> usize {
        let (from, to) = if a.end <= b.start {
            (a.end, b.start)
        } else if b.end <= a.start {
            (b.end, a.start)
        } else {
            return 0;
        };
        let between = &self.doc.text[from..to];
        words_between(between) + between.chars().filter(|&c| is_han(c) || is_kana(c)).count() / 2
    }

    /// Turns each reference back to an agency ("the regulator") into that
    /// agency: the last one named before it, within
    /// [`AGENCY_REFERENCE_SENTENCES`] sentences. One with none is dropped.
    fn resolve_agency_references(&mut self) {
        let mut last: Option<(u32, usize)> = None;
        let mut keep = Vec::with_capacity(self.occs.len());
        for mut o in std::mem::take(&mut self.occs) {
            match o.target {
                Target::Agency(a) => last = Some((a, o.sentence)),
                Target::AgencyReference => match last {
                    Some((a, s)) if o.sentence - s <= AGENCY_REFERENCE_SENTENCES => {
                        o.target = Target::Agency(a)
                    }
                    _ => continue,
                },
                _ => {}
            }
            keep.push(o);
        }
        // A reference that is also an agency's own name ("the Commission")
        // is one occurrence.
        keep.dedup_by(|a, b| (a.target, a.start, a.end) == (b.target, b.start, b.end));
        self.occs = keep;
    }

    /// Drops action words denied by a negator next to them ("a cyber
    /// attack was not the cause", "no sanctions"): at most one word apart
    /// (a few characters in Chinese and Japanese), in one clause.
    fn drop_negated(&mut self) {
        let all: Vec<Occ> = self
            .occs
            .iter()
            .filter(|o| o.target == Target::Negation)
            .copied()
            .collect();
        if all.is_empty() {
            return;
        }
        let text = &self.doc.text;
        let near = |from: usize, to: usize| {
            // A word or three CJK characters: a few dozen bytes at most
            // (checked first: a sentence may hold hundreds of both).
            if to - from > NEAR_BYTES {
                return false;
            }
            let between = &text[from..to];
            let cjk = text[..from]
                .chars()
                .next_back()
                .is_some_and(|c| is_han(c) || is_kana(c))
                || text[to..]
                    .chars()
                    .next()
                    .is_some_and(|c| is_han(c) || is_kana(c));
            !between.contains([',', ';', '，', '、', '；'])
                && if cjk {
                    between.len() <= 3 * NEGATION_CJK_CHARS
                } else {
                    words_between(between) <= NEGATION_WORDS
                }
        };
        // Two negators side by side cancel out ("nicht ausgeschlossen",
        // "n'exclut pas").
        let all_in = |s: usize| {
            let from = all.partition_point(|n| n.sentence < s);
            let to = all.partition_point(|n| n.sentence <= s);
            &all[from..to]
        };
        let negators: Vec<Occ> = all
            .iter()
            .filter(|n| {
                !all_in(n.sentence).iter().any(|m| {
                    m.start != n.start
                        && ((m.end <= n.start && near(m.end, n.start))
                            || (n.end <= m.start && near(n.end, m.start)))
                })
            })
            .copied()
            .collect();
        let mut negated = Vec::new();
        let negators_in = |s: usize| {
            let from = negators.partition_point(|n| n.sentence < s);
            let to = negators.partition_point(|n| n.sentence <= s);
            &negators[from..to]
        };
        self.occs.retain(|o| {
            // A negator inside the action's own phrase ("denied a licence",
            // "vom Markt ausgeschlossen") is part of it.
            let denied = matches!(o.target, Target::Action(_))
                && negators_in(o.sentence).iter().any(|n| {
                    (n.end <= o.start && near(n.end, o.start))
                        || (n.start >= o.end && near(o.end, n.start))
                });
            if denied {
                negated.push(*o);
            }
            !denied
        });
        self.vetoed_actions.extend(negated);
        self.vetoed_actions.sort_by_key(|o| o.start);
    }

    /// Whether a company mention is qualified by a role cue ("analysts at X",
    /// "X researchers") within the same sentence (worked out once per
    /// mention by [`Scan::index`]).
    fn in_other_role(&self, c: &Occ) -> bool {
        c.other_role
    }

    /// [`Scan::in_other_role`], from the role cues of the mention's
    /// sentence.
    fn role_of(&self, c: &Occ, cues: &[Occ], grammar: &Grammar) -> bool {
        let sentence = self.doc.sentences[c.sentence];
        if is_news_source(&self.doc.text[c.end..sentence.end], grammar) {
            return true;
        }
        cues.iter().any(|o| match o.target {
            Target::RoleBefore => {
                o.end <= c.start
                    && c.start - o.end <= NEAR_BYTES * (ROLE_BEFORE_WORDS + 1)
                    && words_between(&self.doc.text[o.end..c.start]) <= ROLE_BEFORE_WORDS
                    && !self.doc.text[o.end..c.start].contains([',', ';', '.'])
            }
            Target::RoleAfter => {
                o.start >= c.end
                    && o.start <= sentence.end
                    && o.start - c.end <= NEAR_BYTES * (ROLE_AFTER_WORDS + 6)
                    && after_cue_applies(&self.doc.text[c.end..o.start])
            }
            _ => false,
        })
    }

    /// The windows of sentences that can hold one event around sentence `s`
    /// (which mentions a company of rule `r`): itself; with the next
    /// sentence of its paragraph when that one opens with a reference back
    /// ("The company agreed ...") or names the company again; and a
    /// headline with the lead when the lead names the company.
    fn windows(&self, s: usize, r: usize, grammar: &Grammar) -> Vec<Window> {
        let mut out = vec![Window::span(s, s)];
        let n = self.doc.sentences.len();
        let names_company = |b: usize| {
            self.sentence_occs(b).iter().any(|o| {
                matches!(o.target, Target::Company { rule, .. } if rule as usize == r)
                    && !self.in_other_role(o)
            })
        };
        let opens_with_reference = |b: usize| {
            let start = self.doc.sentences[b].start;
            self.sentence_occs(b).iter().any(|o| {
                o.target == Target::Reference
                    && words_between(&self.doc.text[start..o.start]) <= REFERENCE_WORDS
            })
        };
        let para = |i: usize| self.doc.sentences[i].paragraph;
        // "The Commerce Department announced new export controls. Huawei
        // and SMIC are the main targets of the rules." The second sentence
        // names the company and points back at the first one's event.
        if s > 0
            && para(s) > 0
            && para(s - 1) == para(s)
            && grammar
                .event_reference
                .as_ref()
                .is_some_and(|re| re.is_match(self.doc.sentence_text(s)))
        {
            out.push(Window::span(s - 1, s));
        }
        if s + 1 < n
            && para(s) == para(s + 1)
            && para(s) > 0
            && (opens_with_reference(s + 1) || names_company(s + 1))
        {
            out.push(Window::span(s, s + 1));
        }
        let mentions_company = |b: usize| {
            let start = self.doc.sentences[b].start;
            self.sentence_occs(b).iter().any(|o| {
                (matches!(o.target, Target::Company { rule, .. } if rule as usize == r)
                    || (o.target == Target::Reference
                        && (!is_pronoun(&self.doc.text[o.start..o.end], grammar)
                            || words_between(&self.doc.text[start..o.start]) <= REFERENCE_WORDS)))
            })
        };
        // The lead elaborates the headline: a mention of the company (in
        // any role) or a reference to it ("the Russian cybersecurity
        // company") ties them. Only the headline's last clause: clauses
        // split by ';' are separate items.
        let lead = self.doc.title_sentences;
        if lead > 0 && s == lead - 1 && lead < n && mentions_company(lead) {
            out.push(Window::span(s, lead));
        }
        if s == lead && s > 0 {
            out.push(Window::span(s - 1, s));
        }
        // An enumeration ("Those named include A, B and C", "among them")
        // names the companies of an event stated before it: in the
        // sentence before, or in the headline or the lead.
        let sentence = self.doc.sentences[s];
        // A cue, or a colon, that opens a list of three or more names
        // with the company among them: the first such opener of the
        // sentence, once, not per mention.
        let colon = self.doc.text[sentence.start..sentence.end]
            .find([':', '：'])
            .map(|i| {
                let at = sentence.start + i;
                at + self.doc.text[at..].chars().next().map_or(1, char::len_utf8)
            });
        let opener = self
            .sentence_occs(s)
            .iter()
            .filter(|o| o.target == Target::Enumeration)
            .map(|o| o.end)
            .chain(colon)
            .min();
        let enumerates = opener.is_some_and(|at| {
            self.sentence_occs(s).iter().any(|c| {
                c.start >= at
                    && matches!(c.target, Target::Company { rule, .. } if rule as usize == r)
            }) && is_list(&self.doc.text[at..sentence.end])
        });
        if enumerates && s > lead {
            let mut events: Vec<usize> = (0..=lead.min(n - 1)).collect();
            if para(s - 1) == para(s) {
                events.push(s - 1);
            }
            for e in events {
                out.push(Window {
                    lo: e,
                    hi: e,
                    extra: Some(s),
                });
            }
        }
        out
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

/// Whether `text` is a list of three or more items: two separators or more.
fn is_list(text: &str) -> bool {
    text.matches([',', '、', '，', ';', '；']).count() >= 2
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

/// Whether the text between a company and a role cue after it keeps the
/// cue on the company: a couple of words ("X's chief analyst"), or a
/// coordinated subject ("X and a boutique bank advised").
fn after_cue_applies(between: &str) -> bool {
    if between.contains([';', '.', ',']) {
        return false;
    }
    let words = words_between(between);
    words <= ROLE_AFTER_WORDS
        || (between.trim_start().starts_with("and ") && words <= ROLE_AFTER_WORDS + 5)
}

/// Whether the rest of a sentence after a company is a closing speech verb
/// ("..., Equifax says" / "Equifax said on Monday.").
fn is_news_source(rest: &str, grammar: &Grammar) -> bool {
    let words: Vec<&str> = rest
        .split(|c: char| c.is_whitespace())
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        // No more words than the longest form below needs ("said in its
        // annual threat hunting report", and one to tell it is over).
        .take(10)
        .collect();
    match words.first() {
        Some(first) if contains(&grammar.source_verbs, &first.to_lowercase()) => {
            // "..., Equifax says" or "..., X said on Monday", or "..., X said
            // in its annual threat hunting report".
            words.len() <= 3
                || (words.get(1).is_some_and(|w| w.eq_ignore_ascii_case("in"))
                    && words.len() <= 9
                    && words
                        .last()
                        .is_some_and(|w| contains(&grammar.source_documents, &w.to_lowercase())))
        }
        _ => false,
    }
}

fn words_between(text: &str) -> usize {
    text.split_whitespace().count()
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

/// Adds a reference for every descriptor phrase ("the Russian
/// cybersecurity company", found by `descriptor`, the grammar's regex)
/// the taxonomy's fixed list does not hold.
fn add_descriptor_references(doc: &Document, occs: &mut Vec<Occ>, descriptor: Option<&Regex>) {
    let Some(descriptor) = descriptor else {
        return;
    };
    // Only sentences that can join an event with a company: next to a
    // company mention, or the lead.
    let mut near: Vec<usize> = occs
        .iter()
        .filter(|o| matches!(o.target, Target::Company { .. }))
        .flat_map(|o| o.sentence.saturating_sub(1)..=o.sentence + 1)
        .chain(std::iter::once(doc.title_sentences))
        .filter(|&s| s < doc.sentences.len())
        .collect();
    near.sort_unstable();
    near.dedup();
    // The references found already, by sentence, sorted by start.
    let mut found: Vec<(usize, usize, usize)> = occs
        .iter()
        .filter(|o| o.target == Target::Reference)
        .map(|o| (o.sentence, o.start, o.end))
        .collect();
    found.sort_unstable();
    for i in near {
        let sent = &doc.sentences[i];
        let from = found.partition_point(|r| r.0 < i);
        let to = found.partition_point(|r| r.0 <= i);
        let known = &found[from..to];
        for m in descriptor.find_iter(&doc.text[sent.start..sent.end]) {
            let (start, end) = (sent.start + m.start(), sent.start + m.end());
            if !known.iter().any(|&(_, s, e)| s <= start && end <= e) {
                occs.push(Occ {
                    target: Target::Reference,
                    start,
                    end,
                    sentence: i,
                    common: false,
                    unproven: false,
                    other_role: false,
                });
            }
        }
    }
}

/// Whether a reference back to a company is a pronoun ("it", "its").
fn is_pronoun(text: &str, grammar: &Grammar) -> bool {
    grammar
        .reference_pronouns
        .iter()
        .any(|p| text.eq_ignore_ascii_case(p))
}

/// Whether `words` holds `word`.
fn contains(words: &[String], word: &str) -> bool {
    words.iter().any(|w| w == word)
}

/// Drops "it" used as a dummy subject ("it emerged that", "it is
/// expected"), which refers to nothing: an "it" followed by one of
/// `dummy_it` (the grammar's list).
fn drop_expletive_it(doc: &Document, occs: &mut Vec<Occ>, dummy_it: &[String]) {
    occs.retain(|o| {
        if o.target != Target::Reference || !doc.text[o.start..o.end].eq_ignore_ascii_case("it") {
            return true;
        }
        let rest: String = doc.text[o.end..]
            .trim_start()
            .chars()
            .take(DUMMY_IT_CHARS)
            .collect::<String>()
            .to_lowercase();
        !dummy_it.iter().any(|d| rest.starts_with(d.as_str()))
    });
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

fn company_list(companies: &[super::watchlist::Company]) -> String {
    companies
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::{watchlist, Taxonomy};

    fn matcher(source: &str) -> Matcher {
        let taxonomy = Taxonomy::builtin();
        let (wl, _) = watchlist::parse(&[(PathBuf::from("w.toml"), source.into())], taxonomy)
            .expect("a valid watchlist");
        Matcher::compile(&wl, taxonomy)
    }

    fn article(body: String) -> Article {
        Article {
            id: "a".into(),
            title: "Hostile".into(),
            body,
            url: None,
            source: None,
            published_at: None,
            language: None,
        }
    }

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

    #[test]
    fn an_article_past_the_work_budget_is_rejected_not_matched() {
        let m = matcher(
            "[[rule]]\nid = \"one-letter\"\ncompanies = [{ name = \"A Holdings\", aliases = [\"a\"] }]\nactions = [\"ban\"]\n",
        );
        let over = article("a ban ".repeat(MAX_OCCURRENCES / 2 + 1));
        match m.try_evaluate(&over) {
            Err(Malformed::TooExpensive { occurrences, max }) => {
                assert!(occurrences > max, "{occurrences} > {max}");
                assert_eq!(
                    Malformed::TooExpensive { occurrences, max }.reason(),
                    "too_expensive"
                );
            }
            other => panic!("expected too_expensive, got {other:?}"),
        }
        assert!(m.evaluate(&over).is_empty());
        // Under the budget the same text is matched as usual.
        let under = article("a ban ".repeat(1_000));
        assert_eq!(m.try_evaluate(&under).map(|h| h.len()), Ok(1));
    }
}
