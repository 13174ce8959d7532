//! Error codes, messages, hints and spans.
use super::*;
use crate::ParseError;

fn err(src: &str) -> ParseError {
    match parse_module(src, 7) {
        Ok(m) => panic!("parsed: {src}\n{m:?}"),
        Err(mut e) => {
            assert!(!e.is_empty());
            e.remove(0)
        }
    }
}

#[test]
fn patch_non_string_key() {
    let src = "patch event of\n  insert \"snot\" => \"badger\";\n  insert 7 => \"snot\"\nend";
    let e = err(src);
    assert_eq!(e.code, "E0002");
    assert_eq!(e.kind, "UnrecognizedToken");
    assert_eq!(
        e.message,
        "Found the token `7` but expected one of `\"`, `\"\"\"`"
    );
    assert_eq!(text(src, e.span), "7");
    assert_eq!(e.hint.as_deref(), Some("Did you mean to use a string?"));
}

#[test]
fn record_key_must_be_a_string() {
    let src = "{a: 1}";
    let e = err(src);
    assert_eq!(e.code, "E0002");
    assert_eq!(text(src, e.span), "a");
    assert_eq!(e.hint.as_deref(), Some("Did you mean to use a string?"));
}

#[test]
fn keyword_as_identifier() {
    let src = "event.match";
    let e = err(src);
    assert_eq!(text(src, e.span), "match");
    let hint = e.hint.expect("hint");
    assert!(hint.contains("consider quoting it as `match`"), "{hint}");
    assert!(hint.contains("use ` (a back tick) to escape it"), "{hint}");
}

#[test]
fn let_in_select_is_a_parse_error() {
    let src = "select let x = 1 from in into out";
    let e = err(src);
    assert_eq!(e.code, "E0002");
    assert_eq!(text(src, e.span), "let");
    assert!(err("select event from in where let x = 1 into out")
        .message
        .starts_with("Found the token `let`"));
    assert!(err("select const X = 1 from in into out")
        .message
        .starts_with("Found the token `const`"));
    assert!(
        err("select (select event from in into out) from in into out")
            .message
            .starts_with("Found the token `select`")
    );
}

#[test]
fn end_of_stream() {
    let e = err("let x = ");
    assert_eq!(e.code, "E0005");
    assert_eq!(e.kind, "UnexpectedEndOfStream");
    assert_eq!(e.message, "Unexpected end of stream");
}

#[test]
fn lexical_errors() {
    let cases: &[(&str, &str, &str, &str)] = &[
        ("\"abc", "E0006", "Unterminated string", "\"abc"),
        ("\"abc\ndef\"", "E0006", "Unterminated string", "\"abc"),
        (
            "\"\"\"\nabc",
            "E0007",
            "Unterminated heredoc",
            "\"\"\"\nabc",
        ),
        (
            "\"\"\" x\n\"\"\"",
            "E0008",
            "tailing the here doc",
            "\"\"\"",
        ),
        (
            "\"a #{ 1 ",
            "E0009",
            "Unterminated String interpolation",
            "#{ 1 ",
        ),
        ("\"#{ }\"", "E0010", "Empty interpolation", "#{ }"),
        (
            "re|abc",
            "E0011",
            "The extractor is not terminated",
            "re|abc",
        ),
        (
            "re|abc\n|",
            "E0011",
            "The extractor is not terminated",
            "re|abc",
        ),
        ("`abc", "E0012", "The identifier is not terminated", "`abc"),
        ("1 ? 2", "E0013", "Unexpected character `?`", "?"),
        ("\"\\q\"", "E0014", "Unexpected escape code `\\q`", "\\q"),
        ("\"\\ud800\"", "E0015", "invalid UTF8", "\\ud800"),
        ("\"\\u12\"", "E0015", "invalid UTF8", "\\u12"),
        ("0x", "E0016", "invalid hexadecimal", "0x"),
        (
            "0x1_0000_0000_0000_0000",
            "E0016",
            "invalid hexadecimal",
            "0x1_0000_0000_0000_0000",
        ),
        (
            "18446744073709551616",
            "E0017",
            "invalid integer",
            "18446744073709551616",
        ),
        ("1e5", "E0018", "invalid float", "1e5"),
        ("1E5", "E0018", "invalid float", "1E5"),
        (
            "#!foo\n1",
            "E0019",
            "Invalid preprocessor directive `#!foo`",
            "#!foo",
        ),
    ];
    for (src, code, msg, span) in cases {
        let e = err(src);
        assert_eq!(e.code, *code, "{src}: {e:?}");
        assert!(e.message.contains(msg), "{src}: {e:?}");
        assert_eq!(text(src, e.span), *span, "{src}");
    }
}

