//! JSONL articles from a file or stdin, for backtests and replays. A
//! malformed line is reported with its line number and skipped.

use std::io::BufRead;
use std::path::Path;

use crate::article::{self, Article, Malformed};

/// One line of input: its 1-based number and the decoded article or why
/// it is malformed. Blank lines are skipped.
pub type Line = (usize, Result<Article, Malformed>);

/// Opens `path` (`-` for stdin) and yields its decoded lines.
pub fn read(path: &Path, max_bytes: usize) -> std::io::Result<impl Iterator<Item = Line>> {
    let reader: Box<dyn BufRead> = if path == Path::new("-") {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        Box::new(std::io::BufReader::new(std::fs::File::open(path)?))
    };
    Ok(lines(reader, max_bytes))
}

/// Decodes JSONL from any reader. Lines are read as bytes so that invalid
/// UTF-8 is a malformed line, not an I/O error.
pub fn lines(mut reader: impl BufRead, max_bytes: usize) -> impl Iterator<Item = Line> {
    let mut n = 0;
    std::iter::from_fn(move || loop {
        let mut buf = Vec::new();
        n += 1;
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => return None,
            Ok(_) => {}
            Err(e) => return Some((n, Err(Malformed::InvalidJson(format!("read error: {e}"))))),
        }
        while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            buf.pop();
        }
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        return Some((n, article::decode(&buf, max_bytes)));
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_lines_and_reports_malformed_ones() {
        let input = b"{\"id\":\"a\",\"title\":\"x\"}\n\nnot json\r\n{\"id\":\"b\",\"body\":\"y\"}";
        let got: Vec<_> = super::lines(&input[..], 1000).collect();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].1.as_ref().unwrap().id, "a");
        assert_eq!(got[1].0, 3);
        assert_eq!(got[1].1.as_ref().unwrap_err().reason(), "invalid_json");
        assert_eq!((got[2].0, got[2].1.as_ref().unwrap().id.as_str()), (4, "b"));
    }
}
