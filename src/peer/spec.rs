//! A peer as the compiler validated it: its kind with a parsed config, its codec and
//! interceptor list, and the graph nodes that stand for its ports.
//!
//! Every check happens here, at compile time: unknown keys (in `with` or in
//! `config`) name the key and list the allowed ones, values of the wrong type name
//! the expected type, required keys are reported when missing. The runtime then
//! only reads fields that are known to be good.

use super::codec;
use super::interceptor::Chain;
pub use super::reconnect::Reconnect;
use crate::value::{Record, Value};

/// Keys of a peer definition's `with` block.
pub const WITH_KEYS: &[&str] = &["codec", "interceptors", "config", "metrics_interval_s"];

/// The peer kinds this build runs, in the order error messages list them.
pub const KINDS: &[&str] = &[
    "stdin",
    "stdout",
    "stderr",
    "file",
    "metronome",
    "tcp_server",
    "tcp_client",
    "ws_server",
    "ws_client",
    "http_server",
    "http_client",
    "kafka_consumer",
    "kafka_producer",
];

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

/// Default seconds between two `metrics` events of a peer.
pub const DEFAULT_METRICS_INTERVAL_S: u64 = 10;

/// What went wrong in a peer definition; `key` is the `with` key it is about, so the
/// compiler can point at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub key: Option<String>,
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
    fn new(kind: SpecErrorKind, key: Option<&str>, message: String) -> Self {
        SpecError {
            key: key.map(str::to_string),
            message,
            kind,
        }
    }
}

/// `file` modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileMode {
    Read,
    Write,
    Append,
}

/// How a client peer maps upstream streams to connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientStreams {
    /// One connection for every event.
    Shared,
    /// One connection per upstream stream, opened on its `start_stream`.
    PerStream,
}

/// A kind with its parsed config.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Stdin,
    Stdout,
    Stderr,
    File {
        path: String,
        mode: FileMode,
    },
    Metronome {
        interval_ns: u64,
    },
    TcpServer {
        host: String,
        port: u16,
    },
    TcpClient {
        host: String,
        port: u16,
        streams: ClientStreams,
        reconnect: Reconnect,
    },
    WsServer {
        host: String,
        port: u16,
    },
    WsClient {
        host: String,
        port: u16,
        path: String,
        streams: ClientStreams,
        reconnect: Reconnect,
    },
    HttpServer {
        host: String,
        port: u16,
        timeout_ms: u64,
    },
    HttpClient {
        url: String,
        method: String,
        headers: Vec<(String, String)>,
        timeout_ms: u64,
    },
    KafkaConsumer {
        /// `host:port,host:port`
        brokers: String,
        group_id: String,
        topics: Vec<String>,
        /// librdkafka settings, as strings.
        options: Vec<(String, String)>,
    },
    KafkaProducer {
        brokers: String,
        topic: String,
        options: Vec<(String, String)>,
    },
}

impl Kind {
    /// The kind's name as written after `from`.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Stdin => "stdin",
            Kind::Stdout => "stdout",
            Kind::Stderr => "stderr",
            Kind::File { .. } => "file",
            Kind::Metronome { .. } => "metronome",
            Kind::TcpServer { .. } => "tcp_server",
            Kind::TcpClient { .. } => "tcp_client",
            Kind::WsServer { .. } => "ws_server",
            Kind::WsClient { .. } => "ws_client",
            Kind::HttpServer { .. } => "http_server",
            Kind::HttpClient { .. } => "http_client",
            Kind::KafkaConsumer { .. } => "kafka_consumer",
            Kind::KafkaProducer { .. } => "kafka_producer",
        }
    }

    /// True when events can come out of this peer (it has a source side).
    pub fn is_source(&self) -> bool {
        match self {
            Kind::Stdout | Kind::Stderr | Kind::KafkaProducer { .. } => false,
            Kind::File { mode, .. } => *mode == FileMode::Read,
            _ => true,
        }
    }

    /// True when events sent into this peer go somewhere (it has a sink side).
    pub fn is_sink(&self) -> bool {
        match self {
            Kind::Stdin | Kind::Metronome { .. } | Kind::KafkaConsumer { .. } => false,
            Kind::File { mode, .. } => *mode != FileMode::Read,
            _ => true,
        }
    }
}

