//! Issue 15, hardening: what a supervisor, a closed pipe, a hostile but legitimate
//! client or a bad program file does to a run. Real processes and sockets on
//! 127.0.0.1 (ports picked free at run time); every wait has a deadline.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::*;

fn kill(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

/// Runs `script` with bash; returns (exit code, stdout, stderr).
fn bash(script: &str) -> (i32, String, String) {
    let out = Command::new("bash")
        .args(["-c", script])
        .env("TRICKLE", env!("CARGO_BIN_EXE_trickle"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// SIGTERM and SIGHUP stop `trickle run` as Ctrl-C does: stop reading (stdin
/// stays open), drain the windows, flush, exit 0.
#[cfg(unix)]
#[test]
fn sigint_sigterm_and_sighup_drain_and_exit_0() {
    let d = dir("sigterm");
    let q = write(
        &d,
        "q.trickle",
        "define window two from tumbling with size = 2 end;\n\
         select aggr::stats::count() from in[two] into out;\n",
    );
    // Ctrl-C (SIGINT) and what supervisors send (SIGTERM, SIGHUP) behave alike.
    for (sig, within) in [("-INT", 5), ("-TERM", 10), ("-HUP", 10)] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_trickle"))
            .args(["run", &q])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"1\n2\n3\n").unwrap();
        stdin.flush().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        assert_eq!(first, "2\n");
        kill(child.id(), sig);
        let sent = Instant::now();
        let mut rest = String::new();
        stdout.read_to_string(&mut rest).unwrap();
        let status = child.wait().unwrap();
        // Honoured even though stdin is still open (no EOF ever comes).
        assert!(sent.elapsed() < Duration::from_secs(within), "{sig}");
        drop(stdin);
        assert_eq!(status.code(), Some(0), "{sig}");
        assert_eq!(rest, "1\n", "{sig}: the third event's window is drained");
    }
}

/// A second signal exits at once, with 128 + its number, even while the first one's
/// graceful stop still waits for a sink that takes nothing (here a server that
/// accepted the connection and never reads; the graceful stop would wait for it).
#[cfg(unix)]
#[test]
fn a_second_signal_exits_at_once() {
    let d = dir("second-signal");
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    let big = write(
        &d,
        "big.jsonl",
        &"{\"pad\":\"0123456789abcdef\"}\n".repeat(1_000_000),
    );
    let q = write(
        &d,
        "q.trickle",
        &format!(
            "define peer sink from tcp_client with config = {{\"port\": {port}}} end;\n\
             create peer sink;\nselect event from in into sink;\n"
        ),
    );
    let mut t = Trickle::start(&[&q, "-i", &big]);
    let (mut conn, _) = server.accept().unwrap();
    conn.set_read_timeout(Some(DEADLINE)).unwrap();
    // Bytes arrive: the run is past its start (its signal handlers are in place).
    let mut first = [0u8; 1];
    conn.read_exact(&mut first).unwrap();
    kill(t.child.id(), "-TERM");
    kill(t.child.id(), "-INT");
    let (code, _, err) = t.wait();
    assert!(code == 130 || code == 143, "exit {code}: {err}");
    drop(conn);
}

/// With peers: SIGTERM ends every open connection's stream, so a connection holding
/// a partial batch gets it, and the run exits 0.
#[cfg(unix)]
#[test]
fn sigterm_flushes_partial_batches_to_open_connections() {
    let d = dir("sigterm-peers");
    let port = free_port();
    let q = write(
        &d,
        "q.trickle",
        &format!(
            r#"
define peer upstream from tcp_server with config = {{"port": {port}}} end;
create peer upstream;
define window by_2 from tumbling with size = 2 end;
select aggr::win::collect_flattened(event) from upstream[by_2]
group by [source_id(), stream_id()] into upstream;
select event from upstream into out;
"#
        ),
    );
    let mut t = Trickle::start(&[&q]);
    let mut seen = BufReader::new(t.child.stdout.take().unwrap());
    let mut a = connect(port);
    let mut ra = BufReader::new(a.try_clone().unwrap());
    a.write_all(b"1\n2\n3\n").unwrap();
    assert_eq!(read_line(&mut ra), "[1,2]");
    // Every event is also echoed on stdout: once `3` is there, the graph holds it.
    let mut line = String::new();
    while line.trim_end() != "3" {
        line.clear();
        assert!(seen.read_line(&mut line).unwrap() > 0, "stdout ended");
    }
    kill(t.child.id(), "-TERM");
    assert_eq!(read_to_end(&mut ra), ["[3]"]);
    let (code, _, err) = t.wait();
    assert_eq!(code, 0, "{err}");
}

/// `2>&1 | head -1` with a `stdout` peer: no panic, exit 3, and the run stops
/// instead of reading the whole input; with stderr kept, exactly one line says why.
#[cfg(unix)]
#[test]
fn a_closed_stdout_stops_the_run_with_exit_3_and_one_line() {
    let d = dir("pipe");
    let big = write(&d, "big.jsonl", &"{\"n\":1}\n".repeat(200_000));
    let peer = write(
        &d,
        "peer.trickle",
        "define peer o from stdout with codec = \"json\" end;\ncreate peer o;\nselect event from in into o;\n",
    );
    let plain = write(&d, "plain.trickle", "select event from in into out;\n");
    let script = write(&d, "s.tremor", "event\n");
    for q in [&peer, &plain, &script] {
        let (_, out, _) = bash(&format!(
            "\"$TRICKLE\" run {q} -i {big} 2>&1 | head -1; echo \"exit=${{PIPESTATUS[0]}}\""
        ));
        assert_eq!(out, "{\"n\":1}\nexit=3\n", "{q}");
        let (_, out, _) = bash(&format!(
            "\"$TRICKLE\" run {q} -i {big} 2>{dir}/err.txt | head -1; echo \"exit=${{PIPESTATUS[0]}}\"",
            dir = d.display()
        ));
        assert_eq!(out, "{\"n\":1}\nexit=3\n", "{q}");
        let err = std::fs::read_to_string(d.join("err.txt")).unwrap();
        assert_eq!(err.lines().count(), 1, "{q}: {err}");
        assert!(err.contains("cannot write"), "{q}: {err}");
        assert!(!err.contains("panicked"), "{q}: {err}");
    }
}

/// A program that is not UTF-8: a diagnostic at the first bad byte, exit 1.
#[test]
fn a_program_that_is_not_utf8_is_a_diagnostic() {
    let d = dir("utf8");
    let q = d.join("q.trickle");
    std::fs::write(&q, b"select event\nfrom in \xff into out;\n").unwrap();
    let q = q.display().to_string();
    for cmd in ["check", "run"] {
        let out = Command::new(env!("CARGO_BIN_EXE_trickle"))
            .args([cmd, &q])
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("error[E0015]"), "{err}");
        assert!(err.contains("q.trickle:2:9"), "{err}");
        assert!(err.contains("line 2, column 9"), "{err}");
    }
}

/// `http_server`: a body over `max_body_bytes` is answered 413 with an `err` record;
/// a bad body's record carries its first KiB and its length; a request sent just
/// before the client half-closes is still answered; a client that never finishes
/// its headers is cut off after `header_timeout_ms`.
#[test]
fn http_server_limits() {
    let d = dir("http-limits");
    let port = free_port();
    let q = write(
        &d,
        "q.trickle",
        &format!(
            r#"
define peer api from http_server
with config = {{"port": {port}, "max_body_bytes": 4096, "header_timeout_ms": 300}} end;
create peer api;
select event from api into api;
"#
        ),
    );
    let t = Trickle::start(&[&q]);
    let post = |body: &[u8]| {
        let mut r = format!(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        r.extend_from_slice(body);
        r
    };
    // Five requests at once, then the client half-closes: every one is answered
    // (the last one's answer used to be dropped as "stream has ended").
    let ok = http(port, &post(b"{\"a\":1}").repeat(5), true);
    assert_eq!(ok.matches("HTTP/1.1 200").count(), 5, "{ok}");
    assert!(ok.ends_with("{\"a\":1}"), "{ok}");
    let big = http(port, &post(&[b'1'; 10_000]), true);
    assert!(big.starts_with("HTTP/1.1 413"), "{big}");
    let mut bad = b"{\"x\": ".to_vec();
    bad.extend_from_slice(&[b'z'; 3000]);
    let answer = http(port, &post(&bad), true);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    // Slowloris: headers never finish; the server closes the connection.
    let mut slow = connect(port);
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    let start = Instant::now();
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest);
    assert!(start.elapsed() < Duration::from_secs(10));
    let (code, _, err) = t.interrupt();
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("request body over max_body_bytes (4096)")),
        "{err}"
    );
    let rec = lines
        .iter()
        .find(|l| l.contains("raw_len"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(rec.len() < 1400, "{rec}");
    assert!(rec.contains(&format!("\"raw_len\":{}", bad.len())), "{rec}");
}

/// `max_connections`: a connection over the limit waits until one closes.
#[test]
fn max_connections_holds_further_clients_in_the_accept_queue() {
    let d = dir("maxconn");
    let port = free_port();
    let q = write(
        &d,
        "q.trickle",
        &format!(
            r#"
define peer srv from tcp_server with config = {{"port": {port}, "max_connections": 1}} end;
create peer srv;
select event from srv into srv;
"#
        ),
    );
    let t = Trickle::start(&[&q]);
    let mut a = connect(port);
    let mut ra = BufReader::new(a.try_clone().unwrap());
    a.write_all(b"1\n").unwrap();
    assert_eq!(read_line(&mut ra), "1");
    let mut b = connect(port);
    b.write_all(b"2\n").unwrap();
    let mut rb = BufReader::new(b.try_clone().unwrap());
    // Not served while `a` holds the only slot.
    b.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut line = String::new();
    assert!(rb.read_line(&mut line).is_err(), "served early: {line}");
    b.set_read_timeout(Some(DEADLINE)).unwrap();
    drop((ra, a));
    assert_eq!(read_line(&mut rb), "2");
    let (code, _, err) = t.interrupt();
    assert_eq!(code, 0, "{err}");
}

/// WebSocket messages the protocol refuses: an `err` record and a close frame with
/// the status that says why (1009 too big, 1007 text that is not UTF-8).
#[test]
fn ws_server_refused_messages_close_with_a_status() {
    use tungstenite::protocol::frame::coding::CloseCode;
    let d = dir("ws-refused");
    let port = free_port();
    let q = write(
        &d,
        "q.trickle",
        &format!(
            r#"
define peer ws from ws_server with config = {{"port": {port}}} end;
create peer ws;
select event from ws into ws;
"#
        ),
    );
    let t = Trickle::start(&[&q]);
    // Client frames are masked; a zero mask leaves the payload as it is.
    let too_big: Vec<u8> = [0x82u8, 0xFF]
        .into_iter()
        .chain((17u64 << 20).to_be_bytes())
        .chain([0, 0, 0, 0, b'x'])
        .collect();
    let not_utf8 = vec![0x81u8, 0x82, 0, 0, 0, 0, 0xff, 0xfe];
    let mut got = Vec::new();
    for (frame, want) in [(too_big, CloseCode::Size), (not_utf8, CloseCode::Invalid)] {
        let sock = connect(port);
        let (mut ws, _) = tungstenite::client(format!("ws://127.0.0.1:{port}/"), sock).unwrap();
        ws.get_mut().write_all(&frame).unwrap();
        let close = loop {
            match ws.read() {
                Ok(tungstenite::Message::Close(c)) => break c,
                Ok(_) => continue,
                Err(e) => panic!("no close frame: {e}"),
            }
        };
        got.push((close.map(|c| c.code), Some(want)));
    }
    let (code, _, err) = t.interrupt();
    for (close, want) in got {
        assert_eq!(close, want, "{err}");
    }
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("message too big"), "{err}");
    assert!(err.contains("text message is not UTF-8"), "{err}");
}

