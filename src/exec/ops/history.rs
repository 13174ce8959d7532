//! `debug::history`: records in `$[name]` which operators an event passed, as
//! `"evt: <op>(<peer>:<stream>:<event>:<pull>)"` entries (LANGUAGE §4's
//! `s:st:e:p`), then passes the event on. Tremor's pull counter numbered a
//! source's reads; every read here hands one event to the graph in its stream's
//! order, so the pull is the event's number.
//!
//! Signals carry no metadata in this engine, so the `"sig: <op>(...)"` entries Tremor
//! appended to a signal's `$` are kept on the operator instead ([`History::signals`]).

use super::config::OpConfig;
use super::{OpError, OUT};
use crate::event::{Event, Signal};
use crate::exec::{ExecError, Operator, Outputs};
use crate::value::{Str, Value};

/// Appends to the history array at `$[name]`.
#[derive(Debug)]
pub struct History {
    op: String,
    name: Str,
    signals: Vec<String>,
}

impl History {
    /// `op` (the label written) and `name` (the metadata key), both required strings.
    pub fn from_config(node: &str, config: &Value) -> Result<Self, OpError> {
        let c = OpConfig::new(node, "debug::history", config, &["op", "name"])?;
        Ok(History {
            op: c.req_str("op")?.to_string(),
            name: Str::from(c.req_str("name")?),
            signals: Vec::new(),
        })
    }

    /// The `"sig: ..."` entries for the signals seen so far.
    pub fn signals(&self) -> &[String] {
        &self.signals
    }
}

impl Operator for History {
    fn on_event(
        &mut self,
        _port: &str,
        mut event: Event,
        out: &mut Outputs,
    ) -> Result<(), ExecError> {
        let id = &event.id;
        let entry = Value::from(format!(
            "evt: {}({}:{}:{}:{})",
            self.op, id.peer, id.stream, id.event, id.event
        ));
        // A `$` that is not a record is left alone, as Tremor did.
        if let Some(meta) = event.meta.as_record_mut() {
            match meta.get_mut(&self.name).and_then(Value::as_array_mut) {
                Some(history) => history.push(entry),
                None => {
                    meta.insert(self.name.clone(), Value::Array(vec![entry]));
                }
            }
        }
        out.push((OUT, event));
        Ok(())
    }

    fn on_signal(&mut self, signal: &Signal, _out: &mut Outputs) -> Result<(), ExecError> {
        let what = match signal {
            Signal::Tick(ns) => format!("tick {ns}"),
            Signal::StartStream { peer, stream } => format!("start_stream {peer}:{stream}"),
            Signal::EndStream { peer, stream } => format!("end_stream {peer}:{stream}"),
            Signal::Drain => "drain".to_string(),
        };
        self.signals.push(format!("sig: {}({what})", self.op));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::ev;
    use super::*;

    fn hist(op: &str) -> History {
        History::from_config("h", &crate::record! {"op" => op, "name" => "h"}).unwrap()
    }

    #[test]
    fn appends_to_the_meta_array() {
        let (mut a, mut b) = (hist("a"), hist("b"));
        let mut out = Outputs::new();
        a.on_event("in", ev(Value::I64(1), 4), &mut out).unwrap();
        let (_, e) = out.pop().unwrap();
        b.on_event("in", e, &mut out).unwrap();
        let e = &out[0].1;
        assert_eq!(
            e.meta.get("h"),
            Some(&Value::Array(vec![
                "evt: a(in:0:4:4)".into(),
                "evt: b(in:0:4:4)".into()
            ]))
        );
        assert_eq!(e.data, Value::I64(1));
    }

    #[test]
    fn replaces_a_non_array_and_skips_non_record_meta() {
        let mut a = hist("a");
        let mut out = Outputs::new();
        let mut e = ev(Value::Null, 0);
        e.meta = crate::record! {"h" => 3};
        a.on_event("in", e, &mut out).unwrap();
        assert_eq!(
            out[0].1.meta.get("h"),
            Some(&Value::Array(vec!["evt: a(in:0:0:0)".into()]))
        );
        let mut e = ev(Value::Null, 0);
        e.meta = Value::I64(1);
        a.on_event("in", e, &mut out).unwrap();
        assert_eq!(out[1].1.meta, Value::I64(1));
    }

    #[test]
    fn records_signals() {
        let mut a = hist("a");
        a.on_signal(&Signal::Drain, &mut Outputs::new()).unwrap();
        assert_eq!(a.signals(), ["sig: a(drain)"]);
    }
}
