//! `aggr::win::{first, last, collect_flattened, collect_nested}`: aggregates that keep
//! values rather than numbers.
//!
//! `collect_flattened()` / `collect_nested()` may be written without an argument
//! (SPEC §4): they then collect the events themselves. The query compiler passes
//! `event` as the argument in that case, so these always receive one argument at run
//! time; a call that still arrives with none is reported, not guessed at.

use super::stats::{aggr_boilerplate, make};
use super::{same, AggrDecl, Aggregate, COLLECT_WARNING};
use crate::functions::FnError;
use crate::value::Value;
use std::any::Any;

pub(super) const FIRST: AggrDecl = AggrDecl {
    module: "win",
    name: "first",
    arity: 1..=1,
    make: make::<First>,
    warning: None,
    doc: "The argument's value for the first event of the window (null when empty).",
};
pub(super) const LAST: AggrDecl = AggrDecl {
    module: "win",
    name: "last",
    arity: 1..=1,
    make: make::<Last>,
    warning: None,
    doc: "The argument's value for the last event of the window (null when empty).",
};
pub(super) const COLLECT_FLATTENED: AggrDecl = AggrDecl {
    module: "win",
    name: "collect_flattened",
    arity: 0..=1,
    make: make::<CollectFlattened>,
    warning: Some(COLLECT_WARNING),
    doc: "Array of the argument's values (the events themselves when called without \
          one: the compiler passes `event`); merging windows concatenates.",
};
pub(super) const COLLECT_NESTED: AggrDecl = AggrDecl {
    module: "win",
    name: "collect_nested",
    arity: 0..=1,
    make: make::<CollectNested>,
    warning: Some(COLLECT_WARNING),
    doc: "Array of the argument's values (the events themselves when called without \
          one: the compiler passes `event`); merging pushes each earlier window's array \
          as one element.",
};

pub(super) const START: AggrDecl = AggrDecl {
    module: "win",
    name: "start",
    arity: 0..=0,
    make: make::<Bounds<false>>,
    warning: None,
    doc: "Start of the window being emitted, in ns: the first instant of a time window \
          or session, the time of the first event of a count window.",
};
pub(super) const END: AggrDecl = AggrDecl {
    module: "win",
    name: "end",
    arity: 0..=0,
    make: make::<Bounds<true>>,
    warning: None,
    doc: "End of the window being emitted, in ns (exclusive): the end of a time window \
          or session, the time of the last event of a count window plus 1.",
};

/// The one argument the compiler guarantees (see the module docs).
fn arg<'a>(args: &[&'a Value]) -> Result<&'a Value, FnError> {
    args.first().copied().ok_or_else(|| {
        FnError::runtime("called without an argument; the compiler must pass `event`")
    })
}

/// `win::first(x)`
#[derive(Debug, Clone, Default)]
pub struct First(Option<Value>);

impl Aggregate for First {
    fn init(&mut self) {
        self.0 = None;
    }
    fn accumulate(&mut self, args: &[&Value]) -> Result<(), FnError> {
        if self.0.is_none() {
            self.0 = Some(arg(args)?.clone());
        }
        Ok(())
    }
    fn merge(&mut self, src: &dyn Aggregate) -> Result<(), FnError> {
        if self.0.is_none() {
            self.0.clone_from(&same::<Self>(src)?.0);
        }
        Ok(())
    }
    fn emit(&mut self) -> Result<Value, FnError> {
        Ok(self.0.clone().unwrap_or_default())
    }
    aggr_boilerplate!();
}

/// `win::last(x)`
#[derive(Debug, Clone, Default)]
pub struct Last(Option<Value>);

impl Aggregate for Last {
    fn init(&mut self) {
        self.0 = None;
    }
    fn accumulate(&mut self, args: &[&Value]) -> Result<(), FnError> {
        self.0 = Some(arg(args)?.clone());
        Ok(())
    }
    fn merge(&mut self, src: &dyn Aggregate) -> Result<(), FnError> {
        if let Some(v) = &same::<Self>(src)?.0 {
            self.0 = Some(v.clone());
        }
        Ok(())
    }
    fn emit(&mut self) -> Result<Value, FnError> {
        Ok(self.0.clone().unwrap_or_default())
    }
    aggr_boilerplate!();
}

