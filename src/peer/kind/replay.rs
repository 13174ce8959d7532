//! The replayable reader of `file` sources and the CLI's `-i` files (SPEC §5): it
//! keeps where each event not yet acked can be read again, and on a `fail` reads
//! again from the oldest failed one, so delivery is at least once.
//!
//! A position is an input, a byte offset and a number of events to skip after it.
//! With the default `lines` framing every line starts at a known offset (skip 0);
//! with other interceptors (gzip, ...) frames do not map to bytes, so the position
//! is the input's start and the events before it are decoded again and skipped.
//!
//! The reader mirrors the executor's numbering: the n-th event it sends on a
//! stream is event n of that stream. At the end of its inputs it ends the stream
//! and says `Eof`, then keeps listening: a late fail opens a new stream with the
//! events from the failed one on. The run ends it by dropping the channel.

use super::{Ctx, Replay, ToGraph};
use crate::peer::metrics::{Counter, ReadProgress};
use crate::peer::stream::{Decoded, Decoder};
use crate::peer::PeerError;
use crate::value::Value;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, ErrorKind, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Bytes read per chunk when frames do not follow lines.
const READ_BYTES: usize = 64 * 1024;
/// Events handed to the graph in one message.
const BATCH: usize = 256;
/// How often one position is replayed before its event counts as lost (a sink
/// that fails everything must not make the source loop for ever).
const MAX_REPLAYS: u32 = 16;
/// Positions kept at most (about 40 bytes each); beyond, the oldest are forgotten
/// and those events can no longer be replayed.
const MAX_INFLIGHT: usize = 1 << 20;
/// How long a halted reader sleeps between looks at its contraflow.
const HALT_POLL: Duration = Duration::from_millis(50);

/// A file to read: where, `$` for its events, and its name for errors.
pub struct FileInput {
    pub path: PathBuf,
    pub meta: Value,
    pub name: String,
}

/// Where an event can be read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Pos {
    input: usize,
    offset: u64,
    skip: u64,
}

/// The open input being read.
struct Open {
    input: usize,
    reader: BufReader<std::fs::File>,
    /// Byte offset of the next read.
    offset: u64,
    /// Byte offset where the line being read started.
    line_start: u64,
    /// Events decoded from this input so far (for positions without offsets).
    count: u64,
    /// Events still to skip (replaying without offsets).
    skip: u64,
    dec: Decoder,
    /// `offset` when the progress line was last told.
    counted: u64,
}

struct Reader {
    ctx: Ctx,
    inputs: Vec<FileInput>,
    rx: mpsc::UnboundedReceiver<Replay>,
    /// Frames are lines ending in `\n`: every line start is a position.
    by_line: bool,
    stream: u64,
    /// The stream's start was sent and its end not yet.
    open_stream: bool,
    next_seq: u64,
    inflight: BTreeMap<(u64, u64), Pos>,
    replays: FxHashMap<Pos, u32>,
    /// Fail messages processed (the executor compares it with what it sent).
    fails: u64,
    /// Set by a fail: read again from here.
    rewind: Option<Pos>,
    /// The newest position forgotten to keep memory bounded.
    forgotten: Option<(u64, u64)>,
    progress: Option<Arc<ReadProgress>>,
}

/// Reads `inputs` as stream 0 of the peer on the calling thread, replaying on fails,
/// until the executor drops `rx`. Inputs are opened before (so a missing file stops
/// the run before it starts).
/// What is read is counted into `progress`, when given (`trickle run`'s progress line).
pub fn read_replayable(
    ctx: Ctx,
    inputs: Vec<FileInput>,
    rx: mpsc::UnboundedReceiver<Replay>,
    progress: Option<Arc<ReadProgress>>,
) {
    let by_line = lines_only(ctx.spec.interceptors.as_ref());
    let mut r = Reader {
        ctx,
        inputs,
        rx,
        by_line,
        stream: 0,
        open_stream: false,
        next_seq: 0,
        inflight: BTreeMap::new(),
        replays: FxHashMap::default(),
        fails: 0,
        rewind: None,
        forgotten: None,
        progress,
    };
    r.run();
}

/// Whether the interceptors are the default `lines` with `\n` (or none given, as
/// files default to lines).
fn lines_only(interceptors: Option<&Value>) -> bool {
    let Some(v) = interceptors else {
        return true;
    };
    let Some(list) = v.as_array() else {
        return false;
    };
    match list.as_slice() {
        [one] => match one {
            Value::String(s) => s == "lines",
            Value::Record(r) if r.len() == 1 => match r.get("lines") {
                Some(cfg) => cfg
                    .get("delimiter")
                    .is_none_or(|d| d.as_str() == Some("\n")),
                None => false,
            },
            _ => false,
        },
        _ => false,
    }
}

