//! `aggr::stats::{count, sum, min, max, mean, var, stdev}`: the running numeric
//! aggregates. All but `count` read their argument with `cast_f64`; anything that
//! is not a number is `BadType`.

use super::{num_arg, same, AggrDecl, Aggregate};
use crate::functions::FnError;
use crate::value::Value;
use std::any::Any;

/// A fresh boxed state of `T` (the `make` of a declaration).
pub(super) fn make<T: Aggregate + Default + 'static>() -> Box<dyn Aggregate> {
    Box::<T>::default()
}

/// Implements `boxed_clone` and `as_any` for a `Clone + 'static` aggregate.
macro_rules! aggr_boilerplate {
    () => {
        fn boxed_clone(&self) -> Box<dyn Aggregate> {
            Box::new(self.clone())
        }
        fn as_any(&self) -> &dyn Any {
            self
        }
    };
}
pub(super) use aggr_boilerplate;

pub(super) const COUNT: AggrDecl = AggrDecl {
    module: "stats",
    name: "count",
    arity: 0..=0,
    make: make::<Count>,
    warning: None,
    doc: "Number of events in the window (int).",
};
pub(super) const SUM: AggrDecl = AggrDecl {
    module: "stats",
    name: "sum",
    arity: 1..=1,
    make: make::<Sum>,
    warning: None,
    doc: "Sum of the argument over the window (float, 0.0 when empty).",
};
pub(super) const MIN: AggrDecl = AggrDecl {
    module: "stats",
    name: "min",
    arity: 1..=1,
    make: make::<Min>,
    warning: None,
    doc: "Smallest value of the argument (float, 0.0 when empty).",
};
pub(super) const MAX: AggrDecl = AggrDecl {
    module: "stats",
    name: "max",
    arity: 1..=1,
    make: make::<Max>,
    warning: None,
    doc: "Largest value of the argument (float, 0.0 when empty).",
};
pub(super) const MEAN: AggrDecl = AggrDecl {
    module: "stats",
    name: "mean",
    arity: 1..=1,
    make: make::<Mean>,
    warning: None,
    doc: "Arithmetic mean of the argument (float, null when empty).",
};
pub(super) const VAR: AggrDecl = AggrDecl {
    module: "stats",
    name: "var",
    arity: 1..=1,
    make: make::<Var>,
    warning: None,
    doc: "Sample variance (n-1) of the argument (0.0 when empty, NaN for one sample).",
};
pub(super) const STDEV: AggrDecl = AggrDecl {
    module: "stats",
    name: "stdev",
    arity: 1..=1,
    make: make::<Stdev>,
    warning: None,
    doc: "Sample standard deviation: the square root of `var`.",
};

/// `stats::count()`
#[derive(Debug, Clone, Default)]
pub struct Count(i64);

impl Aggregate for Count {
    fn init(&mut self) {
        self.0 = 0;
    }
    fn accumulate(&mut self, _args: &[&Value]) -> Result<(), FnError> {
        self.0 += 1;
        Ok(())
    }
    fn merge(&mut self, src: &dyn Aggregate) -> Result<(), FnError> {
        self.0 += same::<Self>(src)?.0;
        Ok(())
    }
    fn emit(&mut self) -> Result<Value, FnError> {
        Ok(Value::I64(self.0))
    }
    /// Each event adds exactly one, so a sliding window takes its oldest out by
    /// taking one off (a float sum is not exactly invertible, so `sum` and `mean`
    /// keep the two-stack).
    fn can_retract(&self) -> bool {
        true
    }
    fn retract_oldest(&mut self) {
        self.0 -= 1;
    }
    aggr_boilerplate!();
}

/// `stats::sum(x)`
#[derive(Debug, Clone, Default)]
pub struct Sum(f64);

impl Aggregate for Sum {
    fn init(&mut self) {
        self.0 = 0.0;
    }
    fn accumulate(&mut self, args: &[&Value]) -> Result<(), FnError> {
        self.0 += num_arg(args)?;
        Ok(())
    }
    fn merge(&mut self, src: &dyn Aggregate) -> Result<(), FnError> {
        self.0 += same::<Self>(src)?.0;
        Ok(())
    }
    fn emit(&mut self) -> Result<Value, FnError> {
        Ok(Value::F64(self.0))
    }
    aggr_boilerplate!();
}

