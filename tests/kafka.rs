//! Kafka end to end against a real broker (tansu, Kafka-compatible): keyed events on
//! a 4-partition topic, two `trickle run` processes in one consumer group, one of
//! them killed mid-run and a replacement joining; every event still reaches an
//! output (at least once).
//!
//! The broker: `TRICKLE_KAFKA_BROKERS` when set (`.ci/run` starts one), else this
//! test starts `tansu` itself on a free port (installed by `.ci/run`:
//! `cargo install tansu --version 0.6.0 --locked --features dynostore`).

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::*;

/// One test at a time: group joins are slow enough on a loaded machine already.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Group joins on tansu can be slow.
const KAFKA_DEADLINE: Duration = Duration::from_secs(120);
const KEYS: u64 = 20;
/// The consumers' `session.timeout.ms`.
const SESSION_TIMEOUT: Duration = Duration::from_secs(6);

fn tansu() -> PathBuf {
    if let Ok(p) = std::env::var("TANSU") {
        return p.into();
    }
    let home = std::env::var("HOME").unwrap_or_default();
    let installed = Path::new(&home).join(".cargo/bin/tansu");
    if installed.exists() {
        return installed;
    }
    let on_path = Command::new("tansu").arg("--help").output().is_ok();
    assert!(
        on_path,
        "the Kafka tests need the tansu broker: \
         `cargo install tansu --version 0.6.0 --locked --features dynostore` (bash .ci/run does it)"
    );
    "tansu".into()
}

/// A broker this test started, stopped when dropped.
struct Broker {
    child: Option<Child>,
    addr: String,
}

