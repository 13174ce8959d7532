//! Property tests over the event path: every script and query in the case folders,
//! compiled once, is fed arbitrary JSON values (and mutations of the case inputs);
//! every query also gets arbitrary `steps` (streams, ends, ticks, drains, times out
//! of order) through the test runner's virtual clock.
//! Nothing may panic, and failures must come out as values: a script's runtime
//! error renders to text, a query's goes to `err` as `{"error": "...", ...}`.
//! The JSON parser gets arbitrary and mutated bytes; a peer's interceptor chains and
//! codecs get arbitrary bytes. The case count follows
//! `PROPTEST_CASES` (fuzzing without nightly: see README "Fuzzing").

use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use trickle::compile::{compile_script, ModulePath};
use trickle::diag::SourceMap;
use trickle::event::{Event, EventId, FnCtx, Origin, Signal};
use trickle::exec::Query;
use trickle::interp::{Outcome, Script};
use trickle::peer::codec;
use trickle::peer::interceptor::Chain;
use trickle::query::compile_query;
use trickle::testcase::{parse_steps, Feed, Player, Step};
use trickle::value::{parse_json, parse_json_bytes, test_eq, Str, Value};

/// A compiled case-folder program and the events of its `in` file.
enum Program {
    Script(Script, SourceMap),
    Query(Query),
}

struct Corpus {
    programs: Vec<(PathBuf, Program)>,
    /// Every line of every `in` file that parses: the seeds for mutated events.
    events: Vec<Value>,
    /// The same lines as text: seeds for mutated JSON bytes.
    lines: Vec<String>,
}

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let mut dirs = Vec::new();
        collect(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests"),
            &mut dirs,
        );
        dirs.sort();
        let mut c = Corpus {
            programs: Vec::new(),
            events: Vec::new(),
            lines: Vec::new(),
        };
        for (dir, file) in dirs {
            if let Ok(text) = std::fs::read_to_string(dir.join("in")) {
                for l in text.lines().filter(|l| !l.trim().is_empty()) {
                    if let Ok(v) = parse_json(l) {
                        c.events.push(v);
                    }
                    c.lines.push(l.to_string());
                }
            }
            // The events of `steps` files are seeds too.
            if let Ok(steps) = std::fs::read_to_string(dir.join("steps")) {
                for n in parse_steps(&steps).unwrap_or_default() {
                    if let Step::Event { data, .. } = n.step {
                        c.lines.push(data.encode());
                        c.events.push(data);
                    }
                }
            }
            if let Some(p) = compile(&dir, file) {
                c.programs.push((dir, p));
            }
        }
        c
    })
}

/// Case folders: `(dir, program file name)`.
fn collect(dir: &Path, out: &mut Vec<(PathBuf, &'static str)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            for name in ["script.tremor", "query.trickle"] {
                if p.join(name).is_file() {
                    out.push((p.clone(), name));
                }
            }
            collect(&p, out);
        }
    }
}

fn compile(dir: &Path, file: &str) -> Option<Program> {
    let text = std::fs::read_to_string(dir.join(file)).ok()?;
    let mut sources = SourceMap::new();
    let id = sources.add(dir.join(file).display().to_string(), text);
    let path = ModulePath::new(Some(dir), &[]);
    if file.ends_with(".tremor") {
        let c = compile_script(&mut sources, id, &path).ok()?;
        Some(Program::Script(c.value, sources))
    } else {
        let c = compile_query(&mut sources, id, &path).ok()?;
        Some(Program::Query(c.value))
    }
}

fn id(i: usize) -> EventId {
    EventId {
        peer: Str::from("in"),
        stream: 0,
        event: i as u64,
    }
}

