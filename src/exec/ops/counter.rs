//! `generic::counter`: wraps each event as `{"count": n, "event": e}`, n from 1.

use super::config::OpConfig;
use super::{OpError, OUT};
use crate::event::Event;
use crate::exec::{ExecError, Operator, Outputs};
use crate::value::Value;

/// Counts the events it has seen (operator state: it survives across events).
#[derive(Debug, Default)]
pub struct Counter {
    count: u64,
}

impl Counter {
    /// Takes no config.
    pub fn from_config(node: &str, config: &Value) -> Result<Self, OpError> {
        OpConfig::new(node, "generic::counter", config, &[])?;
        Ok(Counter::default())
    }
}

impl Operator for Counter {
    fn on_event(
        &mut self,
        _port: &str,
        mut event: Event,
        out: &mut Outputs,
    ) -> Result<(), ExecError> {
        self.count += 1;
        let data = std::mem::take(&mut event.data);
        event.data = crate::record! {"count" => self.count, "event" => data};
        out.push((OUT, event));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{ev, ports};
    use super::*;

    #[test]
    fn counts_from_one() {
        let mut c = Counter::from_config("c", &Value::Null).unwrap();
        let mut out = Outputs::new();
        c.on_event("in", ev("a".into(), 0), &mut out).unwrap();
        c.on_event("in", ev(Value::I64(7), 1), &mut out).unwrap();
        assert_eq!(ports(&out), ["out", "out"]);
        assert_eq!(out[0].1.data, crate::record! {"count" => 1, "event" => "a"});
        assert_eq!(out[1].1.data, crate::record! {"count" => 2, "event" => 7});
        assert!(matches!(out[1].1.data.get("count"), Some(Value::U64(2))));
        assert_eq!(out[1].1.ingest_ns, 1);
    }
}
