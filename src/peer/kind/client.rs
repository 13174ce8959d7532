//! `tcp_client` and `ws_client`: `shared` sends every event on one connection (reconnecting with
//! backoff when it drops); `per_stream` opens one connection per upstream stream
//! when that stream starts and closes it when it ends. Events received on a
//! connection carry the last event sent on it in their lineage, so responses can be
//! routed back to the upstream connection they answer.

use super::{addr_value, lock, Ctx, Settled, ToGraph, ToPeer, UpstreamSignal};
use crate::event::{Event, EventId};
use crate::peer::metrics::Counter;
use crate::peer::spec::{ClientStreams, Reconnect};
use crate::peer::stream::{Decoder, Encoder};
use crate::value::{Str, Value};
use futures_util::{SinkExt, StreamExt};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// How long a closing connection waits for the server's last responses.
const LINGER: Duration = Duration::from_secs(2);
/// How long an event written on a connection stays unacked: TCP says nothing about
/// what the other side read, so an event is acked once the connection has stayed
/// up this long after it was written (or closed cleanly); if the connection drops
/// first it is failed and a replayable source sends it again.
const ACK_DELAY: Duration = Duration::from_secs(1);

/// Where and how to connect.
#[derive(Clone)]
pub struct Target {
    pub host: String,
    pub port: u16,
    pub reconnect: Reconnect,
    /// `Some(path)` for a WebSocket client.
    pub ws_path: Option<String>,
}

/// A connected transport, before it is split.
enum Socket {
    Tcp(TcpStream),
    Ws(Box<WebSocketStream<TcpStream>>),
}

/// The writing half of a connection.
enum Wire {
    Tcp(OwnedWriteHalf),
    Ws(futures_util::stream::SplitSink<WebSocketStream<TcpStream>, Message>),
}

impl Wire {
    async fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        match self {
            Wire::Tcp(w) => w.write_all(bytes).await.map_err(|e| e.to_string()),
            Wire::Ws(w) => w
                .send(super::ws_server::message(bytes))
                .await
                .map_err(|e| e.to_string()),
        }
    }

    async fn close(&mut self) {
        match self {
            Wire::Tcp(w) => {
                let _ = w.flush().await;
                let _ = w.shutdown().await;
            }
            Wire::Ws(w) => {
                let _ = w.close().await;
            }
        }
    }
}

/// Starts the client's task; returns the channel the executor sends to.
pub fn start(ctx: &Ctx, target: Target, streams: ClientStreams) -> mpsc::UnboundedSender<ToPeer> {
    let (tx, rx) = mpsc::unbounded_channel();
    let task_ctx = ctx.clone();
    let handle = tokio::spawn(async move {
        match streams {
            ClientStreams::Shared => shared(task_ctx, target, rx).await,
            ClientStreams::PerStream => per_stream(task_ctx, target, rx).await,
        }
    });
    ctx.track(handle);
    tx
}

/// One connection attempt (TCP, then the WebSocket handshake for `ws_client`).
async fn connect(t: &Target) -> Result<Socket, String> {
    let sock = TcpStream::connect((t.host.as_str(), t.port))
        .await
        .map_err(|e| format!("cannot connect to {}:{}: {e}", t.host, t.port))?;
    let _ = sock.set_nodelay(true);
    match &t.ws_path {
        None => Ok(Socket::Tcp(sock)),
        Some(path) => {
            let path = if path.starts_with('/') {
                path.clone()
            } else {
                format!("/{path}")
            };
            let url = format!("ws://{}:{}{path}", t.host, t.port);
            tokio_tungstenite::client_async(url.as_str(), sock)
                .await
                .map(|(ws, _)| Socket::Ws(Box::new(ws)))
                .map_err(|e| format!("cannot open a WebSocket to {url}: {e}"))
        }
    }
}

/// Why a write failed: the event (it would fail again) or the connection.
enum Failure {
    Encode(String),
    Send(String),
}

/// One open connection: its writing half here, its reading half in a task.
struct Conn {
    id: u64,
    w: Wire,
    enc: Encoder,
    buf: Vec<u8>,
    reader: JoinHandle<()>,
    /// The id of the last event sent, for the lineage of what comes back.
    last: Arc<Mutex<Vec<EventId>>>,
    /// Messages sent and received, so a WebSocket (which cannot half-close) waits
    /// for as many answers as it sent requests before it closes.
    sent: u64,
    received: Arc<std::sync::atomic::AtomicU64>,
}

