//! Per-stream watermarks (SPEC §7.1). A stream's watermark is the largest time seen
//! on it minus `delay` and never goes back; `end_stream` makes it infinite. The
//! select's watermark is the smallest watermark of its open streams that are not
//! idle (sent nothing for `idle` of processing time); it never goes back either.

use crate::value::Str;
use rustc_hash::FxHashMap;
use std::collections::BTreeSet;

/// A stream: the peer it entered through and its number.
pub type StreamKey = (Str, u64);

#[derive(Debug, Clone, Default)]
struct Clock {
    /// The largest time seen.
    max: Option<i64>,
    /// Processing time of its last event (idle detection).
    seen_ns: u64,
    /// Counted as idle by the index (with few streams, idleness is worked out
    /// when the minimum is taken and this stays `false`).
    idle: bool,
}

impl Clock {
    /// Its watermark: the largest time seen less `delay` (`i64::MIN` before any).
    fn wm(&self, delay: i64) -> i64 {
        self.max.map_or(i64::MIN, |m| m.saturating_sub(delay))
    }
}

/// Where a stream sits in the [`Index`].
#[derive(Debug, Clone, PartialEq)]
struct Place {
    wm: i64,
    seen_ns: u64,
    idle: bool,
}

impl Place {
    fn of(c: &Clock, delay: i64) -> Place {
        Place {
            wm: c.wm(delay),
            seen_ns: c.seen_ns,
            idle: c.idle,
        }
    }
}

/// The open streams ordered as the select's watermark needs them, for many
/// streams (a server's connections): the minimum, the next to go idle and the
/// largest idle one are each a step away instead of a scan over every stream on
/// every event.
#[derive(Debug, Clone, Default)]
struct Index {
    /// Streams not idle, by watermark: the first holds the select back.
    active: BTreeSet<(i64, StreamKey)>,
    /// Idle streams, by watermark: the last holds when every stream is idle.
    idle: BTreeSet<(i64, StreamKey)>,
    /// Streams not idle, by their last event's processing time: the first go
    /// idle first. Kept only when the window has `idle`.
    by_seen: BTreeSet<(u64, StreamKey)>,
}

impl Index {
    fn remove(&mut self, key: &StreamKey, at: &Place) {
        // Keys are cloned into the sets; removing by a borrowed pair needs one.
        let k = key.clone();
        if at.idle {
            self.idle.remove(&(at.wm, k));
        } else {
            self.active.remove(&(at.wm, k.clone()));
            self.by_seen.remove(&(at.seen_ns, k));
        }
    }

    fn insert(&mut self, key: &StreamKey, at: &Place, track_seen: bool) {
        if at.idle {
            self.idle.insert((at.wm, key.clone()));
        } else {
            self.active.insert((at.wm, key.clone()));
            if track_seen {
                self.by_seen.insert((at.seen_ns, key.clone()));
            }
        }
    }
}

/// Open streams from which the index is kept, and below which it is dropped
/// again: a scan over a handful of streams costs less than keeping it.
const INDEX_FROM: usize = 32;
const INDEX_BELOW: usize = 16;

/// The watermarks of one select.
#[derive(Debug, Clone)]
pub struct Watermarks {
    streams: FxHashMap<StreamKey, Clock>,
    delay: i64,
    idle: Option<u64>,
    /// Processing time: the latest ingest time or tick.
    now: u64,
    select: i64,
    /// With many open streams (see [`INDEX_FROM`]).
    index: Option<Index>,
    index_from: usize,
}

impl Watermarks {
    pub fn new(delay: i64, idle: Option<u64>) -> Self {
        Watermarks {
            streams: FxHashMap::default(),
            delay,
            idle,
            now: 0,
            select: i64::MIN,
            index: None,
            index_from: INDEX_FROM,
        }
    }

    /// Keeps the index from `n` open streams on (tests run both ways with few).
    #[cfg(test)]
    fn with_index_from(mut self, n: usize) -> Self {
        self.index_from = n;
        self
    }

    /// Whether the index holds each open stream once, where its clock says.
    #[cfg(test)]
    fn index_consistent(&self) -> bool {
        let Some(ix) = &self.index else {
            return self.streams.values().all(|c| !c.idle);
        };
        let idle = self.streams.values().filter(|c| c.idle).count();
        let seen = if self.idle.is_some() {
            self.streams.len() - idle
        } else {
            0
        };
        ix.idle.len() == idle
            && ix.active.len() == self.streams.len() - idle
            && ix.by_seen.len() == seen
            && self.streams.iter().all(|(k, c)| {
                let at = Place::of(c, self.delay);
                match at.idle {
                    true => ix.idle.contains(&(at.wm, k.clone())),
                    false => {
                        ix.active.contains(&(at.wm, k.clone()))
                            && (self.idle.is_none()
                                || ix.by_seen.contains(&(at.seen_ns, k.clone())))
                    }
                }
            })
    }

