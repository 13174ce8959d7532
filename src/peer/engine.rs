//! What the executor thread drives: a compiled query's graph, or a script applied
//! to each event. Both take events and signals and hand back `(output, event)`
//! pairs, so the runtime does not care which it runs.

use crate::diag::SourceMap;
use crate::event::{Event, Signal};
use crate::exec::tilt::Marks;
use crate::exec::{Contraflow, Executor};
use crate::interp::{Outcome, Script};
use crate::testcase::runtime_error_text;
use crate::value::{Str, Value};

/// Outputs of one step, in emission order: `(output name, event)`.
pub type Outputs = Vec<(String, Event)>;

/// A running program.
pub trait Engine {
    /// Feeds one event into input node `input` (`in`, a peer's `p`, `p/err`, ...).
    fn send(&mut self, input: &str, event: Event, out: &mut Outputs);
    /// Feeds one event decoded from a line by the fast path into input node `input`;
    /// `projected`: it holds only the fields [`Executor::project_input`] named.
    /// `original` rebuilds the event as received (for error reports) without
    /// every event being copied up front.
    fn send_line(
        &mut self,
        input: &str,
        event: Event,
        projected: bool,
        original: &dyn Fn() -> Value,
        out: &mut Outputs,
    );
    /// Delivers a signal (tick, stream start/end, drain).
    fn signal(&mut self, signal: &Signal, out: &mut Outputs);
    /// Delivers contraflow from the sinks (a script has no use for it).
    fn contraflow(&mut self, _insight: &Contraflow) {}
    /// Contraflow the nodes raised, to be sent towards the sources.
    fn take_contraflow(&mut self) -> Vec<Contraflow> {
        Vec::new()
    }
    /// The window marks of the outputs since the last call ([`Executor::mark_windows`]).
    fn take_marks(&mut self) -> Marks {
        Vec::new()
    }
    /// The `(peer, stream)` of each late event since the last call (SPEC 7.1).
    fn take_late(&mut self) -> Vec<(Str, u64)> {
        Vec::new()
    }
}

impl Engine for Executor {
    fn send(&mut self, input: &str, event: Event, out: &mut Outputs) {
        Executor::send(self, input, event, out);
    }
    fn send_line(
        &mut self,
        input: &str,
        event: Event,
        projected: bool,
        original: &dyn Fn() -> Value,
        out: &mut Outputs,
    ) {
        if projected {
            self.send_projected(input, event, original, out);
        } else {
            Executor::send(self, input, event, out);
        }
    }
    fn signal(&mut self, signal: &Signal, out: &mut Outputs) {
        Executor::signal(self, signal, out);
    }
    fn contraflow(&mut self, insight: &Contraflow) {
        Executor::contraflow(self, insight);
    }
    fn take_contraflow(&mut self) -> Vec<Contraflow> {
        Executor::take_contraflow(self)
    }
    fn take_marks(&mut self) -> Marks {
        Executor::take_marks(self)
    }
    fn take_late(&mut self) -> Vec<(Str, u64)> {
        Executor::take_late(self)
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

    fn run(&mut self, mut event: Event, original: &dyn Fn() -> Value, out: &mut Outputs) {
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
}

impl Engine for ScriptEngine<'_> {
    /// A script has one input; whatever node is named, the event runs through it.
    fn send(&mut self, _input: &str, event: Event, out: &mut Outputs) {
        let original = event.data.clone();
        self.run(event, &|| original.clone(), out);
    }
    fn send_line(
        &mut self,
        _input: &str,
        event: Event,
        _projected: bool,
        original: &dyn Fn() -> Value,
        out: &mut Outputs,
    ) {
        self.run(event, original, out);
    }
    /// A script holds no windows: signals pass it by.
    fn signal(&mut self, _signal: &Signal, _out: &mut Outputs) {}
}
