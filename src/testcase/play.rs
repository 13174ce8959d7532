//! Playing [`Step`]s into a graph on a virtual clock (SPEC §9): streams start by
//! themselves before their first event, event ids count per stream from 0, an
//! event without an ingest time gets its index among the events, and the clock
//! never goes back. The test runner and the REPL both play through a [`Player`],
//! so a case and an interactive session see the same events and signals.

use super::steps::Step;
use crate::event::{Event, EventId, Origin, Signal};
use crate::value::{Str, Value};
use rustc_hash::FxHashMap;
use std::collections::BTreeSet;
use std::sync::Arc;

/// What a played step hands to the graph.
#[derive(Debug)]
pub enum Feed<'a> {
    /// An event for the graph input `input` (a peer's name, or `in`).
    Event(&'a str, Event),
    Signal(Signal),
}

/// The state of a virtual clock between steps.
#[derive(Debug, Default)]
pub struct Player {
    origin: Option<Arc<Origin>>,
    /// The graph inputs events and stream signals may name; `None` takes any.
    inputs: Option<Vec<String>>,
    /// Send `start_stream` before a stream's first event (not for a plain `in`
    /// file, which is fed as Tremor's test runner fed it).
    auto_start: bool,
    /// Streams started and not ended.
    open: BTreeSet<(String, u64)>,
    /// Next event number per stream.
    seq: FxHashMap<(String, u64), u64>,
    /// Events played so far (the default ingest time of the next one).
    events: u64,
    /// Processing time: the last ingest time or tick.
    now: u64,
    /// The last step played was a drain.
    drained: bool,
}

impl Player {
    /// A player whose events carry `origin`. `inputs`, when given, are the only
    /// peers steps may name.
    pub fn new(origin: Option<Arc<Origin>>, inputs: Option<Vec<String>>) -> Self {
        Player {
            origin,
            inputs,
            auto_start: true,
            ..Player::default()
        }
    }

    /// A player for `query` that takes only the inputs the query reads.
    pub fn for_query(origin: Option<Arc<Origin>>, query: &crate::exec::Query) -> Self {
        Player::new(origin, Some(read_inputs(query)))
    }

    /// A player for a case's plain `in` file: events only, no stream signals.
    pub fn plain(origin: Option<Arc<Origin>>) -> Self {
        Player {
            origin,
            ..Player::default()
        }
    }

    /// Processing time now (ns).
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Moves processing time to `t` without a tick (never back): a fresh player
    /// for a rebuilt query goes on from where the old one was.
    pub fn advance_to(&mut self, t: u64) {
        self.now = self.now.max(t);
    }

    /// Streams started and not yet ended, as `(peer, stream)`.
    pub fn open_streams(&self) -> impl Iterator<Item = &(String, u64)> {
        self.open.iter()
    }

