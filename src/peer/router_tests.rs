//! The executor side of a peer run without sockets: events get ids and lineage,
//! server sinks route by them, ended streams fail, and `end_stream` closes a
//! stream only after what it flushed was routed.

use super::*;
use crate::peer::kind::stdio::Output;
use crate::peer::kind::{Direct, Replay, Settled, SharedStreams, Streams, UpstreamSignal};
use crate::peer::runtime::{metrics_table, output_peer, Peer, Sink};
use crate::testkit::compile_text;
use std::io::Write;
use std::sync::{Arc, Mutex};

struct Setup {
    exec: Exec<'static>,
    streams: SharedStreams,
    rx: Vec<crate::peer::kind::Inbox>,
}

/// Index of the run's `out` in [`setup`]'s peers (`err` follows).
const OUT: usize = 2;

/// A server peer `s` (index 0) with streams 0 and 1 open, the input `in` (index 1),
/// and the run's `out` and `err` writing nowhere.
fn setup(query: &str) -> Setup {
    let out = Direct::new(Box::new(std::io::sink()), 64 * 1024, true);
    setup_writing(query, out)
}

/// [`setup`] with the run's `out` written by `out` and `err` into `err`.
fn setup_writing(query: &str, out: Direct) -> Setup {
    setup_with(
        query,
        out,
        Direct::new(Box::new(std::io::sink()), 1024, false),
    )
}

fn setup_with(query: &str, out: Direct, err: Direct) -> Setup {
    let q = compile_text(query).unwrap_or_else(|e| panic!("{e}"));
    let mut streams = Streams::default();
    let mut rx = Vec::new();
    for id in 0..2 {
        let (tx, r) = crate::peer::kind::queue();
        streams.open.insert(id, tx);
        rx.push(r);
    }
    streams.next = 2;
    let streams: SharedStreams = Arc::new(std::sync::Mutex::new(streams));
    let peer = |spec: crate::peer::spec::PeerSpec, sink| {
        let mut p = Peer::new(Arc::new(spec), Arc::default(), Arc::default());
        p.sink = sink;
        p.source = true;
        p
    };
    let mut input = q.peers[0].clone();
    input.name = "in".into();
    let peers = vec![
        peer(q.peers[0].clone(), Sink::Server(streams.clone())),
        peer(input, Sink::None),
        output_peer("out", Arc::new(Output::Stdout), out),
        output_peer("err", Arc::new(Output::Stderr), err),
    ];
    let q_graph = q.graph().clone();
    let exec = Exec::new(Box::new(q.executor()), &q_graph, peers, true, true);
    Setup { exec, streams, rx }
}

fn events(peer: usize, stream: u64, values: &[i64]) -> ToGraph {
    ToGraph::Events {
        peer,
        stream,
        items: values.iter().map(|v| Ok(Value::from(*v))).collect(),
        meta: Value::record(),
        extra: Vec::new(),
    }
}

fn drain(rx: &mut crate::peer::kind::Inbox) -> Vec<(String, u64, u64, u64)> {
    let mut got = Vec::new();
    while let Ok(ev) = rx.try_recv() {
        let id = ev.id;
        got.push((ev.data.encode(), id.stream, id.event, ev.ingest_ns));
    }
    got
}

const SERVER: &str = r#"
define peer s from tcp_server with config = {"port": 1} end;
create peer s;
"#;

#[test]
fn responses_follow_the_event_id_to_their_stream() {
    let mut s = setup(&format!("{SERVER}select event from s into s;"));
    for stream in 0..2 {
        s.exec.handle(ToGraph::Start { peer: 0, stream });
    }
    s.exec.handle(events(0, 1, &[10, 11]));
    s.exec.handle(events(0, 0, &[20]));
    assert_eq!(
        drain(&mut s.rx[1]),
        [("10".into(), 1, 0, 0), ("11".into(), 1, 1, 1)]
    );
    assert_eq!(drain(&mut s.rx[0]), [("20".into(), 0, 0, 2)]);
    let m = s.exec.peers[0].metrics.totals();
    assert_eq!((m[0], m[1]), (3, 3), "in and out");
}

