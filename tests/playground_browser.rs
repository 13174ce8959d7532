//! The playground page in a real browser: Debian's headless Chromium, driven over the DevTools
//! protocol, opens `playground/dist` (served by `trickle playground --dir` on 127.0.0.1) with a
//! query and events in the URL fragment, and the tests read the rendered DOM: a result line from
//! `out`, a diagnostic from a broken query, the load time, and the time of a run over 10,000
//! events. One of them takes the README's screenshot (written to `playground/screenshot.png` with
//! `BLESS=1`, else to a temp dir).
//!
//! Without `playground/dist` (built by `playground/build.sh`) or without Chromium the tests say why
//! and pass, unless `TRICKLE_CI` is set (`.ci/run` sets it): then they fail.

mod support;

use base64::Engine as _;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use support::DEADLINE;
use tungstenite::{Message, WebSocket};

/// Bound on waiting for the browser (an answer, the page's first run) on a busy machine.
const BROWSER_DEADLINE: Duration = Duration::from_secs(60);

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

/// Moves the mouse over the first result of `out`; the tooltip's text.
const HOVER_FIRST_RESULT: &str = "(() => {
  const li = document.querySelector('[data-port=out] .result');
  const r = li.getBoundingClientRect();
  li.dispatchEvent(new MouseEvent('mouseover', {bubbles: true, clientX: r.x + 40, clientY: r.y + 8}));
  return document.getElementById('tooltip').textContent;
})()";

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

/// `trickle playground --port 0 --dir DIR`, killed when dropped; `url` is where it listens.
struct Playground {
    child: Child,
    url: String,
}

impl Playground {
    fn serve(dir: &Path) -> Playground {
        let mut child = Command::new(env!("CARGO_BIN_EXE_trickle"))
            .args(["playground", "--port", "0", "--dir"])
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the trickle binary runs");
        // Its first line names the URL (the port is picked by the system).
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(DEADLINE).unwrap_or_default();
        let Some(url) = line
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
        else {
            let _ = child.kill();
            panic!("trickle playground did not say where it listens: {line:?}");
        };
        Playground {
            url: url.to_string(),
            child,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }
}

impl Drop for Playground {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text.as_bytes())
}

fn fragment(query: &str, input: &str, kind: &str) -> String {
    format!("#q={}&i={}&k={kind}", b64(query), b64(input))
}

/// Headless Chromium driven over the DevTools protocol (a WebSocket on 127.0.0.1): the page runs
/// in real time (so its own timings mean something) and the test waits for the page's state, not
/// for a fixed time. Killed, with its fresh profile removed, when dropped.
struct Browser {
    child: Child,
    profile: PathBuf,
    ws: WebSocket<TcpStream>,
    session: String,
    next_id: u64,
}

