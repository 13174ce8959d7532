//! Reading one kind's `config` record at compile time: each reader checks its key's
//! type and value, and every problem is collected (not just the first), so the
//! compiler reports them all. A kind's `configure` calls these; keys it does not
//! declare were already reported as unknown.

use crate::peer::spec::{list, SpecError, SpecErrorKind};
use crate::value::{Record, Value};

/// One kind's `config` record being read.
pub struct Config<'a> {
    kind: &'a str,
    record: &'a Record,
    pub(crate) errors: Vec<SpecError>,
    /// The keys looked up, so a test can check a kind reads every key it declares.
    pub(crate) read: Vec<&'static str>,
}

impl<'a> Config<'a> {
    pub(crate) fn new(kind: &'a str, record: &'a Record) -> Self {
        Config {
            kind,
            record,
            errors: Vec::new(),
            read: Vec::new(),
        }
    }

    /// The value of `key`, if set.
    pub fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        if !self.read.contains(&key) {
            self.read.push(key);
        }
        self.record.get(key)
    }

    /// True when `key` is set.
    pub fn has(&self, key: &str) -> bool {
        self.record.contains_key(key)
    }

    pub fn wrong_type(&mut self, key: &str, expected: &str, got: &Value) {
        self.errors.push(SpecError::config(
            SpecErrorKind::WrongType,
            key,
            format!(
                "`{key}` in the config of a `{}` peer must be {expected}, got {}",
                self.kind,
                got.type_name()
            ),
        ));
    }

    pub fn invalid(&mut self, key: &str, message: String) {
        self.errors.push(SpecError::config(
            SpecErrorKind::Invalid,
            key,
            format!("`{key}` in the config of a `{}` peer: {message}", self.kind),
        ));
    }

    pub fn missing(&mut self, key: &str) {
        self.errors.push(SpecError::new(
            SpecErrorKind::MissingKey,
            Some("config"),
            format!("a `{}` peer needs `{key}` in its config", self.kind),
        ));
    }

    /// A string; `default` when absent (`None`: the key is required).
    pub fn string(&mut self, key: &'static str, default: Option<&str>) -> String {
        match self.get(key) {
            Some(Value::String(s)) => s.to_string(),
            Some(other) => {
                self.wrong_type(key, "a string", other);
                String::new()
            }
            None => match default {
                Some(d) => d.to_string(),
                None => {
                    self.missing(key);
                    String::new()
                }
            },
        }
    }

    /// A string that is one of `allowed`; `default` when absent.
    pub fn one_of(&mut self, key: &'static str, allowed: &[&str], default: &str) -> String {
        let v = self.string(key, Some(default));
        if !v.is_empty() && !allowed.contains(&v.as_str()) {
            self.invalid(key, format!("`{v}` is not one of {}", list(allowed)));
            return default.to_string();
        }
        v
    }

    /// `port`: required, 0-65535.
    pub fn port(&mut self) -> u16 {
        match self.get("port") {
            Some(v) if v.is_integer() => match v.as_u64().and_then(|p| u16::try_from(p).ok()) {
                Some(p) => p,
                None => {
                    self.invalid("port", format!("{v} is not a port number (0-65535)"));
                    0
                }
            },
            Some(other) => {
                self.wrong_type("port", "an integer", other);
                0
            }
            None => {
                self.missing("port");
                0
            }
        }
    }

    /// A required positive integer.
    pub fn positive(&mut self, key: &'static str) -> u64 {
        match self.get(key) {
            Some(v) if v.is_integer() => match v.as_u64() {
                Some(n) if n > 0 => n,
                _ => {
                    self.invalid(key, format!("must be positive, got {v}"));
                    1
                }
            },
            Some(other) => {
                self.wrong_type(key, "a positive integer", other);
                1
            }
            None => {
                self.missing(key);
                1
            }
        }
    }

    /// A positive integer; `default` when absent.
    pub fn positive_or(&mut self, key: &'static str, default: u64) -> u64 {
        if self.get(key).is_some() {
            self.positive(key)
        } else {
            default
        }
    }

    /// A required, non-empty string.
    pub fn required_string(&mut self, key: &'static str) -> String {
        match self.get(key) {
            Some(Value::String(s)) if !s.is_empty() => s.to_string(),
            Some(Value::String(_)) => {
                self.invalid(key, "must not be empty".into());
                String::new()
            }
            Some(other) => {
                self.wrong_type(key, "a string", other);
                String::new()
            }
            None => {
                self.missing(key);
                String::new()
            }
        }
    }

    /// A list of strings (a single string is a list of one); at least one.
    pub fn strings(&mut self, key: &'static str) -> Vec<String> {
        let list: Vec<String> = match self.get(key) {
            None => {
                self.missing(key);
                return Vec::new();
            }
            Some(Value::String(s)) => vec![s.to_string()],
            Some(Value::Array(a)) if a.iter().all(|v| matches!(v, Value::String(_))) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            Some(other) => {
                self.wrong_type(key, "a string or a list of strings", other);
                return Vec::new();
            }
        };
        if list.is_empty() || list.iter().any(String::is_empty) {
            self.invalid(key, "needs at least one non-empty name".into());
        }
        list
    }
}
