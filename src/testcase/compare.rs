//! Comparing what a case produced with what it expects, and blessing.

use super::diff::{diff_values, error_report};
use super::exec::{parse_lines, Actual};
use super::Case;
use crate::value::{test_eq, Value};
use std::path::Path;

/// What a case folder expects.
#[derive(Debug, Clone)]
pub enum Expected {
    /// `out`: the events, in order.
    Out(Vec<Value>),
    /// `error.txt`: the error text.
    Error(String),
}

impl Expected {
    /// Reads `out` or `error.txt` from `dir`.
    pub fn read(dir: &Path) -> Result<Expected, String> {
        let out = std::fs::read_to_string(dir.join("out")).ok();
        let err = std::fs::read_to_string(dir.join("error.txt")).ok();
        match (out, err) {
            (Some(_), Some(_)) => Err("holds both `out` and `error.txt`: keep one".into()),
            (Some(out), None) => parse_lines(&out)
                .map(Expected::Out)
                .map_err(|e| format!("`out` {e}")),
            (None, Some(err)) => Ok(Expected::Error(err)),
            (None, None) => {
                Err("no `out` or `error.txt` file (run with --bless to write one)".into())
            }
        }
    }
}

/// The outcome of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// Why, with a readable diff.
    Fail(String),
}

/// Whether `actual` (an error text) is what `expected` (an `error.txt`) asks for:
/// equal after trimming, or containing every non-empty trimmed line of it.
pub fn error_text_matches(actual: &str, expected: &str) -> bool {
    if actual.trim() == expected.trim() {
        return true;
    }
    let wanted = tremor_error_texts(expected).unwrap_or_else(|| {
        expected
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    });
    !wanted.is_empty() && wanted.iter().all(|l| actual.contains(l.as_str()))
}

/// The texts an `error.txt` in Tremor's own layout asks for: the message after the
/// `^^^` underline and the text of each `NOTE:` line. Source lines (`  3 | code`) show
/// where the error is, which our diagnostic shows in its own layout, so they are not
/// compared. `None` when the file is not in that layout.
fn tremor_error_texts(expected: &str) -> Option<Vec<String>> {
    let mut lines = expected.lines();
    let first = lines.next()?.trim();
    if !(first == "Error:" || first.starts_with("Error: ") || first.starts_with("Warning(")) {
        return None;
    }
    let mut texts = Vec::new();
    for line in expected.lines().skip(1) {
        let Some((_, after_bar)) = line.split_once('|') else {
            let plain = line.trim();
            if !plain.is_empty() {
                texts.push(plain.to_string());
            }
            continue;
        };
        let body = after_bar.trim();
        if let Some(note) = body.strip_prefix("NOTE:") {
            texts.push(note.trim().to_string());
        } else if body.starts_with('^') {
            let message = body.trim_start_matches('^').trim();
            if !message.is_empty() {
                texts.push(message.to_string());
            }
        }
    }
    if first.len() > "Error:".len() && first.starts_with("Error: ") {
        texts.push(first["Error: ".len()..].trim().to_string());
    }
    Some(texts)
}

/// Compares (or, with `bless`, records) the result of `case`.
pub fn check(case: &Case, actual: &Actual, bless: bool) -> Verdict {
    if let Some(why) = &actual.broken {
        return Verdict::Fail(why.clone());
    }
    if bless {
        return match bless_case(&case.dir, actual) {
            Ok(()) => Verdict::Pass,
            Err(e) => Verdict::Fail(format!("cannot bless: {e}")),
        };
    }
    let expected = match Expected::read(&case.dir) {
        Ok(e) => e,
        Err(why) => return Verdict::Fail(why),
    };
    match expected {
        Expected::Out(want) => {
            if let Some(err) = &actual.error {
                return Verdict::Fail(format!(
                    "expected {} event(s), got an error:\n{err}",
                    want.len()
                ));
            }
            let same = want.len() == actual.outputs.len()
                && want.iter().zip(&actual.outputs).all(|(w, a)| test_eq(w, a));
            if same {
                Verdict::Pass
            } else {
                Verdict::Fail(diff_values(&want, &actual.outputs))
            }
        }
        Expected::Error(want) => {
            let got = actual.error.as_deref().unwrap_or(&actual.soft_errors);
            if !got.trim().is_empty() && error_text_matches(got, &want) {
                return Verdict::Pass;
            }
            Verdict::Fail(error_report(&want, got, &actual.outputs))
        }
    }
}

