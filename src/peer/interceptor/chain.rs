//! The interceptor list of one stream: on receive in list order (each stage's
//! frames feed the next), on send in reverse order.

use super::{create, InterceptError, Interceptor};
use crate::peer::config::ConfigError;
use crate::value::Value;

/// A stream's interceptors, plus scratch lists reused between calls so passing
/// frames from stage to stage allocates nothing once warm.
pub struct Chain {
    stages: Vec<Box<dyn Interceptor>>,
    scratch: Vec<Vec<u8>>,
    spare: Vec<Vec<u8>>,
}

impl std::fmt::Debug for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Chain").field(&self.names()).finish()
    }
}

impl Chain {
    /// A chain of `stages`, in receive order.
    pub fn new(stages: Vec<Box<dyn Interceptor>>) -> Chain {
        Chain {
            stages,
            scratch: Vec::new(),
            spare: Vec::new(),
        }
    }

    /// The chain a peer's `interceptors` list describes (an array of `"name"` or
    /// `{"name": {config}}`).
    pub fn from_spec(spec: &Value) -> Result<Chain, ConfigError> {
        let list = spec.as_array().ok_or_else(|| {
            ConfigError::Shape(format!(
                "`interceptors` must be an array, got {}",
                spec.type_name()
            ))
        })?;
        Ok(Chain::new(
            list.iter().map(create).collect::<Result<_, _>>()?,
        ))
    }

    /// The chain of the interceptors called `names`, without config (a kind's
    /// default list).
    pub fn named(names: &[&str]) -> Chain {
        let stages = names
            .iter()
            .filter_map(|name| create(&Value::String((*name).into())).ok())
            .collect();
        Chain::new(stages)
    }

