//! `trickle repl` from the outside: piped (scripted) sessions for every command,
//! and pseudo-terminal sessions: multi-line input, Enter keys, typing ahead,
//! completion, history, colour.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long one piped session may take before the test fails.
const LIMIT: Duration = Duration::from_secs(60);

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `trickle repl ARGS` with `input` on stdin (not a terminal).
fn repl(args: &[&str], input: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_trickle"))
        .arg("repl")
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("TRICKLE_PATH")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the trickle binary runs");
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_string();
    // Written from a thread so a full pipe cannot block the test.
    std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(LIMIT) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            panic!("trickle repl did not finish within {LIMIT:?}");
        }
    };
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "no panics: {}",
        run.stderr
    );
    run
}

/// A fresh folder for one test's files.
fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("trickle-repl-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn lines(s: &str) -> Vec<&str> {
    s.lines().collect()
}

#[test]
fn expressions_print_one_json_line_each() {
    let r = repl(&[], "1 + 2\n[1, \"a\", {\"b\": null}]\n\"x\" + \"y\"\n");
    assert_eq!(
        lines(&r.stdout),
        vec!["3", r#"[1,"a",{"b":null}]"#, r#""xy""#]
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains('\u{1b}') && !r.stderr.contains('\u{1b}'));
}

#[test]
fn let_persists_and_prints_nothing() {
    let r = repl(&[], "let x = 2\nx * 21\nlet x = x + 1\nlet y = [x]\ny\n");
    assert_eq!(lines(&r.stdout), vec!["42", "[3]"], "{}", r.stderr);
}

#[test]
fn functions_persist() {
    let input = "fn twice(n) with n * 2 end\ntwice(21)\nfn fact(n) with\n  match n of\n    case 0 => 1\n    case _ => n * fact(n - 1)\n  end\nend\nfact(5)\n";
    let r = repl(&[], input);
    assert_eq!(lines(&r.stdout), vec!["42", "120"], "{}", r.stderr);
}

#[test]
fn use_std_string() {
    let r = repl(
        &[],
        "use std::string;\nstring::uppercase(\"abc\")\nstring::format(\"{}-{}\", 1, \"b\")\n",
    );
    assert_eq!(
        lines(&r.stdout),
        vec![r#""ABC""#, r#""1-b""#],
        "{}",
        r.stderr
    );
}

#[test]
fn const_persists() {
    let r = repl(&[], "const LIMIT = 10;\nLIMIT + 1\n");
    assert_eq!(lines(&r.stdout), vec!["11"], "{}", r.stderr);
}

#[test]
fn multi_line_match_and_heredoc() {
    let input = "match {\"a\": 1} of\n  case %{a == 1} => \"one\"\n  case _ => \"other\"\nend\n\"\"\"\nline\n\"\"\"\n";
    let r = repl(&[], input);
    assert_eq!(
        lines(&r.stdout),
        vec![r#""one""#, r#""line\n""#],
        "{}",
        r.stderr
    );
}

#[test]
fn define_select_and_event() {
    let input = "define window two from tumbling\nwith\n  size = 2\nend;\n\
        select {\"n\": aggr::stats::count()} from in[two] into out;\n\
        :event {\"a\": 1}\n:event {\"a\": 2}\n\
        select event from in where event.a > 5 into out/big;\n\
        :event {\"a\": 7}\n";
    let r = repl(&[], input);
    assert_eq!(
        lines(&r.stdout),
        vec!["(no output)", r#"out: {"n":2}"#, r#"big: {"a":7}"#],
        "{}",
        r.stderr
    );
    assert_eq!(r.code, 0);
}

#[test]
fn tick_and_end_step_through_interval_and_per_stream_windows() {
    // A processing-time window closes when a tick moves time past its interval; a
    // per-stream batch flushes when its stream ends.
    let input = "define window second from tumbling with interval = datetime::with_seconds(1) end;\n\
        define window three from tumbling with size = 3 end;\n\
        select {\"n\": aggr::stats::count()} from in[second] into out;\n\
        select aggr::win::collect_flattened(event) from in[three] group by [stream_id()] into out/batch;\n\
        :event 1\n:event 2\n:tick 500ms\n:tick\n:tick 1s\n:end\n:end x\n:tick soon\n";
    let r = repl(&[], input);
    assert_eq!(
        lines(&r.stdout),
        vec![
            "(no output)",
            "(no output)",
            "(no output)",
            "(no output)",
            r#"out: {"n":2}"#,
            "batch: [1,2]",
        ],
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("`x` is not a stream id"), "{}", r.stderr);
    assert!(
        r.stderr.contains("`soon` is not a duration"),
        "{}",
        r.stderr
    );
    // Piped, a session with errors exits 1.
    assert_eq!(r.code, 1);
}

#[test]
fn steps_file_feeds_the_session_query() {
    let d = dir("steps");
    let steps = d.join("steps");
    std::fs::write(
        &steps,
        "{\"event\": 1, \"stream\": 1}\n{\"event\": 10, \"stream\": 2}\n\
         {\"event\": 2, \"stream\": 1}\n{\"end_stream\": 2}\n",
    )
    .unwrap();
    let bad = d.join("bad");
    std::fs::write(&bad, "{\"tick\": 100}\n{\"tick\": 5}\n").unwrap();
    let typo = d.join("typo");
    std::fs::write(&typo, "{\"evnt\": 1}\n").unwrap();
    let input = format!(
        ":steps {}\n\
         define window two from tumbling with size = 2 end;\n\
         select aggr::win::collect_flattened(event) from in[two] group by set(stream_id()) into out;\n\
         :steps {}\n:steps {}\n:steps {}\n:steps /nonexistent/steps\n",
        steps.display(),
        steps.display(),
        bad.display(),
        typo.display()
    );
    let r = repl(&[], &input);
    assert_eq!(
        lines(&r.stdout),
        vec!["out: [1,2]", "out: [10]"],
        "{}",
        r.stderr
    );
    let err = &r.stderr;
    assert!(err.contains("no session query yet"), "{err}");
    assert!(err.contains("line 2: tick 5 goes back in time"), "{err}");
    assert!(err.contains("line 1: a step needs one of"), "{err}");
    assert!(err.contains("cannot read /nonexistent/steps"), "{err}");
    assert_eq!(r.code, 1);
}

#[test]
fn event_without_a_query_sets_the_current_event() {
    let r = repl(
        &[],
        "event\n:event {\"a\": {\"b\": 3}}\nevent.a.b + 1\nlet event.c = 1\nevent\n",
    );
    assert_eq!(
        lines(&r.stdout),
        vec!["{}", r#"{"a":{"b":3}}"#, "4", r#"{"a":{"b":3},"c":1}"#],
        "{}",
        r.stderr
    );
}

#[test]
fn next_and_prev_step_through_input_events() {
    let d = dir("events");
    let events = d.join("in.jsonl");
    std::fs::write(&events, "{\"n\":1}\n{\"n\":2}\n").unwrap();
    let input = ":next\nevent.n\n:next\nevent.n * 10\n:next\n:prev\nevent.n\n:prev\n";
    let r = repl(&["-i", events.to_str().unwrap()], input);
    assert_eq!(
        lines(&r.stdout),
        vec![r#"{"n":1}"#, "1", r#"{"n":2}"#, "20", r#"{"n":1}"#, "1"],
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("already at the last event"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("already at the first event"),
        "{}",
        r.stderr
    );
    assert_eq!(r.code, 1);
}

#[test]
fn next_sends_into_the_session_query() {
    let d = dir("next-query");
    let events = d.join("in.jsonl");
    std::fs::write(&events, "{\"n\":1}\n{\"n\":2}\n").unwrap();
    let r = repl(
        &["--input", events.to_str().unwrap()],
        "select event.n * 100 from in into out;\n:next\n:next\n",
    );
    assert_eq!(
        lines(&r.stdout),
        vec!["out: 100", "out: 200"],
        "{}",
        r.stderr
    );
}

#[test]
fn load_scripts_and_queries() {
    let d = dir("load");
    std::fs::write(d.join("lib.tremor"), "fn inc(x) with x + 1 end;\ninc(1)\n").unwrap();
    std::fs::write(
        d.join("q.trickle"),
        "use std::string;\nselect string::len(event) from in into out;\n",
    )
    .unwrap();
    let input = format!(
        ":load {}\ninc(41)\n:load {}\n:event \"abcd\"\n:load {}\n",
        d.join("lib.tremor").display(),
        d.join("q.trickle").display(),
        d.join("missing.tremor").display()
    );
    let r = repl(&[], &input);
    assert_eq!(lines(&r.stdout), vec!["2", "42", "out: 4"], "{}", r.stderr);
    assert!(r.stderr.contains("cannot read"), "{}", r.stderr);
}

#[test]
fn file_on_the_command_line_is_loaded() {
    let d = dir("file-arg");
    let q = d.join("q.trickle");
    std::fs::write(&q, "select {\"seen\": event} from in into out;\n").unwrap();
    let r = repl(&[q.to_str().unwrap()], ":event 1\n:graph\n");
    let out = lines(&r.stdout);
    assert_eq!(out[0], r#"out: {"seen":1}"#, "{}", r.stderr);
    assert!(r.stdout.contains("select_0"), "{}", r.stdout);
}

#[test]
fn graph_shows_the_session_query() {
    let r = repl(&[], ":graph\ncreate stream s;\nselect event from in into s;\nselect event from s into out;\n:graph\n");
    assert!(r.stderr.contains("no session query yet"), "{}", r.stderr);
    assert!(
        r.stdout.contains("s (stream)") || r.stdout.contains("s ("),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("-> out"), "{}", r.stdout);
}

#[test]
fn functions_of_a_module_with_docs() {
    let r = repl(&[], ":functions string\n");
    assert!(r.stdout.lines().count() > 5, "{}", r.stdout);
    assert!(
        r.stdout.lines().all(|l| l.starts_with("string::")),
        "{}",
        r.stdout
    );
    let format = r
        .stdout
        .lines()
        .find(|l| l.starts_with("string::format"))
        .unwrap();
    assert!(format.len() > "string::format".len() + 5, "a doc: {format}");
    // The same docs as hover and `trickle doc`, for every module `use` names.
    let len = r
        .stdout
        .lines()
        .find(|l| l.starts_with("string::len "))
        .unwrap();
    assert!(
        len.ends_with("Returns the number of characters in `input`."),
        "{len}"
    );
    let r = repl(&[], ":functions std::time::nanos\n:functions aggr\n");
    assert!(r.stdout.contains("nanos::from_seconds"), "{}", r.stdout);
    assert!(r.stdout.contains("aggr::stats::count"), "{}", r.stdout);
    let r = repl(&[], ":functions nosuch\n");
    assert!(r.stderr.contains("no module `nosuch`"), "{}", r.stderr);
}

#[test]
fn help_lists_every_command() {
    let r = repl(&[], ":help\n");
    for cmd in [
        ":event",
        ":next",
        ":prev",
        ":load",
        ":graph",
        ":functions",
        ":tick",
        ":end",
        ":steps",
        ":help",
        ":quit",
    ] {
        assert!(r.stdout.contains(cmd), "{cmd} in {}", r.stdout);
    }
}

#[test]
fn an_error_then_a_good_line() {
    let r = repl(&[], "1 +* 2\nevent.missing\n40 + 2\n");
    assert_eq!(lines(&r.stdout), vec!["42"]);
    assert!(r.stderr.contains("error[E0002]"), "{}", r.stderr);
    assert!(r.stderr.contains("┌─ <repl>:1:4"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("Trying to access a non existing event key `missing`"),
        "{}",
        r.stderr
    );
    assert_eq!(r.code, 1);
}

#[test]
fn errors_point_at_the_line_not_the_session() {
    let r = repl(
        &[],
        "use std::string;\nfn f(x) with x end\nlet a = 1\nnosuch(1)\n",
    );
    assert!(r.stderr.contains("<repl>:1:1"), "{}", r.stderr);
    assert!(!r.stderr.contains("<repl>:3"), "{}", r.stderr);
}

#[test]
fn quit_ends_the_session() {
    let r = repl(&[], "1\n:quit\n2\n");
    assert_eq!(lines(&r.stdout), vec!["1"]);
    assert_eq!(r.code, 0);
}

#[test]
fn query_and_expressions_cannot_mix() {
    let r = repl(&[], "select event from in into out; 1 + 1\n2\n");
    assert!(r.stderr.contains("cannot mix"), "{}", r.stderr);
    assert_eq!(lines(&r.stdout), vec!["2"]);
}

#[test]
fn bad_events_file_is_a_usage_failure() {
    let d = dir("bad-events");
    let events = d.join("in.jsonl");
    std::fs::write(&events, "{nope\n").unwrap();
    let r = repl(&["-i", events.to_str().unwrap()], "1\n");
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("in.jsonl:1"), "{}", r.stderr);
}

#[test]
fn odd_inputs_do_not_panic() {
    let deep = format!("{}1{}", "[".repeat(300), "]".repeat(300));
    let inputs = [
        ")",
        "end",
        "::",
        ":",
        "%{",
        "}",
        "case",
        "emit",
        "drop",
        "recur(1)",
        "let",
        "let 1 = 2",
        "$",
        "state",
        "args",
        "window",
        "group",
        "\u{0}",
        "é + 1",
        "#",
        "`",
        "<<1:100>>",
        "1/0",
        "18446744073709551615 + 1",
        "select",
        "define",
        "create stream in;",
        "select event from nowhere into out;",
        "fn f() with f() end",
        ":event",
        ":load",
        "use nosuch::module;",
        "intrinsic fn x() as nosuch::x;",
        &deep,
        "\"\"\"",
    ];
    let r = repl(&[], &(inputs.join("\n") + "\n"));
    assert!(matches!(r.code, 0 | 1), "exit {}: {}", r.code, r.stderr);
}

#[test]
fn pty_session_types_a_multi_line_match() {
    let d = dir("pty");
    let mut p = pty(&[("NO_COLOR", "1".as_ref()), ("XDG_DATA_HOME", d.as_os_str())]);
    // `send_line` ends lines with `\n` (Ctrl-J), as a scripted or pasted input does.
    p.send_line("match 2 of").unwrap();
    p.send_line("case 1 => \"one\"").unwrap();
    p.send_line("case _ => \"other\"").unwrap();
    p.send_line("end").unwrap();
    answer(&mut p, "\"other\"");
    p.send_line("let x = 20; x + 1").unwrap();
    answer(&mut p, "21");
    p.send_line("x * 2").unwrap();
    answer(&mut p, "40");
    p.send_line(":quit").unwrap();
    p.exp_eof().expect("the session ends");
    let history = std::fs::read_to_string(d.join("trickle").join("history")).expect("history kept");
    assert!(history.contains("match 2 of"), "{history}");
}

/// A terminal session of `trickle repl` with the given environment, at its
/// first prompt.
fn pty(envs: &[(&str, &std::ffi::OsStr)]) -> rexpect::session::PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trickle"));
    cmd.arg("repl")
        .env("TERM", "xterm")
        .env_remove("TRICKLE_PATH");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut p = rexpect::session::spawn_command(cmd, Some(30_000)).expect("a pty");
    p.exp_string("trickle> ").expect("a prompt");
    p
}

/// Waits for `text` (which must not occur in what was typed, whose echo comes
/// first) and then for the prompt after it.
///
/// Nothing here waits for time to pass: keys typed ahead are kept by the line
/// editor, so the waits only keep the screen in order. The first prompt after an
/// answer is the next line's (the ones redrawn while typing come before it).
fn answer(p: &mut rexpect::session::PtySession, text: &str) {
    p.exp_string(text)
        .unwrap_or_else(|e| panic!("expected {text:?} on the screen: {e}"));
    p.exp_string("trickle> ")
        .unwrap_or_else(|e| panic!("a prompt after {text:?}: {e}"));
}

/// Types `keys` as they are (a terminal's Enter is `\r`).
fn keys(p: &mut rexpect::session::PtySession, keys: &str) {
    p.send(keys).unwrap();
    p.flush().unwrap();
}

/// An answer alone on its line (not part of a redrawn input or an error snippet).
fn line(text: &str) -> String {
    format!("\r\n{text}\r\n")
}

#[test]
fn pty_three_line_match_with_separate_enter_keys() {
    let d = dir("pty-enter");
    let mut p = pty(&[("NO_COLOR", "1".as_ref()), ("XDG_DATA_HOME", d.as_os_str())]);
    keys(&mut p, "match 1 of");
    keys(&mut p, "\r");
    // Enter on unfinished input redraws it with the next line indented.
    p.exp_string("trickle> match 1 of\r\n  ")
        .expect("an indented continuation line");
    keys(&mut p, "case 1 => 40 + 2");
    keys(&mut p, "\r");
    p.exp_string("match 1 of\r\n  case 1 => 40 + 2\r\n  ")
        .expect("a second continuation line");
    keys(&mut p, "end");
    keys(&mut p, "\r");
    answer(&mut p, &line("42"));
    // The same input again from the history: Up, then Enter.
    keys(&mut p, "\x1b[A");
    keys(&mut p, "\r");
    answer(&mut p, &line("42"));
    keys(&mut p, ":quit\r");
    p.exp_eof().expect("the session ends");
}

/// `tmux send-keys 'end'` sends the End key, not the word: the input then stays
/// unfinished, which looked like a hang. The End key moves the cursor, Enter breaks
/// the line again, and typing `end` finishes the input.
#[test]
fn pty_end_key_in_a_continuation_line() {
    let d = dir("pty-end-key");
    let mut p = pty(&[("NO_COLOR", "1".as_ref()), ("XDG_DATA_HOME", d.as_os_str())]);
    keys(&mut p, "match 1 of\r");
    keys(&mut p, "case 1 => 40 + 2\r");
    keys(&mut p, "\x1b[4~");
    keys(&mut p, "\r");
    keys(&mut p, "end");
    keys(&mut p, "\r");
    answer(&mut p, &line("42"));
    keys(&mut p, "1000 + 7\r");
    answer(&mut p, &line("1007"));
    keys(&mut p, ":quit\r");
    p.exp_eof().expect("the session ends");
}

/// Lines typed ahead (a paste without bracketed paste, a fast typist) are all
/// evaluated: none is dropped between two inputs.
#[test]
fn pty_typed_ahead_lines_are_all_evaluated() {
    let d = dir("pty-burst");
    let mut p = pty(&[("NO_COLOR", "1".as_ref()), ("XDG_DATA_HOME", d.as_os_str())]);
    let burst: String = (1..=6).map(|i| format!("1000 + {i}\r")).collect();
    keys(
        &mut p,
        &(burst + "for [1, 2] of\rcase (i, e) => e * 300\rend\r"),
    );
    for i in 1..=6 {
        answer(&mut p, &line(&(1000 + i).to_string()));
    }
    answer(&mut p, "  600\r\n]");
    keys(&mut p, ":quit\r");
    p.exp_eof().expect("the session ends");
}

#[test]
fn pty_tab_completes_functions_and_event_paths() {
    let d = dir("pty-complete");
    let mut p = pty(&[("NO_COLOR", "1".as_ref()), ("XDG_DATA_HOME", d.as_os_str())]);
    p.send_line("use std::string;").unwrap();
    // One write: the Tab is handled inside the same line edit.
    p.send_line("string::upp\t(\"a\")").unwrap();
    answer(&mut p, "\"A\"");
    p.send_line(":event {\"user\": {\"name\": \"zed\"}}")
        .unwrap();
    p.send_line("event.us\t.na\t").unwrap();
    answer(&mut p, "\"zed\"");
    p.send_line(":quit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn pty_colours_and_survives_an_unwritable_history() {
    // A file where the data directory should be: the history cannot be written.
    let d = dir("pty-colour");
    let blocker = d.join("not-a-dir");
    std::fs::write(&blocker, "").unwrap();
    let mut p = pty(&[("XDG_DATA_HOME", blocker.as_os_str())]);
    p.send_line("[1, \"x\"]").unwrap();
    // The answer, indented over lines, each element coloured (the echo of the
    // typed line is highlighted too, but on one line).
    answer(
        &mut p,
        "[\r\n  \u{1b}[36m1\u{1b}[0m,\r\n  \u{1b}[32m\"x\"\u{1b}[0m\r\n]",
    );
    p.send_line(":quit").unwrap();
    p.exp_eof().unwrap();
    let status = p.process().wait().unwrap();
    assert!(
        matches!(status, rexpect::process::WaitStatus::Exited(_, 0)),
        "{status:?}"
    );
}
