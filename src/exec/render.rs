//! `trickle graph`: the compiled graph as Graphviz dot, Mermaid, or plain text.

use super::graph::Graph;
use std::fmt::Write;

/// `trickle graph --format`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    Text,
}

/// Draws `g` in `format`.
#[cfg(test)]
pub(crate) fn render(g: &Graph, format: GraphFormat) -> String {
    let kinds: Vec<String> = g.nodes.iter().map(|n| n.kind_name().to_string()).collect();
    render_with_kinds(g, format, &kinds)
}

/// Draws `g` in `format`, showing node `i`'s kind as `kinds[i]` (peers' port nodes
/// are plain inputs and outputs in the graph, but are shown as the peer they are).
pub(crate) fn render_with_kinds(g: &Graph, format: GraphFormat, kinds: &[String]) -> String {
    let mut s = String::new();
    // Writing to a String cannot fail.
    let _ = match format {
        GraphFormat::Dot => dot(g, kinds, &mut s),
        GraphFormat::Mermaid => mermaid(g, kinds, &mut s),
        GraphFormat::Text => text(g, kinds, &mut s),
    };
    s
}

fn quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn dot(g: &Graph, kinds: &[String], s: &mut String) -> std::fmt::Result {
    writeln!(s, "digraph query {{")?;
    writeln!(s, "  rankdir=LR;")?;
    for (i, n) in g.nodes.iter().enumerate() {
        writeln!(
            s,
            "  n{i} [label=\"{}\\n({})\"];",
            quote(&n.name),
            quote(&kinds[i])
        )?;
    }
    for e in &g.edges {
        writeln!(
            s,
            "  n{} -> n{} [label=\"{} -> {}\"];",
            e.from,
            e.to,
            quote(&e.from_port),
            quote(&e.to_port)
        )?;
    }
    writeln!(s, "}}")
}

fn mermaid(g: &Graph, kinds: &[String], s: &mut String) -> std::fmt::Result {
    writeln!(s, "flowchart LR")?;
    for (i, n) in g.nodes.iter().enumerate() {
        let label = format!("{} ({})", n.name, kinds[i]).replace('"', "#quot;");
        writeln!(s, "  n{i}[\"{label}\"]")?;
    }
    for e in &g.edges {
        writeln!(
            s,
            "  n{} -- \"{} → {}\" --> n{}",
            e.from, e.from_port, e.to_port, e.to
        )?;
    }
    Ok(())
}

fn text(g: &Graph, kinds: &[String], s: &mut String) -> std::fmt::Result {
    writeln!(s, "nodes:")?;
    for (n, kind) in g.nodes.iter().zip(kinds) {
        writeln!(s, "  {} ({kind})", n.name)?;
    }
    writeln!(s, "edges:")?;
    for e in &g.edges {
        writeln!(
            s,
            "  {}/{} -> {}/{}",
            g.nodes[e.from].name, e.from_port, g.nodes[e.to].name, e.to_port
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::graph::NodeKind;

    fn graph() -> Graph {
        let mut g = Graph::default();
        let i = g.add("in", NodeKind::Input);
        let s = g.add("s", NodeKind::Stream);
        let o = g.add("out", NodeKind::Output);
        g.connect(i, "out", s, "in");
        g.connect(s, "out", o, "p");
        g
    }

    #[test]
    fn text_lists_nodes_and_ported_edges() {
        let t = render(&graph(), GraphFormat::Text);
        assert!(t.contains("  s (stream)\n"), "{t}");
        assert!(t.contains("  s/out -> out/p\n"), "{t}");
    }

    #[test]
    fn dot_and_mermaid_have_every_edge() {
        let d = render(&graph(), GraphFormat::Dot);
        assert!(d.starts_with("digraph query {"));
        assert!(d.contains("n1 -> n2 [label=\"out -> p\"];"), "{d}");
        let m = render(&graph(), GraphFormat::Mermaid);
        assert!(m.contains("n0 -- \"out → in\" --> n1"), "{m}");
    }
}
