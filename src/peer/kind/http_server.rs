//! `http_server`: one stream per connection, one event per request (its body through
//! the codec, `$http.request` = method, path, query, headers). Each request is
//! answered with the first event routed back to its stream (`$http.response.status`
//! and `.headers` set the status and headers; default 200), or 503 after `timeout`.

use super::{addr_value, Ctx, SharedStreams, ToGraph};
use super::{Kind, Registration, Sink, Start, Started};
use crate::event::Event;
use crate::peer::kind_docs::{KindDoc, HOST, MAX_CONNECTIONS, PORT};
use crate::peer::metrics::Counter;
use crate::peer::spec::{Limits, DEFAULT_HTTP_TIMEOUT_MS};
use crate::peer::stream::{Decoder, Encoder};
use crate::peer::PeerError;
use crate::value::{Record, Value};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;

/// `http_server` as the registry lists it.
pub const KIND: Registration = Registration {
    doc: &KindDoc {
        kind: "http_server",
        nature: "source and sink",
        summary: "Serves HTTP: each request is an event, answered by the event routed back to its connection.",
        keys: &[
            HOST,
            PORT,
            ("timeout", "ms to wait for an answer before replying with an error (default 10000)"),
            ("max_body_bytes", "largest request body; a longer one is answered 413 (default 16777216)"),
            ("header_timeout_ms", "ms a client has to send a request's headers (default 10000)"),
            MAX_CONNECTIONS,
        ],
    },
    configure: |c| {
        Arc::new(HttpServer {
            host: c.string("host", Some("127.0.0.1")),
            port: c.port(),
            timeout_ms: c.positive_or("timeout", DEFAULT_HTTP_TIMEOUT_MS),
        })
    },
};

/// A `http_server` peer.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpServer {
    pub host: String,
    pub port: u16,
    pub timeout_ms: u64,
}

impl Kind for HttpServer {
    fn reads_meta(&self) -> bool {
        true
    }
    fn doc(&self) -> &'static KindDoc {
        KIND.doc
    }
    /// A connection takes one response per request and drops the rest at the next
    /// request: halting its reader on a full queue could stall it.
    fn limits(&self) -> Limits {
        Limits {
            max_queued: usize::MAX,
            ..Limits::default()
        }
    }
    fn start(&self, s: Start) -> Result<Started, PeerError> {
        let streams = SharedStreams::default();
        s.block_on(start(
            s.ctx.clone(),
            &self.host,
            self.port,
            self.timeout_ms,
            streams.clone(),
        ))?;
        Ok(Started::sink(Sink::Server(streams)))
    }
}

/// Binds now (a port in use stops the run before it starts), then accepts forever.
async fn start(
    ctx: Ctx,
    host: &str,
    port: u16,
    timeout_ms: u64,
    streams: SharedStreams,
) -> Result<(), PeerError> {
    let listener = super::listen(&ctx, host, port).await?;
    tokio::spawn(accept(
        ctx,
        listener,
        Duration::from_millis(timeout_ms),
        streams,
    ));
    Ok(())
}

async fn accept(ctx: Ctx, listener: TcpListener, timeout: Duration, streams: SharedStreams) {
    let slots = super::Slots::new(&ctx);
    loop {
        // At `max_connections`, further clients wait in the kernel's accept queue.
        let slot = slots.take().await;
        let Ok((sock, addr)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let Some((id, rx)) = super::open_stream(&ctx, &streams).await else {
            return;
        };
        let peer = addr_value(&addr);
        let ctx = ctx.clone();
        tokio::spawn(async move {
            connection(ctx, sock, peer, id, timeout, rx).await;
            drop(slot);
        });
    }
}

async fn connection(
    ctx: Ctx,
    sock: TcpStream,
    peer: Value,
    id: u64,
    timeout: Duration,
    rx: super::Inbox,
) {
    let rx = Arc::new(Mutex::new(rx));
    let inbox = rx.clone();
    let sctx = ctx.clone();
    let svc = hyper::service::service_fn(move |req| {
        let (ctx, rx, peer) = (sctx.clone(), rx.clone(), peer.clone());
        async move { Ok::<_, Infallible>(handle(&ctx, id, &peer, timeout, &rx, req).await) }
    });
    let header_timeout = Duration::from_millis(ctx.spec.limits.header_timeout_ms);
    let _ = hyper::server::conn::http1::Builder::new()
        // A client that sends its headers a byte at a time is cut off.
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(header_timeout)
        // A client that half-closes after its last request still gets the answer.
        .half_close(true)
        .serve_connection(TokioIo::new(sock), svc)
        .await;
    let mut rx = inbox.lock().await;
    rx.close();
    fail_unanswered(&ctx, id, &mut rx).await;
    drop(rx);
    ctx.send(ToGraph::End {
        peer: ctx.idx,
        stream: id,
    })
    .await;
}

/// Responses that came while no request of the connection waited for one: failed
/// and counted, never dropped unseen (SPEC §5).
async fn fail_unanswered(ctx: &Ctx, id: u64, rx: &mut super::Inbox) {
    while let Ok(stale) = rx.try_recv() {
        let text = "no request is waiting for this response".to_string();
        ctx.failed(Some(id), text, &stale).await;
    }
}

fn text_response(status: StatusCode, text: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(text)));
    *r.status_mut() = status;
    r
}

