//! Cache hints for state reached in a known order. Event-time timers pop in due
//! order, so which groups the next few timers close is known ahead: their state,
//! spread over a hundred thousand groups, is asked for before it is needed
//! instead of stalling on a cache miss per pointer when it is.

/// Asks the CPU to bring the `lines` cache lines from `value`'s address on into
/// its cache. Only a hint: it changes no result, whatever the memory holds.
#[inline(always)]
pub(super) fn prefetch<T: ?Sized>(value: &T, lines: usize) {
    let start = (value as *const T).cast::<i8>();
    for i in 0..lines {
        let at = start.wrapping_add(i * 64);
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a prefetch neither faults nor reads anything into the program,
        // whatever the address (the first line is a live reference anyway).
        unsafe {
            core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(at)
        };
        #[cfg(not(target_arch = "x86_64"))]
        let _ = at;
    }
}
