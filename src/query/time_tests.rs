//! Event time through the executor (SPEC §7.1): per-stream watermarks, the select's
//! watermark over streams, `end_stream`, idle streams, ticks and drain, with events
//! of several streams as the `steps` runner and the peers send them.

use crate::event::{Event, EventId, Signal};
use crate::exec::Executor;
use crate::testkit::compile_text;
use crate::value::parse_json;

/// Sends `json` on stream `stream` of peer `in` with ingest time `ns`.
fn send(ex: &mut Executor, stream: u64, n: u64, ns: u64, json: &str, out: &mut Vec<String>) {
    let ev = Event {
        data: parse_json(json).unwrap(),
        ingest_ns: ns,
        id: EventId {
            peer: "in".into(),
            stream,
            event: n,
        },
        ..Event::default()
    };
    let mut got = Vec::new();
    ex.send("in", ev, &mut got);
    out.extend(
        got.into_iter()
            .map(|(p, e)| format!("{p} {}", e.data.encode())),
    );
}

fn signal(ex: &mut Executor, s: Signal, out: &mut Vec<String>) {
    let mut got = Vec::new();
    ex.signal(&s, &mut got);
    out.extend(
        got.into_iter()
            .map(|(p, e)| format!("{p} {}", e.data.encode())),
    );
}

fn end(stream: u64) -> Signal {
    Signal::EndStream {
        peer: "in".into(),
        stream,
    }
}

const PER_STREAM: &str = r#"
define window w from tumbling with interval = 10, time = event.ts end;
select {"s": group[0], "from": aggr::win::start(), "n": aggr::stats::count()}
from in[w] group by set(stream_id()) into out;
"#;

