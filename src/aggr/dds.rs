//! `aggr::stats::dds(x[, ["0.5", ...]])`: a DDSketch (default config: 1% relative
//! accuracy) over the non-negative values of the argument.

use super::percentiles::Percentiles;
use super::stats::{aggr_boilerplate, make};
use super::{num_arg, same, AggrDecl, Aggregate};
use crate::functions::FnError;
use crate::value::{Record, Value};
use sketches_ddsketch::{Config, DDSketch};
use std::any::Any;

pub(super) const DDS: AggrDecl = AggrDecl {
    module: "stats",
    name: "dds",
    arity: 1..=2,
    make: make::<Dds>,
    warning: None,
    doc: "DDSketch of the argument: `{count, sum, min, max, mean, percentiles}`; quantiles \
          are rounded up to one decimal, negatives ignored, an empty sketch gives zeros.",
};

/// The sketch state of one call site.
#[derive(Clone)]
pub struct Dds {
    sketch: DDSketch,
    percentiles: Percentiles,
}

impl Default for Dds {
    fn default() -> Self {
        Dds {
            sketch: DDSketch::new(Config::defaults()),
            percentiles: Percentiles::default(),
        }
    }
}

/// Rounds `v` up at `scale` decimals (so reported quantiles never understate).
fn ceil(v: f64, scale: i32) -> f64 {
    let m = 10f64.powi(scale);
    (v * m).ceil() / m
}

impl Aggregate for Dds {
    fn init_is_fresh(&self) -> bool {
        false
    }
    fn init(&mut self) {
        self.sketch = DDSketch::new(Config::defaults());
    }
    fn accumulate(&mut self, args: &[&Value]) -> Result<(), FnError> {
        self.percentiles.configure(args)?;
        let v = num_arg(args)?;
        if v >= 0.0 {
            self.sketch.add(v);
        }
        Ok(())
    }
    fn merge(&mut self, src: &dyn Aggregate) -> Result<(), FnError> {
        let o = same::<Self>(src)?;
        if !self.percentiles.is_set() && o.percentiles.is_set() {
            self.percentiles = o.percentiles.clone();
        }
        self.sketch
            .merge(&o.sketch)
            .map_err(|e| FnError::runtime(e.to_string()))
    }
    fn emit(&mut self) -> Result<Value, FnError> {
        let s = &self.sketch;
        let count = s.count();
        let mut p = Record::default();
        for (name, q) in &self.percentiles.list {
            let v = if count == 0 {
                0.0
            } else {
                let v = s
                    .quantile(*q)
                    .ok()
                    .flatten()
                    .ok_or_else(|| FnError::runtime("Percentile out of bounds"))?;
                ceil(v, 1)
            };
            p.insert(name.into(), Value::F64(v));
        }
        let (min, max, sum) = (
            s.min().unwrap_or_default(),
            s.max().unwrap_or_default(),
            s.sum().unwrap_or_default(),
        );
        let mean = if count == 0 { 0.0 } else { sum / count as f64 };
        Ok(crate::record! {
            "count" => Value::U64(count as u64),
            "sum" => sum,
            "min" => min,
            "max" => max,
            "mean" => mean,
            "percentiles" => p,
        })
    }
    aggr_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(r: &Value, k: &str) -> f64 {
        match r.get(k) {
            Some(Value::F64(f)) => *f,
            other => panic!("{k}: {other:?}"),
        }
    }

    #[test]
    fn summary_and_rounded_up_quantiles() {
        let mut a = Dds::default();
        for i in 1..=100 {
            a.accumulate(&[&Value::I64(i)]).unwrap();
        }
        a.accumulate(&[&Value::I64(-7)]).unwrap();
        let r = a.emit().unwrap();
        assert_eq!(r.get("count"), Some(&Value::U64(100)));
        assert_eq!(num(&r, "sum"), 5050.0);
        assert_eq!(num(&r, "min"), 1.0);
        assert_eq!(num(&r, "max"), 100.0);
        assert_eq!(num(&r, "mean"), 50.5);
        let p = r.get("percentiles").unwrap();
        let p50 = num(p, "0.5");
        // Within the sketch's 1% accuracy, and a multiple of 0.1.
        assert!((49.0..=51.0).contains(&p50), "{p50}");
        assert!(((p50 * 10.0).round() - p50 * 10.0).abs() < 1e-9);
        assert_eq!(p.as_record().unwrap().len(), 7);
    }

    #[test]
    fn quantiles_of_one_to_five() {
        // Expected values computed independently from the sketch's bucket formula:
        // 3 lands in a bucket reported as 2.974.. (rounded up to 3.0), 4 in 4.0148.. (4.1).
        let mut a = Dds::default();
        for i in 1..=5 {
            a.accumulate(&[&Value::I64(i)]).unwrap();
        }
        let r = a.emit().unwrap();
        let p = r.get("percentiles").unwrap();
        assert_eq!(num(p, "0.5"), 3.0);
        for k in ["0.9", "0.95", "0.99", "0.999", "0.9999", "0.99999"] {
            assert_eq!(num(p, k), 4.1, "{k}");
        }
    }

    #[test]
    fn empty_is_zeros() {
        let r = Dds::default().emit().unwrap();
        assert_eq!(r.get("count"), Some(&Value::U64(0)));
        for k in ["sum", "min", "max", "mean"] {
            assert_eq!(num(&r, k), 0.0);
        }
        assert_eq!(num(r.get("percentiles").unwrap(), "0.99"), 0.0);
    }

    #[test]
    fn merge_custom_percentiles_and_errors() {
        let pcts = Value::Array(vec!["0.5".into()]);
        let mut a = Dds::default();
        a.accumulate(&[&Value::F64(2.0), &pcts]).unwrap();
        let mut b = Dds::default();
        b.accumulate(&[&Value::F64(4.0)]).unwrap();
        b.merge(&a).unwrap();
        let r = b.emit().unwrap();
        assert_eq!(r.get("count"), Some(&Value::U64(2)));
        assert_eq!(num(&r, "min"), 2.0);
        assert_eq!(r.get("percentiles").unwrap().as_record().unwrap().len(), 1);
        assert_eq!(b.accumulate(&[&Value::Null]), Err(FnError::BadType));
        assert_eq!(ceil(1.01, 1), 1.1);
        assert_eq!(ceil(2.0, 1), 2.0);
    }
}
