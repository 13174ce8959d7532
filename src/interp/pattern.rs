//! `match`: patterns, guards, and the values patterns extract.

use super::eval::{eval, eval_body, eval_guard, Flow, R};
use super::ir::{FieldKind, Match, Pattern, RecordPattern, TuplePattern};
use super::{ops, Env, RuntimeError};
use crate::value::{val_eq, Record, Value};

const NO_CLAUSE: &str = "A match expression executed but no clause matched";
const NO_CLAUSE_NOTE: &str = "Consider adding a `case _ => null` clause at the end of your match or validate full coverage beforehand.";

/// Runs a match: the first case whose pattern and guard pass gives the value.
pub(crate) fn eval_match(m: &Match, env: &mut Env) -> R<Value> {
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
    let mut e = RuntimeError::new(NO_CLAUSE, m.span);
    e.note = Some(NO_CLAUSE_NOTE.into());
    Err(Flow::Err(Box::new(e)))
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
        let field = rec.get(f.key.as_str());
        let extracted = match (&f.test, field) {
            (FieldKind::Absent, None) => continue,
            (FieldKind::Absent, Some(_)) | (_, None) => return Ok(None),
            (FieldKind::Present, Some(x)) => want.then(|| x.clone()),
            (FieldKind::Cmp(op, e), Some(x)) => {
                let rhs = eval(e, env)?;
                let ok = match op {
                    super::ir::BinOp::Eq => val_eq(x, &rhs),
                    super::ir::BinOp::NotEq => !val_eq(x, &rhs),
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
