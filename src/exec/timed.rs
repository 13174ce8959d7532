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
use super::timer_queue::TimerQueue;
use super::ExecError;
use crate::aggr::State;
use crate::aggr::States;
use crate::event::Lineage;
use crate::window::event_time::{TimeKind, TimeSpec};
use crate::window::watermark::{StreamKey, Watermarks};
use rustc_hash::FxHashMap;
use smallvec::SmallVec;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

/// One window of one group.
pub struct Pane {
    pub start: i64,
    pub end: i64,
    id: u64,
    aggrs: States,
    lineage: Lineage,
    /// Emitted; kept for late events until its clock reaches `end + lateness`.
    closed: bool,
    /// Pushed a later timer once already (see [`Place::rearm`]).
    pushed_later: bool,
    /// The timer it has in its queue: `(due, start, purge)`. It may be due before
    /// the pane's own time (a session that took events since): then it arms that
    /// when it pops, instead of a timer per event.
    armed: (i64, i64, bool),
}

impl Pane {
    /// Whether `t` is the timer this pane has in its queue (else it was superseded).
    fn armed_with(&self, t: &Timer) -> bool {
        self.armed_timer(t.seq, t.slot) == *t
    }

    /// The timer it has in its queue, for a pane of group `seq`.
    fn armed_timer(&self, seq: u64, slot: u32) -> Timer {
        let (due, start, purge) = self.armed;
        Timer {
            due,
            seq,
            start,
            id: self.id,
            purge,
            slot,
        }
    }

    /// `t` is the timer it has in its queue now.
    fn arm_with(&mut self, t: &Timer) {
        self.armed = (t.due, t.start, t.purge);
    }
}

/// The windows of one group.
#[derive(Default)]
pub struct Panes {
    /// Inline: most groups have one window open (a session, an event-time
    /// tumbling window), reached without another pointer.
    list: SmallVec<[Pane; 1]>,
    next_id: u64,
}

impl Panes {
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
    pub fn len(&self) -> usize {
        self.list.len()
    }
    /// Hints the cache to fetch the panes' aggregate states (see [`crate::sys::prefetch`]).
    pub fn prefetch_states(&self) {
        for p in &self.list {
            for a in &p.aggrs {
                if let State::Boxed(b) = a {
                    crate::sys::prefetch(&**b, 1);
                }
            }
        }
    }

    /// Whether one of the panes is armed with `t`.
    pub fn has_timer(&self, t: &Timer) -> bool {
        self.list.iter().any(|p| p.armed_with(t))
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
    /// Where the group is ([`super::group_slots::GroupSlots`]); `seq` tells whether
    /// it still is. Never decides the order: `seq` is unique.
    pub slot: u32,
}

impl Timer {
    /// The timer pane `p` of group `seq` is armed with: its close, or once closed
    /// its drop `lateness` after its end.
    fn of(p: &Pane, seq: u64, slot: u32, lateness: i64) -> Timer {
        let due = if p.closed {
            p.end.saturating_add(lateness)
        } else {
            p.end
        };
        Timer {
            due,
            seq,
            start: p.start,
            id: p.id,
            purge: p.closed,
            slot,
        }
    }
}

/// A select's event-time state: watermarks and timers.
///
/// Timers sit in a queue per clock ([`TimerQueue`]) and are never removed from its
/// middle. A pane that moves its end later (a session taking an event) pushes that
/// later timer at once the first time, when it goes at the end of the queue's
/// sorted run ([`Place::rearm`]); after that it keeps the timer it has, and when
/// that pops, the pane arms its timer of then ([`fire`]). So a session of a
/// thousand events pushes a timer per gap it outlives, not per event.
/// A pane whose timer must come earlier (merged sessions, a kept window reopened)
/// pushes the new one and leaves the old behind, stale; a popped timer counts only
/// if its pane still has it. Stale timers are swept out when they outnumber the
/// live ones, so memory stays bounded by the open windows.
pub struct TimeState {
    pub spec: Arc<TimeSpec>,
    /// The window's name (in late-event reports).
    pub window: String,
    pub wm: Watermarks,
    /// The timers on the select's clock: kept apart, so the usual select (no
    /// group keyed by its stream) reaches them without hashing a clock.
    timers: TimerQueue<Timer>,
    /// The timers on each stream's own clock.
    stream_timers: FxHashMap<StreamKey, TimerQueue<Timer>>,
    /// Timers in the queues that no pane has any more (an upper bound).
    stale: usize,
    /// Reused by sessions: the indices of the panes an event overlaps.
    hits: Vec<usize>,
    /// The clocks of the advance under way whose first timer is due, by that timer
    /// (see [`TimeState::begin_advance`]). Reused.
    due: BinaryHeap<Reverse<(Timer, usize)>>,
    /// States of dropped panes, reset, for the next panes to open (sessions and
    /// windows come and go by the thousand); `None` when an aggregate's reset is
    /// not a fresh state.
    spare: Option<Vec<Spare>>,
}

/// A dropped pane's reset aggregate states and (empty) lineage.
type Spare = (States, Lineage);

/// Spare states kept at most: the most recently dropped, still in cache, are
/// the ones taken.
const SPARE_MAX: usize = 64;

/// Stale timers tolerated before a sweep, whatever the live count.
const STALE_SLACK: usize = 4096;

impl TimeState {
    /// `aggrs`: the select's aggregates (whether their states can be reused).
    pub fn new(spec: Arc<TimeSpec>, window: String, aggrs: &[crate::aggr::AggrSite]) -> Self {
        let reusable = aggrs.iter().all(|a| (a.decl.make)().init_is_fresh());
        TimeState {
            wm: Watermarks::new(spec.delay, spec.idle),
            spec,
            window,
            timers: TimerQueue::default(),
            stream_timers: FxHashMap::default(),
            stale: 0,
            hits: Vec::new(),
            due: BinaryHeap::new(),
            spare: reusable.then(Vec::new),
        }
    }

