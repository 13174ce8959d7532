//! Every native function, called with every mix of awkward arguments, returns a
//! value or an error and never panics (bad input is the caller's problem, not a crash).

use super::registry;
use crate::event::{EventId, FnCtx, Origin};
use crate::value::{parse_json, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Awkward arguments: every type, empty and boundary values, odd strings.
fn samples() -> Vec<Value> {
    let json = [
        "null",
        "true",
        "0",
        "-1",
        "2",
        "-9223372036854775808",
        "18446744073709551615",
        "1.5",
        "-0.0",
        "1e300",
        r#""""#,
        r#""ǅ%{a}{}""#,
        r#""{""#,
        r#""(""#,
        r#""2001-09-09T01:46:40+00:00""#,
        "[]",
        "[1, [2, [null]]]",
        r#"[["a", 1], [2]]"#,
        "{}",
        r#"{"a": {"b": 1}}"#,
    ];
    let mut v: Vec<Value> = json
        .iter()
        .map(|j| parse_json(j).expect("sample is JSON"))
        .collect();
    v.extend([
        Value::F64(f64::NAN),
        Value::F64(f64::INFINITY),
        Value::Bytes(Vec::new().into()),
        Value::Bytes(vec![0xff, 0, b'a'].into()),
    ]);
    v
}

/// Calls `f` with every combination of `arity` samples (a shorter list for long arities).
fn combos(samples: &[Value], arity: usize, mut f: impl FnMut(&[&Value])) {
    let pool: Vec<&Value> = if arity >= 3 {
        samples.iter().step_by(3).collect()
    } else {
        samples.iter().collect()
    };
    let mut idx = vec![0usize; arity];
    loop {
        let args: Vec<&Value> = idx.iter().map(|&i| pool[i]).collect();
        f(&args);
        // Odometer increment over `idx`.
        let mut pos = 0;
        loop {
            if pos == arity {
                return;
            }
            idx[pos] += 1;
            if idx[pos] < pool.len() {
                break;
            }
            idx[pos] = 0;
            pos += 1;
        }
    }
}

#[test]
fn no_native_panics_on_awkward_arguments() {
    let samples = samples();
    let origin = Origin::parse("snot://test:23/snot").expect("origin");
    let id = EventId::default();
    let with_ctx = FnCtx {
        ingest_ns: 7,
        origin: Some(&origin),
        id: Some(&id),
        lineage: crate::event::Lineage::empty(),
        cardinality: 1,
    };
    let contexts = [FnCtx::default(), with_ctx];
    let mut panics = Vec::new();
    let mut calls = 0usize;
    for d in registry().all() {
        // Variadic functions are exercised up to three arguments.
        let (lo, hi) = (*d.arity.start(), (*d.arity.end()).min(3));
        for arity in lo..=hi.max(lo) {
            for ctx in &contexts {
                combos(&samples, arity, |args| {
                    calls += 1;
                    if catch_unwind(AssertUnwindSafe(|| (d.f)(ctx, args))).is_err() {
                        panics.push(format!("{}::{}{args:?}", d.module, d.name));
                    }
                });
            }
        }
    }
    assert!(panics.is_empty(), "{panics:#?}");
    assert!(
        calls > 40_000,
        "only {calls} calls: the registry or the samples shrank"
    );
}
