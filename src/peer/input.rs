//! The built-in input peer `in` (stdin or the `-i` files) read by the fast reader
//! ([`super::chunks`]): its chunks are polled by the executor thread, which decodes
//! whichever chunk is still undecoded while it would otherwise wait, so decoding
//! runs beside the graph. A line whose compact JSON is exactly what the graph
//! would write goes to its output without becoming an event.
//!
//! Used when nothing can ask the input to replay (stdin, or no peer a failure
//! could come back from); otherwise the `-i` files are read by the replayable
//! reader ([`super::kind::replay`]) like a `file` peer.

use super::chunks::{self, Chunk, Decoded, Decoder, Input, Reader};
use super::codec::{Codec, Json, Text};
use super::metrics::Counter;
use super::plan::Plan;
use super::router::Exec;
use super::runtime::Options;
use super::PeerError;
use crate::event::EventId;
use crate::exec::graph::{Graph, NodeKind};
use crate::value::{Str, Value};
use std::io::Read;
use std::time::Duration;

/// Opens stdin or the `-i` files (all of them now, so a missing one stops the run
/// before it starts) and starts reading them as peer `peer`.
pub(super) fn start(opts: &Options, peer: usize, plan: Plan) -> Result<LineInput, PeerError> {
    let (readers, names) = open(&opts.inputs)?;
    let json = opts.codec != "string";
    let codec = || -> Box<dyn Codec> {
        if json {
            Box::new(Json::default())
        } else {
            Box::new(Text)
        }
    };
    let decoder = Decoder {
        codec: codec(),
        skip_blank: json,
        max_line: chunks::MAX_LINE,
        compact: plan.forward.is_some(),
        project: plan.project.clone(),
        scratch: Default::default(),
        too_long: chunks::too_long,
    };
    let reader = chunks::spawn(readers, names.clone(), decoder, opts.progress.clone());
    let mut input = LineInput::new(reader, peer, names, codec());
    input.projected = plan.project.is_some();
    input.forward = plan.forward;
    Ok(input)
}

type Opened = (Vec<Box<dyn Read + Send>>, Vec<String>);

fn open(paths: &[std::path::PathBuf]) -> Result<Opened, PeerError> {
    if paths.is_empty() {
        return Ok((vec![Box::new(std::io::stdin())], vec!["stdin".into()]));
    }
    let mut readers: Vec<Box<dyn Read + Send>> = Vec::new();
    let mut names = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            readers.push(Box::new(std::io::stdin()));
            names.push("stdin".into());
            continue;
        }
        let f = std::fs::File::open(p).map_err(PeerError::read(p.display().to_string()))?;
        readers.push(Box::new(f));
        names.push(p.display().to_string());
    }
    Ok((readers, names))
}

/// The graph of a script run: `in` feeds the script, which emits to `out`, `err`
/// or any port (the runtime routes by output name, so one edge stands for all).
pub(super) fn script_graph() -> Graph {
    let mut g = Graph::default();
    let input = g.add("in", NodeKind::Input);
    let out = g.add("out", NodeKind::Output);
    g.add("err", NodeKind::Output);
    g.connect(input, "out", out, "in");
    g
}

/// The executor thread's end of the built-in input.
pub(super) struct LineInput {
    pub(super) reader: Reader,
    /// Index of the `in` peer.
    pub(super) peer: usize,
    /// The inputs' names, for error texts (`FILE:LINE: ...`).
    pub(super) names: Vec<String>,
    /// The output events reach unchanged, when the graph only forwards them.
    pub(super) forward: Option<String>,
    /// Events hold only the fields the graph reads.
    pub(super) projected: bool,
    /// Decodes a line again, whole, for an error report.
    pub(super) codec: Box<dyn Codec>,
    /// Ingest time of the events of the chunk being handled (its read time).
    read_ns: u64,
}

/// What polling the input gave.
pub(super) enum Polled {
    /// Lines were handled, or nothing came within the wait.
    Going,
    /// Every input has ended.
    Ended,
    /// Reading failed; the run stops.
    Failed(String),
}

impl LineInput {
    pub(super) fn new(
        reader: Reader,
        peer: usize,
        names: Vec<String>,
        codec: Box<dyn Codec>,
    ) -> Self {
        LineInput {
            reader,
            peer,
            names,
            forward: None,
            projected: false,
            codec,
            read_ns: 0,
        }
    }
}

