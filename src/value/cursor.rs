//! A position in a JSON text, and the steps both text scanners ([`super::compact`]
//! and [`super::project`]) take the same way.

pub(super) struct Cursor<'a> {
    pub b: &'a [u8],
    pub i: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(b: &'a [u8]) -> Self {
        Cursor { b, i: 0 }
    }

    pub fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Skips JSON's insignificant whitespace.
    pub fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.i += 1;
        }
    }

    /// Skips whitespace and takes `c` if it comes next.
    pub fn eat(&mut self, c: u8) -> bool {
        self.ws();
        let hit = self.peek() == Some(c);
        if hit {
            self.i += 1;
        }
        hit
    }

    /// Takes `word` if it comes next.
    pub fn literal(&mut self, word: &[u8]) -> bool {
        let end = self.i + word.len();
        let hit = self.b.get(self.i..end) == Some(word);
        if hit {
            self.i = end;
        }
        hit
    }

    pub fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
    }
}
