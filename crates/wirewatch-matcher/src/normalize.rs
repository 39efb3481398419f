//! Folding text for matching: compatibility decomposition, diacritics removed,
//! case folded, curly quotes and dashes made plain, whitespace collapsed. The
//! folded text keeps a map back to the original bytes so that every match can
//! be reported as a span of the text the reader sees.
//!
//! Invariants: folding is deterministic and idempotent on folded text;
//! phrases and articles are folded by the same functions, so they meet;
//! every folded offset maps back to a char-boundary span of the original.

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Folded text plus a map from every folded byte to the span of the
/// original character it came from.
#[derive(Debug, Default, Clone)]
pub struct Folded {
    pub text: String,
    /// The map, as runs sorted by folded offset (a few per paragraph and
    /// per non-ASCII character, instead of two offsets per byte).
    runs: Vec<Run>,
}

/// See [`Folded::cursor`].
pub struct Cursor<'f> {
    f: &'f Folded,
    run: usize,
}

impl Cursor<'_> {
    /// [`Folded::span`], for a `k` at or after the previous one's.
    fn span(&mut self, k: usize) -> (usize, usize) {
        let runs = &self.f.runs;
        while self.run + 1 < runs.len() && runs[self.run + 1].fold as usize <= k {
            self.run += 1;
        }
        let r = runs[self.run];
        if r.orig_end == ONE_TO_ONE {
            let start = r.orig as usize + (k - r.fold as usize);
            (start, start + 1)
        } else {
            (r.orig as usize, r.orig_end as usize)
        }
    }

    /// [`Folded::original`], for ranges in increasing order.
    pub fn original(&mut self, start: usize, end: usize) -> (usize, usize) {
        (self.span(start).0, self.span(end - 1).1)
    }
}

/// Folded bytes from `fold` up to the next run's come either one to one
/// from original bytes `orig..` (ASCII copied byte for byte), or all from
/// the original span `orig..orig_end` (one non-ASCII character, or a run
/// of whitespace collapsed into one space).
#[derive(Debug, Clone, Copy)]
struct Run {
    fold: u32,
    orig: u32,
    orig_end: u32,
}

/// `Run::orig_end` of a one-to-one run.
const ONE_TO_ONE: u32 = u32::MAX;

impl Folded {
    /// The original span of folded byte `k`.
    fn span(&self, k: usize) -> (usize, usize) {
        let i = self.runs.partition_point(|r| r.fold as usize <= k) - 1;
        let r = self.runs[i];
        if r.orig_end == ONE_TO_ONE {
            let start = r.orig as usize + (k - r.fold as usize);
            (start, start + 1)
        } else {
            (r.orig as usize, r.orig_end as usize)
        }
    }

    /// The original byte range of the folded range `start..end` (`end > start`).
    pub fn original(&self, start: usize, end: usize) -> (usize, usize) {
        (self.span(start).0, self.span(end - 1).1)
    }

    /// A reader of original ranges for folded ranges visited in order: each
    /// look-up moves forward from the last instead of searching the runs.
    pub fn cursor(&self) -> Cursor<'_> {
        Cursor { f: self, run: 0 }
    }

    /// The folded offset of original byte `pos` (the first folded byte at
    /// or after it).
    pub fn folded_pos(&self, pos: usize) -> usize {
        let i = self.runs.partition_point(|r| (r.orig as usize) < pos);
        if i > 0 {
            // The run before may be one to one and reach `pos`.
            let r = self.runs[i - 1];
            let len = self
                .runs
                .get(i)
                .map_or(self.text.len(), |n| n.fold as usize)
                - r.fold as usize;
            if r.orig_end == ONE_TO_ONE && r.orig as usize + len > pos {
                return r.fold as usize + (pos - r.orig as usize);
            }
        }
        self.runs
            .get(i)
            .map_or(self.text.len(), |r| r.fold as usize)
    }

    /// Widens the span of the last folded byte (a space) to end at `end`:
    /// whitespace after it collapses into it.
    fn widen_last(runs: &mut Vec<Run>, len: usize, end: u32) {
        let last = len as u32 - 1;
        let r = runs.last_mut().expect("a folded byte has a run");
        let orig = if r.orig_end == ONE_TO_ONE {
            r.orig + (last - r.fold)
        } else {
            r.orig
        };
        if r.fold == last {
            *r = Run {
                fold: last,
                orig,
                orig_end: end,
            };
        } else {
            runs.push(Run {
                fold: last,
                orig,
                orig_end: end,
            });
        }
    }
}