    /// Applies `change` to the clock of `stream` (opened if new; it is then not
    /// idle), keeping the index in step.
    fn change(&mut self, stream: &StreamKey, change: impl FnOnce(&mut Clock)) {
        if self.index.is_none() {
            let c = match self.streams.get_mut(stream) {
                Some(c) => c,
                None => self.streams.entry(stream.clone()).or_default(),
            };
            change(c);
            if self.streams.len() >= self.index_from {
                self.build_index();
            }
            return;
        }
        let delay = self.delay;
        let before = self.streams.get(stream).map(|c| Place::of(c, delay));
        let c = self.streams.entry(stream.clone()).or_default();
        change(c);
        c.idle = false;
        let after = Place::of(c, delay);
        if before.as_ref() == Some(&after) {
            return;
        }
        let track_seen = self.idle.is_some();
        if let Some(ix) = &mut self.index {
            if let Some(b) = &before {
                ix.remove(stream, b);
            }
            ix.insert(stream, &after, track_seen);
        }
    }

    fn build_index(&mut self) {
        let mut ix = Index::default();
        let (idle, now, track_seen) = (self.idle, self.now, self.idle.is_some());
        let delay = self.delay;
        for (key, c) in &mut self.streams {
            c.idle = idle.is_some_and(|i| c.seen_ns.saturating_add(i) <= now);
            ix.insert(key, &Place::of(c, delay), track_seen);
        }
        self.index = Some(ix);
    }

    fn drop_index(&mut self) {
        self.index = None;
        self.streams.values_mut().for_each(|c| c.idle = false);
    }

    /// An event of time `t` arrived on `stream` at processing time `ingest_ns`.
    pub fn observe(&mut self, stream: &StreamKey, t: i64, ingest_ns: u64) {
        self.now = self.now.max(ingest_ns);
        // An event after `end_stream` opens the stream anew (a peer reusing the number).
        self.change(stream, |c| {
            c.seen_ns = ingest_ns.max(c.seen_ns);
            c.max = Some(c.max.map_or(t, |m| m.max(t)));
        });
    }

