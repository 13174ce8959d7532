use super::*;

fn index(src: &str) -> Index {
    let m = trickle_grammar::parse_module(src, 0).expect("parses");
    Index::build(&m, src.len())
}

fn at(src: &str, needle: &str, nth: usize) -> u32 {
    src.match_indices(needle).nth(nth).expect("needle").0 as u32
}

#[test]
fn locals_resolve_to_their_let_and_params_to_their_fn() {
    let src = "fn f(x) with x + 1 end;\nlet x = 2;\nlet y = x + f(x);\ny";
    let ix = index(src);
    let names: Vec<(&str, SymKind)> = ix.defs.iter().map(|d| (d.name.as_str(), d.kind)).collect();
    assert_eq!(
        names,
        [
            ("f", SymKind::Function),
            ("x", SymKind::Local),
            ("x", SymKind::Local),
            ("y", SymKind::Local)
        ]
    );
    // `x` in the fn body is the parameter; `x` in `let y` the top-level local.
    let body_x = ix
        .refs
        .iter()
        .position(|r| r.span.0 == at(src, "x", 1))
        .unwrap();
    assert_eq!(ix.resolve(body_x), Some(1));
    let later_x = ix
        .refs
        .iter()
        .position(|r| r.span.0 == at(src, "x", 3))
        .unwrap();
    assert_eq!(ix.resolve(later_x), Some(2));
    let call = ix.refs.iter().position(|r| r.name == "f").unwrap();
    assert_eq!(ix.resolve(call), Some(0));
}

#[test]
fn query_names_resolve_in_their_namespaces() {
    let src = "define window w from tumbling with size = 2 end;\n\
               define script s script event end;\n\
               create script s;\n\
               create stream mid;\n\
               select event from in[w] into mid;\n\
               select event from mid into s;\n";
    let ix = index(src);
    let w = ix.refs.iter().position(|r| r.ns == Ns::Window).unwrap();
    assert_eq!(ix.defs[ix.resolve(w).unwrap()].kind, SymKind::Window);
    let s_refs: Vec<usize> = (0..ix.refs.len())
        .filter(|&i| ix.refs[i].name == "s")
        .collect();
    assert_eq!(s_refs.len(), 2, "create and into");
    for i in s_refs {
        assert_eq!(ix.defs[ix.resolve(i).unwrap()].kind, SymKind::Script);
    }
    assert_eq!(ix.selects.len(), 2);
    assert!(ix
        .marks
        .iter()
        .any(|(_, m)| matches!(m, Mark::WindowKind(k) if k == "tumbling")));
}

#[test]
fn pipelines_scope_their_statements_and_peers_mark_config_keys() {
    let src = "define pipeline p from a into b pipeline select event from a into b; end;\n\
               define peer up from tcp_server with config = {\"port\": 1} end;\n";
    let ix = index(src);
    let a = ix.refs.iter().position(|r| r.name == "a").unwrap();
    let def = &ix.defs[ix.resolve(a).unwrap()];
    assert_eq!((def.kind, def.parent), (SymKind::Stream, Some(0)));
    assert!(ix
        .marks
        .iter()
        .any(|(_, m)| matches!(m, Mark::PeerConfigKey { key, .. } if key == "port")));
    assert_eq!(ix.peer_blocks.len(), 1);
}
