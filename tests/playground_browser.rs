//! The playground page in a real browser: Debian's headless Chromium opens `playground/dist`
//! (served from here on 127.0.0.1) with a query and events in the URL fragment, and the tests read
//! the rendered DOM: a result line from `out`, a diagnostic from a broken query, the load time, and
//! the time of a run over 10,000 events. One of them takes the README's screenshot (written to
//! `playground/screenshot.png` with `BLESS=1`, else to a temp dir).
//!
//! Without `playground/dist` (built by `playground/build.sh`) or without Chromium the tests say why
//! and pass, unless `TRICKLE_CI` is set (`.ci/run` sets it): then they fail.

use base64::Engine as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Wall-clock bound on one Chromium run (start, load, run, dump) on a busy machine.
const BROWSER_DEADLINE: Duration = Duration::from_secs(90);
/// Virtual time the page gets: it only advances while the page is idle, so this bounds waiting
/// for timers (the debounced check), not the real work.
const VIRTUAL_BUDGET_MS: u32 = 10_000;

const WINDOWED_QUERY: &str = "define window three from tumbling
with
  size = 3
end;

select {
  \"host\": group[0],
  \"n\": aggr::stats::count(),
  \"max_ms\": aggr::stats::max(event.ms)
}
from in[three]
group by set(event.host)
into out;
";

const WINDOWED_INPUT: &str = r#"{"host": "a", "ms": 12}
{"host": "b", "ms": 30}
{"host": "a", "ms": 8}
{"host": "a", "ms": 15}
{"host": "b", "ms": 22}
{"host": "b", "ms": 41}
{"host": "a", "ms": 9}
"#;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What the tests need, or why they cannot run (a failure under `TRICKLE_CI`).
fn prerequisites() -> Option<(PathBuf, PathBuf)> {
    let dist = manifest().join("playground/dist");
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists());
    let missing =
        if !dist.join("pkg/trickle_playground.js").exists() || !dist.join("index.html").exists() {
            Some(format!(
                "{} is not built (run playground/build.sh)",
                dist.display()
            ))
        } else if chromium.is_none() {
            Some("chromium is not installed (apt-get install chromium)".to_string())
        } else {
            None
        };
    match missing {
        Some(why) if std::env::var_os("TRICKLE_CI").is_some() => {
            panic!("TRICKLE_CI is set but {why}")
        }
        Some(why) => {
            eprintln!("skipping the browser test: {why}");
            None
        }
        None => Some((dist, chromium.unwrap())),
    }
}

