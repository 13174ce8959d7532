//! Interceptors: two-way byte transforms between a transport and a codec.
//!
//! On receive an interceptor turns bytes into zero or more frames, keeping partial
//! data for the next call; on send it turns one frame into bytes. A [`Chain`] runs
//! a peer's list: on receive in list order, on send in reverse order. Each stream
//! gets its own chain ([`Chain::fresh`]), so partial data never mixes across streams.

mod base64;
mod chain;
mod gzip;
mod length_prefixed;
mod lines;

pub use self::base64::Base64;
pub use chain::{default_interceptors, Chain};
pub use gzip::Gzip;
pub use length_prefixed::LengthPrefixed;
pub use lines::Lines;

use super::config::{ConfigError, Options};
use crate::value::Value;

/// The interceptor names [`create`] knows, in the order error messages list them.
pub const KNOWN: &[&str] = &["lines", "length_prefixed", "base64", "gzip"];

/// Default `max_length` for the interceptors that buffer or inflate data: 1 MiB.
pub const DEFAULT_MAX_LENGTH: usize = 1 << 20;

/// How much of the offending bytes an error keeps for its `raw` text.
const RAW_PREVIEW: usize = 1024;

/// Input an interceptor could not turn into frames (or a frame it could not send).
///
/// The stream goes on after a receive error: the interceptor has skipped the bad
/// part and is ready for more input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{interceptor} interceptor: {message}{}", if *count > 1 { format!(" ({count} times)") } else { String::new() })]
pub struct InterceptError {
    /// The interceptor's name.
    pub interceptor: &'static str,
    /// What went wrong (the first time, when `count > 1`).
    pub message: String,
    /// The start of the offending bytes as text (at most 1 KiB, invalid UTF-8 replaced).
    pub raw: String,
    /// How many errors of this call this one stands for (at least 1).
    pub count: usize,
}

impl InterceptError {
    /// An error about `bytes` (only their start is kept).
    pub fn new(interceptor: &'static str, message: impl Into<String>, bytes: &[u8]) -> Self {
        let preview = &bytes[..bytes.len().min(RAW_PREVIEW)];
        InterceptError {
            interceptor,
            message: message.into(),
            raw: String::from_utf8_lossy(preview).into_owned(),
            count: 1,
        }
    }
}

/// Collects the errors of one call: the first is kept, later ones are counted, so
/// an interceptor can go through all of its input before reporting.
#[derive(Debug, Default)]
pub(crate) struct Errors(Option<InterceptError>);

impl Errors {
    pub(crate) fn add(&mut self, err: InterceptError) {
        match &mut self.0 {
            Some(first) => first.count += err.count,
            None => self.0 = Some(err),
        }
    }
    pub(crate) fn into_result(self) -> Result<(), InterceptError> {
        self.0.map_or(Ok(()), Err)
    }
}

/// A two-way, per-stream byte transform.
///
/// `on_receive` always consumes all of `data`: frames pushed to `out` are good even
/// when it returns an error, and the error says what was skipped.
pub trait Interceptor: Send {
    /// The interceptor's name, as written in a peer definition.
    fn name(&self) -> &'static str;
    /// Bytes from the transport (or the previous interceptor) → zero or more frames.
    fn on_receive(&mut self, data: &[u8], out: &mut Vec<Vec<u8>>) -> Result<(), InterceptError>;
    /// A frame on its way out → bytes for the transport (or the next interceptor).
    fn on_send(&mut self, frame: &[u8], out: &mut Vec<Vec<u8>>) -> Result<(), InterceptError>;
    /// The stream has ended: emit what is still buffered (a last unterminated line)
    /// or report it as cut off. Leaves the interceptor ready for a new stream.
    fn finish(&mut self, out: &mut Vec<Vec<u8>>) -> Result<(), InterceptError>;
    /// An interceptor with the same configuration and no buffered data.
    fn fresh(&self) -> Box<dyn Interceptor>;
}

fn shape_error(spec: &Value) -> ConfigError {
    ConfigError::Shape(format!(
        "an interceptor is written as \"name\" or {{\"name\": {{config}}}}, got {spec}"
    ))
}

