//! Event identity and the per-event context native functions can read.

use crate::value::Str;

mod lineage;
mod number_log;
pub use lineage::{Ids, Lineage, RunRef, SlidingIds};

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

/// An ingest time as an event time (times are signed: hopping windows start below 0).
pub fn ingest_time(ns: u64) -> i64 {
    i64::try_from(ns).unwrap_or(i64::MAX)
}

/// What a running expression knows about the event it runs for, beyond its value and `$`.
#[derive(Debug, Clone, Copy)]
pub struct FnCtx<'a> {
    /// Ingest time in ns (`system::ingest_ns()`).
    pub ingest_ns: u64,
    pub origin: Option<&'a Origin>,
    /// The current event's id (`source_id()`, `stream_id()`, `event_id()`).
    pub id: Option<&'a EventId>,
    /// Ids of every event that contributed (`event_ids()`).
    pub lineage: &'a Lineage,
    /// Live groups of the select being evaluated (`win::cardinality()`).
    pub cardinality: usize,
}

impl Default for FnCtx<'_> {
    fn default() -> Self {
        FnCtx {
            ingest_ns: 0,
            origin: None,
            id: None,
            lineage: Lineage::empty(),
            cardinality: 0,
        }
    }
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
    pub lineage: Lineage,
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

/// The one rule for events entering a graph, used by the runtime (every peer and
/// the built-in input), `trickle test`, the REPL and the benches (SPEC §4, §7):
///
/// - the id is `(peer, stream, n)`, numbered by the caller per stream;
/// - the ingest time is the event's index among all events in the index clock,
///   else the time it was read (the caller's clock read, once per chunk if it likes);
/// - the lineage is the event's own id plus what a client's response adds, or,
///   with nothing added, the event's own id when a test looks at it; otherwise an
///   empty lineage stands for the event itself (acks, routing, windows and
///   `event_ids()` read it so) and costs no allocation.
#[derive(Debug, Clone)]
pub struct Ingest {
    index_clock: bool,
    keep_lineage: bool,
    next_index: u64,
}

impl Ingest {
    /// `index_clock`: `--clock index`; `keep_lineage`: see the type's doc.
    pub fn new(index_clock: bool, keep_lineage: bool) -> Self {
        Ingest {
            index_clock,
            keep_lineage,
            next_index: 0,
        }
    }

    /// The index clock starts at `index` (a session that numbers from 1).
    pub fn starting_at(mut self, index: u64) -> Self {
        self.next_index = index;
        self
    }

    /// Whether events carry their own id in their lineage.
    pub fn keeps_lineage(&self) -> bool {
        self.keep_lineage
    }

    /// The next ingest time: the next index in the index clock, else `read_ns`.
    pub fn ingest_ns(&mut self, read_ns: u64) -> u64 {
        if self.index_clock {
            self.next_index += 1;
            self.next_index - 1
        } else {
            read_ns
        }
    }

    /// An event from the outside: `extra` are ids its lineage names besides its own
    /// (a client's response names the request).
    pub fn event(
        &mut self,
        data: crate::value::Value,
        id: EventId,
        meta: crate::value::Value,
        extra: &[EventId],
        read_ns: u64,
    ) -> Event {
        let lineage = if self.keep_lineage || !extra.is_empty() {
            std::iter::once(&id).chain(extra).collect()
        } else {
            Lineage::new()
        };
        Event {
            data,
            meta,
            ingest_ns: self.ingest_ns(read_ns),
            id,
            lineage,
            origin: None,
        }
    }

    /// An event the runtime makes itself (a metrics record, an error report): no
    /// id and no lineage, but an ingest time like any other.
    pub fn internal(&mut self, data: crate::value::Value, read_ns: u64) -> Event {
        Event {
            data,
            meta: crate::value::Value::record(),
            ingest_ns: self.ingest_ns(read_ns),
            ..Event::default()
        }
    }
}

#[cfg(test)]
mod ingest_tests {
    use super::*;
    use crate::value::Value;

    fn id(n: u64) -> EventId {
        EventId {
            peer: Str::from("in"),
            stream: 0,
            event: n,
        }
    }

    #[test]
    fn index_clock_counts_every_event_and_lineage_follows_the_rule() {
        let mut ing = Ingest::new(true, true);
        let a = ing.event(Value::from(1), id(0), Value::record(), &[], 99);
        let m = ing.internal(Value::from(2), 99);
        let b = ing.event(Value::from(3), id(1), Value::record(), &[id(7)], 99);
        assert_eq!((a.ingest_ns, m.ingest_ns, b.ingest_ns), (0, 1, 2));
        assert_eq!(a.lineage, vec![id(0)]);
        assert!(m.lineage.is_empty());
        assert_eq!(b.lineage, vec![id(1), id(7)]);
        let mut wall = Ingest::new(false, false);
        let c = wall.event(Value::from(1), id(0), Value::record(), &[], 42);
        assert_eq!((c.ingest_ns, c.lineage.len()), (42, 0));
    }
}
