//! A unified line diff (`--- FILE`, `+++ FILE`, `@@` hunks with three lines of
//! context), what `trickle fmt --check` prints for a file that would change.

/// Lines of context around each change.
const CONTEXT: usize = 3;
/// Above this many cells the line alignment falls back to one whole-file hunk.
const MAX_CELLS: usize = 16_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Same(usize, usize),
    Del(usize),
    Add(usize),
}

/// The diff from `old` to `new` under the name `name`; empty when they are equal.
pub fn unified(old: &str, new: &str, name: &str) -> String {
    if old == new {
        return String::new();
    }
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let ops = align(&a, &b);
    let mut out = format!("--- {name}\n+++ {name} (formatted)\n");
    // Hunks: runs of changes with up to CONTEXT equal lines around them.
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, o)| !matches!(o, Op::Same(..)))
        .map(|(i, _)| i)
        .collect();
    if changed.is_empty() {
        // Only the final newline differs.
        out.push_str("@@ end of file @@\n\\ the formatted file ends with exactly one newline\n");
        return out;
    }
    let mut i = 0;
    while i < changed.len() {
        let start = changed[i].saturating_sub(CONTEXT);
        let mut end = changed[i];
        while i < changed.len() && changed[i] <= end + 2 * CONTEXT {
            end = changed[i];
            i += 1;
        }
        let end = (end + CONTEXT + 1).min(ops.len());
        hunk(&ops[start..end], &a, &b, &mut out);
    }
    out
}

fn hunk(ops: &[Op], a: &[&str], b: &[&str], out: &mut String) {
    let (mut a0, mut b0) = (None, None);
    let (mut na, mut nb) = (0, 0);
    let mut body = String::new();
    for op in ops {
        match *op {
            Op::Same(i, j) => {
                a0.get_or_insert(i);
                b0.get_or_insert(j);
                na += 1;
                nb += 1;
                body.push_str(&format!(" {}\n", a[i]));
            }
            Op::Del(i) => {
                a0.get_or_insert(i);
                na += 1;
                body.push_str(&format!("-{}\n", a[i]));
            }
            Op::Add(j) => {
                b0.get_or_insert(j);
                nb += 1;
                body.push_str(&format!("+{}\n", b[j]));
            }
        }
    }
    let (a0, b0) = (a0.map_or(0, |x| x + 1), b0.map_or(0, |x| x + 1));
    out.push_str(&format!("@@ -{a0},{na} +{b0},{nb} @@\n"));
    out.push_str(&body);
}

/// A longest-common-subsequence alignment of the two line lists.
fn align(a: &[&str], b: &[&str]) -> Vec<Op> {
    if a.len().saturating_mul(b.len()) > MAX_CELLS {
        let mut ops: Vec<Op> = (0..a.len()).map(Op::Del).collect();
        ops.extend((0..b.len()).map(Op::Add));
        return ops;
    }
    let (n, m) = (a.len(), b.len());
    // lcs[i][j]: the LCS length of a[i..] and b[j..].
    let mut lcs = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[at(i, j)] = if a[i] == b[j] {
                lcs[at(i + 1, j + 1)] + 1
            } else {
                lcs[at(i + 1, j)].max(lcs[at(i, j + 1)])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut ops = Vec::with_capacity(n + m);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push(Op::Same(i, j));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[at(i + 1, j)] >= lcs[at(i, j + 1)]) {
            ops.push(Op::Del(i));
            i += 1;
        } else {
            ops.push(Op::Add(j));
            j += 1;
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::unified;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified("a\n", "a\n", "x"), "");
    }

    #[test]
    fn a_changed_line_is_one_hunk_with_context() {
        let d = unified("a\nb\nc\n", "a\nB\nc\n", "q.trickle");
        assert_eq!(
            d,
            "--- q.trickle\n+++ q.trickle (formatted)\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
        );
    }

    #[test]
    fn only_the_final_newline() {
        assert!(unified("a", "a\n", "x").contains("end of file"));
    }
}
