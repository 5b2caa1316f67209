//! The run's tallies and the summary printed at the end: counts, the status
//! histogram, latency percentiles (from a fixed-size log histogram, so
//! memory stays flat) and the achieved request rate.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use crate::report::plural;

/// Latencies in microseconds, exact below 128 µs, within 1% above.
pub struct Latencies {
    buckets: Vec<u64>,
    count: u64,
    max_us: u64,
}

const SUB: u64 = 128;

fn bucket_of(us: u64) -> usize {
    if us < SUB {
        return us as usize;
    }
    let exp = 63 - u64::from(us.leading_zeros());
    let mantissa = (us >> (exp - 7)) & (SUB - 1);
    (SUB + (exp - 7) * SUB + mantissa) as usize
}

fn value_of(bucket: usize) -> u64 {
    let b = bucket as u64;
    if b < SUB {
        return b;
    }
    let exp = (b - SUB) / SUB + 7;
    let mantissa = (b - SUB) % SUB;
    (SUB + mantissa) << (exp - 7)
}

impl Default for Latencies {
    fn default() -> Self {
        Latencies {
            buckets: vec![0; bucket_of(u64::MAX) + 1],
            count: 0,
            max_us: 0,
        }
    }
}

impl Latencies {
    pub fn add(&mut self, latency: Duration) {
        let us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        if let Some(b) = self.buckets.get_mut(bucket_of(us)) {
            *b += 1;
        }
        self.count += 1;
        self.max_us = self.max_us.max(us);
    }

    /// The `q` quantile (0 to 1) in milliseconds; 0 when empty.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return (value_of(i).min(self.max_us)) as f64 / 1000.0;
            }
        }
        self.max_ms()
    }

    pub fn max_ms(&self) -> f64 {
        self.max_us as f64 / 1000.0
    }
}

/// Everything counted during a run.
#[derive(Default)]
pub struct Stats {
    /// Records handled by this run (delivered, failed or invalid).
    pub records: u64,
    pub delivered: u64,
    pub failed: u64,
    pub invalid: u64,
    /// Requests sent, first attempts and retries.
    pub requests: u64,
    pub retries: u64,
    /// Records skipped because the checkpoint says an earlier run did them.
    pub resumed: u64,
    /// Records taken but left unsent by an interruption.
    pub unsent: u64,
    /// Attempts by status code, or `timeout` / `connection_error`.
    pub status: BTreeMap<String, u64>,
    pub latency: Latencies,
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

impl Stats {
    fn rate(&self, elapsed: Duration) -> f64 {
        let secs = elapsed.as_secs_f64();
        if secs > 0.0 {
            self.requests as f64 / secs
        } else {
            0.0
        }
    }

    /// The summary as one JSON object, keys in the order SPEC 6 gives.
    pub fn to_json(&self, elapsed: Duration) -> String {
        let status: serde_json::Map<String, serde_json::Value> = self
            .status
            .iter()
            .map(|(k, v)| (k.clone(), (*v).into()))
            .collect();
        let l = &self.latency;
        format!(
            "{{\"type\":\"summary\",\"records\":{},\"delivered\":{},\"failed\":{},\
             \"invalid\":{},\"retries\":{},\"status\":{},\"latency_ms\":{{\"p50\":{},\
             \"p90\":{},\"p99\":{},\"max\":{}}},\"elapsed_s\":{},\"rate\":{}}}",
            self.records,
            self.delivered,
            self.failed,
            self.invalid,
            self.retries,
            serde_json::Value::Object(status),
            round(l.quantile_ms(0.5), 3),
            round(l.quantile_ms(0.9), 3),
            round(l.quantile_ms(0.99), 3),
            round(l.max_ms(), 3),
            round(elapsed.as_secs_f64(), 3),
            round(self.rate(elapsed), 1),
        )
    }

    /// The summary for people, several lines.
    pub fn to_text(&self, elapsed: Duration) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "replay: {}: {} delivered, {} failed, {} invalid",
            plural(self.records, "record"),
            self.delivered,
            self.failed,
            self.invalid
        );
        if self.resumed > 0 {
            let _ = writeln!(
                out,
                "  skipped {} finished by an earlier run (checkpoint)",
                self.resumed
            );
        }
        let _ = writeln!(
            out,
            "  {} ({}) in {:.2} s, {:.1} requests/s",
            plural(self.requests, "request"),
            match self.retries {
                1 => "1 retry".to_string(),
                n => format!("{n} retries"),
            },
            elapsed.as_secs_f64(),
            self.rate(elapsed)
        );
        if !self.status.is_empty() {
            let parts: Vec<String> = self
                .status
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            let _ = writeln!(out, "  status: {}", parts.join(", "));
        }
        if self.latency.count > 0 {
            let l = &self.latency;
            let _ = writeln!(
                out,
                "  latency: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
                l.quantile_ms(0.5),
                l.quantile_ms(0.9),
                l.quantile_ms(0.99),
                l.max_ms()
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_round_trip_within_one_percent() {
        for us in [
            0u64,
            1,
            127,
            128,
            255,
            256,
            1000,
            123_456,
            10_000_000,
            u64::MAX / 2,
        ] {
            let v = value_of(bucket_of(us));
            assert!(v <= us && us - v <= us / 100 + 1, "{us} -> {v}");
        }
    }

    #[test]
    fn quantiles_of_a_uniform_spread() {
        let mut l = Latencies::default();
        for ms in 1..=100 {
            l.add(Duration::from_millis(ms));
        }
        assert!((l.quantile_ms(0.5) - 50.0).abs() < 0.6);
        assert!((l.quantile_ms(0.99) - 99.0).abs() < 1.0);
        assert_eq!(l.max_ms(), 100.0);
    }

    #[test]
    fn json_has_the_spec_keys_in_order() {
        let mut s = Stats {
            records: 2,
            delivered: 1,
            failed: 1,
            requests: 2,
            ..Stats::default()
        };
        s.status.insert("200".into(), 1);
        s.status.insert("403".into(), 1);
        s.latency.add(Duration::from_millis(2));
        let json = s.to_json(Duration::from_secs(1));
        assert!(json.starts_with(
            "{\"type\":\"summary\",\"records\":2,\"delivered\":1,\"failed\":1,\"invalid\":0,\
             \"retries\":0,\"status\":{\"200\":1,\"403\":1},\"latency_ms\":{\"p50\":"
        ));
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["rate"], 2.0);
    }
}
