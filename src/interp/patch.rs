//! `patch` and `merge`.

use super::eval::{err, eval, eval_key, R};
use super::Env;
use crate::ir::{Patch, PatchOp};
use crate::value::{Record, Str, Value};

/// An operation with its key and value computed.
enum Op {
    Insert(Str, Value),
    Upsert(Str, Value),
    Update(Str, Value),
    Erase(Str),
    Copy(Str, Str),
    Move(Str, Str),
    Merge(Option<Str>, Value),
    Default(Option<Str>, Value),
}

/// Runs a patch: every operation's key and value are computed from the original
/// first, then applied in order.
pub(crate) fn eval_patch(p: &Patch, env: &mut Env) -> R<Value> {
    let target = eval(&p.target, env)?;
    let Value::Record(mut rec) = target else {
        return Err(err(
            format!(
                "Patch needs a record, found a value of type `{}`",
                target.type_name()
            ),
            p.span,
        ));
    };
    let mut ops = Vec::with_capacity(p.ops.len());
    for op in &p.ops {
        let key = |e, env: &mut Env| eval_key(e, env);
        ops.push(match op {
            PatchOp::Insert(k, v) => Op::Insert(key(k, env)?, eval(v, env)?),
            PatchOp::Upsert(k, v) => Op::Upsert(key(k, env)?, eval(v, env)?),
            PatchOp::Update(k, v) => Op::Update(key(k, env)?, eval(v, env)?),
            PatchOp::Erase(k) => Op::Erase(key(k, env)?),
            PatchOp::Copy(a, b) => Op::Copy(key(a, env)?, key(b, env)?),
            PatchOp::Move(a, b) => Op::Move(key(a, env)?, key(b, env)?),
            PatchOp::Merge(k, v) => {
                Op::Merge(k.as_ref().map(|k| key(k, env)).transpose()?, eval(v, env)?)
            }
            PatchOp::Default(k, v) => {
                Op::Default(k.as_ref().map(|k| key(k, env)).transpose()?, eval(v, env)?)
            }
        });
    }
    for (i, op) in ops.into_iter().enumerate() {
        let span = p.op_spans.get(i).copied().unwrap_or(p.span);
        apply(&mut rec, op).map_err(|m| err(m, span))?;
    }
    Ok(Value::Record(rec))
}

fn exists_error(k: &str) -> String {
    format!("The key that is supposed to be written to already exists: {k}")
}

fn apply(rec: &mut Record, op: Op) -> Result<(), String> {
    match op {
        Op::Insert(k, v) => {
            if rec.contains_key(&k) {
                return Err(exists_error(&k));
            }
            rec.insert(k, v);
        }
        Op::Upsert(k, v) => {
            rec.insert(k, v);
        }
        Op::Update(k, v) => match rec.get_mut(&k) {
            Some(slot) => *slot = v,
            None => {
                return Err(format!(
                    "The key that is supposed to be updated does not exists: {k}"
                ))
            }
        },
        Op::Erase(k) => {
            rec.shift_remove(&k);
        }
        Op::Copy(_, b) | Op::Move(_, b) if rec.contains_key(&b) => return Err(exists_error(&b)),
        Op::Copy(a, b) => {
            if let Some(v) = rec.get(&a).cloned() {
                rec.insert(b, v);
            }
        }
        Op::Move(a, b) => {
            if let Some(v) = rec.shift_remove(&a) {
                rec.insert(b, v);
            }
        }
        Op::Merge(None, v) => {
            let Value::Record(src) = v else {
                return Err(merge_conflict(&v));
            };
            merge_into(rec, *src);
        }
        Op::Merge(Some(k), v) => {
            if !matches!(v, Value::Record(_)) {
                return Err(merge_conflict(&v));
            }
            match rec.get_mut(&k) {
                None => {
                    rec.insert(k, v);
                }
                Some(Value::Record(dst)) => {
                    if let Value::Record(src) = v {
                        merge_into(dst, *src);
                    }
                }
                Some(other) => return Err(merge_conflict(other)),
            }
        }
        Op::Default(Some(k), v) => {
            rec.entry(k).or_insert(v);
        }
        Op::Default(None, v) => {
            let Value::Record(src) = v else {
                return Err(merge_conflict(&v));
            };
            default_into(rec, *src);
        }
    }
    Ok(())
}

fn merge_conflict(v: &Value) -> String {
    format!(
        "Merge can only be performed on records, found a value of type `{}`",
        v.type_name()
    )
}

/// Recursive merge: records merge key by key; anything else replaces (null too).
fn merge_into(dst: &mut Record, src: Record) {
    for (k, v) in src {
        match (dst.get_mut(&k), v) {
            (Some(Value::Record(d)), Value::Record(s)) => merge_into(d, *s),
            (_, v) => {
                dst.insert(k, v);
            }
        }
    }
}

/// Recursive default: fills in keys that are missing.
fn default_into(dst: &mut Record, src: Record) {
    for (k, v) in src {
        match (dst.get_mut(&k), v) {
            (Some(Value::Record(d)), Value::Record(s)) => default_into(d, *s),
            (Some(_), _) => {}
            (None, v) => {
                dst.insert(k, v);
            }
        }
    }
}

/// `merge target of value end`: both must be records.
pub(crate) fn merge_values(target: Value, value: Value) -> Result<Value, String> {
    match (target, value) {
        (Value::Record(mut t), Value::Record(v)) => {
            merge_into(&mut t, *v);
            Ok(Value::Record(t))
        }
        (Value::Record(_), v) | (v, _) => Err(merge_conflict(&v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::parse_json;

    #[test]
    fn merge_is_recursive_and_null_does_not_delete() {
        let a = parse_json(r#"{"a":{"b":1,"c":2},"d":3}"#).unwrap();
        let b = parse_json(r#"{"a":{"b":null},"d":[1]}"#).unwrap();
        let r = merge_values(a, b).unwrap();
        assert_eq!(r, parse_json(r#"{"a":{"b":null,"c":2},"d":[1]}"#).unwrap());
        assert!(merge_values(Value::from(1u64), Value::record()).is_err());
    }
}
