//! `length_prefixed`: frames preceded by their length as a u32, big-endian; on send
//! prepends it.
//!
//! A frame longer than `max_length` (default 1 MiB) is reported and skipped without
//! being buffered, so a corrupt or hostile length cannot make the stream hold 4 GiB.

use super::{Errors, InterceptError, Interceptor};

/// The `length_prefixed` interceptor and the partial frame of its stream.
#[derive(Debug, Clone)]
pub struct LengthPrefixed {
    max_length: usize,
    /// Bytes of the header (while `body` is `None`) or of the body being gathered.
    buf: Vec<u8>,
    /// The length of the frame being gathered, once its header is complete.
    body: Option<usize>,
    /// Bytes of an overlong frame still to skip.
    skip: usize,
}

impl LengthPrefixed {
    pub(crate) const KEYS: &'static [&'static str] = &["max_length"];

    /// A `length_prefixed` interceptor that rejects frames over `max_length` bytes.
    pub fn new(max_length: usize) -> Self {
        LengthPrefixed {
            max_length,
            buf: Vec::new(),
            body: None,
            skip: 0,
        }
    }

    /// A header has been read: expect its body, or skip it when too long.
    fn start_body(&mut self, header: [u8; 4], errs: &mut Errors) {
        let len = u32::from_be_bytes(header) as usize;
        if len > self.max_length {
            errs.add(InterceptError::new(
                "length_prefixed",
                format!(
                    "frame of {len} bytes is longer than max_length ({} bytes); skipped",
                    self.max_length
                ),
                &header,
            ));
            self.skip = len;
        } else {
            self.body = Some(len);
        }
    }

    fn reset(&mut self) {
        self.buf.clear();
        self.body = None;
        self.skip = 0;
    }
}

