//! `trickle lsp` driven as an editor drives it: initialize, open, change, completion,
//! hover, definition, references, rename, outline, folding, tokens, quick fixes,
//! shutdown and exit, on files with and without errors and across `use`d modules.

#[path = "lsp/client.rs"]
mod client;

use client::{uri, Client};
use serde_json::{json, Value};
use std::path::PathBuf;

const QUERY: &str = r#"use std::string;
use lib::util;
define window two from tumbling with size = 2 end;
define script tag
script
  use lib::util;
  let event.tag = util::LABEL;
  event
end;
create script tag;
select {"n": string::len(aggr::win::last(event.name)), "c": aggr::stats::count()} from in[two] into tag;
select util::double(event.c) from tag into out;
"#;

const UTIL: &str = "## Twice the input.\nfn double(x) with x * 2 end;\nconst LABEL = \"util\";\n";

/// A project folder: the query, its module and a sample of events beside it.
fn project(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("trickle-lsp-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("lib")).unwrap();
    std::fs::write(d.join("q.trickle"), QUERY).unwrap();
    std::fs::write(d.join("lib/util.tremor"), UTIL).unwrap();
    std::fs::write(
        d.join("q.jsonl"),
        "{\"name\":\"Ada\",\"city\":\"London\",\"nested\":{\"deep\":1}}\n{\"name\":\"Grace\",\"age\":3}\n",
    )
    .unwrap();
    d
}

fn labels(v: &Value) -> Vec<String> {
    let items = v
        .as_array()
        .or_else(|| v["items"].as_array())
        .cloned()
        .unwrap_or_default();
    items
        .iter()
        .map(|i| i["label"].as_str().unwrap_or("").to_string())
        .collect()
}

fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The line of the first occurrence of `needle` in the query, and its column.
fn pos(needle: &str) -> (u32, u32) {
    for (i, line) in QUERY.lines().enumerate() {
        if let Some(c) = line.find(needle) {
            return (i as u32, c as u32);
        }
    }
    panic!("{needle} not in the query");
}

#[test]
fn an_editor_session() {
    let dir = project("session");
    let q = uri(&dir.join("q.trickle"));
    let util = uri(&dir.join("lib/util.tremor"));
    let (mut c, caps) = Client::start();
    for cap in [
        "hoverProvider",
        "completionProvider",
        "definitionProvider",
        "referencesProvider",
        "renameProvider",
        "documentSymbolProvider",
        "foldingRangeProvider",
        "semanticTokensProvider",
        "codeActionProvider",
    ] {
        assert!(!caps[cap].is_null(), "missing {cap}: {caps}");
    }
    assert_eq!(c.open(&q, QUERY), Vec::<Value>::new(), "the query compiles");

    // Hover: a stdlib function's docs, an aggregate, a window kind, a user window.
    let (l, col) = pos("string::len");
    let h = c.at("textDocument/hover", &q, l, col + 9, json!({}));
    let text = h["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("string::len(input)") && text.contains("number of characters"),
        "{text}"
    );
    let (l, col) = pos("stats::count");
    let h = c.at("textDocument/hover", &q, l, col + 8, json!({}));
    assert!(
        h["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("Number of events"),
        "{h}"
    );
    let (l, col) = pos("tumbling");
    let h = c.at("textDocument/hover", &q, l, col + 1, json!({}));
    assert!(
        h["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("`interval`"),
        "{h}"
    );
    let (l, col) = pos("[two]");
    let h = c.at("textDocument/hover", &q, l, col + 2, json!({}));
    let text = h["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("window two from tumbling") && text.contains("size = 2"),
        "{text}"
    );
    let (l, col) = pos("util::double");
    let h = c.at("textDocument/hover", &q, l, col + 7, json!({}));
    assert!(
        h["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("Twice the input"),
        "{h}"
    );

    // Definition: a window, and a function in a `use`d module file.
    let d = c.at("textDocument/definition", &q, l, col + 7, json!({}));
    assert_eq!(d["uri"], json!(util), "{d}");
    assert_eq!(d["range"]["start"], json!({"line": 1, "character": 3}));
    let (l, col) = pos("[two]");
    let d = c.at("textDocument/definition", &q, l, col + 2, json!({}));
    assert_eq!(
        d["range"]["start"],
        json!({"line": 2, "character": 14}),
        "{d}"
    );

    // References of the script `tag`: its definition, `create`, `into` and `from`.
    let (l, col) = pos("script tag");
    let refs = c.at(
        "textDocument/references",
        &q,
        l,
        col + 8,
        json!({"context": {"includeDeclaration": true}}),
    );
    assert_eq!(refs.as_array().unwrap().len(), 4, "{refs}");

    // Rename across files: `double` in the module and at its call.
    let (l, col) = pos("util::double");
    let edit = c.at(
        "textDocument/rename",
        &q,
        l,
        col + 7,
        json!({"newName": "twice"}),
    );
    let changes = edit["changes"].as_object().expect("edits");
    assert_eq!(changes[&q].as_array().unwrap().len(), 1, "{edit}");
    assert_eq!(changes[&util].as_array().unwrap().len(), 1, "{edit}");
    assert_eq!(changes[&util][0]["newText"], "twice");
    let bad = c.at(
        "textDocument/rename",
        &q,
        l,
        col + 7,
        json!({"newName": "select"}),
    );
    assert!(
        bad["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a valid name"),
        "{bad}"
    );
    let (l, col) = pos("string::len");
    let std = c.at(
        "textDocument/rename",
        &q,
        l,
        col + 9,
        json!({"newName": "size"}),
    );
    assert!(
        std["error"]["message"]
            .as_str()
            .unwrap()
            .contains("standard library"),
        "{std}"
    );

    // Outline, folding, tokens.
    let syms = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": q}}),
    );
    let names: Vec<&str> = syms
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "two",
            "tag",
            "select from in into tag",
            "select from tag into out"
        ],
        "{syms}"
    );
    let folds = c.request(
        "textDocument/foldingRange",
        json!({"textDocument": {"uri": q}}),
    );
    assert!(
        folds
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["startLine"] == 3 && f["endLine"] == 8),
        "{folds}"
    );
    let toks = c.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": q}}),
    );
    assert!(toks["data"].as_array().unwrap().len() > 5 * 40, "{toks}");

    // Completion: module functions with snippets, sample event keys, nodes, windows, modules.
    c.change(&q, 2, [12, 0, 12, 0], "select string:: from in into out;\n");
    let items = c.at("textDocument/completion", &q, 12, 15, json!({}));
    assert!(labels(&items).contains(&"len".to_string()), "{items}");
    let len = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "len")
        .unwrap();
    assert_eq!(len["insertText"], "len(${1:input})");
    assert_eq!(len["insertTextFormat"], 2);
    c.change(&q, 3, [12, 7, 12, 15], "event.");
    let items = c.at("textDocument/completion", &q, 12, 13, json!({}));
    assert_eq!(labels(&items), ["name", "city", "nested", "age"], "{items}");
    c.change(&q, 4, [12, 13, 12, 13], "nested.");
    let items = c.at("textDocument/completion", &q, 12, 20, json!({}));
    assert_eq!(labels(&items), ["deep"]);
    let (l, _) = pos("select util::double");
    let items = c.at("textDocument/completion", &q, l, 34, json!({}));
    let got = labels(&items);
    assert!(
        got.contains(&"tag".to_string()) && got.contains(&"in".to_string()),
        "{got:?}"
    );
    let (l, col) = pos("[two]");
    let items = c.at("textDocument/completion", &q, l, col + 1, json!({}));
    assert_eq!(labels(&items), ["two"]);
    let items = c.at("textDocument/completion", &q, 0, 4, json!({}));
    assert!(
        labels(&items).contains(&"std".to_string()) && labels(&items).contains(&"lib".to_string()),
        "{items}"
    );
    let items = c.at("textDocument/completion", &q, 0, 8, json!({}));
    assert!(labels(&items).contains(&"string".to_string()), "{items}");

    // An error: the same code and hint as `trickle check`, and a quick fix.
    let full = QUERY.replace("string::len(", "string::lenn(");
    let diags = c.change(&q, 5, [0, 0, 99, 0], &full);
    assert_eq!(codes(&diags), ["E0103"], "{diags:?}");
    assert!(diags[0]["message"]
        .as_str()
        .unwrap()
        .contains("did you mean `len`?"));
    let r = diags[0]["range"].clone();
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": q}, "range": r, "context": {"diagnostics": diags}}),
    );
    let a = &actions[0];
    assert_eq!(a["title"], "Replace with `len`", "{actions}");
    let e = &a["edit"]["changes"][&q][0];
    assert_eq!(e["newText"], "len");
    assert_eq!(
        e["range"]["end"]["character"].as_u64().unwrap()
            - e["range"]["start"]["character"].as_u64().unwrap(),
        4
    );

    // Formatting is `trickle fmt`: a badly laid out script becomes one edit, a file
    // with a syntax error none.
    let f = uri(&dir.join("f.tremor"));
    c.open(&f, "let   a=1;\n# kept\na+1\n");
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": f}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits.as_array().unwrap().len(), 1, "{edits}");
    assert_eq!(edits[0]["newText"], "let a = 1;\n# kept\na + 1\n");
    c.change(&f, 2, [0, 0, 9, 0], "let a = ;\n");
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": f}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits, Value::Null);

    assert_eq!(c.stop(), 0);
}

