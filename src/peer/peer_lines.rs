//! A peer stream's chunk of JSON lines on the executor thread (the fast path, see
//! [`super::plan`]): each line becomes an event, an `err` record, or, when the
//! graph only forwards it, is written as read to the one sink it reaches.
//!
//! The chunk keeps every line as received, so an error report can show the event
//! whole although the graph saw only the fields it reads.

use super::chunks::{Chunk, Decoded};
use super::codec::{Codec, Json};
use super::kind::{Numbering, Outgoing, Settled};
use super::metrics::Counter;
use super::router::Exec;
use super::runtime::{now_ns, Sink};
use super::stream::{line_decoder, raw_of};
use crate::event::EventId;
use crate::value::{Str, Value};

/// Lines forwarded as read to one sink, gathered until something else must come
/// first.
pub(super) struct Forwarded {
    /// The sink peer they go to.
    to: Option<usize>,
    bytes: Vec<u8>,
    count: u64,
}

/// What the events of one chunk share.
pub(super) struct Lines<'a> {
    pub(super) peer: usize,
    pub(super) stream: u64,
    pub(super) meta: &'a Value,
    pub(super) extra: &'a [EventId],
    /// From a replayable reader: where to say which numbers the events get.
    pub(super) numbering: Option<&'a Numbering>,
}

impl Exec<'_> {
    /// The lines of a chunk from stream `from.stream` of peer `from.peer`, in order.
    pub(super) fn peer_lines(&mut self, from: &Lines, chunk: &mut Chunk) {
        let (peer, stream) = (from.peer, from.stream);
        let plan = self.plans[peer].clone();
        if !chunk.is_decoded() {
            let spec = &self.peers[peer].spec;
            let decoder = self.line_decoders[peer].get_or_insert_with(|| line_decoder(spec, &plan));
            chunk.decode(decoder);
        }
        if let Some(n) = from.numbering {
            // Before any of them enters the graph: an ack may follow at once.
            let first = self.seq.get(&(peer, stream)).copied().unwrap_or(0);
            let _ = n.set((first, chunk.events()));
        }
        // Its events are acked once dropped or written, and can be failed.
        let replays = self.peers[peer].replay.is_some();
        let (lines, bad) = chunk.tally();
        let metrics = &self.peers[peer].metrics;
        metrics.add(Counter::Recv, Some(stream), lines as u64);
        if bad > 0 {
            metrics.add(Counter::Err, Some(stream), bad as u64);
        }
        let node = self.peers[peer].spec.out_node();
        let name = Str::from(self.peers[peer].spec.name.as_str());
        let read_ns = now_ns();
        let mut fwd = self.forwarded(plan.forward.as_deref());
        let mut events = 0u64;
        for (_, line, decoded, json) in chunk.take() {
            let data = match decoded {
                Decoded::Blank => continue,
                Decoded::Compact(..) => {
                    events += 1;
                    let seq = self.next_seq(peer, stream);
                    let ingest_ns = self.ingest.ingest_ns(read_ns);
                    self.forward_line(&mut fwd, json);
                    if replays && self.contraflow_wanted {
                        // Delivered once what was written is flushed, like an event.
                        let id = EventId {
                            peer: name.clone(),
                            stream,
                            event: seq,
                        };
                        let lineage = crate::event::Lineage::new();
                        let settled = Settled {
                            id,
                            ingest_ns,
                            lineage,
                        };
                        self.written.push(settled);
                    }
                    continue;
                }
                Decoded::Bad(e, preview) => {
                    self.forward(&mut fwd);
                    self.undecodable(peer, stream, e, raw_of(line.bytes(), preview));
                    continue;
                }
                Decoded::Value(v) => v,
            };
            self.forward(&mut fwd);
            events += 1;
            let id = EventId {
                peer: name.clone(),
                stream,
                event: self.next_seq(peer, stream),
            };
            self.drained = false;
            let meta = self.meta(from.meta);
            let kept = replays.then(|| id.clone());
            let ev = self.ingest.event(data, id, meta, from.extra, read_ns);
            // Only on an error report: a fresh codec, so the hot path keeps no copy.
            let original = || Json::default().decode(line.bytes()).unwrap_or_default();
            self.enter_line(&node, stream, ev, plan.projected(), &original);
            if let Some(id) = kept {
                self.ack_if_dropped(&id);
            }
            self.route();
        }
        self.forward(&mut fwd);
        self.peers[peer]
            .metrics
            .add(Counter::Out, Some(stream), events);
        // Back to the peer's streams, to be filled again.
        plan.spent.put(std::mem::take(chunk));
    }

    /// The next event number on `(peer, stream)`.
    pub(super) fn next_seq(&mut self, peer: usize, stream: u64) -> u64 {
        let next = self.seq.entry((peer, stream)).or_insert(0);
        *next += 1;
        *next - 1
    }

    /// Lines to be forwarded to output `to` (where the graph would have sent them).
    pub(super) fn forwarded(&self, to: Option<&str>) -> Forwarded {
        Forwarded {
            to: to.and_then(|to| self.sink_of(to)),
            bytes: Vec::new(),
            count: 0,
        }
    }

    /// Adds a line (its compact JSON) to `fwd`; for a sink this thread writes it
    /// goes straight into what is to be written there (no copy in between).
    pub(super) fn forward_line(&mut self, fwd: &mut Forwarded, json: &[u8]) {
        let buf = match fwd.to.map(|p| &mut self.peers[p].sink) {
            Some(Sink::Direct(d)) => d.lines(),
            _ => &mut fwd.bytes,
        };
        buf.extend_from_slice(json);
        buf.push(b'\n');
        fwd.count += 1;
    }

    /// Hands the lines gathered in `fwd` to their sink (what the graph would have
    /// sent there, had it decoded them).
    pub(super) fn forward(&mut self, fwd: &mut Forwarded) {
        if fwd.count == 0 {
            return;
        }
        let count = std::mem::take(&mut fwd.count);
        let mut bytes = std::mem::take(&mut fwd.bytes);
        let Some(p) = fwd.to else {
            return;
        };
        let sink = &mut self.peers[p];
        match &mut sink.sink {
            Sink::Direct(d) => {
                // Already in its buffer (see `forward_line`).
                d.took(count);
                return;
            }
            Sink::Writer(tx) => {
                sink.metrics.add(Counter::In, Some(0), count);
                match tx.send(Outgoing::Lines { bytes, count }) {
                    Ok(()) => {
                        sink.outstanding += count;
                        self.last_settled = std::time::Instant::now();
                        return;
                    }
                    Err(e) => match e.0 {
                        Outgoing::Lines { bytes: back, .. } => bytes = back,
                        Outgoing::Event(_) => return,
                    },
                }
            }
            _ => sink.metrics.add(Counter::In, Some(0), count),
        }
        // The writer is gone: each line is reported as an event it refused.
        let closed = format!("peer `{}` is closed", sink.spec.name);
        sink.metrics.add(Counter::Err, None, count);
        for line in fwd_lines(&bytes) {
            let event = Json::default().decode(line).unwrap_or_default();
            self.report_err(
                p,
                crate::record! {"error" => closed.clone(), "event" => event},
            );
        }
    }
}

/// The lines of forwarded bytes (each ends with `\n`).
fn fwd_lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty())
}
