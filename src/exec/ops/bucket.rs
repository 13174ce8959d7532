//! `grouper::bucket`: rate limiting per class and dimensions, configured by each
//! event's metadata rather than by the operator's config (which is rejected).
//!
//! - `$class` (string, required): the bucket; events without one go to `err`.
//! - `$dimensions` (any, default null): sub-key inside the class, compared as JSON.
//! - `$rate` (int): events allowed per `$time_range` ms (default 1000), split into
//!   `$windows` (default 100) sliding sub-windows. Read when a dimension is first seen;
//!   a new dimension without a `$rate` goes to `err`.
//! - `$cardinality` (default 1000): how many dimensions a class keeps, least recently
//!   used evicted first. Read when the class is first seen.
//!
//! Events within the rate go to `out`, the others to `overflow`.

use super::config::OpConfig;
use super::{OpError, ERR, OUT, OVERFLOW};
use crate::event::{Event, Port};
use crate::exec::{ExecError, Operator, Outputs};
use crate::value::Value;
use rustc_hash::FxHashMap;

/// A sliding window of `slots` sub-windows of `slot_ms` each, allowing `max` events.
#[derive(Debug)]
struct TimeWindow {
    /// `(absolute sub-window number, events in it)`, a ring indexed by number % len.
    slots: Vec<(u64, u64)>,
    slot_ms: u64,
    max: u64,
    /// Latest time seen: a late event counts in the current sub-window.
    now_ms: u64,
}

impl TimeWindow {
    fn new(slots: usize, slot_ms: u64, max: u64) -> Self {
        TimeWindow {
            // Sub-window numbers start at 0, so mark unused slots with a number no
            // time maps to.
            slots: vec![(u64::MAX, 0); slots.max(1)],
            slot_ms: slot_ms.max(1),
            max,
            now_ms: 0,
        }
    }

    /// Counts one event at `t_ms` if the window has room.
    fn inc(&mut self, t_ms: u64) -> bool {
        self.now_ms = self.now_ms.max(t_ms);
        let cur = self.now_ms / self.slot_ms;
        let len = self.slots.len() as u64;
        let oldest = cur.saturating_sub(len - 1);
        let total: u64 = self
            .slots
            .iter()
            .filter(|(n, _)| *n != u64::MAX && *n >= oldest && *n <= cur)
            .map(|(_, c)| c)
            .sum();
        if total >= self.max {
            return false;
        }
        let slot = &mut self.slots[(cur % len) as usize];
        if slot.0 != cur {
            *slot = (cur, 0);
        }
        slot.1 += 1;
        true
    }
}

/// The dimensions of one class, with least-recently-used eviction.
#[derive(Debug)]
struct Class {
    cardinality: usize,
    /// Dimensions (as JSON) → (last use, window).
    dims: FxHashMap<String, (u64, TimeWindow)>,
    clock: u64,
}

impl Class {
    fn new(cardinality: usize) -> Self {
        Class {
            cardinality,
            dims: FxHashMap::default(),
            clock: 0,
        }
    }

    /// The window for `dims`, made from `$rate` & co. when new; `None` when it cannot be.
    fn window(&mut self, dims: String, meta: &Value) -> Option<&mut TimeWindow> {
        self.clock += 1;
        let clock = self.clock;
        if !self.dims.contains_key(&dims) {
            let rate = meta.get("rate")?.as_u64()?;
            let time_range = meta
                .get("time_range")
                .and_then(Value::as_u64)
                .unwrap_or(1000);
            let windows = meta.get("windows").and_then(Value::as_u64).unwrap_or(100);
            let windows = usize::try_from(windows).ok()?.max(1);
            if self.cardinality == 0 {
                return None;
            }
            if self.dims.len() >= self.cardinality {
                let lru = self
                    .dims
                    .iter()
                    .min_by_key(|(_, (used, _))| *used)
                    .map(|(k, _)| k.clone())?;
                self.dims.remove(&lru);
            }
            let w = TimeWindow::new(windows, time_range / windows as u64, rate);
            self.dims.insert(dims.clone(), (clock, w));
        }
        let (used, w) = self.dims.get_mut(&dims)?;
        *used = clock;
        Some(w)
    }
}

/// Per-class rate limiter state.
#[derive(Debug, Default)]
pub struct Bucket {
    classes: FxHashMap<String, Class>,
}

impl Bucket {
    /// Takes no config: everything comes from the events' metadata.
    pub fn from_config(node: &str, config: &Value) -> Result<Self, OpError> {
        OpConfig::new(node, "grouper::bucket", config, &[])?;
        Ok(Bucket::default())
    }

