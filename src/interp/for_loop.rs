//! `for` comprehensions: iterate a record or array, select a case per item, fold
//! the body values into the `into` value with the `use` operator.

use super::eval::{err, eval, eval_body, eval_guard, R};
use super::ir::{BinOp, For};
use super::{ops, Env};
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
    let items: Vec<(Value, Value)> = match target {
        Value::Record(r) => r.into_iter().map(|(k, v)| (Value::String(k), v)).collect(),
        Value::Array(a) => a
            .into_iter()
            .enumerate()
            .map(|(i, v)| (Value::from(i), v))
            .collect(),
        _ => Vec::new(),
    };
    for (k, v) in items {
        let mut selected = None;
        for case in &f.cases {
            set_local(env, case.key, k.clone());
            set_local(env, case.value, v.clone());
            if let Some(g) = &case.guard {
                if !eval_guard(g, env)? {
                    continue;
                }
            }
            selected = Some(eval_body(&case.body, env)?);
            break;
        }
        let Some(val) = selected else { continue };
        if fold(f, &mut acc, val, env)? {
            break;
        }
    }
    Ok(acc)
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
