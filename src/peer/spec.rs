//! A peer as the compiler validated it: its kind with a parsed config, its codec and
//! interceptor list, and the graph nodes that stand for its ports.
//!
//! Every check happens here, at compile time: unknown keys (in `with` or in
//! `config`) name the key and list the allowed ones, values of the wrong type name
//! the expected type, required keys are reported when missing. The runtime then
//! only reads fields that are known to be good.

use super::codec;
use super::interceptor::Chain;
use super::kind_config::Config;
use super::kinds::{self as registry, Kind};
pub use super::reconnect::Reconnect;
use crate::value::{Record, Value};
use std::sync::Arc;

/// Keys of a peer definition's `with` block.
pub const WITH_KEYS: &[&str] = &["codec", "interceptors", "config", "metrics_interval_s"];

/// Default `timeout` of the HTTP peers, in ms.
pub const DEFAULT_HTTP_TIMEOUT_MS: u64 = 10_000;

/// What a server peer holds for its clients at most (issue 15): each is a config key
/// of the server kinds that use it, with these defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `max_queued`: events waiting to be written on one connection; when full the
    /// connection says `halt` for its stream.
    pub max_queued: usize,
    /// `max_connections`: open connections; further ones wait in the accept queue.
    pub max_connections: usize,
    /// `max_body_bytes` (`http_server`): a longer request body is answered 413.
    pub max_body_bytes: usize,
    /// `header_timeout_ms` (`http_server`): time to send a request's headers.
    pub header_timeout_ms: u64,
}

/// The config keys of [`Limits`]; a kind takes those its reference lists.
pub const LIMIT_KEYS: &[&str] = &[
    "max_queued",
    "max_connections",
    "max_body_bytes",
    "header_timeout_ms",
];

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_queued: 1024,
            max_connections: 10_000,
            max_body_bytes: 16 << 20,
            header_timeout_ms: 10_000,
        }
    }
}

/// The run's own outputs, built-in peers written by the executor thread (see
/// `runtime`): what the graph sends to its `out` and `err` nodes goes into them.
/// No other peer has these names (at the top level the compiler reserves them, and
/// a pipeline's peers are named `p::name`).
pub const OUTPUTS: [&str; 2] = ["out", "err"];

/// Default seconds between two `metrics` events of a peer.
pub const DEFAULT_METRICS_INTERVAL_S: u64 = 10;

/// What went wrong in a peer definition; `key` is the `with` key it is about, so the
/// compiler can point at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub key: Option<String>,
    /// The key inside `config` the error is about, when it is one.
    pub field: Option<String>,
    pub message: String,
    /// Which registry code fits (see `diag::codes::PEER_*`).
    pub kind: SpecErrorKind,
}

/// The classes of peer definition errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecErrorKind {
    UnknownKind,
    UnknownKey,
    WrongType,
    MissingKey,
    Invalid,
}

impl SpecError {
    pub(crate) fn new(kind: SpecErrorKind, key: Option<&str>, message: String) -> Self {
        SpecError {
            key: key.map(str::to_string),
            field: None,
            message,
            kind,
        }
    }

    /// A `config` error about its key `field`.
    pub(crate) fn config(kind: SpecErrorKind, field: &str, message: String) -> Self {
        SpecError {
            field: Some(field.to_string()),
            ..SpecError::new(kind, Some("config"), message)
        }
    }
}

/// A validated peer instance.
#[derive(Debug, Clone)]
pub struct PeerSpec {
    /// The node name (`upstream`, or `p::upstream` inside created pipeline `p`).
    pub name: String,
    pub kind: Arc<dyn Kind>,
    pub codec: String,
    /// The interceptor list, or `None` for the kind's default.
    pub interceptors: Option<Value>,
    /// `metrics_interval_s`, or `None` for the query's `#!config` value (default 10).
    pub metrics_interval_s: Option<u64>,
    /// What a server holds for its clients at most (defaults for other kinds).
    pub limits: Limits,
}

impl PeerSpec {
    /// Graph input node carrying what the peer receives (`from p`, `from p/out`).
    pub fn out_node(&self) -> String {
        self.name.clone()
    }
    /// Graph input node for `from p/err`.
    pub fn err_node(&self) -> String {
        format!("{}/err", self.name)
    }
    /// Graph input node for `from p/metrics`.
    pub fn metrics_node(&self) -> String {
        format!("{}/metrics", self.name)
    }
    /// Graph output node for `into p` (the output name the executor reports); the
    /// run's own outputs are the graph's nodes of their names.
    pub fn in_node(&self) -> String {
        if OUTPUTS.contains(&self.name.as_str()) {
            return self.name.clone();
        }
        format!("{}/in", self.name)
    }

    /// A fresh interceptor chain for one stream.
    pub fn chain(&self) -> Chain {
        match &self.interceptors {
            // Checked at compile time; an empty chain would only be reached if the
            // interceptor registry changed between compiling and running.
            Some(spec) => Chain::from_spec(spec).unwrap_or_else(|_| Chain::new(Vec::new())),
            None => Chain::named(self.kind.default_interceptors()),
        }
    }

    /// A fresh codec for one stream.
    pub fn codec(&self) -> Box<dyn codec::Codec> {
        codec::create(&self.codec, &Value::Null)
            .unwrap_or_else(|_| Box::new(codec::Json::default()))
    }
}