/// `trickle run` without peers: a bad line's `err` record carries its first KiB
/// and its length.
#[test]
fn bad_lines_are_reported_with_at_most_a_kib() {
    let d = dir("rawcut");
    let q = write(&d, "q.trickle", "select event from in into out;\n");
    let line = format!("{{\"a\": {}\n", "9".repeat(5000));
    let input = write(&d, "in.json", &format!("1\n{line}2\n"));
    let out = Command::new(env!("CARGO_BIN_EXE_trickle"))
        .args(["run", &q, "-i", &input])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "1\n2\n");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.len() < 1200, "{err}");
    assert!(
        err.contains(&format!("\"raw_len\":{}", line.len() - 1)),
        "{err}"
    );
}

/// Resident memory of process `pid` in MB (Linux `/proc`).
fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Writes to `sock` until a write blocks for a second (the server stopped reading)
/// or `cap` bytes went out; returns the bytes written.
fn write_until_blocked(sock: &mut std::net::TcpStream, cap: usize) -> usize {
    sock.set_write_timeout(Some(Duration::from_secs(1)))
        .unwrap();
    // Lines of 1 KiB: few events for the bytes, so a debug build keeps up.
    let chunk = format!("{}\n", "x".repeat(1023)).repeat(64);
    let mut sent = 0;
    while sent < cap {
        match sock.write(chunk.as_bytes()) {
            Ok(n) => sent += n,
            Err(_) => break,
        }
    }
    sent
}

