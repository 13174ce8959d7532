//! Peers end to end: `trickle run` with real sockets on 127.0.0.1 (ports picked free
//! at run time), files, and Ctrl-C. Every wait has a deadline; nothing sleeps a
//! fixed time to let something happen.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener};
use std::process::Command;

use support::*;

#[test]
fn per_connection_batches_flush_when_a_client_leaves() {
    let d = dir("batch");
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
"#
        ),
    );
    let t = Trickle::start(&[&q, "--metrics"]);
    let mut a = connect(port);
    let mut b = connect(port);
    let mut ra = BufReader::new(a.try_clone().unwrap());
    let mut rb = BufReader::new(b.try_clone().unwrap());
    // Interleaved: each connection's events are batched on their own.
    a.write_all(b"1\n").unwrap();
    b.write_all(b"10\n").unwrap();
    a.write_all(b"2\n").unwrap();
    assert_eq!(read_line(&mut ra), "[1,2]");
    b.write_all(b"20\n").unwrap();
    assert_eq!(read_line(&mut rb), "[10,20]");
    a.write_all(b"3\n").unwrap();
    b.write_all(b"30\n").unwrap();
    // `a` stops sending: its stream ends and its partial batch comes back to it.
    a.shutdown(Shutdown::Write).unwrap();
    assert_eq!(read_to_end(&mut ra), ["[3]"]);
    b.write_all(b"40\n").unwrap();
    assert_eq!(read_line(&mut rb), "[30,40]");
    let (code, _, err) = t.interrupt();
    assert_eq!(code, 0, "{err}");
    let row = err
        .lines()
        .find(|l| l.starts_with("upstream "))
        .expect(&err);
    let nums: Vec<&str> = row.split_whitespace().skip(1).collect();
    // in, out, err, send, recv
    assert_eq!(nums, ["4", "7", "0", "4", "7"], "{err}");
}

#[test]
fn responses_go_back_to_the_connection_they_answer() {
    let d = dir("echo");
    let port = free_port();
    let q = write(
        &d,
        "q.trickle",
        &format!(
            r#"
define peer srv from tcp_server
with codec = "json", config = {{"host": "127.0.0.1", "port": {port}}}
end;
create peer srv;
select {{"echo": event, "stream": stream_id(), "seq": event_id(), "host": $tcp.peer.host}}
from srv into srv;
"#
        ),
    );
    let t = Trickle::start(&[&q]);
    let mut a = connect(port);
    let mut b = connect(port);
    let mut ra = BufReader::new(a.try_clone().unwrap());
    let mut rb = BufReader::new(b.try_clone().unwrap());
    a.write_all(b"\"a0\"\n").unwrap();
    assert_eq!(
        read_line(&mut ra),
        r#"{"echo":"a0","stream":0,"seq":0,"host":"127.0.0.1"}"#
    );
    b.write_all(b"\"b0\"\n\"b1\"\n").unwrap();
    a.write_all(b"\"a1\"\n").unwrap();
    assert_eq!(
        read_line(&mut rb),
        r#"{"echo":"b0","stream":1,"seq":0,"host":"127.0.0.1"}"#
    );
    assert_eq!(
        read_line(&mut rb),
        r#"{"echo":"b1","stream":1,"seq":1,"host":"127.0.0.1"}"#
    );
    assert_eq!(
        read_line(&mut ra),
        r#"{"echo":"a1","stream":0,"seq":1,"host":"127.0.0.1"}"#
    );
    // A line that is not JSON is reported, and the connection goes on.
    b.write_all(b"{oops\n\"b2\"\n").unwrap();
    assert!(read_line(&mut rb).contains(r#""echo":"b2""#));
    drop((a, b));
    let (code, _, err) = t.interrupt();
    assert_eq!(code, 0);
    assert!(
        err.contains(r#""peer":"srv","stream":1,"raw":"{oops""#),
        "{err}"
    );
}

#[test]
fn file_to_file_with_errors_on_the_err_port() {
    let d = dir("file");
    let input = write(&d, "in.json", "{\"n\":1}\n{\"n\":2}\nnope\n{\"n\":3}");
    let output = d.join("out.json");
    let q = write(
        &d,
        "q.trickle",
        &format!(
            r#"
define peer src from file with config = {{"path": "{input}"}} end;
define peer dst from file with config = {{"path": "{}", "mode": "write"}} end;
create peer src;
create peer dst;
select {{"n": event.n, "id": [source_id(), stream_id(), event_id()], "path": $file.path}}
from src into dst;
select [event.raw, source_id()] from src/err into out;
"#,
            output.display()
        ),
    );
    std::fs::write(&output, "old contents\n").unwrap();
    let mut t = Trickle::start(&[&q, "--clock", "index"]);
    let (code, out, err) = t.wait();
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "[\"nope\",\"src\"]\n");
    let written = std::fs::read_to_string(&output).unwrap();
    let want: Vec<String> = (0..3)
        .map(|i| format!(r#"{{"n":{},"id":["src",0,{i}],"path":"{input}"}}"#, i + 1))
        .collect();
    assert_eq!(written.lines().collect::<Vec<_>>(), want);
}

#[test]
fn cli_input_feeds_a_peer_and_output_stays_deterministic() {
    let d = dir("append");
    let input = write(&d, "in.json", "1\n2\n3\n");
    let log = d.join("log.json");
    std::fs::write(&log, "0\n").unwrap();
    let q = write(
        &d,
        "q.trickle",
        &format!(
            r#"
define peer log from file with config = {{"path": "{}", "mode": "append"}} end;
create peer log;
use tremor::system;
select [event, system::ingest_ns(), source_id(), event_id()] from in into out;
select event * 10 from in into log;
"#,
            log.display()
        ),
    );
    let mut t = Trickle::start(&[&q, "-i", &input, "--clock", "index"]);
    let (code, out, err) = t.wait();
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "[1,0,\"in\",0]\n[2,1,\"in\",1]\n[3,2,\"in\",2]\n");
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "0\n10\n20\n30\n");
}

/// A file sink whose writes fail only when its buffer is flushed (a full disk:
/// `/dev/full`) reports the loss and counts it in `err`, instead of counting the
/// events as sent.
#[test]
fn a_file_sink_that_cannot_flush_reports_the_loss() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    let q = write(
        &dir("devfull"),
        "q.trickle",
        r#"
define peer f from file with config = {"path": "/dev/full", "mode": "append"} end;
create peer f;
select event from in into f;
"#,
    );
    // From stdin, which cannot replay: each event fails once.
    let (code, _out, err) = run_with_stdin(&["run", &q, "--metrics"], "1\n2\n");
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("No space left on device") && err.contains("(2 events not sent)"),
        "{err}"
    );
    let row = metrics_row(&err, "f");
    assert_eq!((row[0], row[2]), (2, 2), "in, err: {row:?}");
}

