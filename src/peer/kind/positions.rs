//! Where the events a replayable reader sent can be read again, kept per span (a
//! chunk of lines, or a batch of decoded events) rather than per event: a span's
//! position, the number of its first event and how many it holds. Event `seq` of a
//! span that starts at event `first` is read again from the span's position,
//! skipping `seq - first` more events.
//!
//! The reader numbers the events it decodes itself; the events of a chunk decoded
//! beside the graph are numbered by the executor thread, which says which numbers
//! it gave in the chunk's [`Numbering`] before the first of them enters the graph.
//! An ack or fail of an event therefore always finds its span numbered, as do the
//! spans sent before it (the executor takes chunks in order).

use super::Numbering;
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, VecDeque};

/// Where an event can be read again: an input, a byte offset in it and a number of
/// events to skip after that offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pos {
    pub input: usize,
    pub offset: u64,
    pub skip: u64,
}

/// The numbered events of one span.
#[derive(Debug)]
struct Span {
    pos: Pos,
    /// Its events are `first..first + count` (a fail truncates it).
    count: u64,
    /// One bit per event: settled (acked, or failed too often).
    settled: Vec<u64>,
    /// Events not settled yet.
    open: u64,
}

impl Span {
    fn new(pos: Pos, count: u64) -> Self {
        Span {
            pos,
            count,
            settled: vec![0; count.div_ceil(64) as usize],
            open: count,
        }
    }

    fn is_settled(&self, k: u64) -> bool {
        self.settled[(k / 64) as usize] & (1 << (k % 64)) != 0
    }

    /// Settles event `k` of the span; false if it was already.
    fn settle(&mut self, k: u64) -> bool {
        if self.is_settled(k) {
            return false;
        }
        self.settled[(k / 64) as usize] |= 1 << (k % 64);
        self.open -= 1;
        true
    }

    /// Keeps only its first `count` events; returns how many open ones went.
    fn truncate(&mut self, count: u64) -> u64 {
        let gone = (count..self.count).filter(|&k| !self.is_settled(k)).count() as u64;
        self.count = count;
        self.open -= gone;
        gone
    }

    fn pos_of(&self, k: u64) -> Pos {
        Pos {
            skip: self.pos.skip + k,
            ..self.pos
        }
    }
}

/// What became of a fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failed {
    /// Read again from here (everything from the failed event on was dropped).
    Rewind(Pos),
    /// Failed too often, or forgotten: it is lost (count it).
    Lost,
    /// Read again already by an earlier rewind (or settled): nothing to do.
    Superseded,
}

/// The positions of the events sent and not yet settled, bounded.
#[derive(Debug)]
pub struct Positions {
    /// Numbered spans with events, by `(stream, first event)`.
    spans: BTreeMap<(u64, u64), Span>,
    /// Spans sent whose numbers the executor has not said yet, in the order sent.
    unnumbered: VecDeque<(u64, Pos, Numbering)>,
    /// Open events in `spans`.
    held: u64,
    /// At most this many open events are kept; beyond, the oldest spans are forgotten.
    limit: u64,
    /// The newest event forgotten.
    forgotten: Option<(u64, u64)>,
    /// How often each position was failed.
    replays: FxHashMap<Pos, u32>,
    /// Fails of one position beyond this lose the event.
    max_replays: u32,
}

impl Positions {
    /// Keeps at most `limit` open events; an event failed more than `max_replays`
    /// times is lost.
    pub fn new(limit: u64, max_replays: u32) -> Self {
        Positions {
            spans: BTreeMap::new(),
            unnumbered: VecDeque::new(),
            held: 0,
            limit,
            forgotten: None,
            replays: FxHashMap::default(),
            max_replays,
        }
    }

    /// Events `first..first + count` of `stream` were sent, the first read from `pos`.
    pub fn numbered(&mut self, stream: u64, first: u64, count: u64, pos: Pos) {
        if count == 0 {
            return;
        }
        self.spans.insert((stream, first), Span::new(pos, count));
        self.held += count;
        while self.held > self.limit {
            let Some(((stream, first), span)) = self.spans.pop_first() else {
                break;
            };
            self.held -= span.open;
            let last = (stream, first + span.count - 1);
            self.forgotten = self.forgotten.max(Some(last));
        }
    }

    /// A chunk of `stream` read from `pos` was sent; the executor numbers its events.
    pub fn sent(&mut self, stream: u64, pos: Pos, numbering: Numbering) {
        // The bound holds also when nothing acks or fails.
        self.number();
        self.unnumbered.push_back((stream, pos, numbering));
    }

    /// Moves the chunks the executor has numbered to the spans.
    fn number(&mut self) {
        while let Some((stream, pos, n)) = self.unnumbered.front() {
            let Some(&(first, count)) = n.get() else {
                return;
            };
            let (stream, pos) = (*stream, *pos);
            self.unnumbered.pop_front();
            self.numbered(stream, first, count, pos);
        }
    }

    /// The key of the span holding event `seq` of `stream` and the event's index
    /// there, if it is kept and not settled.
    fn find(&mut self, stream: u64, seq: u64) -> Option<((u64, u64), u64)> {
        self.number();
        let (&(s, first), span) = self.spans.range(..=(stream, seq)).next_back()?;
        let k = seq - first;
        (s == stream && k < span.count && !span.is_settled(k)).then_some(((s, first), k))
    }

