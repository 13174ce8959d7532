//! Arbitrary text compiled as a query; what compiles runs a few events and a drain.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trickle::compile::ModulePath;
use trickle::diag::SourceMap;
use trickle::event::{Event, Signal};
use trickle::query::compile_query;
use trickle::value::{parse_json, Value};

const EVENTS: &[&str] = &["null", "1", "\"snot\"", "[1,[2]]", r#"{"a":1,"b":"x"}"#];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = SourceMap::new();
    let file = sources.add("fuzz.trickle", text);
    let Ok(query) = compile_query(&mut sources, file, &ModulePath::default()) else {
        return;
    };
    let mut exec = query.value.executor();
    let mut out = Vec::new();
    for (i, e) in EVENTS.iter().enumerate() {
        if let Ok(data) = parse_json(e) {
            let event = Event {
                data,
                meta: Value::record(),
                ingest_ns: i as u64,
                ..Event::default()
            };
            exec.send("in", event, &mut out);
        }
    }
    exec.signal(&Signal::Tick(1_000_000_000), &mut out);
    exec.signal(&Signal::Drain, &mut out);
});
