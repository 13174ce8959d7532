//! Input lines, read and decoded on their own thread so the run loop can wait with
//! a timeout (ticks, Ctrl-C), and so decoding runs beside the graph on a second core.
//!
//! Lines travel in chunks: every read (up to [`READ_BYTES`]) goes straight into a
//! chunk, whose complete lines are decoded and sent at once, so files stream in bulk
//! and an interactive stdin still sees each line as soon as it is read. Lines are
//! found with `memchr` and never copied; only a partial last line moves to the next
//! chunk. Chunks are sent back to be reused, so reading allocates nothing once warm.
//!
//! [`read_lines`] is the one read loop of lines from a byte stream: the built-in
//! input's reader thread runs it (into the queue the executor thread polls), and so
//! does the replayable reader of `file` sources and `-i` files
//! ([`super::kind::replay`]), from a chunk's offset when it reads again.
//!
//! A line longer than [`MAX_LINE`] is not kept: its start (enough for an error
//! report) stays in the chunk, the rest is skipped up to its `\n`, and it arrives
//! as [`Decoded::Bad`]. Memory stays bounded whatever the input.

use super::chunk_queue::Queue;
use crate::peer::codec::Codec;
use crate::peer::metrics::ReadProgress;
use crate::value::{Fields, Scratch, Value};
use std::io::{ErrorKind, Read};
use std::sync::Arc;
use std::time::Duration;

/// Bytes asked for in one read.
const READ_BYTES: usize = 64 * 1024;

/// A reader that takes in what a byte stream has ready before cutting
/// ([`Splitter::scan`]) cuts once a chunk holds this much: fewer, fuller chunks
/// (fewer hand-overs and wake-ups per event), each small enough for a
/// [`ChunkPool`] to keep.
pub const BATCH_BYTES: usize = 2 * READ_BYTES;

/// Longest input line decoded (as the `lines` interceptor's default `max_length`).
pub const MAX_LINE: usize = crate::peer::interceptor::DEFAULT_MAX_LENGTH;

/// How much of an over-long line is kept for the error's `raw` text.
const LONG_PREVIEW: usize = 1024;

/// What one input line decoded to.
#[derive(Debug, Default)]
pub enum Decoded {
    /// An event (already handed out when taken from the chunk).
    Value(Value),
    /// A blank line the codec ignores.
    #[default]
    Blank,
    /// With [`Decoder::compact`]: the line's compact JSON, `compact[start..end]` of the
    /// chunk (what decoding and re-encoding it would give).
    Compact(usize, usize),
    /// Not decodable (or too long): the reason, without the input's name or line,
    /// and for an over-long line the start of it to report instead of the line.
    Bad(String, Option<String>),
}

/// How the reader thread turns lines into values.
pub struct Decoder {
    pub codec: Box<dyn Codec>,
    /// The JSON codec ignores blank lines; the string codec reads them as `""`.
    pub skip_blank: bool,
    /// Lines longer than this become [`Decoded::Bad`].
    pub max_line: usize,
    /// The events are only forwarded: plain JSON lines are turned into their compact
    /// form ([`Decoded::Compact`]) instead of values. Only for the JSON codec.
    pub compact: bool,
    /// The query reads only these top-level fields of its input events: records are
    /// decoded with just them (see [`crate::value::project_json`]). Only for the JSON codec.
    pub project: Option<Arc<Fields>>,
    /// Reused by the projection.
    pub scratch: Scratch,
    /// The error text for a line longer than [`Decoder::max_line`].
    pub too_long: fn(usize) -> String,
}

/// The built-in input's text for an over-long line.
pub fn too_long(max_line: usize) -> String {
    format!("line longer than {max_line} bytes; the rest of it is discarded")
}

impl Decoder {
    /// The same configuration with a codec of its own.
    fn fresh(&self) -> Decoder {
        Decoder {
            codec: self.codec.fresh(),
            skip_blank: self.skip_blank,
            max_line: self.max_line,
            compact: self.compact,
            project: self.project.clone(),
            scratch: Scratch::default(),
            too_long: self.too_long,
        }
    }

