//! `origin::*`: the URI the current event came from (`snot://test:23/snot` in script tests).

use super::{FnDecl, FnError, NativeFn, Registry};
use crate::event::{FnCtx, Origin};
use crate::value::Value;

/// Tremor's rendering: `scheme://host[:port][/path/segments]`.
fn uri_string(o: &Origin) -> String {
    let mut s = format!("{}://{}", o.scheme, o.host);
    if let Some(p) = o.port {
        s.push(':');
        s.push_str(&p.to_string());
    }
    if !o.path.is_empty() {
        s.push('/');
        s.push_str(&o.path.join("/"));
    }
    s
}

fn path(o: &Origin) -> Value {
    Value::Array(o.path.iter().map(|s| Value::from(s.as_str())).collect())
}

/// Defines a function reading one thing of the origin, null without an origin.
macro_rules! from_origin {
    ($name:ident, |$o:ident| $e:expr) => {
        fn $name(ctx: &FnCtx, _: &[&Value]) -> Result<Value, FnError> {
            Ok(ctx.origin.map_or(Value::Null, |$o| $e))
        }
    };
}
from_origin!(scheme, |o| Value::from(o.scheme.as_str()));
from_origin!(host, |o| Value::from(o.host.as_str()));
from_origin!(port, |o| o
    .port
    .map_or(Value::Null, |p| Value::U64(u64::from(p))));
from_origin!(path_fn, |o| path(o));
from_origin!(as_uri_string, |o| Value::from(uri_string(o)));
from_origin!(as_uri_record, |o| crate::record! {
    "scheme" => o.scheme.as_str(),
    "host" => o.host.as_str(),
    "port" => o.port.map(u64::from),
    "path" => path(o),
});

const fn decl(name: &'static str, doc: &'static str, f: NativeFn) -> FnDecl {
    FnDecl {
        module: "origin",
        name,
        arity: 0..=0,
        pure: false,
        doc,
        // Without an origin (the examples' context) every function gives null.
        examples: &[("[]", "null")],
        f,
    }
}

/// Registers the `origin` natives.
pub fn register(r: &mut Registry) {
    for d in [
        decl(
            "scheme",
            "The scheme of the event's origin URI, e.g. `\"tcp\"`.",
            scheme,
        ),
        decl("host", "The host of the event's origin URI.", host),
        decl("port", "The port of the event's origin URI, or null.", port),
        decl(
            "path",
            "The path segments of the event's origin URI, as an array.",
            path_fn,
        ),
        decl(
            "as_uri_string",
            "The event's origin URI as a string.",
            as_uri_string,
        ),
        decl(
            "as_uri_record",
            "The event's origin URI as `{\"scheme\", \"host\", \"port\", \"path\"}`.",
            as_uri_record,
        ),
    ] {
        r.add(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{parse_json, test_eq};

    fn with_origin(uri: &str, f: NativeFn) -> Value {
        let o = Origin::parse(uri).unwrap();
        let ctx = FnCtx {
            origin: Some(&o),
            ..FnCtx::default()
        };
        f(&ctx, &[]).unwrap()
    }

    #[test]
    fn test_origin_renders_as_tremor_did() {
        let u = "snot://test:23/snot";
        assert_eq!(with_origin(u, as_uri_string).as_str(), Some(u));
        let expected =
            parse_json(r#"{"scheme":"snot","host":"test","port":23,"path":["snot"]}"#).unwrap();
        assert!(test_eq(&with_origin(u, as_uri_record), &expected));
        assert_eq!(with_origin(u, port).as_u64(), Some(23));
        assert_eq!(with_origin(u, scheme).as_str(), Some("snot"));
        assert_eq!(with_origin(u, host).as_str(), Some("test"));
    }

    #[test]
    fn missing_parts_are_null_or_empty() {
        let u = "tremor://localhost";
        assert_eq!(with_origin(u, as_uri_string).as_str(), Some(u));
        assert!(with_origin(u, port).is_null());
        assert_eq!(with_origin(u, path_fn).as_array().map(Vec::len), Some(0));
        let r = with_origin(u, as_uri_record);
        assert!(r.get("port").is_some_and(Value::is_null));
    }
}
