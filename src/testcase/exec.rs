//! Running one case in the deterministic index clock (SPEC §9, LANGUAGE.md
//! "Deterministic test mode"): event *i* has ingest time *i*, id `(in, 0, i)`
//! and the origin Tremor's own test runner used.

use super::play::{Feed, Player};
use super::steps::{parse_steps, Numbered, Step, DEFAULT_PEER};
use super::{Case, CaseKind, Options};
use crate::compile::{compile_script, ModulePath};
use crate::diag::{render_all, Diagnostic, SourceMap};
use crate::event::{Event, FnCtx, Origin};
use crate::interp::{Outcome, RuntimeError};
use crate::query::compile_query;
use crate::value::{parse_json, project_value, Value};
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

/// What a case feeds: the events of `in`, or the steps of `steps`.
enum Input {
    Lines(Vec<Value>),
    Steps(Vec<Numbered>),
}

/// Compiles and runs `case`.
pub fn run_case(case: &Case, opts: &Options) -> Actual {
    let input = match read_input(case) {
        Ok(input) => input,
        Err(actual) => return actual,
    };
    let program = case.program();
    let bytes = match std::fs::read(&program) {
        Ok(b) => b,
        Err(e) => {
            return Actual {
                broken: Some(format!("cannot read {}: {e}", program.display())),
                ..Actual::default()
            }
        }
    };
    let path = ModulePath {
        shown_from: Some(case.dir.clone()),
        ..ModulePath::new(Some(&case.dir), &[])
    };
    let mut sources = SourceMap::new();
    let file = match sources.add_bytes(path.shown_name(&program), bytes) {
        Ok(file) => file,
        Err(d) => return compile_failed(&[*d], &sources),
    };
    match case.kind {
        CaseKind::Script => match compile_script(&mut sources, file, &path) {
            Ok(c) => {
                let player = player(&input, SCRIPT_ORIGIN, None);
                let mut actual = run_script(input, player, &sources, |ev, meta, state, ctx| {
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
                let player = player(&input, QUERY_ORIGIN, Some(&c.value));
                let mut actual = run_query(input, player, opts, |feed, out| match (feed, &keys) {
                    (Feed::Event(input, mut ev), Some(keys)) if input == "in" => {
                        let whole = std::mem::take(&mut ev.data);
                        ev.data = project_value(&whole, keys);
                        exec.send_projected(input, ev, &|| whole.clone(), out)
                    }
                    (Feed::Event(input, ev), _) => exec.send(input, ev, out),
                    (Feed::Signal(s), _) => exec.signal(&s, out),
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

/// The player for a case's input: a plain `in` file is fed as Tremor's runner fed
/// it (no stream signals); `steps` may name only the query's inputs.
fn player(input: &Input, origin: &str, query: Option<&crate::exec::Query>) -> Player {
    let origin = Origin::parse(origin).map(Arc::new);
    match (input, query) {
        (Input::Lines(_), _) => Player::plain(origin),
        (Input::Steps(_), Some(q)) => Player::for_query(origin, q),
        (Input::Steps(_), None) => Player::new(origin, None),
    }
}

fn compile_failed(diags: &[Diagnostic], sources: &SourceMap) -> Actual {
    Actual {
        error: Some(render_all(diags, sources)),
        ..Actual::default()
    }
}

/// The case's input: `steps` if the folder has one, else `in` (one JSON document
/// per line, blank lines ignored). A bad `steps` line is an error of the case (an
/// `error.txt` can expect it); a missing or bad `in` is a broken folder.
fn read_input(case: &Case) -> Result<Input, Actual> {
    let broken = |why: String| Actual {
        broken: Some(why),
        ..Actual::default()
    };
    let steps = case.dir.join("steps");
    let path = case.dir.join("in");
    if steps.is_file() {
        if path.is_file() {
            return Err(broken(
                "the case has both `in` and `steps`: keep one".to_string(),
            ));
        }
        let text = std::fs::read_to_string(&steps).map_err(|e| {
            broken(format!(
                "cannot read the `steps` file {}: {e}",
                steps.display()
            ))
        })?;
        return parse_steps(&text).map(Input::Steps).map_err(|e| Actual {
            error: Some(format!("`steps` {e}")),
            ..Actual::default()
        });
    }
    let text = std::fs::read_to_string(&path).map_err(|e| {
        broken(format!(
            "cannot read the `in` file {} (a case needs `in` or `steps`): {e}",
            path.display()
        ))
    })?;
    parse_lines(&text)
        .map(Input::Lines)
        .map_err(|e| broken(format!("`in` {e}")))
}

/// Parses one JSON document per non-blank line; the error names the 1-based line.
pub(super) fn parse_lines(text: &str) -> Result<Vec<Value>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| parse_json(l).map_err(|e| format!("line {}: invalid JSON: {e}", n + 1)))
        .collect()
}

/// Plays the case's input through `player` into `feed`, then drains unless
/// `no_final_flush`. A step the player refuses stops the case with the step's line.
fn play(
    input: Input,
    mut player: Player,
    final_flush: bool,
    feed: &mut dyn FnMut(Feed<'_>),
) -> Result<(), String> {
    match input {
        Input::Lines(events) => {
            for data in events {
                let step = Step::Event {
                    data,
                    peer: DEFAULT_PEER.to_string(),
                    stream: 0,
                    ingest_ns: None,
                };
                player.play(&step, feed)?;
            }
        }
        Input::Steps(steps) => {
            for n in steps {
                player
                    .play(&n.step, feed)
                    .map_err(|e| format!("`steps` line {}: {e}", n.line))?;
            }
        }
    }
    player.finish(final_flush, feed);
    Ok(())
}

/// Runs a script over the events: `state` kept, `$ = {}` per event, drops skipped.
/// A runtime error does not stop the case: as on `trickle run`, the event's
/// output is `{"error": TEXT, "event": EVENT}` (what an `error.txt` is compared
/// with). Signals mean nothing to a script.
fn run_script(
    input: Input,
    player: Player,
    sources: &SourceMap,
    mut run: impl FnMut(&mut Value, &mut Value, &mut Value, &FnCtx) -> Result<Outcome, RuntimeError>,
) -> Actual {
    let mut actual = Actual::default();
    let mut state = Value::Null;
    let mut feed = |f: Feed<'_>| {
        let Feed::Event(_, mut event) = f else {
            return;
        };
        let original = event.data.clone();
        let mut data = std::mem::take(&mut event.data);
        let ctx = event.ctx();
        let mut meta = Value::record();
        match run(&mut data, &mut meta, &mut state, &ctx) {
            Ok(Outcome::Emit { value, .. }) => actual.outputs.push(value),
            Ok(Outcome::Drop) => {}
            Err(e) => {
                actual
                    .soft_errors
                    .push_str(&runtime_error_text(&e, sources));
                actual.soft_errors.push('\n');
                actual.outputs.push(crate::record! {
                    "error" => e.render(sources),
                    "event" => original,
                });
            }
        }
    };
    // A script has nothing to drain.
    if let Err(why) = play(input, player, false, &mut feed) {
        actual.error = Some(why);
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

/// Plays the input into the graph (`send(feed, out)`), then drains unless
/// `--no-final-flush`. Every output port is collected.
fn run_query(
    input: Input,
    player: Player,
    opts: &Options,
    mut send: impl FnMut(Feed<'_>, &mut Vec<(String, Event)>),
) -> Actual {
    let mut out = Vec::new();
    let played = play(input, player, !opts.no_final_flush, &mut |f| {
        send(f, &mut out)
    });
    let mut actual = Actual {
        // The case stops at a step it cannot play; an `error.txt` may expect that.
        error: played.err(),
        ..Actual::default()
    };
    for (port, event) in out {
        let unread = crate::exec::is_unread_err(&port);
        if port == "err" || unread {
            match event.data.get("error").and_then(Value::as_str) {
                Some(text) => actual.soft_errors.push_str(text),
                None => actual.soft_errors.push_str(&event.data.encode()),
            }
            actual.soft_errors.push('\n');
        }
        // A node's `err` that the query does not read is not one of its outputs
        // (Tremor's cases expect it dropped); an `error.txt` can still expect it.
        if !unread {
            actual.outputs.push(event.data);
        }
    }
    actual
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Span;
    use crate::event::Signal;

    fn lines(text: &str) -> Input {
        Input::Lines(parse_lines(text).unwrap())
    }

    #[test]
    fn script_runs_keep_state_and_report_errors_as_records() {
        let sources = SourceMap::new();
        let mut seen = Vec::new();
        let input = lines("1\n\n2\n3\n4\n5\n");
        let actual = run_script(
            input,
            Player::plain(None),
            &sources,
            |ev, meta, state, ctx| {
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
            },
        );
        assert_eq!(actual.outputs.len(), 4, "{:?}", actual.outputs);
        assert_eq!(actual.outputs[..2], [Value::from(1), Value::from(3)]);
        let record = &actual.outputs[2];
        assert_eq!(record.get("event"), Some(&Value::from(4)));
        let text = record.get("error").and_then(Value::as_str).unwrap();
        assert!(text.contains("boom"), "{text}");
        assert_eq!(actual.outputs[3], Value::from(5), "the case went on");
        assert!(actual.error.is_none());
        let soft = &actual.soft_errors;
        assert!(soft.contains("boom") && soft.contains("a hint"), "{soft}");
        assert_eq!(seen.len(), 5);
        assert_eq!(seen[1].0, 1);
        assert_eq!(seen[3].1, Some(3));
        assert!(seen.iter().all(|s| s.2 == Value::record()));
    }

    #[test]
    fn query_runs_feed_index_clock_and_drain() {
        let mut calls = Vec::new();
        let opts = Options::default();
        let origin = Origin::parse(QUERY_ORIGIN).map(Arc::new);
        let input = lines("{\"a\":1}\n{\"a\":2}");
        let actual = run_query(
            input,
            Player::plain(origin),
            &opts,
            |feed, out| match feed {
                Feed::Event(input, ev) => {
                    calls.push(format!("{input}:{}:{}", ev.ingest_ns, ev.id.event));
                    assert_eq!(ev.origin.as_ref().unwrap().host, "localhost");
                    out.push(("out".into(), ev));
                }
                Feed::Signal(s) => {
                    assert_eq!(s, Signal::Drain);
                    calls.push("drain".into());
                    out.push((
                        "err".into(),
                        Event {
                            data: crate::record! {"error" => "bad"},
                            ..Event::default()
                        },
                    ));
                }
            },
        );
        assert_eq!(calls, vec!["in:0:0", "in:1:1", "drain"]);
        assert_eq!(actual.outputs.len(), 3);
        assert_eq!(actual.soft_errors, "bad\n");
        let opts = Options {
            no_final_flush: true,
            ..Options::default()
        };
        let actual = run_query(lines(""), Player::plain(None), &opts, |f, _| {
            assert!(matches!(f, Feed::Event(..)))
        });
        assert!(actual.outputs.is_empty());
    }

    #[test]
    fn a_refused_step_breaks_the_case_with_its_line() {
        let steps = parse_steps("{\"event\": 1, \"ingest_ns\": 5}\n\n{\"tick\": 2}").unwrap();
        let actual = run_query(
            Input::Steps(steps),
            Player::new(None, None),
            &Options::default(),
            |_, _| {},
        );
        let why = actual.error.unwrap();
        assert!(
            why.starts_with("`steps` line 3: tick 2 goes back in time"),
            "{why}"
        );
    }

    #[test]
    fn bad_in_lines_name_the_line() {
        let err = parse_lines("1\n{oops\n").unwrap_err();
        assert!(err.starts_with("line 2: invalid JSON"), "{err}");
    }
}
