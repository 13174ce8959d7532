//! `aggr::stats::hdr(x[, ["0.5", ...]])`: an HDR histogram (3 significant digits,
//! auto-resizing) over the argument truncated to an unsigned integer.

use super::percentiles::Percentiles;
use super::stats::{aggr_boilerplate, make};
use super::{num_arg, same, AggrDecl, Aggregate};
use crate::functions::FnError;
use crate::value::{Record, Value};
use hdrhistogram::Histogram;
use std::any::Any;

pub(super) const HDR: AggrDecl = AggrDecl {
    module: "stats",
    name: "hdr",
    arity: 1..=2,
    make: make::<Hdr>,
    warning: None,
    doc: "HDR histogram of the argument: `{count, min, max, mean, stdev, var, percentiles}`. \
          Values are truncated to integers, negatives ignored; the optional second argument \
          lists the percentiles as strings (default 0.5 .. 0.99999).",
};

const SIGFIG: u8 = 3;

/// The histogram state of one call site; the histogram is made on the first value.
#[derive(Clone, Default)]
pub struct Hdr {
    histo: Option<Histogram<u64>>,
    percentiles: Percentiles,
}

impl Hdr {
    fn histo(&mut self) -> Result<&mut Histogram<u64>, FnError> {
        if self.histo.is_none() {
            let h = Histogram::new(SIGFIG).map_err(|e| FnError::runtime(format!("{e:?}")))?;
            self.histo = Some(h);
        }
        self.histo
            .as_mut()
            .ok_or_else(|| FnError::runtime("histogram missing"))
    }
}

impl Aggregate for Hdr {
    fn init_is_fresh(&self) -> bool {
        false
    }
    fn init(&mut self) {
        // The percentile list belongs to the call site and survives a reset.
        if let Some(h) = &mut self.histo {
            h.reset();
        }
    }
    fn accumulate(&mut self, args: &[&Value]) -> Result<(), FnError> {
        self.percentiles.configure(args)?;
        let v = num_arg(args)?;
        if v < 0.0 || v.is_nan() {
            return Ok(());
        }
        // `as` saturates: truncation towards zero, huge values clamp to u64::MAX.
        self.histo()?
            .record(v as u64)
            .map_err(|e| FnError::runtime(format!("{e:?}")))
    }
    fn merge(&mut self, src: &dyn Aggregate) -> Result<(), FnError> {
        let o = same::<Self>(src)?;
        if !self.percentiles.is_set() && o.percentiles.is_set() {
            self.percentiles = o.percentiles.clone();
        }
        match &o.histo {
            Some(oh) => self
                .histo()?
                .add(oh)
                .map_err(|e| FnError::runtime(format!("{e:?}"))),
            None => Ok(()),
        }
    }
    fn emit(&mut self) -> Result<Value, FnError> {
        let mut p = Record::default();
        let Some(h) = &self.histo else {
            for (name, _) in &self.percentiles.list {
                p.insert(name.into(), Value::U64(0));
            }
            return Ok(crate::record! {
                "count" => Value::U64(0),
                "min" => Value::U64(0),
                "max" => Value::U64(0),
                "mean" => 0.0,
                "stdev" => 0.0,
                "var" => 0.0,
                "percentiles" => p,
            });
        };
        for (name, pct) in &self.percentiles.list {
            p.insert(name.into(), Value::U64(h.value_at_percentile(pct * 100.0)));
        }
        let stdev = h.stdev();
        Ok(crate::record! {
            "count" => Value::U64(h.len()),
            "min" => Value::U64(h.min()),
            "max" => Value::U64(h.max()),
            "mean" => h.mean(),
            "stdev" => stdev,
            "var" => stdev * stdev,
            "percentiles" => p,
        })
    }
    aggr_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hdr(xs: &[Value], pcts: Option<&Value>) -> Value {
        let mut a = Hdr::default();
        for x in xs {
            match pcts {
                Some(p) => a.accumulate(&[x, p]).unwrap(),
                None => a.accumulate(&[x]).unwrap(),
            }
        }
        a.emit().unwrap()
    }

