//! Window marks (`Executor::mark_windows`): each result of a windowed select comes
//! with its window's name and the bounds `aggr::win::start()`/`end()` give (SPEC §7.2).

use crate::event::{Event, EventId, Signal};
use crate::exec::tilt::WindowMark;
use crate::exec::Executor;
use crate::testkit::compile_text;
use crate::value::parse_json;

/// Every output of the run as `(port, value, mark)`.
type Got = Vec<(String, String, Option<WindowMark>)>;

fn marked(q: &str) -> Executor {
    let mut ex = compile_text(q).unwrap().executor();
    ex.mark_windows();
    ex
}

/// Feeds `(ingest ns, json)` events on `in`, then drains.
fn run(ex: &mut Executor, events: &[(u64, &str)]) -> Got {
    let mut out = Vec::new();
    for (n, (ns, json)) in events.iter().enumerate() {
        let ev = Event {
            data: parse_json(json).unwrap(),
            ingest_ns: *ns,
            id: EventId {
                peer: "in".into(),
                stream: 0,
                event: n as u64,
            },
            ..Event::default()
        };
        ex.send("in", ev, &mut out);
    }
    ex.signal(&Signal::Drain, &mut out);
    let mut marks = ex.take_marks().into_iter().peekable();
    out.into_iter()
        .enumerate()
        .map(|(i, (port, ev))| {
            let mark = marks.next_if(|(j, _)| *j == i).map(|(_, m)| m);
            (port, ev.data.encode(), mark)
        })
        .collect()
}

fn mark(name: &str, start: i64, end: i64) -> Option<WindowMark> {
    Some(WindowMark {
        name: name.into(),
        start,
        end,
    })
}

#[test]
fn a_count_window_spans_its_first_event_to_its_last_plus_one() {
    let q = "define window two from tumbling with size = 2 end;\n\
             select aggr::stats::count() from in[two] into out;";
    let got = run(&mut marked(q), &[(10, "1"), (20, "2"), (30, "3")]);
    assert_eq!(
        got,
        vec![
            ("out".into(), "2".into(), mark("two", 10, 21)),
            ("out".into(), "1".into(), mark("two", 30, 31)),
        ]
    );
}

#[test]
fn a_tumbling_time_window_and_its_tilt_frame_give_their_bounds() {
    let q = "define window w from tumbling with interval = 10, time = event.t end;\n\
             define window two from tumbling with size = 2 end;\n\
             select [aggr::stats::count(), aggr::win::start()] from in[w, two] into out;";
    let events = [(0, r#"{"t": 3}"#), (1, r#"{"t": 12}"#), (2, r#"{"t": 25}"#)];
    let got = run(&mut marked(q), &events);
    let marks: Vec<_> = got
        .iter()
        .map(|(_, v, m)| (v.as_str(), m.clone()))
        .collect();
    assert_eq!(
        marks,
        vec![
            ("[1,0]", mark("w", 0, 10)),
            ("[1,10]", mark("w", 10, 20)),
            // The second window merges the first two: it spans both.
            ("[2,0]", mark("two", 0, 20)),
            ("[1,20]", mark("w", 20, 30)),
            ("[1,20]", mark("two", 20, 30)),
        ]
    );
}

#[test]
fn a_session_spans_first_start_to_last_end_and_plain_selects_are_unmarked() {
    let q = "define window s from session with gap = 5, time = event.t end;\n\
             select aggr::stats::count() from in[s] into out;\n\
             select event from in into out/plain;";
    let events = [(0, r#"{"t": 1}"#), (1, r#"{"t": 4}"#), (2, r#"{"t": 20}"#)];
    let got = run(&mut marked(q), &events);
    let windowed: Vec<_> = got.iter().filter(|(p, _, _)| p == "out").collect();
    assert_eq!(windowed.len(), 2, "{got:?}");
    assert_eq!(windowed[0].2, mark("s", 1, 9));
    assert_eq!(windowed[1].2, mark("s", 20, 25));
    assert!(got
        .iter()
        .filter(|(p, _, _)| p == "plain")
        .all(|r| r.2.is_none()));
    assert_eq!(got.iter().filter(|(p, _, _)| p == "plain").count(), 3);
}

#[test]
fn without_marking_nothing_is_marked_and_results_are_the_same() {
    let q = "define window two from tumbling with size = 2 end;\n\
             select aggr::stats::count() from in[two] into out;";
    let events = [(10, "1"), (20, "2"), (30, "3")];
    let mut plain = compile_text(q).unwrap().executor();
    let got = run(&mut plain, &events);
    assert!(got.iter().all(|r| r.2.is_none()));
    let with: Vec<_> = run(&mut marked(q), &events)
        .into_iter()
        .map(|(p, v, _)| (p, v))
        .collect();
    let without: Vec<_> = got.into_iter().map(|(p, v, _)| (p, v)).collect();
    assert_eq!(with, without);
}