impl Interceptor for LengthPrefixed {
    fn name(&self) -> &'static str {
        "length_prefixed"
    }

    fn on_receive(&mut self, data: &[u8], out: &mut Vec<Vec<u8>>) -> Result<(), InterceptError> {
        let mut errs = Errors::default();
        let mut rest = data;
        loop {
            if self.skip > 0 {
                let n = self.skip.min(rest.len());
                self.skip -= n;
                rest = &rest[n..];
                if self.skip > 0 {
                    break;
                }
            }
            match self.body {
                // Straight from the input when the whole frame is there: no copy into `buf`.
                Some(n) if self.buf.is_empty() && rest.len() >= n => {
                    out.push(rest[..n].to_vec());
                    rest = &rest[n..];
                    self.body = None;
                }
                Some(n) => {
                    let take = (n - self.buf.len()).min(rest.len());
                    self.buf.extend_from_slice(&rest[..take]);
                    rest = &rest[take..];
                    if self.buf.len() < n {
                        break;
                    }
                    out.push(self.buf.as_slice().to_vec());
                    self.buf.clear();
                    self.body = None;
                }
                None if rest.is_empty() => break,
                None if self.buf.is_empty() && rest.len() >= 4 => {
                    let header = [rest[0], rest[1], rest[2], rest[3]];
                    rest = &rest[4..];
                    self.start_body(header, &mut errs);
                }
                None => {
                    let take = (4 - self.buf.len()).min(rest.len());
                    self.buf.extend_from_slice(&rest[..take]);
                    rest = &rest[take..];
                    if self.buf.len() < 4 {
                        break;
                    }
                    let header = [self.buf[0], self.buf[1], self.buf[2], self.buf[3]];
                    self.buf.clear();
                    self.start_body(header, &mut errs);
                }
            }
        }
        errs.into_result()
    }

    fn on_send(&mut self, frame: &[u8], out: &mut Vec<Vec<u8>>) -> Result<(), InterceptError> {
        let len = u32::try_from(frame.len()).map_err(|_| {
            InterceptError::new(
                "length_prefixed",
                format!("frame of {} bytes does not fit a u32 length", frame.len()),
                &[],
            )
        })?;
        let mut bytes = Vec::with_capacity(frame.len() + 4);
        bytes.extend_from_slice(&len.to_be_bytes());
        bytes.extend_from_slice(frame);
        out.push(bytes);
        Ok(())
    }

    fn finish(&mut self, _out: &mut Vec<Vec<u8>>) -> Result<(), InterceptError> {
        let cut = if self.skip > 0 {
            Some(format!(
                "stream ended inside a skipped frame, {} bytes short",
                self.skip
            ))
        } else {
            match self.body {
                Some(n) => Some(format!(
                    "stream ended inside a frame: got {} of {n} bytes",
                    self.buf.len()
                )),
                None if !self.buf.is_empty() => Some(format!(
                    "stream ended inside a frame header: got {} of 4 bytes",
                    self.buf.len()
                )),
                None => None,
            }
        };
        let res = match cut {
            Some(message) => Err(InterceptError::new("length_prefixed", message, &self.buf)),
            None => Ok(()),
        };
        self.reset();
        res
    }

    fn fresh(&self) -> Box<dyn Interceptor> {
        Box::new(LengthPrefixed::new(self.max_length))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn encode(frames: &[&[u8]]) -> Vec<u8> {
        let mut lp = LengthPrefixed::new(usize::MAX);
        let mut out = Vec::new();
        for f in frames {
            lp.on_send(f, &mut out).unwrap();
        }
        out.concat()
    }

    /// Feeds `chunks`, then finishes; returns the frames and the number of errors.
    fn run(lp: &mut LengthPrefixed, chunks: &[&[u8]]) -> (Vec<Vec<u8>>, usize) {
        let mut out = Vec::new();
        let mut errors = 0;
        for c in chunks {
            if let Err(e) = lp.on_receive(c, &mut out) {
                errors += e.count;
            }
        }
        if let Err(e) = lp.finish(&mut out) {
            errors += e.count;
        }
        (out, errors)
    }

    #[test]
    fn send_prepends_a_big_endian_length() {
        assert_eq!(encode(&[b"abc"]), b"\0\0\0\x03abc");
        assert_eq!(encode(&[b""]), b"\0\0\0\0");
        let big = vec![7u8; 0x0001_0203];
        assert_eq!(&encode(&[&big])[..4], &[0, 1, 2, 3]);
    }

    #[test]
    fn every_split_position_gives_the_same_frames() {
        let frames: [&[u8]; 4] = [b"hello", b"", b"\0\0\0\x01", b"x"];
        let input = encode(&frames);
        let want: Vec<Vec<u8>> = frames.iter().map(|f| f.to_vec()).collect();
        for i in 0..=input.len() {
            for j in i..=input.len() {
                let mut lp = LengthPrefixed::new(100);
                let got = run(&mut lp, &[&input[..i], &input[i..j], &input[j..]]);
                assert_eq!(got, (want.clone(), 0), "split at {i},{j}");
            }
        }
    }

    #[test]
    fn an_overlong_frame_is_skipped_without_buffering() {
        let big = vec![b'z'; 5000];
        let input = encode(&[b"a", &big, b"b"]);
        for chunk in [1, 3, 100, input.len()] {
            let mut lp = LengthPrefixed::new(10);
            let mut out = Vec::new();
            let mut errors = 0;
            for c in input.chunks(chunk) {
                if let Err(e) = lp.on_receive(c, &mut out) {
                    assert!(e.message.contains("frame of 5000 bytes"), "{e}");
                    assert!(e.message.contains("max_length (10 bytes)"), "{e}");
                    errors += e.count;
                }
                assert!(lp.buf.capacity() <= 64);
            }
            assert_eq!(out, [b"a".to_vec(), b"b".to_vec()], "chunk {chunk}");
            assert_eq!(errors, 1);
            assert!(lp.finish(&mut out).is_ok());
        }
    }

    #[test]
    fn a_cut_off_frame_is_an_error_at_the_end() {
        let mut lp = LengthPrefixed::new(100);
        let mut out = Vec::new();
        lp.on_receive(b"\0\0\0\x05ab", &mut out).unwrap();
        let e = lp.finish(&mut out).unwrap_err();
        assert_eq!(e.message, "stream ended inside a frame: got 2 of 5 bytes");
        assert!(out.is_empty());
        // Ready for a new stream.
        lp.on_receive(b"\0\0", &mut out).unwrap();
        let e = lp.finish(&mut out).unwrap_err();
        assert!(e.message.contains("header: got 2 of 4"), "{e}");
        lp.on_receive(b"\0\0\0\x01q", &mut out).unwrap();
        assert_eq!(out, [b"q".to_vec()]);
        assert!(lp.finish(&mut out).is_ok());
    }

    #[test]
    fn fresh_has_no_partial_frame() {
        let mut lp = LengthPrefixed::new(100);
        let mut out = Vec::new();
        lp.on_receive(b"\0\0\0\x09abc", &mut out).unwrap();
        let mut f = lp.fresh();
        f.on_receive(b"\0\0\0\x01x", &mut out).unwrap();
        assert_eq!(out, [b"x".to_vec()]);
    }

    proptest! {
        #[test]
        fn any_split_reassembles(
            frames in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..20), 0..8),
            cuts in proptest::collection::vec(0usize..200, 0..6),
            max in 0usize..25,
        ) {
            let refs: Vec<&[u8]> = frames.iter().map(Vec::as_slice).collect();
            let input = encode(&refs);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(input.len())).collect();
            cuts.sort_unstable();
            let mut chunks = Vec::new();
            let mut start = 0;
            for c in cuts.into_iter().chain(std::iter::once(input.len())) {
                chunks.push(&input[start..c]);
                start = c;
            }
            let want: Vec<Vec<u8>> = frames.iter().filter(|f| f.len() <= max).cloned().collect();
            let errors = frames.len() - want.len();
            let mut lp = LengthPrefixed::new(max);
            prop_assert_eq!(run(&mut lp, &chunks), (want, errors));
        }

        #[test]
        fn never_panics_on_any_bytes(
            input in proptest::collection::vec(any::<u8>(), 0..300),
            cut in 0usize..300,
        ) {
            let mut lp = LengthPrefixed::new(64);
            let cut = cut.min(input.len());
            let _ = run(&mut lp, &[&input[..cut], &input[cut..]]);
        }
    }
}