    fn timers(&mut self, clock: &Option<StreamKey>) -> &mut TimerQueue<Timer> {
        match clock {
            None => &mut self.timers,
            Some(s) => self.stream_timers.entry(s.clone()).or_default(),
        }
    }

    pub(super) fn queue(&self, clock: &Option<StreamKey>) -> Option<&TimerQueue<Timer>> {
        match clock {
            None => Some(&self.timers),
            Some(s) => self.stream_timers.get(s),
        }
    }

    /// The clocks with timers.
    pub fn clocks(&self) -> Vec<Option<StreamKey>> {
        let select = (!self.timers.is_empty()).then_some(None);
        select
            .into_iter()
            .chain(self.stream_timers.keys().cloned().map(Some))
            .collect()
    }

    /// Starts firing the timers due on `clocks` (each with its watermark: due when
    /// at or below it). The due clocks are ordered by their first timer, so that a
    /// tick over ten thousand connections' clocks finds the earliest timer in a few
    /// steps instead of a look at every clock for every timer.
    pub fn begin_advance(&mut self, clocks: &[(Option<StreamKey>, i64)]) {
        self.due.clear();
        for i in 0..clocks.len() {
            self.check_due(clocks, i);
        }
    }

    /// Counts clock `i` among the due ones if its first timer is due. After a
    /// timer of it fired (which arms timers on that clock only).
    pub fn check_due(&mut self, clocks: &[(Option<StreamKey>, i64)], i: usize) {
        if clocks.len() < 2 {
            // One clock: its queue is the order ([`TimeState::pop_due`]).
            return;
        }
        let Some((clock, wm)) = clocks.get(i) else {
            return;
        };
        if let Some(first) = self.queue(clock).and_then(TimerQueue::peek) {
            if first.due <= *wm {
                self.due.push(Reverse((first.clone(), i)));
            }
        }
    }

    /// Removes and returns the earliest due timer and the index of its clock
    /// ([`TimeState::begin_advance`]); [`TimeState::check_due`] that clock once it
    /// fired. It may be stale.
    pub fn pop_due(&mut self, clocks: &[(Option<StreamKey>, i64)]) -> Option<(usize, Timer)> {
        let i = match clocks {
            [(clock, wm)] => {
                let first = self.queue(clock)?.peek()?;
                (first.due <= *wm).then_some(0)?
            }
            _ => self.due.pop()?.0 .1,
        };
        let t = match &clocks.get(i)?.0 {
            None => self.timers.pop()?,
            Some(s) => {
                let queue = self.stream_timers.get_mut(s)?;
                let t = queue.pop()?;
                if queue.is_empty() {
                    self.stream_timers.remove(s);
                }
                t
            }
        };
        Some((i, t))
    }

