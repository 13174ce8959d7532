//! Colour for the `trickle test` report on a terminal: the runner writes plain
//! lines (the same text `cargo test` shows), this writer paints them by prefix.

use std::io::Write;

const GREEN: &[u8] = b"\x1b[32m";
const RED: &[u8] = b"\x1b[31m";
const BOLD_RED: &[u8] = b"\x1b[1;31m";
const RESET: &[u8] = b"\x1b[0m";

/// Wraps a writer and colours whole lines: `ok` green, `FAIL` bold red, diff
/// lines `- expected` red and `+ actual` green.
pub struct Painted<W: Write> {
    inner: W,
    line: Vec<u8>,
}

impl<W: Write> Painted<W> {
    pub fn new(inner: W) -> Self {
        Painted {
            inner,
            line: Vec::new(),
        }
    }

    fn paint_line(&mut self) -> std::io::Result<()> {
        let colour = if self.line.starts_with(b"ok ") {
            Some(GREEN)
        } else if self.line.starts_with(b"FAIL ") {
            Some(BOLD_RED)
        } else if self.line.starts_with(b"  - ") {
            Some(RED)
        } else if self.line.starts_with(b"  + ") {
            Some(GREEN)
        } else {
            None
        };
        match colour {
            Some(c) => {
                let body = self.line.strip_suffix(b"\n").unwrap_or(&self.line);
                let newline = body.len() < self.line.len();
                self.inner.write_all(c)?;
                self.inner.write_all(body)?;
                self.inner.write_all(RESET)?;
                if newline {
                    self.inner.write_all(b"\n")?;
                }
            }
            None => self.inner.write_all(&self.line)?,
        }
        self.line.clear();
        Ok(())
    }
}

impl<W: Write> Write for Painted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for part in buf.split_inclusive(|b| *b == b'\n') {
            self.line.extend_from_slice(part);
            if part.ends_with(b"\n") {
                self.paint_line()?;
            }
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        if !self.line.is_empty() {
            self.paint_line()?;
        }
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paints_by_line_prefix() {
        let mut p = Painted::new(Vec::new());
        p.write_all(b"ok a\nFAIL b\n  - 1\n  + 2\n3 passed, 1 ")
            .unwrap();
        p.write_all(b"failed\n").unwrap();
        p.flush().unwrap();
        let text = String::from_utf8(p.inner).unwrap();
        assert_eq!(
            text,
            "\x1b[32mok a\x1b[0m\n\x1b[1;31mFAIL b\x1b[0m\n\x1b[31m  - 1\x1b[0m\n\x1b[32m  + 2\x1b[0m\n3 passed, 1 failed\n"
        );
    }
}
