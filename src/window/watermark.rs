//! Per-stream watermarks (SPEC §7.1). A stream's watermark is the largest time seen
//! on it minus `delay` and never goes back; `end_stream` makes it infinite. The
//! select's watermark is the smallest watermark of its open streams that are not
//! idle (sent nothing for `idle` of processing time); it never goes back either.

use crate::value::Str;
use rustc_hash::FxHashMap;

/// A stream: the peer it entered through and its number.
pub type StreamKey = (Str, u64);

#[derive(Debug, Clone, Default)]
struct Clock {
    /// The largest time seen.
    max: Option<i64>,
    /// Processing time of its last event (idle detection).
    seen_ns: u64,
}

/// The watermarks of one select.
#[derive(Debug, Clone)]
pub struct Watermarks {
    streams: FxHashMap<StreamKey, Clock>,
    delay: i64,
    idle: Option<u64>,
    /// Processing time: the latest ingest time or tick.
    now: u64,
    select: i64,
}

impl Watermarks {
    pub fn new(delay: i64, idle: Option<u64>) -> Self {
        Watermarks {
            streams: FxHashMap::default(),
            delay,
            idle,
            now: 0,
            select: i64::MIN,
        }
    }

    /// An event of time `t` arrived on `stream` at processing time `ingest_ns`.
    pub fn observe(&mut self, stream: &StreamKey, t: i64, ingest_ns: u64) {
        self.now = self.now.max(ingest_ns);
        // An event after `end_stream` opens the stream anew (a peer reusing the number).
        let c = match self.streams.get_mut(stream) {
            Some(c) => c,
            None => self.streams.entry(stream.clone()).or_default(),
        };
        c.seen_ns = ingest_ns.max(c.seen_ns);
        c.max = Some(c.max.map_or(t, |m| m.max(t)));
    }

    /// `start_stream`: the stream is open before its first event, and holds the
    /// select's watermark back (at the start of time) until it sends, ends, or is
    /// idle, as a silent partition does in Flink.
    pub fn start(&mut self, stream: &StreamKey) {
        let now = self.now;
        let c = self.streams.entry(stream.clone()).or_default();
        c.seen_ns = c.seen_ns.max(now);
    }

    /// Processing time moves to `ns` (a tick). With `ingest` (windows on ingest
    /// time) every open stream's time moves with it.
    pub fn tick(&mut self, ns: u64, ingest: bool) {
        self.now = self.now.max(ns);
        if ingest {
            let t = crate::event::ingest_time(self.now);
            for c in self.streams.values_mut() {
                c.max = Some(c.max.map_or(t, |m| m.max(t)));
            }
        }
    }

    /// `end_stream`: the stream is no longer part of the minimum, and its groups'
    /// windows close at once (the select fires them with an infinite watermark).
    /// Nothing of it is kept: a server that sees a million connections come and go
    /// holds none of them, and the minimum is taken over the open ones only.
    pub fn end(&mut self, stream: &StreamKey) {
        self.streams.remove(stream);
    }

    /// A stream's own watermark (`i64::MIN` before its first event, and again after
    /// it ended: an event on a number reused opens it anew).
    pub fn of_stream(&self, stream: &StreamKey) -> i64 {
        self.streams
            .get(stream)
            .and_then(|c| c.max)
            .map_or(i64::MIN, |m| m.saturating_sub(self.delay))
    }

    /// Streams held: the open ones (for memory checks).
    pub fn open_streams(&self) -> usize {
        self.streams.len()
    }

    /// Recomputes and returns the select's watermark. When every open stream is idle
    /// the largest of their watermarks holds: nothing holds it back, yet it does not
    /// run ahead of what was seen. With no open stream it stays where it is (only
    /// `drain` is infinite for everything).
    pub fn select(&mut self) -> i64 {
        let mut active: Option<i64> = None;
        let mut idle: Option<i64> = None;
        for c in self.streams.values() {
            let wm = c.max.map_or(i64::MIN, |m| m.saturating_sub(self.delay));
            let is_idle = self
                .idle
                .is_some_and(|i| c.seen_ns.saturating_add(i) <= self.now);
            if is_idle {
                idle = Some(idle.map_or(wm, |x| x.max(wm)));
            } else {
                active = Some(active.map_or(wm, |x| x.min(wm)));
            }
        }
        if let Some(wm) = active.or(idle) {
            self.select = self.select.max(wm);
        }
        self.select
    }

    /// The select's watermark as last computed.
    pub fn current(&self) -> i64 {
        self.select
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(n: u64) -> StreamKey {
        ("in".into(), n)
    }

    #[test]
    fn minimum_of_open_streams_never_going_back() {
        let mut w = Watermarks::new(2, None);
        w.observe(&s(0), 10, 0);
        assert_eq!(w.select(), 8);
        w.observe(&s(1), 5, 1);
        // stream 1 holds the minimum back, but the select's watermark never goes back
        assert_eq!(w.select(), 8);
        w.observe(&s(1), 20, 2);
        assert_eq!(w.select(), 8);
        w.observe(&s(0), 30, 3);
        assert_eq!(w.select(), 18);
        assert_eq!(w.of_stream(&s(0)), 28);
        w.end(&s(1));
        assert_eq!(w.select(), 28);
    }

    #[test]
    fn ended_streams_are_forgotten() {
        let mut w = Watermarks::new(0, Some(5));
        w.observe(&s(0), 100, 0);
        for n in 1..10_000 {
            w.start(&s(n));
            w.observe(&s(n), 100 + n as i64, n);
            w.end(&s(n));
        }
        assert_eq!(w.open_streams(), 1);
        assert_eq!(w.select(), 100);
        // A number reused opens a new stream, which starts from its own events.
        w.observe(&s(7), 150, 10_000);
        assert_eq!(w.of_stream(&s(7)), 150);
        w.observe(&s(0), 200, 10_001);
        assert_eq!(w.select(), 150);
    }

    #[test]
    fn a_started_stream_holds_back_until_it_sends() {
        let mut w = Watermarks::new(0, None);
        w.observe(&s(0), 10, 0);
        w.start(&s(1));
        assert_eq!(w.select(), i64::MIN);
        w.observe(&s(1), 20, 1);
        assert_eq!(w.select(), 10);
    }

    #[test]
    fn idle_streams_stop_holding_back() {
        let mut w = Watermarks::new(0, Some(100));
        w.observe(&s(0), 10, 0);
        w.observe(&s(1), 50, 10);
        assert_eq!(w.select(), 10);
        w.tick(100, false);
        // stream 0 silent since 0: idle at 100
        assert_eq!(w.select(), 50);
        w.tick(500, false);
        // both idle: the largest holds
        assert_eq!(w.select(), 50);
        w.observe(&s(0), 12, 501);
        assert_eq!(w.select(), 50);
    }

    #[test]
    fn ingest_time_moves_with_ticks() {
        let mut w = Watermarks::new(0, None);
        w.observe(&s(0), 3, 3);
        w.tick(40, true);
        assert_eq!(w.select(), 40);
    }
}
