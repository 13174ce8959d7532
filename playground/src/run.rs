//! Running the editor's program over the page's input, deterministically: JSON lines
//! as `trickle run --clock index` feeds them (one stream `in:0`, started before the
//! first event and ended after the last, then `drain`; event *i* has ingest time *i*),
//! or a `steps` file (SPEC §9) played on its virtual clock. Both go through the test
//! runner's [`Player`], so the page shows what `trickle test` would see.

use crate::diagnostics::Editor;
use crate::program::{compile, Program};
use std::cell::RefCell;
use std::fmt::Write as _;
use trickle::event::{Event, EventId, Ids};
use trickle::exec::tilt::WindowMark;
use trickle::peer::engine::{Engine, Outputs, ScriptEngine};
use trickle::peer::raw::Raw;
use trickle::testcase::{parse_steps, Feed, Player, Step, DEFAULT_PEER};
use trickle::value::{parse_json, Value};

/// How the input text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Lines,
    Steps,
}

impl InputKind {
    pub fn parse(s: &str) -> Option<InputKind> {
        match s {
            "lines" => Some(InputKind::Lines),
            "steps" => Some(InputKind::Steps),
            _ => None,
        }
    }
}

/// The events of every port, each as its JSON result object (already encoded).
#[derive(Default)]
struct Ports {
    /// `(port, results)`, `out` and `err` first, others in order of their first event.
    ports: Vec<(String, Vec<String>)>,
}

impl Ports {
    fn new() -> Self {
        Ports {
            ports: vec![("out".into(), Vec::new()), ("err".into(), Vec::new())],
        }
    }

    fn push(&mut self, port: &str, ev: &Event, window: Option<&WindowMark>) {
        let i = match self.ports.iter().position(|(p, _)| p == port) {
            Some(i) => i,
            None => {
                self.ports.push((port.to_string(), Vec::new()));
                self.ports.len() - 1
            }
        };
        let ids = Ids::of(&ev.id, &ev.lineage).iter();
        self.ports[i].1.push(result(&ev.data, window, ids));
    }

    /// A record that is no event of the program (a line that is not JSON): no ids.
    fn push_err(&mut self, doc: &Value) {
        self.ports[1].1.push(result(doc, None, std::iter::empty()));
    }

    fn write(&self, out: &mut String) {
        out.push('{');
        for (i, (port, results)) in self.ports.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&json_string(port));
            out.push_str(":[");
            out.push_str(&results.join(","));
            out.push(']');
        }
        out.push('}');
    }
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// `{"text", "value", "window", "ids"}` of one emitted event: the line `trickle run`
/// prints (the same JSON as `value`), the window that emitted it (`{"name", "start",
/// "end"}`, `null` from a select without windows) and the ids of the events that made it.
fn result(data: &Value, window: Option<&WindowMark>, ids: impl Iterator<Item = EventId>) -> String {
    let text = data.encode();
    let mut r = String::with_capacity(text.len() * 2 + 48);
    r.push_str("{\"text\":");
    r.push_str(&json_string(&text));
    r.push_str(",\"value\":");
    r.push_str(&text);
    r.push_str(",\"window\":");
    match window {
        Some(w) => {
            let _ = write!(
                r,
                "{{\"name\":{},\"start\":{},\"end\":{}}}",
                json_string(&w.name),
                w.start,
                w.end
            );
        }
        None => r.push_str("null"),
    }
    r.push_str(",\"ids\":[");
    for (i, id) in ids.enumerate() {
        if i > 0 {
            r.push(',');
        }
        let _ = write!(r, "[{},{},{}]", json_string(&id.peer), id.stream, id.event);
    }
    r.push_str("]}");
    r
}

