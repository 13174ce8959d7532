//! Turns lalrpop's errors (and the lexer's) into [`ParseError`]s with Tremor's texts.

use super::helpers::PError;
use crate::ast::Span;
use crate::lexer::Token;
use crate::ParseError;

type LError = lalrpop_util::ParseError<usize, Token, PError>;

/// The source text of a token, shortened to its first line and 40 characters.
fn token_text(src: &str, start: usize, end: usize, tok: &Token) -> String {
    let raw = src.get(start..end).unwrap_or("");
    let line = raw.lines().next().unwrap_or("");
    if line.is_empty() {
        return tok.to_string();
    }
    let short: String = line.chars().take(40).collect();
    if short.len() < line.len() {
        format!("{short}...")
    } else {
        short
    }
}

/// lalrpop lists expected terminals as written in the grammar (`"\"let\""`); unquote them.
fn unquote(t: &str) -> String {
    let inner = t
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(t);
    match inner {
        "<module doc>" => "###".into(),
        "<interpolation end>" => "}".into(),
        "<string end>" => "\"".into(),
        "<heredoc end>" => "\"\"\"".into(),
        _ => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
    }
}

fn expected_list(expected: &[String]) -> Vec<String> {
    expected.iter().map(|e| unquote(e)).collect()
}

