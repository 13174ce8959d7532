//! `trickle run --record FILE`: what a live run receives, written as [`Step`]s
//! (SPEC §9), so that a misbehaving run becomes a test case by adding its `out`.
//!
//! Every event that enters the graph is written with its peer, stream and ingest
//! time, and every stream start and end and every drain as it happens. A tick is
//! written when it made the graph emit; one that did not is held back and written
//! only before the next other step (the last of a quiet run of ticks), so an idle
//! run does not fill the file with a line every 100 ms while processing time still
//! reaches every later step as it did live.

use super::steps::{write_event, Step};
use crate::event::Signal;
use crate::value::Value;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes a run's steps to a file.
pub struct Recorder {
    out: BufWriter<Box<dyn Write + Send>>,
    /// A tick that emitted nothing and is not written yet.
    pending_tick: Option<u64>,
    /// The latest time written: a step never goes back before it.
    now: u64,
    /// The first write error, reported once at the end.
    error: Option<std::io::Error>,
    /// Reused for each event's line.
    line: Vec<u8>,
}

impl Recorder {
    /// Creates (truncates) `path`.
    pub fn create(path: &Path) -> std::io::Result<Recorder> {
        Ok(Recorder::to_writer(Box::new(File::create(path)?)))
    }

    /// A recorder writing to `out`.
    pub fn to_writer(out: Box<dyn Write + Send>) -> Recorder {
        Recorder {
            out: BufWriter::new(out),
            pending_tick: None,
            now: 0,
            error: None,
            line: Vec::new(),
        }
    }

    /// The ingest time an event read at `ns` gets: never before a step already
    /// written (a chunk read just before a tick is handled just after it). Use it
    /// for the live event too, so the run and its recording agree.
    pub fn ingest_ns(&self, ns: u64) -> u64 {
        ns.max(self.now).max(self.pending_tick.unwrap_or(0))
    }

    /// An event entering the graph through input `peer` (a peer's name, `in`, or
    /// `p/err`, `p/metrics`).
    pub fn event(&mut self, peer: &str, stream: u64, ingest_ns: u64, data: &Value) {
        self.write_pending();
        self.now = self.now.max(ingest_ns);
        if self.error.is_some() {
            return;
        }
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        write_event(data, peer, stream, Some(ingest_ns), &mut line);
        line.push(b'\n');
        if let Err(e) = self.out.write_all(&line) {
            self.error = Some(e);
        }
        self.line = line;
    }

    /// A signal sent into the graph; `emitted` says whether the graph emitted
    /// anything for it (only ticks care).
    pub fn signal(&mut self, signal: &Signal, emitted: bool) {
        let step = match signal {
            Signal::Tick(t) => {
                let t = (*t).max(self.now);
                if emitted {
                    self.pending_tick = None;
                    self.now = t;
                    Step::Tick(t)
                } else {
                    self.pending_tick = Some(t);
                    return;
                }
            }
            Signal::StartStream { peer, stream } => Step::StartStream {
                peer: peer.to_string(),
                stream: *stream,
            },
            Signal::EndStream { peer, stream } => Step::EndStream {
                peer: peer.to_string(),
                stream: *stream,
            },
            Signal::Drain => Step::Drain,
        };
        self.write_pending();
        self.write(&step);
    }

    /// Writes what is buffered; the first error of the whole recording, if any.
    pub fn finish(&mut self) -> std::io::Result<()> {
        if let Err(e) = self.out.flush() {
            self.error.get_or_insert(e);
        }
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn write_pending(&mut self) {
        if let Some(t) = self.pending_tick.take() {
            self.now = self.now.max(t);
            self.write(&Step::Tick(t));
        }
    }

    fn write(&mut self, step: &Step) {
        if self.error.is_some() {
            return;
        }
        let mut line = step.to_line();
        line.push('\n');
        if let Err(e) = self.out.write_all(line.as_bytes()) {
            self.error = Some(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Str;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn quiet_ticks_collapse_and_times_never_go_back() {
        let buf = Shared::default();
        let mut r = Recorder::to_writer(Box::new(buf.clone()));
        let start = Signal::StartStream {
            peer: Str::from("up"),
            stream: 3,
        };
        r.signal(&start, false);
        r.event("up", 3, 100, &Value::from(1u64));
        r.signal(&Signal::Tick(150), false);
        r.signal(&Signal::Tick(250), false);
        // Read before the tick was handled: it is recorded (and run) at the tick's time.
        let t = r.ingest_ns(240);
        assert_eq!(t, 250);
        r.event("up", 3, t, &Value::from(2u64));
        r.signal(&Signal::Tick(350), true);
        r.signal(&Signal::Tick(450), false);
        r.signal(&Signal::Drain, true);
        r.signal(&Signal::Tick(550), false);
        r.finish().unwrap();
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        assert_eq!(
            text,
            "{\"start_stream\":3,\"peer\":\"up\"}\n\
             {\"event\":1,\"peer\":\"up\",\"stream\":3,\"ingest_ns\":100}\n\
             {\"tick\":250}\n\
             {\"event\":2,\"peer\":\"up\",\"stream\":3,\"ingest_ns\":250}\n\
             {\"tick\":350}\n{\"tick\":450}\n{\"drain\":true}\n"
        );
        // What was written reads back as a valid case.
        let steps = crate::testcase::parse_steps(&text).unwrap();
        let mut player = crate::testcase::Player::new(None, None);
        for n in steps {
            player.play(&n.step, &mut |_| {}).unwrap();
        }
    }
}
