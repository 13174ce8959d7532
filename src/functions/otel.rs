//! `otel::*`: OpenTelemetry span and trace ids for the `cncf::otel` modules.
//!
//! Ids are random and non-zero (an all-zero id is invalid in OpenTelemetry), in three
//! shapes: lowercase hex strings, bytes, and arrays of byte values.

use super::{FnDecl, FnError, NativeFn, Registry};
use crate::event::FnCtx;
use crate::value::Value;
use rand::RngCore;

/// `N` random bytes, not all zero.
fn random_id<const N: usize>() -> [u8; N] {
    let mut id = [0u8; N];
    let mut rng = rand::thread_rng();
    while id.iter().all(|b| *b == 0) {
        rng.fill_bytes(&mut id);
    }
    id
}

fn hex(bytes: &[u8]) -> Value {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    Value::from(s)
}

fn array(bytes: &[u8]) -> Value {
    Value::Array(bytes.iter().map(|b| Value::U64(u64::from(*b))).collect())
}

/// Whether `v` is a well-formed id of `n` bytes in any of the three shapes.
fn valid_id(v: &Value, n: usize) -> Result<bool, FnError> {
    let bytes: Vec<u8> = match v {
        Value::String(s) => {
            if s.len() != n * 2 || !s.bytes().all(|c| c.is_ascii_hexdigit()) {
                return Ok(false);
            }
            (0..n)
                .filter_map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok())
                .collect()
        }
        Value::Bytes(b) => b.to_vec(),
        Value::Array(a) => {
            let bytes: Option<Vec<u8>> = a
                .iter()
                .map(|e| e.as_u64().and_then(|u| u8::try_from(u).ok()))
                .collect();
            match bytes {
                Some(b) => b,
                None => return Ok(false),
            }
        }
        _ => return Err(FnError::BadType),
    };
    Ok(bytes.len() == n && bytes.iter().any(|b| *b != 0))
}

macro_rules! gen {
    ($name:ident, $n:expr, $shape:ident) => {
        fn $name(_: &FnCtx, _: &[&Value]) -> Result<Value, FnError> {
            Ok($shape(&random_id::<$n>()))
        }
    };
}
gen!(gen_span_id_string, 8, hex);
gen!(gen_span_id_bytes, 8, bytes_value);
gen!(gen_span_id_array, 8, array);
gen!(gen_trace_id_string, 16, hex);
gen!(gen_trace_id_bytes, 16, bytes_value);
gen!(gen_trace_id_array, 16, array);

fn bytes_value(bytes: &[u8]) -> Value {
    Value::from(bytes.to_vec())
}

fn is_valid_span_id(_: &FnCtx, a: &[&Value]) -> Result<Value, FnError> {
    valid_id(a[0], 8).map(Value::Bool)
}

fn is_valid_trace_id(_: &FnCtx, a: &[&Value]) -> Result<Value, FnError> {
    valid_id(a[0], 16).map(Value::Bool)
}

const fn decl(
    name: &'static str,
    arity: usize,
    pure: bool,
    doc: &'static str,
    examples: &'static [(&'static str, &'static str)],
    f: NativeFn,
) -> FnDecl {
    FnDecl {
        module: "otel",
        name,
        arity: arity..=arity,
        pure,
        doc,
        examples,
        f,
    }
}

/// Registers the `otel` natives.
pub fn register(r: &mut Registry) {
    for d in [
        decl(
            "gen_span_id_string",
            0,
            false,
            "A random span id as 16 hex digits.",
            &[],
            gen_span_id_string,
        ),
        decl(
            "gen_span_id_bytes",
            0,
            false,
            "A random span id as 8 bytes.",
            &[],
            gen_span_id_bytes,
        ),
        decl(
            "gen_span_id_array",
            0,
            false,
            "A random span id as an array of 8 byte values.",
            &[],
            gen_span_id_array,
        ),
        decl(
            "gen_trace_id_string",
            0,
            false,
            "A random trace id as 32 hex digits.",
            &[],
            gen_trace_id_string,
        ),
        decl(
            "gen_trace_id_bytes",
            0,
            false,
            "A random trace id as 16 bytes.",
            &[],
            gen_trace_id_bytes,
        ),
        decl(
            "gen_trace_id_array",
            0,
            false,
            "A random trace id as an array of 16 byte values.",
            &[],
            gen_trace_id_array,
        ),
        decl(
            "is_valid_span_id",
            1,
            true,
            "Whether a value is a non-zero 8-byte span id (hex string, bytes or byte array).",
            &[
                (r#"["0102030405060708"]"#, "true"),
                (r#"["0000000000000000"]"#, "false"),
                (r#"[[1, 2]]"#, "false"),
            ],
            is_valid_span_id,
        ),
        decl(
            "is_valid_trace_id",
            1,
            true,
            "Whether a value is a non-zero 16-byte trace id (hex string, bytes or byte array).",
            &[
                (r#"["0102030405060708090a0b0c0d0e0f10"]"#, "true"),
                (r#"["xyz"]"#, "false"),
            ],
            is_valid_trace_id,
        ),
    ] {
        r.add(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_valid_in_every_shape() {
        let ctx = FnCtx::default();
        for f in [gen_span_id_string, gen_span_id_bytes, gen_span_id_array] {
            let id = f(&ctx, &[]).unwrap();
            assert_eq!(
                is_valid_span_id(&ctx, &[&id]).unwrap().as_bool(),
                Some(true),
                "{id}"
            );
            assert_eq!(
                is_valid_trace_id(&ctx, &[&id]).unwrap().as_bool(),
                Some(false)
            );
        }
        for f in [gen_trace_id_string, gen_trace_id_bytes, gen_trace_id_array] {
            let id = f(&ctx, &[]).unwrap();
            assert_eq!(
                is_valid_trace_id(&ctx, &[&id]).unwrap().as_bool(),
                Some(true),
                "{id}"
            );
        }
    }

    #[test]
    fn ids_differ_between_calls() {
        let ctx = FnCtx::default();
        let a = gen_trace_id_string(&ctx, &[]).unwrap();
        let b = gen_trace_id_string(&ctx, &[]).unwrap();
        assert_ne!(a.as_str(), b.as_str());
        assert_eq!(a.as_str().map(str::len), Some(32));
    }

    #[test]
    fn bad_shapes_are_invalid_not_errors() {
        let ctx = FnCtx::default();
        let big = Value::Array(vec![Value::I64(256); 8]);
        assert_eq!(
            is_valid_span_id(&ctx, &[&big]).unwrap().as_bool(),
            Some(false)
        );
        assert_eq!(
            is_valid_span_id(&ctx, &[&Value::I64(1)]),
            Err(FnError::BadType)
        );
    }
}
