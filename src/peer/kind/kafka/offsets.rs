//! Which offset of a partition may be committed: the first one handed to the graph
//! and not yet acked (the contiguous acked prefix, plus one), never just the
//! highest acked offset, so a restart after a crash reads again everything that
//! was not delivered.

use std::collections::BTreeSet;

/// One partition's offsets in flight.
#[derive(Debug, Default)]
pub struct Offsets {
    /// Handed to the graph, not yet acked.
    inflight: BTreeSet<i64>,
    /// The offset after the last one handed to the graph.
    next: Option<i64>,
    /// The last offset committed (or to be).
    committed: Option<i64>,
}

impl Offsets {
    /// Offset `o` went into the graph.
    pub fn received(&mut self, o: i64) {
        self.inflight.insert(o);
        self.next = Some(o + 1);
    }

    /// Offset `o` was delivered.
    pub fn ack(&mut self, o: i64) {
        self.inflight.remove(&o);
    }

    /// Offset `o` failed: it and everything after it are to be read again. True
    /// when the partition must seek back to `o` (it was in flight).
    pub fn fail(&mut self, o: i64) -> bool {
        if !self.inflight.contains(&o) {
            return false;
        }
        let _ = self.inflight.split_off(&o);
        self.next = Some(o);
        true
    }

    /// The offset to commit now, when it moved on since the last commit.
    pub fn take_commit(&mut self) -> Option<i64> {
        let next = self.next?;
        let c = self.inflight.first().copied().unwrap_or(next);
        if self.committed.is_some_and(|done| done >= c) {
            return None;
        }
        self.committed = Some(c);
        Some(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_the_contiguous_acked_prefix_only() {
        let mut o = Offsets::default();
        assert_eq!(o.take_commit(), None, "nothing read yet");
        for i in 10..15 {
            o.received(i);
        }
        o.ack(12);
        o.ack(13);
        assert_eq!(
            o.take_commit(),
            Some(10),
            "10 is not acked: nothing past it"
        );
        assert_eq!(o.take_commit(), None, "no change");
        o.ack(10);
        assert_eq!(o.take_commit(), Some(11));
        o.ack(11);
        assert_eq!(
            o.take_commit(),
            Some(14),
            "11..13 acked: up to the first unacked"
        );
        o.ack(14);
        assert_eq!(o.take_commit(), Some(15), "all acked: the next offset");
    }

    #[test]
    fn a_fail_rewinds_and_holds_the_commit_back() {
        let mut o = Offsets::default();
        for i in 0..5 {
            o.received(i);
        }
        o.ack(0);
        assert!(o.fail(2));
        assert!(!o.fail(3), "already going to be read again");
        assert_eq!(o.take_commit(), Some(1));
        o.ack(1);
        assert_eq!(o.take_commit(), Some(2), "2 is read again: not past it");
        o.received(2);
        o.ack(2);
        assert_eq!(o.take_commit(), Some(3));
    }
}
