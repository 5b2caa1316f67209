//! The retry policy of SPEC 6: which outcomes are retried, exponential
//! backoff with jitter, and `Retry-After` in seconds or as an HTTP date.

use std::time::{Duration, SystemTime};

/// Why an attempt did not deliver, as far as retrying is concerned.
pub enum Verdict {
    /// 2xx: done.
    Delivered,
    /// Worth another attempt.
    Retry,
    /// Permanent: fail the record now.
    Fail,
}

/// What to do after an HTTP status.
pub fn verdict_for_status(status: u16) -> Verdict {
    match status {
        200..=299 => Verdict::Delivered,
        408 | 425 | 429 => Verdict::Retry,
        501 | 505 => Verdict::Fail,
        500..=599 => Verdict::Retry,
        _ => Verdict::Fail,
    }
}

/// Backoff settings.
#[derive(Clone, Copy)]
pub struct Backoff {
    /// The wait before the first retry (doubled for each one after it).
    pub base: Duration,
    /// The longest wait between two attempts.
    pub cap: Duration,
}

impl Backoff {
    /// The wait before retry number `retry` (1-based): `base * 2^(retry-1)`,
    /// capped, then jittered to between half and all of it.
    pub fn delay(&self, retry: u32, rng: &mut Jitter) -> Duration {
        let factor = 1u32 << retry.saturating_sub(1).min(16);
        let full = self.base.saturating_mul(factor).min(self.cap);
        let half = full / 2;
        half + half.mul_f64(rng.unit())
    }
}

/// Parses `Retry-After`: delay seconds or an HTTP date (a date in the past
/// means now). `None` when the value is neither.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let secs = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A small xorshift generator for jitter; no cryptographic use.
pub struct Jitter(u64);

impl Jitter {
    /// Seeded from the clock and a per-worker number.
    pub fn new(salt: u64) -> Self {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        Jitter((nanos ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15)) | 1)
    }

    /// A number in [0, 1).
    pub fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_spec() {
        for s in [408, 425, 429, 500, 502, 503, 504, 599] {
            assert!(matches!(verdict_for_status(s), Verdict::Retry), "{s}");
        }
        for s in [301, 400, 401, 403, 404, 409, 422, 501, 505] {
            assert!(matches!(verdict_for_status(s), Verdict::Fail), "{s}");
        }
        assert!(matches!(verdict_for_status(204), Verdict::Delivered));
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_754_116_200);
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        let date = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(parse_retry_after(&date, now), Some(Duration::from_secs(30)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn backoff_grows_and_stays_capped() {
        let b = Backoff {
            base: Duration::from_millis(100),
            cap: Duration::from_secs(2),
        };
        let mut rng = Jitter::new(1);
        for _ in 0..100 {
            let d1 = b.delay(1, &mut rng);
            assert!(d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100));
            let d3 = b.delay(3, &mut rng);
            assert!(d3 >= Duration::from_millis(200) && d3 <= Duration::from_millis(400));
            assert!(b.delay(40, &mut rng) <= Duration::from_secs(2));
        }
    }
}
