//! `tcp_client` and `ws_client`: `shared` sends every event on one connection (reconnecting with
//! backoff when it drops); `per_stream` opens one connection per upstream stream
//! when that stream starts and closes it when it ends. Events received on a
//! connection carry the last event sent on it in their lineage, so responses can be
//! routed back to the upstream connection they answer. Each connection is a
//! `link::Link`, which reconnects, acks and fails; this module holds the transport
//! (connect, one open connection, its receiving side).

use super::link::Link;
use super::{addr_value, lock, Config, Ctx, ToGraph, ToPeer};
use super::{Kind, Readiness, Registration, Sink, Start, Started};
use crate::event::{Event, EventId};
use crate::peer::kind_docs::{KindDoc, HOST, PORT, RECONNECT, STREAMS};
use crate::peer::metrics::Counter;
use crate::peer::reconnect::Reconnect;
use crate::peer::stream::{Decoder, Encoder};
use crate::peer::PeerError;
use crate::peer::{ConnectError, EncodeError, SendError, TransportError};
use crate::value::{Str, Value};
use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// How long a closing connection waits for the server's last responses.
const LINGER: Duration = Duration::from_secs(2);

/// `tcp_client` as the registry lists it.
pub const TCP_CLIENT: Registration = Registration {
    doc: &KindDoc {
        kind: "tcp_client",
        nature: "source and sink",
        summary: "Connects to a TCP server; what it receives back comes out as events.",
        keys: &[HOST, PORT, STREAMS, RECONNECT],
    },
    configure: |c| {
        Arc::new(TcpClient {
            host: c.string("host", Some("127.0.0.1")),
            port: c.port(),
            streams: streams(c),
            reconnect: reconnect(c),
        })
    },
};

/// `ws_client` as the registry lists it.
pub const WS_CLIENT: Registration = Registration {
    doc: &KindDoc {
        kind: "ws_client",
        nature: "source and sink",
        summary: "Connects to a WebSocket server.",
        keys: &[
            HOST,
            PORT,
            ("path", "request path (string, default `/`)"),
            STREAMS,
            RECONNECT,
        ],
    },
    configure: |c| {
        Arc::new(WsClient {
            host: c.string("host", Some("127.0.0.1")),
            port: c.port(),
            path: c.string("path", Some("/")),
            streams: streams(c),
            reconnect: reconnect(c),
        })
    },
};

/// How a client peer maps upstream streams to connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientStreams {
    /// One connection for every event.
    Shared,
    /// One connection per upstream stream, opened on its `start_stream`.
    PerStream,
}

/// A `tcp_client` peer.
#[derive(Debug, Clone, PartialEq)]
pub struct TcpClient {
    pub host: String,
    pub port: u16,
    pub streams: ClientStreams,
    pub reconnect: Reconnect,
}

/// A `ws_client` peer.
#[derive(Debug, Clone, PartialEq)]
pub struct WsClient {
    pub host: String,
    pub port: u16,
    pub path: String,
    pub streams: ClientStreams,
    pub reconnect: Reconnect,
}

fn streams(c: &mut Config) -> ClientStreams {
    match c
        .one_of("streams", &["shared", "per_stream"], "shared")
        .as_str()
    {
        "per_stream" => ClientStreams::PerStream,
        _ => ClientStreams::Shared,
    }
}

fn reconnect(c: &mut Config) -> Reconnect {
    match c.get("reconnect") {
        None => Reconnect::default(),
        Some(v) => match Reconnect::from_value(v) {
            Ok(r) => r,
            Err(e) => {
                c.invalid("reconnect", e.to_string());
                Reconnect::default()
            }
        },
    }
}

impl Kind for TcpClient {
    fn reads_lines(&self) -> bool {
        true
    }
    fn doc(&self) -> &'static KindDoc {
        TCP_CLIENT.doc
    }
    fn readiness(&self) -> Readiness {
        readiness(self.streams)
    }
    fn answers(&self) -> bool {
        true
    }
    fn default_interceptors(&self) -> &'static [&'static str] {
        &["lines"]
    }
    fn start(&self, s: Start) -> Result<Started, PeerError> {
        let target = Target {
            host: self.host.clone(),
            port: self.port,
            reconnect: self.reconnect,
            ws_path: None,
        };
        let tx = start(&s.ctx, target, self.streams);
        Ok(Started::sink(Sink::Control(tx)))
    }
}

impl Kind for WsClient {
    fn reads_lines(&self) -> bool {
        true
    }
    fn doc(&self) -> &'static KindDoc {
        WS_CLIENT.doc
    }
    fn readiness(&self) -> Readiness {
        readiness(self.streams)
    }
    fn answers(&self) -> bool {
        true
    }
    fn start(&self, s: Start) -> Result<Started, PeerError> {
        let target = Target {
            host: self.host.clone(),
            port: self.port,
            reconnect: self.reconnect,
            ws_path: Some(self.path.clone()),
        };
        let tx = start(&s.ctx, target, self.streams);
        Ok(Started::sink(Sink::Control(tx)))
    }
}

fn readiness(streams: ClientStreams) -> Readiness {
    match streams {
        ClientStreams::Shared => Readiness::Peer,
        ClientStreams::PerStream => Readiness::PerStream,
    }
}

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
pub(super) enum Socket {
    Tcp(TcpStream),
    Ws(Box<WebSocketStream<TcpStream>>),
}

