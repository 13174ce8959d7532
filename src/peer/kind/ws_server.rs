//! `ws_server`: one stream per WebSocket connection; each text or binary message is
//! a frame (no interceptors by default). Events routed back to a stream are sent on
//! its connection as text when they are UTF-8, else as binary.

use super::{addr_value, Ctx, SharedStreams, ToGraph};
use crate::event::Event;
use crate::peer::metrics::Counter;
use crate::peer::stream::{Decoder, Encoder};
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// A message holding `bytes`: text when they are UTF-8.
pub fn message(bytes: &[u8]) -> Message {
    match std::str::from_utf8(bytes) {
        Ok(s) => Message::Text(s.to_string()),
        Err(_) => Message::Binary(bytes.to_vec()),
    }
}

/// Binds now (a port in use stops the run before it starts), then accepts forever.
pub async fn start(ctx: Ctx, host: &str, port: u16, streams: SharedStreams) -> Result<(), String> {
    let listener = TcpListener::bind((host, port)).await.map_err(|e| {
        format!(
            "peer `{}` cannot listen on {host}:{port}: {e}",
            ctx.spec.name
        )
    })?;
    tokio::spawn(accept(ctx, listener, streams));
    Ok(())
}

async fn accept(ctx: Ctx, listener: TcpListener, streams: SharedStreams) {
    loop {
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
    ctx.track(tokio::spawn(write_messages(wctx, id, rx, w)));
    let mut dec = Decoder::new(&ctx.spec);
    let mut items = Vec::new();
    loop {
        // Halted (or a per-stream client not yet connected): messages wait.
        ctx.gate.wait(id).await;
        let Some(Ok(msg)) = r.next().await else {
            break;
        };
        let bytes = match msg {
            Message::Text(t) => t.into_bytes(),
            Message::Binary(b) => b,
            Message::Close(_) => break,
            _ => continue,
        };
        dec.feed(&bytes, &mut items);
        if !ctx.events(id, std::mem::take(&mut items), &meta, &[]).await {
            return;
        }
    }
    dec.finish(&mut items);
    ctx.events(id, items, &meta, &[]).await;
    ctx.send(ToGraph::End {
        peer: ctx.idx,
        stream: id,
    })
    .await;
}

async fn write_messages<S>(ctx: Ctx, id: u64, mut rx: mpsc::UnboundedReceiver<Event>, mut w: S)
where
    S: futures_util::Sink<Message> + Unpin,
    S::Error: std::fmt::Display,
{
    let mut enc = Encoder::new(&ctx.spec);
    let mut buf = Vec::new();
    let mut broken: Option<String> = None;
    while let Some(ev) = rx.recv().await {
        if let Some(e) = &broken {
            ctx.failed(Some(id), e.clone(), &ev).await;
            continue;
        }
        buf.clear();
        if let Err(e) = enc.encode(&ev.data, &mut buf) {
            ctx.failed(Some(id), e, &ev).await;
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
    let _ = w.close().await;
}