fn headers_value(headers: &hyper::HeaderMap) -> Value {
    let mut r = Record::default();
    for (name, value) in headers {
        let v = Value::from(String::from_utf8_lossy(value.as_bytes()).into_owned());
        match r.get_mut(name.as_str()) {
            Some(Value::Array(a)) => a.push(v),
            Some(prev) => *prev = Value::Array(vec![std::mem::take(prev), v]),
            None => {
                r.insert(name.as_str().into(), v);
            }
        }
    }
    Value::from(r)
}

async fn handle(
    ctx: &Ctx,
    id: u64,
    peer: &Value,
    timeout: Duration,
    rx: &Mutex<super::Inbox>,
    req: Request<Incoming>,
) -> Response<Full<Bytes>> {
    // Halted: the request waits (its `timeout` runs once it is taken in).
    ctx.gate.wait(id).await;
    let (parts, body) = req.into_parts();
    let max = ctx.spec.limits.max_body_bytes;
    let bytes = match http_body_util::Limited::new(body, max).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            // Reported without the body: nothing of it is kept.
            let text = format!(
                "request body over max_body_bytes ({max}) on peer `{}`",
                ctx.spec.name
            );
            let bad = vec![Err((text.clone(), crate::peer::raw::Raw::default()))];
            ctx.events(id, bad, &Value::record(), &[]).await;
            return text_response(StatusCode::PAYLOAD_TOO_LARGE, text);
        }
        Err(e) => return text_response(StatusCode::BAD_REQUEST, e.to_string()),
    };
    let request = crate::record! {
        "method" => parts.method.as_str(),
        "path" => parts.uri.path(),
        "query" => parts.uri.query().unwrap_or(""),
        "headers" => headers_value(&parts.headers),
    };
    let meta =
        crate::record! {"http" => crate::record!{"request" => request, "peer" => peer.clone()}};
    let mut items = Vec::new();
    if !bytes.is_empty() {
        let mut dec = Decoder::new(&ctx.spec);
        dec.feed(&bytes, &mut items);
        dec.finish(&mut items);
    }
    if items.is_empty() {
        items.push(Ok(Value::Null));
    }
    let bad = items
        .iter()
        .find_map(|i| i.as_ref().err().map(|(e, _)| e.clone()));
    let mut rx = rx.lock().await;
    // Answers to an earlier request that came after its 503 answer nothing now.
    fail_unanswered(ctx, id, &mut rx).await;
    if !ctx.events(id, items, &meta, &[]).await {
        return text_response(StatusCode::SERVICE_UNAVAILABLE, "shutting down".into());
    }
    if let Some(e) = bad {
        return text_response(StatusCode::BAD_REQUEST, e);
    }
    match tokio::time::timeout(timeout, rx.recv()).await {
        Ok(Some(ev)) => {
            let resp = response(ctx, &ev);
            if resp.is_ok() {
                ctx.metrics.add(Counter::Send, Some(id), 1);
                ctx.acked(vec![super::Settled::of_ref(&ev)]).await;
            }
            match resp {
                Ok(r) => r,
                Err(e) => {
                    let text = e.to_string();
                    ctx.failed(Some(id), text.clone(), &ev).await;
                    text_response(StatusCode::INTERNAL_SERVER_ERROR, text)
                }
            }
        }
        _ => text_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "no response within the timeout".into(),
        ),
    }
}

/// The default `content-type` of a codec's output.
pub fn content_type(codec: &str) -> &'static str {
    match codec {
        "string" => "text/plain; charset=utf-8",
        "binary" => "application/octet-stream",
        _ => "application/json",
    }
}

/// Why an event cannot be an HTTP response.
#[derive(Debug, thiserror::Error)]
enum ResponseError {
    #[error("`$http.response.status` is not an HTTP status: {0}")]
    Status(Value),
    #[error(transparent)]
    Encode(#[from] crate::peer::EncodeError),
    #[error("bad response headers: {0}")]
    Headers(#[from] hyper::http::Error),
}

fn response(ctx: &Ctx, ev: &Event) -> Result<Response<Full<Bytes>>, ResponseError> {
    let spec = ev
        .meta
        .get("http")
        .and_then(|h| h.get("response"))
        .cloned()
        .unwrap_or_default();
    let status = match spec.get("status") {
        None => StatusCode::OK,
        Some(v) => v
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .and_then(|s| StatusCode::from_u16(s).ok())
            .ok_or_else(|| ResponseError::Status(v.clone()))?,
    };
    let mut body = Vec::new();
    Encoder::new(&ctx.spec).encode(&ev.data, &mut body)?;
    let mut b = Response::builder().status(status);
    let mut has_type = false;
    if let Some(Value::Record(headers)) = spec.get("headers") {
        for (name, v) in headers.iter() {
            has_type |= name.eq_ignore_ascii_case("content-type");
            let values = match v {
                Value::Array(a) => a.clone(),
                other => vec![other.clone()],
            };
            for v in values {
                let text = v.as_str().map_or_else(|| v.encode(), str::to_string);
                b = b.header(name.as_str(), text);
            }
        }
    }
    if !has_type {
        b = b.header("content-type", content_type(&ctx.spec.codec));
    }
    Ok(b.body(Full::new(Bytes::from(body)))?)
}
