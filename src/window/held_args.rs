//! The aggregate arguments of the events a count `sliding` window holds, oldest
//! first, `stride` values an event. They sit in blocks of a fixed number of events
//! rather than one ring buffer: a ring that grows to ten thousand events copies
//! everything it holds at each doubling, into fresh memory the kernel has to zero
//! first, and a window that fills does that all the way up. A block never moves;
//! the block its oldest events leave is reused for the newest ones, so a full
//! window allocates nothing.

use crate::value::Value;
use std::collections::VecDeque;

/// Events in a block at most (fewer when the window is smaller).
const BLOCK_EVENTS: usize = 256;

pub struct HeldArgs {
    stride: usize,
    /// Events a block holds.
    per_block: usize,
    blocks: VecDeque<Vec<Value>>,
    /// Events already taken off the front block (their values are `Null`).
    head: usize,
    /// Events held.
    len: usize,
    /// A block emptied at the front, kept for the back.
    spare: Option<Vec<Value>>,
}

impl HeldArgs {
    /// For a window of `size` events, `stride` values each.
    pub fn new(size: usize, stride: usize) -> Self {
        HeldArgs {
            stride,
            per_block: size.clamp(1, BLOCK_EVENTS),
            blocks: VecDeque::new(),
            head: 0,
            len: 0,
            spare: None,
        }
    }

    /// Events held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Adds the newest event's values (`stride` of them).
    pub fn push(&mut self, values: impl Iterator<Item = Value>) {
        self.len += 1;
        if self.stride == 0 {
            return;
        }
        let cap = self.per_block * self.stride;
        if self.blocks.back().is_none_or(|b| b.len() >= cap) {
            let block = self.spare.take().unwrap_or_else(|| Vec::with_capacity(cap));
            self.blocks.push_back(block);
        }
        if let Some(back) = self.blocks.back_mut() {
            back.extend(values);
        }
    }

    /// Drops the oldest event's values.
    pub fn pop(&mut self) {
        if self.len == 0 {
            return;
        }
        self.len -= 1;
        if self.stride == 0 {
            return;
        }
        let from = self.head * self.stride;
        if let Some(front) = self.blocks.front_mut() {
            if let Some(values) = front.get_mut(from..from + self.stride) {
                values.fill(Value::Null);
            }
        }
        self.head += 1;
        // Every block but the last is full: the front one is done when all its
        // events are gone, or when nothing is held any more.
        if self.head == self.per_block || self.len == 0 {
            if let Some(mut block) = self.blocks.pop_front() {
                block.clear();
                self.spare = Some(block);
            }
            self.head = 0;
        }
    }

    /// The values of held event `i` (0 the oldest).
    pub fn event(&self, i: usize) -> &[Value] {
        let at = self.head + i;
        let (block, within) = (at / self.per_block, at % self.per_block);
        let from = within * self.stride;
        self.blocks
            .get(block)
            .and_then(|b| b.get(from..from + self.stride))
            .unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::HeldArgs;
    use crate::value::Value;

    fn vals(n: i64) -> impl Iterator<Item = Value> {
        [Value::I64(n), Value::from(format!("e{n}"))].into_iter()
    }

    #[test]
    fn holds_the_last_events_in_order_across_blocks_and_reuses_them() {
        for size in [1, 3, 256, 1000] {
            let mut h = HeldArgs::new(size, 2);
            for n in 0..3000i64 {
                h.push(vals(n));
                if h.len() > size {
                    h.pop();
                }
                let first = (n + 1 - h.len() as i64).max(0);
                for (i, want) in (first..=n).enumerate() {
                    assert_eq!(
                        h.event(i),
                        vals(want).collect::<Vec<_>>(),
                        "size {size} after {n}"
                    );
                }
                assert_eq!(h.event(0).first(), Some(&Value::I64(first)));
            }
            // Full: blocks are reused, not added.
            assert!(
                h.blocks.len() <= size.div_ceil(h.per_block) + 1,
                "size {size}"
            );
            while h.len() > 0 {
                h.pop();
            }
            assert_eq!(h.len(), 0);
            h.push(vals(7));
            assert_eq!(h.event(0), vals(7).collect::<Vec<_>>());
        }
    }

    #[test]
    fn an_event_of_no_values_is_still_counted() {
        let mut h = HeldArgs::new(10, 0);
        for _ in 0..25 {
            h.push(std::iter::empty());
            if h.len() > 10 {
                h.pop();
            }
        }
        assert_eq!(h.len(), 10);
        assert_eq!(h.event(3), &[] as &[Value]);
    }
}
