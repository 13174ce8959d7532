//! `create stream|operator|script|pipeline|peer`: arguments checked against the
//! definition's `args`, values folded, and the node (or sub-pipeline) added.

use super::compile::{Compiler, NodeRef, Pipe};
use crate::compile::{ExprCtx, ScopeId};
use crate::diag::{codes, Diagnostic};
use crate::event::Event;
use crate::exec::graph::{NodeKind, OpFactory};
use crate::exec::script::{ScriptNode, ScriptSpec};
use crate::exec::{ops, ExecError, Operator, Outputs};
use crate::value::{Record, Value};
use std::sync::Arc;
use trickle_grammar::ast::{self, ArgDecl, CreateKind, Creation, Definition, WithParam};

/// Stands in for an operator whose construction failed after compile time checked it
/// (cannot happen with a deterministic registry): every event reports the failure.
struct Broken(ops::OpError);

impl Operator for Broken {
    fn on_event(&mut self, _port: &str, _ev: Event, _out: &mut Outputs) -> Result<(), ExecError> {
        Err(self.0.clone().into())
    }
}

impl Compiler {
    pub(super) fn create(&mut self, pipe: &mut Pipe, c: &Creation) -> Result<(), Vec<Diagnostic>> {
        self.claim(pipe, &c.name).map_err(|e| vec![e])?;
        pipe.node_spans.insert(c.name.name.clone(), c.name.span);
        let res = self.create_claimed(pipe, c);
        if res.is_err() || !pipe.nodes.contains_key(&c.name.name) {
            // Selects using it would only repeat this error.
            pipe.nodes.insert(c.name.name.clone(), NodeRef::Failed);
        }
        res
    }

    fn create_claimed(&mut self, pipe: &mut Pipe, c: &Creation) -> Result<(), Vec<Diagnostic>> {
        let node_name = format!("{}{}", pipe.prefix, c.name.name);
        if c.kind == CreateKind::Stream {
            let i = self.graph.add(node_name, NodeKind::Stream);
            pipe.nodes.insert(c.name.name.clone(), NodeRef::Node(i));
            return Ok(());
        }
        let target = c.target.clone().unwrap_or_else(|| ast::QualName {
            segments: vec![c.name.clone()],
            span: c.name.span,
        });
        if target.segments.len() == 1 && pipe.failed.contains(target.name()) {
            // The definition's own errors were reported where it is defined.
            return Err(vec![Diagnostic::consequence(target.span)]);
        }
        let (scope, def) = self.lookup(pipe, &target).map_err(|e| vec![e])?;
        // Bodies see only what they declare themselves (Tremor's scoping).
        let body = self.bind.modules.body_scope(&def).unwrap_or(scope);
        match (c.kind, &def) {
            (CreateKind::Operator, Definition::Operator(d)) => {
                let args = self.instance_args(pipe, scope, &d.args, &c.with, c)?;
                let idx = self.operator_node(body, d, &args, node_name, c)?;
                pipe.nodes.insert(c.name.name.clone(), NodeRef::Node(idx));
                Ok(())
            }
            (CreateKind::Script, Definition::Script(d)) => {
                let args = self.instance_args(pipe, scope, &d.args, &c.with, c)?;
                let idx = self.script_node(body, d, args, node_name)?;
                pipe.nodes.insert(c.name.name.clone(), NodeRef::Node(idx));
                Ok(())
            }
            (CreateKind::Peer, Definition::Peer(d)) => {
                let args = self.instance_args(pipe, scope, &d.args, &c.with, c)?;
                self.peer_node(pipe, scope, d, &args, node_name, c)
            }
            (CreateKind::Pipeline, Definition::Pipeline(d)) => {
                self.created.insert(super::compile::span_key(d.span));
                let args = self.instance_args(pipe, scope, &d.args, &c.with, c)?;
                self.sub_pipeline(pipe, &c.name, scope, d, args)
            }
            _ => Err(vec![Diagnostic::error(
                codes::QUERY_WRONG_DEFINITION_KIND,
                format!(
                    "`{}` is not a {} definition",
                    target.joined(),
                    kind_word(c.kind)
                ),
                target.span,
            )
            .with_secondary(super::compile::def_span(&def), "defined here")]),
        }
    }

