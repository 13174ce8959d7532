//! `kafka_consumer`: a consumer-group member on its own thread.
//!
//! The rebalance callbacks run inside `poll` on that thread: on revoke they commit
//! what was acked of the revoked partitions and end their streams, on assign they
//! start them. Between polls the thread applies contraflow (acks commit the acked
//! prefix, fails seek back) and the gate (a halted stream's partition is paused).

use super::offsets::Offsets;
use super::{client_config, stream_of, KafkaConsumer};
use crate::peer::kind::{lock, Ctx, Numbered, Replay, ToGraph};
use crate::peer::metrics::Counter;
use crate::peer::stream::Decoder;
use crate::peer::PeerError;
use crate::value::{Record, Value};
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::message::{BorrowedMessage, Headers};
use rdkafka::{ClientContext, Message, Offset, TopicPartitionList};
use rustc_hash::FxHashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// Records handed to the graph in one message.
const BATCH: usize = 256;
/// How long the same client error stays quiet after it was reported.
const REPEAT: Duration = Duration::from_secs(30);
/// How long one poll waits for a record.
const POLL: Duration = Duration::from_millis(100);

/// One assigned partition.
struct Part {
    topic: String,
    partition: i32,
    offsets: Offsets,
    paused: bool,
}

/// What the thread and the rebalance callbacks share.
#[derive(Default)]
struct State {
    topics: Vec<String>,
    parts: FxHashMap<u64, Part>,
    /// Stream starts (`true`) and ends the callbacks saw, for the thread to send.
    notes: Vec<(u64, bool)>,
}

impl State {
    fn stream(&self, topic: &str, partition: i32) -> Option<u64> {
        let t = self.topics.iter().position(|x| x == topic)?;
        Some(stream_of(t, partition))
    }
}

struct Context {
    state: Arc<Mutex<State>>,
}

impl ClientContext for Context {}

impl ConsumerContext for Context {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        let Rebalance::Revoke(tpl) = rebalance else {
            return;
        };
        let mut st = lock(&self.state);
        let mut commit = TopicPartitionList::new();
        for e in tpl.elements() {
            let Some(stream) = st.stream(e.topic(), e.partition()) else {
                continue;
            };
            if let Some(mut p) = st.parts.remove(&stream) {
                if let Some(o) = p.offsets.take_commit() {
                    let _ =
                        commit.add_partition_offset(e.topic(), e.partition(), Offset::Offset(o));
                }
                st.notes.push((stream, false));
            }
        }
        drop(st);
        // Before the partitions go to another member: what was delivered is done.
        if commit.count() > 0 {
            let _ = consumer.commit(&commit, CommitMode::Sync);
        }
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        let Rebalance::Assign(tpl) = rebalance else {
            return;
        };
        let mut st = lock(&self.state);
        for e in tpl.elements() {
            let Some(stream) = st.stream(e.topic(), e.partition()) else {
                continue;
            };
            if let std::collections::hash_map::Entry::Vacant(v) = st.parts.entry(stream) {
                v.insert(Part {
                    topic: e.topic().to_string(),
                    partition: e.partition(),
                    offsets: Offsets::default(),
                    paused: false,
                });
                st.notes.push((stream, true));
            }
        }
    }
}

/// Creates the consumer and joins the group now (bad settings stop the run before it
/// starts); reads on its own thread until `replay` closes. Returns the thread, which
/// commits what was acked and leaves the group before it ends.
pub(super) fn start(
    ctx: Ctx,
    cfg: KafkaConsumer,
    replay: mpsc::UnboundedReceiver<Replay>,
) -> Result<std::thread::JoinHandle<()>, PeerError> {
    let defaults = [
        ("group.id", cfg.group_id.as_str()),
        ("enable.auto.commit", "false"),
        ("enable.auto.offset.store", "false"),
        ("auto.offset.reset", "earliest"),
        ("enable.partition.eof", "false"),
        // Incremental rebalances: only the partitions that move end their streams
        // (and flush their windows); the others keep going.
        ("partition.assignment.strategy", "cooperative-sticky"),
    ];
    let state = Arc::new(Mutex::new(State {
        topics: cfg.topics.clone(),
        ..State::default()
    }));
    let consumer: BaseConsumer<Context> = client_config(&cfg.brokers, &defaults, &cfg.options)
        .create_with_context(Context {
            state: state.clone(),
        })
        .map_err(|e| PeerError::Client {
            peer: ctx.spec.name.clone(),
            action: "cannot create the Kafka consumer".into(),
            source: Box::new(e),
        })?;
    let topics: Vec<&str> = cfg.topics.iter().map(String::as_str).collect();
    consumer.subscribe(&topics).map_err(|e| PeerError::Client {
        peer: ctx.spec.name.clone(),
        action: format!("cannot subscribe to {topics:?}"),
        source: Box::new(e),
    })?;
    Ok(std::thread::spawn(move || {
        Reader {
            ctx,
            state,
            decoders: FxHashMap::default(),
            reported: FxHashMap::default(),
        }
        .run(&consumer, replay)
    }))
}