/// A static file server for one directory on 127.0.0.1, stopped when dropped. `extra` maps a path
/// to a page of its own (the run-time measurement's page).
struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(root: &Path, extra: Vec<(&'static str, String)>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let (root, flag) = (root.to_path_buf(), stop.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(conn) = conn {
                    let (root, extra) = (root.clone(), extra.clone());
                    std::thread::spawn(move || serve(conn, &root, &extra));
                }
            }
        });
        Server {
            port,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

fn serve(mut conn: TcpStream, root: &Path, extra: &[(&'static str, String)]) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    // The headers are not needed, only read past (bounded by the read timeout).
    for _ in 0..100 {
        let mut line = String::new();
        if reader.read_line(&mut line).map_or(true, |n| n == 0) || line == "\r\n" {
            break;
        }
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/");
    let path = path
        .split(['?', '#'])
        .next()
        .unwrap_or("/")
        .trim_start_matches('/');
    let (status, kind, body) = if let Some((_, page)) = extra.iter().find(|(p, _)| *p == path) {
        (
            "200 OK",
            "text/html; charset=utf-8",
            page.clone().into_bytes(),
        )
    } else {
        let file = root.join(if path.is_empty() { "index.html" } else { path });
        match std::fs::read(&file) {
            Ok(bytes) if !path.split('/').any(|s| s == "..") => {
                ("200 OK", content_type(&file), bytes)
            }
            _ => ("404 Not Found", "text/plain", b"not found".to_vec()),
        }
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = conn.write_all(head.as_bytes());
    let _ = conn.write_all(&body);
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text.as_bytes())
}

fn fragment(query: &str, input: &str, kind: &str) -> String {
    format!("#q={}&i={}&k={kind}", b64(query), b64(input))
}

/// Runs headless Chromium on `url` with `extra` flags; its stdout (the DOM with `--dump-dom`).
fn chromium(chromium: &Path, url: &str, extra: &[&str]) -> String {
    let profile = std::env::temp_dir().join(format!(
        "trickle-playground-chromium-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&profile).unwrap();
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--virtual-time-budget={VIRTUAL_BUDGET_MS}"))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = stdout.read_to_string(&mut out);
        out
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > BROWSER_DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            let _ = std::fs::remove_dir_all(&profile);
            panic!("chromium took longer than {BROWSER_DEADLINE:?} on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let dom = reader.join().unwrap();
    let _ = std::fs::remove_dir_all(&profile);
    assert!(status.success(), "chromium failed ({status}) on {url}");
    dom
}

fn dump_dom(browser: &Path, url: &str) -> String {
    chromium(browser, url, &["--dump-dom"])
}

fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

fn strip_tags(html: &str) -> String {
    unescape(&regex::Regex::new("<[^>]*>").unwrap().replace_all(html, " "))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The value of attribute `name` on the element with id `id`.
fn attribute(dom: &str, id: &str, name: &str) -> Option<String> {
    let tag = regex::Regex::new(&format!(r#"<[^>]*\bid="{id}"[^>]*>"#)).unwrap();
    let found = tag.find(dom)?.as_str().to_string();
    let attr = regex::Regex::new(&format!(r#"\b{name}="([^"]*)""#)).unwrap();
    attr.captures(&found).map(|c| unescape(&c[1]))
}

/// The results rendered for `port`, as JSON values.
fn port_results(dom: &str, port: &str) -> Vec<serde_json::Value> {
    let Some(start) = dom.find(&format!(r#"data-port="{port}""#)) else {
        return Vec::new();
    };
    let section = &dom[start..start + dom[start..].find("</section>").unwrap_or(dom.len() - start)];
    regex::Regex::new(r#"<span class="text">(.*?)</span>"#)
        .unwrap()
        .captures_iter(section)
        .map(|c| serde_json::from_str(&unescape(&c[1])).expect("a result is JSON"))
        .collect()
}

/// The diagnostics listed under the editor: (severity, text).
fn diagnostics(dom: &str) -> Vec<(String, String)> {
    let Some(start) = dom.find(r#"id="diagnostics""#) else {
        return Vec::new();
    };
    let list = &dom[start..start + dom[start..].find("</ul>").unwrap_or(dom.len() - start)];
    regex::Regex::new(r#"<li class="diag (\w+)">(.*?)</li>"#)
        .unwrap()
        .captures_iter(list)
        .map(|c| (c[1].to_string(), strip_tags(&c[2])))
        .collect()
}

#[test]
fn renders_the_output_of_a_shared_query_and_loads_fast() {
    let Some((dist, browser)) = prerequisites() else {
        return;
    };
    let server = Server::start(&dist, Vec::new());
    let dom = dump_dom(
        &browser,
        &(server.url("") + &fragment(WINDOWED_QUERY, WINDOWED_INPUT, "lines")),
    );

    let load_ms: f64 = attribute(&dom, "status", "data-load-ms")
        .unwrap_or_else(|| panic!("the page never reported the engine ready:\n{dom}"))
        .parse()
        .unwrap();
    eprintln!("playground: engine ready {load_ms:.0} ms after navigation start");
    assert!(load_ms < 5_000.0, "the page took {load_ms} ms to load");

    let out = port_results(&dom, "out");
    let expected: Vec<serde_json::Value> = [
        r#"{"host": "a", "n": 3, "max_ms": 15.0}"#,
        r#"{"host": "b", "n": 3, "max_ms": 41.0}"#,
        r#"{"host": "a", "n": 1, "max_ms": 9.0}"#,
    ]
    .iter()
    .map(|s| serde_json::from_str(s).unwrap())
    .collect();
    // As `trickle run` prints them: `max` of ints is a float.
    assert_eq!(out, expected, "the rendered `out` of:\n{dom}");
    assert!(
        dom.contains(r#"<span class="win">[three]</span>"#),
        "a result shows its window"
    );
    assert_eq!(
        attribute(&dom, "run-stats", "data-events-in").as_deref(),
        Some("7")
    );
    // The graph is drawn from the compiled query.
    assert!(
        dom.contains("<svg") && dom.contains(r#"class="node""#),
        "no graph in:\n{dom}"
    );
}

#[test]
fn renders_a_diagnostic_for_a_broken_query() {
    let Some((dist, browser)) = prerequisites() else {
        return;
    };
    let server = Server::start(&dist, Vec::new());
    let broken = "select {\"n\": nosuchfn(event.x)}\nfrom in\ninto out;\n";
    let dom = dump_dom(
        &browser,
        &(server.url("") + &fragment(broken, "{\"x\": 1}\n", "lines")),
    );
    let diags = diagnostics(&dom);
    let (severity, text) = diags
        .first()
        .unwrap_or_else(|| panic!("no diagnostic rendered in:\n{dom}"));
    assert_eq!(severity, "error");
    assert!(
        text.starts_with("1:14 error"),
        "position and severity: {text}"
    );
    assert!(
        text.contains("nosuchfn"),
        "the message names the function: {text}"
    );
    // The editor underlines it, and nothing ran.
    assert!(
        dom.contains(r#"d-error">nosuchfn</span>"#),
        "no underline in:\n{dom}"
    );
    assert!(port_results(&dom, "out").is_empty());
}

/// A run over 10,000 events from the input box: the page's own timing of the run, engine and
/// rendering, read from the DOM. The page is the playground plus a script that fills the input
/// and presses Run once the first run is done.
#[test]
fn runs_ten_thousand_events_quickly() {
    let Some((dist, browser)) = prerequisites() else {
        return;
    };
    let index = std::fs::read_to_string(dist.join("index.html")).unwrap();
    let driver = r#"<script type="module">
const events = Array.from({length: 10000}, (_, i) => JSON.stringify({host: 'h' + (i % 7), ms: i % 100})).join('\n');
const go = () => {
  if (document.body.dataset.runs !== '1') return setTimeout(go, 10);
  document.getElementById('input').value = events;
  document.getElementById('run').click();
};
go();
</script></head>"#;
    let page = index.replace("</head>", driver);
    let server = Server::start(&dist, vec![("bench.html", page)]);
    let query = "select {\"host\": event.host, \"slow\": event.ms > 50} from in into out;\n";
    let dom = dump_dom(
        &browser,
        &(server.url("bench.html") + &fragment(query, "", "lines")),
    );
    assert_eq!(
        attribute(&dom, "run-stats", "data-events-in").as_deref(),
        Some("10000"),
        "{dom}"
    );
    let engine: f64 = attribute(&dom, "run-stats", "data-engine-ms")
        .unwrap()
        .parse()
        .unwrap();
    let total: f64 = attribute(&dom, "run-stats", "data-total-ms")
        .unwrap()
        .parse()
        .unwrap();
    eprintln!("playground: 10,000 events: engine {engine:.1} ms, with rendering {total:.1} ms");
    assert!(total < 5_000.0, "a run over 10,000 events took {total} ms");
    assert_eq!(
        port_results(&dom, "out").len(),
        1000,
        "the first 1000 results are rendered"
    );
}

/// The README's screenshot: a windowed query with several results.
#[test]
fn takes_the_screenshot() {
    let Some((dist, browser)) = prerequisites() else {
        return;
    };
    let server = Server::start(&dist, Vec::new());
    let target = if std::env::var_os("BLESS").is_some() {
        manifest().join("playground/screenshot.png")
    } else {
        std::env::temp_dir().join(format!("trickle-playground-{}.png", std::process::id()))
    };
    let shot = format!("--screenshot={}", target.display());
    let url = server.url("") + &fragment(WINDOWED_QUERY, WINDOWED_INPUT, "lines");
    chromium(&browser, &url, &[&shot, "--window-size=1400,900"]);
    let png = std::fs::read(&target).expect("chromium wrote the screenshot");
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000,
        "not a screenshot"
    );
    eprintln!("playground: screenshot in {}", target.display());
}