    fn route(&mut self, event: &Event) -> Port {
        let meta = &event.meta;
        let Some(class) = meta.get("class").and_then(Value::as_str) else {
            return ERR;
        };
        let class = match self.classes.get_mut(class) {
            Some(c) => c,
            None => {
                let cardinality = meta
                    .get("cardinality")
                    .and_then(Value::as_u64)
                    .and_then(|c| usize::try_from(c).ok())
                    .unwrap_or(1000);
                self.classes
                    .entry(class.to_string())
                    .or_insert_with(|| Class::new(cardinality))
            }
        };
        let dims = meta
            .get("dimensions")
            .map_or_else(|| "null".to_string(), Value::encode);
        match class.window(dims, meta) {
            None => ERR,
            Some(w) => {
                if w.inc(event.ingest_ns / 1_000_000) {
                    OUT
                } else {
                    OVERFLOW
                }
            }
        }
    }
}

impl Operator for Bucket {
    fn on_event(&mut self, _port: &str, event: Event, out: &mut Outputs) -> Result<(), ExecError> {
        let port = self.route(&event);
        out.push((port, event));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{ev, ports};
    use super::*;

    fn send(b: &mut Bucket, meta: Value, ns: u64) -> String {
        let mut out = Outputs::new();
        let mut e = ev(Value::Null, ns);
        e.meta = meta;
        b.on_event("in", e, &mut out).unwrap();
        ports(&out)[0].to_string()
    }

    #[test]
    fn rate_per_class_and_dimension() {
        let mut b = Bucket::from_config("b", &Value::Null).unwrap();
        let m = |d: i64| crate::record! {"class" => "c", "rate" => 2, "dimensions" => d};
        assert_eq!(send(&mut b, m(1), 0), "out");
        assert_eq!(send(&mut b, m(1), 1), "out");
        assert_eq!(send(&mut b, m(1), 2), "overflow");
        assert_eq!(send(&mut b, m(2), 3), "out");
        // Another class has its own dimensions.
        let other = crate::record! {"class" => "d", "rate" => 1, "dimensions" => 1};
        assert_eq!(send(&mut b, other.clone(), 4), "out");
        assert_eq!(send(&mut b, other, 5), "overflow");
    }

    #[test]
    fn missing_class_or_rate_is_an_error() {
        let mut b = Bucket::default();
        assert_eq!(send(&mut b, crate::record! {"rate" => 1}, 0), "err");
        assert_eq!(send(&mut b, crate::record! {"class" => "c"}, 0), "err");
        assert_eq!(send(&mut b, Value::Null, 0), "err");
        // Once the dimension exists, later events need no `$rate`.
        assert_eq!(
            send(&mut b, crate::record! {"class" => "c", "rate" => 1}, 0),
            "out"
        );
        assert_eq!(send(&mut b, crate::record! {"class" => "c"}, 0), "overflow");
    }

    #[test]
    fn window_slides_with_time() {
        let mut b = Bucket::default();
        // 2 per 1000 ms in 10 sub-windows of 100 ms.
        let m = crate::record! {"class" => "c", "rate" => 2, "windows" => 10};
        let ms = 1_000_000;
        assert_eq!(send(&mut b, m.clone(), 0), "out");
        assert_eq!(send(&mut b, m.clone(), 500 * ms), "out");
        assert_eq!(send(&mut b, m.clone(), 999 * ms), "overflow");
        // At 1000 ms the first sub-window (0..100) has slid out.
        assert_eq!(send(&mut b, m.clone(), 1000 * ms), "out");
        assert_eq!(send(&mut b, m.clone(), 1400 * ms), "overflow");
        assert_eq!(send(&mut b, m, 1500 * ms), "out");
    }

    #[test]
    fn lru_eviction_per_class() {
        let mut b = Bucket::default();
        let m = |d: i64| crate::record! {"class" => "c", "rate" => 1, "cardinality" => 2, "dimensions" => d};
        assert_eq!(send(&mut b, m(1), 0), "out");
        assert_eq!(send(&mut b, m(2), 0), "out");
        assert_eq!(send(&mut b, m(1), 0), "overflow"); // 1 is now the most recent
        assert_eq!(send(&mut b, m(3), 0), "out"); // evicts 2
        assert_eq!(send(&mut b, m(1), 0), "overflow");
        assert_eq!(send(&mut b, m(2), 0), "out"); // fresh window for 2, evicts 3
        assert_eq!(send(&mut b, m(3), 0), "out");
    }
}
