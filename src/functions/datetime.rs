//! `datetime::*`: dates and times as integer nanoseconds since the Unix epoch (UTC).
//!
//! A datetime argument is either an integer (ns since epoch, read in UTC) or the
//! record `{"timestamp": ns, "tz": "Europe/Berlin"}` that `with_timezone` builds;
//! the field accessors and formatters then work in that timezone.

use super::{FnDecl, FnError};
use crate::event::FnCtx;
use crate::value::{Record, Str, Value};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Timelike};
use chrono_tz::Tz;
use std::fmt::Write;

/// Reads a datetime argument: an integer, or a `{"timestamp", "tz"}` record.
fn datetime(v: &Value) -> Result<DateTime<Tz>, FnError> {
    let (ns, tz) = match v {
        Value::Record(r) => {
            let ns = r.get("timestamp").ok_or(FnError::BadType)?;
            let tz = r
                .get("tz")
                .and_then(Value::as_str)
                .ok_or(FnError::BadType)?;
            (ns, timezone(tz)?)
        }
        _ => (v, Tz::UTC),
    };
    let ns = match ns {
        Value::I64(i) => *i,
        Value::U64(u) => i64::try_from(*u)
            .map_err(|_| FnError::runtime(format!("timestamp {u} is out of range")))?,
        _ => return Err(FnError::BadType),
    };
    Ok(tz.timestamp_nanos(ns))
}

fn timezone(name: &str) -> Result<Tz, FnError> {
    name.parse::<Tz>()
        .map_err(|_| FnError::runtime(format!("Unknown timezone `{name}`")))
}

fn str_arg(v: &Value) -> Result<&str, FnError> {
    v.as_str().ok_or(FnError::BadType)
}

/// Formats with a strftime string; a bad format is an error, not a panic.
fn format_with(dt: &DateTime<Tz>, fmt: &str) -> Result<String, FnError> {
    let mut out = String::new();
    write!(out, "{}", dt.format(fmt))
        .map_err(|_| FnError::runtime(format!("Invalid datetime format `{fmt}`")))?;
    Ok(out)
}

/// Whether a strftime format reads a UTC offset, so the parsed text carries its own zone.
fn has_offset(fmt: &str) -> bool {
    ["%z", "%:z", "%::z", "%#z", "%+", "%s"]
        .iter()
        .any(|s| fmt.contains(s))
}

/// Parses `text` with `fmt` into ns since epoch: with an offset when the format has
/// one, otherwise as a UTC datetime, otherwise as a date at midnight UTC.
fn parse_ns(text: &str, fmt: &str) -> Result<i64, String> {
    let dt = if has_offset(fmt) {
        DateTime::parse_from_str(text, fmt)
            .map(|d| d.naive_utc())
            .map_err(|e| e.to_string())?
    } else {
        match NaiveDateTime::parse_from_str(text, fmt) {
            Ok(d) => d,
            Err(e) => NaiveDate::parse_from_str(text, fmt)
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .ok_or_else(|| e.to_string())?,
        }
    };
    dt.and_utc()
        .timestamp_nanos_opt()
        .ok_or_else(|| "out of range".to_string())
}

fn parse(_: &FnCtx, a: &[&Value]) -> Result<Value, FnError> {
    let (text, fmt) = (str_arg(a[0])?, str_arg(a[1])?);
    parse_ns(text, fmt)
        .map(Value::from)
        .map_err(|e| FnError::runtime(format!("Cannot Parse {text} to valid timestamp: {e}")))
}

fn format(_: &FnCtx, a: &[&Value]) -> Result<Value, FnError> {
    format_with(&datetime(a[0])?, str_arg(a[1])?).map(Value::from)
}

fn rfc3339(_: &FnCtx, a: &[&Value]) -> Result<Value, FnError> {
    Ok(Value::from(datetime(a[0])?.to_rfc3339()))
}

fn rfc2822(_: &FnCtx, a: &[&Value]) -> Result<Value, FnError> {
    Ok(Value::from(datetime(a[0])?.to_rfc2822()))
}

