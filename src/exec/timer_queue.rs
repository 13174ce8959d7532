//! The timers of one clock, earliest first. Event-time windows arm their timers
//! mostly in order (a session's close is its last event's time plus the gap, and
//! events come mostly in order), so a timer not earlier than the latest armed one
//! is appended to a sorted run, which pops from its front: no sifting through a
//! heap that, with a hundred thousand sessions open, costs a cache miss a level.
//! Timers out of order go to a heap; the earlier of the two fronts pops first.
//! The heap is four-ary: half the levels of a binary one, each level's children
//! side by side, so a pop among a hundred thousand re-armed timers misses the
//! cache about half as often.

use std::collections::VecDeque;

/// A min-queue of `T` fast for (mostly) ascending pushes.
#[derive(Debug)]
pub struct TimerQueue<T: Ord> {
    run: VecDeque<T>,
    rest: Heap<T>,
}

impl<T: Ord> Default for TimerQueue<T> {
    fn default() -> Self {
        TimerQueue {
            run: VecDeque::new(),
            rest: Heap(Vec::new()),
        }
    }
}

impl<T: Ord> TimerQueue<T> {
    pub fn push(&mut self, t: T) {
        match self.run.back() {
            Some(last) if t < *last => self.rest.push(t),
            _ => self.run.push_back(t),
        }
    }

    /// Whether pushing `t` appends it to the sorted run (no heap to sift through).
    pub fn appends(&self, t: &T) -> bool {
        self.run.back().is_none_or(|last| t >= last)
    }

    /// The earliest timer.
    pub fn peek(&self) -> Option<&T> {
        match (self.run.front(), self.rest.peek()) {
            (Some(a), Some(b)) => Some(if b < a { b } else { a }),
            (a, b) => a.or(b),
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
            (Some(a), Some(b)) => b < a,
            (None, Some(_)) => true,
            _ => false,
        };
        if from_rest {
            self.rest.pop()
        } else {
            self.run.pop_front()
        }
    }

    /// Keeps the timers `keep` says (their order stays).
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        self.run.retain(&mut keep);
        self.rest.retain(keep);
    }

    pub fn len(&self) -> usize {
        self.run.len() + self.rest.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.run.is_empty() && self.rest.0.is_empty()
    }
}

/// A four-ary min-heap.
#[derive(Debug)]
struct Heap<T>(Vec<T>);

impl<T: Ord> Heap<T> {
    fn peek(&self) -> Option<&T> {
        self.0.first()
    }

    fn push(&mut self, t: T) {
        self.0.push(t);
        self.up(self.0.len() - 1);
    }

    fn pop(&mut self) -> Option<T> {
        let last = self.0.pop()?;
        if self.0.is_empty() {
            return Some(last);
        }
        let top = std::mem::replace(&mut self.0[0], last);
        self.down(0);
        Some(top)
    }

    fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.0.retain(keep);
        for i in (0..self.0.len()).rev() {
            self.down(i);
        }
    }

    fn up(&mut self, mut i: usize) {
        while i > 0 {
            let parent = (i - 1) / 4;
            if self.0[i] >= self.0[parent] {
                break;
            }
            self.0.swap(i, parent);
            i = parent;
        }
    }

    fn down(&mut self, mut i: usize) {
        let n = self.0.len();
        loop {
            let first = 4 * i + 1;
            let Some(least) = (first..n.min(first + 4)).min_by(|&a, &b| self.0[a].cmp(&self.0[b]))
            else {
                return;
            };
            if self.0[least] >= self.0[i] {
                return;
            }
            self.0.swap(i, least);
            i = least;
        }
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
        assert_eq!((q.run.len(), q.rest.0.len()), (4, 1));
        assert_eq!(
            std::iter::from_fn(|| q.pop()).collect::<Vec<_>>(),
            [1, 2, 2, 3, 5]
        );
    }
}
