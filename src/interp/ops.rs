//! Unary and binary operators with the numeric rules of LANGUAGE.md §6.3:
//! u64 op u64 stays u64 (a negative result becomes i64), other integer mixes use
//! i64, a float makes the result f64; overflow is an error; `/` always gives a float.

use super::eval::{err, eval, Flow, R};
use super::{path, Env};
use crate::diag::Span;
use crate::ir::{BinOp, Expr, ExprKind, UnaryOp};
use crate::value::{val_eq, Value};
use std::cmp::Ordering;

/// Evaluates `l op r`, short-circuiting `and`/`or`.
pub(crate) fn eval_binary(op: BinOp, l: &Expr, r: &Expr, span: Span, env: &mut Env) -> R<Value> {
    // Each family in a function of its own: this frame is paid per nesting level.
    match op {
        BinOp::And | BinOp::Or => logical(op, l, r, span, env),
        BinOp::Eq | BinOp::NotEq | BinOp::Gt | BinOp::Gte | BinOp::Lt | BinOp::Lte => {
            comparison(op, l, r, span, env)
        }
        _ => arithmetic(op, l, r, span, env),
    }
}

#[inline(never)]
fn logical(op: BinOp, l: &Expr, r: &Expr, span: Span, env: &mut Env) -> R<Value> {
    let lv = eval(l, env)?;
    let Value::Bool(lb) = lv else {
        return Err(bool_err(op, &lv, None, span));
    };
    if (op == BinOp::And && !lb) || (op == BinOp::Or && lb) {
        return Ok(Value::Bool(lb));
    }
    match eval(r, env)? {
        Value::Bool(rb) => Ok(Value::Bool(rb)),
        other => Err(bool_err(op, &lv, Some(&other), span)),
    }
}

#[inline(never)]
fn comparison(op: BinOp, l: &Expr, r: &Expr, span: Span, env: &mut Env) -> R<Value> {
    // `event.x > 500`: compare the path's value where it lies, no copy.
    if let (ExprKind::Path(p), Some(c)) = (&l.kind, r.as_const()) {
        if let Some(v) = path::borrow(p, env) {
            return compare_values(op, v, c).map_err(|m| err(m, span));
        }
    }
    let lv = eval(l, env)?;
    let rv = eval(r, env)?;
    compare_values(op, &lv, &rv).map_err(|m| err(m, span))
}

#[inline(never)]
fn arithmetic(op: BinOp, l: &Expr, r: &Expr, span: Span, env: &mut Env) -> R<Value> {
    let lv = eval(l, env)?;
    let rv = eval(r, env)?;
    binary(op, lv, rv).map_err(|m| err(m, span))
}

/// `==`, `!=`, `<`, `<=`, `>`, `>=` on borrowed values.
fn compare_values(op: BinOp, l: &Value, r: &Value) -> Result<Value, String> {
    match op {
        BinOp::Eq => Ok(Value::Bool(val_eq(l, r))),
        BinOp::NotEq => Ok(Value::Bool(!val_eq(l, r))),
        _ => compare(op, l, r)
            .map(Value::Bool)
            .ok_or_else(|| not_defined(op, l, r)),
    }
}

fn bool_err(op: BinOp, l: &Value, r: Option<&Value>, span: Span) -> Flow {
    let rt = r.map_or("bool", Value::type_name);
    err(
        format!(
            "The binary operation `{}` is not defined for the type `{}` and `{rt}`",
            op.symbol(),
            l.type_name()
        ),
        span,
    )
}

fn not_defined(op: BinOp, l: &Value, r: &Value) -> String {
    format!(
        "The binary operation `{}` is not defined for the type `{}` and `{}`",
        op.symbol(),
        l.type_name(),
        r.type_name()
    )
}

fn overflow(op: BinOp) -> String {
    format!(
        "The binary operation `{}` caused an over- or underflow",
        op.symbol()
    )
}

