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
fn comments_at_the_start_of_a_block_or_the_end_of_a_list_keep_their_lines() {
    assert_eq!(
        s("match event of\n  # first\n  case 1 => 2\n  case _ => 3\nend"),
        "match event of\n  # first\n  case 1 => 2\n  case _ => 3\nend\n"
    );
    assert_eq!(
        s("match event of # why\ncase 1 => 2\nend"),
        "match event of # why\n  case 1 => 2\nend\n"
    );
    assert_eq!(
        s("patch event of\n# c\ninsert \"a\" => 1\nend"),
        "patch event of\n  # c\n  insert \"a\" => 1\nend\n"
    );
    assert_eq!(
        s("let a = [\n  1, # one\n  2  # two\n];\na"),
        "let a = [\n  1, # one\n  2, # two\n];\na\n"
    );
}

#[test]
fn comments_in_definition_sections_keep_their_lines() {
    assert_eq!(
        q("define window w from tumbling\nwith\n  size = 2\n  # before end\nend;"),
        "define window w from tumbling\nwith size = 2\n# before end\nend;\n"
    );
    assert_eq!(
        q("define operator o from generic::batch\nargs a = 1 # c\nwith count = 2 # d\nend;"),
        "define operator o from generic::batch\nargs a = 1 # c\nwith count = 2 # d\nend;\n"
    );
    assert_eq!(
        q("define window w from tumbling # c\nwith size = 2 end;"),
        "define window w from tumbling # c\nwith size = 2 end;\n"
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
fn end_after_a_path_is_a_name() {
    assert_eq!(
        q("define window w from session with gap=5 end; select {\"to\":aggr::win::end()} from in[w] into out;"),
        "define window w from session with gap = 5 end;\nselect {\"to\": aggr::win::end()} from in[w] into out;\n"
    );
    assert_eq!(
        q("select match event of case 1 => aggr::win::end() case _ => 0 end from in into out;"),
        "select match event of\n  case 1 => aggr::win::end()\n  case _ => 0\nend\nfrom in\ninto out;\n"
    );
}

#[test]
fn definition_bodies_with_declarations() {
    assert_eq!(
        q("define script s\nscript\nuse std::string;\n## doubles\nfn d(x) with x*2 end;\nconst K=3;\nd(event)+K\nend;"),
        "define script s\nscript\n  use std::string;\n  ## doubles\n  fn d(x) with\n    x * 2\n  end;\n  const K = 3;\n  d(event) + K\nend;\n"
    );
}

#[test]
fn long_conditions_break_before_and_or() {
    assert_eq!(
        q("select event from in where event.a > 1 and event.b < 2 into out;"),
        "select event from in where event.a > 1 and event.b < 2 into out;\n"
    );
    let long = "select event from in where present event.first_long_field and event.second_long_field > 100 or event.third_field_longer == \"x\" into out;";
    assert_eq!(
        q(long),
        "select event\nfrom in\nwhere present event.first_long_field\n  and event.second_long_field > 100\n  or event.third_field_longer == \"x\"\ninto out;\n"
    );
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(q(""), "");
    assert_eq!(q("# only\n"), "# only\n");
}

mod props {
    use super::super::{format, Kind};
    use proptest::prelude::*;

    /// Random whitespace between tokens: nothing, a space, a line break, a comment.
    fn gap() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("  ".to_string()),
            Just(" ".to_string()),
            Just("\n".to_string()),
            Just("\n\n  ".to_string()),
            Just(" # note\n".to_string()),
        ]
    }

    fn leaf() -> impl Strategy<Value = String> {
        prop_oneof![
            (0u32..1000).prop_map(|n| n.to_string()),
            Just("event.a".to_string()),
            Just("\"s #{event.b} t\"".to_string()),
            Just("null".to_string()),
            Just("state[\"k\"]".to_string()),
            Just("$meta".to_string()),
            Just("\"\"\"\n  heredoc  \n\"\"\"".to_string()),
        ]
    }

    fn expr() -> impl Strategy<Value = String> {
        leaf().prop_recursive(4, 40, 4, |inner| {
            let op = prop_oneof![
                Just("+"),
                Just("-"),
                Just("*"),
                Just("=="),
                Just("and"),
                Just("<<"),
                Just(">>")
            ];
            prop_oneof![
                (inner.clone(), gap(), op, gap(), inner.clone())
                    .prop_map(|(a, g1, o, g2, b)| format!("({a}{g1} {o} {g2}{b})")),
                prop::collection::vec((inner.clone(), gap()), 0..5).prop_map(|v| {
                    let items: Vec<String> =
                        v.into_iter().map(|(e, g)| format!("{e},{g}")).collect();
                    format!("[{}]", items.concat())
                }),
                prop::collection::vec((inner.clone(), gap()), 0..4).prop_map(|v| {
                    let items: Vec<String> = v
                        .into_iter()
                        .enumerate()
                        .map(|(i, (e, g))| format!("\"k{i}\":{g}{e}"))
                        .collect();
                    format!("{{{}}}", items.join(", "))
                }),
                (inner.clone(), gap(), inner.clone(), inner.clone()).prop_map(
                    |(t, g, a, b)| format!(
                        "(match {t} of{g}case %{{ a == 1 }} => {a} case _ =>{g}{b} end)"
                    )
                ),
                (inner.clone(), gap(), inner.clone()).prop_map(|(t, g, v)| format!(
                    "patch {t} of insert \"x\" =>{g}{v}; erase \"y\" end"
                )),
                (inner.clone(), gap())
                    .prop_map(|(a, g)| format!("string::format(\"{{}}\",{g}{a})")),
                (inner.clone(), gap(), inner)
                    .prop_map(|(a, g, b)| format!("<< ({a}):8,{g}({b})/binary >>")),
            ]
        })
    }

    fn script() -> impl Strategy<Value = String> {
        prop::collection::vec((expr(), gap()), 1..4).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (e, g))| format!("let x{i} ={g}{e};{g}"))
                .collect::<String>()
                + "emit event"
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn never_panics(text in "\\PC{0,80}") {
            let _ = format(&text, Kind::Query);
        }

        #[test]
        fn programs_that_parse_format_idempotently(text in script()) {
            let parsed = trickle_grammar::parse_module(&text, 0);
            prop_assert!(parsed.is_ok(), "{:?}\n{}", parsed, text);
            if parsed.is_ok() {
                let once = format(&text, Kind::Script);
                prop_assert!(once.is_ok(), "{:?}\n{}", once, text);
                let once = once.unwrap_or_default();
                let twice = format(&once, Kind::Script).unwrap_or_default();
                prop_assert_eq!(&twice, &once, "input:\n{}", text);
            }
        }
    }
}
