//! Runs this module's case folders (`tests/query*`, `tests/windows`) the way `trickle
//! test` does (SPEC §9), so the compiler and executor are checked end to end here.

use super::compile_query;
use crate::compile::ModulePath;
use crate::diag::{render_all, SourceMap};
use crate::event::{Event, EventId, Origin, Signal};
use crate::value::{parse_json, test_eq, Value};
use std::path::Path;
use std::sync::Arc;

/// Compiles and runs one case; `Err` describes the mismatch.
fn run_case(dir: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(dir.join("query.trickle")).map_err(|e| e.to_string())?;
    let input = std::fs::read_to_string(dir.join("in")).unwrap_or_default();
    let expected_err = std::fs::read_to_string(dir.join("error.txt")).ok();
    let mut sources = SourceMap::new();
    let file = sources.add("query.trickle", text);
    let path = ModulePath::new(Some(dir), &[]);
    let query = match compile_query(&mut sources, file, &path) {
        Ok(q) => q.value,
        Err(diags) => {
            let rendered = render_all(&diags, &sources);
            return match expected_err {
                Some(exp) => check_contains(&exp, &rendered),
                None => Err(format!("compile failed:\n{rendered}")),
            };
        }
    };
    let origin = Arc::new(Origin::parse("tremor://localhost/test").unwrap_or_default());
    let mut ex = query.executor();
    let mut out = Vec::new();
    for (i, line) in input.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let data = parse_json(line).map_err(|e| format!("bad input line {i}: {e}"))?;
        let ev = Event {
            data,
            meta: Value::record(),
            ingest_ns: i as u64,
            id: EventId {
                peer: "in".into(),
                stream: 0,
                event: i as u64,
            },
            lineage: Vec::new(),
            origin: Some(origin.clone()),
        };
        ex.send("in", ev, &mut out);
    }
    ex.signal(&Signal::Drain, &mut out);
    if let Some(exp) = expected_err {
        let errors: String = out
            .iter()
            .filter(|(p, _)| p == "err")
            .map(|(_, e)| e.data.encode() + "\n")
            .collect();
        return check_contains(&exp, &errors);
    }
    let want = std::fs::read_to_string(dir.join("out")).map_err(|e| e.to_string())?;
    let want: Vec<Value> = want
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| parse_json(l).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    let got: Vec<&Value> = out.iter().map(|(_, e)| &e.data).collect();
    let same = got.len() == want.len() && got.iter().zip(&want).all(|(g, w)| test_eq(g, w));
    if same {
        Ok(())
    } else {
        let got: Vec<String> = out
            .iter()
            .map(|(p, e)| format!("{p}: {}", e.data))
            .collect();
        let want: Vec<String> = want.iter().map(Value::encode).collect();
        Err(format!(
            "got:\n  {}\nwant:\n  {}",
            got.join("\n  "),
            want.join("\n  ")
        ))
    }
}

fn check_contains(expected: &str, actual: &str) -> Result<(), String> {
    for line in expected.lines().filter(|l| !l.trim().is_empty()) {
        if !actual.contains(line.trim()) {
            return Err(format!("missing `{line}` in:\n{actual}"));
        }
    }
    Ok(())
}

#[test]
fn case_folders() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut failures = Vec::new();
    let mut passed = 0;
    for area in ["query", "query_errors", "query_runtime_errors", "windows"] {
        let Ok(dirs) = std::fs::read_dir(root.join(area)) else {
            continue;
        };
        let mut dirs: Vec<_> = dirs.filter_map(Result::ok).map(|d| d.path()).collect();
        dirs.sort();
        for d in dirs {
            match run_case(&d) {
                Ok(()) => passed += 1,
                Err(e) => failures.push(format!("{}: {e}", d.display())),
            }
        }
    }
    // Cases needing library modules that are not merged yet report here too; the
    // message lists each failure with its diff.
    assert!(
        failures.is_empty(),
        "{passed} passed\n{}",
        failures.join("\n\n")
    );
}

fn compile_text(text: &str) -> Result<super::Query, String> {
    let mut sources = SourceMap::new();
    let file = sources.add("q.trickle", text);
    compile_query(&mut sources, file, &ModulePath::default())
        .map(|c| c.value)
        .map_err(|d| render_all(&d, &sources))
}

#[test]
fn extra_inputs_and_outputs() {
    let q =
        compile_text("select event from in/side into out/other;\nselect event from in into out;")
            .unwrap();
    assert_eq!(q.inputs(), vec!["in", "in/side"]);
    let mut ex = q.executor();
    let mut out = Vec::new();
    ex.send("in/side", Event::default(), &mut out);
    ex.send("in", Event::default(), &mut out);
    let names: Vec<&str> = out.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, vec!["other", "out"]);
}

#[test]
fn renders_compiled_graph() {
    let q = compile_text(
        "create stream s;\nselect event from in into s;\nselect event from s into out;",
    )
    .unwrap();
    let text = q.render(super::GraphFormat::Text);
    assert!(text.contains("  s (stream)\n"), "{text}");
    assert!(text.contains("  in/out -> select_0/in\n"), "{text}");
    assert!(text.contains("  s/out -> select_1/in\n"), "{text}");
    assert!(q.render(super::GraphFormat::Dot).contains("digraph"));
    assert!(q
        .render(super::GraphFormat::Mermaid)
        .starts_with("flowchart LR"));
}

#[test]
fn sub_pipeline_nodes_are_prefixed_and_unused_ports_pruned() {
    let q = compile_text(
        "define pipeline p pipeline select event from in into out; end;\n\
         create pipeline p;\nselect event from in into p;\nselect event from p into out;",
    )
    .unwrap();
    let text = q.render(super::GraphFormat::Text);
    assert!(text.contains("p::in (stream)"), "{text}");
    assert!(text.contains("p::select_"), "{text}");
    assert!(!text.contains("p::err"), "{text}");
}

#[test]
fn errors_carry_codes_and_several_are_reported() {
    let e = compile_text("select event from in into a;\nselect event from b into out;")
        .err()
        .unwrap_or_default();
    assert_eq!(e.matches("error[E0401]").count(), 2, "{e}");
}

#[test]
fn ticks_drive_interval_windows() {
    let q = compile_text(
        "define window w from tumbling with interval = 10 end;\n\
         select aggr::win::collect_flattened(event) from in[w] into out;",
    )
    .unwrap();
    let mut ex = q.executor();
    let mut out = Vec::new();
    ex.send(
        "in",
        Event {
            data: 1u64.into(),
            ..Event::default()
        },
        &mut out,
    );
    ex.signal(&Signal::Tick(5), &mut out);
    assert!(out.is_empty());
    ex.signal(&Signal::Tick(10), &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].1.data.encode(), "[1]");
    // the group was evicted: a drain has nothing left
    ex.signal(&Signal::Drain, &mut out);
    assert_eq!(out.len(), 1);
}
