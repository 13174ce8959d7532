//! The peer kinds' tasks, and what they share: the messages between peer tasks and
//! the executor thread, and the context a task uses to hand events to the graph.
//!
//! ```text
//! peer task ── ToGraph (bounded) ──▶ executor thread ── ToPeer / Event (unbounded) ──▶ sink task
//! ```
//!
//! The graph-bound channel is bounded, so a slow graph slows readers down (the
//! operating system buffers the rest); the sink-bound channels are not, so the
//! executor never waits on a peer and the two directions cannot deadlock. The run's
//! own `out` and `err` have no task: the executor writes them itself ([`Direct`]).
//!
//! A kind is one module implementing [`Kind`] with a [`Registration`] (its
//! reference, whose keys are its config schema, and how a checked config becomes
//! the kind); adding one is that file, its `mod` line here and one line in
//! [`crate::peer::kinds::REGISTRY`].

pub mod client;
mod direct;
pub mod file;
pub mod http_client;
pub mod http_server;
pub mod kafka;
mod link;
pub mod metronome;
mod outbox;
mod positions;
pub mod replay;
mod start;
pub mod stdio;
pub mod tcp_server;
pub mod ws_server;

pub use self::direct::Direct;
pub use self::outbox::{queue, Inbox, Offer, Outbox, Outgoing};
pub use self::start::{Sink, Start, Started};
pub use super::kind_config::Config;
pub use super::kinds::{Kind, Readiness, Registration};
use super::metrics::{Counter, Metrics};
use super::spec::PeerSpec;
use super::stream::{Batch, Decoded};
use crate::event::{Event, EventId, Lineage};
use crate::value::{Str, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Acks a writer collects before it sends them (it also sends at every flush).
const ACK_BATCH: usize = 256;

/// A peer task → the executor thread.
#[derive(Debug)]
pub enum ToGraph {
    /// What one read of `stream` decoded to, in order; errors go to the peer's `err`.
    Events {
        peer: usize,
        stream: u64,
        items: Decoded,
        meta: Value,
        /// Ids to add to each event's lineage (a client's request).
        extra: Vec<EventId>,
    },
    /// A chunk of JSON lines of `stream` as the fast path decoded them (see
    /// [`crate::peer::plan`]); what did not decode goes to the peer's `err`.
    Lines {
        peer: usize,
        stream: u64,
        chunk: crate::peer::chunks::Chunk,
        meta: Value,
        extra: Vec<EventId>,
        /// Lets the stream send another chunk once this one is dropped.
        room: Option<tokio::sync::OwnedSemaphorePermit>,
        /// From a replayable reader: where to say which numbers its events got.
        numbering: Option<Numbering>,
    },
    /// Events that carry their own number and `$` (a broker's offsets and record
    /// metadata); errors go to the peer's `err`.
    Records {
        peer: usize,
        stream: u64,
        records: Vec<Numbered>,
    },
    /// An event the peer could not send: `{"error": TEXT, "event": EVENT}` on `err`,
    /// and a `fail` back along its lineage (replayed where the source can when
    /// `retry`: the failure was the transport's, not the event's).
    Failed {
        peer: usize,
        error: String,
        event: Value,
        settled: Settled,
        retry: bool,
    },
    /// Events a connection could not send once it broke: each is failed along its
    /// lineage (replayed where its sources can), without an `err` record each.
    FailedQuietly {
        peer: usize,
        error: String,
        events: Vec<Settled>,
        retry: bool,
    },
    /// One `err` record for the `count` events a connection's writer failed quietly.
    Lost {
        peer: usize,
        stream: u64,
        error: String,
        count: u64,
    },
    /// A connection's queue, found full, is down to half: its sources may resume.
    Drained {
        peer: usize,
        stream: u64,
    },
    /// Events the peer handed to the outside world: `ack` along their lineage;
    /// `plain` more that were forwarded as read (nothing to ack along).
    Acked {
        peer: usize,
        events: Vec<Settled>,
        plain: u64,
    },
    /// The peer's circuit breaker (SPEC §5): `halted` true is `halt` (it cannot
    /// deliver), false is `ready`.
    Breaker {
        peer: usize,
        halted: bool,
    },
    /// A per-stream client about stream `stream` of peer `upstream` (its connection
    /// for it): `Ready` when it came up (the upstream stream may be read), `Halt`
    /// when it dropped, `Resume` when it is back.
    Upstream {
        upstream: Str,
        stream: u64,
        signal: UpstreamSignal,
    },
    /// A replayable source reached the end of its input having processed `fails`
    /// fails; it sends nothing more unless a later fail makes it replay.
    Eof {
        peer: usize,
        fails: u64,
    },
    Start {
        peer: usize,
        stream: u64,
    },
    End {
        peer: usize,
        stream: u64,
    },
    /// The peer will send nothing more.
    Done {
        peer: usize,
    },
    /// Time passes (wall clock only).
    Tick,
    /// Time for the peer's `metrics` event.
    Metrics {
        peer: usize,
    },
    /// Ctrl-C: drain, flush, exit.
    Stop,
    /// The peer cannot work at all (a port taken, a file that cannot be opened).
    Fatal(String),
}

/// One received record: its number on its stream, what it decoded to, its `$`.
#[derive(Debug)]
pub struct Numbered {
    pub seq: u64,
    pub item: Result<Value, (String, crate::peer::raw::Raw)>,
    pub meta: Value,
}

/// Where the executor thread writes the number of a chunk's first event and how
/// many events the chunk holds, before the first of them enters the graph: the
/// replayable reader that sent it finds an acked or failed event's position by them.
pub type Numbering = Arc<std::sync::OnceLock<(u64, u64)>>;

/// What a per-stream client says about one upstream stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpstreamSignal {
    Ready,
    Halt,
    Resume,
}

