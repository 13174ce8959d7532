//! `http_client`: each event it is sent becomes a request to the configured `url`
//! (body through the codec), one at a time so answers keep their order; each
//! response comes back as an event on stream 0 with `$http.response` = status and
//! headers, and the request's id in its lineage. Failures and timeouts go to `err`.

use super::{Ctx, ToGraph, ToPeer};
use crate::peer::metrics::Counter;
use crate::peer::stream::{Decoder, Encoder};
use crate::value::Value;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::time::Duration;
use tokio::sync::mpsc;

/// Where and how to send.
#[derive(Clone)]
pub struct Target {
    pub url: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub timeout_ms: u64,
}

/// Starts the client's task; returns the channel the executor sends to.
pub fn start(ctx: &Ctx, t: Target) -> mpsc::UnboundedSender<ToPeer> {
    let (tx, rx) = mpsc::unbounded_channel();
    let task_ctx = ctx.clone();
    ctx.track(tokio::spawn(run(task_ctx, t, rx)));
    tx
}

async fn run(ctx: Ctx, t: Target, mut rx: mpsc::UnboundedReceiver<ToPeer>) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut enc = Encoder::new(&ctx.spec);
    let mut started = false;
    let timeout = Duration::from_millis(t.timeout_ms);
    while let Some(msg) = rx.recv().await {
        let ToPeer::Event(ev) = msg else {
            continue;
        };
        if !started {
            started = true;
            if !ctx
                .send(ToGraph::Start {
                    peer: ctx.idx,
                    stream: 0,
                })
                .await
            {
                return;
            }
        }
        let mut body = Vec::new();
        if let Err(e) = enc.encode(&ev.data, &mut body) {
            ctx.failed(Some(0), e, &ev).await;
            continue;
        }
        let mut req = hyper::Request::builder()
            .method(t.method.as_str())
            .uri(t.url.as_str())
            .header(
                "content-type",
                super::http_server::content_type(&ctx.spec.codec),
            );
        for (k, v) in &t.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let req = match req.body(Full::new(Bytes::from(body))) {
            Ok(r) => r,
            Err(e) => {
                ctx.failed(Some(0), format!("bad request: {e}"), &ev).await;
                continue;
            }
        };
        let answer = tokio::time::timeout(timeout, async {
            let resp = client.request(req).await.map_err(|e| e.to_string())?;
            let (parts, body) = resp.into_parts();
            let bytes = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
            Ok::<_, String>((parts, bytes))
        })
        .await;
        let (parts, bytes) = match answer {
            Ok(Ok(a)) => a,
            Ok(Err(e)) => {
                let text = format!("request to {} failed: {e}", t.url);
                ctx.failed(Some(0), text, &ev).await;
                continue;
            }
            Err(_) => {
                let text = format!("request to {} timed out after {} ms", t.url, t.timeout_ms);
                ctx.failed(Some(0), text, &ev).await;
                continue;
            }
        };
        ctx.metrics.add(Counter::Send, Some(0), 1);
        ctx.acked(vec![super::Settled::of_ref(&ev)]).await;
        let mut headers = crate::value::Record::default();
        for (name, value) in &parts.headers {
            let v = String::from_utf8_lossy(value.as_bytes()).into_owned();
            headers.insert(name.as_str().into(), Value::from(v));
        }
        let meta = crate::record! {"http" => crate::record!{"response" => crate::record!{
            "status" => u64::from(parts.status.as_u16()),
            "headers" => Value::from(headers),
        }}};
        let mut items = Vec::new();
        if !bytes.is_empty() {
            let mut dec = Decoder::new(&ctx.spec);
            dec.feed(&bytes, &mut items);
            dec.finish(&mut items);
        }
        if items.is_empty() {
            items.push(Ok(Value::Null));
        }
        let status = parts.status.as_u16();
        for item in &mut items {
            if let Err((e, _)) = item {
                *e = format!("HTTP {status} response from {}: {e}", t.url);
            }
        }
        if !ctx
            .events(0, items, &meta, std::slice::from_ref(&ev.id))
            .await
        {
            return;
        }
    }
    if started {
        ctx.send(ToGraph::End {
            peer: ctx.idx,
            stream: 0,
        })
        .await;
    }
    ctx.send(ToGraph::Done { peer: ctx.idx }).await;
}
