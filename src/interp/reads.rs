//! Which top-level fields of `event` a compiled expression reads.
//!
//! A runner that knows this may decode only those fields of each input event (see
//! [`crate::value::project_json`]). The answer is conservative: anything that could
//! see the event as a whole (`event` alone, a computed key, a pattern binding or
//! comparing the whole event, `emit` of the event) answers "everything".

use crate::ir::{
    Block, Expr, ExprKind, FieldKind, Function, Match, PatchOp, Path, Pattern, RecordPattern, Root,
    Segment,
};
use crate::value::Str;

/// Adds to `keys` the top-level event fields `e` reads; `false` when it may read the
/// event in any other way (then `keys` means nothing).
pub fn event_keys(e: &Expr, keys: &mut Vec<Str>) -> bool {
    Walk {
        keys,
        visiting: Vec::new(),
    }
    .expr(e)
}

/// [`event_keys`] for a statement list (a window script).
pub fn block_event_keys(b: &Block, keys: &mut Vec<Str>) -> bool {
    let mut w = Walk {
        keys,
        visiting: Vec::new(),
    };
    b.exprs.iter().all(|e| w.expr(e))
}

struct Walk<'k> {
    keys: &'k mut Vec<Str>,
    /// User functions being walked, so a recursive one is walked once.
    visiting: Vec<*const Function>,
}

