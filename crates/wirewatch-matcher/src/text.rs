//! From an article to a plain-text document split into paragraphs and
//! sentences: HTML tags stripped, entities decoded. Evidence spans are byte
//! offsets into [`Document::text`]. The abbreviations a period does not
//! end a sentence after are data, in `taxonomy/abbreviations.txt`.
//!
//! Invariants: paragraph 0 is the title, and its sentences come first;
//! sentences are in order, do not overlap, lie inside one paragraph and are
//! at most [`MAX_SENTENCE_BYTES`] long (longer ones are cut), which bounds
//! the work of every per-sentence look-up.

use std::borrow::Cow;

use crate::article::Article;

/// A sentence of the document: `text[start..end]`, in paragraph `paragraph`
/// (paragraph 0 is the title).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
    pub paragraph: usize,
}

/// The article's readable text: the title, a blank line, then the body's
/// paragraphs separated by blank lines.
#[derive(Debug, Clone)]
pub struct Document {
    pub text: String,
    pub sentences: Vec<Sentence>,
    /// Sentences of the title (paragraph 0) come first; this is how many.
    pub title_sentences: usize,
}

impl Document {
    pub fn new(article: &Article) -> Document {
        let title = clean(&article.title);
        let body = clean(&article.body);
        let mut text = String::with_capacity(title.len() + body.len() + 2);
        let mut sentences = Vec::new();
        // A headline's clauses separated by ';' are separate items
        // ("Entity List grows; Huawei unveils new phone").
        let title = if title.contains('\n') {
            Cow::Owned(title.replace('\n', " "))
        } else {
            title
        };
        let title = title.trim();
        if !title.is_empty() {
            text.push_str(title);
            let mut start = 0;
            for part in title.split_inclusive("; ") {
                let trimmed = part.trim_end_matches("; ").trim_end();
                if !trimmed.trim().is_empty() {
                    sentences.push(Sentence {
                        start,
                        end: start + trimmed.len(),
                        paragraph: 0,
                    });
                }
                start += part.len();
            }
        }
        let title_sentences = sentences.len();
        // Paragraphs are separated by blank lines; single newlines inside a
        // paragraph are spaces. Each goes straight into `text`, after a
        // blank line.
        let mut paragraph = 0;
        let mut open: Option<usize> = None;
        let mut close = |text: &str, start: usize, sentences: &mut Vec<Sentence>| {
            paragraph += 1;
            for (s, e) in split_sentences(&text[start..]) {
                sentences.push(Sentence {
                    start: start + s,
                    end: start + e,
                    paragraph,
                });
            }
        };
        for line in body.lines() {
            let line = line.trim();
            if line.is_empty() {
                if let Some(start) = open.take() {
                    close(&text, start, &mut sentences);
                }
                continue;
            }
            if open.is_some() {
                text.push(' ');
            } else {
                if !text.is_empty() {
                    text.push_str("\n\n");
                }
                open = Some(text.len());
            }
            text.push_str(line);
        }
        if let Some(start) = open {
            close(&text, start, &mut sentences);
        }
        let title_sentences = capped(&text, &sentences[..title_sentences]).len();
        let sentences = capped(&text, &sentences);
        Document {
            text,
            sentences,
            title_sentences,
        }
    }

    /// The length of the title's text at the start of [`Document::text`].
    pub fn title_len(&self) -> usize {
        match self.title_sentences {
            0 => 0,
            n => self.sentences[n - 1].end,
        }
    }

    pub fn sentence_text(&self, i: usize) -> &str {
        let s = self.sentences[i];
        &self.text[s.start..s.end]
    }

    /// The index of the sentence holding byte `pos`, if any.
    pub fn sentence_at(&self, pos: usize) -> Option<usize> {
        let i = self.sentences.partition_point(|s| s.end <= pos);
        (i < self.sentences.len() && self.sentences[i].start <= pos).then_some(i)
    }
}