    /// `start_stream`: the stream is open before its first event, and holds the
    /// select's watermark back (at the start of time) until it sends, ends, or is
    /// idle, as a silent partition does in Flink.
    pub fn start(&mut self, stream: &StreamKey) {
        let now = self.now;
        self.change(stream, |c| c.seen_ns = c.seen_ns.max(now));
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
            // Every stream moved: a tick (every 100 ms) orders them afresh.
            if self.index.is_some() {
                self.build_index();
            }
        }
    }

    /// `end_stream`: the stream is no longer part of the minimum, and its groups'
    /// windows close at once (the select fires them with an infinite watermark).
    /// Nothing of it is kept: a server that sees a million connections come and go
    /// holds none of them, and the minimum is taken over the open ones only.
    pub fn end(&mut self, stream: &StreamKey) {
        let Some(c) = self.streams.remove(stream) else {
            return;
        };
        if self.streams.len() < INDEX_BELOW.min(self.index_from) {
            self.drop_index();
        } else {
            let at = Place::of(&c, self.delay);
            if let Some(ix) = &mut self.index {
                ix.remove(stream, &at);
            }
        }
    }

    /// A stream's own watermark (`i64::MIN` before its first event, and again after
    /// it ended: an event on a number reused opens it anew).
    pub fn of_stream(&self, stream: &StreamKey) -> i64 {
        self.streams
            .get(stream)
            .map_or(i64::MIN, |c| c.wm(self.delay))
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
        let wm = match self.index.is_some() {
            true => self.indexed_minimum(),
            false => self.scanned_minimum(),
        };
        if let Some(wm) = wm {
            self.select = self.select.max(wm);
        }
        self.select
    }

    fn scanned_minimum(&self) -> Option<i64> {
        let mut active: Option<i64> = None;
        let mut idle: Option<i64> = None;
        for c in self.streams.values() {
            let wm = c.wm(self.delay);
            let is_idle = self
                .idle
                .is_some_and(|i| c.seen_ns.saturating_add(i) <= self.now);
            if is_idle {
                idle = Some(idle.map_or(wm, |x| x.max(wm)));
            } else {
                active = Some(active.map_or(wm, |x| x.min(wm)));
            }
        }
        active.or(idle)
    }

    /// The minimum from the index, once the streams silent for `idle` moved to
    /// its idle set (a stream stays there until it sends or starts again).
    fn indexed_minimum(&mut self) -> Option<i64> {
        let ix = self.index.as_mut()?;
        if let Some(idle) = self.idle {
            while let Some((seen, key)) = ix.by_seen.first() {
                if seen.saturating_add(idle) > self.now {
                    break;
                }
                let key = key.clone();
                ix.by_seen.pop_first();
                if let Some(c) = self.streams.get_mut(&key) {
                    c.idle = true;
                    let wm = c.wm(self.delay);
                    ix.active.remove(&(wm, key.clone()));
                    ix.idle.insert((wm, key));
                }
            }
        }
        let active = ix.active.first().map(|(wm, _)| *wm);
        active.or_else(|| ix.idle.last().map(|(wm, _)| *wm))
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

    /// The select's watermark as SPEC §7.1 words it, a scan over every stream: the
    /// model the indexed one is checked against.
    #[derive(Default)]
    struct Model {
        streams: std::collections::HashMap<u64, (Option<i64>, u64)>,
        now: u64,
        select: Option<i64>,
    }

    impl Model {
        fn wm(&self, s: u64, delay: i64) -> i64 {
            self.streams
                .get(&s)
                .and_then(|c| c.0)
                .map_or(i64::MIN, |m| m.saturating_sub(delay))
        }

        fn select(&mut self, delay: i64, idle: Option<u64>) -> i64 {
            let open = self.streams.values().map(|&(max, seen)| {
                let wm = max.map_or(i64::MIN, |m| m.saturating_sub(delay));
                (wm, idle.is_some_and(|i| seen.saturating_add(i) <= self.now))
            });
            let (idle, active): (Vec<_>, Vec<_>) = open.partition(|&(_, idle)| idle);
            let min = active.iter().map(|&(wm, _)| wm).min();
            let held = min.or(idle.iter().map(|&(wm, _)| wm).max());
            if let Some(wm) = held {
                self.select = Some(self.select.map_or(wm, |s| s.max(wm)));
            }
            self.select.unwrap_or(i64::MIN)
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Observe(u64, i64, u64),
        Start(u64),
        End(u64),
        Tick(u64, bool),
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        prop_oneof![
            6 => (0u64..48, -20i64..400, 0u64..8).prop_map(|(s, t, dt)| Op::Observe(s, t, dt)),
            1 => (0u64..48).prop_map(Op::Start),
            2 => (0u64..48).prop_map(Op::End),
            1 => (0u64..30, any::<bool>()).prop_map(|(dt, i)| Op::Tick(dt, i)),
        ]
    }

    proptest::proptest! {
        #[test]
        fn indexed_or_scanned_the_watermark_is_the_spec_s(
            ops in proptest::collection::vec(op(), 0..400),
            delay in 0i64..5,
            idle in proptest::option::of(1u64..40),
            index_from in proptest::sample::select(vec![1usize, 3, 20, INDEX_FROM]),
        ) {
            let mut w = Watermarks::new(delay, idle).with_index_from(index_from);
            let mut m = Model::default();
            for op in ops {
                match op {
                    Op::Observe(n, t, dt) => {
                        let ns = m.now + dt;
                        m.now = ns;
                        let c = m.streams.entry(n).or_default();
                        c.0 = Some(c.0.map_or(t, |x| x.max(t)));
                        c.1 = c.1.max(ns);
                        w.observe(&s(n), t, ns);
                    }
                    Op::Start(n) => {
                        let now = m.now;
                        let c = m.streams.entry(n).or_default();
                        c.1 = c.1.max(now);
                        w.start(&s(n));
                    }
                    Op::End(n) => {
                        m.streams.remove(&n);
                        w.end(&s(n));
                    }
                    Op::Tick(dt, ingest) => {
                        m.now += dt;
                        if ingest {
                            let t = crate::event::ingest_time(m.now);
                            for c in m.streams.values_mut() {
                                c.0 = Some(c.0.map_or(t, |x| x.max(t)));
                            }
                        }
                        w.tick(m.now, ingest);
                    }
                }
                proptest::prop_assert_eq!(w.select(), m.select(delay, idle));
                proptest::prop_assert_eq!(w.open_streams(), m.streams.len());
                proptest::prop_assert!(w.index_consistent());
                for n in 0..48 {
                    proptest::prop_assert_eq!(w.of_stream(&s(n)), m.wm(n, delay));
                }
            }
        }
    }
}
