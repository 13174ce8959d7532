//! Contraflow on the executor thread (SPEC §5): acks and fails from the sinks go
//! back along each event's lineage to the sources in it; circuit breakers from the
//! sinks (and `qos::backpressure`) open and close the sources' gates.
//!
//! - A replayable source (`file`, `-i` files) gets every ack and fail of its events
//!   and reads failed ones again; it is told only `retry` fails (a lost connection),
//!   the others are acked to it, as sending them again would fail again.
//! - A source that cannot replay counts the loss in its `err` counter and, when
//!   something reads its `err` port, reports it there.
//! - A source halts when every sink its events can reach is halted (a source that
//!   also feeds `out` never halts), or when a `qos::backpressure` asked it to.

use super::kind::{Replay, Settled, UpstreamSignal};
use super::metrics::Counter;
use super::router::Exec;
use super::runtime::now_ns;
use crate::event::{Event, EventId, Ids, Lineage};
use crate::exec::Contraflow;
use crate::value::{Str, Value};

/// Streams whose acked prefix is remembered at most (see [`Exec::acked_below`]):
/// a replayable source makes a stream per replay, so they add up over a long run.
pub(super) const ACKED_STREAMS: usize = 1024;

/// How long the end of a run waits for sinks that neither ack nor fail.
const STALL: std::time::Duration = std::time::Duration::from_secs(10);

