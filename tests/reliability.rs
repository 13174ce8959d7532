//! Contraflow end to end (SPEC §5): replay after dropped connections, sources that
//! wait for a destination that is down, per-stream readiness. Real sockets on
//! 127.0.0.1, ports picked free at run time, every wait bounded.

mod support;

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::*;

/// A line server that records every `{"n": N}` it reads and, when its total of
/// lines read reaches each of `drops`, closes the connection it is reading.
struct Collector {
    seen: Arc<Mutex<HashSet<u64>>>,
    lines: Arc<AtomicUsize>,
    connections: Arc<AtomicUsize>,
}

impl Collector {
    fn start(listener: TcpListener, drops: Vec<usize>) -> Collector {
        let c = Collector {
            seen: Arc::default(),
            lines: Arc::default(),
            connections: Arc::default(),
        };
        let (seen, lines, conns) = (c.seen.clone(), c.lines.clone(), c.connections.clone());
        let drops = Arc::new(Mutex::new(drops));
        std::thread::spawn(move || {
            for sock in listener.incoming() {
                let Ok(sock) = sock else { return };
                conns.fetch_add(1, Ordering::SeqCst);
                let (seen, lines, drops) = (seen.clone(), lines.clone(), drops.clone());
                std::thread::spawn(move || read_lines(sock, &seen, &lines, &drops));
            }
        });
        c
    }

    fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    /// Waits until `n` distinct events have arrived.
    fn wait_for(&self, n: usize) {
        let start = Instant::now();
        while self.count() < n {
            assert!(
                start.elapsed() < DEADLINE * 2,
                "only {} of {n} events arrived",
                self.count()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn read_lines(
    sock: TcpStream,
    seen: &Mutex<HashSet<u64>>,
    lines: &AtomicUsize,
    drops: &Mutex<Vec<usize>>,
) {
    let mut r = BufReader::new(sock.try_clone().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        match r.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if let Some(n) = line
            .trim()
            .strip_prefix("{\"n\":")
            .and_then(|s| s.strip_suffix('}'))
            .and_then(|s| s.parse().ok())
        {
            seen.lock().unwrap().insert(n);
        }
        let total = lines.fetch_add(1, Ordering::SeqCst) + 1;
        let mut d = drops.lock().unwrap();
        if d.first().is_some_and(|&at| total >= at) {
            d.remove(0);
            // Whatever the client sent that was not read yet is lost with it.
            let _ = sock.shutdown(Shutdown::Both);
            return;
        }
    }
}

fn events_file(d: &std::path::Path, n: u64) -> String {
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!("{{\"n\":{i}}}\n"));
    }
    write(d, "events.jsonl", &text)
}

#[test]
fn twenty_thousand_file_events_survive_two_dropped_connections() {
    let d = dir("replay");
    let events = events_file(&d, 20_000);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = Collector::start(listener, vec![5_000, 12_000]);
    let q = write(
        &d,
        "q.trickle",
        &format!(
            r#"
define peer src from file with config = {{"path": "{events}"}} end;
define peer dst from tcp_client with config = {{"port": {port}}} end;
create peer src;
create peer dst;
select event from src into dst;
"#
        ),
    );
    let started = Instant::now();
    let mut t = Trickle::start(&[&q, "--metrics"]);
    let (code, _, err) = t.wait();
    assert_eq!(code, 0, "{err}");
    assert_eq!(server.count(), 20_000, "every event at least once; {err}");
    assert!(server.connections.load(Ordering::SeqCst) >= 3, "{err}");
    // What the dropped connections lost was counted in `err`, and sent again.
    let row = err.lines().find(|l| l.starts_with("dst ")).expect(&err);
    let nums: Vec<u64> = row
        .split_whitespace()
        .skip(1)
        .map(|n| n.parse().unwrap())
        .collect();
    assert!(nums[2] > 0, "fails counted: {err}");
    eprintln!(
        "20,000 events, two dropped connections: done in {:?}, {} lines received",
        started.elapsed(),
        server.lines.load(Ordering::SeqCst)
    );
}

#[test]
fn cli_input_files_replay_too() {
    let d = dir("replay-cli");
    let events = events_file(&d, 2_000);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = Collector::start(listener, vec![700]);
    let q = write(
        &d,
        "q.trickle",
        &format!(
            r#"
define peer dst from tcp_client with config = {{"port": {port}}} end;
create peer dst;
select event from in into dst;
"#
        ),
    );
    let mut t = Trickle::start(&[&q, "-i", &events]);
    let (code, _, err) = t.wait();
    assert_eq!(code, 0, "{err}");
    assert_eq!(server.count(), 2_000, "{err}");
}

/// A server that reads a request, answers it and closes cleanly has had it: the
/// client acks it, where a reset (data the server never read) fails it, as the
/// drops of `twenty_thousand_file_events_survive_two_dropped_connections` show.
#[test]
fn a_server_that_answers_and_closes_cleanly_has_the_event() {
    let d = dir("clean-close");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (sock, _) = listener.accept().unwrap();
        let mut r = BufReader::new(sock.try_clone().unwrap());
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        let mut w = sock;
        w.write_all(format!("{{\"echo\":{}}}\n", line.trim()).as_bytes())
            .unwrap();
        line
    });
    let events = write(&d, "events.jsonl", "\"only\"\n");
    let back = format!(r#"tcp_client with config = {{"port": {port}, "reconnect": false}} end"#);
    let q = file_through(&d, &events, &back);
    let mut t = Trickle::start(&[&q, "--metrics"]);
    let (code, out, err) = t.wait();
    assert_eq!(code, 0, "{err}");
    assert_eq!(server.join().unwrap().trim(), "\"only\"");
    assert_eq!(out.trim(), r#"{"echo":"only"}"#, "{err}");
    assert!(!err.contains("\"error\""), "{err}");
    let row = err.lines().find(|l| l.starts_with("back ")).expect(&err);
    let err_count: u64 = row.split_whitespace().nth(3).unwrap().parse().unwrap();
    assert_eq!(err_count, 0, "{err}");
}

/// stdin read at once still waits for a `per_stream` client's connection for its
/// stream (SPEC §5: the source reads a stream once its clients are ready for it),
/// so nothing fails for want of a connection.
#[test]
fn stdin_waits_for_a_per_stream_clients_connection() {
    let d = dir("stdin-per-stream");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (sock, _) = listener.accept().unwrap();
        let mut r = BufReader::new(sock.try_clone().unwrap());
        let mut w = sock;
        let mut line = String::new();
        while r.read_line(&mut line).unwrap_or(0) > 0 {
            let _ = w.write_all(format!("{{\"echo\":{}}}\n", line.trim()).as_bytes());
            line.clear();
        }
    });
    let q = write(
        &d,
        "q.trickle",
        &format!(
            r#"
define peer back from tcp_client with config = {{"port": {port}, "streams": "per_stream"}} end;
create peer back;
select event from in into back;
select event from back into out;
"#
        ),
    );
    let (code, out, err) = run_with_stdin(&["run", &q], "\"s1\"\n\"s2\"\n");
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "{\"echo\":\"s1\"}\n{\"echo\":\"s2\"}\n", "{err}");
    assert!(!err.contains("error"), "{err}");
}

