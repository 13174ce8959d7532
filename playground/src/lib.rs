//! trickle's engine for the browser: the functions the playground page calls
//! through `wasm-bindgen`. Every argument and result is a string, results are JSON,
//! nothing throws; offsets are UTF-16 code units, as JavaScript strings count them.
//!
//! | function | result |
//! |---|---|
//! | `version()` | the engine's version |
//! | `tokens(text)` | `[{"from","to","class"}]` syntax colours |
//! | `check(text)` | `{"diagnostics":[D],"graph":G\|null}` |
//! | `run(text, input, input_kind)` | `{"diagnostics","ports":{port:[R]},"events_in","elapsed_ms"}` |
//! | `format(text)` | `{"text"}` or `{"diagnostics"}` |
//! | `complete(text, offset)`, `hover(text, offset)` | completion items; `{"markdown"}` or `null` |
//! | `examples()` | `[{"name","query","input","input_kind"}]` from `examples/` |
//!
//! The engine is built without its `runtime` feature: no peers, tokio or files.
//!
//! The one way out that is not a result: the JavaScript engine's call stack
//! overflowing (a `RangeError`) on some recursion the stack budget below does not
//! see. A trap skips the module's stack pointer restores, so a page that catches
//! one should instantiate the module afresh before the next call.

mod diagnostics;
mod editor;
mod program;
mod run;
mod tokens;
mod utf16;

use serde_json::{json, Value as Json};
use wasm_bindgen::prelude::wasm_bindgen;

/// The stack plain recursion in the program may use before it fails with the
/// recursion error. In a browser the JavaScript engine's own call stack (about
/// 1 MB in V8) overflows long before the wasm stack (4 MiB, see build.rs), and
/// that overflow throws out of the module. Measured under node 20 (V8) with
/// `fn f(n) ... f(n - 1) + 1`: 256 KiB of wasm stack is 300 to 600 levels, V8
/// overflows between 700 and 900; 1 MiB let 700 through and threw at 900.
const STACK_BUDGET: usize = 256 << 10;

fn enter() {
    trickle::interp::set_stack_budget(STACK_BUDGET);
}

fn text(v: &Json) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// The engine's version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Syntax colours of `text`.
#[wasm_bindgen]
pub fn tokens(text: &str) -> String {
    self::text(&Json::Array(tokens::tokens(text)))
}

/// Compiles `text`: its diagnostics and, for a query that compiles, its graph.
#[wasm_bindgen]
pub fn check(text: &str) -> String {
    enter();
    let c = program::compile(text);
    let editor = diagnostics::Editor::new(text, c.file);
    let graph = match &c.result {
        Ok(program::Program::Query(q)) => program::graph(q),
        _ => Json::Null,
    };
    self::text(&json!({
        "diagnostics": editor.diagnostics(&c.diagnostics, &c.sources),
        "graph": graph,
    }))
}

/// Runs `text` over `input` (`input_kind` `lines` or `steps`) in the index clock.
#[wasm_bindgen]
pub fn run(text: &str, input: &str, input_kind: &str) -> String {
    enter();
    run::run(text, input, input_kind)
}

/// `trickle fmt` of `text`.
#[wasm_bindgen]
pub fn format(text: &str) -> String {
    enter();
    self::text(&editor::format(text))
}

/// Completion candidates at UTF-16 `offset`.
#[wasm_bindgen]
pub fn complete(text: &str, offset: usize) -> String {
    enter();
    self::text(&Json::Array(editor::completions(text, offset)))
}

/// Hover text at UTF-16 `offset`, or `null`.
#[wasm_bindgen]
pub fn hover(text: &str, offset: usize) -> String {
    enter();
    self::text(&editor::hover(text, offset))
}

/// The examples of `examples/`, built in.
const EXAMPLES: &[(&str, &str, &str, &str)] = include!(concat!(env!("OUT_DIR"), "/examples.rs"));

/// The example menu.
#[wasm_bindgen]
pub fn examples() -> String {
    let list: Vec<Json> = EXAMPLES
        .iter()
        .map(|(name, query, input, kind)| {
            json!({"name": name, "query": query, "input": input, "input_kind": kind})
        })
        .collect();
    text(&Json::Array(list))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: String) -> Json {
        serde_json::from_str(&s).expect("JSON")
    }

    #[test]
    fn check_gives_the_graph_of_a_query() {
        let r = parse(check("select event from in into out;"));
        assert_eq!(r["diagnostics"], json!([]));
        let nodes = r["graph"]["nodes"].as_array().unwrap();
        assert!(nodes.iter().any(|n| n["kind"] == "select"));
        let edges = r["graph"]["edges"].as_array().unwrap();
        assert!(edges
            .iter()
            .any(|e| e["from"] == "in" && e["from_port"] == "out"));
        let r = parse(check("select nope from in into out;"));
        assert_eq!(r["graph"], Json::Null);
        assert_eq!(r["diagnostics"][0]["severity"], "error");
    }

    #[test]
    fn every_example_compiles_and_runs_without_errors() {
        let list = parse(examples());
        let list = list.as_array().unwrap();
        assert!(list.iter().any(|e| e["name"] == "hello.trickle"));
        assert!(list.iter().any(|e| e["input_kind"] == "steps"));
        for e in list {
            let r = parse(run(
                e["query"].as_str().unwrap(),
                e["input"].as_str().unwrap(),
                e["input_kind"].as_str().unwrap(),
            ));
            let errors: Vec<_> = r["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["severity"] == "error")
                .collect();
            assert!(errors.is_empty(), "{}: {errors:?}", e["name"]);
            assert!(r["events_in"].as_u64().unwrap() > 0, "{}", e["name"]);
        }
    }

    /// A case folder's example gives what `trickle test` expects of it (`out`, all
    /// ports), so the page and the test runner see the same run.
    #[test]
    fn case_examples_give_their_expected_out() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
        let mut checked = 0;
        for e in parse(examples()).as_array().unwrap() {
            let name = e["name"].as_str().unwrap();
            let Ok(expected) = std::fs::read_to_string(root.join(name).join("out")) else {
                continue;
            };
            let r = parse(run(
                e["query"].as_str().unwrap(),
                e["input"].as_str().unwrap(),
                e["input_kind"].as_str().unwrap(),
            ));
            let mut got: Vec<String> = r["ports"]
                .as_object()
                .unwrap()
                .values()
                .flat_map(|p| p.as_array().unwrap().iter())
                .map(|x| x["text"].as_str().unwrap().to_string())
                .collect();
            let mut want: Vec<String> = expected
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| trickle::value::parse_json(l).unwrap().encode())
                .collect();
            got.sort();
            want.sort();
            assert_eq!(got, want, "{name}");
            checked += 1;
        }
        assert!(checked >= 5, "only {checked} examples have an `out`");
    }
}
