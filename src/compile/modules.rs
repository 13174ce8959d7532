//! Every module a compilation loaded (the root file is one too) and their names:
//! `use` aliases, folded consts, functions, intrinsics, and `define` statements.
//!
//! Loading happens up front (`load_root`): `use` statements are followed, and every
//! qualified name in the file is resolved once so that submodules reached through an
//! alias (`std::string::len` after `use std;`) are loaded too. After that, lowering
//! only looks names up and needs no source map.

use super::ctx::ExprCtx;
use super::stdlib;
use super::walk;
use super::ModulePath;
use crate::diag::{codes, Diagnostic, FileId, SourceMap, Span};
use crate::functions::FnDecl;
use crate::ir;
use crate::value::Value;
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::Arc;
use trickle_grammar::ast;

/// Index of a module in [`Modules`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScopeId(pub usize);

/// A function a name can call.
#[derive(Debug, Clone)]
pub(crate) enum FnItem {
    User(Arc<ir::Function>),
    /// `intrinsic fn f(a, b) as m::f;`
    Native {
        decl: &'static FnDecl,
        params: usize,
        variadic: bool,
    },
}

/// One module's names.
#[derive(Debug, Default)]
pub(crate) struct Scope {
    /// `a::b` (empty for the root file).
    pub name: String,
    /// `use` aliases: alias → full module path.
    pub aliases: FxHashMap<String, Vec<String>>,
    pub consts: FxHashMap<String, Value>,
    pub fns: FxHashMap<String, FnItem>,
    pub definitions: Vec<(String, ast::Definition)>,
    /// Aliases whose `use` failed: names reached through them are consequences of
    /// that one error and are not reported again.
    pub failed_aliases: FxHashSet<String>,
    /// Where each const (`const NAME`) and function (`fn NAME`) was declared, so a
    /// duplicate can point at the first.
    pub decl_spans: FxHashMap<String, Span>,
    /// For a definition body: the module it is written in (whose names it does not see).
    pub parent: Option<ScopeId>,
}

/// All loaded modules.
pub struct Modules {
    path: ModulePath,
    pub(crate) scopes: Vec<Scope>,
    by_path: FxHashMap<String, ScopeId>,
    loading: Vec<String>,
    /// The scope of each `define script|window|operator` body, by the definition's
    /// span: a body sees only what it declares itself (and `args`), not the module's names.
    body_scopes: FxHashMap<(u32, u32, u32), ScopeId>,
    /// Warnings of everything loaded so far.
    pub warnings: Vec<Diagnostic>,
    /// A call of `event_ids()` was lowered (it reads the lineage of events).
    pub reads_lineage: std::sync::atomic::AtomicBool,
    /// A `$` path was lowered (events' metadata is read or changed).
    pub reads_meta: std::sync::atomic::AtomicBool,
}

/// Where a module path leads.
enum Found {
    File(String, String),
    /// A module file that is there but cannot be read (not UTF-8, no permission):
    /// its path and why.
    Unreadable(String, String),
    Dir,
    Nothing,
}

impl Modules {
    /// An empty set, searching `path` for `use`.
    pub fn new(path: &ModulePath) -> Self {
        Modules {
            path: path.clone(),
            scopes: Vec::new(),
            by_path: FxHashMap::default(),
            loading: Vec::new(),
            body_scopes: FxHashMap::default(),
            warnings: Vec::new(),
            reads_lineage: Default::default(),
            reads_meta: Default::default(),
        }
    }

    /// Parses the root file and processes its `use`, `const`, `fn` and `intrinsic`
    /// statements (and keeps its `define`s). Returns its scope and the parsed module
    /// so the caller can walk `select`/`create`/expression statements.
    pub fn load_root(
        &mut self,
        sources: &mut SourceMap,
        file: FileId,
    ) -> Result<(ScopeId, ast::Module), Vec<Diagnostic>> {
        let module = crate::syntax::parse_module(sources.text(file), file)?;
        let id = self.new_scope(String::new());
        self.process(sources, id, &module.stmts, true)
            .map_err(crate::diag::without_consequences)?;
        Ok((id, module))
    }

    fn new_scope(&mut self, name: String) -> ScopeId {
        let id = ScopeId(self.scopes.len());
        self.scopes.push(Scope {
            name,
            ..Scope::default()
        });
        id
    }

    pub(crate) fn scope(&self, id: ScopeId) -> &Scope {
        &self.scopes[id.0]
    }

