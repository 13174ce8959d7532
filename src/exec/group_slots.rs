//! The groups of a select. Each lives in a slot that keeps its number for as
//! long as the group lives, so a timer names its group by slot and reaches it in
//! one step: with a hundred thousand sessions open, every extra lookup between a
//! timer and its pane is a cache miss. A group's creation number (`seq`) tells a
//! live group from a later one that took its slot over, and gives the order in
//! which groups emit together (a tick, a drain, a stream's end). Removing a group
//! costs the same however many there are: a server with ten thousand connections
//! batched per connection evicts a group per batch and ends a stream per
//! connection.

use super::paged::Paged;
use super::select::Group;
use crate::value::Str;
use crate::window::watermark::StreamKey;
use hashbrown::HashTable;
use rustc_hash::FxHashMap;
use smallvec::SmallVec;
use std::hash::BuildHasher;

type FxBuild = std::hash::BuildHasherDefault<rustc_hash::FxHasher>;

/// A live group and the JSON of its key, which the index compares against.
type Slot = Option<(Str, Group)>;

#[derive(Default)]
pub(super) struct GroupSlots {
    /// Slot numbers, hashed by their group's key. Four bytes an entry: with a
    /// hundred thousand groups the index stays in cache, and finding a group
    /// touches only its slot, which the caller reads next anyway. Removing one
    /// compares slot numbers, not keys.
    index: HashTable<u32>,
    /// Paged: a slot never moves, so growing copies no group.
    slots: Paged<Slot>,
    /// Empty slots, the latest freed (still in cache) taken first.
    free: Vec<u32>,
    /// With groups keyed by their stream ([`GroupSlots::per_stream`]): each
    /// stream's slots, so that its end finds them without a pass over all groups.
    by_stream: Option<FxHashMap<StreamKey, SmallVec<[u32; 2]>>>,
}

/// Groups from which a found group's lines are prefetched (see [`GroupSlots::find`]).
const PREFETCH_FROM: usize = 1024;

fn hash(key: &str) -> u64 {
    FxBuild::default().hash_one(key)
}

fn key_of(slots: &Paged<Slot>, slot: u32) -> &str {
    slots
        .get(slot as usize)
        .and_then(Option::as_ref)
        .map_or("", |(k, _)| k.as_str())
}

impl GroupSlots {
    /// For a select whose groups are keyed by their stream (SPEC §4): a stream's
    /// groups are found, at its end, among its own.
    pub(super) fn per_stream() -> Self {
        GroupSlots {
            by_stream: Some(FxHashMap::default()),
            ..GroupSlots::default()
        }
    }

    pub(super) fn len(&self) -> usize {
        self.index.len()
    }

    /// The slot of the group keyed `key`, its lines on their way into the cache.
    pub(super) fn find(&self, key: &str) -> Option<u32> {
        let slots = &self.slots;
        // A few groups stay in cache: asking for their lines again only costs
        // instructions.
        let fetch = self.index.len() >= PREFETCH_FROM;
        self.index
            .find(hash(key), |&s| {
                // Asked for before its key is compared: the caller reads the
                // group next, and the lines beyond the key come in alongside it
                // instead of after.
                if fetch {
                    self.prefetch(s);
                }
                key_of(slots, s) == key
            })
            .copied()
    }

    /// Adds a group under `key` (not present); returns its slot.
    pub(super) fn insert(&mut self, key: &str, g: Group) -> u32 {
        let stream = self.by_stream.is_some().then(|| g.stream.clone());
        let entry = Some((Str::from(key), g));
        let slot = match self.free.pop() {
            Some(s) => {
                if let Some(free) = self.slots.get_mut(s as usize) {
                    *free = entry;
                }
                s
            }
            None => self.slots.push(entry) as u32,
        };
        let slots = &self.slots;
        self.index
            .insert_unique(hash(key), slot, |&s| hash(key_of(slots, s)));
        if let (Some(by_stream), Some(stream)) = (&mut self.by_stream, stream) {
            by_stream.entry(stream).or_default().push(slot);
        }
        slot
    }