fn with_timezone(_: &FnCtx, a: &[&Value]) -> Result<Value, FnError> {
    let dt = datetime(a[0])?;
    let name = str_arg(a[1])?;
    let tz = timezone(name)?;
    // Out-of-range timestamps were rejected by `datetime` already.
    let ns = dt.timestamp_nanos_opt().unwrap_or_default();
    let mut r = Record::default();
    r.insert(Str::from("timestamp"), Value::I64(ns));
    r.insert(Str::from("tz"), Value::from(tz.name()));
    Ok(Value::from(r))
}

/// Defines an accessor returning one integer field of the datetime.
macro_rules! field {
    ($name:ident, |$d:ident| $e:expr) => {
        fn $name(_: &FnCtx, a: &[&Value]) -> Result<Value, FnError> {
            let $d = datetime(a[0])?;
            Ok(Value::I64(i64::from($e)))
        }
    };
}
field!(year, |d| d.year());
field!(month, |d| d.month());
field!(iso_week, |d| d.iso_week().week());
field!(day_of_month, |d| d.day());
field!(day_of_year, |d| d.ordinal());
field!(hour, |d| d.hour());
field!(minute, |d| d.minute());
field!(second, |d| d.second());
field!(subsecond_millis, |d| d.nanosecond() / 1_000_000);
field!(subsecond_micros, |d| d.nanosecond() / 1_000);
field!(subsecond_nanos, |d| d.nanosecond());

/// `n` units → ns, as an int; errors on overflow instead of wrapping.
fn scaled(v: &Value, factor: i128) -> Result<Value, FnError> {
    let n = match v {
        Value::I64(i) => i128::from(*i),
        Value::U64(u) => i128::from(*u),
        _ => return Err(FnError::BadType),
    };
    let ns = n
        .checked_mul(factor)
        .ok_or_else(|| FnError::runtime("duration overflows"))?;
    if let Ok(i) = i64::try_from(ns) {
        Ok(Value::I64(i))
    } else if let Ok(u) = u64::try_from(ns) {
        Ok(Value::U64(u))
    } else {
        Err(FnError::runtime(format!("duration of {ns} ns overflows")))
    }
}

macro_rules! duration {
    ($name:ident, $factor:expr) => {
        fn $name(_: &FnCtx, a: &[&Value]) -> Result<Value, FnError> {
            scaled(a[0], $factor)
        }
    };
}
duration!(with_nanoseconds, 1);
duration!(with_microseconds, 1_000);
duration!(with_milliseconds, 1_000_000);
duration!(with_seconds, 1_000_000_000);
duration!(with_minutes, 60 * 1_000_000_000);
duration!(with_hours, 3_600 * 1_000_000_000);
duration!(with_days, 86_400 * 1_000_000_000);

/// A pure `datetime::` function.
const fn decl(
    name: &'static str,
    arity: usize,
    doc: &'static str,
    examples: &'static [(&'static str, &'static str)],
    f: super::NativeFn,
) -> FnDecl {
    FnDecl {
        module: "datetime",
        name,
        arity: arity..=arity,
        pure: true,
        doc,
        examples,
        f,
    }
}

// 1_000_000_000_123_456_789 ns is 2001-09-09T01:46:40.123456789Z, a Sunday in ISO week 36.
const T: &str = "[1000000000123456789]";
const T_BERLIN: &str = r#"[{"timestamp": 1000000000123456789, "tz": "Europe/Berlin"}]"#;

