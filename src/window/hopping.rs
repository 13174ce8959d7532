//! `sliding` with `interval` and `hop`: hopping windows `[k·hop, k·hop + interval)`
//! for every integer k, so each time is in `interval / hop` of them (SPEC §7.2).

use super::event_time::floor_to;

/// The windows `[start, end)` holding `t`, oldest first. `interval` is a positive
/// multiple of `hop` (checked when the window is defined).
pub fn windows_of(t: i64, interval: i64, hop: i64) -> Vec<(i64, i64)> {
    let last = floor_to(t, hop);
    let n = interval / hop;
    (0..n)
        .rev()
        .map(|k| {
            let start = last.saturating_sub(k.saturating_mul(hop));
            (start, start.saturating_add(interval))
        })
        .filter(|&(s, e)| s <= t && t < e)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_time_is_in_interval_over_hop_windows() {
        assert_eq!(windows_of(1, 10, 5), vec![(-5, 5), (0, 10)]);
        assert_eq!(windows_of(5, 10, 5), vec![(0, 10), (5, 15)]);
        assert_eq!(windows_of(-1, 10, 5), vec![(-10, 0), (-5, 5)]);
        assert_eq!(windows_of(7, 6, 2).len(), 3);
        // interval == hop: tumbling
        assert_eq!(windows_of(7, 5, 5), vec![(5, 10)]);
    }
}
