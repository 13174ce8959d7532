//! Native operators (`define operator x from generic::batch ...`), one file per kind,
//! and [`create`], the registry that builds one from its kind and `with` config.
//!
//! | kind | ports out |
//! |---|---|
//! | `generic::counter` | `out` |
//! | `generic::batch` | `out` |
//! | `debug::history` | `out` |
//! | `grouper::bucket` | `out`, `overflow`, `err` |
//! | `qos::backpressure` (alias `generic::backpressure`) | `out`, `overflow` |
//! | `qos::percentile` | `out`, `overflow` |
//! | `qos::roundrobin` | each configured output, `overflow` |
//! | `passthrough` (no namespace) | `out` |

mod backpressure;
mod batch;
mod bucket;
mod config;
mod counter;
mod history;
mod passthrough;
mod percentile;
mod roundrobin;

pub use backpressure::{Backpressure, Method};
pub use batch::Batch;
pub use bucket::Bucket;
pub use counter::Counter;
pub use history::History;
pub use passthrough::Passthrough;
pub use percentile::Percentile;
pub use roundrobin::RoundRobin;

use crate::event::Port;
use crate::exec::Operator;
use crate::value::Value;

/// Port names the operators emit on.
pub const OUT: Port = Port::const_str("out");
/// Where rate limiters and load shedders send what they do not pass.
pub const OVERFLOW: Port = Port::const_str("overflow");
/// Where `grouper::bucket` sends events it cannot classify.
pub const ERR: Port = Port::const_str("err");

/// Every operator kind as `(namespace, name)`; `""` is the internal namespace.
pub const KINDS: &[(&str, &str)] = &[
    ("generic", "counter"),
    ("generic", "batch"),
    ("generic", "backpressure"),
    ("debug", "history"),
    ("grouper", "bucket"),
    ("qos", "backpressure"),
    ("qos", "percentile"),
    ("qos", "roundrobin"),
    ("", "passthrough"),
];

/// Why an operator could not be built (Tremor's pipeline error kinds).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OpError {
    /// `define operator o from nope::x`
    #[error("Unknown namespace: {0} (known: debug, generic, grouper, qos)")]
    UnknownNamespace(String),
    /// `define operator o from generic::nope`
    #[error("Unknown operator: {module}::{name} (known in {module}: {known})")]
    UnknownOp {
        module: String,
        name: String,
        known: String,
    },
    /// A required `with` key is missing.
    #[error("Missing operator config for `{node}` ({kind}): `{key}` is required")]
    MissingOpConfig {
        node: String,
        kind: &'static str,
        key: String,
    },
    /// A `with` key the kind does not know (`grouper::bucket` knows none).
    #[error("Operator `{node}` ({kind}) has extra config `{key}`; allowed keys: {allowed}")]
    ExtraOpConfig {
        node: String,
        kind: &'static str,
        key: String,
        allowed: String,
    },
    /// A `with` key of the wrong type or out of range.
    #[error("Bad config for operator `{node}` ({kind}): `{key}` must be {expected}")]
    BadOpConfig {
        node: String,
        kind: &'static str,
        key: String,
        expected: String,
    },
}

impl OpError {
    /// The `with` key at fault, for pointing a diagnostic at it.
    pub fn key(&self) -> Option<&str> {
        match self {
            OpError::MissingOpConfig { key, .. }
            | OpError::ExtraOpConfig { key, .. }
            | OpError::BadOpConfig { key, .. } => Some(key),
            OpError::UnknownNamespace(_) | OpError::UnknownOp { .. } => None,
        }
    }
}

