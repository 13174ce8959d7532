//! `create peer`: the definition's `with` values folded with the instance's args,
//! checked by [`crate::peer::spec::build`], and the peer's ports added to the graph.
//!
//! A peer is both a source and a sink, so it becomes separate nodes: input nodes for
//! its `out`, `err` and `metrics` ports and an output node for its `in` port. A
//! single node would make `select event from p into p` (an echo) a cycle.

use super::compile::{Compiler, NodeRef, Pipe};
use crate::compile::ScopeId;
use crate::diag::{codes, Diagnostic, Span};
use crate::exec::graph::NodeKind;
use crate::peer::spec::{self, SpecErrorKind};
use crate::value::{Record, Value};
use rustc_hash::FxHashMap;
use trickle_grammar::ast::{self, Creation};

impl Compiler {
    pub(super) fn peer_node(
        &mut self,
        pipe: &mut Pipe,
        scope: ScopeId,
        d: &ast::DefinePeer,
        args: &Value,
        node_name: String,
        c: &Creation,
    ) -> Result<(), Vec<Diagnostic>> {
        let mut with = Record::default();
        let mut errors = Vec::new();
        for w in &d.with {
            match self.bind.fold(scope, &w.value, args) {
                Ok(v) => {
                    with.insert(w.key.name.as_str().into(), v);
                }
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let spec = spec::build(&node_name, &d.kind.name, &with)
            .map_err(|es| spec_errors(d, es, Some(c.span)))?;
        let mut outs = FxHashMap::default();
        outs.insert(
            "out".to_string(),
            self.graph.add(spec.out_node(), NodeKind::Input),
        );
        outs.insert(
            "err".to_string(),
            self.graph.add(spec.err_node(), NodeKind::Input),
        );
        outs.insert(
            "metrics".to_string(),
            self.graph.add(spec.metrics_node(), NodeKind::Input),
        );
        let mut ins = FxHashMap::default();
        ins.insert(
            "in".to_string(),
            self.graph.add(spec.in_node(), NodeKind::Output),
        );
        pipe.nodes
            .insert(c.name.name.clone(), NodeRef::Pipeline { ins, outs });
        self.peers.push(spec);
        Ok(())
    }
}

/// A peer definition's errors, each on what it is about (a `config` key, a `with`
/// key, else the kind), pointing at the creation that built it when one did.
pub(super) fn spec_errors(
    d: &ast::DefinePeer,
    errors: Vec<spec::SpecError>,
    created: Option<Span>,
) -> Vec<Diagnostic> {
    errors
        .into_iter()
        .map(|e| {
            let with = e
                .key
                .as_deref()
                .and_then(|k| d.with.iter().find(|w| w.key.name == k));
            // A `config` key written in the record literal: that key.
            let field = e.field.as_deref().and_then(|f| {
                let ast::ExprKind::Record(fields) = &with?.value.kind else {
                    return None;
                };
                let found = fields
                    .iter()
                    .find(|x| x.key.as_plain().as_deref() == Some(f));
                found.map(|x| x.key.span)
            });
            let span = field.unwrap_or_else(|| with.map_or(d.kind.span, |w| w.span));
            let code = match e.kind {
                SpecErrorKind::UnknownKind => codes::PEER_UNKNOWN_KIND,
                SpecErrorKind::UnknownKey => codes::PEER_UNKNOWN_KEY,
                SpecErrorKind::WrongType => codes::PEER_WRONG_TYPE,
                SpecErrorKind::MissingKey => codes::PEER_MISSING_KEY,
                SpecErrorKind::Invalid => codes::PEER_BAD_CONFIG,
            };
            let d = Diagnostic::error(code, e.message, span);
            match created {
                Some(c) => d.with_secondary(c, "created here"),
                None => d,
            }
        })
        .collect()
}
