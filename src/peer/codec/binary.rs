//! `binary`: a frame ↔ a bytes value, untouched.

use super::{Codec, CodecError};
use crate::value::Value;

/// The `binary` codec.
#[derive(Debug, Default, Clone, Copy)]
pub struct Binary;

impl Codec for Binary {
    fn name(&self) -> &'static str {
        "binary"
    }

    fn decode(&mut self, frame: &[u8]) -> Result<Value, CodecError> {
        Ok(Value::Bytes(frame.into()))
    }

    /// Bytes are written as they are, a string as its UTF-8 bytes, anything else
    /// as JSON (as Tremor does).
    fn encode(&mut self, value: &Value, out: &mut Vec<u8>) -> Result<(), CodecError> {
        match value {
            Value::Bytes(b) => out.extend_from_slice(b),
            Value::String(s) => out.extend_from_slice(s.as_bytes()),
            other => other.write_json(out),
        }
        Ok(())
    }

    fn fresh(&self) -> Box<dyn Codec> {
        Box::new(Binary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_any_bytes() {
        let data: Vec<u8> = (0..=255u8).collect();
        let v = Binary.decode(&data).unwrap();
        assert_eq!(v.as_bytes(), Some(&data[..]));
        let mut out = Vec::new();
        Binary.encode(&v, &mut out).unwrap();
        assert_eq!(out, data);
        assert_eq!(Binary.decode(b"").unwrap().as_bytes(), Some(&b""[..]));
    }

    #[test]
    fn strings_and_other_values() {
        let mut out = Vec::new();
        Binary
            .encode(&Value::String("hé".into()), &mut out)
            .unwrap();
        assert_eq!(out, "hé".as_bytes());
        out.clear();
        Binary.encode(&Value::I64(42), &mut out).unwrap();
        assert_eq!(out, b"42");
    }
}