    fn decode(&mut self, line: &[u8], cut: bool, compact: &mut Vec<u8>) -> Decoded {
        if cut || line.len() > self.max_line {
            let preview = &line[..line.len().min(LONG_PREVIEW).min(self.max_line)];
            return Decoded::Bad(
                (self.too_long)(self.max_line),
                Some(String::from_utf8_lossy(preview).into_owned()),
            );
        }
        if self.skip_blank && line.iter().all(u8::is_ascii_whitespace) {
            return Decoded::Blank;
        }
        let start = compact.len();
        if self.compact && crate::value::compact_json(line, compact) {
            return Decoded::Compact(start, compact.len());
        }
        if let Some(keys) = &self.project {
            if let Some(v) = crate::value::project_json(line, keys, &mut self.scratch) {
                return Decoded::Value(v);
            }
        }
        match self.codec.decode(line) {
            Ok(v) => Decoded::Value(v),
            Err(e) => Decoded::Bad(e.to_string(), None),
        }
    }
}

/// Lines of one input, as read (terminators are stripped by [`Chunk::lines`]),
/// with what each decoded to.
#[derive(Debug, Default)]
pub struct Chunk {
    /// Index of the input (in the order given) these lines came from.
    pub input: usize,
    /// 1-based number of the first line in its input.
    pub first_line: u64,
    /// When its lines were read (ns since the epoch): their ingest time in the wall
    /// clock. The lines of one read arrived together, and one clock read per chunk
    /// instead of per event is measurably cheaper.
    pub read_ns: u64,
    /// Byte offset of its first line in its input (where it can be read again).
    pub start: u64,
    /// Lines at its start that were handed over already (a replay reads again from
    /// an earlier line): decoded, but left out of [`Chunk::take`] and [`Chunk::tally`].
    skip: usize,
    /// Bytes read are `data[..len]`; the rest is zeroed space kept for the next read,
    /// so a reused chunk is not zeroed again.
    data: Vec<u8>,
    len: usize,
    /// Where each line ends in `data`, just past its `\n` if it has one.
    ends: Vec<usize>,
    /// One per line, filled just before the chunk is sent.
    decoded: Vec<Decoded>,
    /// Indices of the lines cut short because they were too long.
    cut: Vec<usize>,
    /// The compact forms of [`Decoded::Compact`] lines.
    compact: Vec<u8>,
    /// A `\r` before a line's `\n` is part of the line.
    keep_cr: bool,
    /// Records the run loop is done with, travelling back to be filled again (see
    /// [`crate::value::recycle`]).
    pub spare: crate::value::recycle::Spare,
}

