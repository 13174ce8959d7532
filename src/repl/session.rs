//! The state of a REPL session and how one input changes it.
//!
//! The session keeps the statements it accepted as source text: declarations
//! (`use`, `fn`, `const`, `intrinsic`) in `decls`, query statements (`define`,
//! `create`, `select`) in `query`. Every input is compiled together with them, so a
//! later line sees earlier functions and modules, and the session query is rebuilt
//! as it grows (a rebuilt query starts with empty windows). Expressions are lowered
//! with the earlier `let` locals already in their slots, and run against the
//! current event; the values the locals end with are kept for the next line.

use super::input::{self, Kind, Part};
use super::names::Names;
use super::report::{self, Placed};
use crate::compile::{ExprCtx, ModulePath, Modules};
use crate::diag::{Diagnostic, SourceMap, Span};
use crate::event::{EventId, FnCtx};
use crate::exec::{Executor, Query};
use crate::interp::{run_block, Env, Frame, Outcome};
use crate::ir;
use crate::query::compile_query;
use crate::testcase::{Feed, Numbered, Player, Step, DEFAULT_PEER};
use crate::value::{Str, Value};
use trickle_grammar::ast;

/// What the session answers to an input.
#[derive(Debug, Clone)]
pub enum Reply {
    /// The value of an expression.
    Value(Value),
    /// An event that left the session query (or a script's `emit` to another port).
    Emitted { port: String, value: Value },
    /// Text for stdout (help, listings, the graph).
    Info(String),
    /// A rendered error, for stderr.
    Error(String),
    /// A rendered warning, for stderr.
    Warning(String),
    /// `:quit`
    Quit,
}

/// The compiled session query and its running instance.
pub struct Graph {
    pub query: Query,
    pub exec: Executor,
}

/// One REPL session.
pub struct Session {
    /// Accepted declarations (with their `fn`/`const` key), each ending in `;` and a newline.
    pub(super) decls: Vec<(Option<String>, String)>,
    /// Accepted query statements, likewise.
    pub(super) query: String,
    pub(super) graph: Option<Graph>,
    /// Locals from earlier `let`s, in slot order.
    pub(super) locals: Vec<(String, Value)>,
    pub(super) event: Value,
    pub(super) meta: Value,
    pub(super) state: Value,
    /// The `-i` events and the index of the current one.
    pub(super) events: Vec<Value>,
    pub(super) cursor: Option<usize>,
    /// The session query's virtual clock: streams, event ids, processing time.
    pub(super) player: Player,
    /// Events sent (the id of the event expressions run against).
    sent: u64,
    pub(super) path: ModulePath,
    /// Colour in rendered diagnostics.
    pub(super) color: bool,
    /// Names for completion, from the last successful compile.
    pub(super) names: Names,
}

/// Name of the accepted statements in messages.
const SESSION: &str = "<session>";

impl Session {
    /// A new session whose `use` searches `path`; `color` colours diagnostics.
    pub fn new(path: ModulePath, events: Vec<Value>, color: bool) -> Self {
        Session {
            decls: Vec::new(),
            query: String::new(),
            graph: None,
            locals: Vec::new(),
            event: Value::record(),
            meta: Value::record(),
            state: Value::Null,
            events,
            cursor: None,
            player: Player::default(),
            sent: 0,
            path,
            color,
            names: Names::default(),
        }
    }

    /// What completion can offer right now.
    pub fn names(&self) -> &Names {
        &self.names
    }

    /// The current event (`{}` until one is given).
    pub fn event(&self) -> &Value {
        &self.event
    }

    /// The accepted declarations as one text, leaving out those the input redeclares
    /// (a function or constant typed again replaces the old one).
    fn decls_text(&self, parts: &[Part]) -> String {
        let replaced: Vec<&String> = parts.iter().filter_map(|p| p.key.as_ref()).collect();
        let mut text = String::new();
        for (key, decl) in &self.decls {
            if !key.as_ref().is_some_and(|k| replaced.contains(&k)) {
                text.push_str(decl);
            }
        }
        text
    }