/// What contraflow needs of an event that was delivered or failed.
#[derive(Debug, Clone, Default)]
pub struct Settled {
    pub id: EventId,
    pub ingest_ns: u64,
    pub lineage: Lineage,
}

impl Settled {
    /// Takes what contraflow needs out of a sent event.
    pub fn of(ev: Event) -> Self {
        Settled {
            id: ev.id,
            ingest_ns: ev.ingest_ns,
            lineage: ev.lineage,
        }
    }

    pub fn of_ref(ev: &Event) -> Self {
        Settled {
            id: ev.id.clone(),
            ingest_ns: ev.ingest_ns,
            lineage: ev.lineage.clone(),
        }
    }
}

/// The executor thread → a replayable source (`file`, the CLI's `-i` files): what
/// became of event `seq` of its stream `stream`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    Ack {
        stream: u64,
        seq: u64,
    },
    /// Failed and worth sending again.
    Fail {
        stream: u64,
        seq: u64,
    },
}

/// The executor thread → a sink task.
#[derive(Debug)]
pub enum ToPeer {
    Event(Event),
    /// An upstream stream started (per-stream clients open a connection for it).
    Start(Str, u64),
    /// An upstream stream ended (per-stream clients close its connection).
    End(Str, u64),
}

/// The open streams of a server peer, shared by its accept loop (which opens them)
/// and the executor thread (which routes events to them and closes them once their
/// `end_stream` has passed through the graph, so late responses still go out).
#[derive(Debug, Default)]
pub struct Streams {
    pub open: BTreeMap<u64, Outbox>,
    /// The next stream id; ids below it that are not open have ended.
    pub next: u64,
}

/// Shared handle to a server's [`Streams`].
pub type SharedStreams = Arc<Mutex<Streams>>;

/// A server's new connection: registers it as the next stream (what the executor
/// routes to it arrives on the returned receiver) and starts that stream in the
/// graph; `None` once the graph has stopped.
pub async fn open_stream(ctx: &Ctx, streams: &SharedStreams) -> Option<(u64, Inbox)> {
    let (tx, rx) = queue();
    let id = {
        let mut s = lock(streams);
        let id = s.next;
        s.next += 1;
        s.open.insert(id, tx);
        id
    };
    ctx.metrics.open(id);
    let started = ctx
        .send(ToGraph::Start {
            peer: ctx.idx,
            stream: id,
        })
        .await;
    started.then_some((id, rx))
}

/// A server's open-connection slots (`max_connections`): one is held per connection.
pub struct Slots(Arc<tokio::sync::Semaphore>);

