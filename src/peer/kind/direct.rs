//! A sink the executor thread writes itself: how the run's built-in `out` and
//! `err` peers are written. No task and no channel stand between the graph and the
//! bytes (a hop per chunk to a writer task costs a run that only forwards lines a
//! measurable share): events are encoded, and JSON lines forwarded as read are
//! appended, straight into one buffer, which is written once it holds a write's
//! worth and at every flush of the executor loop. What was written is acked once it
//! is flushed (see `Exec::ack_written`), and counted in the peer's metrics then:
//! an atomic count per event on that one thread cost a run writing short events a
//! few percent.

use crate::value::Value;
use std::io::{self, Write};

/// A buffered writer owned by the executor thread.
pub struct Direct {
    w: Box<dyn Write + Send>,
    /// What is still to be written.
    buf: Vec<u8>,
    /// Bytes gathered before they are written.
    spill: usize,
    /// A failed write stops the run (`out`); otherwise it is ignored (`err`: stderr
    /// is where failures are reported).
    stops: bool,
    /// Why it could not be written, reported once at the end of the run.
    error: Option<io::Error>,
    /// Events taken since they were last counted.
    taken: u64,
}

impl Direct {
    /// Writes to `w` in writes of about `spill` bytes; `stops`: a failed write stops
    /// the run.
    pub fn new(w: Box<dyn Write + Send>, spill: usize, stops: bool) -> Self {
        Direct {
            w,
            buf: Vec::with_capacity(spill + 4096),
            spill,
            stops,
            error: None,
            taken: 0,
        }
    }

    /// Adds `v` as a line of compact JSON.
    #[inline]
    pub fn value(&mut self, v: &Value) {
        v.write_json(&mut self.buf);
        self.buf.push(b'\n');
        self.taken += 1;
        self.spill_full();
    }

    /// Where lines forwarded as read go, each with its `\n` (the caller says how
    /// many it added with [`Direct::took`]): no copy in between.
    pub fn lines(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// `n` lines were added through [`Direct::lines`]: written once a write's worth.
    pub fn took(&mut self, n: u64) {
        self.taken += n;
        self.spill_full();
    }

    /// The events taken since the last call, to be counted.
    pub fn taken(&mut self) -> u64 {
        std::mem::take(&mut self.taken)
    }

    /// Writes what was gathered once it is a write's worth.
    #[inline]
    pub fn spill_full(&mut self) {
        if self.buf.len() >= self.spill {
            self.spill();
        }
    }

    fn spill(&mut self) {
        let written = self.w.write_all(&self.buf);
        self.buf.clear();
        if let Err(e) = written {
            self.failed(e);
        }
    }

    /// Writes everything gathered and flushes the writer.
    pub fn flush(&mut self) {
        self.spill();
        if let Err(e) = self.w.flush() {
            self.failed(e);
        }
    }

    fn failed(&mut self, e: io::Error) {
        if self.stops {
            self.error.get_or_insert(e);
        }
    }

    /// A write failed, and that stops the run.
    pub fn stopped(&self) -> bool {
        self.error.is_some()
    }

    /// Why the run stopped, once.
    pub fn take_error(&mut self) -> Option<io::Error> {
        self.error.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A writer whose bytes a test can read.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    struct Closed;

    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn writes_once_a_write_is_gathered_and_at_a_flush() {
        let shared = Shared::default();
        let mut d = Direct::new(Box::new(shared.clone()), 8, true);
        d.value(&Value::from(1));
        assert!(shared.0.lock().unwrap().is_empty(), "still gathering");
        d.lines().extend_from_slice(b"{\"a\":2}\n");
        d.took(1);
        assert_eq!(&*shared.0.lock().unwrap(), b"1\n{\"a\":2}\n");
        d.value(&Value::from("x"));
        d.flush();
        assert_eq!(&*shared.0.lock().unwrap(), b"1\n{\"a\":2}\n\"x\"\n");
        assert!(!d.stopped());
        assert_eq!((d.taken(), d.taken()), (3, 0));
    }

    #[test]
    fn a_failed_write_stops_the_run_only_where_it_should() {
        let mut out = Direct::new(Box::new(Closed), 64, true);
        out.value(&Value::from(1));
        assert!(!out.stopped(), "nothing written yet");
        out.flush();
        out.flush();
        assert!(out.stopped());
        let e = out.take_error().map(|e| e.kind());
        assert_eq!(e, Some(io::ErrorKind::BrokenPipe));
        assert!(out.take_error().is_none(), "reported once");
        let mut err = Direct::new(Box::new(Closed), 64, false);
        err.value(&Value::from(1));
        err.flush();
        assert!(!err.stopped());
    }
}
