//! What a file defines and what it refers to, from the AST's spans: the compiler's own
//! parse, walked once per change. Names are resolved the way the compiler scopes them
//! (locals in their function, case or statement; definitions in their file or pipeline).

use trickle_grammar::ast::{self, Definition, ExprKind, PathRoot, Stmt};

/// A byte range `start..end` in one file.
pub type Range = (u32, u32);

/// What a name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymKind {
    Const,
    Function,
    /// `let`, a function parameter, a `for` key/value, a pattern binding.
    Local,
    Window,
    Operator,
    Script,
    Pipeline,
    Peer,
    /// `create stream s`, or a pipeline's `from`/`into` port.
    Stream,
    /// `create script a from s`: the node `a`.
    Instance,
}

/// The namespaces names are looked up in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ns {
    Value,
    Function,
    Window,
    Node,
}

impl SymKind {
    pub fn ns(self) -> Ns {
        match self {
            SymKind::Const | SymKind::Local => Ns::Value,
            SymKind::Function => Ns::Function,
            SymKind::Window => Ns::Window,
            _ => Ns::Node,
        }
    }
    pub fn word(self) -> &'static str {
        match self {
            SymKind::Const => "const",
            SymKind::Function => "fn",
            SymKind::Local => "local",
            SymKind::Window => "window",
            SymKind::Operator => "operator",
            SymKind::Script => "script",
            SymKind::Pipeline => "pipeline",
            SymKind::Peer => "peer",
            SymKind::Stream => "stream",
            SymKind::Instance => "node",
        }
    }
}

/// A definition.
#[derive(Debug, Clone)]
pub struct Def {
    pub name: String,
    pub kind: SymKind,
    /// The name where it is defined.
    pub span: Range,
    /// The whole definition.
    pub full: Range,
    /// Where the name is visible.
    pub scope: Range,
    /// One line shown on hover and in the outline: `fn f(a, b)`, `window w from tumbling`.
    pub detail: String,
    pub doc: Option<String>,
    /// The enclosing pipeline definition, for the outline.
    pub parent: Option<usize>,
}

/// A use of a name.
#[derive(Debug, Clone)]
pub struct Ref {
    /// The module qualifier as written (`string` in `string::len`); empty when unqualified.
    pub module: Vec<String>,
    pub name: String,
    pub ns: Ns,
    /// The name itself (the last segment).
    pub span: Range,
    /// The whole qualified name.
    pub full: Range,
}

/// Something hover explains that is not a user definition.
#[derive(Debug, Clone)]
pub enum Mark {
    /// A call or qualified constant: its segments (`["string", "len"]`).
    Path(Vec<String>),
    /// The kind after `define window w from`.
    WindowKind(String),
    /// The kind after `define peer p from`.
    PeerKind(String),
    /// A key in a peer's `config = {...}` record.
    PeerConfigKey { kind: String, key: String },
    /// A key of a `define peer ... with` block.
    PeerWithKey(String),
    /// A `with` setting of a window.
    WindowSetting(String),
}

/// A `use` of a module.
#[derive(Debug, Clone)]
pub struct Use {
    pub path: Vec<String>,
    pub alias: String,
    pub span: Range,
}

/// A `select` statement, for the outline.
#[derive(Debug, Clone)]
pub struct SelectInfo {
    pub label: String,
    pub full: Range,
    pub parent: Option<usize>,
}

/// Everything one file defines and uses.
#[derive(Debug, Clone, Default)]
pub struct Index {
    pub defs: Vec<Def>,
    pub refs: Vec<Ref>,
    pub marks: Vec<(Range, Mark)>,
    pub uses: Vec<Use>,
    pub selects: Vec<SelectInfo>,
    /// Multi-line constructs an editor can fold.
    pub folds: Vec<Range>,
    /// `define peer` blocks: their range and kind (completion of config keys).
    pub peer_blocks: Vec<(Range, String)>,
}

