//! One stream's framing: bytes → interceptors → codec → values on receive, and
//! value → codec → interceptors → bytes on send. Each stream owns its own, so
//! partial data never crosses streams.

use super::chunks::{self, Chunk, Splitter};
use super::codec::{Codec, Json};
use super::interceptor::{Chain, DEFAULT_MAX_LENGTH};
use super::plan::{self, Plan};
use super::raw::Raw;
use super::spec::PeerSpec;
use super::EncodeError;
use crate::value::Value;

/// What one chunk of received bytes became: values, or `(error, raw)` for the
/// parts that did not decode.
pub type Decoded = Vec<Result<Value, (String, Raw)>>;

/// Chunks of one stream on their way to the graph at most (the rest waits in the
/// socket's buffer): the ones the graph has not taken yet hold decoded events.
const AHEAD: usize = 4;

/// Bytes a read asks for when not on the fast path.
const READ_BYTES: usize = 64 * 1024;

/// The receiving half of a stream.
pub struct Decoder {
    mode: Mode,
    /// One permit per chunk on its way to the graph (see [`AHEAD`]).
    ahead: std::sync::Arc<tokio::sync::Semaphore>,
    /// What [`Decoder::space`] reads into when not on the fast path.
    buf: Vec<u8>,
}

enum Mode {
    /// Any interceptors and codec: frames, each decoded whole.
    Frames {
        chain: Chain,
        codec: Box<dyn Codec>,
        /// JSON frames holding only whitespace (blank lines) are skipped, not errors.
        skip_blank: bool,
        frames: Vec<Vec<u8>>,
        errors: Vec<super::interceptor::InterceptError>,
        out: Decoded,
    },
    /// JSON lines of a byte stream: cut into chunks, decoded as the [`Plan`] says.
    Lines {
        splitter: Splitter,
        decoder: chunks::Decoder,
        ready: Vec<Chunk>,
        /// Where the executor thread puts the chunks back (see [`Plan::spent`]).
        spent: std::sync::Arc<chunks::ChunkPool>,
    },
    /// JSON messages (a message transport, one frame each), decoded likewise.
    Messages {
        chunk: Chunk,
        decoder: chunks::Decoder,
    },
}

/// What a stream's received bytes became, ready to go to the graph.
pub enum Batch {
    /// Values and errors.
    Values(Decoded),
    /// Lines with what each decoded to (the lines stay, for error reports).
    Lines(Chunk),
}

impl Decoder {
    /// A decoder for a new stream of `spec` that decodes every frame whole.
    pub fn new(spec: &PeerSpec) -> Self {
        Decoder {
            mode: Mode::Frames {
                chain: spec.chain(),
                skip_blank: spec.codec == "json",
                codec: spec.codec(),
                frames: Vec::new(),
                errors: Vec::new(),
                out: Vec::new(),
            },
            ahead: std::sync::Arc::new(tokio::sync::Semaphore::new(AHEAD)),
            buf: Vec::new(),
        }
    }

    /// A decoder for a new stream of `spec` that takes the fast path where it can
    /// (JSON with the default framing), as `plan` says; use [`Decoder::push`] and
    /// [`Decoder::take`].
    pub fn fast(spec: &PeerSpec, plan: &Plan) -> Self {
        if !plan::reads_lines(spec) {
            return Decoder::new(spec);
        }
        let decoder = line_decoder(spec, plan);
        let mode = if decoder.max_line == DEFAULT_MAX_LENGTH {
            Mode::Lines {
                splitter: Splitter::new(0, DEFAULT_MAX_LENGTH, true, plan.spent.take()),
                decoder,
                ready: Vec::new(),
                spent: plan.spent.clone(),
            }
        } else {
            Mode::Messages {
                chunk: Chunk::default(),
                decoder,
            }
        };
        Decoder {
            mode,
            ahead: std::sync::Arc::new(tokio::sync::Semaphore::new(AHEAD)),
            buf: Vec::new(),
        }
    }

