use std::fmt;
use std::time::Duration;

/// Median, mean and standard error of a sample of durations, in milliseconds.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub n: usize,
    pub median_ms: f64,
    pub mean_ms: f64,
    pub stderr_ms: f64,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.1} ms (mean {:.1} ± {:.1})", self.median_ms, self.mean_ms, self.stderr_ms)
    }
}

pub fn summarize(samples: &[Duration]) -> Summary {
    let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    ms.sort_by(f64::total_cmp);
    let n = ms.len();
    // Sample counts are small: a u32 holds them, and an f64 holds any u32 exactly.
    let count = |n: usize| f64::from(u32::try_from(n).unwrap_or(u32::MAX));
    let median_ms = if n % 2 == 1 { ms[n / 2] } else { (ms[n / 2 - 1] + ms[n / 2]) / 2.0 };
    let mean_ms = ms.iter().sum::<f64>() / count(n);
    let var = ms.iter().map(|x| (x - mean_ms).powi(2)).sum::<f64>() / count(n.max(2) - 1);
    Summary { n, median_ms, mean_ms, stderr_ms: (var / count(n)).sqrt() }
}

/// Resident memory of a process, from /proc, in MiB.
pub fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}
