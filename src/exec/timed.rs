//! The windows of an event-time window kind within one select (SPEC §7.1): each
//! group's open and kept windows ("panes"), the timers that close them when their
//! clock's watermark reaches their end and drop them at end plus `lateness`, and
//! the placing of an event into its windows (late or not).
//!
//! A group keyed by its stream runs on that stream's watermark (clock
//! `Some(stream)`); every other group on the select's (clock `None`). Timers are
//! ordered by due time, then group creation order, then start: the emission order
//! of windows closing together.

use super::tilt::{Frame, Run};
use super::ExecError;
use crate::aggr::Aggregate;
use crate::event::EventId;
use crate::value::Value;
use crate::window::event_time::{TimeKind, TimeSpec};
use crate::window::watermark::{StreamKey, Watermarks};
use rustc_hash::FxHashMap;
use std::collections::BTreeSet;
use std::sync::Arc;

/// One window of one group.
pub struct Pane {
    pub start: i64,
    pub end: i64,
    id: u64,
    aggrs: Vec<Box<dyn Aggregate>>,
    lineage: Vec<EventId>,
    /// Emitted; kept for late events until its clock reaches `end + lateness`.
    closed: bool,
}

/// The windows of one group.
#[derive(Default)]
pub struct Panes {
    list: Vec<Pane>,
    next_id: u64,
}

impl Panes {
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
    pub fn len(&self) -> usize {
        self.list.len()
    }
}

/// When a pane closes (`purge` false) or is dropped.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timer {
    pub due: i64,
    /// The group's creation number.
    pub seq: u64,
    pub start: i64,
    pub id: u64,
    pub purge: bool,
}

/// A select's event-time state: watermarks and timers.
pub struct TimeState {
    pub spec: Arc<TimeSpec>,
    /// The window's name (in late-event reports).
    pub window: String,
    pub wm: Watermarks,
    timers: FxHashMap<Option<StreamKey>, BTreeSet<Timer>>,
}

impl TimeState {
    pub fn new(spec: Arc<TimeSpec>, window: String) -> Self {
        TimeState {
            wm: Watermarks::new(spec.delay, spec.idle),
            spec,
            window,
            timers: FxHashMap::default(),
        }
    }

    fn timers(&mut self, clock: &Option<StreamKey>) -> &mut BTreeSet<Timer> {
        if !self.timers.contains_key(clock) {
            self.timers.insert(clock.clone(), BTreeSet::new());
        }
        self.timers.entry(clock.clone()).or_default()
    }

    /// The clocks with timers.
    pub fn clocks(&self) -> Vec<Option<StreamKey>> {
        self.timers.keys().cloned().collect()
    }

    /// Removes and returns the earliest timer due on any of `clocks` (each with its
    /// watermark: due when at or below it).
    pub fn pop_due(
        &mut self,
        clocks: &[(Option<StreamKey>, i64)],
    ) -> Option<(Option<StreamKey>, Timer)> {
        let mut best: Option<(&Option<StreamKey>, &Timer)> = None;
        for (clock, wm) in clocks {
            let Some(first) = self.timers.get(clock).and_then(BTreeSet::first) else {
                continue;
            };
            if first.due <= *wm && best.is_none_or(|(_, b)| first < b) {
                best = Some((clock, first));
            }
        }
        let clock = best.map(|(c, _)| c.clone())?;
        let set = self.timers.get_mut(&clock)?;
        let t = set.pop_first()?;
        if set.is_empty() {
            self.timers.remove(&clock);
        }
        Some((clock, t))
    }

    /// Timers held (for memory checks).
    pub fn timer_count(&self) -> usize {
        self.timers.values().map(BTreeSet::len).sum()
    }
}

/// Where a group's event lands.
pub struct Place<'a> {
    pub state: &'a mut TimeState,
    pub clock: Option<StreamKey>,
    /// The group's creation number.
    pub seq: u64,
    /// The group's clock's watermark before this event moves it.
    pub wm: i64,
}