    /// The interceptors' names, in receive order.
    pub fn names(&self) -> Vec<&'static str> {
        self.stages.iter().map(|s| s.name()).collect()
    }

    /// True when bytes pass through unchanged (each input is one frame).
    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    /// The same chain with no buffered data, for a new stream.
    pub fn fresh(&self) -> Chain {
        Chain::new(self.stages.iter().map(|s| s.fresh()).collect())
    }

    /// Bytes received → frames appended to `out`. Errors (a line too long, a frame
    /// that is not gzip) are appended to `errors`; the stream goes on after them.
    pub fn receive(
        &mut self,
        data: &[u8],
        out: &mut Vec<Vec<u8>>,
        errors: &mut Vec<InterceptError>,
    ) {
        let Some((first, rest)) = self.stages.split_first_mut() else {
            out.push(data.to_vec());
            return;
        };
        let mut cur = std::mem::take(&mut self.scratch);
        cur.clear();
        if let Err(e) = first.on_receive(data, &mut cur) {
            errors.push(e);
        }
        for stage in rest {
            let mut next = std::mem::take(&mut self.spare);
            next.clear();
            for frame in cur.drain(..) {
                if let Err(e) = stage.on_receive(&frame, &mut next) {
                    errors.push(e);
                }
            }
            self.spare = cur;
            cur = next;
        }
        out.append(&mut cur);
        self.scratch = cur;
    }

    /// A frame to send → the bytes to write, appended to `out` (one entry per
    /// message for message transports; byte streams write them in order).
    pub fn send(&mut self, frame: &[u8], out: &mut Vec<Vec<u8>>) -> Result<(), InterceptError> {
        let Some((last, rest)) = self.stages.split_last_mut() else {
            out.push(frame.to_vec());
            return Ok(());
        };
        let mut cur = std::mem::take(&mut self.scratch);
        cur.clear();
        last.on_send(frame, &mut cur)?;
        for stage in rest.iter_mut().rev() {
            let mut next = std::mem::take(&mut self.spare);
            next.clear();
            for frame in cur.drain(..) {
                stage.on_send(&frame, &mut next)?;
            }
            self.spare = cur;
            cur = next;
        }
        out.append(&mut cur);
        self.scratch = cur;
        Ok(())
    }

    /// The stream has ended: each stage flushes what it holds (a last line without a
    /// delimiter) through the stages after it. Leaves the chain ready for a new stream.
    pub fn finish(&mut self, out: &mut Vec<Vec<u8>>, errors: &mut Vec<InterceptError>) {
        let mut carry: Vec<Vec<u8>> = Vec::new();
        for stage in &mut self.stages {
            let mut next = Vec::new();
            for frame in carry.drain(..) {
                if let Err(e) = stage.on_receive(&frame, &mut next) {
                    errors.push(e);
                }
            }
            if let Err(e) = stage.finish(&mut next) {
                errors.push(e);
            }
            carry = next;
        }
        out.append(&mut carry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::parse_json;

    fn chain(spec: &str) -> Chain {
        Chain::from_spec(&parse_json(spec).unwrap()).unwrap()
    }

    fn receive_all(c: &mut Chain, chunks: &[&[u8]]) -> (Vec<Vec<u8>>, Vec<InterceptError>) {
        let (mut out, mut errors) = (Vec::new(), Vec::new());
        for chunk in chunks {
            c.receive(chunk, &mut out, &mut errors);
        }
        c.finish(&mut out, &mut errors);
        (out, errors)
    }

    #[test]
    fn empty_chain_passes_bytes_through() {
        let mut c = chain("[]");
        let (out, errors) = receive_all(&mut c, &[b"a\nb", b""]);
        assert_eq!(out, [b"a\nb".to_vec(), b"".to_vec()]);
        assert!(errors.is_empty());
        let mut sent = Vec::new();
        c.send(b"x", &mut sent).unwrap();
        assert_eq!(sent, [b"x".to_vec()]);
    }

    #[test]
    fn receive_runs_in_list_order_and_send_in_reverse() {
        // Lines of base64 text: split lines first, then decode each.
        let mut c = chain(r#"["lines", "base64"]"#);
        let mut sent = Vec::new();
        c.send(b"hello", &mut sent).unwrap();
        c.send(b"world", &mut sent).unwrap();
        assert_eq!(sent, [b"aGVsbG8=\n".to_vec(), b"d29ybGQ=\n".to_vec()]);
        let bytes = sent.concat();
        let (out, errors) = receive_all(&mut c.fresh(), &[&bytes[..5], &bytes[5..]]);
        assert_eq!(out, [b"hello".to_vec(), b"world".to_vec()]);
        assert!(errors.is_empty());
    }

    #[test]
    fn gzip_then_lines_round_trip() {
        let mut c = chain(r#"["gzip", {"lines": {"delimiter": ";"}}]"#);
        let mut sent = Vec::new();
        c.send(b"one", &mut sent).unwrap();
        assert_eq!(&sent[0][..2], &[0x1f, 0x8b]);
        // One gzip member holding several lines, the last unterminated.
        let mut packed = Vec::new();
        Chain::new(vec![create(&Value::String("gzip".into())).unwrap()])
            .send(b"a;b;c", &mut packed)
            .unwrap();
        let (out, errors) = receive_all(&mut c, &[&packed[0]]);
        assert_eq!(out, [b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
        assert!(errors.is_empty());
    }

    #[test]
    fn errors_do_not_stop_the_stream() {
        let mut c = chain(r#"["lines", "base64"]"#);
        let (out, errors) = receive_all(&mut c, &[b"b2s=\n!!bad!!\nYWdhaW4=\nbm8gbmV3bGluZQ=="]);
        assert_eq!(
            out,
            [b"ok".to_vec(), b"again".to_vec(), b"no newline".to_vec()]
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].interceptor, "base64");
        assert_eq!(errors[0].raw, "!!bad!!");
    }

    #[test]
    fn streams_do_not_share_partial_data() {
        let proto = chain(r#"["lines"]"#);
        let (mut a, mut b) = (proto.fresh(), proto.fresh());
        let (mut out_a, mut out_b, mut errors) = (Vec::new(), Vec::new(), Vec::new());
        a.receive(b"from ", &mut out_a, &mut errors);
        b.receive(b"other ", &mut out_b, &mut errors);
        a.receive(b"a\n", &mut out_a, &mut errors);
        b.receive(b"b\n", &mut out_b, &mut errors);
        assert_eq!(out_a, [b"from a".to_vec()]);
        assert_eq!(out_b, [b"other b".to_vec()]);
    }

    #[test]
    fn send_errors_are_returned() {
        let mut c = chain(r#"["lines"]"#);
        let mut out = Vec::new();
        assert!(c.send(b"x", &mut out).is_ok());
        let err = Chain::from_spec(&parse_json(r#"{"lines": {}}"#).unwrap()).unwrap_err();
        assert!(
            err.to_string().contains("must be an array, got record"),
            "{err}"
        );
        let err = Chain::from_spec(&parse_json(r#"["lines", "nope"]"#).unwrap()).unwrap_err();
        assert!(
            err.to_string().contains("unknown interceptor `nope`"),
            "{err}"
        );
    }
}
