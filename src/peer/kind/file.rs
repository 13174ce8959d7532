//! `file`: `read` (default) is a replayable source (see `replay`) with one stream
//! that ends at EOF; `write` (truncate) and `append` are sinks that write and flush.

use super::replay::{check_inputs, FileInput};
use super::{Ctx, Replay};
use super::{Kind, Registration, Sink, Start, Started};
use crate::peer::kind_docs::KindDoc;
use crate::peer::PeerError;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::mpsc;

/// Bytes gathered before a write to the file.
const WRITE_BYTES: usize = 256 * 1024;

/// `file` as the registry lists it.
pub const KIND: Registration = Registration {
    doc: &KindDoc {
        kind: "file",
        nature: "source and sink",
        summary:
            "Reads a file (one stream, ends at end of file; replays failed events) or writes one.",
        keys: &[
            ("path", "the file to read or write (string, required)"),
            (
                "mode",
                "`\"read\"` (default), `\"write\"` (truncate) or `\"append\"`",
            ),
        ],
    },
    configure: |c| {
        let path = c.string("path", None).into();
        let mode = match c
            .one_of("mode", &["read", "write", "append"], "read")
            .as_str()
        {
            "write" => FileMode::Write,
            "append" => FileMode::Append,
            _ => FileMode::Read,
        };
        Arc::new(File { path, mode })
    },
};

/// `file` modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileMode {
    Read,
    Write,
    Append,
}

/// A `file` peer.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub path: PathBuf,
    pub mode: FileMode,
}

impl File {
    /// A file written from its start (the run's `-o PATH`).
    pub fn writing(path: PathBuf) -> Self {
        File {
            path,
            mode: FileMode::Write,
        }
    }

    /// Opens the file to write it: created, and truncated or appended to.
    pub fn open(&self) -> Result<std::fs::File, PeerError> {
        let mut opts = std::fs::OpenOptions::new();
        opts.create(true);
        if self.mode == FileMode::Append {
            opts.append(true);
        } else {
            opts.write(true).truncate(true);
        }
        opts.open(&self.path).map_err(|source| PeerError::Write {
            path: self.path.display().to_string(),
            source,
        })
    }
}

impl Kind for File {
    fn reads_lines(&self) -> bool {
        self.is_source()
    }
    fn writes_lines(&self) -> bool {
        self.is_sink()
    }
    fn doc(&self) -> &'static KindDoc {
        KIND.doc
    }
    fn is_source(&self) -> bool {
        self.mode == FileMode::Read
    }
    fn is_sink(&self) -> bool {
        self.mode != FileMode::Read
    }
    fn replays(&self) -> bool {
        self.mode == FileMode::Read
    }
    fn default_interceptors(&self) -> &'static [&'static str] {
        &["lines"]
    }
    fn start(&self, s: Start) -> Result<Started, PeerError> {
        match s.replay {
            Some(replay) => start_reader(s.ctx, &self.path, replay)?,
            None if s.writes && self.is_sink() => {
                let tx = start_writer(&s.ctx, self.open()?);
                return Ok(Started::sink(Sink::Writer(tx)));
            }
            None => {}
        }
        Ok(Started::default())
    }
}

/// Opens the file now (so a missing file stops the run before it starts) and
/// starts reading it on its own thread; `replay` brings the acks and fails.
fn start_reader(
    ctx: Ctx,
    path: &Path,
    replay: mpsc::UnboundedReceiver<Replay>,
) -> Result<(), PeerError> {
    let name = path.display().to_string();
    let input = FileInput {
        path: path.into(),
        meta: crate::record! {"file" => crate::record!{"path" => name.as_str()}},
        name,
    };
    let inputs = vec![input];
    check_inputs(&inputs)?;
    super::replay::spawn(ctx, inputs, replay, None);
    Ok(())
}

/// Starts the writer task of `f` (opened now, so a file that cannot be written
/// stops the run before it starts).
fn start_writer(ctx: &Ctx, f: std::fs::File) -> mpsc::UnboundedSender<super::Outgoing> {
    let (tx, rx) = mpsc::unbounded_channel();
    let task_ctx = ctx.clone();
    let handle = tokio::spawn(async move {
        // Each write of the file runs on the blocking pool: few big ones, not many small.
        let w = tokio::io::BufWriter::with_capacity(WRITE_BYTES, tokio::fs::File::from_std(f));
        super::write_events(&task_ctx, Some(0), rx, w).await;
    });
    ctx.track(handle);
    tx
}
