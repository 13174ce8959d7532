//! `std::json`: values to JSON text and back.

use super::{FnDecl, FnError, NativeFn, Registry};
use crate::event::FnCtx;
use crate::value::{parse_json, parse_json_bytes, Value};

fn decl(
    name: &'static str,
    doc: &'static str,
    examples: &'static [(&'static str, &'static str)],
    f: NativeFn,
) -> FnDecl {
    FnDecl::pure("json", name, 1..=1, doc, examples, f)
}

/// Registers `json::*`.
pub fn register(r: &mut Registry) {
    r.add(decl(
        "decode",
        "Parses a JSON document (a string, or bytes) into a value.",
        &[
            (r#"["{\"a\":[1,2.5,null]}"]"#, r#"{"a":[1,2.5,null]}"#),
            (r#"["\"snot\""]"#, r#""snot""#),
        ],
        decode,
    ));
    r.add(decl(
        "encode",
        "The value as compact JSON text.",
        &[
            (r#"[{"a":[1,2.0,"x"]}]"#, r#""{\"a\":[1,2.0,\"x\"]}""#),
            (r#"["snot"]"#, r#""\"snot\"""#),
        ],
        encode,
    ));
    r.add(decl(
        "encode_pretty",
        "The value as indented JSON text, for people.",
        &[("[1]", r#""1""#), ("[[]]", r#""[]""#)],
        encode_pretty,
    ));
}

fn decode(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    let parsed = match args {
        [Value::String(s)] => parse_json(s),
        [Value::Bytes(b)] => parse_json_bytes(&mut b.to_vec()),
        _ => return Err(FnError::BadType),
    };
    parsed.map_err(|e| FnError::runtime(e.to_string()))
}

fn encode(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [v] => Ok(Value::from(v.encode())),
        _ => Err(FnError::BadType),
    }
}

fn encode_pretty(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [v] => Ok(Value::from(v.encode_pretty())),
        _ => Err(FnError::BadType),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::array::tests::{call, ok};

    #[test]
    fn decode_errors_and_bytes() {
        assert!(matches!(call(decode, r#"["{"]"#), Err(FnError::Runtime(_))));
        assert!(matches!(call(decode, r#"[""]"#), Err(FnError::Runtime(_))));
        assert_eq!(call(decode, "[1]"), Err(FnError::BadType));
        let b = Value::Bytes(b"[1,true]".to_vec().into());
        let got = decode(&FnCtx::default(), &[&b]).unwrap();
        assert_eq!(got.encode(), "[1,true]");
    }

    #[test]
    fn pretty_round_trips() {
        let got = call(encode_pretty, r#"[{"a":[1,{"b":null}]}]"#).unwrap();
        let text = got.as_str().unwrap();
        assert!(text.contains('\n'), "{text}");
        let back = parse_json(text).unwrap();
        assert_eq!(back.encode(), r#"{"a":[1,{"b":null}]}"#);
        ok(encode, r#"["a\"b"]"#, r#""\"a\\\"b\"""#);
    }
}
