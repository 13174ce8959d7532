//! Where a run's outputs go: `out` to stdout or `-o`, everything else to stderr,
//! one JSON document per line, buffered, with per-peer counts for `--metrics`.

use crate::value::Value;
use std::io::{BufWriter, Stderr, Write};

/// `out` is written once this many bytes are encoded (and at every flush).
const OUT_BYTES: usize = 64 * 1024;

/// Counts of one peer (SPEC §6): `in` is graph → peer, `out` is peer → graph.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub peer: String,
    pub r#in: u64,
    pub out: u64,
    pub err: u64,
}

/// The run's sinks and the input peer's counters.
pub struct Sinks {
    out: Box<dyn Write>,
    /// `out`'s events are encoded straight into this buffer: no copy, no allocation once warm.
    pending: Vec<u8>,
    err: BufWriter<Stderr>,
    /// Reused encoding buffer for the other ports.
    line: Vec<u8>,
    /// `in` first, then each output in the order it was first written.
    counts: Vec<Counts>,
    /// The first failure to write `out` (a reader that went away), kept for the next
    /// flush: callers of `write` may not look at its result, the run loop's flush does.
    broken: Option<std::io::Error>,
}

impl Sinks {
    /// Sinks writing `out` to `out`.
    pub fn new(out: Box<dyn Write>) -> Self {
        Sinks {
            out,
            pending: Vec::with_capacity(OUT_BYTES + 4096),
            err: BufWriter::new(std::io::stderr()),
            line: Vec::with_capacity(1024),
            counts: vec![Counts {
                peer: "in".into(),
                ..Counts::default()
            }],
            broken: None,
        }
    }

    /// An event the input peer handed to the graph.
    pub fn received(&mut self) {
        self.counts[0].out += 1;
    }

    /// Input the input peer could not decode: `{"error": TEXT, "raw": LINE}` on `err`.
    pub fn malformed(&mut self, error: String, raw: &[u8]) -> std::io::Result<()> {
        self.counts[0].err += 1;
        let mut doc = crate::record! {"error" => error};
        crate::peer::raw::Raw::of(raw).add_to(&mut doc);
        self.write("err", &doc)
    }

    /// Writes one event that reached output `port`. Only a failure to write `out` is an error:
    /// stderr is where problems are reported, so there is nowhere to report its failure.
    pub fn write(&mut self, port: &str, value: &Value) -> std::io::Result<()> {
        self.count(port);
        if port == "out" {
            value.write_json(&mut self.pending);
            self.pending.push(b'\n');
            if self.pending.len() >= OUT_BYTES {
                return self.write_pending();
            }
            Ok(())
        } else {
            self.line.clear();
            value.write_json(&mut self.line);
            self.line.push(b'\n');
            let _ = self.err.write_all(&self.line);
            Ok(())
        }
    }

    /// Writes one event, already encoded as compact JSON, that reached output `port`.
    pub fn write_encoded(&mut self, port: &str, json: &[u8]) -> std::io::Result<()> {
        self.count(port);
        if port == "out" {
            self.pending.extend_from_slice(json);
            self.pending.push(b'\n');
            if self.pending.len() >= OUT_BYTES {
                return self.write_pending();
            }
        } else {
            let _ = self.err.write_all(json);
            let _ = self.err.write_all(b"\n");
        }
        Ok(())
    }

    /// Hands what is encoded to `out`. What fails to be written is dropped: the run stops.
    fn write_pending(&mut self) -> std::io::Result<()> {
        let res = self.out.write_all(&self.pending);
        self.pending.clear();
        if let Err(e) = &res {
            if self.broken.is_none() {
                self.broken = Some(std::io::Error::new(e.kind(), e.to_string()));
            }
        }
        res
    }

    fn count(&mut self, port: &str) {
        match self.counts[1..].iter_mut().find(|c| c.peer == port) {
            Some(c) => c.r#in += 1,
            None => self.counts.push(Counts {
                peer: port.to_string(),
                r#in: 1,
                ..Counts::default()
            }),
        }
    }

    /// Pushes buffered output out (before waiting for input, and at the end).
    pub fn flush(&mut self) -> std::io::Result<()> {
        let _ = self.err.flush();
        if let Some(e) = self.broken.take() {
            return Err(e);
        }
        self.write_pending()?;
        self.out.flush()
    }

    /// The per-peer counters, `in` first.
    #[cfg(test)]
    pub fn counts(&self) -> &[Counts] {
        &self.counts
    }

    /// `--metrics`: a table of the counters.
    pub fn metrics_table(&self) -> String {
        let width = self
            .counts
            .iter()
            .map(|c| c.peer.len())
            .max()
            .unwrap_or(4)
            .max(4);
        let mut t = format!(
            "{:<width$} {:>10} {:>10} {:>10}\n",
            "peer", "in", "out", "err"
        );
        for c in &self.counts {
            t.push_str(&format!(
                "{:<width$} {:>10} {:>10} {:>10}\n",
                c.peer, c.r#in, c.out, c.err
            ));
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn out_is_written_as_json_lines_and_counted() {
        let buf = Shared::default();
        let mut sinks = Sinks::new(Box::new(buf.clone()));
        sinks.received();
        sinks.write("out", &crate::record! {"a" => 1}).unwrap();
        sinks.write("out", &Value::from("x")).unwrap();
        sinks.write("err", &Value::Null).unwrap();
        sinks.write_encoded("out", b"[1]").unwrap();
        sinks.malformed("bad".into(), b"{oops").unwrap();
        sinks.flush().unwrap();
        assert_eq!(
            String::from_utf8(buf.0.lock().unwrap().clone()).unwrap(),
            "{\"a\":1}\n\"x\"\n[1]\n"
        );
        let counts = sinks.counts();
        assert_eq!((counts[0].out, counts[0].err), (1, 1));
        assert_eq!((counts[1].peer.as_str(), counts[1].r#in), ("out", 3));
        assert_eq!((counts[2].peer.as_str(), counts[2].r#in), ("err", 2));
        let table = sinks.metrics_table();
        assert!(
            table.lines().count() == 4 && table.starts_with("peer"),
            "{table}"
        );
    }
}
