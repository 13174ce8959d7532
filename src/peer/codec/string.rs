//! `string`: a frame of UTF-8 text ↔ a string value.

use super::{Codec, CodecError};
use crate::value::{Str, Value};

/// The `string` codec.
#[derive(Debug, Default, Clone, Copy)]
pub struct Text;

impl Codec for Text {
    fn name(&self) -> &'static str {
        "string"
    }

    fn decode(&mut self, frame: &[u8]) -> Result<Value, CodecError> {
        match std::str::from_utf8(frame) {
            Ok(s) => Ok(Value::String(Str::from(s))),
            Err(e) => Err(CodecError::decode(
                "string",
                format!("invalid UTF-8: {e}"),
                frame,
            )),
        }
    }

    /// A string is written as its text; anything else as JSON, as Tremor does.
    fn encode(&mut self, value: &Value, out: &mut Vec<u8>) -> Result<(), CodecError> {
        match value {
            Value::String(s) => out.extend_from_slice(s.as_bytes()),
            other => other.write_json(out),
        }
        Ok(())
    }

    fn fresh(&self) -> Box<dyn Codec> {
        Box::new(Text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::parse_json;

    #[test]
    fn round_trip() {
        let mut c = Text;
        for text in ["", "hello", "{\"not\": \"parsed\"}", "ünï ☃"] {
            let v = c.decode(text.as_bytes()).unwrap();
            assert_eq!(v.as_str(), Some(text));
            let mut out = Vec::new();
            c.encode(&v, &mut out).unwrap();
            assert_eq!(out, text.as_bytes());
        }
    }

    #[test]
    fn invalid_utf8_is_an_error_carrying_the_bytes() {
        let e = Text.decode(b"ab\xffcd").unwrap_err();
        assert_eq!(e.codec, "string");
        assert!(e.message.contains("invalid UTF-8"), "{}", e.message);
        assert_eq!(e.raw.text, "ab\u{fffd}cd");
    }

    #[test]
    fn non_strings_encode_as_json() {
        let mut out = Vec::new();
        Text.encode(&parse_json(r#"{"a":[1,"b"]}"#).unwrap(), &mut out)
            .unwrap();
        assert_eq!(out, br#"{"a":[1,"b"]}"#);
    }
}
