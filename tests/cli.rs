//! The `trickle` binary from the outside: exit codes, stdout vs stderr, `-o`,
//! several `-i`, `--codec string`, malformed input, `check`, `test`, `graph`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn trickle(args: &[&str], stdin: Option<&str>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_trickle"))
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("TRICKLE_PATH")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the trickle binary runs");
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(text.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A fresh folder for one test's files.
fn dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("trickle-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn lines(s: &str) -> Vec<&str> {
    s.lines().collect()
}

const PASSTHROUGH: &str = "select event from in into out;\n";

#[test]
fn help_and_usage_errors() {
    let r = trickle(&["--help"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("run") && r.stdout.contains("test"),
        "{}",
        r.stdout
    );
    for cmd in ["run", "check", "test", "graph", "completions"] {
        let r = trickle(&[cmd, "--help"], None);
        assert_eq!(r.code, 0, "{cmd}: {}", r.stderr);
        assert!(
            r.stdout.contains("Example"),
            "{cmd} help lacks an example: {}",
            r.stdout
        );
    }
    assert_eq!(trickle(&["run"], None).code, 2);
    assert_eq!(trickle(&["frobnicate"], None).code, 2);
    assert_eq!(
        trickle(&["run", "x.trickle", "--codec", "xml"], None).code,
        2
    );
    let d = dir("usage");
    let f = write(&d, "a.json", "{}");
    let r = trickle(&["run", &f], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(".trickle"), "{}", r.stderr);
}

#[test]
fn completions_print_a_script() {
    let r = trickle(&["completions", "bash"], None);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("trickle"));
}

#[test]
fn unreadable_files_exit_3() {
    let d = dir("missing");
    let q = write(&d, "q.trickle", PASSTHROUGH);
    let missing = d.join("nope.trickle").display().to_string();
    assert_eq!(trickle(&["run", &missing], None).code, 3);
    let nope = d.join("nope.json").display().to_string();
    let r = trickle(&["run", &q, "-i", &nope], None);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("nope.json"), "{}", r.stderr);
    let bad_out = d.join("no/such/dir/out.json").display().to_string();
    let input = write(&d, "in.json", "1\n");
    assert_eq!(
        trickle(&["run", &q, "-i", &input, "-o", &bad_out], None).code,
        3
    );
}

#[test]
fn check_reports_compile_errors_with_exit_1() {
    let d = dir("check");
    let good = write(&d, "good.trickle", PASSTHROUGH);
    let bad = write(&d, "bad.trickle", "select event from in into;\n");
    let r = trickle(&["check", &good], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = trickle(&["check", "--color", "never", &good, &bad], None);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("error[E"), "{}", r.stderr);
    assert!(r.stderr.contains("bad.trickle"), "{}", r.stderr);
    assert!(
        !r.stderr.contains('\u{1b}'),
        "no colour when asked: {}",
        r.stderr
    );
    let r = trickle(&["check", "--color", "always", &bad], None);
    assert!(
        r.stderr.contains('\u{1b}'),
        "colour when asked: {}",
        r.stderr
    );
}

