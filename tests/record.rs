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
    while !seen_all(&live) {
        let left = DEADLINE.saturating_sub(start.elapsed());
        match rx.recv_timeout(left) {
            Ok(line) => live.push(line),
            Err(_) => panic!("the live run did not emit everything: {live:?}"),
        }
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
