//! The expression evaluator: one `match` over [`ExprKind`], delegating the larger
//! forms to their own modules.

use super::{bytes, for_loop, func, ops, patch, path, pattern, Env, Outcome, RuntimeError};
use crate::diag::Span;
use crate::ir::{Block, Expr, ExprKind, Fields};
use crate::value::{Record, Str, Value};

/// How evaluation leaves an expression other than with a value: an error, or one
/// of the control transfers (`emit`, `drop`, `recur`).
#[derive(Debug)]
pub(crate) enum Flow {
    Err(Box<RuntimeError>),
    Emit(Value, Option<String>),
    Drop,
    Recur(Vec<Value>),
}

impl From<RuntimeError> for Flow {
    fn from(e: RuntimeError) -> Self {
        Flow::Err(Box::new(e))
    }
}

pub(crate) type R<T> = Result<T, Flow>;

/// A runtime error as a [`Flow`].
pub(crate) fn err(message: impl Into<String>, span: Span) -> Flow {
    Flow::Err(Box::new(RuntimeError::new(message, span)))
}

/// Evaluates one expression (a select target, a guard, a `with` value).
/// `emit`/`drop` here are errors: use [`run_block`] for script bodies.
pub fn eval_expr(e: &Expr, env: &mut Env) -> Result<Value, RuntimeError> {
    match eval(e, env) {
        Ok(v) => Ok(v),
        Err(f) => Err(flow_error(f, e.span)),
    }
}

/// Runs a script body: statements in order; `emit`/`drop` end it; otherwise the
/// last value is emitted on `out` (an empty body emits the event).
pub fn run_block(block: &Block, env: &mut Env) -> Result<Outcome, RuntimeError> {
    env.locals.reset(block.locals);
    let Some((last, init)) = block.exprs.split_last() else {
        return Ok(Outcome::Emit {
            value: env.event.clone(),
            port: None,
        });
    };
    let res = init
        .iter()
        .try_for_each(|e| eval_discard(e, env))
        .and_then(|()| eval(last, env));
    match res {
        Ok(value) => Ok(Outcome::Emit { value, port: None }),
        Err(Flow::Emit(value, port)) => Ok(Outcome::Emit { value, port }),
        Err(Flow::Drop) => Ok(Outcome::Drop),
        Err(f) => Err(flow_error(f, last.span)),
    }
}

fn flow_error(f: Flow, span: Span) -> RuntimeError {
    match f {
        Flow::Err(e) => *e,
        Flow::Emit(..) => RuntimeError::new("`emit` is not allowed here", span),
        Flow::Drop => RuntimeError::new("`drop` is not allowed here", span),
        Flow::Recur(_) => RuntimeError::new("`recur` can only be used inside a function", span),
    }
}

/// Runs statements and returns the last value (`null` when empty).
pub(crate) fn eval_body(body: &[Expr], env: &mut Env) -> R<Value> {
    let Some((last, init)) = body.split_last() else {
        return Ok(Value::Null);
    };
    for e in init {
        eval_discard(e, env)?;
    }
    eval(last, env)
}

/// Evaluates a statement whose value is not used (saves the copy a `let` returns).
pub(crate) fn eval_discard(e: &Expr, env: &mut Env) -> R<()> {
    match &e.kind {
        ExprKind::Assign(a) => path::assign(a, e.span, env, false).map(drop),
        _ => eval(e, env).map(drop),
    }
}

/// Evaluates an expression to a value.
///
/// A thin dispatcher: every arm calls out to a function of its own, so this frame
/// (which every level of nesting and recursion pays for) stays small.
pub(crate) fn eval(e: &Expr, env: &mut Env) -> R<Value> {
    match &e.kind {
        ExprKind::Const(v) => Ok(v.clone()),
        ExprKind::Record(fields) => record(fields, env),
        ExprKind::List(items) => list(items, env),
        ExprKind::Interpolated(parts) => interpolate(parts, env),
        ExprKind::Bytes(parts) => bytes::build(parts, e.span, env),
        ExprKind::Path(p) => path::get(p, env),
        ExprKind::Unary(op, x) => unary(*op, x, e.span, env),
        ExprKind::Binary(op, l, r) => ops::eval_binary(*op, l, r, e.span, env),
        ExprKind::Present(p) => path::exists(p, env).map(Value::Bool),
        ExprKind::Absent(p) => path::exists(p, env).map(|b| Value::Bool(!b)),
        ExprKind::Native(c) => func::call_native(c, e.span, env),
        ExprKind::Call(c) => func::call_user(c, e.span, env),
        ExprKind::Recur(args) => recur(args, env),
        ExprKind::Match(m) => pattern::eval_match(m, env),
        ExprKind::For(f) => for_loop::eval_for(f, env),
        ExprKind::Patch(p) => patch::eval_patch(p, env),
        ExprKind::Merge(t, v) => merge(t, v, e.span, env),
        ExprKind::Assign(a) => path::assign(a, e.span, env, true),
        ExprKind::Emit(value, port) => emit(value.as_deref(), port.as_deref(), env),
        ExprKind::Drop => Err(Flow::Drop),
        ExprKind::Aggr(i) => aggr(*i, e.span, env),
    }
}