    /// The permits for this stream's chunks on their way to the graph: a chunk
    /// goes once it has one, and holds it until it is dropped.
    pub fn ahead(&self) -> std::sync::Arc<tokio::sync::Semaphore> {
        self.ahead.clone()
    }

    /// With a chunk's permit held: whether every other chunk this stream may have
    /// on its way is still there (the executor is behind, so the stream's task
    /// decodes; else the executor decodes the chunk itself). The task also reads the
    /// socket and, on the same threads, sinks write: leaving the executor all the
    /// decoding it can keep up with balances the two cores.
    pub fn behind(&self) -> bool {
        self.ahead.available_permits() == 0
    }

    /// Bytes from the transport; appends what they decode to.
    pub fn feed(&mut self, bytes: &[u8], out: &mut Decoded) {
        self.push(bytes);
        self.drain_into(out);
    }

    /// The stream ended: decodes what the interceptors still held.
    pub fn finish(&mut self, out: &mut Decoded) {
        self.end();
        self.drain_into(out);
    }

    /// Bytes from the transport (one message, for a message transport).
    pub fn push(&mut self, bytes: &[u8]) {
        match &mut self.mode {
            Mode::Frames {
                chain,
                frames,
                errors,
                ..
            } => {
                chain.receive(bytes, frames, errors);
                self.decode_frames();
            }
            Mode::Lines {
                splitter,
                ready,
                spent,
                ..
            } => splitter.feed(bytes, ready, || spent.take()),
            Mode::Messages { chunk, .. } => chunk.push_frame(bytes),
        }
    }

    /// Room for the next read of a byte stream: on the fast path the chunk being
    /// filled (no copy on the way), else a buffer of its own. Report what was read
    /// with [`Decoder::filled`].
    pub fn space(&mut self) -> &mut [u8] {
        match &mut self.mode {
            Mode::Lines { splitter, .. } => splitter.space(),
            _ => {
                self.buf.resize(READ_BYTES, 0);
                &mut self.buf
            }
        }
    }

    /// `n` bytes were read into [`Decoder::space`]. True when what was read should
    /// go now ([`Decoder::cut`]); false when the chunk being filled has room for
    /// more that is ready to be read at once.
    pub fn filled(&mut self, n: usize) -> bool {
        if let Mode::Lines { splitter, .. } = &mut self.mode {
            return splitter.scan(n);
        }
        let buf = std::mem::take(&mut self.buf);
        self.push(&buf[..n]);
        self.buf = buf;
        true
    }

    /// Lets out the complete lines read into [`Decoder::space`] so far (for
    /// [`Decoder::take`]).
    pub fn cut(&mut self) {
        if let Mode::Lines {
            splitter,
            ready,
            spent,
            ..
        } = &mut self.mode
        {
            ready.extend(splitter.cut(|| spent.take()));
        }
    }

    /// The stream ended: what is still held (a last line without `\n`) is let out.
    pub fn end(&mut self) {
        match &mut self.mode {
            Mode::Frames {
                chain,
                frames,
                errors,
                ..
            } => {
                chain.finish(frames, errors);
                self.decode_frames();
            }
            Mode::Lines {
                splitter, ready, ..
            } => ready.extend(splitter.end()),
            Mode::Messages { .. } => {}
        }
    }

    /// What was pushed so far: values, or chunks of lines not decoded yet (see
    /// [`Decoder::decode`]).
    pub fn take(&mut self) -> Vec<Batch> {
        match &mut self.mode {
            Mode::Frames { out, .. } if out.is_empty() => Vec::new(),
            Mode::Frames { out, .. } => vec![Batch::Values(std::mem::take(out))],
            Mode::Lines { ready, .. } => ready.drain(..).map(Batch::Lines).collect(),
            Mode::Messages { chunk, .. } if !chunk.is_empty() => {
                vec![Batch::Lines(std::mem::take(chunk))]
            }
            Mode::Messages { .. } => Vec::new(),
        }
    }

    /// Decodes a chunk [`Decoder::take`] gave (else the executor thread does).
    pub fn decode(&mut self, chunk: &mut Chunk) {
        if let Mode::Lines { decoder, .. } | Mode::Messages { decoder, .. } = &mut self.mode {
            chunk.decode(decoder);
        }
    }

