//! `for` comprehensions: iterate a record or array, select a case per item, fold
//! the body values into the `into` value with the `use` operator.

use super::eval::{err, eval, eval_body, eval_guard, R};
use super::{ops, Env};
use crate::ir::{BinOp, For};
use crate::value::Value;

fn set_local(env: &mut Env, slot: usize, v: Value) {
    let i = env.locals.base + slot;
    if env.locals.slots.len() <= i {
        env.locals.slots.resize(i + 1, None);
    }
    env.locals.slots[i] = Some(v);
}

/// Runs a comprehension.
pub(crate) fn eval_for(f: &For, env: &mut Env) -> R<Value> {
    let target = eval(&f.target, env)?;
    let mut acc = match &f.into {
        Some(e) => eval(e, env)?,
        None => Value::array(),
    };
    match target {
        Value::Record(r) => {
            for (k, v) in *r {
                if item(f, &mut acc, Value::String(k), v, env)? {
                    break;
                }
            }
        }
        Value::Array(a) => {
            for (i, v) in a.into_iter().enumerate() {
                if item(f, &mut acc, Value::from(i), v, env)? {
                    break;
                }
            }
        }
        _ => {}
    }
    Ok(acc)
}

/// One item: the first case whose guard passes contributes its body value.
/// `true` when the fold is decided and the loop can stop.
fn item(f: &For, acc: &mut Value, k: Value, v: Value, env: &mut Env) -> R<bool> {
    for case in &f.cases {
        set_local(env, case.key, k.clone());
        set_local(env, case.value, v.clone());
        if let Some(g) = &case.guard {
            if !eval_guard(g, env)? {
                continue;
            }
        }
        let val = eval_body(&case.body, env)?;
        return fold(f, acc, val, env);
    }
    Ok(false)
}

/// Adds one body value to the accumulator; `true` when a boolean fold is decided.
fn fold(f: &For, acc: &mut Value, val: Value, _env: &mut Env) -> R<bool> {
    match acc {
        Value::Array(a) if f.fold == BinOp::Add => {
            a.push(val);
            Ok(false)
        }
        Value::Record(r) if f.fold == BinOp::Add => match val {
            Value::Record(v) => {
                for (k, x) in *v {
                    r.insert(k, x);
                }
                Ok(false)
            }
            other => Err(err(
                format!(
                    "A `for` into a record needs record values, found `{}`",
                    other.type_name()
                ),
                f.span,
            )),
        },
        Value::Array(_) | Value::Record(_) => Err(err(
            format!(
                "The fold operation `{}` is not defined for a `{}` accumulator",
                f.fold.symbol(),
                acc.type_name()
            ),
            f.span,
        )),
        _ => {
            let cur = std::mem::take(acc);
            *acc = ops::binary(f.fold, cur, val).map_err(|m| err(m, f.span))?;
            // and/or short-circuit once the result can no longer change.
            Ok(matches!(
                (f.fold, &*acc),
                (BinOp::And, Value::Bool(false)) | (BinOp::Or, Value::Bool(true))
            ))
        }
    }
}