    /// Keeps the states of a dropped pane for a pane to come.
    fn recycle(&mut self, mut p: Pane) {
        let Some(spare) = &mut self.spare else {
            return;
        };
        if spare.len() < SPARE_MAX {
            p.aggrs.iter_mut().for_each(|a| a.init());
            p.lineage.clear();
            spare.push((p.aggrs, p.lineage));
        }
    }

    /// Fresh states for a new pane: reused ones if any.
    fn states(&mut self, aggrs: &[crate::aggr::AggrSite]) -> Spare {
        match self.spare.as_mut().and_then(Vec::pop) {
            Some(s) => s,
            None => {
                let states = aggrs.iter().map(|a| State::from((a.decl.make)()));
                (states.collect(), Lineage::new())
            }
        }
    }

    /// A popped timer turned out stale.
    pub fn forget_stale(&mut self) {
        self.stale = self.stale.saturating_sub(1);
    }

    /// Whether stale timers outnumber live ones (then [`TimeState::sweep`]).
    pub fn wants_sweep(&self) -> bool {
        self.stale > STALE_SLACK && self.stale * 2 > self.timer_count()
    }

    /// Keeps only the timers `live` says a pane still has.
    pub fn sweep(&mut self, live: impl Fn(&Timer) -> bool) {
        self.timers.retain(&live);
        for queue in self.stream_timers.values_mut() {
            queue.retain(&live);
        }
        self.stream_timers.retain(|_, h| !h.is_empty());
        self.stale = 0;
    }

    /// Timers held, stale ones included (for memory checks).
    pub fn timer_count(&self) -> usize {
        let streams: usize = self.stream_timers.values().map(TimerQueue::len).sum();
        self.timers.len() + streams
    }
}

/// Where a group's event lands.
pub struct Place<'a> {
    pub state: &'a mut TimeState,
    pub clock: Option<StreamKey>,
    /// The group's creation number.
    pub seq: u64,
    pub slot: u32,
    /// The group's clock's watermark before this event moves it.
    pub wm: i64,
}