impl Slots {
    pub fn new(ctx: &Ctx) -> Self {
        Slots(Arc::new(tokio::sync::Semaphore::new(
            ctx.spec.limits.max_connections,
        )))
    }

    /// Waits for a free slot; it is free again when the returned permit is dropped.
    pub async fn take(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        self.0.clone().acquire_owned().await.ok()
    }
}

/// Locks a mutex even if a thread panicked while holding it (the data is plain maps).
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Tasks the end of a run waits for (connection writers flushing their last bytes).
pub type Pending = Arc<Mutex<Vec<JoinHandle<()>>>>;

/// What a peer task knows about its peer.
#[derive(Clone)]
pub struct Ctx {
    pub idx: usize,
    pub spec: Arc<PeerSpec>,
    pub tx: mpsc::Sender<ToGraph>,
    pub metrics: Arc<Metrics>,
    pub pending: Pending,
    /// The peer's circuit breaker, which its readers wait on.
    pub gate: Arc<super::gate::Gate>,
    /// How its streams' JSON lines are decoded.
    pub plan: Arc<super::plan::Plan>,
}

impl Ctx {
    /// Counts and sends what a read decoded to; false once the graph has stopped.
    pub async fn events(
        &self,
        stream: u64,
        items: Decoded,
        meta: &Value,
        extra: &[EventId],
    ) -> bool {
        if items.is_empty() {
            return true;
        }
        self.count_received(stream, &items);
        self.tx
            .send(ToGraph::Events {
                peer: self.idx,
                stream,
                items,
                meta: meta.clone(),
                extra: extra.to_vec(),
            })
            .await
            .is_ok()
    }

    /// A decoder for a new stream, on the fast path where the peer can take it.
    pub fn decoder(&self) -> super::stream::Decoder {
        super::stream::Decoder::fast(&self.spec, &self.plan)
    }

    /// Counts and sends what `dec` decoded so far; false once the graph has stopped.
    pub async fn decoded(
        &self,
        stream: u64,
        dec: &mut super::stream::Decoder,
        meta: &Value,
        extra: &[EventId],
    ) -> bool {
        for batch in dec.take() {
            let msg = match batch {
                Batch::Values(items) => {
                    if !self.events(stream, items, meta, extra).await {
                        return false;
                    }
                    continue;
                }
                Batch::Lines(mut chunk) => {
                    let room = dec.ahead().acquire_owned().await.ok();
                    // Decoding is shared with the executor thread: see `behind`.
                    if dec.behind() {
                        dec.decode(&mut chunk);
                    }
                    ToGraph::Lines {
                        peer: self.idx,
                        stream,
                        chunk,
                        meta: meta.clone(),
                        extra: extra.to_vec(),
                        room,
                        numbering: None,
                    }
                }
            };
            if self.tx.send(msg).await.is_err() {
                return false;
            }
        }
        true
    }

    /// [`Ctx::events`] from a thread outside the runtime.
    pub fn events_blocking(&self, stream: u64, items: Decoded, meta: &Value) -> bool {
        if items.is_empty() {
            return true;
        }
        self.count_received(stream, &items);
        self.tx
            .blocking_send(ToGraph::Events {
                peer: self.idx,
                stream,
                items,
                meta: meta.clone(),
                extra: Vec::new(),
            })
            .is_ok()
    }

    fn count_received(&self, stream: u64, items: &Decoded) {
        let bad = items.iter().filter(|i| i.is_err()).count() as u64;
        self.metrics
            .add(Counter::Recv, Some(stream), items.len() as u64);
        if bad > 0 {
            self.metrics.add(Counter::Err, Some(stream), bad);
        }
    }

    /// Sends a control message; false once the graph has stopped.
    pub async fn send(&self, msg: ToGraph) -> bool {
        self.tx.send(msg).await.is_ok()
    }

    /// An event that could not be sent: counted, reported on the peer's `err`, and
    /// failed along its lineage (not to be replayed: sending it again would fail again).
    pub async fn failed(&self, stream: Option<u64>, error: String, event: &Event) {
        self.fail(stream, error, event, false).await;
    }

    /// An event lost with its connection: as [`Ctx::failed`], but a replayable
    /// source sends it again.
    pub async fn failed_retry(&self, stream: Option<u64>, error: String, event: &Event) {
        self.fail(stream, error, event, true).await;
    }