/// Builds an interceptor from its spec: `"name"` or `{"name": {config}}`.
pub fn create(spec: &Value) -> Result<Box<dyn Interceptor>, ConfigError> {
    let (name, config) = match spec {
        Value::String(name) => (name.as_str(), &Value::Null),
        Value::Record(r) if r.len() == 1 => match r.first() {
            Some((name, config)) => (name.as_str(), config),
            None => return Err(shape_error(spec)),
        },
        other => return Err(shape_error(other)),
    };
    let context = format!("interceptor `{name}`");
    match name {
        "lines" => {
            let o = Options::new(context, config, Lines::KEYS)?;
            Ok(Box::new(Lines::from_options(&o)?))
        }
        "length_prefixed" => {
            let o = Options::new(context, config, LengthPrefixed::KEYS)?;
            Ok(Box::new(LengthPrefixed::new(
                o.positive("max_length", DEFAULT_MAX_LENGTH)?,
            )))
        }
        "base64" => {
            Options::new(context, config, &[])?;
            Ok(Box::new(Base64))
        }
        "gzip" => {
            let o = Options::new(context, config, Gzip::KEYS)?;
            Ok(Box::new(Gzip::new(
                o.positive("max_length", DEFAULT_MAX_LENGTH)?,
            )))
        }
        _ => Err(ConfigError::UnknownKind {
            what: "interceptor",
            name: name.to_string(),
            known: KNOWN,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::parse_json;

    fn spec(text: &str) -> Value {
        parse_json(text).unwrap()
    }

    #[test]
    fn both_spec_forms_work() {
        for name in KNOWN {
            assert_eq!(
                create(&Value::String((*name).into())).unwrap().name(),
                *name
            );
            let cfg = spec(&format!(r#"{{"{name}": {{}}}}"#));
            assert_eq!(create(&cfg).unwrap().name(), *name);
            let cfg = spec(&format!(r#"{{"{name}": null}}"#));
            assert_eq!(create(&cfg).unwrap().fresh().name(), *name);
        }
        let l = create(&spec(r#"{"lines": {"delimiter": "|", "max_length": 10}}"#)).unwrap();
        assert_eq!(l.name(), "lines");
    }

    #[test]
    fn unknown_name_lists_known_ones() {
        let err = create(&spec(r#""zstd""#)).err().unwrap();
        assert_eq!(
            err.to_string(),
            "unknown interceptor `zstd`; known: `lines`, `length_prefixed`, `base64`, `gzip`"
        );
        assert!(create(&spec(r#"{"zstd": {}}"#)).is_err());
    }

    #[test]
    fn unknown_keys_name_the_key_and_list_the_allowed() {
        let err = create(&spec(r#"{"lines": {"separator": ","}}"#))
            .err()
            .unwrap()
            .to_string();
        assert_eq!(
            err,
            "unknown key `separator` in the config of interceptor `lines`; allowed: `delimiter`, `max_length`"
        );
        let err = create(&spec(r#"{"base64": {"url_safe": true}}"#))
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("`url_safe`") && err.contains("allowed: none"),
            "{err}"
        );
        let err = create(&spec(r#"{"gzip": {"level": 9}}"#))
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("`level`") && err.contains("allowed: `max_length`"),
            "{err}"
        );
    }

    #[test]
    fn wrong_types_name_the_expected_type() {
        let err = create(&spec(r#"{"lines": {"delimiter": 10}}"#))
            .err()
            .unwrap()
            .to_string();
        assert_eq!(
            err,
            "`delimiter` in the config of interceptor `lines` must be a string, got integer"
        );
        let err = create(&spec(r#"{"length_prefixed": {"max_length": "big"}}"#))
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("must be a positive integer, got string"),
            "{err}"
        );
        let err = create(&spec(r#"{"lines": []}"#)).err().unwrap().to_string();
        assert!(err.contains("must be a record, got array"), "{err}");
    }

    #[test]
    fn malformed_specs_are_errors() {
        for bad in ["1", "[]", "{}", r#"{"lines": {}, "gzip": {}}"#, "null"] {
            let err = create(&spec(bad)).err().unwrap().to_string();
            assert!(err.contains("an interceptor is written as"), "{bad}: {err}");
        }
    }

    #[test]
    fn errors_keep_the_first_and_count_the_rest() {
        let mut errs = Errors::default();
        assert!(Errors::default().into_result().is_ok());
        errs.add(InterceptError::new("lines", "first", b"a"));
        errs.add(InterceptError::new("lines", "second", b"b"));
        let e = errs.into_result().unwrap_err();
        assert_eq!(e.message, "first");
        assert_eq!(e.count, 2);
        assert_eq!(e.to_string(), "lines interceptor: first (2 times)");
        let long = vec![b'x'; 5000];
        assert_eq!(
            InterceptError::new("gzip", "m", &long).raw.len(),
            RAW_PREVIEW
        );
    }
}
