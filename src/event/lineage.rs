//! An event's lineage (SPEC §4): the ids of every event that contributed to it,
//! in order. A window's result names every event it aggregated, nearly always
//! from one or a few streams: ids that follow one another on one stream share
//! their peer and stream, so each costs its event number (8 bytes) instead of a
//! whole id with its peer's name (40), and taking an event in copies no name.

use super::number_log::{NumberLog, Shared};
use super::EventId;
use crate::value::Str;

#[derive(Debug, Clone, Default)]
pub struct Lineage {
    /// The event numbers, run after run.
    events: Numbers,
    runs: Vec<Run>,
}

/// Where a lineage's numbers are.
#[derive(Debug, Clone)]
enum Numbers {
    Own(Vec<u64>),
    /// A count sliding window's, shared with the window and its other results
    /// ([`NumberLog`]). A change to the lineage copies them first.
    Shared(Shared),
}

impl Default for Numbers {
    fn default() -> Self {
        Numbers::Own(Vec::new())
    }
}

/// Ids of one stream that follow one another in a lineage.
#[derive(Debug, Clone)]
struct Run {
    peer: Str,
    stream: u64,
    /// Where the run's numbers end in `events` (they start where the last run ended).
    end: usize,
    /// Its numbers are known to ascend (false: they may not).
    ascending: bool,
}

/// The ids of one stream that follow one another in a lineage.
#[derive(Debug, Clone, Copy)]
pub struct RunRef<'a> {
    pub peer: &'a Str,
    pub stream: u64,
    pub numbers: &'a [u64],
    /// `numbers` are known to ascend: the ones below a given number are a prefix.
    /// A stream's events enter in the order of their numbers, so they do unless
    /// lineages were merged (sessions, tilt frames).
    pub ascending: bool,
}

/// Two lineages are equal when they name the same ids in the same order.
impl PartialEq for Lineage {
    fn eq(&self, other: &Lineage) -> bool {
        self.numbers() == other.numbers()
            && self.runs.len() == other.runs.len()
            && self
                .runs
                .iter()
                .zip(&other.runs)
                .all(|(a, b)| (&a.peer, a.stream, a.end) == (&b.peer, b.stream, b.end))
    }
}

impl Eq for Lineage {}

/// What one event adds to a lineage.
#[derive(Debug, Clone, Copy)]
pub enum Ids<'a> {
    /// Nothing: no one reads lineages in this run.
    None,
    /// Its own id (an event with an empty lineage stands for itself).
    One(&'a EventId),
    /// Its lineage.
    Many(&'a Lineage),
}

impl<'a> RunRef<'a> {
    /// Its ids, in order.
    pub fn ids(self) -> impl Iterator<Item = EventId> + 'a {
        self.numbers.iter().map(move |&event| EventId {
            peer: self.peer.clone(),
            stream: self.stream,
            event,
        })
    }
}

/// Numbers of a run taken in after a run's last number `last`: whether the run
/// still ascends (`ascending`: the new numbers do among themselves).
fn still_ascends(was: bool, last: Option<u64>, first: u64, ascending: bool) -> bool {
    was && ascending && last.is_some_and(|l| l < first)
}

impl<'a> Ids<'a> {
    /// The ids an event stands for: its lineage, or itself when that is empty
    /// (SPEC §4; an event's own id is not stored unless something else is).
    pub fn of(id: &'a EventId, lineage: &'a Lineage) -> Self {
        if lineage.is_empty() {
            Ids::One(id)
        } else {
            Ids::Many(lineage)
        }
    }

    /// Its ids by run.
    pub fn runs(self) -> impl Iterator<Item = RunRef<'a>> {
        let (one, many) = match self {
            Ids::None => (None, None),
            Ids::One(id) => {
                let run = RunRef {
                    peer: &id.peer,
                    stream: id.stream,
                    numbers: std::slice::from_ref(&id.event),
                    ascending: true,
                };
                (Some(run), None)
            }
            Ids::Many(l) => (None, Some(l.runs())),
        };
        one.into_iter().chain(many.into_iter().flatten())
    }

    /// Its ids, in order.
    pub fn iter(self) -> impl Iterator<Item = EventId> + 'a {
        self.runs().flat_map(RunRef::ids)
    }

    /// The lineage an expression reads for this event (`event_ids()`): empty when
    /// the event stands for itself.
    pub fn lineage(self) -> &'a Lineage {
        match self {
            Ids::Many(l) => l,
            Ids::None | Ids::One(_) => Lineage::empty(),
        }
    }
}