    /// Keeps the input's declarations, dropping the ones they replace.
    fn accept_decls(&mut self, parts: &[Part]) {
        for p in parts.iter().filter(|p| p.kind == Kind::Decl) {
            if let Some(key) = &p.key {
                self.decls.retain(|(k, _)| k.as_ref() != Some(key));
            }
            let mut text = String::new();
            input::append(&mut text, &p.text);
            self.decls.push((p.key.clone(), text));
        }
    }

    /// Handles one complete input: a `:command` or statements. `name` is how
    /// messages call it (`<repl>`, or a loaded file's path).
    pub fn input(&mut self, text: &str, name: &str) -> Vec<Reply> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Vec::new();
        }
        if trimmed.starts_with(':') {
            return self.command(trimmed);
        }
        self.statements(text, name)
    }

    /// Statements: declarations are kept, query statements extend the session
    /// query, expressions are evaluated.
    pub(super) fn statements(&mut self, text: &str, name: &str) -> Vec<Reply> {
        let parts = match input::split(text) {
            Ok(parts) => parts,
            Err(errors) => {
                let diags: Vec<Diagnostic> = errors.into_iter().map(Diagnostic::from).collect();
                let mut sources = SourceMap::new();
                sources.add(SESSION, text);
                let at = Placed {
                    prefix_len: 0,
                    name,
                };
                return vec![Reply::Error(report::diagnostics(
                    &diags, &sources, &at, self.color,
                ))];
            }
        };
        let has = |k: Kind| parts.iter().any(|p| p.kind == k);
        if has(Kind::Query) && has(Kind::Expr) {
            return vec![Reply::Error(report::plain(
                "an input cannot mix query statements (`define`, `create`, `select`) with expressions: enter them separately",
                self.color,
            ))];
        }
        if has(Kind::Query) {
            self.add_query(text, name, &parts)
        } else {
            self.evaluate(text, name, &parts)
        }
    }

    /// Compiles the session query with the input's statements added; on success
    /// keeps them and replaces the running query.
    fn add_query(&mut self, text: &str, name: &str, parts: &[Part]) -> Vec<Reply> {
        let prefix = format!("{}{}", self.decls_text(parts), self.query);
        let at = Placed {
            prefix_len: prefix.len(),
            name,
        };
        let mut sources = SourceMap::new();
        let file = sources.add(SESSION, format!("{prefix}{text}"));
        let compiled = match compile_query(&mut sources, file, &self.path) {
            Ok(c) => c,
            Err(errors) => return self.errors(&errors, &sources, &at),
        };
        let replies = self.warnings(&compiled.warnings, &sources, &at);
        self.accept_decls(parts);
        for p in parts.iter().filter(|p| p.kind == Kind::Query) {
            input::append(&mut self.query, &p.text);
        }
        let exec = compiled.value.executor();
        // A rebuilt query starts afresh: no stream is open in it yet.
        let clock = self.player.now();
        self.player = Player::for_query(None, &compiled.value);
        self.player.advance_to(clock);
        self.graph = Some(Graph {
            query: compiled.value,
            exec,
        });
        // Refresh completion names with the new declarations.
        let mut sources = SourceMap::new();
        let file = sources.add(SESSION, self.decls_text(&[]));
        let mut modules = Modules::new(&self.path);
        if let Ok((scope, _)) = modules.load_root(&mut sources, file) {
            self.names.update_modules(&modules, scope);
        }
        replies
    }

    /// Compiles the declarations with the input and runs its expressions against
    /// the current event.
    fn evaluate(&mut self, text: &str, name: &str, parts: &[Part]) -> Vec<Reply> {
        let decls = self.decls_text(parts);
        let at = Placed {
            prefix_len: decls.len(),
            name,
        };
        let mut sources = SourceMap::new();
        let file = sources.add(SESSION, format!("{decls}{text}"));
        let mut modules = Modules::new(&self.path);
        let (scope, module) = match modules.load_root(&mut sources, file) {
            Ok(x) => x,
            Err(errors) => return self.errors(&errors, &sources, &at),
        };
        // Accepted declarations hold no expressions, so every one is the input's.
        let body: Vec<ast::Expr> = module
            .stmts
            .iter()
            .filter_map(|s| match s {
                ast::Stmt::Expr(e) => Some(e.clone()),
                _ => None,
            })
            .collect();
        let mut ctx = ExprCtx::script();
        for (local, _) in &self.locals {
            ctx.local_slot(local);
        }
        let block = match modules.lower_block(scope, &body, &mut ctx) {
            Ok(b) => b,
            Err(errors) => return self.errors(&errors, &sources, &at),
        };
        let mut warnings = std::mem::take(&mut modules.warnings);
        warnings.append(&mut ctx.warnings);
        let mut replies = self.warnings(&warnings, &sources, &at);
        self.accept_decls(parts);
        self.names.update_modules(&modules, scope);
        if body.is_empty() {
            return replies;
        }
        let last_is_let = parts
            .iter()
            .rev()
            .find(|p| p.kind == Kind::Expr)
            .is_some_and(|p| p.is_let);
        replies.extend(self.run(block, &ctx.local_names, last_is_let, &sources, &at));
        self.names
            .update_locals(&self.locals, &self.event, &self.meta, &self.state);
        replies
    }

    /// Runs a lowered body with the earlier locals restored first. Changes to the
    /// event, `$`, `state` and the locals are kept only when it succeeds.
    fn run(
        &mut self,
        block: ir::Block,
        names: &[String],
        quiet: bool,
        sources: &SourceMap,
        at: &Placed,
    ) -> Vec<Reply> {
        let span = Span::default();
        let mut exprs: Vec<ir::Expr> = self
            .locals
            .iter()
            .enumerate()
            .map(|(slot, (_, v))| {
                let assign = ir::Assign {
                    target: ir::AssignRoot::Local(slot),
                    segments: Vec::new(),
                    value: ir::Expr::constant(v.clone(), span),
                };
                ir::Expr::new(ir::ExprKind::Assign(Box::new(assign)), span)
            })
            .collect();
        exprs.extend(block.exprs);
        let block = ir::Block {
            exprs,
            locals: block.locals.max(names.len()),
        };
        let (mut event, mut meta, mut state) =
            (self.event.clone(), self.meta.clone(), self.state.clone());
        let id = EventId {
            peer: Str::from("repl"),
            stream: 0,
            event: self.sent,
        };
        let mut frame = Frame::default();
        let mut env = Env {
            event: &mut event,
            meta: &mut meta,
            state: &mut state,
            args: &Value::Null,
            group: &Value::Null,
            window: &Value::Null,
            aggrs: &[],
            ctx: FnCtx {
                ingest_ns: now_ns(),
                origin: None,
                id: Some(&id),
                lineage: crate::event::Lineage::empty(),
                cardinality: 0,
            },
            locals: &mut frame,
        };
        let outcome = match run_block(&block, &mut env) {
            Ok(o) => o,
            Err(e) => return vec![Reply::Error(report::runtime(&e, sources, at, self.color))],
        };
        self.locals = names
            .iter()
            .zip(&frame.slots)
            .filter_map(|(n, v)| Some((n.clone(), v.clone()?)))
            .collect();
        (self.event, self.meta, self.state) = (event, meta, state);
        match outcome {
            Outcome::Emit { port: None, .. } if quiet => Vec::new(),
            Outcome::Emit { value, port: None } => vec![Reply::Value(value)],
            Outcome::Emit {
                value,
                port: Some(port),
            } => vec![Reply::Emitted { port, value }],
            Outcome::Drop => vec![Reply::Info("dropped".into())],
        }
    }

    /// Makes `v` the current event; with a session query, also sends it into `in`
    /// and answers with what each port emits.
    pub fn send(&mut self, v: Value) -> Vec<Reply> {
        self.event = v.clone();
        self.meta = Value::record();
        self.names
            .update_locals(&self.locals, &self.event, &self.meta, &self.state);
        if self.graph.is_none() {
            return vec![Reply::Value(v)];
        }
        self.sent += 1;
        let step = Step::Event {
            data: v,
            peer: DEFAULT_PEER.to_string(),
            stream: 0,
            ingest_ns: None,
        };
        self.play(&[Numbered { line: 0, step }], None)
    }

    /// Plays steps into the session query (`:event`, `:tick`, `:end`, `:steps`) and
    /// answers with what each port emits; stops at the first step that cannot be
    /// played (named by its line of `file`, for `:steps`).
    pub(super) fn play(&mut self, steps: &[Numbered], file: Option<&str>) -> Vec<Reply> {
        let Some(graph) = &mut self.graph else {
            return vec![Reply::Error(report::plain(
                "no session query yet: enter `define`, `create` or `select` statements first",
                self.color,
            ))];
        };
        let mut out = Vec::new();
        let mut feed = |f: Feed<'_>| match f {
            Feed::Event(input, ev) => graph.exec.send(input, ev, &mut out),
            Feed::Signal(s) => graph.exec.signal(&s, &mut out),
        };
        let mut failed = None;
        for n in steps {
            if let Err(e) = self.player.play(&n.step, &mut feed) {
                failed = Some(match file {
                    Some(f) => format!("{f} line {}: {e}", n.line),
                    None => e,
                });
                break;
            }
        }
        let mut replies: Vec<Reply> = out
            .into_iter()
            .map(|(port, e)| Reply::Emitted {
                port,
                value: e.data,
            })
            .collect();
        match failed {
            Some(e) => replies.push(Reply::Error(report::plain(&e, self.color))),
            None if replies.is_empty() => replies.push(Reply::Info("(no output)".into())),
            None => {}
        }
        replies
    }

    fn errors(&self, diags: &[Diagnostic], sources: &SourceMap, at: &Placed) -> Vec<Reply> {
        vec![Reply::Error(report::diagnostics(
            diags, sources, at, self.color,
        ))]
    }

    /// Warnings about the input (those about accepted statements were shown already).
    fn warnings(&self, diags: &[Diagnostic], sources: &SourceMap, at: &Placed) -> Vec<Reply> {
        let mine: Vec<Diagnostic> = diags
            .iter()
            .filter(|d| report::is_about_input(d, at))
            .cloned()
            .collect();
        if mine.is_empty() {
            return Vec::new();
        }
        vec![Reply::Warning(report::diagnostics(
            &mine, sources, at, self.color,
        ))]
    }
}

