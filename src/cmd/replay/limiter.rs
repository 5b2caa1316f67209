//! The one rate limiter all workers share: requests, retries included, leave
//! at evenly spaced moments, `1/rate` apart, with no burst after idle time.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The smallest `--rate` taken: one request every 1,000 seconds.
pub const MIN_RATE: f64 = 0.001;

/// Hands out send slots `interval` apart to every worker in turn.
pub struct RateLimiter {
    interval: Option<Duration>,
    next: Mutex<Option<Instant>>,
}

impl RateLimiter {
    /// `None` means no limit; a rate below [`MIN_RATE`] (or not a number)
    /// is taken as `MIN_RATE`.
    pub fn new(rate: Option<f64>) -> Self {
        let longest = Duration::from_secs_f64(1.0 / MIN_RATE);
        let interval = rate.map(|r| {
            Duration::try_from_secs_f64(1.0 / r)
                .unwrap_or(longest)
                .min(longest)
        });
        RateLimiter {
            interval,
            next: Mutex::new(None),
        }
    }

    /// Waits for the next slot. Returns `false`, without waiting it out, when
    /// `stop` is raised meanwhile.
    pub fn acquire(&self, stop: &AtomicBool) -> bool {
        let Some(interval) = self.interval else {
            return !stop.load(Ordering::Relaxed);
        };
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let slot = match *next {
                Some(t) if t > now => t,
                _ => now,
            };
            *next = slot.checked_add(interval);
            slot
        };
        sleep_until(slot, stop)
    }
}

/// Sleeps until `deadline` in short steps; `false` if `stop` was raised.
pub fn sleep_until(deadline: Instant, stop: &AtomicBool) -> bool {
    loop {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        let now = Instant::now();
        if now >= deadline {
            return true;
        }
        std::thread::sleep((deadline - now).min(Duration::from_millis(20)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_evenly_spaced_across_threads() {
        let limiter = std::sync::Arc::new(RateLimiter::new(Some(50.0)));
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let start = Instant::now();
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let (l, s) = (limiter.clone(), stop.clone());
                std::thread::spawn(move || (0..5).all(|_| l.acquire(&s)))
            })
            .collect();
        assert!(handles.into_iter().all(|h| h.join().unwrap()));
        // 20 slots 20 ms apart: the last one at 380 ms.
        assert!(start.elapsed() >= Duration::from_millis(375));
    }

    #[test]
    fn tiny_rates_do_not_panic() {
        for rate in [1e-20, 5e-324, 0.0, -1.0, f64::NAN] {
            let limiter = RateLimiter::new(Some(rate));
            assert_eq!(limiter.interval, Some(Duration::from_secs(1000)));
        }
    }

    #[test]
    fn stop_ends_the_wait() {
        let limiter = RateLimiter::new(Some(0.5));
        let stop = AtomicBool::new(false);
        assert!(limiter.acquire(&stop));
        stop.store(true, Ordering::Relaxed);
        assert!(!limiter.acquire(&stop));
    }
}
