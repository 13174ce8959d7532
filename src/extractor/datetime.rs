//! `datetime|format|`: parses with a strftime format into epoch nanoseconds.
//!
//! Formats with an offset specifier (`%z`, `%:z`, `%::z`, `%#z`, `%+`, and `%s`,
//! which fixes the instant) parse as an
//! offset date-time; all others as a naive date-time taken as UTC, or, when the
//! format gives only a date, as midnight UTC of that date (the same rules as
//! `datetime::parse`).

use crate::value::Value;
use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// A `datetime` extractor: the format and whether it carries a timezone offset.
#[derive(Debug, Clone)]
pub(super) struct Datetime {
    format: String,
    has_timezone: bool,
}

impl Datetime {
    /// Any format is accepted; one that can never parse simply never matches.
    pub(super) fn new(format: &str) -> Datetime {
        let has_timezone = ["%z", "%:z", "%::z", "%#z", "%+", "%s"]
            .iter()
            .any(|t| format.contains(t));
        Datetime {
            format: format.to_string(),
            has_timezone,
        }
    }

    /// `None` when `s` does not parse with the format (or is out of the i64 ns range).
    pub(super) fn extract(&self, s: &str) -> Option<Value> {
        let ns = if self.has_timezone {
            DateTime::parse_from_str(s, &self.format)
                .ok()?
                .timestamp_nanos_opt()?
        } else {
            let naive = match NaiveDateTime::parse_from_str(s, &self.format) {
                Ok(d) => d,
                Err(_) => NaiveDate::parse_from_str(s, &self.format)
                    .ok()?
                    .and_hms_opt(0, 0, 0)?,
            };
            naive.and_utc().timestamp_nanos_opt()?
        };
        Some(Value::I64(ns))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: &str, s: &str) -> Option<i64> {
        Datetime::new(f).extract(s).and_then(|v| v.as_i64())
    }

    #[test]
    fn naive() {
        assert_eq!(
            run("%Y-%m-%d %H:%M:%S", "1970-01-01 00:00:01"),
            Some(1_000_000_000)
        );
        assert_eq!(
            run("%Y-%m-%d %H:%M:%S", "2019-06-20 12:00:00"),
            Some(1_561_032_000_000_000_000)
        );
        assert_eq!(run("%Y-%m-%d %H:%M:%S", "2019-06-20"), None);
        assert_eq!(
            run("%Y-%m-%d", "2019-06-20"),
            Some(1_560_988_800_000_000_000)
        );
        assert_eq!(run("%H:%M", "12:00"), None, "no date given");
    }

    #[test]
    fn epoch_seconds() {
        assert_eq!(run("%s", "1561032000"), Some(1_561_032_000_000_000_000));
    }

    #[test]
    fn with_offset() {
        assert_eq!(
            run("%Y-%m-%d %H:%M:%S %z", "1970-01-01 01:00:00 +0100"),
            Some(0)
        );
        assert_eq!(
            run("%Y-%m-%dT%H:%M:%S%.f%:z", "1970-01-01T00:00:00.5+00:00"),
            Some(500_000_000)
        );
        assert_eq!(run("%Y-%m-%d %H:%M:%S %z", "1970-01-01 01:00:00"), None);
    }
}
