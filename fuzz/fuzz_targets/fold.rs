//! Text folding: `fold` is idempotent, and every folded byte of
//! `fold_with_map` maps back to a range of the original text that lies on
//! char boundaries.
//!
//! Each input is checked twice: as UTF-8 (invalid bytes replaced), and as a
//! sequence of code points, three bytes each. Random bytes rarely form valid
//! three- and four-byte UTF-8, so the second reading is what reaches most of
//! Unicode (letters with special case mappings, compatibility forms).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirewatch_matcher::normalize::{fold, fold_with_map};

fn check(text: &str) {
    let once = fold(text);
    let twice = fold(&once);
    assert_eq!(twice, once, "fold is not idempotent on {text:?}");

    let folded = fold_with_map(text);
    for i in 0..folded.text.len() {
        let (start, end) = folded.original(i, i + 1);
        assert!(
            start <= end && end <= text.len(),
            "folded byte {i} maps to {start}..{end}, outside the original of {} bytes: {text:?}",
            text.len()
        );
        assert!(
            text.is_char_boundary(start) && text.is_char_boundary(end),
            "folded byte {i} maps to {start}..{end}, not on char boundaries: {text:?}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    check(&String::from_utf8_lossy(data));
    let code_points: String = data
        .chunks_exact(3)
        .filter_map(|c| char::from_u32(u32::from_be_bytes([0, c[0], c[1], c[2]]) % 0x11_0000))
        .collect();
    check(&code_points);
});