impl Lineage {
    /// The empty lineage, for contexts that borrow one.
    pub fn empty() -> &'static Lineage {
        static EMPTY: Lineage = Lineage::new();
        &EMPTY
    }

    pub const fn new() -> Self {
        Lineage {
            events: Numbers::Own(Vec::new()),
            runs: Vec::new(),
        }
    }

    /// Empty, with room for `n` ids.
    pub fn with_capacity(n: usize) -> Self {
        Lineage {
            events: Numbers::Own(Vec::with_capacity(n)),
            runs: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.numbers().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&mut self) {
        match &mut self.events {
            Numbers::Own(v) => v.clear(),
            shared => *shared = Numbers::default(),
        }
        self.runs.clear();
    }

    /// The event numbers, run after run.
    fn numbers(&self) -> &[u64] {
        match &self.events {
            Numbers::Own(v) => v,
            Numbers::Shared(s) => s.numbers(),
        }
    }

    /// The numbers, taken out to change (copied out of a shared buffer); they go
    /// back with [`Numbers::Own`].
    fn take_own(&mut self) -> Vec<u64> {
        match std::mem::take(&mut self.events) {
            Numbers::Own(v) => v,
            Numbers::Shared(s) => s.numbers().to_vec(),
        }
    }

    /// Adds `id` at the end.
    pub fn push(&mut self, id: &EventId) {
        self.add(Ids::One(id));
    }

    /// Adds `other`'s ids at the end.
    pub fn extend(&mut self, other: &Lineage) {
        self.add(Ids::Many(other));
    }

    /// Adds what one event brings (see [`Ids`]).
    pub fn add(&mut self, ids: Ids<'_>) {
        for r in ids.runs() {
            self.push_run(r.peer, r.stream, r.numbers, r.ascending);
        }
    }

    /// Adds events `numbers` of stream `stream` of peer `peer` at the end.
    pub fn push_numbers(&mut self, peer: &Str, stream: u64, numbers: &[u64]) {
        let ascending = numbers.windows(2).all(|w| w[0] < w[1]);
        self.push_run(peer, stream, numbers, ascending);
    }

    fn push_run(&mut self, peer: &Str, stream: u64, numbers: &[u64], ascending: bool) {
        let Some(&first) = numbers.first() else {
            return;
        };
        let mut events = self.take_own();
        let last = events.last().copied();
        events.extend_from_slice(numbers);
        let end = events.len();
        self.events = Numbers::Own(events);
        match self.runs.last_mut() {
            Some(r) if r.stream == stream && r.peer == *peer => {
                r.end = end;
                r.ascending = still_ascends(r.ascending, last, first, ascending);
            }
            _ => self.runs.push(Run {
                peer: peer.clone(),
                stream,
                end,
                ascending,
            }),
        }
    }

    /// The runs, in order.
    pub fn runs(&self) -> impl Iterator<Item = RunRef<'_>> + '_ {
        let (all, mut start) = (self.numbers(), 0);
        self.runs.iter().map(move |r| {
            let numbers = &all[start..r.end];
            start = r.end;
            RunRef {
                peer: &r.peer,
                stream: r.stream,
                numbers,
                ascending: r.ascending,
            }
        })
    }

    /// The ids, in order.
    pub fn iter(&self) -> impl Iterator<Item = EventId> + '_ {
        self.runs().flat_map(RunRef::ids)
    }

    pub fn contains(&self, id: &EventId) -> bool {
        self.runs()
            .any(|r| r.stream == id.stream && *r.peer == id.peer && r.numbers.contains(&id.event))
    }

    /// The streams it names (as often as they start a run), in order.
    pub fn streams(&self) -> impl Iterator<Item = (&Str, u64)> + '_ {
        self.runs.iter().map(|r| (&r.peer, r.stream))
    }
}

impl From<Vec<EventId>> for Lineage {
    fn from(ids: Vec<EventId>) -> Self {
        ids.into_iter().collect()
    }
}

impl<const N: usize> From<[EventId; N]> for Lineage {
    fn from(ids: [EventId; N]) -> Self {
        ids.into_iter().collect()
    }
}

impl FromIterator<EventId> for Lineage {
    fn from_iter<I: IntoIterator<Item = EventId>>(ids: I) -> Self {
        ids.into_iter().fold(Lineage::new(), |mut l, id| {
            l.push(&id);
            l
        })
    }
}