/// The longest sentence, in bytes. Real sentences are far shorter; a text
/// with no stop for megabytes (hostile, or a CJK article without
/// punctuation) is cut into pieces of this size, at a space where there is
/// one, so that the work per sentence stays bounded.
pub const MAX_SENTENCE_BYTES: usize = 2_000;

/// `sentences` with every one longer than [`MAX_SENTENCE_BYTES`] cut into
/// pieces (in place when none is).
fn capped(text: &str, sentences: &[Sentence]) -> Vec<Sentence> {
    let mut out = Vec::with_capacity(sentences.len());
    for &s in sentences {
        let mut start = s.start;
        while s.end - start > MAX_SENTENCE_BYTES {
            let mut cut = start + MAX_SENTENCE_BYTES;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            // At the last space of the piece, unless that leaves too little.
            if let Some(space) = text[start..cut]
                .rfind(' ')
                .filter(|&i| i > MAX_SENTENCE_BYTES / 2)
            {
                cut = start + space;
            }
            out.push(Sentence {
                start,
                end: cut,
                paragraph: s.paragraph,
            });
            start = cut;
            while text[start..s.end].starts_with(' ') {
                start += 1;
            }
        }
        if start < s.end {
            out.push(Sentence { start, ..s });
        }
    }
    out
}

/// Strips HTML tags (block tags become paragraph breaks; script and style
/// content is dropped) and decodes entities. Plain text passes through with
/// only entities decoded.
pub fn clean(raw: &str) -> Cow<'_, str> {
    if memchr::memchr(b'<', raw.as_bytes()).is_none() {
        return decode_entities(raw);
    }
    // Linear in the input: every search below moves forward, and the next
    // '>' is found once for all the '<' before it (a text of "a <b " or
    // "< " repeated would otherwise search the rest for each '<').
    let mut out = String::with_capacity(raw.len());
    let bytes = raw.as_bytes();
    let mut pos = 0;
    let mut next_gt: Option<usize> = None;
    let mut no_more_gt = false;
    while let Some(lt) = memchr::memchr(b'<', &bytes[pos..]).map(|i| pos + i) {
        out.push_str(&raw[pos..lt]);
        let after = &raw[lt + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '/' || c == '!'))
            .unwrap_or(after.len());
        let looks_like_tag = name_len > 0
            && after
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!');
        if !no_more_gt && next_gt.is_none_or(|g| g <= lt) {
            next_gt = memchr::memchr(b'>', &bytes[lt..]).map(|i| lt + i);
            no_more_gt = next_gt.is_none();
        }
        let gt = match next_gt {
            Some(g) if looks_like_tag => g,
            _ => {
                // A lone '<' in text ("a < b"): keep it.
                out.push('<');
                pos = lt + 1;
                continue;
            }
        };
        let name = after[..name_len]
            .trim_start_matches('/')
            .to_ascii_lowercase();
        pos = gt + 1;
        if (name == "script" || name == "style") && !after.starts_with('/') {
            pos = match find_closing(&bytes[pos..], name.as_bytes()) {
                Some(i) => {
                    memchr::memchr(b'>', &bytes[pos + i..]).map_or(bytes.len(), |j| pos + i + j + 1)
                }
                None => bytes.len(),
            };
            continue;
        }
        match name.as_str() {
            "p" | "div" | "br" | "li" | "ul" | "ol" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
            | "blockquote" | "tr" | "table" | "section" | "article" => out.push_str("\n\n"),
            _ => {}
        }
    }
    out.push_str(&raw[pos..]);
    Cow::Owned(decode_entities(&out).into_owned())
}

/// Where `</name` (any case) first starts in `hay`, searching forward once.
fn find_closing(hay: &[u8], name: &[u8]) -> Option<usize> {
    memchr::memmem::find_iter(hay, b"</").find(|&i| {
        hay.get(i + 2..i + 2 + name.len())
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })
}

