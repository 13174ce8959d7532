//! `std::size`: byte sizes in binary units (`size::MiB(2)` is 2 * 1024^2).

use super::{FnDecl, FnError, NativeFn, Registry};
use crate::event::FnCtx;
use crate::value::Value;

fn decl(
    name: &'static str,
    doc: &'static str,
    examples: &'static [(&'static str, &'static str)],
    f: NativeFn,
) -> FnDecl {
    FnDecl::pure("size", name, 1..=1, doc, examples, f)
}

/// Registers `size::*`.
pub fn register(r: &mut Registry) {
    r.add(decl(
        "kiB",
        "Bytes in `n` kibibytes (n * 1024).",
        &[("[1]", "1024"), ("[1.5]", "1536.0")],
        kib,
    ));
    r.add(decl(
        "MiB",
        "Bytes in `n` mebibytes (n * 1024^2).",
        &[("[2]", "2097152")],
        mib,
    ));
    r.add(decl(
        "GiB",
        "Bytes in `n` gibibytes (n * 1024^3).",
        &[("[1]", "1073741824")],
        gib,
    ));
    r.add(decl(
        "TiB",
        "Bytes in `n` tebibytes (n * 1024^4).",
        &[("[1]", "1099511627776")],
        tib,
    ));
    r.add(decl(
        "PiB",
        "Bytes in `n` pebibytes (n * 1024^5).",
        &[("[1]", "1125899906842624")],
        pib,
    ));
    r.add(decl(
        "EiB",
        "Bytes in `n` exbibytes (n * 1024^6); 8 or more overflow a signed integer.",
        &[
            ("[1]", "1152921504606846976"),
            ("[7]", "8070450532247928832"),
        ],
        eib,
    ));
}

/// `n * 1024^power`, integers staying integers and floats staying floats. Like the
/// language's `*`, integers multiply as signed 64-bit and overflow is an error; only an
/// unsigned input already past the signed range multiplies as unsigned.
fn scale(args: &[&Value], power: u32) -> Result<Value, FnError> {
    let factor: i64 = 1 << (10 * power);
    match args {
        [n @ (Value::I64(_) | Value::U64(_))] if n.as_i64().is_some() => n
            .as_i64()
            .and_then(|n| n.checked_mul(factor))
            .map(Value::I64)
            .ok_or_else(overflow),
        [Value::U64(n)] => n
            .checked_mul(factor as u64)
            .map(Value::U64)
            .ok_or_else(overflow),
        [Value::F64(f)] => Ok(Value::F64(f * factor as f64)),
        _ => Err(FnError::BadType),
    }
}

fn overflow() -> FnError {
    FnError::runtime("arithmetic overflow")
}

fn kib(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    scale(args, 1)
}

fn mib(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    scale(args, 2)
}

fn gib(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    scale(args, 3)
}

fn tib(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    scale(args, 4)
}

fn pib(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    scale(args, 5)
}

fn eib(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    scale(args, 6)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::array::tests::{call, err, ok};

    #[test]
    fn overflow_and_types() {
        err(eib, "[8]", "overflow");
        err(eib, "[-9]", "overflow");
        ok(eib, "[-8]", "-9223372036854775808");
        err(eib, "[15]", "overflow");
        err(eib, "[18446744073709551615]", "overflow");
        ok(kib, "[0]", "0");
        assert_eq!(call(kib, r#"["1"]"#), Err(FnError::BadType));
    }
}