    /// [`Decoder::take`] as values (the fast path's lines decoded whole again).
    fn drain_into(&mut self, out: &mut Decoded) {
        for batch in self.take() {
            match batch {
                Batch::Values(v) => out.extend(v),
                Batch::Lines(mut c) => {
                    self.decode(&mut c);
                    let mut codec = Json::default();
                    for (_, line, d, _) in c.take() {
                        match d {
                            chunks::Decoded::Blank => {}
                            chunks::Decoded::Bad(e, preview) => {
                                out.push(Err((e, raw_of(line.bytes(), preview))));
                            }
                            _ => out.push(
                                codec
                                    .decode(line.bytes())
                                    .map_err(|e| (e.to_string(), e.raw)),
                            ),
                        }
                    }
                }
            }
        }
    }

    fn decode_frames(&mut self) {
        let Mode::Frames {
            codec,
            skip_blank,
            frames,
            errors,
            out,
            ..
        } = &mut self.mode
        else {
            return;
        };
        for e in errors.drain(..) {
            out.push(Err((e.to_string(), Raw::preview(e.raw))));
        }
        for frame in frames.drain(..) {
            if *skip_blank && frame.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            out.push(codec.decode(&frame).map_err(|e| (e.to_string(), e.raw)));
        }
    }
}

/// How the fast path decodes the lines (or messages) of a peer that takes it.
pub fn line_decoder(spec: &PeerSpec, plan: &Plan) -> chunks::Decoder {
    let lines = spec.kind.default_interceptors() == ["lines"];
    chunks::Decoder {
        codec: Box::new(Json::default()),
        skip_blank: true,
        // A message is a frame whatever its size (the transport bounds it).
        max_line: if lines {
            DEFAULT_MAX_LENGTH
        } else {
            usize::MAX
        },
        compact: plan.forward.is_some(),
        project: plan.project.clone(),
        scratch: Default::default(),
        too_long,
    }
}

/// The `lines` interceptor's text for a line over its default `max_length`.
fn too_long(max_line: usize) -> String {
    format!(
        "lines interceptor: line longer than max_length ({max_line} bytes); the rest of it is discarded"
    )
}

/// The `raw` of a line that did not decode: the start kept of an over-long line,
/// else the line.
pub fn raw_of(line: &[u8], preview: Option<String>) -> Raw {
    preview.map_or_else(|| Raw::of(line), Raw::preview)
}

/// The sending half of a stream.
pub struct Encoder {
    chain: Chain,
    codec: Box<dyn Codec>,
    frame: Vec<u8>,
    parts: Vec<Vec<u8>>,
}

impl Encoder {
    /// An encoder for a new stream of `spec`.
    pub fn new(spec: &PeerSpec) -> Self {
        Encoder {
            chain: spec.chain(),
            codec: spec.codec(),
            frame: Vec::new(),
            parts: Vec::new(),
        }
    }

