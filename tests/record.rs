//! `trickle run --record FILE` (SPEC §8, §9): a live run's recording, fed back
//! through `trickle test` as a case whose `out` is what the live run wrote,
//! reproduces it. Sockets on 127.0.0.1 with ports picked free at run time; every
//! wait has a deadline, nothing sleeps a fixed time.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::Shutdown;
use std::path::Path;
use std::process::Command;
use std::sync::mpsc;
use std::time::Instant;

use support::*;

/// Runs `trickle test DIR`; returns (exit code, report).
fn trickle_test(case: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_trickle"))
        .args(["test", &case.display().to_string()])
        .output()
        .expect("the trickle binary runs");
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), report)
}

/// Makes `dir` a case: the query, the recording as `steps`, the live output as `out`.
fn case_from(dir: &Path, query: &str, steps: &Path, out: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("query.trickle"), query).unwrap();
    std::fs::copy(steps, dir.join("steps")).unwrap();
    std::fs::write(dir.join("out"), out).unwrap();
}

#[test]
fn a_recorded_run_with_two_connections_replays_as_a_test_case() {
    let d = dir("record-tcp");
    let port = free_port();
    let query = format!(
        r#"
define peer upstream from tcp_server with config = {{"port": {port}}} end;
create peer upstream;
define window by_2 from tumbling with size = 2 end;
define window per_200ms from tumbling with interval = datetime::with_milliseconds(200) end;
# what each connection sent, in the order the graph saw it
select {{"stream": stream_id(), "n": event_id(), "v": event}} from upstream into out;
# batches per connection, flushed when a connection closes
select aggr::win::collect_flattened(event) from upstream[by_2]
group by [source_id(), stream_id()] into out;
# a processing-time window, closed by a tick once the connections are quiet
select {{"count": aggr::stats::count()}} from upstream[per_200ms] into out;
"#
    );
    let q = write(&d, "q.trickle", &query);
    let steps = d.join("recorded.steps");
    let mut t = Trickle::start(&[&q, "--record", &steps.display().to_string()]);
    // Read stdout as it comes, so the test can wait for what it expects.
    let rx = lines_of(&mut t);
    let mut a = connect(port);
    let mut b = connect(port);
    a.write_all(b"1\n2\n").unwrap();
    b.write_all(b"10\n20\n30\n").unwrap();
    a.write_all(b"3\n").unwrap();
    a.shutdown(Shutdown::Write).unwrap();
    b.shutdown(Shutdown::Write).unwrap();
    // Six events, four batches ([1,2], [3], [10,20], [30]) and at least one count
    // that a tick emitted: then the run has seen everything the test sends.
    let mut live = Vec::new();
    let start = Instant::now();
    let seen_all = |live: &[String]| {
        live.iter().filter(|l| l.starts_with("{\"stream\"")).count() == 6
            && live.iter().filter(|l| l.starts_with('[')).count() == 4
            && live.iter().any(|l| l.starts_with("{\"count\""))
    };
    if !receive_until(&rx, &mut live, start, seen_all) {
        give_up(
            t,
            &steps,
            format!("the live run did not emit everything: {live:?}"),
        );
    }
    let (code, _, err) = t.interrupt();
    assert_eq!(code, 0, "{err}");
    // What came out after the interrupt (the drain) is part of the live output too.
    live.extend(rx.try_iter());
    let live_out: String = live.iter().map(|l| format!("{l}\n")).collect();
    let recorded = std::fs::read_to_string(&steps).unwrap();
    for needle in [
        "{\"start_stream\":0,\"peer\":\"upstream\"}",
        "{\"start_stream\":1,\"peer\":\"upstream\"}",
        "\"end_stream\"",
        "{\"event\":30,\"peer\":\"upstream\",\"stream\":",
        "{\"tick\":",
        "{\"drain\":true}",
    ] {
        assert!(recorded.contains(needle), "{needle} in:\n{recorded}");
    }
    let case = d.join("case");
    case_from(&case, &query, &steps, &live_out);
    let (code, report) = trickle_test(&case);
    assert_eq!(
        code, 0,
        "live:\n{live_out}\nrecorded:\n{recorded}\n{report}"
    );
    assert!(report.contains("1 passed, 0 failed"), "{report}");
}