    /// Processes a module's statements: uses first, then the modules its qualified
    /// names reach, then consts, functions, intrinsics and definitions in order.
    fn process(
        &mut self,
        sources: &mut SourceMap,
        id: ScopeId,
        stmts: &[ast::Stmt],
        root: bool,
    ) -> Result<(), Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut uses = Vec::new();
        collect_uses(stmts, &mut uses);
        self.add_uses(sources, id, &uses, &mut errors);
        let mut names = Vec::new();
        walk::qualified_names(stmts, &mut names);
        self.preload_all(sources, id, names, &mut errors);
        for s in stmts {
            let res = match s {
                ast::Stmt::Use(_) => Ok(()),
                ast::Stmt::Const(c) => self.add_const(id, c),
                ast::Stmt::Fn(f) => self.add_fn(id, f),
                ast::Stmt::Intrinsic(i) => self.add_intrinsic(id, i),
                ast::Stmt::Define(d) => {
                    let name = definition_name(d).to_string();
                    self.scopes[id.0].definitions.push((name, d.clone()));
                    self.define_body(sources, id, d, &mut errors);
                    Ok(())
                }
                ast::Stmt::Create(c) if !root => Err(vec![Diagnostic::error(
                    codes::INVALID_MODULE_STMT,
                    "Modules may not contain `create` statements",
                    c.span,
                )]),
                ast::Stmt::Select(sel) if !root => Err(vec![Diagnostic::error(
                    codes::INVALID_MODULE_STMT,
                    "Modules may not contain `select` statements",
                    sel.span,
                )]),
                ast::Stmt::Expr(e) if !root => Err(vec![Diagnostic::error(
                    codes::INVALID_MODULE_STMT,
                    "Modules may only contain `use`, `const`, `fn`, `intrinsic` and `define` statements",
                    e.span,
                )]),
                _ => Ok(()),
            };
            if let Err(es) = res {
                errors.extend(es);
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Adds `use` items; an alias whose module failed to load is remembered as failed.
    fn add_uses(
        &mut self,
        sources: &mut SourceMap,
        id: ScopeId,
        items: &[&ast::UseItem],
        errors: &mut Vec<Diagnostic>,
    ) {
        for item in items {
            if let Err(es) = self.add_use(sources, id, item) {
                let alias = item
                    .alias
                    .as_ref()
                    .or(item.path.last())
                    .map(|i| i.name.clone())
                    .unwrap_or_default();
                self.scopes[id.0].failed_aliases.insert(alias);
                errors.extend(es);
            }
        }
    }

    fn preload_all(
        &mut self,
        sources: &mut SourceMap,
        id: ScopeId,
        names: Vec<(Vec<String>, Span)>,
        errors: &mut Vec<Diagnostic>,
    ) {
        for (segs, span) in names {
            if let Err(es) = self.preload(sources, id, &segs, span) {
                errors.extend(es);
            }
        }
    }

    /// Gives a `define script|window|operator` body its own scope (one for all its
    /// sections, as in Tremor), filled from its own `use`, `const`, `fn` and
    /// `intrinsic` statements. Definitions inside a `define pipeline` get theirs too.
    fn define_body(
        &mut self,
        sources: &mut SourceMap,
        parent: ScopeId,
        d: &ast::Definition,
        errors: &mut Vec<Diagnostic>,
    ) {
        let decls: Vec<&ast::Stmt> = match d {
            ast::Definition::Script(s) => s
                .port_scripts
                .iter()
                .flat_map(|p| &p.decls)
                .chain(&s.decls)
                .collect(),
            ast::Definition::Window(w) => w
                .port_scripts
                .iter()
                .flat_map(|p| &p.decls)
                .chain(&w.decls)
                .collect(),
            ast::Definition::Operator(_) => Vec::new(),
            ast::Definition::Pipeline(p) => {
                for s in &p.stmts {
                    if let ast::Stmt::Define(inner) = s {
                        self.define_body(sources, parent, inner, errors);
                    }
                }
                return;
            }
            ast::Definition::Peer(_) => return,
        };
        let name = self.scopes[parent.0].name.clone();
        let id = self.new_scope(name);
        self.scopes[id.0].parent = Some(parent);
        self.body_scopes.insert(span_key(definition_span(d)), id);
        let uses: Vec<&ast::UseItem> = decls
            .iter()
            .filter_map(|s| match s {
                ast::Stmt::Use(items) => Some(items),
                _ => None,
            })
            .flatten()
            .collect();
        self.add_uses(sources, id, &uses, errors);
        let mut names = Vec::new();
        walk::definition_names(d, &mut names);
        self.preload_all(sources, id, names, errors);
        for s in decls {
            let res = match s {
                ast::Stmt::Const(c) => self.add_const(id, c),
                ast::Stmt::Fn(f) => self.add_fn(id, f),
                ast::Stmt::Intrinsic(i) => self.add_intrinsic(id, i),
                _ => Ok(()),
            };
            if let Err(es) = res {
                errors.extend(es);
            }
        }
    }

    /// The scope a definition's body is lowered in (see [`Modules::define_body`]);
    /// `None` for kinds without one (pipelines, peers) or definitions never loaded.
    pub fn body_scope(&self, d: &ast::Definition) -> Option<ScopeId> {
        self.body_scope_at(definition_span(d))
    }

    /// [`Modules::body_scope`] of the definition spanning `span`.
    pub fn body_scope_at(&self, span: Span) -> Option<ScopeId> {
        self.body_scopes.get(&span_key(span)).copied()
    }

    fn add_use(
        &mut self,
        sources: &mut SourceMap,
        id: ScopeId,
        item: &ast::UseItem,
    ) -> Result<(), Vec<Diagnostic>> {
        let path: Vec<String> = item.path.iter().map(|i| i.name.clone()).collect();
        let alias = item.alias.as_ref().map_or_else(
            || path.last().cloned().unwrap_or_default(),
            |a| a.name.clone(),
        );
        match self.ensure_loaded(sources, &path, item.span)? {
            true => {}
            false => {
                let mut d = Diagnostic::error(
                    codes::MODULE_NOT_FOUND,
                    format!("Module `{}` not found", path.join("::")),
                    item.span,
                );
                // A misspelt standard module (`std::strin`).
                let stdlib = super::stdlib::modules();
                let names = stdlib.iter().map(|(m, _)| m.as_str());
                if let Some(m) = super::closest_name(names, &path.join("::")) {
                    d = d.with_help(format!("did you mean `{m}`?"));
                }
                return Err(vec![d.with_help("modules are looked up in the standard library, the folder of the file, -I folders and TRICKLE_PATH")]);
            }
        }
        self.scopes[id.0].aliases.insert(alias, path);
        Ok(())
    }

    /// Loads the module file at `path` if there is one. `Ok(true)` when a file or a
    /// folder of modules exists there.
    fn ensure_loaded(
        &mut self,
        sources: &mut SourceMap,
        path: &[String],
        span: Span,
    ) -> Result<bool, Vec<Diagnostic>> {
        let key = path.join("::");
        if self.by_path.contains_key(&key) {
            return Ok(true);
        }
        if self.loading.contains(&key) {
            return Err(vec![Diagnostic::error(
                codes::CYCLIC_USE,
                format!(
                    "Cyclic dependency detected: {} -> {key}",
                    self.loading.join(" -> ")
                ),
                span,
            )]);
        }
        match self.find(path) {
            Found::Nothing => Ok(false),
            Found::Dir => Ok(true),
            Found::Unreadable(name, why) => Err(vec![Diagnostic::error(
                codes::MODULE_UNREADABLE,
                format!("Module `{key}` cannot be read: {name}: {why}"),
                span,
            )
            .with_help("a module is a UTF-8 text file the user running trickle can read")]),
            Found::File(name, text) => {
                let file = sources.add(name, text);
                let module = crate::syntax::parse_module(sources.text(file), file)?;
                let id = self.new_scope(key.clone());
                self.loading.push(key.clone());
                let res = self.process(sources, id, &module.stmts, false);
                self.loading.pop();
                self.by_path.insert(key, id);
                res.map(|()| true)
            }
        }
    }

    /// The file `use a::b;` would load, as `(name, text)`: the name is `stdlib/a/b.tremor`
    /// for the embedded stdlib, else the path on disk.
    pub fn locate(&self, path: &[String]) -> Option<(String, String)> {
        match self.find(path) {
            Found::File(name, text) => Some((name, text)),
            Found::Unreadable(..) | Found::Dir | Found::Nothing => None,
        }
    }

    /// Finds `a/b.tremor` (then `.trickle`) in the embedded stdlib, then in the dirs.
    fn find(&self, path: &[String]) -> Found {
        let rel = path.join("/");
        for ext in ["tremor", "trickle"] {
            let f = format!("{rel}.{ext}");
            if let Some(text) = stdlib::file(&f) {
                return Found::File(format!("stdlib/{f}"), text.to_string());
            }
        }
        for dir in &self.path.dirs {
            for ext in ["tremor", "trickle"] {
                let p = dir.join(format!("{rel}.{ext}"));
                if !p.is_file() {
                    continue;
                }
                let name = self.path.shown_name(&p);
                return match std::fs::read(&p).map(String::from_utf8) {
                    Ok(Ok(text)) => Found::File(name, text),
                    Ok(Err(_)) => Found::Unreadable(name, "not UTF-8 text".into()),
                    Err(e) => Found::Unreadable(name, e.to_string()),
                };
            }
        }
        if stdlib::is_dir(&rel) || self.path.dirs.iter().any(|d| d.join(&rel).is_dir()) {
            return Found::Dir;
        }
        Found::Nothing
    }

    /// Loads the modules a qualified name's prefix reaches (a name that leads nowhere
    /// is left for lowering to report).
    fn preload(
        &mut self,
        sources: &mut SourceMap,
        id: ScopeId,
        segs: &[String],
        span: Span,
    ) -> Result<(), Vec<Diagnostic>> {
        let Some((first, rest)) = segs.split_first() else {
            return Ok(());
        };
        let Some(mut path) = self.scopes[id.0].aliases.get(first).cloned() else {
            return Ok(());
        };
        for s in rest {
            if let Some(target) = self
                .by_path
                .get(&path.join("::"))
                .and_then(|m| self.scopes[m.0].aliases.get(s))
            {
                path = target.clone();
            } else {
                path.push(s.clone());
            }
            if !self.ensure_loaded(sources, &path, span)? {
                return Ok(());
            }
        }
        Ok(())
    }

    /// The module that `segs` (alias first) names from scope `id`.
    pub(crate) fn resolve_module(&self, id: ScopeId, segs: &[&str]) -> Option<ScopeId> {
        let (first, rest) = segs.split_first()?;
        let mut path = self.scopes[id.0].aliases.get(*first)?.clone();
        for s in rest {
            match self
                .by_path
                .get(&path.join("::"))
                .and_then(|m| self.scopes[m.0].aliases.get(*s))
            {
                Some(target) => path = target.clone(),
                None => path.push((*s).to_string()),
            }
        }
        self.by_path.get(&path.join("::")).copied()
    }

    fn add_const(&mut self, id: ScopeId, c: &ast::ConstDef) -> Result<(), Vec<Diagnostic>> {
        let key = format!("const {}", c.name.name);
        if let Some(first) = self.scopes[id.0].decl_spans.get(&key) {
            return Err(vec![Diagnostic::error(
                codes::DOUBLE_CONST,
                format!("Can't declare the constant `{}` twice", c.name.name),
                c.name.span,
            )
            .with_secondary(*first, "first declared here")]);
        }
        self.scopes[id.0].decl_spans.insert(key, c.name.span);
        if c.name.name.chars().any(char::is_lowercase) {
            self.warnings.push(
                Diagnostic::warning(
                    codes::W_LOWERCASE_CONST,
                    format!("const `{}` should be written in UPPERCASE", c.name.name),
                    c.name.span,
                )
                .with_label("consts are conventionally uppercase"),
            );
        }
        let v = self
            .fold_const(id, &c.value, &Value::Null)
            .map_err(|d| vec![d])?;
        self.scopes[id.0].consts.insert(c.name.name.clone(), v);
        Ok(())
    }

    fn add_fn(&mut self, id: ScopeId, f: &ast::FnDef) -> Result<(), Vec<Diagnostic>> {
        let key = format!("fn {}", f.name.name);
        if let Some(first) = self.scopes[id.0].decl_spans.get(&key) {
            return Err(vec![Diagnostic::error(
                codes::DOUBLE_FN,
                format!("Can't declare the function `{}` twice", f.name.name),
                f.name.span,
            )
            .with_secondary(*first, "first declared here")]);
        }
        self.scopes[id.0].decl_spans.insert(key, f.name.span);
        let scope_name = &self.scopes[id.0].name;
        let func = Arc::new(ir::Function {
            name: if scope_name.is_empty() {
                f.name.name.clone()
            } else {
                format!("{scope_name}::{}", f.name.name)
            },
            params: f.params.len(),
            variadic: f.variadic,
            body: std::sync::OnceLock::new(),
            pure: std::sync::OnceLock::new(),
        });
        self.scopes[id.0]
            .fns
            .insert(f.name.name.clone(), FnItem::User(func.clone()));
        let (body, warnings) = super::lower::lower_fn(self, id, f)?;
        self.warnings.extend(warnings);
        let pure = super::fold::block_is_pure(&body);
        let _ = func.pure.set(pure);
        let _ = func.body.set(body);
        Ok(())
    }

    fn add_intrinsic(&mut self, id: ScopeId, i: &ast::IntrinsicDef) -> Result<(), Vec<Diagnostic>> {
        let module = i
            .target
            .module()
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join("::");
        let Some(decl) = crate::functions::registry().get(&module, i.target.name()) else {
            return Err(vec![Diagnostic::error(
                codes::UNKNOWN_INTRINSIC,
                format!("Unknown intrinsic function `{}`", i.target.joined()),
                i.target.span,
            )]);
        };
        self.scopes[id.0].fns.insert(
            i.name.name.clone(),
            FnItem::Native {
                decl,
                params: i.params.len(),
                variadic: i.variadic,
            },
        );
        Ok(())
    }

    /// Finds `name` or `mod::name` among the `define` statements visible from
    /// `scope`; returns the defining module's scope (instantiate in that scope).
    pub fn find_definition(
        &self,
        scope: ScopeId,
        name: &ast::QualName,
    ) -> Option<(ScopeId, &ast::Definition)> {
        let module: Vec<&str> = name.module().iter().map(|s| s.name.as_str()).collect();
        let target = if module.is_empty() {
            scope
        } else {
            self.resolve_module(scope, &module)?
        };
        self.scopes[target.0]
            .definitions
            .iter()
            .rev()
            .find(|(n, _)| n == name.name())
            .map(|(_, d)| (target, d))
    }

    /// Lowers an expression in `scope` under the rules of `ctx`.
    pub fn lower_expr(
        &self,
        scope: ScopeId,
        expr: &ast::Expr,
        ctx: &mut ExprCtx,
    ) -> Result<ir::Expr, Vec<Diagnostic>> {
        super::lower::Lowerer::new(self, scope).expr(expr, ctx)
    }

    /// Lowers a body (script, port script, window script): statements in order,
    /// non-final pure statements dropped; `locals` counts the slots it uses.
    pub fn lower_block(
        &self,
        scope: ScopeId,
        body: &[ast::Expr],
        ctx: &mut ExprCtx,
    ) -> Result<ir::Block, Vec<Diagnostic>> {
        let exprs = super::lower::Lowerer::new(self, scope).body(body, ctx)?;
        Ok(ir::Block {
            exprs,
            locals: ctx.locals(),
        })
    }

    /// Evaluates a constant expression (`with` values, `state`, arg defaults,
    /// `const`); `args` is substituted for `args.x`.
    pub fn fold_const(
        &self,
        scope: ScopeId,
        expr: &ast::Expr,
        args: &Value,
    ) -> Result<Value, Diagnostic> {
        let mut ctx = ExprCtx::constant();
        ctx.args = Some(args.clone());
        let e = self
            .lower_expr(scope, expr, &mut ctx)
            .map_err(|mut es| es.remove(0))?;
        match e.kind {
            ir::ExprKind::Const(v) => Ok(v),
            _ => Err(Diagnostic::error(
                codes::NOT_CONSTANT,
                "Expected a constant expression",
                expr.span,
            )
            .with_help("only literals, consts and calls of pure functions with constant arguments are allowed here")),
        }
    }
}

/// `use` items of these statements and of the pipelines they define (a `use`
/// inside `define pipeline` binds its alias in the enclosing module's scope).
fn collect_uses<'a>(stmts: &'a [ast::Stmt], out: &mut Vec<&'a ast::UseItem>) {
    for s in stmts {
        match s {
            ast::Stmt::Use(items) => out.extend(items),
            ast::Stmt::Define(ast::Definition::Pipeline(p)) => collect_uses(&p.stmts, out),
            _ => {}
        }
    }
}

fn definition_name(d: &ast::Definition) -> &str {
    match d {
        ast::Definition::Window(w) => &w.name.name,
        ast::Definition::Operator(o) => &o.name.name,
        ast::Definition::Script(s) => &s.name.name,
        ast::Definition::Pipeline(p) => &p.name.name,
        ast::Definition::Peer(p) => &p.name.name,
    }
}

/// The span of a definition (its identity for [`Modules::body_scope`]).
fn definition_span(d: &ast::Definition) -> Span {
    match d {
        ast::Definition::Window(w) => w.span,
        ast::Definition::Operator(o) => o.span,
        ast::Definition::Script(s) => s.span,
        ast::Definition::Pipeline(p) => p.span,
        ast::Definition::Peer(p) => p.span,
    }
}

fn span_key(s: Span) -> (u32, u32, u32) {
    (s.file, s.start, s.end)
}
