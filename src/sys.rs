//! The facts the engine reads from the machine it runs on, in one place: on
//! `wasm32-unknown-unknown` `SystemTime::now()` panics and there is no host name,
//! so each read has its answer for that target here rather than beside its caller.

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
