//! Records the run loop is done with, kept for the next events.
//!
//! The decoder and the run loop are two threads: a record built by one and freed by
//! the other costs more in the allocator (a cross-thread free) than decoding its
//! fields. An aggregating query drops every event's record as soon as it has added
//! it up, so the run loop clears such records into a bin instead, and hands them
//! back with the chunk they came in; the decoder fills them again. A cleared record
//! keeps its capacity: a steady stream of events of one shape allocates nothing.
//!
//! The bin is the run loop's (a thread-local), off until [`enable`] is called there:
//! elsewhere (tests, the REPL) [`give`] just drops. Records travel back inside the
//! chunks their events came in ([`crate::peer::chunks::Chunk::spare`]).

use super::{Record, Value};
use std::cell::RefCell;

/// Records kept at most (a few chunks' worth); the rest are freed.
const BIN: usize = 4096;
/// Records with room for more fields than this are freed, not kept: an odd large
/// event must not pin its memory.
const MAX_FIELDS: usize = 16;

/// Cleared records, each in the box a [`Value::Record`] holds: the box is the
/// allocation kept, so it stays.
#[allow(clippy::vec_box)]
pub type Spare = Vec<Box<Record>>;

thread_local! {
    static SPARE: RefCell<Option<Spare>> = const { RefCell::new(None) };
}

/// Keeps records given on this thread from now on.
pub fn enable() {
    SPARE.with(|s| s.borrow_mut().get_or_insert_with(Vec::new).clear());
}

/// Drops `v`, keeping its record (cleared) for reuse when this thread keeps them.
pub fn give(v: Value) {
    let Value::Record(mut r) = v else {
        return;
    };
    if r.capacity() > MAX_FIELDS {
        return;
    }
    SPARE.with(|s| {
        if let Some(bin) = s.borrow_mut().as_mut() {
            if bin.len() < BIN {
                r.clear();
                bin.push(r);
            }
        }
    });
}

/// An empty record: a kept one if there is one.
pub fn record() -> Value {
    let kept = SPARE.with(|s| s.borrow_mut().as_mut().and_then(Vec::pop));
    Value::Record(kept.unwrap_or_default())
}

/// Moves up to `n` kept records into `to` (to travel back to the decoder).
pub fn take(to: &mut Spare, n: usize) {
    SPARE.with(|s| {
        if let Some(bin) = s.borrow_mut().as_mut() {
            let n = n.saturating_sub(to.len()).min(bin.len());
            to.extend(bin.drain(bin.len() - n..));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_by_default_then_reuses_what_it_was_given() {
        std::thread::spawn(|| {
            give(crate::record! {"a" => 1});
            let mut to = Vec::new();
            take(&mut to, 10);
            assert!(to.is_empty());
            enable();
            let r = crate::record! {"a" => 1, "b" => 2};
            let Value::Record(b) = &r else { unreachable!() };
            let addr = &**b as *const Record as usize;
            give(r);
            let Value::Record(again) = record() else {
                panic!("not a record")
            };
            assert!(again.is_empty());
            assert_eq!(&*again as *const Record as usize, addr);
            give(Value::Record(again));
            give(Value::from(3));
            take(&mut to, 10);
            assert_eq!(to.len(), 1);
        })
        .join()
        .unwrap();
    }
}
