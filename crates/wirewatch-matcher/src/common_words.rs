//! Common English words (compiled in from `taxonomy/common-words.txt`). A
//! company name that is also a common word ("Apple", "Shell", "Visa") only
//! matches as a capitalized proper noun, and `check` warns about it.
//!
//! Invariants: the list is data (one folded word a line, `#` comments),
//! made into a set once; a name is looked up folded, so its case does not
//! matter, and a name of several words is never a common word.

use std::collections::HashSet;
use std::sync::OnceLock;

const WORDS: &str = include_str!("../taxonomy/common-words.txt");

fn words() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        WORDS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect()
    })
}

/// Whether a (single-word) name is a common English word, ignoring case.
pub fn is_common_word(name: &str) -> bool {
    let folded = super::normalize::fold(name);
    !folded.contains(' ') && words().contains(folded.as_str())
}

#[cfg(test)]
mod tests {
    #[test]
    fn knows_brand_collisions() {
        for w in [
            "Apple", "Shell", "Target", "Orange", "Visa", "Block", "Oracle", "Arm", "square",
        ] {
            assert!(super::is_common_word(w), "{w}");
        }
        for w in ["Kaspersky", "Huawei", "Gazprom", "Shell plc"] {
            assert!(!super::is_common_word(w), "{w}");
        }
    }
}
