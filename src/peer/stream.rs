//! One stream's framing: bytes → interceptors → codec → values on receive, and
//! value → codec → interceptors → bytes on send. Each stream owns its own, so
//! partial data never crosses streams.

use super::raw::Raw;
use super::spec::PeerSpec;
use super::EncodeError;
use super::{codec::Codec, interceptor::Chain};
use crate::value::Value;

/// What one chunk of received bytes became: values, or `(error, raw)` for the
/// parts that did not decode.
pub type Decoded = Vec<Result<Value, (String, Raw)>>;

/// The receiving half of a stream.
pub struct Decoder {
    chain: Chain,
    codec: Box<dyn Codec>,
    /// JSON frames holding only whitespace (blank lines) are skipped, not errors.
    skip_blank: bool,
    frames: Vec<Vec<u8>>,
    errors: Vec<super::interceptor::InterceptError>,
}

impl Decoder {
    /// A decoder for a new stream of `spec`.
    pub fn new(spec: &PeerSpec) -> Self {
        Decoder {
            chain: spec.chain(),
            skip_blank: spec.codec == "json",
            codec: spec.codec(),
            frames: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Bytes from the transport; appends what they decode to.
    pub fn feed(&mut self, bytes: &[u8], out: &mut Decoded) {
        self.chain
            .receive(bytes, &mut self.frames, &mut self.errors);
        self.decode(out);
    }

    /// The stream ended: decodes what the interceptors still held.
    pub fn finish(&mut self, out: &mut Decoded) {
        self.chain.finish(&mut self.frames, &mut self.errors);
        self.decode(out);
    }

    fn decode(&mut self, out: &mut Decoded) {
        for e in self.errors.drain(..) {
            out.push(Err((e.to_string(), Raw::preview(e.raw))));
        }
        for frame in self.frames.drain(..) {
            if self.skip_blank && frame.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            out.push(
                self.codec
                    .decode(&frame)
                    .map_err(|e| (e.to_string(), e.raw)),
            );
        }
    }
}

/// The sending half of a stream.
pub struct Encoder {
    chain: Chain,
    codec: Box<dyn Codec>,
    frame: Vec<u8>,
    parts: Vec<Vec<u8>>,
}

impl Encoder {
    /// An encoder for a new stream of `spec`.
    pub fn new(spec: &PeerSpec) -> Self {
        Encoder {
            chain: spec.chain(),
            codec: spec.codec(),
            frame: Vec::new(),
            parts: Vec::new(),
        }
    }

    /// Appends the bytes for `value` to `out` (one message for message transports).
    pub fn encode(&mut self, value: &Value, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.frame.clear();
        self.codec.encode(value, &mut self.frame)?;
        self.parts.clear();
        self.chain.send(&self.frame, &mut self.parts)?;
        for p in self.parts.drain(..) {
            out.extend_from_slice(&p);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Record;

    fn spec(json: &str) -> PeerSpec {
        let with = crate::value::parse_json(json).unwrap();
        let with: Record = with.as_record().cloned().unwrap_or_default();
        super::super::spec::build("p", "stdin", &with).unwrap()
    }

    #[test]
    fn lines_of_json_with_errors_and_blank_lines() {
        let mut d = Decoder::new(&spec("{}"));
        let mut out = Vec::new();
        d.feed(b"{\"a\":1}\n\n{bad\n[1,", &mut out);
        d.feed(b"2]", &mut out);
        d.finish(&mut out);
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].as_ref().unwrap().encode(), r#"{"a":1}"#);
        let (err, raw) = out[1].as_ref().unwrap_err();
        assert!(err.starts_with("json codec"), "{err}");
        assert_eq!(raw.text, "{bad");
        assert_eq!(out[2].as_ref().unwrap().encode(), "[1,2]");
    }

    #[test]
    fn encodes_through_codec_and_interceptors() {
        let mut e = Encoder::new(&spec(r#"{"codec": "string"}"#));
        let mut out = Vec::new();
        e.encode(&Value::from("hi"), &mut out).unwrap();
        e.encode(&Value::from("there"), &mut out).unwrap();
        e.encode(&Value::from(1u64), &mut out).unwrap();
        assert_eq!(out, b"hi\nthere\n1\n");
    }
}