/// Quotes, dashes and spaces in all their Unicode forms, made plain.
fn plain(c: char) -> Option<char> {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '`' | '\u{00B4}' => {
            Some('\'')
        }
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
        | '\u{00BB}' => Some('"'),
        // Hyphens and dashes are word separators: "Rolls-Royce" = "Rolls Royce".
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => {
            Some(' ')
        }
        c if c.is_whitespace() => Some(' '),
        _ => None,
    }
}

/// Whether `c` is a Default_Ignorable code point (Unicode's
/// DerivedCoreProperties): soft hyphens, zero-width spaces and joiners,
/// bidirectional controls, variation selectors and the like. Publishers'
/// HTML puts them inside words ("Kas&shy;persky"); they fold to nothing.
pub fn is_default_ignorable(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}' | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Folds one character into `out` (nothing for combining marks and
/// Default_Ignorable code points).
fn fold_char(c: char, mut out: impl FnMut(char)) {
    if let Some(p) = plain(c) {
        return out(p);
    }
    if is_default_ignorable(c) {
        return;
    }
    match c {
        c if c.is_ascii() => out(c.to_ascii_lowercase()),
        'ß' => {
            out('s');
            out('s')
        }
        c => decompose_compatible(c, |d| {
            for l in d.to_lowercase() {
                if l == 'ß' {
                    // "ẞ" lower-cases to "ß", which folds to "ss".
                    out('s');
                    out('s');
                } else if !is_combining_mark(l) {
                    out(plain(l).unwrap_or(l))
                }
            }
        }),
    }
}

/// Folds `text`, recording where each folded byte came from. Runs of
/// whitespace become one space.
pub fn fold_with_map(text: &str) -> Folded {
    let mut f = Folded::default();
    fold_into(&mut f, text);
    f
}

/// Like [`fold_with_map`], reusing `f`'s buffers (the matcher folds every
/// article; reusing saves three allocations of its size each time).
pub fn fold_into(f: &mut Folded, text: &str) {
    let bytes = text.as_bytes();
    // Built as bytes (ASCII is most of news text and is folded through a
    // table), then checked back into a `String` once.
    let mut out = std::mem::take(&mut f.text).into_bytes();
    out.clear();
    f.runs.clear();
    out.reserve(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let run = ascii_prefix(&bytes[i..]);
        fold_ascii_run(&mut out, &mut f.runs, &bytes[i..i + run], i as u32);
        i += run;
        if i >= bytes.len() {
            break;
        }
        let c = text[i..].chars().next().expect("i is on a char boundary");
        let end = (i + c.len_utf8()) as u32;
        let mut opened = false;
        fold_char(c, |d| {
            if d == ' ' && out.last() == Some(&b' ') {
                Folded::widen_last(&mut f.runs, out.len(), end);
                opened = false;
                return;
            }
            if !opened {
                f.runs.push(Run {
                    fold: out.len() as u32,
                    orig: i as u32,
                    orig_end: end,
                });
                opened = true;
            }
            let mut buf = [0; 4];
            out.extend_from_slice(d.encode_utf8(&mut buf).as_bytes());
        });
        i += c.len_utf8();
    }
    f.text = String::from_utf8(out).expect("folding writes whole characters");
}

/// A searcher for two spaces, built once: most runs have none, and
/// `memmem::find` would build one per run.
fn double_space() -> &'static memchr::memmem::Finder<'static> {
    static FINDER: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
        std::sync::OnceLock::new();
    FINDER.get_or_init(|| memchr::memmem::Finder::new(b"  "))
}

