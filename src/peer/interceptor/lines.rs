//! `lines`: splits a byte stream at a delimiter (default `"\n"`); on send appends it.
//!
//! A line longer than `max_length` (default 1 MiB) is reported once, the rest of it
//! is skipped without being kept, and the next line arrives as usual: memory stays
//! bounded by `max_length` whatever the input.

use super::{Errors, InterceptError, Interceptor, DEFAULT_MAX_LENGTH};
use crate::peer::config::{ConfigError, Options};
use memchr::memmem::Finder;

/// The `lines` interceptor and the unfinished line of its stream.
#[derive(Debug, Clone)]
pub struct Lines {
    delimiter: Box<[u8]>,
    finder: Finder<'static>,
    max_length: usize,
    /// The unfinished line; while `discarding`, only its last `delimiter.len() - 1`
    /// bytes (enough to spot a delimiter split across two inputs).
    partial: Vec<u8>,
    /// The current line is too long and has been reported: skip to its end.
    discarding: bool,
}

impl Lines {
    pub(crate) const KEYS: &'static [&'static str] = &["delimiter", "max_length"];

    /// A `lines` interceptor; `None` when `delimiter` is empty.
    pub fn new(delimiter: &[u8], max_length: usize) -> Option<Self> {
        if delimiter.is_empty() {
            return None;
        }
        Some(Lines {
            delimiter: delimiter.into(),
            finder: Finder::new(delimiter).into_owned(),
            max_length,
            partial: Vec::new(),
            discarding: false,
        })
    }

    pub(crate) fn from_options(o: &Options) -> Result<Self, ConfigError> {
        let delimiter = o.string("delimiter", "\n")?;
        let max_length = o.positive("max_length", DEFAULT_MAX_LENGTH)?;
        Lines::new(delimiter.as_bytes(), max_length)
            .ok_or_else(|| o.invalid("delimiter", "must not be empty"))
    }

    fn too_long(&self, start: &[u8], more: &[u8]) -> InterceptError {
        // Only the preview is copied, however long the line.
        let start = &start[..start.len().min(super::RAW_PREVIEW)];
        let mut raw = start.to_vec();
        raw.extend_from_slice(&more[..more.len().min(super::RAW_PREVIEW - start.len())]);
        InterceptError::new(
            "lines",
            format!(
                "line longer than max_length ({} bytes); the rest of it is discarded",
                self.max_length
            ),
            &raw,
        )
    }

    /// A whole line found within one input.
    fn emit(&self, line: &[u8], out: &mut Vec<Vec<u8>>, errs: &mut Errors) {
        if line.len() > self.max_length {
            errs.add(self.too_long(line, &[]));
        } else {
            out.push(line.to_vec());
        }
    }

    /// `partial` now holds a whole line: emit it (unless it was too long) and start
    /// the next one. Copying out keeps `partial`'s capacity for the next line.
    fn end_line(&mut self, out: &mut Vec<Vec<u8>>, errs: &mut Errors) {
        if self.discarding {
            self.discarding = false;
        } else if self.partial.len() > self.max_length {
            errs.add(self.too_long(&self.partial, &[]));
        } else {
            out.push(self.partial.as_slice().to_vec());
        }
        self.partial.clear();
    }

    /// Adds bytes of an unfinished line.
    fn append(&mut self, bytes: &[u8], errs: &mut Errors) {
        // `partial` may end in the first bytes of a delimiter, so allow that much slack;
        // `end_line` checks the exact length.
        let keep = self.delimiter.len() - 1;
        if !self.discarding && self.partial.len() + bytes.len() > self.max_length + keep {
            errs.add(self.too_long(&self.partial, bytes));
            self.discarding = true;
        }
        if !self.discarding {
            self.partial.extend_from_slice(bytes);
        } else if bytes.len() >= keep {
            self.partial.clear();
            self.partial.extend_from_slice(&bytes[bytes.len() - keep..]);
        } else {
            self.partial.extend_from_slice(bytes);
            let excess = self.partial.len().saturating_sub(keep);
            self.partial.drain(..excess);
        }
    }

    /// A delimiter that starts in `partial` and ends in `data`: how many of its bytes
    /// are in `partial` (the earliest such delimiter, so the most bytes).
    fn straddle(&self, data: &[u8]) -> Option<usize> {
        let d = self.delimiter.len();
        (1..d).rev().find(|&k| {
            self.partial.len() >= k
                && data.len() >= d - k
                && self.partial.ends_with(&self.delimiter[..k])
                && data.starts_with(&self.delimiter[k..])
        })
    }
}

