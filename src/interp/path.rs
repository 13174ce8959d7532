//! Paths: reading (`event.a[1][2:4]`), testing (`present`), and writing (`let`).

use super::eval::{err, eval, Flow, R};
use super::{Env, RuntimeError};
use crate::diag::Span;
use crate::ir::{Assign, AssignRoot, Path, Root, Segment};
use crate::value::{field, Record, Str, Value};
use std::borrow::Cow;

/// A segment with its run-time parts evaluated.
enum Key<'p> {
    Field(&'p str),
    Dyn(Value),
    Range(Value, Value),
}

/// Evaluates the dynamic parts of the segments first, so the root can then be
/// borrowed while walking (no copy of intermediate values).
fn eval_keys<'p>(segs: &'p [Segment], env: &mut Env) -> R<Vec<Key<'p>>> {
    let mut keys = Vec::with_capacity(segs.len());
    for s in segs {
        keys.push(match s {
            Segment::Field(f) => Key::Field(f),
            Segment::Index(e) => match e.as_const() {
                Some(Value::String(s)) => Key::Field(s),
                _ => Key::Dyn(eval(e, env)?),
            },
            Segment::Range(a, b) => Key::Range(eval(a, env)?, eval(b, env)?),
        });
    }
    Ok(keys)
}

fn all_static(segs: &[Segment]) -> bool {
    segs.iter().all(|s| match s {
        Segment::Field(_) => true,
        Segment::Index(e) => e.as_const().is_some(),
        Segment::Range(..) => false,
    })
}

/// The word Tremor's access errors use for a root: `$` is "global"; locals,
/// reserved names (`args`, `group`, `window`) and expressions are "local".
fn root_kind(root: &Root) -> &'static str {
    match root {
        Root::Event => "event",
        Root::State => "state",
        Root::Meta => "global",
        _ => "local",
    }
}

/// The root value; `None` for an unset local.
fn root_value<'e>(root: &'e Root, env: &'e Env, owned: &'e Option<Value>) -> Option<&'e Value> {
    Some(match root {
        Root::Event => env.event,
        Root::Meta => env.meta,
        Root::State => env.state,
        Root::Args => env.args,
        Root::Group => env.group,
        Root::Window => env.window,
        Root::Local(slot, _) => return env.locals.slots.get(env.locals.base + slot)?.as_ref(),
        // A constant root (a const table) is read in place, never copied.
        Root::Expr(e) => match e.as_const() {
            Some(c) => c,
            None => owned.as_ref()?,
        },
    })
}

/// Why a walk stopped.
enum Miss {
    Key(String),
    /// A key missing from a record, with the closest existing key if one is near.
    RecordKey(String, Option<String>),
    Index(i128, usize),
    Decreasing(i128, i128),
    Range(i128, i128, usize),
}

fn lookup<'a>(v: &'a Value, key: &Key) -> Result<&'a Value, Miss> {
    match (v, key) {
        (Value::Record(r), Key::Field(f)) => field(r, f).ok_or_else(|| missing_key(r, f)),
        (Value::Record(r), Key::Dyn(Value::String(f))) => {
            field(r, f.as_str()).ok_or_else(|| missing_key(r, f))
        }
        (Value::Array(a), Key::Dyn(i)) if i.is_integer() => {
            let idx = match i {
                Value::I64(x) => i128::from(*x),
                Value::U64(x) => i128::from(*x),
                _ => -1,
            };
            usize::try_from(idx)
                .ok()
                .and_then(|u| a.get(u))
                .ok_or(Miss::Index(idx, a.len()))
        }
        (_, Key::Field(f)) => Err(Miss::Key(f.to_string())),
        (_, Key::Dyn(k)) => Err(Miss::Key(match k {
            Value::String(s) => s.to_string(),
            other => other.encode(),
        })),
        (_, Key::Range(..)) => Err(Miss::Key("range".into())),
    }
}

fn step<'v>(cur: Cow<'v, Value>, key: &Key) -> Result<Cow<'v, Value>, Miss> {
    if let Key::Range(a, b) = key {
        let (Some(s), Some(e)) = (int(a), int(b)) else {
            return Err(Miss::Key(format!("{a}:{b}")));
        };
        let Value::Array(arr) = cur.as_ref() else {
            return Err(Miss::Key(format!("{s}:{e}")));
        };
        if e < s {
            return Err(Miss::Decreasing(s, e));
        }
        if s < 0 || e > arr.len() as i128 {
            return Err(Miss::Range(s, e, arr.len()));
        }
        return Ok(Cow::Owned(Value::Array(
            arr[s as usize..e as usize].to_vec(),
        )));
    }
    match cur {
        Cow::Borrowed(v) => lookup(v, key).map(Cow::Borrowed),
        Cow::Owned(v) => lookup(&v, key).map(|x| Cow::Owned(x.clone())),
    }
}

fn missing_key(r: &Record, key: &str) -> Miss {
    Miss::RecordKey(
        key.to_string(),
        best_hint(key, r.keys().map(|k| k.as_str())),
    )
}