/// Events routed to a server with no connection open reach nobody, but they did
/// reach the peer: its `in` counts them (SPEC §6).
#[test]
fn a_server_with_no_connection_counts_what_it_was_given() {
    let q = write(
        &dir("noconn"),
        "q.trickle",
        r#"
define peer srv from tcp_server with config = {"port": 0} end;
create peer srv;
select event from in into srv;
"#,
    );
    let (code, _out, err) = run_with_stdin(&["run", &q, "--metrics"], "1\n2\n");
    assert_eq!(code, 0, "{err}");
    let row = metrics_row(&err, "srv");
    assert_eq!(
        (row[0], row[2], row[3]),
        (2, 0, 0),
        "in, err, send: {row:?}"
    );
}

#[test]
fn per_stream_client_proxies_each_connection() {
    let d = dir("proxy");
    let (back, front) = (free_port(), free_port());
    let backend = write(
        &d,
        "backend.trickle",
        &format!(
            r#"
define peer b from tcp_server with config = {{"port": {back}}} end;
create peer b;
select {{"seen": event, "conn": stream_id()}} from b into b;
"#
        ),
    );
    let proxy = write(
        &d,
        "proxy.trickle",
        &format!(
            r#"
define peer front from tcp_server with config = {{"port": {front}}} end;
define peer back from tcp_client
with config = {{"port": {back}, "streams": "per_stream"}}
end;
create peer front;
create peer back;
select event from front into back;
select event from back into front;
"#
        ),
    );
    let be = Trickle::start(&[&backend]);
    let _ = connect(back);
    let px = Trickle::start(&[&proxy]);
    let mut a = connect(front);
    let mut b = connect(front);
    let mut ra = BufReader::new(a.try_clone().unwrap());
    let mut rb = BufReader::new(b.try_clone().unwrap());
    for i in 0..3 {
        a.write_all(format!("\"a{i}\"\n").as_bytes()).unwrap();
        b.write_all(format!("\"b{i}\"\n").as_bytes()).unwrap();
    }
    let got_a: Vec<String> = (0..3).map(|_| read_line(&mut ra)).collect();
    let got_b: Vec<String> = (0..3).map(|_| read_line(&mut rb)).collect();
    // Each front connection has its own backend connection, and gets only its answers.
    let conn_of = |l: &String| {
        l.rsplit(':')
            .next()
            .unwrap()
            .trim_end_matches('}')
            .to_string()
    };
    assert!(got_a.iter().all(|l| l.contains("\"a")), "{got_a:?}");
    assert!(got_b.iter().all(|l| l.contains("\"b")), "{got_b:?}");
    assert!(got_a.iter().all(|l| conn_of(l) == conn_of(&got_a[0])));
    assert!(got_b.iter().all(|l| conn_of(l) == conn_of(&got_b[0])));
    assert_ne!(conn_of(&got_a[0]), conn_of(&got_b[0]));
    assert_eq!(
        got_a[2],
        format!(r#"{{"seen":"a2","conn":{}}}"#, conn_of(&got_a[0]))
    );
    let (code, _, err) = px.interrupt();
    assert_eq!(code, 0, "{err}");
    let (code, _, _) = be.interrupt();
    assert_eq!(code, 0);
}

#[test]
fn a_port_in_use_is_a_runtime_failure() {
    let d = dir("taken");
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let q = write(
        &d,
        "q.trickle",
        &format!(
            "define peer s from tcp_server with config = {{\"port\": {port}}} end;\n\
             create peer s;\nselect event from s into out;\n"
        ),
    );
    let mut t = Trickle::start(&[&q]);
    let (code, _, err) = t.wait();
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("cannot listen"), "{err}");
}