struct Reader {
    ctx: Ctx,
    state: Arc<Mutex<State>>,
    decoders: FxHashMap<u64, Decoder>,
    /// Error texts reported, and when.
    reported: FxHashMap<String, std::time::Instant>,
}

impl Reader {
    fn run(mut self, c: &BaseConsumer<Context>, mut replay: mpsc::UnboundedReceiver<Replay>) {
        loop {
            loop {
                match replay.try_recv() {
                    Ok(msg) => self.contraflow(c, msg),
                    Err(mpsc::error::TryRecvError::Empty) => break,
                    Err(mpsc::error::TryRecvError::Disconnected) => {
                        self.commit(c, CommitMode::Sync);
                        return;
                    }
                }
            }
            self.commit(c, CommitMode::Async);
            self.apply_gate(c);
            if !self.read(c) {
                self.commit(c, CommitMode::Sync);
                return;
            }
        }
    }

    fn contraflow(&mut self, c: &BaseConsumer<Context>, msg: Replay) {
        let mut st = lock(&self.state);
        match msg {
            Replay::Ack { stream, seq } => {
                if let Some(p) = st.parts.get_mut(&stream) {
                    p.offsets.ack(seq as i64);
                }
            }
            Replay::Fail { stream, seq } => {
                let Some(p) = st.parts.get_mut(&stream) else {
                    return;
                };
                if p.offsets.fail(seq as i64) {
                    let (topic, partition) = (p.topic.clone(), p.partition);
                    drop(st);
                    let at = Offset::Offset(seq as i64);
                    if let Err(e) = c.seek(&topic, partition, at, Duration::from_secs(5)) {
                        self.error(
                            stream,
                            format!("cannot seek back to offset {seq} of {topic}/{partition}: {e}"),
                        );
                    }
                }
            }
        }
    }

    /// Commits each partition's acked prefix when it moved.
    fn commit(&mut self, c: &BaseConsumer<Context>, mode: CommitMode) {
        let mut tpl = TopicPartitionList::new();
        {
            let mut st = lock(&self.state);
            for p in st.parts.values_mut() {
                if let Some(o) = p.offsets.take_commit() {
                    let _ = tpl.add_partition_offset(&p.topic, p.partition, Offset::Offset(o));
                }
            }
        }
        if tpl.count() > 0 {
            if let Err(e) = c.commit(&tpl, mode) {
                self.error(0, format!("cannot commit offsets: {e}"));
            }
        }
    }

    /// Pauses the partitions whose streams are halted, resumes the others.
    fn apply_gate(&mut self, c: &BaseConsumer<Context>) {
        let mut pause = TopicPartitionList::new();
        let mut resume = TopicPartitionList::new();
        {
            let mut st = lock(&self.state);
            for (stream, p) in st.parts.iter_mut() {
                let open = self.ctx.gate.is_open(*stream);
                if open == p.paused {
                    p.paused = !open;
                    let list = if open { &mut resume } else { &mut pause };
                    list.add_partition(&p.topic, p.partition);
                }
            }
        }
        if pause.count() > 0 {
            let _ = c.pause(&pause);
        }
        if resume.count() > 0 {
            let _ = c.resume(&resume);
        }
    }

    /// Polls up to a batch of records and hands them over; false once the graph
    /// has stopped.
    fn read(&mut self, c: &BaseConsumer<Context>) -> bool {
        let mut batch: Vec<(u64, Numbered)> = Vec::new();
        let mut wait = POLL;
        while batch.len() < BATCH {
            let polled = c.poll(wait);
            wait = Duration::ZERO;
            // Starts and ends the callbacks saw come before the records after them.
            let notes = std::mem::take(&mut lock(&self.state).notes);
            if !notes.is_empty() && (!self.hand_over(&mut batch) || !self.notes(notes)) {
                return false;
            }
            match polled {
                None => break,
                Some(Err(e)) => {
                    self.error(0, format!("kafka: {e}"));
                    break;
                }
                Some(Ok(m)) => self.record(&m, &mut batch),
            }
        }
        self.hand_over(&mut batch)
    }

