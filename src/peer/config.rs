//! Configuration errors for codecs and interceptors, and a small reader for their
//! `{key: value}` config records that checks key names and value types.

use crate::value::{Record, Value};

/// A codec or interceptor configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A codec or interceptor name that does not exist.
    #[error("unknown {what} `{name}`; known: {}", list(known))]
    UnknownKind {
        what: &'static str,
        name: String,
        known: &'static [&'static str],
    },
    /// A config key the kind does not take.
    #[error(
        "unknown key `{key}` in the config of {context}; allowed: {}",
        list(allowed)
    )]
    UnknownKey {
        context: String,
        key: String,
        allowed: &'static [&'static str],
    },
    /// A config value of the wrong type.
    #[error("`{key}` in the config of {context} must be {expected}, got {got}")]
    WrongType {
        context: String,
        key: String,
        expected: &'static str,
        got: &'static str,
    },
    /// A config value of the right type that still cannot be used.
    #[error("`{key}` in the config of {context}: {message}")]
    Invalid {
        context: String,
        key: String,
        message: String,
    },
    /// A config or spec that is not shaped as it must be.
    #[error("{0}")]
    Shape(String),
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A validated config record: every key is one of the allowed ones.
pub(crate) struct Options<'a> {
    context: String,
    record: Option<&'a Record>,
}

impl<'a> Options<'a> {
    /// Checks `config` (a record, or null for "no config") against `allowed` keys.
    pub(crate) fn new(
        context: String,
        config: &'a Value,
        allowed: &'static [&'static str],
    ) -> Result<Self, ConfigError> {
        let record = match config {
            Value::Null => None,
            Value::Record(r) => Some(&**r),
            other => {
                return Err(ConfigError::Shape(format!(
                    "the config of {context} must be a record, got {}",
                    other.type_name()
                )))
            }
        };
        if let Some(key) = record.and_then(|r| r.keys().find(|k| !allowed.contains(&k.as_str()))) {
            return Err(ConfigError::UnknownKey {
                context,
                key: key.to_string(),
                allowed,
            });
        }
        Ok(Options { context, record })
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.record.and_then(|r| r.get(key))
    }

    fn wrong_type(&self, key: &str, expected: &'static str, got: &Value) -> ConfigError {
        ConfigError::WrongType {
            context: self.context.clone(),
            key: key.to_string(),
            expected,
            got: got.type_name(),
        }
    }

    /// An error about `key` whose value has the right type but cannot be used.
    pub(crate) fn invalid(&self, key: &str, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            context: self.context.clone(),
            key: key.to_string(),
            message: message.into(),
        }
    }

    /// A string option, or `default` when absent.
    pub(crate) fn string(&self, key: &str, default: &'a str) -> Result<&'a str, ConfigError> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::String(s)) => Ok(s.as_str()),
            Some(other) => Err(self.wrong_type(key, "a string", other)),
        }
    }

    /// A positive integer option, or `default` when absent.
    pub(crate) fn positive(&self, key: &str, default: usize) -> Result<usize, ConfigError> {
        match self.get(key) {
            None => Ok(default),
            Some(v) if v.is_integer() => match v.as_u64().and_then(|u| usize::try_from(u).ok()) {
                Some(n) if n > 0 => Ok(n),
                _ => Err(self.invalid(key, format!("must be a positive integer, got {v}"))),
            },
            Some(other) => Err(self.wrong_type(key, "a positive integer", other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::parse_json;

    #[test]
    fn unknown_key_lists_allowed() {
        let cfg = parse_json(r#"{"delimeter": ","}"#).unwrap();
        let err = Options::new(
            "interceptor `lines`".into(),
            &cfg,
            &["delimiter", "max_length"],
        )
        .err()
        .unwrap();
        assert_eq!(
            err.to_string(),
            "unknown key `delimeter` in the config of interceptor `lines`; allowed: `delimiter`, `max_length`"
        );
    }

    #[test]
    fn no_keys_allowed_says_none() {
        let cfg = parse_json(r#"{"x": 1}"#).unwrap();
        let err = Options::new("codec `json`".into(), &cfg, &[])
            .err()
            .unwrap();
        assert!(err.to_string().ends_with("allowed: none"), "{err}");
    }

    #[test]
    fn types_are_checked() {
        let cfg = parse_json(r#"{"a": 1, "b": "x", "c": -3, "d": 0}"#).unwrap();
        let o = Options::new("t".into(), &cfg, &["a", "b", "c", "d"]).unwrap();
        let err = o.string("a", "").unwrap_err().to_string();
        assert!(err.contains("must be a string, got integer"), "{err}");
        let err = o.positive("b", 1).unwrap_err().to_string();
        assert!(
            err.contains("must be a positive integer, got string"),
            "{err}"
        );
        assert!(o.positive("c", 1).is_err());
        assert!(o.positive("d", 1).is_err());
        assert_eq!(o.positive("a", 7).unwrap(), 1);
        assert_eq!(o.positive("missing", 7).unwrap(), 7);
        assert_eq!(o.string("b", "z").unwrap(), "x");
    }

    #[test]
    fn config_must_be_a_record_or_null() {
        assert!(Options::new("t".into(), &Value::Null, &[]).is_ok());
        let err = Options::new("t".into(), &Value::I64(1), &[]).err().unwrap();
        assert!(err.to_string().contains("must be a record, got integer"));
    }
}
