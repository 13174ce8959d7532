//! Input lines, read on their own thread so the run loop can wait with a timeout
//! (ticks, Ctrl-C) and so a peer can later replace this source.
//!
//! Lines travel in chunks; a chunk is sent when it is large or when the reader has
//! no more buffered bytes (the next read might block), so files stream in bulk and
//! an interactive stdin still sees each line at once. Chunks are sent back to be
//! reused, so reading allocates nothing per line once warm.

use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};

/// Bytes gathered before a chunk is sent even if more input is buffered.
const CHUNK_BYTES: usize = 64 * 1024;

/// Lines of one input, without their line terminators.
#[derive(Debug, Default)]
pub struct Chunk {
    /// Index of the input (in the order given) these lines came from.
    pub input: usize,
    /// 1-based number of the first line in its input.
    pub first_line: u64,
    data: Vec<u8>,
    ends: Vec<usize>,
}

impl Chunk {
    /// The lines, each with its 1-based line number.
    pub fn lines(&self) -> impl Iterator<Item = (u64, &[u8])> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .enumerate()
            .map(move |(k, (s, e))| (self.first_line + k as u64, &self.data[s..e]))
    }
    fn reset(&mut self, input: usize, first_line: u64) {
        self.input = input;
        self.first_line = first_line;
        self.data.clear();
        self.ends.clear();
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

/// A running reader: receive from `rx`, give chunks back through `recycle`.
pub struct Reader {
    pub rx: Receiver<Input>,
    pub recycle: Sender<Chunk>,
}

/// Starts reading `inputs` (already opened, in order) on a thread; `names` are used in error texts.
pub fn spawn(inputs: Vec<Box<dyn Read + Send>>, names: Vec<String>) -> Reader {
    // Bounded, so a slow graph holds the reader back instead of buffering the file.
    let (tx, rx) = mpsc::sync_channel(4);
    let (recycle, returned) = mpsc::channel();
    std::thread::spawn(move || read_all(inputs, &names, &tx, &returned));
    Reader { rx, recycle }
}

fn read_all(
    inputs: Vec<Box<dyn Read + Send>>,
    names: &[String],
    tx: &SyncSender<Input>,
    returned: &Receiver<Chunk>,
) {
    for (input, source) in inputs.into_iter().enumerate() {
        let name = names.get(input).map_or("input", String::as_str);
        if let Err(e) = read_one(input, source, tx, returned) {
            let _ = tx.send(Input::Failed(format!("cannot read {name}: {e}")));
            return;
        }
    }
    let _ = tx.send(Input::End);
}

fn read_one(
    input: usize,
    source: Box<dyn Read + Send>,
    tx: &SyncSender<Input>,
    returned: &Receiver<Chunk>,
) -> std::io::Result<()> {
    let mut reader = BufReader::with_capacity(CHUNK_BYTES, source);
    let fresh = |first_line: u64| {
        let mut c = returned.try_recv().unwrap_or_default();
        c.reset(input, first_line);
        c
    };
    let mut line_no = 1;
    let mut chunk = fresh(line_no);
    loop {
        match reader.read_until(b'\n', &mut chunk.data) {
            Ok(0) => break,
            Ok(_) => {
                if chunk.data.last() == Some(&b'\n') {
                    chunk.data.pop();
                }
                if chunk.data.last() == Some(&b'\r') {
                    chunk.data.pop();
                }
                chunk.ends.push(chunk.data.len());
                line_no += 1;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => {
                send(tx, chunk);
                return Err(e);
            }
        }
        let full = chunk.data.len() >= CHUNK_BYTES || reader.buffer().is_empty();
        // A failed send means the run loop has stopped listening (Ctrl-C): nothing left to do.
        if full && !send(tx, std::mem::replace(&mut chunk, fresh(line_no))) {
            return Ok(());
        }
    }
    send(tx, chunk);
    Ok(())
}

/// Sends a non-empty chunk; false when the receiver is gone.
fn send(tx: &SyncSender<Input>, chunk: Chunk) -> bool {
    chunk.ends.is_empty() || tx.send(Input::Lines(chunk)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(inputs: Vec<&'static [u8]>) -> (Vec<(usize, u64, String)>, Option<String>) {
        let n = inputs.len();
        let boxed = inputs
            .into_iter()
            .map(|b| Box::new(b) as Box<dyn Read + Send>)
            .collect();
        let reader = spawn(boxed, (0..n).map(|i| format!("f{i}")).collect());
        let mut lines = Vec::new();
        loop {
            match reader.rx.recv().unwrap() {
                Input::Lines(c) => {
                    for (no, l) in c.lines() {
                        lines.push((c.input, no, String::from_utf8(l.to_vec()).unwrap()));
                    }
                    let _ = reader.recycle.send(c);
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

    struct Broken;
    impl Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk on fire"))
        }
    }

    #[test]
    fn read_errors_are_reported() {
        let reader = spawn(vec![Box::new(Broken)], vec!["x.json".into()]);
        match reader.rx.recv().unwrap() {
            Input::Failed(e) => assert!(e.contains("x.json") && e.contains("disk on fire"), "{e}"),
            other => panic!("expected a failure, got {other:?}"),
        }
    }
}
