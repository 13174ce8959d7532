//! Checks that every function of LANGUAGE.md §7's table resolves, with the listed
//! arity, through the module a query would `use`, and that the stdlib does not shadow
//! the `aggr::` aggregates.

use crate::compile::{compile_script, ModulePath};
use crate::diag::{render_all, SourceMap};

/// `(module to use, alias it is called through, function, arities)` for LANGUAGE.md §7.
const TABLE: &[(&str, &str, &str, &[usize])] = &[
    ("std::array", "array", "len", &[1]),
    ("std::array", "array", "is_empty", &[1]),
    ("std::array", "array", "contains", &[2]),
    ("std::array", "array", "push", &[2]),
    ("std::array", "array", "zip", &[2]),
    ("std::array", "array", "unzip", &[1]),
    ("std::array", "array", "flatten", &[1]),
    ("std::array", "array", "coalesce", &[1]),
    ("std::array", "array", "join", &[2]),
    ("std::array", "array", "concatenate", &[2]),
    ("std::array", "array", "sort", &[1]),
    ("std::array", "array", "reverse", &[1]),
    ("std::string", "string", "format", &[1, 2, 3, 5]),
    ("std::string", "string", "is_empty", &[1]),
    ("std::string", "string", "len", &[1]),
    ("std::string", "string", "bytes", &[1]),
    ("std::string", "string", "replace", &[3]),
    ("std::string", "string", "trim", &[1]),
    ("std::string", "string", "trim_start", &[1]),
    ("std::string", "string", "trim_end", &[1]),
    ("std::string", "string", "lowercase", &[1]),
    ("std::string", "string", "uppercase", &[1]),
    ("std::string", "string", "capitalize", &[1]),
    ("std::string", "string", "substr", &[3]),
    ("std::string", "string", "split", &[2]),
    ("std::string", "string", "contains", &[2]),
    ("std::string", "string", "from_utf8_lossy", &[1]),
    ("std::string", "string", "into_binary", &[1]),
    ("std::string", "string", "reverse", &[1]),
    ("std::record", "record", "len", &[1]),
    ("std::record", "record", "is_empty", &[1]),
    ("std::record", "record", "contains", &[2]),
    ("std::record", "record", "keys", &[1]),
    ("std::record", "record", "values", &[1]),
    ("std::record", "record", "to_array", &[1]),
    ("std::record", "record", "from_array", &[1]),
    ("std::record", "record", "extract", &[2]),
    ("std::record", "record", "combine", &[2]),
    ("std::record", "record", "rename", &[2]),
    ("std::type", "type", "as_string", &[1]),
    ("std::type", "type", "is_null", &[1]),
    ("std::type", "type", "is_bool", &[1]),
    ("std::type", "type", "is_integer", &[1]),
    ("std::type", "type", "is_float", &[1]),
    ("std::type", "type", "is_number", &[1]),
    ("std::type", "type", "is_string", &[1]),
    ("std::type", "type", "is_array", &[1]),
    ("std::type", "type", "is_record", &[1]),
    ("std::type", "type", "is_binary", &[1]),
    ("std::math", "math", "floor", &[1]),
    ("std::math", "math", "ceil", &[1]),
    ("std::math", "math", "round", &[1]),
    ("std::math", "math", "trunc", &[1]),
    ("std::math", "math", "max", &[2]),
    ("std::math", "math", "min", &[2]),
    ("std::integer", "integer", "parse", &[1]),
    ("std::float", "float", "parse", &[1]),
    ("std::float", "float", "is_finite", &[1]),
    ("std::float", "float", "is_nan", &[1]),
    ("std::float", "float", "is_infinite", &[1]),
    ("std::json", "json", "decode", &[1]),
    ("std::json", "json", "encode", &[1]),
    ("std::json", "json", "encode_pretty", &[1]),
    ("std::base64", "base64", "encode", &[1]),
    ("std::base64", "base64", "decode", &[1]),
    ("std::binary", "binary", "len", &[1]),
    ("std::binary", "binary", "from_bytes", &[1]),
    ("std::binary", "binary", "into_bytes", &[1]),
    ("std::url", "url", "encode", &[1]),
    ("std::url", "url", "decode", &[1]),
    ("std::re", "re", "replace", &[3]),
    ("std::re", "re", "replace_all", &[3]),
    ("std::re", "re", "is_match", &[2]),
    ("std::re", "re", "split", &[2]),
    ("std::range", "range", "range", &[2]),
    ("std::range", "range", "contains", &[2]),
    ("std::path", "path", "try_default", &[3]),
    ("std::random", "random", "bool", &[0]),
    ("std::random", "random", "string", &[1]),
    ("std::random", "random", "integer", &[0, 1, 2]),
    ("std::random", "random", "float", &[0, 1, 2]),
    ("std::datetime", "datetime", "rfc3339", &[1]),
    ("std::datetime", "datetime", "rfc2822", &[1]),
    ("std::datetime", "datetime", "format", &[2]),
    ("std::datetime", "datetime", "parse", &[2]),
    ("std::datetime", "datetime", "with_timezone", &[2]),
    ("std::datetime", "datetime", "year", &[1]),
    ("std::datetime", "datetime", "month", &[1]),
    ("std::datetime", "datetime", "iso_week", &[1]),
    ("std::datetime", "datetime", "day_of_month", &[1]),
    ("std::datetime", "datetime", "day_of_year", &[1]),
    ("std::datetime", "datetime", "hour", &[1]),
    ("std::datetime", "datetime", "minute", &[1]),
    ("std::datetime", "datetime", "second", &[1]),
    ("std::datetime", "datetime", "subsecond_millis", &[1]),
    ("std::datetime", "datetime", "subsecond_micros", &[1]),
    ("std::datetime", "datetime", "subsecond_nanos", &[1]),
    ("std::time::nanos", "nanos", "from_weeks", &[1]),
    ("std::time::nanos", "nanos", "from_days", &[1]),
    ("std::time::nanos", "nanos", "from_hours", &[1]),
    ("std::time::nanos", "nanos", "from_minutes", &[1]),
    ("std::time::nanos", "nanos", "from_seconds", &[1]),
    ("std::time::nanos", "nanos", "from_millis", &[1]),
    ("std::time::nanos", "nanos", "from_micros", &[1]),
    ("std::time::nanos", "nanos", "to_weeks", &[1]),
    ("std::time::nanos", "nanos", "to_days", &[1]),
    ("std::time::nanos", "nanos", "to_hours", &[1]),
    ("std::time::nanos", "nanos", "to_minutes", &[1]),
    ("std::time::nanos", "nanos", "to_seconds", &[1]),
    ("std::time::nanos", "nanos", "to_millis", &[1]),
    ("std::time::nanos", "nanos", "to_micros", &[1]),
    ("std::time::nanos", "nanos", "truncate_weeks", &[1]),
    ("std::time::nanos", "nanos", "truncate_days", &[1]),
    ("std::time::nanos", "nanos", "truncate_hours", &[1]),
    ("std::time::nanos", "nanos", "truncate_minutes", &[1]),
    ("std::time::nanos", "nanos", "truncate_seconds", &[1]),
    ("std::time::nanos", "nanos", "truncate_millis", &[1]),
    ("std::time::nanos", "nanos", "truncate_micros", &[1]),
    ("std::size", "size", "kiB", &[1]),
    ("std::size", "size", "MiB", &[1]),
    ("std::size", "size", "GiB", &[1]),
    ("std::size", "size", "TiB", &[1]),
    ("std::size", "size", "PiB", &[1]),
    ("std::size", "size", "EiB", &[1]),
    ("std::win", "win", "cardinality", &[0]),
    ("std::test", "test", "assert", &[3]),
    ("std::test", "test", "suite", &[1]),
    ("std::test", "test", "test", &[1]),
    ("tremor::system", "system", "hostname", &[0]),
    ("tremor::system", "system", "ingest_ns", &[0]),
    ("tremor::system", "system", "instance", &[0]),
    ("tremor::system", "system", "nanotime", &[0]),
    ("tremor::system", "system", "version", &[0]),
    ("tremor::origin", "origin", "scheme", &[0]),
    ("tremor::origin", "origin", "host", &[0]),
    ("tremor::origin", "origin", "port", &[0]),
    ("tremor::origin", "origin", "path", &[0]),
    ("tremor::origin", "origin", "as_uri_string", &[0]),
    ("tremor::origin", "origin", "as_uri_record", &[0]),
    ("tremor::chash", "chash", "jump", &[2]),
    ("tremor::chash", "chash", "jump_with_keys", &[4]),
    ("tremor::chash", "chash", "sorted_serialize", &[1]),
];

