//! One file's analysis, redone on every change: the compiler's diagnostics (the same
//! codes, messages and hints `trickle check` prints), the parse tree's [`Index`], and
//! the indexes of the module files its `use`s reach.
//!
//! The parser stops at a lexical error and, after a syntax error, returns no tree.
//! So that one typo does not blank the outline, completion and navigation, the text is
//! parsed again with each statement holding an error blanked out (spaces keep every
//! offset) until it parses, at most a few times.

use super::index::{Index, Ns, SymKind};
use crate::compile::{compile_script, ModulePath, Modules};
use crate::diag::{Diagnostic, LineIndex, SourceMap};
use crate::query::compile_query;
use std::path::{Path, PathBuf};
use trickle_grammar::ast;

/// What kind of program a document holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Query,
    Script,
}

/// A module file a document's `use` reaches.
#[derive(Debug, Clone)]
pub struct ModuleFile {
    /// The module path, `lib::util`.
    pub path: Vec<String>,
    /// `stdlib/std/string.tremor` or the path on disk.
    pub name: String,
    /// The file on disk; `None` for the embedded standard library.
    pub disk: Option<PathBuf>,
    pub text: String,
    pub lines: LineIndex,
    pub index: Index,
}

/// The result of analysing one document.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Errors and warnings in this document (file id 0 of `sources`).
    pub diagnostics: Vec<Diagnostic>,
    /// Diagnostics in module files, as `(file name, diagnostic)`.
    pub elsewhere: Vec<(String, Diagnostic)>,
    pub index: Index,
    /// The parse tree, recovered when the text has syntax errors.
    pub ast: Option<ast::Module>,
    pub modules: Vec<ModuleFile>,
}

impl Analysis {
    /// The module file `use`d under `alias` (with further segments appended).
    pub fn module_for(&self, qualifier: &[String]) -> Option<&ModuleFile> {
        let (first, rest) = qualifier.split_first()?;
        let u = self.index.uses.iter().rev().find(|u| &u.alias == first)?;
        let mut full = u.path.clone();
        full.extend(rest.iter().cloned());
        self.modules.iter().find(|m| m.path == full)
    }
}

/// Analyses `text`, a document at `path` (if it is a file), of `kind`.
pub fn analyse(text: &str, path: Option<&Path>, kind: Kind) -> Analysis {
    let dir = path.and_then(Path::parent).map(|p| {
        if p.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            p.to_path_buf()
        }
    });
    let module_path = ModulePath::new(dir.as_deref(), &[]);
    let name = path.map_or_else(|| "untitled".to_string(), |p| p.display().to_string());
    let mut sources = SourceMap::new();
    let file = sources.add(name, text.to_string());
    let result = match kind {
        Kind::Script => compile_script(&mut sources, file, &module_path).map(|c| c.warnings),
        Kind::Query => compile_query(&mut sources, file, &module_path).map(|c| c.warnings),
    };
    let all = result.unwrap_or_else(|e| e);
    let mut analysis = Analysis::default();
    for d in all {
        match d.span {
            Some(s) if s.file != file => {
                analysis
                    .elsewhere
                    .push((sources.name(s.file).to_string(), d));
            }
            _ => analysis.diagnostics.push(d),
        }
    }
    analysis.ast = recover_parse(text);
    if let Some(m) = &analysis.ast {
        analysis.index = Index::build(m, text.len());
    }
    analysis.modules = load_modules(&analysis.index, &module_path);
    analysis
}

/// How many statements may be blanked out before giving up on a tree.
const MAX_RECOVERIES: usize = 16;

/// The tree of `text` from the shared syntax layer, which recovers at statement
/// boundaries and inside blocks; when it cannot finish (a lexical error, input that stops mid-statement
/// while typing), the statements holding errors are blanked out and it parses again.
pub fn recover_parse(text: &str) -> Option<ast::Module> {
    let mut text = std::borrow::Cow::Borrowed(text);
    for _ in 0..=MAX_RECOVERIES {
        let parsed = crate::syntax::parse(&text, 0);
        if let Some(m) = parsed.module {
            return Some(m);
        }
        let mut blanked = text.to_string();
        for e in &parsed.errors {
            blank_statement(&mut blanked, e.span.start as usize);
        }
        if blanked == *text {
            return None;
        }
        text = std::borrow::Cow::Owned(blanked);
    }
    None
}