/// `l op r` on values (no short-circuit; `and`/`or` evaluate both sides here).
pub(crate) fn binary(op: BinOp, l: Value, r: Value) -> Result<Value, String> {
    use BinOp::*;
    match op {
        Eq => Ok(Value::Bool(val_eq(&l, &r))),
        NotEq => Ok(Value::Bool(!val_eq(&l, &r))),
        Gt | Gte | Lt | Lte => compare(op, &l, &r)
            .map(Value::Bool)
            .ok_or_else(|| not_defined(op, &l, &r)),
        And | Or | Xor => match (&l, &r) {
            (Value::Bool(a), Value::Bool(b)) => Ok(Value::Bool(match op {
                And => *a && *b,
                Or => *a || *b,
                _ => a != b,
            })),
            _ => Err(not_defined(op, &l, &r)),
        },
        BitXor | BitAnd => match (&l, &r) {
            (Value::Bool(a), Value::Bool(b)) => {
                Ok(Value::Bool(if op == BitXor { a != b } else { *a && *b }))
            }
            (Value::U64(a), Value::U64(b)) => {
                Ok(Value::U64(if op == BitXor { a ^ b } else { a & b }))
            }
            _ => match (l.as_i64(), r.as_i64()) {
                (Some(a), Some(b)) if l.is_integer() && r.is_integer() => {
                    Ok(Value::I64(if op == BitXor { a ^ b } else { a & b }))
                }
                _ => Err(not_defined(op, &l, &r)),
            },
        },
        LBitShift | RBitShiftSigned | RBitShiftUnsigned => shift(op, &l, &r),
        Add => add(l, r),
        Sub | Mul | Div | Mod => arith(op, &l, &r),
    }
}

/// Ordering comparison: numbers, strings, bytes (vs bytes or strings).
pub(crate) fn compare(op: BinOp, l: &Value, r: &Value) -> Option<bool> {
    let ord = match (l, r) {
        (Value::String(a), Value::String(b)) => a.as_bytes().cmp(b.as_bytes()),
        (Value::Bytes(a), Value::Bytes(b)) => a[..].cmp(&b[..]),
        (Value::Bytes(a), Value::String(b)) => a[..].cmp(b.as_bytes()),
        (Value::String(a), Value::Bytes(b)) => a.as_bytes().cmp(&b[..]),
        (Value::U64(a), Value::U64(b)) => a.cmp(b),
        (Value::I64(_) | Value::U64(_), Value::I64(_) | Value::U64(_)) => {
            int128(l)?.cmp(&int128(r)?)
        }
        _ if l.is_number() && r.is_number() => l.as_f64()?.partial_cmp(&r.as_f64()?)?,
        _ => return None,
    };
    Some(match op {
        BinOp::Gt => ord == Ordering::Greater,
        BinOp::Gte => ord != Ordering::Less,
        BinOp::Lt => ord == Ordering::Less,
        _ => ord != Ordering::Greater,
    })
}

fn int128(v: &Value) -> Option<i128> {
    match v {
        Value::I64(i) => Some(i128::from(*i)),
        Value::U64(u) => Some(i128::from(*u)),
        _ => None,
    }
}

/// An integer result: u64 when both inputs were u64 and it is non-negative, else i64.
fn int_result(op: BinOp, both_unsigned: bool, x: i128) -> Result<Value, String> {
    if both_unsigned && x >= 0 {
        u64::try_from(x).map(Value::U64).map_err(|_| overflow(op))
    } else {
        i64::try_from(x).map(Value::I64).map_err(|_| overflow(op))
    }
}

fn add(l: Value, r: Value) -> Result<Value, String> {
    match (l, r) {
        (Value::String(mut a), Value::String(b)) => {
            a.push_str(&b);
            Ok(Value::String(a))
        }
        (Value::Array(mut a), Value::Array(b)) => {
            a.extend(b);
            Ok(Value::Array(a))
        }
        (Value::Record(mut a), Value::Record(b)) => {
            for (k, v) in *b {
                a.insert(k, v);
            }
            Ok(Value::Record(a))
        }
        (l, r) => arith(BinOp::Add, &l, &r),
    }
}