#[inline(never)]
fn record(fields: &Fields, env: &mut Env) -> R<Value> {
    if let Some(shape) = fields.shape() {
        let mut r = shape.clone();
        for (i, (_, v)) in fields.iter().enumerate() {
            let val = eval(v, env)?;
            if let Some((_, slot)) = r.get_index_mut(i) {
                *slot = val;
            }
        }
        return Ok(Value::Record(Box::new(r)));
    }
    let mut r = Record::with_capacity_and_hasher(fields.len(), Default::default());
    for (k, v) in fields {
        let key = eval_key(k, env)?;
        let val = eval(v, env)?;
        r.insert(key, val);
    }
    Ok(Value::Record(Box::new(r)))
}

#[inline(never)]
fn list(items: &[Expr], env: &mut Env) -> R<Value> {
    let mut a = Vec::with_capacity(items.len());
    for i in items {
        a.push(eval(i, env)?);
    }
    Ok(Value::Array(a))
}

#[inline(never)]
fn interpolate(parts: &[Expr], env: &mut Env) -> R<Value> {
    let mut s = String::new();
    for p in parts {
        match eval(p, env)? {
            Value::String(x) => s.push_str(&x),
            other => s.push_str(&other.encode()),
        }
    }
    Ok(Value::from(s))
}

#[inline(never)]
fn unary(op: crate::ir::UnaryOp, x: &Expr, span: Span, env: &mut Env) -> R<Value> {
    let v = eval(x, env)?;
    ops::unary(op, v).map_err(|m| err(m, span))
}

#[inline(never)]
fn recur(args: &[Expr], env: &mut Env) -> R<Value> {
    let mut vals = Vec::with_capacity(args.len());
    for a in args {
        vals.push(eval(a, env)?);
    }
    Err(Flow::Recur(vals))
}

#[inline(never)]
fn merge(t: &Expr, v: &Expr, span: Span, env: &mut Env) -> R<Value> {
    let target = eval(t, env)?;
    let value = eval(v, env)?;
    patch::merge_values(target, value).map_err(|m| err(m, span))
}

#[inline(never)]
fn emit(value: Option<&Expr>, port: Option<&Expr>, env: &mut Env) -> R<Value> {
    let value = match value {
        Some(v) => eval(v, env)?,
        None => env.event.clone(),
    };
    let port = match port {
        Some(p) => Some(eval_key(p, env)?.to_string()),
        None => None,
    };
    Err(Flow::Emit(value, port))
}

#[inline(never)]
fn aggr(i: usize, span: Span, env: &mut Env) -> R<Value> {
    env.aggrs
        .get(i)
        .cloned()
        .ok_or_else(|| err("Aggregate result is not available here", span))
}

/// Evaluates a record key, a patch key or a port name: must be a string.
pub(crate) fn eval_key(e: &Expr, env: &mut Env) -> R<Str> {
    match eval(e, env)? {
        Value::String(s) => Ok(s),
        other => Err(err(
            format!(
                "Expected a string key, found a value of type `{}`",
                other.type_name()
            ),
            e.span,
        )),
    }
}

/// Evaluates a guard: must be a bool.
pub(crate) fn eval_guard(e: &Expr, env: &mut Env) -> R<bool> {
    match eval(e, env)? {
        Value::Bool(b) => Ok(b),
        other => Err(err(
            format!(
                "A guard must be a boolean, found a value of type `{}`",
                other.type_name()
            ),
            e.span,
        )),
    }
}