    #[test]
    fn exact_for_small_values() {
        let xs: Vec<Value> = (1..=100).map(Value::I64).collect();
        let r = hdr(&xs, None);
        assert_eq!(r.get("count"), Some(&Value::U64(100)));
        assert_eq!(r.get("min"), Some(&Value::U64(1)));
        assert_eq!(r.get("max"), Some(&Value::U64(100)));
        assert_eq!(r.get("mean"), Some(&Value::F64(50.5)));
        let p = r.get("percentiles").unwrap();
        assert!(matches!(p.get("0.5"), Some(Value::U64(50))));
        assert!(matches!(p.get("0.9"), Some(Value::U64(90))));
        assert!(matches!(p.get("0.99999"), Some(Value::U64(100))));
        assert_eq!(p.as_record().unwrap().len(), 7);
        let var = r.get("var").and_then(Value::as_f64).unwrap();
        // Population variance of 1..=100.
        assert!((var - 833.25).abs() < 1e-9, "{var}");
    }

    #[test]
    fn truncates_ignores_negatives_and_custom_percentiles() {
        let pcts = Value::Array(vec!["0.5".into(), Value::Null, "1.0".into()]);
        let xs = [
            Value::F64(2.9),
            Value::I64(-5),
            Value::F64(4.1),
            Value::I64(9),
        ];
        let r = hdr(&xs, Some(&pcts));
        assert_eq!(r.get("count"), Some(&Value::U64(3)));
        assert!(matches!(r.get("min"), Some(Value::U64(2))));
        let p = r.get("percentiles").unwrap().as_record().unwrap();
        assert_eq!(
            p.keys().map(|k| k.as_str()).collect::<Vec<_>>(),
            ["0.5", "1.0"]
        );
        assert!(matches!(p.get("0.5"), Some(Value::U64(4))));
        assert!(matches!(p.get("1.0"), Some(Value::U64(9))));
    }

    #[test]
    fn one_to_five() {
        let xs: Vec<Value> = (1..=5).map(Value::I64).collect();
        let r = hdr(&xs, None);
        assert_eq!(r.get("stdev"), Some(&Value::F64(std::f64::consts::SQRT_2)));
        let p = r.get("percentiles").unwrap();
        assert!(matches!(p.get("0.5"), Some(Value::U64(3))));
        assert!(matches!(p.get("0.9"), Some(Value::U64(5))));
    }

    #[test]
    fn empty_gives_zeros() {
        let r = hdr(&[], None);
        assert_eq!(r.get("count"), Some(&Value::U64(0)));
        assert!(matches!(r.get("max"), Some(Value::U64(0))));
        assert!(matches!(r.get("mean"), Some(Value::F64(m)) if *m == 0.0));
    }

    #[test]
    fn large_values_use_three_significant_digits() {
        let r = hdr(&[Value::I64(123_456)], None);
        let p50 = r.get("percentiles").and_then(|p| p.get("0.5")).unwrap();
        let p50 = p50.as_u64().unwrap();
        // Within 0.1% and never below the recorded value (highest equivalent).
        assert!((123_456..=123_456 + 124).contains(&p50), "{p50}");
    }

    #[test]
    fn merge_and_errors() {
        let mut a = Hdr::default();
        a.accumulate(&[&Value::I64(1)]).unwrap();
        let mut b = Hdr::default();
        b.accumulate(&[&Value::I64(3)]).unwrap();
        b.merge(&a).unwrap();
        let r = b.emit().unwrap();
        assert_eq!(r.get("count"), Some(&Value::U64(2)));
        assert_eq!(r.get("min"), Some(&Value::U64(1)));
        b.init();
        assert_eq!(b.emit().unwrap().get("count"), Some(&Value::U64(0)));
        assert_eq!(b.accumulate(&[&Value::from("x")]), Err(FnError::BadType));
    }
}
