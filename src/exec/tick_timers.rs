//! Which groups of a classic (processing-time) select a tick reaches (SPEC §7).
//!
//! A tick comes every 100 ms whether or not a window closes. Asking every group's
//! window costs a pass over all of them per tick: with a hundred thousand groups,
//! milliseconds of every 100. Most windows say when a tick will next make them act
//! ([`Window::ticks`]): the first window of each such group has a timer for that
//! time, and a tick reaches only the groups whose timer is due, in creation order
//! as before. A window that moved its time later since (an event closed it) keeps
//! the timer it has: when that pops, the group is asked and armed again, so an
//! event costs no timer. Windows whose ticks run a script are asked on every tick.
//!
//! [`Window::ticks`]: crate::window::Window::ticks

use super::group_slots::GroupSlots;
use super::timer_queue::TimerQueue;
use crate::window::{Ticks, WindowSpec};

/// How a select's ticks find their groups.
pub(super) enum TickPlan {
    /// No window of the kind acts on ticks: a tick does nothing.
    Deaf,
    /// By timers.
    Timed(TickTimers),
    /// Every group, in creation order (ticks run a script).
    Every,
}

impl TickPlan {
    /// The plan for a classic select whose first window is `first`.
    pub(super) fn of(first: Option<&WindowSpec>) -> TickPlan {
        let Some(w) = first else {
            return TickPlan::Deaf;
        };
        match w.proto.ticks() {
            Ticks::Never => TickPlan::Deaf,
            Ticks::Idle | Ticks::From(_) => TickPlan::Timed(TickTimers::default()),
            Ticks::Every => TickPlan::Every,
        }
    }

    /// The group in `slot` took an event or a tick: its window's next tick gets a
    /// timer unless an earlier one stands.
    pub(super) fn arm(&mut self, slots: &GroupSlots, slot: u32) {
        if let TickPlan::Timed(t) = self {
            t.arm(slots, slot);
        }
    }

    /// The slots of the groups tick `ns` reaches, in creation order.
    pub(super) fn due(&mut self, ns: u64, slots: &GroupSlots) -> Vec<u32> {
        match self {
            TickPlan::Deaf => Vec::new(),
            TickPlan::Every => slots.in_order(),
            TickPlan::Timed(t) => t.due(ns, slots),
        }
    }

    /// Timers held, stale ones included (for memory checks).
    pub(super) fn len(&self) -> usize {
        match self {
            TickPlan::Timed(t) => t.queue.len(),
            _ => 0,
        }
    }
}

/// Stale timers tolerated beyond twice the groups, before a sweep.
const STALE_SLACK: usize = 1024;

/// When a group's first window next acts on a tick: its due time, then the
/// group's creation number and slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct TickTimer {
    due: u64,
    seq: u64,
    slot: u32,
}

#[derive(Default)]
pub(super) struct TickTimers {
    queue: TimerQueue<TickTimer>,
    /// By slot: the group (`seq`) and due time of the timer that stands for it.
    /// Kept here, not in the group, so groups of the other window kinds (a
    /// hundred thousand sessions) do not carry it.
    armed: Vec<Armed>,
}

/// A slot's standing timer: `(seq, due)`.
type Armed = (u64, u64);

/// A slot with no standing timer (no group has this creation number).
const UNARMED: Armed = (u64::MAX, 0);

impl TickTimers {
    /// The due time of the timer that stands for group `seq` in `slot`.
    fn armed(&self, slot: u32, seq: u64) -> Option<u64> {
        self.armed
            .get(slot as usize)
            .filter(|a| a.0 == seq)
            .map(|a| a.1)
    }

    /// Whether `t` is the timer that stands for a live group.
    fn stands(&self, slots: &GroupSlots, t: &TickTimer) -> bool {
        self.armed(t.slot, t.seq) == Some(t.due) && slots.get(t.slot, t.seq).is_some()
    }

    fn arm(&mut self, slots: &GroupSlots, slot: u32) {
        let Some(g) = slots.at_ref(slot) else {
            return;
        };
        let Ticks::From(due) = g.chain.ticks() else {
            return;
        };
        // A later time waits for the timer that stands; an earlier one (a clock
        // that went back) gets its own, leaving that one stale.
        if self.armed(slot, g.seq).is_some_and(|armed| armed <= due) {
            return;
        }
        let at = slot as usize;
        if self.armed.len() <= at {
            self.armed.resize(at + 1, UNARMED);
        }
        self.armed[at] = (g.seq, due);
        self.queue.push(TickTimer {
            due,
            seq: g.seq,
            slot,
        });
        self.sweep(slots);
    }

    /// Drops stale timers once they outnumber twice the groups: a group removed
    /// (its window emitted, its stream ended) leaves its timer until it is due,
    /// and without ticks (`--clock index`) none ever is.
    fn sweep(&mut self, slots: &GroupSlots) {
        if self.queue.len() > 2 * slots.len() + STALE_SLACK {
            let mut queue = std::mem::take(&mut self.queue);
            queue.retain(|t| self.stands(slots, t));
            self.queue = queue;
        }
    }

    /// Pops the timers due at `ns`; the groups they stand for, in creation order,
    /// are disarmed (the caller arms them again after the tick).
    fn due(&mut self, ns: u64, slots: &GroupSlots) -> Vec<u32> {
        let mut due = Vec::new();
        while self.queue.peek().is_some_and(|t| t.due <= ns) {
            let Some(t) = self.queue.pop() else {
                break;
            };
            // Else the group is gone, or armed again earlier (this one is stale).
            if self.stands(slots, &t) {
                self.armed[t.slot as usize] = UNARMED;
                due.push((t.seq, t.slot));
            }
        }
        due.sort_unstable();
        due.into_iter().map(|(_, slot)| slot).collect()
    }
}
