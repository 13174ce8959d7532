//! Per-peer and per-stream counters (SPEC §6): `in` (graph → peer), `out` (peer →
//! graph), `err`, `send` (peer → outside), `recv` (outside → peer).
//!
//! Peer tasks and the executor thread both count, so the counters are atomics; the
//! per-stream table sits behind a mutex that is only taken once per event.
//!
//! A server opens a stream per connection, so per-stream counters must not outlive
//! their stream (100,000 short connections would keep 100,000 entries): when a
//! stream ends its counters stay only in the peer's totals, and the `--metrics`
//! table keeps rows for the first [`KEEP_ENDED`] ended streams and one folded row
//! for the rest.

use crate::value::{Record, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// The counter names, in the order tables and records list them.
pub const NAMES: [&str; 5] = ["in", "out", "err", "send", "recv"];

/// One of the five counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    In = 0,
    Out = 1,
    Err = 2,
    Send = 3,
    Recv = 4,
}

/// Ended streams whose own row the `--metrics` table keeps.
pub const KEEP_ENDED: usize = 64;
/// How far the reading of the `-i` files has got, for `trickle run`'s progress
/// line: bumped once per chunk or batch by the reader, sampled by the display.
#[derive(Default)]
pub struct ReadProgress {
    /// Bytes read (a replayed part counts again).
    pub bytes: AtomicU64,
    /// Lines (events) read.
    pub events: AtomicU64,
    /// Clears the display; set by whoever draws it.
    clear: Mutex<Option<Box<dyn FnOnce() + Send>>>,
}

impl std::fmt::Debug for ReadProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadProgress")
            .field("bytes", &self.bytes)
            .field("events", &self.events)
            .finish()
    }
}

impl ReadProgress {
    /// Counts `bytes` more bytes and `events` more events.
    pub fn add(&self, bytes: u64, events: u64) {
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        self.events.fetch_add(events, Ordering::Relaxed);
    }

    /// What [`ReadProgress::clear`] runs.
    pub fn on_clear(&self, f: Box<dyn FnOnce() + Send>) {
        *self.clear.lock().unwrap_or_else(|p| p.into_inner()) = Some(f);
    }

    /// Clears the display (once) so what the run prints at its end (the `--metrics`
    /// table) gets a line of its own.
    pub fn clear(&self) {
        let f = self.clear.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(f) = f {
            f();
        }
    }
}

/// The counters of one peer.
#[derive(Debug, Default)]
pub struct Metrics {
    total: [AtomicU64; 5],
    streams: Mutex<Streams>,
}

#[derive(Debug, Default)]
struct Streams {
    open: BTreeMap<u64, [u64; 5]>,
    /// The peer opens its streams explicitly ([`Metrics::open`]): a count for a
    /// stream that is not open (a late one, after its end) goes to the totals only.
    tracked: bool,
    /// Rows kept for the table after their stream ended (at most [`KEEP_ENDED`]).
    ended: BTreeMap<u64, [u64; 5]>,
    /// The other ended streams, summed, and how many.
    folded: [u64; 5],
    folded_streams: u64,
}

impl Metrics {
    /// Adds `n` to `counter`, for the peer and (when known) for `stream`.
    pub fn add(&self, counter: Counter, stream: Option<u64>, n: u64) {
        self.total[counter as usize].fetch_add(n, Ordering::Relaxed);
        if let Some(s) = stream {
            self.add_to_stream(counter, s, n);
        }
    }