impl Exec<'_> {
    /// Starts the input's one stream, as a peer's: the graph and the per-stream
    /// clients that follow it hear of it.
    pub(super) fn start_input(&mut self) {
        if let Some(peer) = self.input.as_ref().map(|i| i.peer) {
            self.start_stream(peer, 0);
        }
    }

    /// Waits up to `wait` for the input's next chunk and runs its lines.
    pub(super) fn poll_input(&mut self, wait: Duration) -> Polled {
        let Some(input) = self.input.as_mut() else {
            return Polled::Ended;
        };
        // A sink it feeds is halted, or a per-stream client it feeds is not
        // connected yet (SPEC §5): the input waits in the operating system's
        // buffers. This thread opens the gate, so it only waits out `wait`.
        let gate = &self.peers[input.peer].gate;
        if !gate.is_open(0) {
            gate.wait_blocking(0, wait);
            return Polled::Going;
        }
        match input.reader.next(wait) {
            Some(Input::Lines(mut chunk)) => {
                self.chunk(&mut chunk);
                if let Some(input) = &self.input {
                    input.reader.recycle(chunk);
                }
                Polled::Going
            }
            Some(Input::Failed(e)) => Polled::Failed(e),
            Some(Input::End) => Polled::Ended,
            None => Polled::Going,
        }
    }

    /// The input ended (or failed): its stream ends, it is a source no more.
    pub(super) fn close_input(&mut self) {
        if let Some(input) = self.input.take() {
            self.end_stream(input.peer, 0);
            self.peers[input.peer].done = true;
        }
    }

    fn chunk(&mut self, chunk: &mut Chunk) {
        let Some(mut input) = self.input.take() else {
            return;
        };
        input.read_ns = chunk.read_ns;
        let peer = input.peer;
        let (mut events, mut bad, mut lines) = (0u64, 0u64, 0u64);
        let which = chunk.input;
        let mut fwd = self.forwarded(input.forward.as_deref());
        for (line_no, line, decoded, json) in chunk.take() {
            let data = match decoded {
                Decoded::Value(v) => v,
                Decoded::Blank => continue,
                Decoded::Compact(..) => {
                    lines += 1;
                    events += 1;
                    // It takes an ingest time and a number like the event it stands for.
                    self.ingest.ingest_ns(0);
                    self.next_seq(peer, 0);
                    self.forward_line(&mut fwd, json);
                    continue;
                }
                Decoded::Bad(e, preview) => {
                    self.forward(&mut fwd);
                    lines += 1;
                    bad += 1;
                    let name = input.names.get(which).map_or("input", String::as_str);
                    let text = format!("{name}:{line_no}: {e}");
                    let raw = preview.as_ref().map_or(line.bytes(), |p| p.as_bytes());
                    // At most a KiB of the line, with its length when cut.
                    // The shape of every source's decode errors (SPEC §3).
                    let source = self.peers[peer].spec.name.clone();
                    let mut doc =
                        crate::record! {"error" => text, "peer" => source, "stream" => 0u64};
                    super::raw::Raw::of(raw).add_to(&mut doc);
                    self.write_err(&doc);
                    continue;
                }
            };
            self.forward(&mut fwd);
            lines += 1;
            events += 1;
            self.line_event(&mut input, data, line);
        }
        self.forward(&mut fwd);
        let m = &self.peers[peer].metrics;
        m.add(Counter::Recv, Some(0), lines);
        m.add(Counter::Out, Some(0), events);
        if bad > 0 {
            m.add(Counter::Err, Some(0), bad);
        }
        self.input = Some(input);
    }

    /// One event of the input through the graph.
    fn line_event(&mut self, input: &mut LineInput, data: Value, line: chunks::Line) {
        let id = EventId {
            peer: Str::from("in"),
            stream: 0,
            event: self.next_seq(input.peer, 0),
        };
        self.drained = false;
        // One clock read per chunk: its lines arrived together.
        let ev = self.ingest.event(
            data,
            id,
            crate::value::recycle::record(),
            &[],
            input.read_ns,
        );
        // Only on an error report: a fresh codec, so the hot path keeps no copy.
        let codec = &input.codec;
        let original = || codec.fresh().decode(line.bytes()).unwrap_or_default();
        self.enter_line("in", 0, ev, input.projected, &original);
        self.route();
    }
}
