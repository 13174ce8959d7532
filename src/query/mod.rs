//! Queries: the compiler from `.trickle` statements to a dataflow graph, and the
//! graph's runtime face for the CLI (`send` events and signals, collect outputs).
//!
//! ```text
//! statements ─ compile (definitions, create, select, ports) ─ Graph ─ prune, order
//!            ─ Query ─ executor() ─ Executor::send / signal ─ (output, event)
//! ```

// Diagnostics are returned by value across the compiler, as in `crate::compile`.
#![allow(clippy::result_large_err)]

mod bind;
mod check_def;
mod compile;
mod config;
mod create;
mod peer_def;
mod render;
mod select_def;
mod uses;
mod window_def;

use crate::compile::{Compiled, ModulePath, Modules};
use crate::diag::{codes, Diagnostic, FileId, SourceMap};
use crate::event::{Event, Signal};
use crate::exec::executor;
use crate::exec::graph::{Graph, NodeKind};
use crate::exec::Contraflow;
use compile::{Compiler, Pipe};

use std::sync::Arc;

/// A compiled query: the graph and what it needs to run.
pub struct Query {
    graph: Graph,
    topo: Vec<usize>,
    /// `#!config id`
    pub id: Option<String>,
    /// `#!config metrics_interval_s`
    pub metrics_interval_s: Option<u64>,
    /// The peers the query created (some of their port nodes may have been pruned).
    pub peers: Vec<crate::peer::spec::PeerSpec>,
    /// Something in it calls `event_ids()`, which reads an event's lineage.
    pub reads_lineage: bool,
    /// Something in it reads or changes `$`, events' metadata.
    pub reads_meta: bool,
}

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
    let mut modules = Modules::new(path);
    let (scope, module) = modules.load_root(sources, file)?;
    let bind = bind::Binder {
        modules,
        sources: Arc::new(bind::snapshot(sources)),
    };
    let cfg = config::read(&bind, scope, &module.config)?;
    let mut c = Compiler {
        bind,
        graph: Graph::default(),
        errors: Vec::new(),
        warnings: Vec::new(),
        selects: 0,
        creating: Vec::new(),
        peers: Vec::new(),
        created: Default::default(),
        late: Vec::new(),
    };
    let mut pipe = Pipe::new(scope, String::new(), None, true);
    pipe.ins
        .insert("in".into(), c.graph.add("in", NodeKind::Input));
    pipe.outs
        .insert("out".into(), c.graph.add("out", NodeKind::Output));
    pipe.outs
        .insert("err".into(), c.graph.add("err", NodeKind::Output));
    c.pipeline(&mut pipe, &module.stmts);
    if !c.errors.is_empty() {
        return Err(crate::diag::without_consequences(c.errors));
    }
    let mut graph = c.graph;
    graph.prune();
    let topo = graph.topo_order().map_err(|node| {
        vec![Diagnostic::plain(
            codes::QUERY_CYCLIC_GRAPH,
            format!("Cyclic dependency in the query graph: `{node}` is on a cycle"),
        )]
    })?;
    let mut warnings = std::mem::take(&mut c.bind.modules.warnings);
    warnings.extend(c.warnings);
    Ok(Compiled {
        value: Query {
            graph,
            topo,
            id: cfg.id,
            metrics_interval_s: cfg.metrics_interval_s,
            peers: c.peers,
            reads_lineage: c
                .bind
                .modules
                .reads_lineage
                .load(std::sync::atomic::Ordering::Relaxed),
            reads_meta: c
                .bind
                .modules
                .reads_meta
                .load(std::sync::atomic::Ordering::Relaxed),
        },
        warnings,
    })
}

impl Query {
    /// Names of the graph's input streams: `in`, and `in/p` for each `from in/p`.
    pub fn inputs(&self) -> Vec<String> {
        self.graph
            .nodes
            .iter()
            .filter(|n| matches!(n.kind, NodeKind::Input))
            .map(|n| n.name.clone())
            .collect()
    }
    /// The compiled graph (after pruning), for the peer runtime's routing.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }
    /// A fresh running instance of the graph.
    pub fn executor(&self) -> Executor {
        Executor(executor::Executor::new(&self.graph, self.topo.clone()))
    }
    /// Draws the compiled graph.
    pub fn render(&self, format: GraphFormat) -> String {
        let kinds: Vec<String> = self
            .graph
            .nodes
            .iter()
            .map(|n| {
                let peer = self.peers.iter().find_map(|p| {
                    let port = if n.name == p.out_node() {
                        "out"
                    } else if n.name == p.err_node() {
                        "err"
                    } else if n.name == p.metrics_node() {
                        "metrics"
                    } else if n.name == p.in_node() {
                        "in"
                    } else {
                        return None;
                    };
                    Some(format!("peer {}, port {port}", p.kind.name()))
                });
                peer.unwrap_or_else(|| n.kind_name().to_string())
            })
            .collect();
        render::render_with_kinds(&self.graph, format, &kinds)
    }
}

/// A running graph. Outputs are `(output name, event)`: `out`, `err`, or `p` for `into out/p`.
pub struct Executor(executor::Executor);

impl Executor {
    /// Feeds one event into input stream `input` (`in` or `in/p`) and runs the graph
    /// until it is quiet; what reaches outputs is appended to `out` in emission order.
    pub fn send(&mut self, input: &str, event: Event, out: &mut Vec<(String, Event)>) {
        self.0.send(input, event, out)
    }
    /// Delivers a signal (tick, stream start/end, drain) to every node, in graph order.
    pub fn signal(&mut self, signal: &Signal, out: &mut Vec<(String, Event)>) {
        self.0.signal(signal, out)
    }
    /// Delivers contraflow from the sinks (`ack`, `fail`, `halt`, `ready`) to every node.
    pub fn contraflow(&mut self, insight: &Contraflow) {
        self.0.contraflow(insight)
    }
    /// Contraflow the nodes raised (e.g. `halt` from `qos::backpressure`), to be
    /// sent towards the sources.
    pub fn take_contraflow(&mut self) -> Vec<Contraflow> {
        self.0.take_contraflow()
    }
    /// The output events sent to `input` reach unchanged, when the graph only forwards
    /// them (see [`executor::Executor::forwards_unchanged`]).
    pub fn forwards_unchanged(&self, input: &str) -> Option<String> {
        self.0.forwards_unchanged(input)
    }
    /// The top-level fields of events sent to `input` that the graph reads, when it
    /// reads nothing else of them (see [`executor::Executor::project_input`]).
    pub fn project_input(&mut self, input: &str) -> Option<crate::value::Fields> {
        self.0.project_input(input)
    }
    /// Windows stop keeping the ids of the events they hold (see
    /// [`executor::Executor::drop_lineage`]).
    pub fn drop_lineage(&mut self) {
        self.0.drop_lineage()
    }
    /// Groups the windowed selects hold (memory checks).
    pub fn held_groups(&self) -> usize {
        self.0.held_groups()
    }
    /// [`Executor::send`] of an event decoded with only the fields
    /// [`Executor::project_input`] named; `original` decodes it whole for error reports.
    pub fn send_projected(
        &mut self,
        input: &str,
        event: Event,
        original: &dyn Fn() -> crate::value::Value,
        out: &mut Vec<(String, Event)>,
    ) {
        self.0.send_projected(input, event, original, out)
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod time_tests;