/// An HTTP request that fails on the way (the server drops the connection
/// unanswered) is sent again by a replayable `file` source (SPEC §5).
#[test]
fn a_failed_http_request_is_sent_again_by_a_file_source() {
    let d = dir("http-replay");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    // Not joined: it waits for connections as long as the test runs.
    std::thread::spawn(move || {
        for sock in listener.incoming() {
            let Ok(mut sock) = sock else { break };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && sock.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            if counted.fetch_add(1, Ordering::SeqCst) == 0 {
                continue; // dropped unanswered
            }
            let _ = sock
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}");
        }
    });
    let events = write(&d, "events.jsonl", "1\n");
    let url = format!("http://127.0.0.1:{port}/p");
    let back = format!(r#"http_client with config = {{"url": "{url}", "timeout": 5000}} end"#);
    let q = file_through(&d, &events, &back);
    let mut t = Trickle::start(&[&q]);
    let (code, out, err) = t.wait();
    assert_eq!(code, 0, "{err}");
    assert_eq!(requests.load(Ordering::SeqCst), 2, "{err}");
    assert_eq!(out.trim(), "{}", "{err}");
}

/// A query sending the events of file `events` to peer `back` (what follows
/// `define peer back from`) and writing what comes back to `out`.
fn file_through(d: &std::path::Path, events: &str, back: &str) -> String {
    let text = format!(
        r#"
define peer src from file with config = {{"path": "{events}"}} end;
define peer back from {back};
create peer src;
create peer back;
select event from src into back;
select event from back into out;
"#
    );
    write(d, "q.trickle", &text)
}

/// A `tcp_server` on a free port proxied to a `tcp_client` for port `dst`, with
/// `streams` (`shared` or `per_stream`) and a quick backoff; returns (query, src port).
fn proxy(tag: &str, dst: u16, streams: &str) -> (String, u16) {
    let d = dir(tag);
    let src = free_port();
    let q = write(
        &d,
        "q.trickle",
        &format!(
            r#"
define peer upstream from tcp_server with config = {{"port": {src}}} end;
define peer downstream from tcp_client
with config = {{"port": {dst}, "streams": "{streams}", "reconnect": {{"interval_ms": 20, "max_interval_ms": 200}}}} end;
create peer upstream;
create peer downstream;
select event from upstream into downstream;
"#
        ),
    );
    (q, src)
}

