//! Bounded memory from the outside: `max_groups` holds a run over many distinct
//! groups to a fixed number of groups, the rest fail to `err` with the limit's
//! message, and the process stays small while it streams.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Distinct groups streamed through the run.
const GROUPS: usize = 300_000;
const MAX_GROUPS: usize = 1000;
/// Peak resident set the run may reach.
const RSS_LIMIT_KB: u64 = 200 * 1024;

/// Peak resident set size (`VmHWM`) of a live process, in kB.
#[cfg(target_os = "linux")]
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(target_os = "linux")]
#[test]
fn max_groups_bounds_memory_over_many_distinct_groups() {
    let dir = std::env::temp_dir().join(format!("trickle-robust-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let q = dir.join("groups.trickle");
    std::fs::write(
        &q,
        format!(
            "define window w from tumbling with size = 2, max_groups = {MAX_GROUPS} end;\n\
             select {{\"g\": group[0], \"n\": aggr::stats::count()}} from in[w] group by event.g into out;\n"
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_trickle"))
        .arg("run")
        .arg(&q)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the trickle binary runs");
    let pid = child.id();
    // Every group sees one event, so no window ever emits before the drain: without
    // the limit all 300,000 groups would be held.
    let mut stdin = BufWriter::new(child.stdin.take().unwrap());
    let writer = std::thread::spawn(move || {
        for i in 0..GROUPS {
            writeln!(
                stdin,
                r#"{{"g":"group-{i}","pad":"0123456789abcdef0123456789abcdef"}}"#
            )?;
        }
        stdin.flush()
    });
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let out_reader = std::thread::spawn(move || stdout.lines().map_while(Result::ok).count());
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let err_reader = std::thread::spawn(move || {
        let (mut limited, mut other) = (0usize, Vec::new());
        for line in stderr.lines().map_while(Result::ok) {
            if line.contains(&format!("Maxmimum amount of groups reached ({MAX_GROUPS})")) {
                limited += 1;
            } else if other.len() < 5 {
                other.push(line);
            }
        }
        (limited, other)
    });
    let mut peak = 0;
    let status = loop {
        if let Some(kb) = peak_rss_kb(pid) {
            peak = peak.max(kb);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    writer.join().unwrap().expect("the whole input is written");
    let emitted = out_reader.join().unwrap();
    let (limited, other) = err_reader.join().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("peak RSS of `trickle run` over {GROUPS} groups: {peak} kB");
    assert_eq!(status.code(), Some(0), "the run finishes: {other:?}");
    assert_eq!(emitted, MAX_GROUPS, "the held groups are emitted on drain");
    assert_eq!(
        limited,
        GROUPS - MAX_GROUPS,
        "every later group fails: {other:?}"
    );
    assert!(peak > 0, "VmHWM was read");
    assert!(
        peak < RSS_LIMIT_KB,
        "peak RSS {peak} kB exceeds {RSS_LIMIT_KB} kB"
    );
}
