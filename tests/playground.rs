//! `trickle playground`: the page served over real HTTP on 127.0.0.1 (a port picked
//! free at run time), with the content types a browser needs, and the message when
//! there is nothing to serve. Every wait has a deadline.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{connect, dir, free_port, write, DEADLINE};

/// A `trickle playground` child, killed when dropped.
struct Server(Child);

impl Server {
    fn start(args: &[&str]) -> Server {
        let child = Command::new(env!("CARGO_BIN_EXE_trickle"))
            .arg("playground")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the trickle binary runs");
        Server(child)
    }

    /// Its exit code and stderr, if it exits before the deadline.
    fn exit(&mut self) -> (i32, String) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.0.try_wait().unwrap() {
                let mut err = String::new();
                if let Some(mut e) = self.0.stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                return (status.code().unwrap_or(-1), err);
            }
            assert!(
                start.elapsed() < DEADLINE,
                "trickle playground did not exit"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether it is still running once `port` accepts or it has exited.
    fn listening(&mut self, port: u16) -> bool {
        let start = Instant::now();
        loop {
            if self.0.try_wait().unwrap().is_some() {
                return false;
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return true;
            }
            assert!(start.elapsed() < DEADLINE, "neither listening nor exited");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `GET path` on a fresh connection: (status line, headers lowercased, body bytes).
fn get(port: u16, path: &str) -> (String, String, Vec<u8>) {
    let bytes = exchange(port, path);
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&bytes[..split]).to_string();
    let (status, headers) = head.split_once("\r\n").unwrap_or((&head, ""));
    (
        status.to_string(),
        headers.to_lowercase(),
        bytes[split + 4..].to_vec(),
    )
}

const WASM: &[u8] = b"\0asm\x01\0\0\0";

#[test]
fn serves_a_built_folder_with_the_types_a_browser_needs() {
    let d = dir("playground-site");
    write(&d, "index.html", "<!doctype html><title>trickle</title>");
    std::fs::create_dir_all(d.join("pkg")).unwrap();
    std::fs::write(d.join("pkg/trickle_playground_bg.wasm"), WASM).unwrap();
    let port = free_port();
    let mut server = Server::start(&["--port", &port.to_string(), "--dir", d.to_str().unwrap()]);
    assert!(server.listening(port), "exited: {:?}", server.exit());
    let mut url = String::new();
    let out = server.0.stdout.take().unwrap();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut url).unwrap();
    assert!(url.contains(&format!("http://127.0.0.1:{port}/")), "{url}");

    let (status, headers, body) = get(port, "/");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(headers.contains("content-type: text/html"), "{headers}");
    assert_eq!(body, b"<!doctype html><title>trickle</title>");

    let (status, headers, body) = get(port, "/pkg/trickle_playground_bg.wasm?v=1");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(
        headers.contains("content-type: application/wasm"),
        "{headers}"
    );
    assert_eq!(body, WASM);

    assert_eq!(get(port, "/nope.js").0, "HTTP/1.1 404 Not Found");
    assert_eq!(get(port, "/../Cargo.toml").0, "HTTP/1.1 404 Not Found");
}

/// The bytes of one `GET path` exchange. A connection reset before any byte of
/// the answer came is asked again, twice at most: it was seen once in a CI run on
/// loopback, where the server reads the whole request and closes cleanly; a server
/// that resets every time still fails here.
fn exchange(port: u16, path: &str) -> Vec<u8> {
    let mut attempt = 1;
    loop {
        let mut s = connect(port);
        write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
        s.shutdown(std::net::Shutdown::Write).unwrap();
        let mut bytes = Vec::new();
        match s.read_to_end(&mut bytes) {
            Ok(_) => return bytes,
            Err(e)
                if e.kind() == std::io::ErrorKind::ConnectionReset
                    && bytes.is_empty()
                    && attempt < 3 =>
            {
                attempt += 1;
            }
            Err(e) => panic!("a response before the deadline: {e} (attempt {attempt})"),
        }
    }
}

/// With the page built in (`playground/build.sh` ran before this build, as in CI)
/// it is served; without, the command says how to build it and exits 3.
#[test]
fn serves_the_built_in_page_or_says_how_to_build_it() {
    let port = free_port();
    let mut server = Server::start(&["--port", &port.to_string()]);
    if server.listening(port) {
        let (status, headers, body) = get(port, "/index.html");
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert!(headers.contains("content-type: text/html"), "{headers}");
        assert!(!body.is_empty());
        let (status, headers, body) = get(port, "/pkg/trickle_playground_bg.wasm");
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert!(
            headers.contains("content-type: application/wasm"),
            "{headers}"
        );
        assert!(body.starts_with(b"\0asm"));
    } else {
        let (code, err) = server.exit();
        assert_eq!(code, 3, "{err}");
        assert!(err.contains("bash playground/build.sh"), "{err}");
        assert!(err.contains("--dir"), "{err}");
    }
}

#[test]
fn a_folder_without_a_page_or_a_taken_port_is_a_runtime_failure() {
    let d = dir("playground-empty");
    let mut server = Server::start(&["--dir", d.to_str().unwrap()]);
    let (code, err) = server.exit();
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("no index.html"), "{err}");

    let site = dir("playground-taken");
    write(&site, "index.html", "x");
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let mut server = Server::start(&["--port", &port, "--dir", site.to_str().unwrap()]);
    let (code, err) = server.exit();
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("cannot listen on 127.0.0.1"), "{err}");
}
