//! Peer definitions checked: kinds, keys, types, codecs and interceptors.

use super::*;
use crate::peer::kind::client::{ClientStreams, TcpClient};
use crate::peer::kind::file::{File, FileMode};
use crate::peer::kind::kafka::KafkaConsumer;
use crate::peer::kind::metronome::Metronome;
use crate::peer::kind::tcp_server::TcpServer;
use crate::value::parse_json;

/// The kind of `s` as the config struct it was read into.
fn kind<T: Kind>(s: &PeerSpec) -> &T {
    let any: &dyn std::any::Any = &*s.kind;
    any.downcast_ref::<T>().expect("another kind")
}

fn with(json: &str) -> Record {
    parse_json(json).unwrap().as_record().cloned().unwrap()
}

fn errors(kind: &str, json: &str) -> Vec<String> {
    build("p", kind, &with(json))
        .unwrap_err()
        .into_iter()
        .map(|e| e.message)
        .collect()
}

#[test]
fn builds_each_kind() {
    let s = build("up", "tcp_server", &with(r#"{"config": {"port": 4242}}"#)).unwrap();
    assert_eq!(
        kind::<TcpServer>(&s),
        &TcpServer {
            host: "127.0.0.1".into(),
            port: 4242
        }
    );
    assert_eq!(s.codec, "json");
    assert_eq!(s.chain().names(), ["lines"]);
    assert_eq!(s.metrics_interval_s, None);
    assert_eq!(
        (s.in_node(), s.err_node()),
        ("up/in".into(), "up/err".into())
    );
    let s = build("m", "metronome", &with(r#"{"config": {"interval": 5}}"#)).unwrap();
    assert_eq!(kind::<Metronome>(&s), &Metronome { interval_ns: 5 });
    assert!(s.chain().is_empty());
    let s = build(
        "f",
        "file",
        &with(r#"{"codec": "string", "interceptors": [], "config": {"path": "x", "mode": "append"}, "metrics_interval_s": 2}"#),
    )
    .unwrap();
    assert_eq!(
        kind::<File>(&s),
        &File {
            path: "x".into(),
            mode: FileMode::Append
        }
    );
    assert!(s.kind.is_sink() && !s.kind.is_source());
    assert_eq!(
        (s.codec.as_str(), s.metrics_interval_s),
        ("string", Some(2))
    );
    let s = build(
        "c",
        "tcp_client",
        &with(r#"{"config": {"port": 1, "streams": "per_stream", "reconnect": false}}"#),
    )
    .unwrap();
    assert!(matches!(
        kind::<TcpClient>(&s),
        TcpClient {
            streams: ClientStreams::PerStream,
            reconnect: Reconnect::NEVER,
            ..
        }
    ));
    assert!(build("s", "stdin", &Record::default()).is_ok());
}

#[test]
fn unknown_kind_lists_known() {
    let e = errors("kafka", "{}");
    assert!(
        e[0].starts_with("unknown peer kind `kafka`; known: `stdin`"),
        "{e:?}"
    );
}

#[test]
fn unknown_keys_name_the_key_and_list_allowed() {
    let e = errors("stdin", r#"{"codek": "json"}"#);
    assert_eq!(
        e,
        ["unknown key `codek` in peer `p`; allowed: `codec`, `interceptors`, `config`, `metrics_interval_s`"]
    );
    let e = errors("tcp_server", r#"{"config": {"port": 1, "hots": "x"}}"#);
    assert_eq!(
        e,
        ["unknown key `hots` in the config of a `tcp_server` peer; allowed: `host`, `port`, `max_queued`, `max_connections`"]
    );
    let e = errors("stdout", r#"{"config": {"x": 1}}"#);
    assert!(e[0].ends_with("allowed: none"), "{e:?}");
}

#[test]
fn wrong_types_and_missing_keys() {
    let e = errors("tcp_server", r#"{"config": {"port": "80"}}"#);
    assert_eq!(
        e,
        ["`port` in the config of a `tcp_server` peer must be an integer, got string"]
    );
    let e = errors("tcp_server", "{}");
    assert_eq!(e, ["a `tcp_server` peer needs `port` in its config"]);
    let e = errors("file", r#"{"config": {"path": "x", "mode": "rw"}}"#);
    assert!(
        e[0].contains("`rw` is not one of `read`, `write`, `append`"),
        "{e:?}"
    );
    let e = errors("metronome", r#"{"config": {"interval": 0}}"#);
    assert!(e[0].contains("must be positive"), "{e:?}");
    let e = errors("stdin", r#"{"codec": 1, "config": []}"#);
    assert_eq!(
        e,
        [
            "`codec` must be a string, got integer",
            "`config` must be a record, got array"
        ]
    );
    let e = errors("tcp_server", r#"{"config": {"port": 70000}}"#);
    assert!(e[0].contains("not a port number"), "{e:?}");
}

#[test]
fn codec_and_interceptors_are_checked() {
    let e = errors("stdin", r#"{"codec": "yaml"}"#);
    assert!(e[0].contains("unknown codec `yaml`"), "{e:?}");
    let e = errors("stdin", r#"{"interceptors": ["lines", "zstd"]}"#);
    assert!(e[0].contains("unknown interceptor `zstd`"), "{e:?}");
    let e = build("p", "stdin", &with(r#"{"interceptors": "lines"}"#)).unwrap_err();
    assert_eq!(e[0].key.as_deref(), Some("interceptors"));
}

#[test]
fn kafka_peers_take_brokers_as_a_string_or_a_list() {
    let s = build(
        "k",
        "kafka_consumer",
        &with(
            r#"{"config": {"brokers": ["a:1", "b:2"], "group_id": "g", "topics": "t", "options": {"session.timeout.ms": 6000}}}"#,
        ),
    )
    .unwrap();
    assert_eq!(
        kind::<KafkaConsumer>(&s),
        &KafkaConsumer {
            brokers: "a:1,b:2".into(),
            group_id: "g".into(),
            topics: vec!["t".into()],
            options: vec![("session.timeout.ms".into(), "6000".into())],
        }
    );
    assert!(!s.kind.is_sink() && s.kind.is_source());
    let errs = errors(
        "kafka_producer",
        r#"{"config": {"brokers": "a:1", "topic": ""}}"#,
    );
    assert!(errs.iter().any(|e| e.contains("`topic`")), "{errs:?}");
}

#[test]
fn the_runs_own_outputs_are_the_graphs_out_and_err_nodes() {
    let node = |name: &str| {
        let mut s = build("p", "stdout", &Record::default()).unwrap();
        s.name = name.into();
        s.in_node()
    };
    assert_eq!(node("out"), "out");
    assert_eq!(node("err"), "err");
    assert_eq!(node("p::out"), "p::out/in");
    assert_eq!(node("up"), "up/in");
}
