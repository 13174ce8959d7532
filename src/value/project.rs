//! Decoding only the top-level fields a query reads.
//!
//! When every use of `event` in a query is `event.KEY...` for known keys, the other
//! fields' values are never looked at: they are checked (the line must still be
//! valid JSON) but not built. Only the "did you mean" hint of a missing key looks at
//! the other keys, and only at those within two edits of it: where the runner cannot
//! evaluate such an event again whole, the result keeps those keys too, in order,
//! with `null` values ([`Fields::hint_keys`]). Anything out of the ordinary (a
//! document that is not an object, escapes, numbers that might decode differently,
//! deep nesting, invalid JSON) gives up, and the caller decodes the whole document
//! the usual way, which also words any error.

use super::cursor::Cursor;
use super::{Record, Str, Value};

/// Nesting beyond this is left to the full decoder.
const MAX_DEPTH: usize = 64;

/// Which top-level fields of events to decode.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    pub keys: Vec<Str>,
    /// Also keep, with `null` values, the other keys a missing key's hint could name:
    /// those within two edits of one of `keys`.
    pub hint_keys: bool,
}

impl Fields {
    /// Whether a key not read is kept.
    fn keeps(&self, key: &str) -> bool {
        self.hint_keys && self.keys.iter().any(|k| within_two_edits(key, k))
    }
}

/// Levenshtein distance of at most 2 (as the hint measures it, over characters).
/// Keys are short: ASCII keys of up to 32 bytes are measured on the stack; anything
/// else counts as near, which only keeps a key that could have been left out.
fn within_two_edits(a: &str, b: &str) -> bool {
    const MAX: usize = 32;
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let ascii = a.is_ascii() && b.is_ascii();
    if ascii && a.len().abs_diff(b.len()) > 2 {
        return false;
    }
    if !ascii || a.len() > MAX || b.len() > MAX {
        return true;
    }
    // Two rows of the distance table, used in turn; distances fit a byte.
    let mut rows = [[0u8; MAX + 1]; 2];
    for (j, d) in rows[0].iter_mut().enumerate().take(b.len() + 1) {
        *d = j as u8;
    }
    for (i, &ca) in a.iter().enumerate() {
        let [prev, cur] = if i % 2 == 0 {
            let [p, c] = &mut rows;
            [p, c]
        } else {
            let [c, p] = &mut rows;
            [p, c]
        };
        cur[0] = (i + 1) as u8;
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + u8::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
    }
    rows[a.len() % 2][b.len()] <= 2
}

/// What [`project_json`] reuses from one call to the next, for one [`Fields`].
#[derive(Debug, Default)]
pub struct Scratch {
    pairs: Vec<(Str, Value)>,
    /// Keys not read met so far, and whether they are kept: events of one input
    /// mostly have the same keys, and measuring edits costs more than finding them here.
    seen: Vec<(Str, bool)>,
    /// Cleared records to fill instead of allocating (see [`super::recycle`]).
    spare: super::recycle::Spare,
}

/// Keys remembered in [`Scratch::seen`], at most.
const SEEN: usize = 64;

/// Spare records kept at most.
const SPARE: usize = 4096;

impl Scratch {
    /// Takes cleared records (as many as it has room for) to fill next.
    pub fn restock(&mut self, from: &mut super::recycle::Spare) {
        let n = SPARE.saturating_sub(self.spare.len()).min(from.len());
        self.spare.extend(from.drain(from.len() - n..));
    }

    fn keeps(&mut self, fields: &Fields, key: &str) -> bool {
        if !fields.hint_keys {
            return false;
        }
        if let Some((_, keep)) = self
            .seen
            .iter()
            .find(|(k, _)| same(k.as_bytes(), key.as_bytes()))
        {
            return *keep;
        }
        let keep = fields.keeps(key);
        if self.seen.len() < SEEN {
            self.seen.push((Str::from(key), keep));
        }
        keep
    }
}

