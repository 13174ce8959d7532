//! `glob|pattern|`: shell-style glob matching (`*`, `?`, `[...]`).
//!
//! As in Tremor, `lit*` and `*lit` (no other glob syntax) are plain prefix and
//! suffix checks; everything else goes through the `glob` crate, where `*` also
//! matches `/`.

/// A compiled glob.
#[derive(Debug, Clone)]
pub(super) enum Glob {
    Prefix(String),
    Suffix(String),
    Pattern(glob::Pattern),
}

/// True if `s` holds no glob syntax, so it can be compared literally.
fn is_literal(s: &str) -> bool {
    !s.contains(['*', '?', '[', ']', '\\'])
}

impl Glob {
    /// Compiles the rule; an invalid glob is an error.
    pub(super) fn new(rule: &str) -> Result<Glob, String> {
        if let Some(p) = rule.strip_suffix('*').filter(|p| is_literal(p)) {
            return Ok(Glob::Prefix(p.to_string()));
        }
        if let Some(s) = rule.strip_prefix('*').filter(|s| is_literal(s)) {
            return Ok(Glob::Suffix(s.to_string()));
        }
        glob::Pattern::new(rule)
            .map(Glob::Pattern)
            .map_err(|e| format!("invalid glob pattern `{rule}`: {e}"))
    }

    /// Whether `s` matches the glob.
    pub(super) fn matches(&self, s: &str) -> bool {
        match self {
            Glob::Prefix(p) => s.starts_with(p.as_str()),
            Glob::Suffix(x) => s.ends_with(x.as_str()),
            Glob::Pattern(p) => p.matches(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(rule: &str, s: &str) -> bool {
        Glob::new(rule).unwrap().matches(s)
    }

    #[test]
    fn prefix_and_suffix_fast_paths() {
        assert!(matches!(Glob::new("ab*").unwrap(), Glob::Prefix(_)));
        assert!(matches!(Glob::new("*ab").unwrap(), Glob::Suffix(_)));
        assert!(m("ab*", "abc"));
        assert!(m("ab*", "ab"));
        assert!(!m("ab*", "xab"));
        assert!(m("*ab", "xab"));
        assert!(!m("*ab", "abx"));
        assert!(m("*", ""));
    }

    #[test]
    fn general_globs() {
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "abbc"));
        assert!(m("a*c", "a/b/c"));
        assert!(m("[ab]x", "bx"));
        assert!(!m("[ab]x", "cx"));
        assert!(m("[!ab]x", "cx"));
        assert!(m("*a*", "bab"));
        assert!(!m("abc", "abcd"));
        assert!(m("abc", "abc"));
    }

    #[test]
    fn bad_glob_is_an_error() {
        assert!(Glob::new("a[").is_err());
        assert!(Glob::new("***").is_err());
    }
}
