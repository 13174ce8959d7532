//! `std::array`: length, membership, building and reshaping arrays.

use super::{FnDecl, FnError, NativeFn, Registry};
use crate::event::FnCtx;
use crate::value::{val_eq, Value};
use std::cmp::Ordering;
use std::ops::RangeInclusive;

fn decl(
    name: &'static str,
    arity: RangeInclusive<usize>,
    doc: &'static str,
    examples: &'static [(&'static str, &'static str)],
    f: NativeFn,
) -> FnDecl {
    FnDecl::pure("array", name, arity, doc, examples, f)
}

/// Registers `array::*`.
pub fn register(r: &mut Registry) {
    r.add(decl(
        "len",
        1..=1,
        "Number of elements in an array.",
        &[(r#"[[1,2,3]]"#, "3"), ("[[]]", "0")],
        len,
    ));
    r.add(decl(
        "is_empty",
        1..=1,
        "Whether an array has no elements.",
        &[("[[]]", "true"), ("[[1]]", "false")],
        is_empty,
    ));
    r.add(decl(
        "contains",
        2..=2,
        "Whether an array holds an element equal (`==`) to the value.",
        &[
            ("[[1,2,3],2]", "true"),
            (r#"[[1,"a"],"b"]"#, "false"),
            ("[[1],1.0]", "true"),
        ],
        contains,
    ));
    r.add(decl(
        "push",
        2..=2,
        "A copy of the array with the value appended.",
        &[("[[1,2],3]", "[1,2,3]"), ("[[],[1]]", "[[1]]")],
        push,
    ));
    r.add(decl(
        "zip",
        2..=2,
        "Pairs elements of two arrays of the same length: `[[l0, r0], [l1, r1], ...]`.\n\
         Arrays of different lengths are an error.",
        &[(r#"[[1,2],["a","b"]]"#, r#"[[1,"a"],[2,"b"]]"#)],
        zip,
    ));
    r.add(decl(
        "unzip",
        1..=1,
        "Splits an array of pairs into two arrays: `[[l0, l1, ...], [r0, r1, ...]]`.\n\
         Every element must be an array of two elements.",
        &[
            (r#"[[[1,"a"],[2,"b"]]]"#, r#"[[1,2],["a","b"]]"#),
            ("[[]]", "[[],[]]"),
        ],
        unzip,
    ));
    r.add(decl(
        "flatten",
        1..=1,
        "Flattens nested arrays, at any depth, into one array.\n\
         A value that is not an array becomes a one-element array.",
        &[("[[1,[2,[3,[4]]],[]]]", "[1,2,3,4]"), ("[1]", "[1]")],
        flatten,
    ));
    r.add(decl(
        "coalesce",
        1..=1,
        "The array without its `null` elements.",
        &[("[[1,null,2,null]]", "[1,2]")],
        coalesce,
    ));
    r.add(decl(
        "join",
        2..=2,
        "Joins the elements with a separator; elements that are not strings are written as JSON.",
        &[
            (r#"[["a","b","c"],", "]"#, r#""a, b, c""#),
            (r#"[[1,"a",[2]],"-"]"#, r#""1-a-[2]""#),
        ],
        join,
    ));
    r.add(decl(
        "concatenate",
        2..=2,
        "The elements of the first array followed by those of the second.",
        &[("[[1,2],[3]]", "[1,2,3]")],
        concatenate,
    ));
    r.add(decl(
        "sort",
        1..=1,
        "The array sorted ascending.\n\
         Mixed types order as null < bool < number < string < bytes < array < record;\n\
         numbers compare by value whether int or float, arrays element by element.",
        &[
            ("[[3,1,2]]", "[1,2,3]"),
            (
                r#"[["b",1,null,"a",0.5,true]]"#,
                r#"[null,true,0.5,1,"a","b"]"#,
            ),
        ],
        sort,
    ));
    r.add(decl(
        "reverse",
        1..=1,
        "The array in reverse order.",
        &[("[[1,2,3]]", "[3,2,1]")],
        reverse,
    ));
}

/// A length or count as a signed integer, as Tremor returned them (so `len(x) - 1` is
/// plain signed arithmetic).
pub(crate) fn count(n: usize) -> Value {
    Value::I64(i64::try_from(n).unwrap_or(i64::MAX))
}

fn len(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [Value::Array(a)] => Ok(count(a.len())),
        _ => Err(FnError::BadType),
    }
}

fn is_empty(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [Value::Array(a)] => Ok(Value::Bool(a.is_empty())),
        _ => Err(FnError::BadType),
    }
}

fn contains(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [Value::Array(a), v] => Ok(Value::Bool(a.iter().any(|e| val_eq(e, v)))),
        _ => Err(FnError::BadType),
    }
}

fn push(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [Value::Array(a), v] => {
            let mut out = Vec::with_capacity(a.len() + 1);
            out.extend(a.iter().cloned());
            out.push((*v).clone());
            Ok(Value::Array(out))
        }
        _ => Err(FnError::BadType),
    }
}

fn zip(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [Value::Array(l), Value::Array(r)] => {
            if l.len() != r.len() {
                return Err(FnError::runtime(format!(
                    "Zipping two arrays requires them to have the same length, but the first \
                     array provided has {} elements and the second one {} elements",
                    l.len(),
                    r.len()
                )));
            }
            let pairs = l
                .iter()
                .zip(r)
                .map(|(a, b)| Value::Array(vec![a.clone(), b.clone()]))
                .collect();
            Ok(Value::Array(pairs))
        }
        _ => Err(FnError::BadType),
    }
}

fn unzip(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    let [Value::Array(a)] = args else {
        return Err(FnError::BadType);
    };
    let mut left = Vec::with_capacity(a.len());
    let mut right = Vec::with_capacity(a.len());
    for e in a {
        match e {
            Value::Array(pair) if pair.len() == 2 => {
                left.push(pair[0].clone());
                right.push(pair[1].clone());
            }
            Value::Array(pair) => {
                return Err(FnError::runtime(format!(
                    "Only arrays that consist of tuples (arrays of two elements) can be \
                     unzipped but this array contained {} elements",
                    pair.len()
                )))
            }
            other => {
                return Err(FnError::runtime(format!(
                    "Only arrays that consist of tuples (arrays of two elements) can be \
                     unzipped but this array contained {other}"
                )))
            }
        }
    }
    Ok(Value::Array(vec![Value::Array(left), Value::Array(right)]))
}

fn flatten(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    // Written with an explicit stack: a deeply nested input must not overflow the call stack.
    let &[v] = args else {
        return Err(FnError::BadType);
    };
    let mut out = Vec::new();
    let mut stack: Vec<std::slice::Iter<Value>> = Vec::new();
    match v {
        Value::Array(a) => stack.push(a.iter()),
        other => out.push(other.clone()),
    }
    while let Some(top) = stack.last_mut() {
        match top.next() {
            Some(Value::Array(inner)) => stack.push(inner.iter()),
            Some(other) => out.push(other.clone()),
            None => {
                stack.pop();
            }
        }
    }
    Ok(Value::Array(out))
}

fn coalesce(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [Value::Array(a)] => Ok(Value::Array(
            a.iter().filter(|v| !v.is_null()).cloned().collect(),
        )),
        _ => Err(FnError::BadType),
    }
}

fn join(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    let [Value::Array(a), Value::String(sep)] = args else {
        return Err(FnError::BadType);
    };
    let mut out = String::new();
    for (i, e) in a.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        match e {
            Value::String(s) => out.push_str(s),
            other => out.push_str(&other.encode()),
        }
    }
    Ok(Value::from(out))
}

fn concatenate(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [Value::Array(l), Value::Array(r)] => {
            let mut out = Vec::with_capacity(l.len() + r.len());
            out.extend(l.iter().cloned());
            out.extend(r.iter().cloned());
            Ok(Value::Array(out))
        }
        _ => Err(FnError::BadType),
    }
}

