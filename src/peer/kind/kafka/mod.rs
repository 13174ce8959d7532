//! `kafka_consumer` and `kafka_producer`: peers on a Kafka topic (rdkafka, with the
//! bundled librdkafka).
//!
//! A consumer's assigned partitions are its streams (start on assign, end on
//! revoke), an event's number is its offset, and `$kafka` holds where it came from.
//! Acks commit each partition's contiguous acked prefix, fails seek back so the
//! events are read again, `halt`/`ready` pause and resume partitions. A producer
//! sends each event to its topic keyed by `$kafka.key`, with `$kafka.headers`, and
//! acks or fails it from the delivery report.

#[cfg(feature = "kafka")]
mod consumer;
#[cfg(feature = "kafka")]
mod offsets;
#[cfg(feature = "kafka")]
mod producer;

use super::Config;
use super::{Kind, Registration, Start, Started};
use crate::peer::kind_docs::{KindDoc, OPTIONS};
use crate::peer::PeerError;
use crate::value::Value;
#[cfg(feature = "kafka")]
use rdkafka::config::ClientConfig;
use std::sync::Arc;

const BROKERS: (&str, &str) = (
    "brokers",
    "bootstrap servers, `host:port[,host:port]` (string, required)",
);

/// `kafka_consumer` as the registry lists it.
pub const CONSUMER: Registration = Registration {
    doc: &KindDoc {
        kind: "kafka_consumer",
        nature: "source",
        summary: "Reads Kafka topics in a consumer group: one stream per assigned partition; commits follow acks.",
        keys: &[
            BROKERS,
            ("group_id", "consumer group (string, required)"),
            ("topics", "topics to subscribe to (array of strings, required)"),
            OPTIONS,
        ],
    },
    configure: |c| {
        Arc::new(KafkaConsumer {
            brokers: brokers(c),
            group_id: c.required_string("group_id"),
            topics: c.strings("topics"),
            options: options(c),
        })
    },
};

/// `kafka_producer` as the registry lists it.
pub const PRODUCER: Registration = Registration {
    doc: &KindDoc {
        kind: "kafka_producer",
        nature: "sink",
        summary: "Writes events to a Kafka topic; `$kafka.key` is the message key.",
        keys: &[
            BROKERS,
            ("topic", "the topic to write to (string, required)"),
            OPTIONS,
        ],
    },
    configure: |c| {
        Arc::new(KafkaProducer {
            brokers: brokers(c),
            topic: c.required_string("topic"),
            options: options(c),
        })
    },
};

/// A `kafka_consumer` peer.
#[derive(Debug, Clone, PartialEq)]
pub struct KafkaConsumer {
    /// `host:port,host:port`
    pub brokers: String,
    pub group_id: String,
    pub topics: Vec<String>,
    /// librdkafka settings, as strings.
    pub options: Vec<(String, String)>,
}

/// A `kafka_producer` peer.
#[derive(Debug, Clone, PartialEq)]
pub struct KafkaProducer {
    pub brokers: String,
    pub topic: String,
    pub options: Vec<(String, String)>,
}

impl Kind for KafkaConsumer {
    fn doc(&self) -> &'static KindDoc {
        CONSUMER.doc
    }
    fn replays(&self) -> bool {
        true
    }
    #[cfg(feature = "kafka")]
    fn start(&self, s: Start) -> Result<Started, PeerError> {
        let Some(replay) = s.replay else {
            return Ok(Started::default());
        };
        Ok(Started {
            thread: Some(consumer::start(s.ctx, self.clone(), replay)?),
            ..Started::default()
        })
    }
    #[cfg(not(feature = "kafka"))]
    fn start(&self, s: Start) -> Result<Started, PeerError> {
        Err(without_kafka(&s))
    }
}

impl Kind for KafkaProducer {
    fn reads_meta(&self) -> bool {
        true
    }
    fn doc(&self) -> &'static KindDoc {
        PRODUCER.doc
    }
    #[cfg(feature = "kafka")]
    fn start(&self, s: Start) -> Result<Started, PeerError> {
        if !s.writes {
            return Ok(Started::default());
        }
        let tx = producer::start(&s.ctx, self.clone())?;
        Ok(Started::sink(super::Sink::Events(tx)))
    }
    #[cfg(not(feature = "kafka"))]
    fn start(&self, s: Start) -> Result<Started, PeerError> {
        Err(without_kafka(&s))
    }
}

#[cfg(not(feature = "kafka"))]
fn without_kafka(s: &Start) -> PeerError {
    PeerError::NotBuilt {
        peer: s.ctx.spec.name.clone(),
        feature: "kafka",
    }
}

/// `brokers`: `"host:port"`, `"a:1,b:2"` or a list of them.
fn brokers(c: &mut Config) -> String {
    c.strings("brokers").join(",")
}

/// `options`: librdkafka settings; strings, numbers and booleans.
fn options(c: &mut Config) -> Vec<(String, String)> {
    let Some(v) = c.get("options") else {
        return Vec::new();
    };
    let Some(r) = v.as_record() else {
        c.wrong_type("options", "a record", v);
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in r.iter() {
        let text = match v {
            Value::String(s) => s.to_string(),
            Value::Bool(_) | Value::I64(_) | Value::U64(_) | Value::F64(_) => v.encode(),
            other => {
                c.invalid(
                    "options",
                    format!(
                        "`{k}` must be a string, number or boolean, got {}",
                        other.type_name()
                    ),
                );
                continue;
            }
        };
        out.push((k.to_string(), text));
    }
    out
}

/// A client config with the peer's brokers, `defaults` and then the user's options
/// (which win).
#[cfg(feature = "kafka")]
fn client_config(
    brokers: &str,
    defaults: &[(&str, &str)],
    options: &[(String, String)],
) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", brokers);
    for (k, v) in defaults {
        c.set(*k, *v);
    }
    for (k, v) in options {
        c.set(k, v);
    }
    c
}

/// The stream of partition `partition` of the `topic`-th topic of a consumer: the
/// partition itself for the first topic.
#[cfg(feature = "kafka")]
pub fn stream_of(topic: usize, partition: i32) -> u64 {
    ((topic as u64) << 32) | u64::from(partition as u32)
}
