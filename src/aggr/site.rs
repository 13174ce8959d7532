//! An aggregate call site as the select compiler builds it and the windows run it.

use super::AggrDecl;
use crate::expr::ExprRef;
use crate::functions::FnError;

/// One aggregate call site of a select: `aggr::stats::sum(event.c)`.
pub struct AggrSite {
    pub decl: &'static AggrDecl,
    /// The argument expressions; empty for `collect_flattened()`, which collects the event.
    pub args: Vec<ExprRef>,
    /// `win::start()` / `win::end()`: accumulates the event's time ([`super::is_bound`]).
    pub bound: bool,
}

impl AggrSite {
    /// The aggregate's error, worded with its name and arity.
    pub fn fail(&self, e: FnError) -> String {
        let arity = self.args.len().max(*self.decl.arity.start());
        e.render(self.decl.module, self.decl.name, arity)
    }
}