/// `stats::min(x)`
#[derive(Debug, Clone, Default)]
pub struct Min(Option<f64>);

impl Aggregate for Min {
    fn init(&mut self) {
        self.0 = None;
    }
    fn accumulate(&mut self, args: &[&Value]) -> Result<(), FnError> {
        let v = num_arg(args)?;
        self.0 = Some(self.0.map_or(v, |m| m.min(v)));
        Ok(())
    }
    fn merge(&mut self, src: &dyn Aggregate) -> Result<(), FnError> {
        if let Some(o) = same::<Self>(src)?.0 {
            self.0 = Some(self.0.map_or(o, |m| m.min(o)));
        }
        Ok(())
    }
    fn emit(&mut self) -> Result<Value, FnError> {
        Ok(Value::F64(self.0.unwrap_or_default()))
    }
    aggr_boilerplate!();
}

/// `stats::max(x)`
#[derive(Debug, Clone, Default)]
pub struct Max(Option<f64>);

impl Aggregate for Max {
    fn init(&mut self) {
        self.0 = None;
    }
    fn accumulate(&mut self, args: &[&Value]) -> Result<(), FnError> {
        let v = num_arg(args)?;
        self.0 = Some(self.0.map_or(v, |m| m.max(v)));
        Ok(())
    }
    fn merge(&mut self, src: &dyn Aggregate) -> Result<(), FnError> {
        if let Some(o) = same::<Self>(src)?.0 {
            self.0 = Some(self.0.map_or(o, |m| m.max(o)));
        }
        Ok(())
    }
    fn emit(&mut self) -> Result<Value, FnError> {
        Ok(Value::F64(self.0.unwrap_or_default()))
    }
    aggr_boilerplate!();
}

/// `stats::mean(x)`: count and sum.
#[derive(Debug, Clone, Default)]
pub struct Mean(u64, f64);

impl Aggregate for Mean {
    fn init(&mut self) {
        *self = Mean::default();
    }
    fn accumulate(&mut self, args: &[&Value]) -> Result<(), FnError> {
        let v = num_arg(args)?;
        self.0 += 1;
        self.1 += v;
        Ok(())
    }
    fn merge(&mut self, src: &dyn Aggregate) -> Result<(), FnError> {
        let o = same::<Self>(src)?;
        self.0 += o.0;
        self.1 += o.1;
        Ok(())
    }
    fn emit(&mut self) -> Result<Value, FnError> {
        if self.0 == 0 {
            Ok(Value::Null)
        } else {
            Ok(Value::F64(self.1 / self.0 as f64))
        }
    }
    aggr_boilerplate!();
}

/// `stats::var(x)`: variance over shifted data (the first sample is the shift `k`),
/// which keeps precision when the values are large and close together.
#[derive(Debug, Clone, Default)]
pub struct Var {
    n: u64,
    k: f64,
    ex: f64,
    ex2: f64,
}

impl Var {
    fn variance(&self) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        let n = self.n as f64;
        // One sample divides 0 by 0: NaN, as Tremor reports.
        (self.ex2 - (self.ex * self.ex) / n) / (n - 1.0)
    }
}

impl Aggregate for Var {
    fn init(&mut self) {
        *self = Var::default();
    }
    fn accumulate(&mut self, args: &[&Value]) -> Result<(), FnError> {
        let v = num_arg(args)?;
        if self.n == 0 {
            self.k = v;
        }
        self.n += 1;
        self.ex += v - self.k;
        self.ex2 += (v - self.k) * (v - self.k);
        Ok(())
    }
    fn merge(&mut self, src: &dyn Aggregate) -> Result<(), FnError> {
        let o = same::<Self>(src)?;
        self.n += o.n;
        // Tremor adds the shift constants; the sums were taken against different
        // shifts, so merged results are off unless the shifts agree. Kept for parity.
        self.k += o.k;
        self.ex += o.ex;
        self.ex2 += o.ex2;
        Ok(())
    }
    fn combine(&mut self, src: &dyn Aggregate) -> Result<(), FnError> {
        // Parts of one window (sessions, sliding windows) must give the exact
        // variance: `src`'s sums are moved onto this state's shift first.
        let o = same::<Self>(src)?;
        if self.n == 0 {
            *self = o.clone();
            return Ok(());
        }
        let (n, d) = (o.n as f64, o.k - self.k);
        self.n += o.n;
        self.ex2 += o.ex2 + 2.0 * d * o.ex + n * d * d;
        self.ex += o.ex + n * d;
        Ok(())
    }
    fn emit(&mut self) -> Result<Value, FnError> {
        Ok(Value::F64(self.variance()))
    }
    aggr_boilerplate!();
}