/// Consts of the table: `(module to use, path it is read through)`.
const CONSTS: &[(&str, &str)] = &[
    ("std::integer", "integer::signed::MAX"),
    ("std::integer", "integer::signed::MIN"),
    ("std::integer", "integer::unsigned::MAX"),
    ("std::integer", "integer::unsigned::MIN"),
    ("std::time::nanos", "nanos::NANOS_PER_SECOND"),
    ("std::datetime", "datetime::formats::RFC3339"),
    ("std::datetime::timezones", "timezones::UTC"),
    ("tremor::windows", "windows::EMIT_AND_INCLUDE"),
    ("tremor::mime", "mime::APPLICATION_JSON"),
    ("http", "http::OK"),
    ("cncf::otel::trace::spankind", "spankind::SERVER"),
    ("cncf::otel::logs::severity", "severity::INFO"),
    ("google::cloud::logging", "logging::INFO"),
    ("google::cloud::logging::severity", "severity::EMERGENCY"),
];

/// Compiles `src` as a script; the rendered diagnostics on failure.
fn compiles(src: &str) -> Result<(), String> {
    let mut sources = SourceMap::new();
    let file = sources.add("table.tremor", src);
    compile_script(&mut sources, file, &ModulePath::default())
        .map(|_| ())
        .map_err(|e| render_all(&e, &sources))
}

