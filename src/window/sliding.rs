//! `sliding` with `size`: the last `size` events of a group; the select emits once
//! per event over them (SPEC §7.2). The cost per event does not grow with `size`:
//! aggregates that can drop their oldest value (the collects) keep one state; every
//! other one keeps a two-stack of partial states (the "front" holds, for each of its
//! events, the state of it and every newer front event; the "back" one running
//! state), so an event is added once and removed once, amortised O(1).

use super::WindowError;
use crate::aggr::{AggrError, AggrSite, Aggregate};
use crate::event::EventId;
use crate::expr::Scope;
use crate::value::Value;
use std::collections::VecDeque;

/// One event in the window: its evaluated aggregate arguments (all sites, in order)
/// and the ids it brings to the lineage.
struct Entry {
    args: Vec<Value>,
    ids: Vec<EventId>,
}

enum Site {
    Retract(Box<dyn Aggregate>),
    TwoStack {
        front: Vec<Box<dyn Aggregate>>,
        back: Box<dyn Aggregate>,
        /// Reused to combine the two for an emission.
        scratch: Box<dyn Aggregate>,
    },
}

/// The sliding state of one group.
pub struct SlidingWindow {
    size: usize,
    buf: VecDeque<Entry>,
    sites: Vec<Site>,
    /// Where each site's arguments start in [`Entry::args`] (one more: the end).
    offsets: Vec<usize>,
    /// Lineage ids held: without any (a run that acks nothing) an emission does not
    /// walk the events, so its cost does not grow with `size`.
    ids: usize,
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
    let refs: Vec<&Value> = args.iter().collect();
    agg.accumulate(&refs).map_err(|e| site.fail(e))
}

impl SlidingWindow {
    pub fn new(size: u64, sites: &[AggrSite]) -> Self {
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
                    }
                }
            })
            .collect();
        SlidingWindow {
            size: usize::try_from(size).unwrap_or(usize::MAX).max(1),
            buf: VecDeque::new(),
            sites,
            offsets: Vec::new(),
            ids: 0,
        }
    }

    /// Adds the current event (its scope, time and lineage ids), drops the oldest
    /// beyond `size`, and returns the aggregate values and lineage to emit.
    pub fn push(
        &mut self,
        specs: &[AggrSite],
        scope: &mut Scope<'_>,
        time: i64,
        ids: &[EventId],
    ) -> Result<(Vec<Value>, Vec<EventId>), WindowError> {
        let mut args = Vec::new();
        let mut offsets = std::mem::take(&mut self.offsets);
        offsets.clear();
        for site in specs {
            offsets.push(args.len());
            eval_args(site, scope, time, &mut args)?;
        }
        offsets.push(args.len());
        self.offsets = offsets;
        let offsets = &self.offsets;
        for (i, (state, site)) in self.sites.iter_mut().zip(specs).enumerate() {
            let a = &args[offsets[i]..offsets[i + 1]];
            match state {
                Site::Retract(s) => feed(s.as_mut(), site, a)?,
                Site::TwoStack { back, .. } => feed(back.as_mut(), site, a)?,
            }
        }
        self.ids += ids.len();
        self.buf.push_back(Entry {
            args,
            ids: ids.to_vec(),
        });
        if self.buf.len() > self.size {
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
                } => {
                    scratch.init();
                    let r = match front.last() {
                        Some(f) => scratch.combine(f.as_ref()),
                        None => Ok(()),
                    };
                    r.and_then(|()| scratch.combine(back.as_ref()))
                        .and_then(|()| scratch.emit())
                }
            };
            vals.push(v.map_err(|e| site.fail(e))?);
        }
        let lineage = if self.ids == 0 {
            Vec::new()
        } else {
            self.buf
                .iter()
                .flat_map(|e| e.ids.iter().cloned())
                .collect()
        };
        Ok((vals, lineage))
    }

    /// Removes the oldest event.
    fn pop(&mut self, specs: &[AggrSite]) -> Result<(), AggrError> {
        let offsets = &self.offsets;
        for (i, (state, site)) in self.sites.iter_mut().zip(specs).enumerate() {
            match state {
                Site::Retract(s) => s.retract_oldest(),
                Site::TwoStack { front, back, .. } => {
                    if front.is_empty() {
                        // Every event is in the back: fold them, newest first, into
                        // the front, so its top (the oldest) covers them all.
                        let mut newer: Option<Box<dyn Aggregate>> = None;
                        for e in self.buf.iter().rev() {
                            let mut s = (site.decl.make)();
                            feed(s.as_mut(), site, &e.args[offsets[i]..offsets[i + 1]])?;
                            if let Some(n) = &newer {
                                s.combine(n.as_ref()).map_err(|e| site.fail(e))?;
                            }
                            if let Some(n) = newer.replace(s) {
                                front.push(n);
                            }
                        }
                        front.extend(newer);
                        back.init();
                    }
                    front.pop();
                }
            }
        }
        if let Some(e) = self.buf.pop_front() {
            self.ids -= e.ids.len();
        }
        Ok(())
    }

    /// Events held (for tests and memory checks).
    pub fn held(&self) -> usize {
        self.buf.len()
    }
}