impl<'a> FromIterator<&'a EventId> for Lineage {
    fn from_iter<I: IntoIterator<Item = &'a EventId>>(ids: I) -> Self {
        let mut l = Lineage::new();
        for id in ids {
            l.push(id);
        }
        l
    }
}

/// The ids of a count sliding window's events: new ones come in at the back, the
/// oldest leave at the front, and each emission takes them as a lineage. Kept by
/// run like a [`Lineage`], and their numbers in a [`NumberLog`] that the lineages
/// share: taking one copies the window's few runs, not its ids.
#[derive(Debug, Default)]
pub struct SlidingIds {
    /// Shared with the lineages of the results (see [`NumberLog`]).
    events: NumberLog,
    /// `(peer, stream, how many of the numbers, known to ascend)`, oldest first.
    runs: std::collections::VecDeque<(Str, u64, usize, bool)>,
}

impl SlidingIds {
    /// Adds what one event brings; returns how many ids that is.
    pub fn push(&mut self, ids: Ids<'_>) -> usize {
        let before = self.events.count();
        for r in ids.runs() {
            self.push_run(r.peer, r.stream, r.numbers, r.ascending);
        }
        self.events.count() - before
    }

    fn push_run(&mut self, peer: &Str, stream: u64, numbers: &[u64], ascending: bool) {
        let Some(&first) = numbers.first() else {
            return;
        };
        let last = self.events.back();
        self.events.extend(numbers);
        match self.runs.back_mut() {
            Some((p, s, n, up)) if *s == stream && p == peer => {
                *n += numbers.len();
                *up = still_ascends(*up, last, first, ascending);
            }
            _ => self
                .runs
                .push_back((peer.clone(), stream, numbers.len(), ascending)),
        }
    }

    /// Drops the `n` oldest ids.
    pub fn pop_front(&mut self, mut n: usize) {
        n = n.min(self.events.count());
        self.events.pop_front(n);
        while n > 0 {
            let Some(front) = self.runs.front_mut() else {
                break;
            };
            if front.2 > n {
                front.2 -= n;
                break;
            }
            n -= front.2;
            self.runs.pop_front();
        }
    }

    /// The ids held, as a lineage: it shares their numbers with the window, so
    /// taking it costs the runs, not the ids.
    pub fn lineage(&self) -> Lineage {
        let events = match self.events.share() {
            Some(shared) => Numbers::Shared(shared),
            None if self.events.count() > 0 => Numbers::Own(self.events.numbers().to_vec()),
            None => return Lineage::new(),
        };
        let mut end = 0;
        let runs = self
            .runs
            .iter()
            .map(|(peer, stream, n, ascending)| {
                end += n;
                Run {
                    peer: peer.clone(),
                    stream: *stream,
                    end,
                    ascending: *ascending,
                }
            })
            .collect();
        Lineage { events, runs }
    }
}

/// Tests compare with the ids they expect.
impl PartialEq<Vec<EventId>> for Lineage {
    fn eq(&self, other: &Vec<EventId>) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter().cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::id;

    #[test]
    fn ids_come_back_in_order_and_one_stream_shares_one_run() {
        let ids = vec![
            id("a", 0, 3),
            id("a", 0, 9),
            id("b", 0, 1),
            id("a", 1, 2),
            id("a", 1, 4),
            id("a", 0, 10),
        ];
        let l = Lineage::from(ids.clone());
        assert_eq!(l.len(), 6);
        assert_eq!(l.iter().collect::<Vec<_>>(), ids);
        assert_eq!(l.runs.len(), 4);
        assert!(l.contains(&id("a", 1, 4)));
        assert!(!l.contains(&id("a", 1, 3)));
        assert!(!l.contains(&id("b", 1, 1)));
        let streams: Vec<(&str, u64)> = l.streams().map(|(p, s)| (p.as_str(), s)).collect();
        assert_eq!(streams, [("a", 0), ("b", 0), ("a", 1), ("a", 0)]);
        assert_eq!(Ids::of(&ids[0], &l).iter().count(), 6);
        assert_eq!(
            Ids::of(&ids[0], Lineage::empty())
                .iter()
                .collect::<Vec<_>>(),
            [ids[0].clone()]
        );
    }

