//! Hand-written scanners for the context-sensitive lexemes. They work on the whole
//! source and absolute byte offsets, and report errors by offset.

/// Why a string part ended.
pub(super) enum Stop {
    /// The closing delimiter, of this many bytes.
    Close(usize),
    /// `#{` (2 bytes).
    Interp,
}

/// Literal text of a string up to the next `#{` or closing delimiter (at `end`).
pub(super) struct Part {
    pub text: String,
    pub end: usize,
    pub stop: Stop,
}

pub(super) enum StrError {
    /// A bad escape `\c` at `start..end`.
    Escape(char, usize, usize),
    /// `#{ }` at `start..end`.
    EmptyInterp(usize, usize),
    /// No closing delimiter; the offset where scanning stopped.
    Unterminated(usize),
}

/// Scans string content from `from`. Plain strings end at `"` and may not contain a
/// newline; heredocs end at `"""`. Both decode escapes and stop at `#{`.
pub(super) fn string_part(src: &str, from: usize, heredoc: bool) -> Result<Part, StrError> {
    let mut text = String::new();
    let mut it = src[from..].char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let at = from + i;
        match c {
            '"' if !heredoc => {
                return Ok(Part {
                    text,
                    end: at,
                    stop: Stop::Close(1),
                })
            }
            '"' if src[at..].starts_with("\"\"\"") => {
                return Ok(Part {
                    text,
                    end: at,
                    stop: Stop::Close(3),
                })
            }
            '\n' if !heredoc => return Err(StrError::Unterminated(at)),
            '#' if src[at..].starts_with("#{") => {
                let inner = &src[at + 2..];
                let trimmed = inner.trim_start();
                if trimmed.starts_with('}') {
                    let close = at + 2 + (inner.len() - trimmed.len()) + 1;
                    return Err(StrError::EmptyInterp(at, close));
                }
                return Ok(Part {
                    text,
                    end: at,
                    stop: Stop::Interp,
                });
            }
            '\\' => {
                let Some((_, e)) = it.next() else {
                    return Err(StrError::Unterminated(src.len()));
                };
                let decoded = match e {
                    '"' => '"',
                    '\\' => '\\',
                    '#' => '#',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'u' => {
                        let hex: String = src[at + 2..].chars().take(4).collect();
                        let hex = hex.as_str();
                        let code = if hex.len() == 4 && hex.chars().all(|h| h.is_ascii_hexdigit()) {
                            u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
                        } else {
                            None
                        };
                        let Some(ch) = code else {
                            let end =
                                at + 2 + hex.chars().take_while(char::is_ascii_hexdigit).count();
                            return Err(StrError::Escape('u', at, end));
                        };
                        for _ in 0..4 {
                            it.next();
                        }
                        ch
                    }
                    other => {
                        return Err(StrError::Escape(other, at, at + 1 + other.len_utf8()));
                    }
                };
                text.push(decoded);
            }
            c => text.push(c),
        }
    }
    Err(StrError::Unterminated(src.len()))
}

/// A backtick identifier whose content starts at `from`; returns the name and the
/// offset after the closing backtick, or the offset where it stopped.
pub(super) fn backtick(src: &str, from: usize) -> Result<(String, usize), usize> {
    for (i, c) in src[from..].char_indices() {
        match c {
            '`' if i > 0 => return Ok((src[from..from + i].to_string(), from + i + 1)),
            '`' | '\n' => return Err(from + i),
            _ => {}
        }
    }
    Err(src.len())
}

/// An extractor rule starting at `from` (just after the opening `|`). `\|` is a bar,
/// `\` + newline continues on the next line (see [`join_continued`]). Other escapes are kept as written (regexes
/// need them). Returns the rule and the offset after the closing `|`.
pub(super) fn extractor(src: &str, from: usize) -> Result<(String, usize), usize> {
    let mut lines: Vec<String> = vec![String::new()];
    let mut it = src[from..].char_indices();
    while let Some((i, c)) = it.next() {
        let cur = lines.last_mut().expect("never empty");
        match c {
            '|' => {
                let end = from + i + 1;
                return Ok((join_continued(lines), end));
            }
            '\n' => return Err(from + i),
            '\\' => match it.next() {
                Some((_, '|')) => cur.push('|'),
                Some((_, '\n')) => lines.push(String::new()),
                Some((_, '\r')) if src[from + i + 2..].starts_with('\n') => {
                    it.next();
                    lines.push(String::new());
                }
                Some((_, o)) => {
                    cur.push('\\');
                    cur.push(o);
                }
                None => return Err(src.len()),
            },
            c => cur.push(c),
        }
    }
    Err(src.len())
}

/// Joins continuation lines: the backslash-newline and the indentation that follows
/// it are removed, so a long regex can be split over lines without changing it (as
/// Tremor's lexer does).
fn join_continued(lines: Vec<String>) -> String {
    let mut it = lines.into_iter();
    let mut out = it.next().unwrap_or_default();
    for l in it {
        out.push_str(l.trim_start_matches([' ', '\t']));
    }
    out
}
