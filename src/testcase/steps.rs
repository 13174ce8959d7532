//! The `steps` file of a test case (SPEC §9): a virtual clock, one JSON object per
//! line, so that streams, signals and time can be tested exactly. This module holds
//! the step type, its parser (errors name the line) and its writer; the test runner,
//! the REPL's `:steps` and `trickle run --record` all go through it, so what a run
//! records is exactly what a case reads back.
//!
//! ```text
//! {"event": V, "stream": S, "peer": P, "ingest_ns": T}   stream, peer, ingest_ns optional
//! {"start_stream": S, "peer": P}                          peer optional
//! {"end_stream": S, "peer": P}                            peer optional
//! {"tick": T}                                             processing time moves to T
//! {"drain": true}
//! ```

use crate::value::{parse_json, Value};

/// The peer an event enters through when a step names none (the CLI input).
pub const DEFAULT_PEER: &str = "in";

/// One line of a `steps` file.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// `{"event": V, "stream": S, "peer": P, "ingest_ns": T}`; `ingest_ns` `None`
    /// means the event's index among the events (`--clock index`).
    Event {
        data: Value,
        peer: String,
        stream: u64,
        ingest_ns: Option<u64>,
    },
    /// `{"start_stream": S, "peer": P}`
    StartStream { peer: String, stream: u64 },
    /// `{"end_stream": S, "peer": P}`
    EndStream { peer: String, stream: u64 },
    /// `{"tick": T}`: processing time moves to T (ns) and a tick signal is sent.
    Tick(u64),
    /// `{"drain": true}`
    Drain,
}

/// A step and the 1-based line of the file it came from (for error messages).
#[derive(Debug, Clone, PartialEq)]
pub struct Numbered {
    pub line: usize,
    pub step: Step,
}

/// Parses a `steps` file: one JSON object per non-blank line. The error names the
/// line and what is wrong with it.
pub fn parse_steps(text: &str) -> Result<Vec<Numbered>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            parse_step(l)
                .map(|step| Numbered { line: n + 1, step })
                .map_err(|e| format!("line {}: {e}", n + 1))
        })
        .collect()
}

/// The kinds of step, by the key that makes a line that kind.
const KINDS: &[&str] = &["event", "start_stream", "end_stream", "tick", "drain"];

/// Parses one line.
pub fn parse_step(line: &str) -> Result<Step, String> {
    let value = parse_json(line).map_err(|e| format!("invalid JSON: {e}"))?;
    let Some(record) = value.as_record() else {
        return Err(format!(
            "a step is a JSON object, not {} (one of {})",
            value.type_name(),
            kinds_list()
        ));
    };
    let kinds: Vec<&str> = KINDS
        .iter()
        .copied()
        .filter(|k| record.contains_key(*k))
        .collect();
    let kind = match kinds.as_slice() {
        [k] => *k,
        [] => return Err(format!("a step needs one of {}", kinds_list())),
        several => {
            return Err(format!(
                "a step has exactly one of {}, this one has {}",
                kinds_list(),
                several.join(" and ")
            ))
        }
    };
    let allowed: &[&str] = match kind {
        "event" => &["event", "stream", "peer", "ingest_ns"],
        "start_stream" | "end_stream" => &[kind_key(kind), "peer"],
        _ => &[kind_key(kind)],
    };
    if let Some(key) = record.keys().find(|k| !allowed.contains(&k.as_ref())) {
        return Err(format!(
            "unknown key `{key}` in this `{kind}` step; allowed: {}",
            allowed.join(", ")
        ));
    }
    let field = |key: &str| value.get(key);
    let peer = match field("peer") {
        None => DEFAULT_PEER.to_string(),
        Some(p) => match p.as_str() {
            Some(s) if !s.is_empty() => s.to_string(),
            _ => return Err(format!("`peer` is a peer's name, not {}", p.encode())),
        },
    };
    let int = |key: &str| -> Result<Option<u64>, String> {
        match field(key) {
            None => Ok(None),
            Some(v) => match v.as_u64().filter(|_| v.is_integer()) {
                Some(n) => Ok(Some(n)),
                None => Err(format!(
                    "`{key}` is a non-negative integer, not {}",
                    v.encode()
                )),
            },
        }
    };
    Ok(match kind {
        "event" => Step::Event {
            data: field("event").cloned().unwrap_or_default(),
            peer,
            stream: int("stream")?.unwrap_or(0),
            ingest_ns: int("ingest_ns")?,
        },
        "start_stream" => Step::StartStream {
            stream: int("start_stream")?.unwrap_or(0),
            peer,
        },
        "end_stream" => Step::EndStream {
            stream: int("end_stream")?.unwrap_or(0),
            peer,
        },
        "tick" => Step::Tick(int("tick")?.unwrap_or(0)),
        _ => match field("drain").and_then(Value::as_bool) {
            Some(true) => Step::Drain,
            _ => return Err("a drain step is `{\"drain\": true}`".to_string()),
        },
    })
}