pub(crate) use trickle_grammar::suggest::best_hint;

fn int(v: &Value) -> Option<i128> {
    match v {
        Value::I64(i) => Some(i128::from(*i)),
        Value::U64(u) => Some(i128::from(*u)),
        _ => None,
    }
}

fn miss_error(m: Miss, root: &Root, span: Span) -> Flow {
    match m {
        Miss::Key(k) => err(
            format!("Trying to access a non existing {} key `{k}`", root_kind(root)),
            span,
        ),
        Miss::RecordKey(k, hint) => {
            let mut e = RuntimeError::new(
                format!("Trying to access a non existing {} key `{k}`", root_kind(root)),
                span,
            );
            e.note = hint.map(|h| format!("Did you mean to use `{h}`?"));
            Flow::Err(Box::new(e))
        }
        Miss::Index(i, len) => with_note(
            format!("Trying to access an index that is out of range: {i} (the array has {len} elements)"),
            span,
            bounds_note(i, format!("index {i}"), len),
        ),
        Miss::Decreasing(s, e) => err(
            format!("A range's end cannot be smaller than its start, {s}:{e} is invalid"),
            span,
        ),
        Miss::Range(s, e, len) => with_note(
            format!("Trying to access a range that is out of bounds: {s}:{e} (the array has {len} elements)"),
            span,
            bounds_note(s.min(e), format!("index range {s}:{e}"), len),
        ),
    }
}

/// Tremor's wording of an index error: a negative index is a bad index, anything
/// else out of bounds.
fn bounds_note(lowest: i128, got: String, len: usize) -> String {
    if lowest < 0 {
        format!("Bad array index, got `{lowest}` but expected an index in the range 0:{len}")
    } else {
        format!("Array index out of bounds, got {got} but expected an index in the range 0:{len}")
    }
}

fn with_note(message: String, span: Span, note: String) -> Flow {
    let mut e = RuntimeError::new(message, span);
    e.note = Some(note);
    Flow::Err(Box::new(e))
}

/// Reads a path.
pub(crate) fn get(p: &Path, env: &mut Env) -> R<Value> {
    // The common `event.a.b` or `group[0]` (or `$.a`, `state.a`, a local's fields)
    // where every step is a literal that finds its value: read in place. Anything
    // else, misses included, takes the general walk below, which also words the
    // errors.
    if !matches!(p.root, Root::Expr(_)) {
        let found = root_value(&p.root, env, &None).and_then(|root| {
            p.segments.iter().try_fold(root, |v, s| match s {
                Segment::Field(f) => field(v.as_record()?, f),
                Segment::Index(e) if e.as_const().is_some() => lookup(v, &static_key(s)).ok(),
                _ => None,
            })
        });
        if let Some(v) = found {
            return Ok(v.clone());
        }
    }
    let owned = match &p.root {
        Root::Expr(e) if e.as_const().is_none() => Some(eval(e, env)?),
        _ => None,
    };
    let keys = if all_static(&p.segments) {
        Vec::new()
    } else {
        eval_keys(&p.segments, env)?
    };
    let Some(root) = root_value(&p.root, env, &owned) else {
        let Root::Local(_, name) = &p.root else {
            return Err(err("Trying to access a value that does not exist", p.span));
        };
        return Err(err(
            format!("Trying to access a non existing local key `{name}`"),
            p.span,
        ));
    };
    let mut cur = Cow::Borrowed(root);
    if keys.is_empty() {
        // Static segments (the common `event.a.b`): no key vector.
        for s in &p.segments {
            let k = static_key(s);
            cur = step(cur, &k).map_err(|m| miss_error(m, &p.root, p.span))?;
        }
    }
    for k in &keys {
        cur = step(cur, k).map_err(|m| miss_error(m, &p.root, p.span))?;
    }
    Ok(cur.into_owned())
}

fn static_key(s: &Segment) -> Key<'_> {
    match s {
        Segment::Field(f) => Key::Field(f),
        Segment::Index(e) => match e.as_const() {
            Some(Value::String(s)) => Key::Field(s),
            Some(v) => Key::Dyn(v.clone()),
            None => Key::Dyn(Value::Null),
        },
        Segment::Range(..) => Key::Dyn(Value::Null),
    }
}

/// Roots that can be read without evaluating anything.
fn root_in_place(root: &Root) -> bool {
    match root {
        Root::Expr(e) => e.as_const().is_some(),
        _ => true,
    }
}

/// The value at a path without copying it, when the path has only literal
/// segments and resolves; `None` otherwise (use [`get`] for the error).
pub(crate) fn borrow<'e>(p: &'e Path, env: &'e Env) -> Option<&'e Value> {
    if !root_in_place(&p.root) || !all_static(&p.segments) {
        return None;
    }
    let mut cur = root_value(&p.root, env, &None)?;
    for s in &p.segments {
        cur = lookup(cur, &static_key(s)).ok()?;
    }
    Some(cur)
}

