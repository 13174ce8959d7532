//! Input lines, read on their own thread so the run loop can wait with a timeout
//! (ticks, Ctrl-C) and so a peer can later replace this source.
//!
//! Lines travel in chunks: every read (up to [`READ_BYTES`]) goes straight into a
//! chunk, whose complete lines are sent at once, so files stream in bulk and an
//! interactive stdin still sees each line as soon as it is read. Lines are found
//! with `memchr` and never copied; only a partial last line moves to the next
//! chunk. Chunks are sent back to be reused, so reading allocates nothing once warm.

use std::io::{ErrorKind, Read};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};

/// Bytes asked for in one read.
const READ_BYTES: usize = 128 * 1024;

/// Lines of one input, as read (terminators are stripped by [`Chunk::lines`]).
#[derive(Debug, Default)]
pub struct Chunk {
    /// Index of the input (in the order given) these lines came from.
    pub input: usize,
    /// 1-based number of the first line in its input.
    pub first_line: u64,
    /// Bytes read are `data[..len]`; the rest is zeroed space kept for the next read,
    /// so a reused chunk is not zeroed again.
    data: Vec<u8>,
    len: usize,
    /// Where each line ends in `data`, just past its `\n` if it has one.
    ends: Vec<usize>,
}

impl Chunk {
    /// The lines without `\n` or `\r\n`, each with its 1-based line number.
    pub fn lines(&self) -> impl Iterator<Item = (u64, &[u8])> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .enumerate()
            .map(move |(k, (s, e))| {
                let line = &self.data[s..e];
                let line = line.strip_suffix(b"\n").unwrap_or(line);
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                (self.first_line + k as u64, line)
            })
    }
    fn reset(&mut self, input: usize, first_line: u64) {
        self.input = input;
        self.first_line = first_line;
        self.len = 0;
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
    mut source: Box<dyn Read + Send>,
    tx: &SyncSender<Input>,
    returned: &Receiver<Chunk>,
) -> std::io::Result<()> {
    let fresh = |first_line: u64| {
        let mut c = returned.try_recv().unwrap_or_default();
        c.reset(input, first_line);
        c
    };
    let mut line_no = 1;
    let mut chunk = fresh(line_no);
    loop {
        // Bytes before `scanned` hold no `\n`: only the new bytes are searched.
        let scanned = chunk.len;
        if chunk.data.len() < scanned + READ_BYTES {
            chunk.data.resize(scanned + READ_BYTES, 0);
        }
        let n = match source.read(&mut chunk.data[scanned..scanned + READ_BYTES]) {
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        chunk.len += n;
        if n == 0 {
            // The end; a final line without `\n` still counts.
            if chunk.len > 0 {
                chunk.ends.push(chunk.len);
            }
            send(tx, chunk);
            return Ok(());
        }
        let new = &chunk.data[scanned..chunk.len];
        chunk
            .ends
            .extend(memchr::memchr_iter(b'\n', new).map(|i| scanned + i + 1));
        let Some(&complete) = chunk.ends.last() else {
            continue;
        };
        line_no += chunk.ends.len() as u64;
        let mut next = fresh(line_no);
        let tail = &chunk.data[complete..chunk.len];
        if next.data.len() < tail.len() {
            next.data.resize(tail.len(), 0);
        }
        next.data[..tail.len()].copy_from_slice(tail);
        next.len = tail.len();
        chunk.len = complete;
        // A failed send means the run loop has stopped listening (Ctrl-C): nothing left to do.
        if !send(tx, std::mem::replace(&mut chunk, next)) {
            return Ok(());
        }
    }
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
        let reader = spawn(
            vec![Box::new(Trickling(b"{\"a\":1}\r\n\nlonger line\nend"))],
            vec!["t".into()],
        );
        let mut lines = Vec::new();
        while let Input::Lines(c) = reader.rx.recv().unwrap() {
            lines.extend(
                c.lines()
                    .map(|(n, l)| (n, String::from_utf8_lossy(l).into_owned())),
            );
        }
        let want = [(1, "{\"a\":1}"), (2, ""), (3, "longer line"), (4, "end")];
        let want: Vec<_> = want.iter().map(|(n, s)| (*n, s.to_string())).collect();
        assert_eq!(lines, want);
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
