//! `sliding` with `size`: the last `size` events of a group; the select emits once
//! per event over them (SPEC §7.2). The cost per event does not grow with `size`:
//! aggregates that can drop their oldest value (`count`, the collects) keep one
//! state; every other one keeps a two-stack of partial states (the "front" holds,
//! for each of its events, the state of it and every newer front event; the
//! "back" one running state), so an event is added once and removed once,
//! amortised O(1). Only a two-stack needs the events' arguments kept.

use super::held_args::HeldArgs;
use super::WindowError;
use crate::aggr::{AggrError, AggrSite, Aggregate, State};
use crate::event::{Ids, Lineage, SlidingIds};
use crate::expr::Scope;
use crate::value::Value;
use std::collections::VecDeque;

enum Site {
    Retract(Box<dyn Aggregate>),
    TwoStack {
        /// Inline where the aggregate allows ([`State`]): a window of ten thousand
        /// events pops its front states one after another from one array, instead
        /// of following a pointer to each.
        front: Vec<State>,
        back: Box<dyn Aggregate>,
        /// Reused to combine the two for an emission.
        scratch: Box<dyn Aggregate>,
        /// Front states popped, reused when the front is refilled (no allocation
        /// per event once the window is full).
        spare: Vec<State>,
    },
}

/// The sliding state of one group.
pub struct SlidingWindow {
    size: usize,
    /// The evaluated aggregate arguments of the held events (all sites, in order),
    /// oldest first: stored inline, so holding an event allocates nothing of its
    /// own. Only a two-stack reads them (to refill its front), so without one none
    /// are kept.
    args: HeldArgs,
    /// How many lineage ids each held event brought, oldest first (one per event:
    /// the number of events held).
    id_lens: VecDeque<u32>,
    /// Those ids, in order. Without any (a run that acks nothing) an emission does
    /// not walk the events, so its cost does not grow with `size`; with them it
    /// copies their numbers (8 bytes each).
    ids: SlidingIds,
    sites: Vec<Site>,
    /// Where each site's arguments start within an event's (one more: the end).
    offsets: Vec<usize>,
    /// The current event's arguments while they are evaluated (reused).
    scratch: Vec<Value>,
}

/// How many arguments [`eval_args`] gives for one call site.
fn arg_count(site: &AggrSite) -> usize {
    if site.bound || (site.args.is_empty() && !site.decl.arity.contains(&0)) {
        1
    } else {
        site.args.len()
    }
}

/// The arguments one call site accumulates for the current event.
fn eval_args(
    site: &AggrSite,
    scope: &mut Scope<'_>,
    time: i64,
    out: &mut Vec<Value>,
) -> Result<(), WindowError> {
    if site.bound {
        out.push(Value::I64(time));
    } else if site.args.is_empty() && !site.decl.arity.contains(&0) {
        out.push(scope.event.clone());
    } else {
        for a in &site.args {
            out.push(a.eval(scope, &mut Value::Null)?);
        }
    }
    Ok(())
}

fn feed(agg: &mut dyn Aggregate, site: &AggrSite, args: &[Value]) -> Result<(), AggrError> {
    // Aggregates take one or two arguments: their references go on the stack.
    let res = match args {
        [] => agg.accumulate(&[]),
        [a] => agg.accumulate(&[a]),
        [a, b] => agg.accumulate(&[a, b]),
        more => agg.accumulate(&more.iter().collect::<Vec<_>>()),
    };
    res.map_err(|e| site.fail(e))
}

impl SlidingWindow {
    pub fn new(size: u64, sites: &[AggrSite]) -> Self {
        let mut offsets = vec![0];
        for s in sites {
            offsets.push(offsets[offsets.len() - 1] + arg_count(s));
        }
        let sites = sites
            .iter()
            .map(|s| {
                let state = (s.decl.make)();
                if state.can_retract() {
                    Site::Retract(state)
                } else {
                    Site::TwoStack {
                        front: Vec::new(),
                        back: state,
                        scratch: (s.decl.make)(),
                        spare: Vec::new(),
                    }
                }
            })
            .collect::<Vec<_>>();
        let size = usize::try_from(size).unwrap_or(usize::MAX).max(1);
        let stride = offsets[offsets.len() - 1];
        let keep = sites.iter().any(|s| matches!(s, Site::TwoStack { .. }));
        SlidingWindow {
            size,
            args: HeldArgs::new(size, if keep { stride } else { 0 }),
            id_lens: VecDeque::new(),
            ids: SlidingIds::default(),
            sites,
            offsets,
            scratch: Vec::new(),
        }
    }

