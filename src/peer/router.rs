//! The executor thread's side of a peer run: peer messages become events and
//! signals, and the graph's outputs are routed to the peers (the run's `out` and
//! `err` among them).

use super::engine::Engine;
use super::input::{LineInput, Polled};
use super::kind::{lock, Offer, Outgoing, Settled, ToGraph, ToPeer};
use super::metrics::Counter;
use super::runtime::{now_ns, Peer, Sink};
use crate::event::{Event, EventId, Ingest, Signal};
use crate::value::{Str, Value};
use rustc_hash::FxHashMap;
use std::collections::BTreeSet;
use tokio::sync::mpsc;

/// Messages handled before outputs are flushed (so a busy graph still writes).
const BATCH: usize = 256;
/// How long the executor thread waits for the built-in input before it looks at
/// other messages.
const INPUT_WAIT: std::time::Duration = std::time::Duration::from_millis(20);
/// `err` events that feed back into a peer can loop; they stop after this many rounds.
const MAX_ERR_ROUNDS: usize = 8;

/// How the run is going.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Running,
    /// Every other source has ended: clients finish their last exchanges.
    ClosingClients,
    Finished,
}

/// The executor and everything the executor thread owns.
pub(super) struct Exec<'a> {
    pub(super) executor: Box<dyn Engine + 'a>,
    /// The built-in input `in` when the fast reader feeds it (else it is a peer
    /// task like any other).
    pub(super) input: Option<LineInput>,
    /// Ids, ingest times and lineage of the events that come in.
    pub(super) ingest: Ingest,
    pub(super) peers: Vec<Peer>,
    /// `p/in` → index of peer `p` (`out` and `err` → the run's own outputs).
    pub(super) sinks_by_node: FxHashMap<String, usize>,
    /// The peer that takes what nothing else reads (outputs no peer reads, error
    /// records of peers whose `err` port is not read): the run's `err`.
    pub(super) stray: Option<usize>,
    /// Next event sequence number per `(peer, stream)`.
    pub(super) seq: FxHashMap<(usize, u64), u64>,
    /// Per `(peer, stream)` of a replayable source: every event below this number
    /// has been acked, so acking it again is skipped (a sliding window's results
    /// name the same events over and over; see [`Exec::ack`]). Kept after a stream
    /// ends (its acks come later), and cleared when it holds
    /// [`super::contraflow::ACKED_STREAMS`].
    pub(super) acked_below: FxHashMap<(usize, u64), u64>,
    /// Streams started and not yet ended.
    pub(super) open: BTreeSet<(usize, u64)>,
    pub(super) index_clock: bool,
    pub(super) outputs: Vec<(String, Event)>,
    /// What [`Exec::route`] is handing on (kept for its capacity).
    routing: Vec<(String, Event)>,
    /// The output [`Exec::route`] routed last, and its sink.
    last_route: (String, Option<usize>),
    /// Peer name → index, for lineage.
    pub(super) by_name: FxHashMap<String, usize>,
    /// The graph can hold events back (windows, batches), so an event that produced
    /// nothing yet is not done with.
    pub(super) retains: bool,
    /// The graph has operators that react to contraflow.
    pub(super) has_qos: bool,
    /// Acks are worth sending (a replayable source or a qos operator).
    pub(super) contraflow_wanted: bool,
    /// Windows were drained since the last event came in.
    pub(super) drained: bool,
    pub(super) final_flush: bool,
    /// Written by a [`Sink::Direct`] (`out`, `err`), acked at the next flush.
    pub(super) written: Vec<Settled>,
    /// When a sink was last handed an event, or acked or failed one.
    pub(super) last_settled: std::time::Instant,
    /// Server connections whose queue was found full, by `(sink, stream)`.
    pub(super) backlogs: FxHashMap<(usize, u64), super::backlog::Backlog>,
    /// `--record`: every event and signal that enters the graph, as steps.
    pub(super) recorder: Option<crate::testcase::Recorder>,
    /// How each peer's JSON lines are decoded (by index).
    pub(super) plans: Vec<std::sync::Arc<super::plan::Plan>>,
    /// Decoders for the chunks that arrive undecoded, by peer (made when first needed).
    pub(super) line_decoders: Vec<Option<super::chunks::Decoder>>,
    /// Events keep the `$` their peer gave them (else they get an empty one: nothing
    /// in the graph or the sinks reads it).
    pub(super) keep_meta: bool,
}

