//! A small Wadler-style document and its printer: text, line breaks that a group lays
//! out flat (a space or nothing) when it fits the width and breaks otherwise, hard breaks
//! (after comments, between statements) that break every group around them, and indentation.

/// A layout document.
#[derive(Debug, Clone)]
pub enum Doc {
    Text(String),
    /// A space when flat, a line break when broken.
    Line,
    /// Nothing when flat, a line break when broken.
    SoftLine,
    /// Always a line break.
    HardLine,
    /// An empty line (at most one in a row).
    Blank,
    /// Text printed only when the enclosing group is broken (a trailing comma).
    IfBreak(&'static str),
    /// Its content indented one level (two spaces) more when it breaks.
    Indent(Vec<Doc>),
    /// Laid out flat if it fits, else broken; `broken` when it holds a hard break.
    Group {
        docs: Vec<Doc>,
        broken: bool,
    },
}

pub const INDENT: usize = 2;

/// A group of `docs`.
pub fn group(docs: Vec<Doc>) -> Doc {
    let broken = docs.iter().any(forces_break);
    Doc::Group { docs, broken }
}

/// An indented part.
pub fn indent(docs: Vec<Doc>) -> Doc {
    Doc::Indent(docs)
}

/// `items` indented below, each starting its own line.
pub fn one_per_line(items: Vec<Vec<Doc>>) -> Doc {
    let mut inner = Vec::new();
    for item in items {
        if !ends_with_break(&inner) {
            inner.push(Doc::HardLine);
        }
        inner.extend(item);
    }
    indent(inner)
}

pub fn text(s: impl Into<String>) -> Doc {
    Doc::Text(s.into())
}

fn forces_break(d: &Doc) -> bool {
    match d {
        Doc::HardLine | Doc::Blank => true,
        Doc::Indent(v) => v.iter().any(forces_break),
        Doc::Group { broken, .. } => *broken,
        _ => false,
    }
}

/// True when the last thing in `docs` is a line break (so a comment there starts a line).
pub fn ends_with_break(docs: &[Doc]) -> bool {
    match docs.last() {
        None => false,
        Some(Doc::Line | Doc::SoftLine | Doc::HardLine | Doc::Blank) => true,
        Some(Doc::Indent(v)) | Some(Doc::Group { docs: v, .. }) => ends_with_break(v),
        Some(Doc::Text(_) | Doc::IfBreak(_)) => false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Flat,
    Break,
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// Prints `doc` within `max` columns where it can.
pub fn print(doc: &Doc, max: usize) -> String {
    let mut p = Printer {
        out: String::new(),
        col: 0,
        line_start: true,
        pending: 0,
    };
    let mut cmds: Vec<(usize, Mode, &Doc)> = vec![(0, Mode::Break, doc)];
    while let Some((ind, mode, d)) = cmds.pop() {
        match d {
            Doc::Text(s) => p.text(s),
            Doc::Line if mode == Mode::Flat => p.text(" "),
            Doc::SoftLine if mode == Mode::Flat => {}
            Doc::Line | Doc::SoftLine | Doc::HardLine => p.newline(ind),
            Doc::Blank => p.blank(ind),
            Doc::IfBreak(s) => {
                if mode == Mode::Break {
                    p.text(s)
                }
            }
            Doc::Indent(v) => {
                for c in v.iter().rev() {
                    cmds.push((ind + INDENT, mode, c));
                }
            }
            Doc::Group { docs, broken } => {
                // Inside a flat group everything is flat; else flat only when it fits.
                let flat = mode == Mode::Flat
                    || (!broken && fits(max as isize - p.col as isize, docs, &cmds));
                let m = if flat { Mode::Flat } else { Mode::Break };
                for c in docs.iter().rev() {
                    cmds.push((ind, m, c));
                }
            }
        }
    }
    if !p.out.is_empty() && !p.out.ends_with('\n') {
        p.out.push('\n');
    }
    p.out
}

struct Printer {
    out: String,
    col: usize,
    /// Nothing printed on the current line yet (indentation is written lazily, so no
    /// line ends in spaces and two breaks in a row make one).
    line_start: bool,
    pending: usize,
}

impl Printer {
    fn text(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if self.line_start {
            self.out.push_str(&" ".repeat(self.pending));
            self.col = self.pending;
            self.line_start = false;
        }
        self.out.push_str(s);
        match s.rfind('\n') {
            Some(i) => self.col = width(&s[i + 1..]),
            None => self.col += width(s),
        }
    }
    fn newline(&mut self, ind: usize) {
        if !self.line_start {
            self.out.push('\n');
            self.line_start = true;
        }
        self.pending = ind;
        self.col = ind;
    }
    fn blank(&mut self, ind: usize) {
        if self.out.is_empty() {
            return;
        }
        self.newline(ind);
        if !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }
}

/// Whether `docs` laid out flat, and what follows up to the next line break, fit in `room`.
fn fits(mut room: isize, docs: &[Doc], rest: &[(usize, Mode, &Doc)]) -> bool {
    let mut stack: Vec<(Mode, &Doc)> = docs.iter().rev().map(|d| (Mode::Flat, d)).collect();
    let mut rest_at = rest.len();
    loop {
        if room < 0 {
            return false;
        }
        let (mode, d) = match stack.pop() {
            Some(x) => x,
            None => {
                if rest_at == 0 {
                    return true;
                }
                rest_at -= 1;
                let (_, m, d) = rest[rest_at];
                (m, d)
            }
        };
        match d {
            Doc::Text(s) => {
                let first = s.split('\n').next().unwrap_or("");
                room -= width(first) as isize;
                if s.contains('\n') {
                    return room >= 0;
                }
            }
            Doc::Line => {
                if mode == Mode::Break {
                    return true;
                }
                room -= 1;
            }
            Doc::SoftLine => {
                if mode == Mode::Break {
                    return true;
                }
            }
            Doc::HardLine | Doc::Blank => return true,
            Doc::IfBreak(s) => {
                if mode == Mode::Break {
                    room -= width(s) as isize;
                }
            }
            Doc::Indent(v) => stack.extend(v.iter().rev().map(|c| (mode, c))),
            Doc::Group { docs, broken } => {
                let m = if *broken { Mode::Break } else { mode };
                stack.extend(docs.iter().rev().map(|c| (m, c)));
            }
        }
    }
}