#[test]
fn events_naming_no_stream_go_to_every_open_stream() {
    let mut s = setup(&format!("{SERVER}select event from in into s;"));
    s.exec.handle(events(1, 0, &[7]));
    assert_eq!(drain(&mut s.rx[0]).len(), 1);
    assert_eq!(drain(&mut s.rx[1]).len(), 1);
}

#[test]
fn a_stream_closes_after_its_end_flushed_windows() {
    let q = format!(
        "{SERVER}define window two from tumbling with size = 2 end;\n\
         select aggr::win::collect_flattened(event) from s[two] \
         group by [source_id(), stream_id()] into s;"
    );
    let mut s = setup(&q);
    s.exec.handle(ToGraph::Start { peer: 0, stream: 1 });
    s.exec.handle(events(0, 1, &[1, 2, 3]));
    assert_eq!(drain(&mut s.rx[1])[0].0, "[1,2]");
    s.exec.handle(ToGraph::End { peer: 0, stream: 1 });
    // The partial batch went out on stream 1 before it was closed.
    assert_eq!(drain(&mut s.rx[1])[0].0, "[3]");
    assert!(!s.streams.lock().unwrap().open.contains_key(&1));
    assert!(s.streams.lock().unwrap().open.contains_key(&0));
}

#[test]
fn events_for_an_ended_stream_are_errors() {
    let q = format!(
        "{SERVER}define window two from tumbling with size = 2 end;\n\
         select aggr::win::collect_flattened(event) from s[two] into s;"
    );
    let mut s = setup(&q);
    s.exec.handle(ToGraph::Start { peer: 0, stream: 0 });
    s.exec.handle(ToGraph::Start { peer: 0, stream: 1 });
    s.exec.handle(events(0, 1, &[1]));
    s.exec.handle(ToGraph::End { peer: 0, stream: 1 });
    s.exec.handle(events(0, 0, &[2]));
    // The batch's lineage names both streams: 0 gets it, 1 has ended.
    assert_eq!(drain(&mut s.rx[0])[0].0, "[1,2]");
    assert!(drain(&mut s.rx[1]).is_empty());
    assert_eq!(s.exec.peers[0].metrics.totals()[2], 1, "err");
    assert_eq!(s.exec.peers[0].metrics.streams()[&1][2], 1);
}

#[test]
fn undecodable_input_becomes_an_error_record() {
    let mut s = setup(&format!(
        "{SERVER}select event from s into s;\nselect event from s/err into out;"
    ));
    s.exec.peers[0].err_connected = true;
    s.exec.handle(ToGraph::Events {
        peer: 0,
        stream: 0,
        items: vec![Err((
            "json codec: bad".into(),
            crate::peer::raw::Raw::of(b"{x"),
        ))],
        meta: Value::record(),
        extra: Vec::new(),
    });
    // Counted once written.
    s.exec.flush();
    assert_eq!(
        s.exec.peers[OUT].metrics.totals()[0],
        1,
        "one record reached `out`"
    );
}

fn settled(peer: &str, stream: u64, event: u64) -> Settled {
    let id = EventId {
        peer: peer.into(),
        stream,
        event,
    };
    Settled {
        id: id.clone(),
        ingest_ns: 0,
        lineage: [id].into(),
    }
}

#[test]
fn backpressure_pause_halts_the_source_until_an_ack() {
    let mut s = setup(&format!(
        "{SERVER}define operator bp from qos::backpressure with timeout = 1000000000, method = \"pause\" end;\n\
         create operator bp;\nselect event from in into bp;\nselect event from bp into s;"
    ));
    s.exec.handle(events(1, 0, &[1]));
    assert!(s.exec.peers[1].gate.is_open(0));
    s.exec.handle(ToGraph::Failed {
        peer: 0,
        error: "gone".into(),
        event: Value::from(1),
        settled: settled("in", 0, 0),
        retry: true,
    });
    assert!(!s.exec.peers[1].gate.is_open(0), "halted after a fail");
    s.exec.handle(ToGraph::Acked {
        peer: 0,
        events: vec![settled("in", 0, 1)],
        plain: 0,
    });
    assert!(s.exec.peers[1].gate.is_open(0), "ready after a timely ack");
}

