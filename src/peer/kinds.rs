//! What a peer kind is to the compiler and the runtime, and the list of kinds this
//! build knows. The runtime knows this trait, not the kinds: a new kind is one file
//! under `kind/` implementing [`Kind`] with a [`Registration`], and one line in
//! [`REGISTRY`]. This half is built without the `runtime` feature too, so the
//! compiler's checks of a `define peer` have one shape in every build.

use super::kind_config::Config;
use super::kind_docs::KindDoc;
use super::spec::Limits;
#[cfg(feature = "runtime")]
use super::PeerError;
use std::any::Any;
use std::sync::Arc;

/// The kinds this build knows, in the order error messages list them.
#[cfg(feature = "runtime")]
pub const REGISTRY: &[Registration] = &[
    super::kind::stdio::STDIN,
    super::kind::stdio::STDOUT,
    super::kind::stdio::STDERR,
    super::kind::file::KIND,
    super::kind::metronome::KIND,
    super::kind::tcp_server::KIND,
    super::kind::client::TCP_CLIENT,
    super::kind::ws_server::KIND,
    super::kind::client::WS_CLIENT,
    super::kind::http_server::KIND,
    super::kind::http_client::KIND,
    super::kind::kafka::CONSUMER,
    super::kind::kafka::PRODUCER,
];

/// Without the `runtime` feature no kind is built: peers do not run in that build
/// (the playground), so every `define peer` names an unknown kind there.
#[cfg(not(feature = "runtime"))]
pub const REGISTRY: &[Registration] = &[];

/// A kind as the registry holds it: its reference, whose keys are the schema its
/// `config` is checked against (a key not listed is an error), and how the checked
/// record becomes a [`Kind`].
pub struct Registration {
    pub doc: &'static KindDoc,
    /// Reads the `config` record; problems go to the reader's error list.
    pub configure: fn(&mut Config) -> Arc<dyn Kind>,
}

/// The registration of the kind called `name`.
pub fn lookup(name: &str) -> Option<&'static Registration> {
    REGISTRY.iter().find(|r| r.doc.kind == name)
}

/// A peer kind with its config read: what `define peer` compiled to, and what the
/// runtime starts.
pub trait Kind: std::fmt::Debug + Send + Sync + Any {
    /// The kind's reference (its name is what is written after `from`).
    fn doc(&self) -> &'static KindDoc;

    /// Events can come out of it (it has a source side); by default what its
    /// reference says.
    fn is_source(&self) -> bool {
        self.doc().nature.contains("source")
    }

    /// Events sent into it go somewhere (it has a sink side); by default what its
    /// reference says.
    fn is_sink(&self) -> bool {
        self.doc().nature.contains("sink")
    }

    /// Its source sends again what fails downstream: the runtime hands it the acks
    /// and fails of what it read ([`Start::replay`]).
    fn replays(&self) -> bool {
        false
    }

    /// How, as a sink, it tells its sources it can take events.
    fn readiness(&self) -> Readiness {
        Readiness::Peer
    }

    /// What it receives answers what it is sent (a client): its source side runs as
    /// long as its upstream does, and closes after it.
    fn answers(&self) -> bool {
        false
    }

    /// The interceptors its streams use when its definition names none: `["lines"]`
    /// for byte streams, none for message transports, whose messages are frames.
    fn default_interceptors(&self) -> &'static [&'static str] {
        &[]
    }

    /// Its streams can take the fast path of decoding (SPEC: chunked reads decoded
    /// beside the graph, compact forwarding, projection) when its definition keeps
    /// the default framing and the `json` codec: lines for byte streams, one
    /// message per frame for message transports.
    fn reads_lines(&self) -> bool {
        false
    }

    /// As a sink it writes each event as its compact JSON and a `\n` to one stream,
    /// so with the default framing and the `json` codec a JSON line read can be
    /// written as it was read.
    fn writes_lines(&self) -> bool {
        false
    }

    /// As a sink it reads events' metadata `$` (a Kafka key, HTTP headers and
    /// status), so the runtime keeps `$` even when the query does not read it.
    fn reads_meta(&self) -> bool {
        false
    }

    /// What a server holds for its clients at most when its config says nothing.
    fn limits(&self) -> Limits {
        Limits::default()
    }

    /// Starts its tasks (called once, when the graph reads from it or writes to it).
    #[cfg(feature = "runtime")]
    fn start(&self, start: super::kind::Start) -> Result<super::kind::Started, PeerError>;
}

impl dyn Kind {
    /// The kind's name as written after `from`.
    pub fn name(&self) -> &'static str {
        self.doc().kind
    }
}

/// How a sink tells its sources it can take events (SPEC §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// For the whole peer: `halt` and `ready` as it can or cannot deliver.
    Peer,
    /// Per upstream stream: it opens a connection for each, and that stream is read
    /// once the connection is up.
    PerStream,
}

#[cfg(all(test, feature = "runtime"))]
mod tests {
    use super::*;
    use crate::value::Record;

    #[test]
    fn every_kind_reads_exactly_the_keys_it_declares() {
        let empty = Record::default();
        for r in REGISTRY {
            let mut c = Config::new(r.doc.kind, &empty);
            let kind = (r.configure)(&mut c);
            assert_eq!(kind.name(), r.doc.kind);
            // The limits a kind declares are read for it by `spec`.
            let mut own: Vec<&str> = r.doc.keys.iter().map(|(k, _)| *k).collect();
            own.retain(|k| !crate::peer::spec::LIMIT_KEYS.contains(k));
            let mut read = c.read;
            own.sort_unstable();
            read.sort_unstable();
            assert_eq!(read, own, "{}", r.doc.kind);
        }
        let mut names: Vec<&str> = REGISTRY.iter().map(|r| r.doc.kind).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), REGISTRY.len());
        assert!(lookup("file").is_some() && lookup("nope").is_none());
    }

    #[test]
    fn sides_of_each_kind() {
        let empty = Record::default();
        let sides = |name: &str| {
            let r = lookup(name).unwrap();
            let kind = (r.configure)(&mut Config::new(name, &empty));
            (kind.is_source(), kind.is_sink())
        };
        for t in ["stdin", "metronome", "kafka_consumer", "file"] {
            assert_eq!(sides(t), (true, false), "{t}");
        }
        for t in ["stdout", "stderr", "kafka_producer"] {
            assert_eq!(sides(t), (false, true), "{t}");
        }
        for t in [
            "tcp_server",
            "tcp_client",
            "ws_server",
            "ws_client",
            "http_server",
            "http_client",
        ] {
            assert_eq!(sides(t), (true, true), "{t}");
        }
    }

    /// `["lines"]` for byte streams, none for message transports.
    #[test]
    fn default_interceptors_per_kind() {
        let empty = Record::default();
        let chain = |name: &str| {
            let r = lookup(name).unwrap();
            let kind = (r.configure)(&mut Config::new(name, &empty));
            crate::peer::interceptor::Chain::named(kind.default_interceptors())
        };
        for t in [
            "stdin",
            "stdout",
            "stderr",
            "file",
            "tcp_server",
            "tcp_client",
        ] {
            assert_eq!(chain(t).names(), ["lines"], "{t}");
        }
        for t in [
            "ws_server",
            "ws_client",
            "http_server",
            "http_client",
            "metronome",
        ] {
            assert!(chain(t).is_empty(), "{t}");
        }
    }
}