/// Builds operator `node` of kind `kind_module::kind_name` from its `with` config
/// (`null` when the definition has no `with`; `args` already substituted and folded).
pub fn create(
    kind_module: &str,
    kind_name: &str,
    node: &str,
    config: &Value,
) -> Result<Box<dyn Operator>, OpError> {
    Ok(match (kind_module, kind_name) {
        ("generic", "counter") => Box::new(Counter::from_config(node, config)?),
        ("generic", "batch") => Box::new(Batch::from_config(node, config)?),
        ("debug", "history") => Box::new(History::from_config(node, config)?),
        ("grouper", "bucket") => Box::new(Bucket::from_config(node, config)?),
        ("qos" | "generic", "backpressure") => Box::new(Backpressure::from_config(node, config)?),
        ("qos", "percentile") => Box::new(Percentile::from_config(node, config)?),
        ("qos", "roundrobin") => Box::new(RoundRobin::from_config(node, config)?),
        ("", "passthrough") => Box::new(Passthrough::from_config(node, config)?),
        ("", n) => return Err(OpError::UnknownNamespace(n.to_string())),
        (m, n) if KINDS.iter().any(|(km, _)| *km == m) => {
            let known: Vec<&str> = KINDS
                .iter()
                .filter(|(km, _)| *km == m)
                .map(|(_, kn)| *kn)
                .collect();
            return Err(OpError::UnknownOp {
                module: m.to_string(),
                name: n.to_string(),
                known: known.join(", "),
            });
        }
        (m, _) => return Err(OpError::UnknownNamespace(m.to_string())),
    })
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Helpers shared by the operator tests.
    use crate::event::Event;
    use crate::value::Value;

    pub use crate::testkit::id;
    /// An event with data `data`, ingest time `ns`, from `in` stream 0 number `ns`.
    pub fn ev(data: Value, ns: u64) -> Event {
        ev_on("in", 0, data, ns)
    }
    pub fn ev_on(peer: &str, stream: u64, data: Value, ns: u64) -> Event {
        let id = id(peer, stream, ns);
        Event {
            data,
            meta: Value::record(),
            ingest_ns: ns,
            lineage: [id.clone()].into(),
            id,
            origin: None,
        }
    }
    pub fn ports(out: &super::super::Outputs) -> Vec<&str> {
        out.iter().map(|(p, _)| p.as_ref()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(m: &str, n: &str, c: Value) -> String {
        match create(m, n, "o", &c) {
            Ok(_) => panic!("{m}::{n} built"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn every_kind_builds_with_its_minimal_config() {
        let minimal = |m: &str, n: &str| match (m, n) {
            ("generic", "batch") => crate::record! {"count" => 2},
            ("debug", "history") => crate::record! {"op" => "a", "name" => "h"},
            (_, "backpressure") | ("qos", "percentile") => crate::record! {"timeout" => 100},
            _ => Value::Null,
        };
        for (m, n) in KINDS {
            assert!(create(m, n, "o", &minimal(m, n)).is_ok(), "{m}::{n}");
        }
    }

    #[test]
    fn unknown_kinds() {
        assert_eq!(
            err("nope", "x", Value::Null),
            "Unknown namespace: nope (known: debug, generic, grouper, qos)"
        );
        assert!(err("generic", "nope", Value::Null)
            .starts_with("Unknown operator: generic::nope (known in generic: counter, batch"));
        assert!(err("", "nope", Value::Null).starts_with("Unknown namespace: nope"));
    }

    #[test]
    fn config_errors_name_the_key() {
        let e = err("generic", "batch", Value::Null);
        assert_eq!(
            e,
            "Missing operator config for `o` (generic::batch): `count` is required"
        );
        let e = err(
            "generic",
            "batch",
            crate::record! {"count" => 1, "size" => 2},
        );
        assert_eq!(
            e,
            "Operator `o` (generic::batch) has extra config `size`; allowed keys: count, timeout"
        );
        let e = err("generic", "batch", crate::record! {"count" => "x"});
        assert!(e.contains("`count` must be a positive integer"), "{e}");
        let e = err("generic", "batch", Value::I64(3));
        assert!(e.contains("`with` must be a record"), "{e}");
        let e = err("grouper", "bucket", crate::record! {"rate" => 1});
        assert!(e.contains("extra config `rate`; allowed keys: none"), "{e}");
        let e = err("debug", "history", crate::record! {"op" => "x"});
        assert!(e.contains("`name` is required"), "{e}");
        let e = err(
            "qos",
            "roundrobin",
            crate::record! {"outputs" => Value::array()},
        );
        assert!(e.contains("`outputs` must be a non-empty list"), "{e}");
        let e = err(
            "qos",
            "backpressure",
            crate::record! {"timeout" => 1, "method" => "x"},
        );
        assert!(e.contains("`method` must be"), "{e}");
        let e = err(
            "qos",
            "percentile",
            crate::record! {"timeout" => 1, "step_up" => "x"},
        );
        assert!(e.contains("`step_up` must be a number"), "{e}");
        let e = create("qos", "percentile", "o", &Value::Null).err();
        assert_eq!(e.as_ref().and_then(OpError::key), Some("timeout"));
    }
}