#[test]
fn a_source_halts_when_every_sink_it_feeds_is_halted() {
    let mut s = setup(&format!("{SERVER}select event from in into s;"));
    s.exec.peers[1].feeds = vec![0];
    s.exec.handle(ToGraph::Breaker {
        peer: 0,
        halted: true,
    });
    assert!(!s.exec.peers[1].gate.is_open(0));
    // Feeding `out` as well, it never halts.
    s.exec.peers[1].feeds_other = true;
    s.exec.handle(ToGraph::Breaker {
        peer: 0,
        halted: true,
    });
    assert!(s.exec.peers[1].gate.is_open(0));
    s.exec.peers[1].feeds_other = false;
    s.exec.handle(ToGraph::Breaker {
        peer: 0,
        halted: false,
    });
    assert!(s.exec.peers[1].gate.is_open(0));
}

#[test]
fn acks_and_retryable_fails_reach_a_replayable_source() {
    let mut s = setup(&format!("{SERVER}select event from in into s;"));
    let (tx, mut rx) = mpsc::unbounded_channel();
    s.exec.peers[1].replay = Some(tx);
    s.exec.handle(events(1, 0, &[1, 2]));
    assert_eq!(s.exec.peers[0].outstanding, 4, "two events on two streams");
    s.exec.handle(ToGraph::Eof { peer: 1, fails: 0 });
    assert!(s.exec.peers[1].eof);
    s.exec.handle(ToGraph::Acked {
        peer: 0,
        events: vec![settled("in", 0, 0)],
        plain: 0,
    });
    s.exec.handle(ToGraph::Failed {
        peer: 0,
        error: "dropped".into(),
        event: Value::from(2),
        settled: settled("in", 0, 1),
        retry: true,
    });
    assert_eq!(rx.try_recv().unwrap(), Replay::Ack { stream: 0, seq: 0 });
    assert_eq!(rx.try_recv().unwrap(), Replay::Fail { stream: 0, seq: 1 });
    assert!(!s.exec.peers[1].eof, "a fail after the end: not done yet");
    assert_eq!(s.exec.peers[0].outstanding, 2);
    // The source saw it (an Eof counting one fail): done again.
    s.exec.handle(ToGraph::Eof { peer: 1, fails: 0 });
    assert!(
        !s.exec.peers[1].eof,
        "an Eof sent before the fail does not count"
    );
    s.exec.handle(ToGraph::Eof { peer: 1, fails: 1 });
    assert!(s.exec.peers[1].eof);
}

/// A result acked along a lineage that names events acked before (a sliding
/// window's) tells the source of the new ones only; a lineage out of order, or
/// a source that cannot replay, changes nothing of that.
#[test]
fn each_event_is_acked_to_its_source_once() {
    let mut s = setup(&format!("{SERVER}select event from in into s;"));
    let (tx, mut rx) = mpsc::unbounded_channel();
    s.exec.peers[1].replay = Some(tx);
    let acked = |ids: &[(&str, u64)]| Settled {
        id: crate::testkit::id("in", 0, 0),
        ingest_ns: 0,
        lineage: ids
            .iter()
            .map(|&(peer, n)| crate::testkit::id(peer, 0, n))
            .collect(),
    };
    let mut ack = |ids: &[(&str, u64)]| {
        s.exec.handle(ToGraph::Acked {
            peer: 0,
            events: vec![acked(ids)],
            plain: 0,
        });
        let mut got = Vec::new();
        while let Ok(Replay::Ack { seq, .. }) = rx.try_recv() {
            got.push(seq);
        }
        got
    };
    assert_eq!(ack(&[("in", 0), ("in", 1)]), [0, 1]);
    assert_eq!(ack(&[("in", 0), ("in", 1), ("in", 2)]), [2]);
    // Out of order: 4 before 3 is acked, and again later (acks are idempotent).
    assert_eq!(ack(&[("in", 4)]), [4]);
    assert_eq!(ack(&[("in", 1), ("in", 3), ("in", 4)]), [3, 4]);
    assert_eq!(ack(&[("in", 3), ("in", 4), ("s", 9)]), Vec::<u64>::new());
    // Merged lineages need not ascend: every number not below 5 is acked.
    assert_eq!(ack(&[("in", 2), ("in", 8), ("in", 4), ("in", 6)]), [8, 6]);
}

