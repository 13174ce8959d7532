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
