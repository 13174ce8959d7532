//! The replayable reader of `file` sources and the CLI's `-i` files (SPEC §5): it
//! keeps where each event not yet acked can be read again, and on a `fail` reads
//! again from the oldest failed one, so delivery is at least once.
//!
//! JSON lines with the default framing take the fast path of decoding (see
//! [`crate::peer::plan`]): the file is cut into chunks of lines, decoded here when
//! the executor thread is behind and else by it, and numbered by the executor
//! thread, which says the numbers it gave each chunk. Other framings and codecs are
//! decoded here into events, which this reader numbers. Either way a position is
//! kept per chunk or batch, not per event ([`super::positions`]): an input, the
//! byte offset of the chunk's first line (or the input's start, when frames do not
//! follow lines), and the number of events to skip after it.
//!
//! The n-th event sent on a stream is event n of that stream. At the end of its
//! inputs the reader ends the stream and says `Eof`, then keeps listening: a late
//! fail opens a new stream with the events from the failed one on. The run ends it
//! by dropping the channel.

use super::positions::{Failed, Pos, Positions};
use super::{Ctx, Numbering, Replay, ToGraph};
use crate::peer::chunks::{self, Chunk, Splitter};
use crate::peer::interceptor::DEFAULT_MAX_LENGTH;
use crate::peer::metrics::{Counter, ReadProgress};
use crate::peer::stream::{line_decoder, Decoded, Decoder};
use crate::peer::PeerError;
use crate::value::Value;
use std::io::{BufRead, BufReader, ErrorKind, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, Semaphore};

/// Bytes read per chunk when frames do not follow lines.
const READ_BYTES: usize = 64 * 1024;
/// Events handed to the graph in one message.
const BATCH: usize = 256;
/// How often one position is replayed before its event counts as lost (a sink
/// that fails everything must not make the source loop for ever).
const MAX_REPLAYS: u32 = 16;
/// Events whose positions are kept at most; beyond, the oldest chunks are forgotten
/// and their events can no longer be replayed.
const MAX_INFLIGHT: u64 = 1 << 20;
/// How long a halted reader sleeps between looks at its contraflow.
const HALT_POLL: Duration = Duration::from_millis(50);
/// Chunks on their way to the executor thread at most (as for a connection).
const AHEAD: usize = 4;

/// A file to read: where, `$` for its events, and its name for errors.
pub struct FileInput {
    pub path: PathBuf,
    pub meta: Value,
    pub name: String,
}

/// The open input being read by the decoder.
struct Open {
    input: usize,
    reader: BufReader<std::fs::File>,
    /// Byte offset of the next read.
    offset: u64,
    /// Byte offset where the line being read started.
    line_start: u64,
    /// Events decoded from this input so far (for positions without offsets).
    count: u64,
    /// Replaying: events still to leave out (with what did not decode before them).
    skip: Option<u64>,
    dec: Decoder,
    /// `offset` when the progress line was last told.
    counted: u64,
}

/// The fast path's state: chunks wait for room on their way, and are decoded here
/// while the executor thread is behind.
struct Chunked {
    handle: tokio::runtime::Handle,
    ahead: Arc<Semaphore>,
    decoder: chunks::Decoder,
}

struct Reader {
    ctx: Ctx,
    inputs: Vec<FileInput>,
    rx: mpsc::UnboundedReceiver<Replay>,
    /// Frames are lines ending in `\n`: every line start is a position.
    by_line: bool,
    /// Set when the lines take the fast path.
    chunked: Option<Chunked>,
    stream: u64,
    /// The stream's start was sent and its end not yet.
    open_stream: bool,
    /// The next event's number (when this reader numbers them).
    next_seq: u64,
    positions: Positions,
    /// Fail messages processed (the executor compares it with what it sent).
    fails: u64,
    /// Set by a fail: read again from here.
    rewind: Option<Pos>,
    progress: Option<Arc<ReadProgress>>,
}