    /// The group in `slot`, if it is group `seq` (else that group is gone).
    pub(super) fn get_mut(&mut self, slot: u32, seq: u64) -> Option<&mut Group> {
        self.at(slot).filter(|g| g.seq == seq)
    }

    pub(super) fn get(&self, slot: u32, seq: u64) -> Option<&Group> {
        self.at_ref(slot).filter(|g| g.seq == seq)
    }

    /// The group in `slot`, whichever it is.
    pub(super) fn at(&mut self, slot: u32) -> Option<&mut Group> {
        self.slots.get_mut(slot as usize)?.as_mut().map(|(_, g)| g)
    }

    /// The group in `slot`, whichever it is.
    pub(super) fn at_ref(&self, slot: u32) -> Option<&Group> {
        self.slots.get(slot as usize)?.as_ref().map(|(_, g)| g)
    }

    /// Hints the cache to fetch the group in `slot` (see [`crate::sys::prefetch`]).
    pub(super) fn prefetch(&self, slot: u32) {
        if let Some(s) = self.slots.get(slot as usize) {
            // Its lines, and one more: slots do not start on a line.
            crate::sys::prefetch(s, std::mem::size_of_val(s).div_ceil(64) + 1);
        }
    }

    /// Hints the cache to fetch what group `seq` in `slot` points to: its windows'
    /// aggregate states and its key's values (which its results read).
    pub(super) fn prefetch_deeper(&self, slot: u32, seq: u64) {
        if let Some(g) = self.get(slot, seq) {
            g.panes.prefetch_states();
            if let crate::value::Value::Array(items) = &g.value {
                if let Some(first) = items.first() {
                    crate::sys::prefetch(first, 1);
                }
            }
        }
    }

    /// Drops the group in `slot`.
    pub(super) fn remove(&mut self, slot: u32) {
        self.take(slot);
    }

    /// Takes the group out of `slot`, which becomes free.
    fn take(&mut self, slot: u32) -> Option<Group> {
        let (key, g) = self.slots.get_mut(slot as usize).and_then(Option::take)?;
        if let Ok(entry) = self.index.find_entry(hash(&key), |&s| s == slot) {
            entry.remove();
        }
        self.free.push(slot);
        if let Some(by_stream) = &mut self.by_stream {
            if let Some(slots) = by_stream.get_mut(&g.stream) {
                slots.retain(|s| *s != slot);
                if slots.is_empty() {
                    by_stream.remove(&g.stream);
                }
            }
        }
        Some(g)
    }

    pub(super) fn clear(&mut self) {
        *self = GroupSlots {
            by_stream: self.by_stream.as_ref().map(|_| FxHashMap::default()),
            ..GroupSlots::default()
        };
    }

    /// The slots of the live groups in creation order. Sorted when asked (a drain,
    /// a tick that asks every group): keeping the order as groups come and go
    /// would cost every group, where sessions make and drop them by the thousand.
    pub(super) fn in_order(&self) -> Vec<u32> {
        let mut live: Vec<(u64, u32)> = self
            .index
            .iter()
            .filter_map(|&s| Some((self.at_ref(s)?.seq, s)))
            .collect();
        live.sort_unstable();
        live.into_iter().map(|(_, s)| s).collect()
    }

    /// Removes the groups of `stream` and returns them in creation order.
    pub(super) fn take_stream(&mut self, stream: &StreamKey) -> Vec<Group> {
        let Some(by_stream) = &mut self.by_stream else {
            return self.take_where(|g| g.stream == *stream);
        };
        let slots = by_stream.remove(stream).unwrap_or_default();
        let mut taken: Vec<Group> = slots.into_iter().filter_map(|s| self.take(s)).collect();
        taken.sort_by_key(|g| g.seq);
        if self.index.is_empty() {
            self.clear();
        }
        taken
    }

