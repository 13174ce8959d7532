//! `ws_server`: one stream per WebSocket connection; each text or binary message is
//! a frame (no interceptors by default). Events routed back to a stream are sent on
//! its connection as text when they are UTF-8, else as binary.

use super::{addr_value, Ctx, SharedStreams, ToGraph};
use super::{Kind, Registration, Sink, Start, Started};
use crate::peer::kind_docs::{KindDoc, HOST, MAX_CONNECTIONS, MAX_QUEUED, PORT};
use crate::peer::metrics::Counter;
use crate::peer::stream::Encoder;
use crate::peer::PeerError;
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// `ws_server` as the registry lists it.
pub const KIND: Registration = Registration {
    doc: &KindDoc {
        kind: "ws_server",
        nature: "source and sink",
        summary: "Accepts WebSocket connections: one stream per connection.",
        keys: &[HOST, PORT, MAX_QUEUED, MAX_CONNECTIONS],
    },
    configure: |c| {
        Arc::new(WsServer {
            host: c.string("host", Some("127.0.0.1")),
            port: c.port(),
        })
    },
};

/// A `ws_server` peer.
#[derive(Debug, Clone, PartialEq)]
pub struct WsServer {
    pub host: String,
    pub port: u16,
}

impl Kind for WsServer {
    fn reads_lines(&self) -> bool {
        true
    }
    fn doc(&self) -> &'static KindDoc {
        KIND.doc
    }
    fn start(&self, s: Start) -> Result<Started, PeerError> {
        let streams = SharedStreams::default();
        s.block_on(start(s.ctx.clone(), &self.host, self.port, streams.clone()))?;
        Ok(Started::sink(Sink::Server(streams)))
    }
}

/// A message holding `bytes`: text when they are UTF-8.
pub fn message(bytes: &[u8]) -> Message {
    match std::str::from_utf8(bytes) {
        Ok(s) => Message::Text(s.to_string()),
        Err(_) => Message::Binary(bytes.to_vec()),
    }
}

/// Binds now (a port in use stops the run before it starts), then accepts forever.
async fn start(ctx: Ctx, host: &str, port: u16, streams: SharedStreams) -> Result<(), PeerError> {
    let listener = super::listen(&ctx, host, port).await?;
    tokio::spawn(accept(ctx, listener, streams));
    Ok(())
}

async fn accept(ctx: Ctx, listener: TcpListener, streams: SharedStreams) {
    let slots = super::Slots::new(&ctx);
    loop {
        // At `max_connections`, further clients wait in the kernel's accept queue.
        let slot = slots.take().await;
        let Ok((sock, addr)) = listener.accept().await else {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        };
        let ctx = ctx.clone();
        let streams = streams.clone();
        // The handshake runs in the connection's task so a slow client holds up no one.
        tokio::spawn(async move {
            let meta = crate::record! {"ws" => crate::record!{"peer" => addr_value(&addr)}};
            connection(ctx, sock, meta, streams).await;
            drop(slot);
        });
    }
}

