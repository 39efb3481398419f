//! Watchlist parsing on arbitrary UTF-8 text: `watchlist::parse` must never
//! panic, and when it accepts the text, compiling it must not panic either
//! ("compile errors are impossible after validation").
#![no_main]

use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;
use wirewatch_matcher::{watchlist, Matcher, Taxonomy};

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let taxonomy = Taxonomy::builtin();
    if let Ok((wl, _warnings)) = watchlist::parse(&[(PathBuf::from("f.toml"), src.to_string())], taxonomy) {
        let _ = Matcher::compile(&wl, taxonomy);
    }
});
