//! A read-only walk over the syntax tree that reports every qualified name
//! (`m::f(...)`, `m::CONST`, `create x from m::d`, `[m::w]`), so the modules they
//! reach can be loaded before lowering.

use crate::diag::Span;
use trickle_grammar::ast::*;

/// Collects `(module segments, span)` of every qualified name in `stmts`.
pub(crate) fn qualified_names(stmts: &[Stmt], out: &mut Vec<(Vec<String>, Span)>) {
    let mut f = |q: &QualName| {
        if q.segments.len() > 1 {
            out.push((q.module().iter().map(|s| s.name.clone()).collect(), q.span));
        }
    };
    for s in stmts {
        stmt(s, &mut f);
    }
}

/// Collects the qualified names of one definition (its body included).
pub(crate) fn definition_names(d: &Definition, out: &mut Vec<(Vec<String>, Span)>) {
    definition(d, &mut |q: &QualName| {
        if q.segments.len() > 1 {
            out.push((q.module().iter().map(|s| s.name.clone()).collect(), q.span));
        }
    });
}

fn stmt(s: &Stmt, f: &mut impl FnMut(&QualName)) {
    match s {
        Stmt::Use(_) | Stmt::Intrinsic(_) => {}
        Stmt::Const(c) => expr(&c.value, f),
        Stmt::Fn(d) => match &d.body {
            FnBody::Exprs(es) => exprs(es, f),
            FnBody::Match(cases) => cases.iter().for_each(|c| case(c, f)),
        },
        Stmt::Define(d) => definition(d, f),
        Stmt::Create(c) => {
            if let Some(t) = &c.target {
                f(t);
            }
            c.with.iter().for_each(|w| expr(&w.value, f));
        }
        Stmt::Select(s) => {
            expr(&s.target, f);
            s.windows.iter().for_each(&mut *f);
            if let Some(w) = &s.where_ {
                expr(w, f);
            }
            if let Some(g) = &s.group_by {
                group(g, f);
            }
            if let Some(h) = &s.having {
                expr(h, f);
            }
        }
        Stmt::Expr(e) => expr(e, f),
    }
}

fn group(g: &GroupBy, f: &mut impl FnMut(&QualName)) {
    match g {
        GroupBy::Expr(e) | GroupBy::Each(e, _) => expr(e, f),
        GroupBy::Set(gs, _) => gs.iter().for_each(|g| group(g, f)),
    }
}

fn definition(d: &Definition, f: &mut impl FnMut(&QualName)) {
    let args = |a: &[ArgDecl], f: &mut dyn FnMut(&Expr)| {
        a.iter().filter_map(|a| a.default.as_ref()).for_each(f)
    };
    match d {
        Definition::Window(w) => {
            w.with.iter().for_each(|p| expr(&p.value, f));
            if let Some(s) = &w.state {
                expr(s, f);
            }
            w.port_scripts.iter().for_each(|p| port(p, f));
            w.decls.iter().for_each(|s| stmt(s, f));
            if let Some(s) = &w.script {
                exprs(s, f);
            }
        }
        Definition::Operator(o) => {
            args(&o.args, &mut |e| expr(e, f));
            o.with.iter().for_each(|p| expr(&p.value, f));
        }
        Definition::Script(s) => {
            args(&s.args, &mut |e| expr(e, f));
            if let Some(st) = &s.state {
                expr(st, f);
            }
            s.port_scripts.iter().for_each(|p| port(p, f));
            s.decls.iter().for_each(|s| stmt(s, f));
            exprs(&s.script, f);
        }
        Definition::Pipeline(p) => {
            args(&p.args, &mut |e| expr(e, f));
            p.stmts.iter().for_each(|s| stmt(s, f));
        }
        Definition::Peer(p) => {
            args(&p.args, &mut |e| expr(e, f));
            p.with.iter().for_each(|w| expr(&w.value, f));
        }
    }
}

fn port(p: &PortScript, f: &mut impl FnMut(&QualName)) {
    p.decls.iter().for_each(|s| stmt(s, f));
    exprs(&p.body, f);
}