fn one_of(expected: &[String]) -> String {
    expected
        .iter()
        .map(|e| format!("`{e}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Keywords that start a statement: a misspelt one reads as a name, and the parser
/// only trips on the word after it.
const STATEMENT_KEYWORDS: [&str; 6] = ["select", "define", "create", "const", "let", "use"];

/// The keyword `word` is most likely a misspelling of: close for its length (one
/// edit in four letters, two in six), so short names do not match short keywords.
fn misspelt<'a>(word: &str, keywords: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    keywords
        .filter(|k| k.len() >= 3 && k.chars().all(|c| c.is_ascii_lowercase()) && *k != word)
        .map(|k| (crate::suggest::edit_distance(word, k), k))
        .filter(|(d, k)| d * 3 <= k.len())
        .min()
        .map(|(_, k)| k)
}

/// The word just before byte `at`, when it is a plain name.
fn word_before(src: &str, at: usize) -> Option<&str> {
    let before = src.get(..at)?.trim_end();
    let start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &before[start..];
    (!word.is_empty()).then_some(word)
}

/// A hint for an unexpected token, from what it is and what was expected.
fn hint_for(src: &str, at: usize, tok: &Token, text: &str, expected: &[String]) -> Option<String> {
    let has = |s: &str| expected.iter().any(|e| e == s);
    match tok {
        Token::DocComment(_) => {
            return Some(
                "`##` doc comments are only allowed before `fn`, `const`, `intrinsic` and `define`; use `#` for a plain comment".into(),
            )
        }
        Token::ModDoc(_) => {
            return Some(
                "`###` module comments are only allowed at the start of a file; use `#` for a plain comment".into(),
            )
        }
        Token::ConfigDirective => {
            return Some(
                "`#!config` is only allowed at the start of a query or right after `pipeline` in a definition".into(),
            )
        }
        Token::Bar => return Some("The `|` operator is not supported".into()),
        _ => {}
    }
    if let Token::Let
    | Token::Const
    | Token::Select
    | Token::Use
    | Token::Create
    | Token::Define
    | Token::Fn = tok
    {
        if has("(") {
            return Some(format!(
                "`{text}` starts a statement and cannot be used inside an expression"
            ));
        }
    }
    if matches!(tok, Token::Case | Token::Default) && has("(") {
        return Some("You might have a trailing `,` in the prior statement".into());
    }
    if let Some(kw) = tok.keyword() {
        if has("<ident>") && !has(kw) {
            return Some(format!(
                "It looks like you tried to use the `{kw}` keyword as an identifier, consider quoting it as `{kw}` to make it an identifier (use ` (a back tick) to escape it)"
            ));
        }
    }
    if has("\"") && !has("(") && !matches!(tok, Token::StrStart | Token::HeredocStart) {
        return Some("Did you mean to use a string?".into());
    }
    if text == "-" && has("(") {
        return Some("Try wrapping this expression in parentheses `(` ... `)`".into());
    }
    // Only right after a doc comment, where nothing but `fn`/`const`/... may follow
    // (at the start of a statement `##` is expected too, among everything else).
    if has("##") && !has("let") {
        return Some(
            "`##` doc comments are only allowed before `fn`, `const`, `intrinsic` and `define`; use `#` for a plain comment".into(),
        );
    }
    if let Token::Ident(word) = tok {
        if let Some(k) = misspelt(word, expected.iter().map(String::as_str)) {
            return Some(format!("Did you mean `{k}`?"));
        }
    }
    if has(";") {
        // `selct event ...`: the misspelt keyword parsed as an expression.
        if let Some(k) =
            word_before(src, at).and_then(|w| misspelt(w, STATEMENT_KEYWORDS.into_iter()))
        {
            return Some(format!("Did you mean `{k}`?"));
        }
    }
    if has(";") && !has("<ident>") {
        return Some("Did you forget a `;` between two statements?".into());
    }
    None
}

/// After `##` lines only a definition may follow (the expected set then lacks `let`);
/// report the error on the last doc comment before `at`, which is the real culprit.
fn dangling_doc(src: &str, file: u32, at: usize, expected: &[String]) -> Option<ParseError> {
    let has = |s: &str| expected.iter().any(|e| e == s);
    if !has("##") || has("let") {
        return None;
    }
    let before = src.get(..at)?;
    let mut offset = 0;
    let mut found = None;
    for line in before.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with("##") && !trimmed.starts_with("###") {
            let start = offset + (line.len() - trimmed.len());
            let end = start + trimmed.trim_end().len();
            found = Some((start, end));
        }
        offset += line.len();
    }
    let (start, end) = found?;
    Some(ParseError {
        code: "E0020",
        kind: "InvalidDocComment",
        message: "A doc comment `##` must be followed by `fn`, `const`, `intrinsic` or `define`"
            .into(),
        span: Span::new(file, start, end),
        hint: Some("use `#` for a plain comment".into()),
    })
}

/// Converts one parser error.
pub fn convert(err: LError, src: &str, file: u32) -> ParseError {
    match err {
        LError::InvalidToken { location } => ParseError {
            code: "E0004",
            kind: "InvalidToken",
            message: "Invalid token".into(),
            span: Span::new(file, location, location),
            hint: None,
        },
        LError::UnrecognizedEof { location, expected } => {
            let expected = expected_list(&expected);
            if let Some(doc) = dangling_doc(src, file, location, &expected) {
                return doc;
            }
            let hint = if expected.is_empty() {
                None
            } else {
                Some(format!("Expected one of {}", one_of(&expected)))
            };
            ParseError {
                code: "E0005",
                kind: "UnexpectedEndOfStream",
                message: "Unexpected end of stream".into(),
                span: Span::new(file, location, location),
                hint,
            }
        }
        LError::UnrecognizedToken {
            token: (s, tok, e),
            expected,
        } => {
            let expected = expected_list(&expected);
            if let Some(doc) = dangling_doc(src, file, s, &expected) {
                return doc;
            }
            let text = token_text(src, s, e, &tok);
            let hint = hint_for(src, s, &tok, &text, &expected);
            let (code, kind) = match tok {
                Token::DocComment(_) | Token::ModDoc(_) => ("E0020", "InvalidDocComment"),
                _ => ("E0002", "UnrecognizedToken"),
            };
            ParseError {
                code,
                kind,
                message: format!(
                    "Found the token `{text}` but expected one of {}",
                    one_of(&expected)
                ),
                span: Span::new(file, s, e),
                hint,
            }
        }
        LError::ExtraToken { token: (s, tok, e) } => ParseError {
            code: "E0003",
            kind: "ExtraToken",
            message: format!(
                "Found an extra token: `{}` that does not belong there",
                token_text(src, s, e, &tok)
            ),
            span: Span::new(file, s, e),
            hint: None,
        },
        LError::User {
            error: PError::Lex(l),
        } => ParseError {
            code: l.code(),
            kind: l.kind_name(),
            message: l.message(),
            span: Span::new(file, l.start, l.end),
            hint: l.hint(),
        },
        LError::User {
            error:
                PError::Custom {
                    code,
                    kind,
                    message,
                    start,
                    end,
                    hint,
                },
        } => ParseError {
            code,
            kind,
            message,
            span: Span::new(file, start, end),
            hint,
        },
    }
}

/// How many `end`-terminated blocks are open at each offset in `at` (sorted). An
/// approximation from the tokens alone: `of` (match, for, patch, merge, fn), `with`
/// (fn bodies, `with ... end` blocks, windows) and `define script|pipeline` open a
/// block, `end` closes one.
fn open_blocks(src: &str, at: &[usize]) -> Vec<i64> {
    let mut out = Vec::with_capacity(at.len());
    let mut depth = 0i64;
    let mut prev_define = false;
    let mut tokens = crate::lexer::Lexer::new(src)
        .map_while(Result::ok)
        .peekable();
    for &pos in at {
        while let Some((_, tok, _)) = tokens.next_if(|(s, _, _)| *s < pos) {
            match tok {
                Token::Of | Token::With => depth += 1,
                Token::Script | Token::Pipeline if prev_define => depth += 1,
                Token::End => depth -= 1,
                _ => {}
            }
            prev_define = tok == Token::Define;
        }
        out.push(depth);
    }
    out
}

/// Drops the errors that are consequences of an earlier one. Each error comes with the
/// number of blocks around the place the parser resumed at: a module statement's `;`
/// (0), a pipeline body statement's `;` (1), or inside the error's own block (a script
/// section, `fn`, `case`, `patch` or record, which resume at their own `;`, `case`,
/// `,` or `end`: `IN_BLOCK`). When the error sits in more blocks than that (a `define
/// window` header, a pattern), the `;` it resumed at is still inside the inner block,
/// so what follows up to the `;` after that block's `end` is parsed out of context and
/// its errors are cascades. Errors after that point are independent again, so one typo
/// gives one error and later typos are found.
pub fn prune_cascades(mut errors: Vec<(ParseError, i64)>, src: &str) -> Vec<ParseError> {
    errors.sort_by_key(|(e, _)| e.span.start);
    let tokens: Vec<(usize, Token, usize)> = crate::lexer::Lexer::new(src)
        .map_while(Result::ok)
        .collect();
    let starts: Vec<usize> = errors.iter().map(|(e, _)| e.span.start as usize).collect();
    let depths = open_blocks(src, &starts);
    let mut kept = Vec::with_capacity(errors.len());
    let mut resync = 0usize;
    for ((e, resumed_at), depth) in errors.into_iter().zip(depths) {
        let start = e.span.start as usize;
        if start < resync {
            continue;
        }
        if depth > resumed_at {
            resync = after_block(&tokens, start, depth - resumed_at);
        }
        kept.push(e);
    }
    kept
}

/// The offset after the `;` that follows the `end` closing every block open at `start`
/// (`depth` of them); the end of the text when there is none.
fn after_block(tokens: &[(usize, Token, usize)], start: usize, mut depth: i64) -> usize {
    let mut prev_define = false;
    let mut closed = false;
    for (_, tok, e) in tokens.iter().filter(|(s, _, _)| *s >= start) {
        if closed && *tok == Token::Semi {
            return *e;
        }
        match tok {
            Token::Of | Token::With => depth += 1,
            Token::Script | Token::Pipeline if prev_define => depth += 1,
            Token::End => {
                depth -= 1;
                closed = depth <= 0;
            }
            _ => {}
        }
        prev_define = *tok == Token::Define;
    }
    usize::MAX
}