/// Runs `events` through program `which`; panics (the failure) only if the engine does
/// or an error does not come out as a value.
fn run(which: usize, events: Vec<Value>) {
    let programs = &corpus().programs;
    let (dir, program) = &programs[which % programs.len()];
    match program {
        Program::Script(script, sources) => {
            let mut state = Value::Null;
            for (i, mut data) in events.into_iter().enumerate() {
                let eid = id(i);
                let lineage = trickle::event::Lineage::from([eid.clone()]);
                let ctx = FnCtx {
                    ingest_ns: i as u64,
                    origin: None,
                    id: Some(&eid),
                    lineage: &lineage,
                    cardinality: 0,
                };
                let mut meta = Value::record();
                match script.run(&mut data, &mut meta, &mut state, &ctx) {
                    Ok(Outcome::Emit { value, .. }) => {
                        let _ = value.encode();
                    }
                    Ok(Outcome::Drop) => {}
                    Err(e) => {
                        let text = e.render(sources);
                        assert!(!text.trim().is_empty(), "{}: empty error", dir.display());
                    }
                }
            }
        }
        Program::Query(query) => {
            let origin = Origin::parse("tremor://localhost/prop").map(Arc::new);
            let mut exec = query.executor();
            let inputs = query.inputs();
            let mut out = Vec::new();
            for (i, data) in events.into_iter().enumerate() {
                let event = Event {
                    data,
                    meta: Value::record(),
                    ingest_ns: i as u64 * 1_000_000_000,
                    lineage: [id(i)].into(),
                    id: id(i),
                    origin: origin.clone(),
                };
                let input = inputs
                    .get(i % inputs.len().max(1))
                    .map_or("in", String::as_str);
                exec.send(input, event, &mut out);
                if i % 3 == 2 {
                    exec.signal(&Signal::Tick(i as u64 * 2_000_000_000), &mut out);
                }
            }
            exec.signal(&Signal::Drain, &mut out);
            for (port, event) in out {
                let _ = event.data.encode();
                // A query may route its own events into `err`; only the engine's
                // error events must carry an error text.
                let own_err = std::fs::read_to_string(dir.join("query.trickle"))
                    .is_ok_and(|q| q.contains("into err"));
                if port == "err" && !own_err {
                    assert!(
                        event.data.get("error").and_then(Value::as_str).is_some(),
                        "{}: err event without an error text: {}",
                        dir.display(),
                        event.data.encode()
                    );
                }
            }
        }
    }
}

/// Record keys the case programs use most, so random records hit real paths.
const KEYS: &[&str] = &[
    "a",
    "b",
    "c",
    "x",
    "y",
    "key",
    "group",
    "value",
    "name",
    "snot",
    "badger",
    "measurement",
    "tags",
    "fields",
    "level",
    "msg",
    "class",
    "count",
    "foo",
    "bar",
    "",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::I64),
        prop_oneof![
            Just(0i64),
            Just(1),
            Just(-1),
            Just(i64::MIN),
            Just(i64::MAX)
        ]
        .prop_map(Value::I64),
        any::<u64>().prop_map(Value::U64),
        (-1e12f64..1e12).prop_map(Value::F64),
        prop_oneof![
            Just(0.0f64),
            Just(-0.0),
            Just(f64::MAX),
            Just(f64::MIN_POSITIVE)
        ]
        .prop_map(Value::F64),
        "\\PC{0,12}".prop_map(|s| Value::from(s.as_str())),
        prop::sample::select(KEYS).prop_map(Value::from),
        Just(Value::from("2023-01-01T00:00:00Z")),
        Just(Value::from("192.168.1.1")),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        prop::sample::select(KEYS).prop_map(String::from),
                        "\\PC{0,6}"
                    ],
                    inner
                ),
                0..6
            )
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

/// A case input with one field replaced (or added) by an arbitrary value.
fn mutated_seed() -> impl Strategy<Value = Value> {
    (
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        value(),
    )
        .prop_map(|(which, field, v)| {
            let seeds = &corpus().events;
            if seeds.is_empty() {
                return v;
            }
            let mut e = which.get(seeds).clone();
            match &mut e {
                Value::Record(r) if !r.is_empty() => {
                    let i = field.index(r.len());
                    if let Some((_, slot)) = r.get_index_mut(i) {
                        *slot = v;
                    }
                }
                Value::Record(r) => {
                    r.insert(Str::from(*field.get(KEYS)), v);
                }
                Value::Array(a) if !a.is_empty() => {
                    let i = field.index(a.len());
                    a[i] = v;
                }
                other => *other = v,
            }
            e
        })
}

fn event() -> impl Strategy<Value = Value> {
    prop_oneof![value(), mutated_seed(), mutated_seed()]
}

/// One step of a virtual clock: `(kind, stream, time offset, value)`; an event's time
/// is mostly ahead of the clock, sometimes behind it (refused: times never go back).
fn step() -> impl Strategy<Value = (u8, u64, i64, Value)> {
    (0u8..10, 0u64..3, -500_000_000i64..3_000_000_000, event())
}