fn exprs(es: &[Expr], f: &mut impl FnMut(&QualName)) {
    es.iter().for_each(|e| expr(e, f));
}

fn case(c: &Case, f: &mut impl FnMut(&QualName)) {
    pattern(&c.pattern, f);
    if let Some(g) = &c.guard {
        expr(g, f);
    }
    exprs(&c.body, f);
}

fn strlit(s: &StrLit, f: &mut impl FnMut(&QualName)) {
    for p in &s.parts {
        if let StrPart::Expr(e) = p {
            expr(e, f);
        }
    }
}

fn path(p: &Path, f: &mut impl FnMut(&QualName)) {
    match &p.root {
        PathRoot::Qualified(q) => f(q),
        PathRoot::Expr(e) => expr(e, f),
        _ => {}
    }
    for s in &p.segments {
        match s {
            Segment::Field(_) => {}
            Segment::Index(e, _) => expr(e, f),
            Segment::Range(a, b, _) => {
                expr(a, f);
                expr(b, f);
            }
        }
    }
}

/// Visits every expression-level qualified name.
pub(crate) fn expr(e: &Expr, f: &mut impl FnMut(&QualName)) {
    match &e.kind {
        ExprKind::Literal(_) | ExprKind::Drop => {}
        ExprKind::String(s) => strlit(s, f),
        ExprKind::Bytes(parts) => parts.iter().for_each(|p| expr(&p.value, f)),
        ExprKind::Record(fields) => fields.iter().for_each(|r| {
            strlit(&r.key, f);
            expr(&r.value, f);
        }),
        ExprKind::List(es) | ExprKind::Recur(es) => exprs(es, f),
        ExprKind::Path(p) | ExprKind::Present(p) | ExprKind::Absent(p) => path(p, f),
        ExprKind::Unary(_, x) => expr(x, f),
        ExprKind::Binary(_, a, b) | ExprKind::Merge(a, b) => {
            expr(a, f);
            expr(b, f);
        }
        ExprKind::Call(q, args) => {
            f(q);
            exprs(args, f);
        }
        ExprKind::Match(m) => {
            expr(&m.target, f);
            m.cases.iter().for_each(|c| case(c, f));
        }
        ExprKind::For(x) => {
            expr(&x.target, f);
            for c in &x.cases {
                if let Some(g) = &c.guard {
                    expr(g, f);
                }
                exprs(&c.body, f);
            }
            if let Some(i) = &x.into {
                expr(i, f);
            }
        }
        ExprKind::Patch(p) => {
            expr(&p.target, f);
            for op in &p.ops {
                match op {
                    PatchOp::Insert(_, v, _)
                    | PatchOp::Upsert(_, v, _)
                    | PatchOp::Update(_, v, _)
                    | PatchOp::Merge(_, v, _)
                    | PatchOp::Default(_, v, _) => expr(v, f),
                    _ => {}
                }
            }
        }
        ExprKind::Let(p, v) => {
            path(p, f);
            expr(v, f);
        }
        ExprKind::Emit { value, .. } => {
            if let Some(v) = value {
                expr(v, f);
            }
        }
    }
}

fn pattern(p: &Pattern, f: &mut impl FnMut(&QualName)) {
    match p {
        Pattern::Default(_) | Pattern::Extract(_) => {}
        Pattern::Expr(e) => expr(e, f),
        Pattern::Assign(_, p) => pattern(p, f),
        Pattern::Record(r) => record_pattern(r, f),
        Pattern::Array(a) => a.elems.iter().for_each(|p| pattern(p, f)),
        Pattern::Tuple(t) => t.elems.iter().for_each(|p| pattern(p, f)),
    }
}

fn record_pattern(r: &RecordPattern, f: &mut impl FnMut(&QualName)) {
    for fp in &r.fields {
        match fp {
            FieldPattern::Cmp(_, _, e) => expr(e, f),
            FieldPattern::Record(_, r) => record_pattern(r, f),
            FieldPattern::Array(_, a) => a.elems.iter().for_each(|p| pattern(p, f)),
            FieldPattern::Tuple(_, t) => t.elems.iter().for_each(|p| pattern(p, f)),
            _ => {}
        }
    }
}
