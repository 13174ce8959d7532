//! `std::float`: parsing floats and classifying them.

use super::{FnDecl, FnError, NativeFn, Registry};
use crate::event::FnCtx;
use crate::value::Value;

fn decl(
    name: &'static str,
    doc: &'static str,
    examples: &'static [(&'static str, &'static str)],
    f: NativeFn,
) -> FnDecl {
    FnDecl::pure("float", name, 1..=1, doc, examples, f)
}

/// Registers `float::*`.
pub fn register(r: &mut Registry) {
    r.add(decl(
        "parse",
        "Parses a string as a float (`1.5`, `-2`, `1e3`, `inf`, `NaN`).",
        &[
            (r#"["1.5"]"#, "1.5"),
            (r#"["-2"]"#, "-2.0"),
            (r#"["1e3"]"#, "1000.0"),
        ],
        parse,
    ));
    r.add(decl(
        "is_finite",
        "Whether the number is neither infinite nor NaN; integers always are.",
        &[("[1.5]", "true"), ("[1]", "true")],
        is_finite,
    ));
    r.add(decl(
        "is_nan",
        "Whether the number is NaN (not a number); integers never are.",
        &[("[1.5]", "false"), ("[1]", "false")],
        is_nan,
    ));
    r.add(decl(
        "is_infinite",
        "Whether the number is positive or negative infinity; integers never are.",
        &[("[1.5]", "false"), ("[1]", "false")],
        is_infinite,
    ));
}

fn parse(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    let [Value::String(s)] = args else {
        return Err(FnError::BadType);
    };
    s.parse::<f64>()
        .map(Value::F64)
        .map_err(|e| FnError::runtime(e.to_string()))
}

/// Applies the test to a numeric argument.
fn classify(args: &[&Value], f: fn(f64) -> bool) -> Result<Value, FnError> {
    match args {
        [v] => v
            .as_f64()
            .map(|x| Value::Bool(f(x)))
            .ok_or(FnError::BadType),
        _ => Err(FnError::BadType),
    }
}

fn is_finite(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    classify(args, f64::is_finite)
}

fn is_nan(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    classify(args, f64::is_nan)
}

fn is_infinite(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    classify(args, f64::is_infinite)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::array::tests::{call, err};

    #[test]
    fn parse_errors_and_specials() {
        err(parse, r#"["snot"]"#, "invalid float literal");
        err(parse, r#"[""]"#, "cannot parse float from empty string");
        assert_eq!(call(parse, "[1.0]"), Err(FnError::BadType));
        let ctx = FnCtx::default();
        let inf = call(parse, r#"["-inf"]"#).unwrap();
        assert_eq!(is_infinite(&ctx, &[&inf]).unwrap().as_bool(), Some(true));
        assert_eq!(is_finite(&ctx, &[&inf]).unwrap().as_bool(), Some(false));
        let nan = call(parse, r#"["NaN"]"#).unwrap();
        assert_eq!(is_nan(&ctx, &[&nan]).unwrap().as_bool(), Some(true));
        assert_eq!(is_finite(&ctx, &[&nan]).unwrap().as_bool(), Some(false));
        assert_eq!(call(is_nan, r#"["1"]"#), Err(FnError::BadType));
    }
}