/// Starts [`read_replayable`] on a thread of its own that can wait on the peers'
/// runtime (for room on the way to the executor thread).
pub fn spawn(
    ctx: Ctx,
    inputs: Vec<FileInput>,
    rx: mpsc::UnboundedReceiver<Replay>,
    progress: Option<Arc<ReadProgress>>,
) {
    let handle = tokio::runtime::Handle::try_current().ok();
    std::thread::spawn(move || {
        let _entered = handle.as_ref().map(|h| h.enter());
        read_replayable(ctx, inputs, rx, progress);
    });
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
    let fast = ctx.plan.chunks && crate::peer::plan::reads_lines(&ctx.spec);
    let chunked = match tokio::runtime::Handle::try_current() {
        Ok(handle) if fast => Some(Chunked {
            handle,
            ahead: Arc::new(Semaphore::new(AHEAD)),
            decoder: line_decoder(&ctx.spec, &ctx.plan),
        }),
        _ => None,
    };
    let mut r = Reader {
        ctx,
        inputs,
        rx,
        by_line,
        chunked,
        stream: 0,
        open_stream: false,
        next_seq: 0,
        positions: Positions::new(MAX_INFLIGHT, MAX_REPLAYS),
        fails: 0,
        rewind: None,
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
        let mut replay = false;
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
            let read = if self.chunked.is_some() {
                self.read_chunks(at, replay)
            } else {
                self.read_from(at, replay)
            };
            match read {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => {
                    let _ = self.ctx.tx.blocking_send(ToGraph::Fatal(e.to_string()));
                    return;
                }
            }
            replay = true;
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
            Replay::Ack { stream, seq } => self.positions.ack(stream, seq),
            Replay::Fail { stream, seq } => {
                self.fails += 1;
                match self.positions.fail(stream, seq) {
                    // Everything from it on is read again (and numbered anew).
                    Failed::Rewind(pos) => self.rewind = Some(pos),
                    Failed::Lost => self.ctx.metrics.add(Counter::Err, Some(stream), 1),
                    Failed::Superseded => {}
                }
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

    /// Opens input `at.input` at `at.offset`.
    fn file(&self, at: Pos) -> Result<std::fs::File, PeerError> {
        let input = &self.inputs[at.input];
        let mut f = std::fs::File::open(&input.path).map_err(PeerError::read(&input.name))?;
        if at.offset > 0 {
            f.seek(SeekFrom::Start(at.offset))
                .map_err(PeerError::read(&input.name))?;
        }
        Ok(f)
    }

    /// Where reading starts in each input from `at` on; with whether events are
    /// left out first (a replay).
    fn starts(&self, at: Pos, replay: bool) -> impl Iterator<Item = (Pos, Option<u64>)> {
        (at.input..self.inputs.len()).map(move |input| {
            if input == at.input {
                (at, replay.then_some(at.skip))
            } else {
                let start = Pos {
                    input,
                    offset: 0,
                    skip: 0,
                };
                (start, None)
            }
        })
    }

    /// The fast path of [`Reader::read_from`]: chunks of lines, read by the one
    /// read loop of lines ([`chunks::read_lines`]).
    fn read_chunks(&mut self, at: Pos, replay: bool) -> Result<bool, PeerError> {
        for (start, skip) in self.starts(at, replay).collect::<Vec<_>>() {
            let mut file = self.file(start)?;
            let first = self.ctx.plan.spent.take();
            let mut lines =
                Splitter::new(start.input, DEFAULT_MAX_LENGTH, true, first).at(start.offset);
            let progress = self.progress.clone();
            let mut sink = ChunkSink {
                reader: self,
                skip,
                over: false,
            };
            match chunks::read_lines(&mut file, &mut lines, &mut sink, progress.as_deref()) {
                Ok(true) => {}
                // Stopped for a rewind, or the run is over.
                Ok(false) => return Ok(!sink.over),
                Err(e) => return Err(PeerError::read(&self.inputs[start.input].name)(e)),
            }
        }
        Ok(true)
    }

    /// Sends a chunk on its way (leaving out the events a replay handed over
    /// before) and remembers its position; false once the graph has stopped.
    fn send_chunk(&mut self, mut chunk: Chunk, skip: &mut Option<u64>) -> bool {
        let Some(c) = self.chunked.as_mut() else {
            return false;
        };
        let room = c.handle.block_on(c.ahead.clone().acquire_owned()).ok();
        // Decoded here while the executor thread is behind (else it decodes the
        // chunk itself instead of waiting), and always when events are left out.
        if skip.is_some() || c.ahead.available_permits() + 1 < AHEAD {
            chunk.decode(&mut c.decoder);
        }
        let mut left_out = 0;
        if let Some(n) = *skip {
            match chunk.skip_events(n) {
                None => {
                    left_out = n;
                    *skip = None;
                }
                Some(rest) => {
                    *skip = Some(rest);
                    return true;
                }
            }
        }
        if let Some(p) = &self.progress {
            p.add(0, chunk.len() as u64);
        }
        let pos = Pos {
            input: chunk.input,
            offset: chunk.start,
            skip: left_out,
        };
        let numbering = Numbering::default();
        self.positions.sent(self.stream, pos, numbering.clone());
        let meta = self.inputs[chunk.input].meta.clone();
        self.send(ToGraph::Lines {
            peer: self.ctx.idx,
            stream: self.stream,
            chunk,
            meta,
            extra: Vec::new(),
            room,
            numbering: Some(numbering),
        })
    }

    fn open(&self, at: Pos, skip: Option<u64>) -> Result<Open, PeerError> {
        Ok(Open {
            input: at.input,
            reader: BufReader::with_capacity(READ_BYTES, self.file(at)?),
            offset: at.offset,
            line_start: at.offset,
            count: 0,
            skip,
            dec: Decoder::new(&self.ctx.spec),
            counted: at.offset,
        })
    }

    /// Reads from `at` to the end of the inputs (after a fail, leaving out the
    /// events before it), or until a fail asks for a rewind; false once the run is
    /// over, `Err` for an input that cannot be read.
    fn read_from(&mut self, at: Pos, replay: bool) -> Result<bool, PeerError> {
        for (start, skip) in self.starts(at, replay).collect::<Vec<_>>() {
            let input = start.input;
            let mut open = self.open(start, skip)?;
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
        let first = self.next_seq;
        // Event k of the batch is read again from the first one's position,
        // skipping k more events.
        let mut first_pos = None;
        for (item, pos) in items.drain(..).zip(positions.drain(..)) {
            if item.is_ok() {
                open.count += 1;
                if let Some(n) = open.skip {
                    if n > 0 {
                        open.skip = Some(n - 1);
                        continue;
                    }
                    open.skip = None;
                }
                first_pos.get_or_insert(pos);
                self.next_seq += 1;
            } else if open.skip.is_some() {
                // Reported the first time round.
                continue;
            }
            batch.push(item);
        }
        if let Some(pos) = first_pos {
            let count = self.next_seq - first;
            self.positions.numbered(self.stream, first, count, pos);
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

/// The fast path's chunks on their way to the executor thread: contraflow is
/// looked at before every read.
struct ChunkSink<'a> {
    reader: &'a mut Reader,
    /// Replaying: events still to leave out.
    skip: Option<u64>,
    /// Set when the run is over (else a stop is for a rewind).
    over: bool,
}

impl chunks::LineSink for ChunkSink<'_> {
    fn ready(&mut self) -> bool {
        if !self.reader.check() {
            self.over = true;
            return false;
        }
        self.reader.rewind.is_none()
    }

    fn fresh(&mut self) -> Chunk {
        self.reader.ctx.plan.spent.take()
    }

    fn send(&mut self, chunk: Chunk) -> bool {
        if !self.reader.send_chunk(chunk, &mut self.skip) {
            self.over = true;
        }
        !self.over
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

    /// The context of peer 0 built from `spec` with `plan`, and the graph's end.
    fn test_ctx(
        spec: crate::peer::spec::PeerSpec,
        plan: crate::peer::plan::Plan,
    ) -> (Ctx, mpsc::Receiver<ToGraph>) {
        let (tx, rx) = mpsc::channel(1024);
        let ctx = Ctx {
            idx: 0,
            spec: Arc::new(spec),
            tx,
            metrics: Arc::default(),
            pending: Arc::default(),
            gate: Arc::default(),
            plan: Arc::new(plan),
        };
        (ctx, rx)
    }

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
        let (ctx, rx) = test_ctx(spec, Default::default());
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

    /// A reader on the fast path (as the run starts it) over `lines`.
    fn chunk_reader(
        tag: &str,
        lines: &str,
        rt: &tokio::runtime::Runtime,
    ) -> (mpsc::Receiver<ToGraph>, mpsc::UnboundedSender<Replay>) {
        let dir = std::env::temp_dir().join(format!("trickle-replay-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("in.json");
        std::fs::write(&path, lines).unwrap();
        let spec = crate::peer::spec::build("f", "stdin", &Default::default()).unwrap();
        let (ctx, rx) = test_ctx(spec, crate::peer::plan::Plan::whole());
        let (ctx_tx, ctx_rx) = mpsc::unbounded_channel();
        let input = FileInput {
            path,
            meta: Value::record(),
            name: "in.json".into(),
        };
        let _entered = rt.enter();
        spawn(ctx, vec![input], ctx_rx, None);
        (rx, ctx_tx)
    }

    /// As [`until_eof`], for chunks: numbers their events as the executor does
    /// (`seq` is the stream's next number) and shows what did not decode as `!`.
    fn chunks_until_eof(rx: &mut mpsc::Receiver<ToGraph>, seq: &mut u64) -> Vec<String> {
        let plan = crate::peer::plan::Plan::whole();
        let spec = crate::peer::spec::build("f", "stdin", &Default::default()).unwrap();
        let mut decoder = line_decoder(&spec, &plan);
        let mut out = Vec::new();
        loop {
            match rx.blocking_recv().expect("the reader goes on") {
                ToGraph::Lines {
                    mut chunk,
                    numbering,
                    ..
                } => {
                    if !chunk.is_decoded() {
                        chunk.decode(&mut decoder);
                    }
                    let events = chunk.events();
                    numbering.expect("numbered").set((*seq, events)).unwrap();
                    *seq += events;
                    for (_, line, d, _) in chunk.take() {
                        match d {
                            chunks::Decoded::Blank => {}
                            chunks::Decoded::Bad(..) => out.push("!".into()),
                            _ => out.push(String::from_utf8_lossy(line.bytes()).into_owned()),
                        }
                    }
                }
                ToGraph::Start { stream, .. } => {
                    *seq = 0;
                    out.push(format!("S{stream}"));
                }
                ToGraph::End { stream, .. } => out.push(format!("E{stream}")),
                ToGraph::Eof { .. } if out.is_empty() => {}
                ToGraph::Eof { .. } => return out,
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn a_fail_in_the_middle_of_a_chunk_replays_from_exactly_that_event() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let (mut rx, contra) = chunk_reader("chunk", "1\n2\n{bad\n\n3\n4\n5", &rt);
        let mut seq = 0;
        let got = chunks_until_eof(&mut rx, &mut seq);
        assert_eq!(got, ["S0", "1", "2", "!", "3", "4", "5", "E0"]);
        contra.send(Replay::Ack { stream: 0, seq: 0 }).unwrap();
        // Event 2 is `3`: the line that did not decode before it was reported already.
        contra.send(Replay::Fail { stream: 0, seq: 2 }).unwrap();
        contra.send(Replay::Fail { stream: 0, seq: 4 }).unwrap();
        assert_eq!(
            chunks_until_eof(&mut rx, &mut seq),
            ["S1", "3", "4", "5", "E1"]
        );
        contra.send(Replay::Fail { stream: 1, seq: 1 }).unwrap();
        assert_eq!(chunks_until_eof(&mut rx, &mut seq), ["S2", "4", "5", "E2"]);
        // Delivered at last: nothing more is read.
        contra.send(Replay::Ack { stream: 2, seq: 0 }).unwrap();
        contra.send(Replay::Ack { stream: 2, seq: 1 }).unwrap();
        // Read again already, on stream 2.
        contra.send(Replay::Fail { stream: 1, seq: 2 }).unwrap();
        assert!(matches!(
            rx.blocking_recv(),
            Some(ToGraph::Eof { fails: 4, .. })
        ));
        // The first stream's `1` and `2` were never failed, so `2` can still be.
        contra.send(Replay::Fail { stream: 0, seq: 1 }).unwrap();
        assert_eq!(
            chunks_until_eof(&mut rx, &mut seq),
            ["S3", "2", "!", "3", "4", "5", "E3"]
        );
        drop(contra);
        while let Some(msg) = rx.blocking_recv() {
            assert!(matches!(msg, ToGraph::Eof { .. }), "{msg:?}");
        }
    }

    #[test]
    fn a_replay_leaves_out_events_across_chunks() {
        // Lines of 6 bytes: a 64 KiB read ends within a line, so a chunk read again
        // from its start holds fewer lines than it did, and its last event is in
        // the chunk after.
        let text: String = (0..50_000).map(|i| format!("{}\n", 10_000 + i)).collect();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let (mut rx, contra) = chunk_reader("across", &text, &rt);
        let mut seq = 0;
        assert_eq!(chunks_until_eof(&mut rx, &mut seq).len(), 50_002);
        for (stream, fail, first) in [(0, 21_844, 31_844), (1, 1, 31_845), (2, 0, 31_845)] {
            contra.send(Replay::Fail { stream, seq: fail }).unwrap();
            let got = chunks_until_eof(&mut rx, &mut seq);
            assert_eq!(got[1], first.to_string(), "after failing {stream}/{fail}");
            assert_eq!(
                got.len(),
                2 + 60_000 - first,
                "after failing {stream}/{fail}"
            );
            assert_eq!(got[got.len() - 2], "59999");
        }
    }
}
