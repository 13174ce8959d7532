//! `metronome`: one stream emitting `{"tick": n, "ingest_ns": t}` every `interval` ns.

use super::{Ctx, ToGraph};
use super::{Kind, Registration, Start, Started};
use crate::peer::kind_docs::KindDoc;
use crate::peer::runtime::now_ns;
use crate::peer::PeerError;
use std::sync::Arc;
use std::time::Duration;

/// `metronome` as the registry lists it.
pub const KIND: Registration = Registration {
    doc: &KindDoc {
        kind: "metronome",
        nature: "source",
        summary: "Emits `{\"tick\": n, \"ingest_ns\": t}` every interval.",
        keys: &[(
            "interval",
            "nanoseconds between two ticks (positive integer, required)",
        )],
    },
    configure: |c| {
        Arc::new(Metronome {
            interval_ns: c.positive("interval"),
        })
    },
};

/// A `metronome` peer.
#[derive(Debug, Clone, PartialEq)]
pub struct Metronome {
    pub interval_ns: u64,
}

impl Kind for Metronome {
    fn doc(&self) -> &'static KindDoc {
        KIND.doc
    }
    fn start(&self, s: Start) -> Result<Started, PeerError> {
        if s.reads {
            start(s.ctx, self.interval_ns);
        }
        Ok(Started::default())
    }
}

/// Starts the metronome's task.
fn start(ctx: Ctx, interval_ns: u64) {
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