impl Browser {
    fn open(chromium: &Path) -> Browser {
        // A new empty profile each time: parallel tests must not share Chromium's profile lock.
        static OPENED: AtomicUsize = AtomicUsize::new(0);
        let profile = support::dir(&format!(
            "chromium-{}",
            OPENED.fetch_add(1, Ordering::SeqCst)
        ));
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
                "--window-size=1400,900",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromium");
        // Chromium writes its port and the browser's WebSocket path into the profile.
        let started = Instant::now();
        let active = profile.join("DevToolsActivePort");
        let (port, path) = loop {
            let text = std::fs::read_to_string(&active).unwrap_or_default();
            if let Some((port, path)) = text.split_once('\n') {
                if path.trim().starts_with("/devtools/") {
                    break (port.trim().to_string(), path.trim().to_string());
                }
            }
            if started.elapsed() > DEADLINE || child.try_wait().unwrap().is_some() {
                let _ = child.kill();
                panic!("chromium did not open its DevTools port");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let tcp = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let (ws, _) = tungstenite::client(format!("ws://127.0.0.1:{port}{path}"), tcp)
            .expect("the DevTools WebSocket");
        let mut browser = Browser {
            child,
            profile,
            ws,
            session: String::new(),
            next_id: 0,
        };
        let target =
            browser.call("Target.createTarget", json!({"url": "about:blank"}))["targetId"].clone();
        let attached = browser.call(
            "Target.attachToTarget",
            json!({"targetId": target, "flatten": true}),
        );
        browser.session = attached["sessionId"].as_str().unwrap().to_string();
        let size = json!({"width": 1400, "height": 900, "deviceScaleFactor": 1, "mobile": false});
        browser.call("Emulation.setDeviceMetricsOverride", size);
        browser
    }

    /// Sends one command (to the page once attached) and returns its result.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            msg["sessionId"] = json!(self.session);
        }
        self.ws.send(Message::Text(msg.to_string())).unwrap();
        let started = Instant::now();
        loop {
            assert!(
                started.elapsed() < BROWSER_DEADLINE,
                "no answer to {method}"
            );
            let text = match self.ws.read() {
                Ok(Message::Text(t)) => t,
                Ok(_) => continue,
                Err(tungstenite::Error::Io(e))
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.kind() == std::io::ErrorKind::TimedOut =>
                {
                    continue
                }
                Err(e) => panic!("DevTools connection: {e}"),
            };
            // Events (no id) and answers to other commands are skipped.
            let reply: Value = serde_json::from_str(&text).unwrap();
            if reply["id"] == json!(id) {
                return match reply.get("error") {
                    Some(e) => json!({"error": e}),
                    None => reply["result"].clone(),
                };
            }
        }
    }

