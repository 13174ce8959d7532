//! `std::range`: integer ranges as arrays.

use super::{FnDecl, FnError, Registry};
use crate::event::FnCtx;
use crate::value::{val_eq, Value};

/// The most elements `range` builds; larger ranges are a runtime error rather than an
/// allocation that takes the process down.
const MAX_LEN: i128 = 1 << 24;

/// Registers `range::*`.
pub fn register(r: &mut Registry) {
    r.add(FnDecl {
        module: "range",
        name: "range",
        arity: 2..=2,
        pure: true,
        doc: "The integers from `start` (inclusive) to `end` (exclusive), as an array.\n\
              An `end` not above `start` gives an empty array.",
        examples: &[
            ("[1, 3]", "[1,2]"),
            ("[-1, 2]", "[-1,0,1]"),
            ("[3, 1]", "[]"),
        ],
        f: range,
    });
    r.add(FnDecl {
        module: "range",
        name: "contains",
        arity: 2..=2,
        pure: true,
        doc: "Whether the range (an array, as `range` builds it) holds the value.",
        examples: &[("[[1, 2, 3], 2]", "true"), ("[[1, 2], 3]", "false")],
        f: contains,
    });
}

fn range(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    let [start, end] = args else {
        return Err(FnError::BadType);
    };
    let (Some(start), Some(end)) = (start.as_i64(), end.as_i64()) else {
        return Err(FnError::BadType);
    };
    let len = i128::from(end) - i128::from(start);
    if len > MAX_LEN {
        return Err(FnError::runtime(format!(
            "a range of {len} elements is too large (at most {MAX_LEN})"
        )));
    }
    Ok(Value::Array((start..end).map(Value::I64).collect()))
}

fn contains(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [Value::Array(a), v] => Ok(Value::Bool(a.iter().any(|e| val_eq(e, v)))),
        _ => Err(FnError::BadType),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::array::tests::{call, err, ok};

    #[test]
    fn edges() {
        ok(range, "[0, 0]", "[]");
        err(range, "[0, 100000000000]", "too large");
        assert_eq!(call(range, "[0.5, 2]"), Err(FnError::BadType));
        assert_eq!(call(range, r#"["0", 2]"#), Err(FnError::BadType));
        assert_eq!(call(contains, "[1, 2]"), Err(FnError::BadType));
    }
}