/// `stats::stdev(x)`: the square root of [`Var`].
#[derive(Debug, Clone, Default)]
pub struct Stdev(Var);

impl Aggregate for Stdev {
    fn init(&mut self) {
        self.0.init();
    }
    fn accumulate(&mut self, args: &[&Value]) -> Result<(), FnError> {
        self.0.accumulate(args)
    }
    fn merge(&mut self, src: &dyn Aggregate) -> Result<(), FnError> {
        let o = same::<Self>(src)?;
        self.0.merge(&o.0)
    }
    fn combine(&mut self, src: &dyn Aggregate) -> Result<(), FnError> {
        let o = same::<Self>(src)?;
        self.0.combine(&o.0)
    }
    fn emit(&mut self) -> Result<Value, FnError> {
        Ok(Value::F64(self.0.variance().sqrt()))
    }
    aggr_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combined_variance_is_exact() {
        let (mut a, mut b, mut all) = (Var::default(), Var::default(), Var::default());
        for x in [2.0, 8.0] {
            a.accumulate(&[&Value::F64(x)]).unwrap();
            all.accumulate(&[&Value::F64(x)]).unwrap();
        }
        for x in [6.0, 100.0, -3.0] {
            b.accumulate(&[&Value::F64(x)]).unwrap();
            all.accumulate(&[&Value::F64(x)]).unwrap();
        }
        a.combine(&b).unwrap();
        let (got, want) = (f(&a.emit().unwrap()), f(&all.emit().unwrap()));
        assert!((got - want).abs() < 1e-9 * want.abs(), "{got} vs {want}");
        let mut empty = Var::default();
        empty.combine(&b).unwrap();
        assert_eq!(empty.emit().unwrap(), b.emit().unwrap());
    }

    fn run(a: &mut dyn Aggregate, xs: &[Value]) -> Value {
        for x in xs {
            a.accumulate(&[x]).unwrap();
        }
        a.emit().unwrap()
    }
    fn ints(xs: &[i64]) -> Vec<Value> {
        xs.iter().map(|&x| Value::I64(x)).collect()
    }
    fn f(v: &Value) -> f64 {
        match v {
            Value::F64(f) => *f,
            other => panic!("expected a float, got {other:?}"),
        }
    }

    #[test]
    fn count_counts_and_merges() {
        let mut a = Count::default();
        assert!(matches!(a.emit().unwrap(), Value::I64(0)));
        assert!(matches!(run(&mut a, &ints(&[5, 6, 7])), Value::I64(3)));
        let mut b = Count::default();
        b.accumulate(&[]).unwrap();
        b.merge(&a).unwrap();
        assert!(matches!(b.emit().unwrap(), Value::I64(4)));
        b.init();
        assert!(matches!(b.emit().unwrap(), Value::I64(0)));
    }

    #[test]
    fn sum_min_max_are_floats_and_zero_when_empty() {
        for mut a in [make::<Sum>(), make::<Min>(), make::<Max>()] {
            assert_eq!(f(&a.emit().unwrap()), 0.0);
        }
        assert_eq!(f(&run(&mut Sum::default(), &ints(&[1, 2, 3]))), 6.0);
        assert_eq!(f(&run(&mut Min::default(), &ints(&[4, -2, 3]))), -2.0);
        assert_eq!(f(&run(&mut Max::default(), &ints(&[4, -2, 3]))), 4.0);
        // All-negative max and all-positive min must not stick at the empty 0.0.
        assert_eq!(f(&run(&mut Max::default(), &ints(&[-4, -2]))), -2.0);
        assert_eq!(f(&run(&mut Min::default(), &ints(&[4, 2]))), 2.0);
    }

