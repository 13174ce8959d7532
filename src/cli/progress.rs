//! `trickle run`'s progress line: while `-i` files are read and stderr is a
//! terminal, one line on stderr with the bytes and events read, the share of the
//! input's size, events/s and the time left; cleared when the run ends.
//!
//! The reader only bumps two atomics ([`ReadProgress`]) once per chunk; a thread of
//! its own samples them ten times a second, so the hot path pays nothing for the
//! display.

use super::args::RunArgs;
use crate::peer::metrics::ReadProgress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the line is redrawn.
const EVERY: Duration = Duration::from_millis(100);

/// A progress line being drawn; [`ReadProgress::clear`] on its counters (or
/// dropping it) clears it.
pub struct Progress {
    counters: Arc<ReadProgress>,
}

impl Progress {
    /// A progress line for `args`, when one is wanted: `-i` files (all of them
    /// regular files, so their size is known), stderr a terminal, no `--quiet`.
    pub fn start(args: &RunArgs) -> Option<Progress> {
        if args.quiet || !std::io::stderr().is_terminal() {
            return None;
        }
        let total = input_size(args)?;
        Some(Self::draw(total, ProgressDrawTarget::stderr_with_hz(10)))
    }

    /// Draws to `target` for an input of `total` bytes.
    fn draw(total: u64, target: ProgressDrawTarget) -> Progress {
        let counters = Arc::new(ReadProgress::default());
        let stop = Arc::new(AtomicBool::new(false));
        let bar = ProgressBar::with_draw_target(Some(total), target);
        // The template is fixed and valid; a failure would only lose the styling.
        if let Ok(style) =
            ProgressStyle::with_template("{bytes}/{total_bytes} ({percent}%) {msg}, {eta} left")
        {
            bar.set_style(style);
        }
        bar.set_message(message(0, Duration::ZERO));
        let (c, s) = (counters.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            while !s.load(Ordering::Relaxed) {
                update(&bar, &c, started.elapsed());
                std::thread::park_timeout(EVERY);
            }
            bar.finish_and_clear();
        });
        // Waits until the line is gone, so nothing printed after it shares its line.
        counters.on_clear(Box::new(move || {
            stop.store(true, Ordering::Relaxed);
            thread.thread().unpark();
            let _ = thread.join();
        }));
        Progress { counters }
    }

    /// What the reader counts into.
    pub fn counters(&self) -> Arc<ReadProgress> {
        self.counters.clone()
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.counters.clear();
    }
}

/// The bar's position and its message: events read and events per second.
fn update(bar: &ProgressBar, counters: &ReadProgress, elapsed: Duration) {
    let bytes = counters.bytes.load(Ordering::Relaxed);
    let events = counters.events.load(Ordering::Relaxed);
    bar.set_position(bytes.min(bar.length().unwrap_or(u64::MAX)));
    bar.set_message(message(events, elapsed));
}

/// `1,234,567 events, 2,345,678 ev/s`
fn message(events: u64, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        (events as f64 / secs) as u64
    } else {
        0
    };
    format!("{} events, {} ev/s", grouped(events), grouped(rate))
}

/// `n` with a comma between groups of three digits.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The total size of the `-i` files; `None` without any, or when one is stdin or
/// not a regular file (a pipe has no size to show a share of).
fn input_size(args: &RunArgs) -> Option<u64> {
    if args.inputs.is_empty() {
        return None;
    }
    let mut total = 0u64;
    for p in &args.inputs {
        if p.as_os_str() == "-" {
            return None;
        }
        let meta = std::fs::metadata(p).ok()?;
        if !meta.is_file() {
            return None;
        }
        total = total.saturating_add(meta.len());
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_and_rated() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(
            message(3_000_000, Duration::from_secs(2)),
            "3,000,000 events, 1,500,000 ev/s"
        );
        assert_eq!(message(5, Duration::ZERO), "5 events, 0 ev/s");
    }

    #[test]
    fn a_hidden_line_samples_and_stops() {
        let p = Progress::draw(100, ProgressDrawTarget::hidden());
        p.counters().add(40, 2);
        p.counters().add(10, 1);
        assert_eq!(p.counters.bytes.load(Ordering::Relaxed), 50);
        assert_eq!(p.counters.events.load(Ordering::Relaxed), 3);
        p.counters().clear();
        p.counters().clear();
    }
}