impl Chunk {
    /// The lines without `\n` or `\r\n`, each with its 1-based line number.
    pub fn lines(&self) -> impl Iterator<Item = (u64, &[u8])> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .enumerate()
            .map(move |(k, (s, e))| (self.first_line + k as u64, self.line(s, e)))
    }

    /// The lines with what they decoded to; the values are moved out (a second call
    /// sees [`Decoded::Blank`] everywhere). Lines it was told to skip are left out.
    ///
    /// The last item is the compact JSON of a [`Decoded::Compact`] line (else empty).
    pub fn take(&mut self) -> impl Iterator<Item = (u64, Line<'_>, Decoded, &[u8])> {
        let decoded = &mut self.decoded;
        let data = &self.data;
        let compact = &self.compact;
        let keep_cr = self.keep_cr;
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        let first = self.first_line;
        starts
            .zip(self.ends.iter().copied())
            .zip(decoded.iter_mut())
            .enumerate()
            .map(move |(k, ((s, e), d))| {
                let line = Line {
                    raw: &data[s..e],
                    keep_cr,
                };
                let d = std::mem::take(d);
                let json = match d {
                    Decoded::Compact(s, e) => compact.get(s..e).unwrap_or_default(),
                    _ => &[],
                };
                (first + k as u64, line, d, json)
            })
            .skip(self.skip)
    }

    /// Line `data[s..e]` without its terminator.
    fn line(&self, s: usize, e: usize) -> &[u8] {
        strip(&self.data[s..e], self.keep_cr)
    }

    /// Adds one whole frame as a line (a message of a message transport).
    pub fn push_frame(&mut self, frame: &[u8]) {
        if self.data.len() < self.len + frame.len() {
            self.data.resize(self.len + frame.len(), 0);
        }
        self.data[self.len..self.len + frame.len()].copy_from_slice(frame);
        self.len += frame.len();
        self.ends.push(self.len);
    }

    /// Whether it holds no line.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Whether [`Chunk::decode`] ran on it.
    pub fn is_decoded(&self) -> bool {
        self.decoded.len() == self.ends.len()
    }

    /// Of its decoded lines: how many are not blank, and how many of those did not
    /// decode.
    pub fn tally(&self) -> (usize, usize) {
        let (mut lines, mut bad) = (0, 0);
        for d in self.decoded.iter().skip(self.skip) {
            match d {
                Decoded::Blank => {}
                Decoded::Bad(..) => (lines, bad) = (lines + 1, bad + 1),
                _ => lines += 1,
            }
        }
        (lines, bad)
    }

    /// Leaves out its lines before its `n + 1`-th event (it must be decoded): a
    /// replay handed over `n` of its events, and what did not decode among them,
    /// before. `None` once it holds that event; else it leaves out every line and
    /// says how many events are still to leave out after it.
    pub fn skip_events(&mut self, n: u64) -> Option<u64> {
        let mut seen = 0;
        for (i, d) in self.decoded.iter().enumerate() {
            if matches!(d, Decoded::Value(_) | Decoded::Compact(..)) {
                if seen == n {
                    self.skip = i;
                    return None;
                }
                seen += 1;
            }
        }
        self.skip = self.decoded.len();
        Some(n - seen)
    }

    /// How many lines it holds.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Events among the lines [`Chunk::take`] gives (it must be decoded).
    pub fn events(&self) -> u64 {
        let events = self.decoded.iter().skip(self.skip);
        events
            .filter(|d| matches!(d, Decoded::Value(_) | Decoded::Compact(..)))
            .count() as u64
    }

    fn reset(&mut self, input: usize, first_line: u64, keep_cr: bool) {
        self.input = input;
        self.skip = 0;
        self.keep_cr = keep_cr;
        self.first_line = first_line;
        self.len = 0;
        self.ends.clear();
        self.decoded.clear();
        self.cut.clear();
        self.compact.clear();
    }

    /// Decodes every line.
    pub(super) fn decode(&mut self, decoder: &mut Decoder) {
        decoder.scratch.restock(&mut self.spare);
        let mut decoded = std::mem::take(&mut self.decoded);
        decoded.clear();
        let mut compact = std::mem::take(&mut self.compact);
        compact.clear();
        let mut cut = self.cut.iter().copied().peekable();
        decoded.extend(self.lines().enumerate().map(|(k, (_, line))| {
            let is_cut = cut.next_if_eq(&k).is_some();
            decoder.decode(line, is_cut, &mut compact)
        }));
        self.decoded = decoded;
        self.compact = compact;
    }
}

/// A line as [`Chunk::take`] gives it, its terminator still on: most lines are
/// never looked at again once decoded (only an error report shows one), and
/// finding the end of each would read every line's last byte, which for a chunk
/// filled on another core is a cache miss per event.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    raw: &'a [u8],
    keep_cr: bool,
}

impl<'a> Line<'a> {
    /// The line without its `\n` (or `\r\n`).
    pub fn bytes(self) -> &'a [u8] {
        strip(self.raw, self.keep_cr)
    }
}

/// A line without its `\n` (and `\r` before it, unless `keep_cr`).
fn strip(line: &[u8], keep_cr: bool) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    if keep_cr {
        line
    } else {
        line.strip_suffix(b"\r").unwrap_or(line)
    }
}

/// What the reader thread says.
#[derive(Debug)]
pub enum Input {
    Lines(Chunk),
    /// Reading failed; nothing more will come.
    Failed(String),
    /// Every input has ended.
    End,
}

/// A running reader: take chunks with [`Reader::next`], give them back with
/// [`Reader::recycle`]. Dropping it stops the reader thread at its next chunk.
pub struct Reader {
    queue: Arc<Queue>,
    /// The run loop's own decoder, for the chunks it decodes while waiting.
    decoder: Decoder,
}

impl Reader {
    /// The next chunk (decoded), failure or end; `None` if nothing came within `wait`.
    pub fn next(&mut self, wait: Duration) -> Option<Input> {
        self.queue.next(wait, &mut self.decoder)
    }

    /// Hands a chunk back for reuse.
    pub fn recycle(&self, chunk: Chunk) {
        self.queue.recycle(chunk);
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.queue.close();
    }
}

