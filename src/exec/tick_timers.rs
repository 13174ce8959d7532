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
use super::select::Group;
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
    pub(super) fn arm(&mut self, slots: &mut GroupSlots, slot: u32) {
        let TickPlan::Timed(t) = self else {
            return;
        };
        let Some(g) = slots.at(slot) else {
            return;
        };
        if t.arm(g, slot) {
            t.sweep(slots);
        }
    }

    /// The slots of the groups tick `ns` reaches, in creation order.
    pub(super) fn due(&mut self, ns: u64, slots: &mut GroupSlots) -> Vec<u32> {
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
}

impl TickTimers {
    /// Whether it pushed a timer.
    fn arm(&mut self, g: &mut Group, slot: u32) -> bool {
        let Ticks::From(due) = g.chain.ticks() else {
            return false;
        };
        // A later time waits for the timer that stands; an earlier one (a clock
        // that went back) gets its own, leaving that one stale.
        if g.tick_armed.is_none_or(|armed| due < armed) {
            g.tick_armed = Some(due);
            self.queue.push(TickTimer {
                due,
                seq: g.seq,
                slot,
            });
            return true;
        }
        false
    }

    /// Drops stale timers once they outnumber twice the groups: a group removed
    /// (its window emitted, its stream ended) leaves its timer until it is due,
    /// and without ticks (`--clock index`) none ever is.
    fn sweep(&mut self, slots: &GroupSlots) {
        if self.queue.len() > 2 * slots.len() + STALE_SLACK {
            self.queue.retain(|t| {
                slots
                    .get(t.slot, t.seq)
                    .is_some_and(|g| g.tick_armed == Some(t.due))
            });
        }
    }

    /// Pops the timers due at `ns`; the groups still armed with them, in creation
    /// order, are disarmed (the caller arms them again after the tick).
    fn due(&mut self, ns: u64, slots: &mut GroupSlots) -> Vec<u32> {
        let mut due = Vec::new();
        while self.queue.peek().is_some_and(|t| t.due <= ns) {
            let Some(t) = self.queue.pop() else {
                break;
            };
            // Else the group is gone, or armed again earlier (this one is stale).
            if let Some(g) = slots.get_mut(t.slot, t.seq) {
                if g.tick_armed == Some(t.due) {
                    g.tick_armed = None;
                    due.push((t.seq, t.slot));
                }
            }
        }
        due.sort_unstable();
        due.into_iter().map(|(_, slot)| slot).collect()
    }
}
