//! `gzip`: gunzips on receive, gzips each frame on send.
//!
//! Receiving is streaming: a gzip member may arrive cut across reads (TCP splits
//! where it likes), so the decoder keeps its state between calls and emits what
//! it has inflated so far; a stream that ends inside a member is reported as cut
//! off. Members may follow one another (as `gzip -c a b` writes them). Inflating
//! is capped at `max_length` (default 1 MiB) per call, so a small input cannot
//! expand into unbounded memory; past it, or on bytes that are not gzip, the call
//! is an error and the decoder starts afresh with the next input.

use super::{InterceptError, Interceptor};
use flate2::write::{GzEncoder, MultiGzDecoder};
use flate2::Compression;
use std::io::Write;

/// The `gzip` interceptor of one stream.
pub struct Gzip {
    max_length: usize,
    /// The member being inflated, when one is under way.
    decoder: Option<MultiGzDecoder<Capped>>,
}

/// Inflated bytes, refusing to hold more than `cap`.
struct Capped {
    buf: Vec<u8>,
    cap: usize,
    over: bool,
}

impl Write for Capped {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + b.len() > self.cap {
            self.over = true;
            return Err(std::io::Error::other("max_length"));
        }
        self.buf.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Gzip {
    pub(crate) const KEYS: &'static [&'static str] = &["max_length"];

    /// A `gzip` interceptor that inflates at most `max_length` bytes per input.
    pub fn new(max_length: usize) -> Self {
        Gzip {
            max_length,
            decoder: None,
        }
    }

    fn decoder(&mut self) -> &mut MultiGzDecoder<Capped> {
        let cap = self.max_length;
        self.decoder.get_or_insert_with(|| {
            MultiGzDecoder::new(Capped {
                buf: Vec::new(),
                cap,
                over: false,
            })
        })
    }
}

impl Interceptor for Gzip {
    fn name(&self) -> &'static str {
        "gzip"
    }

    fn on_receive(&mut self, data: &[u8], out: &mut Vec<Vec<u8>>) -> Result<(), InterceptError> {
        let max = self.max_length;
        let dec = self.decoder();
        let res = dec.write_all(data).and_then(|()| dec.flush());
        let sink = dec.get_mut();
        let inflated = std::mem::take(&mut sink.buf);
        let over = std::mem::take(&mut sink.over);
        match res {
            Ok(()) => {
                if !inflated.is_empty() {
                    out.push(inflated);
                }
                Ok(())
            }
            Err(e) => {
                // What follows starts a new member.
                self.decoder = None;
                let message = if over {
                    format!("frame inflates to more than max_length ({max} bytes)")
                } else {
                    format!("invalid gzip data: {e}")
                };
                Err(InterceptError::new("gzip", message, data))
            }
        }
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

    fn finish(&mut self, out: &mut Vec<Vec<u8>>) -> Result<(), InterceptError> {
        let Some(dec) = self.decoder.take() else {
            return Ok(());
        };
        match dec.finish() {
            Ok(sink) => {
                if !sink.buf.is_empty() {
                    out.push(sink.buf);
                }
                Ok(())
            }
            Err(e) => Err(InterceptError::new(
                "gzip",
                format!("the stream ended inside a gzip member: {e}"),
                &[],
            )),
        }
    }

    fn fresh(&self) -> Box<dyn Interceptor> {
        Box::new(Gzip::new(self.max_length))
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
        for frame in [&b"hello"[..], &long] {
            let packed = gz(frame);
            assert_eq!(&packed[..2], &[0x1f, 0x8b]);
            let mut g = Gzip::new(10_000);
            let mut out = Vec::new();
            g.on_receive(&packed, &mut out).unwrap();
            g.finish(&mut out).unwrap();
            assert_eq!(out.concat(), frame.to_vec());
        }
    }

    #[test]
    fn a_member_cut_across_reads_and_members_in_a_row_inflate() {
        let mut bytes = gz(b"one\ntwo\n");
        bytes.extend(gz(b"three\n"));
        for cut in 1..bytes.len() {
            let mut g = Gzip::new(1000);
            let mut out = Vec::new();
            g.on_receive(&bytes[..cut], &mut out).unwrap();
            g.on_receive(&bytes[cut..], &mut out).unwrap();
            g.finish(&mut out).unwrap();
            assert_eq!(out.concat(), b"one\ntwo\nthree\n", "cut at {cut}");
        }
    }

    #[test]
    fn bad_input_is_an_error_and_the_next_member_inflates() {
        let good = gz(b"some text to compress");
        let mut g = Gzip::new(1000);
        let mut out = Vec::new();
        let e = g.on_receive(b"plain text", &mut out).unwrap_err();
        assert!(e.message.starts_with("invalid gzip data"), "{e}");
        g.on_receive(&good, &mut out).unwrap();
        assert_eq!(out.concat(), b"some text to compress");
        // Corrupt deflate data shows when it is read or, at the latest, at the
        // member's checksum: never as good data.
        let mut corrupt = good.clone();
        corrupt[12] ^= 0xff;
        let mut g = Gzip::new(1000);
        let mut out = Vec::new();
        let failed = g.on_receive(&corrupt, &mut out).is_err() || g.finish(&mut out).is_err();
        assert!(failed, "{out:?}");
    }

    #[test]
    fn a_stream_that_ends_inside_a_member_is_cut_off() {
        let good = gz(b"some text to compress");
        for cut in [2, good.len() - 5] {
            let mut g = Gzip::new(1000);
            let mut out = Vec::new();
            g.on_receive(&good[..cut], &mut out).unwrap();
            let e = g.finish(&mut out).unwrap_err();
            assert!(e.message.contains("ended inside a gzip member"), "{e}");
        }
        let mut out = Vec::new();
        Gzip::new(10).finish(&mut out).unwrap();
        assert!(out.is_empty());
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
