//! A `create script` node (LANGUAGE §5): per-instance state, `script from PORT`
//! blocks, `emit => "port"`, and runtime errors reported on its own `err` port.

use super::executor::error_event;
use crate::event::{Event, Port};
use crate::exec::{ExecError, Operator, Outputs};
use crate::expr::BlockRef;
use crate::interp::Outcome;
use crate::value::Value;
use std::sync::Arc;

/// A compiled script definition with its arguments applied.
pub struct ScriptSpec {
    /// The main `script` (events on port `in`).
    pub main: BlockRef,
    /// `script from PORT` blocks.
    pub ports: Vec<(String, BlockRef)>,
    /// The initial state (the `state` literal, or `null`).
    pub state: Value,
    pub args: Value,
}

/// A running script node.
pub struct ScriptNode {
    spec: Arc<ScriptSpec>,
    state: Value,
}

impl ScriptNode {
    pub fn new(spec: Arc<ScriptSpec>) -> Self {
        ScriptNode {
            state: spec.state.clone(),
            spec,
        }
    }
}

impl Operator for ScriptNode {
    fn on_event(&mut self, port: &str, ev: Event, out: &mut Outputs) -> Result<(), ExecError> {
        let block = if port == "in" {
            &self.spec.main
        } else if let Some((_, b)) = self.spec.ports.iter().find(|(p, _)| p == port) {
            b
        } else {
            let data = ev.data.clone();
            let err = error_event(&ExecError::UnknownPort(port.to_string()), data, Some(&ev));
            out.push((Port::borrowed("err"), err));
            return Ok(());
        };
        let original = ev.data.clone();
        let mut data = ev.data.clone();
        let mut meta = ev.meta.clone();
        let res = block.run(
            &mut data,
            &mut meta,
            &mut self.state,
            &self.spec.args,
            &ev.ctx(),
        );
        match res {
            Ok(Outcome::Emit { value, port }) => {
                let port = port.map_or(Port::borrowed("out"), Port::owned);
                out.push((
                    port,
                    Event {
                        data: value,
                        meta,
                        ..ev
                    },
                ));
            }
            Ok(Outcome::Drop) => {}
            Err(e) => out.push((
                Port::borrowed("err"),
                error_event(&e.into(), original, Some(&ev)),
            )),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::FnCtx;
    use crate::expr::{Block, EvalError};

    /// Counts events in state; emits the count to port `big` past 1; fails on null.
    struct Counter;
    impl Block for Counter {
        fn run(
            &self,
            event: &mut Value,
            _meta: &mut Value,
            state: &mut Value,
            _args: &Value,
            _ctx: &FnCtx<'_>,
        ) -> Result<Outcome, EvalError> {
            if event.is_null() {
                return Err(EvalError("null event".into()));
            }
            let n = state.as_u64().unwrap_or(0) + 1;
            *state = Value::U64(n);
            let port = (n > 1).then(|| "big".to_string());
            Ok(Outcome::Emit {
                value: Value::U64(n),
                port,
            })
        }
    }

    fn node() -> ScriptNode {
        ScriptNode::new(Arc::new(ScriptSpec {
            main: Arc::new(Counter),
            ports: vec![],
            state: Value::U64(0),
            args: Value::Null,
        }))
    }

    #[test]
    fn keeps_state_and_routes_ports() {
        let mut s = node();
        let mut out = Outputs::new();
        let ev = Event {
            data: "x".into(),
            ..Event::default()
        };
        s.on_event("in", ev.clone(), &mut out).unwrap();
        s.on_event("in", ev, &mut out).unwrap();
        assert_eq!(out[0].0, "out");
        assert_eq!(out[1].0, "big");
        assert_eq!(out[1].1.data, Value::U64(2));
    }

    #[test]
    fn errors_and_unknown_ports_go_to_err() {
        let mut s = node();
        let mut out = Outputs::new();
        s.on_event("in", Event::default(), &mut out).unwrap();
        s.on_event("nope", Event::default(), &mut out).unwrap();
        assert_eq!(out[0].0, "err");
        assert_eq!(
            out[0].1.data.encode(),
            r#"{"error":"null event","event":null}"#
        );
        assert_eq!(
            out[1].1.data.get("error").and_then(Value::as_str),
            Some("unknown port: `nope`")
        );
    }
}
