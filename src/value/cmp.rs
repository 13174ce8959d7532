//! Equality as the language sees it, and as the test runner compares outputs.

use super::{json, Value};

/// Structural equality of the language (`==`): `1 == 1.0`, records by key set and
/// values, arrays element-wise, strings and bytes by their bytes.
pub fn val_eq(a: &Value, b: &Value) -> bool {
    use Value::*;
    match (a, b) {
        (Null, Null) => true,
        (Bool(x), Bool(y)) => x == y,
        (I64(x), I64(y)) => x == y,
        (U64(x), U64(y)) => x == y,
        (I64(x), U64(y)) | (U64(y), I64(x)) => u64::try_from(*x).is_ok_and(|x| x == *y),
        (F64(x), F64(y)) => x == y || (x - y).abs() < f64::EPSILON,
        (F64(f), I64(_) | U64(_)) | (I64(_) | U64(_), F64(f)) => {
            let i = a.as_f64().filter(|_| !matches!(a, F64(_))).or(b.as_f64());
            i.is_some_and(|i| (i - f).abs() < f64::EPSILON)
        }
        (String(x), String(y)) => x == y,
        (Bytes(x), Bytes(y)) => x == y,
        (String(x), Bytes(y)) | (Bytes(y), String(x)) => x.as_bytes() == &y[..],
        (Array(x), Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| val_eq(x, y)),
        (Record(x), Record(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| val_eq(v, w)))
        }
        _ => false,
    }
}

/// Equality for comparing test output: like JSON documents, with ints and floats
/// distinct (`10` ≠ `10.0`), record key order ignored, floats within relative 1e-9.
pub fn test_eq(a: &Value, b: &Value) -> bool {
    use Value::*;
    match (a, b) {
        (I64(_) | U64(_), I64(_) | U64(_)) => val_eq(a, b),
        (F64(x), F64(y)) => {
            x == y || (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-9 * x.abs().max(y.abs())
        }
        // A float that is not finite is written as `null` (JSON has no NaN), so an
        // expectation read back from a blessed file holds `null` for it.
        (F64(x), Null) | (Null, F64(x)) => !x.is_finite(),
        (F64(_), _) | (_, F64(_)) => false,
        (Array(x), Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| test_eq(x, y)),
        (Record(x), Record(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| test_eq(v, w)))
        }
        _ => val_eq(a, b),
    }
}

/// Compact JSON with record keys sorted (Tremor's `sorted_serialize`, used for group keys).
pub fn sorted_serialize(v: &Value) -> String {
    let mut out = Vec::new();
    write_sorted(v, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Appends what [`sorted_serialize`] returns to `out`.
pub fn sorted_serialize_into(v: &Value, out: &mut Vec<u8>) {
    write_sorted(v, out)
}

fn write_sorted(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Array(a) => {
            out.push(b'[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_sorted(e, out);
            }
            out.push(b']');
        }
        Value::Record(r) => {
            let mut entries: Vec<_> = r.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (k, e)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                json::write_str(k, out);
                out.push(b':');
                write_sorted(e, out);
            }
            out.push(b'}');
        }
        other => json::write(other, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::parse_json;

    #[test]
    fn language_equality_mixes_ints_and_floats() {
        assert!(val_eq(&Value::U64(1), &Value::F64(1.0)));
        assert!(val_eq(&Value::I64(1), &Value::U64(1)));
        assert!(!val_eq(&Value::I64(-1), &Value::U64(1)));
    }

    #[test]
    fn test_equality_keeps_ints_and_floats_apart() {
        assert!(!test_eq(&Value::U64(10), &Value::F64(10.0)));
        let a = parse_json(r#"{"a":1,"b":2.0}"#).unwrap();
        let b = parse_json(r#"{"b":2.0000000000001,"a":1}"#).unwrap();
        assert!(test_eq(&a, &b));
    }

    #[test]
    fn test_equality_reads_non_finite_floats_as_their_json_null() {
        assert!(test_eq(&Value::F64(f64::NAN), &Value::Null));
        assert!(test_eq(&Value::Null, &Value::F64(f64::INFINITY)));
        assert!(!test_eq(&Value::F64(0.0), &Value::Null));
        let written = parse_json(&Value::from(vec![Value::F64(f64::NAN)]).encode()).unwrap();
        assert!(test_eq(&Value::from(vec![Value::F64(f64::NAN)]), &written));
    }

    #[test]
    fn sorted() {
        let a = parse_json(r#"{"b":1,"a":[{"d":1,"c":2}]}"#).unwrap();
        assert_eq!(sorted_serialize(&a), r#"{"a":[{"c":2,"d":1}],"b":1}"#);
    }
}