impl Walk<'_> {
    fn key(&mut self, k: &Str) {
        if !self.keys.contains(k) {
            self.keys.push(k.clone());
        }
    }

    fn all(&mut self, es: &[Expr]) -> bool {
        es.iter().all(|e| self.expr(e))
    }

    fn expr(&mut self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Const(_) | ExprKind::Drop | ExprKind::Aggr(_) => true,
            ExprKind::Record(fields) => fields.iter().all(|(k, v)| self.expr(k) && self.expr(v)),
            ExprKind::List(es) | ExprKind::Interpolated(es) | ExprKind::Recur(es) => self.all(es),
            ExprKind::Bytes(parts) => parts.iter().all(|p| self.expr(&p.value)),
            ExprKind::Path(p) | ExprKind::Present(p) | ExprKind::Absent(p) => self.path(p),
            ExprKind::Unary(_, x) => self.expr(x),
            ExprKind::Binary(_, a, b) | ExprKind::Merge(a, b) => self.expr(a) && self.expr(b),
            ExprKind::Native(call) => self.all(&call.args),
            ExprKind::Call(call) => self.all(&call.args) && self.function(&call.func),
            ExprKind::Match(m) => self.matches(m),
            ExprKind::For(f) => {
                self.expr(&f.target)
                    && f.into.as_ref().is_none_or(|e| self.expr(e))
                    && f.cases
                        .iter()
                        .all(|c| c.guard.as_ref().is_none_or(|g| self.expr(g)) && self.all(&c.body))
            }
            ExprKind::Patch(p) => self.expr(&p.target) && p.ops.iter().all(|op| self.patch(op)),
            ExprKind::Assign(a) => {
                a.target != crate::ir::AssignRoot::Event
                    && self.segments(&a.segments)
                    && self.expr(&a.value)
            }
            ExprKind::Emit(value, port) => {
                value.as_ref().is_some_and(|v| self.expr(v))
                    && port.as_ref().is_none_or(|p| self.expr(p))
            }
        }
    }

    fn path(&mut self, p: &Path) -> bool {
        match &p.root {
            Root::Event => match p.segments.first() {
                Some(Segment::Field(k)) => {
                    self.key(k);
                    self.segments(&p.segments[1..])
                }
                _ => false,
            },
            Root::Expr(e) => self.expr(e) && self.segments(&p.segments),
            _ => self.segments(&p.segments),
        }
    }

    fn segments(&mut self, segments: &[Segment]) -> bool {
        segments.iter().all(|s| match s {
            Segment::Field(_) => true,
            Segment::Index(e) => self.expr(e),
            Segment::Range(a, b) => self.expr(a) && self.expr(b),
        })
    }

    fn function(&mut self, f: &std::sync::Arc<Function>) -> bool {
        let ptr = std::sync::Arc::as_ptr(f);
        if self.visiting.contains(&ptr) {
            return true;
        }
        // A body not lowered yet cannot be judged.
        let Some(body) = f.body.get() else {
            return false;
        };
        self.visiting.push(ptr);
        let ok = self.all(&body.exprs);
        self.visiting.pop();
        ok
    }

    fn patch(&mut self, op: &PatchOp) -> bool {
        match op {
            PatchOp::Insert(a, b)
            | PatchOp::Upsert(a, b)
            | PatchOp::Update(a, b)
            | PatchOp::Copy(a, b)
            | PatchOp::Move(a, b) => self.expr(a) && self.expr(b),
            PatchOp::Erase(a) => self.expr(a),
            PatchOp::Merge(k, v) | PatchOp::Default(k, v) => {
                k.as_ref().is_none_or(|k| self.expr(k)) && self.expr(v)
            }
        }
    }

    fn matches(&mut self, m: &Match) -> bool {
        let whole_event = matches!(&m.target.kind,
            ExprKind::Path(p) if matches!(p.root, Root::Event) && p.segments.is_empty());
        let targets_ok = if whole_event {
            // Matching the event itself: fine when every case only looks at known
            // fields of it (a record pattern) or at nothing (`_`).
            m.cases.iter().all(|c| match &c.pattern {
                Pattern::Default => true,
                Pattern::Record(r) => {
                    for f in &r.fields {
                        self.key(&f.key);
                    }
                    self.record_pattern(r)
                }
                _ => false,
            })
        } else {
            self.expr(&m.target) && m.cases.iter().all(|c| self.pattern(&c.pattern))
        };
        targets_ok
            && m.cases
                .iter()
                .all(|c| c.guard.as_ref().is_none_or(|g| self.expr(g)) && self.all(&c.body))
    }

    /// The expressions inside a pattern (its target is not the event).
    fn pattern(&mut self, p: &Pattern) -> bool {
        match p {
            Pattern::Default | Pattern::Extract(_) => true,
            Pattern::Expr(e) => self.expr(e),
            Pattern::Bind(_, p) => self.pattern(p),
            Pattern::Record(r) => self.record_pattern(r),
            Pattern::Array(ps) => ps.iter().all(|p| self.pattern(p)),
            Pattern::Tuple(t) => t.elems.iter().all(|p| self.pattern(p)),
        }
    }

    fn record_pattern(&mut self, r: &RecordPattern) -> bool {
        r.fields.iter().all(|f| match &f.test {
            FieldKind::Present | FieldKind::Absent | FieldKind::Extract(..) => true,
            FieldKind::Cmp(_, e) => self.expr(e),
            FieldKind::Record(r) => self.record_pattern(r),
            FieldKind::Array(ps) => ps.iter().all(|p| self.pattern(p)),
            FieldKind::Tuple(t) => t.elems.iter().all(|p| self.pattern(p)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::ModulePath;
    use crate::diag::SourceMap;

    /// The keys a script's statements read, or `None` for "everything".
    fn keys(src: &str) -> Option<Vec<String>> {
        let mut sources = SourceMap::new();
        let file = sources.add("t.tremor", src);
        let script = crate::compile::compile_script(&mut sources, file, &ModulePath::default())
            .unwrap_or_else(|_| panic!("{src} compiles"))
            .value;
        let mut keys = Vec::new();
        block_event_keys(&script.body, &mut keys)
            .then(|| keys.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn field_reads_are_listed() {
        assert_eq!(
            keys("event.a + event.b.c"),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            keys(r#"{"g": event.g, "c2": event.c * 2, "host": event.host}"#),
            Some(vec!["g".into(), "c".into(), "host".into()])
        );
        assert_eq!(
            keys(
                r#"match event of case %{ c > 900 } => "hi" case %{ d == event.e } => 1 case _ => "lo" end"#
            ),
            Some(vec!["c".into(), "d".into(), "e".into()])
        );
        assert_eq!(keys("present event.x"), Some(vec!["x".into()]));
        assert_eq!(keys("event[\"a\"]"), Some(vec!["a".into()]));
        assert_eq!(
            keys(r#"match event.a of case x = %{ b > 1 } => x end"#),
            Some(vec!["a".into()])
        );
        assert_eq!(
            keys("fn f(x) with x + 1 end; f(event.n)"),
            Some(vec!["n".into()])
        );
        assert_eq!(keys("$a + 1"), Some(vec![]));
    }

    #[test]
    fn whole_event_reads_are_everything() {
        for src in [
            "event",
            "emit",
            "let k = \"a\"; event[k]",
            "match event of case x = %{ a > 1 } => x case _ => 0 end",
            "match event of case 1 => 1 case _ => 0 end",
            "match event of case %{} => 1 case ~ json|| => 2 end",
            "let event.a = 1; event.a",
            "{\"x\": event.a, \"y\": (event)}",
            "merge event of {} end",
            "use std::record; record::keys(event)",
            "for event of case (k, v) => k end",
            "patch event of insert \"a\" => 1 end",
        ] {
            assert_eq!(keys(src), None, "{src}");
        }
    }
}
