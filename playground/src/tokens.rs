//! Syntax colours from the lossless syntax layer (`trickle::syntax`): each token and
//! each comment with its class, the text after a lexical error as `error`.

use crate::utf16::Utf16;
use serde_json::{json, Value as Json};
use trickle::grammar::lexer::{Token, TokenClass};
use trickle::syntax::{lex, Trivia, TriviaKind};

/// The class the page colours a token by.
fn class(tok: &Token, next: Option<&Token>) -> &'static str {
    match tok {
        Token::Event
        | Token::State
        | Token::Dollar
        | Token::Args
        | Token::Window
        | Token::Group => "var",
        Token::Int(_) | Token::Float(_) => "number",
        Token::Extractor(_) => "string",
        // A name before `(` is called; before `::` it is a module on the way to one.
        Token::Ident(_) if matches!(next, Some(Token::LParen | Token::ColonColon)) => "fn",
        Token::LParen
        | Token::RParen
        | Token::LBracket
        | Token::RBracket
        | Token::LBrace
        | Token::RBrace
        | Token::Comma
        | Token::Semi
        | Token::Colon
        | Token::ColonColon
        | Token::Dot
        | Token::PctBrace
        | Token::PctBracket
        | Token::PctParen => "punct",
        t => match t.class() {
            TokenClass::Keyword | TokenClass::Literal => "keyword",
            TokenClass::String => "string",
            TokenClass::Comment => "comment",
            TokenClass::Operator => "operator",
            TokenClass::Identifier => "ident",
        },
    }
}

/// `[{"from", "to", "class"}]` over `text`, in order, UTF-16 offsets; whitespace is left out.
pub fn tokens(text: &str) -> Vec<Json> {
    let map = Utf16::new(text);
    let l = lex(text);
    let mut out = Vec::with_capacity(l.tokens.len() * 2);
    let span = |from: usize, to: usize, class: &str| json!({"from": map.of_byte(from), "to": map.of_byte(to), "class": class});
    let trivia = |out: &mut Vec<Json>, tr: &Trivia| match tr.kind {
        TriviaKind::Comment => out.push(span(tr.start, tr.end, "comment")),
        TriviaKind::Unlexed => out.push(span(tr.start, tr.end, "error")),
        TriviaKind::Whitespace => {}
    };
    for (i, t) in l.tokens.iter().enumerate() {
        for tr in &t.leading {
            trivia(&mut out, tr);
        }
        let next = l.tokens.get(i + 1).map(|n| &n.kind);
        out.push(span(t.start, t.end, class(&t.kind, next)));
    }
    for tr in &l.trailing {
        trivia(&mut out, tr);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(text: &str) -> Vec<(String, String)> {
        tokens(text)
            .iter()
            .map(|t| {
                let (f, e) = (t["from"].as_u64().unwrap(), t["to"].as_u64().unwrap());
                let s: String = text
                    .encode_utf16()
                    .skip(f as usize)
                    .take((e - f) as usize)
                    .map(|u| char::from_u32(u32::from(u)).unwrap_or('?'))
                    .collect();
                (s, t["class"].as_str().unwrap().to_string())
            })
            .collect()
    }

    #[test]
    fn classes_each_token_and_comment() {
        let got = classes("select string::len(event.a) # n\nfrom in into out;");
        let want = [
            ("select", "keyword"),
            ("string", "fn"),
            ("::", "punct"),
            ("len", "fn"),
            ("(", "punct"),
            ("event", "var"),
            (".", "punct"),
            ("a", "ident"),
            (")", "punct"),
            ("# n", "comment"),
            ("from", "keyword"),
        ];
        for (i, (s, c)) in want.iter().enumerate() {
            assert_eq!((got[i].0.as_str(), got[i].1.as_str()), (*s, *c));
        }
    }

    #[test]
    fn offsets_count_utf16_and_an_unfinished_string_is_an_error_tail() {
        let t = tokens("\"é😀\" + 1");
        // `"` `é😀` `"`: the closing quote starts after 1 + 1 + 2 units.
        assert_eq!(t[2]["from"], 4);
        assert_eq!(t.last().unwrap()["class"], "number");
        let t = tokens("1 + \"abc");
        assert!(t
            .iter()
            .any(|x| x["class"] == "error" || x["class"] == "string"));
    }
}
