//! `std::path`: reading nested values with a fallback.

use super::{FnDecl, FnError, Registry};
use crate::event::FnCtx;
use crate::value::Value;

/// Registers `path::*`.
pub fn register(r: &mut Registry) {
    r.add(FnDecl {
        module: "path",
        name: "try_default",
        arity: 3..=3,
        pure: true,
        doc: "Follows `segments` into `base` and returns the value found there, or `default`.\n\
              A string segment selects a record key, an integer segment an array index; a \
              missing key, an index out of range or a segment of the wrong kind gives `default`.",
        examples: &[
            (r#"[{"a":{"b":[1,2]}}, ["a","b",1], null]"#, "2"),
            (r#"[{"a":{"b":[1,2]}}, ["a","x"], "none"]"#, r#""none""#),
            (r#"[{"a":[1]}, ["a",5], 0]"#, "0"),
            (r#"[{"a":1}, [], 0]"#, r#"{"a":1}"#),
        ],
        f: try_default,
    });
}

fn try_default(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    let [base, Value::Array(segments), default] = args else {
        return Err(FnError::BadType);
    };
    let mut cur: &Value = base;
    for seg in segments {
        let next = match (cur, seg) {
            (Value::Record(r), Value::String(k)) => r.get(k.as_str()),
            (Value::Array(a), idx) => idx
                .as_u64()
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| a.get(i)),
            _ => None,
        };
        match next {
            Some(v) => cur = v,
            None => return Ok((*default).clone()),
        }
    }
    Ok(cur.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::array::tests::{call, ok};

    #[test]
    fn wrong_kinds_fall_back() {
        ok(try_default, r#"[[1,2], ["a"], "d"]"#, r#""d""#);
        ok(try_default, r#"[{"0":1}, [0], "d"]"#, r#""d""#);
        ok(try_default, r#"[[1,2], [-1], "d"]"#, r#""d""#);
        ok(try_default, r#"[null, ["a"], "d"]"#, r#""d""#);
        ok(try_default, r#"[{"a":null}, ["a"], "d"]"#, "null");
        assert_eq!(call(try_default, r#"[{}, "a", 1]"#), Err(FnError::BadType));
    }
}