/// Decodes HTML entities. Text where no '&' starts something shaped like
/// an entity (`&name;`, `&#123;`, `&#x1F;`) is returned as it is: "AT&T"
/// and "S&P" are common in news, and the decoder would walk the whole text.
fn decode_entities(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let entity_at = |amp: usize| {
        b[amp + 1..]
            .iter()
            .take(40)
            .position(|c| !(c.is_ascii_alphanumeric() || *c == b'#'))
            .is_some_and(|n| n > 0 && b[amp + 1 + n] == b';')
    };
    if !memchr::memchr_iter(b'&', b).any(entity_at) {
        return Cow::Borrowed(text);
    }
    html_escape::decode_html_entities(text)
}

/// Abbreviations after which a period does not end a sentence
/// (`taxonomy/abbreviations.txt`), sorted (looked up by binary search).
fn abbreviations() -> &'static [&'static str] {
    static LIST: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    LIST.get_or_init(|| {
        let mut list: Vec<&str> = include_str!("../taxonomy/abbreviations.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        list.sort_unstable();
        list.dedup();
        list
    })
}

/// The longest entry of [`abbreviations`] (checked by a test).
const ABBREVIATION_MAX: usize = 6;

/// Splits a paragraph into sentence byte ranges. A sentence ends at `.`, `!`
/// or `?` (plus closing quotes or brackets) followed by a space and a capital
/// letter, digit or opening quote, unless the period closes an abbreviation
/// or a single initial ("Brian E. Nelson").
pub fn split_sentences(para: &str) -> Vec<(usize, usize)> {
    let latin = split_latin_sentences(para);
    if !para.contains(['。', '！', '？', '；']) {
        return latin;
    }
    // Chinese and Japanese end a sentence with a full-width stop and no
    // space after it; a closing quote or bracket stays with its sentence.
    let mut out = Vec::with_capacity(latin.len());
    for (start, end) in latin {
        let mut from = start;
        let mut chars = para[start..end].char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if !matches!(c, '。' | '！' | '？' | '；') {
                continue;
            }
            let mut stop = start + i + c.len_utf8();
            while let Some(&(j, q)) = chars.peek() {
                if !matches!(
                    q,
                    '」' | '』' | '）' | '”' | '’' | '】' | '。' | '！' | '？'
                ) {
                    break;
                }
                stop = start + j + q.len_utf8();
                chars.next();
            }
            if !para[from..stop].trim().is_empty() {
                out.push((from, stop));
            }
            from = stop;
            while para[from..end].starts_with(' ') {
                from += 1;
            }
        }
        if from < end && !para[from..end].trim().is_empty() {
            out.push((from, end));
        }
    }
    out
}

/// [`split_sentences`] at Latin-script stops: '.', '!' or '?' followed by
/// a space and what can start a sentence.
fn split_latin_sentences(para: &str) -> Vec<(usize, usize)> {
    let bytes = para.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut from = 0;
    while let Some(rel) = memchr::memchr3(b'.', b'!', b'?', &bytes[from..]) {
        let i = from + rel;
        // Swallow closing punctuation: quotes, brackets, more stops.
        let mut end = i + 1;
        loop {
            if end < bytes.len()
                && matches!(bytes[end], b'"' | b'\'' | b')' | b']' | b'.' | b'!' | b'?')
            {
                end += 1;
            } else if bytes[end..].starts_with("”".as_bytes())
                || bytes[end..].starts_with("’".as_bytes())
            {
                end += 3;
            } else {
                break;
            }
        }
        from = end;
        if end >= bytes.len() || bytes[end] != b' ' {
            continue;
        }
        let next = para[end..].trim_start().chars().next();
        let starts_new = next.is_some_and(|n| {
            n.is_uppercase()
                || n.is_ascii_digit()
                || matches!(
                    n,
                    '"' | '“' | '‘' | '\'' | '(' | '[' | '«' | '„' | '¿' | '¡' | '—'
                )
        });
        if !starts_new {
            continue;
        }
        if bytes[i] == b'.' && is_abbreviation(&para[start..i]) {
            continue;
        }
        out.push((start, end));
        start = end + 1;
        while start < bytes.len() && bytes[start] == b' ' {
            start += 1;
        }
    }
    if start < para.len() && !para[start..].trim().is_empty() {
        out.push((start, para.trim_end().len().max(start)));
    }
    out
}

