//! `std::integer`: parsing integers. The `signed`/`unsigned` `MAX`/`MIN` constants are
//! tremor-script consts in `stdlib/std/integer/`.

use super::{FnDecl, FnError, Registry};
use crate::event::FnCtx;
use crate::value::Value;

/// Registers `integer::*`.
pub fn register(r: &mut Registry) {
    r.add(FnDecl {
        module: "integer",
        name: "parse",
        arity: 1..=1,
        pure: true,
        doc: "Parses a string of decimal digits, with an optional sign, as an integer.\n\
              Values above the signed 64-bit range parse as unsigned 64-bit integers.",
        examples: &[
            (r#"["42"]"#, "42"),
            (r#"["-7"]"#, "-7"),
            (r#"["18446744073709551615"]"#, "18446744073709551615"),
        ],
        f: parse,
    });
}

fn parse(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    let [Value::String(s)] = args else {
        return Err(FnError::BadType);
    };
    match s.parse::<i64>() {
        Ok(i) => Ok(Value::I64(i)),
        // Only a too-large positive number can still be an unsigned integer.
        Err(e) => s
            .parse::<u64>()
            .map(Value::U64)
            .map_err(|_| FnError::runtime(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::array::tests::{call, err};

    #[test]
    fn bad_input() {
        err(parse, r#"["12a"]"#, "invalid digit found in string");
        err(parse, r#"[""]"#, "cannot parse integer from empty string");
        err(parse, r#"["99999999999999999999"]"#, "number too large");
        err(parse, r#"["-99999999999999999999"]"#, "number too small");
        err(parse, r#"["1.0"]"#, "invalid digit");
        assert_eq!(call(parse, "[1]"), Err(FnError::BadType));
    }
}
