//! Const folding (a node whose parts are all constant is evaluated at compile time,
//! so its runtime errors become compile errors) and the IR fact lowering needs:
//! is a function body pure.

use crate::diag::{codes, Diagnostic};
use crate::event::FnCtx;
use crate::interp::{eval_expr, Env, Frame};
use crate::ir::{Block, Expr, ExprKind, FieldKind, PatchOp, Path, Pattern, Root, Segment};
use crate::value::Value;

fn is_const(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Const(_))
}

fn const_path(p: &Path) -> bool {
    matches!(&p.root, Root::Expr(e) if is_const(e))
        && p.segments.iter().all(|s| match s {
            Segment::Field(_) => true,
            Segment::Index(e) => is_const(e),
            Segment::Range(a, b) => is_const(a) && is_const(b),
        })
}

/// All parts of `e` are constant, so [`fold`] would evaluate it.
pub(crate) fn foldable(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Record(fields) => fields.iter().all(|(k, v)| is_const(k) && is_const(v)),
        ExprKind::List(items) | ExprKind::Interpolated(items) => items.iter().all(is_const),
        ExprKind::Bytes(parts) => parts.iter().all(|p| is_const(&p.value)),
        ExprKind::Path(p) | ExprKind::Present(p) | ExprKind::Absent(p) => const_path(p),
        ExprKind::Unary(_, x) => is_const(x),
        ExprKind::Binary(_, a, b) | ExprKind::Merge(a, b) => is_const(a) && is_const(b),
        ExprKind::Native(c) => c.decl.pure && c.args.iter().all(is_const),
        ExprKind::Call(c) => {
            c.func.body.get().is_some()
                && c.func.pure.get() == Some(&true)
                && c.args.iter().all(is_const)
        }
        ExprKind::Patch(p) => {
            is_const(&p.target)
                && p.ops.iter().all(|op| match op {
                    PatchOp::Insert(k, v)
                    | PatchOp::Upsert(k, v)
                    | PatchOp::Update(k, v)
                    | PatchOp::Copy(k, v)
                    | PatchOp::Move(k, v) => is_const(k) && is_const(v),
                    PatchOp::Erase(k) => is_const(k),
                    PatchOp::Merge(k, v) | PatchOp::Default(k, v) => {
                        k.as_ref().is_none_or(is_const) && is_const(v)
                    }
                })
        }
        _ => false,
    }
}

/// Replaces `e` by its value when all its parts are constant.
pub(crate) fn fold(e: Expr) -> Result<Expr, Diagnostic> {
    if !foldable(&e) {
        return Ok(e);
    }
    let (mut event, mut meta, mut state) = (Value::Null, Value::record(), Value::Null);
    let mut frame = Frame::default();
    let mut env = Env {
        event: &mut event,
        meta: &mut meta,
        state: &mut state,
        args: &Value::Null,
        group: &Value::Null,
        window: &Value::Null,
        aggrs: &[],
        ctx: FnCtx::default(),
        locals: &mut frame,
    };
    match eval_expr(&e, &mut env) {
        Ok(v) => Ok(Expr::constant(v, e.span)),
        Err(re) => {
            let mut d = Diagnostic::error(codes::CONST_EVAL, re.message, re.span)
                .with_note("this expression is constant, so it was evaluated at compile time");
            if let Some(n) = re.note {
                d = d.with_note(n);
            }
            Err(d)
        }
    }
}