impl Conn {
    async fn open(ctx: &Ctx, sock: Socket, id: u64, upstream: Vec<EventId>) -> Option<Conn> {
        let addr = match &sock {
            Socket::Tcp(s) => s.peer_addr(),
            Socket::Ws(s) => s.get_ref().peer_addr(),
        };
        let transport = if matches!(sock, Socket::Ws(_)) {
            "ws"
        } else {
            "tcp"
        };
        let meta = match addr {
            Ok(a) => {
                let mut r = crate::value::Record::default();
                r.insert(transport.into(), crate::record! {"peer" => addr_value(&a)});
                Value::from(r)
            }
            Err(_) => Value::record(),
        };
        if !ctx
            .send(ToGraph::Start {
                peer: ctx.idx,
                stream: id,
            })
            .await
        {
            return None;
        }
        let last = Arc::new(Mutex::new(upstream));
        let received = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (rctx, rlast) = (ctx.clone(), last.clone());
        let counter = received.clone();
        let (w, reader) = match sock {
            Socket::Tcp(s) => {
                let (mut r, w) = s.into_split();
                let reader = tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    let mut recv = Receiving::new(rctx, id, meta, rlast);
                    loop {
                        match r.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => {
                                if !recv.feed(&buf[..n]).await {
                                    return;
                                }
                            }
                        }
                    }
                    recv.end().await;
                });
                (Wire::Tcp(w), reader)
            }
            Socket::Ws(s) => {
                let (w, mut r) = (*s).split();
                let reader = tokio::spawn(async move {
                    let mut recv = Receiving::new(rctx, id, meta, rlast);
                    while let Some(Ok(msg)) = r.next().await {
                        let bytes = match msg {
                            Message::Text(t) => t.into_bytes(),
                            Message::Binary(b) => b,
                            Message::Close(_) => break,
                            _ => continue,
                        };
                        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if !recv.feed(&bytes).await {
                            return;
                        }
                    }
                    recv.end().await;
                });
                (Wire::Ws(w), reader)
            }
        };
        Some(Conn {
            id,
            w,
            enc: Encoder::new(&ctx.spec),
            buf: Vec::new(),
            reader,
            last,
            sent: 0,
            received,
        })
    }

    async fn write(&mut self, ctx: &Ctx, ev: &Event) -> Result<(), Failure> {
        *lock(&self.last) = vec![ev.id.clone()];
        self.buf.clear();
        self.enc
            .encode(&ev.data, &mut self.buf)
            .map_err(Failure::Encode)?;
        self.w
            .send(&self.buf)
            .await
            .map_err(|e| Failure::Send(format!("cannot send on peer `{}`: {e}", ctx.spec.name)))?;
        ctx.metrics.add(Counter::Send, Some(self.id), 1);
        self.sent += 1;
        Ok(())
    }

    /// Half-closes, then gives the server [`LINGER`] to answer and close.
    async fn close(mut self, ctx: &Ctx) {
        if matches!(self.w, Wire::Ws(_)) {
            let deadline = tokio::time::Instant::now() + LINGER;
            while self.received.load(std::sync::atomic::Ordering::Relaxed) < self.sent
                && tokio::time::Instant::now() < deadline
                && !self.reader.is_finished()
            {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        self.w.close().await;
        if tokio::time::timeout(LINGER, &mut self.reader)
            .await
            .is_err()
        {
            self.reader.abort();
            ctx.send(ToGraph::End {
                peer: ctx.idx,
                stream: self.id,
            })
            .await;
        }
    }
}

async fn shared(ctx: Ctx, t: Target, mut rx: mpsc::UnboundedReceiver<ToPeer>) {
    let ids = Arc::new(AtomicU64::new(0));
    let mut link = Link::new(ctx.clone(), t, ids, None, Vec::new());
    loop {
        // Only waiting happens under `select!` (it is cancelled when a message
        // comes); acting on what is due happens outside it.
        let due = tokio::select! {
            msg = rx.recv() => match msg {
                None => break,
                Some(ToPeer::Event(ev)) => {
                    link.send(ev).await;
                    continue;
                }
                Some(ToPeer::Start(..) | ToPeer::End(..)) => continue,
            },
            due = link.wait() => due,
        };
        if !link.act(due).await {
            // Gave up: a client that reads is a source that has ended.
            ctx.send(ToGraph::Done { peer: ctx.idx }).await;
            while let Some(msg) = rx.recv().await {
                if let ToPeer::Event(ev) = msg {
                    link.send(ev).await;
                }
            }
            return;
        }
    }
    link.close().await;
    ctx.send(ToGraph::Done { peer: ctx.idx }).await;
}

async fn per_stream(ctx: Ctx, t: Target, mut rx: mpsc::UnboundedReceiver<ToPeer>) {
    let mut conns: HashMap<(Str, u64), mpsc::UnboundedSender<Event>> = HashMap::new();
    let mut tasks = Vec::new();
    let ids = Arc::new(AtomicU64::new(0));
    let open = |key: (Str, u64), conns: &mut HashMap<_, _>, tasks: &mut Vec<JoinHandle<()>>| {
        let (tx, crx) = mpsc::unbounded_channel();
        let upstream = vec![EventId {
            peer: key.0.clone(),
            stream: key.1,
            event: 0,
        }];
        let link = Link::new(
            ctx.clone(),
            t.clone(),
            ids.clone(),
            Some(key.clone()),
            upstream,
        );
        tasks.retain(|h: &JoinHandle<()>| !h.is_finished());
        tasks.push(tokio::spawn(stream_link(link, crx)));
        conns.insert(key, tx);
    };
    while let Some(msg) = rx.recv().await {
        match msg {
            ToPeer::Start(peer, stream) => {
                if !conns.contains_key(&(peer.clone(), stream)) {
                    open((peer, stream), &mut conns, &mut tasks);
                }
            }
            ToPeer::End(peer, stream) => {
                conns.remove(&(peer, stream));
            }
            ToPeer::Event(ev) => {
                let key = (ev.id.peer.clone(), ev.id.stream);
                if !conns.contains_key(&key) {
                    open(key.clone(), &mut conns, &mut tasks);
                }
                if let Some(tx) = conns.get(&key) {
                    let _ = tx.send(ev);
                }
            }
        }
    }
    conns.clear();
    for task in tasks {
        let _ = task.await;
    }
    ctx.send(ToGraph::Done { peer: ctx.idx }).await;
}

/// One upstream stream's connection: until its stream ends, then it closes.
async fn stream_link(mut link: Link, mut rx: mpsc::UnboundedReceiver<Event>) {
    loop {
        let due = tokio::select! {
            msg = rx.recv() => match msg {
                None => break,
                Some(ev) => {
                    link.send(ev).await;
                    continue;
                }
            },
            due = link.wait() => due,
        };
        if !link.act(due).await {
            while let Some(ev) = rx.recv().await {
                link.send(ev).await;
            }
            return;
        }
    }
    link.close().await;
}

/// What a [`Link`] found due while it waited.
enum Due {
    /// The connection's reading side ended.
    Dropped,
    /// Written events are old enough to ack.
    Acks,
    /// A connection attempt finished.
    Connected(Result<Socket, String>),
}

/// A connection that comes back: events wait in `queue` while it is down, written
/// events wait in `unacked` for [`ACK_DELAY`], and a drop fails those (to be sent
/// again by a replayable source) and reconnects with backoff. While it is down the
/// client says `halt` (for its upstream stream when per-stream), and `ready` when it
/// is up again.
struct Link {
    ctx: Ctx,
    t: Target,
    ids: Arc<AtomicU64>,
    /// The upstream stream this connection serves (per-stream clients).
    upstream: Option<(Str, u64)>,
    /// Lineage of what a new connection receives before anything was sent on it.
    lineage: Vec<EventId>,
    conn: Option<Conn>,
    /// A connection attempt under way.
    connecting: Option<JoinHandle<Result<Socket, String>>>,
    queue: VecDeque<Event>,
    unacked: VecDeque<(Instant, Event)>,
    /// Failed attempts in a row.
    attempt: u64,
    next_attempt: Instant,
    /// The last connection error, for what fails once the client gives up.
    error: String,
    halted: bool,
    /// Connected at least once (a per-stream client said `ready` for its stream).
    ready_sent: bool,
    gave_up: bool,
}

impl Link {
    fn new(
        ctx: Ctx,
        t: Target,
        ids: Arc<AtomicU64>,
        upstream: Option<(Str, u64)>,
        lineage: Vec<EventId>,
    ) -> Link {
        Link {
            ctx,
            t,
            ids,
            upstream,
            lineage,
            conn: None,
            connecting: None,
            queue: VecDeque::new(),
            unacked: VecDeque::new(),
            attempt: 0,
            next_attempt: Instant::now(),
            error: String::new(),
            halted: false,
            ready_sent: false,
            gave_up: false,
        }
    }

    /// Sends `ev` now, or queues it until the connection is up.
    async fn send(&mut self, ev: Event) {
        if self.gave_up {
            let text = format!(
                "peer `{}` gave up connecting: {}",
                self.ctx.spec.name, self.error
            );
            self.ctx.failed(None, text, &ev).await;
            return;
        }
        if self.conn.is_none() || !self.queue.is_empty() {
            self.queue.push_back(ev);
            return;
        }
        self.write(ev).await;
    }

    async fn write(&mut self, ev: Event) {
        let Some(c) = self.conn.as_mut() else {
            self.queue.push_back(ev);
            return;
        };
        match c.write(&self.ctx, &ev).await {
            Ok(()) => self.unacked.push_back((Instant::now(), ev)),
            Err(Failure::Encode(e)) => self.ctx.failed(Some(c.id), e, &ev).await,
            Err(Failure::Send(e)) => {
                self.error = e;
                self.queue.push_front(ev);
                self.dropped(true).await;
            }
        }
    }

    /// Waits until something is due: the connection's end or acks when up, the
    /// next connection attempt when down. Cancel-safe: an attempt runs in its own
    /// task and is picked up by the next call.
    async fn wait(&mut self) -> Due {
        if self.gave_up {
            return std::future::pending().await;
        }
        if let Some(c) = self.conn.as_mut() {
            let due = self.unacked.front().map(|(at, _)| *at + ACK_DELAY);
            return tokio::select! {
                _ = &mut c.reader => Due::Dropped,
                _ = sleep_until_some(due) => Due::Acks,
            };
        }
        if self.connecting.is_none() {
            tokio::time::sleep_until(self.next_attempt).await;
            let t = self.t.clone();
            self.connecting = Some(tokio::spawn(async move { connect(&t).await }));
        }
        let Some(task) = self.connecting.as_mut() else {
            return std::future::pending().await;
        };
        let result = task.await.unwrap_or_else(|e| Err(e.to_string()));
        self.connecting = None;
        Due::Connected(result)
    }

    /// Does what [`Link::wait`] found due; false once it gave up.
    async fn act(&mut self, due: Due) -> bool {
        match due {
            Due::Dropped => {
                self.error = format!("peer `{}`: the connection was closed", self.ctx.spec.name);
                self.dropped(false).await;
            }
            Due::Acks => self.ack_due().await,
            Due::Connected(result) => self.connected(result).await,
        }
        !self.gave_up
    }

    async fn ack_due(&mut self) {
        let now = Instant::now();
        let mut acks = Vec::new();
        while self
            .unacked
            .front()
            .is_some_and(|(at, _)| *at + ACK_DELAY <= now)
        {
            if let Some((_, ev)) = self.unacked.pop_front() {
                acks.push(Settled::of(ev));
            }
        }
        self.ctx.acked(acks).await;
    }

    async fn connected(&mut self, result: Result<Socket, String>) {
        match result {
            Ok(sock) => {
                let id = self.ids.fetch_add(1, Ordering::Relaxed);
                let Some(conn) = Conn::open(&self.ctx, sock, id, self.lineage.clone()).await else {
                    // The run is over.
                    self.gave_up = true;
                    return;
                };
                self.conn = Some(conn);
                self.attempt = 0;
                self.breaker(false).await;
                while let Some(ev) = self.queue.pop_front() {
                    self.write(ev).await;
                    if self.conn.is_none() {
                        return;
                    }
                }
            }
            Err(e) => {
                self.error = e;
                self.attempt += 1;
                match self.t.reconnect.delay(self.attempt) {
                    Some(wait) => {
                        self.next_attempt = Instant::now() + wait;
                        self.breaker(true).await;
                    }
                    None => self.give_up().await,
                }
            }
        }
    }

    /// The connection is gone: what was written on it and not yet acked fails (and
    /// will be sent again if its source can), and the next attempt comes at once.
    async fn dropped(&mut self, write_failed: bool) {
        let Some(c) = self.conn.take() else {
            return;
        };
        if write_failed {
            c.reader.abort();
            self.ctx
                .send(ToGraph::End {
                    peer: self.ctx.idx,
                    stream: c.id,
                })
                .await;
        }
        let text = self.error.clone();
        for (_, ev) in std::mem::take(&mut self.unacked) {
            self.ctx.failed_retry(Some(c.id), text.clone(), &ev).await;
        }
        self.next_attempt = Instant::now();
        if !self.t.reconnect.enabled {
            self.give_up().await;
        } else {
            self.breaker(true).await;
        }
    }

    async fn give_up(&mut self) {
        self.gave_up = true;
        let text = format!(
            "peer `{}` gave up connecting: {}",
            self.ctx.spec.name, self.error
        );
        for ev in std::mem::take(&mut self.queue) {
            self.ctx.failed(None, text.clone(), &ev).await;
        }
        // Nothing is held back any more: what comes now fails (and counts) at once.
        self.breaker(false).await;
        if !self.ready_sent {
            self.ready_sent = true;
            self.upstream_signal(UpstreamSignal::Ready).await;
        }
    }

    /// Says `halt` or `ready`, for the client or for its upstream stream.
    async fn breaker(&mut self, halted: bool) {
        if self.upstream.is_some() {
            let signal = match (halted, self.ready_sent) {
                (false, false) => {
                    self.ready_sent = true;
                    UpstreamSignal::Ready
                }
                // The stream was never read yet: it waits for `ready` anyway.
                (true, false) => return,
                (false, true) if !self.halted => return,
                (false, true) => UpstreamSignal::Resume,
                (true, true) if self.halted => return,
                (true, true) => UpstreamSignal::Halt,
            };
            self.halted = halted;
            self.upstream_signal(signal).await;
            return;
        }
        if self.halted != halted {
            self.halted = halted;
            let msg = ToGraph::Breaker {
                peer: self.ctx.idx,
                halted,
            };
            self.ctx.send(msg).await;
        }
    }

    async fn upstream_signal(&mut self, signal: UpstreamSignal) {
        if let Some((peer, stream)) = &self.upstream {
            let msg = ToGraph::Upstream {
                upstream: peer.clone(),
                stream: *stream,
                signal,
            };
            self.ctx.send(msg).await;
        }
    }

    /// The end: a clean close delivers what was written; what never got a
    /// connection fails.
    async fn close(mut self) {
        if let Some(task) = self.connecting.take() {
            task.abort();
        }
        if let Some(c) = self.conn.take() {
            c.close(&self.ctx).await;
        }
        let acks: Vec<Settled> = std::mem::take(&mut self.unacked)
            .into_iter()
            .map(|(_, ev)| Settled::of(ev))
            .collect();
        self.ctx.acked(acks).await;
        let text = format!(
            "peer `{}` is not connected: {}",
            self.ctx.spec.name, self.error
        );
        for ev in std::mem::take(&mut self.queue) {
            self.ctx.failed(None, text.clone(), &ev).await;
        }
    }
}

async fn sleep_until_some(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// The receiving side of one client connection: decodes and hands events to the
/// graph with the last sent event in their lineage; ends the stream at the end.
struct Receiving {
    ctx: Ctx,
    id: u64,
    meta: Value,
    last: Arc<Mutex<Vec<EventId>>>,
    dec: Decoder,
    items: crate::peer::stream::Decoded,
}

impl Receiving {
    fn new(ctx: Ctx, id: u64, meta: Value, last: Arc<Mutex<Vec<EventId>>>) -> Self {
        let dec = Decoder::new(&ctx.spec);
        Receiving {
            ctx,
            id,
            meta,
            last,
            dec,
            items: Vec::new(),
        }
    }

    async fn feed(&mut self, bytes: &[u8]) -> bool {
        self.dec.feed(bytes, &mut self.items);
        let extra = lock(&self.last).clone();
        let items = std::mem::take(&mut self.items);
        self.ctx.events(self.id, items, &self.meta, &extra).await
    }

    async fn end(mut self) {
        self.dec.finish(&mut self.items);
        let extra = lock(&self.last).clone();
        let items = std::mem::take(&mut self.items);
        self.ctx.events(self.id, items, &self.meta, &extra).await;
        self.ctx
            .send(ToGraph::End {
                peer: self.ctx.idx,
                stream: self.id,
            })
            .await;
    }
}