fn arith(op: BinOp, l: &Value, r: &Value) -> Result<Value, String> {
    if let (Some(a), Some(b)) = (int128(l), int128(r)) {
        let both_unsigned = matches!((l, r), (Value::U64(_), Value::U64(_)));
        // Mixed-sign integer arithmetic is done in i64 (Tremor's rule).
        let (a, b) = if both_unsigned {
            (a, b)
        } else {
            let ai = i64::try_from(a).map_err(|_| overflow(op))?;
            let bi = i64::try_from(b).map_err(|_| overflow(op))?;
            (i128::from(ai), i128::from(bi))
        };
        return match op {
            BinOp::Add => int_result(op, both_unsigned, a + b),
            BinOp::Sub => int_result(op, both_unsigned, a - b),
            BinOp::Mul => int_result(
                op,
                both_unsigned,
                a.checked_mul(b).ok_or_else(|| overflow(op))?,
            ),
            BinOp::Div if b == 0 => Err(division_by_zero(op)),
            BinOp::Div => Ok(Value::F64(a as f64 / b as f64)),
            BinOp::Mod if b == 0 => Err(division_by_zero(op)),
            BinOp::Mod => int_result(op, both_unsigned, a % b),
            _ => Err(not_defined(op, l, r)),
        };
    }
    match (l.as_f64(), r.as_f64()) {
        (Some(a), Some(b)) if l.is_number() && r.is_number() => match op {
            BinOp::Add => Ok(Value::F64(a + b)),
            BinOp::Sub => Ok(Value::F64(a - b)),
            BinOp::Mul => Ok(Value::F64(a * b)),
            BinOp::Div if b == 0.0 => Err(division_by_zero(op)),
            BinOp::Div => Ok(Value::F64(a / b)),
            _ => Err(not_defined(op, l, r)),
        },
        _ => Err(not_defined(op, l, r)),
    }
}

fn division_by_zero(op: BinOp) -> String {
    format!("Division by zero in binary operation `{}`", op.symbol())
}

fn shift(op: BinOp, l: &Value, r: &Value) -> Result<Value, String> {
    if !l.is_integer() || !r.is_integer() {
        return Err(not_defined(op, l, r));
    }
    let n = match r.as_i64() {
        Some(n) if (0..64).contains(&n) => n as u32,
        _ => {
            return Err(format!(
                "Invalid bitshift: the shift amount `{r}` must be between 0 and 63"
            ))
        }
    };
    match (op, l) {
        (BinOp::LBitShift, Value::U64(a)) => Ok(Value::U64(a << n)),
        (BinOp::LBitShift, _) => Ok(Value::I64(l.as_i64().unwrap_or(0) << n)),
        (BinOp::RBitShiftSigned, Value::U64(a)) => Ok(Value::U64(a >> n)),
        (BinOp::RBitShiftSigned, _) => Ok(Value::I64(l.as_i64().unwrap_or(0) >> n)),
        (_, Value::U64(a)) => Ok(Value::U64(a >> n)),
        _ => Ok(Value::I64(((l.as_i64().unwrap_or(0) as u64) >> n) as i64)),
    }
}

