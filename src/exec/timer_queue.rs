//! The timers of one clock, earliest first. Event-time windows arm their timers
//! mostly in order (a session's close is its last event's time plus the gap, and
//! events come mostly in order), so a timer not earlier than the latest armed one
//! is appended to a sorted run, which pops from its front: no sifting through a
//! heap that, with a hundred thousand sessions open, costs a cache miss a level.
//! Timers out of order go to a heap; the earlier of the two fronts pops first.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// A min-queue of `T` fast for (mostly) ascending pushes.
#[derive(Debug)]
pub struct TimerQueue<T: Ord> {
    run: VecDeque<T>,
    rest: BinaryHeap<Reverse<T>>,
}

impl<T: Ord> Default for TimerQueue<T> {
    fn default() -> Self {
        TimerQueue {
            run: VecDeque::new(),
            rest: BinaryHeap::new(),
        }
    }
}

impl<T: Ord> TimerQueue<T> {
    pub fn push(&mut self, t: T) {
        match self.run.back() {
            Some(last) if t < *last => self.rest.push(Reverse(t)),
            _ => self.run.push_back(t),
        }
    }

    /// The earliest timer.
    pub fn peek(&self) -> Option<&T> {
        match (self.run.front(), self.rest.peek()) {
            (Some(a), Some(Reverse(b))) => Some(if b < a { b } else { a }),
            (a, b) => a.or(b.map(|Reverse(b)| b)),
        }
    }

    /// The timer `k` places behind the front of the sorted run (not counting the
    /// out-of-order ones): one that is likely to pop soon.
    pub fn ahead(&self, k: usize) -> Option<&T> {
        self.run.get(k)
    }

    /// Removes the earliest timer.
    pub fn pop(&mut self) -> Option<T> {
        let from_rest = match (self.run.front(), self.rest.peek()) {
            (Some(a), Some(Reverse(b))) => b < a,
            (None, Some(_)) => true,
            _ => false,
        };
        if from_rest {
            self.rest.pop().map(|Reverse(t)| t)
        } else {
            self.run.pop_front()
        }
    }

    /// Keeps the timers `keep` says (their order stays).
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        self.run.retain(&mut keep);
        self.rest.retain(|Reverse(t)| keep(t));
    }

    pub fn len(&self) -> usize {
        self.run.len() + self.rest.len()
    }

    pub fn is_empty(&self) -> bool {
        self.run.is_empty() && self.rest.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::TimerQueue;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn pops_in_order_whatever_the_pushes(
            ops in prop::collection::vec(prop::option::of(0u32..50), 0..200),
            cut in 0u32..50,
        ) {
            let mut q = TimerQueue::default();
            let mut model: Vec<u32> = Vec::new();
            for op in ops {
                match op {
                    Some(t) => {
                        q.push(t);
                        model.push(t);
                    }
                    None => {
                        model.sort_unstable();
                        let want = (!model.is_empty()).then(|| model.remove(0));
                        prop_assert_eq!(q.peek().copied(), want);
                        prop_assert_eq!(q.pop(), want);
                    }
                }
                prop_assert_eq!(q.len(), model.len());
            }
            q.retain(|t| *t >= cut);
            model.retain(|t| *t >= cut);
            model.sort_unstable();
            let mut got = Vec::new();
            while let Some(t) = q.pop() {
                got.push(t);
            }
            prop_assert_eq!(got, model);
            prop_assert!(q.is_empty());
        }
    }

    #[test]
    fn ascending_pushes_stay_in_the_run() {
        let mut q = TimerQueue::default();
        for t in [1, 2, 2, 5] {
            q.push(t);
        }
        q.push(3);
        assert_eq!((q.run.len(), q.rest.len()), (4, 1));
        assert_eq!(
            std::iter::from_fn(|| q.pop()).collect::<Vec<_>>(),
            [1, 2, 2, 3, 5]
        );
    }
}
