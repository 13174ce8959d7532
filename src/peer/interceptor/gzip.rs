//! `gzip`: each frame is gunzipped on receive and gzipped on send.
//!
//! Inflating stops at `max_length` (default 1 MiB) so a small frame cannot expand
//! into unbounded memory; such a frame is an error, as is one that is not gzip.

use super::{InterceptError, Interceptor};
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::{Read, Write};

/// The `gzip` interceptor (stateless between frames).
#[derive(Debug, Clone, Copy)]
pub struct Gzip {
    max_length: usize,
}

impl Gzip {
    pub(crate) const KEYS: &'static [&'static str] = &["max_length"];

    /// A `gzip` interceptor whose frames may inflate to at most `max_length` bytes.
    pub fn new(max_length: usize) -> Self {
        Gzip { max_length }
    }
}

impl Interceptor for Gzip {
    fn name(&self) -> &'static str {
        "gzip"
    }

    fn on_receive(&mut self, data: &[u8], out: &mut Vec<Vec<u8>>) -> Result<(), InterceptError> {
        let mut inflated = Vec::new();
        // One byte past the limit tells "exactly max_length" from "too long".
        let limit = u64::try_from(self.max_length)
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        MultiGzDecoder::new(data)
            .take(limit)
            .read_to_end(&mut inflated)
            .map_err(|e| InterceptError::new("gzip", format!("invalid gzip data: {e}"), data))?;
        if inflated.len() > self.max_length {
            return Err(InterceptError::new(
                "gzip",
                format!(
                    "frame inflates to more than max_length ({} bytes)",
                    self.max_length
                ),
                data,
            ));
        }
        out.push(inflated);
        Ok(())
    }

    fn on_send(&mut self, frame: &[u8], out: &mut Vec<Vec<u8>>) -> Result<(), InterceptError> {
        let mut enc = GzEncoder::new(
            Vec::with_capacity(frame.len() / 2 + 32),
            Compression::default(),
        );
        let bytes = enc
            .write_all(frame)
            .and_then(|()| enc.finish())
            .map_err(|e| InterceptError::new("gzip", format!("cannot compress: {e}"), &[]))?;
        out.push(bytes);
        Ok(())
    }

    fn finish(&mut self, _out: &mut Vec<Vec<u8>>) -> Result<(), InterceptError> {
        Ok(())
    }

    fn fresh(&self) -> Box<dyn Interceptor> {
        Box::new(*self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gz(frame: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        Gzip::new(usize::MAX).on_send(frame, &mut out).unwrap();
        assert_eq!(out.len(), 1);
        out.pop().unwrap_or_default()
    }

    #[test]
    fn round_trip() {
        let long = vec![b'q'; 10_000];
        for frame in [&b""[..], b"hello", &long] {
            let packed = gz(frame);
            assert_eq!(&packed[..2], &[0x1f, 0x8b]);
            let mut out = Vec::new();
            Gzip::new(10_000).on_receive(&packed, &mut out).unwrap();
            assert_eq!(out, [frame.to_vec()]);
        }
    }

    #[test]
    fn bad_frames_are_errors_not_panics() {
        let good = gz(b"some text to compress");
        let mut truncated = good.clone();
        truncated.truncate(good.len() - 5);
        let mut corrupt = good.clone();
        corrupt[12] ^= 0xff;
        for bad in [&b"plain text"[..], b"", b"\x1f\x8b", &truncated, &corrupt] {
            let mut out = Vec::new();
            let res = Gzip::new(1000).on_receive(bad, &mut out);
            let e = res.err().unwrap_or_else(|| panic!("no error for {bad:?}"));
            assert!(e.message.starts_with("invalid gzip data"), "{e}");
            assert!(out.is_empty());
        }
    }

    #[test]
    fn inflating_past_max_length_is_an_error() {
        let bomb = gz(&vec![0u8; 100_000]);
        assert!(bomb.len() < 1000);
        let mut out = Vec::new();
        let e = Gzip::new(50_000).on_receive(&bomb, &mut out).unwrap_err();
        assert!(e.message.contains("max_length (50000 bytes)"), "{e}");
        assert!(out.is_empty());
        Gzip::new(100_000).on_receive(&bomb, &mut out).unwrap();
        assert_eq!(out[0].len(), 100_000);
    }
}
