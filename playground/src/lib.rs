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

mod diagnostics;
mod editor;
mod program;
mod run;
mod tokens;
mod utf16;

use serde_json::{json, Value as Json};
use wasm_bindgen::prelude::wasm_bindgen;

/// The stack the engine may use for recursion on this thread: the wasm stack
/// `build.sh` links with (16 MiB), less a quarter for what runs around the calls.
const STACK_BUDGET: usize = 12 << 20;

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
}
