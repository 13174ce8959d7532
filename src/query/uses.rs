//! Does an expression call a given function? (A `group by` that calls `stream_id()`
//! makes a select flush a stream's groups when the stream ends, SPEC §4.)

use trickle_grammar::ast::{Expr, ExprKind, Path, PathRoot, Pattern, Segment, StrLit, StrPart};

/// `true` when `e` calls a function named `name` (any module path) anywhere.
pub(crate) fn calls(e: &Expr, name: &str) -> bool {
    let any = |es: &[Expr]| es.iter().any(|e| calls(e, name));
    match &e.kind {
        ExprKind::Literal(_) | ExprKind::Drop => false,
        ExprKind::String(s) => strlit(s, name),
        ExprKind::Bytes(parts) => parts.iter().any(|p| calls(&p.value, name)),
        ExprKind::Record(fields) => fields
            .iter()
            .any(|f| strlit(&f.key, name) || calls(&f.value, name)),
        ExprKind::List(es) | ExprKind::Recur(es) => any(es),
        ExprKind::Path(p) | ExprKind::Present(p) | ExprKind::Absent(p) => path(p, name),
        ExprKind::Unary(_, x) => calls(x, name),
        ExprKind::Binary(_, a, b) | ExprKind::Merge(a, b) => calls(a, name) || calls(b, name),
        ExprKind::Call(q, args) => q.name() == name || any(args),
        ExprKind::Match(m) => {
            calls(&m.target, name)
                || m.cases.iter().any(|c| {
                    pattern(&c.pattern, name)
                        || c.guard.as_ref().is_some_and(|g| calls(g, name))
                        || any(&c.body)
                })
        }
        ExprKind::For(f) => {
            calls(&f.target, name)
                || f.into.as_ref().is_some_and(|i| calls(i, name))
                || f.cases
                    .iter()
                    .any(|c| c.guard.as_ref().is_some_and(|g| calls(g, name)) || any(&c.body))
        }
        ExprKind::Patch(p) => {
            use trickle_grammar::ast::PatchOp::*;
            calls(&p.target, name)
                || p.ops.iter().any(|op| match op {
                    Insert(_, v, _) | Upsert(_, v, _) | Update(_, v, _) => calls(v, name),
                    Merge(_, v, _) | Default(_, v, _) => calls(v, name),
                    Erase(..) | Copy(..) | Move(..) => false,
                })
        }
        ExprKind::Let(p, v) => path(p, name) || calls(v, name),
        ExprKind::Emit { value, .. } => value.as_ref().is_some_and(|v| calls(v, name)),
    }
}

fn strlit(s: &StrLit, name: &str) -> bool {
    s.parts.iter().any(|p| match p {
        StrPart::Lit(_) => false,
        StrPart::Expr(e) => calls(e, name),
    })
}

fn path(p: &Path, name: &str) -> bool {
    let root = matches!(&p.root, PathRoot::Expr(e) if calls(e, name));
    root || p.segments.iter().any(|s| match s {
        Segment::Field(_) => false,
        Segment::Index(e, _) => calls(e, name),
        Segment::Range(a, b, _) => calls(a, name) || calls(b, name),
    })
}

fn pattern(p: &Pattern, name: &str) -> bool {
    match p {
        Pattern::Expr(e) => calls(e, name),
        Pattern::Assign(_, p) => pattern(p, name),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trickle_grammar::ast::Stmt;

    fn expr(src: &str) -> Expr {
        let m = trickle_grammar::parse_module(src, 0).expect("parses");
        match m.stmts.into_iter().next() {
            Some(Stmt::Expr(e)) => e,
            other => panic!("not an expression: {other:?}"),
        }
    }

    #[test]
    fn finds_calls_at_any_depth() {
        assert!(calls(
            &expr("[source_id(), tremor::stream_id()]"),
            "stream_id"
        ));
        assert!(calls(&expr(r##"{"s": "#{stream_id()}"}"##), "stream_id"));
        assert!(!calls(&expr("event.stream_id"), "stream_id"));
        assert!(!calls(&expr("stream_ids()"), "stream_id"));
    }
}
