//! Conformance test cases (SPEC §9): folders holding `query.trickle` or
//! `script.tremor`, an `in` or `steps` file and the expectation, `out` or `error.txt`.
//!
//! One runner serves `trickle test` and `cargo test` (`tests/cases.rs`):
//! [`discover`] finds the case folders, [`run_case`] feeds a case in the
//! deterministic index clock, [`check`] compares (and blesses), and [`run_all`]
//! prints `ok NAME` / `FAIL NAME` lines and the closing `N passed, M failed`.

mod compare;
mod diff;
mod discover;
mod exec;
mod play;
#[cfg(feature = "runtime")]
mod record;
mod steps;

pub use compare::{check, error_text_matches, Expected, Verdict};
pub use discover::{discover, Case, CaseKind};
pub use exec::{run_case, runtime_error_text, Actual};
pub use play::{read_inputs, Feed, Player};
#[cfg(feature = "runtime")]
pub use record::Recorder;
pub use steps::{parse_step, parse_steps, Numbered, Step, DEFAULT_PEER};

use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

/// How a set of cases is run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Skip the `drain` signal at the end of a query case's input.
    pub no_final_flush: bool,
    /// Rewrite `out` / `error.txt` from what the case actually produced.
    pub bless: bool,
    /// Only run cases whose name contains this text.
    pub filter: Option<String>,
    /// Give up on a case (and the run) after this long; `None` waits forever.
    pub timeout: Option<Duration>,
}

/// Counts of a finished run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
}

impl Summary {
    pub fn ok(&self) -> bool {
        self.failed == 0
    }
}

/// Runs every case at or below each of `roots`, printing one line per case (and a
/// diff for failures) to `out`, then `N passed, M failed`. A root that holds no
/// case, or cannot be read, counts as a failure so a typo cannot pass silently.
pub fn run_all(roots: &[PathBuf], opts: &Options, out: &mut dyn Write) -> std::io::Result<Summary> {
    let mut summary = Summary::default();
    for root in roots {
        let cases = match discover(root) {
            Ok(cases) if cases.is_empty() => {
                writeln!(out, "FAIL {}\n  no test case folders here", root.display())?;
                summary.failed += 1;
                continue;
            }
            Ok(cases) => cases,
            Err(e) => {
                writeln!(out, "FAIL {}\n  {e}", root.display())?;
                summary.failed += 1;
                continue;
            }
        };
        for case in cases {
            if let Some(f) = &opts.filter {
                if !case.name.contains(f.as_str()) {
                    continue;
                }
            }
            match run_isolated(case, opts) {
                Ok((name, Verdict::Pass)) => {
                    writeln!(out, "ok {name}")?;
                    summary.passed += 1;
                }
                Ok((name, Verdict::Fail(why))) => {
                    writeln!(out, "FAIL {name}")?;
                    for line in why.lines() {
                        writeln!(out, "  {line}")?;
                    }
                    summary.failed += 1;
                }
                Err(Stuck(name)) => {
                    writeln!(out, "FAIL {name}\n  timed out: stopping the run")?;
                    summary.failed += 1;
                    writeln!(out, "{} passed, {} failed", summary.passed, summary.failed)?;
                    return Ok(summary);
                }
            }
            out.flush()?;
        }
    }
    writeln!(out, "{} passed, {} failed", summary.passed, summary.failed)?;
    Ok(summary)
}

/// Stack of the thread running one case (only the pages used are committed).
const CASE_STACK: usize = 1 << 30;

/// A case that did not finish within the timeout.
struct Stuck(String);

/// Runs one case on its own thread so a panic in the engine fails only this case
/// and a case that never ends cannot hang the whole run.
fn run_isolated(case: Case, opts: &Options) -> Result<(String, Verdict), Stuck> {
    let name = case.name.clone();
    let (tx, rx) = mpsc::channel();
    let task_opts = opts.clone();
    let spawned = std::thread::Builder::new()
        .name(format!("case {name}"))
        // Deeply nested test programs recurse in the parser and interpreter.
        .stack_size(CASE_STACK)
        .spawn(move || {
            crate::interp::set_stack_budget(CASE_STACK / 4 * 3);
            let actual = run_case(&case, &task_opts);
            let _ = tx.send(check(&case, &actual, task_opts.bless));
        });
    let handle = match spawned {
        Ok(h) => h,
        Err(e) => return Ok((name, Verdict::Fail(format!("cannot start a thread: {e}")))),
    };
    let received = match opts.timeout {
        Some(t) => rx
            .recv_timeout(t)
            .map_err(|e| matches!(e, mpsc::RecvTimeoutError::Timeout)),
        None => rx.recv().map_err(|_| false),
    };
    match received {
        Ok(verdict) => {
            let _ = handle.join();
            Ok((name, verdict))
        }
        Err(true) => Err(Stuck(name)),
        Err(false) => {
            let why = match handle.join() {
                Err(payload) => panic_text(payload.as_ref()),
                Ok(()) => "the case ended without a verdict".to_string(),
            };
            Ok((name, Verdict::Fail(format!("panicked: {why}"))))
        }
    }
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_root_and_empty_root_fail() {
        let dir = tempdir("runall-empty");
        let opts = Options::default();
        let mut out = Vec::new();
        let s = run_all(&[dir.clone(), dir.join("nope")], &opts, &mut out).unwrap();
        assert_eq!(
            s,
            Summary {
                passed: 0,
                failed: 2
            }
        );
        let text = String::from_utf8(out).unwrap();
        assert!(text.ends_with("0 passed, 2 failed\n"), "{text}");
    }

    #[test]
    fn case_without_in_fails_with_reason() {
        let dir = tempdir("runall-noin");
        let case = dir.join("c");
        std::fs::create_dir_all(&case).unwrap();
        std::fs::write(case.join("script.tremor"), "event").unwrap();
        std::fs::write(case.join("out"), "1\n").unwrap();
        let mut out = Vec::new();
        let s = run_all(&[dir], &Options::default(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(s.failed, 1, "{text}");
        assert!(text.contains("`in`"), "{text}");
    }

    pub(crate) fn tempdir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("trickle-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