/// The writing half of a connection.
enum Wire {
    Tcp(OwnedWriteHalf),
    Ws(futures_util::stream::SplitSink<WebSocketStream<TcpStream>, Message>),
}

impl Wire {
    async fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        match self {
            Wire::Tcp(w) => Ok(w.write_all(bytes).await?),
            Wire::Ws(w) => Ok(w.send(super::ws_server::message(bytes)).await?),
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
fn start(ctx: &Ctx, target: Target, streams: ClientStreams) -> mpsc::UnboundedSender<ToPeer> {
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
pub(super) async fn connect(t: &Target) -> Result<Socket, ConnectError> {
    let sock = TcpStream::connect((t.host.as_str(), t.port))
        .await
        .map_err(|source| ConnectError::Tcp {
            host: t.host.clone(),
            port: t.port,
            source,
        })?;
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
                .map_err(|e| ConnectError::Ws {
                    url,
                    source: Box::new(e),
                })
        }
    }
}

/// Why a write failed: the event (it would fail again) or the connection.
pub(super) enum Failure {
    Encode(EncodeError),
    Send(SendError),
}

/// How long after a server's FIN a reset would still show that it closed with
/// data unread (on loopback it comes within microseconds).
const RESET_GRACE: Duration = Duration::from_millis(50);

/// One open connection: its writing half here, its reading half in a task.
pub(super) struct Conn {
    pub(super) id: u64,
    w: Wire,
    enc: Encoder,
    buf: Vec<u8>,
    /// Reads until the server closes: `true` when it closed cleanly (a TCP FIN, a
    /// WebSocket close), having read what it was sent; `false` on a reset or error.
    pub(super) reader: JoinHandle<bool>,
    /// The id of the last event sent, for the lineage of what comes back.
    last: Arc<Mutex<Vec<EventId>>>,
    /// Messages sent and received, so a WebSocket (which cannot half-close) waits
    /// for as many answers as it sent requests before it closes.
    sent: u64,
    received: Arc<std::sync::atomic::AtomicU64>,
}

impl Conn {
    pub(super) async fn open(
        ctx: &Ctx,
        sock: Socket,
        id: u64,
        upstream: Vec<EventId>,
    ) -> Option<Conn> {
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
                    let eof = loop {
                        match r.read(&mut buf).await {
                            Ok(0) => break true,
                            Err(_) => break false,
                            Ok(n) => {
                                if !recv.feed(&buf[..n]).await {
                                    return false;
                                }
                            }
                        }
                    };
                    recv.end().await;
                    // A server that stops reading with data unread resets the
                    // connection as it closes, right after its FIN.
                    if eof {
                        tokio::time::sleep(RESET_GRACE).await;
                    }
                    eof && matches!(r.as_ref().take_error(), Ok(None))
                });
                (Wire::Tcp(w), reader)
            }
            Socket::Ws(s) => {
                let (w, mut r) = (*s).split();
                let reader = tokio::spawn(async move {
                    let mut recv = Receiving::new(rctx, id, meta, rlast);
                    let mut clean = false;
                    while let Some(Ok(msg)) = r.next().await {
                        let bytes = match msg {
                            Message::Text(t) => t.into_bytes(),
                            Message::Binary(b) => b,
                            Message::Close(_) => {
                                clean = true;
                                break;
                            }
                            _ => continue,
                        };
                        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if !recv.feed(&bytes).await {
                            return false;
                        }
                    }
                    recv.end().await;
                    clean
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

    pub(super) async fn write(&mut self, ctx: &Ctx, ev: &Event) -> Result<(), Failure> {
        ctx.metrics.add_to_stream(Counter::In, self.id, 1);
        *lock(&self.last) = vec![ev.id.clone()];
        self.buf.clear();
        self.enc
            .encode(&ev.data, &mut self.buf)
            .map_err(Failure::Encode)?;
        self.w.send(&self.buf).await.map_err(|source| {
            Failure::Send(SendError {
                peer: ctx.spec.name.clone(),
                source,
            })
        })?;
        ctx.metrics.add(Counter::Send, Some(self.id), 1);
        self.sent += 1;
        Ok(())
    }

    /// Half-closes, then gives the server [`LINGER`] to answer and close.
    pub(super) async fn close(mut self, ctx: &Ctx) {
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

/// The receiving side of one client connection: decodes and hands events to the
/// graph with the last sent event in their lineage; ends the stream at the end.
struct Receiving {
    ctx: Ctx,
    id: u64,
    meta: Value,
    last: Arc<Mutex<Vec<EventId>>>,
    dec: Decoder,
}

impl Receiving {
    fn new(ctx: Ctx, id: u64, meta: Value, last: Arc<Mutex<Vec<EventId>>>) -> Self {
        let dec = ctx.decoder();
        Receiving {
            ctx,
            id,
            meta,
            last,
            dec,
        }
    }

    async fn feed(&mut self, bytes: &[u8]) -> bool {
        self.dec.push(bytes);
        let extra = lock(&self.last).clone();
        let (ctx, dec) = (&self.ctx, &mut self.dec);
        ctx.decoded(self.id, dec, &self.meta, &extra).await
    }

    async fn end(mut self) {
        self.dec.end();
        let extra = lock(&self.last).clone();
        let (ctx, dec) = (&self.ctx, &mut self.dec);
        ctx.decoded(self.id, dec, &self.meta, &extra).await;
        self.ctx
            .send(ToGraph::End {
                peer: self.ctx.idx,
                stream: self.id,
            })
            .await;
    }
}