#[test]
fn query_reads_inputs_in_order_and_writes_stdout() {
    let d = dir("order");
    let q = write(&d, "q.trickle", PASSTHROUGH);
    let a = write(&d, "a.json", "{\"n\":1}\n{\"n\":2}\n");
    let b = write(&d, "b.json", "\n{\"n\":3}\n");
    let r = trickle(&["run", &q, "-i", &a, "-i", &b, "--clock", "index"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(lines(&r.stdout), ["{\"n\":1}", "{\"n\":2}", "{\"n\":3}"]);
    assert_eq!(r.stderr, "");
}

#[test]
fn stdin_is_the_default_input_and_o_writes_a_file() {
    let d = dir("stdin");
    let q = write(&d, "q.trickle", PASSTHROUGH);
    let out = d.join("out.json").display().to_string();
    let r = trickle(&["run", &q, "-o", &out], Some("[1]\n[2]\n"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "[1]\n[2]\n");
}

#[test]
fn malformed_lines_go_to_err_and_the_run_goes_on() {
    let d = dir("malformed");
    let q = write(&d, "q.trickle", PASSTHROUGH);
    let input = write(&d, "in.json", "1\n{oops\n2\n");
    let r = trickle(&["run", &q, "-i", &input], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(lines(&r.stdout), ["1", "2"]);
    let err: Vec<&str> = lines(&r.stderr);
    assert_eq!(err.len(), 1, "{}", r.stderr);
    assert!(err[0].starts_with("{\"error\":"), "{}", err[0]);
    assert!(
        err[0].contains("in.json:2") && err[0].contains("\"raw\":\"{oops\""),
        "{}",
        err[0]
    );
    // The shape of every source's decode errors (SPEC §3).
    assert!(
        err[0].contains("\"peer\":\"in\",\"stream\":0,"),
        "{}",
        err[0]
    );
    // A lone high surrogate is malformed too (simd-json read it as U+0000); a
    // pair is one character.
    let input = write(&d, "in2.json", "\"\\ud800\"\n\"\\ud83d\\ude00\"\n");
    let r = trickle(&["run", &q, "-i", &input], None);
    assert_eq!(lines(&r.stdout), ["\"\u{1F600}\""], "{}", r.stderr);
    assert!(r.stderr.contains("InvalidUnicodeCodepoint"), "{}", r.stderr);
}

/// A query that reads only some fields gets events decoded with just those
/// (`project_json`); what it writes, its errors (with the whole event and the
/// "did you mean" hint over every key) and malformed lines must be exactly what it
/// gives with the events decoded whole. `event == event` defeats the projection
/// without changing the result.
#[test]
fn events_decoded_in_part_behave_as_whole_ones() {
    let d = dir("projected");
    let input = write(
        &d,
        "in.json",
        concat!(
            "{\"g\": \"a\", \"c\": 600, \"host\": \"h\", \"msg\": \"x\\ny\", \"tags\": [1, {\"k\": null}]}\n",
            "{\"c\": \"600\", \"g\": \"b\", \"host\": \"h\", \"v\": 1.5e3, \"zz\": [[]]}\n",
            "{\"c\": 700, \"gg\": \"a\", \"host\": \"h\", \"cc\": 1}\n",
            "{\"c\": 800, \"g\": \"\\u0041\", \"host\": \"h\", \"c\": 900}\n",
            "{\"c\": 800, \"g\": \"d\", \"host\": \"h\", \"bad\": [1,]}\n",
            "[1, 2]\n",
            "{\"c\": 501, \"g\": \"é\", \"host\": -0, \"t\": \"\\ud83d\\ude00\"}\n",
        ),
    );
    // Each query, and the same with `event == event` (true for any event) added.
    let window = "define window w from tumbling with size = 2 end;\n";
    let queries = [
        (
            r#"select {"g": event.g, "c2": event.c * 2, "host": event.host} from in where event.c > 500"#.to_string(),
            r#"select {"g": event.g, "c2": event.c * 2, "host": event.host} from in where event.c > 500 and event == event"#.to_string(),
        ),
        (
            r#"select match event of case %{ c > 900 } => "hi" case %{ c > 100 } => "mid" case _ => "lo" end from in"#.to_string(),
            r#"select match event of case %{ c > 900 } => "hi" case %{ c > 100 } => "mid" case _ => "lo" end from in where event == event"#.to_string(),
        ),
        (
            format!(r#"{window}select {{"g": group[0], "s": aggr::stats::sum(event.c)}} from in[w] group by set(event.host)"#),
            format!(r#"{window}select {{"g": group[0], "s": aggr::stats::sum(event.c)}} from in[w] where event == event group by set(event.host)"#),
        ),
    ];
    for (q, whole) in &queries {
        let fast = write(&d, "fast.trickle", &format!("{q} into out;\n"));
        let slow = write(&d, "slow.trickle", &format!("{whole} into out;\n"));
        let a = trickle(&["run", &fast, "-i", &input, "--clock", "index"], None);
        let b = trickle(&["run", &slow, "-i", &input, "--clock", "index"], None);
        assert_eq!(a.code, 0, "{}", a.stderr);
        assert_eq!(a.stdout, b.stdout, "{q}");
        // The added condition moves columns: positions are compared apart from that.
        let norm = |s: &str| {
            let s = s.replace("slow.trickle", "Q").replace("fast.trickle", "Q");
            s.split("Q:")
                .map(|part| part.trim_start_matches(|c: char| c.is_ascii_digit() || c == ':'))
                .collect::<Vec<_>>()
                .join("Q:")
        };
        assert_eq!(norm(&a.stderr), norm(&b.stderr), "{q}");
        assert!(!a.stdout.is_empty() && !a.stderr.is_empty(), "{q}");
    }
    // The whole event is in the error record, unread fields included.
    let fast = write(&d, "fast.trickle", &format!("{} into out;\n", queries[0].0));
    let r = trickle(&["run", &fast, "-i", &input], None);
    assert!(
        r.stderr
            .contains(r#""event":{"c":"600","g":"b","host":"h","v":1500.0,"zz":[[]]}"#),
        "{}",
        r.stderr
    );
    // A hint may name a key the query does not read (stateless selects run again on
    // the whole event; windowed ones get every key).
    for q in [
        "select event.hots from in into out;\n".to_string(),
        format!("{window}select aggr::stats::sum(event.hots) from in[w] into out;\n"),
    ] {
        let typo = write(&d, "typo.trickle", &q);
        let r = trickle(&["run", &typo, "-i", &input], None);
        let hint = "Did you mean to use `host`?";
        assert!(r.stderr.contains(hint), "{q}: {}", r.stderr);
    }
}

#[test]
fn string_codec_reads_lines_as_strings() {
    let d = dir("codec");
    let q = write(&d, "q.trickle", PASSTHROUGH);
    let input = write(&d, "in.txt", "hello world\n{not json\n");
    let r = trickle(&["run", &q, "-i", &input, "--codec", "string"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(lines(&r.stdout), ["\"hello world\"", "\"{not json\""]);
}

#[test]
fn script_ports_errors_and_state() {
    let d = dir("script");
    let s = write(
        &d,
        "s.tremor",
        "let state = match state of case null => 1 case _ => state + 1 end;\n\
         match event of\n\
           case \"side\" => emit {\"side\": state} => \"side\"\n\
           case \"bad\" => event.nothing\n\
           case _ => {\"n\": state, \"e\": event}\n\
         end\n",
    );
    let input = write(&d, "in.json", "\"a\"\n\"side\"\n\"bad\"\n\"b\"\n");
    let r = trickle(&["run", &s, "-i", &input, "--clock", "index"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        lines(&r.stdout),
        ["{\"n\":1,\"e\":\"a\"}", "{\"n\":4,\"e\":\"b\"}"]
    );
    let err = lines(&r.stderr);
    assert_eq!(err.len(), 2, "{}", r.stderr);
    assert_eq!(err[0], "{\"side\":2}");
    assert!(
        err[1].starts_with("{\"error\":") && err[1].ends_with(",\"event\":\"bad\"}"),
        "{}",
        err[1]
    );
}

/// A script node's `err` port that the query does not read, and an unknown
/// port it is sent to, still show their errors (on stderr, as `s/err`), where
/// Tremor dropped them; the run goes on and exits 0.
#[test]
fn a_script_nodes_unread_err_port_reaches_stderr() {
    let d = dir("unread_err");
    let q = write(
        &d,
        "q.trickle",
        "define script s\nscript\n  event + 1\nend;\ncreate script s;\n\
         select event from in into s;\nselect event from in where event == 7 into s/nope;\n\
         select event from s into out;\n",
    );
    let r = trickle(&["run", &q], Some("1\n\"a\"\n7\n"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(lines(&r.stdout), ["2", "8"]);
    let err = lines(&r.stderr);
    assert_eq!(err.len(), 2, "{}", r.stderr);
    assert!(
        err[0].contains("q.trickle:3:3: The binary operation `+`"),
        "{}",
        err[0]
    );
    assert!(err[0].ends_with(",\"event\":\"a\"}"), "{}", err[0]);
    assert!(err[1].contains("unknown port"), "{}", err[1]);
}

#[test]
fn metrics_table_on_stderr() {
    let d = dir("metrics");
    let q = write(&d, "q.trickle", PASSTHROUGH);
    let input = write(&d, "in.json", "1\nbad\n2\n");
    let r = trickle(&["run", &q, "-i", &input, "--metrics"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let row = |peer: &str| metrics_row(&r.stderr, peer);
    // The same five columns as every peer: `recv` counts the bad line too.
    assert_eq!(row("in").as_deref(), Some("0 2 1 0 3"), "{}", r.stderr);
    assert_eq!(row("out").as_deref(), Some("2 0 0 2 0"), "{}", r.stderr);
    assert_eq!(row("err").as_deref(), Some("1 0 0 1 0"), "{}", r.stderr);
    assert_eq!(row("total").as_deref(), Some("3 2 1 3 3"), "{}", r.stderr);
}

/// The columns (`in out err send recv`) of `peer`'s row of a `--metrics` table.
fn metrics_row(stderr: &str, peer: &str) -> Option<String> {
    stderr
        .lines()
        .find(|l| l.split_whitespace().next() == Some(peer))
        .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
}

/// A late event (SPEC 7.1) counts in its source's `err`, whether it goes to `err`
/// or to the window's `late` stream (which here leads to `out`).
#[test]
fn late_events_count_in_the_sources_err() {
    let d = dir("metrics-late");
    let input = write(
        &d,
        "in.json",
        "{\"t\":1}\n{\"t\":12}\n{\"t\":5}\n{\"t\":25}\n{\"t\":7}\n",
    );
    let to_err = write(
        &d,
        "err.trickle",
        "define window w from tumbling with interval = 10, time = event.t end;\n\
         select aggr::stats::count() from in[w] into out;",
    );
    let to_late = write(
        &d,
        "late.trickle",
        "define window w from tumbling with interval = 10, time = event.t, late = \"tl\" end;\n\
         create stream tl;\n\
         select aggr::stats::count() from in[w] into out;\n\
         select event from tl into out;",
    );
    let runs = [
        (&to_err, "3 0 0 3 0", "2 0 0 2 0"),
        (&to_late, "5 0 0 5 0", "0 0 0 0 0"),
    ];
    for (q, out, err) in runs {
        let r = trickle(&["run", q, "-i", &input, "--metrics"], None);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let row = |peer: &str| metrics_row(&r.stderr, peer);
        assert_eq!(row("in").as_deref(), Some("0 5 2 0 5"), "{}", r.stderr);
        assert_eq!(row("out").as_deref(), Some(out), "{}", r.stderr);
        assert_eq!(row("err").as_deref(), Some(err), "{}", r.stderr);
    }
}

#[test]
fn test_command_reports_and_exits() {
    let d = dir("testcmd");
    write(&d, "pass/query.trickle", PASSTHROUGH);
    write(&d, "pass/in", "{\"a\":1}\n");
    write(&d, "pass/out", "{\"a\":1}\n");
    let root = d.display().to_string();
    let r = trickle(&["test", &root], None);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.ends_with("1 passed, 0 failed\n"), "{}", r.stdout);
    write(&d, "fail/query.trickle", PASSTHROUGH);
    write(&d, "fail/in", "{\"a\":1}\n");
    write(&d, "fail/out", "{\"a\":1.0}\n");
    let r = trickle(&["test", &root], None);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("FAIL ") && r.stdout.contains("+ {\"a\":1}"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.ends_with("1 passed, 1 failed\n"), "{}", r.stdout);
    let r = trickle(&["test", &root, "--filter", "pass"], None);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = trickle(&["test", &root, "--bless"], None);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(
        std::fs::read_to_string(d.join("fail/out")).unwrap(),
        "{\"a\":1}\n"
    );
}

#[test]
fn a_blessed_error_passes_from_wherever_it_is_run() {
    let d = dir("testbless");
    write(
        &d,
        "suite/bad/query.trickle",
        "select event from in into ou;\n",
    );
    write(&d, "suite/bad/in", "{}\n");
    let case = d.join("suite/bad").display().to_string();
    let r = trickle(&["test", &case, "--bless"], None);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let expected = std::fs::read_to_string(d.join("suite/bad/error.txt")).unwrap();
    // The case's own files are named as the case holds them, not by the path given.
    assert!(expected.contains("┌─ query.trickle:1:27"), "{expected}");
    let root = d.display().to_string();
    let r = trickle(&["test", &root], None);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.ends_with("1 passed, 0 failed\n"), "{}", r.stdout);
}

#[test]
fn check_warns_of_a_peer_used_against_its_direction() {
    let d = dir("direction");
    let q = write(
        &d,
        "q.trickle",
        "define peer o from stdout;\ncreate peer o;\nselect event from o into out;\nselect event from in into o;\n",
    );
    let r = trickle(&["check", &q], None);
    assert_eq!(r.code, 0, "a warning, not an error: {}", r.stderr);
    assert!(
        r.stderr
            .contains("warning[W0207]: peer `o` (stdout) receives nothing"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.matches("W0207").count(), 1, "{}", r.stderr);
}

#[test]
fn graph_draws_queries_only() {
    let d = dir("graph");
    let q = write(&d, "q.trickle", PASSTHROUGH);
    let r = trickle(&["graph", &q, "--format", "dot"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.trim().is_empty());
    let s = write(&d, "s.tremor", "event\n");
    assert_eq!(trickle(&["graph", &s], None).code, 2);
}

/// The examples the README points at run end to end with the outputs their comments promise.
#[test]
fn examples_run_end_to_end() {
    let root = env!("CARGO_MANIFEST_DIR");
    let ex = |f: &str| format!("{root}/examples/{f}");
    let r = trickle(
        &["run", &ex("hello.trickle"), "-i", &ex("hello.jsonl")],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        lines(&r.stdout),
        [
            "{\"greeting\":\"Hello, Ada!\",\"from\":\"London\"}",
            "{\"greeting\":\"Hello, Grace!\",\"from\":\"Arlington\"}",
            "{\"greeting\":\"Hello, Edsger!\",\"from\":\"Nuenen\"}",
        ]
    );
    assert_eq!(
        lines(&r.stderr),
        ["{\"error\":\"no name\",\"event\":{\"city\":\"Nowhere\"}}"]
    );

    let args = ["--clock", "index", "-i"];
    let r = trickle(
        &[
            &["run", &ex("windows.trickle")],
            &args[..],
            &[&ex("metrics.jsonl")],
        ]
        .concat(),
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        lines(&r.stdout),
        [
            "{\"host\":\"a\",\"n\":3,\"mean_ms\":12.0,\"max_ms\":16.0}",
            "{\"host\":\"b\",\"n\":3,\"mean_ms\":40.0,\"max_ms\":50.0}",
            "{\"host\":\"a\",\"n\":1,\"mean_ms\":7.0,\"max_ms\":7.0}",
        ]
    );

    let r = trickle(
        &[
            &["run", &ex("enrich.tremor")],
            &args[..],
            &[&ex("metrics.jsonl")],
        ]
        .concat(),
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(lines(&r.stdout).len(), 6, "{}", r.stdout);
    assert!(lines(&r.stdout)[0].contains("\"seq\":1"), "{}", r.stdout);
    assert_eq!(lines(&r.stderr), ["{\"host\":\"b\",\"ms\":50,\"seq\":5}"]);
}

/// An output that cannot be written stops the run with exit code 3.
#[cfg(target_os = "linux")]
#[test]
fn unwritable_output_exits_3() {
    let d = dir("full");
    let q = write(&d, "q.trickle", PASSTHROUGH);
    let input = write(&d, "in.json", &"{\"n\":1}\n".repeat(20_000));
    let r = trickle(&["run", &q, "-i", &input, "-o", "/dev/full"], None);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("cannot write output"), "{}", r.stderr);
}

/// `use` finds modules beside the program, in `-I` folders and in `TRICKLE_PATH`.
#[test]
fn modules_are_found_on_the_module_path() {
    let d = dir("modpath");
    write(&d, "inc/lib/inc_mod.tremor", "const V = \"inc\";\n");
    write(&d, "env/lib/env_mod.tremor", "const V = \"env\";\n");
    write(&d, "prog/lib/near_mod.tremor", "const V = \"near\";\n");
    let q = write(
        &d,
        "prog/q.trickle",
        "use lib::inc_mod;\nuse lib::env_mod;\nuse lib::near_mod;\n\
         select [inc_mod::V, env_mod::V, near_mod::V] from in into out;\n",
    );
    let inc = d.join("inc").display().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_trickle"))
        .args(["run", &q, "-I", &inc])
        .env("TRICKLE_PATH", d.join("env"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().unwrap().write_all(b"null\n")?;
            c.wait_with_output()
        })
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "[\"inc\",\"env\",\"near\"]\n"
    );
    assert_eq!(
        trickle(&["check", &q], None).code,
        1,
        "without -I and TRICKLE_PATH"
    );
}

#[test]
fn doc_prints_the_reference_or_writes_one_file_per_module() {
    let r = trickle(&["doc"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for needle in [
        "# trickle reference",
        "### `string::len(input)`",
        "## `aggr::stats::count`",
        "## `tumbling`",
        "## `http_client`",
    ] {
        assert!(r.stdout.contains(needle), "missing {needle}");
    }
    let d = dir("doc");
    let out = d.join("ref");
    let r = trickle(&["doc", "--out", out.to_str().unwrap()], None);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.stderr);
    let index = std::fs::read_to_string(out.join("index.md")).unwrap();
    assert!(index.contains("[`std::string`](std.string.md)"), "{index}");
    let page = std::fs::read_to_string(out.join("std.string.md")).unwrap();
    assert!(page.contains("```tremor\nuse std::string;\n"), "{page}");
    for f in ["aggregates.md", "windows.md", "peers.md"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    // A folder that cannot be created is a failure to write: exit 3.
    let file = write(&d, "plain", "x");
    let r = trickle(&["doc", "--out", &format!("{file}/sub")], None);
    assert_eq!(r.code, 3, "{}", r.stderr);
}

#[test]
fn lsp_without_a_client_exits_cleanly() {
    // stdin closes before `initialize`: an error on stderr, exit 1, no hang.
    let r = trickle(&["lsp"], Some(""));
    assert_eq!(r.code, 1, "{}", r.stderr);
}

/// Everything `trickle run ARGS` writes to a terminal, until it exits.
fn on_terminal(args: &[&str]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trickle"));
    cmd.args(args).env("TERM", "xterm").env_remove("NO_COLOR");
    let mut p = rexpect::session::spawn_command(cmd, Some(60_000)).expect("a pty");
    p.exp_eof().expect("the run ends")
}

#[test]
fn progress_line_on_a_terminal_unless_quiet() {
    let d = dir("progress");
    let q = write(&d, "q.trickle", PASSTHROUGH);
    let lines: String = (0..20_000).map(|i| format!("{{\"n\":{i}}}\n")).collect();
    let input = write(&d, "in.json", &lines);
    let out = d.join("out.json").display().to_string();
    let shown = on_terminal(&["run", &q, "-i", &input, "-o", &out]);
    // Bytes of the input's size, events, events/s and the time left.
    assert!(shown.contains("KiB ("), "{shown:?}");
    assert!(
        shown.contains(" ev/s, ") && shown.contains(" left"),
        "{shown:?}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), lines);
    let quiet = on_terminal(&["run", &q, "-i", &input, "-o", &out, "--quiet"]);
    assert!(!quiet.contains("ev/s"), "{quiet:?}");
    // Not on a terminal: never.
    let r = trickle(&["run", &q, "-i", &input, "-o", &out], None);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
}

/// A query that only forwards `in` writes each line's compact form as read; it
/// must be exactly what running the graph writes.
#[test]
fn forwarded_lines_are_written_as_the_graph_would() {
    let d = dir("forward");
    let input = "{\"a\": 1, \"b\": [1.5, \"x\"]}\n{\"a\":\"\\u0041\", \"a\": 2}\n{bad\n  \n1E5\n-0\n\"\\n\"\n[ ]\n";
    let input = write(&d, "in.json", input);
    let fast = write(&d, "fast.trickle", PASSTHROUGH);
    let slow = write(
        &d,
        "slow.trickle",
        "select event from in where true into out;\n",
    );
    let a = trickle(&["run", &fast, "-i", &input, "--clock", "index"], None);
    let b = trickle(&["run", &slow, "-i", &input, "--clock", "index"], None);
    assert_eq!((a.code, b.code), (0, 0), "{} {}", a.stderr, b.stderr);
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(
        a.stdout,
        "{\"a\":1,\"b\":[1.5,\"x\"]}\n{\"a\":2}\n100000.0\n0\n\"\\n\"\n[]\n"
    );
    assert_eq!(a.stderr, b.stderr);
    assert!(a.stderr.contains("in.json:3: "), "{}", a.stderr);
}

/// A script runs on the same runtime: `--metrics` shows the same table.
#[test]
fn scripts_run_on_the_runtime_with_its_table() {
    let d = dir("script-metrics");
    let s = write(
        &d,
        "s.tremor",
        "match event of case 1 => emit \"one\" case _ => drop end\n",
    );
    let r = trickle(&["run", &s, "--metrics"], Some("1\n2\n1\n"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "\"one\"\n\"one\"\n");
    let row = |peer: &str| metrics_row(&r.stderr, peer);
    assert_eq!(row("in").as_deref(), Some("0 3 0 0 3"), "{}", r.stderr);
    assert_eq!(row("out").as_deref(), Some("2 0 0 2 0"), "{}", r.stderr);
}