impl Place<'_> {
    fn timer(&self, p: &Pane) -> Timer {
        Timer::of(p, self.seq, self.slot, self.state.spec.lateness)
    }

    fn arm(&mut self, p: &mut Pane) {
        let t = self.timer(p);
        p.arm_with(&t);
        let clock = self.clock.clone();
        self.state.timers(&clock).push(t);
    }

    /// Pane `p` changed: a timer it needs before the one it has is pushed (leaving
    /// that stale). A later one waits until the one it has pops, and is then
    /// pushed among timers due earlier (a heap) — unless it is the pane's first
    /// later timer and goes at the end of the sorted run now: a session of two
    /// events, the usual kind, never reaches the heap, and a long session leaves
    /// one stale timer at most.
    fn rearm(&mut self, p: &mut Pane) {
        let (now, has) = (self.timer(p), p.armed_timer(self.seq, self.slot));
        let later_now = || {
            !p.pushed_later
                && now > has
                && self
                    .state
                    .queue(&self.clock)
                    .is_some_and(|q| q.appends(&now))
        };
        if now < has || later_now() {
            p.pushed_later |= now > has;
            self.state.stale += 1;
            self.arm(p);
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
        let (aggrs, lineage) = self.state.states(&run.spec.aggrs);
        let mut p = Pane {
            start,
            end,
            id: panes.next_id,
            aggrs,
            lineage,
            closed: false,
            pushed_later: false,
            armed: (end, start, false),
        };
        panes.next_id += 1;
        self.arm(&mut p);
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

    /// Sessions: `[t, t + gap)` merges with every session it overlaps. With
    /// `max_duration`, when merging them all would span more than that, it joins
    /// the latest one it can without stretching it beyond that, else it starts a
    /// new one.
    fn session(
        &mut self,
        panes: &mut Panes,
        run: &mut Run<'_, '_, '_>,
        t: i64,
        gap: i64,
        max_duration: Option<i64>,
    ) -> Result<bool, ExecError> {
        let (s, e) = (t, t.saturating_add(gap));
        // A reused list: most events hit one session, and allocate nothing.
        let mut hits = std::mem::take(&mut self.state.hits);
        hits.clear();
        hits.extend((0..panes.list.len()).filter(|&i| {
            let p = &panes.list[i];
            p.start < e && s < p.end
        }));
        hits.sort_by_key(|&i| (panes.list[i].start, panes.list[i].id));
        let too_long = max_duration.filter(|&max| {
            let (lo, hi) = hits.iter().fold((s, e), |(lo, hi), &i| {
                let p = &panes.list[i];
                (lo.min(p.start), hi.max(p.end))
            });
            hi.saturating_sub(lo) > max
        });
        if let Some(max) = too_long {
            let fits = |i: &usize| {
                let p = &panes.list[*i];
                p.end.max(e).saturating_sub(p.start.min(s)) <= max
            };
            let last = hits.iter().rev().copied().find(fits);
            hits.clear();
            hits.extend(last);
        }
        let res = self.merge(panes, run, &hits, s, e);
        self.state.hits = hits;
        res
    }

    /// Session `[s, e)` of the trigger merges with the sessions `hits` (ordered by
    /// start), or opens; `false` when it is late.
    fn merge(
        &mut self,
        panes: &mut Panes,
        run: &mut Run<'_, '_, '_>,
        hits: &[usize],
        s: i64,
        e: i64,
    ) -> Result<bool, ExecError> {
        if hits.is_empty() {
            if e <= self.wm {
                return Ok(false);
            }
            let idx = self.open(panes, run, s, e);
            let p = &mut panes.list[idx];
            run.accumulate_into(&mut p.aggrs, &mut p.lineage)?;
            return Ok(true);
        }
        // Merge into the earliest; the others are combined into it, oldest first,
        // and their timers go stale.
        let keep_id = panes.list[hits[0]].id;
        self.state.stale += hits.len() - 1;
        let mut others: Vec<Pane> = Vec::new();
        if hits.len() > 1 {
            let other_ids: Vec<u64> = hits[1..].iter().map(|&i| panes.list[i].id).collect();
            let mut i = 0;
            while i < panes.list.len() {
                if other_ids.contains(&panes.list[i].id) {
                    others.push(panes.list.swap_remove(i));
                } else {
                    i += 1;
                }
            }
            others.sort_by_key(|p| (p.start, p.id));
        }
        let Some(keep_idx) = panes.list.iter().position(|p| p.id == keep_id) else {
            return Ok(true);
        };
        let target = &mut panes.list[keep_idx];
        for o in &others {
            for ((agg, src), site) in target.aggrs.iter_mut().zip(&o.aggrs).zip(&run.spec.aggrs) {
                agg.combine(&**src).map_err(|err| site.fail(err))?;
            }
            target.lineage.extend(&o.lineage);
            target.start = target.start.min(o.start);
            target.end = target.end.max(o.end);
        }
        target.start = target.start.min(s);
        target.end = target.end.max(e);
        target.closed = target.end <= self.wm;
        run.accumulate_into(&mut target.aggrs, &mut target.lineage)?;
        let emit_now = target.closed;
        self.rearm(&mut panes.list[keep_idx]);
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
    run.set_bounds(&mut p.aggrs, p.start, p.end)?;
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
    let lateness = state.spec.lateness;
    let Some(idx) = panes.list.iter().position(|p| p.armed_with(timer)) else {
        // Superseded: the pane merged into another, or is gone.
        state.forget_stale();
        return Ok(());
    };
    let now = Timer::of(&panes.list[idx], timer.seq, timer.slot, lateness);
    if now != *timer {
        // The pane took events since it armed `timer`: its own time comes later
        // (the queue pops it in order, in this same advance if it is due).
        panes.list[idx].arm_with(&now);
        state.timers(clock).push(now);
        return Ok(());
    }
    if timer.purge {
        state.recycle(panes.list.swap_remove(idx));
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
            slot: timer.slot,
        };
        p.arm_with(&t);
        state.timers(clock).push(t);
    } else {
        state.recycle(panes.list.swap_remove(idx));
    }
    res
}