impl Exec<'_> {
    /// Sink `sink` handed `events`, and `plain` lines forwarded as read (which
    /// carry no lineage), to the outside world.
    pub(super) fn acked(&mut self, sink: usize, events: Vec<Settled>, plain: u64) {
        self.last_settled = std::time::Instant::now();
        let p = &mut self.peers[sink];
        p.outstanding = p.outstanding.saturating_sub(events.len() as u64 + plain);
        // No replayable source and no `qos` operator: nobody to tell.
        if !self.has_qos && self.peers.iter().all(|p| p.replay.is_none()) {
            return;
        }
        for s in &events {
            self.ack(&s.id, s.ingest_ns, &s.lineage);
        }
    }

    /// Acks an event that left through `out` or `err` once what was written is
    /// flushed (a process killed before the flush must not have acked it).
    pub(super) fn ack_written(&mut self, ev: &Event) {
        if !self.contraflow_wanted {
            return;
        }
        // Only the ids it is the first to ack are kept until the flush (a sliding
        // window's result names its whole window, all but one of them written
        // before): a flush that fails stops the run, so none of them is acked then.
        let lineage = if ev.lineage.is_empty() {
            Lineage::new()
        } else {
            let fresh = self.not_yet_acked(&ev.lineage);
            if fresh.is_empty() && !self.has_qos {
                return;
            }
            fresh
        };
        self.written.push(Settled {
            id: ev.id.clone(),
            ingest_ns: ev.ingest_ns,
            lineage,
        });
    }

    /// The output was flushed: what was written to it is delivered.
    pub(super) fn ack_flushed(&mut self) {
        for s in std::mem::take(&mut self.written) {
            self.send_acks(&s.id, s.ingest_ns, Ids::of(&s.id, &s.lineage));
        }
    }

    /// Acks along `lineage` (an empty lineage is the event itself).
    fn ack(&mut self, id: &EventId, ingest_ns: u64, lineage: &Lineage) {
        if lineage.is_empty() {
            self.send_acks(id, ingest_ns, Ids::One(id));
        } else {
            let fresh = self.not_yet_acked(lineage);
            self.send_acks(id, ingest_ns, Ids::Many(&fresh));
        }
    }

    /// The ids of `lineage` that a replayable source has not been told of yet, its
    /// other ids left out; from now on they count as acked. An event is acked
    /// once: in a run whose numbers ascend (see [`crate::event::RunRef`]) the ones
    /// acked already are a prefix, found by halving; any other run is walked.
    /// A result that names the same events as the one before (a sliding window's)
    /// costs a search, not a message per id to the source.
    fn not_yet_acked(&mut self, lineage: &Lineage) -> Lineage {
        let mut fresh = Lineage::new();
        let mut keep = Vec::new();
        for run in lineage.runs() {
            let (peer, stream, numbers) = (run.peer, run.stream, run.numbers);
            let Some(src) = self.source_of_name(peer) else {
                continue;
            };
            if self.peers[src].replay.is_none() {
                continue;
            }
            if self.acked_below.len() >= ACKED_STREAMS {
                // Only an optimisation: starting over acks some events twice.
                self.acked_below.clear();
            }
            let below = self.acked_below.entry((src, stream)).or_insert(0);
            let first = if run.ascending {
                numbers.partition_point(|&seq| seq < *below)
            } else {
                0
            };
            keep.clear();
            for &seq in &numbers[first..] {
                if seq < *below {
                    continue;
                }
                if seq == *below {
                    *below += 1;
                }
                keep.push(seq);
            }
            fresh.push_numbers(peer, stream, &keep);
        }
        fresh
    }

    /// Acks `ids` at their replayable sources, and event `id` to the `qos` operators.
    fn send_acks(&mut self, id: &EventId, ingest_ns: u64, ids: Ids<'_>) {
        self.ack_sources(ids);
        if self.has_qos {
            // With `--clock index` ingest times are not times: no latency to judge.
            let latency_ns = if self.index_clock {
                0
            } else {
                now_ns().saturating_sub(ingest_ns)
            };
            self.executor.contraflow(&Contraflow::Ack {
                id: id.clone(),
                latency_ns,
            });
            self.raised();
        }
    }

    /// Acks one event of a replayable source.
    pub(super) fn ack_source(&mut self, id: &EventId) {
        self.ack_sources(Ids::One(id));
    }

    /// Acks `ids` at their sources that can replay (the others keep no state of it).
    fn ack_sources(&self, ids: Ids<'_>) {
        for run in ids.runs() {
            let replay = self
                .source_of_name(run.peer)
                .and_then(|s| self.peers[s].replay.as_ref());
            let Some(tx) = replay else {
                continue;
            };
            for &seq in run.numbers {
                let _ = tx.send(Replay::Ack {
                    stream: run.stream,
                    seq,
                });
            }
        }
    }

    fn source_of(&self, id: &EventId) -> Option<usize> {
        self.source_of_name(&id.peer)
    }

    fn source_of_name(&self, peer: &str) -> Option<usize> {
        self.by_name.get(peer).copied()
    }

    /// Sink `sink` could not deliver `event`: reported on its `err`, failed along the lineage.
    pub(super) fn failed(
        &mut self,
        sink: usize,
        error: String,
        event: Value,
        settled: &Settled,
        retry: bool,
    ) {
        self.last_settled = std::time::Instant::now();
        let p = &mut self.peers[sink];
        p.outstanding = p.outstanding.saturating_sub(1);
        // Sent again by every source it came from: not lost, so not an error record
        // (the sink's `err` counter has it).
        let replayed = retry
            && Ids::of(&settled.id, &settled.lineage).iter().all(|id| {
                self.source_of(&id)
                    .is_some_and(|s| self.peers[s].replay.is_some())
            });
        self.fail_lineage(settled, &error, &event, retry, Some(sink));
        if !replayed {
            let doc = crate::record! {"error" => error, "event" => event};
            self.report_err(sink, doc);
        }
    }

    /// Fails along `settled`'s lineage: replayable sources replay (when `retry`),
    /// the others count the loss (and report it on their `err` port, unless that
    /// source is the sink that reports it already).
    pub(super) fn fail_lineage(
        &mut self,
        settled: &Settled,
        error: &str,
        event: &Value,
        retry: bool,
        reported_by: Option<usize>,
    ) {
        let mut lost: Vec<usize> = Vec::new();
        for id in Ids::of(&settled.id, &settled.lineage).iter() {
            let Some(src) = self.source_of(&id) else {
                continue;
            };
            let p = &mut self.peers[src];
            match (&p.replay, retry) {
                (Some(tx), true) => {
                    let msg = Replay::Fail {
                        stream: id.stream,
                        seq: id.event,
                    };
                    if tx.send(msg).is_ok() {
                        p.fails_sent += 1;
                        p.eof = false;
                        self.drained = false;
                    }
                }
                (Some(tx), false) => {
                    p.metrics.add(Counter::Err, Some(id.stream), 1);
                    let _ = tx.send(Replay::Ack {
                        stream: id.stream,
                        seq: id.event,
                    });
                }
                // The sink that failed it counted it already.
                (None, _) if Some(src) == reported_by => {}
                (None, _) => {
                    p.metrics.add(Counter::Err, Some(id.stream), 1);
                    if !lost.contains(&src) {
                        lost.push(src);
                    }
                }
            }
        }
        for src in lost {
            if self.peers[src].err_connected {
                let text = format!("not delivered, and this source cannot replay: {error}");
                let doc = crate::record! {"error" => text, "event" => event.clone()};
                self.report_err(src, doc);
            }
        }
        if self.has_qos {
            self.executor.contraflow(&Contraflow::Fail {
                id: settled.id.clone(),
            });
            self.raised();
        }
    }

    /// Sink `sink` said `halt` (`true`) or `ready`.
    pub(super) fn breaker(&mut self, sink: usize, halted: bool) {
        self.peers[sink].halted = halted;
        self.update_gates();
    }

    /// A per-stream client about stream `stream` of source `upstream`.
    pub(super) fn upstream(&mut self, upstream: &Str, stream: u64, signal: UpstreamSignal) {
        let Some(&src) = self.by_name.get(upstream.as_str()) else {
            return;
        };
        let gate = &self.peers[src].gate;
        match signal {
            UpstreamSignal::Ready => gate.ready(stream),
            UpstreamSignal::Halt => gate.set_stream_halted(stream, true),
            UpstreamSignal::Resume => gate.set_stream_halted(stream, false),
        }
    }

    /// Circuit breakers the graph's operators raised (`qos::backpressure`).
    pub(super) fn raised(&mut self) {
        let raised = self.executor.take_contraflow();
        if raised.is_empty() {
            return;
        }
        for c in raised {
            let (peer, halted) = match &c {
                Contraflow::Halt { peer, .. } => (peer, true),
                Contraflow::Ready { peer, .. } => (peer, false),
                _ => continue,
            };
            if let Some(&src) = self.by_name.get(peer.as_str()) {
                self.peers[src].bp_halted = halted;
            }
        }
        self.update_gates();
    }

    /// Opens or closes each source's gate from what its sinks said.
    fn update_gates(&mut self) {
        for i in 0..self.peers.len() {
            let p = &self.peers[i];
            let halted = p.bp_halted
                || (!p.feeds_other
                    && !p.feeds.is_empty()
                    && p.feeds.iter().all(|&f| self.peers[f].halted));
            p.gate.set_halted(halted);
        }
    }

    /// Every event handed to a sink was acked or failed.
    pub(super) fn settled(&self) -> bool {
        self.peers.iter().all(|p| p.outstanding == 0)
    }

    /// The sinks still hold events but none is waiting for its destination (halted)
    /// and none has said anything for [`STALL`]: the end of the run stops waiting for
    /// them, and says so.
    pub(super) fn stalled(&mut self) -> bool {
        if self.peers.iter().any(|p| p.halted) || self.last_settled.elapsed() < STALL {
            return false;
        }
        for p in self.peers.iter().filter(|p| p.outstanding > 0) {
            crate::diag::say(format_args!(
                "peer `{}` confirmed neither delivery nor failure of {} event(s) within {} s; not waiting any longer",
                p.spec.name,
                p.outstanding,
                STALL.as_secs()
            ));
        }
        for p in &mut self.peers {
            p.outstanding = 0;
        }
        true
    }
}
