//! A source's circuit breaker (SPEC §5): whether it may read, for the whole peer and
//! per stream.
//!
//! The executor thread opens and closes it (a sink said `halt`/`ready`, a
//! `qos::backpressure` backed off, a per-stream client's connection came up); the
//! source's readers wait on it before every read, so a halted source leaves the
//! bytes in the operating system's buffers instead of dropping them.
//!
//! Readers are tokio tasks (sockets) or plain threads (files, stdin), so the gate
//! wakes both kinds: a [`tokio::sync::Notify`] and a [`Condvar`].

use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::Notify;

#[derive(Debug, Default)]
struct State {
    /// Halted as a whole (every sink it feeds is halted).
    halted: bool,
    /// Streams halted on their own.
    halted_streams: FxHashSet<u64>,
    /// `ready(stream)` calls a stream needs before it is read (one per per-stream
    /// client that follows this peer).
    needs_ready: usize,
    readies: FxHashMap<u64, usize>,
}

impl State {
    fn open(&self, stream: u64) -> bool {
        !self.halted
            && !self.halted_streams.contains(&stream)
            && (self.needs_ready == 0
                || self.readies.get(&stream).copied().unwrap_or(0) >= self.needs_ready)
    }
}

/// See the module docs.
#[derive(Debug, Default)]
pub struct Gate {
    state: Mutex<State>,
    cv: Condvar,
    notify: Notify,
}

impl Gate {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn changed(&self) {
        self.cv.notify_all();
        self.notify.notify_waiters();
    }

    /// Every stream waits for `n` `ready(stream)` calls before it is read.
    pub fn require_ready(&self, n: usize) {
        self.lock().needs_ready = n;
        self.changed();
    }

    /// Halts (`true`) or resumes (`false`) the whole peer.
    pub fn set_halted(&self, halted: bool) {
        let mut s = self.lock();
        if s.halted != halted {
            s.halted = halted;
            drop(s);
            self.changed();
        }
    }

    /// Halts or resumes one stream.
    pub fn set_stream_halted(&self, stream: u64, halted: bool) {
        let mut s = self.lock();
        let changed = if halted {
            s.halted_streams.insert(stream)
        } else {
            s.halted_streams.remove(&stream)
        };
        drop(s);
        if changed {
            self.changed();
        }
    }

    /// One follower is ready for `stream`.
    pub fn ready(&self, stream: u64) {
        *self.lock().readies.entry(stream).or_default() += 1;
        self.changed();
    }

    /// `stream` ended: forget what was said about it.
    pub fn forget(&self, stream: u64) {
        let mut s = self.lock();
        s.readies.remove(&stream);
        s.halted_streams.remove(&stream);
    }

    /// Whether `stream` may be read now.
    pub fn is_open(&self, stream: u64) -> bool {
        self.lock().open(stream)
    }

    /// Waits (in a task) until `stream` may be read.
    pub async fn wait(&self, stream: u64) {
        loop {
            let notified = self.notify.notified();
            tokio::pin!(notified);
            // Registered before the check, so a change between the two is not missed.
            notified.as_mut().enable();
            if self.is_open(stream) {
                return;
            }
            notified.await;
        }
    }

    /// Waits (on a thread) until `stream` may be read, or `timeout` passes; true
    /// when open.
    pub fn wait_blocking(&self, stream: u64, timeout: Duration) -> bool {
        let s = self.lock();
        let (s, _) = self
            .cv
            .wait_timeout_while(s, timeout, |s| !s.open(stream))
            .unwrap_or_else(|p| p.into_inner());
        s.open(stream)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn halts_per_peer_and_per_stream() {
        let g = Gate::default();
        assert!(g.is_open(0));
        g.set_halted(true);
        assert!(!g.is_open(0));
        g.set_halted(false);
        g.set_stream_halted(1, true);
        assert!(g.is_open(0) && !g.is_open(1));
        g.forget(1);
        assert!(g.is_open(1));
    }

    #[test]
    fn streams_wait_for_every_follower_to_be_ready() {
        let g = Gate::default();
        g.require_ready(2);
        assert!(!g.is_open(3));
        g.ready(3);
        assert!(!g.is_open(3));
        g.ready(3);
        assert!(g.is_open(3) && !g.is_open(4));
    }

    #[test]
    fn waiters_wake_on_ready() {
        let g = Arc::new(Gate::default());
        g.set_halted(true);
        let t = {
            let g = g.clone();
            std::thread::spawn(move || g.wait_blocking(0, Duration::from_secs(10)))
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let g2 = g.clone();
        let task = rt.spawn(async move { g2.wait(0).await });
        g.set_halted(false);
        assert!(t.join().unwrap());
        rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .unwrap()
                .unwrap()
        });
    }
}