    /// Plays one step. An error (a peer the graph does not have, a time that goes
    /// back) is the case's: nothing was sent.
    pub fn play(&mut self, step: &Step, feed: &mut dyn FnMut(Feed<'_>)) -> Result<(), String> {
        self.drained = false;
        match step {
            Step::Event {
                data,
                peer,
                stream,
                ingest_ns,
            } => {
                self.check_peer(peer)?;
                let ingest_ns = match *ingest_ns {
                    Some(t) if t < self.now => {
                        return Err(format!(
                            "ingest_ns {t} goes back in time: ingest times never go back (the clock is at {})",
                            self.now
                        ))
                    }
                    Some(t) => t,
                    // As `--clock index`, but never before a tick or time already seen.
                    None => self.events.max(self.now),
                };
                let key = (peer.clone(), *stream);
                if self.auto_start && !self.open.contains(&key) {
                    self.start(peer, *stream, feed);
                }
                let next = self.seq.entry(key).or_insert(0);
                let id = EventId {
                    peer: Str::from(peer.as_str()),
                    stream: *stream,
                    event: *next,
                };
                *next += 1;
                self.events += 1;
                self.now = ingest_ns;
                // The one event builder, with the step's own ingest time.
                let mut event = crate::event::Ingest::new(false, true).event(
                    data.clone(),
                    id,
                    Value::record(),
                    &[],
                    ingest_ns,
                );
                event.origin = self.origin.clone();
                feed(Feed::Event(peer, event));
            }
            Step::StartStream { peer, stream } => {
                self.check_peer(peer)?;
                self.start(peer, *stream, feed);
            }
            Step::EndStream { peer, stream } => {
                self.check_peer(peer)?;
                self.end(peer, *stream, feed);
            }
            Step::Tick(t) => {
                if *t < self.now {
                    return Err(format!(
                        "tick {t} goes back in time: time never goes back (the clock is at {})",
                        self.now
                    ));
                }
                self.now = *t;
                feed(Feed::Signal(Signal::Tick(*t)));
            }
            Step::Drain => {
                self.drained = true;
                feed(Feed::Signal(Signal::Drain));
            }
        }
        Ok(())
    }

    /// The end of the steps: `drain`, unless the last step was one or `final_flush`
    /// is off. Streams still open stay open (SPEC §9 sends only the drain).
    pub fn finish(&mut self, final_flush: bool, feed: &mut dyn FnMut(Feed<'_>)) {
        if final_flush && !self.drained {
            self.drained = true;
            feed(Feed::Signal(Signal::Drain));
        }
    }

    /// Starts a stream; a stream started again (after its end, or twice) counts its
    /// events from 0 again, as a new connection would.
    fn start(&mut self, peer: &str, stream: u64, feed: &mut dyn FnMut(Feed<'_>)) {
        self.open.insert((peer.to_string(), stream));
        self.seq.insert((peer.to_string(), stream), 0);
        feed(Feed::Signal(Signal::StartStream {
            peer: Str::from(peer),
            stream,
        }));
    }

    fn end(&mut self, peer: &str, stream: u64, feed: &mut dyn FnMut(Feed<'_>)) {
        self.open.remove(&(peer.to_string(), stream));
        feed(Feed::Signal(Signal::EndStream {
            peer: Str::from(peer),
            stream,
        }));
    }

    fn check_peer(&self, peer: &str) -> Result<(), String> {
        match &self.inputs {
            Some(inputs) if !inputs.iter().any(|i| i == peer) => {
                let known = if inputs.is_empty() {
                    "it reads no input".to_string()
                } else {
                    format!("it reads {}", inputs.join(", "))
                };
                Err(format!("the query has no input `{peer}`: {known}"))
            }
            _ => Ok(()),
        }
    }
}

/// The graph inputs (`in`, peers, `p/err`, ...) something reads: the only ones a
/// step may name, so an event sent where nothing listens is an error, not silence.
pub fn read_inputs(query: &crate::exec::Query) -> Vec<String> {
    let graph = query.graph();
    query
        .inputs()
        .into_iter()
        .filter(|name| {
            graph
                .find(name)
                .is_some_and(|i| graph.edges.iter().any(|e| e.from == i))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testcase::steps::parse_steps;

    /// Plays `text` and describes what was fed, one word per feed.
    fn play(player: &mut Player, text: &str) -> Result<Vec<String>, String> {
        let mut seen = Vec::new();
        let mut feed = |f: Feed<'_>| {
            seen.push(match f {
                Feed::Event(input, ev) => format!(
                    "{input}:{}:{}@{}={}",
                    ev.id.stream,
                    ev.id.event,
                    ev.ingest_ns,
                    ev.data.encode()
                ),
                Feed::Signal(Signal::StartStream { peer, stream }) => {
                    format!("start {peer}:{stream}")
                }
                Feed::Signal(Signal::EndStream { peer, stream }) => format!("end {peer}:{stream}"),
                Feed::Signal(Signal::Tick(t)) => format!("tick {t}"),
                Feed::Signal(Signal::Drain) => "drain".into(),
            })
        };
        for n in parse_steps(text)? {
            player
                .play(&n.step, &mut feed)
                .map_err(|e| format!("line {}: {e}", n.line))?;
        }
        player.finish(true, &mut feed);
        Ok(seen)
    }

    #[test]
    fn streams_start_by_themselves_and_ids_count_per_stream() {
        let mut p = Player::new(None, None);
        let text = r#"{"event": "a"}
            {"event": "b", "stream": 1}
            {"start_stream": 2}
            {"event": "c", "stream": 1}
            {"event": "d", "stream": 2, "ingest_ns": 10}
            {"event": "e"}
            {"end_stream": 1}
            {"event": "f", "stream": 1}"#;
        let seen = play(&mut p, text).unwrap();
        assert_eq!(
            seen,
            vec![
                "start in:0",
                "in:0:0@0=\"a\"",
                "start in:1",
                "in:1:0@1=\"b\"",
                "start in:2",
                "in:1:1@2=\"c\"",
                "in:2:0@10=\"d\"",
                // The clock never goes back: the default index 4 is before 10.
                "in:0:1@10=\"e\"",
                "end in:1",
                "start in:1",
                "in:1:0@10=\"f\"",
                "drain",
            ]
        );
        let open: Vec<_> = p.open_streams().cloned().collect();
        assert_eq!(open.len(), 3, "{open:?}");
    }

    #[test]
    fn ticks_move_the_clock_and_a_final_drain_is_not_doubled() {
        let mut p = Player::new(None, None);
        let seen = play(&mut p, "{\"tick\": 5}\n{\"event\": 1}\n{\"drain\": true}").unwrap();
        assert_eq!(seen, vec!["tick 5", "start in:0", "in:0:0@5=1", "drain"]);
        assert_eq!(p.now(), 5);
    }

    #[test]
    fn time_going_back_and_unknown_peers_are_errors() {
        let mut p = Player::new(None, None);
        let err = play(
            &mut p,
            "{\"event\": 1, \"ingest_ns\": 9}\n{\"event\": 2, \"ingest_ns\": 8}",
        )
        .unwrap_err();
        assert!(
            err.starts_with("line 2: ingest_ns 8 goes back in time: ingest times never go back (the clock is at 9)"),
            "{err}"
        );
        let mut p = Player::new(None, None);
        let err = play(&mut p, "{\"tick\": 9}\n{\"tick\": 3}").unwrap_err();
        assert!(err.starts_with("line 2: tick 3 goes back in time"), "{err}");
        let mut p = Player::new(None, Some(vec!["in".into(), "up".into()]));
        let err = play(&mut p, "{\"event\": 1, \"peer\": \"upp\"}").unwrap_err();
        assert!(err.contains("no input `upp`: it reads in, up"), "{err}");
    }

    #[test]
    fn a_plain_in_file_sends_no_stream_signals() {
        let mut p = Player::plain(None);
        let seen = play(&mut p, "{\"event\": 1}\n{\"event\": 2}").unwrap();
        assert_eq!(seen, vec!["in:0:0@0=1", "in:0:1@1=2", "drain"]);
    }
}
