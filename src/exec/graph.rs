//! The dataflow graph: nodes with named ports and the edges between them, as the
//! query compiler builds it; pruning of unconnected nodes, cycle detection and the
//! topological order signals travel in.

use super::Operator;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Makes a fresh running instance of a node's behaviour.
pub type OpFactory = Arc<dyn Fn() -> Box<dyn Operator> + Send + Sync>;

/// What a node is.
#[derive(Clone)]
pub enum NodeKind {
    /// An input stream of the graph (`in`, `in/p`); sends what it receives on `out`.
    Input,
    /// An output of the graph (`out`, `err`): an event arriving on port `in` leaves
    /// as the node's name, on any other port `p` as `p`.
    Output,
    /// `create stream s`, a sub-pipeline's port: a passthrough.
    Stream,
    /// A select (run without the dynamic operator interface, see `Select::handle`).
    Select(Arc<crate::exec::select::SelectSpec>),
    /// A script or native operator.
    Op {
        /// `select`, `script`, or the operator kind (`generic::batch`).
        kind: String,
        make: OpFactory,
        /// Can fail at runtime (the executor keeps the event to report it).
        fallible: bool,
    },
}

/// A vertex of the graph.
#[derive(Clone)]
pub struct Node {
    pub name: String,
    pub kind: NodeKind,
}

impl Node {
    /// The kind as shown by `trickle graph`.
    pub fn kind_name(&self) -> &str {
        match &self.kind {
            NodeKind::Input => "input",
            NodeKind::Output => "output",
            NodeKind::Stream => "stream",
            NodeKind::Select(_) => "select",
            NodeKind::Op { kind, .. } => kind,
        }
    }
}

/// `from/from_port -> to/to_port`
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    pub from: usize,
    pub from_port: String,
    pub to: usize,
    pub to_port: String,
}

/// Nodes and edges.
#[derive(Clone, Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

impl Graph {
    /// Adds a node and returns its index.
    pub fn add(&mut self, name: impl Into<String>, kind: NodeKind) -> usize {
        self.nodes.push(Node {
            name: name.into(),
            kind,
        });
        self.nodes.len() - 1
    }