    /// Adds the current event (its scope, time and lineage ids), drops the oldest
    /// beyond `size`, and returns the aggregate values and lineage to emit.
    pub fn push(
        &mut self,
        specs: &[AggrSite],
        scope: &mut Scope<'_>,
        time: i64,
        ids: Ids<'_>,
    ) -> Result<(Vec<Value>, Lineage), WindowError> {
        let mut args = std::mem::take(&mut self.scratch);
        args.clear();
        let evaluated = specs
            .iter()
            .try_for_each(|site| eval_args(site, scope, time, &mut args));
        let res = evaluated.and_then(|()| Ok(self.take_in(specs, &args)?));
        if res.is_ok() {
            self.args.push(args.drain(..));
        }
        self.scratch = args;
        res?;
        let brought = self.ids.push(ids);
        self.id_lens
            .push_back(u32::try_from(brought).unwrap_or(u32::MAX));
        if self.id_lens.len() > self.size {
            self.pop(specs)?;
        }
        let mut vals = Vec::with_capacity(self.sites.len());
        for (state, site) in self.sites.iter_mut().zip(specs) {
            let v = match state {
                Site::Retract(s) => s.emit(),
                Site::TwoStack {
                    front,
                    back,
                    scratch,
                    ..
                } => {
                    scratch.init();
                    let r = match front.last() {
                        Some(f) => scratch.combine(&**f),
                        None => Ok(()),
                    };
                    r.and_then(|()| scratch.combine(back.as_ref()))
                        .and_then(|()| scratch.emit())
                }
            };
            vals.push(v.map_err(|e| site.fail(e))?);
        }
        let lineage = self.ids.lineage();
        Ok((vals, lineage))
    }

    /// The current event's arguments `args` go into every site's state.
    fn take_in(&mut self, specs: &[AggrSite], args: &[Value]) -> Result<(), AggrError> {
        let offsets = &self.offsets;
        for (i, (state, site)) in self.sites.iter_mut().zip(specs).enumerate() {
            let a = &args[offsets[i]..offsets[i + 1]];
            match state {
                Site::Retract(s) => feed(s.as_mut(), site, a)?,
                Site::TwoStack { back, .. } => feed(back.as_mut(), site, a)?,
            }
        }
        Ok(())
    }

    /// Removes the oldest event.
    fn pop(&mut self, specs: &[AggrSite]) -> Result<(), AggrError> {
        let offsets = &self.offsets;
        for (i, (state, site)) in self.sites.iter_mut().zip(specs).enumerate() {
            match state {
                Site::Retract(s) => s.retract_oldest(),
                Site::TwoStack {
                    front, back, spare, ..
                } => {
                    if front.is_empty() {
                        // Every event is in the back: fold them, newest first, into
                        // the front, so its top (the oldest) covers them all.
                        let mut newer: Option<State> = None;
                        front.reserve(self.args.len());
                        for j in (0..self.args.len()).rev() {
                            let e = self.args.event(j);
                            let mut s = match spare.pop() {
                                Some(mut s) => {
                                    s.init();
                                    s
                                }
                                None => State::from((site.decl.make)()),
                            };
                            feed(&mut *s, site, &e[offsets[i]..offsets[i + 1]])?;
                            if let Some(n) = &newer {
                                s.combine(&**n).map_err(|e| site.fail(e))?;
                            }
                            if let Some(n) = newer.replace(s) {
                                front.push(n);
                            }
                        }
                        front.extend(newer);
                        back.init();
                    }
                    spare.extend(front.pop());
                }
            }
        }
        self.args.pop();
        if let Some(n) = self.id_lens.pop_front() {
            self.ids.pop_front(n as usize);
        }
        Ok(())
    }

    /// Events held (for tests and memory checks).
    pub fn held(&self) -> usize {
        self.id_lens.len()
    }
}
