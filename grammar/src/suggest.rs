//! "Did you mean" suggestions: the closest known name to a misspelt one. Shared by
//! the parser (a misspelt keyword) and the compiler and interpreter (names, keys).

/// The closest option within an edit distance of 2 (ties: the smallest option), as
/// Tremor's "Did you mean to use `x`?" hint picks it.
pub fn best_hint<'a>(given: &str, options: impl Iterator<Item = &'a str>) -> Option<String> {
    options
        .filter_map(|o| {
            let d = edit_distance(given, o);
            (d <= 2).then_some((d, o))
        })
        .min()
        .map(|(_, o)| o.to_string())
}

/// Levenshtein distance over chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_within_two_edits() {
        assert_eq!(edit_distance("frm", "from"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("count", "cont"), 1);
        let keys = ["snot", "snit", "badger"];
        // Ties go to the smallest option.
        assert_eq!(best_hint("snat", keys.into_iter()).as_deref(), Some("snit"));
        let opts = ["from", "into", "where"];
        assert_eq!(
            best_hint("frm", opts.iter().copied()).as_deref(),
            Some("from")
        );
        assert_eq!(best_hint("xyzzy", opts.iter().copied()), None);
    }
}