/// Starts reading `inputs` (already opened, in order) on a thread, decoding with
/// `decoder` (and a fresh copy of it on the caller's side); `names` are used in error texts.
/// Every read and chunk is counted into `progress`, when given.
pub fn spawn(
    inputs: Vec<Box<dyn Read + Send>>,
    names: Vec<String>,
    decoder: Decoder,
    progress: Option<Arc<ReadProgress>>,
) -> Reader {
    let queue = Arc::new(Queue::default());
    let reader = Reader {
        queue: queue.clone(),
        decoder: decoder.fresh(),
    };
    std::thread::spawn(move || {
        let mut decoder = decoder;
        let done = Done(&queue);
        read_all(inputs, &names, &queue, &mut decoder, progress.as_deref());
        std::mem::forget(done);
    });
    reader
}

/// Ends the queue if the reader thread unwinds, so the run loop does not wait forever.
struct Done<'a>(&'a Queue);

impl Drop for Done<'_> {
    fn drop(&mut self) {
        self.0.abandon("the input reader stopped unexpectedly");
    }
}

fn read_all(
    inputs: Vec<Box<dyn Read + Send>>,
    names: &[String],
    queue: &Queue,
    decoder: &mut Decoder,
    progress: Option<&ReadProgress>,
) {
    for (input, mut source) in inputs.into_iter().enumerate() {
        let name = names.get(input).map_or("input", String::as_str);
        let first = queue.reuse();
        let mut lines = Splitter::new(input, decoder.max_line, false, first);
        let mut sink = ToQueue {
            queue,
            decoder: &mut *decoder,
            progress,
        };
        match read_lines(&mut source, &mut lines, &mut sink, progress) {
            Ok(true) => {}
            // The run loop has stopped listening (Ctrl-C): nothing left to do.
            Ok(false) => break,
            Err(e) => {
                queue.finish(Input::Failed(format!("cannot read {name}: {e}")), decoder);
                return;
            }
        }
    }
    queue.finish(Input::End, decoder);
}

/// Chunks done with, on their way back from the executor thread to what fills
/// them (the built-in input's reader, a peer's streams): their buffers, already
/// grown, and the records of their events ([`Chunk::spare`]) are reused.
#[derive(Debug, Default)]
pub struct ChunkPool(std::sync::Mutex<Vec<Chunk>>);

/// Chunks a pool keeps at most (what the streams of a peer have on their way).
const POOL: usize = 16;

impl ChunkPool {
    /// Keeps `chunk` for reuse, if there is room (not one grown by a huge line or
    /// message: a pool must not pin that memory). On the executor thread it takes
    /// along the records its events are done with ([`crate::value::recycle`]).
    pub fn put(&self, mut chunk: Chunk) {
        if chunk.data.capacity() > 4 * READ_BYTES {
            return;
        }
        let lines = chunk.len();
        crate::value::recycle::take(&mut chunk.spare, lines);
        let mut pool = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if pool.len() < POOL {
            pool.push(chunk);
        }
    }

    /// A chunk to fill: a kept one if there is one.
    pub fn take(&self) -> Chunk {
        let mut pool = self.0.lock().unwrap_or_else(|e| e.into_inner());
        pool.pop().unwrap_or_default()
    }
}

/// Where [`read_lines`] hands the chunks it cuts.
pub trait LineSink {
    /// Asked before every read: false stops reading.
    fn ready(&mut self) -> bool {
        true
    }

    /// An empty chunk to fill after the one handed over.
    fn fresh(&mut self) -> Chunk {
        Chunk::default()
    }

    /// Takes a chunk of complete lines (it says where it starts in its input:
    /// [`Chunk::start`]); false stops reading.
    fn send(&mut self, chunk: Chunk) -> bool;
}

