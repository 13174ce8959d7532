//! `metronome`: one stream emitting `{"tick": n, "ingest_ns": t}` every `interval` ns.

use super::{Ctx, ToGraph};
use crate::peer::runtime::now_ns;
use std::time::Duration;

/// Starts the metronome's task.
pub fn start(ctx: Ctx, interval_ns: u64) {
    tokio::spawn(async move {
        if !ctx
            .send(ToGraph::Start {
                peer: ctx.idx,
                stream: 0,
            })
            .await
        {
            return;
        }
        let period = Duration::from_nanos(interval_ns.max(1));
        let mut iv = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        iv.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let meta = crate::value::Value::record();
        for n in 0u64.. {
            iv.tick().await;
            let data = crate::record! {"tick" => n, "ingest_ns" => now_ns()};
            if !ctx.events(0, vec![Ok(data)], &meta, &[]).await {
                return;
            }
        }
    });
}
