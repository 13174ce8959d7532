//! `json`: one JSON document per frame (simd-json in, compact JSON out).

use super::{Codec, CodecError};
use crate::value::{parse_json_bytes, Value};

/// Scratch space above this is given back after use, so one huge frame does not
/// pin its memory for the life of the stream.
const KEEP_SCRATCH: usize = 1 << 20;

/// The `json` codec. Holds simd-json's scratch buffer (it parses in place).
#[derive(Debug, Default)]
pub struct Json {
    scratch: Vec<u8>,
}

impl Codec for Json {
    fn name(&self) -> &'static str {
        "json"
    }

    fn decode(&mut self, frame: &[u8]) -> Result<Value, CodecError> {
        self.scratch.clear();
        self.scratch.extend_from_slice(frame);
        let res = parse_json_bytes(&mut self.scratch);
        if self.scratch.capacity() > KEEP_SCRATCH {
            self.scratch = Vec::new();
        }
        res.map_err(|e| CodecError::decode("json", e.0, frame))
    }

    fn encode(&mut self, value: &Value, out: &mut Vec<u8>) -> Result<(), CodecError> {
        value.write_json(out);
        Ok(())
    }

    fn fresh(&self) -> Box<dyn Codec> {
        Box::new(Json::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{parse_json, test_eq};

    #[test]
    fn round_trip() {
        let mut c = Json::default();
        for doc in [
            r#"{"a":[1,-2,3.5,"x"],"b":{"c":null,"d":true}}"#,
            "[]",
            r#""snow ☃""#,
            "18446744073709551615",
        ] {
            let v = c.decode(doc.as_bytes()).unwrap();
            assert!(test_eq(&v, &parse_json(doc).unwrap()), "{doc}");
            let mut out = Vec::new();
            c.encode(&v, &mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), doc);
        }
    }

    #[test]
    fn surrounding_whitespace_and_cr_are_fine() {
        let mut c = Json::default();
        let v = c.decode(b" {\"a\": 1}\r").unwrap();
        assert_eq!(v.get("a").and_then(Value::as_i64), Some(1));
    }

    #[test]
    fn bad_json_is_an_error_with_the_raw_text() {
        let mut c = Json::default();
        let e = c.decode(b"{\"a\": ").unwrap_err();
        assert_eq!(e.codec, "json");
        assert_eq!(e.raw.text, "{\"a\": ");
        assert!(c.decode(b"").is_err());
        assert!(c.decode(b"\xff\xfe").is_err());
        // The scratch buffer is reused: a good frame after bad ones still decodes.
        assert_eq!(c.decode(b"7").unwrap().as_i64(), Some(7));
    }

    #[test]
    fn big_scratch_is_released() {
        let mut c = Json::default();
        let mut doc = vec![b'"'];
        doc.resize(KEEP_SCRATCH + 10, b'a');
        doc.push(b'"');
        assert_eq!(
            c.decode(&doc).unwrap().as_str().map(str::len),
            Some(KEEP_SCRATCH + 9)
        );
        assert!(c.scratch.capacity() <= KEEP_SCRATCH);
    }
}