#[test]
fn metronome_ticks_reach_a_peer_until_ctrl_c() {
    let d = dir("metronome");
    let port = free_port();
    let q = write(
        &d,
        "q.trickle",
        &format!(
            r#"
define peer tick from metronome with config = {{"interval": 20000000}} end;
define peer srv from tcp_server with config = {{"port": {port}}} end;
create peer tick;
create peer srv;
select event.tick from tick into srv;
"#
        ),
    );
    let t = Trickle::start(&[&q]);
    let mut r = BufReader::new(connect(port));
    // Sent to every open connection; ticks count up by one.
    let first: u64 = read_line(&mut r).parse().unwrap();
    let second: u64 = read_line(&mut r).parse().unwrap();
    assert_eq!(second, first + 1);
    let (code, _, _) = t.interrupt();
    assert_eq!(code, 0);
}

#[test]
fn ws_client_talks_to_ws_server_and_ends_with_its_input() {
    let d = dir("ws");
    let port = free_port();
    let server = write(
        &d,
        "server.trickle",
        &format!(
            r#"
define peer w from ws_server with config = {{"port": {port}}} end;
create peer w;
select {{"echo": event, "conn": stream_id(), "via": present $ws.peer.port}} from w into w;
"#
        ),
    );
    let client = write(
        &d,
        "client.trickle",
        &format!(
            r#"
define peer c from ws_client with config = {{"port": {port}, "path": "/events"}} end;
create peer c;
select event from in into c;
select event from c into out;
"#
        ),
    );
    let input = write(&d, "in.json", "1\n\"two\"\n{\"three\":3}\n");
    let srv = Trickle::start(&[&server]);
    let _ = connect(port);
    let mut cl = Trickle::start(&[&client, "-i", &input, "--metrics"]);
    let (code, out, err) = cl.wait();
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            r#"{"echo":1,"conn":0,"via":true}"#,
            r#"{"echo":"two","conn":0,"via":true}"#,
            r#"{"echo":{"three":3},"conn":0,"via":true}"#
        ]
    );
    let (code, _, err) = srv.interrupt();
    assert_eq!(code, 0, "{err}");
}

