use super::{format, Kind};

fn q(text: &str) -> String {
    let out = format(text, Kind::Query).unwrap_or_else(|e| panic!("{e:?}"));
    let again = format(&out, Kind::Query).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(again, out, "not idempotent");
    out
}

fn s(text: &str) -> String {
    let out = format(text, Kind::Script).unwrap_or_else(|e| panic!("{e:?}"));
    let again = format(&out, Kind::Script).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(again, out, "not idempotent");
    out
}

#[test]
fn one_statement_per_line_and_spaces_around_operators() {
    assert_eq!(
        q("select {\"a\":event.a*2,\"b\":[1,2]} from in where event.a>1 into out;select event from in into out;"),
        "select {\"a\": event.a * 2, \"b\": [1, 2]} from in where event.a > 1 into out;\nselect event from in into out;\n"
    );
}

#[test]
fn long_records_break_with_trailing_commas() {
    let long = "select {\"first_field_name\": event.first, \"second_field_name\": event.second, \"third\": event.third_one} from in into out;";
    assert_eq!(
        q(long),
        "select {\n  \"first_field_name\": event.first,\n  \"second_field_name\": event.second,\n  \"third\": event.third_one,\n}\nfrom in\ninto out;\n"
    );
}

#[test]
fn blocks_are_indented_by_two() {
    assert_eq!(
        s("match event of case %{a == 1} => \"one\" case _ => \"other\" end"),
        "match event of\n  case %{ a == 1 } => \"one\"\n  case _ => \"other\"\nend\n"
    );
    assert_eq!(
        s("fn f(x) with let y = x+1; y end; f(1)"),
        "fn f(x) with\n  let y = x + 1;\n  y\nend;\nf(1)\n"
    );
    assert_eq!(
        s("patch event of insert \"a\" => 1; erase \"b\" end"),
        "patch event of\n  insert \"a\" => 1;\n  erase \"b\"\nend\n"
    );
    assert_eq!(
        s("for event of case (k,v) => v into [] use + end"),
        "for event of\n  case (k, v) => v\n  into [] use +\nend\n"
    );
}

#[test]
fn with_arguments_one_per_line_when_several() {
    assert_eq!(
        q("define window w from tumbling with size = 3 end;"),
        "define window w from tumbling with size = 3 end;\n"
    );
    assert_eq!(
        q("define window w from tumbling with size=3, interval=10 end;"),
        "define window w from tumbling\nwith\n  size = 3,\n  interval = 10\nend;\n"
    );
    assert_eq!(
        q("define script s script let event.a = 1; event end; create script s;"),
        "define script s\nscript\n  let event.a = 1;\n  event\nend;\ncreate script s;\n"
    );
}

#[test]
fn comments_and_blank_lines_stay() {
    let text = "# head\n\n\n## doc\nconst A = 1; # trailing\n\n# before\nselect event # target\nfrom in into out;\n";
    assert_eq!(
        q(text),
        "# head\n\n## doc\nconst A = 1; # trailing\n\n# before\nselect event # target\nfrom in\ninto out;\n"
    );
    let rec = "let x = {\n  # first\n  \"a\": 1, # one\n  \"b\": 2\n};\n";
    assert_eq!(
        s(rec),
        "let x = {\n  # first\n  \"a\": 1, # one\n  \"b\": 2,\n};\n"
    );
}

#[test]
fn strings_heredocs_and_extractors_are_verbatim() {
    let text = "let a = \"x  #{ 1+2 }  y\";\nlet b = \"\"\"\n   keep   this\n\"\"\";\nmatch a of case r = ~ re|^(?P<x>  .*)$| => r default => null end\n";
    let out = s(text);
    assert!(out.contains("\"x  #{ 1+2 }  y\""), "{out}");
    assert!(out.contains("\"\"\"\n   keep   this\n\"\"\""), "{out}");
    assert!(out.contains("re|^(?P<x>  .*)$|"), "{out}");
}

#[test]
fn a_file_that_does_not_parse_is_an_error() {
    let e = format("select from in into out;", Kind::Query).unwrap_err();
    assert!(!e.is_empty());
    assert!(e[0].code.starts_with("E00"), "{:?}", e[0]);
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(q(""), "");
    assert_eq!(q("# only\n"), "# only\n");
}
