//! `std::record`: keys, values and reshaping of records.

use super::array::count;
use super::{FnDecl, FnError, NativeFn, Registry};
use crate::event::FnCtx;
use crate::value::{Record, Value};
use std::ops::RangeInclusive;

fn decl(
    name: &'static str,
    arity: RangeInclusive<usize>,
    doc: &'static str,
    examples: &'static [(&'static str, &'static str)],
    f: NativeFn,
) -> FnDecl {
    FnDecl::pure("record", name, arity, doc, examples, f)
}

/// Registers `record::*`.
pub fn register(r: &mut Registry) {
    r.add(decl(
        "len",
        1..=1,
        "Number of fields in a record.",
        &[(r#"[{"a":1,"b":2}]"#, "2"), ("[{}]", "0")],
        len,
    ));
    r.add(decl(
        "is_empty",
        1..=1,
        "Whether a record has no fields.",
        &[("[{}]", "true"), (r#"[{"a":1}]"#, "false")],
        is_empty,
    ));
    r.add(decl(
        "contains",
        2..=2,
        "Whether the record has a field with the given key.",
        &[
            (r#"[{"a":null},"a"]"#, "true"),
            (r#"[{"a":1},"b"]"#, "false"),
        ],
        contains,
    ));
    r.add(decl(
        "keys",
        1..=1,
        "The keys of a record, in insertion order.",
        &[(r#"[{"a":1,"b":2}]"#, r#"["a","b"]"#)],
        keys,
    ));
    r.add(decl(
        "values",
        1..=1,
        "The values of a record, in insertion order.",
        &[(r#"[{"a":1,"b":[2]}]"#, "[1,[2]]")],
        values,
    ));
    r.add(decl(
        "to_array",
        1..=1,
        "The fields of a record as `[key, value]` pairs, in insertion order.",
        &[(r#"[{"a":1,"b":2}]"#, r#"[["a",1],["b",2]]"#)],
        to_array,
    ));
    r.add(decl(
        "from_array",
        1..=1,
        "Builds a record from `[key, value]` pairs; keys must be strings, a later pair wins.",
        &[(r#"[[["a",1],["b",2],["a",3]]]"#, r#"{"a":3,"b":2}"#)],
        from_array,
    ));
    r.add(decl(
        "extract",
        2..=2,
        "A record with only the listed keys; keys missing from the record are skipped.",
        &[(r#"[{"a":1,"b":2,"c":3},["a","c","x"]]"#, r#"{"a":1,"c":3}"#)],
        extract,
    ));
    r.add(decl(
        "combine",
        2..=2,
        "The fields of both records; the second record's value wins for a shared key.",
        &[(r#"[{"a":1,"b":2},{"b":3,"c":4}]"#, r#"{"a":1,"b":3,"c":4}"#)],
        combine,
    ));
    r.add(decl(
        "rename",
        2..=2,
        "Renames fields: the second record maps old keys to new key strings.",
        &[(r#"[{"a":1,"b":2},{"a":"x"}]"#, r#"{"x":1,"b":2}"#)],
        rename,
    ));
}

/// Applies `f` to the only argument when it is a record.
fn with_record(args: &[&Value], f: impl FnOnce(&Record) -> Value) -> Result<Value, FnError> {
    match args {
        [Value::Record(r)] => Ok(f(r)),
        _ => Err(FnError::BadType),
    }
}

fn len(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    with_record(args, |r| count(r.len()))
}

fn is_empty(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    with_record(args, |r| Value::Bool(r.is_empty()))
}

fn contains(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [Value::Record(r), Value::String(k)] => Ok(Value::Bool(r.contains_key(k.as_str()))),
        _ => Err(FnError::BadType),
    }
}

fn keys(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    with_record(args, |r| {
        Value::Array(r.keys().map(|k| Value::String(k.clone())).collect())
    })
}

fn values(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    with_record(args, |r| Value::Array(r.values().cloned().collect()))
}

fn to_array(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    with_record(args, |r| {
        Value::Array(
            r.iter()
                .map(|(k, v)| Value::Array(vec![Value::String(k.clone()), v.clone()]))
                .collect(),
        )
    })
}

fn from_array(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    let [Value::Array(a)] = args else {
        return Err(FnError::BadType);
    };
    let mut out = Record::with_capacity_and_hasher(a.len(), Default::default());
    for e in a {
        match e {
            Value::Array(pair) => match pair.as_slice() {
                [Value::String(k), v] => {
                    out.insert(k.clone(), v.clone());
                }
                [_, _] => {
                    return Err(FnError::runtime(
                        "Array values need to be tuples of (string, value)",
                    ))
                }
                _ => {
                    return Err(FnError::runtime(format!(
                        "Only arrays that consist of tuples (arrays of two elements) can be \
                         turned into records but this array contained {} elements",
                        pair.len()
                    )))
                }
            },
            other => {
                return Err(FnError::runtime(format!(
                    "Only arrays that consist of tuples (arrays of two elements) can be turned \
                     into records but this array contained {other}"
                )))
            }
        }
    }
    Ok(Value::from(out))
}

fn extract(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    let [Value::Record(r), Value::Array(keys)] = args else {
        return Err(FnError::BadType);
    };
    let mut out = Record::default();
    // Non-string entries in the key list are ignored, as in Tremor.
    for k in keys.iter().filter_map(Value::as_str) {
        if let Some((k, v)) = r.get_key_value(k) {
            out.insert(k.clone(), v.clone());
        }
    }
    Ok(Value::from(out))
}

fn combine(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    let [Value::Record(l), Value::Record(r)] = args else {
        return Err(FnError::BadType);
    };
    let mut out = (**l).clone();
    for (k, v) in r.iter() {
        out.insert(k.clone(), v.clone());
    }
    Ok(Value::from(out))
}

fn rename(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    let [Value::Record(target), Value::Record(changes)] = args else {
        return Err(FnError::BadType);
    };
    let mut out = Record::with_capacity_and_hasher(target.len(), Default::default());
    for (k, v) in target.iter() {
        // A mapping to a non-string keeps the old key.
        let key = match changes.get(k) {
            Some(Value::String(new)) => new.clone(),
            _ => k.clone(),
        };
        out.insert(key, v.clone());
    }
    Ok(Value::from(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::array::tests::{call, err, ok};

    #[test]
    fn wrong_types_are_bad_type() {
        for f in [len, is_empty, keys, values, to_array] {
            assert_eq!(call(f, "[[]]"), Err(FnError::BadType));
        }
        assert_eq!(call(contains, r#"[{}, 1]"#), Err(FnError::BadType));
        assert_eq!(call(from_array, "[{}]"), Err(FnError::BadType));
        assert_eq!(call(extract, r#"[{}, "a"]"#), Err(FnError::BadType));
        assert_eq!(call(combine, r#"[{}, []]"#), Err(FnError::BadType));
        assert_eq!(call(rename, r#"[[], {}]"#), Err(FnError::BadType));
    }

    #[test]
    fn from_array_checks_pairs() {
        err(from_array, r#"[[["a"]]]"#, "contained 1 elements");
        err(from_array, r#"[[1]]"#, "contained 1");
        err(from_array, r#"[[[1, 2]]]"#, "tuples of (string, value)");
        ok(from_array, "[[]]", "{}");
    }

    #[test]
    fn order_is_kept() {
        let got = call(keys, r#"[{"z":1,"a":2,"m":3}]"#).unwrap();
        assert_eq!(got.encode(), r#"["z","a","m"]"#);
        let got = call(rename, r#"[{"z":1,"a":2},{"z":"y","a":3}]"#).unwrap();
        assert_eq!(got.encode(), r#"{"y":1,"a":2}"#);
        let got = call(combine, r#"[{"b":1,"a":2},{"b":3,"c":4}]"#).unwrap();
        assert_eq!(got.encode(), r#"{"b":3,"a":2,"c":4}"#);
        let got = call(extract, r#"[{"b":1,"a":2},["a",1,"b"]]"#).unwrap();
        assert_eq!(got.encode(), r#"{"a":2,"b":1}"#);
    }
}
