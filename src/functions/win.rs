//! `win::cardinality`: how many groups the select being evaluated holds.

use super::{FnDecl, FnError, Registry};
use crate::event::FnCtx;
use crate::value::Value;

fn cardinality(ctx: &FnCtx, _: &[&Value]) -> Result<Value, FnError> {
    Ok(Value::from(ctx.cardinality))
}

/// Registers `win::cardinality`.
pub fn register(r: &mut Registry) {
    r.add(FnDecl {
        module: "win",
        name: "cardinality",
        arity: 0..=0,
        pure: false,
        doc: "The number of live groups of the windowed select being evaluated (0 elsewhere).",
        examples: &[("[]", "0")],
        f: cardinality,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_context() {
        let ctx = FnCtx {
            cardinality: 5,
            ..FnCtx::default()
        };
        assert_eq!(cardinality(&ctx, &[]).unwrap().as_u64(), Some(5));
    }
}