    async fn fail(&self, stream: Option<u64>, error: String, event: &Event, retry: bool) {
        self.metrics.add(Counter::Err, stream, 1);
        let _ = self
            .tx
            .send(ToGraph::Failed {
                peer: self.idx,
                error,
                event: event.data.clone(),
                settled: Settled::of_ref(event),
                retry,
            })
            .await;
    }

    /// Events lost with a broken connection, after the first (which was reported).
    pub async fn failed_quietly(&self, stream: Option<u64>, error: &str, events: Vec<Settled>) {
        if events.is_empty() {
            return;
        }
        self.metrics.add(Counter::Err, stream, events.len() as u64);
        let _ = self
            .tx
            .send(ToGraph::FailedQuietly {
                peer: self.idx,
                error: error.to_string(),
                events,
                retry: true,
            })
            .await;
    }

    /// The end of a connection's writer that lost `count` events quietly: one record.
    pub async fn lost(&self, stream: Option<u64>, error: String, count: u64) {
        if count > 0 {
            let msg = ToGraph::Lost {
                peer: self.idx,
                stream: stream.unwrap_or(0),
                error,
                count,
            };
            let _ = self.tx.send(msg).await;
        }
    }

    /// Tells the executor when the connection's queue, once full, is down to half.
    pub async fn check_drained(&self, stream: Option<u64>, rx: &Inbox) {
        if let Some(stream) = stream {
            if rx.drained(self.spec.limits.max_queued) {
                self.send(ToGraph::Drained {
                    peer: self.idx,
                    stream,
                })
                .await;
            }
        }
    }

    /// Events handed to the outside world.
    pub async fn acked(&self, events: Vec<Settled>) {
        self.acked_with(events, 0).await;
    }

    /// [`Ctx::acked`], and `plain` more events that were forwarded as read.
    pub async fn acked_with(&self, events: Vec<Settled>, plain: u64) {
        if !events.is_empty() || plain > 0 {
            let _ = self
                .tx
                .send(ToGraph::Acked {
                    peer: self.idx,
                    events,
                    plain,
                })
                .await;
        }
    }

    /// Remembers a task the end of the run must wait for.
    pub fn track(&self, handle: JoinHandle<()>) {
        let mut p = lock(&self.pending);
        p.retain(|h| !h.is_finished());
        p.push(handle);
    }
}

/// Binds a server's address (a port in use stops the run before it starts).
pub async fn listen(
    ctx: &Ctx,
    host: &str,
    port: u16,
) -> Result<tokio::net::TcpListener, crate::peer::PeerError> {
    tokio::net::TcpListener::bind((host, port))
        .await
        .map_err(|source| crate::peer::PeerError::Listen {
            peer: ctx.spec.name.clone(),
            host: host.to_string(),
            port,
            source,
        })
}

/// `{"host": ..., "port": ...}` of a socket address.
pub fn addr_value(addr: &std::net::SocketAddr) -> Value {
    crate::record! {"host" => addr.ip().to_string(), "port" => u64::from(addr.port())}
}

/// Writes every event of `rx` to `w` through the stream's encoder, flushing when the
/// queue is empty; ends (flushed) when the executor drops the sender.
pub async fn write_events<W>(ctx: &Ctx, stream: Option<u64>, rx: impl Into<Inbox>, w: W)
where
    W: tokio::io::AsyncWrite + Unpin,
{
    write_output(ctx, stream, rx, w, None).await;
}

