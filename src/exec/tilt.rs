//! Tilt frames: a group's chain of windows (`from in[w1, w2]`). The first window
//! accumulates events; each later window merges the state of the one before it when
//! that one emits (LANGUAGE §2 "Tilt-frame step").

use crate::aggr::{AggrSite, Aggregate};
use crate::event::{ingest_time, Event, EventId, FnCtx, Ids, Lineage, Origin, Port};
use crate::exec::{ExecError, Outputs};
use crate::expr::{ExprRef, Scope};
use crate::value::Value;
use crate::window::{Action, Window, WindowSpec};
use smallvec::SmallVec;
use std::sync::Arc;

/// What the select's target, `having` and aggregate arguments need, shared by all groups.
#[derive(Clone)]
pub struct EmitSpec {
    pub target: ExprRef,
    pub having: Option<ExprRef>,
    pub aggrs: Vec<AggrSite>,
    pub windows: Vec<WindowSpec>,
    pub args: Value,
    /// The last two of `aggrs` are hidden `win::start()`/`win::end()` sites whose values
    /// mark each result with its window ([`EmitSpec::marked`]); off unless asked for.
    pub marks: bool,
}

impl EmitSpec {
    /// This spec with each result marked by its window and bounds: the bounds come
    /// from two hidden bound sites after the query's own (whose indexes stay put).
    pub fn marked(&self) -> EmitSpec {
        let mut spec = self.clone();
        if !spec.marks && !spec.windows.is_empty() {
            for decl in crate::aggr::bound_decls() {
                spec.aggrs.push(AggrSite {
                    decl,
                    args: Vec::new(),
                    bound: true,
                    at: None,
                });
            }
            spec.marks = true;
        }
        spec
    }
}

/// Which window emitted a result, and its bounds in ns (`aggr::win::start()` and
/// `aggr::win::end()` of that window; SPEC §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowMark {
    pub name: String,
    pub start: i64,
    pub end: i64,
}

/// Marks of results by their index in the outputs they were pushed to.
pub type Marks = Vec<(usize, WindowMark)>;

/// The event that made a window act (an input event, or nothing on a tick or drain).
pub struct Trigger<'a> {
    pub event: &'a mut Value,
    pub meta: &'a mut Value,
    pub ingest_ns: u64,
    /// The event's time: its window `time`, else its ingest time (for `win::start()`).
    pub time: i64,
    pub id: Option<&'a EventId>,
    pub origin: Option<&'a Arc<Origin>>,
    /// The ids this event contributes to a window's lineage.
    pub lineage: Ids<'a>,
}

impl Trigger<'_> {
    /// Builds the trigger of an input event.
    pub fn of(ev: &mut Event) -> Trigger<'_> {
        Trigger {
            event: &mut ev.data,
            meta: &mut ev.meta,
            ingest_ns: ev.ingest_ns,
            time: ingest_time(ev.ingest_ns),
            id: Some(&ev.id),
            origin: ev.origin.as_ref(),
            lineage: Ids::of(&ev.id, &ev.lineage),
        }
    }
}

/// One window of a group's chain with its aggregate states.
pub struct Frame {
    win: Box<dyn Window>,
    aggrs: Vec<Box<dyn Aggregate>>,
    /// Something was accumulated or merged since the last reset.
    holds: bool,
    lineage: Lineage,
}

impl Frame {
    fn reset(&mut self) {
        self.win.emitted();
        self.aggrs.iter_mut().for_each(|a| a.init());
        self.holds = false;
        self.lineage.clear();
    }
}

/// A group's whole chain.
pub struct Chain {
    pub frames: Vec<Frame>,
}

impl Chain {
    /// The ticks its first window acts on (the only one ticked).
    pub fn ticks(&self) -> crate::window::Ticks {
        self.frames
            .first()
            .map_or(crate::window::Ticks::Never, |f| f.win.ticks())
    }

    /// A fresh chain for a new group.
    pub fn new(spec: &EmitSpec) -> Self {
        Self::from_window(spec, 0)
    }

