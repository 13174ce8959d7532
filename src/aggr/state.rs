//! An aggregate state a window can hold inline. An event-time pane holds its
//! states in itself: with a hundred thousand sessions open, a state behind its own
//! box is one more cache miss per event. The common small aggregates sit in the
//! enum; any other stays boxed.

use super::stats::{Count, Mean, Sum};
use super::Aggregate;
use std::ops::{Deref, DerefMut};

/// A window's states, inline for up to four aggregates.
pub type States = smallvec::SmallVec<[State; 4]>;

pub enum State {
    Count(Count),
    Sum(Sum),
    Mean(Mean),
    Boxed(Box<dyn Aggregate>),
}

impl From<Box<dyn Aggregate>> for State {
    fn from(b: Box<dyn Aggregate>) -> State {
        let any = b.as_any();
        if let Some(a) = any.downcast_ref::<Count>() {
            State::Count(a.clone())
        } else if let Some(a) = any.downcast_ref::<Sum>() {
            State::Sum(a.clone())
        } else if let Some(a) = any.downcast_ref::<Mean>() {
            State::Mean(a.clone())
        } else {
            State::Boxed(b)
        }
    }
}

impl Deref for State {
    type Target = dyn Aggregate;
    fn deref(&self) -> &(dyn Aggregate + 'static) {
        match self {
            State::Count(a) => a,
            State::Sum(a) => a,
            State::Mean(a) => a,
            State::Boxed(b) => &**b,
        }
    }
}

impl DerefMut for State {
    fn deref_mut(&mut self) -> &mut (dyn Aggregate + 'static) {
        match self {
            State::Count(a) => a,
            State::Sum(a) => a,
            State::Mean(a) => a,
            State::Boxed(b) => &mut **b,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::State;
    use crate::value::Value;

    #[test]
    fn the_small_aggregates_go_inline_and_give_the_same_results() {
        for (name, inline) in [("count", true), ("mean", true), ("max", false)] {
            let decl = crate::aggr::lookup("stats", name).unwrap();
            let mut s = State::from((decl.make)());
            assert_eq!(!matches!(s, State::Boxed(_)), inline, "{name}");
            s.accumulate(&[&Value::I64(4)]).unwrap();
            s.accumulate(&[&Value::I64(2)]).unwrap();
            let want = match name {
                "count" => Value::I64(2),
                "mean" => Value::F64(3.0),
                _ => Value::I64(4),
            };
            assert_eq!(s.emit().unwrap(), want, "{name}");
        }
    }
}
