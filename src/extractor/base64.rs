//! `base64||`: decodes standard base64 into a UTF-8 string.

use super::str_value;
use crate::value::Value;
use base64::alphabet::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

/// The standard alphabet; padding optional, as the base64 0.13 decoder Tremor used accepted both.
const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// `None` when `s` is not base64 or does not decode to UTF-8.
pub(super) fn extract(s: &str, want_result: bool) -> Option<Value> {
    let bytes = ENGINE.decode(s).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    Some(if want_result {
        str_value(text)
    } else {
        Value::Bool(true)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes() {
        assert_eq!(extract("c25vdA==", true).unwrap().as_str(), Some("snot"));
        assert_eq!(extract("c25vdA", true).unwrap().as_str(), Some("snot"));
        assert_eq!(extract("", true).unwrap().as_str(), Some(""));
    }

    #[test]
    fn invalid_is_no_match() {
        assert!(extract("not base64!", true).is_none());
        assert!(extract("/w==", true).is_none(), "0xff is not UTF-8");
    }
}
