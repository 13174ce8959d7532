//! The query compiler's walk over statements: definitions into one namespace, node
//! creation with create-before-use, `from`/`into` resolution with ports, and the
//! flattening of sub-pipelines into the graph with prefixed node names.

use super::bind::Binder;
use crate::compile::ScopeId;
use crate::diag::{codes, Diagnostic, Span};
use crate::exec::graph::{Graph, NodeKind};
use crate::value::Value;
use rustc_hash::{FxHashMap, FxHashSet};
use trickle_grammar::ast::{self, Definition, Stmt};

/// A created node as the statements of its pipeline see it.
#[derive(Clone)]
pub(crate) enum NodeRef {
    Node(usize),
    /// A sub-pipeline: its `from` ports and its `into` ports, each a passthrough node.
    Pipeline {
        ins: FxHashMap<String, usize>,
        outs: FxHashMap<String, usize>,
    },
    /// Its creation failed (and was reported): statements using it say nothing more.
    Failed,
}

/// The pipeline whose statements are being compiled (the query, or a created sub-pipeline).
pub(crate) struct Pipe {
    pub scope: ScopeId,
    /// Prepended to node names (`""`, or `p::` inside created pipeline `p`).
    pub prefix: String,
    /// `args` of a created pipeline (`None` at top level, where `args` is null).
    pub args: Option<Value>,
    /// Definitions made by `define` in this pipeline's body.
    pub defs: FxHashMap<String, (ScopeId, Definition)>,
    pub nodes: FxHashMap<String, NodeRef>,
    /// `from` ports → the node events enter through (top level: the `in` inputs).
    pub ins: FxHashMap<String, usize>,
    /// `into` ports → the node events leave through (top level: `out`, `err`).
    pub outs: FxHashMap<String, usize>,
    pub top: bool,
    /// Definitions of this pipeline whose check failed: their uses are not reported again.
    pub failed: FxHashSet<String>,
    /// Where each node was created (a duplicate points at the first).
    pub node_spans: FxHashMap<String, Span>,
}

impl Pipe {
    /// An empty pipeline body in `scope`; node names get `prefix`.
    pub fn new(scope: ScopeId, prefix: String, args: Option<Value>, top: bool) -> Self {
        Pipe {
            scope,
            prefix,
            args,
            defs: FxHashMap::default(),
            nodes: FxHashMap::default(),
            ins: FxHashMap::default(),
            outs: FxHashMap::default(),
            top,
            failed: FxHashSet::default(),
            node_spans: FxHashMap::default(),
        }
    }

    /// `r` names a node whose creation failed.
    pub fn is_failed(&self, r: &ast::StreamRef) -> bool {
        matches!(self.nodes.get(&r.node.name), Some(NodeRef::Failed))
    }
}

/// The whole compilation.
pub(crate) struct Compiler {
    pub bind: Binder,
    pub graph: Graph,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    pub selects: usize,
    /// The pipeline definitions being created, outermost first: creating one of them
    /// again inside itself would never end.
    pub creating: Vec<Span>,
    /// Peers created so far (their ports are graph nodes; see `peer_def`).
    pub peers: Vec<crate::peer::spec::PeerSpec>,
    /// Pipeline definitions created at least once (by span); the others are checked
    /// on their own at the end of the pipeline that defines them.
    pub created: FxHashSet<(u32, u32, u32)>,
    /// Selects whose window's `late` stream is created later in the pipeline:
    /// (pipeline prefix, select node, stream name, where `late` was written).
    pub late: Vec<(String, usize, String, Span)>,
    /// Where each select node was written, by node name (a cycle points at one).
    pub select_spans: FxHashMap<String, Span>,
}

/// A definition's identity.
pub(crate) fn span_key(s: Span) -> (u32, u32, u32) {
    (s.file, s.start, s.end)
}

