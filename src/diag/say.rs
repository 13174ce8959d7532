//! Messages for people on stderr, written so that a failure to write is ignored.
//!
//! `eprintln!` panics when stderr is a closed pipe (`trickle run q 2>&1 | head -1`
//! closes it after one line); a message nobody can read any more is no reason to
//! crash, so every diagnostic, warning and report line goes through here.

use std::io::Write;

/// `trickle: TEXT` and a newline on stderr.
pub fn say(text: impl std::fmt::Display) {
    let _ = writeln!(std::io::stderr().lock(), "trickle: {text}");
}

/// `text` as it is on stderr (a table, a report).
pub fn stderr_text(text: &str) {
    let mut e = std::io::stderr().lock();
    let _ = e.write_all(text.as_bytes());
    let _ = e.flush();
}

/// `text` as it is on stdout; the error tells the caller the reader has gone.
pub fn stdout_text(text: &str) -> std::io::Result<()> {
    let mut o = std::io::stdout().lock();
    o.write_all(text.as_bytes())?;
    o.flush()
}

#[cfg(test)]
mod tests {
    #[test]
    fn writing_never_panics() {
        super::say("a message");
        super::stderr_text("");
    }
}
