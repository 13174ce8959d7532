//! `trickle playground`: serves the browser playground (`playground/dist/`, embedded
//! by the build script when it was built) on 127.0.0.1. A static site needs no more
//! than GET over HTTP/1.1, so this is a small std server, a thread per connection.

use super::{EXIT_OK, EXIT_RUNTIME};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The port `trickle playground` listens on without `--port`.
pub const DEFAULT_PORT: u16 = 8787;

/// The page's files, `(path, bytes)`, as `playground/build.sh` left them at build time.
const EMBEDDED: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/playground_files.rs"));

/// What is served: the embedded files, or a folder's (`--dir`).
enum Site {
    Embedded,
    Dir(PathBuf),
}

impl Site {
    fn get(&self, path: &str) -> Option<Vec<u8>> {
        match self {
            Site::Embedded => EMBEDDED
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, b)| b.to_vec()),
            Site::Dir(dir) => std::fs::read(dir.join(path)).ok(),
        }
    }
}

/// `trickle playground [--port P] [--dir DIR]`: exit 3 when there is nothing to
/// serve or the port cannot be had; otherwise it serves until stopped (Ctrl-C).
pub fn main(port: u16, dir: Option<&Path>) -> i32 {
    let site = match dir {
        Some(d) if d.join("index.html").is_file() => Site::Dir(d.to_path_buf()),
        Some(d) => {
            crate::diag::say(format_args!(
                "{} has no index.html: not a built playground (`bash playground/build.sh` builds one)",
                d.display()
            ));
            return EXIT_RUNTIME;
        }
        None if EMBEDDED.iter().any(|(p, _)| *p == "index.html") => Site::Embedded,
        None => {
            crate::diag::say(
                "the playground's page was not built into this trickle. Build the page, then\n\
                 build trickle again (it embeds playground/dist/ when it is there):\n  \
                 rustup target add wasm32-unknown-unknown\n  \
                 cargo install wasm-bindgen-cli --version 0.2.130\n  \
                 bash playground/build.sh\n  \
                 cargo build --release\n\
                 or serve a built folder: trickle playground --dir playground/dist",
            );
            return EXIT_RUNTIME;
        }
    };
    let listener = match TcpListener::bind(("127.0.0.1", port)) {
        Ok(l) => l,
        Err(e) => {
            crate::diag::say(format_args!("cannot listen on 127.0.0.1:{port}: {e}"));
            return EXIT_RUNTIME;
        }
    };
    let port = listener.local_addr().map_or(port, |a| a.port());
    println!("trickle playground on http://127.0.0.1:{port}/ (Ctrl-C stops it)");
    let _ = std::io::stdout().flush();
    let site = std::sync::Arc::new(site);
    for conn in listener.incoming() {
        let Ok(conn) = conn else { continue };
        let site = site.clone();
        std::thread::spawn(move || serve(conn, &site));
    }
    EXIT_OK
}

/// Answers the requests of one connection (keep-alive) until it closes or idles.
fn serve(conn: TcpStream, site: &Site) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
    let Ok(mut out) = conn.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(conn);
    loop {
        let Some((method, target)) = request(&mut reader) else {
            return;
        };
        let path = target.split(['?', '#']).next().unwrap_or("");
        let path = match path.trim_start_matches('/') {
            "" => "index.html",
            p => p,
        };
        let (status, kind, body) = if method != "GET" && method != "HEAD" {
            (
                "405 Method Not Allowed",
                "text/plain",
                b"GET only\n".to_vec(),
            )
        } else if path.split('/').any(|s| s == ".." || s.is_empty()) {
            ("404 Not Found", "text/plain", b"not found\n".to_vec())
        } else {
            match site.get(path) {
                Some(b) => ("200 OK", content_type(path), b),
                None => ("404 Not Found", "text/plain", b"not found\n".to_vec()),
            }
        };
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\
             Cache-Control: no-cache\r\n\r\n",
            body.len()
        );
        let body: &[u8] = if method == "HEAD" { &[] } else { &body };
        if out
            .write_all(head.as_bytes())
            .and_then(|()| out.write_all(body))
            .is_err()
        {
            return;
        }
    }
}

/// Reads one request's head (bounded): its method and target. `None` at the end of
/// the connection or on a request this server does not take.
fn request(reader: &mut BufReader<TcpStream>) -> Option<(String, String)> {
    let mut line = String::new();
    let mut head = reader.by_ref().take(16 * 1024);
    head.read_line(&mut line).ok().filter(|n| *n > 0)?;
    let mut words = line.split_whitespace();
    let (method, target) = (words.next()?.to_string(), words.next()?.to_string());
    // The headers say nothing this server needs; a body is not expected of GET.
    loop {
        let mut h = String::new();
        if head.read_line(&mut h).ok()? == 0 {
            return None;
        }
        if h.trim_end().is_empty() {
            return Some((method, target));
        }
    }
}

/// The `Content-Type` of a file, by its extension (`application/wasm` lets the
/// browser compile a module while it downloads).
pub fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, e)| e) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt" | "md") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wasm_and_pages_get_their_types() {
        assert_eq!(
            content_type("pkg/trickle_playground_bg.wasm"),
            "application/wasm"
        );
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("pkg/x.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }
}