    /// A fresh chain of the windows from index `first` of the select's on (the tilt
    /// frames after a window that keeps its own state).
    pub fn from_window(spec: &EmitSpec, first: usize) -> Self {
        let frames = spec.windows[first.min(spec.windows.len())..]
            .iter()
            .map(|w| Frame {
                win: w.fresh(),
                aggrs: spec.aggrs.iter().map(|a| (a.decl.make)()).collect(),
                holds: false,
                lineage: Lineage::new(),
            })
            .collect();
        Chain { frames }
    }

    /// A copy of the windows' states only (the template quirk), with fresh aggregates.
    pub fn windows_of(&self, spec: &EmitSpec) -> Chain {
        let mut c = Chain::new(spec);
        for (f, src) in c.frames.iter_mut().zip(&self.frames) {
            f.win = src.win.boxed_clone();
        }
        c
    }

    /// Nothing held anywhere: the group can be evicted.
    pub fn is_empty(&self) -> bool {
        self.frames.iter().all(|f| !f.holds)
    }
}

/// The aggregate states and lineage of a closed event-time window.
pub type Head = (crate::aggr::States, Lineage);

/// The context of one emission run over a group.
pub struct Run<'a, 'r, 't> {
    pub spec: &'a EmitSpec,
    pub group: &'a Value,
    pub cardinality: usize,
    pub trig: &'r mut Trigger<'t>,
    pub out: &'r mut Outputs,
    /// The index in `spec.windows` of `frames[0]`: 1 when the chain follows an
    /// event-time window (which keeps its windows itself, see `exec::timed`).
    pub offset: usize,
    /// What `frames[0]` takes in instead of the trigger: the state of the event-time
    /// window that just closed.
    /// (Moved in and back out by the caller: no copy.)
    pub head: Option<Head>,
    /// Where the marks of the results go when `spec.marks` ([`EmitSpec::marked`]).
    pub marks: &'r mut Marks,
}

/// The scope expressions see during a run (a free function so the borrows of the
/// trigger and of the spec stay apart).
fn scope_of<'s>(
    trig: &'s mut Trigger<'_>,
    spec: &'s EmitSpec,
    group: &'s Value,
    cardinality: usize,
    window: &'s Value,
    aggrs: &'s [Value],
) -> Scope<'s> {
    Scope {
        event: &mut *trig.event,
        meta: &mut *trig.meta,
        group,
        window,
        args: &spec.args,
        aggrs,
        ctx: FnCtx {
            ingest_ns: trig.ingest_ns,
            origin: trig.origin.map(|o| &**o),
            id: trig.id,
            lineage: trig.lineage.lineage(),
            cardinality,
        },
    }
}

