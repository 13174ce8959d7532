//! Lexer tests.
use super::*;

fn toks(src: &str) -> Vec<Token> {
    Lexer::new(src).map(|r| r.expect("lexes").1).collect()
}
