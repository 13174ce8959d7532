//! How a client reconnects (`config.reconnect` of `tcp_client` and `ws_client`):
//! `true` (the default) retries for ever with exponential backoff, `false` never
//! retries, and a record sets the backoff:
//!
//! ```text
//! "reconnect": {"interval_ms": 50, "max_interval_ms": 1000, "max_retries": 20}
//! ```
//!
//! The first attempt after a connection drops is immediate; later ones wait
//! `interval_ms`, doubling up to `max_interval_ms`. After `max_retries` failed
//! attempts in a row the client gives up: what it holds and what comes later fail.

use crate::value::Value;
use std::time::Duration;

/// The keys a `reconnect` record takes.
pub const KEYS: &[&str] = &["interval_ms", "max_interval_ms", "max_retries"];

/// A `reconnect` value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReconnectError {
    #[error("`{key}` must be a non-negative integer, got {got}")]
    NotCount { key: String, got: &'static str },
    #[error("unknown key `{key}`; it takes {}", crate::peer::spec::list(KEYS))]
    UnknownKey { key: String },
    #[error("must be a boolean or a record, got {0}")]
    Shape(&'static str),
}

/// See the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reconnect {
    pub enabled: bool,
    pub interval_ms: u64,
    pub max_interval_ms: u64,
    /// `None`: for ever.
    pub max_retries: Option<u64>,
}

impl Default for Reconnect {
    fn default() -> Self {
        Reconnect {
            enabled: true,
            interval_ms: 50,
            max_interval_ms: 1000,
            max_retries: None,
        }
    }
}

impl Reconnect {
    /// Never reconnect.
    pub const NEVER: Reconnect = Reconnect {
        enabled: false,
        interval_ms: 50,
        max_interval_ms: 1000,
        max_retries: Some(0),
    };

    /// Reads the config value; `Err` says what is wrong with it.
    pub fn from_value(v: &Value) -> Result<Reconnect, ReconnectError> {
        match v {
            Value::Bool(true) => Ok(Reconnect::default()),
            Value::Bool(false) => Ok(Reconnect::NEVER),
            Value::Record(r) => {
                let mut out = Reconnect::default();
                for (k, v) in r.iter() {
                    let n = v.as_u64().ok_or_else(|| ReconnectError::NotCount {
                        key: k.to_string(),
                        got: v.type_name(),
                    })?;
                    match k.as_str() {
                        "interval_ms" => out.interval_ms = n.max(1),
                        "max_interval_ms" => out.max_interval_ms = n.max(1),
                        "max_retries" => out.max_retries = Some(n),
                        other => {
                            return Err(ReconnectError::UnknownKey {
                                key: other.to_string(),
                            })
                        }
                    }
                }
                out.max_interval_ms = out.max_interval_ms.max(out.interval_ms);
                Ok(out)
            }
            other => Err(ReconnectError::Shape(other.type_name())),
        }
    }

    /// The wait before attempt `n` of a series (0 is the first, right away), or
    /// `None` when there is to be no attempt `n`.
    pub fn delay(&self, n: u64) -> Option<Duration> {
        if n == 0 {
            return Some(Duration::ZERO);
        }
        if !self.enabled || self.max_retries.is_some_and(|m| n > m) {
            return None;
        }
        let exp = (n - 1).min(32) as u32;
        let ms = self
            .interval_ms
            .saturating_mul(1u64 << exp)
            .min(self.max_interval_ms);
        Some(Duration::from_millis(ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let r = Reconnect::default();
        let ms: Vec<u64> = (0..10)
            .map(|n| r.delay(n).unwrap().as_millis() as u64)
            .collect();
        assert_eq!(ms, [0, 50, 100, 200, 400, 800, 1000, 1000, 1000, 1000]);
        assert!(r.delay(1_000_000).is_some());
    }

    #[test]
    fn never_and_bounded_retries() {
        assert_eq!(Reconnect::NEVER.delay(0), Some(Duration::ZERO));
        assert_eq!(Reconnect::NEVER.delay(1), None);
        let v = crate::record! {"interval_ms" => 10u64, "max_retries" => 2u64};
        let r = Reconnect::from_value(&v).unwrap();
        assert_eq!(r.delay(2), Some(Duration::from_millis(20)));
        assert_eq!(r.delay(3), None);
    }

    #[test]
    fn bad_values_say_why() {
        let e = Reconnect::from_value(&Value::from("yes"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("boolean or a record"), "{e}");
        let e = Reconnect::from_value(&crate::record! {"every" => 1u64})
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown key `every`"), "{e}");
    }
}
