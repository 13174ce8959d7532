//! Connections whose outgoing queue is full (issue 15), on the executor thread.
//!
//! A server connection's queue holds at most `max_queued` events. When an event
//! finds it full, the sources that fed that event are halted for their stream
//! (SPEC §5: the operating system buffers, nothing is read), and the event is failed
//! along its lineage: a replayable source reads it again once resumed, any other
//! counts it. Such events get no `err` record each: when the stream ends, one
//! record says how many were not sent. When the connection's writer has worked its
//! queue down to half it says so, and the halted sources resume.

use super::kind::{lock, Outbox, Settled};
use super::metrics::Counter;
use super::router::Exec;
use super::runtime::Sink;
use crate::event::{Event, EventId, Ids};
use crate::value::Value;

/// What a full connection holds up.
#[derive(Debug, Default)]
pub(super) struct Backlog {
    /// `(source, stream)` halted because of it.
    halted: Vec<(usize, u64)>,
    /// Events not handed to it because it was full.
    refused: u64,
}

impl Exec<'_> {
    /// Event `ev` found stream `stream` of sink `sink` full; `first` when the queue
    /// just became full (its sources are halted then).
    pub(super) fn queue_full(&mut self, sink: usize, stream: u64, ev: Event, first: bool) {
        let ids: Vec<EventId> = Ids::of(&ev.id, &ev.lineage).iter().collect();
        let backlog = self.backlogs.entry((sink, stream)).or_default();
        backlog.refused += 1;
        if first {
            for id in &ids {
                if let Some(&src) = self.by_name.get(id.peer.as_str()) {
                    self.peers[src].gate.set_stream_halted(id.stream, true);
                    if !backlog.halted.contains(&(src, id.stream)) {
                        backlog.halted.push((src, id.stream));
                    }
                }
            }
        }
        self.peers[sink].metrics.add(Counter::Err, Some(stream), 1);
        let error = self.full_text(sink, stream);
        self.fail_lineage(&Settled::of(ev), &error, &Value::Null, true, Some(sink));
    }

    /// The writer of stream `stream` of `sink` worked its queue down: resume, unless
    /// the queue filled up again since it said so (events read before the halt were
    /// still coming): then its next `Drained` resumes them.
    pub(super) fn queue_drained(&mut self, sink: usize, stream: u64) {
        if let Sink::Server(s) = &self.peers[sink].sink {
            if lock(s).open.get(&stream).is_some_and(Outbox::is_full) {
                return;
            }
        }
        self.resume(sink, stream);
    }

    fn resume(&mut self, sink: usize, stream: u64) {
        if let Some(b) = self.backlogs.get_mut(&(sink, stream)) {
            for (src, s) in b.halted.drain(..) {
                self.peers[src].gate.set_stream_halted(s, false);
            }
        }
    }

    /// Stream `stream` of `sink` ended: its sources resume, and what it refused is
    /// reported once, with the count.
    pub(super) fn queue_closed(&mut self, sink: usize, stream: u64) {
        self.resume(sink, stream);
        let Some(b) = self.backlogs.remove(&(sink, stream)) else {
            return;
        };
        if b.refused > 0 {
            let name = self.peers[sink].spec.name.clone();
            let text = format!("{} ({} events)", self.full_text(sink, stream), b.refused);
            let doc = crate::record! {
                "error" => text, "peer" => name, "stream" => stream, "count" => b.refused,
            };
            self.report_err(sink, doc);
        }
    }

    fn full_text(&self, sink: usize, stream: u64) -> String {
        let p = &self.peers[sink];
        format!(
            "not sent on stream {stream} of peer `{}`: its queue was full (max_queued = {})",
            p.spec.name, p.spec.limits.max_queued
        )
    }

    /// A connection's writer failed `events` quietly after reporting the first.
    pub(super) fn failed_quietly(
        &mut self,
        sink: usize,
        error: &str,
        events: Vec<Settled>,
        retry: bool,
    ) {
        self.last_settled = std::time::Instant::now();
        let p = &mut self.peers[sink];
        p.outstanding = p.outstanding.saturating_sub(events.len() as u64);
        for s in &events {
            self.fail_lineage(s, error, &Value::Null, retry, Some(sink));
        }
    }

    /// One record for the `count` events a broken connection (or a flush that
    /// failed) failed quietly.
    pub(super) fn lost(&mut self, sink: usize, stream: u64, error: String, count: u64) {
        let doc = self.lost_record(sink, stream, error, count);
        self.report_err(sink, doc);
    }

    /// The record of [`Self::lost`].
    pub(super) fn lost_record(&self, sink: usize, stream: u64, error: String, count: u64) -> Value {
        let name = self.peers[sink].spec.name.clone();
        let text = format!("{error} ({count} events not sent)");
        crate::record! {
            "error" => text, "peer" => name, "stream" => stream, "count" => count,
        }
    }
}
