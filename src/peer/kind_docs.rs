//! What each peer kind is and what its config keys mean, for hover, completion and
//! `trickle doc`. A test checks the keys here are exactly [`super::spec::config_keys`],
//! so the reference cannot drift from what the compiler accepts.

/// One peer kind's reference.
#[derive(Debug, Clone, Copy)]
pub struct KindDoc {
    pub kind: &'static str,
    /// `source`, `sink` or `source and sink`.
    pub nature: &'static str,
    pub summary: &'static str,
    /// `(config key, meaning)`, in the order `config_keys` lists them.
    pub keys: &'static [(&'static str, &'static str)],
}

const HOST: (&str, &str) = (
    "host",
    "address to bind or connect to (string, default `127.0.0.1`)",
);
const PORT: (&str, &str) = ("port", "TCP port (integer, required)");
const MAX_QUEUED: (&str, &str) = (
    "max_queued",
    "events waiting to be written on one connection; when full its sources halt (default 1024)",
);
const MAX_CONNECTIONS: (&str, &str) = (
    "max_connections",
    "open connections; further ones wait in the accept queue (default 10000)",
);
const STREAMS: (&str, &str) = (
    "streams",
    "`\"shared\"` (default): one connection for every upstream stream; `\"per_stream\"`: one connection per upstream stream",
);
const RECONNECT: (&str, &str) = (
    "reconnect",
    "`true` (default), `false`, or `{\"interval_ms\": 50, \"max_interval_ms\": 1000, \"max_retries\": N}`: backoff after a dropped connection",
);
const OPTIONS: (&str, &str) = (
    "options",
    "librdkafka settings as a record of strings, e.g. `{\"session.timeout.ms\": 6000}`",
);

/// Every kind, in the order of [`super::spec::KINDS`].
pub const KIND_DOCS: &[KindDoc] = &[
    KindDoc {
        kind: "stdin",
        nature: "source",
        summary: "Reads the process's standard input: one stream that ends at end of file.",
        keys: &[],
    },
    KindDoc {
        kind: "stdout",
        nature: "sink",
        summary: "Writes events to standard output, flushed per event.",
        keys: &[],
    },
    KindDoc {
        kind: "stderr",
        nature: "sink",
        summary: "Writes events to standard error, flushed per event.",
        keys: &[],
    },
    KindDoc {
        kind: "file",
        nature: "source and sink",
        summary: "Reads a file (one stream, ends at end of file; replays failed events) or writes one.",
        keys: &[
            ("path", "the file to read or write (string, required)"),
            (
                "mode",
                "`\"read\"` (default), `\"write\"` (truncate) or `\"append\"`",
            ),
        ],
    },
    KindDoc {
        kind: "metronome",
        nature: "source",
        summary: "Emits `{\"tick\": n, \"ingest_ns\": t}` every interval.",
        keys: &[("interval", "nanoseconds between two ticks (positive integer, required)")],
    },
    KindDoc {
        kind: "tcp_server",
        nature: "source and sink",
        summary: "Accepts TCP connections: one stream per connection; events are routed back to the connection they came from.",
        keys: &[HOST, PORT, MAX_QUEUED, MAX_CONNECTIONS],
    },
    KindDoc {
        kind: "tcp_client",
        nature: "source and sink",
        summary: "Connects to a TCP server; what it receives back comes out as events.",
        keys: &[HOST, PORT, STREAMS, RECONNECT],
    },
    KindDoc {
        kind: "ws_server",
        nature: "source and sink",
        summary: "Accepts WebSocket connections: one stream per connection.",
        keys: &[HOST, PORT, MAX_QUEUED, MAX_CONNECTIONS],
    },
    KindDoc {
        kind: "ws_client",
        nature: "source and sink",
        summary: "Connects to a WebSocket server.",
        keys: &[
            HOST,
            PORT,
            ("path", "request path (string, default `/`)"),
            STREAMS,
            RECONNECT,
        ],
    },
    KindDoc {
        kind: "http_server",
        nature: "source and sink",
        summary: "Serves HTTP: each request is an event, answered by the event routed back to its connection.",
        keys: &[
            HOST,
            PORT,
            ("timeout", "ms to wait for an answer before replying with an error (default 10000)"),
            ("max_body_bytes", "largest request body; a longer one is answered 413 (default 16777216)"),
            ("header_timeout_ms", "ms a client has to send a request's headers (default 10000)"),
            MAX_CONNECTIONS,
        ],
    },
    KindDoc {
        kind: "http_client",
        nature: "sink and source",
        summary: "Sends each event as an HTTP request; responses come back as events.",
        keys: &[
            ("url", "the request URL (string, required)"),
            ("method", "HTTP method (string, default `POST`)"),
            ("headers", "extra request headers (a record of strings)"),
            ("timeout", "ms to wait for a response (default 10000)"),
        ],
    },
    KindDoc {
        kind: "kafka_consumer",
        nature: "source",
        summary: "Reads Kafka topics in a consumer group: one stream per assigned partition; commits follow acks.",
        keys: &[
            ("brokers", "bootstrap servers, `host:port[,host:port]` (string, required)"),
            ("group_id", "consumer group (string, required)"),
            ("topics", "topics to subscribe to (array of strings, required)"),
            OPTIONS,
        ],
    },
    KindDoc {
        kind: "kafka_producer",
        nature: "sink",
        summary: "Writes events to a Kafka topic; `$kafka.key` is the message key.",
        keys: &[
            ("brokers", "bootstrap servers, `host:port[,host:port]` (string, required)"),
            ("topic", "the topic to write to (string, required)"),
            OPTIONS,
        ],
    },
];

/// The `with` keys every peer definition takes, with their meaning.
pub const WITH_KEY_DOCS: &[(&str, &str)] = &[
    ("codec", "how bytes become events and back: `\"json\"` (default), `\"string\"`, ... or `{\"name\": {config}}`"),
    ("interceptors", "a list of byte transformations applied in order before the codec, e.g. `[\"lines\"]`"),
    ("config", "the kind's own settings (a record; see the kind's keys)"),
    ("metrics_interval_s", "seconds between two events on the `metrics` port (default 10)"),
];

/// The reference of `kind`, if it is one.
pub fn kind_doc(kind: &str) -> Option<&'static KindDoc> {
    KIND_DOCS.iter().find(|d| d.kind == kind)
}

#[cfg(test)]
mod tests {
    use super::super::spec::{config_keys, KINDS, WITH_KEYS};
    use super::*;

    #[test]
    fn docs_match_what_the_compiler_accepts() {
        let kinds: Vec<&str> = KIND_DOCS.iter().map(|d| d.kind).collect();
        assert_eq!(kinds, KINDS);
        for d in KIND_DOCS {
            let keys: Vec<&str> = d.keys.iter().map(|(k, _)| *k).collect();
            assert_eq!(keys, config_keys(d.kind), "{}", d.kind);
        }
        let with: Vec<&str> = WITH_KEY_DOCS.iter().map(|(k, _)| *k).collect();
        assert_eq!(with, WITH_KEYS);
        assert!(kind_doc("file").is_some() && kind_doc("nope").is_none());
    }
}
