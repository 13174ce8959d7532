//! The percentile list `hdr` and `dds` report: `["0.5", "0.9", ...]` as strings (the
//! result keys) with their parsed fraction.

use crate::functions::FnError;
use crate::value::Value;

/// The percentiles reported when the call gives none.
const DEFAULT: [(&str, f64); 7] = [
    ("0.5", 0.5),
    ("0.9", 0.9),
    ("0.95", 0.95),
    ("0.99", 0.99),
    ("0.999", 0.999),
    ("0.9999", 0.9999),
    ("0.99999", 0.99999),
];

/// The percentile list of one call site, fixed by the first call that names one.
#[derive(Debug, Clone)]
pub(super) struct Percentiles {
    pub list: Vec<(String, f64)>,
    set: bool,
}

impl Default for Percentiles {
    fn default() -> Self {
        Percentiles {
            list: DEFAULT.iter().map(|(s, p)| (s.to_string(), *p)).collect(),
            set: false,
        }
    }
}

impl Percentiles {
    /// Whether a call gave the list (it is then fixed).
    pub fn is_set(&self) -> bool {
        self.set
    }
    /// Takes the list from the second argument the first time one is given;
    /// non-string elements are skipped, strings that are not numbers are errors.
    pub fn configure(&mut self, args: &[&Value]) -> Result<(), FnError> {
        if self.set {
            return Ok(());
        }
        let Some(vals) = args.get(1).and_then(|v| v.as_array()) else {
            return Ok(());
        };
        let mut list = Vec::with_capacity(vals.len());
        for s in vals.iter().filter_map(Value::as_str) {
            let p = s.parse::<f64>().map_err(|e| {
                FnError::runtime(format!("Provided percentile '{s}' isn't a float: {e}"))
            })?;
            list.push((s.to_string(), p));
        }
        self.list = list;
        self.set = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_then_fixed_at_first_call() {
        let mut p = Percentiles::default();
        assert_eq!(p.list.len(), 7);
        p.configure(&[&Value::I64(1)]).unwrap();
        assert_eq!(p.list.len(), 7);
        let l = Value::Array(vec!["0.5".into(), Value::I64(3), "0.99".into()]);
        p.configure(&[&Value::I64(1), &l]).unwrap();
        assert_eq!(p.list, vec![("0.5".into(), 0.5), ("0.99".into(), 0.99)]);
        let l2 = Value::Array(vec!["0.1".into()]);
        p.configure(&[&Value::I64(1), &l2]).unwrap();
        assert_eq!(p.list.len(), 2);
    }

    #[test]
    fn bad_percentile_string_is_an_error() {
        let mut p = Percentiles::default();
        let l = Value::Array(vec!["high".into()]);
        let e = p.configure(&[&Value::I64(1), &l]).unwrap_err();
        assert!(matches!(e, FnError::Runtime(m) if m.contains("'high' isn't a float")));
    }
}