/// Span of a definition.
pub(crate) fn def_span(d: &Definition) -> Span {
    match d {
        Definition::Window(w) => w.span,
        Definition::Operator(o) => o.span,
        Definition::Script(s) => s.span,
        Definition::Pipeline(p) => p.span,
        Definition::Peer(p) => p.span,
    }
}

fn def_name(d: &Definition) -> &ast::Ident {
    match d {
        Definition::Window(w) => &w.name,
        Definition::Operator(o) => &o.name,
        Definition::Script(s) => &s.name,
        Definition::Pipeline(p) => &p.name,
        Definition::Peer(p) => &p.name,
    }
}

impl Compiler {
    /// Keeps warnings found while lowering.
    pub fn warn(&mut self, ws: Vec<Diagnostic>) {
        self.warnings.extend(ws);
    }

    /// Compiles the statements of one pipeline into the graph.
    pub fn pipeline(&mut self, pipe: &mut Pipe, stmts: &[Stmt]) {
        for stmt in stmts {
            let res = match stmt {
                Stmt::Define(d) => self.define(pipe, d),
                Stmt::Create(c) => self.create(pipe, c),
                Stmt::Select(s) => self.select(pipe, s),
                Stmt::Expr(e) => Err(vec![Diagnostic::error(
                    codes::QUERY_WRONG_DEFINITION_KIND,
                    "Expressions are not allowed as query statements",
                    e.span,
                )
                .with_help("wrap it in a `select` or a `define script`")]),
                // Handled by the module environment (`use`, `const`, `fn`, `intrinsic`).
                Stmt::Use(_) | Stmt::Const(_) | Stmt::Fn(_) | Stmt::Intrinsic(_) => Ok(()),
            };
            if let Err(es) = res {
                self.errors.extend(es);
            }
        }
        self.check_uncreated_pipelines(pipe);
        self.connect_late(pipe);
    }

    /// Connects the `late` port of selects to the streams their window names, now
    /// that every stream of the pipeline is created; a name that is none is an error.
    fn connect_late(&mut self, pipe: &Pipe) {
        let (mine, rest) = std::mem::take(&mut self.late)
            .into_iter()
            .partition(|(prefix, ..)| *prefix == pipe.prefix);
        self.late = rest;
        for (_, select, name, span) in mine {
            match self.late_target(pipe, &name) {
                Some(to) => {
                    self.graph.connect(select, "late", to, "in");
                    if self.unread_stream(to) {
                        self.warnings.push(
                            Diagnostic::warning(
                                codes::W_LATE_UNREAD,
                                format!("Late events go to stream `{name}`, but nothing reads it"),
                                span,
                            )
                            .with_help(format!("e.g. `select event from {name} into err;`")),
                        );
                    }
                }
                // Its creation failed, which was reported.
                None if matches!(pipe.nodes.get(&name), Some(NodeRef::Failed)) => {}
                // Back into an input, a late event would come round again.
                None if pipe.ins.contains_key(&name) => self.errors.push(
                    Diagnostic::error(
                        codes::QUERY_STREAM_NOT_DEFINED,
                        format!("The window setting `late` names `{name}`, an input of the query"),
                        span,
                    )
                    .with_help("send late events to a stream of their own: `late = \"too_late\"` with `create stream too_late;`"),
                ),
                None => self.errors.push(
                    Diagnostic::error(
                        codes::QUERY_STREAM_NOT_DEFINED,
                        format!("The window setting `late` names no stream: `{name}`"),
                        span,
                    )
                    .with_help(format!("create it: `create stream {name};`")),
                ),
            }
        }
    }

    /// Whether node `n` is a stream no edge leaves: what it is sent goes nowhere.
    fn unread_stream(&self, n: usize) -> bool {
        matches!(self.graph.nodes[n].kind, NodeKind::Stream)
            && !self.graph.edges.iter().any(|e| e.from == n)
    }

