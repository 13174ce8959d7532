//! Compiling the editor's text: a query (`.trickle`) or a script (`.tremor`), told
//! apart by what the text says, since the page has no file name to go by.

use serde_json::{json, Value as Json};
use trickle::compile::{compile_script, Compiled, ModulePath};
use trickle::diag::{Diagnostic, FileId, SourceMap};
use trickle::grammar::lexer::{Lexer, Token};
use trickle::interp::Script;
use trickle::query::{compile_query, Query};

/// The name the editor's text has in rendered diagnostics.
pub const QUERY_FILE: &str = "playground.trickle";
pub const SCRIPT_FILE: &str = "playground.tremor";

/// What the text holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Query,
    Script,
}

impl Kind {
    /// A query when a statement only a query has appears (`select`, `define`,
    /// `create`, `#!config`), or when the text has nothing but `use` and comments; a
    /// script otherwise (an expression, `let`, `match`, ...). Lexing stops at the
    /// first lexical error, so a half-typed string decides nothing after it.
    pub fn of(text: &str) -> Kind {
        let mut script = false;
        for tok in Lexer::new(text).map_while(Result::ok) {
            match tok.1 {
                Token::Select | Token::Define | Token::Create | Token::ConfigDirective => {
                    return Kind::Query
                }
                Token::Use
                | Token::ColonColon
                | Token::Ident(_)
                | Token::Semi
                | Token::As
                | Token::Comment(_)
                | Token::DocComment(_)
                | Token::ModDoc(_) => {}
                _ => script = true,
            }
        }
        if script {
            Kind::Script
        } else {
            Kind::Query
        }
    }

    pub fn file_name(self) -> &'static str {
        match self {
            Kind::Query => QUERY_FILE,
            Kind::Script => SCRIPT_FILE,
        }
    }

    /// The kind `fmt` and the editor analysis take.
    pub fn fmt(self) -> trickle::fmt::Kind {
        match self {
            Kind::Query => trickle::fmt::Kind::Query,
            Kind::Script => trickle::fmt::Kind::Script,
        }
    }
}

/// A compiled program.
pub enum Program {
    Query(Query),
    Script(Script),
}

/// The text compiled, with the files it read.
pub struct Compilation {
    pub sources: SourceMap,
    pub file: FileId,
    /// The program and its warnings, or the errors (and warnings) that stopped it.
    pub result: Result<Program, ()>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Compiles `text`. `use` finds the embedded standard library; there are no files.
pub fn compile(text: &str) -> Compilation {
    let kind = Kind::of(text);
    let mut sources = SourceMap::new();
    let file = sources.add(kind.file_name(), text);
    let path = ModulePath::new(None, &[]);
    let (result, diagnostics) = match kind {
        Kind::Query => split(compile_query(&mut sources, file, &path), Program::Query),
        Kind::Script => split(compile_script(&mut sources, file, &path), Program::Script),
    };
    Compilation {
        sources,
        file,
        result,
        diagnostics,
    }
}

fn split<T>(
    r: Result<Compiled<T>, Vec<Diagnostic>>,
    wrap: fn(T) -> Program,
) -> (Result<Program, ()>, Vec<Diagnostic>) {
    match r {
        Ok(c) => (Ok(wrap(c.value)), c.warnings),
        Err(errors) => (Err(()), errors),
    }
}

/// The graph of a query as the page draws it (`trickle graph`'s nodes and edges).
pub fn graph(q: &Query) -> Json {
    let g = q.graph();
    let nodes: Vec<Json> = g
        .nodes
        .iter()
        .map(|n| {
            let peer = q.peers.iter().find(|p| {
                [p.in_node(), p.out_node(), p.err_node(), p.metrics_node()].contains(&n.name)
            });
            let label = match peer {
                Some(p) => format!("{} ({})", n.name, p.kind.name()),
                None => n.name.clone(),
            };
            json!({"id": n.name, "label": label, "kind": n.kind_name()})
        })
        .collect();
    let edges: Vec<Json> = g
        .edges
        .iter()
        .map(|e| {
            json!({
                "from": g.nodes[e.from].name,
                "from_port": e.from_port,
                "to": g.nodes[e.to].name,
                "to_port": e.to_port,
            })
        })
        .collect();
    json!({"nodes": nodes, "edges": edges})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_queries_from_scripts() {
        assert_eq!(Kind::of(""), Kind::Query);
        assert_eq!(Kind::of("select event from in into out;"), Kind::Query);
        assert_eq!(Kind::of("use std::string;\n# hi\n"), Kind::Query);
        assert_eq!(Kind::of("let x = 1;\nevent"), Kind::Script);
        assert_eq!(
            Kind::of("use std::string;\nstring::len(event)"),
            Kind::Script
        );
        assert_eq!(
            Kind::of("#!config id = \"a\"\nselect 1 from in into out"),
            Kind::Query
        );
    }
}