    /// Appends the bytes for `value` to `out` (one message for message transports).
    pub fn encode(&mut self, value: &Value, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.frame.clear();
        self.codec.encode(value, &mut self.frame)?;
        self.parts.clear();
        self.chain.send(&self.frame, &mut self.parts)?;
        for p in self.parts.drain(..) {
            out.extend_from_slice(&p);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Record;

    fn spec(json: &str) -> PeerSpec {
        let with = crate::value::parse_json(json).unwrap();
        let with: Record = with.as_record().cloned().unwrap_or_default();
        super::super::spec::build("p", "stdin", &with).unwrap()
    }

    #[test]
    fn lines_of_json_with_errors_and_blank_lines() {
        let mut d = Decoder::new(&spec("{}"));
        let mut out = Vec::new();
        d.feed(b"{\"a\":1}\n\n{bad\n[1,", &mut out);
        d.feed(b"2]", &mut out);
        d.finish(&mut out);
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].as_ref().unwrap().encode(), r#"{"a":1}"#);
        let (err, raw) = out[1].as_ref().unwrap_err();
        assert!(err.starts_with("json codec"), "{err}");
        assert_eq!(raw.text, "{bad");
        assert_eq!(out[2].as_ref().unwrap().encode(), "[1,2]");
    }

    fn show(items: &Decoded) -> Vec<String> {
        items
            .iter()
            .map(|i| match i {
                Ok(v) => v.encode(),
                Err((e, raw)) => format!("{e} [{}]", raw.text),
            })
            .collect()
    }

    /// The slow and the fast decoder of a `kind` peer, fed `input` in `step`-byte reads.
    fn both(kind: &str, input: &[u8], step: usize) -> (Vec<String>, Vec<String>) {
        let with = crate::value::parse_json(r#"{"config": {"port": 9}}"#).unwrap();
        let with: Record = with.as_record().cloned().unwrap_or_default();
        let spec = super::super::spec::build("p", kind, &with).unwrap();
        let mut slow = Decoder::new(&spec);
        let mut fast = Decoder::fast(&spec, &Plan::default());
        assert!(matches!(
            fast.mode,
            Mode::Lines { .. } | Mode::Messages { .. }
        ));
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for piece in input.chunks(step) {
            slow.feed(piece, &mut a);
            fast.feed(piece, &mut b);
        }
        slow.finish(&mut a);
        fast.finish(&mut b);
        (show(&a), show(&b))
    }

    #[test]
    fn the_fast_path_decodes_lines_as_the_lines_interceptor_and_codec_do() {
        let long = format!("{{\"x\": \"{}\"}}", "y".repeat(DEFAULT_MAX_LENGTH));
        let input =
            format!("{{\"a\": 1}}\r\n\n  \n{{bad\r\n[1, 2]\n{long}\n\"after\"\n{{\"b\":\n7");
        let (slow, fast) = both("tcp_server", b"{\"a\":1}\r\n{bad\n\n7", 1);
        assert_eq!(slow, fast);
        // (Reads that hold the whole over-long line would differ in order only: the
        // interceptor reports its errors before the frames of the same read.)
        for step in [5, 4096, 64 * 1024] {
            let (slow, fast) = both("tcp_server", input.as_bytes(), step);
            assert_eq!(slow, fast, "reads of {step} bytes");
            assert_eq!(fast.len(), 7, "{fast:?}");
        }
    }

    #[test]
    fn reads_into_the_decoders_space_on_either_path() {
        let with = crate::value::parse_json(r#"{"config": {"port": 9}}"#).unwrap();
        let with: Record = with.as_record().cloned().unwrap_or_default();
        let spec = super::super::spec::build("p", "tcp_server", &with).unwrap();
        for mut dec in [Decoder::new(&spec), Decoder::fast(&spec, &Plan::default())] {
            let mut out = Vec::new();
            for piece in [&b"{\"a\": 1}\n{\"b\""[..], b": 2}\n"] {
                dec.space()[..piece.len()].copy_from_slice(piece);
                dec.filled(piece.len());
            }
            dec.cut();
            dec.drain_into(&mut out);
            assert_eq!(show(&out), [r#"{"a":1}"#, r#"{"b":2}"#]);
        }
    }

    #[test]
    fn the_fast_path_takes_a_message_as_one_frame() {
        let (slow, fast) = both("ws_server", b"{\"a\": 1}\n{\"b\": 2}", 1 << 20);
        assert_eq!(slow, fast);
        assert_eq!(fast.len(), 1, "one message, not valid JSON: {fast:?}");
        let (slow, fast) = both("ws_server", b" [1,2] ", 1 << 20);
        assert_eq!((slow, fast.clone()), (fast, vec!["[1,2]".to_string()]));
    }

    #[test]
    fn encodes_through_codec_and_interceptors() {
        let mut e = Encoder::new(&spec(r#"{"codec": "string"}"#));
        let mut out = Vec::new();
        e.encode(&Value::from("hi"), &mut out).unwrap();
        e.encode(&Value::from("there"), &mut out).unwrap();
        e.encode(&Value::from(1u64), &mut out).unwrap();
        assert_eq!(out, b"hi\nthere\n1\n");
    }
}
