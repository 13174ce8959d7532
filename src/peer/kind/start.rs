//! What a kind is given when the runtime starts it, and what it hands back.

use super::{Ctx, Replay, SharedStreams, ToPeer};
use crate::event::Event;
use tokio::sync::mpsc;

/// What a kind is given when it starts.
pub struct Start {
    pub ctx: Ctx,
    /// The graph reads what it receives (`from p`, `p/err` or `p/metrics`).
    pub reads: bool,
    /// The graph sends into it (`into p`).
    pub writes: bool,
    /// The acks and fails of what it reads, when it [replays](crate::peer::kinds::Kind::replays) and
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
    /// A writer: every event goes to its one stream (a Kafka producer).
    #[cfg_attr(not(feature = "kafka"), allow(dead_code))]
    Events(mpsc::UnboundedSender<Event>),
    /// A writer that also takes JSON lines forwarded as read.
    Writer(mpsc::UnboundedSender<super::Outgoing>),
    /// A client: events plus upstream stream starts and ends.
    Control(mpsc::UnboundedSender<ToPeer>),
    /// A server: routed by id and lineage to its open streams.
    Server(SharedStreams),
    /// Written by the executor thread itself, buffered (the run's `out` and `err`).
    Direct(super::Direct),
}