fn r(span: ast::Span) -> Range {
    (span.start, span.end)
}

impl Index {
    /// Indexes a parsed file of `len` bytes.
    pub fn build(m: &ast::Module, len: usize) -> Index {
        let mut ix = Index::default();
        let file = (0, len as u32);
        ix.stmts(&m.stmts, file, None);
        for c in &m.config {
            ix.expr(&c.value, file);
        }
        ix
    }

    /// The definition a reference at `refi` resolves to in this file (unqualified only).
    pub fn resolve(&self, refi: usize) -> Option<usize> {
        let rf = &self.refs[refi];
        if !rf.module.is_empty() {
            return None;
        }
        self.lookup(&rf.name, rf.ns, rf.span.0)
    }

    /// The innermost visible definition of `name` in `ns` at `offset`.
    pub fn lookup(&self, name: &str, ns: Ns, offset: u32) -> Option<usize> {
        let visible = |d: &Def| {
            d.name == name
                && d.kind.ns() == ns
                && d.scope.0 <= offset
                && offset <= d.scope.1
                && (d.kind != SymKind::Local || d.span.0 <= offset)
        };
        let mut best: Option<usize> = None;
        for (i, d) in self.defs.iter().enumerate() {
            if !visible(d) {
                continue;
            }
            best = match best {
                None => Some(i),
                Some(b) => {
                    let bd = &self.defs[b];
                    let width = |d: &Def| d.scope.1 - d.scope.0;
                    // Innermost scope first; among equals, a `create ... from` instance
                    // over the definition it creates, then the latest.
                    let better = width(d) < width(bd)
                        || (width(d) == width(bd)
                            && (d.kind == SymKind::Instance || d.span.0 > bd.span.0)
                            && bd.kind != SymKind::Instance);
                    Some(if better { i } else { b })
                }
            };
        }
        best
    }

    /// Top-level definitions of `ns` named `name` (what another file's `m::name` reaches).
    pub fn top_level(&self, name: &str, ns: Ns) -> Option<usize> {
        self.defs.iter().position(|d| {
            d.name == name && d.kind.ns() == ns && d.parent.is_none() && d.kind != SymKind::Local
        })
    }

