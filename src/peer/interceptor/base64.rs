//! `base64`: each frame is decoded from standard, padded base64 on receive and
//! encoded to it on send.

use super::{InterceptError, Interceptor};
use ::base64::engine::general_purpose::STANDARD;
use ::base64::Engine;

/// The `base64` interceptor (stateless).
#[derive(Debug, Default, Clone, Copy)]
pub struct Base64;

impl Interceptor for Base64 {
    fn name(&self) -> &'static str {
        "base64"
    }

    fn on_receive(&mut self, data: &[u8], out: &mut Vec<Vec<u8>>) -> Result<(), InterceptError> {
        let decoded = STANDARD
            .decode(data)
            .map_err(|e| InterceptError::new("base64", format!("invalid base64: {e}"), data))?;
        out.push(decoded);
        Ok(())
    }

    fn on_send(&mut self, frame: &[u8], out: &mut Vec<Vec<u8>>) -> Result<(), InterceptError> {
        let mut text = String::with_capacity(frame.len().div_ceil(3) * 4);
        STANDARD.encode_string(frame, &mut text);
        out.push(text.into_bytes());
        Ok(())
    }

    fn finish(&mut self, _out: &mut Vec<Vec<u8>>) -> Result<(), InterceptError> {
        Ok(())
    }

    fn fresh(&self) -> Box<dyn Interceptor> {
        Box::new(Base64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for frame in [&b""[..], b"a", b"ab", b"abc", b"\x00\xff\xfe binary"] {
            let mut sent = Vec::new();
            Base64.on_send(frame, &mut sent).unwrap();
            let mut back = Vec::new();
            Base64.on_receive(&sent[0], &mut back).unwrap();
            assert_eq!(back, [frame.to_vec()]);
        }
        let mut sent = Vec::new();
        Base64.on_send(b"hello", &mut sent).unwrap();
        assert_eq!(sent, [b"aGVsbG8=".to_vec()]);
    }

    #[test]
    fn bad_input_is_an_error() {
        for bad in [&b"not base64!"[..], b"aGVsbG8", b"a", b"aGVs\nbG8="] {
            let mut out = Vec::new();
            let e = Base64.on_receive(bad, &mut out).unwrap_err();
            assert!(e.message.starts_with("invalid base64"), "{e}");
            assert_eq!(e.raw.as_bytes(), bad);
            assert!(out.is_empty());
        }
    }
}
