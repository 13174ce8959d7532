//! Arbitrary values for property tests of the JSON code.

use super::{Record, Str, Value};
use proptest::prelude::*;

/// Any value: every leaf kind (finite floats), strings with quotes, backslashes and
/// non-ASCII, nested arrays and records (keys that need escapes too).
pub(crate) fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::I64),
        any::<u64>().prop_map(Value::U64),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::F64),
        ".*".prop_map(|s: String| Value::from(s)),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-c\"\\\\é]{0,3}", inner), 0..6).prop_map(|kv| {
                let mut r = Record::default();
                for (k, v) in kv {
                    r.insert(Str::from(k), v);
                }
                Value::Record(Box::new(r))
            }),
        ]
    })
}
