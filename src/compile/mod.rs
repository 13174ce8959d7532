//! From syntax to something that runs: `use` resolution through the module path,
//! scopes, the single AST → IR lowering, const folding and the compile-time checks.
//!
//! # API for the query compiler
//!
//! ```text
//! let mut modules = Modules::new(&path);
//! let (root, module) = modules.load_root(&mut sources, file)?;   // use/const/fn/intrinsic done
//! for stmt in &module.stmts { match stmt { Stmt::Select(..) | Stmt::Create(..) | .. } }
//! modules.find_definition(root, &qualname)   // -> (defining scope, &ast::Definition)
//! let mut ctx = ExprCtx::select();            // flags: allow_event, allow_aggregates, args, group_exprs
//! let e: ir::Expr = modules.lower_expr(scope, &ast_expr, &mut ctx)?;   // ctx.aggregates filled
//! let b: ir::Block = modules.lower_block(scope, &body, &mut ExprCtx::script())?;
//! let v: Value = modules.fold_const(scope, &ast_expr, &args)?;          // with/state/defaults
//! ```
//!
//! Run the results with [`crate::interp::eval_expr`] / [`crate::interp::run_block`]
//! through an [`crate::interp::Env`] (keep one [`crate::interp::Frame`] per node).
//! Warnings collect in `modules.warnings` and `ctx.warnings`.

// `Diagnostic` is the error type of the compiler API; boxing it would only move the cost.
#![allow(clippy::result_large_err)]

mod ctx;
mod fold;
mod lower;
mod lower_pattern;
mod modules;
mod names;
mod stdlib;
mod walk;

pub use ctx::{AggrCall, ExprCtx};
pub use modules::{Modules, ScopeId};
pub(crate) use names::hint as closest_name;

/// Every module of the embedded standard library as `(a::b, text)`, sorted by path.
pub fn stdlib_modules() -> Vec<(String, &'static str)> {
    stdlib::modules()
}

use crate::diag::{codes, Diagnostic, FileId, SourceMap};
use crate::interp::Script;
use std::path::{Path, PathBuf};
use trickle_grammar::ast;

/// Where `use a::b;` looks (SPEC §2): the embedded `stdlib/`, the folder of the file
/// being compiled, each `-I DIR`, then each folder of `TRICKLE_PATH`.
#[derive(Debug, Clone, Default)]
pub struct ModulePath {
    pub dirs: Vec<PathBuf>,
    /// Files found below it are named relative to it in diagnostics: a test
    /// case's folder, so that its expected errors read the same wherever the
    /// case is run from.
    pub shown_from: Option<PathBuf>,
}

impl ModulePath {
    /// The search path for a file in `file_dir` with the CLI's `-I` folders; reads `TRICKLE_PATH`.
    pub fn new(file_dir: Option<&Path>, include: &[PathBuf]) -> Self {
        let mut dirs: Vec<PathBuf> = file_dir.map(Path::to_path_buf).into_iter().collect();
        dirs.extend(include.iter().cloned());
        if let Ok(p) = std::env::var("TRICKLE_PATH") {
            dirs.extend(p.split(':').filter(|s| !s.is_empty()).map(PathBuf::from));
        }
        ModulePath {
            dirs,
            shown_from: None,
        }
    }

    /// The name diagnostics give the file at `p`.
    pub fn shown_name(&self, p: &Path) -> String {
        let rel = self
            .shown_from
            .as_deref()
            .and_then(|d| p.strip_prefix(d).ok());
        rel.unwrap_or(p).display().to_string()
    }
}

/// A successful compilation and its warnings.
pub struct Compiled<T> {
    pub value: T,
    pub warnings: Vec<Diagnostic>,
}

/// Compiles the `.tremor` script already added to `sources` as `file`.
pub fn compile_script(
    sources: &mut SourceMap,
    file: FileId,
    path: &ModulePath,
) -> Result<Compiled<Script>, Vec<Diagnostic>> {
    let mut modules = Modules::new(path);
    let (scope, module) = modules.load_root(sources, file)?;
    let mut errors = Vec::new();
    let mut body = Vec::new();
    for s in &module.stmts {
        match s {
            ast::Stmt::Expr(e) => body.push(e.clone()),
            // A top-level const is also an expression statement (its value).
            ast::Stmt::Const(c) => body.push(ast::Expr::new(
                ast::ExprKind::Path(ast::Path {
                    root: ast::PathRoot::Ident(c.name.clone()),
                    segments: Vec::new(),
                    span: c.span,
                }),
                c.span,
            )),
            ast::Stmt::Define(_) | ast::Stmt::Create(_) | ast::Stmt::Select(_) => {
                errors.push(Diagnostic::error(
                    codes::QUERY_STMT_IN_SCRIPT,
                    "Query statements are not allowed in a script",
                    stmt_span(s),
                ));
            }
            ast::Stmt::Use(_) | ast::Stmt::Fn(_) | ast::Stmt::Intrinsic(_) => {}
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut ctx = ExprCtx::script();
    let block = modules
        .lower_block(scope, &body, &mut ctx)
        .map_err(crate::diag::without_consequences)?;
    let mut warnings = std::mem::take(&mut modules.warnings);
    warnings.extend(ctx.warnings);
    Ok(Compiled {
        value: Script::new(block),
        warnings,
    })
}

fn stmt_span(s: &ast::Stmt) -> crate::diag::Span {
    match s {
        ast::Stmt::Create(c) => c.span,
        ast::Stmt::Select(s) => s.span,
        ast::Stmt::Define(d) => match d {
            ast::Definition::Window(w) => w.span,
            ast::Definition::Operator(o) => o.span,
            ast::Definition::Script(s) => s.span,
            ast::Definition::Pipeline(p) => p.span,
            ast::Definition::Peer(p) => p.span,
        },
        ast::Stmt::Expr(e) => e.span,
        ast::Stmt::Const(c) => c.span,
        ast::Stmt::Fn(f) => f.span,
        ast::Stmt::Intrinsic(i) => i.span,
        ast::Stmt::Use(u) => u.first().map(|u| u.span).unwrap_or_default(),
    }
}