    /// Settles event `k` of span `key` (delivered, or lost); frees the span once
    /// all its events are.
    fn settle(&mut self, key: (u64, u64), k: u64) {
        let Some(span) = self.spans.get_mut(&key) else {
            return;
        };
        if span.settle(k) {
            self.held -= 1;
        }
        if !self.replays.is_empty() {
            self.replays.remove(&span.pos_of(k));
        }
        if span.open == 0 {
            self.spans.remove(&key);
        }
    }

    /// Event `seq` of `stream` was delivered: its position is no longer needed.
    pub fn ack(&mut self, stream: u64, seq: u64) {
        if let Some((key, k)) = self.find(stream, seq) {
            self.settle(key, k);
        }
    }

    /// Event `seq` of `stream` failed: read it and what follows again (dropping
    /// their positions, as they will be numbered anew), unless it failed too often.
    pub fn fail(&mut self, stream: u64, seq: u64) -> Failed {
        let Some((key, k)) = self.find(stream, seq) else {
            return if self.forgotten.is_some_and(|f| (stream, seq) <= f) {
                Failed::Lost
            } else {
                Failed::Superseded
            };
        };
        let Some(span) = self.spans.get_mut(&key) else {
            return Failed::Superseded;
        };
        let pos = span.pos_of(k);
        let n = self.replays.entry(pos).or_default();
        *n += 1;
        if *n > self.max_replays {
            self.settle(key, k);
            return Failed::Lost;
        }
        self.held -= span.truncate(k);
        let empty = span.open == 0;
        for (_, later) in self.spans.split_off(&(key.0, key.1 + 1)) {
            self.held -= later.open;
        }
        // Chunks on their way are read again too: their events will not be acked here.
        self.unnumbered.clear();
        if empty {
            self.spans.remove(&key);
        }
        Failed::Rewind(pos)
    }

    /// Open events kept (for tests).
    #[cfg(test)]
    fn held(&self) -> u64 {
        self.held
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, OnceLock};

    fn at(offset: u64) -> Pos {
        Pos {
            input: 0,
            offset,
            skip: 0,
        }
    }

    fn numbering(first: u64, count: u64) -> Numbering {
        let n = Numbering::default();
        n.set((first, count)).unwrap();
        n
    }

    #[test]
    fn a_fail_in_the_middle_of_a_chunk_rewinds_to_exactly_that_event() {
        let mut p = Positions::new(1 << 20, 16);
        p.sent(0, at(0), numbering(0, 10));
        p.sent(0, at(500), numbering(10, 10));
        p.ack(0, 0);
        p.ack(0, 13);
        // Event 13 was acked, 14 not: the rewind is to the chunk at 500, skipping 4.
        let want = Pos {
            input: 0,
            offset: 500,
            skip: 4,
        };
        assert_eq!(p.fail(0, 14), Failed::Rewind(want));
        // 0..10 (less the acked 0) and 10..14 (less the acked 13) stay.
        assert_eq!(p.held(), 9 + 3);
        // What followed the failed event is read again: its fail changes nothing.
        assert_eq!(p.fail(0, 17), Failed::Superseded);
        // An earlier event still rewinds further back.
        assert_eq!(
            p.fail(0, 2),
            Failed::Rewind(Pos {
                input: 0,
                offset: 0,
                skip: 2
            })
        );
        assert_eq!(p.held(), 1);
    }

    #[test]
    fn acking_every_event_of_a_chunk_frees_it() {
        let mut p = Positions::new(1 << 20, 16);
        p.sent(3, at(64), numbering(100, 3));
        for seq in [102, 100, 100, 101] {
            p.ack(3, seq);
        }
        assert_eq!(p.held(), 0);
        assert!(p.spans.is_empty(), "{:?}", p.spans);
        // Settled events are not read again.
        assert_eq!(p.fail(3, 101), Failed::Superseded);
    }

    #[test]
    fn chunks_not_numbered_yet_wait_and_empty_ones_take_no_room() {
        let mut p = Positions::new(1 << 20, 16);
        let late: Numbering = Arc::new(OnceLock::new());
        p.sent(0, at(0), numbering(0, 0));
        p.sent(0, at(10), late.clone());
        p.ack(0, 0);
        late.set((0, 2)).unwrap();
        assert_eq!(p.fail(0, 1), Failed::Rewind(Pos { skip: 1, ..at(10) }));
        assert_eq!(p.held(), 1);
    }

    #[test]
    fn the_bound_forgets_the_oldest_chunks_and_their_fails_are_lost() {
        let mut p = Positions::new(25, 16);
        for c in 0..5 {
            p.sent(0, at(c * 100), numbering(c * 10, 10));
        }
        p.ack(0, 0);
        assert!(p.held() <= 25, "{}", p.held());
        assert_eq!(p.held(), 20);
        assert!(p.unnumbered.is_empty());
        // Chunks 0..3 went; 3 and 4 stay.
        assert_eq!(p.fail(0, 5), Failed::Lost);
        assert_eq!(p.fail(0, 29), Failed::Lost);
        assert_eq!(p.fail(0, 31), Failed::Rewind(Pos { skip: 1, ..at(300) }));
    }

    #[test]
    fn an_event_failed_too_often_is_lost() {
        let mut p = Positions::new(1 << 20, 2);
        let mut stream = 0;
        for _ in 0..2 {
            p.sent(stream, at(0), numbering(0, 2));
            assert_eq!(p.fail(stream, 1), Failed::Rewind(Pos { skip: 1, ..at(0) }));
            stream += 1;
        }
        p.sent(stream, at(0), numbering(0, 2));
        assert_eq!(p.fail(stream, 1), Failed::Lost);
        assert_eq!(p.held(), 3);
    }
}