fn kind_key(kind: &str) -> &'static str {
    KINDS
        .iter()
        .copied()
        .find(|k| *k == kind)
        .unwrap_or("event")
}

fn kinds_list() -> String {
    KINDS
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Appends an event step's line (without the newline) to `out`: what
/// [`Step::to_line`] writes, without building the step (a recording writes one per
/// event).
pub fn write_event(
    data: &Value,
    peer: &str,
    stream: u64,
    ingest_ns: Option<u64>,
    out: &mut Vec<u8>,
) {
    out.extend_from_slice(b"{\"event\":");
    data.write_json(out);
    if peer != DEFAULT_PEER {
        out.extend_from_slice(b",\"peer\":");
        Value::from(peer).write_json(out);
    }
    if stream != 0 {
        out.extend_from_slice(format!(",\"stream\":{stream}").as_bytes());
    }
    if let Some(t) = ingest_ns {
        out.extend_from_slice(format!(",\"ingest_ns\":{t}").as_bytes());
    }
    out.push(b'}');
}

impl Step {
    /// The step as one line of a `steps` file (without the newline). Defaults are
    /// left out, so a recording of the CLI input reads like a hand-written case.
    pub fn to_line(&self) -> String {
        let peer = |p: &str| {
            if p == DEFAULT_PEER {
                String::new()
            } else {
                format!(",\"peer\":{}", Value::from(p).encode())
            }
        };
        match self {
            Step::Event {
                data,
                peer,
                stream,
                ingest_ns,
            } => {
                let mut line = Vec::new();
                write_event(data, peer, *stream, *ingest_ns, &mut line);
                String::from_utf8(line).unwrap_or_default()
            }
            Step::StartStream { peer: p, stream } => {
                format!("{{\"start_stream\":{stream}{}}}", peer(p))
            }
            Step::EndStream { peer: p, stream } => {
                format!("{{\"end_stream\":{stream}{}}}", peer(p))
            }
            Step::Tick(t) => format!("{{\"tick\":{t}}}"),
            Step::Drain => "{\"drain\":true}".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Result<Step, String> {
        parse_step(line)
    }

    #[test]
    fn every_kind_parses_with_defaults() {
        assert_eq!(
            one(r#"{"event": {"a": 1}}"#).unwrap(),
            Step::Event {
                data: parse_json(r#"{"a":1}"#).unwrap(),
                peer: "in".into(),
                stream: 0,
                ingest_ns: None
            }
        );
        assert_eq!(
            one(r#"{"event": 1, "stream": 2, "peer": "up", "ingest_ns": 30}"#).unwrap(),
            Step::Event {
                data: Value::from(1u64),
                peer: "up".into(),
                stream: 2,
                ingest_ns: Some(30)
            }
        );
        assert_eq!(
            one(r#"{"start_stream": 3}"#).unwrap(),
            Step::StartStream {
                peer: "in".into(),
                stream: 3
            }
        );
        assert_eq!(
            one(r#"{"end_stream": 1, "peer": "p"}"#).unwrap(),
            Step::EndStream {
                peer: "p".into(),
                stream: 1
            }
        );
        assert_eq!(one(r#"{"tick": 100}"#).unwrap(), Step::Tick(100));
        assert_eq!(one(r#"{"drain": true}"#).unwrap(), Step::Drain);
        // `null` is an event like any other value.
        assert!(matches!(one(r#"{"event": null}"#), Ok(Step::Event { .. })));
    }

    #[test]
    fn bad_lines_say_why() {
        let cases = [
            ("{oops", "invalid JSON"),
            ("[1]", "a step is a JSON object"),
            ("{}", "a step needs one of"),
            (r#"{"event": 1, "tick": 2}"#, "exactly one of"),
            (r#"{"event": 1, "strem": 2}"#, "unknown key `strem`"),
            (r#"{"tick": 1, "peer": "x"}"#, "unknown key `peer`"),
            (
                r#"{"event": 1, "stream": -1}"#,
                "`stream` is a non-negative integer",
            ),
            (
                r#"{"event": 1, "ingest_ns": 1.5}"#,
                "`ingest_ns` is a non-negative",
            ),
            (r#"{"tick": "soon"}"#, "`tick` is a non-negative"),
            (r#"{"event": 1, "peer": 3}"#, "`peer` is a peer's name"),
            (r#"{"drain": false}"#, "drain step"),
        ];
        for (line, want) in cases {
            let err = one(line).unwrap_err();
            assert!(err.contains(want), "{line}: {err}");
        }
        let err = parse_steps("{\"tick\": 1}\n\n{\"tick\": -2}\n").unwrap_err();
        assert!(err.starts_with("line 3: "), "{err}");
    }

    #[test]
    fn written_lines_read_back_the_same() {
        let steps = [
            Step::Event {
                data: parse_json(r#"{"a":[1,2.5,"x\n"]}"#).unwrap(),
                peer: "in".into(),
                stream: 0,
                ingest_ns: None,
            },
            Step::Event {
                data: Value::from("s"),
                peer: "up \"q\"".into(),
                stream: 7,
                ingest_ns: Some(1_700_000_000_000_000_000),
            },
            Step::StartStream {
                peer: "in".into(),
                stream: 1,
            },
            Step::EndStream {
                peer: "srv".into(),
                stream: 0,
            },
            Step::Tick(5),
            Step::Drain,
        ];
        let text: String = steps.iter().map(|s| s.to_line() + "\n").collect();
        assert!(
            text.starts_with("{\"event\":{\"a\":[1,2.5,\"x\\n\"]}}\n"),
            "{text}"
        );
        let back: Vec<Step> = parse_steps(&text)
            .unwrap()
            .into_iter()
            .map(|n| n.step)
            .collect();
        assert_eq!(back, steps);
    }

    mod props {
        use super::super::*;
        use crate::testcase::Player;
        use crate::value::arb::arb_value;
        use proptest::prelude::*;

        fn arb_step() -> impl Strategy<Value = Step> {
            let peer = prop_oneof![Just("in".to_string()), "[a-z\"/]{1,6}"];
            prop_oneof![
                (
                    arb_value(),
                    peer.clone(),
                    any::<u64>(),
                    any::<Option<u64>>()
                )
                    .prop_map(|(data, peer, stream, ingest_ns)| Step::Event {
                        data,
                        peer,
                        stream,
                        ingest_ns
                    }),
                (peer.clone(), any::<u64>())
                    .prop_map(|(peer, stream)| Step::StartStream { peer, stream }),
                (peer, any::<u64>()).prop_map(|(peer, stream)| Step::EndStream { peer, stream }),
                any::<u64>().prop_map(Step::Tick),
                Just(Step::Drain),
            ]
        }

        proptest! {
            /// What the writer writes, the parser reads back the same.
            #[test]
            fn written_steps_parse_back(steps in prop::collection::vec(arb_step(), 0..8)) {
                let text: String = steps.iter().map(|s| s.to_line() + "\n").collect();
                let back: Vec<Step> = parse_steps(&text).unwrap().into_iter().map(|n| n.step).collect();
                prop_assert_eq!(back, steps);
            }

            /// Any text is either steps or a line-numbered error; any steps play or
            /// are refused, never a panic.
            #[test]
            fn any_text_parses_or_fails_cleanly(
                lines in prop::collection::vec(
                    prop_oneof![
                        ".{0,40}",
                        "\\{\"(event|tick|drain|start_stream|end_stream|stream|peer|ingest_ns)\": ?(-?[0-9]{1,20}|true|null|\"x\"|1\\.5)(, ?\"(stream|peer|ingest_ns|tick)\": ?(-?[0-9]{1,3}|\"in\"))?\\}",
                    ],
                    0..10,
                )
            ) {
                let text = lines.join("\n");
                match parse_steps(&text) {
                    Ok(steps) => {
                        let mut player = Player::new(None, Some(vec!["in".into()]));
                        for n in steps {
                            let _ = player.play(&n.step, &mut |_| {});
                        }
                        player.finish(true, &mut |_| {});
                    }
                    Err(e) => prop_assert!(e.starts_with("line "), "{}", e),
                }
            }
        }
    }
}
