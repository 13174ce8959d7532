//! A client connection that comes back (`tcp_client`, `ws_client`): events wait while
//! it is down, written events are acked once the connection stayed up a while, a
//! drop fails what it may have lost and reconnects with backoff, and the client's
//! circuit breaker follows the connection.

use super::client::{connect, Conn, Failure, Socket, Target};
use super::{Ctx, Settled, ToGraph, UpstreamSignal};
use crate::event::{Event, EventId};
use crate::peer::ConnectError;
use crate::value::Str;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// How long an event written on a connection stays unacked: TCP says nothing about
/// what the other side read, so an event is acked once the connection has stayed
/// up this long after it was written (or closed cleanly); if the connection drops
/// first it is failed and a replayable source sends it again.
const ACK_DELAY: Duration = Duration::from_secs(1);

/// What a [`Link`] found due while it waited.
pub(super) enum Due {
    /// The connection's reading side ended: `clean` when the server closed it
    /// after reading what it was sent.
    Dropped { clean: bool },
    /// Written events are old enough to ack.
    Acks,
    /// A connection attempt finished.
    Connected(Result<Socket, ConnectError>),
}

/// A connection that comes back: events wait in `queue` while it is down, written
/// events wait in `unacked` for [`ACK_DELAY`], and a drop fails those (to be sent
/// again by a replayable source) and reconnects with backoff. While it is down the
/// client says `halt` (for its upstream stream when per-stream), and `ready` when it
/// is up again.
pub(super) struct Link {
    ctx: Ctx,
    t: Target,
    ids: Arc<AtomicU64>,
    /// The upstream stream this connection serves (per-stream clients).
    upstream: Option<(Str, u64)>,
    /// Lineage of what a new connection receives before anything was sent on it.
    lineage: Vec<EventId>,
    conn: Option<Conn>,
    /// A connection attempt under way.
    connecting: Option<JoinHandle<Result<Socket, ConnectError>>>,
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
    pub(super) fn new(
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
    pub(super) async fn send(&mut self, ev: Event) {
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
            Err(Failure::Encode(e)) => self.ctx.failed(Some(c.id), e.to_string(), &ev).await,
            Err(Failure::Send(e)) => {
                self.error = e.to_string();
                self.queue.push_front(ev);
                self.dropped(true).await;
            }
        }
    }

    /// Waits until something is due: the connection's end or acks when up, the
    /// next connection attempt when down. Cancel-safe: an attempt runs in its own
    /// task and is picked up by the next call.
    pub(super) async fn wait(&mut self) -> Due {
        if self.gave_up {
            return std::future::pending().await;
        }
        if let Some(c) = self.conn.as_mut() {
            let due = self.unacked.front().map(|(at, _)| *at + ACK_DELAY);
            return tokio::select! {
                r = &mut c.reader => Due::Dropped { clean: r.unwrap_or(false) },
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
        let result = task.await.unwrap_or_else(|e| Err(e.into()));
        self.connecting = None;
        Due::Connected(result)
    }

    /// Does what [`Link::wait`] found due; false once it gave up.
    pub(super) async fn act(&mut self, due: Due) -> bool {
        match due {
            Due::Dropped { clean } => {
                if clean {
                    // A server that closes cleanly read what reached it first: a
                    // reset, not a close, tells of data it never read.
                    self.ack_all().await;
                }
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

    /// Everything written is delivered.
    async fn ack_all(&mut self) {
        let acks = self
            .unacked
            .drain(..)
            .map(|(_, ev)| Settled::of(ev))
            .collect();
        self.ctx.acked(acks).await;
    }

    async fn connected(&mut self, result: Result<Socket, ConnectError>) {
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
                self.error = e.to_string();
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
    pub(super) async fn close(mut self) {
        if let Some(task) = self.connecting.take() {
            task.abort();
        }
        if let Some(c) = self.conn.take() {
            c.close(&self.ctx).await;
        }
        self.ack_all().await;
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
