//! A compiled query as the runtime takes it: the ordered graph, its `#!config`,
//! the peers it created; [`Query::executor`] makes a running instance.

use super::graph::{Graph, NodeKind};
use super::render::GraphFormat;
use super::Executor;

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

impl Query {
    /// The query of an ordered graph (`topo` is `graph`'s topological order), with
    /// no configuration and no peers.
    pub fn new(graph: Graph, topo: Vec<usize>) -> Self {
        Query {
            graph,
            topo,
            id: None,
            metrics_interval_s: None,
            peers: Vec::new(),
            reads_lineage: false,
            reads_meta: false,
        }
    }
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
        Executor::new(&self.graph, self.topo.clone())
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
        super::render::render_with_kinds(&self.graph, format, &kinds)
    }
}
