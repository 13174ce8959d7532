//! The standard library modules (the top-level `stdlib/` folder), compiled into
//! the binary so `use std::string;` works without files on disk.

use include_dir::{include_dir, Dir};

static STDLIB: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/stdlib");

/// The text of `rel` (e.g. `std/string.tremor`), if the stdlib has it.
pub(crate) fn file(rel: &str) -> Option<&'static str> {
    STDLIB.get_file(rel).and_then(|f| f.contents_utf8())
}

/// Whether `rel` (e.g. `std`) is a folder of modules in the stdlib.
pub(crate) fn is_dir(rel: &str) -> bool {
    STDLIB.get_dir(rel).is_some()
}

/// Every module of the stdlib as `(a::b, text)`, sorted by path.
pub(crate) fn modules() -> Vec<(String, &'static str)> {
    fn walk(dir: &Dir<'static>, out: &mut Vec<(String, &'static str)>) {
        for f in dir.files() {
            let p = f.path().to_string_lossy().to_string();
            if let (Some(m), Some(text)) = (p.strip_suffix(".tremor"), f.contents_utf8()) {
                out.push((m.replace('/', "::"), text));
            }
        }
        for d in dir.dirs() {
            walk(d, out);
        }
    }
    let mut out = Vec::new();
    walk(&STDLIB, &mut out);
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::{compile_script, ModulePath};
    use crate::diag::{render_all, SourceMap};

    fn modules(dir: &Dir<'static>, out: &mut Vec<String>) {
        for f in dir.files() {
            let p = f.path().to_string_lossy().to_string();
            if let Some(m) = p.strip_suffix(".tremor") {
                out.push(m.replace('/', "::"));
            }
        }
        for d in dir.dirs() {
            modules(d, out);
        }
    }

    #[test]
    fn every_stdlib_module_compiles() {
        let mut names = Vec::new();
        modules(&STDLIB, &mut names);
        assert!(names.iter().any(|n| n == "std::string"), "{names:?}");
        let mut failures = Vec::new();
        for n in &names {
            let mut sources = SourceMap::new();
            let file = sources.add("t.tremor", format!("use {n};\nnull"));
            match compile_script(&mut sources, file, &ModulePath::default()) {
                Ok(c) => {
                    let errors: Vec<_> = c.warnings.iter().filter(|d| d.is_error()).collect();
                    assert!(errors.is_empty(), "{n}");
                }
                Err(e) => failures.push(format!("{n}: {}", render_all(&e, &sources))),
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