impl Reader {
    fn run(&mut self) {
        let mut at = Pos {
            input: 0,
            offset: 0,
            skip: 0,
        };
        loop {
            if !self.open_stream {
                self.open_stream = true;
                self.next_seq = 0;
                let start = ToGraph::Start {
                    peer: self.ctx.idx,
                    stream: self.stream,
                };
                if !self.send(start) {
                    return;
                }
            }
            match self.read_from(at) {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => {
                    let _ = self.ctx.tx.blocking_send(ToGraph::Fatal(e.to_string()));
                    return;
                }
            }
            if let Some(pos) = self.rewind.take() {
                at = pos;
                continue;
            }
            // The end of the inputs: end the stream, say so, wait for contraflow; a
            // fail now reads again on a new stream.
            self.open_stream = false;
            let end = ToGraph::End {
                peer: self.ctx.idx,
                stream: self.stream,
            };
            self.stream += 1;
            let eof = ToGraph::Eof {
                peer: self.ctx.idx,
                fails: self.fails,
            };
            if !self.send(end) || !self.send(eof) {
                return;
            }
            loop {
                let fails = self.fails;
                match self.rx.blocking_recv() {
                    None => return,
                    Some(msg) => self.contraflow(msg),
                }
                if let Some(pos) = self.rewind.take() {
                    at = pos;
                    break;
                }
                // A fail that needed no replay (superseded, or given up): the
                // executor waits to hear that it was seen.
                if self.fails != fails {
                    let eof = ToGraph::Eof {
                        peer: self.ctx.idx,
                        fails: self.fails,
                    };
                    if !self.send(eof) {
                        return;
                    }
                }
            }
        }
    }

    fn send(&self, msg: ToGraph) -> bool {
        self.ctx.tx.blocking_send(msg).is_ok()
    }

    fn contraflow(&mut self, msg: Replay) {
        match msg {
            Replay::Ack { stream, seq } => {
                if let Some(pos) = self.inflight.remove(&(stream, seq)) {
                    self.replays.remove(&pos);
                }
            }
            Replay::Fail { stream, seq } => {
                self.fails += 1;
                let Some(&pos) = self.inflight.get(&(stream, seq)) else {
                    // Superseded (an earlier rewind reads it again already), or
                    // forgotten: then it is lost, and counted.
                    if self.forgotten.is_some_and(|f| (stream, seq) <= f) {
                        self.ctx.metrics.add(Counter::Err, Some(stream), 1);
                    }
                    return;
                };
                let n = self.replays.entry(pos).or_default();
                *n += 1;
                if *n > MAX_REPLAYS {
                    self.inflight.remove(&(stream, seq));
                    self.replays.remove(&pos);
                    self.ctx.metrics.add(Counter::Err, Some(stream), 1);
                    return;
                }
                // Everything from it on is read again (and numbered anew). Positions
                // grow with the numbering, so this is also the oldest position.
                let _ = self.inflight.split_off(&(stream, seq));
                self.rewind = Some(pos);
            }
        }
    }

    /// Handles contraflow that arrived, and waits while the peer is halted; false
    /// when the run is over.
    fn check(&mut self) -> bool {
        loop {
            loop {
                match self.rx.try_recv() {
                    Ok(msg) => self.contraflow(msg),
                    Err(mpsc::error::TryRecvError::Empty) => break,
                    Err(mpsc::error::TryRecvError::Disconnected) => return false,
                }
            }
            if self.rewind.is_some() || self.ctx.gate.is_open(self.stream) {
                return true;
            }
            self.ctx.gate.wait_blocking(self.stream, HALT_POLL);
        }
    }

    fn open(&self, at: Pos) -> Result<Open, PeerError> {
        let input = &self.inputs[at.input];
        let mut f = std::fs::File::open(&input.path).map_err(PeerError::read(&input.name))?;
        if at.offset > 0 {
            f.seek(SeekFrom::Start(at.offset))
                .map_err(PeerError::read(&input.name))?;
        }
        Ok(Open {
            input: at.input,
            reader: BufReader::with_capacity(READ_BYTES, f),
            offset: at.offset,
            line_start: at.offset,
            count: 0,
            skip: at.skip,
            dec: Decoder::new(&self.ctx.spec),
            counted: at.offset,
        })
    }