#[test]
fn language_table_resolves_with_listed_arities() {
    let mut failures = Vec::new();
    for (module, alias, name, arities) in TABLE {
        for n in *arities {
            // `event` arguments keep the call out of constant folding: only resolution is checked.
            let args = vec!["event"; *n].join(", ");
            let src = format!("use {module};\n{alias}::{name}({args})");
            if let Err(e) = compiles(&src) {
                failures.push(format!("{alias}::{name}/{n}: {e}"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn wrong_arity_is_rejected() {
    for (module, alias, name) in [
        ("std::array", "array", "len"),
        ("std::string", "string", "substr"),
    ] {
        let src = format!("use {module};\n{alias}::{name}(event, event, event, event)");
        assert!(
            compiles(&src).is_err(),
            "{alias}::{name}/4 should not resolve"
        );
    }
}

#[test]
fn table_consts_resolve() {
    let mut failures = Vec::new();
    for (module, path) in CONSTS {
        if let Err(e) = compiles(&format!("use {module};\n{path}")) {
            failures.push(format!("{path}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn std_modules_resolve_through_use_std() {
    compiles("use std;\nstd::string::len(event) + std::array::len([])").expect("use std");
}

#[test]
fn stdlib_modules_do_not_shadow_aggregates() {
    let src = "use std::math;\nuse std::array;\nuse std::string;\nuse std::record;\n\
               define window w from tumbling with size = 2 end;\n\
               select {\"min\": aggr::stats::min(event), \"n\": aggr::stats::count(), \
               \"all\": aggr::win::collect_flattened(event), \"m\": math::max(1, 2)} \
               from in[w] into out;";
    let mut sources = SourceMap::new();
    let file = sources.add("aggr.trickle", src);
    if let Err(e) = crate::query::compile_query(&mut sources, file, &ModulePath::default()) {
        panic!("{}", render_all(&e, &sources));
    }
}
