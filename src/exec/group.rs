//! Group-by key generation (LANGUAGE §2 "Key generation"): `expr`, `set(...)` and
//! `each(expr)`, nested, producing the list of keys one event is processed under.

use super::ExecError;
use crate::expr::{ExprRef, Scope};
use crate::value::{sorted_serialize_into, Value};

/// A compiled `group by` clause.
#[derive(Clone)]
pub enum GroupSpec {
    /// `expr`: its value is appended to every key (or becomes the first key).
    Expr(ExprRef),
    /// `set(g1, g2, ...)`: the items applied left to right.
    Set(Vec<GroupSpec>),
    /// `each(expr)`: the cross product with the elements of an array.
    Each(ExprRef),
}

impl GroupSpec {
    /// See [`crate::expr::Expr::event_keys`].
    pub fn event_keys(&self, keys: &mut Vec<crate::value::Str>) -> bool {
        match self {
            GroupSpec::Expr(e) | GroupSpec::Each(e) => e.event_keys(keys),
            GroupSpec::Set(items) => items.iter().all(|g| g.event_keys(keys)),
        }
    }

    /// The keys of one event, in generation order. An `each` over an empty array
    /// leaves no keys; as in Tremor, a later `expr` or `each` then starts the list
    /// afresh, since the list is only ever checked for being empty.
    pub fn keys(&self, scope: &mut Scope<'_>) -> Result<Vec<Vec<Value>>, ExecError> {
        let mut keys = Vec::new();
        self.apply(scope, &mut keys)?;
        Ok(keys)
    }

    /// The items of a `group by` made of plain expressions only (`e`, `set(e1, e2)`,
    /// nested sets): such a clause always gives exactly one key, their values in order.
    pub fn single_key(&self) -> Option<Vec<ExprRef>> {
        match self {
            GroupSpec::Expr(e) => Some(vec![e.clone()]),
            GroupSpec::Set(items) => items.iter().try_fold(Vec::new(), |mut all, item| {
                all.extend(item.single_key()?);
                Some(all)
            }),
            GroupSpec::Each(_) => None,
        }
    }

    fn apply(&self, scope: &mut Scope<'_>, keys: &mut Vec<Vec<Value>>) -> Result<(), ExecError> {
        match self {
            GroupSpec::Expr(e) => {
                let v = e.eval(scope, &mut Value::Null)?;
                if keys.is_empty() {
                    keys.push(vec![v]);
                } else {
                    keys.iter_mut().for_each(|k| k.push(v.clone()));
                }
            }
            GroupSpec::Set(items) => {
                for item in items {
                    item.apply(scope, keys)?;
                }
            }
            GroupSpec::Each(e) => {
                let v = e.eval(scope, &mut Value::Null)?;
                let Value::Array(elems) = v else {
                    return Err(ExecError::GroupEach {
                        got: v.type_name(),
                        at: crate::expr::At::of(e),
                    });
                };
                *keys = if keys.is_empty() {
                    elems.into_iter().map(|e| vec![e]).collect()
                } else {
                    std::mem::take(keys)
                        .into_iter()
                        .flat_map(|k| {
                            elems.iter().map(move |e| {
                                let mut k = k.clone();
                                k.push(e.clone());
                                k
                            })
                        })
                        .collect()
                };
            }
        }
        Ok(())
    }
}

/// The `group` value of a key: its values followed by the key's sorted JSON, and that
/// JSON (the key groups are stored under).
pub fn group_value(key: Vec<Value>) -> (Value, String) {
    let mut json = Vec::new();
    key_json(&key, &mut json);
    // The encoder writes only UTF-8.
    let json = String::from_utf8(json).unwrap_or_default();
    (group_value_of(key, &json), json)
}

/// Appends the sorted JSON of a key (as an array) to `out`: the key groups are stored under.
pub fn key_json(key: &[Value], out: &mut Vec<u8>) {
    out.push(b'[');
    for (i, v) in key.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        sorted_serialize_into(v, out);
    }
    out.push(b']');
}

/// The `group` value of a key whose JSON is `json`.
pub fn group_value_of(mut key: Vec<Value>, json: &str) -> Value {
    key.push(Value::from(json));
    Value::Array(key)
}