    /// Evaluates `js` in the page, its value (`null` when it threw, e.g. during a navigation).
    fn eval(&mut self, js: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": js, "returnByValue": true}),
        );
        if r.get("exceptionDetails").is_some() || r.get("error").is_some() {
            return Value::Null;
        }
        r["result"]["value"].clone()
    }

    /// Opens `url` and waits until the page has run `runs` times; then returns its DOM.
    fn open_page(&mut self, url: &str, runs: u32) -> String {
        self.call("Page.navigate", json!({"url": url}));
        self.wait_runs(runs)
    }

    fn wait_runs(&mut self, runs: u32) -> String {
        let started = Instant::now();
        let probe = format!(
            "Number(document.body?.dataset.runs ?? 0) >= {runs} || document.getElementById('status')?.classList.contains('failed') ? document.documentElement.outerHTML : null"
        );
        loop {
            if let Value::String(dom) = self.eval(&probe) {
                return dom;
            }
            assert!(
                started.elapsed() < BROWSER_DEADLINE,
                "the page never ran {runs} time(s)"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn screenshot(&mut self) -> Vec<u8> {
        let shot = self.call("Page.captureScreenshot", json!({"format": "png"}));
        base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("a screenshot"))
            .unwrap()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
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
    let Some((dist, chromium)) = prerequisites() else {
        return;
    };
    let server = Playground::serve(&dist);
    let mut browser = Browser::open(&chromium);
    let url = server.url("") + &fragment(WINDOWED_QUERY, WINDOWED_INPUT, "lines");
    let dom = browser.open_page(&url, 1);

    let load_ms: f64 = attribute(&dom, "status", "data-load-ms")
        .unwrap_or_else(|| panic!("the page never reported the engine ready:\n{dom}"))
        .parse()
        .unwrap();
    eprintln!("playground: the engine is ready {load_ms:.0} ms after the navigation started");
    assert!(load_ms < 5_000.0, "the page took {load_ms} ms to load");

    // As `trickle run` prints them: `max` of ints is a float.
    let expected: Vec<Value> = [
        r#"{"host": "a", "n": 3, "max_ms": 15.0}"#,
        r#"{"host": "b", "n": 3, "max_ms": 41.0}"#,
        r#"{"host": "a", "n": 1, "max_ms": 9.0}"#,
    ]
    .iter()
    .map(|s| serde_json::from_str(s).unwrap())
    .collect();
    assert_eq!(
        port_results(&dom, "out"),
        expected,
        "the rendered `out` of:\n{dom}"
    );
    assert_eq!(
        attribute(&dom, "run-stats", "data-events-in").as_deref(),
        Some("7")
    );
    assert!(
        dom.contains("<svg") && dom.contains(r#"class="node""#),
        "no graph in:\n{dom}"
    );
    // Each result names its window.
    assert_eq!(
        dom.matches(r#"<span class="win">[three]</span>"#).count(),
        3
    );
    // Hovering a result shows its window's bounds and the ids of its events.
    let tip = browser.eval(HOVER_FIRST_RESULT);
    let tip = tip.as_str().unwrap_or_default();
    // The first window of host a holds events 0, 2 and 3: ingest times 0 to 3 (plus 1).
    assert!(
        tip.contains("event ids (3)") && tip.contains("(in, 0, 0) (in, 0, 2) (in, 0, 3)"),
        "tooltip: {tip}"
    );
    assert!(
        tip.contains("windowthreestart0end4"),
        "tooltip without the window's bounds: {tip}"
    );
}

#[test]
fn renders_a_diagnostic_for_a_broken_query() {
    let Some((dist, chromium)) = prerequisites() else {
        return;
    };
    let server = Playground::serve(&dist);
    let mut browser = Browser::open(&chromium);
    let broken = "select {\"n\": nosuchfn(event.x)}\nfrom in\ninto out;\n";
    let dom = browser.open_page(
        &(server.url("") + &fragment(broken, "{\"x\": 1}\n", "lines")),
        1,
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

/// A run over 10,000 events typed into the input (7 hosts, windows of 3 per host): the page's
/// own timing of the run, in the engine and with rendering, read from the DOM.
#[test]
fn runs_ten_thousand_events_quickly() {
    let Some((dist, chromium)) = prerequisites() else {
        return;
    };
    let server = Playground::serve(&dist);
    let mut browser = Browser::open(&chromium);
    browser.open_page(
        &(server.url("") + &fragment(WINDOWED_QUERY, "", "lines")),
        1,
    );
    browser.eval(
        "document.getElementById('input').value = Array.from({length: 10000},
           (_, i) => JSON.stringify({host: 'h' + (i % 7), ms: i % 100})).join('\\n');
         document.getElementById('run').click();",
    );
    let dom = browser.wait_runs(2);
    assert_eq!(
        attribute(&dom, "run-stats", "data-events-in").as_deref(),
        Some("10000")
    );
    let engine: f64 = attribute(&dom, "run-stats", "data-engine-ms")
        .unwrap()
        .parse()
        .unwrap();
    let total: f64 = attribute(&dom, "run-stats", "data-total-ms")
        .unwrap()
        .parse()
        .unwrap();
    eprintln!(
        "playground: 10,000 events: {engine:.1} ms in the engine, {total:.1} ms with rendering"
    );
    assert!(total < 5_000.0, "a run over 10,000 events took {total} ms");
    // 7 hosts × ⌈10000/7/3⌉ windows; the first 1000 results are rendered, the rest on demand.
    assert_eq!(port_results(&dom, "out").len(), 1000);
    assert!(
        dom.contains("Show all 3336"),
        "{}",
        &dom[dom.find("data-port=\"out\"").unwrap_or(0)..][..200]
    );
}

/// The README's screenshot: a windowed query with several results.
#[test]
fn takes_the_screenshot() {
    let Some((dist, chromium)) = prerequisites() else {
        return;
    };
    let server = Playground::serve(&dist);
    let mut browser = Browser::open(&chromium);
    browser.open_page(
        &(server.url("") + &fragment(WINDOWED_QUERY, WINDOWED_INPUT, "lines")),
        1,
    );
    // With the tooltip of a result, which shows the ids of the events in its window.
    browser.eval(HOVER_FIRST_RESULT);
    let png = browser.screenshot();
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000,
        "not a screenshot"
    );
    let target = if std::env::var_os("BLESS").is_some() {
        manifest().join("playground/screenshot.png")
    } else {
        support::dir("playground-screenshot").join("screenshot.png")
    };
    std::fs::write(&target, png).unwrap();
    eprintln!("playground: screenshot in {}", target.display());
}