impl Place<'_> {
    fn timer(&self, p: &Pane) -> Timer {
        let due = if p.closed {
            p.end.saturating_add(self.state.spec.lateness)
        } else {
            p.end
        };
        Timer {
            due,
            seq: self.seq,
            start: p.start,
            id: p.id,
            purge: p.closed,
        }
    }

    fn arm(&mut self, p: &Pane) {
        let t = self.timer(p);
        let clock = self.clock.clone();
        self.state.timers(&clock).insert(t);
    }

    fn disarm(&mut self, p: &Pane) {
        let t = self.timer(p);
        if let Some(set) = self.state.timers.get_mut(&self.clock) {
            set.remove(&t);
        }
    }

    /// Puts the trigger of `run` into its windows in `panes`; a kept (closed) window
    /// it updates emits again at once. `false` when it fell into no window: late.
    pub fn event(
        &mut self,
        panes: &mut Panes,
        chain: &mut [Frame],
        run: &mut Run<'_, '_, '_>,
        t: i64,
    ) -> Result<bool, ExecError> {
        match self.state.spec.kind {
            TimeKind::Session { gap, max_duration } => {
                self.session(panes, run, t, gap, max_duration)
            }
            TimeKind::Tumbling { interval } => {
                // One window per event: no list to build.
                let start = crate::window::event_time::floor_to(t, interval);
                self.fixed(panes, chain, run, start, start.saturating_add(interval))
            }
            TimeKind::Hopping { .. } => {
                let mut placed = false;
                for (start, end) in self.state.spec.fixed_windows(t) {
                    placed |= self.fixed(panes, chain, run, start, end)?;
                }
                Ok(placed)
            }
        }
    }

    /// The trigger goes into window `[start, end)`, opened if new and not yet
    /// behind the watermark; `false` when it is.
    fn fixed(
        &mut self,
        panes: &mut Panes,
        chain: &mut [Frame],
        run: &mut Run<'_, '_, '_>,
        start: i64,
        end: i64,
    ) -> Result<bool, ExecError> {
        let idx = match panes.list.iter().position(|p| p.start == start) {
            Some(i) => i,
            None if end > self.wm => self.open(panes, run, start, end),
            None => return Ok(false),
        };
        self.add(panes, idx, chain, run)?;
        Ok(true)
    }

    /// A new open pane `[start, end)`; returns its index.
    fn open(&mut self, panes: &mut Panes, run: &Run<'_, '_, '_>, start: i64, end: i64) -> usize {
        let p = Pane {
            start,
            end,
            id: panes.next_id,
            aggrs: run.spec.aggrs.iter().map(|a| (a.decl.make)()).collect(),
            lineage: Vec::new(),
            closed: false,
        };
        panes.next_id += 1;
        self.arm(&p);
        panes.list.push(p);
        panes.list.len() - 1
    }

    /// The trigger goes into pane `idx`; a closed one emits its updated result.
    fn add(
        &mut self,
        panes: &mut Panes,
        idx: usize,
        chain: &mut [Frame],
        run: &mut Run<'_, '_, '_>,
    ) -> Result<(), ExecError> {
        let p = &mut panes.list[idx];
        run.accumulate_into(&mut p.aggrs, &mut p.lineage)?;
        if p.closed {
            // A late update: the whole result again, but not again into later tilt
            // frames, which took this window in when it closed.
            emit_pane(run, p, chain, false)?;
        }
        Ok(())
    }

    /// Sessions: `[t, t + gap)` merges with every session it overlaps; with
    /// `max_duration`, it joins the latest one it can without stretching it beyond
    /// that, else it starts a new one.
    fn session(
        &mut self,
        panes: &mut Panes,
        run: &mut Run<'_, '_, '_>,
        t: i64,
        gap: i64,
        max_duration: Option<i64>,
    ) -> Result<bool, ExecError> {
        let (s, e) = (t, t.saturating_add(gap));
        let mut hits: Vec<usize> = (0..panes.list.len())
            .filter(|&i| panes.list[i].start < e && s < panes.list[i].end)
            .collect();
        hits.sort_by_key(|&i| (panes.list[i].start, panes.list[i].id));
        if let Some(max) = max_duration {
            let fits = |i: &usize| {
                let p = &panes.list[*i];
                p.end.max(e).saturating_sub(p.start.min(s)) <= max
            };
            hits = hits.into_iter().rev().find(fits).into_iter().collect();
        }
        if hits.is_empty() {
            if e <= self.wm {
                return Ok(false);
            }
            let idx = self.open(panes, run, s, e);
            let p = &mut panes.list[idx];
            run.accumulate_into(&mut p.aggrs, &mut p.lineage)?;
            return Ok(true);
        }
        // Merge into the earliest; the others are combined into it, oldest first.
        let keep_id = panes.list[hits[0]].id;
        let other_ids: Vec<u64> = hits[1..].iter().map(|&i| panes.list[i].id).collect();
        for &i in &hits {
            self.disarm(&panes.list[i]);
        }
        let mut others: Vec<Pane> = Vec::new();
        let mut i = 0;
        while i < panes.list.len() {
            if other_ids.contains(&panes.list[i].id) {
                others.push(panes.list.swap_remove(i));
            } else {
                i += 1;
            }
        }
        let Some(keep_idx) = panes.list.iter().position(|p| p.id == keep_id) else {
            return Ok(true);
        };
        others.sort_by_key(|p| (p.start, p.id));
        let target = &mut panes.list[keep_idx];
        for o in &others {
            for ((agg, src), site) in target.aggrs.iter_mut().zip(&o.aggrs).zip(&run.spec.aggrs) {
                agg.combine(src.as_ref()).map_err(|err| site.fail(err))?;
            }
            target.lineage.extend_from_slice(&o.lineage);
            target.start = target.start.min(o.start);
            target.end = target.end.max(o.end);
        }
        target.start = target.start.min(s);
        target.end = target.end.max(e);
        target.closed = target.end <= self.wm;
        run.accumulate_into(&mut target.aggrs, &mut target.lineage)?;
        let emit_now = target.closed;
        self.arm(&panes.list[keep_idx]);
        if emit_now {
            emit_pane(run, &mut panes.list[keep_idx], &mut [], false)?;
        }
        Ok(true)
    }
}

