//! `std::re`: regular expressions (Rust `regex` syntax). The pattern comes first.

use super::{FnDecl, FnError, NativeFn, Registry};
use crate::event::FnCtx;
use crate::value::Value;
use regex::Regex;
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::ops::RangeInclusive;

fn decl(
    name: &'static str,
    arity: RangeInclusive<usize>,
    doc: &'static str,
    examples: &'static [(&'static str, &'static str)],
    f: NativeFn,
) -> FnDecl {
    FnDecl::pure("re", name, arity, doc, examples, f)
}

/// Registers `re::*`.
pub fn register(r: &mut Registry) {
    r.add(decl(
        "replace",
        3..=3,
        "Replaces the first match of the pattern with the replacement (`$1`, `${name}` \
         insert capture groups).",
        &[
            (r#"["a+", "caaat aa", "i"]"#, r#""cit aa""#),
            (
                r#"["(\\w+)@(\\w+)", "me@host", "$2 at $1"]"#,
                r#""host at me""#,
            ),
        ],
        replace,
    ));
    r.add(decl(
        "replace_all",
        3..=3,
        "Replaces every match of the pattern with the replacement (`$1`, `${name}` \
         insert capture groups).",
        &[(r#"["a+", "caaat aa", "i"]"#, r#""cit i""#)],
        replace_all,
    ));
    r.add(decl(
        "is_match",
        2..=2,
        "Whether the pattern matches anywhere in the string.",
        &[
            (r#"["^s.*t$", "snot"]"#, "true"),
            (r#"["\\d", "snot"]"#, "false"),
        ],
        is_match,
    ));
    r.add(decl(
        "split",
        2..=2,
        "Splits the string at every match of the pattern.",
        &[(r#"["\\s*,\\s*", "a , b,c"]"#, r#"["a","b","c"]"#)],
        split,
    ));
}

/// Compiled patterns kept per thread: queries call these with the same literal pattern
/// for every event, and compiling a regex costs far more than matching it.
const CACHE_LIMIT: usize = 128;

thread_local! {
    static CACHE: RefCell<FxHashMap<String, Regex>> = RefCell::new(FxHashMap::default());
}

/// Runs `f` with the compiled pattern; a pattern that does not compile is a runtime error.
fn with_regex<T>(pattern: &str, f: impl FnOnce(&Regex) -> T) -> Result<T, FnError> {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(re) = cache.get(pattern) {
            return Ok(f(re));
        }
        let re = Regex::new(pattern).map_err(|e| FnError::runtime(e.to_string()))?;
        let out = f(&re);
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(pattern.to_string(), re);
        Ok(out)
    })
}

fn replace(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [Value::String(re), Value::String(input), Value::String(to)] => with_regex(re, |re| {
            Value::from(re.replace(input, to.as_str()).as_ref())
        }),
        _ => Err(FnError::BadType),
    }
}

fn replace_all(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [Value::String(re), Value::String(input), Value::String(to)] => with_regex(re, |re| {
            Value::from(re.replace_all(input, to.as_str()).as_ref())
        }),
        _ => Err(FnError::BadType),
    }
}

fn is_match(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [Value::String(re), Value::String(input)] => {
            with_regex(re, |re| Value::Bool(re.is_match(input)))
        }
        _ => Err(FnError::BadType),
    }
}

fn split(_: &FnCtx, args: &[&Value]) -> Result<Value, FnError> {
    match args {
        [Value::String(re), Value::String(input)] => with_regex(re, |re| {
            Value::Array(re.split(input).map(Value::from).collect())
        }),
        _ => Err(FnError::BadType),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::array::tests::{call, err, ok};

    #[test]
    fn bad_patterns_and_types() {
        err(is_match, r#"["(", "a"]"#, "unclosed group");
        err(replace, r#"["[", "a", "b"]"#, "unclosed character class");
        assert_eq!(call(is_match, r#"[1, "a"]"#), Err(FnError::BadType));
        assert_eq!(call(split, r#"["a", 1]"#), Err(FnError::BadType));
        assert_eq!(call(replace_all, r#"["a", "b", 1]"#), Err(FnError::BadType));
    }

    #[test]
    fn cache_survives_many_patterns() {
        for i in 0..(CACHE_LIMIT * 2 + 3) {
            let args = format!(r#"["^x{{{i}}}$", "y"]"#);
            ok(is_match, &args, "false");
        }
        ok(split, r#"[",", "a,,b"]"#, r#"["a","","b"]"#);
        ok(
            replace_all,
            r#"["(?P<d>\\d)", "a1b2", "<$d>"]"#,
            r#""a<1>b<2>""#,
        );
    }
}
