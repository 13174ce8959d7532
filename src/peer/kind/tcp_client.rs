//! `tcp_client`: `shared` sends every event on one connection (reconnecting with
//! backoff when it drops); `per_stream` opens one connection per upstream stream
//! when that stream starts and closes it when it ends. Events received on a
//! connection carry the last event sent on it in their lineage, so responses can be
//! routed back to the upstream connection they answer.

use super::{addr_value, lock, Ctx, ToGraph, ToPeer};
use crate::event::{Event, EventId};
use crate::peer::metrics::Counter;
use crate::peer::spec::ClientStreams;
use crate::peer::stream::{Decoder, Encoder};
use crate::value::{Str, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Connection attempts before queued events are failed (backoff 50 ms, doubling).
const ATTEMPTS: u32 = 6;
/// How long a closing connection waits for the server's last responses.
const LINGER: Duration = Duration::from_secs(2);

/// Where and how to connect.
#[derive(Clone)]
pub struct Target {
    pub host: String,
    pub port: u16,
    pub reconnect: bool,
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

async fn connect(t: &Target) -> Result<TcpStream, String> {
    let attempts = if t.reconnect { ATTEMPTS } else { 1 };
    let mut backoff = Duration::from_millis(50);
    let mut last = String::new();
    for i in 0..attempts {
        match TcpStream::connect((t.host.as_str(), t.port)).await {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Err(e) => last = e.to_string(),
        }
        if i + 1 < attempts {
            tokio::time::sleep(backoff).await;
            backoff *= 2;
        }
    }
    Err(format!("cannot connect to {}:{}: {last}", t.host, t.port))
}

/// One open connection: its writing half here, its reading half in a task.
struct Conn {
    id: u64,
    w: OwnedWriteHalf,
    enc: Encoder,
    buf: Vec<u8>,
    reader: JoinHandle<()>,
    /// The id of the last event sent, for the lineage of what comes back.
    last: Arc<Mutex<Vec<EventId>>>,
}

impl Conn {
    async fn open(ctx: &Ctx, sock: TcpStream, id: u64, upstream: Vec<EventId>) -> Option<Conn> {
        let meta = match sock.peer_addr() {
            Ok(a) => crate::record! {"tcp" => crate::record!{"peer" => addr_value(&a)}},
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
        let (mut r, w) = sock.into_split();
        let last = Arc::new(Mutex::new(upstream));
        let (rctx, rlast) = (ctx.clone(), last.clone());
        let reader = tokio::spawn(async move {
            let mut dec = Decoder::new(&rctx.spec);
            let mut buf = vec![0u8; 64 * 1024];
            let mut items = Vec::new();
            loop {
                match r.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        dec.feed(&buf[..n], &mut items);
                        let extra = lock(&rlast).clone();
                        if !rctx
                            .events(id, std::mem::take(&mut items), &meta, &extra)
                            .await
                        {
                            return;
                        }
                    }
                }
            }
            dec.finish(&mut items);
            let extra = lock(&rlast).clone();
            rctx.events(id, items, &meta, &extra).await;
            rctx.send(ToGraph::End {
                peer: rctx.idx,
                stream: id,
            })
            .await;
        });
        Some(Conn {
            id,
            w,
            enc: Encoder::new(&ctx.spec),
            buf: Vec::new(),
            reader,
            last,
        })
    }

    async fn write(&mut self, ctx: &Ctx, ev: &Event) -> Result<(), String> {
        *lock(&self.last) = vec![ev.id.clone()];
        self.buf.clear();
        self.enc.encode(&ev.data, &mut self.buf)?;
        self.w
            .write_all(&self.buf)
            .await
            .map_err(|e| format!("cannot send on peer `{}`: {e}", ctx.spec.name))?;
        ctx.metrics.add(Counter::Send, Some(self.id), 1);
        Ok(())
    }

    /// Half-closes, then gives the server [`LINGER`] to answer and close.
    async fn close(mut self, ctx: &Ctx) {
        let _ = self.w.flush().await;
        let _ = self.w.shutdown().await;
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
    let mut next_id = 0u64;
    let mut conn: Option<Conn> = None;
    let mut gave_up = false;
    loop {
        if conn.is_none() && !gave_up {
            match connect(&t).await {
                Ok(sock) => {
                    conn = Conn::open(&ctx, sock, next_id, Vec::new()).await;
                    next_id += 1;
                    if conn.is_none() {
                        return;
                    }
                }
                Err(e) => {
                    while let Ok(msg) = rx.try_recv() {
                        if let ToPeer::Event(ev) = msg {
                            ctx.failed(None, e.clone(), &ev).await;
                        }
                    }
                    if !t.reconnect {
                        gave_up = true;
                        ctx.send(ToGraph::Done { peer: ctx.idx }).await;
                    }
                }
            }
        }
        let msg = match conn.as_mut() {
            Some(c) => tokio::select! {
                m = rx.recv() => m,
                _ = &mut c.reader => {
                    conn = None;
                    if !t.reconnect {
                        gave_up = true;
                        ctx.send(ToGraph::Done { peer: ctx.idx }).await;
                    }
                    continue;
                }
            },
            None if gave_up => rx.recv().await,
            None => tokio::select! {
                m = rx.recv() => m,
                _ = tokio::time::sleep(Duration::from_secs(1)) => continue,
            },
        };
        match msg {
            None => {
                if let Some(c) = conn.take() {
                    c.close(&ctx).await;
                }
                if !gave_up {
                    ctx.send(ToGraph::Done { peer: ctx.idx }).await;
                }
                return;
            }
            Some(ToPeer::Event(ev)) => match conn.as_mut() {
                Some(c) => {
                    if let Err(e) = c.write(&ctx, &ev).await {
                        ctx.failed(Some(c.id), e, &ev).await;
                        if let Some(c) = conn.take() {
                            c.reader.abort();
                            ctx.send(ToGraph::End {
                                peer: ctx.idx,
                                stream: c.id,
                            })
                            .await;
                        }
                    }
                }
                None => {
                    let text = format!("peer `{}` is not connected", ctx.spec.name);
                    ctx.failed(None, text, &ev).await;
                }
            },
            Some(ToPeer::Start(..) | ToPeer::End(..)) => {}
        }
    }
}

async fn per_stream(ctx: Ctx, t: Target, mut rx: mpsc::UnboundedReceiver<ToPeer>) {
    let mut conns: HashMap<(Str, u64), mpsc::UnboundedSender<Event>> = HashMap::new();
    let mut tasks = Vec::new();
    let mut next_id = 0u64;
    let mut open = |key: (Str, u64), conns: &mut HashMap<_, _>, tasks: &mut Vec<JoinHandle<()>>| {
        let (tx, crx) = mpsc::unbounded_channel();
        let upstream = vec![EventId {
            peer: key.0.clone(),
            stream: key.1,
            event: 0,
        }];
        tasks.retain(|h: &JoinHandle<()>| !h.is_finished());
        tasks.push(tokio::spawn(stream_conn(
            ctx.clone(),
            t.clone(),
            next_id,
            upstream,
            crx,
        )));
        next_id += 1;
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

async fn stream_conn(
    ctx: Ctx,
    t: Target,
    id: u64,
    upstream: Vec<EventId>,
    mut rx: mpsc::UnboundedReceiver<Event>,
) {
    let mut conn = match connect(&t).await {
        Ok(sock) => match Conn::open(&ctx, sock, id, upstream).await {
            Some(c) => c,
            None => return,
        },
        Err(e) => {
            while let Some(ev) = rx.recv().await {
                ctx.failed(None, e.clone(), &ev).await;
            }
            return;
        }
    };
    while let Some(ev) = rx.recv().await {
        if let Err(e) = conn.write(&ctx, &ev).await {
            ctx.failed(Some(id), e, &ev).await;
        }
    }
    conn.close(&ctx).await;
}