    #[test]
    fn a_sliding_window_of_ids_drops_the_oldest_and_copies_the_rest() {
        let mut w = SlidingIds::default();
        let many = Lineage::from([id("b", 1, 7), id("a", 0, 2)]);
        assert_eq!(w.push(Ids::One(&id("a", 0, 0))), 1);
        assert_eq!(w.push(Ids::One(&id("a", 0, 1))), 1);
        assert_eq!(w.push(Ids::Many(&many)), 2);
        assert_eq!(w.push(Ids::None), 0);
        let all = vec![id("a", 0, 0), id("a", 0, 1), id("b", 1, 7), id("a", 0, 2)];
        assert_eq!(w.lineage(), all);
        // The same lineage as one built id by id (so they compare equal).
        assert_eq!(w.lineage(), Lineage::from(all.clone()));
        w.pop_front(1);
        assert_eq!(w.lineage(), all[1..].to_vec());
        w.pop_front(2);
        assert_eq!(w.lineage(), Lineage::from([id("a", 0, 2)]));
        w.pop_front(5);
        assert!(w.lineage().is_empty() && w.runs.is_empty());
    }

    #[test]
    fn a_taken_window_lineage_stays_as_it_was_while_the_window_slides_on() {
        let mut w = SlidingIds::default();
        let mut taken = Vec::new();
        for n in 0..100u64 {
            w.push(Ids::One(&id("in", 0, n)));
            if n >= 3 {
                w.pop_front(1);
            }
            taken.push((n, w.lineage()));
        }
        for (n, l) in &taken {
            let first = n.saturating_sub(2);
            let want: Vec<EventId> = (first..=*n).map(|e| id("in", 0, e)).collect();
            assert_eq!(*l, want, "the lineage taken after event {n}");
        }
        // Changing a taken lineage changes only it.
        let (_, mut l) = taken.pop().expect("taken");
        l.push(&id("x", 1, 0));
        let kept: Vec<EventId> = (97..100).map(|e| id("in", 0, e)).collect();
        assert_eq!(
            l,
            kept.iter()
                .cloned()
                .chain([id("x", 1, 0)])
                .collect::<Vec<_>>()
        );
        assert_eq!(w.lineage(), kept);
        l.clear();
        assert!(l.is_empty() && w.lineage().len() == 3);
    }

    /// Events and windows carry a lineage each: sharing numbers must not grow it.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_lineage_is_no_bigger_for_sharing() {
        assert_eq!(std::mem::size_of::<Lineage>(), 48);
    }

    #[test]
    fn a_run_knows_whether_its_numbers_ascend() {
        let ascends = |l: &Lineage| l.runs().map(|r| r.ascending).collect::<Vec<_>>();
        let mut a = Lineage::from([id("in", 0, 5), id("in", 0, 9)]);
        assert_eq!(ascends(&a), [true]);
        // A merge (sessions, tilt frames) can put smaller numbers after larger ones.
        a.extend(&Lineage::from([id("in", 0, 3), id("in", 0, 7)]));
        assert_eq!(ascends(&a), [false]);
        a.push_numbers(&"x".into(), 0, &[4, 2]);
        assert_eq!(ascends(&a), [false, false]);
        let mut w = SlidingIds::default();
        w.push(Ids::Many(&a));
        w.push(Ids::One(&id("x", 0, 8)));
        assert_eq!(ascends(&w.lineage()), [false, false]);
        // Equality looks at the ids only.
        assert_eq!(
            w.lineage(),
            a.iter().chain([id("x", 0, 8)]).collect::<Lineage>()
        );
    }

    #[test]
    fn extending_joins_a_run_that_goes_on_on_the_same_stream() {
        let mut a = Lineage::from([id("in", 0, 1), id("in", 0, 2)]);
        let b = Lineage::from([id("in", 0, 5), id("x", 2, 0)]);
        a.extend(&b);
        assert_eq!(a.runs.len(), 2);
        assert_eq!(
            a,
            vec![
                id("in", 0, 1),
                id("in", 0, 2),
                id("in", 0, 5),
                id("x", 2, 0)
            ]
        );
        // The same ids pushed one by one make the same lineage.
        let c: Lineage = a.iter().collect();
        assert_eq!(a, c);
        a.add(Ids::None);
        a.add(Ids::One(&id("x", 2, 1)));
        assert_eq!(a.len(), 5);
        a.clear();
        assert!(a.is_empty() && a == *Lineage::empty());
    }
}