/// `present path`: every segment resolves.
pub(crate) fn exists(p: &Path, env: &mut Env) -> R<bool> {
    if root_in_place(&p.root) && all_static(&p.segments) {
        return Ok(borrow(p, env).is_some());
    }
    let owned = match &p.root {
        Root::Expr(e) if e.as_const().is_none() => Some(eval(e, env)?),
        _ => None,
    };
    let keys = eval_keys(&p.segments, env)?;
    let Some(root) = root_value(&p.root, env, &owned) else {
        return Ok(false);
    };
    let mut cur = Cow::Borrowed(root);
    for k in &keys {
        match step(cur, k) {
            Ok(c) => cur = c,
            Err(_) => return Ok(false),
        }
    }
    Ok(true)
}

/// Deepest nesting `state` may hold (the same bound JSON input has). `state` lives
/// across events, so without a bound `let state = [state]` would nest one level per
/// event until cloning, encoding or dropping it overflowed the stack.
pub(crate) const STATE_DEPTH: usize = 1024;

/// Whether `v` nests more than `limit` levels (a scalar or an empty container is level
/// 0, `[[1]]` is level 1). Walks with an
/// explicit stack and stops at the first path past the limit, so it cannot overflow.
pub(crate) fn deeper_than(v: &Value, limit: usize) -> bool {
    let is_nested = |c: &&Value| matches!(c, Value::Array(_) | Value::Record(_));
    let mut todo: Vec<(&Value, usize)> = vec![(v, 0)];
    while let Some((v, d)) = todo.pop() {
        if d > limit {
            return true;
        }
        match v {
            Value::Array(a) => todo.extend(a.iter().filter(is_nested).map(|c| (c, d + 1))),
            Value::Record(r) => todo.extend(r.values().filter(is_nested).map(|c| (c, d + 1))),
            _ => {}
        }
    }
    false
}

const ASSIGN_INTO_ARRAY: &str = "It is not supported to assign value into an array";

/// `let path = value`; returns the assigned value when `want` (else `null`).
pub(crate) fn assign(a: &Assign, span: Span, env: &mut Env, want: bool) -> R<Value> {
    let value = eval(&a.value, env)?;
    let mut keys: Vec<Str> = Vec::with_capacity(a.segments.len());
    for s in &a.segments {
        keys.push(match s {
            Segment::Field(f) => f.clone(),
            Segment::Index(e) => match eval(e, env)? {
                Value::String(s) => s,
                _ => return Err(err(ASSIGN_INTO_ARRAY, span)),
            },
            Segment::Range(..) => return Err(err(ASSIGN_INTO_ARRAY, span)),
        });
    }
    if matches!(a.target, AssignRoot::State)
        && deeper_than(&value, STATE_DEPTH.saturating_sub(keys.len()))
    {
        return Err(err(
            format!("The value assigned to `state` is nested deeper than {STATE_DEPTH} levels"),
            span,
        ));
    }
    let ret = if want { value.clone() } else { Value::Null };
    let target: &mut Value = match a.target {
        AssignRoot::Event => env.event,
        AssignRoot::Meta => env.meta,
        AssignRoot::State => env.state,
        AssignRoot::Local(slot) => {
            let i = env.locals.base + slot;
            if env.locals.slots.len() <= i {
                env.locals.slots.resize(i + 1, None);
            }
            let s = &mut env.locals.slots[i];
            if keys.is_empty() {
                *s = Some(value);
                return Ok(ret);
            }
            s.get_or_insert_with(Value::record)
        }
    };
    let mut cur = target;
    for k in &keys {
        if cur.is_null() {
            *cur = Value::record();
        }
        cur = match cur {
            Value::Record(r) => r.entry(k.clone()).or_insert(Value::Null),
            Value::Array(_) => return Err(err(ASSIGN_INTO_ARRAY, span)),
            other => {
                return Err(err(
                    format!(
                        "Can not assign into key `{k}` of a value of type `{}`",
                        other.type_name()
                    ),
                    span,
                ))
            }
        };
    }
    *cur = value;
    Ok(ret)
}

/// The field names of an `event.a.b` path (static fields from the event only); such
/// a path can be read with [`read_fields`] without setting up an environment.
pub fn event_fields(e: &crate::ir::Expr) -> Option<Box<[Str]>> {
    let crate::ir::ExprKind::Path(p) = &e.kind else {
        return None;
    };
    if !matches!(p.root, Root::Event) {
        return None;
    }
    p.segments
        .iter()
        .map(|s| match s {
            Segment::Field(f) => Some(f.clone()),
            _ => None,
        })
        .collect()
}

/// `v.f1.f2...` when every step is a record holding the field; `None` otherwise (the
/// full evaluation then reports the error).
pub fn read_fields<'v>(v: &'v Value, fields: &[Str]) -> Option<&'v Value> {
    fields.iter().try_fold(v, |v, f| field(v.as_record()?, f))
}
