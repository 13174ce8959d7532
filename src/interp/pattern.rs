//! `match`: patterns, guards, and the values patterns extract.

use super::eval::{eval, eval_body, eval_guard, Flow, R};
use super::{ops, path, Env, RuntimeError};
use crate::ir::{BinOp, ExprKind, FieldKind, Match, Path, Pattern, RecordPattern, TuplePattern};
use crate::value::{val_eq, Record, Value};

const NO_CLAUSE: &str = "A match expression executed but no clause matched";
const NO_CLAUSE_NOTE: &str = "Consider adding a `case _ => null` clause at the end of your match or validate full coverage beforehand.";

/// Runs a match: the first case whose pattern and guard pass gives the value.
pub(crate) fn eval_match(m: &Match, env: &mut Env) -> R<Value> {
    if m.static_patterns {
        if let ExprKind::Path(p) = &m.target.kind {
            if let Some(v) = eval_match_in_place(m, p, env) {
                return v;
            }
        }
    }
    eval_match_copied(m, env)
}

/// The general case: evaluate the target, then test each case.
#[inline(never)]
fn eval_match_copied(m: &Match, env: &mut Env) -> R<Value> {
    let target = eval(&m.target, env)?;
    for case in &m.cases {
        if test(&case.pattern, &target, false, env)?.is_none() {
            continue;
        }
        if let Some(g) = &case.guard {
            if !eval_guard(g, env)? {
                continue;
            }
        }
        return eval_body(&case.body, env);
    }
    Err(no_clause(m))
}

fn no_clause(m: &Match) -> Flow {
    let mut e = RuntimeError::new(NO_CLAUSE, m.span);
    e.note = Some(NO_CLAUSE_NOTE.into());
    Flow::Err(Box::new(e))
}

/// A match on a path with static patterns: the target is tested where it lies
/// (the hot `match event of case %{ ... }` copies nothing). `None` when the path
/// does not resolve; the caller then takes the general path for the error.
#[inline(never)]
fn eval_match_in_place(m: &Match, p: &Path, env: &mut Env) -> Option<R<Value>> {
    let mut start = 0;
    loop {
        let found = {
            let target = path::borrow(p, env)?;
            m.cases[start..]
                .iter()
                .position(|c| test_static(&c.pattern, target))
        };
        let Some(i) = found.map(|i| start + i) else {
            return Some(Err(no_clause(m)));
        };
        let case = &m.cases[i];
        if let Some(g) = &case.guard {
            match eval_guard(g, env) {
                Ok(true) => {}
                Ok(false) => {
                    start = i + 1;
                    continue;
                }
                Err(e) => return Some(Err(e)),
            }
        }
        return Some(eval_body(&case.body, env));
    }
}

/// [`test`] for a static pattern (see [`Pattern::is_static`]): no environment.
fn test_static(p: &Pattern, v: &Value) -> bool {
    match p {
        Pattern::Default => true,
        Pattern::Expr(e) => e.as_const().is_some_and(|c| val_eq(c, v)),
        Pattern::Bind(..) => false,
        Pattern::Extract(ex) => ex.extract(v, false).is_some(),
        Pattern::Record(rp) => test_static_record(rp, v),
        Pattern::Array(elems) => test_static_array(elems, v),
        Pattern::Tuple(tp) => test_static_tuple(tp, v),
    }
}

fn test_static_array(elems: &[Pattern], v: &Value) -> bool {
    match v {
        Value::Array(arr) => elems.iter().all(|p| arr.iter().any(|x| test_static(p, x))),
        _ => false,
    }
}

fn test_static_tuple(tp: &TuplePattern, v: &Value) -> bool {
    match v {
        Value::Array(arr) => {
            let n = tp.elems.len();
            (arr.len() == n || (tp.open && arr.len() >= n))
                && tp.elems.iter().zip(arr).all(|(p, x)| test_static(p, x))
        }
        _ => false,
    }
}

fn test_static_record(rp: &RecordPattern, v: &Value) -> bool {
    let Value::Record(rec) = v else {
        return false;
    };
    rp.fields.iter().all(|f| {
        let field = crate::value::field(rec, f.key.as_str());
        match (&f.test, field) {
            (FieldKind::Absent, x) => x.is_none(),
            (_, None) => false,
            (FieldKind::Present, Some(_)) => true,
            (FieldKind::Cmp(op, e), Some(x)) => e.as_const().is_some_and(|rhs| match op {
                BinOp::Eq => val_eq(x, rhs),
                BinOp::NotEq => !val_eq(x, rhs),
                _ => ops::compare(*op, x, rhs).unwrap_or(false),
            }),
            (FieldKind::Extract(ex, _), Some(x)) => ex.extract(x, false).is_some(),
            (FieldKind::Record(sub), Some(x)) => test_static_record(sub, x),
            (FieldKind::Array(ps), Some(x)) => test_static_array(ps, x),
            (FieldKind::Tuple(t), Some(x)) => test_static_tuple(t, x),
        }
    })
}

