//! Every example `trickle doc` prints runs and gives what it says.

use super::*;
use crate::compile::{compile_script, ModulePath};
use crate::diag::{render_all, SourceMap};
use crate::event::FnCtx;
use crate::interp::Outcome;
use crate::value::{parse_json, Value};

/// The ```` ```tremor ```` blocks of a Markdown text.
fn blocks(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in md.lines() {
        match &mut cur {
            None if line.trim() == "```tremor" => cur = Some(String::new()),
            Some(b) if line.trim() == "```" => {
                out.push(std::mem::take(b));
                cur = None;
            }
            Some(b) => {
                b.push_str(line);
                b.push('\n');
            }
            None => {}
        }
    }
    out
}

/// Runs one example: its value must be `true`, or the `# VALUE` its last line ends in.
fn run(block: &str) -> Result<(), String> {
    let last = block.trim_end().lines().last().unwrap_or("");
    let expected = match last.rsplit_once(" # ") {
        Some((_, v)) => parse_json(v.trim()).map_err(|e| format!("bad expectation {v}: {e:?}"))?,
        None => Value::Bool(true),
    };
    let mut sources = SourceMap::new();
    let file = sources.add("example.tremor", block.to_string());
    let script = compile_script(&mut sources, file, &ModulePath::default())
        .map_err(|e| render_all(&e, &sources))?;
    let (mut event, mut meta, mut state) = (parse_json("{}").unwrap(), Value::Null, Value::Null);
    match script
        .value
        .run(&mut event, &mut meta, &mut state, &FnCtx::default())
    {
        Ok(Outcome::Emit { value, .. }) if value == expected => Ok(()),
        Ok(Outcome::Emit { value, .. }) => Err(format!("gave {value}, expected {expected}")),
        Ok(Outcome::Drop) => Err("dropped".into()),
        Err(e) => Err(e.render(&sources)),
    }
}

#[test]
fn every_example_in_the_reference_runs() {
    let md = reference();
    let blocks = blocks(&md);
    assert!(blocks.len() >= 98, "only {} examples", blocks.len());
    let failures: Vec<String> = blocks
        .iter()
        .filter_map(|b| run(b).err().map(|e| format!("{b}=> {e}")))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
}

#[test]
fn the_reference_covers_modules_aggregates_windows_and_peers() {
    let md = reference();
    for needle in [
        "# `std::string`",
        "### `string::format(format, ...)`",
        "## `aggr::stats::mean`",
        "## `tumbling`",
        "- `interval`:",
        "## `tcp_client`",
        "- `reconnect`:",
    ] {
        assert!(md.contains(needle), "missing {needle}");
    }
    let stems: Vec<String> = pages().into_iter().map(|p| p.stem).collect();
    assert!(stems.contains(&"std.string".to_string()) && stems[0] == "index");
}

#[test]
fn examples_name_the_modules_they_need() {
    let uses = catalog::uses_for(
        "std::datetime",
        "datetime::parse(x, datetime::formats::RFC3339)",
    );
    assert_eq!(uses, "use std::datetime;\n");
    let uses = catalog::uses_for("std::type", "type::is_bool(random::bool())");
    assert_eq!(uses, "use std::type;\nuse std::random;\n");
}

#[test]
fn builtins_without_a_module_are_in_the_index() {
    let md = reference();
    for f in catalog::unbound_natives() {
        assert!(md.contains(&format!("### `{}()`", f.name)), "{}", f.name);
    }
    assert!(md.contains("### `source_id()`"));
}
