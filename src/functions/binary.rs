//! `std::binary`: bytes values, their length and their conversion to arrays of integers.

use super::array::count;
use super::{FnDecl, FnError, NativeFn, Registry};
use crate::event::FnCtx;
use crate::value::Value;

fn decl(
    name: &'static str,
    doc: &'static str,
    examples: &'static [(&'static str, &'static str)],
    f: NativeFn,
) -> FnDecl {
    FnDecl::pure("binary", name, 1..=1, doc, examples, f)
}

/// Registers `binary::*`.
pub fn register(r: &mut Registry) {
    // Bytes are not JSON, so only `into_bytes` of `from_bytes` can be a JSON example.
    r.add(decl("len", "Number of bytes in a binary.", &[], len));
    r.add(decl(
        "from_bytes",
        "Builds a binary from an array of integers, each between 0 and 255.",
        &[],
        from_bytes,
    ));
    r.add(decl(
        "into_bytes",
        "The bytes of a binary as an array of integers.",
        &[],
        into_bytes,
    ));
}

fn len(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [Value::Bytes(b)] => Ok(count(b.len())),
        _ => Err(FnError::BadType),
    }
}

fn from_bytes(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    let [Value::Array(a)] = args else {
        return Err(FnError::BadType);
    };
    a.iter()
        .map(|v| v.as_u64().and_then(|u| u8::try_from(u).ok()))
        .collect::<Option<Vec<u8>>>()
        .map(Value::from)
        .ok_or(FnError::BadType)
}

fn into_bytes(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [Value::Bytes(b)] => Ok(Value::Array(
            b.iter().map(|&x| Value::I64(i64::from(x))).collect(),
        )),
        _ => Err(FnError::BadType),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::array::tests::call;

    #[test]
    fn round_trip() {
        let ctx = FnCtx::default();
        let b = call(from_bytes, "[[0, 1, 255]]").unwrap();
        assert_eq!(b.as_bytes(), Some(&[0u8, 1, 255][..]));
        assert_eq!(len(&ctx, &[&b]).unwrap().as_u64(), Some(3));
        assert_eq!(into_bytes(&ctx, &[&b]).unwrap().encode(), "[0,1,255]");
        let empty = call(from_bytes, "[[]]").unwrap();
        assert_eq!(empty.as_bytes(), Some(&[][..]));
    }

    #[test]
    fn bad_input() {
        assert_eq!(call(from_bytes, "[[256]]"), Err(FnError::BadType));
        assert_eq!(call(from_bytes, "[[-1]]"), Err(FnError::BadType));
        assert_eq!(call(from_bytes, "[[1.0]]"), Err(FnError::BadType));
        assert_eq!(call(from_bytes, r#"["ab"]"#), Err(FnError::BadType));
        assert_eq!(call(len, r#"["ab"]"#), Err(FnError::BadType));
        assert_eq!(call(into_bytes, "[[1]]"), Err(FnError::BadType));
    }
}
