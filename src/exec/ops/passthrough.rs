//! `passthrough`: the identity operator behind `in`, `out` and `create stream` nodes.

use super::config::OpConfig;
use super::{OpError, OUT};
use crate::event::Event;
use crate::exec::{ExecError, Operator, Outputs};
use crate::value::Value;

/// Sends every event on unchanged.
#[derive(Debug, Default)]
pub struct Passthrough;

impl Passthrough {
    /// Takes no config.
    pub fn from_config(node: &str, config: &Value) -> Result<Self, OpError> {
        OpConfig::new(node, "passthrough", config, &[])?;
        Ok(Passthrough)
    }
}

impl Operator for Passthrough {
    fn on_event(&mut self, _port: &str, event: Event, out: &mut Outputs) -> Result<(), ExecError> {
        out.push((OUT, event));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{ev, ports};
    use super::*;

    #[test]
    fn passes_events_unchanged() {
        let mut p = Passthrough::from_config("p", &Value::Null).unwrap();
        let mut out = Outputs::new();
        p.on_event("in", ev(Value::I64(3), 5), &mut out).unwrap();
        assert_eq!(ports(&out), ["out"]);
        assert_eq!(out[0].1.data, Value::I64(3));
        assert_eq!(out[0].1.ingest_ns, 5);
    }
}