/// A client that sends but never reads, on an echo server: the connection's queue
/// is bounded, so the server stops reading it (the client's writes block) and its
/// memory stays small; when the client leaves, what could not be sent is reported
/// in a few records, not one per event.
#[cfg(target_os = "linux")]
#[test]
fn a_client_that_does_not_read_costs_bounded_memory() {
    let d = dir("noread");
    for kind in ["tcp_server", "ws_server"] {
        let port = free_port();
        let q = write(
            &d,
            "q.trickle",
            &format!(
                r#"
define peer srv from {kind} with codec = "string", interceptors = ["lines"],
config = {{"port": {port}}} end;
create peer srv;
select event from srv into srv;
"#
            ),
        );
        let t = Trickle::start(&[&q]);
        let t0 = Instant::now();
        let mut sock = connect(port);
        let mut ws = None;
        let sent = if kind == "tcp_server" {
            write_until_blocked(&mut sock, 400 << 20)
        } else {
            let (mut c, _) =
                tungstenite::client(format!("ws://127.0.0.1:{port}/"), sock.try_clone().unwrap())
                    .unwrap();
            sock.set_write_timeout(Some(Duration::from_secs(1)))
                .unwrap();
            let msg = format!("{}\n", "x".repeat(1023)).repeat(64);
            let mut sent = 0usize;
            while sent < 400 << 20 {
                match c.send(tungstenite::Message::Text(msg.clone())) {
                    Ok(()) => sent += msg.len(),
                    Err(_) => break,
                }
            }
            ws = Some(c);
            sent
        };
        let rss = rss_mb(t.child.id());
        eprintln!("{kind}: blocked after {:?}", t0.elapsed());
        assert!(sent < 200 << 20, "{kind}: the server read {sent} bytes");
        assert!(rss < 100.0, "{kind}: {rss} MB");
        drop(ws);
        drop(sock);
        let (code, _, err) = t.interrupt();
        eprintln!("{kind}: exited after {:?}", t0.elapsed());
        assert_eq!(code, 0, "{kind}: {err}");
        assert!(
            err.lines().count() < 10,
            "{kind}: {} lines",
            err.lines().count()
        );
        eprintln!(
            "{kind}: {} MB sent before the server stopped reading, RSS {rss:.1} MB",
            sent >> 20
        );
    }
}

