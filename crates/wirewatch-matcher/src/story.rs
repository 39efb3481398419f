//! Story fingerprints: the same story republished by several sources
//! (near-identical text, different ids) gets one alert per rule, watched
//! company and action (the outbox compares those; the fingerprint alone
//! cannot tell a wire template about two companies apart). A SimHash over
//! word 3-shingles of the folded text is stable across runs and versions
//! (xxh3), and near-identical texts differ in few bits.
//!
//! Invariant: a fingerprint is stored by the daemon and compared across
//! restarts and versions, so changing how it is computed splits stories
//! already stored; [`fingerprint`] and [`fingerprint_folded`] of the same
//! article agree.

use xxhash_rust::xxh3::xxh3_64;

use crate::article::Article;
use crate::normalize::fold;
use crate::text::clean;

/// Fingerprints at most this many bits apart are the same story.
pub const SAME_STORY_BITS: u32 = 12;

/// The 64-bit SimHash of an article's title and body.
pub fn fingerprint(article: &Article) -> u64 {
    fingerprint_folded(&fold(&format!(
        "{} {}",
        clean(&article.title),
        clean(&article.body)
    )))
}

/// The SimHash of already folded text. Only its words count, so the
/// matcher's folded document (title and paragraphs) gives the same value
/// as [`fingerprint`].
pub fn fingerprint_folded(text: &str) -> u64 {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut weights = [0i32; 64];
    let mut add = |h: u64| {
        for (i, w) in weights.iter_mut().enumerate() {
            if h >> i & 1 == 1 {
                *w += 1;
            } else {
                *w -= 1;
            }
        }
    };
    if words.len() < 3 {
        words.iter().for_each(|w| add(xxh3_64(w.as_bytes())));
    } else {
        // The same bytes as `s.join(" ")`, in one reused buffer.
        let mut shingle = String::new();
        for s in words.windows(3) {
            shingle.clear();
            shingle.push_str(s[0]);
            shingle.push(' ');
            shingle.push_str(s[1]);
            shingle.push(' ');
            shingle.push_str(s[2]);
            add(xxh3_64(shingle.as_bytes()));
        }
    }
    weights
        .iter()
        .enumerate()
        .filter(|(_, w)| **w > 0)
        .fold(0u64, |fp, (i, _)| fp | 1 << i)
}

/// Whether two fingerprints are the same story.
pub fn same_story(a: u64, b: u64) -> bool {
    (a ^ b).count_ones() <= SAME_STORY_BITS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(id: &str, title: &str, body: &str) -> Article {
        Article {
            id: id.into(),
            title: title.into(),
            body: body.into(),
            url: None,
            source: None,
            published_at: None,
            language: None,
        }
    }

    const BODY: &str = "Russian cybersecurity company Kaspersky Lab plans to gradually reduce its operations in the U.S. from July 20, the firm told state-run media on Monday. Kaspersky's exit comes after the U.S. Commerce Department sanctioned the company in June, banning it from selling and updating its popular antivirus software in the country. Kaspersky had initially said it would fight the sales ban in court.";

    /// Fingerprints are stored in outboxes, so their values must not
    /// change between versions: this is the original definition.
    fn reference(article: &Article) -> u64 {
        let text = fold(&format!(
            "{} {}",
            clean(&article.title),
            clean(&article.body)
        ));
        let words: Vec<&str> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let mut weights = [0i32; 64];
        for s in words.windows(3) {
            let h = xxh3_64(s.join(" ").as_bytes());
            for (i, w) in weights.iter_mut().enumerate() {
                *w += if h >> i & 1 == 1 { 1 } else { -1 };
            }
        }
        (0..64)
            .filter(|i| weights[*i] > 0)
            .fold(0, |fp, i| fp | 1 << i)
    }

    #[test]
    fn fingerprints_keep_their_values() {
        let a = article(
            "a",
            "Kaspersky to exit U.S. after Commerce ban",
            "Kaspersky Lab will wind down its U.S. business, the company said on Monday, after the Commerce Department banned sales of its software.",
        );
        assert_eq!(fingerprint(&a), reference(&a));
    }

    #[test]
    fn the_matchers_folded_document_gives_the_same_fingerprint() {
        let taxonomy = crate::Taxonomy::builtin();
        let source = "[[rule]]\nid = \"k\"\ncompanies = [{ name = \"Kaspersky\" }]\nagencies = [\"us-commerce\"]\nactions = [\"ban\", \"sanction\"]\n";
        let (wl, _) = crate::watchlist::parse(
            &[(std::path::PathBuf::from("w.toml"), source.to_string())],
            taxonomy,
        )
        .unwrap();
        let m = crate::Matcher::compile(&wl, taxonomy);
        let mut fired = 0;
        for line in include_str!("../../../examples/articles.jsonl")
            .lines()
            .take(8)
        {
            let Ok(a) = crate::article::decode(line.as_bytes(), 1 << 20) else {
                continue;
            };
            let (hits, fp) = m.try_evaluate_with_fingerprint(&a).unwrap();
            if hits.is_empty() {
                assert_eq!(fp, None);
            } else {
                fired += 1;
                assert_eq!(fp, Some(fingerprint(&a)), "{}", a.id);
            }
        }
        assert!(fired > 0, "the seed article fires");
    }

    #[test]
    fn republished_copies_are_the_same_story() {
        let a = fingerprint(&article(
            "a",
            "Kaspersky Lab to Cut U.S. Operations After Sanctions",
            BODY,
        ));
        let b = fingerprint(&article(
            "b",
            "Kaspersky Lab to cut U.S. operations after sanctions",
            &format!(
                "<p>{}</p><p>(Reporting by a wire service.)</p>",
                BODY.replace("Monday", "Tuesday").replace("'", "’")
            ),
        ));
        assert!(same_story(a, b), "distance {}", (a ^ b).count_ones());
    }

    #[test]
    fn different_stories_about_the_same_company_are_not() {
        let a = fingerprint(&article(
            "a",
            "Kaspersky Lab to Cut U.S. Operations After Sanctions",
            BODY,
        ));
        let c = fingerprint(&article(
            "c",
            "Treasury sanctions Kaspersky executives",
            "The U.S. Treasury Department on Friday imposed sanctions on 12 executives and senior leaders of Kaspersky Lab, days after the Commerce Department banned sales of the company's antivirus software, citing national security risks.",
        ));
        assert!(!same_story(a, c), "distance {}", (a ^ c).count_ones());
    }
}