impl Run<'_, '_, '_> {
    fn scope<'s>(&'s mut self, window: &'s Value, aggrs: &'s [Value]) -> Scope<'s> {
        scope_of(
            self.trig,
            self.spec,
            self.group,
            self.cardinality,
            window,
            aggrs,
        )
    }

    /// An event reaches window `i` of the chain.
    pub fn step(&mut self, frames: &mut [Frame], i: usize) -> Result<(), ExecError> {
        let act = {
            let name = Value::Null;
            let mut scope = self.scope(&name, &[]);
            frames[i].win.on_event(&mut scope)?
        };
        self.apply(frames, i, act, true)
    }

    /// A tick reaches the first window of the chain.
    pub fn tick(&mut self, frames: &mut [Frame], ns: u64) -> Result<(), ExecError> {
        if frames.is_empty() {
            return Ok(());
        }
        let act = frames[0].win.on_tick(ns)?;
        self.apply(frames, 0, act, false)
    }

    /// Emits every window holding data, smallest first, each merging into the next.
    pub fn flush(&mut self, frames: &mut [Frame]) -> Result<(), ExecError> {
        for i in 0..frames.len() {
            if frames[i].holds {
                self.emit(frames, i)?;
                if i + 1 < frames.len() {
                    self.absorb(frames, i + 1)?;
                }
            }
            frames[i].reset();
        }
        Ok(())
    }

    fn apply(
        &mut self,
        frames: &mut [Frame],
        i: usize,
        act: Action,
        absorb: bool,
    ) -> Result<(), ExecError> {
        if act.include && absorb {
            self.absorb(frames, i)?;
        }
        if act.emit {
            if frames[i].holds {
                self.emit(frames, i)?;
            }
            if i + 1 < frames.len() {
                self.step(frames, i + 1)?;
            }
            frames[i].reset();
        }
        if !act.include && absorb {
            self.absorb(frames, i)?;
        }
        Ok(())
    }

    /// Window `i` takes in the trigger (first window) or the previous window's state.
    fn absorb(&mut self, frames: &mut [Frame], i: usize) -> Result<(), ExecError> {
        if let (0, Some((aggrs, lineage))) = (i, &self.head) {
            let f = &mut frames[0];
            for ((agg, src), site) in f.aggrs.iter_mut().zip(aggrs).zip(&self.spec.aggrs) {
                agg.merge(&**src).map_err(|e| site.fail(e))?;
            }
            f.lineage.extend(lineage);
            f.holds = true;
        } else if i == 0 {
            let f = &mut frames[0];
            self.accumulate_into(&mut f.aggrs, &mut f.lineage)?;
            f.holds = true;
        } else {
            let (prev, cur) = frames.split_at_mut(i);
            let (p, c) = (&prev[i - 1], &mut cur[0]);
            if p.holds {
                for ((agg, src), site) in c.aggrs.iter_mut().zip(&p.aggrs).zip(&self.spec.aggrs) {
                    agg.merge(src.as_ref()).map_err(|e| site.fail(e))?;
                }
                c.lineage.extend(&p.lineage);
                c.holds = true;
            }
        }
        Ok(())
    }

    /// The trigger goes into the aggregate states `aggrs`; its ids into `lineage`.
    pub fn accumulate_into<A: std::ops::DerefMut<Target = dyn Aggregate>>(
        &mut self,
        aggrs: &mut [A],
        lineage: &mut Lineage,
    ) -> Result<(), ExecError> {
        let name = Value::Null;
        let spec = self.spec;
        let time = self.trig.time;
        let mut scope = self.scope(&name, &[]);
        for (agg, site) in aggrs.iter_mut().zip(&spec.aggrs) {
            accumulate(&mut **agg, site, &mut scope, time)?;
        }
        lineage.add(self.trig.lineage);
        Ok(())
    }

    /// A count `sliding` window takes in the trigger and emits over its events.
    pub fn slide(
        &mut self,
        w: &mut crate::window::sliding::SlidingWindow,
    ) -> Result<(), ExecError> {
        let (vals, lineage) = {
            let name = Value::Null;
            let spec = self.spec;
            let (time, ids) = (self.trig.time, self.trig.lineage);
            let mut scope = self.scope(&name, &[]);
            w.push(&spec.aggrs, &mut scope, time, ids)?
        };
        self.emit_values(0, &vals, lineage)
    }

    /// Window `i` emits: the target over its aggregates, then `having`.
    fn emit(&mut self, frames: &mut [Frame], i: usize) -> Result<(), ExecError> {
        let last = i + 1 == frames.len();
        let f = &mut frames[i];
        if let Some((start, end)) = f.win.bounds() {
            self.set_bounds(&mut f.aggrs, start as i64, end as i64)?;
        }
        if !last {
            // The next frame takes this one's lineage in after it emits.
            return self.emit_state(self.offset + i, &mut f.aggrs, &f.lineage);
        }
        // Nothing reads it again before the reset: the emission takes it whole
        // (a window of a thousand events would otherwise copy a thousand ids), and
        // the frame starts again with room for as many.
        let room = Lineage::with_capacity(f.lineage.len());
        let lineage = std::mem::replace(&mut f.lineage, room);
        let vals = self.values(&mut f.aggrs)?;
        self.emit_values(self.offset + i, &vals, lineage)
    }

    /// `win::start()` and `win::end()` in `aggrs` give `[start, end)`: the bounds of
    /// a time window, not of its events.
    pub fn set_bounds<A: std::ops::DerefMut<Target = dyn Aggregate>>(
        &self,
        aggrs: &mut [A],
        start: i64,
        end: i64,
    ) -> Result<(), ExecError> {
        for (agg, site) in aggrs.iter_mut().zip(&self.spec.aggrs) {
            if site.bound {
                agg.init();
                agg.accumulate(&[&Value::I64(start), &Value::I64(end)])
                    .map_err(|e| site.fail(e))?;
            }
        }
        Ok(())
    }

    /// Window `window` of the select emits the aggregate states `aggrs`, which hold
    /// the events of `lineage`.
    pub fn emit_state<A: std::ops::DerefMut<Target = dyn Aggregate>>(
        &mut self,
        window: usize,
        aggrs: &mut [A],
        lineage: &Lineage,
    ) -> Result<(), ExecError> {
        let vals = self.values(aggrs)?;
        self.emit_values(window, &vals, lineage.clone())
    }

    /// What the aggregate states `aggrs` emit.
    fn values<A: std::ops::DerefMut<Target = dyn Aggregate>>(
        &self,
        aggrs: &mut [A],
    ) -> Result<SmallVec<[Value; 4]>, ExecError> {
        // On the stack for the usual few aggregates: a session emits per event.
        let mut vals = SmallVec::with_capacity(aggrs.len());
        for (agg, site) in aggrs.iter_mut().zip(&self.spec.aggrs) {
            vals.push(agg.emit().map_err(|e| site.fail(e))?);
        }
        Ok(vals)
    }

    /// The target over the aggregate values `vals`, then `having`; the result goes out.
    pub fn emit_values(
        &mut self,
        window: usize,
        vals: &[Value],
        lineage: Lineage,
    ) -> Result<(), ExecError> {
        let name = Value::from(self.spec.windows[window].name.as_str());
        let spec = self.spec;
        let mut result = {
            let mut scope = self.scope(&name, vals);
            scope.ctx.lineage = &lineage;
            spec.target.eval(&mut scope, &mut Value::Null)?
        };
        if let Some(h) = &spec.having {
            let mut scope = self.scope(&name, vals);
            scope.ctx.lineage = &lineage;
            scope.event = &mut result;
            if !guard(h, &mut scope, "having")? {
                return Ok(());
            }
        }
        if spec.marks {
            if let [.., start, end] = vals {
                if let (Some(start), Some(end)) = (start.as_i64(), end.as_i64()) {
                    let name = spec.windows[window].name.clone();
                    let mark = WindowMark { name, start, end };
                    self.marks.push((self.out.len(), mark));
                }
            }
        }
        self.out.push((
            Port::borrowed("out"),
            Event {
                data: result,
                meta: self.trig.meta.clone(),
                ingest_ns: self.trig.ingest_ns,
                id: self.trig.id.cloned().unwrap_or_default(),
                lineage,
                origin: self.trig.origin.cloned(),
            },
        ));
        Ok(())
    }
}