/// The one read loop of byte streams of lines (stdin and `-i` files as the
/// built-in input, `file` sources, replayable `-i` files): reads `source` to its
/// end into chunks cut by `lines` (which starts at the offset the source was opened
/// at) and hands each to `sink`; every read's bytes count into `progress`. True at
/// the end of the input, false when the sink stopped it.
pub fn read_lines(
    source: &mut impl Read,
    lines: &mut Splitter,
    sink: &mut impl LineSink,
    progress: Option<&ReadProgress>,
) -> std::io::Result<bool> {
    loop {
        if !sink.ready() {
            return Ok(false);
        }
        let n = loop {
            match source.read(lines.space()) {
                Ok(n) => break n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if let Some(p) = progress {
            p.add(n as u64, 0);
        }
        if n == 0 {
            return Ok(lines.end().is_none_or(|chunk| sink.send(chunk)));
        }
        if let Some(chunk) = lines.filled(n, || sink.fresh()) {
            if !sink.send(chunk) {
                return Ok(false);
            }
        }
    }
}

/// The built-in input's chunks on their way to the run loop: chunks are reused,
/// and each is stamped with its read time.
struct ToQueue<'a> {
    queue: &'a Queue,
    decoder: &'a mut Decoder,
    progress: Option<&'a ReadProgress>,
}

impl LineSink for ToQueue<'_> {
    fn fresh(&mut self) -> Chunk {
        self.queue.reuse()
    }

    /// False when the run loop is gone.
    fn send(&mut self, mut chunk: Chunk) -> bool {
        if let Some(p) = self.progress {
            p.add(0, chunk.ends.len() as u64);
        }
        chunk.read_ns = now_ns();
        self.queue.push(chunk, self.decoder)
    }
}

/// Nanoseconds since the epoch.
fn now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// Cuts a byte stream into chunks of whole lines: bytes go straight into the chunk
/// being filled (read into [`Splitter::space`], or copied by [`Splitter::feed`]),
/// its complete lines leave as one chunk, and only the partial last line moves on
/// to the next chunk.
pub struct Splitter {
    chunk: Chunk,
    input: usize,
    /// Number of the first line of `chunk`.
    line_no: u64,
    max_line: usize,
    /// Skipping the rest of an over-long line, up to its `\n`.
    skipping: bool,
    /// Lines keep a `\r` before their `\n` (as the `lines` interceptor does).
    keep_cr: bool,
    /// Bytes taken in so far: the offset in the input of the next byte.
    read: u64,
}

impl Splitter {
    /// Lines of input number `input` (for error texts), at most `max_line` bytes
    /// long, filling `chunk` first.
    pub fn new(input: usize, max_line: usize, keep_cr: bool, mut chunk: Chunk) -> Self {
        chunk.reset(input, 1, keep_cr);
        chunk.start = 0;
        Splitter {
            chunk,
            input,
            line_no: 1,
            max_line,
            skipping: false,
            keep_cr,
            read: 0,
        }
    }

    /// The same, for an input read from byte `offset` on (a line start).
    pub fn at(mut self, offset: u64) -> Self {
        self.read = offset;
        self.chunk.start = offset;
        self
    }

    /// Room for the next read (up to [`READ_BYTES`]); report what was read with
    /// [`Splitter::filled`].
    pub fn space(&mut self) -> &mut [u8] {
        let scanned = self.chunk.len;
        if self.chunk.data.len() < scanned + READ_BYTES {
            self.chunk.data.resize(scanned + READ_BYTES, 0);
        }
        &mut self.chunk.data[scanned..scanned + READ_BYTES]
    }

    /// Copies `bytes` in; returns the chunks of the lines they completed (each
    /// replaced by one from `fresh`).
    pub fn feed(&mut self, mut bytes: &[u8], out: &mut Vec<Chunk>, fresh: impl Fn() -> Chunk) {
        while !bytes.is_empty() {
            let space = self.space();
            let n = bytes.len().min(space.len());
            space[..n].copy_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
            if let Some(chunk) = self.filled(n, &fresh) {
                out.push(chunk);
            }
        }
    }

    /// `n` bytes were read into [`Splitter::space`]: the chunk of the lines they
    /// completed, if any (`fresh` then takes its place).
    pub fn filled(&mut self, n: usize, fresh: impl FnOnce() -> Chunk) -> Option<Chunk> {
        self.scan(n);
        self.cut(fresh)
    }

    /// `n` bytes were read into [`Splitter::space`]: the lines they complete stay in
    /// the chunk being filled until [`Splitter::cut`]. True when it must be cut now:
    /// it holds [`BATCH_BYTES`] or more, or ends with an over-long line (whatever
    /// follows that line starts a chunk of its own).
    pub fn scan(&mut self, n: usize) -> bool {
        self.scan_new(n);
        self.skipping || self.chunk.len >= BATCH_BYTES
    }

