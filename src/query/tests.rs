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
