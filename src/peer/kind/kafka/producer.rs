//! `kafka_producer`: sends each event to its topic, keyed by `$kafka.key` (so the
//! default `murmur2_random` partitioner puts a key where Java producers put it),
//! with `$kafka.headers`; the delivery report acks or fails the event.

use super::{client_config, KafkaProducer};
use crate::event::Event;
use crate::peer::kind::{Ctx, Settled, ToGraph};
use crate::peer::metrics::{Counter, Metrics};
use crate::peer::stream::Encoder;
use crate::peer::PeerError;
use crate::value::Value;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer};
use rdkafka::ClientContext;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long the end of a run waits for outstanding deliveries.
const FLUSH: Duration = Duration::from_secs(30);
/// How long a full local queue is given to drain before the next try.
const QUEUE_FULL_WAIT: Duration = Duration::from_millis(10);

/// What a delivery report needs of the event it reports on.
struct Sent {
    settled: Settled,
    data: Value,
}

struct Delivery {
    tx: mpsc::Sender<ToGraph>,
    peer: usize,
    metrics: Arc<Metrics>,
}

impl ClientContext for Delivery {}

impl ProducerContext for Delivery {
    type DeliveryOpaque = Box<Sent>;

    // Runs on the producer's polling thread (or in `flush`), never in a task.
    fn delivery(&self, result: &DeliveryResult<'_>, sent: Box<Sent>) {
        let Sent { settled, data } = *sent;
        let msg = match result {
            Ok(_) => {
                self.metrics.add(Counter::Send, None, 1);
                ToGraph::Acked {
                    peer: self.peer,
                    events: vec![settled],
                    plain: 0,
                }
            }
            Err((e, _)) => {
                self.metrics.add(Counter::Err, None, 1);
                ToGraph::Failed {
                    peer: self.peer,
                    error: format!("kafka: {e}"),
                    event: data,
                    settled,
                    retry: true,
                }
            }
        };
        let _ = self.tx.blocking_send(msg);
    }
}

/// Creates the producer now (bad settings stop the run before it starts) and starts
/// its writer task; returns the channel the executor sends to.
pub(super) fn start(
    ctx: &Ctx,
    cfg: KafkaProducer,
) -> Result<mpsc::UnboundedSender<Event>, PeerError> {
    let defaults = [("partitioner", "murmur2_random")];
    let producer: ThreadedProducer<Delivery> = client_config(&cfg.brokers, &defaults, &cfg.options)
        .create_with_context(Delivery {
            tx: ctx.tx.clone(),
            peer: ctx.idx,
            metrics: ctx.metrics.clone(),
        })
        .map_err(|e| PeerError::Client {
            peer: ctx.spec.name.clone(),
            action: "cannot create the Kafka producer".into(),
            source: Box::new(e),
        })?;
    let (tx, rx) = mpsc::unbounded_channel();
    let task_ctx = ctx.clone();
    let handle = tokio::spawn(write(task_ctx, Arc::new(producer), cfg.topic, rx));
    ctx.track(handle);
    Ok(tx)
}

async fn write(
    ctx: Ctx,
    producer: Arc<ThreadedProducer<Delivery>>,
    topic: String,
    mut rx: mpsc::UnboundedReceiver<Event>,
) {
    let mut enc = Encoder::new(&ctx.spec);
    let mut payload = Vec::new();
    while let Some(ev) = rx.recv().await {
        payload.clear();
        if let Err(e) = enc.encode(&ev.data, &mut payload) {
            ctx.failed(None, e.to_string(), &ev).await;
            continue;
        }
        let kafka = ev.meta.get("kafka");
        let key = kafka.and_then(|k| k.get("key")).and_then(key_bytes);
        let headers = kafka.and_then(|k| k.get("headers")).and_then(headers);
        let mut sent = Box::new(Sent {
            settled: Settled::of_ref(&ev),
            data: ev.data.clone(),
        });
        loop {
            let mut rec = BaseRecord::<[u8], [u8], Box<Sent>>::with_opaque_to(&topic, sent)
                .payload(&payload[..]);
            if let Some(k) = &key {
                rec = rec.key(&k[..]);
            }
            if let Some(h) = &headers {
                rec = rec.headers(h.clone());
            }
            match producer.send(rec) {
                Ok(()) => break,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), rec)) => {
                    sent = rec.delivery_opaque;
                    tokio::time::sleep(QUEUE_FULL_WAIT).await;
                }
                Err((e, _)) => {
                    ctx.failed(None, format!("kafka: {e}"), &ev).await;
                    break;
                }
            }
        }
    }
    let _ = tokio::task::spawn_blocking(move || producer.flush(FLUSH)).await;
}

/// A key as bytes: strings as UTF-8, bytes as they are, anything else as JSON.
fn key_bytes(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.as_bytes().to_vec()),
        Value::Bytes(b) => Some(b.to_vec()),
        other => Some(other.encode().into_bytes()),
    }
}

fn headers(v: &Value) -> Option<OwnedHeaders> {
    let r = v.as_record()?;
    let mut h = OwnedHeaders::new_with_capacity(r.len());
    for (k, v) in r.iter() {
        let value = key_bytes(v);
        h = h.insert(Header {
            key: k.as_str(),
            value: value.as_ref(),
        });
    }
    Some(h)
}
