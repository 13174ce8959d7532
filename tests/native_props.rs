//! Property tests for the pieces the event path calls with user data: every native
//! function (any argument count it accepts, arbitrary arguments and mutations of its
//! documented examples), every aggregate (accumulate, merge, emit, reset) and every
//! extractor (arbitrary rules on arbitrary text). They may fail, never panic.

use proptest::prelude::*;
use trickle::aggr;
use trickle::event::FnCtx;
use trickle::extractor::Extractor;
use trickle::functions::{registry, FnDecl};
use trickle::value::{parse_json, Str, Value};

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(256)
}

/// Values at the edges of what functions check: extreme numbers, empty and odd
/// strings (format specifiers, regex syntax, dates, addresses), small containers.
fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::I64),
        prop::sample::select(vec![
            0i64,
            1,
            -1,
            2,
            7,
            63,
            64,
            65,
            1000,
            i64::from(i32::MAX),
            i64::MIN,
            i64::MAX,
            i64::MIN + 1
        ])
        .prop_map(Value::I64),
        prop::sample::select(vec![0u64, 1, 64, u64::from(u32::MAX), u64::MAX]).prop_map(Value::U64),
        any::<u64>().prop_map(Value::U64),
        any::<f64>().prop_map(Value::F64),
        prop::sample::select(vec![
            0.0f64,
            -0.0,
            0.5,
            -1.5,
            1e300,
            -1e300,
            f64::MAX,
            f64::MIN,
            f64::EPSILON,
            9.223_372_036_854_776e18,
            1.8446744073709552e19,
        ])
        .prop_map(Value::F64),
        "\\PC{0,10}".prop_map(|s| Value::from(s.as_str())),
        prop::sample::select(vec![
            "",
            " ",
            "a",
            "abc",
            "%",
            "%Y-%m-%d",
            "%Q%",
            "{}",
            "{",
            "(",
            "[",
            "\\",
            "a*",
            "*",
            "%{a}",
            "%{",
            "=",
            "a=1&b=2",
            "2023-01-01T00:00:00Z",
            "1970-01-01",
            "10.0.0.1/33",
            "::1",
            "/",
            "a.b.c",
            "é",
            "\u{10ffff}",
            "\0",
            "snot badger",
            "dGVzdA==",
            "=====",
            "tremor://localhost:8080/a?b=c#d",
            "-",
            "1e400",
            "NaN",
        ])
        .prop_map(Value::from),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(vec!["a", "b", "", "x"]), inner), 0..4)
                .prop_map(|kv| {
                    let mut r = Value::record();
                    if let Some(rec) = r.as_record_mut() {
                        for (k, v) in kv {
                            rec.insert(Str::from(k), v);
                        }
                    }
                    r
                }),
        ]
    })
}

/// Every native function, sorted, so a case index picks one reproducibly.
fn natives() -> Vec<&'static FnDecl> {
    registry().all()
}

/// The argument counts to try: the whole range, capped for variadic functions.
fn arities(d: &FnDecl) -> Vec<usize> {
    (*d.arity.start()..=(*d.arity.end()).min(d.arity.start() + 4)).collect()
}

fn call(d: &FnDecl, args: &[Value]) {
    let refs: Vec<&Value> = args.iter().collect();
    if let Err(e) = (d.f)(&FnCtx::default(), &refs) {
        let text = e.render(d.module, d.name, args.len());
        assert!(!text.is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn natives_survive_arbitrary_arguments(
        which in any::<prop::sample::Index>(),
        count in any::<prop::sample::Index>(),
        args in prop::collection::vec(value(), 6),
    ) {
        let all = natives();
        let d = which.get(&all);
        let n = *count.get(&arities(d));
        call(d, &args[..n]);
    }

    #[test]
    fn natives_survive_mutated_examples(
        which in any::<prop::sample::Index>(),
        example in any::<prop::sample::Index>(),
        slot in any::<prop::sample::Index>(),
        v in value(),
    ) {
        let all: Vec<_> = natives().into_iter().filter(|d| !d.examples.is_empty()).collect();
        let d = which.get(&all);
        let (args, _) = example.get(d.examples);
        let Ok(Value::Array(mut args)) = parse_json(args) else {
            return Ok(());
        };
        if !args.is_empty() {
            let i = slot.index(args.len());
            args[i] = v;
        }
        call(d, &args);
    }

    #[test]
    fn aggregates_survive_arbitrary_arguments(
        which in any::<prop::sample::Index>(),
        events in prop::collection::vec(prop::collection::vec(value(), 3), 0..12),
        split in any::<prop::sample::Index>(),
    ) {
        let d = which.get(aggr::all());
        let arities: Vec<usize> = d.arity.clone().take(4).collect();
        let n = arities.last().copied().unwrap_or(0);
        let (mut a, mut b) = ((d.make)(), (d.make)());
        let cut = split.index(events.len() + 1);
        for (i, args) in events.iter().enumerate() {
            let refs: Vec<&Value> = args.iter().take(n).collect();
            let target = if i < cut { &mut a } else { &mut b };
            let _ = target.accumulate(&refs);
        }
        let _ = a.emit();
        let _ = b.merge(a.as_ref());
        let _ = b.emit();
        let mut c = b.boxed_clone();
        c.init();
        let _ = c.emit();
    }

    #[test]
    fn extractors_survive_arbitrary_rules_and_text(
        kind in prop::sample::select(vec![
            "glob", "re", "rerg", "base64", "json", "kv", "dissect", "grok", "cidr", "influx",
            "datetime",
        ]),
        rule in prop_oneof![
            "\\PC{0,16}",
            prop::sample::select(vec![
                "%{a} %{b}", "%{+a} %{+a}", "%{?a}", "%{&a}", "%{a}%{b}", "%{", "%{}",
                "%{NUMBER:n}", "%{WORD:w} %{GREEDYDATA:r}", "(?P<a>.*)", "a*b", "10.0.0.0/8",
                "%Y-%m-%d", "%s", "", "*", "[",
            ]).prop_map(String::from),
        ],
        text in prop_oneof![
            "\\PC{0,24}",
            prop::sample::select(vec![
                "a b", "a=1 b=2", "weather,loc=us temp=82 1465839830100400200", "dGVzdA==",
                "{\"a\":1}", "10.1.2.3", "2023-01-01 10:00:00", "1 2 3", "",
            ]).prop_map(String::from),
        ],
    ) {
        if let Ok(x) = Extractor::new(kind, &rule) {
            let _ = x.extract(&Value::from(text.as_str()), true);
            let _ = x.extract(&Value::from(text.as_str()), false);
        }
    }
}

#[test]
fn every_native_takes_nulls_and_empties() {
    let empties = [
        Value::Null,
        Value::from(""),
        Value::array(),
        Value::record(),
    ];
    for d in natives() {
        for n in arities(d) {
            for e in &empties {
                call(d, &vec![e.clone(); n]);
            }
        }
    }
}
