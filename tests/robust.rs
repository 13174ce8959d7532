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

/// Programs at and past the expression depth bound, in the shapes that nest without
/// brackets: operator chains, unary chains, nested blocks.
fn deep_programs(n: usize) -> Vec<(&'static str, String)> {
    vec![
        ("binary chain", format!("event{}", " + 1".repeat(n))),
        ("unary chain", format!("{}event", "- ".repeat(n))),
        ("not chain", format!("{}true", "not ".repeat(n))),
        (
            "nested match",
            format!(
                "{}event{}",
                "match event of case _ => ".repeat(n),
                " end".repeat(n)
            ),
        ),
        (
            "brackets and chains",
            format!("{}1{}", "(1 + 1 + 1 + ".repeat(n / 4), ")".repeat(n / 4)),
        ),
    ]
}

/// Compiles (as a script and as a query) and runs each program on a thread with the
/// main thread's usual 8 MiB stack (where the CLI compiles); returns the script compile
/// errors' texts. (A debug build's lowering frame is ~7 KiB, so deep-but-allowed
/// expressions need more than the 2 MiB a spawned thread gets by default.)
fn compile_on_main_sized_stack(
    programs: Vec<(&'static str, String)>,
) -> Vec<(&'static str, String)> {
    std::thread::Builder::new()
        .stack_size(8 * 1024 * 1024)
        .spawn(move || {
            use trickle::compile::{compile_script, ModulePath};
            use trickle::diag::{render_all, SourceMap};
            use trickle::event::FnCtx;
            use trickle::value::Value;
            let mut errors = Vec::new();
            for (shape, text) in programs {
                let mut sources = SourceMap::new();
                let file = sources.add("deep.tremor", text.as_str());
                match compile_script(&mut sources, file, &ModulePath::default()) {
                    Ok(c) => {
                        let (mut ev, mut meta, mut state) =
                            (Value::from(1), Value::record(), Value::Null);
                        let _ = c
                            .value
                            .run(&mut ev, &mut meta, &mut state, &FnCtx::default());
                    }
                    Err(d) => errors.push((shape, render_all(&d, &sources))),
                }
                let mut sources = SourceMap::new();
                let file = sources.add("deep.trickle", format!("select {text} from in into out;"));
                let _ = trickle::query::compile_query(&mut sources, file, &ModulePath::default());
            }
            errors
        })
        .expect("spawns")
        .join()
        .expect("no stack overflow")
}

#[test]
fn deep_expressions_are_refused_not_overflowing() {
    let errors = compile_on_main_sized_stack(deep_programs(100_000));
    assert_eq!(errors.len(), 5, "{errors:?}");
    for (shape, text) in errors {
        assert!(text.contains("nested too deeply"), "{shape}: {text}");
    }
}

#[test]
fn expressions_just_under_the_depth_bound_compile_and_run() {
    // Each operator or block is one level of the bound (500).
    for (shape, text) in compile_on_main_sized_stack(deep_programs(490)) {
        assert!(!text.contains("nested too deeply"), "{shape}: {text}");
    }
}
