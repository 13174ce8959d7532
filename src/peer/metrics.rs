//! Per-peer and per-stream counters (SPEC §6): `in` (graph → peer), `out` (peer →
//! graph), `err`, `send` (peer → outside), `recv` (outside → peer).
//!
//! Peer tasks and the executor thread both count, so the counters are atomics; the
//! per-stream table sits behind a mutex that is only taken once per event.

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
    streams: Mutex<BTreeMap<u64, [u64; 5]>>,
}

impl Metrics {
    /// Adds `n` to `counter`, for the peer and (when known) for `stream`.
    pub fn add(&self, counter: Counter, stream: Option<u64>, n: u64) {
        self.total[counter as usize].fetch_add(n, Ordering::Relaxed);
        if let Some(s) = stream {
            // A poisoned lock only means another thread panicked mid-count: keep counting.
            let mut streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
            streams.entry(s).or_default()[counter as usize] += n;
        }
    }

    /// The peer's totals, in [`NAMES`] order.
    pub fn totals(&self) -> [u64; 5] {
        std::array::from_fn(|i| self.total[i].load(Ordering::Relaxed))
    }

    /// The per-stream counters, by stream id.
    pub fn streams(&self) -> BTreeMap<u64, [u64; 5]> {
        self.streams
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
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
        if streams.len() > 1 {
            for (s, c) in streams {
                rows.push((format!("  {name}#{s}"), c));
            }
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
}