fn sort(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [Value::Array(a)] => {
            let mut out = a.clone();
            out.sort_by(cmp_values);
            Ok(Value::Array(out))
        }
        _ => Err(FnError::BadType),
    }
}

fn reverse(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [Value::Array(a)] => Ok(Value::Array(a.iter().rev().cloned().collect())),
        _ => Err(FnError::BadType),
    }
}

/// Rank of a value's type in the sort order.
fn type_rank(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::I64(_) | Value::U64(_) | Value::F64(_) => 2,
        Value::String(_) => 3,
        Value::Bytes(_) => 4,
        Value::Array(_) => 5,
        Value::Record(_) => 6,
    }
}

/// A total order over values, so `sort` never fails: by type rank, then by value.
/// Records compare by their entries sorted by key.
pub(crate) fn cmp_values(a: &Value, b: &Value) -> Ordering {
    use Value::*;
    match (a, b) {
        (Bool(x), Bool(y)) => x.cmp(y),
        (I64(x), I64(y)) => x.cmp(y),
        (U64(x), U64(y)) => x.cmp(y),
        (I64(x), U64(y)) => i128::from(*x).cmp(&i128::from(*y)),
        (U64(x), I64(y)) => i128::from(*x).cmp(&i128::from(*y)),
        (F64(_), I64(_) | U64(_) | F64(_)) | (I64(_) | U64(_), F64(_)) => {
            let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
            x.total_cmp(&y)
        }
        (String(x), String(y)) => x.cmp(y),
        (Bytes(x), Bytes(y)) => x.cmp(y),
        (Array(x), Array(y)) => {
            for (l, r) in x.iter().zip(y) {
                let o = cmp_values(l, r);
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Record(x), Record(y)) => {
            let mut xs: Vec<_> = x.iter().collect();
            let mut ys: Vec<_> = y.iter().collect();
            xs.sort_by(|l, r| l.0.cmp(r.0));
            ys.sort_by(|l, r| l.0.cmp(r.0));
            for ((lk, lv), (rk, rv)) in xs.iter().zip(&ys) {
                let o = lk.cmp(rk).then_with(|| cmp_values(lv, rv));
                if o != Ordering::Equal {
                    return o;
                }
            }
            xs.len().cmp(&ys.len())
        }
        _ => type_rank(a).cmp(&type_rank(b)),
    }
}

/// Test helpers shared by the module tests of `functions`.
#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::value::{parse_json, test_eq};

    /// Calls `f` with the arguments given as a JSON array.
    pub(crate) fn call(f: NativeFn, args: &str) -> Result<Value, FnError> {
        let args = parse_json(args).unwrap();
        let args: Vec<&Value> = args.as_array().unwrap().iter().collect();
        f(&FnCtx::default(), &args)
    }

    /// Asserts that `f(args)` returns `expected` (JSON, compared like test output).
    pub(crate) fn ok(f: NativeFn, args: &str, expected: &str) {
        let got = call(f, args).unwrap();
        assert!(
            test_eq(&got, &parse_json(expected).unwrap()),
            "{got} != {expected}"
        );
    }

    /// Asserts that `f(args)` fails with a runtime error containing `text`.
    pub(crate) fn err(f: NativeFn, args: &str, text: &str) {
        match call(f, args) {
            Err(FnError::Runtime(m)) => assert!(m.contains(text), "{m:?} lacks {text:?}"),
            other => panic!("expected runtime error {text:?}, got {other:?}"),
        }
    }

    #[test]
    fn wrong_types_are_bad_type() {
        for f in [len, is_empty, coalesce, sort, reverse, unzip] {
            assert_eq!(call(f, r#"["a"]"#), Err(FnError::BadType));
        }
        assert_eq!(call(contains, "[{},1]"), Err(FnError::BadType));
        assert_eq!(call(push, "[1,1]"), Err(FnError::BadType));
        assert_eq!(call(zip, "[[1],1]"), Err(FnError::BadType));
        assert_eq!(call(join, "[[1],1]"), Err(FnError::BadType));
        assert_eq!(call(concatenate, "[[1],{}]"), Err(FnError::BadType));
        // Wrong arity never panics.
        assert_eq!(call(len, "[]"), Err(FnError::BadType));
    }

    #[test]
    fn zip_and_unzip_check_shapes() {
        let e = call(zip, "[[1,2],[1]]").unwrap_err();
        assert!(matches!(e, FnError::Runtime(m) if m.contains("same length")));
        let e = call(unzip, "[[[1,2,3]]]").unwrap_err();
        assert!(matches!(e, FnError::Runtime(m) if m.contains("3 elements")));
        let e = call(unzip, "[[1]]").unwrap_err();
        assert!(matches!(e, FnError::Runtime(m) if m.contains("contained 1")));
    }

    #[test]
    fn flatten_is_deep_and_survives_deep_nesting() {
        ok(flatten, "[[[[[]]],[[1]],2]]", "[1,2]");
        let mut v = Value::from(1);
        for _ in 0..100_000 {
            v = Value::Array(vec![v]);
        }
        let got = flatten(&FnCtx::default(), &[&v]).unwrap();
        assert!(test_eq(&got, &parse_json("[1]").unwrap()));
        // Dropping the deep input recursively is the value type's concern; leak-free
        // teardown without recursion:
        let mut cur = v;
        while let Value::Array(mut a) = cur {
            cur = a.pop().unwrap_or(Value::Null);
        }
    }

    #[test]
    fn sort_orders_mixed_values() {
        ok(sort, "[[[2],[1,5],[1]]]", "[[1],[1,5],[2]]");
        ok(
            sort,
            r#"[[{"b":1},{"a":2},{"a":1}]]"#,
            r#"[{"a":1},{"a":2},{"b":1}]"#,
        );
        ok(
            sort,
            "[[2, 1.5, -1, 18446744073709551615]]",
            "[-1,1.5,2,18446744073709551615]",
        );
        ok(sort, "[[true,false,null]]", "[null,false,true]");
    }

    #[test]
    fn push_copies() {
        ok(push, "[[],null]", "[null]");
        ok(contains, "[[[1,2]],[1,2]]", "true");
        ok(join, r#"[[],","]"#, r#""""#);
        ok(join, r#"[[null,{"a":1}],""]"#, r#""null{\"a\":1}""#);
    }

    /// The module files of the core modules (array to size), relative to `stdlib/std/`, with the native module they bind.
    const MODULE_FILES: &[(&str, &str)] = &[
        ("array.tremor", "array"),
        ("string.tremor", "string"),
        ("record.tremor", "record"),
        ("type.tremor", "type"),
        ("math.tremor", "math"),
        ("integer.tremor", "integer"),
        ("float.tremor", "float"),
        ("json.tremor", "json"),
        ("base64.tremor", "base64"),
        ("binary.tremor", "binary"),
        ("url.tremor", "url"),
        ("re.tremor", "re"),
        ("range.tremor", "range"),
        ("path.tremor", "path"),
        ("random.tremor", "random"),
        ("size.tremor", "size"),
    ];

    /// Every `intrinsic fn f(params) as m::g;` in those module files names a
    /// registered native whose arity accepts the declared parameters, and every native of
    /// those modules is bound by one, so `use std::m;` reaches all of them.
    #[test]
    fn module_files_bind_every_native() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("stdlib/std");
        let reg = crate::functions::registry();
        for (file, module) in MODULE_FILES {
            let text = std::fs::read_to_string(root.join(file)).unwrap();
            let mut bound = Vec::new();
            for line in text.lines().filter(|l| l.starts_with("intrinsic fn ")) {
                let rest = &line["intrinsic fn ".len()..];
                let (name, rest) = rest.split_once('(').unwrap();
                let (params, rest) = rest.split_once(')').unwrap();
                let target = rest
                    .trim()
                    .strip_prefix("as ")
                    .unwrap()
                    .trim_end_matches(';');
                let (m, f) = target.split_once("::").unwrap();
                assert_eq!((m, f), (*module, name), "{file}: {line}");
                let d = reg
                    .get(m, f)
                    .unwrap_or_else(|| panic!("{file}: no native {target}"));
                let params: Vec<&str> = params
                    .split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .collect();
                if params.last() == Some(&"...") {
                    let named = params.len() - 1;
                    assert!(*d.arity.start() >= named, "{file}: {line}");
                } else {
                    assert!(d.arity.contains(&params.len()), "{file}: {line}");
                }
                bound.push(f.to_string());
            }
            for native in reg.names_in(module) {
                assert!(
                    bound.iter().any(|b| b == native),
                    "{module}::{native} unbound"
                );
            }
        }
    }
}