/// [`write_events`]; `process` names the process's own output (`stdout`, `stderr`)
/// when `w` is one, which stops the run when it cannot be written.
pub async fn write_output<W>(
    ctx: &Ctx,
    stream: Option<u64>,
    rx: impl Into<Inbox>,
    mut w: W,
    process: Option<&'static str>,
) where
    W: tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::AsyncWriteExt;
    let mut rx = rx.into();
    let mut enc = super::stream::Encoder::new(&ctx.spec);
    let mut buf = Vec::new();
    let mut broken: Option<String> = None;
    let mut acks = Vec::new();
    // After the connection broke: failed without a record each, then one record
    // (none when the break stopped the run, which said why).
    let (mut lost, mut lost_count, mut fatal) = (Vec::new(), 0u64, false);
    // Lines forwarded as read and written, to be acked with `acks`.
    let mut plain = 0u64;
    while let Some(out) = rx.next().await {
        ctx.check_drained(stream, &rx).await;
        let (bytes, ev, count) = match out {
            Outgoing::Event(ev) => {
                buf.clear();
                if broken.is_none() {
                    if let Err(e) = enc.encode(&ev.data, &mut buf) {
                        ctx.failed(stream, e.to_string(), &ev).await;
                        continue;
                    }
                }
                (&buf, Some(ev), 1)
            }
            Outgoing::Lines { bytes, count } => {
                buf = bytes;
                (&buf, None, count)
            }
        };
        if let Some(e) = &broken {
            lost.extend(settled(ev, count));
            lost_count += count;
            if rx.is_empty() || lost.len() >= ACK_BATCH {
                ctx.failed_quietly(stream, e, std::mem::take(&mut lost))
                    .await;
            }
            continue;
        }
        if let Err(e) = w.write_all(bytes).await {
            if let Some(output) = process {
                // Nobody reads the process's output any more (`| head -1`): stop the
                // run with one line instead of one error per event still to come
                // (those are taken quietly until the run has stopped).
                let text = format!("cannot write to {output}: {e}");
                ctx.send(ToGraph::Fatal(text.clone())).await;
                broken = Some(text);
                fatal = true;
                continue;
            }
            let text = crate::peer::SendError {
                peer: ctx.spec.name.clone(),
                source: e.into(),
            }
            .to_string();
            match &ev {
                Some(ev) => ctx.failed(stream, text.clone(), ev).await,
                None => {
                    ctx.failed_quietly(stream, &text, settled(None, count))
                        .await;
                    ctx.lost(stream, text.clone(), count).await;
                }
            }
            broken = Some(text);
            continue;
        }
        ctx.metrics.add(Counter::Send, stream, count);
        match ev {
            Some(ev) => acks.push(Settled::of(ev)),
            None => plain += count,
        }
        if rx.is_empty() || acks.len() >= ACK_BATCH {
            if rx.is_empty() {
                if let Err(e) = flushed(ctx, stream, &mut w, &mut acks, &mut plain).await {
                    broken = Some(e);
                    continue;
                }
            }
            ctx.acked_with(std::mem::take(&mut acks), std::mem::take(&mut plain))
                .await;
        }
    }
    if broken.is_none() {
        if let Err(e) = flushed(ctx, stream, &mut w, &mut acks, &mut plain).await {
            broken = Some(e);
        }
    }
    ctx.acked_with(acks, plain).await;
    if let Some(e) = broken {
        ctx.failed_quietly(stream, &e, lost).await;
        if !fatal {
            ctx.lost(stream, e, lost_count).await;
        }
    }
    let _ = w.shutdown().await;
}

/// Flushes `w`. When that fails (a full disk: the writes before only filled the
/// buffer), the events written since the last ack (`acks`, `plain`) are lost:
/// they are failed and reported in one record, and the error is returned.
async fn flushed<W>(
    ctx: &Ctx,
    stream: Option<u64>,
    w: &mut W,
    acks: &mut Vec<Settled>,
    plain: &mut u64,
) -> Result<(), String>
where
    W: tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::AsyncWriteExt;
    let Err(e) = w.flush().await else {
        return Ok(());
    };
    let text = crate::peer::SendError {
        peer: ctx.spec.name.clone(),
        source: e.into(),
    }
    .to_string();
    let count = acks.len() as u64 + *plain;
    let mut failed = std::mem::take(acks);
    failed.extend(settled(None, std::mem::take(plain)));
    ctx.failed_quietly(stream, &text, failed).await;
    ctx.lost(stream, text.clone(), count).await;
    Err(text)
}

/// What the executor is told of `count` events that were written or lost: the event's
/// lineage, or for lines forwarded as read (which carry none) a blank per line.
fn settled(ev: Option<Event>, count: u64) -> Vec<Settled> {
    match ev {
        Some(ev) => vec![Settled::of(ev)],
        None => (0..count).map(|_| Settled::default()).collect(),
    }
}