#[test]
fn http_server_answers_each_request_and_http_client_reads_the_answers() {
    let d = dir("http");
    let port = free_port();
    let server = write(
        &d,
        "server.trickle",
        &format!(
            r#"
define peer web from http_server with config = {{"port": {port}, "timeout": 300}} end;
create peer web;
define script respond
script
  match event of
    case %{{ slow == true }} => drop
    case _ => null
  end;
  let req = $http.request;
  let $http = {{"response": {{"status": 201, "headers": {{"x-trickle": "yes"}}}}}};
  {{"got": event, "method": req.method, "path": req.path, "query": req.query}}
end;
create script respond;
select event from web into respond;
select event from respond into web;
"#
        ),
    );
    let client = write(
        &d,
        "client.trickle",
        &format!(
            r#"
define peer api from http_client
with config = {{"url": "http://127.0.0.1:{port}/things?x=1", "method": "PUT"}}
end;
create peer api;
select event from in into api;
select [event, $http.response.status, $http.response.headers["x-trickle"]] from api into out;
select event.error from api/err into out;
"#
        ),
    );
    let srv = Trickle::start(&[&server]);
    let _ = connect(port);
    let body = r#"{"a":1}"#;
    let resp = http(
        port,
        format!(
            "POST /p?q=2 HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
        false,
    );
    assert!(resp.starts_with("HTTP/1.1 201"), "{resp}");
    assert!(resp.contains("x-trickle: yes"), "{resp}");
    assert!(
        resp.ends_with(r#"{"got":{"a":1},"method":"POST","path":"/p","query":"q=2"}"#),
        "{resp}"
    );
    // Nothing answers this one: 503 after the timeout.
    let slow = r#"{"slow":true}"#;
    let resp = http(
        port,
        format!(
            "POST / HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{slow}",
            slow.len()
        )
        .as_bytes(),
        false,
    );
    assert!(resp.starts_with("HTTP/1.1 503"), "{resp}");
    let input = write(&d, "in.json", "1\n{\"slow\":true}\n\"x\"\n");
    let mut cl = Trickle::start(&[&client, "-i", &input]);
    let (code, out, err) = cl.wait();
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(
        lines[0],
        r#"[{"got":1,"method":"PUT","path":"/things","query":"x=1"},201,"yes"]"#
    );
    assert!(lines[1].contains("HTTP 503 response"), "{out}");
    assert_eq!(
        lines[2],
        r#"[{"got":"x","method":"PUT","path":"/things","query":"x=1"},201,"yes"]"#
    );
    let (code, _, _) = srv.interrupt();
    assert_eq!(code, 0);
}

#[test]
fn an_event_for_an_ended_stream_is_counted_in_err() {
    let d = dir("ended");
    let port = free_port();
    let q = write(
        &d,
        "q.trickle",
        &format!(
            r#"
define peer srv from tcp_server with config = {{"port": {port}}} end;
create peer srv;
define window two from tumbling with size = 2 end;
select aggr::win::collect_flattened(event) from srv[two] into srv;
select event.error from srv/err into out;
"#
        ),
    );
    let t = Trickle::start(&[&q, "--metrics"]);
    // `a` sends one event and leaves; its stream has ended when the window closes.
    let mut a = connect(port);
    a.write_all(b"1\n").unwrap();
    a.shutdown(Shutdown::Write).unwrap();
    let mut ra = BufReader::new(a);
    assert!(read_to_end(&mut ra).is_empty());
    let mut b = connect(port);
    b.write_all(b"2\n").unwrap();
    let mut rb = BufReader::new(b.try_clone().unwrap());
    // The batch's lineage names both streams: the open one gets it, the ended one fails.
    assert_eq!(read_line(&mut rb), "[1,2]");
    drop(b);
    let (code, out, err) = t.interrupt();
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "\"stream 0 of peer `srv` has ended\"\n");
    let row = err
        .lines()
        .find(|l| l.trim_start().starts_with("srv#0"))
        .expect(&err);
    let nums: Vec<&str> = row.split_whitespace().skip(1).collect();
    assert_eq!(nums, ["1", "1", "1", "0", "1"], "{err}");
}

#[test]
fn a_client_waits_for_a_late_server_and_reconnects_after_it_restarts() {
    let d = dir("reconnect");
    let port = free_port();
    let server = write(
        &d,
        "server.trickle",
        &format!(
            r#"
define peer s from tcp_server with config = {{"port": {port}}} end;
create peer s;
select event from s into out;
"#
        ),
    );
    let client = write(
        &d,
        "client.trickle",
        &format!(
            r#"
define peer c from tcp_client with config = {{"port": {port}}} end;
define peer tick from metronome with config = {{"interval": 50000000}} end;
create peer c;
create peer tick;
select event.tick from tick into c;
"#
        ),
    );
    // The client starts first: its ticks wait until the server is up.
    let cl = Trickle::start(&[&client, "--metrics"]);
    let mut srv = Trickle::start(&[&server]);
    let mut out = srv.child.stdout.take().unwrap();
    let mut first = [0u8; 2];
    out.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"0\n", "the first tick was queued, not lost");
    drop(out);
    // Restart the server: the client reconnects and goes on with later ticks.
    let _ = srv.child.kill();
    let _ = srv.child.wait();
    let mut srv = Trickle::start(&[&server]);
    let mut out = BufReader::new(srv.child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let n: u64 = line.trim().parse().expect(&line);
    assert!(n > 0, "{line}");
    let (code, _, err) = cl.interrupt();
    assert_eq!(code, 0, "{err}");
    let row = err.lines().find(|l| l.starts_with("c ")).expect(&err);
    let sends: u64 = row.split_whitespace().nth(4).unwrap().parse().unwrap();
    assert!(sends >= 2, "{err}");
}

#[test]
fn metrics_events_come_out_of_the_metrics_port() {
    let d = dir("metrics");
    let q = write(
        &d,
        "q.trickle",
        r#"
define peer tick from metronome
with metrics_interval_s = 1, config = {"interval": 10000000}
end;
define peer sink from file with config = {"path": "/dev/null", "mode": "append"} end;
create peer tick;
create peer sink;
select event from tick into sink;
select [event.peer, event.counters.out > 0, event.counters.err, source_id()] from tick/metrics into out;
"#,
    );
    let mut t = Trickle::start(&[&q]);
    let mut out = BufReader::new(t.child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    // It enters through the peer: `source_id()` names it.
    assert_eq!(line, "[\"tick\",true,0,\"tick\"]\n");
    let pid = t.child.id().to_string();
    let _ = Command::new("kill").args(["-INT", &pid]).status();
    let status = t.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn output_file_and_no_final_flush_work_with_peers() {
    let d = dir("dash-o");
    let input = write(&d, "in.json", "1\n2\n3\n");
    let out_path = d.join("out.json");
    let q = write(
        &d,
        "q.trickle",
        &format!(
            r#"
define peer src from file with config = {{"path": "{input}"}} end;
create peer src;
define window two from tumbling with size = 2 end;
select aggr::win::collect_flattened(event) from src[two] into out;
"#
        ),
    );
    let o = out_path.display().to_string();
    let (code, out, err) = Trickle::start(&[&q, "-o", &o]).wait();
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    // The partial window flushes at the end of the input (`drain`).
    assert_eq!(std::fs::read_to_string(&out_path).unwrap(), "[1,2]\n[3]\n");
    let (code, _, err) = Trickle::start(&[&q, "-o", &o, "--no-final-flush"]).wait();
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(&out_path).unwrap(), "[1,2]\n");
}

#[test]
fn graph_shows_peers_as_peers() {
    let d = dir("graph");
    let q = write(
        &d,
        "q.trickle",
        r#"
define peer up from tcp_server with config = {"port": 1} end;
create peer up;
select event from up into up;
select event from up/err into out;
"#,
    );
    let out = Command::new(env!("CARGO_BIN_EXE_trickle"))
        .args(["graph", &q])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("  up (peer tcp_server, port out)\n"),
        "{text}"
    );
    assert!(
        text.contains("  up/err (peer tcp_server, port err)\n"),
        "{text}"
    );
    assert!(
        text.contains("  up/in (peer tcp_server, port in)\n"),
        "{text}"
    );
    assert!(text.contains("  select_0/out -> up/in/in\n"), "{text}");
}

#[test]
fn twenty_concurrent_http_requests_each_get_their_own_body() {
    let d = dir("http20");
    let port = free_port();
    let q = write(
        &d,
        "q.trickle",
        &format!(
            r#"
define peer api from http_server with codec = "json", config = {{"port": {port}}} end;
create peer api;
select {{"echo": event}} from api into api;
"#
        ),
    );
    let t = Trickle::start(&[&q]);
    let _ = connect(port);
    let clients: Vec<_> = (0..20)
        .map(|i| {
            std::thread::spawn(move || {
                let body = format!(r#"{{"client":{i},"tag":"c{i}"}}"#);
                let resp = http(
                    port,
                    format!(
                        "POST /c{i} HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    )
                    .as_bytes(),
                    false,
                );
                (body, resp)
            })
        })
        .collect();
    for c in clients {
        let (body, resp) = c.join().unwrap();
        assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
        assert!(
            resp.ends_with(&format!(r#"{{"echo":{body}}}"#)),
            "{body}: {resp}"
        );
    }
    let (code, _, err) = t.interrupt();
    assert_eq!(code, 0, "{err}");
}

#[test]
fn two_websocket_clients_each_get_their_own_answers() {
    let d = dir("ws2");
    let port = free_port();
    let q = write(
        &d,
        "q.trickle",
        &format!(
            r#"
define peer w from ws_server with config = {{"port": {port}}} end;
create peer w;
select {{"echo": event, "conn": stream_id()}} from w into w;
"#
        ),
    );
    let t = Trickle::start(&[&q]);
    let ws = || {
        let (sock, _) = tungstenite::client(format!("ws://127.0.0.1:{port}/"), connect(port))
            .expect("the websocket handshake succeeds");
        sock
    };
    let mut a = ws();
    let mut b = ws();
    let text = |m: tungstenite::Message| m.into_text().unwrap().trim_end().to_string();
    for i in 0..5 {
        a.send(format!("\"a{i}\"").into()).unwrap();
        b.send(format!("\"b{i}\"").into()).unwrap();
    }
    let got_a: Vec<String> = (0..5).map(|_| text(a.read().unwrap())).collect();
    let got_b: Vec<String> = (0..5).map(|_| text(b.read().unwrap())).collect();
    let conn = |l: &str| {
        l.rsplit(':')
            .next()
            .unwrap()
            .trim_end_matches('}')
            .to_string()
    };
    for i in 0..5 {
        assert!(
            got_a[i].starts_with(&format!(r#"{{"echo":"a{i}","conn":"#)),
            "{got_a:?}"
        );
        assert!(
            got_b[i].starts_with(&format!(r#"{{"echo":"b{i}","conn":"#)),
            "{got_b:?}"
        );
        assert_eq!(conn(&got_a[i]), conn(&got_a[0]));
        assert_eq!(conn(&got_b[i]), conn(&got_b[0]));
    }
    assert_ne!(conn(&got_a[0]), conn(&got_b[0]));
    let _ = a.close(None);
    let _ = b.close(None);
    let (code, _, err) = t.interrupt();
    assert_eq!(code, 0, "{err}");
}

#[test]
fn malformed_frames_reach_err_and_the_run_goes_on() {
    let d = dir("malformed");
    let port = free_port();
    let q = write(
        &d,
        "q.trickle",
        &format!(
            r#"
define peer up from tcp_server with codec = "json", config = {{"port": {port}}} end;
create peer up;
select {{"ok": event}} from up into up;
select event from up/err into up;
"#
        ),
    );
    let t = Trickle::start(&[&q]);
    let mut a = connect(port);
    let mut ra = BufReader::new(a.try_clone().unwrap());
    a.write_all(b"{\"n\":1}\n{bad\n{\"n\":2}\n").unwrap();
    let lines: Vec<String> = (0..3).map(|_| read_line(&mut ra)).collect();
    assert_eq!(lines[0], r#"{"ok":{"n":1}}"#, "{lines:?}");
    let err_line = lines
        .iter()
        .find(|l| !l.starts_with(r#"{"ok""#))
        .expect("the malformed line comes back from err");
    let v = trickle::value::parse_json(err_line).expect(err_line);
    assert!(
        v.get("error").and_then(|e| e.as_str()).is_some(),
        "{err_line}"
    );
    assert_eq!(
        v.get("peer").and_then(|e| e.as_str()),
        Some("up"),
        "{err_line}"
    );
    assert_eq!(
        v.get("stream").and_then(|e| e.as_i64()),
        Some(0),
        "{err_line}"
    );
    assert_eq!(
        v.get("raw").and_then(|e| e.as_str()),
        Some("{bad"),
        "{err_line}"
    );
    assert!(
        lines.contains(&r#"{"ok":{"n":2}}"#.to_string()),
        "{lines:?}"
    );
    // The run goes on: the same connection and a new one still get answers.
    a.write_all(b"3\n").unwrap();
    assert_eq!(read_line(&mut ra), r#"{"ok":3}"#);
    let mut b = connect(port);
    let mut rb = BufReader::new(b.try_clone().unwrap());
    b.write_all(b"4\n").unwrap();
    assert_eq!(read_line(&mut rb), r#"{"ok":4}"#);
    drop((a, b));
    let (code, _, err) = t.interrupt();
    assert_eq!(code, 0, "{err}");
}

/// Waits (at most 20 s) until `path` holds `lines` lines; returns its text.
fn file_with_lines(path: &std::path::Path, lines: usize) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if text.lines().count() >= lines || std::time::Instant::now() > deadline {
            return text;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn json_lines_over_tcp_are_forwarded_to_a_file_as_read() {
    let d = dir("tcp_forward");
    let port = free_port();
    let out = d.join("out.jsonl");
    let q = write(
        &d,
        "q.trickle",
        &format!(
            r#"
define peer up from tcp_server with config = {{"port": {port}}} end;
define peer down from file with config = {{"path": "{}", "mode": "write"}} end;
create peer up;
create peer down;
select event from up into down;
"#,
            out.display()
        ),
    );
    let t = Trickle::start(&[&q, "--metrics"]);
    let mut a = connect(port);
    // Spaces go, blank lines are skipped, `\r\n` ends a line, a bad line is reported.
    a.write_all(b"{\"a\": 1, \"b\": [1, 2.5]}\n\n{bad\r\n\"x\"\r\n")
        .unwrap();
    a.shutdown(Shutdown::Write).unwrap();
    let text = file_with_lines(&out, 2);
    assert_eq!(text, "{\"a\":1,\"b\":[1,2.5]}\n\"x\"\n");
    let (code, _, err) = t.interrupt();
    assert_eq!(code, 0, "{err}");
    let record = err
        .lines()
        .find(|l| l.contains("\"peer\":\"up\""))
        .expect(&err);
    let v = trickle::value::parse_json(record).expect(record);
    assert_eq!(
        v.get("raw").and_then(|r| r.as_str()),
        Some("{bad\r"),
        "{record}"
    );
    assert!(
        v.get("error")
            .and_then(|e| e.as_str())
            .is_some_and(|e| e.starts_with("json codec")),
        "{record}"
    );
    // in, out, err, send, recv
    let row = |name: &str| -> Vec<String> {
        let row = err.lines().find(|l| l.starts_with(name)).expect(&err);
        row.split_whitespace().skip(1).map(String::from).collect()
    };
    assert_eq!(row("up "), ["0", "2", "1", "0", "3"], "{err}");
    assert_eq!(row("down "), ["2", "0", "0", "2", "0"], "{err}");
}

#[test]
fn an_error_report_shows_the_whole_event_though_the_query_reads_one_field() {
    let d = dir("tcp_project");
    let port = free_port();
    let out = d.join("out.jsonl");
    let q = write(
        &d,
        "q.trickle",
        &format!(
            r#"
define peer up from tcp_server with config = {{"port": {port}}} end;
define peer down from file with config = {{"path": "{}", "mode": "write"}} end;
create peer up;
create peer down;
select event.n + 1 from up into down;
"#,
            out.display()
        ),
    );
    let t = Trickle::start(&[&q]);
    let mut a = connect(port);
    a.write_all(
        b"{\"n\": 1, \"big\": [1, 2, 3]}\n{\"n\": \"s\", \"big\": {\"k\": true}}\n{\"n\": 2}\n",
    )
    .unwrap();
    a.shutdown(Shutdown::Write).unwrap();
    assert_eq!(file_with_lines(&out, 2), "2\n3\n");
    let (code, _, err) = t.interrupt();
    assert_eq!(code, 0, "{err}");
    let record = err.lines().find(|l| l.contains("\"error\"")).expect(&err);
    let v = trickle::value::parse_json(record).expect(record);
    assert_eq!(
        v.get("event").map(|e| e.encode()),
        Some(r#"{"n":"s","big":{"k":true}}"#.to_string()),
        "{record}"
    );
}

/// Runs `select` (reading peer `src`, a `file` peer on `input` with `framing`
/// added to its definition) with `--metrics`; returns the exit code, stdout, and
/// stderr without the metrics table, with `src`'s row of it.
fn run_file_source(
    d: &std::path::Path,
    input: &str,
    framing: &str,
    select: &str,
) -> (i32, String, String, String) {
    let q = write(
        d,
        "q.trickle",
        &format!(
            r#"
define peer src from file with config = {{"path": "{input}"}}{framing} end;
create peer src;
{select}
"#
        ),
    );
    let mut t = Trickle::start(&[&q, "--metrics", "--clock", "index"]);
    let (code, out, err) = t.wait();
    let row = err
        .lines()
        .find(|l| l.starts_with("src "))
        .unwrap_or_default()
        .to_string();
    let records = err.lines().filter(|l| l.starts_with('{'));
    let records: Vec<&str> = records.collect();
    (code, out, records.join("\n"), row)
}

#[test]
fn a_file_peer_reads_json_lines_on_the_fast_path_as_the_lines_interceptor_does() {
    let d = dir("file_fast");
    // Spaces, a blank line, `\r\n`, a line that is not JSON, a field of the wrong
    // type, and a last line without `\n`.
    let input = write(
        &d,
        "in.json",
        "{\"a\": 1, \"b\": [1, 2.5]}\n\n{bad\r\n\"x\"\r\n{\"n\": \"s\", \"big\": {\"k\": true}}\n{\"n\": 2}\n{\"n\": 5}",
    );
    let bad = r#"{"error":"json codec: "#;
    let cases = [
        // Forwarded: each line's compact form, written as read.
        (
            "select event from src into out;",
            "{\"a\":1,\"b\":[1,2.5]}\n\"x\"\n{\"n\":\"s\",\"big\":{\"k\":true}}\n{\"n\":2}\n{\"n\":5}\n",
        ),
        // Decoded with the one field read.
        ("select event.n + 1 from src into out;", "3\n6\n"),
    ];
    for (select, want) in cases {
        // The `lines` interceptor named explicitly takes the decoder: the reference.
        let fast = run_file_source(&d, &input, "", select);
        let framed = ", interceptors = [\"lines\"]";
        let slow = run_file_source(&d, &input, framed, select);
        assert_eq!(fast, slow, "{select}");
        let (code, out, records, row) = fast;
        assert_eq!(code, 0, "{records}");
        assert_eq!(out, want, "{select}");
        // The line that is not JSON, whole (with its `\r`), on the peer's `err`.
        let undecodable = records
            .lines()
            .find(|l| l.starts_with(bad))
            .expect(&records);
        assert!(
            undecodable.ends_with(r#","peer":"src","stream":0,"raw":"{bad\r"}"#),
            "{undecodable}"
        );
        // in, out, err, send, recv: five events and one line that did not decode.
        let nums: Vec<&str> = row.split_whitespace().skip(1).collect();
        assert_eq!(nums, ["0", "5", "1", "0", "6"], "{row}");
    }
    // An error report shows the whole event, though the graph read one field.
    let (_, _, records, _) = run_file_source(&d, &input, "", cases[1].0);
    let report = records.lines().find(|l| l.contains("big")).expect(&records);
    let v = trickle::value::parse_json(report).expect(report);
    assert_eq!(
        v.get("event").map(|e| e.encode()),
        Some(r#"{"n":"s","big":{"k":true}}"#.to_string()),
        "{report}"
    );
}

#[test]
fn a_stdin_peer_reads_json_lines_on_the_fast_path_as_the_lines_interceptor_does() {
    let d = dir("stdin_fast");
    let input = "{\"n\": 1, \"big\": [1, 2]}\n\n{bad\r\n{\"n\": 2}\r\n{\"n\": 5}";
    let run = |framing: &str, select: &str| {
        let q = write(
            &d,
            "q.trickle",
            &format!("define peer x from stdin{framing} end;\ncreate peer x;\n{select}\n"),
        );
        let (code, out, err) = run_with_stdin(&["run", &q, "--metrics"], input);
        let keep = |l: &&str| l.starts_with('{') || l.starts_with("x ");
        let err: Vec<String> = err.lines().filter(keep).map(String::from).collect();
        (code, out, err)
    };
    let cases = [
        (
            "select event from x into out;",
            "{\"n\":1,\"big\":[1,2]}\n{\"n\":2}\n{\"n\":5}\n",
        ),
        ("select event.n * 10 from x into out;", "10\n20\n50\n"),
    ];
    for (select, want) in cases {
        let fast = run(" with config = {}", select);
        let slow = run(" with interceptors = [\"lines\"]", select);
        assert_eq!(fast, slow, "{select}");
        let (code, out, err) = fast;
        assert_eq!((code, out.as_str()), (0, want), "{err:?}");
        assert!(
            err[0].ends_with(r#","peer":"x","stream":0,"raw":"{bad\r"}"#),
            "{err:?}"
        );
        // in, out, err, send, recv
        let row: Vec<&str> = err[1].split_whitespace().collect();
        assert_eq!(row, ["x", "0", "3", "1", "0", "4"], "{err:?}");
    }
}
