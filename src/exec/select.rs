//! The `select` node (LANGUAGE §2): passthrough, simple (guards only) and normal
//! selects, group keys, per-group window chains, eviction, `max_groups`, and the
//! stream-end / drain flushes of SPEC §4 and §7.

use super::expr::{ExprRef, Scope};
use super::group::{group_value, GroupSpec};
use super::tilt::{accumulate, guard, Chain, EmitSpec, Run, Trigger};
use crate::event::{Event, Port, Signal};
use crate::exec::{Operator, Outputs};
use crate::value::{Str, Value};
use indexmap::IndexMap;
use std::sync::Arc;

/// How much work a select does per event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectMode {
    /// `select event from X into Y`
    Passthrough,
    /// `select event` with only `where`/`having`: both see the original event.
    Simple,
    /// Anything else.
    Normal,
}

/// A compiled select, shared by every running instance.
pub struct SelectSpec {
    pub mode: SelectMode,
    pub where_: Option<ExprRef>,
    pub group_by: Option<GroupSpec>,
    /// Target, having, aggregates, windows, args.
    pub emit: EmitSpec,
    /// The `group by` calls `stream_id()`: groups are flushed when their stream ends.
    pub stream_grouped: bool,
}

struct Group {
    value: Value,
    chain: Chain,
    /// The stream of the event that created the group.
    stream: (Str, u64),
}

/// A running select.
pub struct Select {
    spec: Arc<SelectSpec>,
    groups: IndexMap<String, Group>,
    /// New groups start from this chain (see the state-leak quirk in LANGUAGE §9).
    template: Chain,
    max_groups: usize,
}

impl Select {
    pub fn new(spec: Arc<SelectSpec>) -> Self {
        let max_groups = spec
            .emit
            .windows
            .iter()
            .map(|w| w.max_groups)
            .min()
            .unwrap_or(usize::MAX);
        Select {
            template: Chain::new(&spec.emit),
            spec,
            groups: IndexMap::new(),
            max_groups,
        }
    }

    fn scope<'a>(&'a self, ev: &'a Event) -> Scope<'a> {
        Scope {
            event: &ev.data,
            meta: &ev.meta,
            group: &Value::Null,
            window: &Value::Null,
            args: &self.spec.emit.args,
            aggrs: &[],
            ctx: ev.ctx(),
        }
    }

    fn keys(&self, ev: &Event) -> Result<Vec<Vec<Value>>, String> {
        match &self.spec.group_by {
            None => Ok(vec![vec![Value::Null]]),
            Some(g) => {
                // Group expressions see no args, group or window.
                let mut scope = self.scope(ev);
                scope.args = &Value::Null;
                g.keys(&scope)
            }
        }
    }

    /// A select with no windows: the target runs at once, per key (a fan-out).
    fn unwindowed(&self, ev: &Event, out: &mut Outputs) -> Result<(), String> {
        let spec = &self.spec.emit;
        for key in self.keys(ev)? {
            let (group, _) = group_value(key);
            let mut scope = self.scope(ev);
            scope.group = &group;
            // Aggregates without a window see a window of just this event.
            let mut vals = Vec::with_capacity(spec.aggrs.len());
            for site in &spec.aggrs {
                let mut agg = (site.decl.make)();
                accumulate(agg.as_mut(), site, &scope)?;
                vals.push(
                    agg.emit()
                        .map_err(|e| e.render(site.decl.module, site.decl.name, site.args.len()))?,
                );
            }
            scope.aggrs = &vals;
            let result = spec.target.eval(&scope, &mut Value::Null)?;
            if let Some(h) = &spec.having {
                scope.event = &result;
                if !guard(h, &scope, "having")? {
                    continue;
                }
            }
            out.push((Port::borrowed("out"), derived(ev, result)));
        }
        Ok(())
    }

    fn windowed(&mut self, ev: &Event, out: &mut Outputs) -> Result<(), String> {
        let trig = Trigger::of(ev);
        for key in self.keys(ev)? {
            let (group, json) = group_value(key);
            if let Some(idx) = self.groups.get_index_of(&json) {
                let cardinality = self.groups.len();
                let g = &mut self.groups[idx];
                let mut run = Run {
                    spec: &self.spec.emit,
                    group: &g.value,
                    cardinality,
                    trig: &trig,
                    out,
                };
                run.step(&mut g.chain.frames, 0)?;
                if g.chain.is_empty() {
                    self.groups.shift_remove_index(idx);
                }
                continue;
            }
            if self.groups.len() >= self.max_groups {
                return Err(format!(
                    "Maxmimum amount of groups reached ({}). Ignoring group {json}",
                    self.max_groups
                ));
            }
            let mut chain = self.template.windows_of(&self.spec.emit);
            let mut run = Run {
                spec: &self.spec.emit,
                group: &group,
                cardinality: self.groups.len(),
                trig: &trig,
                out,
            };
            run.step(&mut chain.frames, 0)?;
            if chain.is_empty() {
                // The whole chain emitted on the group's first event: Tremor kept the
                // template's window states instead of resetting them.
                self.template = chain.windows_of(&self.spec.emit);
            } else {
                let stream = (ev.id.peer.clone(), ev.id.stream);
                self.groups.insert(
                    json,
                    Group {
                        value: group,
                        chain,
                        stream,
                    },
                );
            }
        }
        Ok(())
    }