impl<'a> Exec<'a> {
    /// The executor thread's state for `peers` (the run's own outputs among them).
    pub(super) fn new(
        executor: Box<dyn Engine + 'a>,
        graph: &crate::exec::graph::Graph,
        peers: Vec<Peer>,
        index_clock: bool,
        final_flush: bool,
    ) -> Self {
        use crate::exec::graph::NodeKind;
        let retains = graph.nodes.iter().any(|n| match &n.kind {
            NodeKind::Select(s) => !s.emit.windows.is_empty(),
            NodeKind::Op { kind, .. } => kind.ends_with("batch"),
            _ => false,
        });
        let has_qos = graph.nodes.iter().any(
            |n| matches!(&n.kind, NodeKind::Op { kind, .. } if kind.ends_with("backpressure")),
        );
        let mut sinks_by_node = FxHashMap::default();
        let mut by_name = FxHashMap::default();
        for (i, p) in peers.iter().enumerate() {
            sinks_by_node.insert(p.spec.in_node(), i);
            by_name.insert(p.spec.name.clone(), i);
        }
        let stray = by_name.get("err").copied();
        let contraflow_wanted = has_qos || peers.iter().any(|p| p.replay.is_some());
        let plans = peers.iter().map(|_| std::sync::Arc::default()).collect();
        let line_decoders = peers.iter().map(|_| None).collect();
        Exec {
            executor,
            input: None,
            ingest: Ingest::new(index_clock, true),
            peers,
            sinks_by_node,
            stray,
            seq: FxHashMap::default(),
            acked_below: FxHashMap::default(),
            open: BTreeSet::new(),
            index_clock,
            outputs: Vec::new(),
            routing: Vec::new(),
            last_route: (String::new(), None),
            by_name,
            retains,
            has_qos,
            contraflow_wanted,
            drained: false,
            final_flush,
            written: Vec::new(),
            last_settled: std::time::Instant::now(),
            backlogs: FxHashMap::default(),
            recorder: None,
            line_decoders,
            plans,
            keep_meta: true,
        }
    }

    /// Handles messages until the run is over; returns the exit code.
    pub(super) fn main_loop(&mut self, rx: &mut mpsc::Receiver<ToGraph>) -> i32 {
        let mut status = 0;
        let mut phase = Phase::Running;
        self.start_input();
        phase = self.advance(phase);
        while phase != Phase::Finished {
            let mut next = if self.input.is_some() {
                // The input is polled with a short wait; other messages (ticks,
                // Ctrl-C, metrics) are taken between its chunks.
                match self.poll_input(INPUT_WAIT) {
                    Polled::Going => {}
                    Polled::Ended => self.close_input(),
                    Polled::Failed(e) => {
                        crate::diag::say(&e);
                        status = 3;
                        phase = Phase::Finished;
                    }
                }
                rx.try_recv().ok()
            } else {
                match rx.blocking_recv() {
                    Some(first) => Some(first),
                    None => break,
                }
            };
            let mut handled = 0;
            while let Some(msg) = next.take() {
                match msg {
                    ToGraph::Stop => phase = Phase::Finished,
                    ToGraph::Fatal(text) => {
                        crate::diag::say(&text);
                        status = 3;
                        phase = Phase::Finished;
                    }
                    other => self.handle(other),
                }
                handled += 1;
                if phase != Phase::Finished && handled < BATCH {
                    next = rx.try_recv().ok();
                }
            }
            if self.output_failed() {
                status = 3;
                phase = Phase::Finished;
            }
            if phase != Phase::Finished {
                phase = self.advance(phase);
            }
            self.flush();
        }
        // Stopped (Ctrl-C, a failure): the input reads no more, its stream ends.
        self.close_input();
        self.finish();
        self.flush();
        status
    }