    /// Reads from `at` to the end of the inputs, or until a fail asks for a rewind;
    /// false once the run is over, `Err` for an input that cannot be read.
    fn read_from(&mut self, at: Pos) -> Result<bool, PeerError> {
        for input in at.input..self.inputs.len() {
            let start = if input == at.input {
                at
            } else {
                Pos {
                    input,
                    offset: 0,
                    skip: 0,
                }
            };
            let mut open = self.open(start)?;
            let mut items = Vec::new();
            let mut positions = Vec::new();
            let mut line = Vec::new();
            let mut buf = Vec::new();
            loop {
                if !self.check() {
                    return Ok(false);
                }
                if self.rewind.is_some() {
                    return Ok(true);
                }
                let eof = self.fill(&mut open, &mut items, &mut positions, &mut line, &mut buf)?;
                if eof {
                    // What the framing still held: its position is found by skipping.
                    open.dec.finish(&mut items);
                    let mut count = open.count;
                    for item in items.iter().skip(positions.len()) {
                        positions.push(Pos {
                            input,
                            offset: 0,
                            skip: count,
                        });
                        count += u64::from(item.is_ok());
                    }
                }
                if !self.hand_over(&mut open, &mut items, &mut positions, input) {
                    return Ok(false);
                }
                if eof {
                    break;
                }
            }
        }
        Ok(true)
    }

    /// Reads up to [`BATCH`] lines, or one chunk when frames are not lines; true at
    /// the end of the input.
    fn fill(
        &self,
        open: &mut Open,
        items: &mut Decoded,
        positions: &mut Vec<Pos>,
        line: &mut Vec<u8>,
        buf: &mut Vec<u8>,
    ) -> Result<bool, PeerError> {
        let err = |e| PeerError::read(&self.inputs[open.input].name)(e);
        if self.by_line {
            while items.len() < BATCH {
                line.clear();
                // At most a chunk at a time: a line without end must not fill memory
                // (the `lines` interceptor cuts it at its `max_length`).
                let n = loop {
                    match (&mut open.reader)
                        .take(READ_BYTES as u64)
                        .read_until(b'\n', line)
                    {
                        Ok(n) => break n,
                        Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                        Err(e) => return Err(err(e)),
                    }
                };
                if n == 0 {
                    return Ok(true);
                }
                let pos = Pos {
                    input: open.input,
                    offset: open.line_start,
                    skip: 0,
                };
                open.offset += n as u64;
                if line.ends_with(b"\n") {
                    open.line_start = open.offset;
                }
                open.dec.feed(line, items);
                positions.resize(items.len(), pos);
            }
            return Ok(false);
        }
        buf.resize(READ_BYTES, 0);
        let n = loop {
            match open.reader.read(buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(err(e)),
            }
        };
        if n == 0 {
            return Ok(true);
        }
        open.offset += n as u64;
        open.dec.feed(&buf[..n], items);
        // Without offsets an event's position is its index among the input's events.
        let mut count = open.count;
        for item in items.iter() {
            positions.push(Pos {
                input: open.input,
                offset: 0,
                skip: count,
            });
            count += u64::from(item.is_ok());
        }
        Ok(false)
    }

    /// Numbers the decoded events, remembers their positions and sends them; false
    /// once the graph has stopped.
    fn hand_over(
        &mut self,
        open: &mut Open,
        items: &mut Decoded,
        positions: &mut Vec<Pos>,
        input: usize,
    ) -> bool {
        let mut batch = Vec::with_capacity(items.len());
        for (item, pos) in items.drain(..).zip(positions.drain(..)) {
            if item.is_ok() {
                open.count += 1;
                if open.skip > 0 {
                    open.skip -= 1;
                    continue;
                }
                self.inflight.insert((self.stream, self.next_seq), pos);
                self.next_seq += 1;
                // Memory stays bounded even when nothing acks (a windowed query's
                // `where` drops events without a word): the oldest position goes.
                if self.inflight.len() > MAX_INFLIGHT {
                    self.forgotten = self
                        .inflight
                        .pop_first()
                        .map(|(k, _)| k)
                        .max(self.forgotten);
                }
            } else if open.skip > 0 {
                // Reported the first time round.
                continue;
            }
            batch.push(item);
        }
        let meta = self.inputs[input].meta.clone();
        if let Some(p) = &self.progress {
            let bytes = open.offset.saturating_sub(open.counted);
            open.counted = open.offset;
            p.add(bytes, batch.len() as u64);
        }
        self.ctx.events_blocking(self.stream, batch, &meta)
    }
}

