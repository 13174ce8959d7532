//! `tcp_server`: one stream per accepted connection. Received bytes become events
//! with `$tcp = {"peer": {"host", "port"}}`; events routed to a stream (by the
//! executor, see `runtime::route`) are written back on that connection.

use super::{addr_value, Ctx, SharedStreams, ToGraph};
use super::{Kind, Registration, Sink, Start, Started};
use crate::peer::kind_docs::{KindDoc, HOST, MAX_CONNECTIONS, MAX_QUEUED, PORT};
use crate::peer::PeerError;
use std::sync::Arc;
use tokio::io::AsyncReadExt;
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::{TcpListener, TcpStream};

/// `tcp_server` as the registry lists it.
pub const KIND: Registration = Registration {
    doc: &KindDoc {
        kind: "tcp_server",
        nature: "source and sink",
        summary: "Accepts TCP connections: one stream per connection; events are routed back to the connection they came from.",
        keys: &[HOST, PORT, MAX_QUEUED, MAX_CONNECTIONS],
    },
    configure: |c| {
        Arc::new(TcpServer {
            host: c.string("host", Some("127.0.0.1")),
            port: c.port(),
        })
    },
};

/// A `tcp_server` peer.
#[derive(Debug, Clone, PartialEq)]
pub struct TcpServer {
    pub host: String,
    pub port: u16,
}

impl Kind for TcpServer {
    fn reads_lines(&self) -> bool {
        true
    }
    fn doc(&self) -> &'static KindDoc {
        KIND.doc
    }
    fn default_interceptors(&self) -> &'static [&'static str] {
        &["lines"]
    }
    fn start(&self, s: Start) -> Result<Started, PeerError> {
        let streams = SharedStreams::default();
        s.block_on(start(s.ctx.clone(), &self.host, self.port, streams.clone()))?;
        Ok(Started::sink(Sink::Server(streams)))
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
        let (sock, addr) = match listener.accept().await {
            Ok(s) => s,
            // Running out of file descriptors and the like: wait a little, go on.
            Err(_) => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let Some((id, rx)) = super::open_stream(&ctx, &streams).await else {
            return;
        };
        let meta = crate::record! {"tcp" => crate::record!{"peer" => addr_value(&addr)}};
        let ctx = ctx.clone();
        tokio::spawn(async move {
            connection(ctx, sock, id, meta, rx).await;
            drop(slot);
        });
    }
}

async fn connection(
    ctx: Ctx,
    sock: TcpStream,
    id: u64,
    meta: crate::value::Value,
    rx: super::Inbox,
) {
    let _ = sock.set_nodelay(true);
    let (mut r, w) = sock.into_split();
    let wctx = ctx.clone();
    ctx.track(tokio::spawn(async move {
        super::write_events(&wctx, Some(id), rx, w).await;
    }));
    let mut dec = ctx.decoder();
    loop {
        // Halted (or a per-stream client not yet connected): the bytes wait in the
        // socket's buffer.
        ctx.gate.wait(id).await;
        let open = match r.read(dec.space()).await {
            Ok(0) | Err(_) => false,
            Ok(n) => read_ready(&r, &mut dec, n),
        };
        dec.cut();
        if !ctx.decoded(id, &mut dec, &meta, &[]).await {
            return;
        }
        if !open {
            break;
        }
    }
    dec.end();
    ctx.decoded(id, &mut dec, &meta, &[]).await;
    // The executor closes the writer once this end has passed through the graph.
    ctx.send(ToGraph::End {
        peer: ctx.idx,
        stream: id,
    })
    .await;
}

/// After a read of `n` bytes: goes on reading what the socket already holds,
/// without waiting, until the chunk being filled is full (one hand-over to the
/// graph for many reads, when the client sends faster than the graph takes).
/// False once the connection has ended.
fn read_ready(r: &OwnedReadHalf, dec: &mut crate::peer::stream::Decoder, mut n: usize) -> bool {
    while !dec.filled(n) {
        n = match r.try_read(dec.space()) {
            Ok(0) => return false,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => 0,
            Err(_) => return false,
        };
    }
    true
}
