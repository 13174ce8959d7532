//! `kafka_consumer` and `kafka_producer`: peers on a Kafka topic (rdkafka, with the
//! bundled librdkafka).
//!
//! A consumer's assigned partitions are its streams (start on assign, end on
//! revoke), an event's number is its offset, and `$kafka` holds where it came from.
//! Acks commit each partition's contiguous acked prefix, fails seek back so the
//! events are read again, `halt`/`ready` pause and resume partitions. A producer
//! sends each event to its topic keyed by `$kafka.key`, with `$kafka.headers`, and
//! acks or fails it from the delivery report.

pub mod consumer;
mod offsets;
pub mod producer;

use rdkafka::config::ClientConfig;

/// A client config with the peer's brokers, `defaults` and then the user's options
/// (which win).
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
pub fn stream_of(topic: usize, partition: i32) -> u64 {
    ((topic as u64) << 32) | u64::from(partition as u32)
}
