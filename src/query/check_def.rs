//! Checks of a definition where it is made: Tremor rejects a bad `define` whether or
//! not anything creates it. Script port sections, window settings and sections,
//! operator kinds and constant configs are checked at the `define`; a pipeline that
//! nothing creates is compiled on its own (into a scratch part of the graph, removed
//! again) at the end of the pipeline that defines it.

use super::compile::{span_key, Compiler, Pipe};
use crate::compile::{ExprCtx, ScopeId};
use crate::diag::{codes, Diagnostic};
use crate::exec::ops;
use crate::value::{Record, Value};
use trickle_grammar::ast::{self, Definition};

/// The errors of a script's `script from PORT` sections: `in` is the main section's
/// port, and a port has one section.
pub(super) fn port_errors(ports: &[ast::PortScript]) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    for (i, ps) in ports.iter().enumerate() {
        if ps.port.name == "in" {
            errors.push(Diagnostic::error(
                codes::QUERY_BAD_PORT_SCRIPT,
                "port `in` is reserved for the `script` section",
                ps.port.span,
            ));
        } else if let Some(first) = ports[..i].iter().find(|p| p.port.name == ps.port.name) {
            errors.push(
                Diagnostic::error(
                    codes::QUERY_BAD_PORT_SCRIPT,
                    "script port already defined",
                    ps.port.span,
                )
                .with_secondary(first.port.span, "first defined here"),
            );
        }
    }
    errors
}

fn result(errors: Vec<Diagnostic>) -> Result<(), Vec<Diagnostic>> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

impl Compiler {
    /// Checks `d`, just defined in `pipe`. `args` are not known yet, so bodies are
    /// lowered with `args` read at run time; what depends on them is checked again
    /// when an instance is created.
    pub(super) fn check_definition(
        &mut self,
        pipe: &Pipe,
        d: &Definition,
    ) -> Result<(), Vec<Diagnostic>> {
        let body = self.bind.modules.body_scope(d).unwrap_or(pipe.scope);
        match d {
            Definition::Script(s) => self.check_script(body, s),
            // A window is built in the pipeline it is defined in, with that
            // pipeline's args, exactly as a select using it builds it.
            Definition::Window(w) => {
                let args = pipe.args.clone().unwrap_or(Value::Null);
                super::window_def::build(&self.bind, pipe.scope, w, &args).map(|_| ())
            }
            Definition::Operator(o) => self.check_operator(body, o),
            Definition::Peer(p) => check_peer(&self.bind, pipe.scope, p),
            Definition::Pipeline(_) => Ok(()),
        }
    }

    fn check_script(
        &mut self,
        body: ScopeId,
        s: &ast::DefineScript,
    ) -> Result<(), Vec<Diagnostic>> {
        let mut errors = port_errors(&s.port_scripts);
        let m = &self.bind.modules;
        let sections = s.port_scripts.iter().map(|p| &p.body).chain([&s.script]);
        // Warnings are reported here, where every definition is checked once
        // (a script created twice, or never, is lowered here once).
        let mut warnings = Vec::new();
        for exprs in sections {
            let mut ctx = ExprCtx::script();
            if let Err(es) = m.lower_block(body, exprs, &mut ctx) {
                errors.extend(es);
            }
            warnings.append(&mut ctx.warnings);
        }
        if let Some(st) = &s.state {
            if let Err(es) = m.lower_expr(body, st, &mut ExprCtx::constant()) {
                errors.extend(es);
            }
        }
        self.warn(warnings);
        result(errors)
    }

    /// The `with` values must lower; when they are all constant (no `args`), the
    /// operator is built once to check its kind and config.
    fn check_operator(
        &mut self,
        body: ScopeId,
        o: &ast::DefineOperator,
    ) -> Result<(), Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut config = Record::default();
        let mut constant = true;
        for w in &o.with {
            let lowered = self
                .bind
                .modules
                .lower_expr(body, &w.value, &mut ExprCtx::constant());
            match lowered {
                Ok(e) => match e.as_const() {
                    Some(v) => {
                        config.insert(w.key.name.as_str().into(), v.clone());
                    }
                    None => constant = false,
                },
                Err(es) => errors.extend(es),
            }
        }
        if errors.is_empty() && constant {
            let module = o
                .kind
                .module()
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join("::");
            let config = Value::from(config);
            if let Err(e) = ops::create(&module, o.kind.name(), &o.name.name, &config) {
                errors.push(Diagnostic::error(
                    codes::QUERY_OPERATOR,
                    e.to_string(),
                    o.kind.span,
                ));
            }
        }
        result(errors)
    }

    /// Compiles each pipeline defined in `pipe` that nothing created, with its
    /// default args (`null` for those without one), and throws the result away.
    pub(super) fn check_uncreated_pipelines(&mut self, pipe: &Pipe) {
        let mut defs: Vec<Box<ast::DefinePipeline>> = pipe
            .defs
            .iter()
            .filter(|(n, _)| !pipe.failed.contains(*n))
            .filter_map(|(_, (_, d))| match d {
                Definition::Pipeline(p) if !self.created.contains(&span_key(p.span)) => {
                    Some(p.clone())
                }
                _ => None,
            })
            .collect();
        defs.sort_by_key(|d| d.span.start);
        for d in defs {
            self.created.insert(span_key(d.span));
            let kept = (
                self.graph.nodes.len(),
                self.graph.edges.len(),
                self.peers.len(),
                self.selects,
            );
            let args = self.default_args(pipe.scope, &d.args);
            let mut scratch =
                Pipe::new(pipe.scope, pipe.prefix.clone(), pipe.args.clone(), pipe.top);
            if let Err(es) = self.sub_pipeline(&mut scratch, &d.name, pipe.scope, &d, args) {
                self.errors.extend(es);
            }
            self.graph.nodes.truncate(kept.0);
            self.graph.edges.truncate(kept.1);
            self.peers.truncate(kept.2);
            self.selects = kept.3;
        }
    }

    fn default_args(&self, scope: ScopeId, decls: &[ast::ArgDecl]) -> Value {
        let mut args = Record::default();
        for d in decls {
            let v = d
                .default
                .as_ref()
                .and_then(|e| self.bind.fold(scope, e, &Value::record()).ok())
                .unwrap_or(Value::Null);
            args.insert(d.name.name.as_str().into(), v);
        }
        Value::from(args)
    }
}
/// A peer definition whether or not it is created: its kind, and when its `with`
/// values do not read `args`, the whole of it (with args it is checked as created).
fn check_peer(
    bind: &super::bind::Binder,
    scope: ScopeId,
    d: &ast::DefinePeer,
) -> Result<(), Vec<Diagnostic>> {
    let mut with = Record::default();
    let mut constant = true;
    for w in &d.with {
        match bind.fold(scope, &w.value, &Value::Null) {
            Ok(v) => {
                with.insert(w.key.name.as_str().into(), v);
            }
            Err(_) => constant = false,
        }
    }
    let Err(errors) = crate::peer::spec::build(&d.name.name, &d.kind.name, &with) else {
        return Ok(());
    };
    let kind = crate::peer::spec::SpecErrorKind::UnknownKind;
    let errors: Vec<_> = errors
        .into_iter()
        .filter(|e| constant || e.kind == kind)
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(super::peer_def::spec_errors(d, errors, None))
    }
}
