//! `generic::batch`: groups events into one event whose data is the array of their
//! data. One batch per stream (`(peer, stream)` of the event id, SPEC §4), so events of
//! different connections never share a batch.
//!
//! A batch is flushed when it holds `count` events, when an event or tick arrives more
//! than `timeout` ns after the batch's first event, when its stream ends, and (every
//! batch, in creation order) on drain.

use super::config::OpConfig;
use super::{OpError, OUT};
use crate::event::{Event, Ids, Lineage, Signal};
use crate::exec::{ExecError, Operator, Outputs};
use crate::value::{Str, Value};
use indexmap::IndexMap;

/// The events of one stream not yet flushed.
#[derive(Debug)]
struct Pending {
    data: Vec<Value>,
    lineage: Lineage,
    first_ns: u64,
    /// The most recent event: its id, origin and meta label the batch.
    last: Event,
    /// Creation number: batches that flush together do so in creation order.
    seq: u64,
}

/// Batching state for every stream with pending events.
#[derive(Debug)]
pub struct Batch {
    count: usize,
    timeout: Option<u64>,
    /// Keyed by `(peer, stream)`. Removed by swapping the last one in, so a flush
    /// costs the same however many connections have a batch open; `seq` keeps
    /// the creation order.
    pending: IndexMap<(Str, u64), Pending>,
    next_seq: u64,
}

impl Batch {
    /// `count` (required, > 0), `timeout` (ns, optional).
    pub fn from_config(node: &str, config: &Value) -> Result<Self, OpError> {
        let c = OpConfig::new(node, "generic::batch", config, &["count", "timeout"])?;
        let count = c
            .req_u64("count")
            .map_err(|e| match e {
                OpError::BadOpConfig { .. } => c.invalid("count", "a positive integer"),
                e => e,
            })
            .and_then(|n| {
                usize::try_from(n)
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| c.invalid("count", "a positive integer"))
            })?;
        Ok(Batch {
            count,
            timeout: c.opt_u64("timeout")?,
            pending: IndexMap::new(),
            next_seq: 0,
        })
    }

    /// The batch event of stream `key`, removing it from the pending set.
    fn flush(&mut self, key: &(Str, u64), out: &mut Outputs) {
        if let Some(p) = self.pending.swap_remove(key) {
            out.push((OUT, batch_event(p)));
        }
    }

    fn timed_out(&self, p: &Pending, now: u64) -> bool {
        self.timeout
            .is_some_and(|t| now.saturating_sub(p.first_ns) > t)
    }
}

/// One event carrying the batch: data = the array of the events' data, id, meta and
/// origin of the last event, ingest time of the first, lineage = every event's.
fn batch_event(p: Pending) -> Event {
    let Pending {
        data,
        lineage,
        first_ns,
        last,
        seq: _,
    } = p;
    Event {
        data: Value::Array(data),
        ingest_ns: first_ns,
        lineage,
        ..last
    }
}

impl Operator for Batch {
    fn on_event(&mut self, _port: &str, event: Event, out: &mut Outputs) -> Result<(), ExecError> {
        let key = (event.id.peer.clone(), event.id.stream);
        let ingest_ns = event.ingest_ns;
        let mut event = event;
        let data = std::mem::take(&mut event.data);
        let lineage = std::mem::take(&mut event.lineage);
        let (count, next_seq) = (self.count, &mut self.next_seq);
        let p = self.pending.entry(key.clone()).or_insert_with(|| {
            *next_seq += 1;
            Pending {
                data: Vec::with_capacity(count.min(1024)),
                lineage: Lineage::new(),
                first_ns: ingest_ns,
                last: Event::default(),
                seq: *next_seq,
            }
        });
        p.data.push(data);
        p.lineage.add(Ids::of(&event.id, &lineage));
        p.last = event;
        let full = p.data.len() >= self.count;
        if full || self.timed_out(&self.pending[&key], ingest_ns) {
            self.flush(&key, out);
        }
        Ok(())
    }