/// Registers the `datetime` natives.
pub fn register(r: &mut super::Registry) {
    for d in [
        decl(
            "parse",
            2,
            "Parses a string with a strftime format into ns since epoch (UTC when the format has no offset).",
            &[
                (r#"["1983-10-02T13:37:00+00:00", "%Y-%m-%dT%H:%M:%S%:z"]"#, "433949820000000000"),
                (r#"["2001-09-09 01:46:40", "%Y-%m-%d %H:%M:%S"]"#, "1000000000000000000"),
                (r#"["2001-09-09", "%Y-%m-%d"]"#, "999993600000000000"),
            ],
            parse,
        ),
        decl(
            "format",
            2,
            "Formats a datetime with a strftime format string.",
            &[
                (r#"[1000000000123456789, "%Y-%m-%d %H:%M:%S%.3f"]"#, r#""2001-09-09 01:46:40.123""#),
                (r#"[0, "%a, %d %b %Y"]"#, r#""Thu, 01 Jan 1970""#),
            ],
            format,
        ),
        decl(
            "rfc3339",
            1,
            "Formats a datetime as RFC 3339.",
            &[
                ("[0]", r#""1970-01-01T00:00:00+00:00""#),
                (T_BERLIN, r#""2001-09-09T03:46:40.123456789+02:00""#),
            ],
            rfc3339,
        ),
        decl(
            "rfc2822",
            1,
            "Formats a datetime as RFC 2822.",
            &[(T, r#""Sun, 9 Sep 2001 01:46:40 +0000""#)],
            rfc2822,
        ),
        decl(
            "with_timezone",
            2,
            "Attaches a timezone to a datetime, giving `{\"timestamp\": ns, \"tz\": name}`; other datetime functions then work in that zone.",
            &[(
                r#"[0, "Europe/Berlin"]"#,
                r#"{"timestamp": 0, "tz": "Europe/Berlin"}"#,
            )],
            with_timezone,
        ),
        decl("year", 1, "The year of a datetime.", &[(T, "2001")], year),
        decl("month", 1, "The month (1-12) of a datetime.", &[(T, "9")], month),
        decl("iso_week", 1, "The ISO 8601 week number of a datetime.", &[(T, "36")], iso_week),
        decl(
            "day_of_month",
            1,
            "The day of the month (1-31) of a datetime.",
            &[(T, "9"), ("[0]", "1")],
            day_of_month,
        ),
        decl(
            "day_of_year",
            1,
            "The day of the year (1-366) of a datetime.",
            &[(T, "252")],
            day_of_year,
        ),
        decl(
            "hour",
            1,
            "The hour (0-23) of a datetime.",
            &[(T, "1"), (T_BERLIN, "3")],
            hour,
        ),
        decl("minute", 1, "The minute (0-59) of a datetime.", &[(T, "46")], minute),
        decl("second", 1, "The second (0-59) of a datetime.", &[(T, "40")], second),
        decl(
            "subsecond_millis",
            1,
            "The fraction of the second of a datetime, in whole milliseconds.",
            &[(T, "123")],
            subsecond_millis,
        ),
        decl(
            "subsecond_micros",
            1,
            "The fraction of the second of a datetime, in whole microseconds.",
            &[(T, "123456")],
            subsecond_micros,
        ),
        decl(
            "subsecond_nanos",
            1,
            "The fraction of the second of a datetime, in nanoseconds.",
            &[(T, "123456789")],
            subsecond_nanos,
        ),
        decl("with_nanoseconds", 1, "A duration of n nanoseconds, in ns.", &[("[5]", "5")], with_nanoseconds),
        decl("with_microseconds", 1, "A duration of n microseconds, in ns.", &[("[5]", "5000")], with_microseconds),
        decl("with_milliseconds", 1, "A duration of n milliseconds, in ns.", &[("[5]", "5000000")], with_milliseconds),
        decl("with_seconds", 1, "A duration of n seconds, in ns.", &[("[15]", "15000000000")], with_seconds),
        decl("with_minutes", 1, "A duration of n minutes, in ns.", &[("[2]", "120000000000")], with_minutes),
        decl("with_hours", 1, "A duration of n hours, in ns.", &[("[1]", "3600000000000")], with_hours),
        decl("with_days", 1, "A duration of n days, in ns.", &[("[1]", "86400000000000")], with_days),
    ] {
        r.add(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::parse_json;

    fn call(f: super::super::NativeFn, args: &[Value]) -> Result<Value, FnError> {
        let args: Vec<&Value> = args.iter().collect();
        f(&FnCtx::default(), &args)
    }

    #[test]
    fn parse_round_trips_format() {
        let fmt = Value::from("%Y-%m-%dT%H:%M:%S%.9f%:z");
        let s = call(
            format,
            &[Value::I64(1_000_000_000_123_456_789), fmt.clone()],
        )
        .unwrap();
        let back = call(parse, &[s, fmt]).unwrap();
        assert_eq!(back.as_i64(), Some(1_000_000_000_123_456_789));
    }

    #[test]
    fn stdlib_formats_parse_what_they_format() {
        let src = include_str!("../../stdlib/std/datetime/formats.tremor");
        let mut checked = 0;
        for line in src.lines().filter_map(|l| l.strip_prefix("const ")) {
            let (name, rest) = line.split_once(" = ").unwrap();
            let f = rest.trim_end_matches(';').trim_matches('"');
            let t = 1_000_000_000_000_000_000;
            let s = call(format, &[Value::I64(t), Value::from(f)]).unwrap();
            // A time of day or a date alone cannot give the instant back.
            if name == "TIME" || name == "ISO8601_DATE" {
                continue;
            }
            let back = call(parse, &[s.clone(), Value::from(f)]);
            assert_eq!(back.ok().and_then(|v| v.as_i64()), Some(t), "{name}: {s}");
            checked += 1;
        }
        assert!(checked >= 6);
        let date = call(parse, &[Value::from("2001-09-09"), Value::from("%Y-%m-%d")]).unwrap();
        assert_eq!(date.as_i64(), Some(999_993_600_000_000_000));
    }

    #[test]
    fn timezones_module_lists_every_chrono_tz_zone() {
        let src = include_str!("../../stdlib/std/datetime/timezones.tremor");
        let names: Vec<&str> = src
            .lines()
            .filter_map(|l| l.strip_prefix("const "))
            .filter_map(|l| l.split('"').nth(1))
            .collect();
        assert_eq!(names.len(), chrono_tz::TZ_VARIANTS.len());
        for n in names {
            assert!(timezone(n).is_ok(), "{n}");
        }
    }

    #[test]
    fn parse_errors_name_the_input() {
        let e = call(parse, &[Value::from("snot"), Value::from("%Y")]).unwrap_err();
        match e {
            FnError::Runtime(m) => {
                assert!(m.starts_with("Cannot Parse snot to valid timestamp"), "{m}")
            }
            FnError::BadType => panic!("expected a runtime error"),
        }
    }

    #[test]
    fn bad_inputs_are_errors_not_panics() {
        assert_eq!(call(year, &[Value::from("x")]), Err(FnError::BadType));
        assert_eq!(call(year, &[Value::F64(1.0)]), Err(FnError::BadType));
        assert!(call(year, &[Value::U64(u64::MAX)]).is_err());
        let bad_tz = parse_json(r#"{"timestamp": 0, "tz": "Mars/Olympus"}"#).unwrap();
        assert!(matches!(call(hour, &[bad_tz]), Err(FnError::Runtime(_))));
        assert!(call(with_timezone, &[Value::I64(0), Value::from("Nowhere")]).is_err());
        // An unknown specifier must not panic inside chrono's Display.
        assert!(call(format, &[Value::I64(0), Value::from("%Q")]).is_err());
    }

    #[test]
    fn timezone_shifts_fields() {
        let berlin = call(
            with_timezone,
            &[Value::I64(0), Value::from("Europe/Berlin")],
        )
        .unwrap();
        assert_eq!(
            call(hour, std::slice::from_ref(&berlin)).unwrap().as_i64(),
            Some(1)
        );
        assert_eq!(call(hour, &[Value::I64(0)]).unwrap().as_i64(), Some(0));
        let s = call(rfc2822, &[berlin]).unwrap();
        assert_eq!(s.as_str(), Some("Thu, 1 Jan 1970 01:00:00 +0100"));
    }

    #[test]
    fn format_uses_the_zone_abbreviation() {
        let ny = call(
            with_timezone,
            &[
                Value::I64(1_000_000_000_000_000_000),
                Value::from("America/New_York"),
            ],
        )
        .unwrap();
        let s = call(format, &[ny, Value::from("%Y-%m-%d %H:%M %Z")]).unwrap();
        assert_eq!(s.as_str(), Some("2001-09-08 21:46 EDT"));
    }

    #[test]
    fn durations_check_overflow() {
        assert_eq!(
            call(with_seconds, &[Value::I64(-2)]).unwrap().as_i64(),
            Some(-2_000_000_000)
        );
        assert!(call(with_days, &[Value::I64(i64::MAX)]).is_err());
        assert_eq!(
            call(with_minutes, &[Value::F64(1.0)]),
            Err(FnError::BadType)
        );
        let big = call(with_nanoseconds, &[Value::U64(u64::MAX)]).unwrap();
        assert_eq!(big.as_u64(), Some(u64::MAX));
    }
}