    /// The node events sent to stream `name` of `pipe` enter.
    pub fn late_target(&self, pipe: &Pipe, name: &str) -> Option<usize> {
        match pipe.nodes.get(name) {
            Some(NodeRef::Node(i)) => Some(*i),
            Some(NodeRef::Pipeline { .. }) => None,
            Some(NodeRef::Failed) => None,
            None => pipe.outs.get(name).copied(),
        }
    }

    fn define(&mut self, pipe: &mut Pipe, d: &Definition) -> Result<(), Vec<Diagnostic>> {
        let name = def_name(d);
        if let Some((_, first)) = pipe.defs.get(&name.name) {
            return Err(vec![Diagnostic::error(
                codes::QUERY_DOUBLE_DEFINITION,
                format!("`{}` is already defined", name.name),
                name.span,
            )
            .with_secondary(def_name(first).span, "first defined here")]);
        }
        pipe.defs.insert(name.name.clone(), (pipe.scope, d.clone()));
        // Checked here, whether or not anything creates it (pipelines: at the end
        // of this pipeline if nothing did).
        if let Err(es) = self.check_definition(pipe, d) {
            pipe.failed.insert(name.name.clone());
            return Err(es);
        }
        Ok(())
    }

    /// Finds `name` or `mod::name`: this pipeline's own definitions first, then modules.
    pub fn lookup(
        &self,
        pipe: &Pipe,
        q: &ast::QualName,
    ) -> Result<(ScopeId, Definition), Diagnostic> {
        if q.segments.len() == 1 {
            if let Some((s, d)) = pipe.defs.get(q.name()) {
                return Ok((*s, d.clone()));
            }
        }
        match self.bind.modules.find_definition(pipe.scope, q) {
            Some((s, d)) => Ok((s, d.clone())),
            None => {
                let mut d = Diagnostic::error(
                    codes::QUERY_UNKNOWN_DEFINITION,
                    format!("`{}` is not defined", q.joined()),
                    q.span,
                );
                let here = pipe.defs.keys().map(String::as_str);
                if q.segments.len() == 1 {
                    if let Some(name) = crate::compile::closest_name(here, q.name()) {
                        d = d.with_help(format!("did you mean `{name}`?"));
                    }
                }
                Err(d)
            }
        }
    }

    /// Checks that `name` is free in this pipeline's namespace.
    pub fn claim(&self, pipe: &Pipe, name: &ast::Ident) -> Result<(), Diagnostic> {
        let n = &name.name;
        let builtin = pipe.top && ["in", "out", "err"].contains(&n.as_str());
        if builtin || pipe.nodes.contains_key(n) {
            let code = if builtin {
                codes::QUERY_NODE_RESERVED_NAME
            } else {
                codes::QUERY_NODE_DUPLICATE_NAME
            };
            let mut d = Diagnostic::error(
                code,
                format!("Name `{n}` is already in use for another node, please use another name."),
                name.span,
            );
            if let Some(first) = pipe.node_spans.get(n) {
                d = d.with_secondary(*first, "first created here");
            }
            return Err(d);
        }
        if !pipe.top && (pipe.ins.contains_key(n) || pipe.outs.contains_key(n)) {
            return Err(Diagnostic::error(
                codes::QUERY_STREAM_PORT_CLASH,
                "Streams cannot share names with from/into ports",
                name.span,
            ));
        }
        Ok(())
    }

    fn not_defined(pipe: &Pipe, r: &ast::StreamRef, default_port: &str) -> Diagnostic {
        let port = r.port.as_ref().map_or(default_port, |p| p.name.as_str());
        let d = Diagnostic::error(
            codes::QUERY_STREAM_NOT_DEFINED,
            format!(
                "Stream used in `from` or `into` is not defined: {}/{port}",
                r.node.name
            ),
            r.span,
        );
        let mut known: Vec<&str> = pipe.nodes.keys().map(String::as_str).collect();
        known.sort_unstable();
        if known.is_empty() {
            d.with_help("create it first, e.g. `create stream name;` before the select")
        } else {
            d.with_help(format!(
                "nodes are created before use; defined so far: {}",
                known.join(", ")
            ))
        }
    }