    fn scan_new(&mut self, n: usize) -> Option<()> {
        let chunk = &mut self.chunk;
        let at = self.read;
        self.read += n as u64;
        // Bytes before `scanned` hold no `\n`: only the new bytes are searched.
        let scanned = chunk.len;
        if self.skipping {
            // Drop the skipped bytes; what follows the `\n` starts the next line (the
            // chunk is empty: the cut line left with the chunk before).
            let i = memchr::memchr(b'\n', &chunk.data[scanned..scanned + n])?;
            chunk
                .data
                .copy_within(scanned + i + 1..scanned + n, scanned);
            chunk.len += n - i - 1;
            chunk.start = at + i as u64 + 1;
            self.skipping = false;
        } else {
            chunk.len += n;
        }
        let new = &chunk.data[scanned..chunk.len];
        chunk
            .ends
            .extend(memchr::memchr_iter(b'\n', new).map(|i| scanned + i + 1));
        let start = chunk.ends.last().copied().unwrap_or(0);
        if chunk.len - start > self.max_line {
            // Keep only a preview for the error report and end the line there.
            chunk.len = start + LONG_PREVIEW.min(self.max_line);
            chunk.cut.push(chunk.ends.len());
            chunk.ends.push(chunk.len);
            self.skipping = true;
        }
        Some(())
    }

    /// The chunk of the complete lines scanned so far, if any (`fresh` then takes
    /// its place, holding the partial last line).
    pub fn cut(&mut self, fresh: impl FnOnce() -> Chunk) -> Option<Chunk> {
        let chunk = &mut self.chunk;
        let complete = *chunk.ends.last()?;
        self.line_no += chunk.ends.len() as u64;
        let mut next = fresh();
        next.reset(self.input, self.line_no, self.keep_cr);
        let tail = &chunk.data[complete..chunk.len];
        if next.data.len() < tail.len() {
            next.data.resize(tail.len(), 0);
        }
        next.data[..tail.len()].copy_from_slice(tail);
        next.len = tail.len();
        next.start = self.read - tail.len() as u64;
        chunk.len = complete;
        Some(std::mem::replace(chunk, next))
    }

    /// The end of the input: the chunk of what is left (a final line without `\n`
    /// still counts), if anything.
    pub fn end(&mut self) -> Option<Chunk> {
        let mut chunk = std::mem::take(&mut self.chunk);
        self.chunk.reset(self.input, self.line_no, self.keep_cr);
        self.chunk.start = self.read;
        self.skipping = false;
        if chunk.len > chunk.ends.last().copied().unwrap_or(0) {
            chunk.ends.push(chunk.len);
        }
        (!chunk.ends.is_empty()).then_some(chunk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peer::codec::Text;

    fn recv(reader: &mut Reader) -> Input {
        loop {
            if let Some(i) = reader.next(Duration::from_secs(1)) {
                return i;
            }
        }
    }

    #[test]
    fn a_pool_gives_back_what_it_kept_and_keeps_no_huge_chunk() {
        let pool = ChunkPool::default();
        let mut lines = Splitter::new(0, MAX_LINE, false, pool.take());
        let mut out = Vec::new();
        lines.feed(b"1\n2\n", &mut out, || pool.take());
        let chunk = out.pop().unwrap();
        let grown = chunk.data.capacity();
        assert!(grown >= READ_BYTES);
        pool.put(chunk);
        let again = pool.take();
        assert_eq!(again.data.capacity(), grown);
        assert!(pool.take().data.capacity() == 0, "only one was kept");
        let mut huge = Chunk::default();
        huge.data.resize(8 * READ_BYTES, 0);
        pool.put(huge);
        assert_eq!(pool.take().data.capacity(), 0);
    }

    /// Reads `pieces` into a splitter as one batch (cutting only when it says so)
    /// and returns each chunk's lines.
    fn batched(pieces: &[&[u8]], max_line: usize) -> Vec<Vec<String>> {
        let mut lines = Splitter::new(0, max_line, false, Chunk::default());
        let mut chunks = Vec::new();
        for piece in pieces {
            lines.space()[..piece.len()].copy_from_slice(piece);
            if lines.scan(piece.len()) {
                chunks.extend(lines.cut(Chunk::default));
            }
        }
        chunks.extend(lines.cut(Chunk::default));
        chunks.extend(lines.end());
        let text = |c: &Chunk| {
            c.lines()
                .map(|(_, l)| String::from_utf8_lossy(l).into_owned())
                .collect()
        };
        chunks.iter().map(text).collect()
    }

    #[test]
    fn a_batch_of_reads_is_cut_once_unless_full_or_a_line_is_too_long() {
        let got = batched(&[b"a\nb", b"c\nd\n", b"e"], MAX_LINE);
        assert_eq!(got, [vec!["a", "bc", "d"], vec!["e"]]);
        // An over-long line ends its chunk at once; what follows starts the next.
        let long = [b'x'; 300];
        let got = batched(&[b"a\n", &long, b"x\nb\n", b"c\n"], 100);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0][0], "a");
        assert_eq!(got[0][1].len(), 100);
        assert_eq!(got[1], ["b", "c"]);
        // A full chunk is cut, with the partial line carried to the next.
        let big = vec![b'y'; BATCH_BYTES / 2];
        let pieces: Vec<&[u8]> = vec![&big, b"\n", &big, b"\nz", b"z\n"];
        let got = batched(&pieces, MAX_LINE);
        let sizes: Vec<Vec<usize>> = got
            .iter()
            .map(|c| c.iter().map(String::len).collect())
            .collect();
        assert_eq!(sizes, [vec![big.len()], vec![big.len(), 2]]);
    }