/// `win::start()` / `win::end()`: the window runtime passes the event's time as the
/// argument (see `exec::tilt::accumulate`), or `[start, end]` to set a time window's
/// bounds before it emits. Without a time window the bounds are those of the events:
/// the first one's time, the last one's time plus 1 (arrival order).
/// `END` tells which of the two a call site emits.
#[derive(Debug, Clone, Default)]
pub struct Bounds<const END: bool> {
    start: Option<i64>,
    end: Option<i64>,
}

impl<const END: bool> Aggregate for Bounds<END> {
    fn init(&mut self) {
        *self = Bounds::default();
    }
    fn accumulate(&mut self, args: &[&Value]) -> Result<(), FnError> {
        let t = arg(args)?.as_i64().ok_or(FnError::BadType)?;
        let end = match args.get(1) {
            Some(e) => e.as_i64().ok_or(FnError::BadType)?,
            None => t.saturating_add(1),
        };
        self.start.get_or_insert(t);
        self.end = Some(end);
        Ok(())
    }
    fn merge(&mut self, src: &dyn Aggregate) -> Result<(), FnError> {
        let o = same::<Self>(src)?;
        if self.start.is_none() {
            self.start = o.start;
        }
        if o.end.is_some() {
            self.end = o.end;
        }
        Ok(())
    }
    fn emit(&mut self) -> Result<Value, FnError> {
        // `null` for an empty window.
        let v = if END { self.end } else { self.start };
        Ok(v.map_or(Value::Null, Value::I64))
    }
    aggr_boilerplate!();
}

/// `win::collect_flattened([x])`
#[derive(Debug, Clone, Default)]
pub struct CollectFlattened(Vec<Value>);

impl Aggregate for CollectFlattened {
    fn init(&mut self) {
        self.0.clear();
    }
    fn accumulate(&mut self, args: &[&Value]) -> Result<(), FnError> {
        self.0.push(arg(args)?.clone());
        Ok(())
    }
    fn merge(&mut self, src: &dyn Aggregate) -> Result<(), FnError> {
        self.0.extend(same::<Self>(src)?.0.iter().cloned());
        Ok(())
    }
    fn emit(&mut self) -> Result<Value, FnError> {
        Ok(Value::Array(self.0.clone()))
    }
    fn can_retract(&self) -> bool {
        true
    }
    fn retract_oldest(&mut self) {
        // O(len), as the emission that follows copies the whole array anyway.
        if !self.0.is_empty() {
            self.0.remove(0);
        }
    }
    aggr_boilerplate!();
}

/// `win::collect_nested([x])`
#[derive(Debug, Clone, Default)]
pub struct CollectNested(Vec<Value>);

impl Aggregate for CollectNested {
    fn init(&mut self) {
        self.0.clear();
    }
    fn accumulate(&mut self, args: &[&Value]) -> Result<(), FnError> {
        self.0.push(arg(args)?.clone());
        Ok(())
    }
    fn merge(&mut self, src: &dyn Aggregate) -> Result<(), FnError> {
        self.0.push(Value::Array(same::<Self>(src)?.0.clone()));
        Ok(())
    }
    fn combine(&mut self, src: &dyn Aggregate) -> Result<(), FnError> {
        // Parts of one window: their events, not a nested array per part.
        self.0.extend(same::<Self>(src)?.0.iter().cloned());
        Ok(())
    }
    fn emit(&mut self) -> Result<Value, FnError> {
        Ok(Value::Array(self.0.clone()))
    }
    fn can_retract(&self) -> bool {
        true
    }
    fn retract_oldest(&mut self) {
        if !self.0.is_empty() {
            self.0.remove(0);
        }
    }
    aggr_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(xs: &[i64]) -> Value {
        Value::Array(xs.iter().map(|&x| Value::I64(x)).collect())
    }
    fn feed(a: &mut dyn Aggregate, xs: &[i64]) {
        for &x in xs {
            a.accumulate(&[&Value::I64(x)]).unwrap();
        }
    }

