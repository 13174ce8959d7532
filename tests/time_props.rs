//! Property tests of event-time and sliding windows (SPEC §7): arbitrary window
//! configurations, out-of-order times over several streams and groups, ticks,
//! stream ends and a drain. Nothing panics; every event is accounted for (in a
//! window's count, late, or an error); memory is bounded by the open windows (after
//! the drain no group is held, and while running never more groups than keys).
//! The case count follows `PROPTEST_CASES`.

use proptest::prelude::*;
use trickle::compile::ModulePath;
use trickle::diag::{render_all, SourceMap};
use trickle::event::{Event, EventId, Signal};
use trickle::exec::Query;
use trickle::query::compile_query;
use trickle::value::{parse_json, Value};

#[derive(Debug, Clone)]
enum Kind {
    Tumbling(u64),
    Hopping(u64, u64),
    Session(u64, Option<u64>),
    Sliding(u64),
}

#[derive(Debug, Clone)]
struct Config {
    kind: Kind,
    delay: u64,
    lateness: u64,
    idle: Option<u64>,
    late_stream: bool,
    by_stream: bool,
}

fn config() -> impl Strategy<Value = Config> {
    let kind = prop_oneof![
        (1u64..50).prop_map(Kind::Tumbling),
        (1u64..10, 1u64..5).prop_map(|(h, k)| Kind::Hopping(h * k, h)),
        (1u64..30, prop::option::of(0u64..40))
            .prop_map(|(g, m)| Kind::Session(g, m.map(|m| g + m))),
        (1u64..20).prop_map(Kind::Sliding),
    ];
    (
        kind,
        0u64..20,
        0u64..30,
        prop::option::of(1u64..50),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(kind, delay, lateness, idle, late_stream, by_stream)| Config {
                kind,
                delay,
                lateness,
                idle,
                late_stream,
                by_stream,
            },
        )
}

fn query_text(c: &Config) -> String {
    let time_keys = format!(
        ", time = event.ts, delay = {}, lateness = {}{}{}",
        c.delay,
        c.lateness,
        c.idle.map_or(String::new(), |i| format!(", idle = {i}")),
        if c.late_stream {
            r#", late = "too_late""#
        } else {
            ""
        }
    );
    let def = match c.kind {
        Kind::Tumbling(i) => format!("tumbling with interval = {i}{time_keys}"),
        Kind::Hopping(i, h) => format!("sliding with interval = {i}, hop = {h}{time_keys}"),
        Kind::Session(g, m) => format!(
            "session with gap = {g}{}{time_keys}",
            m.map_or(String::new(), |m| format!(", max_duration = {m}"))
        ),
        Kind::Sliding(n) => format!("sliding with size = {n}, time = event.ts"),
    };
    let group = if c.by_stream {
        "set(event.g, stream_id())"
    } else {
        "set(event.g)"
    };
    let late = if c.late_stream && !matches!(c.kind, Kind::Sliding(_)) {
        "create stream too_late;\nselect {\"late\": event} from too_late into out;\n"
    } else {
        ""
    };
    format!(
        "define window w from {def} end;\n{late}select {{\"n\": aggr::stats::count(), \"from\": aggr::win::start(), \"to\": aggr::win::end()}} from in[w] group by {group} into out;\n"
    )
}

fn compile(text: &str) -> Query {
    let mut sources = SourceMap::new();
    let file = sources.add("p.trickle", text);
    match compile_query(&mut sources, file, &ModulePath::default()) {
        Ok(q) => q.value,
        Err(d) => panic!("{text}\n{}", render_all(&d, &sources)),
    }
}

#[derive(Debug, Clone)]
enum Step {
    Event { stream: u64, g: u8, ts: i64 },
    Tick(u64),
    End(u64),
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        8 => (0u64..3, 0u8..4, -20i64..200).prop_map(|(stream, g, ts)| Step::Event { stream, g, ts }),
        1 => (0u64..50).prop_map(Step::Tick),
        1 => (0u64..3).prop_map(Step::End),
    ];
    prop::collection::vec(step, 0..120)
}

proptest! {
    #[test]
    fn windows_account_for_every_event(c in config(), steps in steps()) {
        let text = query_text(&c);
        let q = compile(&text);
        let mut ex = q.executor();
        let mut out = Vec::new();
        let (mut sent, mut now, mut seq) = (0u64, 0u64, [0u64; 3]);
        let mut keys = std::collections::HashSet::new();
        for s in &steps {
            match s {
                Step::Event { stream, g, ts } => {
                    now += 1;
                    sent += 1;
                    keys.insert((*g, *stream));
                    let data = parse_json(&format!(r#"{{"g": {g}, "ts": {ts}}}"#)).unwrap();
                    let id = EventId { peer: "in".into(), stream: *stream, event: seq[*stream as usize] };
                    seq[*stream as usize] += 1;
                    ex.send("in", Event { data, ingest_ns: now, id, ..Event::default() }, &mut out);
                }
                Step::Tick(d) => {
                    now += d;
                    ex.signal(&Signal::Tick(now), &mut out);
                }
                Step::End(stream) => ex.signal(&Signal::EndStream { peer: "in".into(), stream: *stream }, &mut out),
            }
            prop_assert!(ex.held_groups() <= keys.len(), "{} groups for {} keys", ex.held_groups(), keys.len());
        }
        ex.signal(&Signal::Drain, &mut out);
        if !matches!(c.kind, Kind::Sliding(_)) {
            prop_assert_eq!(ex.held_groups(), 0);
        }
        let (mut counted, mut late, mut errors) = (0i64, 0u64, 0u64);
        for (port, ev) in &out {
            let d = &ev.data;
            if port == "err" {
                let text = d.get("error").and_then(Value::as_str).unwrap_or_default();
                prop_assert!(text.starts_with("late event"), "{}", text);
                errors += 1;
            } else if d.get("late").is_some() {
                late += 1;
            } else {
                prop_assert_eq!(port.as_str(), "out");
                counted += d.get("n").and_then(Value::as_i64).unwrap_or(0);
                let (from, to) = (d.get("from").and_then(Value::as_i64), d.get("to").and_then(Value::as_i64));
                prop_assert!(from.is_some() && to.is_some(), "{}", d);
            }
        }
        prop_assert!(c.late_stream || late == 0);
        // Without lateness (no re-emission) every event of a tumbling window or a
        // session is counted exactly once, or late.
        let exact = c.lateness == 0 && matches!(c.kind, Kind::Tumbling(_) | Kind::Session(..));
        if exact {
            prop_assert_eq!(counted as u64 + late + errors, sent, "{}", text);
        }
        if let Kind::Sliding(_) = c.kind {
            prop_assert_eq!(out.len() as u64, sent);
        }
    }
}