    /// Lines as strings, nothing skipped, lines up to `max_line` bytes.
    fn text(max_line: usize) -> Decoder {
        Decoder {
            codec: Box::new(Text),
            skip_blank: false,
            max_line,
            compact: false,
            project: None,
            scratch: Scratch::default(),
            too_long,
        }
    }

    fn collect(inputs: Vec<&'static [u8]>) -> (Vec<(usize, u64, String)>, Option<String>) {
        let n = inputs.len();
        let boxed = inputs
            .into_iter()
            .map(|b| Box::new(b) as Box<dyn Read + Send>)
            .collect();
        let mut reader = spawn(
            boxed,
            (0..n).map(|i| format!("f{i}")).collect(),
            text(MAX_LINE),
            None,
        );
        let mut lines = Vec::new();
        loop {
            match recv(&mut reader) {
                Input::Lines(c) => {
                    for (no, l) in c.lines() {
                        lines.push((c.input, no, String::from_utf8(l.to_vec()).unwrap()));
                    }
                    reader.recycle(c);
                }
                Input::Failed(e) => return (lines, Some(e)),
                Input::End => return (lines, None),
            }
        }
    }

    #[test]
    fn reads_inputs_in_order_with_line_numbers() {
        let (lines, err) = collect(vec![b"a\r\nb\n\nc", b"d\n"]);
        assert_eq!(err, None);
        let want = [
            (0, 1, "a"),
            (0, 2, "b"),
            (0, 3, ""),
            (0, 4, "c"),
            (1, 1, "d"),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(i, n, s)| (*i, *n, s.to_string()))
            .collect();
        assert_eq!(lines, want);
    }

    #[test]
    fn big_inputs_arrive_in_several_chunks() {
        let line = b"{\"k\":\"0123456789012345678901234567890123456789\"}\n";
        let data: &'static [u8] = line.repeat(5000).leak();
        let (lines, _) = collect(vec![data]);
        assert_eq!(lines.len(), 5000);
        assert_eq!(lines[4999].1, 5000);
    }

