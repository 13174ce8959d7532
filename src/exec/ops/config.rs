//! Reading an operator's `with` config: the allowed keys, their types, the errors.

use super::OpError;
use crate::value::{Record, Value};

/// A checked view of one operator's config record.
pub(super) struct OpConfig<'a> {
    node: &'a str,
    kind: &'static str,
    rec: Option<&'a Record>,
}

impl<'a> OpConfig<'a> {
    /// Checks that `config` is absent (`null`), or a record whose keys are all in `allowed`.
    pub fn new(
        node: &'a str,
        kind: &'static str,
        config: &'a Value,
        allowed: &'static [&'static str],
    ) -> Result<Self, OpError> {
        let rec = match config {
            Value::Null => None,
            Value::Record(r) => Some(&**r),
            other => {
                return Err(OpError::BadOpConfig {
                    node: node.to_string(),
                    kind,
                    key: "with".into(),
                    expected: format!("a record of settings, not {}", other.type_name()),
                })
            }
        };
        if let Some(key) = rec.and_then(|r| r.keys().find(|k| !allowed.contains(&k.as_str()))) {
            return Err(OpError::ExtraOpConfig {
                node: node.to_string(),
                kind,
                key: key.to_string(),
                allowed: if allowed.is_empty() {
                    "none".to_string()
                } else {
                    allowed.join(", ")
                },
            });
        }
        Ok(OpConfig { node, kind, rec })
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.rec.and_then(|r| r.get(key))
    }
    fn bad(&self, key: &str, expected: &str) -> OpError {
        OpError::BadOpConfig {
            node: self.node.to_string(),
            kind: self.kind,
            key: key.to_string(),
            expected: expected.to_string(),
        }
    }
    fn missing(&self, key: &str) -> OpError {
        OpError::MissingOpConfig {
            node: self.node.to_string(),
            kind: self.kind,
            key: key.to_string(),
        }
    }

    /// An optional non-negative integer.
    pub fn opt_u64(&self, key: &str) -> Result<Option<u64>, OpError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .ok_or_else(|| self.bad(key, "a non-negative integer")),
        }
    }
    /// A required non-negative integer.
    pub fn req_u64(&self, key: &str) -> Result<u64, OpError> {
        self.opt_u64(key)?.ok_or_else(|| self.missing(key))
    }
    /// An optional number (ints are accepted as floats).
    pub fn opt_f64(&self, key: &str) -> Result<Option<f64>, OpError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| self.bad(key, "a number")),
        }
    }
    /// An optional string.
    pub fn opt_str(&self, key: &str) -> Result<Option<&'a str>, OpError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_str()
                .map(Some)
                .ok_or_else(|| self.bad(key, "a string")),
        }
    }
    /// A required string.
    pub fn req_str(&self, key: &str) -> Result<&'a str, OpError> {
        self.opt_str(key)?.ok_or_else(|| self.missing(key))
    }
    /// An optional array whose elements all convert with `f`.
    pub fn opt_list<T>(
        &self,
        key: &str,
        expected: &str,
        f: impl Fn(&Value) -> Option<T>,
    ) -> Result<Option<Vec<T>>, OpError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_array()
                .and_then(|a| a.iter().map(&f).collect::<Option<Vec<T>>>())
                .map(Some)
                .ok_or_else(|| self.bad(key, expected)),
        }
    }
    /// The error for a value of the right type that is still not acceptable.
    pub fn invalid(&self, key: &str, expected: &str) -> OpError {
        self.bad(key, expected)
    }
}