/// A validated peer instance.
#[derive(Debug, Clone)]
pub struct PeerSpec {
    /// The node name (`upstream`, or `p::upstream` inside created pipeline `p`).
    pub name: String,
    pub kind: Kind,
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
    /// Graph output node for `into p` (the output name the executor reports).
    pub fn in_node(&self) -> String {
        format!("{}/in", self.name)
    }

    /// A fresh interceptor chain for one stream.
    pub fn chain(&self) -> Chain {
        match &self.interceptors {
            // Checked at compile time; an empty chain would only be reached if the
            // interceptor registry changed between compiling and running.
            Some(spec) => Chain::from_spec(spec).unwrap_or_else(|_| Chain::new(Vec::new())),
            None => Chain::default_for(self.kind.name()),
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
    if !KINDS.contains(&kind) {
        return Err(vec![SpecError::new(
            SpecErrorKind::UnknownKind,
            None,
            format!("unknown peer kind `{kind}`; known: {}", list(KINDS)),
        )]);
    }
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
    let kind = match kind_config(kind, config) {
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

fn list(names: &[&str]) -> String {
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

/// Reads one kind's `config` record, checking every key.
struct Config<'a> {
    kind: &'a str,
    record: &'a Record,
    errors: Vec<SpecError>,
}

impl<'a> Config<'a> {
    fn config_wrong_type(&mut self, key: &str, expected: &str, got: &Value) {
        self.errors.push(SpecError::new(
            SpecErrorKind::WrongType,
            Some("config"),
            format!(
                "`{key}` in the config of a `{}` peer must be {expected}, got {}",
                self.kind,
                got.type_name()
            ),
        ));
    }

    fn config_invalid(&mut self, key: &str, message: String) {
        self.errors.push(SpecError::new(
            SpecErrorKind::Invalid,
            Some("config"),
            format!("`{key}` in the config of a `{}` peer: {message}", self.kind),
        ));
    }

    fn missing(&mut self, key: &str) {
        self.errors.push(SpecError::new(
            SpecErrorKind::MissingKey,
            Some("config"),
            format!("a `{}` peer needs `{key}` in its config", self.kind),
        ));
    }

    fn string(&mut self, key: &str, default: Option<&str>) -> String {
        match self.record.get(key) {
            Some(Value::String(s)) => s.to_string(),
            Some(other) => {
                self.config_wrong_type(key, "a string", other);
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

    fn one_of(&mut self, key: &str, allowed: &[&str], default: &str) -> String {
        let v = self.string(key, Some(default));
        if !v.is_empty() && !allowed.contains(&v.as_str()) {
            self.config_invalid(key, format!("`{v}` is not one of {}", list(allowed)));
            return default.to_string();
        }
        v
    }

    fn port(&mut self) -> u16 {
        match self.record.get("port") {
            Some(v) if v.is_integer() => match v.as_u64().and_then(|p| u16::try_from(p).ok()) {
                Some(p) => p,
                None => {
                    self.config_invalid("port", format!("{v} is not a port number (0-65535)"));
                    0
                }
            },
            Some(other) => {
                self.config_wrong_type("port", "an integer", other);
                0
            }
            None => {
                self.missing("port");
                0
            }
        }
    }

    fn positive(&mut self, key: &str) -> u64 {
        match self.record.get(key) {
            Some(v) if v.is_integer() => match v.as_u64() {
                Some(n) if n > 0 => n,
                _ => {
                    self.config_invalid(key, format!("must be positive, got {v}"));
                    1
                }
            },
            Some(other) => {
                self.config_wrong_type(key, "a positive integer", other);
                1
            }
            None => {
                self.missing(key);
                1
            }
        }
    }

    fn positive_or(&mut self, key: &str, default: u64) -> u64 {
        if self.record.contains_key(key) {
            self.positive(key)
        } else {
            default
        }
    }

    /// `url` of an HTTP client: required, `http://` (this build has no TLS).
    fn url(&mut self) -> String {
        let url = self.string("url", None);
        if !url.is_empty() && !url.starts_with("http://") {
            self.config_invalid("url", format!("`{url}` must start with `http://`"));
        } else if !url.is_empty() && url.parse::<http::Uri>().is_err() {
            self.config_invalid("url", format!("`{url}` is not a URL"));
        }
        url
    }

    /// `headers`: a record of strings (or arrays of strings for repeated headers).
    fn headers(&mut self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        match self.record.get("headers") {
            None => {}
            Some(Value::Record(r)) => {
                for (k, v) in r.iter() {
                    let values = match v {
                        Value::Array(a) => a.clone(),
                        other => vec![other.clone()],
                    };
                    for v in values {
                        match v.as_str() {
                            Some(s) => out.push((k.to_string(), s.to_string())),
                            None => self.config_wrong_type("headers", "a record of strings", &v),
                        }
                    }
                }
            }
            Some(other) => {
                let other = other.clone();
                self.config_wrong_type("headers", "a record", &other);
            }
        }
        out
    }

    fn streams(&mut self) -> ClientStreams {
        match self
            .one_of("streams", &["shared", "per_stream"], "shared")
            .as_str()
        {
            "per_stream" => ClientStreams::PerStream,
            _ => ClientStreams::Shared,
        }
    }

    fn required_string(&mut self, key: &str) -> String {
        match self.record.get(key) {
            Some(Value::String(s)) if !s.is_empty() => s.to_string(),
            Some(Value::String(_)) => {
                self.config_invalid(key, "must not be empty".into());
                String::new()
            }
            Some(other) => {
                self.config_wrong_type(key, "a string", other);
                String::new()
            }
            None => {
                self.missing(key);
                String::new()
            }
        }
    }

    /// A list of strings (a single string is a list of one); at least one.
    fn strings(&mut self, key: &str) -> Vec<String> {
        let list: Vec<String> = match self.record.get(key) {
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
                self.config_wrong_type(key, "a string or a list of strings", other);
                return Vec::new();
            }
        };
        if list.is_empty() || list.iter().any(String::is_empty) {
            self.config_invalid(key, "needs at least one non-empty name".into());
        }
        list
    }

    /// `brokers`: `"host:port"`, `"a:1,b:2"` or a list of them.
    fn brokers(&mut self) -> String {
        self.strings("brokers").join(",")
    }

    fn topics(&mut self) -> Vec<String> {
        self.strings("topics")
    }

    /// `options`: librdkafka settings; strings, numbers and booleans.
    fn options(&mut self) -> Vec<(String, String)> {
        let Some(v) = self.record.get("options") else {
            return Vec::new();
        };
        let Some(r) = v.as_record() else {
            self.config_wrong_type("options", "a record", v);
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, v) in r.iter() {
            let text = match v {
                Value::String(s) => s.to_string(),
                Value::Bool(_) | Value::I64(_) | Value::U64(_) | Value::F64(_) => v.encode(),
                other => {
                    self.config_invalid(
                        "options",
                        format!(
                            "`{k}` must be a string, number or boolean, got {}",
                            other.type_name()
                        ),
                    );
                    continue;
                }
            };
            out.push((k.to_string(), text));
        }
        out
    }

    fn reconnect(&mut self) -> Reconnect {
        match self.record.get("reconnect") {
            None => Reconnect::default(),
            Some(v) => match Reconnect::from_value(v) {
                Ok(r) => r,
                Err(e) => {
                    self.config_invalid("reconnect", e);
                    Reconnect::default()
                }
            },
        }
    }
}

/// The config keys each kind takes.
pub fn config_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "file" => &["path", "mode"],
        "metronome" => &["interval"],
        "tcp_server" => &["host", "port", "max_queued", "max_connections"],
        "tcp_client" => &["host", "port", "streams", "reconnect"],
        "ws_server" => &["host", "port", "max_queued", "max_connections"],
        "ws_client" => &["host", "port", "path", "streams", "reconnect"],
        "http_server" => &[
            "host",
            "port",
            "timeout",
            "max_body_bytes",
            "header_timeout_ms",
            "max_connections",
        ],
        "http_client" => &["url", "method", "headers", "timeout"],
        "kafka_consumer" => &["brokers", "group_id", "topics", "options"],
        "kafka_producer" => &["brokers", "topic", "options"],
        _ => &[],
    }
}

fn kind_config(kind: &str, record: &Record) -> Result<(Kind, Limits), Vec<SpecError>> {
    let allowed = config_keys(kind);
    let mut c = Config {
        kind,
        record,
        errors: Vec::new(),
    };
    for key in record.keys() {
        if !allowed.contains(&key.as_str()) {
            c.errors.push(SpecError::new(
                SpecErrorKind::UnknownKey,
                Some("config"),
                format!(
                    "unknown key `{key}` in the config of a `{kind}` peer; allowed: {}",
                    list(allowed)
                ),
            ));
        }
    }
    let k = match kind {
        "stdin" => Kind::Stdin,
        "stdout" => Kind::Stdout,
        "stderr" => Kind::Stderr,
        "file" => {
            let path = c.string("path", None);
            let mode = match c
                .one_of("mode", &["read", "write", "append"], "read")
                .as_str()
            {
                "write" => FileMode::Write,
                "append" => FileMode::Append,
                _ => FileMode::Read,
            };
            Kind::File { path, mode }
        }
        "metronome" => Kind::Metronome {
            interval_ns: c.positive("interval"),
        },
        "tcp_server" => Kind::TcpServer {
            host: c.string("host", Some("127.0.0.1")),
            port: c.port(),
        },
        "ws_server" => Kind::WsServer {
            host: c.string("host", Some("127.0.0.1")),
            port: c.port(),
        },
        "ws_client" => Kind::WsClient {
            host: c.string("host", Some("127.0.0.1")),
            port: c.port(),
            path: c.string("path", Some("/")),
            streams: c.streams(),
            reconnect: c.reconnect(),
        },
        "http_server" => Kind::HttpServer {
            host: c.string("host", Some("127.0.0.1")),
            port: c.port(),
            timeout_ms: c.positive_or("timeout", DEFAULT_HTTP_TIMEOUT_MS),
        },
        "kafka_consumer" => Kind::KafkaConsumer {
            brokers: c.brokers(),
            group_id: c.required_string("group_id"),
            topics: c.topics(),
            options: c.options(),
        },
        "kafka_producer" => Kind::KafkaProducer {
            brokers: c.brokers(),
            topic: c.required_string("topic"),
            options: c.options(),
        },
        "http_client" => Kind::HttpClient {
            url: c.url(),
            method: c
                .one_of(
                    "method",
                    &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
                    "POST",
                )
                .to_string(),
            headers: c.headers(),
            timeout_ms: c.positive_or("timeout", DEFAULT_HTTP_TIMEOUT_MS),
        },
        _ => Kind::TcpClient {
            host: c.string("host", Some("127.0.0.1")),
            port: c.port(),
            streams: c.streams(),
            reconnect: c.reconnect(),
        },
    };
    // Keys a kind does not take were reported above; these default when absent.
    let d = Limits::default();
    // An `http_server` connection takes one response per request and drops the
    // rest at the next request: halting its reader on a full queue could stall it.
    let queued = if kind == "http_server" {
        usize::MAX
    } else {
        d.max_queued
    };
    let limits = Limits {
        max_queued: c.positive_or("max_queued", queued as u64) as usize,
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

#[cfg(test)]
#[path = "spec_tests.rs"]
mod tests;