    /// Removes the groups `pick` selects and returns them in creation order.
    pub(super) fn take_where(&mut self, pick: impl Fn(&Group) -> bool) -> Vec<Group> {
        let picked: Vec<u32> = self
            .in_order()
            .into_iter()
            .filter(|&i| self.at_ref(i).is_some_and(&pick))
            .collect();
        let taken: Vec<Group> = picked.into_iter().filter_map(|i| self.take(i)).collect();
        if self.index.is_empty() {
            self.clear();
        }
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::GroupSlots;
    use crate::exec::select::Group;

    fn group(seq: u64) -> Group {
        Group {
            value: crate::value::Value::Null,
            chain: crate::exec::tilt::Chain { frames: Vec::new() },
            stream: ("in".into(), 0),
            seq,
            panes: Default::default(),
            sliding: None,
        }
    }

    #[test]
    fn a_freed_slot_is_reused_and_the_old_seq_no_longer_reaches_it() {
        let mut s = GroupSlots::default();
        let a = s.insert("[1]", group(0));
        let b = s.insert("[2]", group(1));
        assert_ne!(a, b);
        s.remove(a);
        assert_eq!(s.find("[1]"), None);
        let c = s.insert("[3]", group(2));
        assert_eq!(c, a);
        assert!(s.get(c, 0).is_none());
        assert_eq!(s.get(c, 2).map(|g| g.seq), Some(2));
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn take_where_returns_groups_in_creation_order() {
        let mut s = GroupSlots::default();
        for (k, seq) in [("[a]", 5), ("[b]", 1), ("[c]", 3)] {
            s.insert(k, group(seq));
        }
        s.remove(0);
        s.insert("[d]", group(9));
        let seqs: Vec<u64> = s.take_where(|g| g.seq != 3).iter().map(|g| g.seq).collect();
        assert_eq!(seqs, [1, 9]);
        assert_eq!(s.len(), 1);
        assert_eq!(s.find("[c]"), Some(2));
    }

    #[test]
    fn a_streams_groups_are_taken_in_creation_order_without_the_others() {
        let mut s = GroupSlots::per_stream();
        let on = |stream: u64, seq: u64| Group {
            stream: ("in".into(), stream),
            ..group(seq)
        };
        for (k, stream, seq) in [("a", 1, 4), ("b", 2, 1), ("c", 1, 2), ("d", 1, 7)] {
            s.insert(k, on(stream, seq));
        }
        // an evicted group leaves its stream's list too
        let d = s.find("d").expect("d is there");
        s.remove(d);
        let taken: Vec<u64> = s
            .take_stream(&("in".into(), 1))
            .iter()
            .map(|g| g.seq)
            .collect();
        assert_eq!(taken, [2, 4]);
        assert_eq!(s.len(), 1);
        assert!(s.take_stream(&("in".into(), 1)).is_empty());
        assert_eq!(s.in_order().len(), 1);
        assert_eq!(s.take_stream(&("in".into(), 2)).len(), 1);
        assert_eq!(s.by_stream.as_ref().map(|m| m.len()), Some(0));
    }

    #[test]
    fn in_order_is_creation_order_through_removals_and_reused_slots() {
        let mut s = GroupSlots::default();
        for seq in 0..10 {
            s.insert(&format!("k{seq}"), group(seq));
        }
        // freed slots are taken again by later groups
        for seq in [0, 2, 3, 5, 6, 8, 9] {
            let slot = s.find(&format!("k{seq}")).expect("present");
            s.remove(slot);
        }
        for seq in 10..13 {
            s.insert(&format!("k{seq}"), group(seq));
        }
        let seqs: Vec<u64> = s
            .in_order()
            .into_iter()
            .filter_map(|slot| s.at(slot).map(|g| g.seq))
            .collect();
        assert_eq!(seqs, [1, 4, 7, 10, 11, 12]);
    }
}