/// Folds a run of ASCII bytes that starts at original offset `at`. The
/// bytes go through the table in one pass; then each place where two spaces
/// meet is closed up (the later whitespace widens the space before it),
/// and the stretches between are one-to-one runs.
fn fold_ascii_run(out: &mut Vec<u8>, runs: &mut Vec<Run>, run: &[u8], at: u32) {
    let base = out.len();
    out.extend(run.iter().map(|&b| ASCII_FOLD[(b & 0x7f) as usize]));
    let end = out.len();
    let orig = |k: usize| at + (k - base) as u32;
    let (mut r, mut w) = (base, base);
    loop {
        // The next space that follows a space: `p` is the second one.
        let from = r.max(1) - 1;
        let p = double_space().find(&out[from..end]).map(|q| from + q + 1);
        let stop = p.unwrap_or(end).max(r);
        if stop > r {
            runs.push(Run {
                fold: w as u32,
                orig: orig(r),
                orig_end: ONE_TO_ONE,
            });
            out.copy_within(r..stop, w);
            w += stop - r;
        }
        let Some(p) = p else { break };
        let mut k = p.max(r);
        while k < end && out[k] == b' ' {
            k += 1;
        }
        Folded::widen_last(runs, w, orig(k));
        r = k;
    }
    out.truncate(w);
}

/// The length of the ASCII prefix of `bytes`.
fn ascii_prefix(bytes: &[u8]) -> usize {
    let mut i = 0;
    while i + 32 <= bytes.len() && bytes[i..i + 32].is_ascii() {
        i += 32;
    }
    i + bytes[i..]
        .iter()
        .position(|b| !b.is_ascii())
        .unwrap_or(bytes.len() - i)
}

/// How each ASCII byte folds (the same mapping as [`fold_char`]): ASCII
/// whitespace and '-' to a space, '`' to an apostrophe, letters to lower case.
const ASCII_FOLD: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = match b as u8 {
            b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | b'-' => b' ',
            b'`' => b'\'',
            c => c.to_ascii_lowercase(),
        };
        b += 1;
    }
    t
};