/// The record `text` decodes to with only the `fields` filled in, or `None` when the
/// full decoder has to be asked.
pub fn project_json(text: &[u8], fields: &Fields, scratch: &mut Scratch) -> Option<Value> {
    let keys = fields.keys.as_slice();
    let text = simdutf8::basic::from_utf8(text).ok()?;
    // Control bytes are allowed only as whitespace between tokens; lines with any
    // are rare, and leaving them to the full decoder spares a check per string.
    // (Branch-free, so it vectorises.)
    if text.bytes().fold(false, |acc, c| acc | (c < 0x20)) {
        return None;
    }
    scratch.pairs.clear();
    let mut p = Scan {
        s: text,
        cur: Cursor::new(text.as_bytes()),
    };
    p.cur.ws();
    if p.cur.peek() != Some(b'{') {
        return None;
    }
    p.cur.i += 1;
    if !p.cur.eat(b'}') {
        loop {
            p.cur.ws();
            let key = p.contents()?;
            if !p.cur.eat(b':') {
                return None;
            }
            let (key, value) = match keys.iter().find(|k| same(k.as_bytes(), key.as_bytes())) {
                Some(k) => (k.clone(), p.value(1)?),
                None => {
                    p.skip(1)?;
                    if !scratch.keeps(fields, key) {
                        if p.cur.eat(b',') {
                            continue;
                        }
                        if p.cur.eat(b'}') {
                            break;
                        }
                        return None;
                    }
                    (Str::from(key), Value::Null)
                }
            };
            scratch.pairs.push((key, value));
            if p.cur.eat(b',') {
                continue;
            }
            if p.cur.eat(b'}') {
                break;
            }
            return None;
        }
    }
    p.cur.ws();
    if p.cur.i != text.len() {
        return None;
    }
    let mut r = match scratch.spare.pop() {
        Some(mut r) => {
            r.reserve(scratch.pairs.len());
            r
        }
        None => Box::new(Record::with_capacity_and_hasher(
            scratch.pairs.len(),
            Default::default(),
        )),
    };
    for (k, v) in scratch.pairs.drain(..) {
        // A repeated key keeps its first place and its last value, as decoding does.
        r.insert(k, v);
    }
    Some(Value::Record(r))
}

/// What [`project_json`] gives for a document that decodes to `v`: a record with the
/// values of keys not in `keys` set to `null`; other values as they are. (For a
/// runner that already holds decoded events, so it sees the graph as `trickle run` does.)
pub fn project_value(v: &Value, fields: &Fields) -> Value {
    match v {
        Value::Record(r) => Value::Record(Box::new(
            r.iter()
                .filter_map(|(k, v)| match fields.keys.contains(k) {
                    true => Some((k.clone(), v.clone())),
                    false => fields.keeps(k).then(|| (k.clone(), Value::Null)),
                })
                .collect(),
        )),
        other => other.clone(),
    }
}

/// Byte equality without a call to `memcmp`, which costs more than keys this short.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// The first `"` or `\\` at or after `i`. Eight bytes at a time: strings in events
/// are short, where this beats `memchr2`'s set-up.
fn quote_or_backslash(b: &[u8], mut i: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Flags the bytes of `w` equal to `c`; the lowest flag is always exact.
    let eq = |w: u64, c: u8| {
        let x = w ^ (u64::from(c) * ONES);
        x.wrapping_sub(ONES) & !x & HIGH
    };
    while let Some(word) = b.get(i..i + 8) {
        let w = u64::from_le_bytes(word.try_into().ok()?);
        let hits = eq(w, b'"') | eq(w, b'\\');
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b.get(i..)?
        .iter()
        .position(|&c| c == b'"' || c == b'\\')
        .map(|n| i + n)
}

/// A cursor over a document known to be UTF-8 without control bytes.
struct Scan<'a> {
    s: &'a str,
    cur: Cursor<'a>,
}