#[test]
fn a_stream_is_read_once_its_per_stream_followers_are_ready() {
    let mut s = setup(&format!("{SERVER}select event from s into s;"));
    s.exec.peers[0].gate.require_ready(1);
    assert!(!s.exec.peers[0].gate.is_open(3));
    s.exec.handle(ToGraph::Upstream {
        upstream: "s".into(),
        stream: 3,
        signal: UpstreamSignal::Ready,
    });
    assert!(s.exec.peers[0].gate.is_open(3));
    s.exec.handle(ToGraph::Upstream {
        upstream: "s".into(),
        stream: 3,
        signal: UpstreamSignal::Halt,
    });
    assert!(!s.exec.peers[0].gate.is_open(3));
}

/// Bytes a test reads back, or a writer whose reader has gone (`| head -1`).
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>, bool);

impl Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if self.1 {
            return Err(std::io::ErrorKind::BrokenPipe.into());
        }
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Shared {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

#[test]
fn out_and_err_are_peers_the_executor_writes_and_counts() {
    let (out, err) = (Shared::default(), Shared::default());
    let mut s = setup_with(
        &format!("{SERVER}select event from in where event > 1 into out;\nselect event from in where event < 2 into err;"),
        Direct::new(Box::new(out.clone()), 64 * 1024, true),
        Direct::new(Box::new(err.clone()), 1024, false),
    );
    s.exec.handle(events(1, 0, &[1, 2, 3]));
    assert_eq!(out.text(), "", "gathered until the flush");
    s.exec.flush();
    assert_eq!(out.text(), "2\n3\n");
    assert_eq!(err.text(), "1\n");
    let table = metrics_table(&s.exec.peers);
    let row = |name: &str| -> Vec<String> {
        let line = table.lines().find(|l| l.starts_with(&format!("{name} ")));
        line.unwrap_or_else(|| panic!("{table}"))
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    assert_eq!(row("out"), ["out", "2", "0", "0", "2", "0"], "{table}");
    assert_eq!(row("err"), ["err", "1", "0", "0", "1", "0"], "{table}");
    let names: Vec<&str> = table
        .lines()
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(names, ["peer", "s", "in", "out", "err", "total"]);
}

#[test]
fn a_failed_write_of_out_stops_the_run_with_exit_3() {
    let broken = Shared(Arc::default(), true);
    // Written at once, so the first event already finds the pipe closed.
    let out = Direct::new(Box::new(broken), 1, true);
    let mut s = setup_writing(&format!("{SERVER}select event from in into out;"), out);
    let (tx, mut rx) = mpsc::channel(4);
    tx.try_send(events(1, 0, &[1])).unwrap();
    tx.try_send(events(1, 0, &[2])).unwrap();
    // The run stops although its sources have not ended.
    assert_eq!(s.exec.main_loop(&mut rx), 3);
    assert_eq!(s.exec.end_outputs(0), 3);
    // Reported once.
    assert_eq!(s.exec.end_outputs(0), 0);
}

#[test]
fn a_failed_write_of_err_is_not_a_failed_run() {
    let broken = Shared(Arc::default(), true);
    let err = Direct::new(Box::new(broken), 1, false);
    let out = Direct::new(Box::new(std::io::sink()), 1, true);
    let mut s = setup_with(&format!("{SERVER}select event from in into err;"), out, err);
    s.exec.handle(events(1, 0, &[1]));
    s.exec.flush();
    assert_eq!(s.exec.end_outputs(0), 0);
    assert_eq!(s.exec.peers[OUT + 1].metrics.totals()[0], 1);
}