/// Plays `steps` into query `which` through the test runner's [`Player`]: several
/// streams of each input it reads, stream ends, ticks, drains, out-of-order times.
fn play(which: usize, steps: Vec<(u8, u64, i64, Value)>) {
    let programs = &corpus().programs;
    let queries: Vec<&(PathBuf, Program)> = programs
        .iter()
        .filter(|(_, p)| matches!(p, Program::Query(_)))
        .collect();
    let (dir, Program::Query(query)) = queries[which % queries.len()] else {
        return;
    };
    let mut exec = query.executor();
    let mut player = Player::for_query(None, query);
    let inputs = query.inputs();
    let mut out = Vec::new();
    let mut feed = |f: Feed<'_>| match f {
        Feed::Event(input, ev) => exec.send(input, ev, &mut out),
        Feed::Signal(s) => exec.signal(&s, &mut out),
    };
    for (i, (kind, stream, dt, data)) in steps.into_iter().enumerate() {
        let peer = inputs[i % inputs.len()].clone();
        let at = player.now().saturating_add_signed(dt);
        let step = match kind {
            0..=5 => Step::Event {
                data,
                peer,
                stream,
                ingest_ns: (kind > 0).then_some(at),
            },
            6 => Step::EndStream { peer, stream },
            7 => Step::StartStream { peer, stream },
            8 => Step::Tick(at),
            _ => Step::Drain,
        };
        // A refused step (a time that goes back, an input nothing reads) changes nothing.
        let _ = player.play(&step, &mut feed);
    }
    player.finish(true, &mut feed);
    let own_err =
        std::fs::read_to_string(dir.join("query.trickle")).is_ok_and(|q| q.contains("into err"));
    for (port, event) in out {
        let _ = event.data.encode();
        if port == "err" && !own_err {
            assert!(
                event.data.get("error").and_then(Value::as_str).is_some(),
                "{}: err event without an error text: {}",
                dir.display(),
                event.data.encode()
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn programs_survive_arbitrary_events(
        which in any::<prop::sample::Index>(),
        events in prop::collection::vec(event(), 1..8),
    ) {
        let n = corpus().programs.len();
        prop_assume!(n > 0);
        run(which.index(n), events);
    }

    #[test]
    fn queries_survive_arbitrary_steps(
        which in any::<prop::sample::Index>(),
        steps in prop::collection::vec(step(), 1..16),
    ) {
        let n = corpus().programs.iter().filter(|(_, p)| matches!(p, Program::Query(_))).count();
        prop_assume!(n > 0);
        play(which.index(n), steps);
    }

    #[test]
    fn json_parser_survives_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        json_roundtrip(bytes);
    }

    #[test]
    fn json_parser_survives_mutated_inputs(
        which in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        len in 0usize..4,
        insert in prop::collection::vec(
            prop::sample::select(b"{}[]\",:\\0123456789.eE+-tfnul \x00\xff\xc3".to_vec()), 0..4),
    ) {
        let lines = &corpus().lines;
        prop_assume!(!lines.is_empty());
        let mut bytes = which.get(lines).as_bytes().to_vec();
        let start = at.index(bytes.len() + 1);
        let end = (start + len).min(bytes.len());
        bytes.splice(start..end, insert);
        json_roundtrip(bytes);
    }
}

/// Interceptor chains a peer may be given, each on arbitrary bytes (as `fuzz/codecs`).
const CHAINS: &[&str] = &[
    r#"[]"#,
    r#"["lines"]"#,
    r#"[{"lines": {"delimiter": "||", "max_length": 16}}]"#,
    r#"["length_prefixed"]"#,
    r#"[{"length_prefixed": {"max_length": 8}}]"#,
    r#"["base64"]"#,
    r#"["gzip"]"#,
    r#"[{"gzip": {"max_length": 64}}]"#,
    r#"["lines", "base64", "gzip"]"#,
    r#"["length_prefixed", "gzip", "lines"]"#,
];

/// Receives `bytes` in chunks through a chain, finishes the stream, decodes every
/// frame with every codec and sends what decodes back out. Errors are fine.
fn codecs(chain: &str, chunk: usize, bytes: &[u8]) {
    let spec = parse_json(chain).expect("chain spec");
    let mut chain = Chain::from_spec(&spec).expect("known interceptors");
    let (mut frames, mut errors) = (Vec::new(), Vec::new());
    for part in bytes.chunks(chunk.max(1)) {
        chain.receive(part, &mut frames, &mut errors);
    }
    chain.finish(&mut frames, &mut errors);
    for e in &errors {
        assert!(!e.to_string().is_empty());
    }
    for name in codec::KNOWN {
        let mut c = codec::create(name, &Value::Null).expect("known codec");
        for frame in &frames {
            if let Ok(v) = c.decode(frame) {
                let mut out = Vec::new();
                if c.encode(&v, &mut out).is_ok() {
                    let mut sent = Vec::new();
                    let _ = chain.send(&out, &mut sent);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn codecs_survive_arbitrary_bytes(
        chain in prop::sample::select(CHAINS),
        chunk in 1usize..40,
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..200),
            // Framed shapes: length prefixes, base64 text, gzip magic, delimiters.
            prop::collection::vec(
                prop::sample::select(b"\x00\x00\x00\x05\x1f\x8b\x08\n|{}\"ab=+/QUJD".to_vec()),
                0..200,
            ),
        ],
    ) {
        codecs(chain, chunk, &bytes);
    }
}

/// Parsing never panics; what parses encodes to JSON that parses back to the same value.
fn json_roundtrip(mut bytes: Vec<u8>) {
    if let Ok(v) = parse_json_bytes(&mut bytes) {
        let text = v.encode();
        match parse_json(&text) {
            Ok(back) => assert!(test_eq(&v, &back), "{text}"),
            Err(e) => panic!("encoded `{text}` does not parse back: {e}"),
        }
    }
}

#[test]
fn every_case_program_runs_on_its_own_kind_of_input() {
    let c = corpus();
    assert!(c.programs.len() > 100, "the case folders hold the programs");
    for i in 0..c.programs.len() {
        run(i, vec![Value::Null, Value::record(), Value::array()]);
    }
}

/// Random expression text from the script grammar's operators and constructs, with
/// literals at the edges of the integer range, so compile-time folding and run-time
/// evaluation both see overflow, bad types and missing paths.
fn expr_text() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(vec![
        "0",
        "1",
        "-1",
        "2",
        "63",
        "64",
        "9223372036854775807",
        "-9223372036854775808",
        "18446744073709551615",
        "0.0",
        "1.5",
        "-0.5",
        "1.0e308",
        "\"\"",
        "\"a\"",
        "\"snot\"",
        "null",
        "true",
        "false",
        "[]",
        "{}",
        "[1, 2, 3]",
        "{\"a\": 1, \"b\": [2]}",
        "event",
        "event.a",
        "event[0]",
        "event[\"b\"]",
        "state",
        "$",
        "$.a",
        "<<1, 2>>",
        "<<\"ab\">>",
        "args",
        "group",
        "window",
    ])
    .prop_map(String::from);
    leaf.prop_recursive(5, 48, 3, |inner| {
        let bin = prop::sample::select(vec![
            "+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "and", "or", "xor",
            "&", "^", "<<", ">>", ">>>",
        ]);
        prop_oneof![
            (inner.clone(), bin, inner.clone()).prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            (prop::sample::select(vec!["-", "+", "not ", "!"]), inner.clone())
                .prop_map(|(op, a)| format!("({op}{a})")),
            prop::collection::vec(inner.clone(), 0..3)
                .prop_map(|v| format!("[{}]", v.join(", "))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{{\"a\": {a}, \"b\": {b}}}")),
            (prop::sample::select(vec!["event", "state", "$", "x"]), inner.clone())
                .prop_map(|(a, i)| format!("{a}[{i}]")),
            (prop::sample::select(vec!["event", "state", "x"]), inner.clone(), inner.clone())
                .prop_map(|(a, s, e)| format!("{a}[{s}:{e}]")),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(a, b, c)| format!(
                "(match {a} of case %{{ a > 1 }} => {b} case %[1, _] => {c} case x = ~ re|a.*| => x case _ => {b} end)"
            )),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!(
                "(for {a} of case (k, v) => {b} end)"
            )),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!(
                "(patch {a} of insert \"x\" => {b}; upsert \"a\" => 1; erase \"b\"; merge => {b} end)"
            )),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("(merge {a} of {b} end)")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("<<({a}):8, ({b}):16/signed-integer, ({a})/binary>>")),
            (prop::sample::select(vec!["event", "state", "$", "x"]), inner.clone())
                .prop_map(|(a, b)| format!("(present {a}.a or {b})")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn generated_expressions_compile_and_run_cleanly(
        (a, b, c) in (expr_text(), expr_text(), expr_text()),
        events in prop::collection::vec(event(), 1..4),
    ) {
        let text = format!("let x = {a};\nlet state = {b};\nlet $.m = x;\nlet event.c = {c};\n{c}");
        let mut sources = SourceMap::new();
        let file = sources.add("gen.tremor", text.as_str());
        if let Ok(c) = compile_script(&mut sources, file, &ModulePath::default()) {
            let mut state = Value::Null;
            for mut data in events {
                let mut meta = Value::record();
                match c.value.run(&mut data, &mut meta, &mut state, &FnCtx::default()) {
                    Ok(Outcome::Emit { value, .. }) => {
                        let _ = value.encode();
                    }
                    Ok(Outcome::Drop) => {}
                    Err(e) => assert!(!e.render(&sources).is_empty()),
                }
            }
        }
    }
}
