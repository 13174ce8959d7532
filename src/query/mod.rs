//! Queries: the compiler from `.trickle` statements to a dataflow graph, and the
//! graph's runtime face for the CLI (`send` events and signals, collect outputs).

use crate::compile::{Compiled, ModulePath};
use crate::diag::{Diagnostic, FileId, SourceMap};
use crate::event::{Event, Signal};

/// A compiled query: the graph and what it needs to run.
pub struct Query {}

/// `trickle graph --format`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    Text,
}

/// Compiles the `.trickle` query already added to `sources` as `file`.
pub fn compile_query(
    sources: &mut SourceMap,
    file: FileId,
    path: &ModulePath,
) -> Result<Compiled<Query>, Vec<Diagnostic>> {
    let _ = (sources, file, path);
    Err(vec![Diagnostic::plain(
        "E0001",
        "the query compiler is being built",
    )])
}

impl Query {
    /// Names of the graph's input streams: `in`, and `in/p` for each `from in/p`.
    pub fn inputs(&self) -> Vec<String> {
        Vec::new()
    }
    /// A fresh running instance of the graph.
    pub fn executor(&self) -> Executor {
        Executor {}
    }
    /// Draws the compiled graph.
    pub fn render(&self, format: GraphFormat) -> String {
        let _ = format;
        String::new()
    }
}

/// A running graph. Outputs are `(output name, event)`: `out`, `err`, or `p` for `into out/p`.
pub struct Executor {}

impl Executor {
    /// Feeds one event into input stream `input` (`in` or `in/p`) and runs the graph
    /// until it is quiet; what reaches outputs is appended to `out` in emission order.
    pub fn send(&mut self, input: &str, event: Event, out: &mut Vec<(String, Event)>) {
        let _ = (input, event, out);
    }
    /// Delivers a signal (tick, stream start/end, drain) to every node, in graph order.
    pub fn signal(&mut self, signal: &Signal, out: &mut Vec<(String, Event)>) {
        let _ = (signal, out);
    }
}