    /// Index of the node called `name`.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.name == name)
    }

    /// Adds an edge (once).
    pub fn connect(&mut self, from: usize, from_port: &str, to: usize, to_port: &str) {
        let e = Edge {
            from,
            from_port: from_port.to_string(),
            to,
            to_port: to_port.to_string(),
        };
        if !self.edges.contains(&e) {
            self.edges.push(e);
        }
    }

    /// Removes, repeatedly, every node other than inputs and outputs that lacks an
    /// incoming or an outgoing edge; then drops unused inputs and outputs too.
    pub fn prune(&mut self) {
        let n = self.nodes.len();
        let mut alive = vec![true; n];
        loop {
            let mut has_in = vec![false; n];
            let mut has_out = vec![false; n];
            for e in &self.edges {
                if alive[e.from] && alive[e.to] {
                    has_out[e.from] = true;
                    has_in[e.to] = true;
                }
            }
            let mut changed = false;
            for i in 0..n {
                // `in`, `out` and `err` are always part of the graph.
                let builtin = ["in", "out", "err"].contains(&self.nodes[i].name.as_str());
                let keep = match self.nodes[i].kind {
                    NodeKind::Input => has_out[i] || builtin,
                    NodeKind::Output => has_in[i] || builtin,
                    _ => has_in[i] && has_out[i],
                };
                if alive[i] && !keep {
                    alive[i] = false;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        self.retain(&alive);
    }

    fn retain(&mut self, alive: &[bool]) {
        let mut map = vec![usize::MAX; self.nodes.len()];
        let mut nodes = Vec::new();
        for (i, node) in std::mem::take(&mut self.nodes).into_iter().enumerate() {
            if alive[i] {
                map[i] = nodes.len();
                nodes.push(node);
            }
        }
        self.nodes = nodes;
        self.edges = std::mem::take(&mut self.edges)
            .into_iter()
            .filter(|e| alive[e.from] && alive[e.to])
            .map(|e| Edge {
                from: map[e.from],
                to: map[e.to],
                ..e
            })
            .collect();
    }

    /// Nodes in topological order (Kahn, lowest index first); `Err` names a node on a cycle.
    pub fn topo_order(&self) -> Result<Vec<usize>, Vec<usize>> {
        let n = self.nodes.len();
        let mut indeg = vec![0usize; n];
        let mut succ: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
        for e in &self.edges {
            if succ[e.from].insert(e.to) {
                indeg[e.to] += 1;
            }
        }
        let mut ready: BTreeSet<usize> = (0..n).filter(|&i| indeg[i] == 0).collect();
        let mut order = Vec::with_capacity(n);
        while let Some(i) = ready.pop_first() {
            order.push(i);
            for &j in &succ[i] {
                indeg[j] -= 1;
                if indeg[j] == 0 {
                    ready.insert(j);
                }
            }
        }
        if order.len() < n {
            return Err(self.cycle(&indeg));
        }
        Ok(order)
    }

    /// A cycle among the nodes a topological sort could not order (`indeg` > 0
    /// left), in edge order. Each has a predecessor among them: stepping back
    /// from one `n` times lands on a cycle, which the same steps then go round.
    fn cycle(&self, indeg: &[usize]) -> Vec<usize> {
        let stuck = |i: usize| indeg[i] > 0;
        let pred = |i: usize| {
            self.edges
                .iter()
                .filter(|e| e.to == i && stuck(e.from))
                .map(|e| e.from)
                .min()
        };
        let Some(mut at) = (0..indeg.len()).find(|&i| stuck(i)) else {
            return Vec::new();
        };
        for _ in 0..indeg.len() {
            at = pred(at).unwrap_or(at);
        }
        let mut cycle = vec![at];
        let mut i = pred(at).unwrap_or(at);
        while i != at && cycle.len() <= indeg.len() {
            cycle.push(i);
            i = pred(i).unwrap_or(at);
        }
        cycle.reverse();
        // From its earliest node: the order the query made them in.
        let first = (0..cycle.len()).min_by_key(|&k| cycle[k]).unwrap_or(0);
        cycle.rotate_left(first);
        cycle
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream() -> NodeKind {
        NodeKind::Stream
    }

    #[test]
    fn prunes_repeatedly_and_keeps_builtins() {
        let mut g = Graph::default();
        let i = g.add("in", NodeKind::Input);
        let o = g.add("out", NodeKind::Output);
        g.add("err", NodeKind::Output);
        let a = g.add("a", stream());
        let b = g.add("b", stream());
        let c = g.add("c", stream());
        g.connect(i, "out", a, "in");
        g.connect(a, "out", o, "in");
        // b -> c, c dangles: both go
        g.connect(i, "out", b, "in");
        g.connect(b, "out", c, "in");
        g.prune();
        let names: Vec<_> = g.nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, vec!["in", "out", "err", "a"]);
        assert_eq!(g.edges.len(), 2);
        assert!(g.edges.iter().all(|e| e.from < 4 && e.to < 4));
    }

    #[test]
    fn detects_cycles() {
        let mut g = Graph::default();
        let i = g.add("in", NodeKind::Input);
        let a = g.add("a", stream());
        let b = g.add("b", stream());
        g.connect(i, "out", a, "in");
        g.connect(a, "out", b, "in");
        assert_eq!(g.topo_order().unwrap(), vec![0, 1, 2]);
        let o = g.add("o", stream());
        g.connect(b, "out", o, "in");
        g.connect(b, "out", a, "in");
        // `o` cannot be ordered either, but only `a` and `b` are on the cycle.
        assert_eq!(g.topo_order(), Err(vec![a, b]));
        let c = g.add("c", stream());
        g.connect(c, "out", c, "in");
        g.connect(i, "out", c, "in");
        let cycle = g.topo_order().unwrap_err();
        assert!(cycle == vec![a, b] || cycle == vec![c], "{cycle:?}");
    }
}