    /// A message that came after the run ended: what could not be sent is still
    /// reported.
    pub(super) fn late(&mut self, msg: ToGraph) {
        match msg {
            ToGraph::Failed { error, event, .. } => {
                self.write_err(&crate::record! {"error" => error, "event" => event});
            }
            // A sink's last flush failed after the graph stopped: still reported.
            ToGraph::Lost {
                peer,
                stream,
                error,
                count,
            } => {
                let doc = self.lost_record(peer, stream, error, count);
                self.write_err(&doc);
            }
            // Still delivered: the sources may commit them.
            ToGraph::Acked {
                peer,
                events,
                plain,
            } => self.acked(peer, events, plain),
            _ => {}
        }
    }

    /// Moves to the next phase when the sources it waits for are done.
    fn advance(&mut self, mut phase: Phase) -> Phase {
        let waiting = |peers: &[Peer], clients: bool| {
            peers
                .iter()
                .any(|p| p.source && !p.done && !p.eof && p.client == clients)
        };
        // Clients follow their upstream: once every other source has ended (or, if it
        // can replay, reached its end with nothing failed since), windows are drained
        // while the clients can still take what comes out, and once every sink has
        // acked or failed what it was handed, clients send what they hold and close.
        // Clients that are the only sources (a client reading what a server pushes)
        // run until they end by themselves.
        let upstream = self.peers.iter().any(|p| p.source && !p.client);
        if phase == Phase::Running && upstream && !waiting(&self.peers, false) {
            if self.final_flush && !self.drained {
                self.drained = true;
                self.signal(&Signal::Drain);
            }
            if !self.settled() && !self.stalled() {
                return phase;
            }
            for p in self.peers.iter_mut().filter(|p| p.client) {
                p.sink = Sink::None;
            }
            phase = Phase::ClosingClients;
        }
        if phase == Phase::Running && !upstream && !waiting(&self.peers, true) {
            phase = Phase::Finished;
        }
        if phase == Phase::ClosingClients && !waiting(&self.peers, true) {
            phase = Phase::Finished;
        }
        phase
    }

    /// End of the run: open streams end, `drain`, every sink closes.
    fn finish(&mut self) {
        let open: Vec<(usize, u64)> = self.open.iter().copied().collect();
        for (peer, stream) in open {
            self.end_stream(peer, stream);
        }
        // Not again when nothing came in since the last drain.
        if self.final_flush && !self.drained {
            self.drained = true;
            self.signal(&Signal::Drain);
        }
        self.close_sinks();
    }

    /// Drops every sink channel, so sink tasks flush and end. The sinks this thread
    /// writes stay: late failures are still reported on `err`, and
    /// [`Exec::end_outputs`] flushes them last.
    pub(super) fn close_sinks(&mut self) {
        for p in &mut self.peers {
            match &p.sink {
                Sink::Direct(_) => continue,
                Sink::Server(s) => lock(s).open.clear(),
                _ => {}
            }
            p.sink = Sink::None;
        }
    }

