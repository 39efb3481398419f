//! JSONL articles from a file or stdin, for backtests and replays. A
//! malformed line is reported with its line number and skipped.
//!
//! A line is read into memory only up to the size limit: the rest of a
//! longer line is read and dropped, and the line reported as too large, so
//! a 200 MB line costs no more memory than a 1 MiB one.

use std::io::BufRead;
use std::path::Path;

use wirewatch_matcher::article::{self, Article, Malformed};

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

/// Reads one line (up to and without its `\n`) into `buf`, keeping at most
/// `keep` bytes of it. Returns the line's whole length, or `None` at the
/// end of the input.
fn read_line_bounded(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    keep: usize,
) -> std::io::Result<Option<usize>> {
    let mut len = 0usize;
    let mut any = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(any.then_some(len));
        }
        any = true;
        let (content, consumed, ended) = match memchr::memchr(b'\n', available) {
            Some(i) => (&available[..i], i + 1, true),
            None => (available, available.len(), false),
        };
        let room = keep.saturating_sub(buf.len());
        buf.extend_from_slice(&content[..content.len().min(room)]);
        len = len.saturating_add(content.len());
        reader.consume(consumed);
        if ended {
            return Ok(Some(len));
        }
    }
}

/// One line of input before decoding: its 1-based number and its bytes
/// (without the line end), or why it cannot be decoded at all (too large,
/// a read error). Blank lines are skipped.
pub type RawLine = (usize, Result<Vec<u8>, Malformed>);

/// Decodes JSONL from any reader. Lines are read as bytes so that invalid
/// UTF-8 is a malformed line, not an I/O error.
pub fn lines(reader: impl BufRead, max_bytes: usize) -> impl Iterator<Item = Line> {
    raw_lines(reader, max_bytes)
        .map(move |(n, raw)| (n, raw.and_then(|buf| article::decode(&buf, max_bytes))))
}

/// The lines of a JSONL input, not yet decoded (for callers that decode
/// on other threads), each read into memory only up to `max_bytes`. A read
/// error (a folder, a failing disk) is reported once, on the line it hit,
/// and ends the input: where the next line starts is unknown after it, and
/// a lasting error would otherwise report a "line" forever.
pub fn raw_lines(mut reader: impl BufRead, max_bytes: usize) -> impl Iterator<Item = RawLine> {
    let mut n = 0;
    let mut failed = false;
    // One byte past the limit (a trailing '\r' may still make it fit).
    let keep = max_bytes.saturating_add(1);
    std::iter::from_fn(move || loop {
        if failed {
            return None;
        }
        let mut buf = Vec::new();
        n += 1;
        let len = match read_line_bounded(&mut reader, &mut buf, keep) {
            Ok(None) => return None,
            Ok(Some(len)) => len,
            Err(e) => {
                failed = true;
                return Some((n, Err(Malformed::InvalidJson(format!("read error: {e}")))));
            }
        };
        if len > keep {
            return Some((
                n,
                Err(Malformed::TooLarge {
                    size: len,
                    max: max_bytes,
                }),
            ));
        }
        while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            buf.pop();
        }
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        return Some((n, Ok(buf)));
    })
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

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

    #[test]
    fn a_lasting_read_error_is_reported_once_and_ends_the_input() {
        struct Failing;
        impl std::io::Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("device gone"))
            }
        }
        let got: Vec<_> = super::raw_lines(std::io::BufReader::new(Failing), 1000)
            .take(5)
            .collect();
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(format!("{:?}", got[0].1).contains("device gone"));
    }

    /// Issue 16: `backtest` and `run --input` read a whole line before the
    /// size check (a 200 MB line used 493 MB). The line is now read up to
    /// the limit; the rest is dropped and the line reported too large.
    #[test]
    fn an_oversize_line_is_reported_without_being_held_in_memory() {
        let huge = 50_000_000u64;
        let input = std::io::repeat(b'x')
            .take(huge)
            .chain(&b"\r\n{\"id\":\"after\",\"title\":\"t\"}\n"[..]);
        let got: Vec<_> = super::lines(std::io::BufReader::new(input), 1000).collect();
        assert_eq!(got.len(), 2);
        assert_eq!(
            got[0].1.as_ref().unwrap_err(),
            &wirewatch_matcher::article::Malformed::TooLarge {
                size: huge as usize + 1,
                max: 1000
            }
        );
        assert_eq!(
            (got[1].0, got[1].1.as_ref().unwrap().id.as_str()),
            (2, "after")
        );

        let mut buf = Vec::new();
        let mut reader = std::io::BufReader::new(std::io::repeat(b'x').take(huge));
        let len = super::read_line_bounded(&mut reader, &mut buf, 1001).unwrap();
        assert_eq!(len, Some(huge as usize));
        assert_eq!(buf.len(), 1001, "only the limit (+1) is kept");
    }

    #[test]
    fn a_line_at_the_limit_with_crlf_still_fits() {
        let line = format!("{{\"id\":\"a\",\"title\":\"{}\"}}", "t".repeat(80));
        let input = format!("{line}\r\n");
        let got: Vec<_> = super::lines(input.as_bytes(), line.len()).collect();
        assert_eq!(got[0].1.as_ref().unwrap().id, "a");
        let got: Vec<_> = super::lines(input.as_bytes(), line.len() - 1).collect();
        assert_eq!(got[0].1.as_ref().unwrap_err().reason(), "too_large");
    }
}