fn now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::parse_json;

    fn session() -> Session {
        Session::new(ModulePath::default(), Vec::new(), false)
    }

    fn value(r: &[Reply]) -> Value {
        match r {
            [Reply::Value(v)] => v.clone(),
            other => panic!("expected one value: {other:?}"),
        }
    }

    fn json(s: &str) -> Value {
        parse_json(s).unwrap()
    }

    #[test]
    fn locals_and_declarations_persist() {
        let mut s = session();
        assert!(s.input("let a = [1]", "<repl>").is_empty());
        assert!(s.input("fn f(x) with x + 1 end", "<repl>").is_empty());
        assert_eq!(value(&s.input("f(a[0])", "<repl>")), json("2"));
        assert!(s.input("let a = a + [f(1)]", "<repl>").is_empty());
        assert_eq!(value(&s.input("a", "<repl>")), json("[1,2]"));
        assert_eq!(s.names().session, vec!["f".to_string()]);
        assert_eq!(s.names().locals.len(), 1);
    }

    #[test]
    fn declarations_can_be_replaced() {
        let mut s = session();
        s.input("fn f(x) with x + 1 end; const C = 1;", "<repl>");
        assert_eq!(value(&s.input("f(C)", "<repl>")), json("2"));
        s.input("fn f(x) with x * 10 end", "<repl>");
        s.input("const C = 2", "<repl>");
        assert_eq!(value(&s.input("f(C)", "<repl>")), json("20"));
        assert_eq!(s.decls.len(), 2);
    }

    #[test]
    fn a_failing_input_changes_nothing() {
        let mut s = session();
        let r = s.input("let event.a = 1; let b = 2; event.nope", "<repl>");
        assert!(
            matches!(&r[..], [Reply::Error(e)] if e.contains("nope")),
            "{r:?}"
        );
        assert_eq!(value(&s.input("event", "<repl>")), json("{}"));
        let r = s.input("b", "<repl>");
        assert!(matches!(&r[..], [Reply::Error(_)]), "b was not kept: {r:?}");
        // A compile error keeps the declarations of the same input out too.
        let r = s.input("fn g() with 1 end; nosuch()", "<repl>");
        assert!(matches!(&r[..], [Reply::Error(_)]));
        assert!(matches!(&s.input("g()", "<repl>")[..], [Reply::Error(_)]));
    }

    #[test]
    fn effects_and_state() {
        let mut s = session();
        let r = s.input("emit 1 => \"side\"", "<repl>");
        assert!(
            matches!(&r[..], [Reply::Emitted { port, .. }] if port == "side"),
            "{r:?}"
        );
        assert!(matches!(&s.input("drop", "<repl>")[..], [Reply::Info(t)] if t == "dropped"));
        s.input("let state = 5", "<repl>");
        assert_eq!(value(&s.input("state + 1", "<repl>")), json("6"));
    }

    #[test]
    fn the_session_query_grows_and_runs() {
        let mut s = session();
        assert_eq!(value(&s.send(json(r#"{"a":1}"#))), json(r#"{"a":1}"#));
        assert!(s.input("create stream mid;", "<repl>").is_empty());
        assert!(s
            .input("select event.a from in into mid;", "<repl>")
            .is_empty());
        assert!(s
            .input("select {\"got\": event} from mid into out;", "<repl>")
            .is_empty());
        let r = s.send(json(r#"{"a":7}"#));
        assert!(
            matches!(&r[..], [Reply::Emitted { port, value }] if port == "out" && *value == json(r#"{"got":7}"#)),
            "{r:?}"
        );
        // The event is also the current one for expressions.
        assert_eq!(value(&s.input("event.a", "<repl>")), json("7"));
        let r = s.input("select nosuch from in into out;", "<repl>");
        assert!(matches!(&r[..], [Reply::Error(_)]), "{r:?}");
        assert_eq!(
            s.query.matches("select").count(),
            2,
            "the bad select is not kept"
        );
    }

    #[test]
    fn late_events_are_shown_and_not_kept() {
        let mut s = session();
        let q = "define window w from tumbling with interval = 10, time = event.ts end;\n\
                 select aggr::stats::count() from in[w] into out;";
        assert!(s.input(q, "<repl>").is_empty());
        for _ in 0..3 {
            s.send(json(r#"{"ts": 25}"#));
            let r = s.send(json(r#"{"ts": 1}"#));
            assert!(
                matches!(&r[..], [Reply::Emitted { port, .. }] if port == "err"),
                "{r:?}"
            );
        }
        let graph = s.graph.as_mut().unwrap();
        assert!(graph.exec.take_late().is_empty());
    }

    #[test]
    fn warnings_about_the_input_are_shown() {
        let mut s = session();
        let r = s.input("match 1 of case 1 => 2 end", "<repl>");
        assert!(
            r.iter()
                .any(|r| matches!(r, Reply::Warning(w) if w.contains("<repl>"))),
            "{r:?}"
        );
        assert!(r.iter().any(|r| matches!(r, Reply::Value(_))), "{r:?}");
    }
}
