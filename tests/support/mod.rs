//! What the socket tests share: a `trickle run` child stopped when dropped, free
//! ports, temp dirs, and connecting/reading with deadlines.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long any one condition may take on a busy machine with a debug build.
pub const DEADLINE: Duration = Duration::from_secs(30);

pub fn dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("trickle-peers-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

/// A port nobody listens on right now, below the kernel's ephemeral range
/// (32768-60999 on Linux). A port the kernel hands out (`bind` to port 0) is in
/// that range, and until the test binds it, any outgoing connection (the test's
/// clients, trickle's, another test's) may take it as its own local port. Ports
/// below it are never given out that way; each test of this process takes the
/// next one, from a start that depends on the process.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    const LOW: u32 = 20_000;
    const SPAN: u32 = 12_000;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let start = std::process::id().wrapping_mul(97) % SPAN;
    for _ in 0..SPAN {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = LOW + (start + n) % SPAN;
        let port = u16::try_from(port).expect("below 65536");
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `trickle run`, stopped (SIGINT, then kill) when dropped. Its stderr is
/// read as it runs, so a chatty run never blocks on a full pipe; its stdout is left
/// for the test to read as it goes (or is read at the exit).
pub struct Trickle {
    pub child: Child,
    err: Option<std::thread::JoinHandle<String>>,
}

fn drain(mut r: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = r.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

impl Trickle {
    pub fn start(args: &[&str]) -> Trickle {
        let mut child = Command::new(env!("CARGO_BIN_EXE_trickle"))
            .arg("run")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the trickle binary runs");
        let err = child.stderr.take().map(drain);
        Trickle { child, err }
    }

    /// Ctrl-C, then waits for the exit; returns (code, stdout, stderr).
    pub fn interrupt(mut self) -> (i32, String, String) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-INT", &pid]).status();
        self.wait()
    }

    pub fn wait(&mut self) -> (i32, String, String) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut out = String::new();
                if let Some(mut o) = self.child.stdout.take() {
                    let _ = o.read_to_string(&mut out);
                }
                let err = self
                    .err
                    .take()
                    .map(|h| h.join().unwrap_or_default())
                    .unwrap_or_default();
                return (status.code().unwrap_or(-1), out, err);
            }
            assert!(start.elapsed() < DEADLINE, "trickle did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Trickle {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `trickle ARGS` with `input` on its stdin (then closed) until it exits;
/// returns (exit code, stdout, stderr).
pub fn run_with_stdin(args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_trickle"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the trickle binary runs");
    let mut pipe = child.stdin.take().expect("piped stdin");
    // The child may exit before reading it all (a bad query): that is its answer.
    let _ = pipe.write_all(input.as_bytes());
    drop(pipe);
    let out = child.wait_with_output().expect("trickle exits");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Connects once the server listens (retrying until the deadline).
pub fn connect(port: u16) -> TcpStream {
    let start = Instant::now();
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => {
                s.set_read_timeout(Some(DEADLINE)).unwrap();
                return s;
            }
            Err(e) => {
                assert!(
                    start.elapsed() < DEADLINE,
                    "server on {port} never came up: {e}"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

pub fn read_line(r: &mut BufReader<TcpStream>) -> String {
    let mut line = String::new();
    r.read_line(&mut line).expect("a line before the deadline");
    line.trim_end().to_string()
}

pub fn read_to_end(r: &mut BufReader<TcpStream>) -> Vec<String> {
    let mut text = String::new();
    r.read_to_string(&mut text)
        .expect("EOF before the deadline");
    text.lines().map(str::to_string).collect()
}

/// One HTTP/1.1 exchange on a fresh connection: sends `request` (then half-closes the
/// connection when `half_close`) and returns the whole response text.
pub fn http(port: u16, request: &[u8], half_close: bool) -> String {
    use std::io::Write;
    let mut s = connect(port);
    s.write_all(request).unwrap();
    if half_close {
        s.shutdown(std::net::Shutdown::Write).unwrap();
    }
    let mut text = String::new();
    s.read_to_string(&mut text)
        .expect("a response before the deadline");
    text
}

/// The counters of `peer`'s row in a `--metrics` table (in, out, err, send, recv).
pub fn metrics_row(stderr: &str, peer: &str) -> Vec<u64> {
    stderr
        .lines()
        .find(|l| l.split_whitespace().next() == Some(peer))
        .unwrap_or_else(|| panic!("no metrics row for {peer}: {stderr}"))
        .split_whitespace()
        .skip(1)
        .map(|n| n.parse().expect("a count"))
        .collect()
}