/// Soak: `connections` short connections (send a line, read its echo, leave) to a
/// `tcp_server` echo, from 4 threads, while one client that never reads stays
/// connected. Returns (RSS after a fifth of them, RSS at the end, the `--metrics`
/// table). Panics if it takes longer than `limit`.
fn soak(bin: &str, connections: usize, limit: Duration) -> (f64, f64, String) {
    let d = dir(&format!("soak-{connections}"));
    let port = free_port();
    let q = write(
        &d,
        "q.trickle",
        &format!(
            r#"
define peer srv from tcp_server with config = {{"port": {port}}} end;
create peer srv;
select event from srv into srv;
"#
        ),
    );
    let mut child = Command::new(bin)
        .args(["run", &q, "--metrics"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let pid = child.id();
    let start = Instant::now();
    let mut idle = connect(port);
    write_until_blocked(&mut idle, 64 << 20);
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mid = std::sync::Arc::new(std::sync::Mutex::new(0.0f64));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (done, mid) = (done.clone(), mid.clone());
            std::thread::spawn(move || {
                let mut line = String::new();
                loop {
                    let n = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    if n >= connections {
                        return;
                    }
                    if n == connections / 5 {
                        *mid.lock().unwrap() = rss_mb(pid);
                    }
                    assert!(start.elapsed() < limit, "{n} connections in {limit:?}");
                    let s = connect(port);
                    let mut w = s.try_clone().unwrap();
                    w.write_all(b"1\n").unwrap();
                    let mut r = BufReader::new(s);
                    line.clear();
                    r.read_line(&mut line).unwrap();
                    assert_eq!(line, "1\n");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let end = rss_mb(pid);
    eprintln!(
        "soak: {connections} connections in {:?}, RSS {:.1} MB after {}, {end:.1} MB at the end",
        start.elapsed(),
        *mid.lock().unwrap(),
        connections / 5
    );
    drop(idle);
    kill(pid, "-INT");
    let status = child.wait().unwrap();
    let table = err.join().unwrap();
    assert_eq!(status.code(), Some(0), "{table}");
    let mid = *mid.lock().unwrap();
    (mid, end, table)
}

fn check_soak(connections: usize, (mid, end, table): (f64, f64, String)) {
    assert!(end < 100.0, "RSS {end} MB");
    // Ended streams leave nothing behind: memory stops growing with connections.
    assert!(end - mid < 20.0, "RSS grew from {mid} to {end} MB");
    let recv = metrics_row(&table, "srv")[4];
    assert!(recv >= connections as u64, "{table}");
    let folded = connections + 1 - trickle_keep_ended();
    assert!(
        table.contains(&format!("({folded} more ended streams)")),
        "{table}"
    );
}

/// `metrics::KEEP_ENDED`: rows of ended streams the table keeps.
fn trickle_keep_ended() -> usize {
    64
}

/// 5,000 connections with the debug build (always run).
#[cfg(target_os = "linux")]
#[test]
fn soak_connections_leave_nothing_behind() {
    let n = 5_000;
    check_soak(
        n,
        soak(env!("CARGO_BIN_EXE_trickle"), n, Duration::from_secs(60)),
    );
}

/// 100,000 connections against a release build, bounded to 60 s:
/// `TRICKLE_BIN=target/release/trickle cargo test --test hardening -- --ignored`.
#[cfg(target_os = "linux")]
#[test]
#[ignore]
fn soak_100k_connections_release() {
    let bin = std::env::var("TRICKLE_BIN").unwrap_or_else(|_| "target/release/trickle".into());
    let n = 100_000;
    check_soak(n, soak(&bin, n, Duration::from_secs(60)));
}