/// Emits pane `p`: its result with `win::start()`/`win::end()` set to its bounds,
/// then (`propagate`) into the tilt frames after the event-time window.
pub fn emit_pane(
    run: &mut Run<'_, '_, '_>,
    p: &mut Pane,
    chain: &mut [Frame],
    propagate: bool,
) -> Result<(), ExecError> {
    for (agg, site) in p.aggrs.iter_mut().zip(&run.spec.aggrs) {
        if site.bound {
            agg.init();
            agg.accumulate(&[&Value::I64(p.start), &Value::I64(p.end)])
                .map_err(|e| site.fail(e))?;
        }
    }
    run.emit_state(0, &mut p.aggrs, &p.lineage)?;
    if propagate && !chain.is_empty() {
        run.head = Some((std::mem::take(&mut p.aggrs), std::mem::take(&mut p.lineage)));
        let res = run.step(chain, 0);
        if let Some((aggrs, lineage)) = run.head.take() {
            (p.aggrs, p.lineage) = (aggrs, lineage);
        }
        res?;
    }
    Ok(())
}

/// A due timer fires on `panes`: a close emits the pane and keeps it for
/// `lateness` (arming its drop), a drop removes it.
pub fn fire(
    state: &mut TimeState,
    clock: &Option<StreamKey>,
    timer: &Timer,
    panes: &mut Panes,
    chain: &mut [Frame],
    run: &mut Run<'_, '_, '_>,
) -> Result<(), ExecError> {
    let Some(idx) = panes.list.iter().position(|p| p.id == timer.id) else {
        return Ok(());
    };
    if timer.purge {
        panes.list.swap_remove(idx);
        return Ok(());
    }
    let res = emit_pane(run, &mut panes.list[idx], chain, true);
    let p = &mut panes.list[idx];
    p.closed = true;
    if state.spec.lateness > 0 {
        let t = Timer {
            due: p.end.saturating_add(state.spec.lateness),
            seq: timer.seq,
            start: p.start,
            id: p.id,
            purge: true,
        };
        state.timers(clock).insert(t);
    } else {
        panes.list.swap_remove(idx);
    }
    res
}