/// `-x`, `+x`, `not x`, `!x`.
pub(crate) fn unary(op: UnaryOp, v: Value) -> Result<Value, String> {
    let bad = |v: &Value, sym: &str| {
        format!(
            "The unary operation `{sym}` is not defined for the type `{}`",
            v.type_name()
        )
    };
    match (op, v) {
        (UnaryOp::Plus, v) if v.is_number() => Ok(v),
        (UnaryOp::Minus, Value::U64(u)) => i64::try_from(-i128::from(u))
            .map(Value::I64)
            .map_err(|_| "The unary operation `-` caused an over- or underflow".to_string()),
        (UnaryOp::Minus, Value::I64(i)) => i
            .checked_neg()
            .map(Value::I64)
            .ok_or_else(|| "The unary operation `-` caused an over- or underflow".to_string()),
        (UnaryOp::Minus, Value::F64(f)) => Ok(Value::F64(-f)),
        (UnaryOp::Not | UnaryOp::BitNot, Value::Bool(b)) => Ok(Value::Bool(!b)),
        (UnaryOp::BitNot, Value::U64(u)) => Ok(Value::U64(!u)),
        (UnaryOp::BitNot, Value::I64(i)) => Ok(Value::I64(!i)),
        (op, v) => Err(bad(
            &v,
            match op {
                UnaryOp::Plus => "+",
                UnaryOp::Minus => "-",
                UnaryOp::Not => "not",
                UnaryOp::BitNot => "!",
            },
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(op: BinOp, l: Value, r: Value) -> Result<Value, String> {
        binary(op, l, r)
    }

    #[test]
    fn unsigned_stays_unsigned_and_negative_becomes_signed() {
        assert!(matches!(
            b(BinOp::Add, 1u64.into(), 2u64.into()),
            Ok(Value::U64(3))
        ));
        assert!(matches!(
            b(BinOp::Sub, 1u64.into(), 2u64.into()),
            Ok(Value::I64(-1))
        ));
        assert!(matches!(
            b(BinOp::Add, 1i64.into(), 2u64.into()),
            Ok(Value::I64(3))
        ));
    }

    #[test]
    fn overflow_is_an_error() {
        let e = b(BinOp::Add, u64::MAX.into(), 1u64.into()).unwrap_err();
        assert_eq!(e, "The binary operation `+` caused an over- or underflow");
        assert!(b(BinOp::Mul, i64::MAX.into(), 2i64.into()).is_err());
    }

    #[test]
    fn division_is_float_and_modulo_is_int() {
        assert!(matches!(b(BinOp::Div, 4u64.into(), 2u64.into()), Ok(Value::F64(f)) if f == 2.0));
        assert!(matches!(
            b(BinOp::Mod, 5u64.into(), 3u64.into()),
            Ok(Value::U64(2))
        ));
        assert!(b(BinOp::Mod, 5.0.into(), 3u64.into()).is_err());
        assert!(b(BinOp::Div, 5u64.into(), 0u64.into())
            .unwrap_err()
            .contains("Division by zero"));
    }

    #[test]
    fn strings_arrays_and_records_add() {
        assert_eq!(
            b(BinOp::Add, "a".into(), "b".into()).unwrap(),
            Value::from("ab")
        );
        let e = b(BinOp::Add, 1u64.into(), "b".into()).unwrap_err();
        assert_eq!(
            e,
            "The binary operation `+` is not defined for the type `integer` and `string`"
        );
    }

    #[test]
    fn shifts_and_comparisons() {
        assert!(matches!(
            b(BinOp::LBitShift, 1u64.into(), 3u64.into()),
            Ok(Value::U64(8))
        ));
        assert!(b(BinOp::LBitShift, 1u64.into(), 64u64.into()).is_err());
        assert!(matches!(
            b(BinOp::RBitShiftUnsigned, (-1i64).into(), 60u64.into()),
            Ok(Value::I64(15))
        ));
        assert_eq!(compare(BinOp::Lt, &"a".into(), &"b".into()), Some(true));
        assert_eq!(compare(BinOp::Gte, &1u64.into(), &1.0.into()), Some(true));
        assert_eq!(compare(BinOp::Gt, &1u64.into(), &"x".into()), None);
    }

    #[test]
    fn unary_minus_of_min() {
        let v = unary(UnaryOp::Minus, Value::U64(9_223_372_036_854_775_808)).unwrap();
        assert!(matches!(v, Value::I64(i64::MIN)));
        assert!(unary(UnaryOp::Not, 1u64.into()).is_err());
    }
}