#[test]
fn a_destination_down_at_start_gets_everything_once_it_comes_up() {
    let dst = free_port();
    let (q, src) = proxy("down", dst, "shared");
    let t = Trickle::start(&[&q]);
    let mut up = connect(src);
    for i in 0..500 {
        up.write_all(format!("{{\"n\":{i}}}\n").as_bytes()).unwrap();
    }
    up.flush().unwrap();
    let came_up = Instant::now();
    let server = Collector::start(TcpListener::bind(("127.0.0.1", dst)).unwrap(), Vec::new());
    server.wait_for(500);
    eprintln!(
        "destination up: all 500 events delivered {:?} later",
        came_up.elapsed()
    );
    let (code, _, err) = t.interrupt();
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("\"error\""), "nothing failed: {err}");
}

#[test]
fn a_per_stream_client_opens_each_connection_when_the_destination_comes_up() {
    let dst = free_port();
    let (q, src) = proxy("per-stream-down", dst, "per_stream");
    let t = Trickle::start(&[&q]);
    let mut a = connect(src);
    let mut b = connect(src);
    a.write_all(b"{\"n\":1}\n{\"n\":2}\n").unwrap();
    b.write_all(b"{\"n\":10}\n").unwrap();
    let listener = TcpListener::bind(("127.0.0.1", dst)).unwrap();
    // One connection per upstream connection, each with its own events.
    let mut got: Vec<Vec<String>> = Vec::new();
    let mut read = || -> std::io::Result<()> {
        for _ in 0..2 {
            let (sock, _) = listener.accept()?;
            sock.set_read_timeout(Some(DEADLINE))?;
            let mut r = BufReader::new(sock);
            let mut first = String::new();
            r.read_line(&mut first)?;
            let mut lines = vec![first.trim().to_string()];
            if first.contains("\"n\":1}") {
                let mut second = String::new();
                r.read_line(&mut second)?;
                lines.push(second.trim().to_string());
            }
            got.push(lines);
        }
        Ok(())
    };
    if let Err(e) = read() {
        // What the run said is what tells why.
        let (code, _, err) = t.interrupt();
        panic!("{e} after {got:?}; trickle exited {code}: {err}");
    }
    got.sort();
    assert_eq!(
        got,
        [
            vec![r#"{"n":10}"#.to_string()],
            vec![r#"{"n":1}"#.to_string(), r#"{"n":2}"#.to_string()],
        ]
    );
    let (code, _, err) = t.interrupt();
    assert_eq!(code, 0, "{err}");
}

#[test]
fn ctrl_c_with_a_destination_down_reports_what_it_held() {
    let d = dir("down-stop");
    let dst = free_port();
    // A metronome cannot be paused: its ticks pile up in the client while it waits.
    let q = write(
        &d,
        "q.trickle",
        &format!(
            r#"
define peer tick from metronome with config = {{"interval": 10000000}} end;
define peer dst from tcp_client with config = {{"port": {dst}}} end;
create peer tick;
create peer dst;
select event from tick into dst;
"#
        ),
    );
    let mut t = Trickle::start(&[&q, "--metrics"]);
    // The client retries for ever: the run waits for it until interrupted (the
    // wait gives the metronome time to tick; the checks below hold however long).
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        t.child.try_wait().unwrap().is_none(),
        "it waits for the destination"
    );
    let (code, _, err) = t.interrupt();
    assert_eq!(code, 0, "{err}");
    // Every tick handed to the client is reported, one record each.
    let row = err.lines().find(|l| l.starts_with("dst ")).expect(&err);
    let handed: usize = row.split_whitespace().nth(1).unwrap().parse().unwrap();
    let reported = err.lines().filter(|l| l.contains("not connected")).count();
    assert!(handed > 0, "{err}");
    assert_eq!(reported, handed, "each held event is reported: {err}");
}

/// A replayable `file` source through a count sliding window: every result names
/// its whole window, so the events are acked over and over; each reaches the
/// source once and the run ends with all of them delivered (SPEC §5, §7.2).
#[test]
fn a_sliding_window_over_a_replayable_file_delivers_every_result() {
    let d = dir("sliding-file");
    let lines: String = (1..=300).map(|n| format!("{{\"n\":{n}}}\n")).collect();
    let input = write(&d, "in.json", &lines);
    let q = write(
        &d,
        "q.trickle",
        &format!(
            r#"
define window w from sliding with size = 50 end;
define peer src from file with config = {{"path": "{input}"}} end;
create peer src;
select aggr::stats::sum(event.n) from src[w] into out;
"#
        ),
    );
    let (code, out, err) = run_with_stdin(&["run", &q, "--metrics"], "");
    assert_eq!(code, 0, "{err}");
    let sums: Vec<&str> = out.lines().collect();
    assert_eq!(sums.len(), 300, "{err}");
    // The last window holds 251..=300.
    assert_eq!(sums[299], "13775.0");
    assert_eq!(sums[0], "1.0");
    let src = err.lines().find(|l| l.starts_with("src ")).expect(&err);
    assert_eq!(
        src.split_whitespace().nth(3),
        Some("0"),
        "nothing lost: {err}"
    );
}