    fn handle(&mut self, msg: ToGraph) {
        match msg {
            ToGraph::Events {
                peer,
                stream,
                items,
                meta,
                extra,
            } => {
                let (node, read_ns) = (self.peers[peer].spec.out_node(), now_ns());
                let mut n = 0;
                for item in items {
                    match item {
                        Ok(data) => {
                            n += 1;
                            let at = (stream, None, read_ns);
                            let meta = self.meta(&meta);
                            self.event(peer, at, data, meta, &extra, &node);
                        }
                        Err((error, raw)) => self.undecodable(peer, stream, error, raw),
                    }
                }
                self.peers[peer].metrics.add(Counter::Out, Some(stream), n);
            }
            ToGraph::Lines {
                peer,
                stream,
                mut chunk,
                meta,
                extra,
                numbering,
                ..
            } => {
                let from = super::peer_lines::Lines {
                    peer,
                    stream,
                    meta: &meta,
                    extra: &extra,
                    numbering: numbering.as_ref(),
                };
                self.peer_lines(&from, &mut chunk);
            }
            ToGraph::Records {
                peer,
                stream,
                records,
            } => {
                let (node, read_ns) = (self.peers[peer].spec.out_node(), now_ns());
                let mut n = 0;
                for r in records {
                    match r.item {
                        Ok(data) => {
                            n += 1;
                            let at = (stream, Some(r.seq), read_ns);
                            self.event(peer, at, data, r.meta, &[], &node);
                        }
                        Err((error, raw)) => self.undecodable(peer, stream, error, raw),
                    }
                }
                self.peers[peer].metrics.add(Counter::Out, Some(stream), n);
            }
            ToGraph::Failed {
                peer,
                error,
                event,
                settled,
                retry,
            } => self.failed(peer, error, event, &settled, retry),
            ToGraph::Acked {
                peer,
                events,
                plain,
            } => self.acked(peer, events, plain),
            ToGraph::FailedQuietly {
                peer,
                error,
                events,
                retry,
            } => self.failed_quietly(peer, &error, events, retry),
            ToGraph::Lost {
                peer,
                stream,
                error,
                count,
            } => self.lost(peer, stream, error, count),
            ToGraph::Drained { peer, stream } => self.queue_drained(peer, stream),
            ToGraph::Breaker { peer, halted } => self.breaker(peer, halted),
            ToGraph::Upstream {
                upstream,
                stream,
                signal,
            } => self.upstream(&upstream, stream, signal),
            ToGraph::Eof { peer, fails } => {
                let p = &mut self.peers[peer];
                // A fail sent after the source said this is still on its way to it.
                p.eof = fails == p.fails_sent;
            }
            ToGraph::Start { peer, stream } => self.start_stream(peer, stream),
            ToGraph::End { peer, stream } => self.end_stream(peer, stream),
            ToGraph::Done { peer } => self.peers[peer].done = true,
            ToGraph::Tick => self.signal(&Signal::Tick(now_ns())),
            ToGraph::Metrics { peer } => {
                let p = &self.peers[peer];
                let data = p.metrics.event(&p.spec.name, now_ns());
                let node = p.spec.metrics_node();
                let mut ev = self.ingest.internal(data, now_ns());
                // It enters through the peer: `source_id()` names it.
                ev.id.peer = Str::from(p.spec.name.as_str());
                self.enter(&node, 0, ev);
                self.route();
            }
            ToGraph::Stop | ToGraph::Fatal(_) => {}
        }
    }

    /// Bytes that did not decode: `{"error", "peer", "stream", "raw"}` on `err`.
    pub(super) fn undecodable(
        &mut self,
        peer: usize,
        stream: u64,
        error: String,
        raw: super::raw::Raw,
    ) {
        let name = self.peers[peer].spec.name.clone();
        let mut doc = crate::record! {"error" => error, "peer" => name, "stream" => stream};
        raw.add_to(&mut doc);
        self.report_err(peer, doc);
    }

    pub(super) fn end_stream(&mut self, peer: usize, stream: u64) {
        if !self.open.remove(&(peer, stream)) {
            return;
        }
        let name = Str::from(self.peers[peer].spec.name.as_str());
        self.signal(&Signal::EndStream {
            peer: name.clone(),
            stream,
        });
        self.tell_followers(peer, || ToPeer::End(name.clone(), stream));
        // Only now: what the end flushed out of windows could still go back on it.
        if let Sink::Server(s) = &self.peers[peer].sink {
            lock(s).open.remove(&stream);
        }
        self.queue_closed(peer, stream);
        self.peers[peer].gate.forget(stream);
        // Nothing of an ended stream is kept (its counters live on in the totals).
        self.seq.remove(&(peer, stream));
        self.peers[peer].metrics.end(stream);
    }

