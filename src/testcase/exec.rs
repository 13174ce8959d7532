//! Running one case in the deterministic index clock (SPEC §9, LANGUAGE.md
//! "Deterministic test mode"): event *i* has ingest time *i*, id `(in, 0, i)`
//! and the origin Tremor's own test runner used.

use super::{Case, CaseKind, Options};
use crate::compile::{compile_script, ModulePath};
use crate::diag::{render_all, Diagnostic, SourceMap};
use crate::event::{Event, EventId, FnCtx, Origin, Signal};
use crate::interp::{Outcome, RuntimeError};
use crate::query::compile_query;
use crate::value::{parse_json, project_value, Str, Value};
use std::sync::Arc;

const QUERY_ORIGIN: &str = "tremor://localhost/test";
const SCRIPT_ORIGIN: &str = "snot://test:23/snot";

/// What running a case produced.
#[derive(Debug, Clone, Default)]
pub struct Actual {
    /// Every emitted value, in emission order (all ports).
    pub outputs: Vec<Value>,
    /// What stopped the case: compile diagnostics, or a script's runtime error, without colour.
    pub error: Option<String>,
    /// Texts of events on the `err` output and rendered warnings: compared with
    /// `error.txt` when nothing stopped the case (a runtime error in a query).
    pub soft_errors: String,
    /// A problem with the case folder itself (no `in`, bad JSON in `in`): always a failure.
    pub broken: Option<String>,
}

/// Compiles and runs `case`.
pub fn run_case(case: &Case, opts: &Options) -> Actual {
    let events = match read_in(case) {
        Ok(events) => events,
        Err(why) => {
            return Actual {
                broken: Some(why),
                ..Actual::default()
            }
        }
    };
    let program = case.program();
    let text = match std::fs::read_to_string(&program) {
        Ok(t) => t,
        Err(e) => {
            return Actual {
                broken: Some(format!("cannot read {}: {e}", program.display())),
                ..Actual::default()
            }
        }
    };
    let mut sources = SourceMap::new();
    let file = sources.add(program.display().to_string(), text);
    let path = ModulePath::new(Some(&case.dir), &[]);
    match case.kind {
        CaseKind::Script => match compile_script(&mut sources, file, &path) {
            Ok(c) => {
                let mut actual = run_script(&events, &sources, |ev, meta, state, ctx| {
                    c.value.run(ev, meta, state, ctx)
                });
                actual
                    .soft_errors
                    .insert_str(0, &render_all(&c.warnings, &sources));
                actual
            }
            Err(diags) => compile_failed(&diags, &sources),
        },
        CaseKind::Query => match compile_query(&mut sources, file, &path) {
            Ok(c) => {
                let mut exec = c.value.executor();
                // As `trickle run` does: nothing acks, so lineage is kept only for `event_ids()`.
                if !c.value.reads_lineage {
                    exec.drop_lineage();
                }
                // Events reach the graph as `trickle run` hands them over: with only
                // the fields it reads when that is all it reads.
                let keys = exec.project_input("in");
                let mut actual = run_query(events, opts, |input, ev, out| match (ev, &keys) {
                    (Some(mut ev), Some(keys)) if input == "in" => {
                        let whole = std::mem::take(&mut ev.data);
                        ev.data = project_value(&whole, keys);
                        exec.send_projected(input, ev, &|| whole.clone(), out)
                    }
                    (Some(ev), _) => exec.send(input, ev, out),
                    (None, _) => exec.signal(&Signal::Drain, out),
                });
                actual
                    .soft_errors
                    .insert_str(0, &render_all(&c.warnings, &sources));
                actual
            }
            Err(diags) => compile_failed(&diags, &sources),
        },
    }
}

fn compile_failed(diags: &[Diagnostic], sources: &SourceMap) -> Actual {
    Actual {
        error: Some(render_all(diags, sources)),
        ..Actual::default()
    }
}

/// The events of `in`: one JSON document per line, blank lines ignored.
fn read_in(case: &Case) -> Result<Vec<Value>, String> {
    let path = case.dir.join("in");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read the `in` file {}: {e}", path.display()))?;
    parse_lines(&text).map_err(|e| format!("`in` {e}"))
}

/// Parses one JSON document per non-blank line; the error names the 1-based line.
pub(super) fn parse_lines(text: &str) -> Result<Vec<Value>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| parse_json(l).map_err(|e| format!("line {}: invalid JSON: {e}", n + 1)))
        .collect()
}

fn event_id(i: usize) -> EventId {
    EventId {
        peer: Str::from("in"),
        stream: 0,
        event: i as u64,
    }
}

