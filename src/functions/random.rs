//! `std::random`: random values.
//!
//! As in Tremor, the generator is seeded with the event's ingest time, so a run over
//! the same input (and a test case) gives the same values every time. Calls within one
//! event with the same arguments return the same value.

use super::{FnDecl, FnError, NativeFn, Registry};
use crate::event::FnCtx;
use crate::value::Value;
use rand::distributions::Alphanumeric;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::ops::RangeInclusive;

/// The longest string `random::string` builds.
const MAX_STRING: u64 = 1 << 24;

fn decl(
    name: &'static str,
    arity: RangeInclusive<usize>,
    doc: &'static str,
    f: NativeFn,
) -> FnDecl {
    // Random results cannot be JSON examples; the unit tests below check them.
    FnDecl {
        module: "random",
        name,
        arity,
        pure: false,
        doc,
        examples: &[],
        f,
    }
}

/// Registers `random::*`.
pub fn register(r: &mut Registry) {
    r.add(decl("bool", 0..=0, "A random boolean.", bool));
    r.add(decl(
        "string",
        1..=1,
        "A random string of `length` ASCII letters and digits.",
        string,
    ));
    r.add(decl(
        "integer",
        0..=2,
        "A random integer: any 64-bit signed integer with no arguments, in `[0, high)` with \
         one, in `[low, high)` with two.",
        integer,
    ));
    r.add(decl(
        "float",
        0..=2,
        "A random float: in `[0.0, 1.0)` with no arguments, in `[0.0, high)` with one, in \
         `[low, high)` with two.",
        float,
    ));
}

fn rng(ctx: &FnCtx) -> StdRng {
    StdRng::seed_from_u64(ctx.ingest_ns)
}

fn bool(ctx: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [] => Ok(Value::Bool(rng(ctx).gen())),
        _ => Err(FnError::BadType),
    }
}

fn string(ctx: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    let [len] = args else {
        return Err(FnError::BadType);
    };
    let Some(len) = len.as_u64() else {
        return match len {
            Value::I64(n) => Err(FnError::runtime(format!(
                "Invalid argument. Must be greater or equal to 0. Provided: {n}"
            ))),
            _ => Err(FnError::BadType),
        };
    };
    if len > MAX_STRING {
        return Err(FnError::runtime(format!(
            "Invalid argument. Must be at most {MAX_STRING}. Provided: {len}"
        )));
    }
    let s: String = rng(ctx)
        .sample_iter(&Alphanumeric)
        .take(len as usize)
        .map(char::from)
        .collect();
    Ok(Value::from(s))
}

fn integer(ctx: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    let int = |v: &Value| v.as_i64().ok_or(FnError::BadType);
    match args {
        [] => Ok(Value::I64(rng(ctx).gen())),
        [high] => {
            let high = int(high)?;
            if high <= 0 {
                return Err(FnError::runtime(format!(
                    "Invalid argument. Must be greater than 0. Provided: {high}"
                )));
            }
            Ok(Value::I64(rng(ctx).gen_range(0..high)))
        }
        [low, high] => {
            let (low, high) = (int(low)?, int(high)?);
            if low >= high {
                return Err(FnError::runtime(format!(
                    "Invalid arguments. First argument must be lower than second argument. \
                     Provided: {low}, {high}"
                )));
            }
            Ok(Value::I64(rng(ctx).gen_range(low..high)))
        }
        _ => Err(FnError::BadType),
    }
}

fn float(ctx: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    let num = |v: &Value| v.as_f64().ok_or(FnError::BadType);
    let (low, high) = match args {
        [] => return Ok(Value::F64(rng(ctx).gen())),
        [high] => (0.0, num(high)?),
        [low, high] => (num(low)?, num(high)?),
        _ => return Err(FnError::BadType),
    };
    // NaN bounds compare as `None` and are rejected too; infinite bounds cannot be sampled.
    let ordered = low.partial_cmp(&high) == Some(std::cmp::Ordering::Less);
    if !ordered || !low.is_finite() || !high.is_finite() {
        return Err(FnError::runtime(format!(
            "Invalid arguments. Need finite bounds with low < high. Provided: {low}, {high}"
        )));
    }
    Ok(Value::F64(rng(ctx).gen_range(low..high)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::array::tests::err;

    fn at(ns: u64, f: NativeFn, args: &[Value]) -> Result<Value, FnError> {
        let ctx = FnCtx {
            ingest_ns: ns,
            ..FnCtx::default()
        };
        let args: Vec<&Value> = args.iter().collect();
        f(&ctx, &args)
    }

    #[test]
    fn within_bounds_and_deterministic() {
        for ns in 0..200 {
            let i = at(ns, integer, &[Value::from(-3), Value::from(4)]).unwrap();
            let i = i.as_i64().unwrap();
            assert!((-3..4).contains(&i));
            let i = at(ns, integer, &[Value::from(5)])
                .unwrap()
                .as_i64()
                .unwrap();
            assert!((0..5).contains(&i));
            let f = at(ns, float, &[]).unwrap().as_f64().unwrap();
            assert!((0.0..1.0).contains(&f));
            let f = at(ns, float, &[Value::from(2), Value::from(2.5)]).unwrap();
            assert!((2.0..2.5).contains(&f.as_f64().unwrap()));
            let s = at(ns, string, &[Value::from(12)]).unwrap();
            let s = s.as_str().unwrap().to_string();
            assert_eq!(s.len(), 12);
            assert!(s.chars().all(|c| c.is_ascii_alphanumeric()));
        }
        let a = at(7, string, &[Value::from(16)]).unwrap();
        let b = at(7, string, &[Value::from(16)]).unwrap();
        assert_eq!(a.as_str(), b.as_str());
        // Different seeds give different values (over many draws at least one differs).
        let bools: Vec<_> = (0..64)
            .map(|ns| at(ns, bool, &[]).unwrap().as_bool())
            .collect();
        assert!(bools.contains(&Some(true)) && bools.contains(&Some(false)));
    }

    #[test]
    fn bad_arguments() {
        err(integer, "[0]", "greater than 0");
        err(integer, "[3, 3]", "lower than second");
        err(float, "[0]", "low < high");
        err(float, "[1, 0.5]", "low < high");
        err(string, "[-1]", "greater or equal to 0");
        err(string, "[100000000000]", "at most");
        assert_eq!(at(0, integer, &[Value::from("1")]), Err(FnError::BadType));
        assert_eq!(at(0, float, &[Value::Null]), Err(FnError::BadType));
        assert_eq!(at(0, string, &[Value::from(1.5)]), Err(FnError::BadType));
        assert_eq!(at(0, bool, &[Value::Null]), Err(FnError::BadType));
    }
}
