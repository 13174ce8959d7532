//! `std::math`: rounding to integers, and the larger or smaller of two numbers.

use super::{FnDecl, FnError, NativeFn, Registry};
use crate::event::FnCtx;
use crate::value::Value;
use std::cmp::Ordering;
use std::ops::RangeInclusive;

fn decl(
    name: &'static str,
    arity: RangeInclusive<usize>,
    doc: &'static str,
    examples: &'static [(&'static str, &'static str)],
    f: NativeFn,
) -> FnDecl {
    FnDecl::pure("math", name, arity, doc, examples, f)
}

/// Registers `math::*`.
pub fn register(r: &mut Registry) {
    r.add(decl(
        "floor",
        1..=1,
        "The largest integer not above the number; integers pass through.",
        &[("[1.7]", "1"), ("[-1.2]", "-2"), ("[3]", "3")],
        floor,
    ));
    r.add(decl(
        "ceil",
        1..=1,
        "The smallest integer not below the number; integers pass through.",
        &[("[1.2]", "2"), ("[-1.7]", "-1"), ("[3]", "3")],
        ceil,
    ));
    r.add(decl(
        "round",
        1..=1,
        "The nearest integer, halves away from zero; integers pass through.",
        &[
            ("[1.5]", "2"),
            ("[-1.5]", "-2"),
            ("[1.49]", "1"),
            ("[3]", "3"),
        ],
        round,
    ));
    r.add(decl(
        "trunc",
        1..=1,
        "The integer part of the number; integers pass through.",
        &[("[1.7]", "1"), ("[-1.7]", "-1"), ("[3]", "3")],
        trunc,
    ));
    r.add(decl(
        "max",
        2..=2,
        "The larger of two numbers, keeping its type.",
        &[("[1, 2]", "2"), ("[2.5, 1]", "2.5"), ("[-1, 0.5]", "0.5")],
        max,
    ));
    r.add(decl(
        "min",
        2..=2,
        "The smaller of two numbers, keeping its type.",
        &[("[1, 2]", "1"), ("[2.5, 1]", "1"), ("[-1, 0.5]", "-1")],
        min,
    ));
}

/// Applies `op` to a float argument and converts to an integer; integers pass through.
/// Out-of-range floats saturate and NaN becomes 0, as Rust's `as` casts (and Tremor) do.
fn to_int(args: &[&Value], op: fn(f64) -> f64) -> Result<Value, FnError> {
    match args {
        [Value::I64(i)] => Ok(Value::I64(*i)),
        [Value::U64(u)] => Ok(Value::U64(*u)),
        [Value::F64(f)] => {
            let r = op(*f);
            // Keep large positive results exact in the unsigned range.
            if r >= 9_223_372_036_854_775_808.0 {
                Ok(Value::U64(r as u64))
            } else {
                Ok(Value::I64(r as i64))
            }
        }
        _ => Err(FnError::BadType),
    }
}

fn floor(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    to_int(args, f64::floor)
}

fn ceil(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    to_int(args, f64::ceil)
}

fn round(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    to_int(args, f64::round)
}

fn trunc(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    to_int(args, f64::trunc)
}

/// Compares two numbers exactly when both are integers, as floats otherwise.
fn cmp_numbers(a: &Value, b: &Value) -> Result<Ordering, FnError> {
    match (a, b) {
        (Value::I64(_) | Value::U64(_), Value::I64(_) | Value::U64(_)) => {
            let wide = |v: &Value| match v {
                Value::I64(i) => i128::from(*i),
                Value::U64(u) => i128::from(*u),
                _ => 0,
            };
            Ok(wide(a).cmp(&wide(b)))
        }
        _ => match (a.as_f64(), b.as_f64()) {
            // NaN compares as neither larger nor smaller.
            (Some(x), Some(y)) => Ok(x.partial_cmp(&y).unwrap_or(Ordering::Equal)),
            _ => Err(FnError::BadType),
        },
    }
}

fn max(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    let [a, b] = args else {
        return Err(FnError::BadType);
    };
    // As in Tremor: the first only when strictly larger.
    match cmp_numbers(a, b)? {
        Ordering::Greater => Ok((*a).clone()),
        _ => Ok((*b).clone()),
    }
}

fn min(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    let [a, b] = args else {
        return Err(FnError::BadType);
    };
    match cmp_numbers(a, b)? {
        Ordering::Less => Ok((*a).clone()),
        _ => Ok((*b).clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::array::tests::{call, ok};

    #[test]
    fn rounding_edges() {
        ok(floor, "[18446744073709551615]", "18446744073709551615");
        ok(round, "[1e300]", "18446744073709551615");
        ok(round, "[-1e300]", "-9223372036854775808");
        ok(ceil, "[-0.5]", "0");
        ok(trunc, "[1e19]", "10000000000000000000");
        let nan = Value::F64(f64::NAN);
        let got = floor(&FnCtx::default(), &[&nan]).unwrap();
        assert!(matches!(got, Value::I64(0)));
        for f in [floor, ceil, round, trunc] {
            assert_eq!(call(f, r#"["1"]"#), Err(FnError::BadType));
            assert_eq!(call(f, "[null]"), Err(FnError::BadType));
        }
    }

    #[test]
    fn max_min_keep_types() {
        ok(max, "[18446744073709551615, -1]", "18446744073709551615");
        ok(min, "[18446744073709551615, -1]", "-1");
        ok(max, "[1, 1.0]", "1.0");
        ok(min, "[1.0, 1]", "1");
        assert_eq!(call(max, r#"[1, "2"]"#), Err(FnError::BadType));
        assert_eq!(call(min, "[null, 2]"), Err(FnError::BadType));
    }
}