/// Runs a script over the events: `state` kept, `$ = {}` per event, drops skipped,
/// the first runtime error stops the case.
fn run_script(
    events: &[Value],
    sources: &SourceMap,
    mut run: impl FnMut(&mut Value, &mut Value, &mut Value, &FnCtx) -> Result<Outcome, RuntimeError>,
) -> Actual {
    let origin = Origin::parse(SCRIPT_ORIGIN);
    let mut actual = Actual::default();
    let mut state = Value::Null;
    for (i, data) in events.iter().enumerate() {
        let id = event_id(i);
        let lineage = [id.clone()];
        let ctx = FnCtx {
            ingest_ns: i as u64,
            origin: origin.as_ref(),
            id: Some(&id),
            lineage: &lineage,
            cardinality: 0,
        };
        let mut event = data.clone();
        let mut meta = Value::record();
        match run(&mut event, &mut meta, &mut state, &ctx) {
            Ok(Outcome::Emit { value, .. }) => actual.outputs.push(value),
            Ok(Outcome::Drop) => {}
            Err(e) => {
                actual.error = Some(runtime_error_text(&e, sources));
                break;
            }
        }
    }
    actual
}

/// A runtime error as a case compares it: its rendering, plus its note when the rendering lacks it.
pub fn runtime_error_text(e: &RuntimeError, sources: &SourceMap) -> String {
    let mut text = e.render(sources);
    if let Some(note) = &e.note {
        if !text.contains(note.as_str()) {
            text.push_str("\nnote: ");
            text.push_str(note);
        }
    }
    text
}

/// Feeds the events into input `in` (`send(input, Some(event), out)`), then drains
/// (`send("", None, out)`) unless `--no-final-flush`. Every output port is collected.
fn run_query(
    events: Vec<Value>,
    opts: &Options,
    mut send: impl FnMut(&str, Option<Event>, &mut Vec<(String, Event)>),
) -> Actual {
    let origin = Origin::parse(QUERY_ORIGIN).map(Arc::new);
    let mut out = Vec::new();
    // The index clock; lineage kept, as a runtime that acks would.
    let mut ingest = crate::event::Ingest::new(true, true);
    for (i, data) in events.into_iter().enumerate() {
        let mut event = ingest.event(data, event_id(i), Value::record(), &[], 0);
        event.origin = origin.clone();
        send("in", Some(event), &mut out);
    }
    if !opts.no_final_flush {
        send("", None, &mut out);
    }
    let mut actual = Actual::default();
    for (port, event) in out {
        if port == "err" {
            match event.data.get("error").and_then(Value::as_str) {
                Some(text) => actual.soft_errors.push_str(text),
                None => actual.soft_errors.push_str(&event.data.encode()),
            }
            actual.soft_errors.push('\n');
        }
        actual.outputs.push(event.data);
    }
    actual
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Span;

    #[test]
    fn script_runs_keep_state_and_stop_at_errors() {
        let events = parse_lines("1\n\n2\n3\n4\n").unwrap();
        let sources = SourceMap::new();
        let mut seen = Vec::new();
        let actual = run_script(&events, &sources, |ev, meta, state, ctx| {
            seen.push((ctx.ingest_ns, ctx.id.map(|i| i.event), meta.clone()));
            *state = Value::from(state.as_i64().unwrap_or(0) + 1);
            match ev.as_i64() {
                Some(2) => Ok(Outcome::Drop),
                Some(4) => Err(RuntimeError {
                    message: "boom".into(),
                    span: Span::default(),
                    note: Some("a hint".into()),
                }),
                _ => Ok(Outcome::Emit {
                    value: state.clone(),
                    port: None,
                }),
            }
        });
        assert_eq!(actual.outputs, vec![Value::from(1), Value::from(3)]);
        let err = actual.error.unwrap();
        assert!(err.contains("boom") && err.contains("a hint"), "{err}");
        assert_eq!(seen[1].0, 1);
        assert_eq!(seen[3].1, Some(3));
        assert!(seen.iter().all(|s| s.2 == Value::record()));
    }

    #[test]
    fn query_runs_feed_index_clock_and_drain() {
        let events = parse_lines("{\"a\":1}\n{\"a\":2}").unwrap();
        let mut calls = Vec::new();
        let opts = Options::default();
        let actual = run_query(events, &opts, |input, ev, out| match ev {
            Some(ev) => {
                calls.push(format!("{input}:{}:{}", ev.ingest_ns, ev.id.event));
                assert_eq!(ev.origin.as_ref().unwrap().host, "localhost");
                out.push(("out".into(), ev));
            }
            None => {
                calls.push("drain".into());
                out.push((
                    "err".into(),
                    Event {
                        data: crate::record! {"error" => "bad"},
                        ..Event::default()
                    },
                ));
            }
        });
        assert_eq!(calls, vec!["in:0:0", "in:1:1", "drain"]);
        assert_eq!(actual.outputs.len(), 3);
        assert_eq!(actual.soft_errors, "bad\n");
        let opts = Options {
            no_final_flush: true,
            ..Options::default()
        };
        let actual = run_query(Vec::new(), &opts, |_, ev, _| assert!(ev.is_some()));
        assert!(actual.outputs.is_empty());
    }

    #[test]
    fn bad_in_lines_name_the_line() {
        let err = parse_lines("1\n{oops\n").unwrap_err();
        assert!(err.starts_with("line 2: invalid JSON"), "{err}");
    }
}