#[test]
fn files_with_errors_keep_their_outline_and_report_every_error() {
    let dir = project("errors");
    let q = uri(&dir.join("broken.trickle"));
    let text = "define window w from tumbling with size = 2 end;\n\
                select event from in[w] into out where;\n\
                select nosuch::f(event) from in into out;\n\
                select event.x from in into out;\n";
    let (mut c, _) = Client::start();
    let diags = c.open(&q, text);
    assert!(!diags.is_empty());
    assert!(
        diags
            .iter()
            .all(|d| d["severity"] == 1 && d["source"] == "trickle"),
        "{diags:?}"
    );
    // The syntax error is blanked out for the tree: the rest still has symbols.
    let syms = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": q}}),
    );
    let names: Vec<&str> = syms
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"w") && names.len() >= 3, "{names:?}");
    let h = c.at("textDocument/hover", &q, 0, 22, json!({}));
    assert!(h["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("tumbling"));

    // Several compile errors in one file are all reported.
    let s = uri(&dir.join("two.tremor"));
    let diags = c.open(
        &s,
        "let a = nosuch::f(1);\nlet b = string::len(\"x\");\nundefined_local\n",
    );
    assert!(diags.len() >= 2, "{diags:?}");
    // A module that does not compile is reported on its `use`.
    std::fs::write(dir.join("lib/bad.tremor"), "fn oops(x) with y end;\n").unwrap();
    let m = uri(&dir.join("m.tremor"));
    let diags = c.open(&m, "use lib::bad;\nbad::oops(1)\n");
    assert!(
        !diags.is_empty() && diags[0]["range"]["start"]["line"] == 0,
        "{diags:?}"
    );
    assert!(
        diags[0]["message"].as_str().unwrap().contains("bad.tremor"),
        "{diags:?}"
    );
    assert_eq!(c.stop(), 0);
}

#[test]
fn peer_definitions_complete_kinds_and_config_keys() {
    let dir = project("peers");
    let q = uri(&dir.join("p.trickle"));
    let (mut c, _) = Client::start();
    c.open(&q, "define peer up from \n");
    let items = c.at("textDocument/completion", &q, 0, 20, json!({}));
    assert!(
        labels(&items).contains(&"tcp_server".to_string()),
        "{items}"
    );
    c.change(
        &q,
        2,
        [0, 0, 1, 0],
        "define peer up from tcp_client with config = {\n",
    );
    let items = c.at("textDocument/completion", &q, 1, 0, json!({}));
    assert_eq!(
        labels(&items),
        ["host", "port", "streams", "reconnect"],
        "{items}"
    );
    c.change(
        &q,
        3,
        [0, 0, 2, 0],
        "define peer up from tcp_client with \n",
    );
    let items = c.at("textDocument/completion", &q, 0, 36, json!({}));
    assert!(labels(&items).contains(&"codec".to_string()), "{items}");
    c.change(
        &q,
        4,
        [0, 0, 1, 0],
        "define peer up from tcp_client with config = {\"port\": 1} end;\n",
    );
    let h = c.at("textDocument/hover", &q, 0, 48, json!({}));
    assert!(
        h["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("TCP port"),
        "{h}"
    );
    let h = c.at("textDocument/hover", &q, 0, 22, json!({}));
    assert!(
        h["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("reconnect"),
        "{h}"
    );
    // Unknown methods are errors, not crashes; the server still answers afterwards.
    let e = c.request("textDocument/nosuch", json!({}));
    assert!(e["error"].is_object());
    assert_eq!(c.stop(), 0);
}

#[test]
fn window_definitions_complete_the_settings_of_their_kind() {
    let dir = project("windows");
    let q = uri(&dir.join("w.trickle"));
    let (mut c, _) = Client::start();
    c.open(&q, "define window w from session with \n");
    let items = c.at("textDocument/completion", &q, 0, 34, json!({}));
    let got = labels(&items);
    assert!(got.contains(&"gap".to_string()), "{items}");
    assert!(!got.contains(&"size".to_string()), "{items}");
    c.change(
        &q,
        2,
        [0, 0, 1, 0],
        "define window w from tumbling with size = 2, \n",
    );
    let items = c.at("textDocument/completion", &q, 0, 45, json!({}));
    let got = labels(&items);
    assert!(got.contains(&"interval".to_string()), "{items}");
    assert!(!got.contains(&"gap".to_string()), "{items}");
    // After `shutdown`, requests are refused until `exit`.
    assert_eq!(c.request("shutdown", json!(null)), json!(null));
    let e = c.at("textDocument/completion", &q, 0, 45, json!({}));
    assert_eq!(e["error"]["code"], json!(-32600), "{e}");
    assert_eq!(c.exit(), 0);
}