/// [`group_value_of`] for a borrowed key (a new group's): copied once, with room
/// for the JSON.
pub fn group_value_from(key: &[Value], json: &str) -> Value {
    let mut k = Vec::with_capacity(key.len() + 1);
    k.extend_from_slice(key);
    group_value_of(k, json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::FnCtx;
    use crate::expr::{const_expr, fn_expr};
    use crate::value::parse_json;

    /// The keys of `event` under `g`.
    fn keys_of(g: &GroupSpec, event: &Value) -> Result<Vec<Vec<Value>>, ExecError> {
        let (mut event, mut meta) = (event.clone(), Value::Null);
        let mut scope = Scope {
            event: &mut event,
            meta: &mut meta,
            group: &Value::Null,
            window: &Value::Null,
            args: &Value::Null,
            aggrs: &[],
            ctx: FnCtx::default(),
        };
        g.keys(&mut scope)
    }
    fn field(name: &'static str) -> ExprRef {
        fn_expr(move |s, _| Ok(s.event.get(name).cloned().unwrap_or_default()))
    }
    fn json(s: &str) -> Value {
        parse_json(s).unwrap()
    }

    #[test]
    fn plain_expr_is_one_key() {
        let ev = json(r#"{"g": 1}"#);
        let keys = keys_of(&GroupSpec::Expr(field("g")), &ev).unwrap();
        assert_eq!(keys, vec![vec![Value::U64(1)]]);
    }

    #[test]
    fn set_appends_left_to_right() {
        let ev = json(r#"{"a": 1, "b": "x"}"#);
        let g = GroupSpec::Set(vec![
            GroupSpec::Expr(field("a")),
            GroupSpec::Expr(field("b")),
        ]);
        let keys = keys_of(&g, &ev).unwrap();
        assert_eq!(keys, vec![vec![Value::U64(1), Value::from("x")]]);
    }

    #[test]
    fn each_makes_cross_products() {
        let ev = json(r#"{"r": ["eu", "us"], "z": [1, 2]}"#);
        let g = GroupSpec::Set(vec![
            GroupSpec::Each(field("r")),
            GroupSpec::Expr(const_expr(Value::Bool(true))),
            GroupSpec::Each(field("z")),
        ]);
        let keys = keys_of(&g, &ev).unwrap();
        let got: Vec<String> = keys.into_iter().map(|k| Value::Array(k).encode()).collect();
        assert_eq!(
            got,
            vec![
                r#"["eu",true,1]"#,
                r#"["eu",true,2]"#,
                r#"["us",true,1]"#,
                r#"["us",true,2]"#
            ]
        );
    }

    #[test]
    fn empty_each_yields_no_keys_until_a_later_item_starts_afresh() {
        let ev = json(r#"{"r": [], "a": 1}"#);
        assert!(keys_of(&GroupSpec::Each(field("r")), &ev)
            .unwrap()
            .is_empty());
        let g = GroupSpec::Set(vec![
            GroupSpec::Expr(field("a")),
            GroupSpec::Each(field("r")),
        ]);
        assert!(keys_of(&g, &ev).unwrap().is_empty());
        // Tremor only checks the key list for emptiness: an `expr` after an empty
        // `each` becomes the first key.
        let g = GroupSpec::Set(vec![
            GroupSpec::Each(field("r")),
            GroupSpec::Expr(field("a")),
        ]);
        assert_eq!(keys_of(&g, &ev).unwrap(), vec![vec![Value::U64(1)]]);
        let bad = json(r#"{"r": 3}"#);
        assert!(keys_of(&GroupSpec::Each(field("r")), &bad).is_err());
    }

    #[test]
    fn plain_expressions_make_a_single_key() {
        let g = GroupSpec::Set(vec![
            GroupSpec::Expr(field("a")),
            GroupSpec::Set(vec![GroupSpec::Expr(field("b"))]),
        ]);
        let items = g.single_key().unwrap();
        assert_eq!(items.len(), 2);
        let ev = json(r#"{"a": 1, "b": "x"}"#);
        assert_eq!(keys_of(&g, &ev).unwrap().len(), 1);
        let each = GroupSpec::Set(vec![
            GroupSpec::Expr(field("a")),
            GroupSpec::Each(field("r")),
        ]);
        assert!(each.single_key().is_none());
    }

    #[test]
    fn group_value_appends_sorted_json() {
        let (v, k) = group_value(vec![json(r#"{"b": 1, "a": 2}"#)]);
        assert_eq!(k, r#"[{"a":2,"b":1}]"#);
        assert_eq!(v.get_idx(1), Some(&Value::from(k.as_str())));
        let (v, _) = group_value(vec![Value::U64(1)]);
        assert_eq!(v.encode(), r#"[1,"[1]"]"#);
    }
}