    #[test]
    fn min_max_merge_into_empty_and_full() {
        let mut src = Min::default();
        run(&mut src, &ints(&[3, 9]));
        let mut dst = Min::default();
        dst.merge(&src).unwrap();
        assert_eq!(f(&dst.emit().unwrap()), 3.0);
        let mut dst = Min::default();
        run(&mut dst, &ints(&[1]));
        dst.merge(&src).unwrap();
        dst.merge(&Min::default()).unwrap();
        assert_eq!(f(&dst.emit().unwrap()), 1.0);

        let mut src = Max::default();
        run(&mut src, &ints(&[3, 9]));
        let mut dst = Max::default();
        dst.merge(&src).unwrap();
        assert_eq!(f(&dst.emit().unwrap()), 9.0);
    }

    #[test]
    fn mean_is_null_when_empty() {
        let mut a = Mean::default();
        assert!(a.emit().unwrap().is_null());
        assert_eq!(f(&run(&mut a, &ints(&[1, 2]))), 1.5);
        let mut b = Mean::default();
        run(&mut b, &[Value::F64(4.5)]);
        b.merge(&a).unwrap();
        assert_eq!(f(&b.emit().unwrap()), 2.5);
    }

    #[test]
    fn var_and_stdev() {
        assert_eq!(f(&Var::default().emit().unwrap()), 0.0);
        assert!(f(&run(&mut Var::default(), &ints(&[7]))).is_nan());
        let v = f(&run(&mut Var::default(), &ints(&[2, 4, 4, 4, 5, 5, 7, 9])));
        assert!((v - 32.0 / 7.0).abs() < 1e-12, "{v}");
        let s = f(&run(
            &mut Stdev::default(),
            &ints(&[2, 4, 4, 4, 5, 5, 7, 9]),
        ));
        assert!((s - (32.0f64 / 7.0).sqrt()).abs() < 1e-12, "{s}");
        // Large values close together stay precise thanks to the shift.
        let big = [1e9 + 4.0, 1e9 + 7.0, 1e9 + 13.0, 1e9 + 16.0].map(Value::F64);
        assert!((f(&run(&mut Var::default(), &big)) - 30.0).abs() < 1e-9);
    }

    #[test]
    fn var_merge_adds_shift_constants_like_tremor() {
        let mut a = Var::default();
        run(&mut a, &ints(&[1, 3]));
        let mut b = Var::default();
        b.merge(&a).unwrap();
        // Merging into an empty state: k = 0 + 1, sums unchanged: same variance.
        assert_eq!(f(&b.emit().unwrap()), 2.0);
        assert_eq!(b.k, 1.0);
        // A second merge adds the shifts (1 + 1); n, ex, ex2 add up.
        b.merge(&a).unwrap();
        assert_eq!((b.n, b.k), (4, 2.0));
    }

    #[test]
    fn numeric_aggregates_reject_non_numbers() {
        let s = Value::from("x");
        for mut a in [
            make::<Sum>(),
            make::<Min>(),
            make::<Max>(),
            make::<Mean>(),
            make::<Var>(),
            make::<Stdev>(),
        ] {
            assert_eq!(a.accumulate(&[&s]), Err(FnError::BadType));
            assert_eq!(a.accumulate(&[]), Err(FnError::BadType));
        }
        assert_eq!(
            FnError::BadType.render("stats", "sum", 1),
            "Bad type passed to function stats::sum/1"
        );
    }

    #[test]
    fn boxed_clone_is_independent() {
        let mut a = Sum::default();
        run(&mut a, &ints(&[1]));
        let mut c = a.boxed_clone();
        c.accumulate(&[&Value::I64(10)]).unwrap();
        assert_eq!(f(&a.emit().unwrap()), 1.0);
        assert_eq!(f(&c.emit().unwrap()), 11.0);
        assert!(a.merge(&Count::default()).is_err());
    }
}
