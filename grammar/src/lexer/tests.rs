//! Lexer tests.
use super::*;

fn toks(src: &str) -> Vec<Token> {
    Lexer::new(src).map(|r| r.expect("lexes").1).collect()
}

fn spans(src: &str) -> Vec<(usize, usize)> {
    Lexer::new(src)
        .map(|r| r.map(|(s, _, e)| (s, e)).expect("lexes"))
        .collect()
}

#[test]
fn plain_tokens() {
    assert_eq!(
        toks("let x = a::b >>> 1_0 >> 2 << 0x1F;"),
        vec![
            Token::Let,
            Token::Ident("x".into()),
            Token::Assign,
            Token::Ident("a".into()),
            Token::ColonColon,
            Token::Ident("b".into()),
            Token::RShiftU,
            Token::Int(10),
            Token::RShift,
            Token::Int(2),
            Token::LShift,
            Token::Int(31),
            Token::Semi,
        ]
    );
    assert_eq!(
        toks("in out err"),
        vec![
            Token::Ident("in".into()),
            Token::Ident("out".into()),
            Token::Ident("err".into())
        ]
    );
    assert_eq!(
        toks("_a"),
        vec![Token::Underscore, Token::Ident("a".into())]
    );
    assert_eq!(toks("héllo"), vec![Token::Ident("héllo".into())]);
    assert_eq!(
        toks("%{ %[ %( ~= ~ ..."),
        vec![
            Token::PctBrace,
            Token::PctBracket,
            Token::PctParen,
            Token::TildeEq,
            Token::Tilde,
            Token::Ellipsis
        ]
    );
}

#[test]
fn string_token_stream() {
    assert_eq!(
        toks("\"a #{ {\"b\": 1} } c\""),
        vec![
            Token::StrStart,
            Token::StrLit("a ".into()),
            Token::InterpStart,
            Token::LBrace,
            Token::StrStart,
            Token::StrLit("b".into()),
            Token::StrEnd,
            Token::Colon,
            Token::Int(1),
            Token::RBrace,
            Token::InterpEnd,
            Token::StrLit(" c".into()),
            Token::StrEnd,
        ]
    );
    assert_eq!(spans("\"ab\""), vec![(0, 1), (1, 3), (3, 4)]);
}

#[test]
fn heredoc_drops_the_first_newline() {
    let src = "\"\"\"\nx\"y\n\"\"\"";
    assert_eq!(
        toks(src),
        vec![
            Token::HeredocStart,
            Token::StrLit("x\"y\n".into()),
            Token::HeredocEnd
        ]
    );
    assert_eq!(spans(src)[0], (0, 4));
}

#[test]
fn comments_and_docs() {
    assert_eq!(toks("# c\n1 # d"), vec![Token::Int(1)]);
    assert_eq!(
        toks("### m\n## d\n#!config"),
        vec![
            Token::ModDoc("m".into()),
            Token::DocComment("d".into()),
            Token::ConfigDirective
        ]
    );
    let with: Vec<_> = Lexer::with_comments("# c\n1")
        .map(|r| r.expect("lexes").1)
        .collect();
    assert_eq!(with, vec![Token::Comment("c".into()), Token::Int(1)]);
}

#[test]
fn extractors() {
    assert_eq!(
        toks("re|a\\|b\\d|"),
        vec![Token::Extractor(ExtractorTok {
            kind: "re".into(),
            rule: "a|b\\d".into()
        })]
    );
    assert_eq!(
        toks("grok |%{A}|"),
        vec![Token::Extractor(ExtractorTok {
            kind: "grok".into(),
            rule: "%{A}".into()
        })]
    );
    assert_eq!(
        toks("a |b"),
        vec![
            Token::Ident("a".into()),
            Token::Bar,
            Token::Ident("b".into())
        ]
    );
}

#[test]
fn floats_and_ints() {
    assert_eq!(
        toks("1.5 1.0e3 2.0E+2 1_0.5"),
        vec![
            Token::Float(1.5),
            Token::Float(1000.0),
            Token::Float(200.0),
            Token::Float(10.5)
        ]
    );
    assert_eq!(
        toks("event.a.1"),
        vec![
            Token::Event,
            Token::Dot,
            Token::Ident("a".into()),
            Token::Dot,
            Token::Int(1)
        ]
    );
}

