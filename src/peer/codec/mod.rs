//! Codecs: one frame of bytes ↔ one value.
//!
//! A codec is stateful only to reuse buffers; each stream still gets its own
//! (see [`Codec::fresh`]) so streams never share scratch space across threads.

mod binary;
mod json;
mod string;

pub use binary::Binary;
pub use json::Json;
pub use string::Text;

use super::config::{ConfigError, Options};
use crate::value::Value;

/// The codec names [`create`] knows, in the order error messages list them.
pub const KNOWN: &[&str] = &["json", "string", "binary"];

/// The codec a peer uses when its definition names none.
pub const DEFAULT: &str = "json";

/// A frame that could not be decoded, or a value that could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{codec} codec: {message}")]
pub struct CodecError {
    /// The codec's name.
    pub codec: &'static str,
    /// What went wrong.
    pub message: String,
    /// The start of the frame that did not decode, for the `raw` field of an `err`
    /// event; empty for encode errors.
    pub raw: crate::peer::raw::Raw,
}

impl CodecError {
    pub(crate) fn decode(codec: &'static str, message: impl Into<String>, frame: &[u8]) -> Self {
        CodecError {
            codec,
            message: message.into(),
            raw: crate::peer::raw::Raw::of(frame),
        }
    }
}

/// Turns frames into values and values into frames.
pub trait Codec: Send {
    /// The codec's name, as written in a peer definition.
    fn name(&self) -> &'static str;
    /// Decodes one frame.
    fn decode(&mut self, frame: &[u8]) -> Result<Value, CodecError>;
    /// Appends the encoding of `value` to `out` (callers clear `out` between frames).
    fn encode(&mut self, value: &Value, out: &mut Vec<u8>) -> Result<(), CodecError>;
    /// A codec with the same configuration and no state, for a new stream.
    fn fresh(&self) -> Box<dyn Codec>;
}

/// Builds the codec called `name`. `config` is null or a record (no codec takes keys yet).
pub fn create(name: &str, config: &Value) -> Result<Box<dyn Codec>, ConfigError> {
    let known = |n: &str| KNOWN.contains(&n);
    if !known(name) {
        return Err(ConfigError::UnknownKind {
            what: "codec",
            name: name.to_string(),
            known: KNOWN,
        });
    }
    Options::new(format!("codec `{name}`"), config, &[])?;
    Ok(match name {
        "string" => Box::new(Text),
        "binary" => Box::new(Binary),
        _ => Box::new(Json::default()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::parse_json;

    #[test]
    fn creates_each_known_codec() {
        for name in KNOWN {
            let c = create(name, &Value::Null).unwrap();
            assert_eq!(c.name(), *name);
            assert_eq!(c.fresh().name(), *name);
        }
        assert_eq!(create(DEFAULT, &Value::record()).unwrap().name(), "json");
    }

    #[test]
    fn unknown_codec_lists_known_ones() {
        let err = create("yaml", &Value::Null).err().unwrap();
        assert_eq!(
            err.to_string(),
            "unknown codec `yaml`; known: `json`, `string`, `binary`"
        );
    }

    #[test]
    fn codecs_take_no_config_keys() {
        let cfg = parse_json(r#"{"pretty": true}"#).unwrap();
        let err = create("json", &cfg).err().unwrap().to_string();
        assert!(err.contains("unknown key `pretty`"), "{err}");
        assert!(err.contains("allowed: none"), "{err}");
    }

    #[test]
    fn codec_error_names_the_codec() {
        let e = CodecError::decode("json", "bad", b"\xffx");
        assert_eq!(e.to_string(), "json codec: bad");
        assert_eq!(e.raw.text, "\u{fffd}x");
    }
}
