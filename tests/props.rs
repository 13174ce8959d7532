//! Property tests over the whole front end: lexing, parsing and compiling any text,
//! as a script or as a query, returns diagnostics and never panics. The seeds are
//! every program in the case folders, mutated at random.

use proptest::prelude::*;
use std::path::Path;
use std::sync::OnceLock;
use trickle::compile::{compile_script, ModulePath};
use trickle::diag::SourceMap;
use trickle::query::compile_query;

/// The text of every `script.tremor` and `query.trickle` under `tests/`.
fn seeds() -> &'static Vec<String> {
    static SEEDS: OnceLock<Vec<String>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut out = Vec::new();
        collect(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests")
                .as_path(),
            &mut out,
        );
        out.sort();
        out
    })
}

fn collect(dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if matches!(
            p.file_name().and_then(|n| n.to_str()),
            Some("script.tremor" | "query.trickle")
        ) {
            if let Ok(text) = std::fs::read_to_string(&p) {
                out.push(text);
            }
        }
    }
}

/// Compiles `text` both ways; only a panic can fail this.
fn compile_both(text: &str) {
    let path = ModulePath::default();
    let mut sources = SourceMap::new();
    let file = sources.add("prop.tremor", text);
    let _ = compile_script(&mut sources, file, &path);
    let mut sources = SourceMap::new();
    let file = sources.add("prop.trickle", text);
    let _ = compile_query(&mut sources, file, &path);
}

fn mutate(p: &str, cut: usize, len: usize, insert: &str) -> String {
    let mut at = cut % (p.len() + 1);
    while !p.is_char_boundary(at) {
        at -= 1;
    }
    let mut end = (at + len).min(p.len());
    while !p.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{}{}", &p[..at], insert, &p[end.max(at)..])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_compiles_or_fails_cleanly(s in "\\PC{0,80}") {
        compile_both(&s);
    }

    #[test]
    fn mutated_programs_compile_or_fail_cleanly(
        which in any::<prop::sample::Index>(),
        cut in 0usize..4096,
        len in 0usize..12,
        insert in prop::sample::select(vec![
            "", " ", ";", "end", "(", ")", "[", "]", "{", "}", "\"", "#{", "|", "event", "$",
            "match", "case", "=>", ",", "::", "0", "-1", "1.5", "null", "let x = ", "select",
            "from", "into", "group by", "aggr::stats::count()", "%{", "%[", "~", "<<", ">>",
        ]),
    ) {
        let seeds = seeds();
        prop_assume!(!seeds.is_empty());
        let p = which.get(seeds);
        compile_both(&mutate(p, cut, len, insert));
    }
}

#[test]
fn every_seed_compiles_without_panicking() {
    assert!(
        seeds().len() > 100,
        "the case folders hold the seed programs"
    );
    for s in seeds() {
        compile_both(s);
    }
}
