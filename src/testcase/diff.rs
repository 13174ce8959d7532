//! Readable differences for failed cases: `-` expected, `+` actual.

use crate::value::{test_eq, Value};

/// Lines shown at most per failed case, so one broken case cannot flood the report.
const MAX_LINES: usize = 60;
/// Equal lines kept at each end of a long equal run.
const CONTEXT: usize = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Same(usize, usize),
    Want(usize),
    Got(usize),
}

/// A line diff of expected and actual events (equality by `test_eq`).
pub(super) fn diff_values(want: &[Value], got: &[Value]) -> String {
    let mut text = format!(
        "expected {} event(s), got {} (- expected, + actual):\n",
        want.len(),
        got.len()
    );
    let ops = align(want, got);
    let mut lines = Vec::new();
    let mut i = 0;
    while i < ops.len() {
        let run = ops[i..]
            .iter()
            .take_while(|o| matches!(o, Op::Same(..)))
            .count();
        if run > 2 * CONTEXT + 1 {
            let keep_head = if i == 0 { 0 } else { CONTEXT };
            let keep_tail = if i + run == ops.len() { 0 } else { CONTEXT };
            lines.extend(ops[i..i + keep_head].iter().map(|o| render(*o, want, got)));
            lines.push(format!("  ... {} equal", run - keep_head - keep_tail));
            lines.extend(
                ops[i + run - keep_tail..i + run]
                    .iter()
                    .map(|o| render(*o, want, got)),
            );
            i += run;
        } else {
            lines.push(render(ops[i], want, got));
            i += 1;
        }
    }
    let total = lines.len();
    for line in lines.into_iter().take(MAX_LINES) {
        text.push_str(&line);
        text.push('\n');
    }
    if total > MAX_LINES {
        text.push_str(&format!("... {} more lines\n", total - MAX_LINES));
    }
    text
}

fn render(op: Op, want: &[Value], got: &[Value]) -> String {
    match op {
        Op::Same(w, _) => format!("  {}", want[w].encode()),
        Op::Want(w) => format!("- {}", want[w].encode()),
        Op::Got(g) => format!("+ {}", got[g].encode()),
    }
}

/// Longest-common-subsequence alignment; falls back to position by position when
/// the table would be too big.
fn align(want: &[Value], got: &[Value]) -> Vec<Op> {
    let (n, m) = (want.len(), got.len());
    if n.saturating_mul(m) > 4_000_000 {
        return positional(want, got);
    }
    // lcs[i][j] = length of the LCS of want[i..] and got[j..]
    let mut lcs = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[at(i, j)] = if test_eq(&want[i], &got[j]) {
                lcs[at(i + 1, j + 1)] + 1
            } else {
                lcs[at(i + 1, j)].max(lcs[at(i, j + 1)])
            };
        }
    }
    let (mut i, mut j, mut ops) = (0, 0, Vec::with_capacity(n + m));
    while i < n || j < m {
        if i < n && j < m && test_eq(&want[i], &got[j]) {
            ops.push(Op::Same(i, j));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[at(i, j + 1)] >= lcs[at(i + 1, j)]) {
            ops.push(Op::Got(j));
            j += 1;
        } else {
            ops.push(Op::Want(i));
            i += 1;
        }
    }
    // Show each replaced line as `-` then `+`, as people read diffs.
    for k in 1..ops.len() {
        if let (Op::Got(_), Op::Want(_)) = (ops[k - 1], ops[k]) {
            ops.swap(k - 1, k);
        }
    }
    ops
}

fn positional(want: &[Value], got: &[Value]) -> Vec<Op> {
    let mut ops = Vec::new();
    for k in 0..want.len().max(got.len()) {
        match (want.get(k), got.get(k)) {
            (Some(w), Some(g)) if test_eq(w, g) => ops.push(Op::Same(k, k)),
            (w, g) => {
                ops.extend(w.map(|_| Op::Want(k)));
                ops.extend(g.map(|_| Op::Got(k)));
            }
        }
    }
    ops
}

/// Why an `error.txt` case failed: the lines it looked for and what it got.
pub(super) fn error_report(want: &str, got: &str, outputs: &[Value]) -> String {
    let mut text = String::from("expected an error containing:\n");
    for line in want.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let mark = if got.contains(line) { "  " } else { "- " };
        text.push_str(mark);
        text.push_str(line);
        text.push('\n');
    }
    if got.trim().is_empty() {
        text.push_str(&format!("got no error, but {} event(s):\n", outputs.len()));
        for v in outputs.iter().take(MAX_LINES) {
            text.push_str(&format!("+ {}\n", v.encode()));
        }
    } else {
        text.push_str("got:\n");
        for line in got.lines().take(MAX_LINES) {
            text.push_str(&format!("+ {line}\n"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testcase::exec::parse_lines;

    #[test]
    fn marks_changed_lines() {
        let want = parse_lines("1\n2\n3").unwrap();
        let got = parse_lines("1\n2.0\n3\n4").unwrap();
        let d = diff_values(&want, &got);
        assert!(d.contains("\n  1\n- 2\n+ 2.0\n  3\n+ 4\n"), "{d}");
    }

    #[test]
    fn collapses_long_equal_runs() {
        let want: Vec<Value> = (0..20).map(Value::from).collect();
        let mut got = want.clone();
        got[10] = Value::from("x");
        let d = diff_values(&want, &got);
        assert!(
            d.contains("... 8 equal") && d.contains("- 10\n+ \"x\""),
            "{d}"
        );
        assert!(d.lines().count() < 15, "{d}");
    }

    #[test]
    fn error_report_marks_missing_lines() {
        let r = error_report("found\nmissing", "it was found", &[]);
        assert!(
            r.contains("  found\n- missing\ngot:\n+ it was found"),
            "{r}"
        );
    }
}
