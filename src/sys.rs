//! The facts the engine reads from the machine it runs on, and the hints it gives
//! it (cache prefetches, huge pages), in one place: on `wasm32-unknown-unknown`
//! `SystemTime::now()` panics, there is no host name and no `madvise`, so each has
//! its answer for that target here rather than beside its caller.

/// Nanoseconds since the Unix epoch, from the wall clock (`None` before 1677 or
/// after 2262). chrono reads the JavaScript clock on wasm32, where std's panics.
pub fn wall_ns() -> Option<i64> {
    chrono::Utc::now().timestamp_nanos_opt()
}

/// The name of the host, lossily UTF-8.
#[cfg(not(target_family = "wasm"))]
pub fn hostname() -> std::io::Result<String> {
    Ok(::hostname::get()?.to_string_lossy().into_owned())
}

/// A page in a browser has no host name of its own to give.
#[cfg(target_family = "wasm")]
pub fn hostname() -> std::io::Result<String> {
    Ok("localhost".into())
}

/// A cache hint, for state reached in a known order (event-time timers pop in due
/// order, a sliding window drops its oldest state next): what is needed soon is
/// asked for before it is, instead of stalling on a cache miss per pointer then.
/// Asks the CPU to bring the `lines` cache lines from `value`'s address on into
/// its cache. Only a hint: it changes no result, whatever the memory holds.
#[inline(always)]
pub fn prefetch<T: ?Sized>(value: &T, lines: usize) {
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

/// Bytes of a transparent huge page (x86-64, aarch64 with 4 KiB pages).
#[cfg(any(target_os = "linux", test))]
const HUGE_PAGE: usize = 2 << 20;

/// Asks the kernel to back the whole huge pages within `bytes` at `ptr` with
/// huge pages, before anything is written there. A select with a hundred
/// thousand open sessions reads tens of megabytes of groups at random: on 4 KiB
/// pages nearly every read misses the TLB and walks the page tables (two-level
/// in a VM). Only advice: it changes no result, and the kernel may decline.
#[cfg(target_os = "linux")]
pub fn advise_huge<T>(ptr: *const T, bytes: usize) {
    if let Some((start, len)) = huge_pages_within(ptr as usize, bytes) {
        // SAFETY: the range lies within an allocation the caller owns; the advice
        // changes how the kernel backs it, never what it holds.
        unsafe { libc::madvise(start as *mut libc::c_void, len, libc::MADV_HUGEPAGE) };
    }
}

#[cfg(not(target_os = "linux"))]
pub fn advise_huge<T>(_ptr: *const T, _bytes: usize) {}

/// The whole huge pages within `bytes` at `addr`: where they start and how many
/// bytes they span, if there is one.
#[cfg(any(target_os = "linux", test))]
fn huge_pages_within(addr: usize, bytes: usize) -> Option<(usize, usize)> {
    let start = addr.checked_next_multiple_of(HUGE_PAGE)?;
    let end = addr.checked_add(bytes)? / HUGE_PAGE * HUGE_PAGE;
    (end > start).then(|| (start, end - start))
}

#[cfg(test)]
mod tests {
    use super::{advise_huge, huge_pages_within, HUGE_PAGE};

    #[test]
    fn only_whole_huge_pages_are_advised() {
        const H: usize = HUGE_PAGE;
        assert_eq!(huge_pages_within(H, H), Some((H, H)));
        assert_eq!(huge_pages_within(H + 1, 2 * H), Some((2 * H, H)));
        assert_eq!(huge_pages_within(H + 1, 2 * H - 2), None);
        assert_eq!(huge_pages_within(1, H), None);
        assert_eq!(
            huge_pages_within(3 * H - 5, 3 * H + 10),
            Some((3 * H, 3 * H))
        );
        assert_eq!(huge_pages_within(usize::MAX - 3, 10), None);
        assert_eq!(huge_pages_within(0, 0), None);
    }

    #[test]
    fn advised_memory_holds_what_is_written() {
        let mut v: Vec<u64> = Vec::with_capacity(3 * HUGE_PAGE / 8);
        advise_huge(v.as_ptr(), v.capacity() * 8);
        v.extend(0..v.capacity() as u64);
        assert!(v.iter().enumerate().all(|(i, &x)| x == i as u64));
    }
}