    /// Emits and drops the groups `pick` selects, in creation order.
    fn flush(&mut self, pick: impl Fn(&Group) -> bool, out: &mut Outputs) -> Result<(), String> {
        let empty = Value::record();
        let trig = Trigger {
            event: &Value::Null,
            meta: &empty,
            ingest_ns: 0,
            id: None,
            origin: None,
            lineage: &[],
        };
        let mut first_err = None;
        let mut kept = IndexMap::new();
        let cardinality = self.groups.len();
        for (k, mut g) in std::mem::take(&mut self.groups) {
            if !pick(&g) {
                kept.insert(k, g);
                continue;
            }
            let mut run = Run {
                spec: &self.spec.emit,
                group: &g.value,
                cardinality,
                trig: &trig,
                out,
            };
            if let Err(e) = run.flush(&mut g.chain.frames) {
                first_err.get_or_insert(e);
            }
        }
        self.groups = kept;
        first_err.map_or(Ok(()), Err)
    }

    fn tick(&mut self, ns: u64, out: &mut Outputs) -> Result<(), String> {
        let meta = Value::record();
        let trig = Trigger {
            event: &Value::Null,
            meta: &meta,
            ingest_ns: ns,
            id: None,
            origin: None,
            lineage: &[],
        };
        let cardinality = self.groups.len();
        let mut first_err = None;
        for g in self.groups.values_mut() {
            let mut run = Run {
                spec: &self.spec.emit,
                group: &g.value,
                cardinality,
                trig: &trig,
                out,
            };
            if let Err(e) = run.tick(&mut g.chain.frames, ns) {
                first_err.get_or_insert(e);
            }
        }
        self.groups.retain(|_, g| !g.chain.is_empty());
        first_err.map_or(Ok(()), Err)
    }
}

/// An event produced from `ev`: same meta, ingest time, id, lineage and origin.
fn derived(ev: &Event, data: Value) -> Event {
    Event {
        data,
        meta: ev.meta.clone(),
        ingest_ns: ev.ingest_ns,
        id: ev.id.clone(),
        lineage: ev.lineage.clone(),
        origin: ev.origin.clone(),
    }
}

impl Operator for Select {
    fn on_event(&mut self, _port: &str, ev: Event, out: &mut Outputs) -> Result<(), String> {
        match self.spec.mode {
            SelectMode::Passthrough => {
                out.push((Port::borrowed("out"), ev));
                Ok(())
            }
            SelectMode::Simple => {
                let spec = &self.spec;
                let scope = self.scope(&ev);
                if let Some(w) = &spec.where_ {
                    if !guard(w, &scope, "where")? {
                        return Ok(());
                    }
                }
                if let Some(h) = &spec.emit.having {
                    if !guard(h, &scope, "having")? {
                        return Ok(());
                    }
                }
                out.push((Port::borrowed("out"), ev));
                Ok(())
            }
            SelectMode::Normal => {
                if let Some(w) = &self.spec.where_ {
                    if !guard(w, &self.scope(&ev), "where")? {
                        return Ok(());
                    }
                }
                if self.spec.emit.windows.is_empty() {
                    self.unwindowed(&ev, out)
                } else {
                    self.windowed(&ev, out)
                }
            }
        }
    }

    fn on_signal(&mut self, signal: &Signal, out: &mut Outputs) -> Result<(), String> {
        if self.spec.emit.windows.is_empty() {
            return Ok(());
        }
        match signal {
            Signal::Tick(ns) => self.tick(*ns, out),
            Signal::Drain => self.flush(|_| true, out),
            Signal::EndStream { peer, stream } if self.spec.stream_grouped => {
                self.flush(|g| g.stream.0 == *peer && g.stream.1 == *stream, out)
            }
            Signal::EndStream { .. } | Signal::StartStream { .. } => Ok(()),
        }
    }
}
