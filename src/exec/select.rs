//! The `select` node (LANGUAGE §2): passthrough, simple (guards only) and normal
//! selects, group keys, per-group window chains, eviction, `max_groups`, and the
//! stream-end / drain flushes of SPEC §4 and §7.

use super::expr::{ExprRef, Scope};
use super::group::{group_value, GroupSpec};
use super::tilt::{accumulate, guard, Chain, EmitSpec, Run, Trigger};
use crate::event::{Event, FnCtx, Port, Signal};
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

    /// The scope of an input event (disjoint borrows of its fields).
    fn scope<'a>(args: &'a Value, ev: &'a mut Event) -> Scope<'a> {
        Scope {
            event: &mut ev.data,
            meta: &mut ev.meta,
            group: &Value::Null,
            window: &Value::Null,
            args,
            aggrs: &[],
            ctx: FnCtx {
                ingest_ns: ev.ingest_ns,
                origin: ev.origin.as_deref(),
                id: Some(&ev.id),
                lineage: &ev.lineage,
                cardinality: 0,
            },
        }
    }

    fn keys(&self, ev: &mut Event) -> Result<Vec<Vec<Value>>, String> {
        match &self.spec.group_by {
            None => Ok(vec![vec![Value::Null]]),
            // Group expressions see no args, group or window.
            Some(g) => g.keys(&mut Self::scope(&Value::Null, ev)),
        }
    }

    /// A select with no windows: the target runs at once, per key (a fan-out).
    fn unwindowed(&self, ev: &mut Event, out: &mut Outputs) -> Result<(), String> {
        let spec = &self.spec.emit;
        for key in self.keys(ev)? {
            let (group, _) = group_value(key);
            let mut scope = Self::scope(&spec.args, ev);
            scope.group = &group;
            // Aggregates without a window see a window of just this event.
            let mut vals = Vec::with_capacity(spec.aggrs.len());
            for site in &spec.aggrs {
                let mut agg = (site.decl.make)();
                accumulate(agg.as_mut(), site, &mut scope)?;
                vals.push(
                    agg.emit()
                        .map_err(|e| e.render(site.decl.module, site.decl.name, site.args.len()))?,
                );
            }
            scope.aggrs = &vals;
            let mut result = spec.target.eval(&mut scope, &mut Value::Null)?;
            if let Some(h) = &spec.having {
                scope.event = &mut result;
                if !guard(h, &mut scope, "having")? {
                    continue;
                }
            }
            out.push((Port::borrowed("out"), derived(ev, result)));
        }
        Ok(())
    }

    fn windowed(&mut self, ev: &mut Event, out: &mut Outputs) -> Result<(), String> {
        let keys = self.keys(ev)?;
        let stream = (ev.id.peer.clone(), ev.id.stream);
        let mut trig = Trigger::of(ev);
        for key in keys {
            let (group, json) = group_value(key);
            if let Some(idx) = self.groups.get_index_of(&json) {
                let cardinality = self.groups.len();
                let g = &mut self.groups[idx];
                let mut run = Run {
                    spec: &self.spec.emit,
                    group: &g.value,
                    cardinality,
                    trig: &mut trig,
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
                trig: &mut trig,
                out,
            };
            run.step(&mut chain.frames, 0)?;
            if chain.is_empty() {
                // The whole chain emitted on the group's first event: Tremor kept the
                // template's window states instead of resetting them.
                self.template = chain.windows_of(&self.spec.emit);
            } else {
                self.groups.insert(
                    json,
                    Group {
                        value: group,
                        chain,
                        stream: stream.clone(),
                    },
                );
            }
        }
        Ok(())
    }

    /// Emits and drops the groups `pick` selects, in creation order.
    fn flush(&mut self, pick: impl Fn(&Group) -> bool, out: &mut Outputs) -> Result<(), String> {
        let (mut event, mut meta) = (Value::Null, Value::record());
        let mut trig = Trigger {
            event: &mut event,
            meta: &mut meta,
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
                trig: &mut trig,
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
        let (mut event, mut meta) = (Value::Null, Value::record());
        let mut trig = Trigger {
            event: &mut event,
            meta: &mut meta,
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
                trig: &mut trig,
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

impl Select {
    /// Processes one event; on a runtime error the event is handed back with the
    /// message, so the executor can report it without having copied it. (Errors are
    /// rare; the large `Err` costs nothing on the success path.)
    #[allow(clippy::result_large_err)]
    pub fn handle(&mut self, mut ev: Event, out: &mut Outputs) -> Result<(), (String, Event)> {
        let res = match self.spec.mode {
            SelectMode::Passthrough => Ok(true),
            SelectMode::Simple => {
                let spec = &self.spec;
                let mut scope = Self::scope(&spec.emit.args, &mut ev);
                let mut pass = Ok(true);
                for (g, clause) in [(&spec.where_, "where"), (&spec.emit.having, "having")] {
                    if let Some(g) = g {
                        pass = guard(g, &mut scope, clause);
                        if pass != Ok(true) {
                            break;
                        }
                    }
                }
                pass
            }
            SelectMode::Normal => self.normal(&mut ev, out).map(|()| false),
        };
        match res {
            Ok(true) => {
                out.push((Port::borrowed("out"), ev));
                Ok(())
            }
            Ok(false) => Ok(()),
            Err(e) => Err((e, ev)),
        }
    }

    fn normal(&mut self, ev: &mut Event, out: &mut Outputs) -> Result<(), String> {
        if let Some(w) = &self.spec.where_ {
            if !guard(w, &mut Self::scope(&self.spec.emit.args, ev), "where")? {
                return Ok(());
            }
        }
        if self.spec.emit.windows.is_empty() {
            self.unwindowed(ev, out)
        } else {
            self.windowed(ev, out)
        }
    }
}

impl Operator for Select {
    fn on_event(&mut self, _port: &str, ev: Event, out: &mut Outputs) -> Result<(), String> {
        self.handle(ev, out).map_err(|(e, _)| e)
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