    /// An event into the graph at `node` (peer `peer`'s output, which counts it):
    /// numbered next on its stream unless `seq` gives its number (a broker's offset).
    fn event(
        &mut self,
        peer: usize,
        (stream, seq, read_ns): (u64, Option<u64>, u64),
        data: Value,
        meta: Value,
        extra: &[EventId],
        node: &str,
    ) {
        let next = self.seq.entry((peer, stream)).or_insert(0);
        let event = seq.unwrap_or(*next);
        *next = event + 1;
        let id = EventId {
            peer: Str::from(self.peers[peer].spec.name.as_str()),
            stream,
            event,
        };
        self.drained = false;
        let replayable = self.peers[peer].replay.is_some();
        let kept = replayable.then(|| id.clone());
        let ev = self.ingest.event(data, id, meta, extra, read_ns);
        self.enter(node, stream, ev);
        if let Some(id) = kept {
            self.ack_if_dropped(&id);
        }
        self.route();
    }

    /// Event `id` of a replayable source just entered the graph: when nothing came
    /// out and nothing can be holding it, the graph dropped it, which is as done as
    /// it gets.
    pub(super) fn ack_if_dropped(&mut self, id: &EventId) {
        let carried = self
            .outputs
            .iter()
            .any(|(_, e)| e.id == *id || e.lineage.contains(id));
        if !self.retains && !carried {
            self.ack_source(id);
        }
    }

    /// The `$` of an event its peer gave `meta`.
    pub(super) fn meta(&self, meta: &Value) -> Value {
        if self.keep_meta {
            meta.clone()
        } else {
            crate::value::recycle::record()
        }
    }

    /// The one place events enter the graph (so `--record` sees them all).
    pub(super) fn enter(&mut self, node: &str, stream: u64, mut ev: Event) {
        if let Some(r) = &mut self.recorder {
            ev.ingest_ns = r.ingest_ns(ev.ingest_ns);
            r.event(node, stream, ev.ingest_ns, &ev.data);
        }
        self.executor.send(node, ev, &mut self.outputs);
        self.count_late();
    }

    /// Late events (SPEC 7.1) count in their source's `err` metric.
    fn count_late(&mut self) {
        for (peer, stream) in self.executor.take_late() {
            if let Some(&p) = self.by_name.get(peer.as_str()) {
                self.peers[p].metrics.add(Counter::Err, Some(stream), 1);
            }
        }
    }

    /// [`Exec::enter`] for an event decoded from a line by the fast path (with only
    /// the fields the graph reads when `projected`; `original` decodes it whole).
    pub(super) fn enter_line(
        &mut self,
        node: &str,
        stream: u64,
        mut ev: Event,
        projected: bool,
        original: &dyn Fn() -> Value,
    ) {
        if let Some(r) = &mut self.recorder {
            ev.ingest_ns = r.ingest_ns(ev.ingest_ns);
            r.event(node, stream, ev.ingest_ns, &ev.data);
        }
        self.executor
            .send_line(node, ev, projected, original, &mut self.outputs);
        self.count_late();
    }

    /// The one place signals enter the graph.
    /// A stream of `peer` starts: the graph and the per-stream clients that follow
    /// the peer hear of it.
    pub(super) fn start_stream(&mut self, peer: usize, stream: u64) {
        self.open.insert((peer, stream));
        self.seq.insert((peer, stream), 0);
        let name = Str::from(self.peers[peer].spec.name.as_str());
        self.signal(&Signal::StartStream {
            peer: name.clone(),
            stream,
        });
        self.tell_followers(peer, || ToPeer::Start(name.clone(), stream));
    }

    /// Sends `msg` to each per-stream client that follows `peer`'s streams.
    fn tell_followers(&self, peer: usize, msg: impl Fn() -> ToPeer) {
        for &f in &self.peers[peer].followers {
            if let Sink::Control(tx) = &self.peers[f].sink {
                // A client that has stopped hears of no more streams.
                let _ = tx.send(msg());
            }
        }
    }

    pub(super) fn signal(&mut self, s: &Signal) {
        self.executor.signal(s, &mut self.outputs);
        if let Some(r) = &mut self.recorder {
            r.signal(s, !self.outputs.is_empty());
        }
        self.route();
    }

    /// A record for peer `peer`'s `err` port (or stderr when nothing reads it).
    pub(super) fn report_err(&mut self, peer: usize, doc: Value) {
        let p = &self.peers[peer];
        if p.err_connected {
            let node = p.spec.err_node();
            let mut ev = self.ingest.internal(doc, now_ns());
            ev.id.peer = Str::from(p.spec.name.as_str());
            self.enter(&node, 0, ev);
            self.route();
        } else {
            self.write_err(&doc);
        }
    }

