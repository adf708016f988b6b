//! Summaries of timing samples: median, min, p90 and max, nothing fancier.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub n: usize,
    pub median: Duration,
    pub min: Duration,
    pub p90: Duration,
    pub max: Duration,
}

impl Stats {
    /// `None` for no samples. The median of an even count is the mean of the middle two; p90 is
    /// the nearest-rank percentile (the smallest sample with at least 90% at or below it).
    pub fn of(samples: &[Duration]) -> Option<Stats> {
        let mut sorted = samples.to_vec();
        sorted.sort();
        let n = sorted.len();
        if n == 0 {
            return None;
        }
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        };
        let p90 = sorted[(n * 9).div_ceil(10).max(1) - 1];
        Some(Stats {
            n,
            median,
            min: sorted[0],
            p90,
            max: sorted[n - 1],
        })
    }

    pub fn from_nanos(samples: &[u64]) -> Option<Stats> {
        let samples: Vec<Duration> = samples.iter().map(|&ns| Duration::from_nanos(ns)).collect();
        Stats::of(&samples)
    }
}

/// Milliseconds with `decimals` places.
pub fn ms(d: Duration, decimals: usize) -> String {
    format!("{:.*}", decimals, d.as_secs_f64() * 1e3)
}

/// Seconds with two places.
pub fn secs(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64())
}

/// Microseconds with one place.
pub fn us(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e6)
}

/// `a / b` on medians.
pub fn ratio(a: Duration, b: Duration) -> f64 {
    if b.is_zero() {
        f64::NAN
    } else {
        a.as_secs_f64() / b.as_secs_f64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: &[u64]) -> Vec<Duration> {
        v.iter().map(|&m| Duration::from_millis(m)).collect()
    }

    #[test]
    fn odd_even_and_single() {
        let s = Stats::of(&ms(&[5, 1, 3])).unwrap();
        assert_eq!(
            (s.median, s.min, s.max),
            (ms(&[3])[0], ms(&[1])[0], ms(&[5])[0])
        );
        let s = Stats::of(&ms(&[4, 1, 3, 2])).unwrap();
        assert_eq!(s.median, Duration::from_micros(2_500));
        let s = Stats::of(&ms(&[7])).unwrap();
        assert_eq!((s.median, s.p90), (ms(&[7])[0], ms(&[7])[0]));
        assert_eq!(Stats::of(&[]), None);
    }

    #[test]
    fn p90_is_nearest_rank() {
        let samples: Vec<u64> = (1..=10).collect();
        assert_eq!(Stats::of(&ms(&samples)).unwrap().p90, ms(&[9])[0]);
        let samples: Vec<u64> = (1..=20).collect();
        assert_eq!(Stats::of(&ms(&samples)).unwrap().p90, ms(&[18])[0]);
        assert_eq!(Stats::of(&ms(&[1, 2, 3])).unwrap().p90, ms(&[3])[0]);
    }
}