#[test]
fn classification() {
    assert_eq!(Token::Let.class(), TokenClass::Keyword);
    assert_eq!(Token::Int(1).class(), TokenClass::Literal);
    assert_eq!(Token::True.class(), TokenClass::Literal);
    assert_eq!(Token::StrLit("a".into()).class(), TokenClass::String);
    assert_eq!(Token::Comment("a".into()).class(), TokenClass::Comment);
    assert_eq!(Token::Plus.class(), TokenClass::Operator);
    assert_eq!(Token::Ident("a".into()).class(), TokenClass::Identifier);
    let classes: Vec<_> = tokens("let x = \"a\" # c")
        .map(|r| r.expect("lexes").1.class())
        .collect();
    assert_eq!(
        classes,
        vec![
            TokenClass::Keyword,
            TokenClass::Identifier,
            TokenClass::Operator,
            TokenClass::String,
            TokenClass::String,
            TokenClass::String,
            TokenClass::Comment
        ]
    );
}

#[test]
fn nesting_is_limited() {
    let ok = format!("{}1{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
    assert!(Lexer::new(&ok).all(|t| t.is_ok()));
    let deep = format!(
        "{}1{}",
        "[".repeat(MAX_NESTING + 1),
        "]".repeat(MAX_NESTING + 1)
    );
    let err = Lexer::new(&deep).find_map(Result::err).expect("too deep");
    assert_eq!(err.kind, LexErrorKind::TooDeep);
    let strings = "\"#{".repeat(MAX_NESTING + 1);
    assert!(Lexer::new(&strings).any(|t| t.is_err()));
}

fn lexes(src: &str) -> Result<(), LexErrorKind> {
    match Lexer::new(src).find_map(Result::err) {
        Some(e) => Err(e.kind),
        None => Ok(()),
    }
}

#[test]
fn operator_chains_and_blocks_count_towards_the_depth_bound() {
    let n = MAX_EXPR_DEPTH;
    assert_eq!(lexes(&format!("1{}", " + 1".repeat(n - 1))), Ok(()));
    assert_eq!(
        lexes(&format!("1{}", " + 1".repeat(n + 1))),
        Err(LexErrorKind::TooComplex)
    );
    assert_eq!(
        lexes(&format!("{}true", "not ".repeat(n + 1))),
        Err(LexErrorKind::TooComplex)
    );
    let blocks = |k: usize| format!("{}1{}", "match x of case _ => ".repeat(k), " end".repeat(k));
    assert_eq!(lexes(&blocks(n - 1)), Ok(()));
    assert_eq!(lexes(&blocks(n + 1)), Err(LexErrorKind::TooComplex));
}

#[test]
fn siblings_do_not_add_up_towards_the_depth_bound() {
    let n = MAX_EXPR_DEPTH;
    // Elements, arguments, statements and case arms are siblings, not nested.
    assert_eq!(lexes(&format!("[{}1]", "1 + 1, ".repeat(n))), Ok(()));
    assert_eq!(lexes(&"let a = 1 + 2;\n".repeat(n)), Ok(()));
    assert_eq!(
        lexes(&format!(
            "match x of {} case _ => 0 end",
            "case 1 => 1 + 1 ".repeat(n)
        )),
        Ok(())
    );
    // Blocks that end, and `merge` operations inside `patch`, close their level.
    assert_eq!(
        lexes(&"match x of case _ => 1 end;\n".repeat(n * 2)),
        Ok(())
    );
    assert_eq!(
        lexes(&"patch x of merge => {}; merge \"a\" => {} end;\n".repeat(n * 2)),
        Ok(())
    );
    assert_eq!(lexes(&"(merge x of {} end) + ".repeat(n / 2)), Ok(()));
    // A string interpolation's closing brace is not a bracket.
    assert_eq!(lexes(&"\"#{a + b}\" + ".repeat(n / 3)), Ok(()));
}