/// Whether the text before a period ends with an abbreviation or an initial.
fn is_abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"' || c == '“')
        .next()
        .unwrap_or("");
    if word.chars().count() == 1 && word.chars().all(|c| c.is_uppercase()) {
        return true;
    }
    // Dotted initialisms such as "U.S" or "U.K" before the final period.
    if word.len() <= 6 && word.contains('.') && word.split('.').all(|p| p.chars().count() <= 1) {
        return true;
    }
    if word.len() > ABBREVIATION_MAX {
        return false;
    }
    let mut lower = [0u8; ABBREVIATION_MAX];
    for (l, b) in lower.iter_mut().zip(word.bytes()) {
        *l = b.to_ascii_lowercase();
    }
    abbreviations()
        .binary_search_by(|a| a.as_bytes().cmp(&lower[..word.len()]))
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(p: &str) -> Vec<&str> {
        split_sentences(p)
            .into_iter()
            .map(|(s, e)| &p[s..e])
            .collect()
    }

    #[test]
    fn entities_are_decoded_and_ampersands_in_names_left_alone() {
        assert!(matches!(
            decode_entities("AT&T and S&P 500"),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            decode_entities("AT&amp;T &#8217; &#x2019;"),
            "AT&T \u{2019} \u{2019}"
        );
        assert_eq!(decode_entities("R&D; &nosuch; &"), "R&D; &nosuch; &");
    }

    #[test]
    fn abbreviations_are_sorted_and_short() {
        let list = abbreviations();
        assert!(list.len() > 40);
        assert!(list.windows(2).all(|w| w[0] < w[1]));
        assert!(list
            .iter()
            .all(|a| a.len() <= ABBREVIATION_MAX && a.to_ascii_lowercase() == *a));
        assert!(is_abbreviation("said Corp") && is_abbreviation("the Dept"));
        assert!(!is_abbreviation("the company"));
    }

    #[test]
    fn splits_on_sentence_ends_but_not_abbreviations() {
        assert_eq!(
            sentences("The U.S. Commerce Department acted. Kaspersky Lab Inc. said no! Then \"quote.\" Treasury Under Secretary Brian E. Nelson said."),
            vec![
                "The U.S. Commerce Department acted.",
                "Kaspersky Lab Inc. said no!",
                "Then \"quote.\"",
                "Treasury Under Secretary Brian E. Nelson said."
            ]
        );
        assert_eq!(
            sentences("Shares fell 2.1% on Monday. No end"),
            vec!["Shares fell 2.1% on Monday.", "No end"]
        );
    }

    #[test]
    fn strips_html_and_decodes_entities() {
        let a = Article {
            id: "x".into(),
            title: String::new(),
            body: "<p>AT&amp;T&rsquo;s unit</p><p>Second <b>bold</b>\npara<script>x()</script></p>"
                .into(),
            url: None,
            source: None,
            published_at: None,
            language: None,
        };
        let d = Document::new(&a);
        assert_eq!(d.text, "AT&T’s unit\n\nSecond bold para");
        assert_eq!(
            d.sentences.iter().map(|s| s.paragraph).collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(clean("a < b &amp; c"), "a < b & c");
    }

    #[test]
    fn document_keeps_title_and_paragraphs() {
        let a = Article {
            id: "x".into(),
            title: "Title here".into(),
            body: "One. Two.\n\nThree.".into(),
            url: None,
            source: None,
            published_at: None,
            language: None,
        };
        let d = Document::new(&a);
        assert_eq!(d.title_sentences, 1);
        let all: Vec<_> = (0..d.sentences.len()).map(|i| d.sentence_text(i)).collect();
        assert_eq!(all, vec!["Title here", "One.", "Two.", "Three."]);
        assert_eq!(d.sentences[3].paragraph, 2);
        assert_eq!(d.sentence_at(d.text.find("Two").unwrap()), Some(2));
    }
}