impl<'a> Scan<'a> {
    /// A value, built.
    fn value(&mut self, depth: usize) -> Option<Value> {
        self.cur.ws();
        match self.cur.peek()? {
            b'"' => self.string().map(Value::String),
            b'{' if depth < MAX_DEPTH => {
                self.cur.i += 1;
                let mut r = Record::default();
                if self.cur.eat(b'}') {
                    return Some(Value::Record(Box::new(r)));
                }
                loop {
                    self.cur.ws();
                    let k = self.string()?;
                    if !self.cur.eat(b':') {
                        return None;
                    }
                    let v = self.value(depth + 1)?;
                    r.insert(k, v);
                    if self.cur.eat(b',') {
                        continue;
                    }
                    return self.cur.eat(b'}').then(|| Value::Record(Box::new(r)));
                }
            }
            b'[' if depth < MAX_DEPTH => {
                self.cur.i += 1;
                let mut a = Vec::new();
                if self.cur.eat(b']') {
                    return Some(Value::Array(a));
                }
                loop {
                    a.push(self.value(depth + 1)?);
                    if self.cur.eat(b',') {
                        continue;
                    }
                    return self.cur.eat(b']').then_some(Value::Array(a));
                }
            }
            b't' => self.cur.literal(b"true").then_some(Value::Bool(true)),
            b'f' => self.cur.literal(b"false").then_some(Value::Bool(false)),
            b'n' => self.cur.literal(b"null").then_some(Value::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// A value, checked but not built.
    fn skip(&mut self, depth: usize) -> Option<()> {
        self.cur.ws();
        match self.cur.peek()? {
            b'"' => self.skip_string(),
            b'{' if depth < MAX_DEPTH => {
                self.cur.i += 1;
                if self.cur.eat(b'}') {
                    return Some(());
                }
                loop {
                    self.cur.ws();
                    self.skip_string()?;
                    if !self.cur.eat(b':') {
                        return None;
                    }
                    self.skip(depth + 1)?;
                    if self.cur.eat(b',') {
                        continue;
                    }
                    return self.cur.eat(b'}').then_some(());
                }
            }
            b'[' if depth < MAX_DEPTH => {
                self.cur.i += 1;
                if self.cur.eat(b']') {
                    return Some(());
                }
                loop {
                    self.skip(depth + 1)?;
                    if self.cur.eat(b',') {
                        continue;
                    }
                    return self.cur.eat(b']').then_some(());
                }
            }
            b't' => self.cur.literal(b"true").then_some(()),
            b'f' => self.cur.literal(b"false").then_some(()),
            b'n' => self.cur.literal(b"null").then_some(()),
            b'-' | b'0'..=b'9' => self.number_text().map(|_| ()),
            _ => None,
        }
    }

    /// The contents of a string without escapes, the cursor just past its closing quote.
    fn contents(&mut self) -> Option<&'a str> {
        if self.cur.peek() != Some(b'"') {
            return None;
        }
        let start = self.cur.i + 1;
        let end = quote_or_backslash(self.cur.b, start)?;
        if self.cur.b[end] != b'"' {
            return None;
        }
        self.cur.i = end + 1;
        // Both ends are ASCII quotes, so this slice is on character boundaries.
        self.s.get(start..end)
    }

    fn string(&mut self) -> Option<Str> {
        self.contents().map(Str::from)
    }

    fn skip_string(&mut self) -> Option<()> {
        self.contents().map(|_| ())
    }

    /// A number's text, checked against JSON's grammar, if it is one the full decoder
    /// surely reads the same way: an integer of up to 18 digits, or a float of up to
    /// 17 significant digits with an exponent of at most two digits (correctly
    /// rounded either way, and finite). The flag says whether it is a float.
    fn number_text(&mut self) -> Option<(&[u8], bool)> {
        let start = self.cur.i;
        if self.cur.peek() == Some(b'-') {
            self.cur.i += 1;
        }
        let int_start = self.cur.i;
        match self.cur.peek()? {
            b'0' => self.cur.i += 1,
            b'1'..=b'9' => self.cur.digits(),
            _ => return None,
        }
        let int_end = self.cur.i;
        let mut frac = (int_end, int_end);
        if self.cur.peek() == Some(b'.') {
            self.cur.i += 1;
            if !self.cur.peek()?.is_ascii_digit() {
                return None;
            }
            let s = self.cur.i;
            self.cur.digits();
            frac = (s, self.cur.i);
        }
        let mut exp_digits = 0;
        if let Some(b'e' | b'E') = self.cur.peek() {
            self.cur.i += 1;
            if let Some(b'+' | b'-') = self.cur.peek() {
                self.cur.i += 1;
            }
            if !self.cur.peek()?.is_ascii_digit() {
                return None;
            }
            let s = self.cur.i;
            self.cur.digits();
            exp_digits = self.cur.i - s;
        }
        let float = frac.0 != int_end || exp_digits > 0 || self.cur.b.get(int_end) == Some(&b'.');
        let int = &self.cur.b[int_start..int_end];
        let plain = if float {
            // Significant digits: leading zeros (of the integer part and, if it is 0,
            // of the fraction) do not count.
            let frac = &self.cur.b[frac.0..frac.1];
            let sig = match int.iter().position(|&d| d != b'0') {
                Some(p) => int.len() - p + frac.len(),
                None => frac.len() - frac.iter().take_while(|&&d| d == b'0').count(),
            };
            sig <= 17 && exp_digits <= 2
        } else {
            int.len() <= 18
        };
        plain.then(|| (&self.cur.b[start..self.cur.i], float))
    }

    /// A number, decoded as the full decoder does (`-0` is left to it).
    fn number(&mut self) -> Option<Value> {
        let start = self.cur.i;
        let (_, float) = self.number_text()?;
        let text = self.s.get(start..self.cur.i)?;
        if float {
            let f: f64 = text.parse().ok()?;
            f.is_finite().then_some(Value::F64(f))
        } else if text == "-0" {
            None
        } else {
            text.parse().ok().map(Value::I64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::arb::arb_value;
    use crate::value::{parse_json, test_eq};
    use proptest::prelude::*;

    /// Wherever a projection is given, it is the full decode with the values of the
    /// other keys set to `null`; and it is given for every plain event.
    fn check(text: &str, keys: &[&str]) -> bool {
        let some = check_fields(text, keys, false);
        assert_eq!(some, check_fields(text, keys, true), "{text:?}");
        some
    }

    fn check_fields(text: &str, keys: &[&str], hint_keys: bool) -> bool {
        let keys: Vec<Str> = keys.iter().map(|k| Str::from(*k)).collect();
        let fields = Fields {
            keys: keys.clone(),
            hint_keys,
        };
        let Some(got) = project_json(text.as_bytes(), &fields, &mut Scratch::default()) else {
            return false;
        };
        let mut want = parse_json(text)
            .unwrap_or_else(|e| panic!("{text:?} projected but does not parse: {e}"));
        let r = want.as_record_mut().expect("a record");
        for (k, v) in r.iter_mut() {
            if !keys.contains(k) {
                *v = Value::Null;
            }
        }
        r.retain(|k, _| keys.contains(k) || fields.keeps(k));
        let from_value = project_value(&parse_json(text).unwrap(), &fields);
        assert!(test_eq(&from_value, &want), "{text:?}");
        assert!(test_eq(&got, &want), "{text:?}: {got:?} vs {want:?}");
        // Same key order.
        let order = |v: &Value| v.as_record().map(|r| r.keys().cloned().collect::<Vec<_>>());
        assert_eq!(order(&got), order(&want), "{text:?}");
        true
    }

    #[test]
    fn a_restocked_record_is_filled_instead_of_a_new_one() {
        let fields = Fields {
            keys: vec![Str::from("a"), Str::from("c")],
            hint_keys: false,
        };
        let mut scratch = Scratch::default();
        let kept = Box::new(Record::default());
        let addr = &*kept as *const Record;
        scratch.restock(&mut vec![kept]);
        let got = project_json(br#"{"a": 1, "b": [2], "c": "x"}"#, &fields, &mut scratch);
        let Some(Value::Record(r)) = got else {
            panic!("not projected: {got:?}")
        };
        assert!(std::ptr::eq(&*r, addr));
        let want = parse_json(r#"{"a": 1, "c": "x"}"#).unwrap();
        assert!(test_eq(&Value::Record(r), &want));
        // The next one is a new record again.
        let again = project_json(br#"{"a": 2}"#, &fields, &mut scratch).unwrap();
        assert!(test_eq(&again, &parse_json(r#"{"a": 2}"#).unwrap()));
    }

    #[test]
    fn projects_plain_events() {
        let ev = r#"{"g": "group-41", "c": 58, "v": 0.3510108224798457, "host": "host-6", "msg": "ngowq zkz", "tags": ["a","b","c"]}"#;
        assert!(check(ev, &["g", "c", "host"]));
        assert!(check(ev, &["tags", "v"]));
        assert!(check(ev, &[]));
        assert!(check(
            r#" { "a" : { "b" : [1, -2.5e3, null, true, false, {}] } , "z": [] } "#,
            &["a"]
        ));
        assert!(check(r#"{}"#, &["a"]));
        assert!(check(r#"{"a": 1, "a": 2, "b": 3}"#, &["a"]));
        assert!(check(
            r#"{"a": 1e5, "b": 0.1e1, "c": -0.0, "d": 123456789012345678}"#,
            &["a", "b", "c", "d"]
        ));
        // Skipped values may be anything the full decoder surely takes.
        assert!(check(
            r#"{"s": -0, "t": 0.00012345678901234567, "a": 1}"#,
            &["a"]
        ));
    }

    #[test]
    fn gives_up_where_the_full_decoder_must_decide() {
        for (text, keys) in [
            ("[1, 2]", &["a"][..]),
            ("1", &["a"]),
            (r#"{"a": "\n"}"#, &["a"]),
            (r#"{"b": "x\"y"}"#, &["a"]),
            (r#"{"a\u0041": 1}"#, &["a"]),
            (r#"{"a": -0}"#, &["a"]),
            (r#"{"a": 1234567890123456789}"#, &["a"]),
            (r#"{"a": 1e400}"#, &["a"]),
            (r#"{"a": 0.123456789012345678901}"#, &["a"]),
            (r#"{"a": 1,}"#, &["a"]),
            (r#"{"b": [1,]}"#, &["a"]),
            (r#"{"b": 01}"#, &["a"]),
            (r#"{"b": tru}"#, &["a"]),
            (r#"{"b": "a"} x"#, &["a"]),
            ("{\"b\": \"a\u{1}\"}", &["a"]),
            (r#"{"b": 1"#, &["a"]),
            ("", &["a"]),
        ] {
            assert!(!check(text, keys), "{text:?}");
        }
        assert!(project_json(
            b"{\"a\": \"\xff\"}",
            &Fields::default(),
            &mut Scratch::default()
        )
        .is_none());
        let deep = format!("{{\"b\": {}{}}}", "[".repeat(100), "]".repeat(100));
        assert!(!check(&deep, &["a"]));
    }

    fn arb_record() -> impl Strategy<Value = Value> {
        prop::collection::vec(("[a-c]{0,2}", arb_value()), 0..6).prop_map(|kv| {
            let mut r = Record::default();
            for (k, v) in kv {
                r.insert(Str::from(k), v);
            }
            Value::Record(Box::new(r))
        })
    }

    proptest! {
        #[test]
        fn agrees_with_the_full_decoder(v in arb_record(), keys in prop::collection::vec("[a-c]{0,2}", 0..3)) {
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            check(&v.encode(), &keys);
            check(&v.encode_pretty(), &keys);
        }

        #[test]
        fn agrees_on_arbitrary_text(s in "[ -~]{0,40}") {
            check(&format!("{{\"a\": {s}}}"), &["a"]);
            check(&format!("{{\"a\": 1, \"b\": {s}}}"), &["a"]);
            check(&s, &["a"]);
        }

        #[test]
        fn agrees_on_number_like_text(s in "-?[0-9]{1,20}(\\.[0-9]{1,20})?([eE][-+]?[0-9]{1,3})?") {
            check(&format!("{{\"a\": {s}}}"), &["a"]);
            check(&format!("{{\"a\": 1, \"b\": {s}}}"), &["a"]);
        }
    }
}

#[cfg(test)]
mod hint_tests {
    use super::*;
    use crate::interp::best_hint;
    use proptest::prelude::*;

    #[test]
    fn keys_a_hint_could_name_are_kept() {
        for (a, b, near) in [
            ("g", "v", true),
            ("msg", "g", true),
            ("host", "g", false),
            ("tags", "host", false),
            ("hots", "host", true),
            ("", "ab", true),
            ("", "abc", false),
            ("kitten", "sitting", false),
            ("kitten", "sittin", true),
            ("é", "abcdef", true),
        ] {
            assert_eq!(within_two_edits(a, b), near, "{a} {b}");
            assert_eq!(within_two_edits(b, a), near, "{b} {a}");
        }
    }

    proptest! {
        /// The hint for a missing key the query reads is the same over the kept keys
        /// as over all of them.
        #[test]
        fn kept_keys_give_the_same_hint(
            all in prop::collection::vec("[a-dé]{0,5}", 0..8),
            read in prop::collection::vec("[a-dé]{0,5}", 1..3),
        ) {
            let fields = Fields {
                keys: read.iter().map(|k| Str::from(k.as_str())).collect(),
                hint_keys: true,
            };
            for missing in &read {
                let present = all.iter().filter(|k| *k != missing);
                let kept = present
                    .clone()
                    .filter(|k| read.contains(k) || fields.keeps(k));
                prop_assert_eq!(
                    best_hint(missing, present.map(String::as_str)),
                    best_hint(missing, kept.map(String::as_str))
                );
            }
        }
    }
}