    /// A record of the runtime's own (no event of the graph) on the run's `err`.
    pub(super) fn write_err(&mut self, v: &Value) {
        let Some(e) = self.stray else {
            return;
        };
        if let Sink::Direct(d) = &mut self.peers[e].sink {
            d.value(v);
        }
    }

    /// The peer that output `name` goes to: its sink peer, or the run's `err`.
    pub(super) fn sink_of(&self, name: &str) -> Option<usize> {
        self.sinks_by_node.get(name).copied().or(self.stray)
    }

    /// Sends what the graph emitted where it goes; failures to send come back as
    /// `err` events of the peer, which are routed in turn (a bounded number of rounds).
    pub(super) fn route(&mut self) {
        for _ in 0..MAX_ERR_ROUNDS {
            if self.outputs.is_empty() {
                return;
            }
            let mut failures = Vec::new();
            let mut handed = false;
            // The two buffers swap places, so neither is allocated again per event.
            let mut batch = std::mem::take(&mut self.routing);
            std::mem::swap(&mut batch, &mut self.outputs);
            for (name, ev) in batch.drain(..) {
                let Some(p) = self.route_to(name) else {
                    continue;
                };
                if self.write_direct(p, &ev) {
                    continue;
                }
                handed = true;
                failures.extend(self.send_to_peer(p, ev).into_iter().map(|f| (p, f)));
            }
            self.routing = batch;
            if handed {
                self.last_settled = std::time::Instant::now();
            }
            for (p, (error, data, settled)) in failures {
                self.fail_lineage(&settled, &error, &data, false, Some(p));
                self.report_err(p, crate::record! {"error" => error, "event" => data});
            }
        }
        // Still more after the last round: an err loop; report instead of feeding it.
        for (_, ev) in std::mem::take(&mut self.outputs) {
            if let Some(e) = self.stray {
                self.send_to_peer(e, ev);
            }
        }
    }

    /// The sink of output `name`. Most outputs go where the one before went, so
    /// the last answer is kept (a comparison instead of a lookup per event).
    fn route_to(&mut self, name: String) -> Option<usize> {
        if name != self.last_route.0 {
            self.last_route.1 = self.sink_of(&name);
            self.last_route.0 = name;
        }
        self.last_route.1
    }

    /// Writes `ev` when peer `p` is a sink this thread writes (the run's `out` and
    /// `err`); false when it is not.
    fn write_direct(&mut self, p: usize, ev: &Event) -> bool {
        let Sink::Direct(d) = &mut self.peers[p].sink else {
            return false;
        };
        d.value(&ev.data);
        self.ack_written(ev);
        true
    }