    /// Hands out at most 3 bytes per read, so lines arrive split across reads.
    struct Trickling(&'static [u8]);
    impl Read for Trickling {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(3).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn lines_split_across_reads_are_joined() {
        let mut reader = spawn(
            vec![Box::new(Trickling(b"{\"a\":1}\r\n\nlonger line\nend"))],
            vec!["t".into()],
            text(MAX_LINE),
            None,
        );
        let mut lines = Vec::new();
        while let Input::Lines(c) = recv(&mut reader) {
            lines.extend(
                c.lines()
                    .map(|(n, l)| (n, String::from_utf8_lossy(l).into_owned())),
            );
        }
        let want = [(1, "{\"a\":1}"), (2, ""), (3, "longer line"), (4, "end")];
        let want: Vec<_> = want.iter().map(|(n, s)| (*n, s.to_string())).collect();
        assert_eq!(lines, want);
    }

    /// Keeps each chunk's offset, first line number and lines; stops reading
    /// once it holds `stop_at` chunks.
    struct Collect {
        chunks: Vec<(u64, u64, usize)>,
        stop_at: usize,
    }
    impl LineSink for Collect {
        fn ready(&mut self) -> bool {
            self.chunks.len() < self.stop_at
        }
        fn send(&mut self, c: Chunk) -> bool {
            self.chunks.push((c.start, c.first_line, c.len()));
            true
        }
    }

    #[test]
    fn the_read_loop_reports_offsets_from_where_it_starts_and_stops_when_told() {
        // `a\nb\ncc\nd` read from offset 2, 3 bytes at a time: `b\nc`, `c\nd`, end.
        let progress = ReadProgress::default();
        let mut lines = Splitter::new(0, MAX_LINE, false, Chunk::default()).at(2);
        let mut sink = Collect {
            chunks: Vec::new(),
            stop_at: usize::MAX,
        };
        let ended = read_lines(
            &mut Trickling(b"b\ncc\nd"),
            &mut lines,
            &mut sink,
            Some(&progress),
        );
        assert!(ended.unwrap());
        assert_eq!(sink.chunks, [(2, 1, 1), (4, 2, 1), (7, 3, 1)]);
        assert_eq!(progress.bytes.load(std::sync::atomic::Ordering::Relaxed), 6);
        let mut lines = Splitter::new(0, MAX_LINE, false, Chunk::default());
        let mut sink = Collect {
            chunks: Vec::new(),
            stop_at: 1,
        };
        let ended = read_lines(&mut Trickling(b"b\ncc\nd"), &mut lines, &mut sink, None);
        assert!(!ended.unwrap());
        assert_eq!(sink.chunks, [(0, 1, 1)]);
    }

    struct Broken;
    impl Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk on fire"))
        }
    }

    #[test]
    fn read_errors_are_reported() {
        let mut reader = spawn(
            vec![Box::new(Broken)],
            vec!["x.json".into()],
            text(MAX_LINE),
            None,
        );
        match recv(&mut reader) {
            Input::Failed(e) => assert!(e.contains("x.json") && e.contains("disk on fire"), "{e}"),
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    /// Reads `input` in `step`-byte reads and returns every line's number and decoding.
    fn decoded(input: Vec<u8>, step: usize, max_line: usize) -> Vec<(u64, String)> {
        struct Steps(Vec<u8>, usize, usize);
        impl Read for Steps {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = (self.0.len() - self.1).min(self.2).min(buf.len());
                buf[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
                self.1 += n;
                Ok(n)
            }
        }
        let mut reader = spawn(
            vec![Box::new(Steps(input, 0, step))],
            vec!["s".into()],
            text(max_line),
            None,
        );
        let mut got = Vec::new();
        while let Input::Lines(mut c) = recv(&mut reader) {
            for (no, _, d, _) in c.take() {
                let d = match d {
                    Decoded::Value(v) => v.as_str().unwrap_or_default().to_string(),
                    Decoded::Blank => "<blank>".into(),
                    Decoded::Bad(e, raw) => format!("{e} [{}]", raw.unwrap_or_default().len()),
                    Decoded::Compact(..) => "<compact>".into(),
                };
                got.push((no, d));
            }
        }
        got
    }

    #[test]
    fn over_long_lines_are_reported_and_skipped() {
        let long = "x".repeat(5000);
        let input = format!("a\n{long}\nb\n{long}");
        let too_long = "line longer than 100 bytes; the rest of it is discarded [100]";
        for step in [1, 7, 100, 4096, READ_BYTES] {
            let got = decoded(input.clone().into_bytes(), step, 100);
            let want = vec![
                (1, "a".to_string()),
                (2, too_long.to_string()),
                (3, "b".to_string()),
                (4, too_long.to_string()),
            ];
            assert_eq!(got, want, "reads of {step} bytes");
        }
        // A line of exactly the limit is fine; the preview is at most 1 KiB.
        let got = decoded(format!("{}\n", "y".repeat(100)).into_bytes(), 3, 100);
        assert_eq!(got[0].1.len(), 100);
        let got = decoded(format!("{long}\nz").into_bytes(), 4096, 2000);
        assert!(got[0].1.ends_with("[1024]"), "{got:?}");
        assert_eq!(got[1], (2, "z".to_string()));
    }

    #[test]
    fn chunks_decoded_on_either_side_come_out_in_order() {
        let input: String = (0..50_000).map(|i| format!("{i}\n")).collect();
        let got = decoded(input.into_bytes(), 1000, MAX_LINE);
        assert_eq!(got.len(), 50_000);
        for (i, (no, text)) in got.iter().enumerate() {
            assert_eq!((*no, text.as_str()), (i as u64 + 1, i.to_string().as_str()));
        }
    }
}