#[test]
fn doc_comments_only_before_definitions() {
    let src = "1;\n## doc\n2";
    let e = err(src);
    assert_eq!(e.code, "E0020");
    assert_eq!(text(src, e.span), "## doc");
    assert!(e.message.contains("must be followed by"));
    let src = "1;\n### doc\n";
    let e = err(src);
    assert_eq!(e.code, "E0020");
    assert!(e.hint.expect("hint").contains("start of a file"));
    let src = "## doc\n1";
    let e = err(src);
    assert_eq!(e.code, "E0020");
    assert_eq!(text(src, e.span), "## doc");
    let src = "## doc\n";
    assert_eq!(text(src, err(src).span), "## doc");
}

#[test]
fn unknown_definition_kinds() {
    let src = "define thing x from y";
    let e = err(src);
    assert_eq!(e.code, "E0022");
    assert_eq!(text(src, e.span), "thing");
    let src = "create thing x";
    let e = err(src);
    assert_eq!(e.code, "E0022");
    assert_eq!(text(src, e.span), "thing");
}

#[test]
fn bar_is_not_an_operator() {
    let e = err("a | b");
    assert_eq!(e.code, "E0002");
    assert!(e.hint.expect("hint").contains("not supported"));
}

#[test]
fn config_only_at_the_start() {
    let e = err("select event from in into out;\n#!config id = \"x\"");
    assert_eq!(e.code, "E0002");
    assert!(e.message.contains("#!config"));
}

#[test]
fn identifiers_cannot_start_with_underscore() {
    assert!(parse_module("_a", 0).is_err());
}

#[test]
fn missing_semicolon_hint() {
    let src = "let a = 1\nlet b = 2";
    let e = err(src);
    assert_eq!(text(src, e.span), "let");
    assert!(e.hint.expect("hint").contains("`;`"));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let src = format!(
        "{}1{}",
        "(".repeat(crate::lexer::MAX_NESTING),
        ")".repeat(crate::lexer::MAX_NESTING)
    );
    assert!(parse_module(&src, 7).is_ok());
    let src = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    assert_eq!(err(&src).code, "E0001");
}

#[test]
fn bodies_need_an_expression() {
    assert!(parse_module("fn f() with end", 0).is_err());
    assert!(parse_module("match x of case 1 => end", 0).is_err());
    assert!(parse_module("define script s script end", 0).is_ok());
}

#[test]
fn several_statements_several_errors() {
    let src = "let a = ;\nlet b = 1 +;\nc";
    let errs = parse_module(src, 7).expect_err("two errors");
    assert_eq!(errs.len(), 2);
    assert_eq!(errs[0].span.start, 8);
    assert_eq!(errs[1].span.start, 21);
    let src = "{a: 1}; {b: 2}";
    let errs = parse_module(src, 7).expect_err("two errors");
    let at: Vec<_> = errs.iter().map(|e| text(src, e.span)).collect();
    assert_eq!(at, ["a", "b"]);
}

#[test]
fn no_cascade_inside_blocks() {
    let src = "match x of case 1 => let a = ; a case 2 => b end; c";
    let errs = parse_module(src, 7).expect_err("an error");
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].span.start, 29);
}

#[test]
fn errors_after_a_block_with_an_error_are_reported() {
    // One typo inside a script body, one in a later statement: two errors, the
    // cascade inside the body (its `end`, the stray `;`) dropped.
    let src = "define script s\nscript\n  let a = 1 +;\n  let b = 2;\n  event\nend;\ncreate script s;\nselect x + from in into out;\n";
    let errs = parse_module(src, 7).expect_err("two errors");
    let at: Vec<_> = errs.iter().map(|e| text(src, e.span)).collect();
    assert_eq!(at, [";", "from"], "{errs:?}");
    let src = "fn f(x) with\n  let y = x +;\n  y\nend;\nlet a = [1, 2;\nf(1)\n";
    let errs = parse_module(src, 7).expect_err("two errors");
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert_eq!(text(src, errs[1].span), ";");
    assert!(errs[1].span.start > 40);
}

#[test]
fn bytes_parts_are_checked() {
    assert!(parse_module(
        "<< 1:64/little_signed_integer, 2/unsigned-big-integer, x/binary >>",
        7
    )
    .is_ok());
    let src = "<< 1:65 >>";
    let e = err(src);
    assert_eq!(e.code, "E0021");
    assert_eq!(text(src, e.span), "1:65");
    assert_eq!(err("<< 1:0 >>").code, "E0021");
    let src = "<< 1/big-float >>";
    let e = err(src);
    assert_eq!(e.code, "E0021");
    assert_eq!(text(src, e.span), "big-float");
    assert!(e.message.contains("big-float"));
}