fn set_local(env: &mut Env, slot: usize, v: Value) {
    let i = env.locals.base + slot;
    if env.locals.slots.len() <= i {
        env.locals.slots.resize(i + 1, None);
    }
    env.locals.slots[i] = Some(v);
}

/// Tests `v` against `p`. `Some(x)` on a match, where `x` is the extracted value
/// when `want` (otherwise anything cheap).
pub(crate) fn test(p: &Pattern, v: &Value, want: bool, env: &mut Env) -> R<Option<Value>> {
    match p {
        Pattern::Default => Ok(Some(if want { v.clone() } else { Value::Null })),
        Pattern::Expr(e) => {
            let x = match e.as_const() {
                Some(c) => val_eq(c, v),
                None => val_eq(&eval(e, env)?, v),
            };
            Ok(x.then(|| if want { v.clone() } else { Value::Null }))
        }
        Pattern::Bind(slot, inner) => match test(inner, v, true, env)? {
            Some(x) => {
                set_local(env, *slot, x.clone());
                Ok(Some(x))
            }
            None => Ok(None),
        },
        Pattern::Extract(ex) => Ok(ex.extract(v, want)),
        Pattern::Record(rp) => test_record(rp, v, want, env),
        Pattern::Array(elems) => test_array(elems, v, want, env),
        Pattern::Tuple(tp) => test_tuple(tp, v, want, env),
    }
}

fn test_record(rp: &RecordPattern, v: &Value, want: bool, env: &mut Env) -> R<Option<Value>> {
    let Value::Record(rec) = v else {
        return Ok(None);
    };
    let mut out = Record::default();
    for f in &rp.fields {
        let field = crate::value::field(rec, f.key.as_str());
        let extracted = match (&f.test, field) {
            (FieldKind::Absent, None) => continue,
            (FieldKind::Absent, Some(_)) | (_, None) => return Ok(None),
            (FieldKind::Present, Some(x)) => want.then(|| x.clone()),
            (FieldKind::Cmp(op, e), Some(x)) => {
                let rhs = eval(e, env)?;
                let ok = match op {
                    BinOp::Eq => val_eq(x, &rhs),
                    BinOp::NotEq => !val_eq(x, &rhs),
                    _ => ops::compare(*op, x, &rhs).unwrap_or(false),
                };
                if !ok {
                    return Ok(None);
                }
                continue;
            }
            (FieldKind::Extract(ex, assign), Some(x)) => match ex.extract(x, want) {
                Some(r) => {
                    if want {
                        out.insert(assign.clone().unwrap_or_else(|| f.key.clone()), r);
                    }
                    continue;
                }
                None => return Ok(None),
            },
            (FieldKind::Record(sub), Some(x)) => match test_record(sub, x, want, env)? {
                Some(r) => want.then_some(r),
                None => return Ok(None),
            },
            (FieldKind::Array(elems), Some(x)) => match test_array(elems, x, want, env)? {
                Some(r) => want.then_some(r),
                None => return Ok(None),
            },
            (FieldKind::Tuple(tp), Some(x)) => match test_tuple(tp, x, want, env)? {
                Some(r) => want.then_some(r),
                None => return Ok(None),
            },
        };
        if let Some(x) = extracted {
            out.insert(f.key.clone(), x);
        }
    }
    Ok(Some(if want { Value::from(out) } else { Value::Null }))
}

/// `%[p, ...]`: every element pattern must match some element; the result lists
/// `[index, value]` for all matches, pattern by pattern.
fn test_array(elems: &[Pattern], v: &Value, want: bool, env: &mut Env) -> R<Option<Value>> {
    let Value::Array(arr) = v else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for p in elems {
        let mut any = false;
        for (i, item) in arr.iter().enumerate() {
            if let Some(x) = test(p, item, want, env)? {
                any = true;
                if want {
                    out.push(Value::Array(vec![Value::from(i), x]));
                } else {
                    break;
                }
            }
        }
        if !any {
            return Ok(None);
        }
    }
    Ok(Some(if want { Value::Array(out) } else { Value::Null }))
}

/// `%(p, ...)`: positional, exact length unless open (`...`).
fn test_tuple(tp: &TuplePattern, v: &Value, want: bool, env: &mut Env) -> R<Option<Value>> {
    let Value::Array(arr) = v else {
        return Ok(None);
    };
    let n = tp.elems.len();
    if arr.len() < n || (!tp.open && arr.len() != n) {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(if want { n } else { 0 });
    for (p, item) in tp.elems.iter().zip(arr) {
        match test(p, item, want, env)? {
            Some(x) if want => out.push(x),
            Some(_) => {}
            None => return Ok(None),
        }
    }
    Ok(Some(if want { Value::Array(out) } else { Value::Null }))
}
