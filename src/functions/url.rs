//! `std::url`: percent-encoding of URL components.

use super::{FnDecl, FnError, Registry};
use crate::event::FnCtx;
use crate::value::Value;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but the RFC 3986 unreserved characters is encoded (as the `urlencoding`
/// crate Tremor used does).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Registers `url::*`.
pub fn register(r: &mut Registry) {
    r.add(FnDecl {
        module: "url",
        name: "encode",
        arity: 1..=1,
        pure: true,
        doc: "Percent-encodes a string for use in a URL; only `A-Z a-z 0-9 - _ . ~` stay as they are.",
        examples: &[
            (r#"["snot badger/ä?"]"#, r#""snot%20badger%2F%C3%A4%3F""#),
            (r#"["a-b_c.d~e"]"#, r#""a-b_c.d~e""#),
        ],
        f: encode,
    });
    r.add(FnDecl {
        module: "url",
        name: "decode",
        arity: 1..=1,
        pure: true,
        doc: "Decodes `%XX` escapes in a string; `+` stays a `+`. The result must be UTF-8.",
        examples: &[
            (r#"["snot%20badger%2F%C3%A4%3F"]"#, r#""snot badger/ä?""#),
            (r#"["a+b"]"#, r#""a+b""#),
        ],
        f: decode,
    });
}

fn encode(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [Value::String(s)] => Ok(Value::from(utf8_percent_encode(s, COMPONENT).to_string())),
        _ => Err(FnError::BadType),
    }
}

fn decode(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    let [Value::String(s)] = args else {
        return Err(FnError::BadType);
    };
    percent_decode_str(s)
        .decode_utf8()
        .map(|s| Value::from(s.as_ref()))
        .map_err(|e| FnError::runtime(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::array::tests::{call, err, ok};

    #[test]
    fn edges() {
        // A malformed escape is kept as it is.
        ok(decode, r#"["100%"]"#, r#""100%""#);
        ok(decode, r#"["%zz"]"#, r#""%zz""#);
        err(decode, r#"["%FF"]"#, "invalid utf-8");
        assert_eq!(call(encode, "[1]"), Err(FnError::BadType));
        assert_eq!(call(decode, "[null]"), Err(FnError::BadType));
    }
}
