//! `test::*`: assertions and the `suite`/`test` markers of tremor-script unit tests.

use super::{FnDecl, FnError, NativeFn, Registry};
use crate::event::FnCtx;
use crate::value::{val_eq, Value};

fn assert(_: &FnCtx, a: &[&Value]) -> Result<Value, FnError> {
    let (desc, expected, got) = (a[0], a[1], a[2]);
    if val_eq(expected, got) {
        return Ok(Value::Bool(true));
    }
    let desc = desc.as_str().map_or_else(|| desc.encode(), str::to_string);
    Err(FnError::runtime(format!(
        "Assertion `{desc}` failed: expected {}, got {}",
        expected.encode(),
        got.encode()
    )))
}

/// `suite` and `test` mark a unit-test spec record; at run time they give it back unchanged.
fn spec(_: &FnCtx, a: &[&Value]) -> Result<Value, FnError> {
    match a[0] {
        v @ Value::Record(_) => Ok(v.clone()),
        _ => Err(FnError::BadType),
    }
}

const fn decl(
    name: &'static str,
    arity: usize,
    doc: &'static str,
    examples: &'static [(&'static str, &'static str)],
    f: NativeFn,
) -> FnDecl {
    FnDecl {
        module: "test",
        name,
        arity: arity..=arity,
        // An assertion's error must surface where it runs, so none is folded away.
        pure: false,
        doc,
        examples,
        f,
    }
}

/// Registers the `test` natives.
pub fn register(r: &mut Registry) {
    for d in [
        decl(
            "assert",
            3,
            "`assert(desc, expected, got)`: true when `got == expected`, else an error showing both.",
            &[(r#"["adds up", 2, 2]"#, "true"), (r#"["floats", 1, 1.0]"#, "true")],
            assert,
        ),
        decl(
            "suite",
            1,
            "Marks a test suite record `{\"name\": ..., \"tests\": [...]}`; returns it.",
            &[(r#"[{"name": "s", "tests": []}]"#, r#"{"name": "s", "tests": []}"#)],
            spec,
        ),
        decl(
            "test",
            1,
            "Marks a test record `{\"name\": ..., \"test\": ...}`; returns it.",
            &[(r#"[{"name": "t", "test": true}]"#, r#"{"name": "t", "test": true}"#)],
            spec,
        ),
    ] {
        r.add(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_assertion_shows_both_values() {
        let args = [&Value::from("sum"), &Value::I64(3), &Value::from("3")];
        match assert(&FnCtx::default(), &args) {
            Err(FnError::Runtime(m)) => {
                assert_eq!(m, "Assertion `sum` failed: expected 3, got \"3\"");
            }
            other => panic!("expected a runtime error, got {other:?}"),
        }
    }

    #[test]
    fn spec_needs_a_record() {
        assert_eq!(
            spec(&FnCtx::default(), &[&Value::I64(1)]),
            Err(FnError::BadType)
        );
    }
}
