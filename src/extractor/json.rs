//! `json||`: parses the string as a JSON document.

use crate::value::{parse_json, Value};

/// `None` when `s` is not a single valid JSON document.
pub(super) fn extract(s: &str) -> Option<Value> {
    parse_json(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let v = extract(r#"{"a": [1, 2.5, "x", null]}"#).unwrap();
        assert_eq!(v.encode(), r#"{"a":[1,2.5,"x",null]}"#);
        assert!(matches!(
            extract("42"),
            Some(Value::U64(42)) | Some(Value::I64(42))
        ));
    }

    #[test]
    fn invalid_is_no_match() {
        assert!(extract("{").is_none());
        assert!(extract("").is_none());
        assert!(extract("snot").is_none());
    }
}