/// Validates a peer of kind `kind` named `name` from its folded `with` values.
pub fn build(name: &str, kind: &str, with: &Record) -> Result<PeerSpec, Vec<SpecError>> {
    let mut errors = Vec::new();
    let Some(registered) = registry::lookup(kind) else {
        let known: Vec<&str> = registry::REGISTRY.iter().map(|r| r.doc.kind).collect();
        let message = if known.is_empty() {
            // A build without the `runtime` feature (the playground).
            format!("peers do not run in this build, so `{kind}` is not available here; run the query with `trickle run`")
        } else {
            format!("unknown peer kind `{kind}`; known: {}", list(&known))
        };
        return Err(vec![SpecError::new(
            SpecErrorKind::UnknownKind,
            None,
            message,
        )]);
    };
    for key in with.keys() {
        if !WITH_KEYS.contains(&key.as_str()) {
            errors.push(SpecError::new(
                SpecErrorKind::UnknownKey,
                Some(key),
                format!(
                    "unknown key `{key}` in peer `{name}`; allowed: {}",
                    list(WITH_KEYS)
                ),
            ));
        }
    }
    let codec = match with.get("codec") {
        None => codec::DEFAULT.to_string(),
        Some(Value::String(c)) => match codec::create(c, &Value::Null) {
            Ok(_) => c.to_string(),
            Err(e) => {
                errors.push(invalid("codec", e.to_string()));
                codec::DEFAULT.to_string()
            }
        },
        Some(other) => {
            errors.push(wrong_type("codec", "a string", other));
            codec::DEFAULT.to_string()
        }
    };
    let interceptors = match with.get("interceptors") {
        None => None,
        Some(v) => match Chain::from_spec(v) {
            Ok(_) => Some(v.clone()),
            Err(e) => {
                errors.push(invalid("interceptors", e.to_string()));
                None
            }
        },
    };
    let metrics_interval_s = match with.get("metrics_interval_s") {
        None => None,
        Some(v) => match v.as_u64() {
            Some(n) if n > 0 && v.is_integer() => Some(n),
            // The right type, a wrong value: show it.
            _ if v.is_integer() => {
                errors.push(invalid(
                    "metrics_interval_s",
                    format!("`metrics_interval_s` must be a positive integer, not {v}"),
                ));
                None
            }
            _ => {
                errors.push(wrong_type("metrics_interval_s", "a positive integer", v));
                None
            }
        },
    };
    let empty = Record::default();
    let config = match with.get("config") {
        None | Some(Value::Null) => &empty,
        Some(Value::Record(r)) => r,
        Some(other) => {
            errors.push(wrong_type("config", "a record", other));
            &empty
        }
    };
    let kind = match kind_config(registered, config) {
        Ok(k) => Some(k),
        Err(es) => {
            errors.extend(es);
            None
        }
    };
    match kind {
        Some((kind, limits)) if errors.is_empty() => Ok(PeerSpec {
            name: name.to_string(),
            kind,
            codec,
            interceptors,
            metrics_interval_s,
            limits,
        }),
        _ => Err(errors),
    }
}

pub(crate) fn list(names: &[&str]) -> String {
    if names.is_empty() {
        return "none".into();
    }
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    quoted.join(", ")
}

fn wrong_type(key: &str, expected: &str, got: &Value) -> SpecError {
    SpecError::new(
        SpecErrorKind::WrongType,
        Some(key),
        format!("`{key}` must be {expected}, got {}", got.type_name()),
    )
}

fn invalid(key: &str, message: String) -> SpecError {
    SpecError::new(SpecErrorKind::Invalid, Some(key), message)
}

/// Checks a kind's `config` record against the keys its reference lists, reads it,
/// and reads the limits it takes.
fn kind_config(
    registered: &registry::Registration,
    record: &Record,
) -> Result<(Arc<dyn Kind>, Limits), Vec<SpecError>> {
    let kind = registered.doc.kind;
    let allowed: Vec<&str> = registered.doc.keys.iter().map(|(k, _)| *k).collect();
    let mut c = Config::new(kind, record);
    for key in record.keys() {
        if !allowed.contains(&key.as_str()) {
            c.errors.push(SpecError::config(
                SpecErrorKind::UnknownKey,
                key,
                format!(
                    "unknown key `{key}` in the config of a `{kind}` peer; allowed: {}",
                    list(&allowed)
                ),
            ));
        }
    }
    let k = (registered.configure)(&mut c);
    // Keys a kind does not take were reported above; these default when absent.
    let d = k.limits();
    let limits = Limits {
        max_queued: c.positive_or("max_queued", d.max_queued as u64) as usize,
        max_connections: c.positive_or("max_connections", d.max_connections as u64) as usize,
        max_body_bytes: c.positive_or("max_body_bytes", d.max_body_bytes as u64) as usize,
        header_timeout_ms: c.positive_or("header_timeout_ms", d.header_timeout_ms),
    };
    if c.errors.is_empty() {
        Ok((k, limits))
    } else {
        Err(c.errors)
    }
}

#[cfg(all(test, feature = "runtime"))]
#[path = "spec_tests.rs"]
mod tests;
