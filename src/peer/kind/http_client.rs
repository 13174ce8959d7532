//! `http_client`: each event it is sent becomes a request to the configured `url`
//! (body through the codec), one at a time so answers keep their order; each
//! response comes back as an event on stream 0 with `$http.response` = status and
//! headers, and the request's id in its lineage. Failures and timeouts go to `err`.

use super::{Config, Ctx, ToGraph, ToPeer};
use super::{Kind, Registration, Sink, Start, Started};
use crate::peer::kind_docs::KindDoc;
use crate::peer::metrics::Counter;
use crate::peer::spec::DEFAULT_HTTP_TIMEOUT_MS;
use crate::peer::stream::{Decoder, Encoder};
use crate::peer::PeerError;
use crate::value::Value;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// `http_client` as the registry lists it.
pub const KIND: Registration = Registration {
    doc: &KindDoc {
        kind: "http_client",
        nature: "sink and source",
        summary: "Sends each event as an HTTP request; responses come back as events.",
        keys: &[
            ("url", "the request URL (string, required)"),
            ("method", "HTTP method (string, default `POST`)"),
            ("headers", "extra request headers (a record of strings)"),
            ("timeout", "ms to wait for a response (default 10000)"),
        ],
    },
    configure: |c| {
        Arc::new(HttpClient {
            url: url(c),
            method: c.one_of(
                "method",
                &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
                "POST",
            ),
            headers: headers(c),
            timeout_ms: c.positive_or("timeout", DEFAULT_HTTP_TIMEOUT_MS),
        })
    },
};

/// An `http_client` peer: where and how to send.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpClient {
    pub url: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub timeout_ms: u64,
}

impl Kind for HttpClient {
    fn reads_meta(&self) -> bool {
        true
    }
    fn doc(&self) -> &'static KindDoc {
        KIND.doc
    }
    fn answers(&self) -> bool {
        true
    }
    fn start(&self, s: Start) -> Result<Started, PeerError> {
        let (tx, rx) = mpsc::unbounded_channel();
        let task_ctx = s.ctx.clone();
        s.ctx.track(tokio::spawn(run(task_ctx, self.clone(), rx)));
        Ok(Started::sink(Sink::Control(tx)))
    }
}

/// `url`: required, `http://` (this build has no TLS).
fn url(c: &mut Config) -> String {
    let url = c.string("url", None);
    if !url.is_empty() && !url.starts_with("http://") {
        c.invalid("url", format!("`{url}` must start with `http://`"));
    } else if !url.is_empty() && url.parse::<hyper::Uri>().is_err() {
        c.invalid("url", format!("`{url}` is not a URL"));
    }
    url
}

/// `headers`: a record of strings (or arrays of strings for repeated headers).
fn headers(c: &mut Config) -> Vec<(String, String)> {
    let mut out = Vec::new();
    match c.get("headers") {
        None => {}
        Some(Value::Record(r)) => {
            for (k, v) in r.iter() {
                let values = match v {
                    Value::Array(a) => a.clone(),
                    other => vec![other.clone()],
                };
                for v in values {
                    match v.as_str() {
                        Some(s) => out.push((k.to_string(), s.to_string())),
                        None => c.wrong_type("headers", "a record of strings", &v),
                    }
                }
            }
        }
        Some(other) => c.wrong_type("headers", "a record", other),
    }
    out
}

/// Why a request got no response.
#[derive(Debug, thiserror::Error)]
enum RequestError {
    #[error(transparent)]
    Send(#[from] hyper_util::client::legacy::Error),
    #[error(transparent)]
    Body(#[from] hyper::Error),
}

async fn run(ctx: Ctx, t: HttpClient, mut rx: mpsc::UnboundedReceiver<ToPeer>) {
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
            ctx.failed(Some(0), e.to_string(), &ev).await;
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
            let resp = client.request(req).await?;
            let (parts, body) = resp.into_parts();
            let bytes = body.collect().await?.to_bytes();
            Ok::<_, RequestError>((parts, bytes))
        })
        .await;
        let (parts, bytes) = match answer {
            Ok(Ok(a)) => a,
            // The server or the way to it failed, not the event: a replayable
            // source sends it again (SPEC §5, at least once).
            Ok(Err(e)) => {
                let text = format!("request to {} failed: {e}", t.url);
                ctx.failed_retry(Some(0), text, &ev).await;
                continue;
            }
            Err(_) => {
                let text = format!("request to {} timed out after {} ms", t.url, t.timeout_ms);
                ctx.failed_retry(Some(0), text, &ev).await;
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
