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
fn sigterm_and_sighup_drain_like_ctrl_c() {
    let d = dir("sigterm");
    let q = write(
        &d,
        "q.trickle",
        "define window two from tumbling with size = 2 end;\n\
         select aggr::stats::count() from in[two] into out;\n",
    );
    for sig in ["-TERM", "-HUP"] {
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
        assert!(sent.elapsed() < Duration::from_secs(10), "{sig}");
        drop(stdin);
        assert_eq!(status.code(), Some(0), "{sig}");
        assert_eq!(rest, "1\n", "{sig}: the third event's window is drained");
    }
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
