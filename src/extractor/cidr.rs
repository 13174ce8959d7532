//! `cidr||` / `cidr|range, ...|`: parses an IP address or CIDR block.
//!
//! Yields `{"prefix": [..], "mask": [..]}`: four bytes for IPv4, eight 16-bit
//! groups for IPv6. A bare address gets a full mask; the prefix is the network
//! address (host bits cleared), as in the `cidr-utils` crate Tremor used. With
//! ranges, only a bare address inside one of them matches.

use crate::value::{Record, Str, Value};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A parsed network: address with host bits cleared, plus the mask.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Net {
    V4 { prefix: u32, mask: u32 },
    V6 { prefix: u128, mask: u128 },
}

fn v4_mask(bits: u32) -> u32 {
    u32::MAX.checked_shl(32 - bits).unwrap_or(0)
}

fn v6_mask(bits: u32) -> u128 {
    u128::MAX.checked_shl(128 - bits).unwrap_or(0)
}

impl Net {
    /// `a.b.c.d`, `a.b.c.d/n`, `a.b.c.d/m.m.m.m` (contiguous mask), `v6` or `v6/n`.
    fn parse(s: &str) -> Option<Net> {
        let (addr, bits) = match s.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (s, None),
        };
        match addr.parse::<IpAddr>().ok()? {
            IpAddr::V4(ip) => {
                let mask = match bits {
                    None => u32::MAX,
                    Some(b) => match b.parse::<u32>() {
                        Ok(n) if n <= 32 && !b.starts_with('+') => v4_mask(n),
                        Ok(_) => return None,
                        Err(_) => {
                            let m = u32::from(b.parse::<Ipv4Addr>().ok()?);
                            // Only contiguous masks describe a CIDR block.
                            if m.leading_ones() + m.trailing_zeros() != 32 {
                                return None;
                            }
                            m
                        }
                    },
                };
                Some(Net::V4 {
                    prefix: u32::from(ip) & mask,
                    mask,
                })
            }
            IpAddr::V6(ip) => {
                let mask = match bits {
                    None => u128::MAX,
                    Some(b) => match b.parse::<u32>() {
                        Ok(n) if n <= 128 && !b.starts_with('+') => v6_mask(n),
                        _ => return None,
                    },
                };
                Some(Net::V6 {
                    prefix: u128::from(ip) & mask,
                    mask,
                })
            }
        }
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match (self, ip) {
            (Net::V4 { prefix, mask }, IpAddr::V4(a)) => u32::from(a) & mask == *prefix,
            (Net::V6 { prefix, mask }, IpAddr::V6(a)) => u128::from(a) & mask == *prefix,
            _ => false,
        }
    }

    fn to_value(self) -> Value {
        let ints = |xs: Vec<i64>| Value::Array(xs.into_iter().map(Value::I64).collect());
        let (prefix, mask) = match self {
            Net::V4 { prefix, mask } => {
                let bytes = |x: u32| {
                    Ipv4Addr::from(x)
                        .octets()
                        .iter()
                        .map(|b| i64::from(*b))
                        .collect()
                };
                (ints(bytes(prefix)), ints(bytes(mask)))
            }
            Net::V6 { prefix, mask } => {
                let groups = |x: u128| {
                    Ipv6Addr::from(x)
                        .segments()
                        .iter()
                        .map(|g| i64::from(*g))
                        .collect()
                };
                (ints(groups(prefix)), ints(groups(mask)))
            }
        };
        let mut r = Record::default();
        r.insert(Str::from("prefix"), prefix);
        r.insert(Str::from("mask"), mask);
        Value::Record(Box::new(r))
    }
}

/// A compiled `cidr` extractor: no ranges (anything parses) or a list of ranges.
#[derive(Debug, Clone)]
pub(super) struct CidrExtractor {
    ranges: Option<Vec<Net>>,
}

impl CidrExtractor {
    /// An empty rule accepts any address or block; otherwise a comma separated list of blocks.
    pub(super) fn new(rule: &str) -> Result<CidrExtractor, String> {
        if rule.trim().is_empty() {
            return Ok(CidrExtractor { ranges: None });
        }
        let ranges = rule
            .split(',')
            .map(str::trim)
            .map(|r| Net::parse(r).ok_or_else(|| format!("could not parse CIDR: '{r}'")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CidrExtractor {
            ranges: Some(ranges),
        })
    }

    /// `None` for text that is no address/block, or an address outside every range.
    pub(super) fn extract(&self, s: &str, want_result: bool) -> Option<Value> {
        if let Some(ranges) = &self.ranges {
            let ip = s.parse::<IpAddr>().ok()?;
            if !ranges.iter().any(|r| r.contains(ip)) {
                return None;
            }
        }
        let net = Net::parse(s)?;
        Some(if want_result {
            net.to_value()
        } else {
            Value::Bool(true)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(rule: &str, s: &str) -> Option<String> {
        CidrExtractor::new(rule)
            .unwrap()
            .extract(s, true)
            .map(|v| v.encode())
    }

    #[test]
    fn any_address_or_block() {
        assert_eq!(
            run("", "192.168.1.5").unwrap(),
            r#"{"prefix":[192,168,1,5],"mask":[255,255,255,255]}"#
        );
        assert_eq!(
            run("", "10.1.2.3/8").unwrap(),
            r#"{"prefix":[10,0,0,0],"mask":[255,0,0,0]}"#
        );
        assert_eq!(
            run("", "10.1.2.0/255.255.255.0").unwrap(),
            r#"{"prefix":[10,1,2,0],"mask":[255,255,255,0]}"#
        );
        assert_eq!(
            run("", "0.0.0.0/0").unwrap(),
            r#"{"prefix":[0,0,0,0],"mask":[0,0,0,0]}"#
        );
        assert_eq!(run("", "snot"), None);
        assert_eq!(run("", "10.0.0.1/33"), None);
        assert_eq!(run("", "10.0.0.1/255.0.255.0"), None);
        assert_eq!(run("", "300.0.0.1"), None);
    }

    #[test]
    fn ipv6() {
        assert_eq!(
            run("", "2001:db8::1/32").unwrap(),
            r#"{"prefix":[8193,3512,0,0,0,0,0,0],"mask":[65535,65535,0,0,0,0,0,0]}"#
        );
        assert_eq!(
            run("2001:db8::/32", "2001:db8::5").unwrap(),
            r#"{"prefix":[8193,3512,0,0,0,0,0,5],"mask":[65535,65535,65535,65535,65535,65535,65535,65535]}"#
        );
    }

    #[test]
    fn ranges() {
        let rule = "10.22.0.0/24, 10.22.1.0/24";
        assert_eq!(
            run(rule, "10.22.0.254").unwrap(),
            r#"{"prefix":[10,22,0,254],"mask":[255,255,255,255]}"#
        );
        assert!(run(rule, "10.22.1.3").is_some());
        assert_eq!(run(rule, "10.22.2.1"), None);
        assert_eq!(
            run(rule, "10.22.0.0/24"),
            None,
            "ranges take bare addresses"
        );
        assert_eq!(run(rule, "::1"), None);
    }

    #[test]
    fn bad_ranges() {
        assert!(CidrExtractor::new("10.0.0.0/8, snot").is_err());
        assert!(CidrExtractor::new("10.0.0.0/40").is_err());
    }
}
