//! One connection's outgoing queue, bounded (issue 15): the executor thread never
//! waits on a peer, so the queue is an unbounded channel with a count beside it. At
//! `max_queued` events the executor stops handing events to it and halts the
//! sources that fed it ([`Outbox::offer`] says `Full`); once the connection's
//! writer has worked the queue down to half, it says so ([`Inbox::drained`]) and
//! the sources resume. A client that never reads thus costs at most `max_queued`
//! events, not all the memory there is.

use crate::event::Event;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;

/// What the executor hands a writer.
#[derive(Debug)]
pub enum Outgoing {
    Event(Event),
    /// JSON lines forwarded as read, each with its `\n`: `count` events already in
    /// the writer's encoding (see [`crate::peer::plan::takes_lines`]).
    Lines {
        bytes: Vec<u8>,
        count: u64,
    },
}

#[derive(Debug, Default)]
struct Level {
    queued: AtomicUsize,
    /// The executor found the queue full; the writer clears it once drained.
    full: AtomicBool,
}

/// The executor's end of a connection's queue.
#[derive(Debug, Clone)]
pub struct Outbox {
    tx: mpsc::UnboundedSender<Outgoing>,
    level: Arc<Level>,
}

/// What became of an event offered to an [`Outbox`].
#[derive(Debug)]
pub enum Offer {
    Queued,
    /// The queue holds `max_queued` events: the event was not taken. `first` is true
    /// the first time since the queue was last drained (time to halt its sources).
    Full {
        event: Event,
        first: bool,
    },
    /// The connection's writer is gone.
    Closed(Event),
}

impl Outbox {
    /// The queue was found full and has not come down to half since.
    pub fn is_full(&self) -> bool {
        self.level.full.load(Ordering::Acquire)
    }

    /// Queues `ev` unless the queue holds `max` events already.
    pub fn offer(&self, ev: Event, max: usize) -> Offer {
        if self.level.queued.load(Ordering::Acquire) >= max {
            let first = !self.level.full.swap(true, Ordering::AcqRel);
            return Offer::Full { event: ev, first };
        }
        self.level.queued.fetch_add(1, Ordering::AcqRel);
        match self.tx.send(Outgoing::Event(ev)) {
            Ok(()) => Offer::Queued,
            Err(e) => {
                self.level.queued.fetch_sub(1, Ordering::AcqRel);
                match e.0 {
                    Outgoing::Event(ev) => Offer::Closed(ev),
                    Outgoing::Lines { .. } => Offer::Closed(Event::default()),
                }
            }
        }
    }
}

/// The writer's end of a connection's queue.
#[derive(Debug)]
pub struct Inbox {
    rx: mpsc::UnboundedReceiver<Outgoing>,
    level: Arc<Level>,
}

/// A new connection's queue.
pub fn queue() -> (Outbox, Inbox) {
    let (tx, rx) = mpsc::unbounded_channel();
    let level = Arc::new(Level::default());
    (
        Outbox {
            tx,
            level: level.clone(),
        },
        Inbox { rx, level },
    )
}

impl From<mpsc::UnboundedReceiver<Outgoing>> for Inbox {
    /// A queue nobody bounds (a single-stream sink the executor writes to directly).
    fn from(rx: mpsc::UnboundedReceiver<Outgoing>) -> Self {
        Inbox {
            rx,
            level: Arc::default(),
        }
    }
}

impl Inbox {
    /// The next thing to write.
    pub async fn next(&mut self) -> Option<Outgoing> {
        let ev = self.rx.recv().await;
        self.took(ev.is_some());
        ev
    }

    /// The next event (a connection's queue holds only events: lines are forwarded
    /// only to writers, which read with [`Inbox::next`]).
    pub async fn recv(&mut self) -> Option<Event> {
        loop {
            match self.next().await? {
                Outgoing::Event(ev) => return Some(ev),
                Outgoing::Lines { .. } => continue,
            }
        }
    }

    pub fn try_recv(&mut self) -> Result<Event, mpsc::error::TryRecvError> {
        loop {
            let ev = self.rx.try_recv();
            self.took(ev.is_ok());
            if let Outgoing::Event(ev) = ev? {
                return Ok(ev);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rx.is_empty()
    }

    /// Takes nothing more: what is queued can still be read, a later offer is
    /// `Closed` (and its sender reports it).
    pub fn close(&mut self) {
        self.rx.close();
    }

    fn took(&self, one: bool) {
        if one {
            // Saturating: an unbounded inbox (`From`) counts nothing in.
            let _ = self
                .level
                .queued
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
        }
    }

    /// True once after the queue was found full and has since come down to half of
    /// `max`: the sources it halted may resume.
    pub fn drained(&self, max: usize) -> bool {
        self.level.full.load(Ordering::Acquire)
            && self.level.queued.load(Ordering::Acquire) <= max / 2
            && self.level.full.swap(false, Ordering::AcqRel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_at_max_then_drained_at_half() {
        let (out, mut inbox) = queue();
        for _ in 0..4 {
            assert!(matches!(out.offer(Event::default(), 4), Offer::Queued));
        }
        assert!(matches!(
            out.offer(Event::default(), 4),
            Offer::Full { first: true, .. }
        ));
        assert!(matches!(
            out.offer(Event::default(), 4),
            Offer::Full { first: false, .. }
        ));
        assert!(inbox.try_recv().is_ok());
        assert!(!inbox.drained(4), "3 queued is over half");
        assert!(inbox.try_recv().is_ok());
        assert!(inbox.drained(4));
        assert!(!inbox.drained(4), "said once");
        drop(inbox);
        assert!(matches!(out.offer(Event::default(), 4), Offer::Closed(_)));
    }
}