/// Replaces the statement holding the error at `start` (from after the previous `;`
/// to the first `;` from the error on, which may be the error itself) with spaces,
/// keeping line breaks so every other offset stays put.
fn blank_statement(text: &mut String, start: usize) {
    let mut start = start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let from = text[..start].rfind(';').map_or(0, |i| i + 1);
    let to = text[start..]
        .find(';')
        .map_or(text.len(), |i| start + i + 1);
    // Multi-byte characters become one space per byte, so offsets do not move.
    let blanked: String = text[from..to]
        .chars()
        .flat_map(|c| {
            let fill = if c == '\n' { '\n' } else { ' ' };
            std::iter::repeat_n(fill, c.len_utf8())
        })
        .collect();
    text.replace_range(from..to, &blanked);
}

/// Indexes the files `index`'s `use`s reach, and the submodules its qualified names
/// reach through them (what this document can name).
fn load_modules(index: &Index, module_path: &ModulePath) -> Vec<ModuleFile> {
    let mut wanted: Vec<Vec<String>> = index.uses.iter().map(|u| u.path.clone()).collect();
    for rf in &index.refs {
        let Some((first, rest)) = rf.module.split_first() else {
            continue;
        };
        if let Some(u) = index.uses.iter().rev().find(|u| &u.alias == first) {
            let mut full = u.path.clone();
            full.extend(rest.iter().cloned());
            wanted.push(full);
        }
    }
    let finder = Modules::new(module_path);
    let mut out: Vec<ModuleFile> = Vec::new();
    for path in wanted {
        if out.iter().any(|m| m.path == path) {
            continue;
        }
        let Some((name, text)) = finder.locate(&path) else {
            continue;
        };
        let index = recover_parse(&text)
            .map(|m| Index::build(&m, text.len()))
            .unwrap_or_default();
        let disk = (!name.starts_with("stdlib/")).then(|| absolute(Path::new(&name)));
        out.push(ModuleFile {
            path,
            lines: LineIndex::new(&text),
            name,
            disk,
            text,
            index,
        });
    }
    out
}

/// `p` made absolute against the working directory, without resolving links.
pub fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Where a qualified reference of this document leads: the module file and the definition.
pub fn resolve_qualified<'a>(
    analysis: &'a Analysis,
    module: &[String],
    name: &str,
    ns: Ns,
) -> Option<(&'a ModuleFile, usize)> {
    let m = analysis.module_for(module)?;
    let def = m.index.top_level(name, ns)?;
    (m.index.defs[def].kind != SymKind::Local).then_some((m, def))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_statement_is_left_out_and_offsets_stay() {
        let text = "const A = 1;\nlet x = ;\nconst B = \"ü\";\n";
        let m = recover_parse(text).expect("recovers");
        let ix = Index::build(&m, text.len());
        let names: Vec<&str> = ix.defs.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["A", "B"]);
        let b = &ix.defs[1];
        assert_eq!(&text[b.span.0 as usize..b.span.1 as usize], "B");
    }

    #[test]
    fn a_typo_inside_a_fn_leaves_the_rest_of_its_body_indexed() {
        let text =
            "fn f(x) with\n  let a = ;\n  let b = x +;\n  let c = x;\n  c\nend;\nconst D = 1;\n";
        let m = recover_parse(text).expect("recovers");
        let ix = Index::build(&m, text.len());
        let names: Vec<&str> = ix.defs.iter().map(|d| d.name.as_str()).collect();
        for n in ["f", "x", "c", "D"] {
            assert!(names.contains(&n), "{n} in {names:?}");
        }
    }

    #[test]
    fn diagnostics_are_the_compilers() {
        let a = analyse(
            "select string::len(event) from in into out;\n",
            None,
            Kind::Query,
        );
        assert_eq!(a.diagnostics.len(), 1);
        assert_eq!(a.diagnostics[0].code, "E0103");
        assert!(a.diagnostics[0].help[0].contains("use std::string;"));
        assert_eq!(a.index.selects.len(), 1);
    }
}