async fn connection(ctx: Ctx, sock: TcpStream, meta: crate::value::Value, streams: SharedStreams) {
    let _ = sock.set_nodelay(true);
    let Ok(ws) = tokio_tungstenite::accept_async(sock).await else {
        ctx.metrics.add(Counter::Err, None, 1);
        return;
    };
    let Some((id, rx)) = super::open_stream(&ctx, &streams).await else {
        return;
    };
    let (w, mut r) = ws.split();
    let wctx = ctx.clone();
    let (close_tx, close_rx) = tokio::sync::oneshot::channel();
    ctx.track(tokio::spawn(write_messages(wctx, id, rx, w, close_rx)));
    let mut dec = ctx.decoder();
    loop {
        // Halted (or a per-stream client not yet connected): messages wait.
        ctx.gate.wait(id).await;
        let msg = match r.next().await {
            Some(Ok(msg)) => msg,
            Some(Err(e)) => {
                // A message the protocol refuses: reported, and the client is told
                // why in the close frame instead of seeing the connection drop.
                if let Some((code, reason)) = refused(&e) {
                    let text = format!("peer `{}`: {reason}: {e}", ctx.spec.name);
                    let _ = close_tx.send(CloseFrame {
                        code,
                        reason: reason.into(),
                    });
                    let bad = vec![Err((text, crate::peer::raw::Raw::default()))];
                    ctx.events(id, bad, &meta, &[]).await;
                }
                break;
            }
            None => break,
        };
        let bytes = match msg {
            Message::Text(t) => t.into_bytes(),
            Message::Binary(b) => b,
            Message::Close(_) => break,
            _ => continue,
        };
        dec.push(&bytes);
        if !ctx.decoded(id, &mut dec, &meta, &[]).await {
            return;
        }
    }
    dec.end();
    ctx.decoded(id, &mut dec, &meta, &[]).await;
    ctx.send(ToGraph::End {
        peer: ctx.idx,
        stream: id,
    })
    .await;
}

/// The close code and reason for a message the protocol refused (RFC 6455 §7.4.1):
/// 1009 too big, 1007 text that is not UTF-8; `None` for a plain transport error.
fn refused(e: &WsError) -> Option<(CloseCode, &'static str)> {
    match e {
        WsError::Capacity(_) => Some((CloseCode::Size, "message too big")),
        WsError::Utf8 => Some((CloseCode::Invalid, "text message is not UTF-8")),
        _ => None,
    }
}

async fn write_messages<S>(
    ctx: Ctx,
    id: u64,
    mut rx: super::Inbox,
    mut w: S,
    close: tokio::sync::oneshot::Receiver<CloseFrame<'static>>,
) where
    S: futures_util::Sink<Message> + Unpin,
    S::Error: std::fmt::Display,
{
    let mut enc = Encoder::new(&ctx.spec);
    let mut buf = Vec::new();
    let mut broken: Option<String> = None;
    let (mut lost, mut lost_count) = (Vec::new(), 0u64);
    // Polled until it resolves once (a oneshot must not be polled after that).
    let mut close = Some(close);
    loop {
        let ev = match close.as_mut() {
            Some(c) => tokio::select! {
                // The close frame first: the stream's end may close `rx` right after.
                biased;
                frame = c => {
                    close = None;
                    if let Ok(frame) = frame {
                        let _ = w.send(Message::Close(Some(frame))).await;
                        let _ = w.close().await;
                        // What is still routed here fails: the connection is closed.
                        broken = Some(format!("connection of peer `{}` is closed", ctx.spec.name));
                    }
                    continue;
                }
                ev = rx.recv() => ev,
            },
            None => rx.recv().await,
        };
        let Some(ev) = ev else { break };
        ctx.check_drained(Some(id), &rx).await;
        if let Some(e) = &broken {
            // One record for the first, one with the count at the end.
            lost.push(super::Settled::of(ev));
            lost_count += 1;
            if rx.is_empty() || lost.len() >= 256 {
                ctx.failed_quietly(Some(id), e, std::mem::take(&mut lost))
                    .await;
            }
            continue;
        }
        buf.clear();
        if let Err(e) = enc.encode(&ev.data, &mut buf) {
            ctx.failed(Some(id), e.to_string(), &ev).await;
            continue;
        }
        if let Err(e) = w.send(message(&buf)).await {
            let text = format!("cannot send on peer `{}`: {e}", ctx.spec.name);
            ctx.failed(Some(id), text.clone(), &ev).await;
            broken = Some(text);
            continue;
        }
        ctx.metrics.add(Counter::Send, Some(id), 1);
        ctx.acked(vec![super::Settled::of(ev)]).await;
    }
    if let Some(e) = broken {
        ctx.failed_quietly(Some(id), &e, lost).await;
        ctx.lost(Some(id), e, lost_count).await;
    }
    let _ = w.close().await;
}