/// Evaluates the arguments of one call site and accumulates them; an argument-less
/// call of a one-argument aggregate (`collect_flattened()`) collects the event.
pub fn accumulate(
    agg: &mut dyn Aggregate,
    site: &AggrSite,
    scope: &mut Scope<'_>,
    time: i64,
) -> Result<(), ExecError> {
    if site.bound {
        return agg
            .accumulate(&[&Value::I64(time)])
            .map_err(|e| site.fail(e).into());
    }
    if site.args.is_empty() && !site.decl.arity.contains(&0) {
        return agg
            .accumulate(&[&*scope.event])
            .map_err(|e| site.fail(e).into());
    }
    let mut eval = |a: &ExprRef| a.eval(scope, &mut Value::Null);
    // Aggregates take one or two arguments: those go through the stack, not two Vecs,
    // and a constant one (`hdr`'s percentiles) is passed where it lies.
    let res = match site.args.as_slice() {
        [] => agg.accumulate(&[]),
        [a] => agg.accumulate(&[&eval(a)?]),
        [a, b] => match b.constant() {
            Some(b) => agg.accumulate(&[&eval(a)?, b]),
            None => {
                let (a, b) = (eval(a)?, eval(b)?);
                agg.accumulate(&[&a, &b])
            }
        },
        args => {
            let vals = args.iter().map(eval).collect::<Result<Vec<_>, _>>()?;
            agg.accumulate(&vals.iter().collect::<Vec<_>>())
        }
    };
    res.map_err(|e| site.fail(e).into())
}

/// Runs a `where`/`having` guard: it must be a bool.
pub fn guard(e: &ExprRef, scope: &mut Scope<'_>, clause: &'static str) -> Result<bool, ExecError> {
    match e.eval(scope, &mut Value::Null)? {
        Value::Bool(b) => Ok(b),
        value => Err(ExecError::Guard {
            clause,
            value,
            at: crate::expr::At::of(e),
        }),
    }
}