    /// The instance's `args`: `with` values (folded in the creating pipeline) over
    /// the definition's defaults (folded in the defining scope).
    fn instance_args(
        &self,
        pipe: &Pipe,
        def_scope: ScopeId,
        decls: &[ArgDecl],
        with: &[WithParam],
        c: &Creation,
    ) -> Result<Value, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let outer_args = pipe.args.clone().unwrap_or(Value::Null);
        let mut given = Record::default();
        for w in with {
            if !decls.iter().any(|d| d.name.name == w.key.name) {
                errors.push(
                    Diagnostic::error(
                        codes::QUERY_UNKNOWN_ARGUMENT,
                        format!("Unknown argument: {}", w.key.name),
                        w.key.span,
                    )
                    .with_help(known_args(decls)),
                );
                continue;
            }
            match self.bind.fold(pipe.scope, &w.value, &outer_args) {
                Ok(v) => {
                    given.insert(w.key.name.as_str().into(), v);
                }
                Err(e) => errors.push(e),
            }
        }
        let mut args = Record::default();
        for d in decls {
            let v = if let Some(v) = given.shift_remove(d.name.name.as_str()) {
                v
            } else if let Some(default) = &d.default {
                match self.bind.fold(def_scope, default, &Value::record()) {
                    Ok(v) => v,
                    Err(e) => {
                        errors.push(e);
                        continue;
                    }
                }
            } else {
                errors.push(
                    Diagnostic::error(
                        codes::QUERY_MISSING_ARGUMENT,
                        format!("Missing required argument: {}", d.name.name),
                        c.span,
                    )
                    .with_secondary(d.span, "declared here"),
                );
                continue;
            };
            args.insert(d.name.name.as_str().into(), v);
        }
        if errors.is_empty() {
            Ok(Value::from(args))
        } else {
            Err(errors)
        }
    }

    fn operator_node(
        &mut self,
        scope: ScopeId,
        d: &ast::DefineOperator,
        args: &Value,
        node_name: String,
        c: &Creation,
    ) -> Result<usize, Vec<Diagnostic>> {
        let mut config = Record::default();
        let mut errors = Vec::new();
        for w in &d.with {
            match self.bind.fold(scope, &w.value, args) {
                Ok(v) => {
                    config.insert(w.key.name.as_str().into(), v);
                }
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let config = Value::from(config);
        let module = d
            .kind
            .module()
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join("::");
        let name = d.kind.name().to_string();
        if let Err(e) = ops::create(&module, &name, &node_name, &config) {
            return Err(vec![Diagnostic::error(
                codes::QUERY_OPERATOR,
                e.to_string(),
                d.kind.span,
            )
            .with_secondary(c.span, "created here")]);
        }
        let kind = d.kind.joined();
        let label = node_name.clone();
        let make: OpFactory =
            Arc::new(
                move || match ops::create(&module, &name, &node_name, &config) {
                    Ok(op) => op,
                    Err(e) => Box::new(Broken(e)),
                },
            );
        let node = self.graph.add(
            label,
            NodeKind::Op {
                kind,
                make,
                fallible: true,
            },
        );
        Ok(node)
    }

    fn script_node(
        &mut self,
        scope: ScopeId,
        d: &ast::DefineScript,
        args: Value,
        node_name: String,
    ) -> Result<usize, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let state = match &d.state {
            Some(s) => self.bind.fold(scope, s, &args).map_err(|e| {
                vec![Diagnostic::error(
                    codes::QUERY_STATE_NOT_CONSTANT,
                    "state not constant",
                    s.span,
                )
                .with_note(e.message)]
            })?,
            None => Value::Null,
        };
        // Checked at the `define` too; a definition from a module is checked here.
        errors.extend(super::check_def::port_errors(&d.port_scripts));
        let mut ports = Vec::new();
        for ps in &d.port_scripts {
            if ps.port.name == "in" || ports.iter().any(|(p, _)| p == &ps.port.name) {
                continue;
            }
            let mut ctx = ExprCtx::script();
            ctx.args = Some(args.clone());
            match self.bind.block(scope, &ps.body, &mut ctx) {
                Ok(b) => ports.push((ps.port.name.clone(), b)),
                Err(es) => errors.extend(es),
            }
        }
        let mut ctx = ExprCtx::script();
        ctx.args = Some(args.clone());
        let main = self.bind.block(scope, &d.script, &mut ctx);
        let main = match main {
            Ok(m) => m,
            Err(es) => {
                errors.extend(es);
                return Err(errors);
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let spec = Arc::new(ScriptSpec {
            main,
            ports,
            state,
            args,
        });
        let make: OpFactory = Arc::new(move || Box::new(ScriptNode::new(spec.clone())));
        Ok(self.graph.add(
            node_name,
            NodeKind::Op {
                kind: "script".into(),
                make,
                fallible: false,
            },
        ))
    }
}

fn kind_word(k: CreateKind) -> &'static str {
    match k {
        CreateKind::Stream => "stream",
        CreateKind::Operator => "operator",
        CreateKind::Script => "script",
        CreateKind::Pipeline => "pipeline",
        CreateKind::Peer => "peer",
    }
}

fn known_args(decls: &[ArgDecl]) -> String {
    if decls.is_empty() {
        "the definition declares no `args`".to_string()
    } else {
        let names: Vec<_> = decls.iter().map(|d| d.name.name.as_str()).collect();
        format!("declared args: {}", names.join(", "))
    }
}