/// `run(text, input, input_kind)`: the JSON result the page reads.
pub fn run(text: &str, input: &str, input_kind: &str) -> String {
    let started = trickle::sys::wall_ns();
    let c = compile(text);
    let editor = Editor::new(text, c.file);
    let mut diagnostics = editor.diagnostics(&c.diagnostics, &c.sources);
    // Shared by the graph's outputs and the input's bad lines, in the order they come.
    let ports = RefCell::new(Ports::new());
    let mut events_in = 0u64;
    let failed = match (&c.result, InputKind::parse(input_kind)) {
        (_, None) => Some(format!(
            "unknown input kind `{input_kind}`: `lines` or `steps`"
        )),
        (Err(()), _) => None,
        (Ok(program), Some(kind)) => {
            let mut engine: Box<dyn Engine + '_> = match program {
                Program::Query(q) => {
                    let mut ex = q.executor();
                    ex.mark_windows();
                    Box::new(ex)
                }
                Program::Script(s) => Box::new(ScriptEngine::new(s, &c.sources)),
            };
            let inputs = match program {
                Program::Query(q) => Some(trickle::testcase::read_inputs(q)),
                Program::Script(_) => None,
            };
            let mut out: Outputs = Vec::new();
            let mut feed = |f: Feed<'_>| {
                match f {
                    Feed::Event(input, ev) => {
                        events_in += 1;
                        engine.send(input, ev, &mut out);
                    }
                    Feed::Signal(s) => engine.signal(&s, &mut out),
                }
                let mut ports = ports.borrow_mut();
                let mut marks = engine.take_marks().into_iter().peekable();
                for (i, (port, ev)) in out.drain(..).enumerate() {
                    let mark = marks.next_if(|(j, _)| *j == i).map(|(_, m)| m);
                    ports.push(&port, &ev, mark.as_ref());
                }
            };
            let played = match kind {
                InputKind::Lines => play_lines(input, &mut feed, &mut |doc| {
                    ports.borrow_mut().push_err(doc)
                }),
                InputKind::Steps => play_steps(input, inputs, &mut feed),
            };
            played.err()
        }
    };
    if let Some(why) = failed {
        diagnostics.push(serde_json::json!({
            "severity": "error",
            "message": why,
            "hint": null,
            "from": editor.position(0),
            "to": editor.position(0),
            "rendered": format!("error: {why}\n"),
        }));
    }
    let elapsed_ms = match (started, trickle::sys::wall_ns()) {
        (Some(a), Some(b)) => (b - a).max(0) as f64 / 1e6,
        _ => 0.0,
    };
    let mut out = String::from("{\"diagnostics\":");
    out.push_str(&serde_json::to_string(&diagnostics).unwrap_or_else(|_| "[]".into()));
    out.push_str(",\"ports\":");
    ports.borrow().write(&mut out);
    let _ = write!(
        out,
        ",\"events_in\":{events_in},\"elapsed_ms\":{}}}",
        serde_json::to_string(&elapsed_ms).unwrap_or_else(|_| "0".into())
    );
    out
}

