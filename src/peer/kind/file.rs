//! `file`: `read` (default) is a replayable source (see `replay`) with one stream
//! that ends at EOF; `write` (truncate) and `append` are sinks that write and flush.

use super::replay::{check_inputs, read_replayable, FileInput};
use super::{Ctx, Replay};
use crate::peer::spec::FileMode;
use tokio::sync::mpsc;

/// Opens the file now (so a missing file stops the run before it starts) and
/// starts reading it on its own thread; `replay` brings the acks and fails.
pub fn start_reader(
    ctx: Ctx,
    path: &str,
    replay: mpsc::UnboundedReceiver<Replay>,
) -> Result<(), String> {
    let input = FileInput {
        path: path.into(),
        meta: crate::record! {"file" => crate::record!{"path" => path}},
        name: path.to_string(),
    };
    let inputs = vec![input];
    check_inputs(&inputs)?;
    std::thread::spawn(move || read_replayable(ctx, inputs, replay, None));
    Ok(())
}

/// Opens (creates, truncates or appends) the file now and starts its writer task.
pub fn start_writer(
    ctx: &Ctx,
    path: &str,
    mode: FileMode,
) -> Result<mpsc::UnboundedSender<super::Outgoing>, String> {
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true);
    if mode == FileMode::Append {
        opts.append(true);
    } else {
        opts.write(true).truncate(true);
    }
    let f = opts
        .open(path)
        .map_err(|e| format!("cannot write {path}: {e}"))?;
    let (tx, rx) = mpsc::unbounded_channel();
    let task_ctx = ctx.clone();
    let handle = tokio::spawn(async move {
        let w = tokio::io::BufWriter::new(tokio::fs::File::from_std(f));
        super::write_events(&task_ctx, Some(0), rx, w).await;
    });
    ctx.track(handle);
    Ok(tx)
}
