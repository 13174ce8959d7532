//! Bytes literals: `<< value:bits/type, ... >>` packed big-endian bit by bit.

use super::eval::{err, eval, R};
use super::Env;
use crate::diag::Span;
use crate::ir::{BytesKind, BytesPart};
use crate::value::Value;

/// Accumulates bits, most significant first.
#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    /// Bits used in the last byte (0 = byte aligned).
    used: u32,
}

impl BitWriter {
    fn push_bits(&mut self, value: u64, bits: u32) {
        for i in (0..bits).rev() {
            let bit = ((value >> i) & 1) as u8;
            if self.used == 0 {
                self.out.push(0);
            }
            let last = self.out.len() - 1;
            self.out[last] |= bit << (7 - self.used);
            self.used = (self.used + 1) % 8;
        }
    }
    fn push_bytes(&mut self, b: &[u8]) {
        for x in b {
            self.push_bits(u64::from(*x), 8);
        }
    }
}

/// Builds the bytes value.
pub(crate) fn build(parts: &[BytesPart], span: Span, env: &mut Env) -> R<Value> {
    let mut w = BitWriter::default();
    for p in parts {
        let v = eval(&p.value, env)?;
        let bits = p.bits as u32;
        let kind = match (p.kind, &v) {
            (BytesKind::Untyped, Value::String(_) | Value::Bytes(_)) => BytesKind::Binary,
            (BytesKind::Untyped, _) => BytesKind::Unsigned { little: false },
            (k, _) => k,
        };
        match kind {
            BytesKind::Binary => match &v {
                Value::Bytes(b) => w.push_bytes(b),
                Value::String(s) => w.push_bytes(s.as_bytes()),
                other => return Err(bad(other, span)),
            },
            BytesKind::Untyped | BytesKind::Unsigned { .. } | BytesKind::Signed { .. } => {
                let (signed, little) = match kind {
                    BytesKind::Signed { little } => (true, little),
                    BytesKind::Unsigned { little } => (false, little),
                    _ => (false, false),
                };
                let raw = match (&v, signed) {
                    (Value::U64(u), _) => *u,
                    (Value::I64(i), true) => *i as u64,
                    (Value::I64(i), false) if *i >= 0 => *i as u64,
                    (other, _) => return Err(bad(other, span)),
                };
                let fits = if bits >= 64 {
                    true
                } else if signed {
                    let i = raw as i64;
                    let lim = 1i64 << (bits - 1);
                    (-lim..lim).contains(&i)
                        || (!matches!(v, Value::I64(_)) && raw < (1u64 << bits))
                } else {
                    raw < (1u64 << bits)
                };
                if !fits {
                    return Err(err(
                        format!("The value {v} does not fit into {bits} bits"),
                        span,
                    ));
                }
                let masked = if bits >= 64 {
                    raw
                } else {
                    raw & ((1u64 << bits) - 1)
                };
                if little {
                    if !bits.is_multiple_of(8) {
                        return Err(err("Little endian values need a multiple of 8 bits", span));
                    }
                    let bytes = masked.to_le_bytes();
                    w.push_bytes(&bytes[..(bits / 8) as usize]);
                } else {
                    w.push_bits(masked, bits);
                }
            }
        }
    }
    Ok(Value::Bytes(w.out.into_boxed_slice()))
}

fn bad(v: &Value, span: Span) -> super::eval::Flow {
    err(
        format!("Bad type {} for a part of a bytes literal", v.type_name()),
        span,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_bits_msb_first() {
        let mut w = BitWriter::default();
        w.push_bits(1, 4);
        w.push_bits(15, 4);
        w.push_bits(0xABCD, 16);
        assert_eq!(w.out, vec![0x1F, 0xAB, 0xCD]);
    }
}
