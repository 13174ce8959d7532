//! What a peer kind is to the compiler and the runtime, and the list of kinds this
//! build knows. The runtime knows this trait, not the kinds: a new kind is one file
//! implementing [`Kind`] with a [`Registration`], and one line in [`REGISTRY`].

use super::config::Config;
use super::{Ctx, Replay, SharedStreams, ToPeer};
use crate::event::Event;
use crate::peer::kind_docs::KindDoc;
use crate::peer::spec::Limits;
use crate::peer::PeerError;
use std::any::Any;
use std::sync::Arc;
use tokio::sync::mpsc;

/// The kinds this build knows, in the order error messages list them.
pub const REGISTRY: &[Registration] = &[
    super::stdio::STDIN,
    super::stdio::STDOUT,
    super::stdio::STDERR,
    super::file::KIND,
    super::metronome::KIND,
    super::tcp_server::KIND,
    super::client::TCP_CLIENT,
    super::ws_server::KIND,
    super::client::WS_CLIENT,
    super::http_server::KIND,
    super::http_client::KIND,
    super::kafka::CONSUMER,
    super::kafka::PRODUCER,
];

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

    /// What a server holds for its clients at most when its config says nothing.
    fn limits(&self) -> Limits {
        Limits::default()
    }

    /// Starts its tasks (called once, when the graph reads from it or writes to it).
    fn start(&self, start: Start) -> Result<Started, PeerError>;
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

/// What a kind is given when it starts.
pub struct Start {
    pub ctx: Ctx,
    /// The graph reads what it receives (`from p`, `p/err` or `p/metrics`).
    pub reads: bool,
    /// The graph sends into it (`into p`).
    pub writes: bool,
    /// The acks and fails of what it reads, when it [replays](Kind::replays) and
    /// the graph reads it.
    pub replay: Option<mpsc::UnboundedReceiver<Replay>>,
}

impl Start {
    /// Runs `f` to completion on the peers' runtime (binding a port before the run
    /// starts, so a port in use stops it).
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        tokio::runtime::Handle::current().block_on(f)
    }
}

/// What a started kind hands the runtime.
#[derive(Default)]
pub struct Started {
    pub sink: Sink,
    /// A thread the end of the run waits for once the peer's contraflow channel is
    /// closed (a Kafka consumer committing and leaving its group).
    pub thread: Option<std::thread::JoinHandle<()>>,
}

impl Started {
    /// Started with `sink` as where its incoming events go.
    pub fn sink(sink: Sink) -> Self {
        Started { sink, thread: None }
    }
}

/// Where a peer's incoming events go.
#[derive(Default)]
pub enum Sink {
    #[default]
    None,
    /// A writer: every event goes to its one stream.
    Events(mpsc::UnboundedSender<Event>),
    /// A client: events plus upstream stream starts and ends.
    Control(mpsc::UnboundedSender<ToPeer>),
    /// A server: routed by id and lineage to its open streams.
    Server(SharedStreams),
}

#[cfg(test)]
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
