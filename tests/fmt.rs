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

/// A program whose case expects a rendered diagnostic: its positions are the expectation,
/// so it is formatted (checked here) but not rewritten for the case run.
fn position_sensitive(program: &Path) -> bool {
    let dir = program.parent().unwrap_or(Path::new("."));
    dir.join("error.txt").exists()
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
        let text = std::fs::read_to_string(f).expect("read");
        let kind = Kind::from_path(f).unwrap_or(Kind::Query);
        if let Ok(out) = format(&text, kind) {
            if out != text {
                std::fs::write(f, out).expect("write");
                rewritten += 1;
            }
        }
    }
    // Case names are relative paths; run from the copy so modules resolve the same way.
    std::env::set_current_dir(&tmp).expect("enter temp dir");
    let opts = Options {
        no_final_flush: false,
        bless: false,
        filter: None,
        timeout: Some(Duration::from_secs(60)),
    };
    let mut report = Vec::new();
    let summary = run_all(&[PathBuf::from("tests")], &opts, &mut report).expect("report");
    let report = String::from_utf8_lossy(&report);
    let failed: Vec<&str> = report.lines().filter(|l| l.starts_with("FAIL")).collect();
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(
        rewritten > 50,
        "only {rewritten} files changed by formatting"
    );
    assert!(
        summary.ok(),
        "{} cases failed after formatting:\n{}\n{report}",
        summary.failed,
        failed.join("\n")
    );
}
