//! `stdin`, `stdout`, `stderr`, and the blocking reader that `stdin`, `file` (read)
//! and the CLI's `-i` inputs share: one stream (id 0) that ends at the end of the
//! last input.

use super::{Ctx, ToGraph};
use super::{Kind, Registration, Sink, Start, Started};
use crate::peer::kind_docs::KindDoc;
use crate::peer::stream::Decoder;
use crate::peer::PeerError;
use crate::value::Value;
use std::io::{ErrorKind, Read};
use std::sync::Arc;
use tokio::sync::mpsc;

/// `stdin` as the registry lists it.
pub const STDIN: Registration = Registration {
    doc: &KindDoc {
        kind: "stdin",
        nature: "source",
        summary: "Reads the process's standard input: one stream that ends at end of file.",
        keys: &[],
    },
    configure: |_| Arc::new(Stdin),
};

/// `stdout` as the registry lists it.
pub const STDOUT: Registration = Registration {
    doc: &KindDoc {
        kind: "stdout",
        nature: "sink",
        summary: "Writes events to standard output, flushed per event.",
        keys: &[],
    },
    configure: |_| Arc::new(Output::Stdout),
};

/// `stderr` as the registry lists it.
pub const STDERR: Registration = Registration {
    doc: &KindDoc {
        kind: "stderr",
        nature: "sink",
        summary: "Writes events to standard error, flushed per event.",
        keys: &[],
    },
    configure: |_| Arc::new(Output::Stderr),
};

/// A `stdin` peer (also the CLI's `in`).
#[derive(Debug, Clone, PartialEq)]
pub struct Stdin;

impl Kind for Stdin {
    fn doc(&self) -> &'static KindDoc {
        STDIN.doc
    }
    fn default_interceptors(&self) -> &'static [&'static str] {
        &["lines"]
    }
    fn start(&self, s: Start) -> Result<Started, PeerError> {
        if s.reads {
            start_stdin(s.ctx);
        }
        Ok(Started::default())
    }
}

/// A `stdout` or `stderr` peer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Output {
    Stdout,
    Stderr,
}

impl Kind for Output {
    fn writes_lines(&self) -> bool {
        true
    }
    fn doc(&self) -> &'static KindDoc {
        match self {
            Output::Stdout => STDOUT.doc,
            Output::Stderr => STDERR.doc,
        }
    }
    fn default_interceptors(&self) -> &'static [&'static str] {
        &["lines"]
    }
    fn start(&self, s: Start) -> Result<Started, PeerError> {
        if !s.writes {
            return Ok(Started::default());
        }
        let tx = start_std_sink(&s.ctx, *self == Output::Stderr);
        Ok(Started::sink(Sink::Writer(tx)))
    }
}

/// How much one read takes.
const READ_BYTES: usize = 64 * 1024;
/// How long a halted reader sleeps between looks at whether the run is over.
const HALT_POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// One input of a blocking reader: `$` for its events, and the bytes.
pub struct Input {
    pub meta: Value,
    pub name: String,
    pub reader: Box<dyn Read + Send>,
}

/// Reads `inputs` in order as stream 0 of the peer (on a blocking thread): start,
/// events, end, done. A partial last line of one input does not run into the next.
pub fn read_blocking(ctx: Ctx, inputs: Vec<Input>) {
    let stream = 0;
    if ctx
        .tx
        .blocking_send(ToGraph::Start {
            peer: ctx.idx,
            stream,
        })
        .is_err()
    {
        return;
    }
    let mut buf = vec![0u8; READ_BYTES];
    for mut input in inputs {
        let mut dec = Decoder::new(&ctx.spec);
        let mut items = Vec::new();
        loop {
            // Halted: leave the bytes where they are until the sinks are ready.
            while !ctx.gate.is_open(stream) {
                if ctx.tx.is_closed() {
                    return;
                }
                ctx.gate.wait_blocking(stream, HALT_POLL);
            }
            match input.reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    dec.feed(&buf[..n], &mut items);
                    if !ctx.events_blocking(stream, std::mem::take(&mut items), &input.meta) {
                        return;
                    }
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => {
                    let text = format!("cannot read {}: {e}", input.name);
                    let _ = ctx.tx.blocking_send(ToGraph::Fatal(text));
                    return;
                }
            }
        }
        dec.finish(&mut items);
        if !ctx.events_blocking(stream, items, &input.meta) {
            return;
        }
    }
    let _ = ctx.tx.blocking_send(ToGraph::End {
        peer: ctx.idx,
        stream,
    });
    let _ = ctx.tx.blocking_send(ToGraph::Done { peer: ctx.idx });
}

/// Starts a `stdin` peer.
fn start_stdin(ctx: Ctx) {
    let input = Input {
        meta: Value::record(),
        name: "stdin".into(),
        reader: Box::new(std::io::stdin()),
    };
    std::thread::spawn(move || read_blocking(ctx, vec![input]));
}

/// Starts a `stdout` or `stderr` sink; returns the channel the executor writes to.
fn start_std_sink(ctx: &Ctx, stderr: bool) -> mpsc::UnboundedSender<super::Outgoing> {
    let (tx, rx) = mpsc::unbounded_channel();
    let task_ctx = ctx.clone();
    let handle = tokio::spawn(async move {
        if stderr {
            let w = tokio::io::stderr();
            super::write_output(&task_ctx, Some(0), rx, w, Some("stderr")).await;
        } else {
            let w = tokio::io::stdout();
            super::write_output(&task_ctx, Some(0), rx, w, Some("stdout")).await;
        }
    });
    ctx.track(handle);
    tx
}