#[test]
fn incomplete_input_is_recognised() {
    for src in [
        "match event of case 1 =>",
        "\"\"\"\nabc",
        "\"a #{ 1 + ",
        "let x =",
    ] {
        let errs = parse_module(src, 7).expect_err("incomplete");
        assert!(
            errs.last().expect("an error").is_incomplete_input(),
            "{src}: {errs:?}"
        );
    }
    for src in ["let x = ;", "\"abc\n\"", "1 2"] {
        let errs = parse_module(src, 7).expect_err("wrong");
        assert!(!errs[0].is_incomplete_input(), "{src}");
    }
}

#[test]
fn lexer_errors_carry_tremor_texts() {
    let e = err("\"snot");
    assert!(e
        .hint
        .expect("hint")
        .contains("It looks like you forgot to terminate a string with a closing '\"'"));
    let e = err("match event of case ~ re|abc => 1 end");
    assert!(e
        .hint
        .expect("hint")
        .contains("It looks like you forgot to terminate an extractor with a closing '|'"));
}

#[test]
fn doc_comment_hint_only_after_a_doc_comment() {
    for src in ["}", "%{}"] {
        let e = err(src);
        assert!(
            !e.hint.as_deref().unwrap_or("").contains("doc comments"),
            "{src}: {:?}",
            e.hint
        );
    }
}

#[test]
fn trailing_comma_before_case() {
    let src = "[match event of case 1 => \"a\", case _ => \"b\" end]";
    let e = err(src);
    assert_eq!(text(src, e.span), "case");
    assert_eq!(
        e.hint.as_deref(),
        Some("You might have a trailing `,` in the prior statement")
    );
}

#[test]
fn two_typos_in_one_block_are_two_errors_and_the_block_keeps_its_tree() {
    // A fn body: each typo its own error, the fn's other expressions and the statement
    // after it still in the recovered tree.
    let src = "fn f(x) with\n  let y = x +;\n  let z = ;\n  z\nend;\nf(1)\n";
    let (m, errs) = crate::parse_module_recovering(src, 7);
    let at: Vec<_> = errs.iter().map(|e| text(src, e.span)).collect();
    assert_eq!(at, [";", ";"], "{errs:?}");
    assert!(errs[1].span.start > errs[0].span.start);
    let m = m.expect("a recovered tree");
    assert_eq!(m.stmts.len(), 2, "{m:?}");
    match &m.stmts[0] {
        Stmt::Fn(f) => match &f.body {
            FnBody::Exprs(es) => assert_eq!(es.len(), 3, "{es:?}"),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    // A script section, case bodies, patch operations and record fields recover too.
    for (src, n) in [
        (
            "define script s\nscript\n  let a = 1 +;\n  let b = * 2;\n  event\nend;\n",
            2,
        ),
        (
            "match event of\n  case 1 => let a = ; a\n  case 2 => 1 +\n  case _ => 3\nend",
            2,
        ),
        ("patch event of\n  insert \"a\" => ;\n  erase c\nend", 2),
        ("{\"a\": 1 +, \"b\": 2, c: 3}", 2),
        ("define pipeline p\npipeline\n  select event + from in into out;\n  select event * from in into out;\nend;\n", 2),
        // In a pipeline, an error in a window header is one error (its `end` and `;` are
        // cascades), and a later typo in the same pipeline is still found.
        ("define pipeline p\npipeline\n  define window w from tumbling with size = end;\n  select event + from in into out;\nend;\n", 2),
    ] {
        let (m, errs) = crate::parse_module_recovering(src, 7);
        assert_eq!(errs.len(), n, "{src}\n{errs:?}");
        assert!(m.is_some(), "{src}");
    }
}

#[test]
fn misspelt_keywords_get_did_you_mean() {
    let e = err("select event frm in into out;");
    assert_eq!(e.hint.as_deref(), Some("Did you mean `from`?"));
    let e = err("selct event from in into out;");
    assert_eq!(e.hint.as_deref(), Some("Did you mean `select`?"));
    // A name far from every keyword keeps the usual hint.
    let e = err("frobnicate event from in into out;");
    assert_eq!(
        e.hint.as_deref(),
        Some("Did you forget a `;` between two statements?")
    );
    // The word before the token may end in any character.
    let e = err("let é = 1 2");
    assert_ne!(e.hint.as_deref(), Some("Did you mean `let`?"));
}