/// Folds a phrase of a watchlist or the taxonomy; leading and trailing
/// whitespace is dropped.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        fold_char(c, |d| {
            if !(d == ' ' && (out.is_empty() || out.ends_with(' '))) {
                out.push(d)
            }
        });
    }
    // A decomposition may end in a space ("΄" is a space and an accent).
    while out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Whether `c` continues a word (so a match may not start or end next to it).
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Whether `text[start..end]` sits on word boundaries.
pub fn on_word_boundaries(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let first = text[start..end].chars().next();
    let last = text[start..end].chars().next_back();
    let left_ok = match (before, first) {
        (Some(b), Some(f)) => !(is_word_char(b) && is_word_char(f)),
        _ => true,
    };
    let right_ok = match (last, after) {
        (Some(l), Some(a)) => !(is_word_char(l) && is_word_char(a)),
        _ => true,
    };
    left_ok && right_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_cursor_gives_the_same_original_ranges_in_order() {
        for text in [
            "Société  Générale — «Роснефть» 长江存储 Kas\u{AD}persky\n\nEnd",
            "plain ascii text, no runs at all",
            "ＩＫＥＡ\u{00A0}Group – unit ß ẞ",
        ] {
            let f = fold_with_map(text);
            let mut cursor = f.cursor();
            let words: Vec<(usize, usize)> = f
                .text
                .char_indices()
                .filter(|(_, c)| c.is_alphanumeric())
                .map(|(i, c)| (i, i + c.len_utf8()))
                .collect();
            for (s, e) in words {
                assert_eq!(cursor.original(s, e), f.original(s, e), "{text:?} {s}..{e}");
            }
        }
    }

    #[test]
    fn invisible_characters_fold_away_and_keep_the_map() {
        for hidden in [
            '\u{00AD}', '\u{200B}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{202E}',
        ] {
            let text = format!("Kas{hidden}persky Lab");
            let f = fold_with_map(&text);
            assert_eq!(f.text, "kaspersky lab", "{hidden:?}");
            let (s, e) = f.original(0, "kaspersky".len());
            assert_eq!(&text[s..e], format!("Kas{hidden}persky"));
        }
        assert_eq!(fold("\u{200B}\u{00AD}"), "");
    }

    #[test]
    fn folds_case_diacritics_quotes_and_space() {
        assert_eq!(fold("Société  Générale"), "societe generale");
        assert_eq!(fold("Nestlé’s “deal”"), "nestle's \"deal\"");
        assert_eq!(fold("ＩＫＥＡ\u{00A0}Group – unit"), "ikea group unit");
        assert_eq!(fold("Rolls-Royce"), "rolls royce");
        assert_eq!(fold("Straße"), "strasse");
        // Regression (found by cargo fuzz): capital sharp s folded to "ß",
        // which folds again to "ss", so folding was not idempotent.
        assert_eq!(fold("\u{1E9E}"), "ss");
        assert_eq!(fold_with_map("GRO\u{1E9E}").text, "gross");
    }

    #[test]
    fn map_points_back_to_original_bytes() {
        let text = "Le  Société’s";
        let f = fold_with_map(text);
        assert_eq!(f.text, "le societe's");
        let start = f.text.find("societe").unwrap();
        let (s, e) = f.original(start, start + "societe".len());
        assert_eq!(&text[s..e], "Société");
        // The collapsed space maps to both original spaces.
        let (s, e) = f.original(2, 3);
        assert_eq!(&text[s..e], "  ");
    }

    /// The map as it was first written: the original span of every folded
    /// byte, with whitespace collapsed by widening the last span.
    fn per_byte(text: &str) -> (String, Vec<usize>, Vec<usize>) {
        let (mut out, mut starts, mut ends) = (String::new(), Vec::new(), Vec::new());
        for (i, c) in text.char_indices() {
            let end = i + c.len_utf8();
            fold_char(c, |d| {
                if d == ' ' && out.ends_with(' ') {
                    *ends.last_mut().unwrap() = end;
                    return;
                }
                out.push(d);
                for _ in 0..d.len_utf8() {
                    starts.push(i);
                    ends.push(end);
                }
            });
        }
        (out, starts, ends)
    }

    #[test]
    fn runs_map_collapsed_space_and_wide_characters() {
        let text = "A  b\u{00A0} ß-\n\nC";
        let f = fold_with_map(text);
        let (folded, starts, ends) = per_byte(text);
        assert_eq!(f.text, folded);
        for k in 0..folded.len() {
            assert_eq!(f.original(k, k + 1), (starts[k], ends[k]), "byte {k}");
        }
    }

    #[test]
    fn word_boundaries() {
        let t = "intel and intelligence, meta-data";
        assert!(on_word_boundaries(t, 0, 5));
        assert!(!on_word_boundaries(t, 10, 15));
        assert!(on_word_boundaries(t, 24, 28));
    }

    proptest! {
        #[test]
        fn the_ascii_fast_path_folds_like_fold(s in "[ -~\t\n]{0,60}") {
            let mapped = fold_with_map(&s).text;
            prop_assert_eq!(fold(&mapped), fold(&s));
        }

        #[test]
        fn fold_is_idempotent(s in "\\PC{0,40}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
        }

        #[test]
        fn map_is_consistent(s in "\\PC{0,40}") {
            let f = fold_with_map(&s);
            for (i, _) in f.text.char_indices() {
                let (a, b) = f.original(i, i + 1);
                prop_assert!(a < b && b <= s.len());
                prop_assert!(s.is_char_boundary(a) && s.is_char_boundary(b));
            }
        }

        #[test]
        fn runs_map_like_a_span_per_byte(s in "([ -~\t\n]|\\PC){0,60}") {
            let f = fold_with_map(&s);
            let (text, starts, ends) = per_byte(&s);
            prop_assert_eq!(&f.text, &text);
            for k in 0..text.len() {
                prop_assert_eq!(f.original(k, k + 1), (starts[k], ends[k]), "byte {}", k);
            }
            for pos in 0..=s.len() {
                let want = starts.partition_point(|&st| st < pos);
                prop_assert_eq!(f.folded_pos(pos), want, "pos {}", pos);
            }
        }
    }
}
