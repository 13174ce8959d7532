//! What each peer kind is and what its config keys mean, for hover, completion and
//! `trickle doc`. Each kind's reference sits in its own file and is registered with
//! it ([`super::kinds`]); its keys are the schema the compiler checks a
//! `config` against, so the reference cannot drift from what the compiler accepts.

/// One peer kind's reference.
#[derive(Debug, Clone, Copy)]
pub struct KindDoc {
    pub kind: &'static str,
    /// `source`, `sink` or `source and sink`.
    pub nature: &'static str,
    pub summary: &'static str,
    /// `(config key, meaning)`: every key the kind takes.
    pub keys: &'static [(&'static str, &'static str)],
}

pub const HOST: (&str, &str) = (
    "host",
    "address to bind or connect to (string, default `127.0.0.1`)",
);
pub const PORT: (&str, &str) = ("port", "TCP port (integer, required)");
pub const MAX_QUEUED: (&str, &str) = (
    "max_queued",
    "events waiting to be written on one connection; when full its sources halt (default 1024)",
);
pub const MAX_CONNECTIONS: (&str, &str) = (
    "max_connections",
    "open connections; further ones wait in the accept queue (default 10000)",
);
pub const STREAMS: (&str, &str) = (
    "streams",
    "`\"shared\"` (default): one connection for every upstream stream; `\"per_stream\"`: one connection per upstream stream",
);
pub const RECONNECT: (&str, &str) = (
    "reconnect",
    "`true` (default), `false`, or `{\"interval_ms\": 50, \"max_interval_ms\": 1000, \"max_retries\": N}`: backoff after a dropped connection",
);
pub const OPTIONS: (&str, &str) = (
    "options",
    "librdkafka settings as a record of strings, e.g. `{\"session.timeout.ms\": 6000}`",
);

/// The `with` keys every peer definition takes, with their meaning.
pub const WITH_KEY_DOCS: &[(&str, &str)] = &[
    ("codec", "how bytes become events and back: `\"json\"` (default), `\"string\"`, ... or `{\"name\": {config}}`"),
    ("interceptors", "a list of byte transformations applied in order before the codec, e.g. `[\"lines\"]`"),
    ("config", "the kind's own settings (a record; see the kind's keys)"),
    ("metrics_interval_s", "seconds between two events on the `metrics` port (default 10)"),
];

/// Every kind's reference, in the registry's order.
pub fn kind_docs() -> impl Iterator<Item = &'static KindDoc> {
    super::kinds::REGISTRY.iter().map(|r| r.doc)
}

/// The reference of `kind`, if it is one.
pub fn kind_doc(kind: &str) -> Option<&'static KindDoc> {
    super::kinds::lookup(kind).map(|r| r.doc)
}

#[cfg(test)]
mod tests {
    use super::super::spec::WITH_KEYS;
    use super::*;

    #[test]
    fn docs_match_what_the_compiler_accepts() {
        let with: Vec<&str> = WITH_KEY_DOCS.iter().map(|(k, _)| *k).collect();
        assert_eq!(with, WITH_KEYS);
        for d in kind_docs() {
            assert!(!d.summary.is_empty(), "{}", d.kind);
            let mut keys: Vec<&str> = d.keys.iter().map(|(k, _)| *k).collect();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(keys.len(), d.keys.len(), "{}: a key listed twice", d.kind);
        }
        assert!(kind_doc("file").is_some() && kind_doc("nope").is_none());
    }
}