/// Writes `out` or `error.txt` from `actual` and removes the other one. A case
/// that expects an error keeps `error.txt` while its run still produces errors.
fn bless_case(dir: &Path, actual: &Actual) -> std::io::Result<()> {
    let (out, err) = (dir.join("out"), dir.join("error.txt"));
    let soft = !actual.soft_errors.trim().is_empty() && err.is_file();
    let error = actual
        .error
        .as_deref()
        .or(soft.then_some(actual.soft_errors.as_str()));
    let (write, remove, text) = match error {
        Some(e) => (err, out, format!("{}\n", e.trim_end())),
        None => {
            let mut text = String::new();
            for v in &actual.outputs {
                text.push_str(&v.encode());
                text.push('\n');
            }
            (out, err, text)
        }
    };
    std::fs::write(write, text)?;
    if remove.is_file() {
        std::fs::remove_file(remove)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testcase::tests::tempdir;
    use crate::testcase::{Case, CaseKind};

    fn case_in(tag: &str) -> Case {
        let dir = tempdir(tag);
        Case {
            name: "c".into(),
            dir,
            kind: CaseKind::Script,
        }
    }

    #[test]
    fn error_text_matching() {
        let actual =
            "error[E0101]: Trying to access a non existing event key `x`\n ┌─ a.tremor:1:1\n";
        assert!(error_text_matches(
            actual,
            "Trying to access a non existing event key `x`\n\n"
        ));
        assert!(error_text_matches(actual, &format!("  {actual}  ")));
        assert!(!error_text_matches(
            actual,
            "Trying to access\nsomething else"
        ));
        assert!(!error_text_matches(actual, "\n  \n"));
    }

    #[test]
    fn tremor_layout_is_matched_on_message_and_note() {
        let tremor = "Error: \n    1 | match true of\n    2 |   case false => true\n    3 | end\n      | ^^^ A match expression executed but no clause matched\n      |     NOTE: Consider adding a `case _ => null` clause at the end of your match or validate full coverage beforehand.\n";
        let ours = "error[E0201]: A match expression executed but no clause matched\n = note: Consider adding a `case _ => null` clause at the end of your match or validate full coverage beforehand.\n";
        assert!(error_text_matches(ours, tremor));
        let other_note = "error[E0201]: A match expression executed but no clause matched\n = note: something else\n";
        assert!(!error_text_matches(other_note, tremor));
    }

    #[test]
    fn outputs_compare_with_test_eq() {
        let case = case_in("cmp-out");
        std::fs::write(case.dir.join("out"), "{\"a\":10}\n\n{\"b\":[1,2]}\n").unwrap();
        let mut actual = Actual {
            outputs: parse_lines("{\"a\":10}\n{\"b\":[1,2]}").unwrap(),
            ..Actual::default()
        };
        assert_eq!(check(&case, &actual, false), Verdict::Pass);
        actual.outputs[0] = parse_lines("{\"a\":10.0}").unwrap().remove(0);
        match check(&case, &actual, false) {
            Verdict::Fail(why) => assert!(why.contains("{\"a\":10.0}"), "{why}"),
            Verdict::Pass => panic!("10 must differ from 10.0"),
        }
        actual.outputs.pop();
        assert!(matches!(check(&case, &actual, false), Verdict::Fail(_)));
    }

    #[test]
    fn error_cases_and_blessing() {
        let case = case_in("cmp-err");
        std::fs::write(case.dir.join("error.txt"), "no clause matched\n").unwrap();
        let actual = Actual {
            error: Some("x.tremor:1:1: A match expression executed but no clause matched".into()),
            ..Actual::default()
        };
        assert_eq!(check(&case, &actual, false), Verdict::Pass);
        let fine = Actual {
            outputs: vec![Value::from(1)],
            ..Actual::default()
        };
        assert!(matches!(check(&case, &fine, false), Verdict::Fail(_)));
        assert_eq!(check(&case, &fine, true), Verdict::Pass);
        assert!(!case.dir.join("error.txt").exists());
        assert_eq!(
            std::fs::read_to_string(case.dir.join("out")).unwrap(),
            "1\n"
        );
        assert_eq!(check(&case, &actual, true), Verdict::Pass);
        assert!(!case.dir.join("out").exists());
        assert_eq!(check(&case, &actual, false), Verdict::Pass);
    }

    #[test]
    fn missing_expectation_fails() {
        let case = case_in("cmp-none");
        match check(&case, &Actual::default(), false) {
            Verdict::Fail(why) => assert!(why.contains("--bless"), "{why}"),
            Verdict::Pass => panic!("a case with no expectation cannot pass"),
        }
    }
}