    /// Hands `ev` to peer `p`; returns `(error, event, lineage)` for what could not be sent.
    fn send_to_peer(&mut self, p: usize, ev: Event) -> Vec<(String, Value, Settled)> {
        if self.write_direct(p, &ev) {
            return Vec::new();
        }
        let peer = &mut self.peers[p];
        let closed = format!("peer `{}` is closed", peer.spec.name);
        let refused = |ev: Event| {
            let data = ev.data.clone();
            vec![(closed.clone(), data, Settled::of(ev))]
        };
        match &peer.sink {
            Sink::None | Sink::Direct(_) => {
                peer.metrics.add(Counter::Err, None, 1);
                refused(ev)
            }
            Sink::Events(tx) => {
                peer.metrics.add(Counter::In, Some(0), 1);
                match tx.send(ev) {
                    Ok(()) => {
                        peer.outstanding += 1;
                        Vec::new()
                    }
                    Err(e) => refused(e.0),
                }
            }
            Sink::Writer(tx) => {
                peer.metrics.add(Counter::In, Some(0), 1);
                match tx.send(Outgoing::Event(ev)) {
                    Ok(()) => {
                        peer.outstanding += 1;
                        Vec::new()
                    }
                    Err(e) => match e.0 {
                        Outgoing::Event(ev) => refused(ev),
                        Outgoing::Lines { .. } => Vec::new(),
                    },
                }
            }
            Sink::Control(tx) => {
                peer.metrics.add(Counter::In, None, 1);
                match tx.send(ToPeer::Event(ev)) {
                    Ok(()) => {
                        peer.outstanding += 1;
                        Vec::new()
                    }
                    Err(e) => match e.0 {
                        ToPeer::Event(ev) => refused(ev),
                        _ => Vec::new(),
                    },
                }
            }
            Sink::Server(streams) => {
                let name = peer.spec.name.as_str();
                let own = (&ev.id.peer, ev.id.stream);
                let mut targets: Vec<u64> = std::iter::once(own)
                    .chain(ev.lineage.streams())
                    .filter(|(peer, _)| *peer == name)
                    .map(|(_, stream)| stream)
                    .collect();
                targets.sort_unstable();
                targets.dedup();
                let s = lock(streams);
                let max = peer.spec.limits.max_queued;
                let mut failures = Vec::new();
                let mut handed = 0;
                let mut nobody = false;
                // Connections whose queue is full: `(stream, event, first time)`.
                let mut full = Vec::new();
                if targets.is_empty() {
                    for (id, tx) in &s.open {
                        peer.metrics.add(Counter::In, Some(*id), 1);
                        match tx.offer(ev.clone(), max) {
                            Offer::Queued => handed += 1,
                            Offer::Full { event, first } => full.push((*id, event, first)),
                            Offer::Closed(_) => {}
                        }
                    }
                    // Nobody to send it to: delivered to all zero of them, but it
                    // did reach the peer, which counts it (SPEC §6).
                    nobody = s.open.is_empty();
                    if nobody {
                        peer.metrics.add(Counter::In, None, 1);
                    }
                } else {
                    for id in targets {
                        peer.metrics.add(Counter::In, Some(id), 1);
                        let offered = s.open.get(&id).map(|tx| tx.offer(ev.clone(), max));
                        match offered {
                            Some(Offer::Queued) => handed += 1,
                            Some(Offer::Full { event, first }) => full.push((id, event, first)),
                            _ => {
                                peer.metrics.add(Counter::Err, Some(id), 1);
                                failures.push((
                                    format!("stream {id} of peer `{name}` has ended"),
                                    ev.data.clone(),
                                    Settled::of_ref(&ev),
                                ));
                            }
                        }
                    }
                }
                drop(s);
                self.peers[p].outstanding += handed;
                for (stream, event, first) in full {
                    self.queue_full(p, stream, event, first);
                }
                if nobody {
                    self.ack_written(&ev);
                }
                failures
            }
        }
    }

    /// A sink this thread writes could not be written, which stops the run.
    fn output_failed(&self) -> bool {
        self.peers
            .iter()
            .any(|p| matches!(&p.sink, Sink::Direct(d) if d.stopped()))
    }

    /// Writes what the sinks this thread writes gathered, and counts it (taken in
    /// and sent out at once); what they wrote is delivered unless one failed.
    fn flush(&mut self) {
        for p in &mut self.peers {
            if let Sink::Direct(d) = &mut p.sink {
                d.flush();
                let n = d.taken();
                p.metrics.add(Counter::In, None, n);
                p.metrics.add(Counter::Send, None, n);
            }
        }
        if !self.output_failed() {
            self.ack_flushed();
        }
    }

    /// The end of the run: the sinks this thread writes are flushed a last time.
    /// When one could not be written (`out`, also a closed pipe such as `| head -1`)
    /// the run failed: one line says why and the exit code is 3.
    pub(super) fn end_outputs(&mut self, status: i32) -> i32 {
        self.flush();
        let mut status = status;
        for p in &mut self.peers {
            if let Sink::Direct(d) = &mut p.sink {
                if let Some(e) = d.take_error() {
                    crate::diag::say(format_args!("cannot write output: {e}"));
                    status = crate::exit::EXIT_RUNTIME;
                }
            }
        }
        status
    }
}

#[cfg(test)]
#[path = "router_tests.rs"]
mod tests;