/// Adds lines from `rx` to `live` until `done` holds of them (`true`) or the
/// deadline counted from `start` passes (`false`).
fn receive_until(
    rx: &mpsc::Receiver<String>,
    live: &mut Vec<String>,
    start: Instant,
    done: impl Fn(&[String]) -> bool,
) -> bool {
    while !done(live) {
        let left = DEADLINE.saturating_sub(start.elapsed());
        match rx.recv_timeout(left) {
            Ok(line) => live.push(line),
            Err(_) => return false,
        }
    }
    true
}

/// Stops the run and fails with `why`, what the run wrote to stderr and what it
/// recorded: a live run that stalls says where.
fn give_up(t: Trickle, steps: &Path, why: String) -> ! {
    let (code, _, err) = t.interrupt();
    let recorded = std::fs::read_to_string(steps).unwrap_or_else(|e| format!("({e})"));
    panic!("{why}\nexit code {code}; stderr:\n{err}\nrecorded:\n{recorded}");
}

/// Reads `child`'s stdout lines on a thread, for waiting on them with a deadline.
fn lines_of(t: &mut Trickle) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let stdout = t.child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

#[test]
fn spec_7_1_sessions_run_live_and_replay_from_the_recording() {
    let d = dir("record-sessions");
    let port = free_port();
    // SPEC 7.1's example as written, with the peer it reads from; late events go
    // to `out` instead of `err`, so that the whole live output is one ordered stream
    // to compare the replay with, and each event is marked as it arrives (`seen`),
    // so the test can wait for it.
    let query = format!(
        r#"
define peer upstream from tcp_server with config = {{"port": {port}}} end;
create peer upstream;
define window visit from session
with gap = datetime::with_minutes(30), time = event.ts, delay = datetime::with_seconds(10),
     lateness = datetime::with_minutes(5), late = "too_late"
end;
create stream too_late;
select {{"user": group[0], "from": aggr::win::start(), "to": aggr::win::end(), "pages": aggr::stats::count()}}
from upstream[visit] group by set(event.user) into out;
select {{"late": event}} from too_late into out;
select {{"seen": event.user}} from upstream into out;
"#
    );
    let q = write(&d, "q.trickle", &query);
    let steps = d.join("recorded.steps");
    let mut t = Trickle::start(&[&q, "--record", &steps.display().to_string()]);
    let rx = lines_of(&mut t);
    let min = 60_000_000_000u64;
    let mut ann = connect(port);
    let mut bob = connect(port);
    let send = |c: &mut std::net::TcpStream, user: &str, m: u64| {
        let line = format!("{{\"user\":\"{user}\",\"ts\":{}}}\n", m * min);
        c.write_all(line.as_bytes()).unwrap();
    };
    let mut live = Vec::new();
    let start = Instant::now();
    // The lines not yet seen, the run stopped and its stderr shown if some never come.
    let wait_for = |lines: &[String], live: &mut Vec<String>| -> Result<(), String> {
        let seen = |live: &[String]| lines.iter().all(|l| live.contains(l));
        if receive_until(&rx, live, start, seen) {
            return Ok(());
        }
        let missing: Vec<_> = lines.iter().filter(|l| !live.contains(l)).collect();
        Err(format!("no {missing:?} in {live:?}"))
    };
    // Both connections have a watermark before either runs ahead (a stream that
    // sent nothing holds nothing back); then each sends in order, so none of its
    // events is late however the two interleave.
    send(&mut ann, "ann", 0);
    if let Err(why) = wait_for(&[r#"{"seen":"ann"}"#.into()], &mut live) {
        give_up(t, &steps, why);
    }
    send(&mut bob, "bob", 1);
    if let Err(why) = wait_for(&[r#"{"seen":"bob"}"#.into()], &mut live) {
        give_up(t, &steps, why);
    }
    for m in [10, 20, 90] {
        send(&mut ann, "ann", m);
    }
    for m in [40, 45, 200] {
        send(&mut bob, "bob", m);
    }
    let session = |user: &str, from: u64, to: u64, pages: u64| {
        format!(
            "{{\"user\":\"{user}\",\"from\":{},\"to\":{},\"pages\":{pages}}}",
            from * min,
            to * min
        )
    };
    // Closed while the run goes on: the watermark is the smaller of ann's 90 and
    // bob's 200 (less 10 s), past the ends of these.
    let closed = [
        session("bob", 1, 31, 1),
        session("ann", 0, 50, 3),
        session("bob", 40, 75, 2),
    ];
    if let Err(why) = wait_for(&closed, &mut live) {
        give_up(t, &steps, why);
    }
    let (code, _, err) = t.interrupt();
    assert_eq!(code, 0, "{err}");
    live.extend(rx.try_iter());
    // The rest when the run ends; nothing was late.
    for s in [session("ann", 90, 120, 1), session("bob", 200, 230, 1)] {
        assert!(live.contains(&s), "{live:?}");
    }
    assert!(!live.iter().any(|l| l.contains("late")), "{live:?}");
    // The recording, fed back as a case, gives the live output in the live order.
    let live_out: String = live.iter().map(|l| format!("{l}\n")).collect();
    let case = d.join("case");
    case_from(&case, &query, &steps, &live_out);
    let (code, report) = trickle_test(&case);
    let recorded = std::fs::read_to_string(&steps).unwrap();
    assert_eq!(
        code, 0,
        "live:\n{live_out}\nrecorded:\n{recorded}\n{report}"
    );
}

#[test]
fn a_recorded_file_run_replays_as_a_test_case() {
    let d = dir("record-file");
    let query = r#"
define window by_3 from tumbling with size = 3 end;
select [event_id(), event] from in into out;
select aggr::stats::sum(event.n) from in[by_3] into out;
"#;
    let q = write(&d, "q.trickle", query);
    let input = write(
        &d,
        "in.jsonl",
        "{\"n\":1}\n{\"n\":2}\nnot json\n{\"n\":3}\n{\"n\":4}\n",
    );
    let steps = d.join("run.steps");
    let out = Command::new(env!("CARGO_BIN_EXE_trickle"))
        .args([
            "run",
            &q,
            "-i",
            &input,
            "--record",
            &steps.display().to_string(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let live = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        live,
        "[0,{\"n\":1}]\n[1,{\"n\":2}]\n[2,{\"n\":3}]\n6.0\n[3,{\"n\":4}]\n4.0\n"
    );
    let recorded = std::fs::read_to_string(&steps).unwrap();
    let first: Vec<&str> = recorded.lines().take(2).collect();
    assert_eq!(first[0], "{\"start_stream\":0}");
    assert!(
        first[1].starts_with("{\"event\":{\"n\":1},\"ingest_ns\":"),
        "{recorded}"
    );
    // The line that did not decode never entered the graph.
    assert!(!recorded.contains("not json"), "{recorded}");
    assert!(
        recorded.ends_with("{\"end_stream\":0}\n{\"drain\":true}\n"),
        "{recorded}"
    );
    let case = d.join("case");
    case_from(&case, query, &steps, &live);
    let (code, report) = trickle_test(&case);
    assert_eq!(code, 0, "{report}");
    // A recording that cannot be written stops the run before it starts.
    let out = Command::new(env!("CARGO_BIN_EXE_trickle"))
        .args([
            "run",
            &q,
            "-i",
            &input,
            "--record",
            "/nonexistent/dir/steps",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write /nonexistent/dir/steps"));
}