impl Interceptor for Lines {
    fn name(&self) -> &'static str {
        "lines"
    }

    fn on_receive(&mut self, data: &[u8], out: &mut Vec<Vec<u8>>) -> Result<(), InterceptError> {
        let mut errs = Errors::default();
        let d = self.delimiter.len();
        let mut pos = 0;
        if let Some(k) = self.straddle(data) {
            self.partial.truncate(self.partial.len() - k);
            self.end_line(out, &mut errs);
            pos = d - k;
        }
        while let Some(i) = self.finder.find(&data[pos..]) {
            let line = &data[pos..pos + i];
            if self.partial.is_empty() && !self.discarding {
                self.emit(line, out, &mut errs);
            } else {
                self.append(line, &mut errs);
                self.end_line(out, &mut errs);
            }
            pos += i + d;
        }
        self.append(&data[pos..], &mut errs);
        errs.into_result()
    }

    fn on_send(&mut self, frame: &[u8], out: &mut Vec<Vec<u8>>) -> Result<(), InterceptError> {
        let mut bytes = Vec::with_capacity(frame.len() + self.delimiter.len());
        bytes.extend_from_slice(frame);
        bytes.extend_from_slice(&self.delimiter);
        out.push(bytes);
        Ok(())
    }

    fn finish(&mut self, out: &mut Vec<Vec<u8>>) -> Result<(), InterceptError> {
        let mut errs = Errors::default();
        if self.discarding || !self.partial.is_empty() {
            self.end_line(out, &mut errs);
        }
        errs.into_result()
    }

    fn fresh(&self) -> Box<dyn Interceptor> {
        let mut l = self.clone();
        l.partial = Vec::new();
        l.discarding = false;
        Box::new(l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Feeds `chunks`, then finishes; returns the frames and the number of errors.
    fn run(l: &mut Lines, chunks: &[&[u8]]) -> (Vec<Vec<u8>>, usize) {
        let mut out = Vec::new();
        let mut errors = 0;
        for c in chunks {
            if let Err(e) = l.on_receive(c, &mut out) {
                errors += e.count;
            }
        }
        if let Err(e) = l.finish(&mut out) {
            errors += e.count;
        }
        (out, errors)
    }

    /// What splitting the whole input at once must give.
    fn reference(input: &[u8], delim: &[u8], max: usize) -> (Vec<Vec<u8>>, usize) {
        let mut lines = Vec::new();
        let mut rest = input;
        while let Some(i) = memchr::memmem::find(rest, delim) {
            lines.push(rest[..i].to_vec());
            rest = &rest[i + delim.len()..];
        }
        if !rest.is_empty() {
            lines.push(rest.to_vec());
        }
        let errors = lines.iter().filter(|l| l.len() > max).count();
        lines.retain(|l| l.len() <= max);
        (lines, errors)
    }

    fn strs(frames: &[Vec<u8>]) -> Vec<String> {
        frames
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect()
    }

    #[test]
    fn splits_lines_and_flushes_the_last_one() {
        let mut l = Lines::new(b"\n", 100).unwrap();
        let (out, errs) = run(&mut l, &[b"a\nbb\n\nccc"]);
        assert_eq!(strs(&out), ["a", "bb", "", "ccc"]);
        assert_eq!(errs, 0);
        // A trailing delimiter leaves nothing to flush.
        let (out, _) = run(&mut l, &[b"x\n"]);
        assert_eq!(strs(&out), ["x"]);
    }

    #[test]
    fn every_split_position_gives_the_same_lines() {
        for delim in [&b"\n"[..], b"\r\n", b"::", b"abab"] {
            let d = String::from_utf8_lossy(delim);
            let input = format!("one{d}two{d}{d}ab{d}aba{d}last").into_bytes();
            let want = reference(&input, delim, 1000);
            for i in 0..=input.len() {
                for j in i..=input.len() {
                    let mut l = Lines::new(delim, 1000).unwrap();
                    let got = run(&mut l, &[&input[..i], &input[i..j], &input[j..]]);
                    assert_eq!(got, want, "delim {d:?} split at {i},{j}");
                }
            }
        }
    }

    #[test]
    fn send_appends_the_delimiter() {
        let mut l = Lines::new(b"\r\n", 10).unwrap();
        let mut out = Vec::new();
        l.on_send(b"hi", &mut out).unwrap();
        l.on_send(b"", &mut out).unwrap();
        assert_eq!(out, [b"hi\r\n".to_vec(), b"\r\n".to_vec()]);
        let (back, _) = run(&mut l, &[&out.concat()]);
        assert_eq!(strs(&back), ["hi", ""]);
    }

    #[test]
    fn a_2mib_line_is_one_error_and_the_next_line_arrives() {
        let mut l = Lines::new(b"\n", DEFAULT_MAX_LENGTH).unwrap();
        let mut input = b"before\n".to_vec();
        input.resize(input.len() + 2 * DEFAULT_MAX_LENGTH, b'x');
        input.extend_from_slice(b"\nafter\n");
        // Whole, and in 64 KiB chunks as a socket would deliver it.
        for chunk in [input.len(), 64 * 1024] {
            let mut out = Vec::new();
            let mut errors = Vec::new();
            for c in input.chunks(chunk) {
                if let Err(e) = l.on_receive(c, &mut out) {
                    errors.push(e);
                }
            }
            assert_eq!(strs(&out), ["before", "after"]);
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].count, 1);
            assert!(
                errors[0].message.contains("max_length (1048576 bytes)"),
                "{}",
                errors[0]
            );
            assert!(errors[0].raw.starts_with("xxx"));
            assert!(l.partial.capacity() <= 2 * DEFAULT_MAX_LENGTH);
            assert!(l.finish(&mut out).is_ok());
        }
    }

    #[test]
    fn memory_stays_bounded_while_discarding() {
        let mut l = Lines::new(b"\n", 10).unwrap();
        let mut out = Vec::new();
        assert!(l.on_receive(b"0123456789abc", &mut out).is_err());
        for _ in 0..100 {
            assert!(l.on_receive(&[b'y'; 1000], &mut out).is_ok());
        }
        assert!(l.partial.len() <= 1);
        l.on_receive(b"yy\nok\n", &mut out).unwrap();
        assert_eq!(strs(&out), ["ok"]);
    }

    #[test]
    fn exact_max_length_is_allowed() {
        let mut l = Lines::new(b"\r\n", 3).unwrap();
        let (out, errs) = run(&mut l, &[b"abc\r", b"\nabcd\r\nab", b"c"]);
        assert_eq!(strs(&out), ["abc", "abc"]);
        assert_eq!(errs, 1);
    }

    #[test]
    fn an_overlong_unterminated_last_line_is_an_error() {
        // Noticed as soon as the partial line outgrows the limit...
        let mut l = Lines::new(b"\n", 3).unwrap();
        let mut out = Vec::new();
        l.on_receive(b"ok\nabc", &mut out).unwrap();
        assert!(l.on_receive(b"d", &mut out).is_err());
        assert!(l.finish(&mut out).is_ok());
        assert_eq!(strs(&out), ["ok"]);
        // ...or at the end, when the slack kept for a split delimiter hid it.
        let mut l = Lines::new(b"\r\n", 3).unwrap();
        l.on_receive(b"abcd", &mut out).unwrap();
        let e = l.finish(&mut out).unwrap_err();
        assert_eq!(e.raw, "abcd");
        // A short last line is flushed.
        l.on_receive(b"ab", &mut out).unwrap();
        assert!(l.finish(&mut out).is_ok());
        assert_eq!(strs(&out), ["ok", "ab"]);
    }

    #[test]
    fn fresh_has_no_partial_line() {
        let mut l = Lines::new(b";", 10).unwrap();
        let mut out = Vec::new();
        l.on_receive(b"half", &mut out).unwrap();
        let mut f = l.fresh();
        f.on_receive(b"new;", &mut out).unwrap();
        assert_eq!(strs(&out), ["new"]);
    }

    #[test]
    fn config() {
        use crate::value::parse_json;
        let cfg = parse_json(r#"{"delimiter": ""}"#).unwrap();
        let o = Options::new("interceptor `lines`".into(), &cfg, Lines::KEYS).unwrap();
        let err = Lines::from_options(&o).unwrap_err().to_string();
        assert!(
            err.contains("`delimiter`") && err.contains("must not be empty"),
            "{err}"
        );
        let cfg = parse_json(r#"{"delimiter": "é", "max_length": 4}"#).unwrap();
        let o = Options::new("interceptor `lines`".into(), &cfg, Lines::KEYS).unwrap();
        let mut l = Lines::from_options(&o).unwrap();
        let (out, errs) = run(&mut l, &[b"ab\xc3", b"\xa9abcde\xc3\xa9"]);
        assert_eq!(strs(&out), ["ab"]);
        assert_eq!(errs, 1);
    }

    proptest! {
        #[test]
        fn any_split_reassembles(
            input in proptest::collection::vec(prop_oneof![Just(b'\n'), Just(b'a'), Just(b'b'), any::<u8>()], 0..200),
            cuts in proptest::collection::vec(0usize..200, 0..6),
            delim in prop_oneof![Just(b"\n".to_vec()), Just(b"ab".to_vec()), Just(b"aab".to_vec()), Just(b"abab".to_vec()), Just(b"\na\n".to_vec())],
            max in prop_oneof![Just(1000usize), 1usize..12],
        ) {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(input.len())).collect();
            cuts.sort_unstable();
            let mut chunks = Vec::new();
            let mut start = 0;
            for c in cuts.into_iter().chain(std::iter::once(input.len())) {
                chunks.push(&input[start..c]);
                start = c;
            }
            let mut l = Lines::new(&delim, max).unwrap();
            prop_assert_eq!(run(&mut l, &chunks), reference(&input, &delim, max));
        }
    }
}