/// Calls `f` on `e` and every sub-expression (not into called function bodies);
/// stops at the first `true`.
pub(crate) fn any(e: &Expr, f: &mut dyn FnMut(&Expr) -> bool) -> bool {
    if f(e) {
        return true;
    }
    let all = |es: &[Expr], f: &mut dyn FnMut(&Expr) -> bool| es.iter().any(|x| any(x, f));
    match &e.kind {
        ExprKind::Const(_) | ExprKind::Drop | ExprKind::Aggr(_) => false,
        ExprKind::Record(fields) => fields.iter().any(|(k, v)| any(k, f) || any(v, f)),
        ExprKind::List(es) | ExprKind::Interpolated(es) | ExprKind::Recur(es) => all(es, f),
        ExprKind::Bytes(parts) => parts.iter().any(|p| any(&p.value, f)),
        ExprKind::Path(p) | ExprKind::Present(p) | ExprKind::Absent(p) => path_any(p, f),
        ExprKind::Unary(_, x) => any(x, f),
        ExprKind::Binary(_, a, b) | ExprKind::Merge(a, b) => any(a, f) || any(b, f),
        ExprKind::Native(c) => all(&c.args, f),
        ExprKind::Call(c) => all(&c.args, f),
        ExprKind::Match(m) => {
            any(&m.target, f)
                || m.cases.iter().any(|c| {
                    pattern_any(&c.pattern, f)
                        || c.guard.as_ref().is_some_and(|g| any(g, f))
                        || all(&c.body, f)
                })
        }
        ExprKind::For(x) => {
            any(&x.target, f)
                || x.into.as_ref().is_some_and(|i| any(i, f))
                || x.cases
                    .iter()
                    .any(|c| c.guard.as_ref().is_some_and(|g| any(g, f)) || all(&c.body, f))
        }
        ExprKind::Patch(p) => {
            any(&p.target, f)
                || p.ops.iter().any(|op| match op {
                    PatchOp::Insert(k, v)
                    | PatchOp::Upsert(k, v)
                    | PatchOp::Update(k, v)
                    | PatchOp::Copy(k, v)
                    | PatchOp::Move(k, v) => any(k, f) || any(v, f),
                    PatchOp::Erase(k) => any(k, f),
                    PatchOp::Merge(k, v) | PatchOp::Default(k, v) => {
                        k.as_ref().is_some_and(|k| any(k, f)) || any(v, f)
                    }
                })
        }
        ExprKind::Assign(a) => any(&a.value, f) || a.segments.iter().any(|s| segment_any(s, f)),
        ExprKind::Emit(v, p) => {
            v.as_ref().is_some_and(|v| any(v, f)) || p.as_ref().is_some_and(|p| any(p, f))
        }
    }
}

fn segment_any(s: &Segment, f: &mut dyn FnMut(&Expr) -> bool) -> bool {
    match s {
        Segment::Field(_) => false,
        Segment::Index(e) => any(e, f),
        Segment::Range(a, b) => any(a, f) || any(b, f),
    }
}

fn path_any(p: &Path, f: &mut dyn FnMut(&Expr) -> bool) -> bool {
    matches!(&p.root, Root::Expr(e) if any(e, f)) || p.segments.iter().any(|s| segment_any(s, f))
}

fn pattern_any(p: &Pattern, f: &mut dyn FnMut(&Expr) -> bool) -> bool {
    match p {
        Pattern::Default | Pattern::Extract(_) => false,
        Pattern::Expr(e) => any(e, f),
        Pattern::Bind(_, p) => pattern_any(p, f),
        Pattern::Array(ps) => ps.iter().any(|p| pattern_any(p, f)),
        Pattern::Tuple(t) => t.elems.iter().any(|p| pattern_any(p, f)),
        Pattern::Record(r) => r.fields.iter().any(|t| match &t.test {
            FieldKind::Cmp(_, e) => any(e, f),
            FieldKind::Record(_) | FieldKind::Array(_) | FieldKind::Tuple(_) => false,
            _ => false,
        }),
    }
}

/// A function body reads nothing but its arguments: no impure natives, no calls of
/// impure functions (a function still being lowered counts as pure: recursion).
pub(crate) fn block_is_pure(b: &Block) -> bool {
    !b.exprs.iter().any(|e| {
        any(e, &mut |x| match &x.kind {
            ExprKind::Native(c) => !c.decl.pure,
            ExprKind::Call(c) => c.func.pure.get() == Some(&false),
            _ => false,
        })
    })
}