    /// `from X[/p]`: the node and output port events come from.
    pub fn resolve_from(
        &mut self,
        pipe: &mut Pipe,
        r: &ast::StreamRef,
    ) -> Result<(usize, String), Diagnostic> {
        let port = r.port.as_ref().map(|p| p.name.clone());
        let name = r.node.name.as_str();
        if pipe.top && name == "in" {
            let key = match port.as_deref() {
                None | Some("out") => "in".to_string(),
                Some(p) => format!("in/{p}"),
            };
            return Ok(match pipe.ins.get(&key) {
                Some(i) => (*i, "out".into()),
                None => {
                    // `from in/p`: an extra input stream, made on first use.
                    let i = self.graph.add(key.clone(), NodeKind::Input);
                    pipe.ins.insert(key, i);
                    (i, "out".into())
                }
            });
        }
        // A pipeline's input port (at top level, one `#!config from` adds).
        if let Some(idx) = pipe.ins.get(name) {
            return Ok((*idx, "out".into()));
        }
        match pipe.nodes.get(name) {
            Some(NodeRef::Node(i)) => Ok((*i, port.unwrap_or_else(|| "out".into()))),
            Some(NodeRef::Failed) => Err(Diagnostic::consequence(r.span)),
            Some(NodeRef::Pipeline { outs, .. }) => {
                let p = port.unwrap_or_else(|| "out".into());
                match outs.get(&p) {
                    Some(i) => {
                        if p == "out" {
                            self.check_direction(pipe, r, true);
                        }
                        Ok((*i, "out".into()))
                    }
                    None => Err(self.unknown_port(pipe, r, &p)),
                }
            }
            None => Err(Self::not_defined(pipe, r, "out")),
        }
    }

    /// `into Y[/p]`: the node and input port events go to.
    pub fn resolve_into(
        &mut self,
        pipe: &mut Pipe,
        r: &ast::StreamRef,
    ) -> Result<(usize, String), Diagnostic> {
        let port = r.port.as_ref().map(|p| p.name.clone());
        let name = r.node.name.as_str();
        if let Some(idx) = pipe.outs.get(name) {
            // Top level: `into out/p` leaves the graph as output `p`.
            let p = if pipe.top {
                port.unwrap_or_else(|| "in".into())
            } else {
                "in".into()
            };
            return Ok((*idx, p));
        }
        match pipe.nodes.get(name) {
            Some(NodeRef::Node(i)) => Ok((*i, port.unwrap_or_else(|| "in".into()))),
            Some(NodeRef::Failed) => Err(Diagnostic::consequence(r.span)),
            Some(NodeRef::Pipeline { ins, .. }) => {
                let p = port.unwrap_or_else(|| "in".into());
                match ins.get(&p) {
                    Some(i) => {
                        self.check_direction(pipe, r, false);
                        Ok((*i, "in".into()))
                    }
                    None => Err(self.unknown_port(pipe, r, &p)),
                }
            }
            None => Err(Self::not_defined(pipe, r, "in")),
        }
    }

    /// The peer `r` names in `pipe`, if it names one.
    fn peer_named(&self, pipe: &Pipe, r: &ast::StreamRef) -> Option<&crate::peer::spec::PeerSpec> {
        let node = format!("{}{}", pipe.prefix, r.node.name);
        self.peers.iter().find(|p| p.name == node)
    }

