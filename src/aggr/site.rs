//! An aggregate call site as the select compiler builds it and the windows run it.

use super::AggrDecl;
use crate::expr::{At, ExprRef};
use crate::functions::FnError;

/// One aggregate call site of a select: `aggr::stats::sum(event.c)`.
#[derive(Clone)]
pub struct AggrSite {
    pub decl: &'static AggrDecl,
    /// The argument expressions; empty for `collect_flattened()`, which collects the event.
    pub args: Vec<ExprRef>,
    /// `win::start()` / `win::end()`: accumulates the event's time ([`super::is_bound`]).
    pub bound: bool,
    /// Where the call is written (`file:line:col`), for its runtime errors.
    pub at: Option<String>,
}

impl AggrSite {
    /// The aggregate's error, with its name and arity.
    pub fn fail(&self, error: FnError) -> AggrError {
        let arity = self.args.len().max(*self.decl.arity.start());
        AggrError::new(self.decl, arity, error).at(self.at.clone())
    }
}

/// An aggregate call failed: "Bad type passed to function stats::sum/1".
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{at}{}", error.render(module, name, *arity))]
pub struct AggrError {
    pub module: &'static str,
    pub name: &'static str,
    /// The call's argument count, as the message shows it.
    pub arity: usize,
    pub error: FnError,
    /// Where the call is written (SPEC §11: runtime errors say where).
    pub at: At,
}

impl AggrError {
    /// `decl`, called with `arity` arguments, failed with `error`.
    pub fn new(decl: &AggrDecl, arity: usize, error: FnError) -> Self {
        AggrError {
            module: decl.module,
            name: decl.name,
            arity,
            error,
            at: At::default(),
        }
    }

    /// This error, at `at` (`file:line:col`).
    pub fn at(self, at: Option<String>) -> Self {
        AggrError { at: At(at), ..self }
    }
}