#[test]
fn groups_keyed_by_their_stream_close_on_its_own_watermark() {
    let mut ex = compile_text(PER_STREAM).unwrap().executor();
    let mut out = Vec::new();
    send(&mut ex, 0, 0, 0, r#"{"ts": 1}"#, &mut out);
    send(&mut ex, 1, 0, 1, r#"{"ts": 2}"#, &mut out);
    // stream 0 moves on; stream 1 is far behind, but its window is its own business
    send(&mut ex, 0, 1, 2, r#"{"ts": 15}"#, &mut out);
    assert_eq!(out, vec![r#"out {"s":0,"from":0,"n":1}"#]);
    // stream 1's end is an infinite watermark for its groups only
    signal(&mut ex, end(1), &mut out);
    assert_eq!(out[1], r#"out {"s":1,"from":0,"n":1}"#);
    assert_eq!(out.len(), 2);
    signal(&mut ex, Signal::Drain, &mut out);
    assert_eq!(out[2], r#"out {"s":0,"from":10,"n":1}"#);
    assert_eq!(out.len(), 3);
}

const SHARED: &str = r#"
define window w from tumbling with interval = 10, time = event.ts, idle = 100 end;
select {"from": aggr::win::start(), "n": aggr::stats::count()} from in[w] into out;
"#;

#[test]
fn the_select_watermark_is_the_minimum_of_open_streams() {
    let mut ex = compile_text(SHARED).unwrap().executor();
    let mut out = Vec::new();
    send(&mut ex, 0, 0, 0, r#"{"ts": 1}"#, &mut out);
    send(&mut ex, 1, 0, 1, r#"{"ts": 3}"#, &mut out);
    send(&mut ex, 0, 1, 2, r#"{"ts": 25}"#, &mut out);
    // stream 1 (at 3) holds [0, 10) open
    assert!(out.is_empty(), "{out:?}");
    send(&mut ex, 1, 1, 3, r#"{"ts": 12}"#, &mut out);
    assert_eq!(out, vec![r#"out {"from":0,"n":2}"#]);
    // ending stream 1 removes it from the minimum: stream 0 (25) closes [10, 20)
    signal(&mut ex, end(1), &mut out);
    assert_eq!(out[1], r#"out {"from":10,"n":1}"#);
    assert_eq!(out.len(), 2);
}

#[test]
fn an_idle_stream_stops_holding_the_watermark_back() {
    let mut ex = compile_text(SHARED).unwrap().executor();
    let mut out = Vec::new();
    send(&mut ex, 0, 0, 0, r#"{"ts": 1}"#, &mut out);
    send(&mut ex, 1, 0, 50, r#"{"ts": 30}"#, &mut out);
    assert!(out.is_empty());
    // stream 0 sent nothing since 0: at processing time 100 it is idle
    signal(&mut ex, Signal::Tick(99), &mut out);
    assert!(out.is_empty());
    signal(&mut ex, Signal::Tick(100), &mut out);
    assert_eq!(out, vec![r#"out {"from":0,"n":1}"#]);
    // when it sends again it counts again, but the watermark never goes back
    send(&mut ex, 0, 1, 120, r#"{"ts": 2}"#, &mut out);
    assert!(out[1].starts_with(r#"err {"error":"late event"#), "{out:?}");
}

#[test]
fn ingest_time_hopping_windows_move_on_ticks() {
    let q = r#"
define window w from sliding with interval = 20, hop = 10 end;
select {"from": aggr::win::start(), "n": aggr::stats::count()} from in[w] into out;
"#;
    let mut ex = compile_text(q).unwrap().executor();
    let mut out = Vec::new();
    send(&mut ex, 0, 0, 5, "1", &mut out);
    signal(&mut ex, Signal::Tick(9), &mut out);
    assert!(out.is_empty());
    signal(&mut ex, Signal::Tick(10), &mut out);
    assert_eq!(out, vec![r#"out {"from":-10,"n":1}"#]);
    signal(&mut ex, Signal::Tick(25), &mut out);
    assert_eq!(out[1], r#"out {"from":0,"n":1}"#);
    assert_eq!(out.len(), 2);
}

#[test]
fn closed_windows_and_their_groups_are_dropped() {
    let q = r#"
define window w from session with gap = 10, time = event.ts end;
select {"u": group[0], "n": aggr::stats::count()} from in[w] group by event.u into out;
"#;
    let mut ex = compile_text(q).unwrap().executor();
    let mut out = Vec::new();
    for i in 0..1000u64 {
        let json = format!(r#"{{"u": {}, "ts": {}}}"#, i % 100, i * 3);
        send(&mut ex, 0, i, i, &json, &mut out);
    }
    // every user's session closed as the clock moved on: only the last ones are open
    assert!(out.len() >= 900, "{}", out.len());
    assert!(ex.held_groups() <= 5, "{}", ex.held_groups());
    signal(&mut ex, Signal::Drain, &mut out);
    assert_eq!(ex.held_groups(), 0);
    assert_eq!(out.len(), 1000);
}

#[test]
fn a_session_that_moved_its_end_closes_in_order_of_its_new_end() {
    let q = r#"
define window w from session with gap = 10, time = event.ts end;
select {"u": group[0], "n": aggr::stats::count(), "end": aggr::win::end()}
from in[w] group by event.u into out;
"#;
    let mut ex = compile_text(q).unwrap().executor();
    let mut out = Vec::new();
    // a's session is armed for 10 when it opens, then ends at 24; b's ends at 22
    for (i, (u, ts)) in [("a", 0), ("a", 5), ("a", 10), ("b", 12), ("a", 14)]
        .into_iter()
        .enumerate()
    {
        let json = format!(r#"{{"u": "{u}", "ts": {ts}}}"#);
        send(&mut ex, 0, i as u64, i as u64, &json, &mut out);
    }
    assert!(out.is_empty(), "{out:?}");
    send(&mut ex, 0, 5, 5, r#"{"u": "c", "ts": 23}"#, &mut out);
    assert_eq!(out, vec![r#"out {"u":"b","n":1,"end":22}"#]);
    send(&mut ex, 0, 6, 6, r#"{"u": "c", "ts": 40}"#, &mut out);
    assert_eq!(out[1], r#"out {"u":"a","n":4,"end":24}"#);
    assert_eq!(out[2], r#"out {"u":"c","n":1,"end":33}"#);
    assert_eq!(out.len(), 3);
}

#[test]
fn a_session_taking_event_after_event_keeps_its_timers_bounded() {
    let q = r#"
define window w from session with gap = 1000000, time = event.ts end;
select {"u": group[0], "n": aggr::stats::count()} from in[w] group by event.u into out;
"#;
    let mut ex = compile_text(q).unwrap().executor();
    let mut out = Vec::new();
    let mut most = 0;
    for i in 0..20_000u64 {
        // two users, each extending its one open session (a new timer each time)
        let json = format!(r#"{{"u": {}, "ts": {}}}"#, i % 2, i);
        send(&mut ex, 0, i, i, &json, &mut out);
        most = most.max(ex.held_timers());
    }
    assert!(out.is_empty(), "{out:?}");
    // a session keeps the timer it has while it takes events, and the one later
    // timer it pushed at its second event: two each
    assert_eq!(most, 4);
    signal(&mut ex, Signal::Drain, &mut out);
    assert_eq!(
        out,
        vec![r#"out {"u":0,"n":10000}"#, r#"out {"u":1,"n":10000}"#]
    );
    assert_eq!(ex.held_timers(), 0);
}

#[test]
fn streams_that_came_and_went_leave_nothing_behind() {
    // A server's connections: each a stream that starts, sends, and ends. The
    // select keeps the watermarks of the open ones only.
    let mut ex = compile_text(PER_STREAM).unwrap().executor();
    let mut out = Vec::new();
    send(&mut ex, 0, 0, 0, r#"{"ts": 1}"#, &mut out);
    for s in 1..5_000u64 {
        let start = Signal::StartStream {
            peer: "in".into(),
            stream: s,
        };
        signal(&mut ex, start, &mut out);
        send(&mut ex, s, 0, s, r#"{"ts": 3}"#, &mut out);
        signal(&mut ex, end(s), &mut out);
    }
    // each ended stream's window closed as it ended; stream 0's is still open
    assert_eq!(out.len(), 4_999);
    assert_eq!(out[0], r#"out {"s":1,"from":0,"n":1}"#);
    assert_eq!(ex.held_streams(), 1);
    assert_eq!(ex.held_groups(), 1);
    assert_eq!(ex.held_timers(), 1);
    // a number used again is a new stream, on its own clock from its first event
    send(&mut ex, 7, 0, 5_000, r#"{"ts": 4}"#, &mut out);
    assert_eq!(out.len(), 4_999, "{:?}", out.last());
    signal(&mut ex, end(7), &mut out);
    assert_eq!(out[4_999], r#"out {"s":7,"from":0,"n":1}"#);
    assert_eq!(ex.held_streams(), 1);
}

#[test]
fn batches_per_connection_over_thousands_of_connections() {
    // SPEC §4's batching per connection, with many connections open at once: each
    // batch of 2 evicts its group, each end flushes that stream's last one.
    let q = r#"
define window by_2 from tumbling with size = 2 end;
select aggr::win::collect_flattened(event) from in[by_2]
group by [source_id(), stream_id()] into out;
"#;
    let mut ex = compile_text(q).unwrap().executor();
    let mut out = Vec::new();
    let streams = 3_000u64;
    for round in 0..3u64 {
        for s in 0..streams {
            let json = format!("[{s}, {round}]");
            send(&mut ex, s, round, round * streams + s, &json, &mut out);
        }
        assert_eq!(ex.held_groups(), if round == 1 { 0 } else { 3_000 });
    }
    assert_eq!(out.len(), 3_000);
    assert_eq!(out[7], "out [[7,0],[7,1]]");
    // Ending streams in another order than they opened: each flushes its own.
    for s in (0..streams).rev() {
        signal(&mut ex, end(s), &mut out);
        assert_eq!(out.last().unwrap(), &format!("out [[{s},2]]"));
    }
    assert_eq!(out.len(), 6_000);
    assert_eq!(ex.held_groups(), 0);
}

#[test]
fn a_tick_closes_windows_of_many_stream_clocks_in_emission_order() {
    // Hopping windows on ingest time, a group per stream, each on its stream's
    // clock: a tick moves every clock at once, and the windows closing together
    // emit by end, then group creation order, then start (SPEC §7.1).
    let q = r#"
define window w from sliding with interval = 10, hop = 5 end;
select [group[0], aggr::win::start()] from in[w] group by set(stream_id()) into out;
"#;
    let mut ex = compile_text(q).unwrap().executor();
    let mut out = Vec::new();
    for (n, stream) in [2u64, 0, 1].into_iter().enumerate() {
        send(&mut ex, stream, 0, n as u64 + 1, "{}", &mut out);
    }
    assert!(out.is_empty(), "{out:?}");
    signal(&mut ex, Signal::Tick(20), &mut out);
    assert_eq!(
        out,
        [
            "out [2,-5]",
            "out [0,-5]",
            "out [1,-5]",
            "out [2,0]",
            "out [0,0]",
            "out [1,0]"
        ]
    );
}