    fn def(&mut self, d: Def) -> usize {
        self.defs.push(d);
        self.defs.len() - 1
    }

    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        name: &ast::Ident,
        kind: SymKind,
        full: ast::Span,
        scope: Range,
        detail: String,
        doc: Option<String>,
        parent: Option<usize>,
    ) -> usize {
        self.def(Def {
            name: name.name.clone(),
            kind,
            span: r(name.span),
            full: r(full),
            scope,
            detail,
            doc,
            parent,
        })
    }

    fn local(&mut self, name: &ast::Ident, scope: Range) {
        self.add(
            name,
            SymKind::Local,
            name.span,
            scope,
            format!("local {}", name.name),
            None,
            None,
        );
    }

    fn reference(&mut self, q: &ast::QualName, ns: Ns) {
        let last = q.segments.last().expect("non-empty");
        self.refs.push(Ref {
            module: q.module().iter().map(|s| s.name.clone()).collect(),
            name: last.name.clone(),
            ns,
            span: r(last.span),
            full: r(q.span),
        });
    }

    fn ident_ref(&mut self, id: &ast::Ident, ns: Ns) {
        self.refs.push(Ref {
            module: Vec::new(),
            name: id.name.clone(),
            ns,
            span: r(id.span),
            full: r(id.span),
        });
    }

    fn fold(&mut self, span: ast::Span) {
        self.folds.push(r(span));
    }

    fn stmts(&mut self, stmts: &[Stmt], scope: Range, parent: Option<usize>) {
        for s in stmts {
            self.stmt(s, scope, parent);
        }
    }

    fn stmt(&mut self, s: &Stmt, scope: Range, parent: Option<usize>) {
        match s {
            Stmt::Use(items) => {
                for u in items {
                    let alias = u.alias.as_ref().or(u.path.last()).map(|i| i.name.clone());
                    self.uses.push(Use {
                        path: u.path.iter().map(|i| i.name.clone()).collect(),
                        alias: alias.unwrap_or_default(),
                        span: r(u.span),
                    });
                }
            }
            Stmt::Const(c) => {
                self.add(
                    &c.name,
                    SymKind::Const,
                    c.span,
                    scope,
                    format!("const {}", c.name.name),
                    c.doc.clone(),
                    parent,
                );
                self.expr(&c.value, scope);
            }
            Stmt::Fn(f) => self.function(f, scope, parent),
            Stmt::Intrinsic(i) => {
                let detail = format!(
                    "intrinsic fn {}({}) as {}",
                    i.name.name,
                    params(&i.params, i.variadic),
                    i.target.joined()
                );
                self.add(
                    &i.name,
                    SymKind::Function,
                    i.span,
                    scope,
                    detail,
                    i.doc.clone(),
                    parent,
                );
            }
            Stmt::Define(d) => self.define(d, scope, parent),
            Stmt::Create(c) => self.create(c, scope, parent),
            Stmt::Select(sel) => self.select(sel, parent),
            Stmt::Expr(e) => self.expr(e, scope),
        }
    }

    fn function(&mut self, f: &ast::FnDef, scope: Range, parent: Option<usize>) {
        let detail = format!("fn {}({})", f.name.name, params(&f.params, f.variadic));
        self.add(
            &f.name,
            SymKind::Function,
            f.span,
            scope,
            detail,
            f.doc.clone(),
            parent,
        );
        self.fold(f.span);
        let inner = r(f.span);
        for p in &f.params {
            self.local(p, inner);
        }
        match &f.body {
            ast::FnBody::Exprs(es) => self.exprs(es, inner),
            ast::FnBody::Match(cases) => {
                for c in cases {
                    self.case(c);
                }
            }
        }
    }

    fn define(&mut self, d: &Definition, scope: Range, parent: Option<usize>) {
        // Every definition is a symbol whose whole span folds; what is inside differs.
        let (name, kind, span, doc, detail) = match d {
            Definition::Window(w) => (
                &w.name,
                SymKind::Window,
                w.span,
                &w.doc,
                format!("window {} from {}", w.name.name, w.kind.name),
            ),
            Definition::Operator(o) => (
                &o.name,
                SymKind::Operator,
                o.span,
                &o.doc,
                format!("operator {} from {}", o.name.name, o.kind.joined()),
            ),
            Definition::Script(s) => (
                &s.name,
                SymKind::Script,
                s.span,
                &s.doc,
                format!("script {}", s.name.name),
            ),
            Definition::Pipeline(p) => (
                &p.name,
                SymKind::Pipeline,
                p.span,
                &p.doc,
                format!("pipeline {}", p.name.name),
            ),
            Definition::Peer(p) => (
                &p.name,
                SymKind::Peer,
                p.span,
                &p.doc,
                format!("peer {} from {}", p.name.name, p.kind.name),
            ),
        };
        let me = self.add(name, kind, span, scope, detail, doc.clone(), parent);
        self.fold(span);
        match d {
            Definition::Window(w) => {
                self.marks
                    .push((r(w.kind.span), Mark::WindowKind(w.kind.name.clone())));
                let inner = r(w.span);
                for p in &w.with {
                    self.marks
                        .push((r(p.key.span), Mark::WindowSetting(p.key.name.clone())));
                    self.expr(&p.value, inner);
                }
                if let Some(s) = &w.state {
                    self.expr(s, inner);
                }
                self.stmts(&w.decls, inner, parent);
                for ps in &w.port_scripts {
                    self.port_script(ps, parent);
                }
                if let Some(body) = &w.script {
                    self.exprs(body, inner);
                }
            }
            Definition::Operator(o) => {
                self.with(&o.args, &o.with, r(o.span));
            }
            Definition::Script(s) => {
                let inner = r(s.span);
                self.with(&s.args, &[], inner);
                if let Some(st) = &s.state {
                    self.expr(st, inner);
                }
                self.stmts(&s.decls, inner, parent);
                for ps in &s.port_scripts {
                    self.port_script(ps, parent);
                }
                self.exprs(&s.script, inner);
            }
            Definition::Pipeline(p) => {
                let inner = r(p.span);
                for port in p.from.iter().flatten().chain(p.into.iter().flatten()) {
                    self.add(
                        port,
                        SymKind::Stream,
                        port.span,
                        inner,
                        format!("stream {}", port.name),
                        None,
                        Some(me),
                    );
                }
                self.with(&p.args, &[], inner);
                self.stmts(&p.stmts, inner, Some(me));
            }
            Definition::Peer(p) => {
                self.peer_blocks.push((r(p.span), p.kind.name.clone()));
                self.marks
                    .push((r(p.kind.span), Mark::PeerKind(p.kind.name.clone())));
                for w in &p.with {
                    self.marks
                        .push((r(w.key.span), Mark::PeerWithKey(w.key.name.clone())));
                    if w.key.name == "config" {
                        if let ExprKind::Record(fields) = &w.value.kind {
                            for f in fields {
                                if let Some(key) = f.key.as_plain() {
                                    let kind = p.kind.name.clone();
                                    self.marks
                                        .push((r(f.key.span), Mark::PeerConfigKey { kind, key }));
                                }
                            }
                        }
                    }
                }
                self.with(&p.args, &p.with, r(p.span));
            }
        }
    }

    /// `script from port ...`: its own declarations and body.
    fn port_script(&mut self, ps: &ast::PortScript, parent: Option<usize>) {
        let scope = r(ps.span);
        self.stmts(&ps.decls, scope, parent);
        self.exprs(&ps.body, scope);
    }

    fn with(&mut self, args: &[ast::ArgDecl], with: &[ast::WithParam], scope: Range) {
        for a in args {
            if let Some(d) = &a.default {
                self.expr(d, scope);
            }
        }
        for w in with {
            self.expr(&w.value, scope);
        }
    }

    fn create(&mut self, c: &ast::Creation, scope: Range, parent: Option<usize>) {
        let what = match c.kind {
            ast::CreateKind::Stream => {
                self.add(
                    &c.name,
                    SymKind::Stream,
                    c.span,
                    scope,
                    format!("stream {}", c.name.name),
                    None,
                    parent,
                );
                return;
            }
            ast::CreateKind::Operator => "operator",
            ast::CreateKind::Script => "script",
            ast::CreateKind::Pipeline => "pipeline",
            ast::CreateKind::Peer => "peer",
        };
        match &c.target {
            Some(t) => {
                let detail = format!("create {what} {} from {}", c.name.name, t.joined());
                self.add(
                    &c.name,
                    SymKind::Instance,
                    c.span,
                    scope,
                    detail,
                    None,
                    parent,
                );
                self.reference(t, Ns::Node);
            }
            // `create script s;` creates the node `s` from the definition `s`: the name
            // is a use of the definition.
            None => self.ident_ref(&c.name, Ns::Node),
        }
        for w in &c.with {
            self.expr(&w.value, scope);
        }
    }

    fn select(&mut self, s: &ast::Select, parent: Option<usize>) {
        let scope = r(s.span);
        let label = format!(
            "select from {} into {}",
            stream_label(&s.from),
            stream_label(&s.into)
        );
        self.selects.push(SelectInfo {
            label,
            full: scope,
            parent,
        });
        self.fold(s.span);
        self.stream(&s.from);
        self.stream(&s.into);
        for w in &s.windows {
            self.reference(w, Ns::Window);
        }
        self.expr(&s.target, scope);
        if let Some(w) = &s.where_ {
            self.expr(w, scope);
        }
        if let Some(g) = &s.group_by {
            self.group_by(g, scope);
        }
        if let Some(h) = &s.having {
            self.expr(h, scope);
        }
    }

    fn stream(&mut self, s: &ast::StreamRef) {
        // `in`, `out` and `err` are the implicit streams; they have no definition.
        if !matches!(s.node.name.as_str(), "in" | "out" | "err") {
            self.ident_ref(&s.node, Ns::Node);
        }
    }

    fn group_by(&mut self, g: &ast::GroupBy, scope: Range) {
        match g {
            ast::GroupBy::Expr(e) | ast::GroupBy::Each(e, _) => self.expr(e, scope),
            ast::GroupBy::Set(gs, _) => {
                for g in gs {
                    self.group_by(g, scope);
                }
            }
        }
    }

    fn exprs(&mut self, es: &[ast::Expr], scope: Range) {
        for e in es {
            self.expr(e, scope);
        }
    }

    fn case(&mut self, c: &ast::Case) {
        let scope = r(c.span);
        self.pattern(&c.pattern, scope);
        if let Some(g) = &c.guard {
            self.expr(g, scope);
        }
        self.exprs(&c.body, scope);
    }

    fn expr(&mut self, e: &ast::Expr, scope: Range) {
        match &e.kind {
            ExprKind::Literal(_) | ExprKind::Drop => {}
            ExprKind::String(s) => self.string(s, scope),
            ExprKind::Bytes(parts) => {
                for p in parts {
                    self.expr(&p.value, scope);
                }
            }
            ExprKind::Record(fields) => {
                self.multiline_fold(e.span);
                for f in fields {
                    self.string(&f.key, scope);
                    self.expr(&f.value, scope);
                }
            }
            ExprKind::List(items) => {
                self.multiline_fold(e.span);
                self.exprs(items, scope);
            }
            ExprKind::Path(p) | ExprKind::Present(p) | ExprKind::Absent(p) => self.path(p, scope),
            ExprKind::Unary(_, a) => self.expr(a, scope),
            ExprKind::Binary(_, a, b) | ExprKind::Merge(a, b) => {
                if matches!(e.kind, ExprKind::Merge(..)) {
                    self.fold(e.span);
                }
                self.expr(a, scope);
                self.expr(b, scope);
            }
            ExprKind::Call(q, args) => {
                if q.segments.len() == 1 {
                    self.reference(q, Ns::Function);
                } else {
                    self.reference(q, Ns::Function);
                    let segs = q.segments.iter().map(|s| s.name.clone()).collect();
                    self.marks.push((r(q.span), Mark::Path(segs)));
                }
                self.exprs(args, scope);
            }
            ExprKind::Recur(args) => self.exprs(args, scope),
            ExprKind::Match(m) => {
                self.fold(m.span);
                self.expr(&m.target, scope);
                for c in &m.cases {
                    self.case(c);
                }
            }
            ExprKind::For(f) => {
                self.fold(f.span);
                self.expr(&f.target, scope);
                for c in &f.cases {
                    let inner = r(c.span);
                    self.local(&c.key, inner);
                    self.local(&c.value, inner);
                    if let Some(g) = &c.guard {
                        self.expr(g, inner);
                    }
                    self.exprs(&c.body, inner);
                }
                if let Some(i) = &f.into {
                    self.expr(i, scope);
                }
            }
            ExprKind::Patch(p) => {
                self.fold(p.span);
                self.expr(&p.target, scope);
                for op in &p.ops {
                    self.patch_op(op, scope);
                }
            }
            ExprKind::Let(p, v) => {
                // The value is evaluated before the name exists.
                self.expr(v, scope);
                match (&p.root, p.segments.is_empty()) {
                    (PathRoot::Ident(id), true)
                        if self.lookup(&id.name, Ns::Value, id.span.start).is_none() =>
                    {
                        self.local(id, scope)
                    }
                    _ => self.path(p, scope),
                }
            }
            ExprKind::Emit { value, port } => {
                if let Some(v) = value {
                    self.expr(v, scope);
                }
                if let Some(p) = port {
                    self.string(p, scope);
                }
            }
        }
    }

    fn multiline_fold(&mut self, span: ast::Span) {
        self.fold(span);
    }

    fn string(&mut self, s: &ast::StrLit, scope: Range) {
        for p in &s.parts {
            if let ast::StrPart::Expr(e) = p {
                self.expr(e, scope);
            }
        }
    }

    fn path(&mut self, p: &ast::Path, scope: Range) {
        match &p.root {
            PathRoot::Ident(id) => self.ident_ref(id, Ns::Value),
            PathRoot::Qualified(q) => {
                self.reference(q, Ns::Value);
                let segs = q.segments.iter().map(|s| s.name.clone()).collect();
                self.marks.push((r(q.span), Mark::Path(segs)));
            }
            PathRoot::Expr(e) => self.expr(e, scope),
            _ => {}
        }
        for s in &p.segments {
            match s {
                ast::Segment::Field(_) => {}
                ast::Segment::Index(e, _) => self.expr(e, scope),
                ast::Segment::Range(a, b, _) => {
                    self.expr(a, scope);
                    self.expr(b, scope);
                }
            }
        }
    }

    fn patch_op(&mut self, op: &ast::PatchOp, scope: Range) {
        use ast::PatchOp::*;
        match op {
            Insert(k, v, _) | Upsert(k, v, _) | Update(k, v, _) => {
                self.string(k, scope);
                self.expr(v, scope);
            }
            Erase(k, _) => self.string(k, scope),
            Copy(a, b, _) | Move(a, b, _) => {
                self.string(a, scope);
                self.string(b, scope);
            }
            Merge(k, v, _) | Default(k, v, _) => {
                if let Some(k) = k {
                    self.string(k, scope);
                }
                self.expr(v, scope);
            }
        }
    }

    fn pattern(&mut self, p: &ast::Pattern, scope: Range) {
        match p {
            ast::Pattern::Default(_) | ast::Pattern::Extract(_) => {}
            ast::Pattern::Expr(e) => self.expr(e, scope),
            ast::Pattern::Assign(id, inner) => {
                self.local(id, scope);
                self.pattern(inner, scope);
            }
            ast::Pattern::Record(rp) => self.record_pattern(rp, scope),
            ast::Pattern::Array(a) => {
                for p in &a.elems {
                    self.pattern(p, scope);
                }
            }
            ast::Pattern::Tuple(t) => {
                for p in &t.elems {
                    self.pattern(p, scope);
                }
            }
        }
    }

    fn record_pattern(&mut self, rp: &ast::RecordPattern, scope: Range) {
        for f in &rp.fields {
            match f {
                ast::FieldPattern::Present(_) | ast::FieldPattern::Absent(_) => {}
                ast::FieldPattern::Cmp(_, _, e) => self.expr(e, scope),
                ast::FieldPattern::Extract { assign, .. } => {
                    if let Some(a) = assign {
                        self.local(a, scope);
                    }
                }
                ast::FieldPattern::Record(_, inner) => self.record_pattern(inner, scope),
                ast::FieldPattern::Array(_, a) => {
                    for p in &a.elems {
                        self.pattern(p, scope);
                    }
                }
                ast::FieldPattern::Tuple(_, t) => {
                    for p in &t.elems {
                        self.pattern(p, scope);
                    }
                }
            }
        }
    }
}

fn params(ps: &[ast::Ident], variadic: bool) -> String {
    let mut v: Vec<&str> = ps.iter().map(|p| p.name.as_str()).collect();
    if variadic {
        v.push("...");
    }
    v.join(", ")
}

fn stream_label(s: &ast::StreamRef) -> String {
    match &s.port {
        Some(p) => format!("{}/{}", s.node.name, p.name),
        None => s.node.name.clone(),
    }
}

#[cfg(test)]
mod tests;