impl Broker {
    fn get() -> Broker {
        if let Ok(addr) = std::env::var("TRICKLE_KAFKA_BROKERS") {
            return Broker { child: None, addr };
        }
        let port = free_port();
        let url = format!("tcp://127.0.0.1:{port}");
        let child = Command::new(tansu())
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
            ])
            .args(["--storage-engine", "memory://tansu/"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tansu starts");
        drop(connect(port));
        Broker {
            child: Some(child),
            addr: format!("127.0.0.1:{port}"),
        }
    }

    /// Creates `topic` (the broker does not create topics by itself).
    fn create_topic(&self, topic: &str, partitions: u32) {
        let url = format!("tcp://{}", self.addr);
        let start = Instant::now();
        loop {
            let out = Command::new(tansu())
                .args(["topic", "create", topic, "--broker", &url])
                .args(["--partitions", &partitions.to_string()])
                .output()
                .expect("tansu topic create runs");
            if out.status.success() {
                return;
            }
            assert!(
                start.elapsed() < KAFKA_DEADLINE,
                "cannot create {topic}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if let Some(c) = &mut self.child {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Writes `{"key": "kK", "n": N}` for `ns` into a file and produces it to `topic`
/// keyed by `key`, through trickle's own `kafka_producer`.
fn produce(d: &Path, broker: &Broker, topic: &str, ns: std::ops::Range<u64>) {
    let mut text = String::new();
    for n in ns.clone() {
        text.push_str(&format!("{{\"key\":\"k{}\",\"n\":{n}}}\n", n % KEYS));
    }
    let events = write(d, &format!("events-{}.jsonl", ns.start), &text);
    let q = write(
        d,
        &format!("produce-{}.trickle", ns.start),
        &format!(
            r#"
define peer src from file with config = {{"path": "{events}"}} end;
define peer kout from kafka_producer with config = {{"brokers": "{}", "topic": "{topic}"}} end;
create peer src;
create peer kout;
define script keyed
script
  let $kafka = {{"key": event.key}};
  event
end;
create script keyed;
select event from src into keyed;
select event from keyed into kout;
"#,
            broker.addr
        ),
    );
    let mut t = Trickle::start(&[&q, "--metrics"]);
    let (code, _, err) = t.wait();
    assert_eq!(code, 0, "producing failed: {err}");
    let row = err.lines().find(|l| l.starts_with("kout ")).expect(&err);
    let sent: u64 = row.split_whitespace().nth(4).unwrap().parse().unwrap();
    assert_eq!(sent, ns.end - ns.start, "every event delivered: {err}");
}

/// The `n`s of every key that came out of a consumer's output file.
fn outputs(path: &Path, into: &mut BTreeMap<String, BTreeSet<u64>>) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    for line in text.lines() {
        // {"key":"k3","ns":[3,23,...]}: only complete lines count.
        let Some(rest) = line.strip_prefix("{\"key\":\"") else {
            continue;
        };
        let Some((key, rest)) = rest.split_once('"') else {
            continue;
        };
        let Some(list) = rest
            .strip_prefix(",\"ns\":[")
            .and_then(|r| r.strip_suffix("]}"))
        else {
            continue;
        };
        let set = into.entry(key.to_string()).or_default();
        set.extend(list.split(',').filter_map(|n| n.parse::<u64>().ok()));
    }
}

fn covered(files: &[PathBuf]) -> usize {
    let mut seen = BTreeMap::new();
    for f in files {
        outputs(f, &mut seen);
    }
    seen.values().map(BTreeSet::len).sum()
}

fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < KAFKA_DEADLINE,
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Whether a consumer has written output.
fn busy(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.len() > 0)
}

/// Events produced per round of [`Feed::until`].
const ROUND: u64 = 500;

/// The events produced to one topic so far: `0..next`.
struct Feed<'a> {
    d: &'a Path,
    broker: &'a Broker,
    topic: &'a str,
    next: u64,
}

impl<'a> Feed<'a> {
    fn new(d: &'a Path, broker: &'a Broker, topic: &'a str) -> Self {
        Feed {
            d,
            broker,
            topic,
            next: 0,
        }
    }

    /// Produces `n` more events; returns how many there are now.
    fn more(&mut self, n: u64) -> u64 {
        produce(self.d, self.broker, self.topic, self.next..self.next + n);
        self.next += n;
        self.next
    }

    /// Produces events `ROUND` at a time until `cond(produced)` holds. Consumers
    /// join the group one after the other: the first may hold every partition and
    /// read all there is before the rebalance that gives the second its share, and
    /// then only events produced after that rebalance reach the second.
    fn until(&mut self, what: &str, mut cond: impl FnMut(u64) -> bool) {
        let start = Instant::now();
        loop {
            let produced = self.more(ROUND);
            let round = Instant::now();
            while round.elapsed() < Duration::from_secs(5) {
                if cond(produced) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            assert!(
                start.elapsed() < KAFKA_DEADLINE,
                "timed out waiting for {what}"
            );
        }
    }
}

/// The consumer query: per key, the event numbers of 50 events or one second.
fn consumer_query(d: &Path, broker: &Broker, group: &str, topic: &str) -> String {
    write(
        d,
        "consume.trickle",
        &format!(
            r#"
define peer kin from kafka_consumer
with config = {{
  "brokers": "{}", "group_id": "{group}", "topics": ["{topic}"],
  "options": {{"session.timeout.ms": {}, "heartbeat.interval.ms": 500}}
}} end;
create peer kin;
define window batch from tumbling with interval = datetime::with_seconds(1), size = 50 end;
select {{"key": group[0], "ns": aggr::win::collect_flattened(event.n)}}
from kin[batch] group by set(event.key) into out;
"#,
            broker.addr,
            SESSION_TIMEOUT.as_millis()
        ),
    )
}

#[test]
fn two_processes_share_a_topic_and_the_group_recovers_when_one_dies() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let broker = Broker::get();
    let d = dir("kafka");
    let topic = format!("events-{}", std::process::id());
    broker.create_topic(&topic, 4);
    let group = format!("group-{}", std::process::id());
    let q = consumer_query(&d, &broker, &group, &topic);
    let (out_a, out_b) = (d.join("a.jsonl"), d.join("b.jsonl"));
    let a = Trickle::start(&[&q, "-o", out_a.to_str().unwrap()]);
    let b = Trickle::start(&[&q, "-o", out_b.to_str().unwrap()]);
    let files = [out_a.clone(), out_b.clone()];
    let mut feed = Feed::new(&d, &broker, &topic);
    feed.until("half the events and both consumers at work", |produced| {
        covered(&files) as u64 >= produced / 2 && busy(&out_a) && busy(&out_b)
    });
    // One process dies without a word. Its partitions move at the group's next
    // rebalance: tansu 0.6 evicts a silent member after `session.timeout.ms` but
    // rebalances only when the dead member was the group's leader, or when a member
    // joins or leaves. So a replacement worker joins once the dead member's session
    // is over (joining earlier, it would hand the dead member its partitions again);
    // whoever gets them reads from the last offset the dead one committed.
    let mut a = a;
    a.child.kill().unwrap();
    let _ = a.child.wait();
    let killed_at = Instant::now();
    let total = feed.more(2_000);
    let evicted = killed_at + SESSION_TIMEOUT + Duration::from_secs(2);
    std::thread::sleep(evicted.saturating_duration_since(Instant::now()));
    let out_c = d.join("c.jsonl");
    let c = Trickle::start(&[&q, "-o", out_c.to_str().unwrap()]);
    let files = [out_a.clone(), out_b.clone(), out_c.clone()];
    wait_until("every event in an output", || {
        covered(&files) as u64 == total
    });
    eprintln!(
        "all {total} events covered {:?} after one consumer was killed",
        killed_at.elapsed()
    );
    for t in [b, c] {
        let (code, _, err) = t.interrupt();
        assert_eq!(code, 0, "{err}");
    }
    let mut seen = BTreeMap::new();
    for f in &files {
        outputs(f, &mut seen);
    }
    assert_eq!(seen.len() as u64, KEYS);
    for (key, ns) in &seen {
        let k: u64 = key[1..].parse().unwrap();
        let want: BTreeSet<u64> = (0..total).filter(|n| n % KEYS == k).collect();
        assert_eq!(ns, &want, "key {key}");
    }
}

#[test]
fn a_process_that_stops_hands_its_partitions_to_the_other() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let broker = Broker::get();
    let d = dir("kafka-leave");
    let topic = format!("leave-{}", std::process::id());
    broker.create_topic(&topic, 4);
    let group = format!("leave-{}", std::process::id());
    let q = consumer_query(&d, &broker, &group, &topic);
    let (out_a, out_b) = (d.join("a.jsonl"), d.join("b.jsonl"));
    let a = Trickle::start(&[&q, "-o", out_a.to_str().unwrap()]);
    let b = Trickle::start(&[&q, "-o", out_b.to_str().unwrap()]);
    let files = [out_a.clone(), out_b.clone()];
    let mut feed = Feed::new(&d, &broker, &topic);
    feed.until("both consumers at work", |produced| {
        covered(&files) as u64 == produced && busy(&out_a) && busy(&out_b)
    });
    // Stopped cleanly: it commits what it delivered and leaves the group, and the
    // other process gets its partitions from there.
    let (code, _, err) = a.interrupt();
    assert_eq!(code, 0, "{err}");
    let before = std::fs::read_to_string(&out_a).unwrap();
    let total = feed.more(1_000);
    wait_until("the other process to read everything", || {
        covered(&files) as u64 == total
    });
    assert_eq!(
        std::fs::read_to_string(&out_a).unwrap(),
        before,
        "the stopped process wrote nothing more"
    );
    let (code, _, err) = b.interrupt();
    assert_eq!(code, 0, "{err}");
}
