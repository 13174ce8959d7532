//! `std::type`: the type of a value, as a name or as a test.

use super::{FnDecl, FnError, NativeFn, Registry};
use crate::event::FnCtx;
use crate::value::Value;

fn decl(
    name: &'static str,
    doc: &'static str,
    examples: &'static [(&'static str, &'static str)],
    f: NativeFn,
) -> FnDecl {
    FnDecl::pure("type", name, 1..=1, doc, examples, f)
}

/// Registers `type::*`.
pub fn register(r: &mut Registry) {
    r.add(decl(
        "as_string",
        "The name of a value's type: `null`, `bool`, `integer`, `float`, `string`, `array`, \
         `record` or `bytes`.",
        &[
            ("[1]", r#""integer""#),
            ("[1.5]", r#""float""#),
            (r#"[{"a":1}]"#, r#""record""#),
            ("[null]", r#""null""#),
        ],
        as_string,
    ));
    r.add(decl(
        "is_null",
        "Whether the value is `null`.",
        &[("[null]", "true"), ("[0]", "false")],
        is_null,
    ));
    r.add(decl(
        "is_bool",
        "Whether the value is a boolean.",
        &[("[false]", "true"), ("[0]", "false")],
        is_bool,
    ));
    r.add(decl(
        "is_integer",
        "Whether the value is an integer.",
        &[("[1]", "true"), ("[1.0]", "false")],
        is_integer,
    ));
    r.add(decl(
        "is_float",
        "Whether the value is a float.",
        &[("[1.0]", "true"), ("[1]", "false")],
        is_float,
    ));
    r.add(decl(
        "is_number",
        "Whether the value is an integer or a float.",
        &[("[1]", "true"), ("[1.5]", "true"), (r#"["1"]"#, "false")],
        is_number,
    ));
    r.add(decl(
        "is_string",
        "Whether the value is a string.",
        &[(r#"["a"]"#, "true"), ("[[]]", "false")],
        is_string,
    ));
    r.add(decl(
        "is_array",
        "Whether the value is an array.",
        &[("[[1]]", "true"), ("[{}]", "false")],
        is_array,
    ));
    r.add(decl(
        "is_record",
        "Whether the value is a record.",
        &[("[{}]", "true"), ("[[]]", "false")],
        is_record,
    ));
    r.add(decl(
        "is_binary",
        "Whether the value is binary (bytes).",
        &[(r#"["a"]"#, "false"), ("[[1]]", "false")],
        is_binary,
    ));
}

/// Applies the test to the only argument.
fn test(args: &[&Value], f: impl FnOnce(&Value) -> bool) -> Result<Value, FnError> {
    match args {
        [v] => Ok(Value::Bool(f(v))),
        _ => Err(FnError::BadType),
    }
}

fn as_string(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [v] => Ok(Value::from(v.type_name())),
        _ => Err(FnError::BadType),
    }
}

fn is_null(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    test(args, Value::is_null)
}

fn is_bool(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    test(args, |v| matches!(v, Value::Bool(_)))
}

fn is_integer(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    test(args, Value::is_integer)
}

fn is_float(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    test(args, |v| matches!(v, Value::F64(_)))
}

fn is_number(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    test(args, Value::is_number)
}

fn is_string(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    test(args, |v| matches!(v, Value::String(_)))
}

fn is_array(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    test(args, |v| matches!(v, Value::Array(_)))
}

fn is_record(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    test(args, |v| matches!(v, Value::Record(_)))
}

fn is_binary(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    test(args, |v| matches!(v, Value::Bytes(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_binary() {
        let b = Value::Bytes(vec![1, 2].into());
        let ctx = FnCtx::default();
        assert_eq!(is_binary(&ctx, &[&b]).unwrap().as_bool(), Some(true));
        assert_eq!(is_array(&ctx, &[&b]).unwrap().as_bool(), Some(false));
        assert_eq!(as_string(&ctx, &[&b]).unwrap().as_str(), Some("bytes"));
        let u = Value::U64(u64::MAX);
        assert_eq!(as_string(&ctx, &[&u]).unwrap().as_str(), Some("integer"));
        assert_eq!(is_integer(&ctx, &[&u]).unwrap().as_bool(), Some(true));
        assert_eq!(as_string(&ctx, &[]), Err(FnError::BadType));
    }
}