    #[test]
    fn first_and_last() {
        let (mut f, mut l) = (First::default(), Last::default());
        assert!(f.emit().unwrap().is_null() && l.emit().unwrap().is_null());
        feed(&mut f, &[1, 2, 3]);
        feed(&mut l, &[1, 2, 3]);
        assert_eq!(f.emit().unwrap(), Value::I64(1));
        assert_eq!(l.emit().unwrap(), Value::I64(3));
        // A later window merging earlier states in order keeps the earliest first
        // and the latest last.
        let (mut f2, mut l2) = (First::default(), Last::default());
        f2.merge(&f).unwrap();
        l2.merge(&l).unwrap();
        l2.merge(&Last::default()).unwrap();
        let mut later = First::default();
        feed(&mut later, &[9]);
        f2.merge(&later).unwrap();
        assert_eq!(f2.emit().unwrap(), Value::I64(1));
        assert_eq!(l2.emit().unwrap(), Value::I64(3));
    }

    #[test]
    fn collect_flattened_concatenates() {
        let mut a = CollectFlattened::default();
        assert_eq!(a.emit().unwrap(), Value::array());
        feed(&mut a, &[0, 1]);
        let mut top = CollectFlattened::default();
        top.merge(&a).unwrap();
        a.init();
        feed(&mut a, &[2, 3]);
        top.merge(&a).unwrap();
        assert_eq!(top.emit().unwrap(), ints(&[0, 1, 2, 3]));
    }

    #[test]
    fn collect_nested_pushes_arrays() {
        let mut a = CollectNested::default();
        feed(&mut a, &[0, 1]);
        let mut top = CollectNested::default();
        top.merge(&a).unwrap();
        a.init();
        feed(&mut a, &[2, 3]);
        top.merge(&a).unwrap();
        assert_eq!(
            top.emit().unwrap(),
            Value::Array(vec![ints(&[0, 1]), ints(&[2, 3])])
        );
    }

    #[test]
    fn bounds_follow_events_or_are_set() {
        let (mut s, mut e) = (Bounds::<false>::default(), Bounds::<true>::default());
        assert_eq!(s.emit().unwrap(), Value::Null);
        for b in [&mut s as &mut dyn Aggregate, &mut e] {
            b.accumulate(&[&Value::I64(5)]).unwrap();
            b.accumulate(&[&Value::I64(3)]).unwrap();
        }
        assert_eq!(s.emit().unwrap(), Value::I64(5));
        assert_eq!(e.emit().unwrap(), Value::I64(4));
        e.init();
        e.accumulate(&[&Value::I64(-10), &Value::I64(10)]).unwrap();
        assert_eq!(e.emit().unwrap(), Value::I64(10));
    }

    #[test]
    fn nested_collect_combines_flat_and_retracts() {
        let (mut a, mut b) = (CollectNested::default(), CollectNested::default());
        feed(&mut a, &[1]);
        feed(&mut b, &[2, 3]);
        a.combine(&b).unwrap();
        assert_eq!(a.emit().unwrap(), ints(&[1, 2, 3]));
        assert!(a.can_retract());
        a.retract_oldest();
        assert_eq!(a.emit().unwrap(), ints(&[2, 3]));
    }

    #[test]
    fn collects_any_value_and_reports_a_missing_argument() {
        let mut a = CollectFlattened::default();
        a.accumulate(&[&Value::from("x")]).unwrap();
        a.accumulate(&[&crate::record! {"a" => 1}]).unwrap();
        assert_eq!(a.emit().unwrap().as_array().map(Vec::len), Some(2));
        assert!(matches!(a.accumulate(&[]), Err(FnError::Runtime(_))));
    }
}
