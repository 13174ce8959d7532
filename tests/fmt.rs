//! `trickle fmt` over every program under `tests/` and `examples/`: the layout is
//! idempotent, keeps every comment in order, and the formatted case folders still pass.

use std::path::{Path, PathBuf};
use std::time::Duration;
use trickle::fmt::{format, Kind};
use trickle::syntax;
use trickle::testcase::{run_all, Options};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.trickle` / `.tremor` file at or below `dir`.
fn programs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            programs(&p, out);
        } else if Kind::from_path(&p).is_some() {
            out.push(p);
        }
    }
}

/// A program whose case expects a rendered diagnostic, or a runtime error naming a
/// `FILE:LINE:COL`: its positions are the expectation, so it is formatted (checked by the
/// test above) but not rewritten for the case run.
fn position_sensitive(program: &Path) -> bool {
    let dir = program.parent().unwrap_or(Path::new("."));
    let out = std::fs::read_to_string(dir.join("out")).unwrap_or_default();
    dir.join("error.txt").exists() || out.contains(".trickle:") || out.contains(".tremor:")
}

#[test]
fn every_program_formats_idempotently_keeping_comments() {
    let mut files = Vec::new();
    programs(&root().join("tests"), &mut files);
    programs(&root().join("examples"), &mut files);
    assert!(files.len() > 100, "found only {} programs", files.len());
    let mut failures = Vec::new();
    let mut formatted = 0;
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let kind = Kind::from_path(f).unwrap_or(Kind::Query);
        let out = match format(&text, kind) {
            Ok(out) => out,
            Err(d) => {
                // Files that do not parse (error cases) must be refused with a parse error.
                if syntax::parse(&text, 0).errors.is_empty() {
                    failures.push(format!("{}: refused: {:?}", f.display(), d[0].message));
                }
                continue;
            }
        };
        formatted += 1;
        match format(&out, kind) {
            Ok(again) if again == out => {}
            Ok(again) => failures.push(format!(
                "{}: not idempotent:\n{}",
                f.display(),
                trickle::fmt::diff(&out, &again, "first pass")
            )),
            Err(d) => failures.push(format!("{}: output refused: {:?}", f.display(), d)),
        }
        if syntax::lex(&text).comments() != syntax::lex(&out).comments() {
            failures.push(format!("{}: comments differ", f.display()));
        }
        if out.lines().any(|l| l.ends_with(' ')) {
            failures.push(format!("{}: trailing spaces", f.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(formatted > 100, "formatted only {formatted}");
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create temp dir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
}

#[test]
fn formatted_case_folders_still_pass() {
    let tmp = std::env::temp_dir().join(format!("trickle-fmt-cases-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let cases = tmp.join("tests");
    copy_tree(&root().join("tests"), &cases);
    let mut files = Vec::new();
    programs(&cases, &mut files);
    let mut rewritten = 0;
    for f in &files {
        if position_sensitive(f) {
            continue;
        }
        // A case may hold a module that is not UTF-8 on purpose (its error is the test).
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let kind = Kind::from_path(f).unwrap_or(Kind::Query);
        if let Ok(out) = format(&text, kind) {
            if out != text {
                std::fs::write(f, out).expect("write");
                rewritten += 1;
            }
        }
    }
    // Case names are relative paths, the same in both trees. A case that already fails
    // unformatted (work in progress elsewhere) is not the formatter's to answer for.
    let before = failing_cases(&root());
    let after = failing_cases(&tmp);
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(
        rewritten > 50,
        "only {rewritten} files changed by formatting"
    );
    let broken: Vec<&String> = after.iter().filter(|c| !before.contains(c)).collect();
    assert!(
        broken.is_empty(),
        "cases that pass unformatted fail after formatting: {broken:?}"
    );
}

/// The names of the failing case folders under `dir/tests`.
fn failing_cases(dir: &Path) -> Vec<String> {
    std::env::set_current_dir(dir).expect("enter the tree");
    let opts = Options {
        no_final_flush: false,
        bless: false,
        filter: None,
        timeout: Some(Duration::from_secs(60)),
    };
    let mut report = Vec::new();
    run_all(&[PathBuf::from("tests")], &opts, &mut report).expect("report");
    String::from_utf8_lossy(&report)
        .lines()
        .filter_map(|l| l.strip_prefix("FAIL "))
        .map(str::to_string)
        .collect()
}

// -- the command line ------------------------------------------------------------

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn trickle(args: &[&str], stdin: Option<&str>) -> Run {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_trickle"))
        .args(args)
        .env_remove("NO_COLOR")
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
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(text.as_bytes()).expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("trickle-fmt-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

const MESSY: &str = "select {\"a\":event.a*2} from in where event.a>1 into out;\n";
const TIDY: &str = "select {\"a\": event.a * 2} from in where event.a > 1 into out;\n";

#[test]
fn cli_check_prints_a_diff_and_exits_1_and_changes_nothing() {
    let d = scratch("check");
    let f = d.join("q.trickle");
    std::fs::write(&f, MESSY).expect("write");
    let name = f.display().to_string();
    let r = trickle(&["fmt", "--check", &name], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains(&format!("--- {name}")), "{}", r.stdout);
    assert!(
        r.stdout.contains(&format!("-{}", MESSY.trim_end())),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!("+{}", TIDY.trim_end())),
        "{}",
        r.stdout
    );
    assert_eq!(std::fs::read_to_string(&f).expect("read"), MESSY);
    // Formatting in place, then the check passes with no output.
    let r = trickle(&["fmt", &name], None);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&f).expect("read"), TIDY);
    let r = trickle(&["fmt", "--check", &name], None);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.stderr);
}

#[test]
fn cli_stdin_to_stdout() {
    let r = trickle(&["fmt", "-"], Some(MESSY));
    assert_eq!((r.code, r.stdout.as_str()), (0, TIDY), "{}", r.stderr);
    let r = trickle(&["fmt"], Some("let x=[1,2];\nx\n"));
    assert_eq!((r.code, r.stdout.as_str()), (0, "let x = [1, 2];\nx\n"));
    let r = trickle(&["fmt", "--check", "-"], Some(MESSY));
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("--- <stdin>"), "{}", r.stdout);
    let r = trickle(&["fmt", "--check", "-"], Some(TIDY));
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
}

#[test]
fn cli_a_file_that_does_not_parse_is_reported_and_untouched() {
    let d = scratch("bad");
    let f = d.join("bad.tremor");
    let bad = "let x = [1, 2;\nx\n";
    std::fs::write(&f, bad).expect("write");
    let name = f.display().to_string();
    for args in [vec!["fmt", &name], vec!["fmt", "--check", &name]] {
        let r = trickle(&args, None);
        assert_eq!(r.code, 1, "{args:?}");
        assert!(r.stderr.contains("error[E0"), "{}", r.stderr);
        assert!(r.stderr.contains("bad.tremor:1:"), "{}", r.stderr);
        assert!(r.stderr.contains("could not format"), "{}", r.stderr);
        assert_eq!(r.stdout, "");
        assert_eq!(std::fs::read_to_string(&f).expect("read"), bad);
    }
    let r = trickle(&["fmt", "-"], Some("select from;"));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("<stdin>"), "{}", r.stderr);
}

#[test]
fn cli_a_file_that_is_not_utf8_is_a_diagnostic_not_a_read_failure() {
    let d = scratch("utf8");
    let f = d.join("latin1.trickle");
    let bytes = b"select \"caf\xe9\" from in into out;\n";
    std::fs::write(&f, bytes).expect("write");
    let name = f.display().to_string();
    for args in [
        vec!["fmt", &name],
        vec!["fmt", "--check", &name],
        vec!["check", &name],
    ] {
        let r = trickle(&args, None);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("error[E0015]"), "{}", r.stderr);
        assert!(
            r.stderr.contains("byte 0xe9 at line 1, column 12"),
            "{}",
            r.stderr
        );
        assert_eq!(std::fs::read(&f).expect("read"), bytes);
    }
}

#[test]
fn cli_usage_and_missing_files() {
    let d = scratch("usage");
    let f = d.join("notes.txt");
    std::fs::write(&f, "x").expect("write");
    let r = trickle(&["fmt", &f.display().to_string()], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let missing = d.join("missing.trickle");
    let r = trickle(&["fmt", &missing.display().to_string()], None);
    assert_eq!(r.code, 3, "{}", r.stderr);
}

#[test]
fn cli_several_files_worst_code_wins() {
    let d = scratch("several");
    let good = d.join("good.trickle");
    let messy = d.join("messy.trickle");
    std::fs::write(&good, TIDY).expect("write");
    std::fs::write(&messy, MESSY).expect("write");
    let (g, m) = (good.display().to_string(), messy.display().to_string());
    let r = trickle(&["fmt", "--check", &g, &m], None);
    assert_eq!(r.code, 1);
    assert!(!r.stdout.contains(&format!("--- {g}")), "{}", r.stdout);
    assert!(r.stdout.contains(&format!("--- {m}")), "{}", r.stdout);
}

#[test]
fn readme_before_and_after_are_what_fmt_does() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    let section = readme
        .split("## Formatting")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("a Formatting section");
    let blocks: Vec<&str> = section
        .split("```trickle\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .collect();
    assert_eq!(blocks.len(), 2, "a before and an after block");
    assert_eq!(format(blocks[0], Kind::Query).expect("formats"), blocks[1]);
}
