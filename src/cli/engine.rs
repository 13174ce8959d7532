//! What a run feeds events into: a compiled query's executor, or a script applied
//! to each event. Both take events and signals and hand back `(output, event)`
//! pairs, so the run loop does not care which it drives.

use crate::diag::SourceMap;
use crate::event::{Event, Signal};
use crate::interp::{Outcome, Script};
use crate::query::Executor;
use crate::testcase::runtime_error_text;
use crate::value::Value;

/// Outputs of one step, in emission order: `(output name, event)`.
pub type Outputs = Vec<(String, Event)>;

/// A running program.
pub trait Engine {
    /// Processes one event from input `in`; `original` rebuilds the event as received
    /// (for error reports) without the engine having to copy every event up front.
    fn event(&mut self, event: Event, original: &dyn Fn() -> Value, out: &mut Outputs);
    /// Delivers a signal (tick, stream start/end, drain).
    fn signal(&mut self, signal: &Signal, out: &mut Outputs);
}

/// A query graph.
pub struct QueryEngine {
    pub executor: Executor,
    /// Events arrive with only the fields the query reads ([`Executor::project_input`]).
    pub projected: bool,
}

impl Engine for QueryEngine {
    fn event(&mut self, event: Event, original: &dyn Fn() -> Value, out: &mut Outputs) {
        if self.projected {
            self.executor.send_projected("in", event, original, out);
        } else {
            self.executor.send("in", event, out);
        }
    }
    fn signal(&mut self, signal: &Signal, out: &mut Outputs) {
        self.executor.signal(signal, out);
    }
}

/// A script applied to each event: `state` kept between events, `$` fresh for each.
pub struct ScriptEngine<'a> {
    pub script: &'a Script,
    pub sources: &'a SourceMap,
    state: Value,
    meta: Value,
}

impl<'a> ScriptEngine<'a> {
    pub fn new(script: &'a Script, sources: &'a SourceMap) -> Self {
        ScriptEngine {
            script,
            sources,
            state: Value::Null,
            meta: Value::record(),
        }
    }
}

impl Engine for ScriptEngine<'_> {
    fn event(&mut self, mut event: Event, original: &dyn Fn() -> Value, out: &mut Outputs) {
        // `$` starts empty for every event; reusing the record keeps its allocation.
        match self.meta.as_record_mut() {
            Some(r) => r.clear(),
            None => self.meta = Value::record(),
        }
        let mut data = std::mem::take(&mut event.data);
        let result = self
            .script
            .run(&mut data, &mut self.meta, &mut self.state, &event.ctx());
        match result {
            Ok(Outcome::Emit { value, port }) => {
                let port = port.unwrap_or_else(|| "out".to_string());
                event.data = value;
                out.push((port, event));
            }
            Ok(Outcome::Drop) => {}
            Err(e) => {
                let text = runtime_error_text(&e, self.sources);
                event.data = crate::record! {"error" => text, "event" => original()};
                out.push(("err".to_string(), event));
            }
        }
    }
    /// A script holds no windows: signals pass it by.
    fn signal(&mut self, _signal: &Signal, _out: &mut Outputs) {}
}
