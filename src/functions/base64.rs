//! `std::base64`: standard base64 (with padding) to and from bytes.

use super::{FnDecl, FnError, Registry};
use crate::event::FnCtx;
use crate::value::Value;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// Registers `base64::*`.
pub fn register(r: &mut Registry) {
    r.add(FnDecl {
        module: "base64",
        name: "encode",
        arity: 1..=1,
        pure: true,
        doc: "Encodes bytes, or a string's UTF-8 bytes, as base64 text.",
        examples: &[(r#"["snot"]"#, r#""c25vdA==""#), (r#"[""]"#, r#""""#)],
        f: encode,
    });
    r.add(FnDecl {
        module: "base64",
        name: "decode",
        arity: 1..=1,
        pure: true,
        doc: "Decodes base64 text into bytes.",
        examples: &[],
        f: decode,
    });
}

fn encode(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [Value::Bytes(b)] => Ok(Value::from(STANDARD.encode(b))),
        [Value::String(s)] => Ok(Value::from(STANDARD.encode(s.as_bytes()))),
        _ => Err(FnError::BadType),
    }
}

fn decode(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    let [Value::String(s)] = args else {
        return Err(FnError::BadType);
    };
    STANDARD
        .decode(s.as_bytes())
        .map(Value::from)
        .map_err(|e| FnError::runtime(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::array::tests::{call, err};

    #[test]
    fn round_trip_bytes() {
        let ctx = FnCtx::default();
        let b = Value::Bytes(vec![0, 255, 10].into());
        let text = encode(&ctx, &[&b]).unwrap();
        assert_eq!(text.as_str(), Some("AP8K"));
        let back = decode(&ctx, &[&text]).unwrap();
        assert_eq!(back.as_bytes(), Some(&[0u8, 255, 10][..]));
        let s = call(decode, r#"["c25vdA=="]"#).unwrap();
        assert_eq!(s.as_bytes(), Some(&b"snot"[..]));
    }

    #[test]
    fn bad_input() {
        err(decode, r#"["c25vdA="]"#, "");
        err(decode, r#"["!!!!"]"#, "Invalid");
        assert_eq!(call(decode, "[[1]]"), Err(FnError::BadType));
        assert_eq!(call(encode, "[1]"), Err(FnError::BadType));
    }
}