    /// Adds `n` to `counter` for `stream` only: the peer's total counted it
    /// already, before it was known which stream would take it (a client's
    /// `in`, counted as the graph hands it over, then per connection).
    pub fn add_to_stream(&self, counter: Counter, s: u64, n: u64) {
        let mut streams = self.lock();
        if let Some(c) = streams.open.get_mut(&s) {
            c[counter as usize] += n;
        } else if let Some(c) = streams.ended.get_mut(&s) {
            // A late count (an event for a stream that has ended) on a kept row.
            c[counter as usize] += n;
        } else if !streams.tracked {
            streams.open.entry(s).or_default()[counter as usize] += n;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Streams> {
        // A poisoned lock only means another thread panicked mid-count: keep counting.
        self.streams.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stream `stream` opened (a server's connection): counted on its own until it ends.
    pub fn open(&self, stream: u64) {
        let mut streams = self.lock();
        streams.tracked = true;
        streams.open.entry(stream).or_default();
    }

    /// Stream `stream` ended: its counters stay in the totals (and in the table's
    /// rows, within bounds); nothing else of it is kept.
    pub fn end(&self, stream: u64) {
        let mut streams = self.lock();
        let Some(c) = streams.open.remove(&stream) else {
            return;
        };
        if streams.ended.len() < KEEP_ENDED {
            streams.ended.insert(stream, c);
        } else {
            streams.folded_streams += 1;
            for (f, v) in streams.folded.iter_mut().zip(c) {
                *f += v;
            }
        }
    }

    /// Per-stream entries held now (open streams), for tests of what is freed.
    pub fn open_streams(&self) -> usize {
        self.lock().open.len()
    }

    /// The peer's totals, in [`NAMES`] order.
    pub fn totals(&self) -> [u64; 5] {
        std::array::from_fn(|i| self.total[i].load(Ordering::Relaxed))
    }

    /// The per-stream counters of open streams and of the ended streams kept, by
    /// stream id.
    pub fn streams(&self) -> BTreeMap<u64, [u64; 5]> {
        let s = self.lock();
        let mut all = s.ended.clone();
        all.extend(s.open.iter().map(|(k, v)| (*k, *v)));
        all
    }

    /// Ended streams folded into one row: how many, and their counters summed.
    fn folded(&self) -> (u64, [u64; 5]) {
        let s = self.lock();
        (s.folded_streams, s.folded)
    }

    /// `{"peer": NAME, "ingest_ns": t, "counters": {...}}`, the `metrics` port's event.
    pub fn event(&self, peer: &str, ingest_ns: u64) -> Value {
        crate::record! {
            "peer" => peer,
            "ingest_ns" => ingest_ns,
            "counters" => counters(self.totals()),
        }
    }
}

fn counters(values: [u64; 5]) -> Value {
    let mut r = Record::default();
    for (name, v) in NAMES.iter().zip(values) {
        r.insert((*name).into(), Value::from(v));
    }
    Value::from(r)
}

/// `trickle run --metrics`: one line per peer, then one per stream under it.
/// Every peer's totals, each stream of a peer with several, and the sum of all
/// peers last (`total`).
pub fn table(peers: &[(&str, &Metrics)]) -> String {
    let mut rows: Vec<(String, [u64; 5])> = Vec::new();
    for (name, m) in peers {
        rows.push((name.to_string(), m.totals()));
        let streams = m.streams();
        let (folded, sums) = m.folded();
        if streams.len() > 1 || folded > 0 {
            for (s, c) in streams {
                rows.push((format!("  {name}#{s}"), c));
            }
        }
        if folded > 0 {
            rows.push((format!("  {name} ({folded} more ended streams)"), sums));
        }
    }
    let mut total = [0u64; 5];
    for (_, m) in peers {
        for (t, v) in total.iter_mut().zip(m.totals()) {
            *t += v;
        }
    }
    rows.push(("total".to_string(), total));
    let width = rows.iter().map(|(n, _)| n.len()).max().unwrap_or(4).max(4);
    let mut t = format!("{:<width$}", "peer");
    for n in NAMES {
        t.push_str(&format!(" {n:>10}"));
    }
    t.push('\n');
    for (name, c) in rows {
        t.push_str(&format!("{name:<width$}"));
        for v in c {
            t.push_str(&format!(" {v:>10}"));
        }
        t.push('\n');
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_peer_and_stream() {
        let m = Metrics::default();
        m.add(Counter::Recv, Some(0), 2);
        m.add(Counter::Recv, Some(1), 1);
        m.add(Counter::Out, None, 3);
        assert_eq!(m.totals(), [0, 3, 0, 0, 3]);
        assert_eq!(m.streams()[&1], [0, 0, 0, 0, 1]);
        let ev = m.event("up", 7);
        assert_eq!(
            ev.encode(),
            r#"{"peer":"up","ingest_ns":7,"counters":{"in":0,"out":3,"err":0,"send":0,"recv":3}}"#
        );
        let t = table(&[("up", &m)]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 5, "{t}");
        assert!(
            lines[1].starts_with("up ") && lines[1].ends_with("3"),
            "{t}"
        );
        assert!(lines[3].contains("up#1"), "{t}");
        let total: Vec<&str> = lines[4].split_whitespace().collect();
        assert_eq!(total, ["total", "0", "3", "0", "0", "3"], "{t}");
    }

    #[test]
    fn a_count_for_a_stream_alone_leaves_the_total() {
        let m = Metrics::default();
        m.add(Counter::In, None, 2);
        m.add_to_stream(Counter::In, 4, 1);
        m.add_to_stream(Counter::In, 5, 1);
        assert_eq!(m.totals(), [2, 0, 0, 0, 0]);
        assert_eq!(m.streams()[&4], [1, 0, 0, 0, 0]);
        assert_eq!(m.streams()[&5], [1, 0, 0, 0, 0]);
    }

    #[test]
    fn ended_streams_are_freed_and_folded() {
        let m = Metrics::default();
        for s in 0..200 {
            m.open(s);
            m.add(Counter::Recv, Some(s), 1);
            m.end(s);
            // A late count after the end goes to the totals (and a kept row).
            m.add(Counter::Send, Some(s), 1);
        }
        assert_eq!(m.open_streams(), 0);
        assert_eq!(m.totals(), [0, 0, 0, 200, 200]);
        assert_eq!(m.streams().len(), KEEP_ENDED);
        assert_eq!(m.streams()[&0], [0, 0, 0, 1, 1]);
        let t = table(&[("up", &m)]);
        assert!(t.contains("up (136 more ended streams)"), "{t}");
    }
}