/// JSON lines into stream `in:0`, as `trickle run` reads its input; a line that is
/// not JSON becomes an `err` record (`{"error": "in:LINE: ...", "raw": ...}`) as there.
fn play_lines(
    input: &str,
    feed: &mut dyn FnMut(Feed<'_>),
    bad: &mut dyn FnMut(&Value),
) -> Result<(), String> {
    let mut player = Player::new(None, None);
    let stream = |peer: &str| (peer.to_string(), 0);
    let (peer, id) = stream(DEFAULT_PEER);
    player.play(&Step::StartStream { peer, stream: id }, feed)?;
    for (n, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse_json(line) {
            Ok(data) => {
                let step = Step::Event {
                    data,
                    peer: DEFAULT_PEER.to_string(),
                    stream: 0,
                    ingest_ns: None,
                };
                player.play(&step, feed)?;
            }
            Err(e) => {
                let mut doc = trickle::record! {"error" => format!("in:{}: {e}", n + 1)};
                Raw::of(line.as_bytes()).add_to(&mut doc);
                bad(&doc);
            }
        }
    }
    let (peer, id) = stream(DEFAULT_PEER);
    player.play(&Step::EndStream { peer, stream: id }, feed)?;
    player.finish(true, feed);
    Ok(())
}

/// A `steps` file, which may name only the inputs the query reads; the first step
/// that cannot be played stops the run (its line is in the error).
fn play_steps(
    input: &str,
    inputs: Option<Vec<String>>,
    feed: &mut dyn FnMut(Feed<'_>),
) -> Result<(), String> {
    let steps = parse_steps(input).map_err(|e| format!("`steps` {e}"))?;
    let mut player = Player::new(None, inputs);
    for n in steps {
        player
            .play(&n.step, feed)
            .map_err(|e| format!("`steps` line {}: {e}", n.line))?;
    }
    player.finish(true, feed);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value as Json;

    fn run_json(q: &str, input: &str, kind: &str) -> Json {
        serde_json::from_str(&run(q, input, kind)).expect("run returns JSON")
    }

    #[test]
    fn lines_run_like_trickle_run_with_the_index_clock() {
        let r = run_json(
            "select {\"n\": event.n} from in into out;",
            "{\"n\": 1}\n\n{\"n\": 2}\nnot json\n",
            "lines",
        );
        assert_eq!(r["events_in"], 2);
        let out = r["ports"]["out"].as_array().unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[1]["value"], serde_json::json!({"n": 2}));
        assert_eq!(out[1]["text"], "{\"n\":2}");
        assert_eq!(out[1]["ids"], serde_json::json!([["in", 0, 1]]));
        let err = r["ports"]["err"].as_array().unwrap();
        assert_eq!(err.len(), 1);
        assert!(err[0]["value"]["error"]
            .as_str()
            .unwrap()
            .starts_with("in:4: "));
        assert_eq!(err[0]["value"]["raw"], "not json");
    }

    #[test]
    fn a_window_emits_with_the_ids_of_every_event_in_it() {
        let q = "define window two from tumbling with size = 2 end;\n\
                 select aggr::stats::sum(event.v) from in[two] into out;";
        let r = run_json(q, "{\"v\":1}\n{\"v\":2}\n{\"v\":3}\n", "lines");
        let out = r["ports"]["out"].as_array().unwrap();
        assert_eq!(out[0]["value"], 3.0);
        assert_eq!(
            out[0]["ids"],
            serde_json::json!([["in", 0, 0], ["in", 0, 1]])
        );
        // Its count window spans its events' times (ingest times 0 and 1) plus 1.
        assert_eq!(
            out[0]["window"],
            serde_json::json!({"name": "two", "start": 0, "end": 2})
        );
        // The drain at the end flushes the third.
        assert_eq!(out[1]["value"], 3.0);
        assert_eq!(out[1]["window"]["start"], 2);
        let plain = run_json("select event from in into out;", "1\n", "lines");
        assert_eq!(plain["ports"]["out"][0]["window"], Json::Null);
    }

    #[test]
    fn steps_play_on_their_clock_and_a_bad_step_is_a_diagnostic() {
        let q = "select event from in into out;";
        let r = run_json(q, "{\"event\": 1, \"stream\": 2}\n{\"tick\": 5}\n", "steps");
        assert_eq!(
            r["ports"]["out"][0]["ids"],
            serde_json::json!([["in", 2, 0]])
        );
        let r = run_json(q, "{\"event\": 1, \"peer\": \"nope\"}\n", "steps");
        let msg = r["diagnostics"][0]["message"].as_str().unwrap();
        assert!(msg.contains("line 1") && msg.contains("nope"), "{msg}");
    }

    #[test]
    fn runtime_errors_go_to_err_and_other_ports_are_listed() {
        let script = "match event of case %{ slow == true } => emit event => \"slow\" \
                      case _ => event.x + 1 end";
        let r = run_json(
            script,
            "{\"slow\": true}\n{\"x\": \"a\"}\n{\"x\": 1}\n",
            "lines",
        );
        assert_eq!(r["ports"]["slow"][0]["value"]["slow"], true);
        assert_eq!(r["ports"]["out"][0]["value"], 2);
        assert!(r["ports"]["err"][0]["value"]["error"].is_string());
    }

    #[test]
    fn a_compile_error_is_a_diagnostic_and_nothing_runs() {
        let r = run_json("select nope from in into out;", "{}\n", "lines");
        assert_eq!(r["events_in"], 0);
        assert_eq!(r["diagnostics"][0]["severity"], "error");
        assert_eq!(r["diagnostics"][0]["from"]["line"], 1);
        assert_eq!(r["diagnostics"][0]["from"]["col"], 8);
        assert!(r["diagnostics"][0]["rendered"]
            .as_str()
            .unwrap()
            .contains("playground.trickle:1:8"));
    }

    #[test]
    fn ten_thousand_events_run() {
        let input: String = (0..10_000).map(|i| format!("{{\"i\":{i}}}\n")).collect();
        let r = run_json(
            "select event.i from in where event.i % 2 == 0 into out;",
            &input,
            "lines",
        );
        assert_eq!(r["events_in"], 10_000);
        assert_eq!(r["ports"]["out"].as_array().unwrap().len(), 5_000);
    }
}
