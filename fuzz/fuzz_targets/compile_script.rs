//! Arbitrary text compiled as a script; what compiles is run on a few events.
//! Diagnostics and runtime errors are fine, panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trickle::compile::{compile_script, ModulePath};
use trickle::diag::SourceMap;
use trickle::event::FnCtx;
use trickle::value::{parse_json, Value};

const EVENTS: &[&str] = &[
    "null",
    "1",
    "-1.5",
    "\"snot\"",
    "[1,[2]]",
    r#"{"a":1,"b":"x"}"#,
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = SourceMap::new();
    let file = sources.add("fuzz.tremor", text);
    let Ok(script) = compile_script(&mut sources, file, &ModulePath::default()) else {
        return;
    };
    let mut state = Value::Null;
    for e in EVENTS {
        let Ok(mut event) = parse_json(e) else {
            continue;
        };
        let mut meta = Value::record();
        if let Err(err) = script
            .value
            .run(&mut event, &mut meta, &mut state, &FnCtx::default())
        {
            let _ = err.render(&sources);
        }
    }
});