/// Opens every input now, so a missing file stops the run before it starts.
pub fn check_inputs(inputs: &[FileInput]) -> Result<(), PeerError> {
    for i in inputs {
        std::fs::File::open(&i.path).map_err(PeerError::read(&i.name))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// A reader over `lines` with the peer's `with` settings; returns the graph's
    /// receiving end and the contraflow sender.
    fn reader(
        tag: &str,
        with: &str,
        lines: &[&str],
    ) -> (mpsc::Receiver<ToGraph>, mpsc::UnboundedSender<Replay>) {
        let dir = std::env::temp_dir().join(format!("trickle-replay-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("in.txt");
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        let with = crate::value::parse_json(with).unwrap();
        let with = with.as_record().cloned().unwrap_or_default();
        let spec = crate::peer::spec::build("f", "stdin", &with).unwrap();
        let (tx, rx) = mpsc::channel(1024);
        let ctx = Ctx {
            idx: 0,
            spec: Arc::new(spec),
            tx,
            metrics: Arc::default(),
            pending: Arc::default(),
            gate: Arc::default(),
            plan: Arc::default(),
        };
        let (ctx_tx, ctx_rx) = mpsc::unbounded_channel();
        let input = FileInput {
            path,
            meta: Value::record(),
            name: "in.txt".into(),
        };
        std::thread::spawn(move || read_replayable(ctx, vec![input], ctx_rx, None));
        (rx, ctx_tx)
    }

    /// Events (as JSON) until the reader says `Eof`; starts and ends as `S<n>`/`E<n>`.
    fn until_eof(rx: &mut mpsc::Receiver<ToGraph>) -> Vec<String> {
        let mut out = Vec::new();
        loop {
            match rx.blocking_recv().expect("the reader goes on") {
                ToGraph::Events { items, .. } => out.extend(
                    items
                        .into_iter()
                        .map(|i| i.map_or_else(|e| e.0, |v| v.encode())),
                ),
                ToGraph::Start { stream, .. } => out.push(format!("S{stream}")),
                ToGraph::End { stream, .. } => out.push(format!("E{stream}")),
                // A fail that needed no replay is answered by another `Eof`: an
                // `Eof` before anything else answers an earlier fail.
                ToGraph::Eof { .. } if out.is_empty() => {}
                ToGraph::Eof { .. } => return out,
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    fn replays_from_the_failed_event(tag: &str, with: &str, lines: &[&str]) {
        let (mut rx, contra) = reader(tag, with, lines);
        assert_eq!(until_eof(&mut rx), ["S0", "1", "2", "3", "4", "E0"]);
        contra.send(Replay::Ack { stream: 0, seq: 0 }).unwrap();
        contra.send(Replay::Fail { stream: 0, seq: 2 }).unwrap();
        // A later fail of an event that is read again anyway changes nothing.
        contra.send(Replay::Fail { stream: 0, seq: 3 }).unwrap();
        assert_eq!(until_eof(&mut rx), ["S1", "3", "4", "E1"]);
        // The replayed events are numbered anew on the new stream.
        contra.send(Replay::Fail { stream: 1, seq: 1 }).unwrap();
        assert_eq!(until_eof(&mut rx), ["S2", "4", "E2"]);
        drop(contra);
        // Nothing but late `Eof`s, then the end.
        while let Some(msg) = rx.blocking_recv() {
            assert!(matches!(msg, ToGraph::Eof { .. }), "{msg:?}");
        }
    }

    #[test]
    fn lines_replay_by_offset() {
        replays_from_the_failed_event("lines", "{}", &["1", "2", "3", "4"]);
    }

    #[test]
    fn other_framings_replay_by_skipping() {
        // base64 of 1, 2, 3, 4 on lines: positions are event counts, not offsets.
        replays_from_the_failed_event(
            "b64",
            r#"{"interceptors": ["lines", "base64"]}"#,
            &["MQ==", "Mg==", "Mw==", "NA=="],
        );
    }

    #[test]
    fn a_line_longer_than_a_read_replays_from_its_start() {
        let long = format!("\"{}\"", "x".repeat(3 * READ_BYTES));
        let (mut rx, contra) = reader("long", "{}", &["1", &long, "3"]);
        let got = until_eof(&mut rx);
        assert_eq!(got.len(), 5, "S0, three events, E0");
        assert_eq!(got[2], long);
        contra.send(Replay::Fail { stream: 0, seq: 1 }).unwrap();
        let again = until_eof(&mut rx);
        assert_eq!(
            again,
            ["S1".to_string(), long, "3".to_string(), "E1".to_string()]
        );
    }
}