    fn on_signal(&mut self, signal: &Signal, out: &mut Outputs) -> Result<(), ExecError> {
        match signal {
            Signal::Tick(now) => {
                let mut due: Vec<(u64, (Str, u64))> = self
                    .pending
                    .iter()
                    .filter(|(_, p)| self.timed_out(p, *now))
                    .map(|(k, p)| (p.seq, k.clone()))
                    .collect();
                due.sort_unstable_by_key(|(seq, _)| *seq);
                for (_, k) in &due {
                    self.flush(k, out);
                }
            }
            Signal::EndStream { peer, stream } => self.flush(&(peer.clone(), *stream), out),
            Signal::Drain => {
                let mut all: Vec<Pending> = self.pending.drain(..).map(|(_, p)| p).collect();
                all.sort_unstable_by_key(|p| p.seq);
                out.extend(all.into_iter().map(|p| (OUT, batch_event(p))));
            }
            Signal::StartStream { .. } => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{ev, ev_on, id, ports};
    use super::*;

    fn batch(count: i64, timeout: Option<i64>) -> Batch {
        let cfg = match timeout {
            Some(t) => crate::record! {"count" => count, "timeout" => t},
            None => crate::record! {"count" => count},
        };
        Batch::from_config("b", &cfg).unwrap()
    }
    fn ints(xs: &[i64]) -> Value {
        Value::Array(xs.iter().map(|&x| Value::I64(x)).collect())
    }

    #[test]
    fn flushes_at_count() {
        let mut b = batch(2, None);
        let mut out = Outputs::new();
        for i in 0..5 {
            b.on_event("in", ev(Value::I64(i as i64), i), &mut out)
                .unwrap();
        }
        assert_eq!(ports(&out), ["out", "out"]);
        assert_eq!(out[0].1.data, ints(&[0, 1]));
        assert_eq!(out[1].1.data, ints(&[2, 3]));
        let e = &out[1].1;
        assert_eq!((e.id.event, e.ingest_ns), (3, 2));
        assert_eq!(e.lineage, vec![id("in", 0, 2), id("in", 0, 3)]);
        out.clear();
        b.on_signal(&Signal::Drain, &mut out).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].1.data, ints(&[4]));
        out.clear();
        b.on_signal(&Signal::Drain, &mut out).unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn one_batch_per_stream_with_interleaved_streams() {
        let mut b = batch(2, None);
        let mut out = Outputs::new();
        b.on_event("in", ev_on("tcp", 1, "a1".into(), 0), &mut out)
            .unwrap();
        b.on_event("in", ev_on("tcp", 2, "b1".into(), 1), &mut out)
            .unwrap();
        b.on_event("in", ev_on("tcp", 2, "b2".into(), 2), &mut out)
            .unwrap();
        b.on_event("in", ev_on("tcp", 1, "a2".into(), 3), &mut out)
            .unwrap();
        b.on_event("in", ev_on("tcp", 1, "a3".into(), 4), &mut out)
            .unwrap();
        // Same stream number, other peer: a batch of its own.
        b.on_event("in", ev_on("udp", 1, "c1".into(), 5), &mut out)
            .unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].1.data, Value::Array(vec!["b1".into(), "b2".into()]));
        assert_eq!(out[0].1.id.stream, 2);
        assert_eq!(out[1].1.data, Value::Array(vec!["a1".into(), "a2".into()]));
        assert_eq!(out[1].1.lineage, vec![id("tcp", 1, 0), id("tcp", 1, 3)]);
        out.clear();
        // End of tcp stream 1 flushes only its batch.
        let end = Signal::EndStream {
            peer: "tcp".into(),
            stream: 1,
        };
        b.on_signal(&end, &mut out).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].1.data, Value::Array(vec!["a3".into()]));
        out.clear();
        b.on_signal(&end, &mut out).unwrap();
        assert!(out.is_empty());
        b.on_signal(&Signal::Drain, &mut out).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].1.data, Value::Array(vec!["c1".into()]));
    }

    #[test]
    fn drain_flushes_streams_in_creation_order() {
        let mut b = batch(10, None);
        let mut out = Outputs::new();
        b.on_event("in", ev_on("p", 7, Value::I64(1), 0), &mut out)
            .unwrap();
        b.on_event("in", ev_on("p", 3, Value::I64(2), 1), &mut out)
            .unwrap();
        b.on_event("in", ev_on("p", 7, Value::I64(3), 2), &mut out)
            .unwrap();
        b.on_signal(&Signal::Drain, &mut out).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].1.data, ints(&[1, 3]));
        assert_eq!(out[1].1.data, ints(&[2]));
    }

    #[test]
    fn creation_order_holds_after_streams_flushed_in_between() {
        let mut b = batch(2, None);
        let mut out = Outputs::new();
        for (stream, v) in [(1, 10), (2, 20), (3, 30), (1, 11), (4, 40)] {
            b.on_event("in", ev_on("p", stream, Value::I64(v), 0), &mut out)
                .unwrap();
        }
        assert_eq!(out.len(), 1, "stream 1 filled its batch");
        out.clear();
        b.on_signal(&Signal::Drain, &mut out).unwrap();
        let data: Vec<Value> = out.iter().map(|(_, e)| e.data.clone()).collect();
        assert_eq!(data, [ints(&[20]), ints(&[30]), ints(&[40])]);
    }

    #[test]
    fn timeout_on_events_and_ticks() {
        let mut b = batch(100, Some(10));
        let mut out = Outputs::new();
        b.on_event("in", ev(Value::I64(0), 100), &mut out).unwrap();
        b.on_event("in", ev(Value::I64(1), 110), &mut out).unwrap();
        assert!(out.is_empty(), "110 - 100 is not more than 10");
        b.on_event("in", ev(Value::I64(2), 111), &mut out).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].1.data, ints(&[0, 1, 2]));
        out.clear();
        b.on_event("in", ev(Value::I64(3), 200), &mut out).unwrap();
        b.on_signal(&Signal::Tick(210), &mut out).unwrap();
        assert!(out.is_empty());
        b.on_signal(&Signal::Tick(211), &mut out).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].1.data, ints(&[3]));
    }

    #[test]
    fn count_must_be_positive() {
        for bad in [Value::I64(0), Value::I64(-1), Value::F64(1.5)] {
            let e = Batch::from_config("b", &crate::record! {"count" => bad}).unwrap_err();
            assert!(matches!(e, OpError::BadOpConfig { ref key, .. } if key == "count"));
        }
    }
}