    /// Warns of `from` a peer that receives nothing (`stdout`) or `into` one that
    /// sends nothing (`stdin`): it compiles, but nothing will pass there.
    fn check_direction(&mut self, pipe: &Pipe, r: &ast::StreamRef, from: bool) {
        let Some(p) = self.peer_named(pipe, r) else {
            return;
        };
        let (kind, name) = (p.kind.name(), &r.node.name);
        let message = match (from, p.kind.is_source(), p.kind.is_sink()) {
            (true, false, _) => {
                format!("peer `{name}` ({kind}) receives nothing: `from {name}` stays empty")
            }
            (false, _, false) => {
                format!("peer `{name}` ({kind}) sends nothing: events into it go to its `err`")
            }
            _ => return,
        };
        self.warnings.push(Diagnostic::warning(
            codes::W_PEER_DIRECTION,
            message,
            r.span,
        ));
    }

    fn unknown_port(&self, pipe: &Pipe, r: &ast::StreamRef, port: &str) -> Diagnostic {
        if self.peer_named(pipe, r).is_some() {
            return Diagnostic::error(
                codes::QUERY_PIPELINE_UNKNOWN_PORT,
                format!("Peer `{}` has no port `{port}`", r.node.name),
                r.span,
            )
            .with_help("a peer's ports are `in` (into it), `out`, `err` and `metrics` (from it)");
        }
        Diagnostic::error(
            codes::QUERY_PIPELINE_UNKNOWN_PORT,
            format!("Pipeline `{}` has no port `{port}`", r.node.name),
            r.span,
        )
    }

    /// Adds a sub-pipeline's port nodes and compiles its body.
    pub fn sub_pipeline(
        &mut self,
        outer: &mut Pipe,
        name: &ast::Ident,
        scope: ScopeId,
        def: &ast::DefinePipeline,
        args: Value,
    ) -> Result<(), Vec<Diagnostic>> {
        if self.creating.contains(&def.span) {
            return Err(vec![Diagnostic::error(
                codes::QUERY_CYCLIC_GRAPH,
                format!("Pipeline `{}` creates itself", def.name.name),
                name.span,
            )
            .with_secondary(def.name.span, "defined here")]);
        }
        let prefix = format!("{}{}::", outer.prefix, name.name);
        let (from, into) = pipeline_ports(&self.bind, scope, def)?;
        let mut inner = Pipe::new(scope, prefix.clone(), Some(args), false);
        for p in &from {
            let i = self.graph.add(format!("{prefix}{p}"), NodeKind::Stream);
            inner.ins.insert(p.clone(), i);
        }
        for p in &into {
            let i = self.graph.add(format!("{prefix}{p}"), NodeKind::Stream);
            inner.outs.insert(p.clone(), i);
        }
        let before = self.errors.len();
        self.creating.push(def.span);
        self.pipeline(&mut inner, &def.stmts);
        self.creating.pop();
        if self.errors.len() > before {
            return Err(self.errors.split_off(before));
        }
        outer.nodes.insert(
            name.name.clone(),
            NodeRef::Pipeline {
                ins: inner.ins,
                outs: inner.outs,
            },
        );
        Ok(())
    }
}

/// A sub-pipeline's `from` and `into` port lists: the definition's, or `#!config
/// from`/`into` (comma-separated), defaulting to `[in]` and `[out, err]`.
fn pipeline_ports(
    bind: &Binder,
    scope: ScopeId,
    def: &ast::DefinePipeline,
) -> Result<(Vec<String>, Vec<String>), Vec<Diagnostic>> {
    let names = |l: &Option<Vec<ast::Ident>>, d: &[&str]| -> Vec<String> {
        l.as_ref().map_or_else(
            || d.iter().map(|s| s.to_string()).collect(),
            |l| l.iter().map(|i| i.name.clone()).collect(),
        )
    };
    let mut from = names(&def.from, &["in"]);
    let mut into = names(&def.into, &["out", "err"]);
    let cfg = super::config::read(bind, scope, &def.config)?;
    if let Some(f) = cfg.from {
        from = f;
    }
    if let Some(i) = cfg.into {
        into = i;
    }
    Ok((from, into))
}
