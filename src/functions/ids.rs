//! `tremor::*` event-id functions (SPEC §4): where the current event entered the graph
//! and which events contributed to it. The compiler also accepts them without a module.

use super::{FnDecl, FnError, NativeFn, Registry};
use crate::event::{EventId, FnCtx, Ids};
use crate::value::Value;

fn id_value(id: &EventId) -> Value {
    Value::Array(vec![
        Value::from(id.peer.clone()),
        Value::U64(id.stream),
        Value::U64(id.event),
    ])
}

fn source_id(ctx: &FnCtx, _: &[&Value]) -> Result<Value, FnError> {
    Ok(ctx
        .id
        .map_or(Value::Null, |id| Value::from(id.peer.clone())))
}

fn stream_id(ctx: &FnCtx, _: &[&Value]) -> Result<Value, FnError> {
    Ok(ctx.id.map_or(Value::Null, |id| Value::U64(id.stream)))
}

fn event_id(ctx: &FnCtx, _: &[&Value]) -> Result<Value, FnError> {
    Ok(ctx.id.map_or(Value::Null, |id| Value::U64(id.event)))
}

fn event_ids(ctx: &FnCtx, _: &[&Value]) -> Result<Value, FnError> {
    // An event always contributes to itself: with no lineage recorded, its own id is the lineage.
    let ids = match ctx.id {
        Some(id) => Ids::of(id, ctx.lineage),
        None => Ids::Many(ctx.lineage),
    };
    Ok(Value::Array(ids.iter().map(|id| id_value(&id)).collect()))
}

const fn decl(
    name: &'static str,
    doc: &'static str,
    examples: &'static [(&'static str, &'static str)],
    f: NativeFn,
) -> FnDecl {
    FnDecl {
        module: "tremor",
        name,
        arity: 0..=0,
        pure: false,
        doc,
        examples,
        f,
    }
}

/// Registers `tremor::source_id`, `peer_id`, `stream_id`, `event_id` and `event_ids`.
pub fn register(r: &mut Registry) {
    const NO_ID: &[(&str, &str)] = &[("[]", "null")];
    for d in [
        decl(
            "source_id",
            "The name of the peer the current event entered through (`\"in\"` for the CLI input).",
            NO_ID,
            source_id,
        ),
        decl("peer_id", "Alias of `source_id`.", NO_ID, source_id),
        decl("stream_id", "The id of the stream the current event arrived on.", NO_ID, stream_id),
        decl("event_id", "The current event's sequence number within its stream.", NO_ID, event_id),
        decl(
            "event_ids",
            "The ids of every event that contributed to this one, as `[[peer, stream, event], ...]`.",
            &[("[]", "[]")],
            event_ids,
        ),
    ] {
        r.add(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::id;
    use crate::value::{parse_json, test_eq};

    #[test]
    fn reads_the_current_id() {
        let me = id("upstream", 3, 7);
        let ctx = FnCtx {
            id: Some(&me),
            ..FnCtx::default()
        };
        assert_eq!(source_id(&ctx, &[]).unwrap().as_str(), Some("upstream"));
        assert_eq!(stream_id(&ctx, &[]).unwrap().as_u64(), Some(3));
        assert_eq!(event_id(&ctx, &[]).unwrap().as_u64(), Some(7));
        let own = parse_json(r#"[["upstream", 3, 7]]"#).unwrap();
        assert!(test_eq(&event_ids(&ctx, &[]).unwrap(), &own));
    }

    #[test]
    fn lineage_lists_every_contributor() {
        let me = id("in", 0, 2);
        let lineage = crate::event::Lineage::from([id("in", 0, 1), id("in", 0, 2)]);
        let ctx = FnCtx {
            id: Some(&me),
            lineage: &lineage,
            ..FnCtx::default()
        };
        let expected = parse_json(r#"[["in", 0, 1], ["in", 0, 2]]"#).unwrap();
        assert!(test_eq(&event_ids(&ctx, &[]).unwrap(), &expected));
    }
}