    fn notes(&mut self, notes: Vec<(u64, bool)>) -> bool {
        for (stream, start) in notes {
            let peer = self.ctx.idx;
            let msg = if start {
                ToGraph::Start { peer, stream }
            } else {
                self.decoders.remove(&stream);
                self.ctx.gate.forget(stream);
                ToGraph::End { peer, stream }
            };
            if self.ctx.tx.blocking_send(msg).is_err() {
                return false;
            }
        }
        true
    }

    fn record(&mut self, m: &BorrowedMessage<'_>, batch: &mut Vec<(u64, Numbered)>) {
        let Some(stream) = ({
            let mut st = lock(&self.state);
            let stream = st.stream(m.topic(), m.partition());
            if let Some(p) = stream.and_then(|s| st.parts.get_mut(&s)) {
                p.offsets.received(m.offset());
            }
            stream
        }) else {
            return;
        };
        let meta = meta(m);
        let dec = self
            .decoders
            .entry(stream)
            .or_insert_with(|| Decoder::new(&self.ctx.spec));
        let mut items = Vec::new();
        let payload = m.payload().unwrap_or(&[]);
        dec.feed(payload, &mut items);
        dec.finish(&mut items);
        if items.is_empty() {
            // An empty payload (a tombstone) is an event too, so its offset is acked.
            items.push(Ok(Value::Null));
        }
        let bad = items.iter().filter(|i| i.is_err()).count() as u64;
        self.ctx
            .metrics
            .add(Counter::Recv, Some(stream), items.len() as u64);
        if bad > 0 {
            self.ctx.metrics.add(Counter::Err, Some(stream), bad);
            // Bad records are reported, not replayed: they are done with.
            let mut st = lock(&self.state);
            if let Some(p) = st.parts.get_mut(&stream) {
                if items.iter().all(|i| i.is_err()) {
                    p.offsets.ack(m.offset());
                }
            }
        }
        for item in items {
            batch.push((
                stream,
                Numbered {
                    seq: m.offset() as u64,
                    item,
                    meta: meta.clone(),
                },
            ));
        }
    }

    /// Sends the batch, one message per run of records of the same stream.
    fn hand_over(&mut self, batch: &mut Vec<(u64, Numbered)>) -> bool {
        let mut records = Vec::new();
        let mut current = None;
        for (stream, r) in batch.drain(..) {
            if current.is_some_and(|c| c != stream) {
                let msg = ToGraph::Records {
                    peer: self.ctx.idx,
                    stream: current.unwrap_or(stream),
                    records: std::mem::take(&mut records),
                };
                if self.ctx.tx.blocking_send(msg).is_err() {
                    return false;
                }
            }
            current = Some(stream);
            records.push(r);
        }
        match current {
            Some(stream) => self
                .ctx
                .tx
                .blocking_send(ToGraph::Records {
                    peer: self.ctx.idx,
                    stream,
                    records,
                })
                .is_ok(),
            None => true,
        }
    }

    /// A client error on the peer's `err` (each text at most once per [`REPEAT`]:
    /// a broker that is down says so every second). Every one is counted.
    fn error(&mut self, stream: u64, text: String) {
        self.ctx.metrics.add(Counter::Err, Some(stream), 1);
        let now = std::time::Instant::now();
        if self
            .reported
            .get(&text)
            .is_some_and(|at| now.duration_since(*at) < REPEAT)
        {
            return;
        }
        self.reported.insert(text.clone(), now);
        let msg = ToGraph::Records {
            peer: self.ctx.idx,
            stream,
            records: vec![Numbered {
                seq: 0,
                item: Err((text, crate::peer::raw::Raw::default())),
                meta: Value::record(),
            }],
        };
        let _ = self.ctx.tx.blocking_send(msg);
    }
}

/// `$kafka`: topic, partition, offset, key, headers, timestamp (ms, or null).
fn meta(m: &BorrowedMessage<'_>) -> Value {
    let key = match m.key() {
        None => Value::Null,
        Some(k) => match std::str::from_utf8(k) {
            Ok(s) => Value::from(s),
            Err(_) => Value::Bytes(k.to_vec().into()),
        },
    };
    let mut headers = Record::default();
    if let Some(hs) = m.headers() {
        for h in hs.iter() {
            let v = h.value.map_or(Value::Null, |v| {
                Value::from(String::from_utf8_lossy(v).into_owned())
            });
            headers.insert(h.key.into(), v);
        }
    }
    let timestamp = m.timestamp().to_millis().map_or(Value::Null, Value::from);
    crate::record! {"kafka" => crate::record! {
        "topic" => m.topic(),
        "partition" => i64::from(m.partition()),
        "offset" => m.offset(),
        "key" => key,
        "headers" => Value::from(headers),
        "timestamp" => timestamp,
    }}
}
