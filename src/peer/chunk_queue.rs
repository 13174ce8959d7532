//! The hand-over between the reader thread and the run loop: an ordered queue of
//! chunks that either side may decode.
//!
//! Decoding is most of the work of a simple query, so it is shared: the reader
//! decodes once it is ahead (two or more chunks wait undecoded), and the run loop,
//! instead of waiting for the chunk it needs next, decodes whichever chunk is still
//! undecoded. A chunk being decoded is taken out of its entry and put back, so
//! chunks still come out in the order they were read.

use super::chunks::{Chunk, ChunkPool, Decoder, Input};
use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Entries (read, decoded or not, and not yet taken) the reader may be ahead by.
const AHEAD: usize = 4;

enum Entry {
    /// `chunk` is `None` while one side decodes it.
    Lines {
        seq: u64,
        chunk: Option<Chunk>,
        decoded: bool,
    },
    /// Reading failed, or every input ended (the last entry either way).
    Last(Input),
}

#[derive(Default)]
struct State {
    entries: VecDeque<Entry>,
    /// The run loop has stopped listening.
    closed: bool,
    next_seq: u64,
}

impl State {
    /// Takes the oldest undecoded chunk out of its entry.
    fn claim(&mut self) -> Option<(u64, Chunk)> {
        self.entries.iter_mut().find_map(|e| match e {
            Entry::Lines {
                seq,
                chunk: chunk @ Some(_),
                decoded: false,
            } => chunk.take().map(|c| (*seq, c)),
            _ => None,
        })
    }

    fn undecoded(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| matches!(e, Entry::Lines { decoded: false, .. }))
            .count()
    }
}

/// Shared by the reader thread and the run loop.
#[derive(Default)]
pub(super) struct Queue {
    state: Mutex<State>,
    cond: Condvar,
    /// Chunks handed back by the run loop, for the reader to fill again.
    free: ChunkPool,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic on the other side leaves the state consistent (entries are only
        // changed under the lock, never half-way), so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Decodes the oldest undecoded chunk, if there is one; the lock is released
    /// while decoding. False when there was nothing to decode.
    fn help<'q>(
        &'q self,
        mut st: MutexGuard<'q, State>,
        decoder: &mut Decoder,
    ) -> (MutexGuard<'q, State>, bool) {
        let Some((seq, mut chunk)) = st.claim() else {
            return (st, false);
        };
        drop(st);
        chunk.decode(decoder);
        let mut st = self.lock();
        let mut chunk = Some(chunk);
        for e in st.entries.iter_mut() {
            if let Entry::Lines {
                seq: s,
                chunk: slot,
                decoded,
            } = e
            {
                if *s == seq {
                    *slot = chunk.take();
                    *decoded = true;
                    break;
                }
            }
        }
        self.cond.notify_all();
        (st, true)
    }

    /// Reader side: queues a chunk (not yet decoded), waiting while the run loop is
    /// far behind, and decodes one itself when ahead. False once the run loop is gone.
    pub(super) fn push(&self, chunk: Chunk, decoder: &mut Decoder) -> bool {
        let mut st = self.lock();
        while st.entries.len() >= AHEAD && !st.closed {
            let (guard, helped) = self.help(st, decoder);
            st = guard;
            if !helped {
                st = self.cond.wait(st).unwrap_or_else(|e| e.into_inner());
            }
        }
        if st.closed {
            return false;
        }
        let seq = st.next_seq;
        st.next_seq += 1;
        st.entries.push_back(Entry::Lines {
            seq,
            chunk: Some(chunk),
            decoded: false,
        });
        self.cond.notify_all();
        // One undecoded chunk is left for the run loop to pick up when it runs dry.
        if st.undecoded() >= 2 {
            st = self.help(st, decoder).0;
        }
        !st.closed
    }

    /// Reader side: the last message, after decoding what is still undecoded.
    pub(super) fn finish(&self, last: Input, decoder: &mut Decoder) {
        let mut st = self.lock();
        while !st.closed {
            let (guard, helped) = self.help(st, decoder);
            st = guard;
            if !helped {
                break;
            }
        }
        st.entries.push_back(Entry::Last(last));
        self.cond.notify_all();
    }

    /// Reader side, unwinding: fails the run without decoding anything more.
    pub(super) fn abandon(&self, why: &str) {
        let mut st = self.lock();
        st.entries
            .push_back(Entry::Last(Input::Failed(why.to_string())));
        self.cond.notify_all();
    }

    /// Reader side: a chunk to fill (one the run loop handed back, if any).
    pub(super) fn reuse(&self) -> Chunk {
        self.free.take()
    }

    /// Run-loop side: the next decoded chunk (or the end), decoding while waiting;
    /// `None` if nothing arrived within `wait`.
    pub(super) fn next(&self, wait: Duration, decoder: &mut Decoder) -> Option<Input> {
        let deadline = Instant::now() + wait;
        let mut st = self.lock();
        loop {
            let ready = match st.entries.front() {
                Some(Entry::Lines { decoded, chunk, .. }) => *decoded && chunk.is_some(),
                Some(Entry::Last(_)) => true,
                None => false,
            };
            if ready {
                let entry = st.entries.pop_front();
                self.cond.notify_all();
                return match entry {
                    Some(Entry::Lines {
                        chunk: Some(chunk), ..
                    }) => Some(Input::Lines(chunk)),
                    Some(Entry::Last(last)) => Some(last),
                    _ => None,
                };
            }
            let (guard, helped) = self.help(st, decoder);
            st = guard;
            if helped {
                continue;
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            st = self
                .cond
                .wait_timeout(st, deadline - now)
                .map_or_else(|e| e.into_inner().0, |(g, _)| g);
        }
    }

    /// Run-loop side: a chunk done with, to be filled again.
    pub(super) fn recycle(&self, chunk: Chunk) {
        self.free.put(chunk);
    }

    /// Run-loop side: nothing more will be taken; the reader stops at its next chunk.
    pub(super) fn close(&self) {
        self.lock().closed = true;
        self.cond.notify_all();
    }
}
