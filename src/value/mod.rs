//! The value type every stage shares: events, locals, constants, aggregate results.
//!
//! No lifetime: strings are `CompactString` (inline up to 24 bytes, so typical keys
//! and short values cost no allocation), records are insertion-ordered maps boxed to
//! keep `Value` at 32 bytes.

#[cfg(test)]
pub(crate) mod arb;
mod cmp;
mod compact;
mod cursor;
mod json;
mod project;
pub mod recycle;

pub use cmp::{sorted_serialize, sorted_serialize_into, test_eq, val_eq};
pub use compact::compact_json;
pub use json::{parse_json, parse_json_bytes, JsonError};
pub use project::{project_json, project_value, Fields, Scratch};

use indexmap::IndexMap;
use std::hash::BuildHasherDefault;

/// A string inside a value.
pub type Str = compact_str::CompactString;

/// A record: keys in insertion order. Remove with `shift_remove` to keep the order.
pub type Record = IndexMap<Str, Value, BuildHasherDefault<rustc_hash::FxHasher>>;

/// Records up to this size are searched by scanning their keys.
const SCAN_FIELDS: usize = 8;

/// `r[key]`. Events are small records: comparing a few short keys is cheaper than
/// hashing the key and probing, so those are scanned; larger records are hashed.
pub fn field<'r>(r: &'r Record, key: &str) -> Option<&'r Value> {
    if r.len() > SCAN_FIELDS {
        return r.get(key);
    }
    let key = key.as_bytes();
    // A byte loop: for keys this short a call to `memcmp` costs more than it saves.
    let same = |k: &Str| {
        let k = k.as_bytes();
        k.len() == key.len() && k.iter().zip(key).all(|(a, b)| a == b)
    };
    r.iter().find(|(k, _)| same(k)).map(|(_, v)| v)
}

/// A JSON-like value plus bytes, with signed and unsigned integers kept apart.
#[derive(Debug, Clone, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    String(Str),
    Bytes(Box<[u8]>),
    Array(Vec<Value>),
    Record(Box<Record>),
}

impl PartialEq for Value {
    /// Structural equality as the language defines it (`1 == 1.0`); see [`val_eq`].
    fn eq(&self, other: &Self) -> bool {
        val_eq(self, other)
    }
}

impl Value {
    /// An empty record.
    pub fn record() -> Value {
        Value::Record(Box::default())
    }
    /// An empty array.
    pub fn array() -> Value {
        Value::Array(Vec::new())
    }

    /// The type name used in error messages (Tremor's `ValueType` names).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::I64(_) | Value::U64(_) => "integer",
            Value::F64(_) => "float",
            Value::String(_) => "string",
            Value::Bytes(_) => "bytes",
            Value::Array(_) => "array",
            Value::Record(_) => "record",
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    /// Any integer that fits an i64.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::I64(i) => Some(*i),
            Value::U64(u) => i64::try_from(*u).ok(),
            _ => None,
        }
    }
    /// Any non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::U64(u) => Some(*u),
            Value::I64(i) => u64::try_from(*i).ok(),
            _ => None,
        }
    }
    /// Ints and floats as f64 (Tremor's `cast_f64`).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::F64(f) => Some(*f),
            Value::I64(i) => Some(*i as f64),
            Value::U64(u) => Some(*u as f64),
            _ => None,
        }
    }
    pub fn is_number(&self) -> bool {
        matches!(self, Value::I64(_) | Value::U64(_) | Value::F64(_))
    }
    pub fn is_integer(&self) -> bool {
        matches!(self, Value::I64(_) | Value::U64(_))
    }
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }
    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }
    pub fn as_record(&self) -> Option<&Record> {
        match self {
            Value::Record(r) => Some(r),
            _ => None,
        }
    }
    pub fn as_record_mut(&mut self) -> Option<&mut Record> {
        match self {
            Value::Record(r) => Some(r),
            _ => None,
        }
    }
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }
    /// `record[key]` when this is a record holding `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_record().and_then(|r| field(r, key))
    }
    /// `array[idx]` when this is an array long enough.
    pub fn get_idx(&self, idx: usize) -> Option<&Value> {
        self.as_array().and_then(|a| a.get(idx))
    }

    /// Compact JSON (the form output files and `err` events use).
    pub fn encode(&self) -> String {
        let mut out = Vec::with_capacity(64);
        json::write(self, &mut out);
        // The writer only emits valid UTF-8.
        String::from_utf8(out).unwrap_or_default()
    }
    /// Appends compact JSON to `out` (no allocation beyond `out`'s growth).
    pub fn write_json(&self, out: &mut Vec<u8>) {
        json::write(self, out)
    }
    /// Indented JSON, for people.
    pub fn encode_pretty(&self) -> String {
        json::pretty(self)
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.encode())
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::I64(i)
    }
}
impl From<i32> for Value {
    fn from(i: i32) -> Self {
        Value::I64(i as i64)
    }
}
impl From<u64> for Value {
    fn from(u: u64) -> Self {
        Value::U64(u)
    }
}
impl From<usize> for Value {
    fn from(u: usize) -> Self {
        Value::U64(u as u64)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::F64(f)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(Str::from(s))
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(Str::from(s))
    }
}
impl From<Str> for Value {
    fn from(s: Str) -> Self {
        Value::String(s)
    }
}
impl From<Vec<Value>> for Value {
    fn from(a: Vec<Value>) -> Self {
        Value::Array(a)
    }
}
impl From<Record> for Value {
    fn from(r: Record) -> Self {
        Value::Record(Box::new(r))
    }
}
impl From<Vec<u8>> for Value {
    fn from(b: Vec<u8>) -> Self {
        Value::Bytes(b.into_boxed_slice())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(o: Option<T>) -> Self {
        o.map_or(Value::Null, Into::into)
    }
}

/// Builds a record value: `record! { "a" => 1, "b" => "x" }`.
#[macro_export]
macro_rules! record {
    () => { $crate::value::Value::record() };
    ($($k:expr => $v:expr),+ $(,)?) => {{
        let mut r = $crate::value::Record::default();
        $( r.insert($crate::value::Str::from($k), $crate::value::Value::from($v)); )+
        $crate::value::Value::Record(Box::new(r))
    }};
}

#[cfg(test)]
mod field_tests {
    use super::*;

    #[test]
    fn field_finds_keys_in_small_and_large_records() {
        for n in [0, 1, 3, SCAN_FIELDS, SCAN_FIELDS + 1, 40] {
            let mut r = Record::default();
            for i in 0..n {
                r.insert(Str::from(format!("k{i}")), Value::from(i));
            }
            for i in 0..n {
                assert_eq!(field(&r, &format!("k{i}")), Some(&Value::from(i)), "{n}");
            }
            assert_eq!(field(&r, "k"), None);
            assert_eq!(field(&r, &format!("k{n}")), None);
            assert_eq!(field(&r, ""), None);
        }
    }
}
