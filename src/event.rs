//! Event identity and the per-event context native functions can read.

use crate::value::Str;

/// `(peer, stream, event)`: where an event entered the graph and its sequence number there.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct EventId {
    /// Name of the peer it entered through (`"in"` for the CLI input).
    pub peer: Str,
    pub stream: u64,
    pub event: u64,
}

/// Where an event came from, as a URI (`tremor://localhost/test`, `snot://test:23/snot`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Origin {
    pub scheme: String,
    pub host: String,
    pub port: Option<u16>,
    pub path: Vec<String>,
}

impl Origin {
    /// Parses `scheme://host[:port][/path/segments]`.
    pub fn parse(uri: &str) -> Option<Origin> {
        let (scheme, rest) = uri.split_once("://")?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p.parse().ok()?)),
            None => (authority, None),
        };
        Some(Origin {
            scheme: scheme.to_string(),
            host: host.to_string(),
            port,
            path: path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        })
    }
}

/// What a running expression knows about the event it runs for, beyond its value and `$`.
#[derive(Debug, Clone, Copy, Default)]
pub struct FnCtx<'a> {
    /// Ingest time in ns (`system::ingest_ns()`).
    pub ingest_ns: u64,
    pub origin: Option<&'a Origin>,
    /// The current event's id (`source_id()`, `stream_id()`, `event_id()`).
    pub id: Option<&'a EventId>,
    /// Ids of every event that contributed (`event_ids()`).
    pub lineage: &'a [EventId],
    /// Live groups of the select being evaluated (`win::cardinality()`).
    pub cardinality: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_test_origins() {
        let o = Origin::parse("snot://test:23/snot").unwrap();
        assert_eq!(
            (o.scheme.as_str(), o.host.as_str(), o.port),
            ("snot", "test", Some(23))
        );
        assert_eq!(o.path, vec!["snot"]);
        let o = Origin::parse("tremor://localhost/test").unwrap();
        assert_eq!(o.port, None);
    }
}

/// A port name: `in`, `out`, `err`, `metrics`, or any name a script emits to.
pub type Port = beef::Cow<'static, str>;

/// An event flowing through the graph.
#[derive(Debug, Clone, Default)]
pub struct Event {
    pub data: crate::value::Value,
    /// `$`
    pub meta: crate::value::Value,
    pub ingest_ns: u64,
    pub id: EventId,
    /// Ids of every event that contributed (its own id included); see SPEC §4.
    pub lineage: Vec<EventId>,
    pub origin: Option<std::sync::Arc<Origin>>,
}

impl Event {
    /// The context native functions see while this event is processed.
    pub fn ctx(&self) -> FnCtx<'_> {
        FnCtx {
            ingest_ns: self.ingest_ns,
            origin: self.origin.as_deref(),
            id: Some(&self.id),
            lineage: &self.lineage,
            cardinality: 0,
        }
    }
}

/// Messages that flow with the events (SPEC §1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// Time passes: interval windows and batch timeouts check themselves (ns).
    Tick(u64),
    StartStream {
        peer: Str,
        stream: u64,
    },
    EndStream {
        peer: Str,
        stream: u64,
    },
    /// End of all input: flush what is held.
    Drain,
}
