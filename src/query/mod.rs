//! Queries: the compiler from `.trickle` statements to a dataflow graph, which it
//! hands to the executor's side as a [`Query`].
//!
//! ```text
//! statements ─ compile (definitions, create, select, ports) ─ Graph ─ prune, order
//!            ─ Query (crate::exec) ─ executor() ─ Executor::send / signal ─ (output, event)
//! ```

// Diagnostics are returned by value across the compiler, as in `crate::compile`.
#![allow(clippy::result_large_err)]

mod bind;
mod check_def;
mod compile;
mod config;
mod create;
mod peer_def;
mod select_def;
mod uses;
mod window_def;

use crate::compile::{Compiled, ModulePath, Modules};
use crate::diag::{codes, Diagnostic, FileId, SourceMap};
use crate::exec::graph::{Graph, NodeKind};
use crate::exec::Query;
use compile::{Compiler, Pipe};

use std::sync::Arc;

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
        select_spans: Default::default(),
    };
    let mut pipe = Pipe::new(scope, String::new(), None, true);
    // `#!config from = "..."` / `into = "..."` replace the default ports, as they
    // do in a `define pipeline`.
    let ins = cfg.from.clone().unwrap_or_else(|| vec!["in".into()]);
    let outs = cfg
        .into
        .clone()
        .unwrap_or_else(|| vec!["out".into(), "err".into()]);
    for name in ins {
        let node = c.graph.add(&name, NodeKind::Input);
        pipe.ins.insert(name, node);
    }
    for name in outs {
        let node = c.graph.add(&name, NodeKind::Output);
        pipe.outs.insert(name, node);
    }
    c.pipeline(&mut pipe, &module.stmts);
    if !c.errors.is_empty() {
        return Err(crate::diag::without_consequences(c.errors));
    }
    let mut graph = c.graph;
    graph.prune();
    let topo = graph
        .topo_order()
        .map_err(|cycle| vec![cycle_error(&graph, &cycle, &c.select_spans)])?;
    let mut warnings = std::mem::take(&mut c.bind.modules.warnings);
    warnings.extend(c.warnings);
    let mut query = Query::new(graph, topo);
    query.id = cfg.id;
    query.metrics_interval_s = cfg.metrics_interval_s;
    query.peers = c.peers;
    query.reads_lineage = c
        .bind
        .modules
        .reads_lineage
        .load(std::sync::atomic::Ordering::Relaxed);
    query.reads_meta = c
        .bind
        .modules
        .reads_meta
        .load(std::sync::atomic::Ordering::Relaxed);
    Ok(Compiled {
        value: query,
        warnings,
    })
}

/// A cycle of the graph (its nodes in order): the streams on it, pointing at the
/// first select on it that was written.
fn cycle_error(
    graph: &Graph,
    cycle: &[usize],
    select_spans: &rustc_hash::FxHashMap<String, crate::diag::Span>,
) -> Diagnostic {
    let names: Vec<&str> = cycle
        .iter()
        .map(|&n| graph.nodes[n].name.as_str())
        .collect();
    let mut streams: Vec<String> = names
        .iter()
        .filter(|n| !select_spans.contains_key(**n))
        .map(|n| format!("`{n}`"))
        .collect();
    if let Some(first) = streams.first().cloned() {
        streams.push(first);
    }
    let message = format!(
        "Cyclic dependency in the query graph: {}",
        streams.join(" -> ")
    );
    let help = "a select may not send events back into what it reads from, directly or through other streams";
    let first_select = names
        .iter()
        .filter_map(|n| select_spans.get(*n))
        .min_by_key(|s| (s.file, s.start));
    match first_select {
        Some(span) => Diagnostic::error(codes::QUERY_CYCLIC_GRAPH, message, *span)
            .with_label("this select is on the cycle")
            .with_help(help),
        None => Diagnostic::plain(codes::QUERY_CYCLIC_GRAPH, message).with_help(help),
    }
}

#[cfg(test)]
mod mark_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod time_tests;
