//! The event numbers of a count `sliding` window, shared with the results it
//! emits. Each result names the window's `size` events (SPEC §4); copying their
//! numbers into every result would make an event's cost grow with `size`, which
//! SPEC §7.2 rules out. So the numbers go into a buffer that is only ever
//! appended to: a result holds the buffer and where its numbers start, and what
//! the window appends later lands beyond every number a result reads. When the
//! buffer is full the window's numbers move to a new one of twice their count
//! (amortised O(1) an event); results keep the old one alive until they go.

use std::cell::UnsafeCell;
use std::sync::Arc;

/// Numbers written once each, in order, by the one [`NumberLog`] that owns the
/// buffer; read through [`Shared`], which covers only what was written before it
/// was taken.
struct Buf {
    cells: Box<[UnsafeCell<u64>]>,
}

// SAFETY: a cell is written only by the `NumberLog` holding the buffer, through
// `&mut NumberLog`, and only at an index at or beyond the log's length; a slice
// is read only through the log itself (borrowed, so not written meanwhile) or a
// `Shared`, which covers indices below the length when it was taken, and the
// length only grows for a buffer. So no cell is written while a slice that covers
// it exists, and a `Shared` sent to another thread was written before (the send
// orders it).
unsafe impl Sync for Buf {}

impl Buf {
    fn new(capacity: usize) -> Self {
        Buf {
            cells: (0..capacity).map(|_| UnsafeCell::new(0)).collect(),
        }
    }

    /// Numbers `start..end`, all written before (see the `Sync` note).
    fn slice(&self, start: usize, end: usize) -> &[u64] {
        let cells = &self.cells[start..end];
        // SAFETY: `UnsafeCell<u64>` has the layout of `u64`, and these cells are
        // not written again while the slice lives (see the `Sync` note).
        unsafe { std::slice::from_raw_parts(cells.as_ptr().cast::<u64>(), cells.len()) }
    }
}

impl std::fmt::Debug for Buf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Buf({} numbers)", self.cells.len())
    }
}

/// The numbers a log held when it was shared, and they only: what it appends
/// later is not part of them. Positions fit in 32 bits, so it fits where a
/// `Vec` does ([`super::Lineage`] stays as small as it was).
#[derive(Clone)]
pub struct Shared {
    buf: Arc<Buf>,
    start: u32,
    end: u32,
}

impl Shared {
    pub fn numbers(&self) -> &[u64] {
        self.buf.slice(self.start as usize, self.end as usize)
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.numbers()).finish()
    }
}

/// The numbers a window holds: `buf[front..len]`. No buffer until the first
/// number (a run that acks nothing keeps none).
#[derive(Debug, Default)]
pub struct NumberLog {
    buf: Option<Arc<Buf>>,
    front: usize,
    len: usize,
}

/// The smallest buffer.
const MIN_CAPACITY: usize = 16;

impl NumberLog {
    /// How many numbers it holds.
    pub fn count(&self) -> usize {
        self.len - self.front
    }

    pub fn back(&self) -> Option<u64> {
        self.numbers().last().copied()
    }

    fn capacity(&self) -> usize {
        self.buf.as_ref().map_or(0, |b| b.cells.len())
    }

    pub fn extend(&mut self, numbers: &[u64]) {
        if self.len + numbers.len() > self.capacity() {
            self.make_room(numbers.len());
        }
        let Some(buf) = &self.buf else {
            return;
        };
        for (cell, &n) in buf.cells[self.len..].iter().zip(numbers) {
            // SAFETY: at or beyond the length: no slice covers it (see `Buf`).
            unsafe { *cell.get() = n };
        }
        self.len += numbers.len();
    }

    /// Drops the `n` oldest numbers.
    pub fn pop_front(&mut self, n: usize) {
        self.front = (self.front + n).min(self.len);
    }

    /// The numbers held, shared; `None` when there are none, or when they lie
    /// beyond 32-bit positions (billions of them: then the caller copies them).
    pub fn share(&self) -> Option<Shared> {
        let start = u32::try_from(self.front).ok()?;
        let end = u32::try_from(self.len).ok()?;
        let buf = Arc::clone(self.buf.as_ref().filter(|_| end > start)?);
        Some(Shared { buf, start, end })
    }

    /// Room for `more` numbers: the ones held move to the front of the buffer when
    /// nothing else holds it and it is big enough, else to a new buffer of twice
    /// what they will be.
    fn make_room(&mut self, more: usize) {
        let held = self.count();
        let wanted = (held + more).saturating_mul(2).max(MIN_CAPACITY);
        match self.buf.as_mut().and_then(Arc::get_mut) {
            Some(buf) if buf.cells.len() >= held + more && held <= buf.cells.len() / 2 => {
                for i in 0..held {
                    let n = *buf.cells[self.front + i].get_mut();
                    *buf.cells[i].get_mut() = n;
                }
            }
            _ => {
                let mut fresh = Buf::new(wanted);
                for (cell, &n) in fresh.cells.iter_mut().zip(self.numbers()) {
                    *cell.get_mut() = n;
                }
                self.buf = Some(Arc::new(fresh));
            }
        }
        self.front = 0;
        self.len = held;
    }

    /// The numbers held.
    pub fn numbers(&self) -> &[u64] {
        self.buf
            .as_ref()
            .map_or(&[], |b| b.slice(self.front, self.len))
    }
}

#[cfg(test)]
mod tests {
    use super::NumberLog;

    #[test]
    fn a_shared_prefix_keeps_its_numbers_while_the_log_goes_on() {
        let mut log = NumberLog::default();
        let mut shared = Vec::new();
        for i in 0..1000u64 {
            log.extend(&[i]);
            if log.count() > 10 {
                log.pop_front(1);
            }
            shared.push((log.share().expect("numbers were added"), i));
        }
        for (shared, last) in &shared {
            let numbers = shared.numbers();
            let first = last + 1 - numbers.len() as u64;
            assert_eq!(numbers, (first..=*last).collect::<Vec<_>>().as_slice());
        }
        assert_eq!(log.numbers(), (990..1000).collect::<Vec<_>>().as_slice());
        assert_eq!(log.back(), Some(999));
    }

    #[test]
    fn another_thread_reads_what_was_shared_while_the_log_goes_on() {
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut seen = 0;
            for (shared, count, last) in rx {
                let shared: super::Shared = shared;
                let numbers = shared.numbers();
                assert_eq!(numbers.len(), count);
                assert_eq!(numbers.last(), Some(&last));
                assert!(numbers.windows(2).all(|w| w[1] == w[0] + 1));
                seen += 1;
            }
            seen
        });
        let mut log = NumberLog::default();
        for i in 0..20_000u64 {
            log.extend(&[i]);
            if log.count() > 100 {
                log.pop_front(1);
            }
            let shared = log.share().expect("numbers were added");
            tx.send((shared, log.count(), i)).expect("the reader runs");
        }
        drop(tx);
        assert_eq!(reader.join().expect("the reader does not panic"), 20_000);
    }

    #[test]
    fn an_unshared_log_reuses_its_buffer() {
        let mut log = NumberLog::default();
        log.extend(&[1, 2, 3]);
        let cap = log.capacity();
        for i in 4..10_000u64 {
            log.extend(&[i]);
            log.pop_front(1);
        }
        assert_eq!(log.capacity(), cap);
        assert_eq!(log.numbers(), &[9997, 9998, 9999]);
        log.pop_front(5);
        assert_eq!(log.count(), 0);
        assert_eq!(log.back(), None);
    }
}
