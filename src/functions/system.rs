//! `system::*`: facts about the running process and the current event's ingest time.

use super::{FnDecl, FnError, NativeFn, Registry};
use crate::event::FnCtx;
use crate::value::Value;

fn hostname(_: &FnCtx, _: &[&Value]) -> Result<Value, FnError> {
    // A host name that is not UTF-8 is shown lossily rather than failing every call.
    let name = crate::sys::hostname().map_err(|e| FnError::runtime(e.to_string()))?;
    Ok(Value::from(name))
}

fn ingest_ns(ctx: &FnCtx, _: &[&Value]) -> Result<Value, FnError> {
    Ok(Value::U64(ctx.ingest_ns))
}

fn instance(_: &FnCtx, _: &[&Value]) -> Result<Value, FnError> {
    Ok(Value::from("tremor"))
}

fn nanotime(_: &FnCtx, _: &[&Value]) -> Result<Value, FnError> {
    let ns = crate::sys::wall_ns().ok_or_else(|| FnError::runtime("clock out of range"))?;
    u64::try_from(ns)
        .map(Value::U64)
        .map_err(|_| FnError::runtime("clock before 1970"))
}

fn version(_: &FnCtx, _: &[&Value]) -> Result<Value, FnError> {
    Ok(Value::from(env!("CARGO_PKG_VERSION")))
}

/// A `system::` function taking no arguments.
const fn decl(
    name: &'static str,
    doc: &'static str,
    examples: &'static [(&'static str, &'static str)],
    f: NativeFn,
) -> FnDecl {
    FnDecl {
        module: "system",
        name,
        arity: 0..=0,
        // All read the context or the outside world, so none may be folded.
        pure: false,
        doc,
        examples,
        f,
    }
}

/// Registers the `system` natives.
pub fn register(r: &mut Registry) {
    for d in [
        decl("hostname", "The name of the host this runs on.", &[], hostname),
        decl(
            "ingest_ns",
            "The current event's ingest time in ns (its index in `trickle test` and `--clock index`).",
            &[("[]", "0")],
            ingest_ns,
        ),
        decl("instance", "The instance name: always `\"tremor\"`.", &[("[]", r#""tremor""#)], instance),
        decl("nanotime", "The wall clock, in ns since the Unix epoch.", &[], nanotime),
        decl(
            "version",
            "The version of trickle.",
            &[("[]", concat!("\"", env!("CARGO_PKG_VERSION"), "\""))],
            version,
        ),
    ] {
        r.add(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ingest_ns_reads_the_context() {
        let ctx = FnCtx {
            ingest_ns: 42,
            ..FnCtx::default()
        };
        assert_eq!(ingest_ns(&ctx, &[]).unwrap().as_u64(), Some(42));
    }

    #[test]
    fn nanotime_moves_forward() {
        let ctx = FnCtx::default();
        let a = nanotime(&ctx, &[]).unwrap().as_u64().unwrap();
        let b = nanotime(&ctx, &[]).unwrap().as_u64().unwrap();
        // After 2020-01-01 and monotone enough for two back-to-back calls.
        assert!(a > 1_577_836_800_000_000_000 && b >= a);
    }

    #[test]
    fn hostname_is_a_non_empty_string() {
        let h = hostname(&FnCtx::default(), &[]).unwrap();
        assert!(h.as_str().is_some_and(|s| !s.is_empty()));
    }
}
