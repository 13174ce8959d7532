use super::*;
use proptest::prelude::*;

#[test]
fn trivia_keeps_comments_and_blank_lines() {
    let text = "# head\n\nselect event # why\nfrom in into out; ## doc\n";
    let l = lex(text);
    assert_eq!(l.rebuild(), text);
    assert_eq!(l.tokens[0].kind, Token::Select);
    let kinds: Vec<TriviaKind> = l.tokens[0].leading.iter().map(|t| t.kind).collect();
    assert_eq!(kinds, [TriviaKind::Comment, TriviaKind::Whitespace]);
    assert_eq!(
        l.slice(l.tokens[0].leading[1].start, l.tokens[0].leading[1].end),
        "\n\n"
    );
    assert_eq!(l.comments(), ["# head", "# why", "## doc"]);
    assert!(l.error.is_none());
}

#[test]
fn a_lexical_error_keeps_the_rest_as_unlexed() {
    let text = "let x = \"abc\nlet y = 2";
    let l = lex(text);
    assert_eq!(l.rebuild(), text);
    assert!(l.error.is_some());
    let text = "let x = 1 ? 2; # c";
    let l = lex(text);
    assert_eq!(l.rebuild(), text);
    assert_eq!(l.trailing.last().map(|t| t.kind), Some(TriviaKind::Unlexed));
}

#[test]
fn crlf_comments_leave_the_carriage_return_to_whitespace() {
    let text = "1 # c\r\n+ 2";
    let l = lex(text);
    assert_eq!(l.rebuild(), text);
    assert_eq!(l.comments(), ["# c"]);
}

#[test]
fn recovery_reports_each_bad_statement_and_keeps_the_good_ones() {
    let p = parse(
        "let a = 1;\nlet b = ;\nlet c = 3;\nlet d = );\nlet e = 5",
        0,
    );
    assert_eq!(p.errors.len(), 2, "{:?}", p.errors);
    let m = p.module.expect("a recovered tree");
    assert_eq!(m.stmts.len(), 5);
    let ok = parse("select event from in into out;", 0);
    assert!(ok.errors.is_empty() && ok.module.is_some());
}

proptest! {
    #[test]
    fn rebuild_is_the_input(text in "\\PC{0,60}") {
        prop_assert_eq!(lex(&text).rebuild(), text);
    }

    #[test]
    fn rebuild_is_the_input_for_code_like_text(
        text in "[a-z \\n#\"{}()\\[\\]:;,.=<>|%$`0-9]{0,80}"
    ) {
        prop_assert_eq!(lex(&text).rebuild(), text);
    }
}
